//! Semantic rules the schema cannot say: URIs, ARNs, names, paths, local
//! files, and the combinations the SDK refuses.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use pjob_source::{Code, Diagnostic, Node, SourceFile};

use crate::model::*;
use crate::{Target, ValidationContext};

/// A job's input or output names (or destinations), each with the first
/// index it stands at. foldhash: every input and output of every job is
/// recorded, and the names are the user's own.
type NameMap<K> = HashMap<K, usize, foldhash::fast::RandomState>;

/// Where SageMaker mounts processing inputs and outputs.
const PROCESSING_ROOT: &str = "/opt/ml/processing/";

/// Checks a typed manifest; returns every problem, located in `file`.
pub(crate) fn check(file: &SourceFile, root: &Node, manifest: &Manifest, ctx: &ValidationContext) -> Vec<Diagnostic> {
    let mut c = Checker { file, root, ctx, out: Vec::new() };
    let common = manifest.spec.common();
    c.common(common);
    c.inputs(&manifest.spec, &common.inputs);
    c.outputs(&manifest.spec, &common.outputs);
    c.tags(&manifest.metadata);
    match &manifest.spec {
        JobSpec::Processor(_) => {}
        JobSpec::ScriptProcessor(s) => c.local_or_s3("/spec/code", &s.code, FileKind::File),
        JobSpec::FrameworkProcessor(s) => {
            c.framework(s);
            c.framework_versions(s);
        }
        JobSpec::PySparkProcessor(s) => {
            c.spark(&s.spark);
            c.spark_dependencies("/spec/submit_py_files", &s.submit_py_files);
        }
        JobSpec::SparkJarProcessor(s) => c.spark(&s.spark),
        JobSpec::ClarifyProcessor(s) => c.clarify(s),
    }
    c.out.sort_by_key(|d| d.span().offset);
    c.out
}

/// A mapping key as a JSON pointer token (`~` and `/` escaped).
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Where a checked value is, as a JSON pointer: a pointer built from an
/// index (`/spec/inputs/0/source`) is written out only for a problem.
trait Pointer {
    /// The pointer.
    fn pointer(&self) -> Cow<'_, str>;
}

