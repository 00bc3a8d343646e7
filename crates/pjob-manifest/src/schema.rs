//! The JSON Schema of a manifest, generated from the model.
//!
//! Draft-07 (the draft `yaml-language-server` and most editors handle fully),
//! with `kind` selecting the shape of `spec` through `if`/`then`, so editors
//! complete and check the right fields for each kind.

use std::sync::LazyLock;

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::model::{
    API_VERSION, ClarifyProcessorSpec, FrameworkProcessorSpec, Kind, Metadata, ProcessorSpec, PySparkProcessorSpec, ScriptProcessorSpec,
    SparkJarProcessorSpec,
};

/// The schema's `$id`.
pub const SCHEMA_ID: &str = "https://pjob.dev/schemas/v1/pjob.schema.json";

/// The schema's version; bumped on every change to the manifest format.
pub const SCHEMA_VERSION: &str = "1.0.0";

/// The committed schema, `schemas/pjob.schema.json`, as built into pjob.
const COMMITTED: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas/pjob.schema.json"));

static SCHEMA: LazyLock<Value> = LazyLock::new(|| serde_json::from_str(COMMITTED).expect("the committed schema is JSON"));

/// The manifest JSON Schema that manifests are validated against: the
/// committed `schemas/pjob.schema.json`, which a test holds equal to the
/// one [`generate`] makes from the model. Reading it takes a fifth of the
/// time generating it does (0.3 ms, not 1.5 ms): a one-file `pjob validate`
/// takes about 6 ms, not 7.5.
pub fn schema() -> &'static Value {
    &SCHEMA
}

/// The schema as pretty-printed JSON, generated from the model: what
/// `schemas/pjob.schema.json` must hold (`pjob schema --write` writes it).
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&generate()).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// The `definitions` entry name of a kind's `spec`.
pub fn spec_definition(kind: Kind) -> String {
    format!("{kind}Spec")
}

/// Generates the schema from the model's types.
pub fn generate() -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    let metadata = generator.subschema_for::<Metadata>();
    let specs = [
        (Kind::Processor, generator.subschema_for::<ProcessorSpec>()),
        (Kind::ScriptProcessor, generator.subschema_for::<ScriptProcessorSpec>()),
        (Kind::FrameworkProcessor, generator.subschema_for::<FrameworkProcessorSpec>()),
        (Kind::PySparkProcessor, generator.subschema_for::<PySparkProcessorSpec>()),
        (Kind::SparkJarProcessor, generator.subschema_for::<SparkJarProcessorSpec>()),
        (Kind::ClarifyProcessor, generator.subschema_for::<ClarifyProcessorSpec>()),
    ];
    let definitions: serde_json::Map<String, Value> = generator.take_definitions(true).into_iter().collect();

    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    let branches: Vec<Value> = specs
        .iter()
        .map(|(kind, spec)| {
            json!({
                "if": {"properties": {"kind": {"const": kind.as_str()}}, "required": ["kind"]},
                "then": {"properties": {"spec": spec.as_value()}}
            })
        })
        .collect();
    let mut schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "pjob manifest",
        "description": format!("A declarative Amazon SageMaker Processing job (pjob manifest schema version {SCHEMA_VERSION})."),
        "x-pjob-schema-version": SCHEMA_VERSION,
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": false,
        "properties": {
            "apiVersion": {
                "description": "Manifest format version.",
                "type": "string",
                "enum": [API_VERSION]
            },
            "kind": {
                "description": "Which SDK processor class the job is: Processor, ScriptProcessor, FrameworkProcessor, PySparkProcessor, SparkJarProcessor or ClarifyProcessor.",
                "type": "string",
                "enum": kinds
            },
            "metadata": metadata.as_value(),
            "vars": {
                "description": "Template variable defaults, overridden by --vars-file and --var.",
                "type": "object"
            },
            "spec": {
                "description": "The job's settings; its fields depend on `kind`.",
                "type": "object"
            }
        },
        "allOf": branches,
        "definitions": definitions
    });
    simplify(&mut schema);
    schema
}

/// Rewrites what schemars generates into the shapes editors handle best
/// (checked against the real `yaml-language-server` by `tests/editor/`):
/// a `oneOf` of string constants becomes an `enum` (with `enumDescriptions`),
/// integer `format`s (`uint32`), which no editor knows, are dropped,
/// optional fields stop accepting `null` (leave a field out instead), a
/// field that only refers to a definition is `{"$ref", "description", ...}`
/// rather than `{"allOf": [{"$ref"}], "description", ...}` (editors then show
/// the field's own description, not the definition's; validators ignore a
/// `$ref`'s sibling annotations in draft-07), and every description is also a
/// `markdownDescription` (editors render its `code` spans instead of escaping
/// them).
fn simplify(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
                alternatives.retain(|a| a.get("type").and_then(Value::as_str) != Some("null"));
                if alternatives.len() == 1 {
                    let only = alternatives.remove(0);
                    map.remove("anyOf");
                    map.insert("allOf".into(), Value::Array(vec![only]));
                }
            }
            if let Some(Value::Array(alternatives)) = map.get("oneOf") {
                let consts: Option<Vec<(Value, Value)>> = alternatives
                    .iter()
                    .map(|a| {
                        let c = a.get("const").filter(|c| c.is_string())?;
                        Some((c.clone(), a.get("description").cloned().unwrap_or(Value::String(String::new()))))
                    })
                    .collect();
                if let Some(consts) = consts {
                    map.remove("oneOf");
                    map.insert("type".into(), json!("string"));
                    map.insert("enum".into(), Value::Array(consts.iter().map(|c| c.0.clone()).collect()));
                    map.insert("enumDescriptions".into(), Value::Array(consts.into_iter().map(|c| c.1).collect()));
                }
            }
            if map.get("type").and_then(Value::as_str) == Some("integer") {
                map.remove("format");
            }
            if let Some(reference) = sole_reference(map) {
                map.remove("allOf");
                map.insert("$ref".into(), Value::String(reference));
            }
            add_markdown(map);
            for v in map.values_mut() {
                simplify(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(simplify),
        _ => {}
    }
}

/// Keywords that only annotate a schema (they never change what it accepts).
const ANNOTATIONS: [&str; 5] = ["description", "markdownDescription", "default", "title", "examples"];

/// The target of `{"allOf": [{"$ref": T}]}` when the schema has nothing else
/// but annotations.
fn sole_reference(map: &serde_json::Map<String, Value>) -> Option<String> {
    let [only] = map.get("allOf")?.as_array()?.as_slice() else {
        return None;
    };
    let only = only.as_object()?;
    let reference = only.get("$ref")?.as_str()?;
    let plain = only.len() == 1 && map.keys().all(|k| k == "allOf" || ANNOTATIONS.contains(&k.as_str()));
    plain.then(|| reference.to_owned())
}

/// Adds `markdownDescription` and `markdownEnumDescriptions` (VS Code's
/// keywords, read by `yaml-language-server`) beside the plain ones.
fn add_markdown(map: &mut serde_json::Map<String, Value>) {
    for (plain, markdown) in [("description", "markdownDescription"), ("enumDescriptions", "markdownEnumDescriptions")] {
        // A string or a list of strings: a property *named* `description` is an object.
        let text = map.get(plain).filter(|v| v.is_string() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string)));
        if let Some(text) = text.cloned() {
            map.entry(markdown).or_insert(text);
        }
    }
}
