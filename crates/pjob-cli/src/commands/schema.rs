//! `pjob schema`: the manifest JSON Schema.

use crate::args::SchemaArgs;
use crate::exit::Exit;

/// Runs `pjob schema`.
pub fn run(args: &SchemaArgs) -> Exit {
    let text = pjob_manifest::schema::schema_json();
    match &args.write {
        None => {
            crate::output::write(&text);
            Exit::Success
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                eprintln!("wrote {} (schema version {})", path.display(), pjob_manifest::schema::SCHEMA_VERSION);
                Exit::Success
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                Exit::Invalid
            }
        },
    }
}