impl Pointer for str {
    fn pointer(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl<F: Fn() -> String> Pointer for F {
    fn pointer(&self) -> Cow<'_, str> {
        Cow::Owned(self())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum FileKind {
    File,
    Dir,
    Any,
}

struct Checker<'a> {
    file: &'a SourceFile,
    root: &'a Node,
    ctx: &'a ValidationContext,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&mut self, pointer: &str, code: Code, message: String, help: impl Into<String>) {
        let span = self.root.locate(pointer, None);
        self.out.push(Diagnostic::new(self.file, span, code, message).with_help(help));
    }

    /// The 1-based line of the value a pointer names (an unnamed item: its first line).
    fn line_of(&self, pointer: &str) -> usize {
        self.file.line_col(self.root.locate(pointer, None).offset).0
    }

    fn common(&mut self, common: &CommonSpec) {
        for (field, key) in
            [("volume_kms_key", &common.volume_kms_key), ("output_kms_key", &common.output_kms_key), ("kms_key", &common.kms_key)]
        {
            if let Some(key) = key {
                self.kms_key(&format!("/spec/{field}"), key);
            }
        }
        if let Some(loc) = &common.code_location {
            self.s3_uri("/spec/code_location", loc);
        }
        if let Some(net) = &common.network_config
            && net.security_group_ids.is_empty() != net.subnets.is_empty()
        {
            self.err(
                "/spec/network_config",
                Code::Refused,
                "`network_config` needs both `security_group_ids` and `subnets` for a VPC".into(),
                "set both, or neither",
            );
        }
        if common.env.len() > 100 {
            self.err("/spec/env", Code::TooMany, "`env` has more than 100 variables".into(), "SageMaker takes at most 100");
        }
        for (name, value) in &common.env {
            // Built only for a problem: most variables have none.
            let pointer = || format!("/spec/env/{}", pointer_token(name));
            if !is_env_name(name) {
                self.err(
                    &pointer(),
                    Code::BadFormat,
                    format!("`{name}` is not a valid environment variable name"),
                    "use letters, digits and `_`, not starting with a digit",
                );
            } else if value.len() > 256 {
                self.err(
                    &pointer(),
                    Code::TooLong,
                    format!("the value of `{name}` is longer than 256 characters"),
                    "SageMaker takes at most 256 characters per value",
                );
            }
        }
        if common.arguments.len() > 100 {
            self.err("/spec/arguments", Code::TooMany, "more than 100 `arguments`".into(), "SageMaker takes at most 100");
        }
        for (i, a) in common.arguments.iter().enumerate() {
            if a.len() > 256 {
                self.err(
                    &format!("/spec/arguments/{i}"),
                    Code::TooLong,
                    "an argument is longer than 256 characters".into(),
                    "SageMaker takes at most 256 characters per argument",
                );
            }
        }
        if let Some(exp) = &common.experiment_config {
            for (field, value) in [("experiment_name", &exp.experiment_name), ("trial_name", &exp.trial_name), ("run_name", &exp.run_name)]
            {
                if let Some(v) = value
                    && !is_resource_name(v, 120)
                {
                    self.err(
                        &format!("/spec/experiment_config/{field}"),
                        Code::BadFormat,
                        format!("`{v}` is not a valid {field}"),
                        "use letters, digits and hyphens, at most 120 characters",
                    );
                }
            }
        }
    }

    fn tags(&mut self, metadata: &Metadata) {
        for (k, v) in &metadata.tags {
            let pointer = || format!("/metadata/tags/{}", pointer_token(k));
            if k.starts_with("aws:") {
                self.err(&pointer(), Code::Refused, format!("tag key `{k}` uses the reserved prefix `aws:`"), "choose another key");
            } else if k.is_empty() || k.len() > 128 || v.len() > 256 {
                self.err(
                    &pointer(),
                    Code::TooLong,
                    format!("tag `{k}` is too long"),
                    "tag keys take 1 to 128 characters, values at most 256",
                );
            }
        }
    }

    /// Names the processor class gives its own inputs.
    fn reserved_inputs(spec: &JobSpec) -> &'static [&'static str] {
        match spec {
            JobSpec::Processor(_) => &[],
            JobSpec::ScriptProcessor(_) => &["code"],
            // Code in S3 is the bootstrap itself: the SDK adds no `code` input then.
            JobSpec::FrameworkProcessor(f) if f.code.starts_with("s3://") && f.source_dir.is_none() => &["entrypoint"],
            JobSpec::FrameworkProcessor(_) => &["code", "entrypoint"],
            JobSpec::PySparkProcessor(_) | JobSpec::SparkJarProcessor(_) => &["code", "conf", "py-files", "jars", "files"],
            JobSpec::ClarifyProcessor(_) => &["dataset", "analysis_config"],
        }
    }

