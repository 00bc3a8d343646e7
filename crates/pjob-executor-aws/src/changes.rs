//! What changed since an earlier job: the request it was created with, read
//! back in the API's field names, and its artifacts, compared by the
//! SHA-256 pjob stored with them.

use std::collections::HashSet;

use pjob_compiler::CompiledJob;
use pjob_compiler::request::Tag;
use pjob_compiler::request_diff::{self, Change, OldArtifact};
use pjob_s3::StoredHash;
use serde_json::Value;

use crate::{Api, AwsExecutor, ExecutorError, Service};

/// Tag keys AWS reserves for itself (never in a request pjob sends).
const AWS_TAG_PREFIX: &str = "aws:";

impl AwsExecutor {
    /// The request that created the job `name`, as JSON in the shape
    /// `pjob render -o json` prints a request (`DescribeProcessingJob`, and
    /// `ListTags` for its tags); `None` when there is no job of this name.
    pub async fn describe_request(&self, name: &str) -> Result<Option<Value>, ExecutorError> {
        let Some(info) = self.describe(name).await? else { return Ok(None) };
        let mut request = info.request;
        if let Some(arn) = &info.processing_job_arn {
            request.tags = self.tags(arn).await?;
        }
        to_json(&request).map(Some)
    }

    /// What changed from the earlier job `previous` to `job`: request
    /// fields (see [`request_diff::diff`]), then artifacts whose content
    /// differs from what `previous` read. `None` when `previous` is gone.
    pub async fn changes_since(&self, previous: &str, job: &CompiledJob) -> Result<Option<Vec<Change>>, ExecutorError> {
        let Some(old) = self.describe_request(previous).await? else { return Ok(None) };
        let mut changes = request_diff::diff(&old, &to_json(&job.request)?);
        changes.extend(self.artifact_changes(&old, previous, job).await?);
        Ok(Some(changes))
    }

    /// Every tag of a resource, AWS's own left out.
    async fn tags(&self, arn: &str) -> Result<Vec<Tag>, ExecutorError> {
        let mut tags = Vec::new();
        let mut next_token = None;
        loop {
            let page = self
                .call(Api::ListTags, || self.sagemaker.list_tags().resource_arn(arn).set_next_token(next_token.clone()).send())
                .await
                .map_err(|e| self.failed(Service::SageMaker, "ListTags", e))?;
            let own = page.tags().iter().filter(|t| !t.key().is_some_and(|k| k.starts_with(AWS_TAG_PREFIX)));
            tags.extend(
                own.map(|t| Tag { key: t.key().unwrap_or_default().to_string(), value: t.value().unwrap_or_default().to_string() }),
            );
            next_token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
            if next_token.is_none() {
                return Ok(tags);
            }
        }
    }

    /// The artifacts of `job` whose counterpart in the earlier job (the same
    /// URI with the earlier job's name) the `old` request points at and
    /// whose stored SHA-256 differs (`HeadObject`), then the objects the
    /// earlier job had in its artifact folders that `job` no longer has.
    async fn artifact_changes(&self, old: &Value, previous: &str, job: &CompiledJob) -> Result<Vec<Change>, ExecutorError> {
        let mut old_locations = Vec::new();
        s3_strings(old, &mut old_locations);
        let mut seen = HashSet::new();
        let mut changes = Vec::new();
        let mut folders = Vec::new();
        for artifact in job.artifacts.iter().filter(|a| seen.insert(a.uri.as_str())) {
            let old_uri = artifact.uri.replace(job.name(), previous);
            let Some(location) = old_locations.iter().find(|location| is_at_or_under(&old_uri, location)) else { continue };
            if *location != old_uri && !folders.contains(location) {
                folders.push(*location);
            }
            let stored = self.s3.stored_sha256(&old_uri).await?;
            let place = place_under_job(&artifact.uri, job.name());
            changes.extend(request_diff::artifact_change(place, old_artifact(&stored), Some(&artifact.sha256)));
        }
        for folder in folders {
            for old_uri in self.s3.list(folder).await? {
                if !is_at_or_under(&old_uri, folder) || seen.contains(old_uri.replace(previous, job.name()).as_str()) {
                    continue;
                }
                let stored = self.s3.stored_sha256(&old_uri).await?;
                changes.extend(request_diff::artifact_change(place_under_job(&old_uri, previous), old_artifact(&stored), None));
            }
        }
        Ok(changes)
    }
}

/// What the earlier job had at an artifact's place.
fn old_artifact(stored: &StoredHash) -> OldArtifact<'_> {
    match stored {
        StoredHash::Absent => OldArtifact::Absent,
        StoredHash::Unknown => OldArtifact::Unknown,
        StoredHash::Sha256(sha) => OldArtifact::Sha256(sha),
    }
}

/// A request as JSON.
fn to_json(request: &pjob_compiler::CreateProcessingJobRequest) -> Result<Value, ExecutorError> {
    serde_json::to_value(request).map_err(|e| ExecutorError::Convert { field: "CreateProcessingJob", message: e.to_string() })
}

/// Every `s3://` string in `value`.
fn s3_strings<'v>(value: &'v Value, found: &mut Vec<&'v str>) {
    match value {
        Value::String(s) if s.starts_with("s3://") => found.push(s),
        Value::Array(items) => items.iter().for_each(|v| s3_strings(v, found)),
        Value::Object(fields) => fields.values().for_each(|v| s3_strings(v, found)),
        _ => {}
    }
}

/// Whether `uri` is `location` or an object under that prefix.
fn is_at_or_under(uri: &str, location: &str) -> bool {
    uri == location || uri.strip_prefix(location.trim_end_matches('/')).is_some_and(|rest| rest.starts_with('/'))
}

/// An artifact's place under its job: what follows `<job name>/` in its
/// URI (`input/code/preprocess.py`), or its whole URI.
fn place_under_job<'u>(uri: &'u str, job_name: &str) -> &'u str {
    uri.split_once(&format!("/{job_name}/")).map_or(uri, |(_, place)| place)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifacts_are_named_by_their_place_under_the_job() {
        assert_eq!(place_under_job("s3://b/churn-0123456789/input/code/run.py", "churn-0123456789"), "input/code/run.py");
        assert_eq!(place_under_job("s3://b/p/churn-0123456789/source/sourcedir.tar.gz", "churn-0123456789"), "source/sourcedir.tar.gz");
        assert_eq!(place_under_job("s3://b/fixed/run.py", "churn-0123456789"), "s3://b/fixed/run.py");
    }

    #[test]
    fn an_artifact_belongs_to_the_location_it_is_at_or_under() {
        assert!(is_at_or_under("s3://b/j/input/code/run.py", "s3://b/j/input/code/run.py"));
        assert!(is_at_or_under("s3://b/j/input/data/a.csv", "s3://b/j/input/data"));
        assert!(is_at_or_under("s3://b/j/input/data/a.csv", "s3://b/j/input/data/"));
        assert!(!is_at_or_under("s3://b/j/input/data-2/a.csv", "s3://b/j/input/data"));
    }
}
