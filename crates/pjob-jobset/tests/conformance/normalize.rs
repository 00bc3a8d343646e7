//! What the comparison leaves out, as compare.py's `norm` does: what the
//! SDK and pjob may spell differently without sending a different request.

use serde_json::{Map, Value};

/// The default bucket the cases were captured with (`--default-bucket`).
pub const DEFAULT_BUCKET: &str = "pjob-default-bucket";
/// URIs in the default bucket start with this.
const BUCKET_PREFIX: &str = "s3://pjob-default-bucket/";

/// Lists the request keeps in no particular order, with the field that orders them.
const UNORDERED: [(&str, &str); 3] = [("ProcessingInputs", "InputName"), ("Outputs", "OutputName"), ("Tags", "Key")];

/// The value with empty fields (null, `{}`, `[]`) and `AppManaged: false`
/// left out, inputs, outputs and tags sorted by name, and every URI in the
/// default bucket cut to its last path segment (the SDK's keys hold its own
/// timestamped job name).
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(normalize_object(fields)),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::String(text) if in_default_bucket(text) => Value::String(format!("{BUCKET_PREFIX}…/{}", last_segment(text))),
        other => other.clone(),
    }
}

fn normalize_object(fields: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in fields {
        let value = normalize(value);
        if is_empty(&value) || (key == "AppManaged" && value == Value::Bool(false)) {
            continue;
        }
        out.insert(key.clone(), value);
    }
    for (list, name) in UNORDERED {
        if let Some(Value::Array(items)) = out.get_mut(list) {
            items.sort_by(|a, b| sort_key(a, name).cmp(sort_key(b, name)));
        }
    }
    out
}

fn sort_key<'a>(item: &'a Value, name: &str) -> &'a str {
    item.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(fields) => fields.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Whether a URI is in the default bucket.
pub fn in_default_bucket(uri: &str) -> bool {
    uri.starts_with(BUCKET_PREFIX)
}

/// A URI's last path segment, ignoring trailing slashes.
pub fn last_segment(uri: &str) -> &str {
    uri.trim_end_matches('/').rsplit('/').next().unwrap_or_default()
}
