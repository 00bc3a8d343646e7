//! Per-API request rates shared by every job of a run, so that hundreds of
//! jobs waiting at once stay within the account's API rates instead of
//! being throttled.
//!
//! AWS throttles each API per account and region. The rates pjob keeps to:
//!
//! | API | rate (requests/s) | source |
//! | --- | --- | --- |
//! | CloudWatch Logs `GetLogEvents` | 25 | "Amazon CloudWatch Logs endpoints and quotas" (AWS General Reference): 25 TPS per account and Region, not adjustable (the CloudWatch Logs User Guide's quota table said 10 until 2023) |
//! | CloudWatch Logs `DescribeLogStreams` | 5 | CloudWatch Logs User Guide, "CloudWatch Logs quotas": 5 TPS per account and Region, adjustable (the lowest figure AWS has documented for it) |
//! | CloudWatch Logs `FilterLogEvents` | 5 | the same table: 5 TPS per account and Region, not adjustable (pjob does not call it) |
//! | SageMaker `DescribeProcessingJob` | 5 | not published per API (SageMaker's quotas pages say only that the management APIs' throttling limits are not adjustable); a conservative figure |
//! | SageMaker `ListProcessingJobs` | 2 | not published for it; Service Quotas gives SageMaker's `ListTrainingJobs` 2 requests a second, not adjustable |
//! | SageMaker `CreateProcessingJob`, `StopProcessingJob` | 1 | not published per API; a conservative figure |
//! | SageMaker `ListTags` | 2 | not published for it; the figure of the other list call (`pjob plan` reads an earlier job's tags) |
//! | SageMaker `CreatePipeline`, `UpdatePipeline`, `StartPipelineExecution`, `StopPipelineExecution` | 1 | not published per API; a conservative figure, as for the other writes |
//! | SageMaker `DescribePipeline`, `DescribePipelineExecution`, `ListPipelineExecutions`, `ListPipelineExecutionSteps` | 2 | not published per API; the figure of the list calls (one execution is followed at a time) |
//!
//! Each limit allows a burst of one second's worth of calls. Other
//! programs in the same account share these rates, so pjob still meets
//! throttling now and then; it then waits and retries (see `retry`).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// The AWS APIs pjob calls while applying and waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// SageMaker `CreateProcessingJob`.
    CreateProcessingJob,
    /// SageMaker `DescribeProcessingJob`.
    DescribeProcessingJob,
    /// SageMaker `ListProcessingJobs`.
    ListProcessingJobs,
    /// SageMaker `StopProcessingJob`.
    StopProcessingJob,
    /// SageMaker `ListTags`.
    ListTags,
    /// CloudWatch Logs `DescribeLogStreams`.
    DescribeLogStreams,
    /// CloudWatch Logs `GetLogEvents`.
    GetLogEvents,
    /// SageMaker `DescribePipeline`.
    DescribePipeline,
    /// SageMaker `CreatePipeline`.
    CreatePipeline,
    /// SageMaker `UpdatePipeline`.
    UpdatePipeline,
    /// SageMaker `StartPipelineExecution`.
    StartPipelineExecution,
    /// SageMaker `DescribePipelineExecution`.
    DescribePipelineExecution,
    /// SageMaker `ListPipelineExecutions`.
    ListPipelineExecutions,
    /// SageMaker `ListPipelineExecutionSteps`.
    ListPipelineExecutionSteps,
    /// SageMaker `StopPipelineExecution`.
    StopPipelineExecution,
}

impl Api {
    /// Every API, in [`Api::index`] order.
    pub const ALL: [Api; 15] = [
        Api::CreateProcessingJob,
        Api::DescribeProcessingJob,
        Api::ListProcessingJobs,
        Api::StopProcessingJob,
        Api::ListTags,
        Api::DescribeLogStreams,
        Api::GetLogEvents,
        Api::DescribePipeline,
        Api::CreatePipeline,
        Api::UpdatePipeline,
        Api::StartPipelineExecution,
        Api::DescribePipelineExecution,
        Api::ListPipelineExecutions,
        Api::ListPipelineExecutionSteps,
        Api::StopPipelineExecution,
    ];

