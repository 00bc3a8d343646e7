//! Image URIs of SageMaker's prebuilt containers, resolved exactly as the
//! SageMaker Python SDK v2 (2.257) `sagemaker.image_uris.retrieve` does for
//! processing jobs.
//!
//! The data under `image_uris/` is trimmed from the SDK's `image_uri_config/`
//! tables: one scope per file (`training` for the framework images, which is
//! what `FrameworkProcessor` uses; `processing` for Spark and Clarify), with
//! each distinct region -> account map stored once under `registries` and
//! referred to by name from the versions. A version entry is either a leaf
//! (`repository`, `registries`, optional `py_versions`, `processors`,
//! `container_version`), a per-Python-version split (`{"py": {"py2": leaf,
//! "py3": leaf}}`) or, for Hugging Face, a per-base-framework split
//! (`{"base_aliases": {...}, "bases": {"pytorch1.13.1": leaf}}`).
//!
//! SDK behaviour carried over, beyond the plain table look-up:
//! - the tag uses the version *as written* (`2.1` -> `2.1-gpu-py310`), while
//!   the registries come from the aliased full version;
//! - a single Python version is the default; Spark never defaults one;
//! - Spark's default version is the newest of the first and last listed;
//!   `container_version` `N` becomes `vN` and needs `py_version` with it;
//! - Hugging Face tags are `{base}-transformers{version}-gpu-{py}-{cuda}`,
//!   with `cu110-ubuntu18.04` when the table has no container version;
//! - `ml.p4d` GPU images of a few old versions get an extra container suffix;
//!   `ml.p2` is refused for PyTorch >= 1.13 and TensorFlow >= 2.12;
//! - Trainium (`trn`), Inferentia (`inf`, Neuron images) and Graviton
//!   families select images that processing jobs cannot use: they are errors.

use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;
use std::sync::LazyLock;

use pjob_manifest::Framework;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// An SDK image table pjob carries: a framework's training images (which
/// `FrameworkProcessor` runs), or Spark's or Clarify's processing images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageTable {
    /// A `FrameworkProcessor` framework.
    Framework(Framework),
    /// `PySparkProcessor` and `SparkJarProcessor`.
    Spark,
    /// `SageMakerClarifyProcessor`.
    Clarify,
}

impl ImageTable {
    /// The SDK's name for the table's framework (`sklearn`, `spark`, `clarify`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ImageTable::Framework(framework) => framework.as_str(),
            ImageTable::Spark => "spark",
            ImageTable::Clarify => "clarify",
        }
    }

    /// Whether the table is one of `frameworks`'.
    fn is_one_of(self, frameworks: &[Framework]) -> bool {
        matches!(self, ImageTable::Framework(f) if frameworks.contains(&f))
    }
}

/// The kind of hardware an instance type runs on, as the SDK's `_processor` decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Processor {
    /// CPU instances (`ml.m5`, `ml.c5`, `ml.r5`, `ml.t3`, ... and `local`).
    Cpu,
    /// GPU instances: every family starting with `g` or `p` (and `local_gpu`).
    Gpu,
    /// AWS Inferentia (`ml.inf*`); no processing image exists for it.
    Inf,
    /// AWS Trainium (`ml.trn*`); no processing image exists for it.
    Trn,
}

impl Processor {
    /// The word the SDK uses for it in image tags and tables (`cpu`, `gpu`, `inf`, `trn`).
    pub fn as_str(self) -> &'static str {
        match self {
            Processor::Cpu => "cpu",
            Processor::Gpu => "gpu",
            Processor::Inf => "inf",
            Processor::Trn => "trn",
        }
    }
}

impl fmt::Display for Processor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The processor of an instance type: `ml.inf*` -> Inf, `ml.trn*` -> Trn, `ml.g*`/`ml.p*` -> Gpu,
/// `local_gpu` -> Gpu, anything else (including types the SDK would reject as malformed,
/// which [`framework_image_uri`] reports as errors) -> Cpu.
pub fn processor_for_instance_type(instance_type: &str) -> Processor {
    match sdk_processor(instance_type) {
        Ok("gpu") => Processor::Gpu,
        Ok("inf") => Processor::Inf,
        Ok("trn") => Processor::Trn,
        _ => Processor::Cpu,
    }
}

