//! Values go into `analysis_config.json` as the manifest writes them, as the
//! SDK passes them through. Before it uploads the configuration, the SDK
//! checks it against its schema (`ANALYSIS_CONFIG_SCHEMA_V1_0`), unless the
//! processor's `skip_early_validation` is set: [`Values`] holds each value to
//! that schema's type only when the check is on.

use pjob_manifest::LabelValue;
use serde_json::{Map, Value};

use crate::CompileError;

/// Writes manifest values, checking them as the SDK's schema would.
#[derive(Debug, Clone, Copy)]
pub(super) struct Values {
    /// The SDK's early validation is on (`skip_early_validation: false`).
    pub(super) early: bool,
}

/// What the SDK's schema takes in a place.
#[derive(Clone, Copy)]
enum Expected {
    /// `Or(str, int)`.
    NameOrIndex,
    /// `Or(int, float, str)`.
    Scalar,
    /// `int`.
    Int,
    /// `float`.
    Float,
}

impl Expected {
    fn admits(self, v: &Value) -> bool {
        let integer = |v: &Value| v.as_i64().is_some() || v.as_u64().is_some();
        match self {
            Expected::NameOrIndex => v.is_string() || integer(v),
            Expected::Scalar => v.is_string() || v.is_number(),
            Expected::Int => integer(v),
            Expected::Float => v.is_f64(),
        }
    }

    fn wanted(self) -> &'static str {
        match self {
            Expected::NameOrIndex => "a column name (string) or a zero-based index (integer)",
            Expected::Scalar => "a string or a number",
            Expected::Int => "an integer",
            Expected::Float => "a float (write `1.0`, not `1`)",
        }
    }
}

impl Values {
    /// A column name or index.
    pub(super) fn name_or_index(self, v: &Value, pointer: &str) -> Result<Value, CompileError> {
        self.typed(v, Expected::NameOrIndex, pointer)
    }

    /// A column name or index that may be left out (or null).
    pub(super) fn optional_name(self, v: Option<&LabelValue>, pointer: &str) -> Result<Option<Value>, CompileError> {
        v.filter(|v| !v.0.is_null()).map(|v| self.name_or_index(&v.0, pointer)).transpose()
    }

    /// A list of column names or indices.
    pub(super) fn names_or_indices(self, items: &[LabelValue], pointer: &str) -> Result<Value, CompileError> {
        let items = items.iter().enumerate().map(|(i, item)| self.name_or_index(&item.0, &format!("{pointer}/{i}")));
        Ok(Value::Array(items.collect::<Result<_, _>>()?))
    }

    /// A label or facet value, or a threshold.
    pub(super) fn scalar(self, v: &Value, pointer: &str) -> Result<Value, CompileError> {
        self.typed(v, Expected::Scalar, pointer)
    }

    /// An integer.
    pub(super) fn int(self, v: &Value, pointer: &str) -> Result<Value, CompileError> {
        self.typed(v, Expected::Int, pointer)
    }

    /// A float.
    pub(super) fn float(self, v: &Value, pointer: &str) -> Result<Value, CompileError> {
        self.typed(v, Expected::Float, pointer)
    }

    /// A list of values or thresholds (written as it is without early validation).
    pub(super) fn scalar_list(self, v: &Value, pointer: &str) -> Result<Value, CompileError> {
        match v {
            Value::Array(items) => {
                let items = items.iter().enumerate().map(|(i, item)| self.scalar(item, &format!("{pointer}/{i}")));
                Ok(Value::Array(items.collect::<Result<_, _>>()?))
            }
            other if self.early => Err(refused(
                pointer,
                &format!("`{other}` is not a list of values"),
                &with_skip_hint("write the values (or the threshold) as a list, e.g. `[40]` or `[\"F\"]`"),
            )),
            other => Ok(other.clone()),
        }
    }

    /// Fails with the SDK's schema check when it is on; the value is
    /// otherwise written as it is.
    pub(super) fn check(self, ok: bool, pointer: &str, message: &str, help: &str) -> Result<(), CompileError> {
        if self.early && !ok { Err(refused(pointer, message, &with_skip_hint(help))) } else { Ok(()) }
    }

    fn typed(self, v: &Value, expected: Expected, pointer: &str) -> Result<Value, CompileError> {
        self.check(expected.admits(v), pointer, &format!("`{v}` is not {}", expected.wanted()), &format!("give {}", expected.wanted()))?;
        Ok(v.clone())
    }
}

/// A hint, and how to write the value anyway.
fn with_skip_hint(help: &str) -> String {
    format!("{help} (or set `skip_early_validation: true` to write it as it is)")
}

/// The SDK's `_set`: only values that are there.
pub(super) fn set(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v);
    }
}

/// A combination the SDK refuses, at the manifest value `pointer` names.
pub(super) fn refused(pointer: &str, message: &str, help: &str) -> CompileError {
    CompileError::Refused { pointer: pointer.to_string(), message: message.to_string(), help: help.to_string() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Values;

    const EARLY: Values = Values { early: true };
    const SKIP: Values = Values { early: false };

    #[test]
    fn schema_types_hold_only_with_early_validation() {
        assert!(EARLY.name_or_index(&json!(2), "/x").is_ok());
        assert!(EARLY.name_or_index(&json!(2.5), "/x").is_err());
        assert!(EARLY.name_or_index(&json!(true), "/x").is_err());
        assert_eq!(SKIP.name_or_index(&json!(2.5), "/x").unwrap(), json!(2.5));
        assert!(EARLY.float(&json!(1), "/x").is_err());
        assert_eq!(SKIP.float(&json!(1), "/x").unwrap(), json!(1));
        assert!(EARLY.scalar_list(&json!(40), "/x").is_err());
        assert_eq!(SKIP.scalar_list(&json!(40), "/x").unwrap(), json!(40));
    }

    #[test]
    fn refusals_say_how_to_skip_the_check() {
        let message = EARLY.int(&json!(1.5), "/spec/x").unwrap_err();
        assert!(message.help().contains("skip_early_validation"), "{}", message.help());
    }
}
