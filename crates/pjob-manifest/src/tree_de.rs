//! The source tree as a serde [`Deserializer`]: a document is typed
//! straight from the [`Node`]s the parser built, its strings borrowed until a
//! field keeps them, with no copy of it as `serde_json::Value` on the way.
//!
//! It reads the tree as the JSON [`Node::to_json`] makes of it, exactly as
//! `serde_json::from_value` would: a number that is not finite is `null`, a
//! non-negative integer is unsigned.

use serde::Deserializer;
use serde::de::value::{BorrowedStrDeserializer, Error};
use serde::de::{self, DeserializeSeed, Visitor};

use pjob_source::{Entry, Node, Value};

/// Deserializes one value of the tree (as often as asked: a copy reads it again).
#[derive(Clone, Copy)]
pub(crate) struct TreeDeserializer<'de>(pub(crate) &'de Node);

/// Types `T` from a value of the tree.
pub(crate) fn from_tree<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, Error> {
    T::deserialize(TreeDeserializer(node))
}

impl TreeDeserializer<'_> {
    /// Whether the value reads as JSON `null`.
    fn is_null(&self) -> bool {
        match &self.0.value {
            Value::Null => true,
            Value::Float(f) => !f.is_finite(),
            _ => false,
        }
    }
}

impl<'de> Deserializer<'de> for TreeDeserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            Value::Float(f) if f.is_finite() => visitor.visit_f64(*f),
            Value::Float(_) => visitor.visit_unit(),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => {
                let mut seq = Items { items: items.iter(), taken: 0 };
                let value = visitor.visit_seq(&mut seq)?;
                match seq.items.len() {
                    0 => Ok(value),
                    left => Err(de::Error::invalid_length(seq.taken + left, &"fewer elements in array")),
                }
            }
            Value::Map(entries) => {
                let mut map = Entries { entries: entries.iter(), value: None, taken: 0 };
                let value = visitor.visit_map(&mut map)?;
                match map.entries.len() {
                    0 => Ok(value),
                    left => Err(de::Error::invalid_length(map.taken + left, &"fewer elements in map")),
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.is_null() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::String(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            Value::Map(entries) if entries.len() == 1 => visitor.visit_enum(Variant(&entries[0])),
            Value::Map(_) => Err(de::Error::invalid_value(de::Unexpected::Map, &"a map with a single key")),
            _ => Err(de::Error::invalid_type(unexpected(self.0), &"a string or a map with a single key")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// What a value is, for a type error.
fn unexpected(node: &Node) -> de::Unexpected<'_> {
    match &node.value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Int(i) => de::Unexpected::Signed(*i),
        Value::Float(f) => de::Unexpected::Float(*f),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Seq(_) => de::Unexpected::Seq,
        Value::Map(_) => de::Unexpected::Map,
    }
}

/// A sequence's items, one at a time.
struct Items<'de> {
    items: std::slice::Iter<'de, Node>,
    taken: usize,
}

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(item) = self.items.next() else { return Ok(None) };
        self.taken += 1;
        seed.deserialize(TreeDeserializer(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A mapping's entries, one key and then its value at a time.
struct Entries<'de> {
    entries: std::slice::Iter<'de, Entry>,
    value: Option<&'de Node>,
    taken: usize,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some(entry) = self.entries.next() else { return Ok(None) };
        self.taken += 1;
        self.value = Some(&entry.value);
        seed.deserialize(BorrowedStrDeserializer::new(&entry.key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(TreeDeserializer(value)),
            None => Err(de::Error::custom("a value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum written as a mapping of one key: the variant, and its content.
struct Variant<'de>(&'de Entry);

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = TreeDeserializer<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, TreeDeserializer<'de>), Error> {
        let variant = seed.deserialize(BorrowedStrDeserializer::<Error>::new(&self.0.key))?;
        Ok((variant, TreeDeserializer(&self.0.value)))
    }
}

impl<'de> de::VariantAccess<'de> for TreeDeserializer<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        if self.is_null() { Ok(()) } else { Err(de::Error::invalid_type(unexpected(self.0), &"unit variant")) }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Seq(_) => self.deserialize_any(visitor),
            _ => Err(de::Error::invalid_type(unexpected(self.0), &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Map(_) => self.deserialize_any(visitor),
            _ => Err(de::Error::invalid_type(unexpected(self.0), &"struct variant")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use pjob_source::SourceFile;

    use crate::Manifest;
    use crate::schema_check::{VALIDATOR, is_valid};

    /// Every YAML and TOML file under `dir`, in name order.
    fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                files_under(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "toml") {
                out.push(path);
            }
        }
    }

    /// The repository's manifests: examples, conformance cases and bad inputs.
    fn documents() -> Vec<(PathBuf, pjob_source::Document)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in ["examples", "tests/conformance", "tests/bad-input"] {
            files_under(&root.join(dir), &mut files);
        }
        let docs: Vec<_> = files
            .into_iter()
            .filter_map(|path| Some((SourceFile::read(&path).ok()?, path)))
            .flat_map(|(file, path)| pjob_source::parse(&file).unwrap_or_default().into_iter().map(move |d| (path.clone(), d)))
            .collect();
        assert!(docs.len() > 150, "the repository's manifests were found ({})", docs.len());
        docs
    }

    #[test]
    fn the_tree_types_every_manifest_as_its_json_does() {
        let mut typed = 0;
        for (path, doc) in documents() {
            let from_json = Manifest::from_json(doc.root.to_json());
            let from_tree = Manifest::from_tree(&doc.root);
            assert_eq!(from_tree.is_ok(), from_json.is_ok(), "{}: {from_tree:?} / {from_json:?}", path.display());
            if let (Ok(tree), Ok(json)) = (from_tree, from_json) {
                assert_eq!(tree, json, "{}", path.display());
                typed += 1;
            }
        }
        assert!(typed > 100, "most manifests type ({typed})");
    }

    #[test]
    fn the_schema_judges_the_tree_as_it_judges_its_json() {
        let (mut valid, mut invalid) = (0, 0);
        for (path, doc) in documents() {
            let json = VALIDATOR.is_valid(&doc.root.to_json());
            assert_eq!(is_valid(&doc.root), json, "{}", path.display());
            if json { valid += 1 } else { invalid += 1 }
        }
        assert!(valid > 100 && invalid > 40, "both kinds were judged ({valid} valid, {invalid} invalid)");
    }

    #[test]
    fn numbers_read_as_json_reads_them() {
        let text = "apiVersion: pjob/v1\nkind: Processor\nmetadata: {name: n}\nvars: {a: .inf, b: -.inf, c: .nan, d: -3, e: 4, f: 2.5, g: ~}\n\
                    spec: {role: r, image_uri: i, instance_count: 1, instance_type: ml.m5.large, max_runtime_in_seconds: .inf}\n";
        let file = SourceFile::new("n.yaml", text);
        let doc = pjob_source::parse(&file).unwrap().remove(0);
        let vars = &doc.root.get("vars").unwrap();
        let typed: serde_json::Value = super::from_tree(vars).unwrap();
        assert_eq!(typed, vars.to_json());
        assert_eq!(typed, serde_json::json!({"a": null, "b": null, "c": null, "d": -3, "e": 4, "f": 2.5, "g": null}));
        // A runtime of `.inf` is `null` to the schema and to the model alike: not a number.
        assert_eq!(is_valid(&doc.root), VALIDATOR.is_valid(&doc.root.to_json()));
        assert!(!is_valid(&doc.root));
        let spec = doc.root.get("spec").unwrap();
        let u32_field: Option<u32> = super::from_tree(spec.get("instance_count").unwrap()).unwrap();
        assert_eq!(u32_field, Some(1));
        let too_big: Result<u8, _> = super::from_tree(vars.get("d").unwrap());
        assert!(too_big.is_err(), "a negative number is no u8");
    }
}
