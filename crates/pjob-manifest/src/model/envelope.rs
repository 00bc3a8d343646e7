//! The manifest envelope: `apiVersion`, `kind`, `metadata`, `vars`, `spec`.

use std::collections::BTreeMap;
use std::fmt;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    ClarifyProcessorSpec, CommonSpec, FrameworkProcessorSpec, ProcessorSpec, PySparkProcessorSpec, ScriptProcessorSpec,
    SparkJarProcessorSpec, SparkSpec,
};

/// The only manifest API version this release reads.
pub const API_VERSION: &str = "pjob/v1";

/// Pattern a SageMaker job name (and so `metadata.name`) must match.
pub const JOB_NAME_PATTERN: &str = "^[a-zA-Z0-9](-*[a-zA-Z0-9])*$";

/// A job manifest: one processing job.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The manifest API version (`pjob/v1`).
    pub api_version: String,
    /// Name and tags.
    pub metadata: Metadata,
    /// Template variable defaults.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// The job, by kind.
    pub spec: JobSpec,
}

/// Job name prefix and tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Base job name (the SDK's `base_job_name`): the job is named
    /// `<name>-<hash>` (or `<name>-<timestamp>` with `--new`).
    #[schemars(regex(pattern = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"), length(min = 1, max = 63))]
    pub name: String,
    /// Tags put on the job (`Tags: [{Key, Value}]`).
    // In the order written, the order the SDK sends them in (a doc line here
    // would change the schema's description).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "BTreeMap<String, String>")]
    pub tags: IndexMap<String, String>,
    /// Jobs of the same set (by `metadata.name`) that must complete before
    /// this one starts, besides those its templates refer to through `jobs.<name>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")))]
    pub depends_on: Vec<String>,
}

/// The six processing job kinds, one per SDK processor class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Kind {
    /// `sagemaker.processing.Processor`: any image, entrypoint as written.
    Processor,
    /// `sagemaker.processing.ScriptProcessor`: an image plus a script.
    ScriptProcessor,
    /// `sagemaker.processing.FrameworkProcessor`: a framework image plus a source folder.
    FrameworkProcessor,
    /// `sagemaker.spark.PySparkProcessor`: a PySpark application.
    PySparkProcessor,
    /// `sagemaker.spark.SparkJarProcessor`: a Spark application in a jar.
    SparkJarProcessor,
    /// `sagemaker.clarify.SageMakerClarifyProcessor`: bias and explainability reports.
    ClarifyProcessor,
}

impl Kind {
    /// Every kind, in documentation order.
    pub const ALL: [Kind; 6] = [
        Kind::Processor,
        Kind::ScriptProcessor,
        Kind::FrameworkProcessor,
        Kind::PySparkProcessor,
        Kind::SparkJarProcessor,
        Kind::ClarifyProcessor,
    ];

    /// The kind's name as written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Processor => "Processor",
            Kind::ScriptProcessor => "ScriptProcessor",
            Kind::FrameworkProcessor => "FrameworkProcessor",
            Kind::PySparkProcessor => "PySparkProcessor",
            Kind::SparkJarProcessor => "SparkJarProcessor",
            Kind::ClarifyProcessor => "ClarifyProcessor",
        }
    }

    /// The kind named `name`, if any.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `spec` of a manifest, by kind. Each spec is boxed: a spec is a few
/// kilobytes, and a manifest (with the job that holds it) is moved from the
/// validator to the set and the caller several times.
#[derive(Debug, Clone, PartialEq)]
pub enum JobSpec {
    /// A `Processor` job.
    Processor(Box<ProcessorSpec>),
    /// A `ScriptProcessor` job.
    ScriptProcessor(Box<ScriptProcessorSpec>),
    /// A `FrameworkProcessor` job.
    FrameworkProcessor(Box<FrameworkProcessorSpec>),
    /// A `PySparkProcessor` job.
    PySparkProcessor(Box<PySparkProcessorSpec>),
    /// A `SparkJarProcessor` job.
    SparkJarProcessor(Box<SparkJarProcessorSpec>),
    /// A `ClarifyProcessor` job.
    ClarifyProcessor(Box<ClarifyProcessorSpec>),
}

impl JobSpec {
    /// The kind of job.
    pub fn kind(&self) -> Kind {
        match self {
            JobSpec::Processor(_) => Kind::Processor,
            JobSpec::ScriptProcessor(_) => Kind::ScriptProcessor,
            JobSpec::FrameworkProcessor(_) => Kind::FrameworkProcessor,
            JobSpec::PySparkProcessor(_) => Kind::PySparkProcessor,
            JobSpec::SparkJarProcessor(_) => Kind::SparkJarProcessor,
            JobSpec::ClarifyProcessor(_) => Kind::ClarifyProcessor,
        }
    }

