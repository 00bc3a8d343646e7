//! AWS's per-account API rate limits, played by the proxy: one token bucket
//! per operation; a call over the rate is answered with the throttling
//! error the service sends (`400 ThrottlingException: Rate exceeded` for
//! SageMaker and CloudWatch Logs) and never reaches moto.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// The buckets, and how many calls each has refused.
#[derive(Default)]
pub struct RateLimits {
    buckets: HashMap<String, DefaultDirectRateLimiter>,
    refused: HashMap<String, usize>,
}

impl RateLimits {
    /// Limits `operation` to `rate` calls a second, bursting to one second's
    /// worth (as AWS's buckets do).
    pub fn set(&mut self, operation: &str, rate: f64) {
        let period = Duration::from_secs_f64(1.0 / rate);
        let burst = NonZeroU32::new(rate.floor().max(1.0) as u32).unwrap();
        let quota = Quota::with_period(period).expect("a positive rate").allow_burst(burst);
        self.buckets.insert(operation.to_string(), RateLimiter::direct(quota));
    }

    /// Whether a call of `operation` is over its rate (and is counted as refused).
    pub fn refuses(&mut self, operation: &str) -> bool {
        let over = self.buckets.get(operation).is_some_and(|b| b.check().is_err());
        if over {
            *self.refused.entry(operation.to_string()).or_default() += 1;
        }
        over
    }

    /// Calls of `operation` refused so far.
    pub fn refused(&self, operation: &str) -> usize {
        self.refused.get(operation).copied().unwrap_or(0)
    }
}