    fn inputs(&mut self, spec: &JobSpec, inputs: &[ProcessingInput]) {
        let reserved = Self::reserved_inputs(spec);
        let mut names: NameMap<Cow<'_, str>> = NameMap::default();
        let mut destinations: NameMap<&str> = NameMap::default();
        for (i, input) in inputs.iter().enumerate() {
            let at = |f: &str| format!("/spec/inputs/{i}/{f}");
            let name = input.name.as_deref().map_or_else(|| Cow::Owned(format!("input-{}", i + 1)), Cow::Borrowed);
            if let Some(first) = names.insert(name.clone(), i) {
                let line = self.line_of(&format!("/spec/inputs/{first}/name"));
                self.err(
                    &at("name"),
                    Code::Duplicate,
                    format!("input name `{name}` is already used on line {line}"),
                    "give every input its own name",
                );
            } else if reserved.contains(&&*name) {
                self.err(
                    &at("name"),
                    Code::Duplicate,
                    format!("input name `{name}` is taken by the {} itself", spec.kind()),
                    format!("rename the input; {} uses: {}", spec.kind(), reserved.join(", ")),
                );
            }
            match (&input.dataset_definition, &input.source) {
                (Some(_), Some(_)) => self.err(
                    &at("dataset_definition"),
                    Code::Refused,
                    "an input takes `source` or `dataset_definition`, not both".into(),
                    "remove one of them",
                ),
                (None, None) => self.err(
                    &format!("/spec/inputs/{i}"),
                    Code::MissingField,
                    format!("input `{name}` has no `source`"),
                    "add `source` (an s3:// URI or a local path), or a `dataset_definition`",
                ),
                (None, Some(source)) => {
                    self.local_or_s3(&|| at("source"), source, FileKind::Any);
                    match &input.destination {
                        None => self.err(
                            &format!("/spec/inputs/{i}"),
                            Code::MissingField,
                            format!("input `{name}` has no `destination`"),
                            "add `destination: /opt/ml/processing/input/<name>`",
                        ),
                        Some(dest) => {
                            self.processing_path(&|| at("destination"), dest);
                            if let Some(first) = destinations.insert(dest.trim_end_matches('/'), i) {
                                let line = self.line_of(&format!("/spec/inputs/{first}/destination"));
                                self.err(
                                    &at("destination"),
                                    Code::Duplicate,
                                    format!("input destination `{dest}` is already used on line {line}"),
                                    "give every input its own folder",
                                );
                            }
                        }
                    }
                }
                (Some(dd), None) => {
                    if input.destination.is_some() {
                        self.err(
                            &at("destination"),
                            Code::Refused,
                            "a `dataset_definition` input sets its path with `dataset_definition.local_path`, not `destination`".into(),
                            "move the path to `dataset_definition.local_path`",
                        );
                    }
                    self.dataset_definition(&at("dataset_definition"), dd);
                }
            }
            if input.s3_compression_type == S3CompressionType::Gzip && input.s3_input_mode != S3InputMode::Pipe {
                self.err(
                    &at("s3_compression_type"),
                    Code::Refused,
                    "data can only be gzipped when the input mode is Pipe".into(),
                    "set `s3_input_mode: Pipe`, or `s3_compression_type: None`",
                );
            }
        }
    }

    fn dataset_definition(&mut self, pointer: &str, dd: &DatasetDefinition) {
        match (&dd.athena_dataset_definition, &dd.redshift_dataset_definition) {
            (Some(_), Some(_)) => self.err(
                pointer,
                Code::Refused,
                "a dataset definition takes one of `athena_dataset_definition` and `redshift_dataset_definition`".into(),
                "keep one",
            ),
            (None, None) => self.err(
                pointer,
                Code::MissingField,
                "a dataset definition needs `athena_dataset_definition` or `redshift_dataset_definition`".into(),
                "add one of them",
            ),
            (Some(a), None) => {
                self.s3_uri(&|| format!("{pointer}/athena_dataset_definition/output_s3_uri"), &a.output_s3_uri);
                if let Some(k) = &a.kms_key_id {
                    self.kms_key(&format!("{pointer}/athena_dataset_definition/kms_key_id"), k);
                }
            }
            (None, Some(r)) => {
                self.s3_uri(&|| format!("{pointer}/redshift_dataset_definition/output_s3_uri"), &r.output_s3_uri);
                if !is_role_arn(&r.cluster_role_arn) {
                    self.err(
                        &format!("{pointer}/redshift_dataset_definition/cluster_role_arn"),
                        Code::BadFormat,
                        format!("`{}` is not an IAM role ARN", r.cluster_role_arn),
                        "write arn:aws:iam::123456789012:role/NAME",
                    );
                }
                if let Some(k) = &r.kms_key_id {
                    self.kms_key(&format!("{pointer}/redshift_dataset_definition/kms_key_id"), k);
                }
            }
        }
        match &dd.local_path {
            Some(p) => self.processing_path(&|| format!("{pointer}/local_path"), p),
            None => self.err(
                pointer,
                Code::MissingField,
                "a dataset definition needs `local_path`".into(),
                "add `local_path: /opt/ml/processing/input/<name>`",
            ),
        }
    }

