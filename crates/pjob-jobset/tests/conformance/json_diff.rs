//! Where two JSON values differ, path by path (`$.A.B[0]: expected X got Y`),
//! as compare.py's `diff` reports it.

use std::collections::BTreeSet;

use serde_json::Value;

/// How numbers compare.
#[derive(Debug, Clone, Copy)]
pub enum Numbers {
    /// An integer never equals a float, as compare.py holds requests (`type(a) != type(b)`).
    Typed,
    /// By value (`1 == 1.0`), as compare.py holds generated JSON (Python's `==`).
    ByValue,
}

/// Every difference, in path order; none when the values are the same.
pub fn diff(expected: &Value, actual: &Value, numbers: Numbers) -> Vec<String> {
    let mut out = Vec::new();
    diff_at("$", expected, actual, numbers, &mut out);
    out
}

fn diff_at(path: &str, expected: &Value, actual: &Value, numbers: Numbers, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let keys: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            for key in keys {
                let at = format!("{path}.{key}");
                match (e.get(key), a.get(key)) {
                    (Some(x), Some(y)) => diff_at(&at, x, y, numbers, out),
                    (Some(x), None) => out.push(format!("{at}: missing (expected {})", dump(x, 200))),
                    (None, Some(y)) => out.push(format!("{at}: unexpected {}", dump(y, 200))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() != a.len() => {
            out.push(format!("{path}: expected {} items got {}: {}", e.len(), a.len(), dump(actual, 300)));
        }
        (Value::Array(e), Value::Array(a)) => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                diff_at(&format!("{path}[{i}]"), x, y, numbers, out);
            }
        }
        _ if same_leaf(expected, actual, numbers) => {}
        _ => out.push(format!("{path}: expected {} got {}", dump(expected, 200), dump(actual, 200))),
    }
}

fn same_leaf(expected: &Value, actual: &Value, numbers: Numbers) -> bool {
    match (expected, actual, numbers) {
        (Value::Number(e), Value::Number(a), Numbers::ByValue) => e.as_f64() == a.as_f64(),
        // serde_json's numbers keep their kind: 1 and 1.0 differ.
        _ => expected == actual,
    }
}

/// The value as JSON, cut to `max` characters.
fn dump(value: &Value, max: usize) -> String {
    value.to_string().chars().take(max).collect()
}
