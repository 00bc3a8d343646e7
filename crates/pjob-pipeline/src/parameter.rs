//! Pipeline parameters (`--pipeline-parameter NAME`): template variables
//! whose value is decided when an execution starts. Each one's type and
//! default come from the variable's value, as the manifests' `vars:`,
//! `--vars-file` and `--var` give it.

use std::collections::BTreeMap;
use std::sync::Arc;

use pjob_source::{Code, Diagnostic, Document, SourceFile, Span};
use serde_json::{Value, json};

/// A parameter's type, as a pipeline definition names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// A number with a fraction.
    Float,
    /// `true` or `false`.
    Boolean,
}

impl ParameterType {
    /// The type a default value gives its parameter; `None` for a list, a
    /// mapping or null, which no parameter type holds.
    pub fn of(value: &Value) -> Option<ParameterType> {
        match value {
            Value::String(_) => Some(ParameterType::String),
            Value::Bool(_) => Some(ParameterType::Boolean),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(ParameterType::Integer),
            Value::Number(_) => Some(ParameterType::Float),
            _ => None,
        }
    }

    /// The name a pipeline definition gives the type.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterType::String => "String",
            ParameterType::Integer => "Integer",
            ParameterType::Float => "Float",
            ParameterType::Boolean => "Boolean",
        }
    }
}

/// One pipeline parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The variable's name, and the parameter's.
    pub name: String,
    /// Its type.
    pub kind: ParameterType,
    /// Its default value: the variable's value.
    pub default: Value,
}

impl Parameter {
    /// The parameter as the definition's `Parameters` list holds it.
    pub fn to_definition(&self) -> Value {
        json!({ "Name": self.name, "Type": self.kind.as_str(), "DefaultValue": self.default })
    }
}

/// A default one manifest's `vars:` gives a parameter.
#[derive(Debug, Clone)]
pub struct Declared {
    /// The parameter.
    pub name: String,
    /// The value.
    pub value: Value,
    /// Where, in the manifest.
    pub span: Span,
}

/// The defaults `doc`'s `vars:` gives the parameters `names` (safe to call
/// on any thread).
pub fn declared(doc: &Document, names: &[String]) -> Vec<Declared> {
    let Some(vars) = doc.root.get("vars") else { return Vec::new() };
    names
        .iter()
        .filter_map(|name| vars.get(name).map(|node| Declared { name: name.clone(), value: node.to_json(), span: node.span }))
        .collect()
}

/// The defaults each parameter has been given so far.
#[derive(Debug)]
pub struct ParameterDefaults {
    /// The parameters, in the order they were named.
    names: Vec<String>,
    /// Values from `--vars-file` and `--var`: they win over every manifest.
    command_line: BTreeMap<String, Value>,
    /// The first manifest default of each parameter, and where it is (`file:line:col`).
    first: BTreeMap<String, (Value, String)>,
}

/// A parameter that cannot be given a type and a default.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParameterError {
    /// No manifest, `--vars-file` or `--var` gives it a value.
    #[error("--pipeline-parameter {0}: no manifest's `vars:`, no --vars-file and no --var gives `{0}` a value (its default)")]
    NoValue(String),
    /// Its command-line value is a list, a mapping or null.
    #[error("--pipeline-parameter {0}: its value from --vars-file is {1}; a parameter is a string, a number or a boolean")]
    Unsupported(String, String),
}

impl ParameterDefaults {
    /// Parameters `names`; `command_line` is every `--vars-file` and `--var` value.
    pub fn new<'a>(names: &[String], command_line: impl IntoIterator<Item = (&'a String, &'a Value)>) -> ParameterDefaults {
        let command_line = command_line.into_iter().filter(|(k, _)| names.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        ParameterDefaults { names: names.to_vec(), command_line, first: BTreeMap::new() }
    }

