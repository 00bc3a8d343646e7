//! One case: its manifest rendered in-process, held against `expected.json`.

use std::path::{Path, PathBuf};

use pjob_jobset::{CompileSettings, Loader};
use pjob_manifest::Target;
use pjob_source::Diagnostic;
use pjob_template::{Renderer, Variables};
use serde_json::Value;

use crate::artifacts;
use crate::json_diff::{Numbers, diff};
use crate::normalize::{DEFAULT_BUCKET, normalize};

/// The region of a case whose `expected.json` names none.
const DEFAULT_REGION: &str = "us-west-2";
/// The manifest of a case, in the order they are looked for.
const MANIFESTS: [&str; 2] = ["job.yaml", "job.toml"];

/// Every way the case's rendering differs from the SDK's (none when it holds).
pub fn problems(dir: &Path) -> Vec<String> {
    let (manifest, expected) = match read_case(dir) {
        Ok(case) => case,
        Err(problem) => return vec![problem],
    };
    let region = expected.get("region").and_then(Value::as_str).unwrap_or(DEFAULT_REGION);
    let rendered = render(&manifest, region);
    if let Some(error) = expected.get("error") {
        return match rendered {
            Ok(_) => vec![format!("expected a refusal (the SDK: {error}), but pjob renders a request")],
            Err(_) => Vec::new(),
        };
    }
    match rendered {
        Err(refusal) => std::iter::once("pjob refuses the manifest:".to_owned()).chain(refusal.iter().map(|p| format!("  {p}"))).collect(),
        Ok(document) => match document["jobs"].get(0) {
            Some(job) => job_problems(dir, &expected, job),
            None => vec![format!("no job in {document}")],
        },
    }
}

/// The request (normalized) and the uploads of the first rendered job.
fn job_problems(dir: &Path, expected: &Value, job: &Value) -> Vec<String> {
    let mut problems = diff(&normalize(&expected["request"]), &normalize(&job["request"]), Numbers::Typed);
    problems.extend(artifacts::problems(dir, expected, job));
    problems
}

/// The case's manifest path and its parsed `expected.json`.
fn read_case(dir: &Path) -> Result<(PathBuf, Value), String> {
    let manifest = MANIFESTS.iter().map(|name| dir.join(name)).find(|path| path.is_file());
    let manifest = manifest.ok_or_else(|| format!("no {} in the case folder", MANIFESTS.join(" or ")))?;
    let path = dir.join("expected.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let expected = serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    Ok((manifest, expected))
}

/// What `pjob render MANIFEST --region REGION --default-bucket
/// pjob-default-bucket -o json` prints (`{"jobs": [...]}`), or, when it
/// refuses the manifest (exit 2), every problem it reports.
fn render(manifest: &Path, region: &str) -> Result<Value, Vec<String>> {
    let renderer = Renderer::new(Variables::new());
    let loaded = Loader::new(&renderer, Target::Aws).load(&[manifest.to_path_buf()]);
    if loaded.has_problems() {
        let errors = loaded.errors.iter().map(ToString::to_string);
        return Err(errors.chain(loaded.diagnostics.iter().map(located)).collect());
    }
    let settings =
        CompileSettings { region: Some(region.to_owned()), default_bucket: Some(DEFAULT_BUCKET.to_owned()), ..CompileSettings::default() };
    let compiled =
        pjob_jobset::compile_all(&loaded.jobs, &settings).map_err(|problems| problems.iter().map(located).collect::<Vec<_>>())?;
    Ok(serde_json::json!({ "jobs": compiled }))
}

/// `file:line:col: message`.
fn located(diagnostic: &Diagnostic) -> String {
    format!("{}: {}", diagnostic.location(), diagnostic.message())
}