    fn outputs(&mut self, _spec: &JobSpec, outputs: &[ProcessingOutput]) {
        let mut names: NameMap<Cow<'_, str>> = NameMap::default();
        for (i, output) in outputs.iter().enumerate() {
            let at = |f: &str| format!("/spec/outputs/{i}/{f}");
            let name = output.name.as_deref().map_or_else(|| Cow::Owned(format!("output-{}", i + 1)), Cow::Borrowed);
            if let Some(first) = names.insert(name.clone(), i) {
                let line = self.line_of(&format!("/spec/outputs/{first}/name"));
                self.err(
                    &at("name"),
                    Code::Duplicate,
                    format!("output name `{name}` is already used on line {line}"),
                    "give every output its own name",
                );
            }
            match &output.source {
                Some(source) => self.processing_path(&|| at("source"), source),
                None if output.feature_store_output.is_none() => self.err(
                    &format!("/spec/outputs/{i}"),
                    Code::MissingField,
                    format!("output `{name}` has no `source`"),
                    "add `source: /opt/ml/processing/output/<name>`",
                ),
                None => {}
            }
            match (&output.destination, &output.feature_store_output) {
                (Some(_), Some(_)) => self.err(
                    &at("destination"),
                    Code::Refused,
                    "an output goes to S3 (`destination`) or a feature group (`feature_store_output`), not both".into(),
                    "remove one of them",
                ),
                (Some(dest), None) => self.destination(&|| at("destination"), dest),
                _ => {}
            }
        }
    }

    /// An output destination: S3 for SageMaker; S3 or a local folder for local runs.
    fn destination(&mut self, pointer: &(impl Pointer + ?Sized), dest: &str) {
        if dest.starts_with("s3://") {
            self.s3_uri(pointer, dest);
        } else if self.ctx.target == Target::Aws {
            self.err(
                &pointer.pointer(),
                Code::BadUri,
                format!("`{dest}` is not an s3:// URI"),
                "SageMaker writes outputs to S3: write s3://bucket/prefix (local folders work with `apply --local`)",
            );
        }
    }

    fn processing_path(&mut self, pointer: &(impl Pointer + ?Sized), path: &str) {
        if !path.starts_with(PROCESSING_ROOT) || path.split('/').any(|p| p == "..") {
            self.err(
                &pointer.pointer(),
                Code::BadPath,
                format!("`{path}` is not under {PROCESSING_ROOT}"),
                format!("SageMaker mounts inputs and outputs under {PROCESSING_ROOT}, e.g. {PROCESSING_ROOT}input/data"),
            );
        }
    }

    fn s3_uri(&mut self, pointer: &(impl Pointer + ?Sized), uri: &str) {
        if let Some(problem) = s3_uri_problem(uri) {
            self.err(
                &pointer.pointer(),
                Code::BadUri,
                format!("`{uri}` is not a valid S3 URI: {problem}"),
                "write s3://bucket/key, with a bucket name of 3-63 lowercase letters, digits, dots and hyphens",
            );
        }
    }

    fn kms_key(&mut self, pointer: &str, key: &str) {
        if !is_kms_key(key) {
            self.err(
                pointer,
                Code::BadFormat,
                format!("`{key}` is not a KMS key"),
                "write a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), an alias ARN, `alias/NAME`, or a key ID",
            );
        }
    }

    /// An `s3://` URI, or a local path that must exist.
    fn local_or_s3(&mut self, pointer: &(impl Pointer + ?Sized), value: &str, kind: FileKind) {
        if value.starts_with("s3://") {
            self.s3_uri(pointer, value);
            return;
        }
        if value.contains("://") && !value.starts_with("file://") {
            self.err(
                &pointer.pointer(),
                Code::BadUri,
                format!("`{value}` is neither an s3:// URI nor a local path"),
                "use s3://bucket/key or a path relative to the manifest",
            );
            return;
        }
        let path = self.ctx.base_dir.join(crate::local_path(value));
        self.existing(pointer, &path, value, kind);
    }

    fn existing(&mut self, pointer: &(impl Pointer + ?Sized), path: &Path, shown: &str, kind: FileKind) {
        let ok = match kind {
            FileKind::File => path.is_file(),
            FileKind::Dir => path.is_dir(),
            FileKind::Any => path.exists(),
        };
        if !ok && path.exists() {
            self.wrong_kind(pointer, path, shown);
        } else if !ok {
            let what = match kind {
                FileKind::File => "file",
                FileKind::Dir => "folder",
                FileKind::Any => "file or folder",
            };
            let looked = shown_path(path);
            let message = if looked == shown_path(Path::new(shown)) {
                format!("local {what} `{shown}` does not exist")
            } else {
                format!("local {what} `{shown}` does not exist (looked for {looked})")
            };
            self.err(
                &pointer.pointer(),
                Code::MissingFile,
                message,
                "relative paths resolve against the manifest's folder; fix the path, or use an s3:// URI",
            );
        }
    }