    /// The fields every kind shares.
    pub fn common(&self) -> &CommonSpec {
        match self {
            JobSpec::Processor(s) => &s.common,
            JobSpec::ScriptProcessor(s) => &s.common,
            JobSpec::FrameworkProcessor(s) => &s.common,
            JobSpec::PySparkProcessor(s) => &s.spark.common,
            JobSpec::SparkJarProcessor(s) => &s.spark.common,
            JobSpec::ClarifyProcessor(s) => &s.common,
        }
    }

    /// Deserializes the `spec` object of a manifest of `kind`.
    pub fn from_json(kind: Kind, spec: serde_json::Value) -> Result<JobSpec, serde_json::Error> {
        JobSpec::deserialize_kind(kind, &spec)
    }

    /// Deserializes the `spec` of a manifest of `kind` from a serde source
    /// that can be read more than once (its JSON, or its source tree): the
    /// kind's own fields, the Spark kinds' shared ones and [`CommonSpec`] are
    /// each read from the same mapping, each ignoring the others' fields (the
    /// schema refuses a field of none). Reading the mapping three times costs
    /// less than `#[serde(flatten)]`, which copies every field it does not
    /// know into a buffer first.
    pub(crate) fn deserialize_kind<'de, D: serde::Deserializer<'de> + Copy>(kind: Kind, spec: D) -> Result<JobSpec, D::Error> {
        use serde::Deserialize;
        fn with_common<'de, T: Deserialize<'de>, D: serde::Deserializer<'de> + Copy>(
            spec: D,
            common: impl FnOnce(&mut T) -> &mut CommonSpec,
        ) -> Result<Box<T>, D::Error> {
            let mut own = Box::new(T::deserialize(spec)?);
            *common(&mut own) = CommonSpec::deserialize(spec)?;
            Ok(own)
        }
        fn spark<'de, D: serde::Deserializer<'de> + Copy>(spec: D) -> Result<SparkSpec, D::Error> {
            let mut spark = SparkSpec::deserialize(spec)?;
            spark.common = CommonSpec::deserialize(spec)?;
            Ok(spark)
        }
        Ok(match kind {
            Kind::Processor => JobSpec::Processor(with_common(spec, |s: &mut ProcessorSpec| &mut s.common)?),
            Kind::ScriptProcessor => JobSpec::ScriptProcessor(with_common(spec, |s: &mut ScriptProcessorSpec| &mut s.common)?),
            Kind::FrameworkProcessor => JobSpec::FrameworkProcessor(with_common(spec, |s: &mut FrameworkProcessorSpec| &mut s.common)?),
            Kind::ClarifyProcessor => JobSpec::ClarifyProcessor(with_common(spec, |s: &mut ClarifyProcessorSpec| &mut s.common)?),
            Kind::PySparkProcessor => {
                let mut own = Box::new(PySparkProcessorSpec::deserialize(spec)?);
                own.spark = spark(spec)?;
                JobSpec::PySparkProcessor(own)
            }
            Kind::SparkJarProcessor => {
                let mut own = Box::new(SparkJarProcessorSpec::deserialize(spec)?);
                own.spark = spark(spec)?;
                JobSpec::SparkJarProcessor(own)
            }
        })
    }
}

impl Manifest {
    /// Types a document that already passed schema validation.
    ///
    /// The envelope is taken apart field by field, so that `spec` is typed
    /// straight from the document rather than copied into an intermediate value first.
    pub fn from_json(value: serde_json::Value) -> Result<Manifest, serde_json::Error> {
        use serde::de::Error;
        let serde_json::Value::Object(mut fields) = value else {
            return Err(serde_json::Error::custom("a manifest is a mapping"));
        };
        let mut take = |name: &'static str| fields.remove(name).ok_or_else(|| serde_json::Error::missing_field(name));
        let api_version = serde_json::from_value(take("apiVersion")?)?;
        let kind: Kind = serde_json::from_value(take("kind")?)?;
        let metadata = serde_json::from_value(take("metadata")?)?;
        let spec = take("spec")?;
        let vars = match fields.remove("vars") {
            Some(vars) => serde_json::from_value(vars)?,
            None => BTreeMap::new(),
        };
        Ok(Manifest { api_version, metadata, vars, spec: JobSpec::from_json(kind, spec)? })
    }

    /// Types a document that already passed schema validation, straight
    /// from its source tree (as [`Manifest::from_json`] types its JSON).
    pub fn from_tree(root: &pjob_source::Node) -> Result<Manifest, serde::de::value::Error> {
        use crate::tree_de::from_tree;
        use serde::de::Error;
        let field = |name: &'static str| root.get(name).ok_or_else(|| serde::de::value::Error::missing_field(name));
        let kind: Kind = from_tree(field("kind")?)?;
        let spec = JobSpec::deserialize_kind(kind, crate::tree_de::TreeDeserializer(field("spec")?))?;
        let vars = match root.get("vars") {
            Some(vars) => from_tree(vars)?,
            None => BTreeMap::new(),
        };
        Ok(Manifest { api_version: from_tree(field("apiVersion")?)?, metadata: from_tree(field("metadata")?)?, vars, spec })
    }

    /// The kind of job.
    pub fn kind(&self) -> Kind {
        self.spec.kind()
    }
}
