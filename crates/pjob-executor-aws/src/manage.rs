//! Managing jobs: plan, stop, list.

use aws_sdk_sagemaker::types::{ProcessingJobStatus, SortBy, SortOrder};
use pjob_compiler::{CompiledJob, JobNaming};

use crate::retry::is_not_found;
use crate::{Api, AwsExecutor, ExecutorError, JobInfo, JobStatus, JobSummary, Service, base_name};

/// What `apply` would do with a compiled job.
#[derive(Debug, Clone)]
pub enum PlanAction {
    /// No job of this name: it would be created.
    Create,
    /// The job exists (apply reports it, waiting if it runs).
    Exists(Box<JobInfo>),
    /// No job of this name, but jobs made from earlier versions of the same
    /// manifest (same base name, another content hash): a new job would be
    /// created.
    Changed {
        /// The earlier jobs, newest first.
        previous: Vec<JobSummary>,
    },
}

/// What `stop` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopOutcome {
    /// The stop was requested.
    Stopping,
    /// The job had already ended (or was stopping) with this status.
    AlreadyEnded(JobStatus),
}

/// Which jobs `list` returns.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only names containing this.
    pub name_contains: Option<String>,
    /// Only jobs with this status.
    pub status: Option<JobStatus>,
    /// Most jobs returned (newest first).
    pub max: u32,
}

/// Pages `list` reads at most when looking for earlier versions of a job.
const PLAN_LIST_LIMIT: u32 = 1000;

impl AwsExecutor {
    /// What `apply` would do with a job.
    pub async fn plan(&self, job: &CompiledJob) -> Result<PlanAction, ExecutorError> {
        if job.naming == JobNaming::Timestamp {
            return Ok(PlanAction::Create);
        }
        if let Some(info) = self.describe(job.name()).await? {
            return Ok(PlanAction::Exists(Box::new(info)));
        }
        let Some(base) = base_name(job) else { return Ok(PlanAction::Create) };
        let filter = ListFilter { name_contains: Some(base.to_string()), status: None, max: PLAN_LIST_LIMIT };
        let previous: Vec<JobSummary> = self
            .list(&filter)
            .await?
            .into_iter()
            .filter(|s| is_version_of(&s.processing_job_name, base) && s.processing_job_name != job.name())
            .collect();
        Ok(if previous.is_empty() { PlanAction::Create } else { PlanAction::Changed { previous } })
    }

    /// Asks SageMaker to stop a running job.
    pub async fn stop(&self, name: &str) -> Result<StopOutcome, ExecutorError> {
        let Some(info) = self.describe(name).await? else {
            return Err(ExecutorError::NotFound { name: name.to_string() });
        };
        if info.processing_job_status != JobStatus::InProgress {
            return Ok(StopOutcome::AlreadyEnded(info.processing_job_status));
        }
        match self.call(Api::StopProcessingJob, || self.sagemaker.stop_processing_job().processing_job_name(name).send()).await {
            Ok(_) => Ok(StopOutcome::Stopping),
            Err(e) if is_not_found(&e) => Err(ExecutorError::NotFound { name: name.to_string() }),
            Err(e) => Err(self.failed(Service::SageMaker, "StopProcessingJob", e)),
        }
    }

    /// Lists jobs, newest first.
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<JobSummary>, ExecutorError> {
        let mut jobs = Vec::new();
        let mut next_token = None;
        let status = filter.status.as_ref().map(|s| ProcessingJobStatus::from(s.as_str()));
        loop {
            let page = self
                .call(Api::ListProcessingJobs, || {
                    self.sagemaker
                        .list_processing_jobs()
                        .set_name_contains(filter.name_contains.clone())
                        .set_status_equals(status.clone())
                        .sort_by(SortBy::CreationTime)
                        .sort_order(SortOrder::Descending)
                        .max_results(i32::try_from(filter.max.clamp(1, 100)).unwrap_or(100))
                        .set_next_token(next_token.clone())
                        .send()
                })
                .await
                .map_err(|e| self.failed(Service::SageMaker, "ListProcessingJobs", e))?;
            jobs.extend(page.processing_job_summaries().iter().map(JobSummary::from_sdk));
            next_token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
            if jobs.len() >= filter.max as usize || next_token.is_none() {
                break;
            }
        }
        // Newest first even where the service does not sort (by the time,
        // not its text: `...:02Z` is earlier than `...:02.5Z`).
        jobs.sort_by_key(|j| std::cmp::Reverse(j.created));
        jobs.truncate(filter.max as usize);
        Ok(jobs)
    }
}

/// Whether `name` is `<base>-<10 hex digits>`.
fn is_version_of(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hash| hash.len() == pjob_compiler::naming::HASH_LEN && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_version_of;

    #[test]
    fn versions_share_the_base_and_differ_in_the_hash() {
        assert!(is_version_of("churn-0123456789", "churn"));
        assert!(!is_version_of("churn-daily-0123456789", "churn"));
        assert!(!is_version_of("churn-2024-01-01-00-00-00-000", "churn"));
        assert!(!is_version_of("churn", "churn"));
    }
}
