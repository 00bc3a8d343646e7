//! A document that fails the schema, made typable, so that the semantic
//! rules can still check the rest of it.
//!
//! Unknown fields are dropped, and each value of the wrong type or out of
//! range (and each missing required field) is replaced by a placeholder of
//! the type the schema asks for. The result only serves the rules: the
//! placeholders stand where the schema has already reported a problem, and
//! rule problems located there are not reported.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value};

use crate::schema::schema;
use crate::schema_check::{VALIDATOR, subschema_of};

/// How many rounds of repair to try (each may reveal problems inside a
/// placeholder object).
const ROUNDS: usize = 4;

/// One change to the document.
enum Fix {
    /// Remove these keys from the object at the pointer.
    Remove(String, Vec<String>),
    /// Add a key to the object at the pointer.
    Insert(String, String, Value),
    /// Replace the value at the pointer.
    Replace(String, Value),
}

/// `json` changed until `typed` accepts it, or `None` when that takes more
/// than a few rounds or `kind`/`apiVersion` themselves are wrong or missing
/// (the rules of a kind the manifest is not would only mislead).
pub(crate) fn repaired<T>(mut json: Value, typed: impl Fn(Value) -> Option<T>) -> Option<T> {
    for _ in 0..ROUNDS {
        let fixes = fixes(&json)?;
        if fixes.is_empty() {
            return None;
        }
        for fix in fixes {
            apply(&mut json, fix);
        }
        if let Some(value) = typed(json.clone()) {
            return Some(value);
        }
    }
    None
}

fn fixes(json: &Value) -> Option<Vec<Fix>> {
    let mut fixes = Vec::new();
    for error in VALIDATOR.iter_errors(json) {
        let at = error.instance_path().as_str().to_string();
        if at == "/kind" || at == "/apiVersion" {
            return None;
        }
        let expected = subschema_of(&error);
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => fixes.push(Fix::Remove(at, unexpected.clone())),
            ValidationErrorKind::Required { property } => {
                let Some(name) = property.as_str() else { continue };
                if at.is_empty() && (name == "kind" || name == "apiVersion") {
                    return None;
                }
                let field = expected.and_then(|s| s.get("properties")).and_then(|p| p.get(name));
                fixes.push(Fix::Insert(at, name.to_string(), field.map_or(Value::Null, placeholder)));
            }
            ValidationErrorKind::Type { kind } => {
                let first = match kind {
                    TypeKind::Single(t) => t.to_string(),
                    TypeKind::Multiple(set) => set.iter().next().map(|t| t.to_string()).unwrap_or_default(),
                };
                fixes.push(Fix::Replace(at, of_type(&first, expected)));
            }
            ValidationErrorKind::Enum { options } => {
                fixes.push(Fix::Replace(at, options.get(0).cloned().unwrap_or(Value::Null)));
            }
            ValidationErrorKind::Constant { expected_value } => fixes.push(Fix::Replace(at, expected_value.as_ref().clone())),
            ValidationErrorKind::Minimum { limit } | ValidationErrorKind::Maximum { limit } => {
                fixes.push(Fix::Replace(at, limit.clone()));
            }
            ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
                if let Some(value) = expected.map(placeholder) {
                    fixes.push(Fix::Replace(at, value));
                }
            }
            // Patterns, lengths and the like: the value still has its type.
            _ => {}
        }
    }
    Some(fixes)
}

fn apply(json: &mut Value, fix: Fix) {
    match fix {
        Fix::Remove(at, keys) => {
            if let Some(object) = json.pointer_mut(&at).and_then(Value::as_object_mut) {
                keys.iter().for_each(|k| drop(object.remove(k)));
            }
        }
        Fix::Insert(at, key, value) => {
            if let Some(object) = json.pointer_mut(&at).and_then(Value::as_object_mut) {
                object.entry(key).or_insert(value);
            }
        }
        Fix::Replace(at, value) => {
            if let Some(slot) = json.pointer_mut(&at) {
                *slot = value;
            }
        }
    }
}

/// A value the (sub)schema accepts as to type.
fn placeholder(schema_value: &Value) -> Value {
    let s = resolve(schema_value);
    if let Some(first) = s.get("enum").and_then(|e| e.get(0)) {
        return first.clone();
    }
    if let Some(constant) = s.get("const") {
        return constant.clone();
    }
    match s.get("type") {
        Some(Value::String(t)) => of_type(t, Some(s)),
        Some(Value::Array(types)) => of_type(types.first().and_then(Value::as_str).unwrap_or("null"), Some(s)),
        _ => match s.get("anyOf").or_else(|| s.get("oneOf")).and_then(|a| a.get(0)) {
            Some(first) => placeholder(first),
            None if s.get("properties").is_some() => Value::Object(Map::new()),
            None => Value::Null,
        },
    }
}

fn of_type(t: &str, s: Option<&Value>) -> Value {
    match t {
        "string" => Value::String(String::new()),
        "integer" | "number" => s.and_then(|s| s.get("minimum")).cloned().unwrap_or(Value::from(0)),
        "boolean" => Value::Bool(false),
        "array" => Value::Array(Vec::new()),
        "object" => Value::Object(Map::new()),
        _ => Value::Null,
    }
}

/// Follows `$ref` and a lone `allOf` to the schema they stand for.
fn resolve(mut s: &Value) -> &Value {
    for _ in 0..8 {
        if let Some(target) = s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            match schema().pointer(target) {
                Some(t) => s = t,
                None => break,
            }
        } else if let Some([only]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            s = only;
        } else {
            break;
        }
    }
    s
}
