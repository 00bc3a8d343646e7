//! Job names: `<base>-<content hash>` by default, the SDK's
//! `<base>-YYYY-MM-DD-HH-MM-SS-mmm` on request, always within SageMaker's 63
//! characters and pattern.

use std::time::{SystemTime, UNIX_EPOCH};

/// Longest SageMaker processing job name.
pub const MAX_JOB_NAME_LEN: usize = 63;

/// Hex digits of the content hash kept in a job name.
pub const HASH_LEN: usize = 10;

/// `<base>-<hash>`, cutting `base` so the hash always survives.
pub fn hashed_name(base: &str, hash_hex: &str) -> String {
    let hash = &hash_hex[..HASH_LEN.min(hash_hex.len())];
    format!("{}-{hash}", cut(base, MAX_JOB_NAME_LEN - hash.len() - 1))
}

/// The SDK's `name_from_base`: `<base>-YYYY-MM-DD-HH-MM-SS-mmm` (UTC).
pub fn timestamped_name(base: &str, now: SystemTime) -> String {
    let stamp = timestamp(now);
    format!("{}-{stamp}", cut(base, MAX_JOB_NAME_LEN - stamp.len() - 1))
}

/// The name of new attempt `attempt` (1, 2, ...) of the job named `name`:
/// `<name>-r<attempt>`, within SageMaker's 63 characters, cutting the part
/// before a `<base>-<hash>` name's hash so the hash is kept.
pub fn attempt_name(name: &str, attempt: u32) -> String {
    let suffix = format!("-r{attempt}");
    if name.len() + suffix.len() <= MAX_JOB_NAME_LEN {
        return format!("{name}{suffix}");
    }
    match name.rsplit_once('-') {
        Some((base, hash)) if hash.len() == HASH_LEN && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{}-{hash}{suffix}", cut(base, MAX_JOB_NAME_LEN - HASH_LEN - 1 - suffix.len()))
        }
        _ => format!("{}{suffix}", cut(name, MAX_JOB_NAME_LEN - suffix.len())),
    }
}

/// Cuts a name to `max` characters without leaving a trailing hyphen.
fn cut(base: &str, max: usize) -> &str {
    let cut = if base.len() > max { &base[..max] } else { base };
    cut.trim_end_matches('-')
}

/// `YYYY-MM-DD-HH-MM-SS-mmm` in UTC, as the SDK's `sagemaker_timestamp()`.
pub fn timestamp(now: SystemTime) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}-{:02}-{:02}-{:02}-{:03}", rem / 3600, (rem % 3600) / 60, rem % 60, since.subsec_millis())
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn attempt_names_fit_and_keep_the_hash() {
        assert_eq!(attempt_name("prep-0123456789", 2), "prep-0123456789-r2");
        let long = hashed_name(&"a".repeat(80), "abcdef0123456789");
        let attempt = attempt_name(&long, 12);
        assert_eq!(attempt.len(), MAX_JOB_NAME_LEN);
        assert!(attempt.ends_with("-abcdef0123-r12"), "{attempt}");
        let fixed = attempt_name(&"b".repeat(63), 1);
        assert_eq!((fixed.len(), fixed.ends_with("b-r1")), (63, true));
    }

    #[test]
    fn timestamp_matches_the_sdk_format() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(timestamp(t), "2023-11-14-22-13-20-123");
        assert_eq!(timestamped_name("job", t), "job-2023-11-14-22-13-20-123");
    }

    #[test]
    fn long_names_keep_the_hash_and_the_pattern() {
        let base = format!("{}-{}", "a".repeat(51), "b".repeat(20));
        let name = hashed_name(&base, "0123456789abcdef");
        assert_eq!(name.len(), 62);
        assert!(name.ends_with("a-0123456789"), "{name}");
        assert!(!name.contains("--"));
        let long = "x".repeat(80);
        assert_eq!(hashed_name(&long, "0123456789").len(), MAX_JOB_NAME_LEN);
        assert_eq!(timestamped_name(&long, UNIX_EPOCH).len(), MAX_JOB_NAME_LEN);
    }
}