    /// Takes one manifest's defaults, in set order: a default of a type no
    /// parameter has, or one that differs from an earlier manifest's, is a
    /// problem at its value (unless the command line sets the parameter).
    pub fn observe(&mut self, file: &Arc<SourceFile>, declared: Vec<Declared>) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for Declared { name, value, span } in declared.into_iter().filter(|d| !self.command_line.contains_key(&d.name)) {
            if ParameterType::of(&value).is_none() {
                let message =
                    format!("pipeline parameter `{name}` has the default {value}; a parameter is a string, a number or a boolean");
                problems.push(Diagnostic::new(file, span, Code::PipelineParameter, message));
                continue;
            }
            match self.first.get(&name) {
                None => {
                    let at = Diagnostic::new(file, span, Code::PipelineParameter, "").location().clone();
                    self.first.insert(name, (value, format!("{}:{}:{}", at.file, at.line, at.column)));
                }
                Some((first, at)) if *first != value => {
                    let message = format!("pipeline parameter `{name}` has the default {value} here, but {first} in {at}");
                    let help = format!(
                        "a parameter has one default: give `{name}` the same value in both manifests, or set it with --var {name}=VALUE"
                    );
                    problems.push(Diagnostic::new(file, span, Code::PipelineParameter, message).with_help(help));
                }
                Some(_) => {}
            }
        }
        problems
    }

    /// The parameters, in the order they were named, once every manifest has been observed.
    pub fn finish(self) -> Result<Vec<Parameter>, ParameterError> {
        let ParameterDefaults { names, mut command_line, mut first } = self;
        names
            .into_iter()
            .map(|name| {
                let default = match command_line.remove(&name) {
                    Some(value) => value,
                    None => first.remove(&name).map(|(value, _)| value).ok_or_else(|| ParameterError::NoValue(name.clone()))?,
                };
                let kind = ParameterType::of(&default).ok_or_else(|| ParameterError::Unsupported(name.clone(), default.to_string()))?;
                Ok(Parameter { name, kind, default })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, text: &str) -> (Arc<SourceFile>, Document) {
        let file = Arc::new(SourceFile::new(path, text));
        let doc = pjob_source::parse(&file).unwrap().remove(0);
        (file, doc)
    }

    #[test]
    fn types_come_from_the_defaults_and_the_command_line_wins() {
        let names: Vec<String> = ["s", "i", "f", "b", "c"].map(String::from).to_vec();
        let cli = [("c".to_string(), json!("from-cli"))];
        let mut defaults = ParameterDefaults::new(&names, cli.iter().map(|(k, v)| (k, v)));
        let (file, d) = doc("a.yaml", "vars: {s: text, i: 3, f: 0.5, b: true, c: ignored}\n");
        let found = declared(&d, &names);
        assert!(defaults.observe(&file, found).is_empty());
        let kinds: Vec<_> = defaults.finish().unwrap().into_iter().map(|p| (p.name, p.kind, p.default)).collect();
        assert_eq!(
            kinds,
            vec![
                ("s".into(), ParameterType::String, json!("text")),
                ("i".into(), ParameterType::Integer, json!(3)),
                ("f".into(), ParameterType::Float, json!(0.5)),
                ("b".into(), ParameterType::Boolean, json!(true)),
                ("c".into(), ParameterType::String, json!("from-cli")),
            ]
        );
    }

    #[test]
    fn two_defaults_are_a_problem_at_the_second() {
        let names = vec!["rate".to_string()];
        let mut defaults = ParameterDefaults::new(&names, []);
        let (a, da) = doc("a.yaml", "vars: {rate: 0.2}\n");
        let (b, db) = doc("b.yaml", "vars:\n  rate: 0.3\n");
        let found = declared(&da, &names);
        assert!(defaults.observe(&a, found).is_empty());
        let found = declared(&db, &names);
        let problems = defaults.observe(&b, found);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].message(), "pipeline parameter `rate` has the default 0.3 here, but 0.2 in a.yaml:1:14");
        assert_eq!((problems[0].location().line, problems[0].location().column), (2, 9));
    }

    #[test]
    fn a_parameter_without_a_value_or_with_a_list_is_refused() {
        let names = vec!["gone".to_string(), "list".to_string()];
        let mut defaults = ParameterDefaults::new(&names, []);
        let (file, d) = doc("a.yaml", "vars: {list: [1, 2]}\n");
        let found = declared(&d, &names);
        assert_eq!(defaults.observe(&file, found)[0].code(), Code::PipelineParameter);
        assert_eq!(defaults.finish(), Err(ParameterError::NoValue("gone".into())));
    }
}