/// The base framework of a Hugging Face image: exactly one of PyTorch or TensorFlow, with its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HuggingFaceBase<'a> {
    /// `pytorch_version` of the SDK's `HuggingFaceProcessor`, e.g. `1.13` or `1.13.1`.
    PyTorch(&'a str),
    /// `tensorflow_version` of the SDK's `HuggingFaceProcessor`, e.g. `2.6` or `2.6.3`.
    TensorFlow(&'a str),
}

/// Why an image URI could not be resolved; every variant names the offending value and,
/// where there is a list of valid ones, carries it.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ImageUriError {
    /// The version (or alias) is not in the framework's table.
    #[error("unsupported {framework} version `{version}`; known versions: {}", .known.join(", "))]
    UnknownVersion {
        /// The framework.
        framework: String,
        /// The version asked for.
        version: String,
        /// Full versions, then aliases, in the SDK's order.
        known: Vec<String>,
    },
    /// The Python version is not offered for this framework version.
    #[error(
        "unsupported Python version `{py_version}` for {framework} {version}; known Python versions: {}",
        .known.join(", ")
    )]
    UnknownPyVersion {
        /// The framework.
        framework: String,
        /// The framework version.
        version: String,
        /// The Python version asked for.
        py_version: String,
        /// The Python versions of this framework version.
        known: Vec<String>,
    },
    /// Several Python versions exist for this framework version and none was given.
    #[error("{framework} {version} needs a py_version; known Python versions: {}", .known.join(", "))]
    MissingPyVersion {
        /// The framework.
        framework: String,
        /// The framework version.
        version: String,
        /// The Python versions to choose from.
        known: Vec<String>,
    },
    /// The Hugging Face base framework (e.g. `pytorch1.13`) is not offered for this transformers version.
    #[error(
        "unsupported base framework `{base_framework}` for {framework} {version}; known base frameworks: {}",
        .known.join(", ")
    )]
    UnknownBaseFramework {
        /// The framework (`huggingface`).
        framework: String,
        /// The transformers version.
        version: String,
        /// The base framework asked for, e.g. `pytorch1.13`.
        base_framework: String,
        /// Full base frameworks, then aliases.
        known: Vec<String>,
    },
    /// A Hugging Face image needs a PyTorch or TensorFlow version (see [`huggingface_image_uri`]).
    #[error(
        "{framework} {version} needs a base framework (pytorch_version or tensorflow_version); known base frameworks: {}",
        .known.join(", ")
    )]
    MissingBaseFramework {
        /// The framework (`huggingface`).
        framework: String,
        /// The transformers version.
        version: String,
        /// Full base frameworks, then aliases.
        known: Vec<String>,
    },
    /// The transformers and base framework versions mix full and short forms (`4.26.0` with `1.13`).
    #[error(
        "transformers version `{transformers_version}` and base framework version `{base_version}` must both be full versions or both be short ones"
    )]
    VersionFormMismatch {
        /// The transformers version.
        transformers_version: String,
        /// The PyTorch/TensorFlow version.
        base_version: String,
    },
    /// The image is not published in this region.
    #[error("{framework} {version} has no image in region `{region}`; known regions: {}", .known.join(", "))]
    UnsupportedRegion {
        /// The framework.
        framework: String,
        /// The framework version.
        version: String,
        /// The region asked for.
        region: String,
        /// The regions where the image exists.
        known: Vec<String>,
    },
    /// The instance type is a GPU one but the image exists for other processors only.
    #[error(
        "{framework} {version} has no GPU image (instance type `{instance_type}`); known processors: {}",
        .known.join(", ")
    )]
    NoGpuImage {
        /// The framework.
        framework: String,
        /// The framework version.
        version: String,
        /// The instance type asked for.
        instance_type: String,
        /// The processors with an image.
        known: Vec<String>,
    },
    /// The instance type's processor (`cpu`, `inf`, `trn`, ...) has no image.
    #[error(
        "{framework} {version} has no `{processor}` image (instance type `{instance_type}`); known processors: {}",
        .known.join(", ")
    )]
    UnsupportedProcessor {
        /// The framework.
        framework: String,
        /// The framework version.
        version: String,
        /// The instance type asked for.
        instance_type: String,
        /// The processor it maps to.
        processor: String,
        /// The processors with an image.
        known: Vec<String>,
    },
    /// The instance type is not of the form `ml.<family>.<size>`.
    #[error("invalid SageMaker instance type `{instance_type}` (expected ml.<family>.<size>)")]
    InvalidInstanceType {
        /// The instance type given.
        instance_type: String,
    },
    /// No instance type was given and the image differs per processor.
    #[error("{framework} needs an instance type to choose between its images")]
    MissingInstanceType {
        /// The framework.
        framework: String,
    },
    /// The SDK refuses this framework on this hardware (Trainium is PyTorch only; Graviton is
    /// PyTorch, TensorFlow, scikit-learn and XGBoost only).
    #[error(
        "{framework} is not supported on {hardware} instances (`{instance_type}`); supported frameworks: {}",
        .supported.join(", ")
    )]
    UnsupportedFrameworkForInstance {
        /// The framework.
        framework: String,
        /// The instance type asked for.
        instance_type: String,
        /// `Trainium` or `Graviton`.
        hardware: String,
        /// The frameworks the SDK allows there.
        supported: Vec<String>,
    },
    /// The instance type would select an image pjob does not carry: the SDK's Neuron images
    /// (`inf`/`trn` families) or inference-only Graviton images, none of which processing jobs run.
    #[error(
        "instance type `{instance_type}` selects the SDK's {image} image for {framework}, which processing jobs cannot use; choose a CPU or GPU instance type"
    )]
    ImageNotCarried {
        /// The framework.
        framework: String,
        /// The instance type asked for.
        instance_type: String,
        /// `Neuron` or `Graviton inference`.
        image: String,
    },
    /// The SDK refuses `ml.p2` for PyTorch >= 1.13 and TensorFlow >= 2.12.
    #[error("P2 instances (`{instance_type}`) are deprecated for {framework} {version} (PyTorch 1.13+ and TensorFlow 2.12+)")]
    DeprecatedInstanceType {
        /// The framework.
        framework: String,
        /// The framework version.
        version: String,
        /// The instance type asked for.
        instance_type: String,
    },
    /// Spark takes `py_version` and `container_version` together or not at all.
    #[error(
        "spark py_version and container_version must be set together (got py_version {}, container_version {})",
        .py_version.as_deref().unwrap_or("unset"),
        .container_version.as_deref().unwrap_or("unset")
    )]
    SparkPyContainerMismatch {
        /// The Python version given, if any.
        py_version: Option<String>,
        /// The container version given, if any.
        container_version: Option<String>,
    },
}

/// The image URI of a framework's training image, which `FrameworkProcessor` runs
/// (`sklearn`, `pytorch`, `tensorflow`, `xgboost`, `mxnet`; `huggingface` needs
/// [`huggingface_image_uri`] for its base framework). `version` may be an alias such as `2.1`.
pub fn framework_image_uri(
    framework: Framework,
    version: &str,
    py_version: Option<&str>,
    region: &str,
    instance_type: &str,
) -> Result<String, ImageUriError> {
    retrieve(&Request {
        table: ImageTable::Framework(framework),
        version: Some(version),
        py_version,
        instance_type: Some(instance_type),
        region,
        container_version: None,
        base_framework_version: None,
    })
}

