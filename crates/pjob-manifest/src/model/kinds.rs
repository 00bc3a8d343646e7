//! The per-kind `spec` shapes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CommonSpec;

/// `spec` of a `Processor`: an image and its entrypoint, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ProcessorSpec {
    /// Container image to run (`AppSpecification.ImageUri`).
    pub image_uri: String,
    /// Entrypoint of the container (`AppSpecification.ContainerEntrypoint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// Fields every kind shares (read beside the kind's own, by
    /// [`JobSpec::from_json`](super::JobSpec::from_json)).
    #[serde(flatten, skip_deserializing)]
    #[schemars(!skip_deserializing)]
    pub common: CommonSpec,
}

/// `spec` of a `ScriptProcessor`: an image that runs one script with `command`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScriptProcessorSpec {
    /// Container image to run (`AppSpecification.ImageUri`).
    pub image_uri: String,
    /// Command that runs the script, such as `[python3]` or `[python3, -u]`.
    #[schemars(length(min = 1))]
    pub command: Vec<String>,
    /// The script: a local file (uploaded by pjob) or an `s3://` URI. It is
    /// mounted at `/opt/ml/processing/input/code/`.
    pub code: String,
    /// Fields every kind shares (read beside the kind's own, by
    /// [`JobSpec::from_json`](super::JobSpec::from_json)).
    #[serde(flatten, skip_deserializing)]
    #[schemars(!skip_deserializing)]
    pub common: CommonSpec,
}

/// The framework images `FrameworkProcessor` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// scikit-learn (`SKLearnProcessor`).
    Sklearn,
    /// PyTorch.
    Pytorch,
    /// TensorFlow.
    Tensorflow,
    /// XGBoost.
    Xgboost,
    /// Hugging Face (on PyTorch or TensorFlow).
    Huggingface,
    /// Apache MXNet.
    Mxnet,
}

impl Framework {
    /// Every framework, in documentation order.
    pub const ALL: [Framework; 6] =
        [Framework::Sklearn, Framework::Pytorch, Framework::Tensorflow, Framework::Xgboost, Framework::Huggingface, Framework::Mxnet];

    /// The name manifests and the SDK's image tables use.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Sklearn => "sklearn",
            Framework::Pytorch => "pytorch",
            Framework::Tensorflow => "tensorflow",
            Framework::Xgboost => "xgboost",
            Framework::Huggingface => "huggingface",
            Framework::Mxnet => "mxnet",
        }
    }
}

/// `spec` of a `FrameworkProcessor`: a source folder run on a framework image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FrameworkProcessorSpec {
    /// Framework whose image runs the code (ignored for the image when `image_uri` is set).
    pub framework: Framework,
    /// Framework version, such as `"1.2-1"` for sklearn or `"2.1"` for pytorch (quote it);
    /// for `huggingface`, the transformers version, such as `"4.28.1"`.
    pub framework_version: String,
    /// Python version of the image, such as `py310` (the SDK's default: `py3`, or
    /// `py36` for `huggingface`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub py_version: Option<String>,
    /// PyTorch version under Hugging Face, such as `"2.0.0"` (`huggingface` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pytorch_version: Option<String>,
    /// TensorFlow version under Hugging Face, such as `"2.6.3"` (`huggingface` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tensorflow_version: Option<String>,
    /// Container image; overrides the framework's image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<String>,
    /// Command that runs `code` (default `[python]`).
    #[serde(default = "default_framework_command")]
    #[schemars(length(min = 1))]
    pub command: Vec<String>,
    /// Entry script, relative to `source_dir` (or an `s3://` URI without `source_dir`).
    pub code: String,
    /// Local folder packed into `sourcedir.tar.gz` with `code` inside it
    /// (or an `s3://` URI of a `.tar.gz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_dir: Option<String>,
    /// Extra local files or folders packed beside `source_dir`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Take `source_dir` from a Git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_config: Option<GitConfig>,
    /// CodeArtifact repository to log into before `pip install -r requirements.txt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^arn:aws[a-z\-]*:codeartifact:[a-z0-9\-]+:\d{12}:repository/[^/]+/[^/]+$"))]
    pub codeartifact_repo_arn: Option<String>,
    /// Fields every kind shares (read beside the kind's own, by
    /// [`JobSpec::from_json`](super::JobSpec::from_json)).
    #[serde(flatten, skip_deserializing)]
    #[schemars(!skip_deserializing)]
    pub common: CommonSpec,
}

fn default_framework_command() -> Vec<String> {
    vec!["python".to_string()]
}

