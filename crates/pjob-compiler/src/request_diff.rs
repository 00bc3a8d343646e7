//! The difference between two `CreateProcessingJob` requests, field by
//! field, in the API's names: what `pjob plan` shows under a `changed` job.
//!
//! Both requests are JSON values of a [`CreateProcessingJobRequest`]
//! (`pjob render -o json` prints them). Paths read like
//! `AppSpecification.ContainerArguments[1]`, `Environment.MODE` and
//! `ProcessingInputs[raw].S3Input.S3Uri`: the lists of named things
//! ([`NAMED_LISTS`]) are matched by name, so inserting one input does not
//! show every later one as changed (a new order of the same names is one
//! change of the list, `~ ProcessingInputs: ["a","b"] -> ["b","a"]`); other
//! lists are matched by index.
//!
//! The job name is not a change: before comparing, the old job's name is
//! replaced by the new one wherever the old request's strings hold it (the
//! default output destinations and code locations embed it).
//!
//! [`CreateProcessingJobRequest`]: crate::CreateProcessingJobRequest

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use treediff::tools::{ChangeType, Recorder};
use treediff::value::Key;

/// The request field holding the job name.
const NAME_FIELD: &str = "ProcessingJobName";

/// Hex digits of an artifact's SHA-256 shown in a change.
pub const SHORT_HASH_LEN: usize = 12;

/// A list whose elements are matched by a name field.
#[derive(Debug, Clone, Copy)]
pub struct NamedList {
    /// Where the list is in the request.
    pub path: &'static [&'static str],
    /// The field naming each element.
    pub name_field: &'static str,
    /// Whether a new order of the same names is a change (not for tags,
    /// which SageMaker may list in another order than they were sent).
    pub ordered: bool,
}

/// The request's lists of named things.
pub const NAMED_LISTS: [NamedList; 3] = [
    NamedList { path: &["ProcessingInputs"], name_field: "InputName", ordered: true },
    NamedList { path: &["ProcessingOutputConfig", "Outputs"], name_field: "OutputName", ordered: true },
    NamedList { path: &["Tags"], name_field: "Key", ordered: false },
];

/// What happened to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    /// It has another value.
    #[serde(rename = "~")]
    Changed,
    /// It is new.
    #[serde(rename = "+")]
    Added,
    /// It is gone.
    #[serde(rename = "-")]
    Removed,
}

impl Op {
    /// `~`, `+` or `-`.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Changed => "~",
            Op::Added => "+",
            Op::Removed => "-",
        }
    }
}

/// One difference between two requests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What happened.
    pub op: Op,
    /// Which field (`Environment.MODE`), or `artifact <path>`.
    pub path: String,
    /// The old value (`null` when added).
    pub old: Value,
    /// The new value (`null` when removed).
    pub new: Value,
}

impl fmt::Display for Change {
    /// `~ PATH: OLD -> NEW`, `+ PATH: NEW` or `- PATH: OLD`, values as JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.op.symbol(), self.path)?;
        match self.op {
            Op::Changed => write!(f, "{} -> {}", self.old, self.new),
            Op::Added => write!(f, "{}", self.new),
            Op::Removed => write!(f, "{}", self.old),
        }
    }
}

/// What the old job had at an artifact's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldArtifact<'a> {
    /// No object.
    Absent,
    /// An object whose SHA-256 was not stored (pjob did not upload it).
    Unknown,
    /// An object with this hex SHA-256.
    Sha256(&'a str),
}

/// The change of the artifact at `path` (its place under the job) from
/// `old` to the content with `new_sha256` (`None`: the new job has no
/// artifact there), or `None` when nothing changed: `~ artifact PATH` with
/// short hashes (`unknown` for an object without a stored hash), `+` when
/// the old job had no object there, `-` when the new job has none.
pub fn artifact_change(path: &str, old: OldArtifact<'_>, new_sha256: Option<&str>) -> Option<Change> {
    let short = |sha: &str| Value::String(sha.get(..SHORT_HASH_LEN).unwrap_or(sha).to_string());
    let old_value = match old {
        OldArtifact::Absent => Value::Null,
        OldArtifact::Unknown => Value::String("unknown".into()),
        OldArtifact::Sha256(sha) => short(sha),
    };
    let op = match (old, new_sha256) {
        (OldArtifact::Sha256(old), Some(new)) if old.eq_ignore_ascii_case(new) => return None,
        (OldArtifact::Absent, None) => return None,
        (OldArtifact::Absent, Some(_)) => Op::Added,
        (_, None) => Op::Removed,
        (_, Some(_)) => Op::Changed,
    };
    Some(Change { op, path: format!("artifact {path}"), old: old_value, new: new_sha256.map_or(Value::Null, short) })
}