/// The image URI of a Hugging Face training image, as `HuggingFaceProcessor` resolves it from
/// `transformers_version`, `pytorch_version`/`tensorflow_version` and `py_version` (GPU only).
pub fn huggingface_image_uri(
    transformers_version: &str,
    base: HuggingFaceBase<'_>,
    py_version: Option<&str>,
    region: &str,
    instance_type: &str,
) -> Result<String, ImageUriError> {
    let (base_name, base_version) = match base {
        HuggingFaceBase::PyTorch(v) => ("pytorch", v),
        HuggingFaceBase::TensorFlow(v) => ("tensorflow", v),
    };
    // HuggingFace estimator: both versions full or both short.
    if transformers_version.split('.').count() != base_version.split('.').count() {
        return Err(ImageUriError::VersionFormMismatch {
            transformers_version: transformers_version.to_string(),
            base_version: base_version.to_string(),
        });
    }
    // get_training_image_uri: processor checked against cpu/gpu first; GPU adds the default
    // container version that the table's own `container_version` overrides.
    let processor = validate_processor(HUGGINGFACE, transformers_version, instance_type, &["cpu".to_string(), "gpu".to_string()])?;
    let container_version = (processor == "gpu").then(|| HF_DEFAULT_GPU_CONTAINER.to_string());
    let base_framework_version = format!("{base_name}{base_version}");
    retrieve(&Request {
        table: HUGGINGFACE,
        version: Some(transformers_version),
        py_version,
        instance_type: Some(instance_type),
        region,
        container_version,
        base_framework_version: Some(&base_framework_version),
    })
}

/// The image URI of `PySparkProcessor`/`SparkJarProcessor`: `framework_version` defaults to the
/// newest (`3.5`); `py_version` and `container_version` (e.g. `py39` and `1` -> `-py39-v1`) go together.
pub fn spark_image_uri(
    framework_version: Option<&str>,
    py_version: Option<&str>,
    container_version: Option<&str>,
    region: &str,
    instance_type: &str,
) -> Result<String, ImageUriError> {
    if py_version.is_none() != container_version.is_none() {
        return Err(ImageUriError::SparkPyContainerMismatch {
            py_version: py_version.map(str::to_string),
            container_version: container_version.map(str::to_string),
        });
    }
    retrieve(&Request {
        table: ImageTable::Spark,
        version: framework_version,
        py_version,
        instance_type: Some(instance_type),
        region,
        container_version: container_version.map(|v| format!("v{v}")),
        base_framework_version: None,
    })
}

/// The image URI of `SageMakerClarifyProcessor` in a region (its table has a single version, `1.0`).
pub fn clarify_image_uri(region: &str) -> Result<String, ImageUriError> {
    retrieve(&Request {
        table: ImageTable::Clarify,
        version: None,
        py_version: None,
        instance_type: None,
        region,
        container_version: None,
        base_framework_version: None,
    })
}

/// Known values for error messages and schema enums: the versions a table
/// accepts, full versions first, then aliases.
pub fn known_versions(table: ImageTable) -> Vec<String> {
    image_table(table).known_versions()
}

// ---------------------------------------------------------------------------
// Tables

const HUGGINGFACE: ImageTable = ImageTable::Framework(Framework::Huggingface);
const HF_DEFAULT_GPU_CONTAINER: &str = "cu110-ubuntu18.04";
const TRAINIUM_FRAMEWORKS: &[Framework] = &[Framework::Pytorch];
const GRAVITON_FAMILIES: &[&str] = &["m6g", "m6gd", "c6g", "c6gd", "c6gn", "c7g", "r6g", "r6gd"];
const GRAVITON_FRAMEWORKS: &[Framework] = &[Framework::Pytorch, Framework::Sklearn, Framework::Tensorflow, Framework::Xgboost];
/// `_get_image_tag`'s container versions picked for `ml.p4d` instances.
const P4D_CONTAINER_VERSIONS: &[(&str, &str)] = &[
    ("tensorflow-2.3-gpu-py37", "cu110-ubuntu18.04-v3"),
    ("tensorflow-2.3.1-gpu-py37", "cu110-ubuntu18.04"),
    ("tensorflow-2.3.2-gpu-py37", "cu110-ubuntu18.04"),
    ("tensorflow-1.15-gpu-py37", "cu110-ubuntu18.04-v8"),
    ("tensorflow-1.15.4-gpu-py37", "cu110-ubuntu18.04"),
    ("tensorflow-1.15.5-gpu-py37", "cu110-ubuntu18.04"),
    ("mxnet-1.8-gpu-py37", "cu110-ubuntu16.04-v1"),
    ("mxnet-1.8.0-gpu-py37", "cu110-ubuntu16.04"),
    ("pytorch-1.6-gpu-py36", "cu110-ubuntu18.04-v3"),
    ("pytorch-1.6.0-gpu-py36", "cu110-ubuntu18.04"),
    ("pytorch-1.6-gpu-py3", "cu110-ubuntu18.04-v3"),
    ("pytorch-1.6.0-gpu-py3", "cu110-ubuntu18.04"),
];

/// A JSON object whose entries keep their order in the file.
#[derive(Debug)]
struct OrderedMap<V>(Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, V>()? {
                    entries.push(entry);
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// One trimmed table (one scope of one SDK config file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    /// The SDK scope the table was taken from (documentation only).
    #[allow(dead_code)]
    scope: String,
    #[serde(default)]
    processors: Option<Vec<String>>,
    #[serde(default)]
    version_aliases: OrderedMap<String>,
    /// Named region -> account maps.
    registries: OrderedMap<OrderedMap<String>>,
    versions: OrderedMap<Node>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Node {
    Leaf(Leaf),
    ByPy(ByPy),
    ByBase(ByBase),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ByPy {
    py: OrderedMap<Leaf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ByBase {
    #[serde(default)]
    base_aliases: OrderedMap<String>,
    bases: OrderedMap<Leaf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Leaf {
    repository: String,
    /// Name of a map in the table's `registries`.
    registries: String,
    #[serde(default)]
    py_versions: Option<Vec<String>>,
    #[serde(default)]
    processors: Option<Vec<String>>,
    #[serde(default)]
    container_version: Option<OrderedMap<String>>,
}

impl Table {
    fn parse(name: &str, json: &str) -> Table {
        let table: Table = serde_json::from_str(json).unwrap_or_else(|e| panic!("image_uris/{name}.json is malformed: {e}"));
        for (version, node) in &table.versions.0 {
            let leaves: Vec<&Leaf> = match node {
                Node::Leaf(leaf) => vec![leaf],
                Node::ByPy(by) => by.py.0.iter().map(|(_, l)| l).collect(),
                Node::ByBase(by) => by.bases.0.iter().map(|(_, l)| l).collect(),
            };
            for leaf in leaves {
                assert!(
                    table.registries.get(&leaf.registries).is_some(),
                    "image_uris/{name}.json: version {version} names unknown registries {}",
                    leaf.registries
                );
            }
        }
        table
    }

    fn known_versions(&self) -> Vec<String> {
        strings(self.versions.keys().chain(self.version_aliases.keys()))
    }
}

static SKLEARN_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("sklearn", include_str!("../image_uris/sklearn.json")));
static PYTORCH_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("pytorch", include_str!("../image_uris/pytorch.json")));
static TENSORFLOW_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("tensorflow", include_str!("../image_uris/tensorflow.json")));
static XGBOOST_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("xgboost", include_str!("../image_uris/xgboost.json")));
static HUGGINGFACE_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("huggingface", include_str!("../image_uris/huggingface.json")));
static MXNET_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("mxnet", include_str!("../image_uris/mxnet.json")));
static SPARK_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("spark", include_str!("../image_uris/spark.json")));
static CLARIFY_TABLE: LazyLock<Table> = LazyLock::new(|| Table::parse("clarify", include_str!("../image_uris/clarify.json")));

