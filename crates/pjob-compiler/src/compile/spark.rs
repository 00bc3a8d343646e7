//! `PySparkProcessor` and `SparkJarProcessor`: `smspark-submit` with the
//! application and its dependencies, as the SDK's Spark processors run it.

use std::collections::BTreeSet;

use pjob_manifest::{Classification, PySparkProcessorSpec, SparkConfiguration, SparkJarProcessorSpec, SparkSpec};

use super::common::{Ctx, image_error_pointer};
use super::script::{CODE_DIR, code_input};
use super::{JOB_NAME, KindParts};
use crate::request::ProcessingInput;
use crate::{Artifact, CompileError, image_uri, py_json, s3_uri};

/// The Spark processing image's submit command.
const SUBMIT: &str = "smspark-submit";
/// Where the SDK mounts the Spark inputs (`py-files`, `jars`, `files`, `conf`).
const INPUT_DIR: &str = "/opt/ml/processing/input/";
/// Where Spark writes event logs for `spark_event_logs_s3_uri`.
const EVENT_LOGS_DIR: &str = "/opt/ml/processing/spark-events/";
/// The classifications the SDK accepts in `configuration`.
const CLASSIFICATIONS: &[&str] = &[
    "core-site",
    "hadoop-env",
    "hadoop-log4j",
    "hive-env",
    "hive-log4j",
    "hive-exec-log4j",
    "hive-site",
    "spark-defaults",
    "spark-env",
    "spark-log4j",
    "spark-hive-site",
    "spark-metrics",
    "yarn-env",
    "yarn-site",
    "export",
];

/// `PySparkProcessor`.
pub(crate) fn pyspark_processor(ctx: &Ctx<'_>, spec: &PySparkProcessorSpec) -> Result<KindParts, CompileError> {
    let mut submit = Submit::new(ctx, &spec.spark);
    submit.dependencies("py-files", "/spec/submit_py_files", &spec.submit_py_files)?;
    spark(ctx, &spec.spark, submit)
}

/// `SparkJarProcessor`: as PySpark, with `--class` and no `--py-files`.
pub(crate) fn spark_jar_processor(ctx: &Ctx<'_>, spec: &SparkJarProcessorSpec) -> Result<KindParts, CompileError> {
    let class = spec.submit_class.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| CompileError::Refused {
        pointer: "/spec/submit_class".into(),
        message: "a SparkJarProcessor job needs `submit_class`".into(),
        help: "set `submit_class` to the application's main class, e.g. com.example.Main".into(),
    })?;
    let mut submit = Submit::new(ctx, &spec.spark);
    submit.command.extend(["--class".to_string(), class.to_string()]);
    spark(ctx, &spec.spark, submit)
}

/// What both Spark kinds share, after their own `smspark-submit` options.
fn spark(ctx: &Ctx<'_>, spec: &SparkSpec, mut submit: Submit<'_, '_>) -> Result<KindParts, CompileError> {
    submit.dependencies("jars", "/spec/submit_jars", &spec.submit_jars)?;
    submit.dependencies("files", "/spec/submit_files", &spec.submit_files)?;

    let mut extra_outputs = Vec::new();
    if let Some(uri) = &spec.spark_event_logs_s3_uri {
        if !s3_uri::is_s3(uri) {
            return Err(CompileError::BadUri { pointer: "/spec/spark_event_logs_s3_uri".into(), uri: uri.clone() });
        }
        submit.command.extend(["--local-spark-event-logs-dir".to_string(), EVENT_LOGS_DIR.to_string()]);
        extra_outputs.push(pjob_manifest::ProcessingOutput {
            name: None,
            source: Some(EVENT_LOGS_DIR.to_string()),
            destination: Some(uri.clone()),
            s3_upload_mode: pjob_manifest::S3UploadMode::Continuous,
            app_managed: false,
            feature_store_output: None,
        });
    }

    if let Some(configuration) = &spec.configuration {
        check_configuration(configuration)?;
        let empty = matches!(configuration, SparkConfiguration::List(items) if items.is_empty());
        if !empty {
            let value = serde_json::to_value(configuration).map_err(|e| CompileError::Refused {
                pointer: "/spec/configuration".into(),
                message: format!("cannot write configuration.json: {e}"),
                help: "check `configuration`".into(),
            })?;
            let location = located(ctx, &spec.configuration_location);
            let uri = s3_uri::join([location.as_str(), JOB_NAME, "input", "conf", "configuration.json"]);
            submit.artifacts.push(Artifact::generated(uri.clone(), py_json::to_string(&value)));
            submit.inputs.push(code_input("conf", uri, &format!("{INPUT_DIR}conf")));
        }
    }

    // The application goes where ScriptProcessor puts code: always the default bucket (and prefix).
    let app = &spec.submit_app;
    let app_uri = if s3_uri::is_s3(app) {
        app.clone()
    } else {
        if let Some(scheme) = foreign_scheme(app) {
            return Err(CompileError::Refused {
                pointer: "/spec/submit_app".into(),
                message: format!("`{app}` uses the `{scheme}` scheme"),
                help: "give a local file or an s3:// URI".into(),
            });
        }
        let name = s3_uri::basename(app);
        let uri = s3_uri::join([ctx.bucket_uri().as_str(), JOB_NAME, "input", "code", name]);
        submit.artifacts.push(ctx.file_artifact("/spec/submit_app", uri.clone(), &ctx.local_path(app))?);
        uri
    };
    submit.command.push(format!("{CODE_DIR}/{}", s3_uri::basename(app)));
    submit.inputs.push(code_input("code", app_uri, CODE_DIR));

    let image_uri = match &spec.image_uri {
        Some(uri) => uri.clone(),
        None => ctx.resolve_image(
            |region| {
                image_uri::spark_image_uri(
                    spec.framework_version.as_deref(),
                    spec.py_version.as_deref(),
                    spec.container_version.as_deref(),
                    region,
                    &spec.common.instance_type,
                )
            },
            |e| image_error_pointer(e, "/spec/framework_version"),
        )?,
    };
    Ok(KindParts {
        image_uri,
        entrypoint: Some(submit.command),
        arguments: None,
        inputs_before: Vec::new(),
        inputs_after: submit.inputs,
        extra_outputs,
        artifacts: submit.artifacts,
    })
}