    /// A path that exists but is a folder where a file is needed (or the reverse).
    fn wrong_kind(&mut self, pointer: &(impl Pointer + ?Sized), path: &Path, shown: &str) {
        let pointer = pointer.pointer();
        let field = pointer.rsplit('/').find(|p| p.parse::<usize>().is_err()).unwrap_or("the field");
        let (message, help) = if path.is_dir() {
            (
                format!("`{shown}` is a folder, but `{field}` names a file"),
                if field == "code" {
                    format!("name the script inside it, such as `{shown}/main.py` (a FrameworkProcessor takes a folder as `source_dir`)")
                } else {
                    format!("name a file inside `{shown}`")
                },
            )
        } else {
            (format!("`{shown}` is a file, but `{field}` names a folder"), "name the folder that holds it".to_string())
        };
        self.err(&pointer, Code::MissingFile, message, help);
    }

    /// Spark dependencies: S3 (`s3://`, or `s3a://` which Spark reads
    /// itself), or local files and folders (shipped whole, as the SDK does).
    fn spark_dependencies(&mut self, pointer: &str, values: &[String]) {
        for (i, v) in values.iter().enumerate() {
            if !v.starts_with("s3a://") {
                self.local_or_s3(&|| format!("{pointer}/{i}"), v, FileKind::Any);
            }
        }
    }

    /// `git_config` as the SDK checks it before cloning (`_validate_git_config`,
    /// `_sanitize_git_url`), and credentials git can take.
    fn git_config(&mut self, git: &GitConfig) {
        if git.repo.trim().is_empty() {
            self.err("/spec/git_config/repo", Code::MissingField, "`git_config.repo` is empty".into(), "give the repository URL");
        } else if let Err(problem) = crate::git::check_repo_url(&git.repo) {
            self.err(
                "/spec/git_config/repo",
                Code::BadFormat,
                git.mask(&format!("`git_config.repo` cannot be cloned: {problem}")),
                "give an https://, ssh:// or git@ URL, or a local path or file:// URL",
            );
        }
        for (field, value) in [("username", &git.username), ("password", &git.password), ("token", &git.token)] {
            if value.as_ref().is_some_and(|v| v.contains(['\n', '\r', '\0'])) {
                self.err(
                    &format!("/spec/git_config/{field}"),
                    Code::BadFormat,
                    format!("`git_config.{field}` holds a line break or NUL, which git cannot take in a credential"),
                    "check the value (a variable read from a file may end with a newline: `{{ x | trim }}`)",
                );
            }
        }
    }

    fn framework(&mut self, s: &FrameworkProcessorSpec) {
        if let Some(git) = &s.git_config {
            self.git_config(git);
            return; // paths are inside the repository, checked when it is cloned
        }
        match &s.source_dir {
            Some(dir) if dir.starts_with("s3://") => self.s3_uri("/spec/source_dir", dir),
            Some(dir) => {
                let path = self.ctx.base_dir.join(dir);
                if path.is_dir() {
                    if !s.code.starts_with("s3://") {
                        let shown = shown_path(&Path::new(dir).join(&s.code));
                        self.existing("/spec/code", &path.join(&s.code), &shown, FileKind::File);
                    }
                } else {
                    self.existing("/spec/source_dir", &path, dir, FileKind::Dir);
                }
            }
            None => self.local_or_s3("/spec/code", &s.code, FileKind::File),
        }
        for (i, d) in s.dependencies.iter().enumerate() {
            self.local_or_s3(&|| format!("/spec/dependencies/{i}"), d, FileKind::Any);
        }
    }

    /// Framework and Python versions the SDK's estimators refuse.
    fn framework_versions(&mut self, s: &FrameworkProcessorSpec) {
        for problem in crate::framework_rules::problems(s) {
            self.err(problem.pointer, Code::Refused, problem.message, problem.help);
        }
    }