    /// The requests per second AWS allows an account (see the module docs).
    pub fn account_rate(self) -> f64 {
        match self {
            Api::CreateProcessingJob | Api::StopProcessingJob => 1.0,
            Api::CreatePipeline | Api::UpdatePipeline | Api::StartPipelineExecution | Api::StopPipelineExecution => 1.0,
            Api::DescribePipeline | Api::DescribePipelineExecution | Api::ListPipelineExecutions | Api::ListPipelineExecutionSteps => 2.0,
            Api::DescribeProcessingJob => 5.0,
            Api::ListProcessingJobs | Api::ListTags => 2.0,
            Api::DescribeLogStreams => 5.0,
            Api::GetLogEvents => 25.0,
        }
    }

    /// The operation's name.
    pub fn name(self) -> &'static str {
        match self {
            Api::CreateProcessingJob => "CreateProcessingJob",
            Api::DescribeProcessingJob => "DescribeProcessingJob",
            Api::ListProcessingJobs => "ListProcessingJobs",
            Api::StopProcessingJob => "StopProcessingJob",
            Api::ListTags => "ListTags",
            Api::DescribeLogStreams => "DescribeLogStreams",
            Api::GetLogEvents => "GetLogEvents",
            Api::DescribePipeline => "DescribePipeline",
            Api::CreatePipeline => "CreatePipeline",
            Api::UpdatePipeline => "UpdatePipeline",
            Api::StartPipelineExecution => "StartPipelineExecution",
            Api::DescribePipelineExecution => "DescribePipelineExecution",
            Api::ListPipelineExecutions => "ListPipelineExecutions",
            Api::ListPipelineExecutionSteps => "ListPipelineExecutionSteps",
            Api::StopPipelineExecution => "StopPipelineExecution",
        }
    }

    fn index(self) -> usize {
        Api::ALL.iter().position(|a| *a == self).unwrap_or(0)
    }
}

/// One rate limiter per API, shared by clones (every job of a run).
#[derive(Debug, Clone)]
pub struct ApiLimits {
    limiters: Arc<Vec<DefaultDirectRateLimiter>>,
}

impl ApiLimits {
    /// Limits at the account rates times `speed` (1 for AWS; tests against
    /// an emulator that plays time faster pass more).
    pub fn new(speed: f64) -> ApiLimits {
        let limiters = Api::ALL.iter().map(|api| RateLimiter::direct(quota(api.account_rate() * speed))).collect();
        ApiLimits { limiters: Arc::new(limiters) }
    }

    /// Waits until a call of `api` fits the rate.
    pub async fn until_ready(&self, api: Api) {
        self.limiters[api.index()].until_ready().await;
    }
}

impl Default for ApiLimits {
    fn default() -> ApiLimits {
        ApiLimits::new(1.0)
    }
}

/// `rate` calls a second, bursting to one second's worth (at least one).
fn quota(rate: f64) -> Quota {
    let rate = if rate.is_finite() && rate > 0.0 { rate } else { 1.0 };
    let period = Duration::from_secs_f64(1.0 / rate).max(Duration::from_micros(1));
    let burst = NonZeroU32::new(rate.floor().clamp(1.0, 10_000.0) as u32).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_one_second_passes_and_the_next_call_waits() {
        let limits = ApiLimits::default();
        let limiter = &limits.limiters[Api::GetLogEvents.index()];
        for _ in 0..25 {
            assert!(limiter.check().is_ok());
        }
        assert!(limiter.check().is_err(), "the 26th call within a second is over GetLogEvents' 25 TPS");
        let create = &limits.limiters[Api::CreateProcessingJob.index()];
        assert!(create.check().is_ok());
        assert!(create.check().is_err());
    }

    #[test]
    fn clones_share_their_limits() {
        let a = ApiLimits::default();
        let b = a.clone();
        assert!(a.limiters[Api::StopProcessingJob.index()].check().is_ok());
        assert!(b.limiters[Api::StopProcessingJob.index()].check().is_err());
    }
}