/// The changes from the `old` request to the `new` one, in field order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let (mut old, mut new) = (old.clone(), new.clone());
    let old_name = take_name(&mut old);
    let new_name = take_name(&mut new);
    if !old_name.is_empty() && old_name != new_name {
        rename(&mut old, &old_name, &new_name);
    }
    let reordered: Vec<Change> = NAMED_LISTS.iter().filter_map(|list| key_by_name(&mut old, &mut new, list)).collect();
    let mut recorder = Recorder::default();
    treediff::diff(&old, &new, &mut recorder);
    let mut changes: Vec<(Vec<Key>, Op, Value, Value)> = recorder
        .calls
        .into_iter()
        .filter_map(|call| match call {
            ChangeType::Modified(keys, o, n) => Some((keys, Op::Changed, o.clone(), n.clone())),
            ChangeType::Added(keys, n) => Some((keys, Op::Added, Value::Null, n.clone())),
            ChangeType::Removed(keys, o) => Some((keys, Op::Removed, o.clone(), Value::Null)),
            ChangeType::Unchanged(..) => None,
        })
        .collect();
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    let fields = changes.into_iter().map(|(keys, op, old, new)| Change { op, path: path_text(&keys), old, new });
    reordered.into_iter().chain(fields).collect()
}

/// Removes the job name from a request, returning it.
fn take_name(request: &mut Value) -> String {
    match request.as_object_mut().and_then(|r| r.shift_remove(NAME_FIELD)) {
        Some(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// Replaces `from` by `to` in every string of `value`.
fn rename(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, from, to)),
        Value::Object(fields) => fields.values_mut().for_each(|v| rename(v, from, to)),
        _ => {}
    }
}

/// Turns the list at `list.path` into an object keyed by each element's
/// name, in both requests, when every element of both has a distinct name
/// (otherwise both stay lists, matched by index). Returns the change of
/// order when the names both lists hold come in another order.
fn key_by_name(old: &mut Value, new: &mut Value, list: &NamedList) -> Option<Change> {
    let (old_list, new_list) = (lookup(old, list.path)?, lookup(new, list.path)?);
    let (old_keyed, new_keyed) = (keyed(old_list, list.name_field)?, keyed(new_list, list.name_field)?);
    let common = |of: &Map<String, Value>, other: &Map<String, Value>| -> Vec<String> {
        of.keys().filter(|name| other.contains_key(*name)).cloned().collect()
    };
    let (old_order, new_order) = (common(&old_keyed, &new_keyed), common(&new_keyed, &old_keyed));
    *old_list = Value::Object(old_keyed);
    *new_list = Value::Object(new_keyed);
    (list.ordered && old_order != new_order).then(|| Change {
        op: Op::Changed,
        path: list.path.join("."),
        old: old_order.into(),
        new: new_order.into(),
    })
}

/// The value at `path` (object fields), when there is one.
fn lookup<'v>(value: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |v, field| v.get_mut(*field))
}

/// The list's elements keyed by their `name_field`, when each has a
/// distinct one.
fn keyed(list: &Value, name_field: &str) -> Option<Map<String, Value>> {
    let items = list.as_array()?;
    let mut keyed = Map::new();
    for item in items {
        let name = item.get(name_field)?.as_str()?;
        if keyed.insert(name.to_string(), item.clone()).is_some() {
            return None;
        }
    }
    Some(keyed)
}

