//! `s3://bucket/key` URIs.

use std::fmt;

use crate::S3Error;

/// A parsed `s3://bucket/key` URI (the key may be empty or a prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Uri {
    /// The bucket.
    pub bucket: String,
    /// The key or key prefix (no leading `/`).
    pub key: String,
}

impl S3Uri {
    /// Parses `s3://bucket/key`.
    pub fn parse(uri: &str) -> Result<S3Uri, S3Error> {
        let rest = uri.strip_prefix("s3://").ok_or_else(|| S3Error::InvalidUri(uri.to_string()))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(S3Error::InvalidUri(uri.to_string()));
        }
        Ok(S3Uri { bucket: bucket.to_string(), key: key.to_string() })
    }

    /// The URI of another key in the same bucket.
    pub fn with_key(&self, key: impl Into<String>) -> S3Uri {
        S3Uri { bucket: self.bucket.clone(), key: key.into() }
    }
}

impl fmt::Display for S3Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bucket_and_key() {
        let u = S3Uri::parse("s3://b/a/b.txt").unwrap();
        assert_eq!((u.bucket.as_str(), u.key.as_str()), ("b", "a/b.txt"));
        assert_eq!(S3Uri::parse("s3://b").unwrap().key, "");
        assert_eq!(u.to_string(), "s3://b/a/b.txt");
    }

    #[test]
    fn refuses_what_is_not_an_s3_uri() {
        for bad in ["b/a", "s3:///key", "https://b/a", ""] {
            assert!(matches!(S3Uri::parse(bad), Err(S3Error::InvalidUri(_))), "{bad}");
        }
    }
}
