//! S3 URI helpers, as the SDK's `s3_path_join` and `parse_s3_url` behave.

/// Joins URI parts with single slashes, keeping the `s3://` scheme:
/// `join(["s3://b/p/", "job", "input"])` is `s3://b/p/job/input`.
pub fn join<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for part in parts {
        let (scheme, rest) = match part.strip_prefix("s3://") {
            Some(rest) if out.is_empty() => ("s3://", rest),
            _ => ("", part),
        };
        let rest = rest.trim_matches('/');
        if rest.is_empty() {
            out.push_str(scheme);
            continue;
        }
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(scheme);
        out.push_str(rest);
    }
    out
}

/// A key prefix with repeated slashes made one and none at its ends, as the
/// SDK's `s3_path_join` leaves it: `/team//ml/` is `team/ml`.
pub fn squeeze_slashes(prefix: &str) -> String {
    prefix.split('/').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("/")
}

/// Bucket and key of an `s3://bucket/key` URI.
pub fn split(uri: &str) -> Option<(&str, &str)> {
    let rest = uri.strip_prefix("s3://")?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() { None } else { Some((bucket, key)) }
}

/// Whether a string is an `s3://` URI.
pub fn is_s3(s: &str) -> bool {
    s.starts_with("s3://")
}

/// The last path segment of a URI or path.
pub fn basename(s: &str) -> &str {
    s.trim_end_matches('/').rsplit('/').next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_the_sdk() {
        assert_eq!(join(["s3://", "bucket", "job", "input", "code"]), "s3://bucket/job/input/code");
        assert_eq!(join(["s3://b/p/", "/job/"]), "s3://b/p/job");
        assert_eq!(split("s3://b/k/x.py"), Some(("b", "k/x.py")));
        assert_eq!(split("s3://b"), Some(("b", "")));
        assert_eq!(basename("s3://b/k/x.py"), "x.py");
        assert_eq!(squeeze_slashes("/team//ml/"), "team/ml");
        assert_eq!(join(["s3://", "bucket", &squeeze_slashes("")]), "s3://bucket");
    }
}
