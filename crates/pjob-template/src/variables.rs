//! Variables from outside the manifest: `--vars-file` and `--var`.

use std::collections::BTreeMap;
use std::path::Path;

use pjob_source::{Format, SourceFile};

/// Command-line variables, later wins: files in order, then `--var`s.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    values: BTreeMap<String, serde_json::Value>,
}

/// A variables file or `--var` that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum VariablesError {
    /// The file could not be read.
    #[error("cannot read variables file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid YAML, TOML or JSON.
    #[error(transparent)]
    Syntax(Box<pjob_source::Diagnostic>),
    /// The file's top level is not a mapping.
    #[error("{path}: a variables file must hold a mapping of names to values")]
    NotAMapping {
        /// The file.
        path: String,
    },
    /// A `--var` without `=`.
    #[error("--var {0}: write --var NAME=VALUE")]
    BadAssignment(String),
}

impl Variables {
    /// No variables.
    pub fn new() -> Variables {
        Variables::default()
    }

    /// Adds every top-level key of a YAML, TOML or JSON file (JSON reads as YAML).
    pub fn add_file(&mut self, path: &Path) -> Result<(), VariablesError> {
        let text = std::fs::read_to_string(path).map_err(|source| VariablesError::Read { path: path.display().to_string(), source })?;
        let format = if Format::from_path(path) == Format::Toml { Format::Toml } else { Format::Yaml };
        let file = SourceFile::with_format(path, text, format);
        let docs = pjob_source::parse(&file).map_err(VariablesError::Syntax)?;
        let Some(doc) = docs.first() else { return Ok(()) };
        match doc.root.to_json() {
            serde_json::Value::Object(map) => {
                self.values.extend(map);
                Ok(())
            }
            _ => Err(VariablesError::NotAMapping { path: path.display().to_string() }),
        }
    }

    /// Adds `NAME=VALUE`. Whole numbers and `true`/`false` take their type
    /// (so `"{{ count }}"` can fill `instance_count`); anything else is a
    /// string.
    pub fn set(&mut self, assignment: &str) -> Result<(), VariablesError> {
        let (name, value) = assignment.split_once('=').ok_or_else(|| VariablesError::BadAssignment(assignment.to_string()))?;
        if name.is_empty() {
            return Err(VariablesError::BadAssignment(assignment.to_string()));
        }
        let typed = match value {
            "true" => serde_json::Value::Bool(true),
            "false" => serde_json::Value::Bool(false),
            v => match v.parse::<i64>() {
                Ok(n) if n.to_string() == v => serde_json::Value::from(n),
                _ => serde_json::Value::String(v.to_string()),
            },
        };
        self.values.insert(name.to_string(), typed);
        Ok(())
    }

    /// Sets a variable to a value of any type.
    pub fn insert(&mut self, name: impl Into<String>, value: serde_json::Value) {
        self.values.insert(name.into(), value);
    }

    /// The variables, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &serde_json::Value)> {
        self.values.iter()
    }
}