/// `AppSpecification.ContainerArguments[1]`, `ProcessingInputs[raw].S3Input`.
fn path_text(keys: &[Key]) -> String {
    let mut text = String::new();
    for (i, key) in keys.iter().enumerate() {
        match key {
            Key::Index(n) => text.push_str(&format!("[{n}]")),
            Key::String(name) if is_named_list(&keys[..i]) => text.push_str(&format!("[{name}]")),
            Key::String(field) if text.is_empty() => text.push_str(field),
            Key::String(field) => text.push_str(&format!(".{field}")),
        }
    }
    text
}

/// Whether `keys` lead to one of the [`NAMED_LISTS`].
fn is_named_list(keys: &[Key]) -> bool {
    NAMED_LISTS.iter().any(|list| {
        list.path.len() == keys.len() && list.path.iter().zip(keys).all(|(field, key)| matches!(key, Key::String(k) if k == field))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A request named `name` whose code and output live under the name.
    fn request(name: &str) -> Value {
        json!({
            "ProcessingJobName": name,
            "ProcessingInputs": [
                {"InputName": "raw", "AppManaged": false, "S3Input": {"S3Uri": "s3://data/raw/", "LocalPath": "/opt/ml/processing/input/raw", "S3DataType": "S3Prefix"}},
                {"InputName": "code", "AppManaged": false, "S3Input": {"S3Uri": format!("s3://b/{name}/input/code/run.py"), "LocalPath": "/opt/ml/processing/input/code", "S3DataType": "S3Prefix"}}
            ],
            "ProcessingOutputConfig": {"Outputs": [
                {"OutputName": "out", "AppManaged": false, "S3Output": {"S3Uri": format!("s3://b/{name}/output/out"), "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}
            ]},
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30}},
            "AppSpecification": {"ImageUri": "img:1", "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/run.py"], "ContainerArguments": ["--split", "0.2"]},
            "Environment": {"MODE": "full"},
            "RoleArn": "arn:aws:iam::123456789012:role/R",
            "Tags": [{"Key": "team", "Value": "ml"}]
        })
    }

    fn lines(changes: &[Change]) -> Vec<String> {
        changes.iter().map(Change::to_string).collect()
    }

    #[test]
    fn the_same_request_under_another_name_has_no_changes() {
        assert_eq!(diff(&request("churn-0123456789"), &request("churn-abcdef0123")), []);
    }

    #[test]
    fn a_changed_argument_is_one_change_by_index() {
        let mut new = request("churn-abcdef0123");
        new["AppSpecification"]["ContainerArguments"][1] = json!("0.3");
        let changes = diff(&request("churn-0123456789"), &new);
        assert_eq!(lines(&changes), [r#"~ AppSpecification.ContainerArguments[1]: "0.2" -> "0.3""#]);
        assert_eq!(
            changes[0],
            Change { op: Op::Changed, path: "AppSpecification.ContainerArguments[1]".into(), old: json!("0.2"), new: json!("0.3") }
        );
    }

    #[test]
    fn environment_entries_are_added_removed_and_changed_by_key() {
        let old = request("a-0123456789");
        let mut new = request("a-abcdef0123");
        new["Environment"] = json!({"MODE": "fast", "DEBUG": "1"});
        assert_eq!(lines(&diff(&old, &new)), [r#"+ Environment.DEBUG: "1""#, r#"~ Environment.MODE: "full" -> "fast""#]);
        new["Environment"] = json!({});
        assert_eq!(lines(&diff(&old, &new)), [r#"- Environment.MODE: "full""#]);
    }

    #[test]
    fn an_inserted_input_is_one_addition_and_the_others_keep_their_names() {
        let old = request("a-0123456789");
        let mut new = request("a-abcdef0123");
        let extra = json!({"InputName": "extra", "AppManaged": false, "S3Input": {"S3Uri": "s3://data/extra/", "S3DataType": "S3Prefix"}});
        new["ProcessingInputs"].as_array_mut().unwrap().insert(0, extra.clone());
        new["ProcessingInputs"][1]["S3Input"]["S3Uri"] = json!("s3://data/raw-v2/");
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].op, Op::Added);
        assert_eq!(changes[0].path, "ProcessingInputs[extra]");
        assert_eq!(changes[0].new, extra);
        assert_eq!(changes[1].to_string(), r#"~ ProcessingInputs[raw].S3Input.S3Uri: "s3://data/raw/" -> "s3://data/raw-v2/""#);
    }

    #[test]
    fn a_new_order_of_the_same_inputs_is_one_change() {
        let old = request("a-0123456789");
        let mut new = request("a-abcdef0123");
        new["ProcessingInputs"].as_array_mut().unwrap().reverse();
        assert_eq!(lines(&diff(&old, &new)), [r#"~ ProcessingInputs: ["raw","code"] -> ["code","raw"]"#]);
        let mut tags = request("a-abcdef0123");
        tags["Tags"] = json!([{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]);
        let mut old_tags = old.clone();
        old_tags["Tags"] = json!([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]);
        assert_eq!(diff(&old_tags, &tags), [], "tags have no order");
    }

    #[test]
    fn outputs_and_tags_are_matched_by_name() {
        let old = request("a-0123456789");
        let mut new = request("a-abcdef0123");
        new["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3UploadMode"] = json!("Continuous");
        new["Tags"] = json!([{"Key": "owner", "Value": "me"}, {"Key": "team", "Value": "data"}]);
        assert_eq!(
            lines(&diff(&old, &new)),
            [
                r#"~ ProcessingOutputConfig.Outputs[out].S3Output.S3UploadMode: "EndOfJob" -> "Continuous""#,
                r#"+ Tags[owner]: {"Key":"owner","Value":"me"}"#,
                r#"~ Tags[team].Value: "ml" -> "data""#,
            ]
        );
    }

    #[test]
    fn lists_with_repeated_names_are_matched_by_index() {
        let mut old = request("a-0123456789");
        old["Tags"] = json!([{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]);
        let mut new = request("a-abcdef0123");
        new["Tags"] = json!([{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "3"}]);
        assert_eq!(lines(&diff(&old, &new)), [r#"~ Tags[1].Value: "2" -> "3""#]);
    }

    #[test]
    fn whole_fields_appear_and_disappear() {
        let old = request("a-0123456789");
        let mut new = request("a-abcdef0123");
        new["StoppingCondition"] = json!({"MaxRuntimeInSeconds": 3600});
        new.as_object_mut().unwrap().shift_remove("Tags");
        assert_eq!(
            lines(&diff(&old, &new)),
            [r#"+ StoppingCondition: {"MaxRuntimeInSeconds":3600}"#, r#"- Tags: [{"Key":"team","Value":"ml"}]"#]
        );
    }

    #[test]
    fn a_location_that_does_not_follow_the_name_is_a_change() {
        let old = request("a-0123456789");
        let mut new = request("a-abcdef0123");
        new["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] = json!("s3://b/a-0123456789/output/out");
        assert_eq!(
            lines(&diff(&old, &new)),
            [
                r#"~ ProcessingOutputConfig.Outputs[out].S3Output.S3Uri: "s3://b/a-abcdef0123/output/out" -> "s3://b/a-0123456789/output/out""#
            ]
        );
    }

    #[test]
    fn artifacts_are_compared_by_hash() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        assert_eq!(artifact_change("input/code/run.py", OldArtifact::Sha256(&a), Some(&a)), None);
        let changed = artifact_change("input/code/run.py", OldArtifact::Sha256(&a), Some(&b)).unwrap();
        assert_eq!(changed.to_string(), r#"~ artifact input/code/run.py: "aaaaaaaaaaaa" -> "bbbbbbbbbbbb""#);
        let unknown = artifact_change("input/code/run.py", OldArtifact::Unknown, Some(&b)).unwrap();
        assert_eq!((unknown.op, unknown.old), (Op::Changed, json!("unknown")));
        let added = artifact_change("input/data/new.csv", OldArtifact::Absent, Some(&b)).unwrap();
        assert_eq!(added.to_string(), r#"+ artifact input/data/new.csv: "bbbbbbbbbbbb""#);
        let removed = artifact_change("input/data/old.csv", OldArtifact::Sha256(&a), None).unwrap();
        assert_eq!(removed.to_string(), r#"- artifact input/data/old.csv: "aaaaaaaaaaaa""#);
        assert_eq!(artifact_change("input/data/gone.csv", OldArtifact::Absent, None), None);
    }
}
