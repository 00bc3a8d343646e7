//! What changed between two definitions, for `pjob plan --pipeline`: steps
//! are matched by name, and each step's `Arguments` compared as requests
//! are (inputs, outputs and tags by name).

use pjob_compiler::request_diff::{self, Change, Op};
use serde_json::{Map, Value};

/// The changes from the `old` definition to the `new` one: the document's
/// own fields first, then each step in the new definition's order, then
/// the steps that are gone.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let (old_steps, old_rest) = split_steps(old);
    let (new_steps, new_rest) = split_steps(new);
    let mut changes = request_diff::diff(&old_rest, &new_rest);
    for (name, new_step) in &new_steps {
        let place = format!("Steps[{name}]");
        match old_steps.get(name) {
            None => changes.push(Change { op: Op::Added, path: place, old: Value::Null, new: new_step.clone() }),
            Some(old_step) => changes.extend(step_diff(old_step, new_step, &place)),
        }
    }
    for (name, old_step) in old_steps.iter().filter(|(name, _)| !new_steps.contains_key(*name)) {
        changes.push(Change { op: Op::Removed, path: format!("Steps[{name}]"), old: old_step.clone(), new: Value::Null });
    }
    changes
}

/// A step's changes: its `Arguments` as a request, then its other fields.
fn step_diff(old: &Value, new: &Value, place: &str) -> Vec<Change> {
    let (mut old, mut new) = (old.clone(), new.clone());
    let take = |step: &mut Value| step.as_object_mut().and_then(|s| s.shift_remove("Arguments")).unwrap_or(Value::Null);
    let (old_arguments, new_arguments) = (take(&mut old), take(&mut new));
    let arguments = request_diff::diff(&old_arguments, &new_arguments).into_iter().map(|c| under(c, &format!("{place}.Arguments")));
    let fields = request_diff::diff(&old, &new).into_iter().map(|c| under(c, place));
    arguments.chain(fields).collect()
}

/// The change, its path under `place`.
fn under(change: Change, place: &str) -> Change {
    let path = if change.path.is_empty() { place.to_string() } else { format!("{place}.{}", change.path) };
    Change { path, ..change }
}

/// The steps by name, and the definition without them.
fn split_steps(definition: &Value) -> (Map<String, Value>, Value) {
    let mut rest = definition.clone();
    let steps = rest.as_object_mut().and_then(|d| d.shift_remove("Steps")).unwrap_or(Value::Null);
    let by_name = steps
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, step)| (step.get("Name").and_then(Value::as_str).map_or_else(|| format!("#{i}"), str::to_string), step.clone()))
        .collect();
    (by_name, rest)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn definition(rate: &str, steps: &[&str]) -> Value {
        let steps: Vec<Value> = steps
            .iter()
            .map(|name| json!({"Name": name, "Type": "Processing", "Arguments": {"AppSpecification": {"ContainerArguments": ["--rate", rate]}}}))
            .collect();
        json!({"Version": "2020-12-01", "Parameters": [], "Steps": steps})
    }

    #[test]
    fn changes_are_named_by_step() {
        let changes: Vec<String> =
            diff(&definition("0.2", &["a", "b"]), &definition("0.3", &["b", "c"])).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            changes,
            [
                r#"~ Steps[b].Arguments.AppSpecification.ContainerArguments[1]: "0.2" -> "0.3""#,
                r#"+ Steps[c]: {"Name":"c","Type":"Processing","Arguments":{"AppSpecification":{"ContainerArguments":["--rate","0.3"]}}}"#,
                r#"- Steps[a]: {"Name":"a","Type":"Processing","Arguments":{"AppSpecification":{"ContainerArguments":["--rate","0.2"]}}}"#,
            ]
        );
        assert!(diff(&definition("0.2", &["a"]), &definition("0.2", &["a"])).is_empty());
    }
}
