//! Values decided while the pipeline runs: a string holding markers (see
//! [`pjob_template::reference`]) becomes the expression SageMaker resolves.
//!
//! A string that is one marker becomes `{"Get": ...}`. A longer one becomes
//! `{"Std:Join": {"On": ..., "Values": [...]}}`: joined on `/` when every
//! marker is a whole path segment (`s3://b/{{ x }}/part`), one value per
//! segment as the SDK's own joins of S3 paths are written, and on `""`
//! otherwise (`--rate={{ rate }}`).

use pjob_template::reference::{self, Marked, Reference, Target};
use serde_json::{Value, json};

/// The `Get` expression for a marker.
pub fn get(marked: &Marked) -> Value {
    let path = match marked {
        Marked::Reference(Reference { job, target: Target::Output(output) }) => {
            format!("Steps.{job}.ProcessingOutputConfig.Outputs['{output}'].S3Output.S3Uri")
        }
        Marked::Reference(Reference { job, target: Target::JobName }) => format!("Steps.{job}.ProcessingJobName"),
        Marked::Parameter(name) => format!("Parameters.{name}"),
    };
    json!({ "Get": path })
}

/// `{"Std:Join": {"On": on, "Values": values}}`.
pub fn join(on: &str, values: Vec<Value>) -> Value {
    json!({ "Std:Join": { "On": on, "Values": values } })
}

/// Every string of `value` holding a marker, made into its expression.
pub fn resolve_markers(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('⟦') => {
            if let Some(expression) = of_text(s) {
                *value = expression;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(resolve_markers),
        Value::Object(map) => map.values_mut().for_each(resolve_markers),
        _ => {}
    }
}

/// A piece of a string: text, or a marker.
enum Piece<'a> {
    Text(&'a str),
    Marker(Marked),
}

/// The expression a string holding markers stands for; `None` without markers.
pub fn of_text(text: &str) -> Option<Value> {
    let found = reference::find_marked(text);
    if found.is_empty() {
        return None;
    }
    if let [(range, marked)] = found.as_slice()
        && range.len() == text.len()
    {
        return Some(get(marked));
    }
    let mut pieces = Vec::new();
    let mut at = 0;
    for (range, marked) in found {
        pieces.push(Piece::Text(&text[at..range.start]));
        pieces.push(Piece::Marker(marked));
        at = range.end;
    }
    pieces.push(Piece::Text(&text[at..]));
    Some(joined_on_slash(&pieces).unwrap_or_else(|| joined_on_nothing(&pieces)))
}

/// The join on `/`, when every marker is a whole `/`-separated segment.
fn joined_on_slash(pieces: &[Piece]) -> Option<Value> {
    let whole_segments = pieces.windows(3).all(|w| match w {
        [Piece::Text(before), Piece::Marker(_), Piece::Text(after)] => {
            (before.is_empty() || before.ends_with('/')) && (after.is_empty() || after.starts_with('/'))
        }
        _ => true,
    });
    // Two markers side by side (`{{ a }}{{ b }}`) share a segment.
    let adjacent = pieces.windows(3).any(|w| matches!(w, [Piece::Marker(_), Piece::Text(""), Piece::Marker(_)]));
    if !whole_segments || adjacent {
        return None;
    }
    let mut values: Vec<Value> = Vec::new();
    let last = pieces.len() - 1;
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Marker(marked) => values.push(get(marked)),
            Piece::Text("") => {}
            Piece::Text(text) => {
                let mut segments: Vec<&str> = text.split('/').collect();
                // The slash next to a marker is the join's own.
                if i < last {
                    segments.pop();
                }
                if i > 0 {
                    segments.remove(0);
                }
                if values.is_empty() && segments.starts_with(&["s3:", ""]) {
                    // `s3://` is the one value `s3:/`, as the SDK writes it.
                    segments.splice(0..2, ["s3:/"]);
                }
                values.extend(segments.into_iter().map(Value::from));
            }
        }
    }
    Some(join("/", values))
}

/// The join on `""` of the text and the markers, in order.
fn joined_on_nothing(pieces: &[Piece]) -> Value {
    let values = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Text("") => None,
            Piece::Text(text) => Some(Value::String(text.to_string())),
            Piece::Marker(marked) => Some(get(marked)),
        })
        .collect();
    join("", values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(job: &str, output: &str) -> String {
        Reference { job: job.into(), target: Target::Output(output.into()) }.marker()
    }

    fn train() -> Value {
        json!({"Get": "Steps.prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"})
    }

    #[test]
    fn a_lone_marker_is_a_get() {
        assert_eq!(of_text(&output("prep", "train")), Some(train()));
        let name = Reference { job: "prep".into(), target: Target::JobName }.marker();
        assert_eq!(of_text(&name), Some(json!({"Get": "Steps.prep.ProcessingJobName"})));
        let rate = reference::parameter_marker("rate", None);
        assert_eq!(of_text(&rate), Some(json!({"Get": "Parameters.rate"})));
        assert_eq!(of_text("no marker"), None);
    }

    #[test]
    fn whole_segments_join_on_slash() {
        assert_eq!(of_text(&format!("{}/part", output("prep", "train"))), Some(join("/", vec![train(), json!("part")])));
        let bucket = reference::parameter_marker("bucket", None);
        assert_eq!(
            of_text(&format!("s3://{bucket}/data/x")),
            Some(join("/", vec![json!("s3:/"), json!({"Get": "Parameters.bucket"}), json!("data"), json!("x")]))
        );
        let (a, b) = (output("a", "o"), output("b", "o"));
        let get = |job: &str| json!({"Get": format!("Steps.{job}.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri")});
        assert_eq!(of_text(&format!("{a}/{b}")), Some(join("/", vec![get("a"), get("b")])));
        assert_eq!(of_text(&format!("{a}//{b}")), Some(join("/", vec![get("a"), json!(""), get("b")])));
        let stage = reference::parameter_marker("stage", None);
        assert_eq!(
            of_text(&format!("s3://data/{stage}/train/")),
            Some(join("/", vec![json!("s3:/"), json!("data"), json!({"Get": "Parameters.stage"}), json!("train"), json!("")]))
        );
    }

    #[test]
    fn markers_inside_words_join_on_nothing() {
        let rate = reference::parameter_marker("rate", None);
        assert_eq!(of_text(&format!("--rate={rate}")), Some(join("", vec![json!("--rate="), json!({"Get": "Parameters.rate"})])));
        let both = format!("{rate}{rate}");
        assert_eq!(of_text(&both), Some(join("", vec![json!({"Get": "Parameters.rate"}), json!({"Get": "Parameters.rate"})])));
    }

    #[test]
    fn markers_are_resolved_anywhere_in_a_document() {
        let mut doc = json!({"a": [output("prep", "train"), "plain"], "b": {"c": format!("x-{}", reference::parameter_marker("n", None))}});
        resolve_markers(&mut doc);
        assert_eq!(doc, json!({"a": [train(), "plain"], "b": {"c": join("", vec![json!("x-"), json!({"Get": "Parameters.n"})])}}));
    }
}
