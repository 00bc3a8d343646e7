#[test]
fn dump() { std::fs::write("/tmp/schema.json", pjob_manifest::schema::schema_json()).unwrap(); }