    fn spark(&mut self, s: &SparkSpec) {
        self.local_or_s3("/spec/submit_app", &s.submit_app, FileKind::File);
        self.spark_dependencies("/spec/submit_jars", &s.submit_jars);
        self.spark_dependencies("/spec/submit_files", &s.submit_files);
        for (field, value) in [
            ("spark_event_logs_s3_uri", &s.spark_event_logs_s3_uri),
            ("configuration_location", &s.configuration_location),
            ("dependency_location", &s.dependency_location),
        ] {
            if let Some(uri) = value {
                self.s3_uri(&|| format!("/spec/{field}"), uri);
            }
        }
    }

    fn clarify(&mut self, s: &ClarifyProcessorSpec) {
        self.s3_uri("/spec/data_config/s3_data_input_path", &s.data_config.s3_data_input_path);
        self.s3_uri("/spec/data_config/s3_output_path", &s.data_config.s3_output_path);
        let bias = s.analyses.iter().any(|a| matches!(a, Analysis::PreTrainingBias | Analysis::PostTrainingBias));
        if bias && s.bias_config.is_none() {
            self.err(
                "/spec/analyses",
                Code::MissingField,
                "bias analyses need `bias_config`".into(),
                "add `bias_config` with `label_values_or_threshold` and `facet_name`",
            );
        }
        let has_predictions = s.data_config.predicted_label.is_some() || s.data_config.predicted_label_dataset_uri.is_some();
        if s.analyses.contains(&Analysis::PostTrainingBias) && s.model_config.is_none() && !has_predictions {
            self.err(
                "/spec/analyses",
                Code::Refused,
                "post-training bias needs a model: add `model_config`".into(),
                "add `model_config` (model_name, instance_type, instance_count, ...), or `data_config.predicted_label`",
            );
        }
        if s.analyses.contains(&Analysis::Explainability) {
            if s.shap_config.is_none() && s.pdp_config.is_none() && s.asymmetric_shapley_value_config.is_none() {
                self.err(
                    "/spec/analyses",
                    Code::Refused,
                    "explainability needs `shap_config`, `pdp_config` or `asymmetric_shapley_value_config`".into(),
                    "add `shap_config` (baseline, num_samples, agg_method, ...), `pdp_config` (features, ...), or both",
                );
            }
            if s.model_config.is_none() {
                self.err(
                    "/spec/analyses",
                    Code::Refused,
                    "explainability needs a model: add `model_config`".into(),
                    "add `model_config` (model_name, instance_type, instance_count, ...)",
                );
            }
        }
        if s.data_config.s3_compression_type == S3CompressionType::Gzip {
            self.err(
                "/spec/data_config/s3_compression_type",
                Code::Refused,
                "Clarify reads its dataset in File mode, so it cannot be gzipped".into(),
                "decompress the dataset, and set `s3_compression_type: None`",
            );
        }
    }
}

/// A path as the user would recognise it: `.` components dropped
/// (`././x.py` is `x.py`), and an absolute path under the current folder
/// made relative to it.
fn shown_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let relative = cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok()).filter(|_| path.is_absolute());
    let cleaned: std::path::PathBuf =
        relative.unwrap_or(path).components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
    if cleaned.as_os_str().is_empty() { ".".to_string() } else { cleaned.display().to_string() }
}

/// What is wrong with an S3 URI, if anything.
pub(crate) fn s3_uri_problem(uri: &str) -> Option<&'static str> {
    let Some(rest) = uri.strip_prefix("s3://") else { return Some("it must start with s3://") };
    let bucket = rest.split('/').next().unwrap_or_default();
    if bucket.is_empty() {
        return Some("the bucket name is missing");
    }
    if bucket.len() < 3 || bucket.len() > 63 {
        return Some("bucket names take 3 to 63 characters");
    }
    let valid_chars = bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let ends_ok = bucket.as_bytes()[0].is_ascii_alphanumeric() && bucket.as_bytes()[bucket.len() - 1].is_ascii_alphanumeric();
    if !valid_chars || !ends_ok || bucket.as_bytes().windows(2).any(|pair| pair == b"..") {
        return Some("bucket names take lowercase letters, digits, dots and hyphens, and start and end with a letter or digit");
    }
    if uri.chars().any(char::is_whitespace) {
        return Some("it contains white space");
    }
    None
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 256
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_resource_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name.split('-').all(|part| part.chars().all(|c| c.is_ascii_alphanumeric()))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > 5
}