/// The `smspark-submit` command and the inputs and uploads it needs, built up.
struct Submit<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// Where local dependencies are uploaded (the SDK's `dependency_location`).
    location: String,
    command: Vec<String>,
    inputs: Vec<ProcessingInput>,
    artifacts: Vec<Artifact>,
}

impl<'c, 'a> Submit<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>, spec: &SparkSpec) -> Submit<'c, 'a> {
        Submit {
            ctx,
            location: located(ctx, &spec.dependency_location),
            command: vec![SUBMIT.to_string()],
            inputs: Vec::new(),
            artifacts: Vec::new(),
        }
    }

    /// `--<channel> a,b,...`: S3 URIs as they are, then (when there are any)
    /// the folder where input `<channel>` puts the local files and folders.
    fn dependencies(&mut self, channel: &str, pointer: &str, deps: &[String]) -> Result<(), CompileError> {
        if deps.is_empty() {
            return Ok(());
        }
        let prefix = s3_uri::join([self.location.as_str(), JOB_NAME, "input", channel]);
        let mut remote = Vec::new();
        let mut names = BTreeSet::new();
        let mut local = false;
        for (i, dep) in deps.iter().enumerate() {
            let at = format!("{pointer}/{i}");
            if dep.starts_with("s3://") || dep.starts_with("s3a://") {
                remote.push(dep.clone());
                continue;
            }
            if let Some(scheme) = foreign_scheme(dep) {
                return Err(CompileError::Refused {
                    pointer: at,
                    message: format!("`{dep}` uses the `{scheme}` scheme"),
                    help: "give local files or folders, or s3:// URIs".into(),
                });
            }
            let path = self.ctx.local_path(dep);
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if !path.exists() || name.is_empty() {
                return Err(CompileError::Refused {
                    pointer: at,
                    message: format!("`{dep}` is not a local file or folder"),
                    help: "relative paths resolve against the manifest's folder; or give an s3:// URI".into(),
                });
            }
            if !names.insert(name.clone()) {
                return Err(CompileError::Refused {
                    pointer: at,
                    message: format!("two entries of {} are named `{name}`", &pointer["/spec/".len()..]),
                    help: format!("local files and folders all land in {INPUT_DIR}{channel}/, so their names must differ"),
                });
            }
            // A folder keeps its name under the channel; a file lands in it.
            let target = if path.is_dir() { s3_uri::join([prefix.as_str(), name.as_str()]) } else { prefix.clone() };
            let (_, files) = self.ctx.upload_local(&at, &path, target)?;
            self.artifacts.extend(files);
            local = true;
        }
        if local {
            let destination = format!("{INPUT_DIR}{channel}");
            remote.push(destination.clone());
            self.inputs.push(code_input(channel, prefix, &destination));
        }
        self.command.extend([format!("--{channel}"), remote.join(",")]);
        Ok(())
    }
}

/// A Spark upload location (`configuration_location`, `dependency_location`):
/// the field, else `code_location` (which stands for both), else the default
/// bucket and its prefix, as the SDK defaults them.
fn located(ctx: &Ctx<'_>, location: &Option<String>) -> String {
    location.clone().unwrap_or_else(|| ctx.code_base())
}

/// The scheme of a `scheme://...` value that is neither S3 nor `file://`.
fn foreign_scheme(value: &str) -> Option<&str> {
    let (scheme, _) = value.split_once("://")?;
    let plain = !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    (plain && scheme != "file" && scheme != "s3").then_some(scheme)
}

/// `configuration` as the SDK checks it: each top-level classification has
/// `Properties` and is one the Spark image knows.
fn check_configuration(configuration: &SparkConfiguration) -> Result<(), CompileError> {
    match configuration {
        SparkConfiguration::One(c) => check_classification(c, "/spec/configuration"),
        SparkConfiguration::List(items) => {
            items.iter().enumerate().try_for_each(|(i, c)| check_classification(c, &format!("/spec/configuration/{i}")))
        }
    }
}

fn check_classification(c: &Classification, pointer: &str) -> Result<(), CompileError> {
    if !CLASSIFICATIONS.contains(&c.classification.as_str()) {
        return Err(CompileError::Refused {
            pointer: format!("{pointer}/Classification"),
            message: format!("unknown classification `{}`", c.classification),
            help: format!("use one of: {}", CLASSIFICATIONS.join(", ")),
        });
    }
    if c.properties.is_none() {
        return Err(CompileError::Refused {
            pointer: pointer.to_string(),
            message: format!("classification `{}` has no `Properties`", c.classification),
            help: "add `Properties` (`Properties: {}` when it only holds `Configurations`)".into(),
        });
    }
    Ok(())
}
