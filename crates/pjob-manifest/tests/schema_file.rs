//! The committed schema (the one pjob validates with) is what the code
//! generates, and it accepts every example.

use std::path::Path;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().and_then(Path::parent).expect("crates/<name> sits two levels down")
}

#[test]
fn committed_schema_is_up_to_date() {
    let path = repo_root().join("schemas/pjob.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = pjob_manifest::schema::schema_json();
    assert!(committed == generated, "{} is stale: run `cargo run -p pjob-cli -- schema --write schemas/pjob.schema.json`", path.display());
}

#[test]
fn schema_describes_every_field_and_closes_every_object() {
    fn walk(v: &serde_json::Value, path: &str, problems: &mut Vec<String>) {
        if let Some(obj) = v.as_object() {
            if let Some(props) = obj.get("properties").and_then(|p| p.as_object()) {
                for (name, prop) in props {
                    let described = prop.get("description").is_some() || prop.get("$ref").is_some();
                    if !described && path.contains("definitions") {
                        problems.push(format!("{path}/properties/{name} has no description"));
                    }
                }
                if obj.get("additionalProperties") != Some(&serde_json::Value::Bool(false)) && path.contains("definitions") {
                    problems.push(format!("{path} accepts unknown fields"));
                }
            }
            for (k, child) in obj {
                walk(child, &format!("{path}/{k}"), problems);
            }
        } else if let Some(items) = v.as_array() {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{path}/{i}"), problems);
            }
        }
    }
    let mut problems = Vec::new();
    walk(pjob_manifest::schema::schema(), "", &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}
