//! The document tree: values with the spans they came from.

use std::borrow::Cow;

use crate::Span;

/// A value and where it stands in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// The value's span (for a mapping or sequence, where it starts).
    pub span: Span,
}

/// A manifest value, the data model YAML and TOML share.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// YAML `null`, `~` or an empty value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence (YAML) or array (TOML).
    Seq(Vec<Node>),
    /// A mapping (YAML) or table (TOML), in source order.
    Map(Vec<Entry>),
}

/// One key of a mapping with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key stands.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// A node from a value and a span.
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    /// The value of `key` if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry for `key` if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The string if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the value's type, for messages (`string`, `mapping`, ...).
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }

    /// The value as JSON (spans dropped). A float that is not finite becomes null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(entries.iter().map(|e| (e.key.clone(), e.value.to_json())).collect()),
        }
    }

    /// A node (without meaningful spans) from JSON, for values that come
    /// from outside a manifest (variables files, `--var`).
    pub fn from_json(value: &serde_json::Value, span: Span) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(|v| Node::from_json(v, span)).collect()),
            J::Object(map) => {
                Value::Map(map.iter().map(|(k, v)| Entry { key: k.clone(), key_span: span, value: Node::from_json(v, span) }).collect())
            }
        };
        Node { value, span }
    }

    /// Finds the span that best shows a JSON pointer (`/spec/inputs/0/name`).
    ///
    /// With `key` set, the span of that key inside the addressed mapping is
    /// returned (for unknown or misplaced fields). When the pointer leads
    /// past what exists, the span of the deepest existing part is returned,
    /// preferring the key that names it.
    pub fn locate(&self, pointer: &str, key: Option<&str>) -> Span {
        let mut node = self;
        let mut best = self.span;
        for token in pointer.split('/').skip(1) {
            let token = if token.contains('~') { Cow::Owned(token.replace("~1", "/").replace("~0", "~")) } else { Cow::Borrowed(token) };
            match &node.value {
                Value::Map(entries) => match entries.iter().find(|e| e.key == token) {
                    Some(e) => {
                        best = e.key_span;
                        node = &e.value;
                    }
                    None => return best,
                },
                Value::Seq(items) => match token.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(item) => {
                        best = item.span;
                        node = item;
                    }
                    None => return best,
                },
                _ => return best,
            }
        }
        if let Some(e) = key.and_then(|k| node.entry(k)) {
            return e.key_span;
        }
        match node.value {
            Value::Map(_) | Value::Seq(_) => best,
            _ => node.span,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{SourceFile, parse};

    #[test]
    fn locate_follows_plain_and_escaped_pointer_tokens() {
        let text = "metadata:\n  tags:\n    team/ml: a\n    x~y: b\n  name: job\nspec:\n  inputs:\n    - name: data\n";
        let root = parse(&SourceFile::new("t.yaml", text)).unwrap().remove(0).root;
        let shown = |pointer: &str| {
            let span = root.locate(pointer, None);
            &text[span.offset..span.end()]
        };
        assert_eq!(shown("/metadata/name"), "job");
        assert_eq!(shown("/metadata/tags/team~1ml"), "a");
        assert_eq!(shown("/metadata/tags/x~0y"), "b");
        assert_eq!(shown("/spec/inputs/0/name"), "data");
        assert_eq!(shown("/metadata/tags/team/ml"), "tags", "an unescaped `/` splits the key: the deepest key found is shown");
    }
}