fn image_table(table: ImageTable) -> &'static Table {
    match table {
        ImageTable::Framework(Framework::Sklearn) => &SKLEARN_TABLE,
        ImageTable::Framework(Framework::Pytorch) => &PYTORCH_TABLE,
        ImageTable::Framework(Framework::Tensorflow) => &TENSORFLOW_TABLE,
        ImageTable::Framework(Framework::Xgboost) => &XGBOOST_TABLE,
        ImageTable::Framework(Framework::Huggingface) => &HUGGINGFACE_TABLE,
        ImageTable::Framework(Framework::Mxnet) => &MXNET_TABLE,
        ImageTable::Spark => &SPARK_TABLE,
        ImageTable::Clarify => &CLARIFY_TABLE,
    }
}

/// The SDK's names of `frameworks`.
fn names(frameworks: &[Framework]) -> Vec<String> {
    strings(frameworks.iter().map(|f| f.as_str()))
}

// ---------------------------------------------------------------------------
// retrieve()

struct Request<'a> {
    table: ImageTable,
    version: Option<&'a str>,
    py_version: Option<&'a str>,
    instance_type: Option<&'a str>,
    region: &'a str,
    container_version: Option<String>,
    base_framework_version: Option<&'a str>,
}

/// `sagemaker.image_uris.retrieve` for the tables pjob carries.
fn retrieve(req: &Request<'_>) -> Result<String, ImageUriError> {
    let framework = req.table.as_str();
    let table = image_table(req.table);
    let instance_type = req.instance_type.filter(|t| !t.is_empty());
    let family = instance_type.map(instance_family).unwrap_or_default();

    // Hardware that selects another table or scope in the SDK.
    if let Some(it) = instance_type {
        if it.contains("trn") && !req.table.is_one_of(TRAINIUM_FRAMEWORKS) {
            return Err(ImageUriError::UnsupportedFrameworkForInstance {
                framework: framework.to_string(),
                instance_type: it.to_string(),
                hardware: "Trainium".to_string(),
                supported: names(TRAINIUM_FRAMEWORKS),
            });
        }
        if GRAVITON_FAMILIES.contains(&family) {
            if !req.table.is_one_of(GRAVITON_FRAMEWORKS) {
                return Err(ImageUriError::UnsupportedFrameworkForInstance {
                    framework: framework.to_string(),
                    instance_type: it.to_string(),
                    hardware: "Graviton".to_string(),
                    supported: names(GRAVITON_FRAMEWORKS),
                });
            }
            return Err(ImageUriError::ImageNotCarried {
                framework: framework.to_string(),
                instance_type: it.to_string(),
                image: "Graviton inference".to_string(),
            });
        }
        if req.table == ImageTable::Framework(Framework::Pytorch) && (family.starts_with("inf") || family.starts_with("trn")) {
            return Err(ImageUriError::ImageNotCarried {
                framework: framework.to_string(),
                instance_type: it.to_string(),
                image: "Neuron".to_string(),
            });
        }
    }

    // Version: default, validate, resolve alias.
    // A single-version table ignores the version asked for (unless it is an alias).
    let only_version = table.versions.0.len() == 1 && req.version.is_none_or(|v| table.version_aliases.get(v).is_none());
    let version = match req.version.filter(|v| !v.is_empty()) {
        _ if only_version => table.versions.0[0].0.clone(),
        Some(v) => v.to_string(),
        None => latest_version(table),
    };
    let config_version = table.version_aliases.get(&version).cloned().unwrap_or_else(|| version.clone());
    let Some(node) = table.versions.get(&config_version) else {
        return Err(ImageUriError::UnknownVersion { framework: framework.to_string(), version, known: table.known_versions() });
    };

    // Hugging Face: pick the base framework.
    let node_after_base: NodeRef<'_> = match node {
        Node::ByBase(by) => {
            let known = || strings(by.bases.keys().chain(by.base_aliases.keys()));
            let Some(base) = req.base_framework_version else {
                return Err(ImageUriError::MissingBaseFramework { framework: framework.to_string(), version, known: known() });
            };
            let full = by.base_aliases.get(base).map_or(base, String::as_str);
            match by.bases.get(full) {
                Some(leaf) => NodeRef::Leaf(leaf),
                None => {
                    return Err(ImageUriError::UnknownBaseFramework {
                        framework: framework.to_string(),
                        version,
                        base_framework: base.to_string(),
                        known: known(),
                    });
                }
            }
        }
        Node::Leaf(leaf) => NodeRef::Leaf(leaf),
        Node::ByPy(by) => NodeRef::ByPy(by),
    };

    // Python version.
    let available_py: Vec<String> = match node_after_base {
        NodeRef::Leaf(leaf) => leaf.py_versions.clone().unwrap_or_default(),
        NodeRef::ByPy(by) => strings(by.py.keys()),
    };
    let py_version: Option<String> = if available_py.is_empty() {
        None
    } else {
        match req.py_version {
            None if req.table == ImageTable::Spark => None,
            None if available_py.len() == 1 => Some(available_py[0].clone()),
            None => {
                return Err(ImageUriError::MissingPyVersion { framework: framework.to_string(), version, known: available_py });
            }
            Some(py) if available_py.iter().any(|p| p == py) => Some(py.to_string()),
            Some(py) => {
                return Err(ImageUriError::UnknownPyVersion {
                    framework: framework.to_string(),
                    version,
                    py_version: py.to_string(),
                    known: available_py,
                });
            }
        }
    };
    let leaf = match node_after_base {
        NodeRef::Leaf(leaf) => leaf,
        NodeRef::ByPy(by) => py_version.as_deref().and_then(|py| by.py.get(py)).expect("validated Python version"),
    };

    // Region.
    let registries = table.registries.get(&leaf.registries).expect("registries checked when the table was parsed");
    let Some(account) = registries.get(req.region) else {
        return Err(ImageUriError::UnsupportedRegion {
            framework: framework.to_string(),
            version,
            region: req.region.to_string(),
            known: strings(registries.keys()),
        });
    };

    // Processor.
    let processor = match table.processors.as_ref().or(leaf.processors.as_ref()) {
        None => None,
        Some(available) if available.is_empty() => None,
        Some(available) if available.len() == 1 && instance_type.is_none() => Some(available[0].clone()),
        Some(available) => {
            let Some(it) = instance_type else {
                return Err(ImageUriError::MissingInstanceType { framework: framework.to_string() });
            };
            Some(validate_processor(req.table, &version, it, available)?)
        }
    };

    let mut container_version = req.container_version.clone();
    if let Some(by_processor) = &leaf.container_version {
        let processor = processor.as_deref().unwrap_or_default();
        match by_processor.get(processor) {
            Some(cv) => container_version = Some(cv.clone()),
            None => {
                return Err(ImageUriError::UnsupportedProcessor {
                    framework: framework.to_string(),
                    version,
                    instance_type: instance_type.unwrap_or_default().to_string(),
                    processor: processor.to_string(),
                    known: strings(by_processor.keys()),
                });
            }
        }
    }

    let tag_prefix = match req.base_framework_version {
        Some(base) if req.table == HUGGINGFACE => {
            let base_version = base.strip_prefix("pytorch").or_else(|| base.strip_prefix("tensorflow")).unwrap_or(base);
            // The SDK uses the transformers version as the caller wrote it.
            format!("{base_version}-transformers{}", req.version.unwrap_or_default())
        }
        _ => version.clone(),
    };

    if family == "p2" {
        let deprecated = match req.table {
            ImageTable::Framework(Framework::Pytorch) => compare_versions(&version, "1.13") != Ordering::Less,
            ImageTable::Framework(Framework::Tensorflow) => compare_versions(&version, "2.12") != Ordering::Less,
            _ => false,
        };
        if deprecated {
            return Err(ImageUriError::DeprecatedInstanceType {
                framework: framework.to_string(),
                version,
                instance_type: instance_type.unwrap_or_default().to_string(),
            });
        }
    }

    let mut tag = [Some(tag_prefix.as_str()), processor.as_deref(), py_version.as_deref(), container_version.as_deref()]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if !req.table.is_one_of(&[Framework::Sklearn, Framework::Xgboost]) && family == "p4d" {
        let key = format!("{framework}-{tag}");
        if let Some((_, suffix)) = P4D_CONTAINER_VERSIONS.iter().find(|(k, _)| *k == key) {
            tag = format!("{tag}-{suffix}");
        }
    }

    let region = req.region;
    let mut uri = format!("{account}.dkr.ecr.{region}.{}/{}", dns_suffix(region), leaf.repository);
    if !tag.is_empty() {
        uri.push(':');
        uri.push_str(&tag);
    }
    Ok(uri)
}