/// Where to clone `source_dir` from (the SDK's `git_config`).
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitConfig {
    /// Repository URL: `https://`, `ssh://` or `git@` as the SDK takes them,
    /// or a local path or `file://` URL.
    pub repo: String,
    /// Branch to check out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Commit to check out (wins over `branch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// User name for an `https://` repository, used with `password` when
    /// there is no `token` and 2FA is off (CodeCommit: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password for `username` (take it from a template such as
    /// `"{{ env.GIT_PASSWORD }}"`; pjob never shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Token for an `https://` repository, sent as the user name with no
    /// password; wins over `username` and `password`; CodeCommit takes none
    /// (take it from a template such as `"{{ env.GIT_TOKEN }}"`; pjob never
    /// shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Whether the account has two-factor authentication: then only `token`
    /// is used (default `false`; ignored for CodeCommit).
    #[serde(rename = "2FA_enabled", default, skip_serializing_if = "Option::is_none")]
    pub two_factor_enabled: Option<bool>,
}

impl std::fmt::Debug for GitConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "***");
        f.debug_struct("GitConfig")
            .field("repo", &self.mask(&self.repo))
            .field("branch", &self.branch)
            .field("commit", &self.commit)
            .field("username", &self.username)
            .field("password", &hidden(&self.password))
            .field("token", &hidden(&self.token))
            .field("two_factor_enabled", &self.two_factor_enabled)
            .finish()
    }
}

/// Settings `PySparkProcessor` and `SparkJarProcessor` share.
///
/// `Default` is the placeholder a Spark kind's spec holds until these fields
/// are read (see [`JobSpec::from_json`](super::JobSpec::from_json)), not a valid spec.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SparkSpec {
    /// Spark version of the processing image, such as `"3.3"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework_version: Option<String>,
    /// Python version of the image, such as `py39`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub py_version: Option<String>,
    /// Image container version, such as `"1"` (the image tag ends in `-v1`);
    /// set together with `py_version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_version: Option<String>,
    /// Container image; overrides the Spark image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<String>,
    /// The application: a local file (uploaded) or an `s3://` URI.
    pub submit_app: String,
    /// Jars for `--jars`: `s3://` URIs or local files (shipped as input `jars`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub submit_jars: Vec<String>,
    /// Files for `--files`: `s3://` URIs or local files (shipped as input `files`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub submit_files: Vec<String>,
    /// EMR-style configuration classifications (a list, or one object with
    /// `Classification`, `Properties` and nested `Configurations`), uploaded as
    /// `configuration.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<SparkConfiguration>,
    /// `s3://` URI the Spark event logs are continuously uploaded to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://"))]
    pub spark_event_logs_s3_uri: Option<String>,
    /// S3 prefix `configuration.json` is uploaded under, as
    /// `<prefix>/<job>/input/conf/configuration.json` (default:
    /// `code_location`, else the default bucket and its prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://"))]
    pub configuration_location: Option<String>,
    /// S3 prefix the local `submit_py_files`, `submit_jars` and
    /// `submit_files` are uploaded under, as `<prefix>/<job>/input/<channel>/`
    /// (default: `code_location`, else the default bucket and its prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://"))]
    pub dependency_location: Option<String>,
    /// Fields every kind shares (read beside the kind's own, by
    /// [`JobSpec::from_json`](super::JobSpec::from_json)).
    #[serde(flatten, skip_deserializing)]
    #[schemars(!skip_deserializing)]
    pub common: CommonSpec,
}

/// `configuration`: one classification or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SparkConfiguration {
    /// A list of classifications.
    List(Vec<Classification>),
    /// A single classification.
    One(Classification),
}

/// One EMR configuration classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// Classification name, such as `spark-defaults`, `spark-env` or `core-site`.
    #[serde(rename = "Classification")]
    pub classification: String,
    /// Properties of the classification.
    #[serde(rename = "Properties", default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<std::collections::BTreeMap<String, String>>,
    /// Nested classifications (such as `export` under `spark-env`).
    #[serde(rename = "Configurations", default, skip_serializing_if = "Option::is_none")]
    pub configurations: Option<Vec<Classification>>,
}

/// `spec` of a `PySparkProcessor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PySparkProcessorSpec {
    /// Python files for `--py-files`: `s3://` URIs or local files (shipped as input `py-files`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub submit_py_files: Vec<String>,
    /// Settings shared with `SparkJarProcessor`.
    #[serde(flatten, skip_deserializing)]
    #[schemars(!skip_deserializing)]
    pub spark: SparkSpec,
}

/// `spec` of a `SparkJarProcessor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SparkJarProcessorSpec {
    /// Main class of the application jar (`--class`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submit_class: Option<String>,
    /// Settings shared with `PySparkProcessor`.
    #[serde(flatten, skip_deserializing)]
    #[schemars(!skip_deserializing)]
    pub spark: SparkSpec,
}

#[cfg(test)]
mod tests {
    use super::Framework;

    #[test]
    fn framework_names_are_the_ones_manifests_write() {
        for f in Framework::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
            assert_eq!(serde_json::from_value::<Framework>(f.as_str().into()).unwrap(), f);
        }
    }
}