/// A KMS key ID, key ARN, alias ARN or `alias/NAME`.
fn is_kms_key(key: &str) -> bool {
    if let Some(alias) = key.strip_prefix("alias/") {
        return !alias.is_empty();
    }
    if key.starts_with("arn:") {
        let parts: Vec<&str> = key.splitn(6, ':').collect();
        return parts.len() == 6
            && parts[1].starts_with("aws")
            && parts[2] == "kms"
            && !parts[3].is_empty()
            && parts[4].len() == 12
            && parts[4].bytes().all(|b| b.is_ascii_digit())
            && (parts[5].starts_with("key/") || parts[5].starts_with("alias/"))
            && parts[5].split_once('/').is_some_and(|(_, id)| !id.is_empty());
    }
    let id = key.strip_prefix("mrk-").unwrap_or(key);
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem `validate` finds in a YAML manifest, with `base_dir` as its folder.
    fn problems(text: &str, base_dir: &str) -> Vec<Diagnostic> {
        let file = SourceFile::new("job.yaml", text.to_string());
        let docs = pjob_source::parse(&file).expect("the test manifest parses");
        let ctx = ValidationContext { base_dir: base_dir.into(), target: Target::Aws };
        crate::validate(&file, &docs[0], &ctx).expect_err("the manifest is invalid")
    }

    const SCRIPT: &str = "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata: {name: job}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: img\n  instance_count: 1\n  instance_type: ml.m5.large\n  command: [python3]\n  code: ./missing.py\n";

    #[test]
    fn missing_files_show_paths_without_dot_doubling() {
        let here = problems(SCRIPT, ".");
        assert_eq!(here[0].message(), "local file `./missing.py` does not exist");
        let there = problems(SCRIPT, "jobs/./batch");
        assert_eq!(there[0].message(), "local file `./missing.py` does not exist (looked for jobs/batch/missing.py)");
    }

    #[test]
    fn shown_paths() {
        assert_eq!(shown_path(Path::new("././x.py")), "x.py");
        assert_eq!(shown_path(Path::new("./a/./b/")), "a/b");
        assert_eq!(shown_path(Path::new("../a")), "../a");
        assert_eq!(shown_path(Path::new(".")), ".");
        let cwd = std::env::current_dir().expect("a current folder");
        assert_eq!(shown_path(&cwd.join("./a/x.py")), "a/x.py");
    }

    #[test]
    fn duplicates_name_the_line_of_the_first() {
        let text = "apiVersion: pjob/v1\nkind: Processor\nmetadata: {name: job}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: img\n  instance_count: 1\n  instance_type: ml.m5.large\n  inputs:\n    - name: raw\n      source: s3://bucket/a/\n      destination: /opt/ml/processing/input/a\n    - name: raw\n      source: s3://bucket/b/\n      destination: /opt/ml/processing/input/a/\n  outputs:\n    - source: /opt/ml/processing/output/x\n      destination: s3://bucket/x/\n    - name: output-1\n      source: /opt/ml/processing/output/y\n      destination: s3://bucket/y/\n";
        let found = problems(text, ".");
        let messages: Vec<&str> = found.iter().map(Diagnostic::message).collect();
        assert_eq!(
            messages,
            [
                "input name `raw` is already used on line 10",
                "input destination `/opt/ml/processing/input/a/` is already used on line 12",
                "output name `output-1` is already used on line 17",
            ]
        );
    }

    #[test]
    fn s3_uris() {
        assert_eq!(s3_uri_problem("s3://my-bucket/x/"), None);
        assert!(s3_uri_problem("s3://My_Bucket/x").is_some());
        assert!(s3_uri_problem("s3:///x").is_some());
        assert!(s3_uri_problem("s3://ab").is_some());
        assert_eq!(s3_uri_problem("s3://my.bucket/x"), None);
        assert!(s3_uri_problem("s3://my..bucket/x").is_some());
        assert!(s3_uri_problem("gs://bucket/x").is_some());
    }

    #[test]
    fn kms_keys() {
        assert!(is_kms_key("arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
        assert!(is_kms_key("alias/my-key"));
        assert!(is_kms_key("1234abcd-12ab-34cd-56ef-1234567890ab"));
        assert!(!is_kms_key("arn:aws:kms:us-west-2:1234:key/x"));
        assert!(!is_kms_key("my key"));
    }
}