#[derive(Clone, Copy)]
enum NodeRef<'a> {
    Leaf(&'a Leaf),
    ByPy(&'a ByPy),
}

/// `_processor`: the processor of `instance_type`, which must be one of `available`.
fn validate_processor(table: ImageTable, version: &str, instance_type: &str, available: &[String]) -> Result<String, ImageUriError> {
    let processor = sdk_processor(instance_type)?;
    // A family named in the table wins over cpu/gpu (none of pjob's tables names one).
    let family = instance_family(instance_type);
    let processor = if !instance_type.starts_with("local") && !family.is_empty() && available.iter().any(|a| a == family) {
        family.to_string()
    } else {
        processor.to_string()
    };
    if available.contains(&processor) {
        return Ok(processor);
    }
    let (framework, version, instance_type, known) =
        (table.as_str().to_string(), version.to_string(), instance_type.to_string(), available.to_vec());
    if processor == "gpu" {
        Err(ImageUriError::NoGpuImage { framework, version, instance_type, known })
    } else {
        Err(ImageUriError::UnsupportedProcessor { framework, version, instance_type, processor, known })
    }
}

/// The processor word for an instance type, before checking it against a table.
fn sdk_processor(instance_type: &str) -> Result<&'static str, ImageUriError> {
    if instance_type.starts_with("local") {
        return Ok(if instance_type == "local" { "cpu" } else { "gpu" });
    }
    if instance_type.starts_with("neuron") {
        return Ok("neuron");
    }
    let family = instance_family(instance_type);
    if family.is_empty() {
        return Err(ImageUriError::InvalidInstanceType { instance_type: instance_type.to_string() });
    }
    Ok(if family.starts_with("inf") {
        "inf"
    } else if family.starts_with("trn") {
        "trn"
    } else if family.starts_with('g') || family.starts_with('p') {
        "gpu"
    } else {
        "cpu"
    })
}

/// `utils.get_instance_type_family`: the `<family>` of `ml.<family>.<size>` or `ml_<family>`,
/// as the regex `^ml[\._]([a-z\d\-]+)\.?\w*$` captures it; empty when it does not match.
fn instance_family(instance_type: &str) -> &str {
    let Some(rest) = instance_type.strip_prefix("ml.").or_else(|| instance_type.strip_prefix("ml_")) else {
        return "";
    };
    let run = rest.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')).unwrap_or(rest.len());
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    // The regex backtracks: the longest family whose remainder is `\.?\w*`.
    (1..=run)
        .rev()
        .find(|&end| {
            let tail = &rest[end..];
            tail.strip_prefix('.').unwrap_or(tail).chars().all(is_word)
        })
        .map_or("", |end| &rest[..end])
}

