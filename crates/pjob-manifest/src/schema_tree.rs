//! The source tree as an instance the schema validator reads in place.
//!
//! Deciding whether a document is valid needs no copy of it as
//! `serde_json::Value`: the validator walks the [`Node`]s the parser built.
//! The tree reads as the JSON [`Node::to_json`] makes of it, exactly: a
//! number that is not finite is `null`, integers and floats stay apart.

use std::borrow::Cow;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node as JsonNode, NodeIdentity, Object};
use pjob_source::{Entry, Node, Value};

/// The source tree as a JSON representation for [`jsonschema::Validator`].
pub(crate) struct SourceTree;

/// One value of the tree, or a mapping key the validator asks about as a
/// value (`propertyNames`).
#[derive(Clone, Copy)]
pub(crate) enum TreeNode<'a> {
    /// A value of the tree.
    Value(&'a Node),
    /// A mapping key.
    Key(&'a str),
}

impl<'a> From<&'a Node> for TreeNode<'a> {
    fn from(node: &'a Node) -> TreeNode<'a> {
        TreeNode::Value(node)
    }
}

impl Json for SourceTree {
    type Node<'a> = TreeNode<'a>;
    type PreparedKey = String;
    type StringBuffer = ();

    // A mapping's keys are searched in order: a walk over them beats a few lookups.
    const KEYS_PER_LOOKUP: usize = 4;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(TreeNode<'_>) -> T) -> T {
        f(TreeNode::Key(string))
    }
}

impl<'a> TreeNode<'a> {
    /// The value, with a number that is not finite read as `null` (as JSON has it).
    fn value(self) -> Option<&'a Value> {
        match self {
            TreeNode::Value(Node { value: Value::Float(f), .. }) if !f.is_finite() => Some(&Value::Null),
            TreeNode::Value(node) => Some(&node.value),
            TreeNode::Key(_) => None,
        }
    }
}

impl<'a> JsonNode<'a, SourceTree> for TreeNode<'a> {
    type Object = &'a [Entry];
    type Array = &'a [Node];
    type Number = serde_json::Number;

    fn as_object(&self) -> Option<&'a [Entry]> {
        match self.value() {
            Some(Value::Map(entries)) => Some(entries),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&'a [Node]> {
        match self.value() {
            Some(Value::Seq(items)) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match (self, self.value()) {
            (TreeNode::Key(key), _) => Some(Cow::Borrowed(key)),
            (_, Some(Value::String(s))) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<serde_json::Number> {
        match self.value() {
            Some(Value::Int(i)) => Some(serde_json::Number::from(*i)),
            Some(Value::Float(f)) => serde_json::Number::from_f64(*f),
            _ => None,
        }
    }

    fn is_number(&self) -> bool {
        matches!(self.value(), Some(Value::Int(_) | Value::Float(_)))
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.value() {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.value(), Some(Value::Null))
    }

    fn json_type(&self) -> JsonType {
        match self.value() {
            None | Some(Value::String(_)) => JsonType::String,
            Some(Value::Null) => JsonType::Null,
            Some(Value::Bool(_)) => JsonType::Boolean,
            Some(Value::Int(_) | Value::Float(_)) => JsonType::Number,
            Some(Value::Seq(_)) => JsonType::Array,
            Some(Value::Map(_)) => JsonType::Object,
        }
    }

    fn to_value(&self) -> Cow<'a, serde_json::Value> {
        Cow::Owned(match self {
            TreeNode::Value(node) => node.to_json(),
            TreeNode::Key(key) => serde_json::Value::String(key.to_string()),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        match self {
            TreeNode::Value(node) => Some(NodeIdentity::new(std::ptr::from_ref::<Node>(node) as usize)),
            TreeNode::Key(_) => None,
        }
    }
}

impl<'a> Object<'a, SourceTree> for &'a [Entry] {
    type Node = TreeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        <[Entry]>::len(self)
    }

    fn get(&self, key: &String) -> Option<TreeNode<'a>> {
        self.iter().find(|e| e.key == *key).map(|e| TreeNode::Value(&e.value))
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

/// A mapping's keys and values, in order.
pub(crate) struct Members<'a>(std::slice::Iter<'a, Entry>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, TreeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|e| (e.key.as_str(), TreeNode::Value(&e.value)))
    }
}

impl<'a> Array<'a, SourceTree> for &'a [Node] {
    type Node = TreeNode<'a>;
    type ElementsIter = std::iter::Map<std::slice::Iter<'a, Node>, fn(&'a Node) -> TreeNode<'a>>;

    fn len(&self) -> usize {
        <[Node]>::len(self)
    }

    fn elements(&self) -> Self::ElementsIter {
        self.iter().map(TreeNode::Value as fn(&'a Node) -> TreeNode<'a>)
    }
}