/// The DNS suffix of a region's partition, as botocore's endpoint data gives ECR's hostname.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isof-") {
        "csp.hci.ic.gov"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else if region.starts_with("eu-isoe-") {
        "cloud.adc-e.uk"
    } else {
        "amazonaws.com"
    }
}

/// `_fetch_latest_version_from_config`: the newer of the first and last listed versions
/// (or the scope's `latest` alias target).
fn latest_version(table: &Table) -> String {
    if let Some(latest) = table.version_aliases.get("latest") {
        return latest.clone();
    }
    let first = table.versions.0.first().map(|(k, _)| k.as_str()).unwrap_or_default();
    let last = table.versions.0.last().map(|(k, _)| k.as_str()).unwrap_or_default();
    if compare_versions(first, last) != Ordering::Less { first } else { last }.to_string()
}

/// Compares versions like `packaging.version.Version` does for plain releases:
/// numeric components, missing ones count as zero (`1.13` == `1.13.0`).
fn compare_versions(a: &str, b: &str) -> Ordering {
    fn parts(v: &str) -> (Vec<u64>, &str) {
        let end = v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len());
        let nums = v[..end].split('.').filter(|p| !p.is_empty()).map(|p| p.parse().unwrap_or(u64::MAX)).collect();
        (nums, &v[end..])
    }
    let (pa, ra) = parts(a);
    let (pb, rb) = parts(b);
    let len = pa.len().max(pb.len());
    (0..len)
        .map(|i| pa.get(i).copied().unwrap_or(0).cmp(&pb.get(i).copied().unwrap_or(0)))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| ra.cmp(rb))
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    items.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table pjob carries.
    fn all_tables() -> impl Iterator<Item = ImageTable> {
        Framework::ALL.into_iter().map(ImageTable::Framework).chain([ImageTable::Spark, ImageTable::Clarify])
    }

    #[test]
    fn sklearn_cpu() {
        assert_eq!(
            framework_image_uri(Framework::Sklearn, "1.2-1", None, "us-west-2", "ml.m5.xlarge").unwrap(),
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
        assert_eq!(
            framework_image_uri(Framework::Sklearn, "1.2-1", Some("py3"), "us-west-2", "ml.m5.xlarge").unwrap(),
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
    }

    #[test]
    fn pytorch_gpu_training_image_keeps_the_alias_in_the_tag() {
        assert_eq!(
            framework_image_uri(Framework::Pytorch, "2.1", Some("py310"), "us-west-2", "ml.g5.xlarge").unwrap(),
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1-gpu-py310"
        );
        assert_eq!(
            framework_image_uri(Framework::Pytorch, "2.1.0", Some("py310"), "us-west-2", "ml.m5.xlarge").unwrap(),
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-cpu-py310"
        );
    }

    #[test]
    fn pytorch_needs_py_version_when_several() {
        let err = framework_image_uri(Framework::Pytorch, "1.4", None, "us-west-2", "ml.g5.xlarge").unwrap_err();
        let ImageUriError::MissingPyVersion { known, .. } = &err else { panic!("{err:?}") };
        assert_eq!(known, &["py2", "py3", "py36"]);
        assert!(err.to_string().contains("py2, py3, py36"), "{err}");
        // A single Python version is the default.
        assert_eq!(
            framework_image_uri(Framework::Pytorch, "2.1", None, "us-west-2", "ml.g5.xlarge").unwrap(),
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1-gpu-py310"
        );
    }

    #[test]
    fn xgboost_tags_have_no_processor_or_python() {
        assert_eq!(
            framework_image_uri(Framework::Xgboost, "1.7-1", Some("py3"), "us-west-2", "ml.m5.xlarge").unwrap(),
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"
        );
        // Old versions do carry them; GPU instance types are ignored where the table has no processors.
        assert_eq!(
            framework_image_uri(Framework::Xgboost, "0.90-1", None, "us-west-2", "ml.m5.xlarge").unwrap(),
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:0.90-1-cpu-py3"
        );
        assert_eq!(
            framework_image_uri(Framework::Xgboost, "1.7-1", None, "us-west-2", "ml.g5.xlarge").unwrap(),
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"
        );
        assert_eq!(
            framework_image_uri(Framework::Xgboost, "latest", None, "us-west-2", "ml.m5.xlarge").unwrap(),
            "433757028032.dkr.ecr.us-west-2.amazonaws.com/xgboost:latest"
        );
    }

    #[test]
    fn tensorflow_and_mxnet() {
        assert_eq!(
            framework_image_uri(Framework::Tensorflow, "2.13", Some("py310"), "us-west-2", "ml.p3.2xlarge").unwrap(),
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-training:2.13-gpu-py310"
        );
        // Per-Python split tables (py2 vs py3 repositories).
        assert_eq!(
            framework_image_uri(Framework::Tensorflow, "1.13", Some("py2"), "us-east-1", "ml.c5.xlarge").unwrap(),
            "520713654638.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tensorflow-scriptmode:1.13-cpu-py2"
        );
        // ml.p4d picks the SDK's container version for some old images.
        assert_eq!(
            framework_image_uri(Framework::Mxnet, "1.8", Some("py37"), "us-west-2", "ml.p4d.24xlarge").unwrap(),
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/mxnet-training:1.8-gpu-py37-cu110-ubuntu16.04-v1"
        );
    }

    #[test]
    fn huggingface() {
        assert_eq!(
            huggingface_image_uri("4.26", HuggingFaceBase::PyTorch("1.13"), None, "us-west-2", "ml.g5.xlarge").unwrap(),
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04"
        );
        assert_eq!(
            huggingface_image_uri("4.4", HuggingFaceBase::TensorFlow("2.4"), Some("py37"), "us-west-2", "ml.p3.2xlarge").unwrap(),
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-tensorflow-training:2.4-transformers4.4-gpu-py37-cu110-ubuntu18.04"
        );
        let err = huggingface_image_uri("4.26", HuggingFaceBase::PyTorch("1.13"), None, "us-west-2", "ml.m5.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::UnsupportedProcessor { ref processor, .. } if processor == "cpu"), "{err:?}");
        let err = huggingface_image_uri("4.26.0", HuggingFaceBase::PyTorch("1.13"), None, "us-west-2", "ml.g5.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::VersionFormMismatch { .. }), "{err:?}");
        let err = huggingface_image_uri("4.26", HuggingFaceBase::TensorFlow("2.6"), None, "us-west-2", "ml.g5.xlarge").unwrap_err();
        assert!(err.to_string().contains("pytorch1.13.1, pytorch1.13"), "{err}");
        let err = framework_image_uri(Framework::Huggingface, "4.26", None, "us-west-2", "ml.g5.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::MissingBaseFramework { .. }), "{err:?}");
    }

    #[test]
    fn spark() {
        let uri = |fv, py, cv| spark_image_uri(fv, py, cv, "us-west-2", "ml.m5.xlarge");
        assert_eq!(
            uri(Some("3.3"), None, None).unwrap(),
            "153931337802.dkr.ecr.us-west-2.amazonaws.com/sagemaker-spark-processing:3.3-cpu"
        );
        assert_eq!(
            uri(Some("3.3"), Some("py39"), Some("1")).unwrap(),
            "153931337802.dkr.ecr.us-west-2.amazonaws.com/sagemaker-spark-processing:3.3-cpu-py39-v1"
        );
        assert_eq!(uri(None, None, None).unwrap(), "153931337802.dkr.ecr.us-west-2.amazonaws.com/sagemaker-spark-processing:3.5-cpu");
        assert!(matches!(uri(Some("3.3"), Some("py39"), None), Err(ImageUriError::SparkPyContainerMismatch { .. })));
        assert!(matches!(uri(Some("3.3"), Some("py37"), Some("1")), Err(ImageUriError::UnknownPyVersion { .. })));
        assert!(matches!(spark_image_uri(Some("3.3"), None, None, "us-west-2", "ml.g5.xlarge"), Err(ImageUriError::NoGpuImage { .. })));
    }

    #[test]
    fn clarify() {
        assert_eq!(
            clarify_image_uri("us-west-2").unwrap(),
            "306415355426.dkr.ecr.us-west-2.amazonaws.com/sagemaker-clarify-processing:1.0"
        );
        assert_eq!(
            clarify_image_uri("cn-north-1").unwrap(),
            "122526803553.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-clarify-processing:1.0"
        );
    }

    #[test]
    fn partitions() {
        assert_eq!(
            framework_image_uri(Framework::Sklearn, "1.2-1", None, "cn-northwest-1", "ml.m5.xlarge").unwrap(),
            "451049120500.dkr.ecr.cn-northwest-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
        assert_eq!(
            framework_image_uri(Framework::Sklearn, "1.2-1", None, "us-iso-east-1", "ml.m5.xlarge").unwrap(),
            "833128469047.dkr.ecr.us-iso-east-1.c2s.ic.gov/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
        assert_eq!(
            framework_image_uri(Framework::Sklearn, "1.2-1", None, "us-isob-east-1", "ml.m5.xlarge").unwrap(),
            "281123927165.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
    }

    #[test]
    fn processors() {
        for (it, p) in [
            ("ml.m5.xlarge", Processor::Cpu),
            ("ml.c7i-flex.large", Processor::Cpu),
            ("ml.t3.medium", Processor::Cpu),
            ("ml.g5.xlarge", Processor::Gpu),
            ("ml.g4dn.xlarge", Processor::Gpu),
            ("ml.p3.2xlarge", Processor::Gpu),
            ("ml.p5.48xlarge", Processor::Gpu),
            ("ml_p3", Processor::Gpu),
            ("ml.inf2.xlarge", Processor::Inf),
            ("ml.trn1.2xlarge", Processor::Trn),
            ("local", Processor::Cpu),
            ("local_gpu", Processor::Gpu),
        ] {
            assert_eq!(processor_for_instance_type(it), p, "{it}");
        }
        assert_eq!(instance_family("ml.c7i-flex.large"), "c7i-flex");
        assert_eq!(instance_family("ml.m5"), "m5");
        assert_eq!(instance_family("m5.xlarge"), "");
        assert_eq!(instance_family("ml.m5.x-large"), "");
    }

    #[test]
    fn instance_type_errors() {
        let err = framework_image_uri(Framework::Sklearn, "1.2-1", None, "us-west-2", "ml.g5.xlarge").unwrap_err();
        let ImageUriError::NoGpuImage { known, .. } = &err else { panic!("{err:?}") };
        assert_eq!(known, &["cpu"]);
        let err = framework_image_uri(Framework::Sklearn, "1.2-1", None, "us-west-2", "m5.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::InvalidInstanceType { .. }), "{err:?}");
        let err = framework_image_uri(Framework::Sklearn, "1.2-1", None, "us-west-2", "ml.trn1.2xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::UnsupportedFrameworkForInstance { .. }), "{err:?}");
        let err = framework_image_uri(Framework::Pytorch, "2.1", Some("py310"), "us-west-2", "ml.trn1.2xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::ImageNotCarried { .. }), "{err:?}");
        let err = framework_image_uri(Framework::Sklearn, "1.2-1", None, "us-west-2", "ml.c6g.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::ImageNotCarried { .. }), "{err:?}");
        let err = framework_image_uri(Framework::Mxnet, "1.9", None, "us-west-2", "ml.c6g.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::UnsupportedFrameworkForInstance { .. }), "{err:?}");
        let err = framework_image_uri(Framework::Tensorflow, "2.13", Some("py310"), "us-west-2", "ml.inf2.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::UnsupportedProcessor { ref processor, .. } if processor == "inf"), "{err:?}");
        let err = framework_image_uri(Framework::Pytorch, "1.13", Some("py39"), "us-west-2", "ml.p2.xlarge").unwrap_err();
        assert!(matches!(err, ImageUriError::DeprecatedInstanceType { .. }), "{err:?}");
        assert!(framework_image_uri(Framework::Pytorch, "1.12", Some("py38"), "us-west-2", "ml.p2.xlarge").is_ok());
    }

    #[test]
    fn unknown_version_lists_known_versions() {
        let err = framework_image_uri(Framework::Sklearn, "9.9", None, "us-west-2", "ml.m5.xlarge").unwrap_err();
        assert_eq!(
            err,
            ImageUriError::UnknownVersion {
                framework: "sklearn".into(),
                version: "9.9".into(),
                known: strings(["0.20.0", "0.23-1", "1.0-1", "1.2-1", "1.4-2"]),
            }
        );
        assert!(err.to_string().contains("0.20.0, 0.23-1, 1.0-1, 1.2-1, 1.4-2"), "{err}");
        let err = framework_image_uri(Framework::Pytorch, "3.0", Some("py312"), "us-west-2", "ml.m5.xlarge").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("2.8.0") && msg.contains("2.1"), "{msg}");
        let err = spark_image_uri(Some("3.4"), None, None, "us-west-2", "ml.m5.xlarge").unwrap_err();
        assert!(err.to_string().contains("2.4, 3.0, 3.1, 3.2, 3.3, 3.5"), "{err}");
    }

    #[test]
    fn unknown_region_lists_known_regions() {
        let err = framework_image_uri(Framework::Sklearn, "1.2-1", None, "moon-base-1", "ml.m5.xlarge").unwrap_err();
        let ImageUriError::UnsupportedRegion { known, region, .. } = &err else { panic!("{err:?}") };
        assert_eq!(region, "moon-base-1");
        assert!(known.contains(&"us-west-2".to_string()) && known.contains(&"cn-north-1".to_string()));
        assert!(err.to_string().contains("us-west-2"), "{err}");
        let err = clarify_image_uri("moon-base-1").unwrap_err();
        assert!(err.to_string().contains("eu-west-1"), "{err}");
    }

    #[test]
    fn known_values() {
        let pytorch = known_versions(ImageTable::Framework(Framework::Pytorch));
        assert!(pytorch.contains(&"2.1".to_string()) && pytorch.contains(&"2.1.0".to_string()));
        assert_eq!(known_versions(ImageTable::Clarify), ["1.0"]);
    }

    fn latest(table: &Table) -> String {
        let mut best = table.versions.0[0].0.clone();
        for (v, _) in &table.versions.0 {
            if compare_versions(v, &best) == Ordering::Greater {
                best = v.clone();
            }
        }
        best
    }

    /// Resolves one leaf of a table with every region it lists, checking account and host.
    fn resolve_everywhere(image: ImageTable, version: &str, node: &Node, table: &Table, alias: bool) -> usize {
        let mut count = 0;
        let cases: Vec<(Option<&str>, Option<&str>, &Leaf)> = match node {
            Node::Leaf(leaf) => match &leaf.py_versions {
                Some(pys) if !pys.is_empty() => pys.iter().map(|p| (Some(p.as_str()), None, leaf)).collect(),
                _ => vec![(None, None, leaf)],
            },
            Node::ByPy(by) => by.py.0.iter().map(|(p, l)| (Some(p.as_str()), None, l)).collect(),
            // Short transformers versions go with short base versions, full with full.
            Node::ByBase(by) => by
                .bases
                .0
                .iter()
                .flat_map(|(b, l)| {
                    let names: Vec<&str> = if alias {
                        by.base_aliases.0.iter().filter(|(_, full)| full == b).map(|(a, _)| a.as_str()).collect()
                    } else {
                        vec![b.as_str()]
                    };
                    names.into_iter().flat_map(move |name| l.py_versions.iter().flatten().map(move |p| (Some(p.as_str()), Some(name), l)))
                })
                .collect(),
        };
        for (py, base, leaf) in cases {
            let processors = table.processors.clone().or_else(|| leaf.processors.clone()).unwrap_or_default();
            let instance_type = if processors.iter().any(|p| p == "cpu") { "ml.m5.xlarge" } else { "ml.g5.xlarge" };
            for (region, account) in &table.registries.get(&leaf.registries).unwrap().0 {
                let uri = match image {
                    ImageTable::Spark => spark_image_uri(Some(version), None, None, region, instance_type),
                    ImageTable::Clarify => clarify_image_uri(region),
                    HUGGINGFACE => {
                        let base = base.unwrap();
                        let base = match base.strip_prefix("pytorch") {
                            Some(v) => HuggingFaceBase::PyTorch(v),
                            None => HuggingFaceBase::TensorFlow(base.strip_prefix("tensorflow").unwrap()),
                        };
                        huggingface_image_uri(version, base, py, region, instance_type)
                    }
                    ImageTable::Framework(framework) => framework_image_uri(framework, version, py, region, instance_type),
                }
                .unwrap_or_else(|e| panic!("{} {version} {py:?} {base:?} {region}: {e}", image.as_str()));
                let host = format!("{account}.dkr.ecr.{region}.{}/{}:", dns_suffix(region), leaf.repository);
                assert!(uri.starts_with(&host), "{uri} does not start with {host}");
                let domain_ok = if region.starts_with("cn-") {
                    uri.contains(".amazonaws.com.cn/")
                } else if region.starts_with("us-iso") {
                    uri.contains(".ic.gov/") || uri.contains(".sgov.gov/")
                } else {
                    uri.contains(".amazonaws.com/")
                };
                assert!(domain_ok, "{uri}");
                count += 1;
            }
        }
        count
    }

    #[test]
    fn every_region_resolves_for_every_latest_version() {
        for image in all_tables() {
            let table = image_table(image);
            let version = latest(table);
            let node = table.versions.get(&version).unwrap();
            let n = resolve_everywhere(image, &version, node, table, false);
            assert!(n >= 28, "{} {version}: only {n} regions", image.as_str());
        }
    }

    #[test]
    fn every_version_resolves_in_every_listed_region() {
        let mut total = 0;
        for image in all_tables() {
            let table = image_table(image);
            for (version, node) in &table.versions.0 {
                total += resolve_everywhere(image, version, node, table, false);
            }
            for (alias, _) in &table.version_aliases.0 {
                let target = table.version_aliases.get(alias).unwrap();
                total += resolve_everywhere(image, alias, table.versions.get(target).unwrap(), table, true);
            }
        }
        assert!(total > 5000, "{total}");
    }

    #[test]
    fn version_comparison() {
        assert_eq!(compare_versions("1.13", "1.13.0"), Ordering::Equal);
        assert_eq!(compare_versions("1.10", "1.9.1"), Ordering::Greater);
        assert_eq!(compare_versions("2.4", "3.5"), Ordering::Less);
    }
}
