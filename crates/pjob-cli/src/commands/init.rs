//! `pjob init KIND`: a commented starter manifest.

use std::io::Write;

use pjob_manifest::Kind;

use crate::args::InitArgs;
use crate::exit::Exit;

/// The starter manifest of a kind.
pub fn starter(kind: Kind) -> &'static str {
    match kind {
        Kind::Processor => include_str!("../../templates/processor.pjob.yaml"),
        Kind::ScriptProcessor => include_str!("../../templates/script-processor.pjob.yaml"),
        Kind::FrameworkProcessor => include_str!("../../templates/framework-processor.pjob.yaml"),
        Kind::PySparkProcessor => include_str!("../../templates/pyspark-processor.pjob.yaml"),
        Kind::SparkJarProcessor => include_str!("../../templates/spark-jar-processor.pjob.yaml"),
        Kind::ClarifyProcessor => include_str!("../../templates/clarify-processor.pjob.yaml"),
    }
}

/// The kind a user means: `ScriptProcessor`, `script-processor` or `script`.
pub fn parse_kind(name: &str) -> Option<Kind> {
    let norm: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    Kind::ALL.into_iter().find(|k| {
        let full = k.as_str().to_ascii_lowercase();
        norm == full || norm == full.trim_end_matches("processor")
    })
}

/// Runs `pjob init`.
pub fn run(args: &InitArgs) -> Exit {
    let Some(kind) = parse_kind(&args.kind) else {
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        eprintln!("error: unknown kind `{}`; use one of: {}", args.kind, kinds.join(", "));
        return Exit::Invalid;
    };
    let text = starter(kind);
    if args.file.as_os_str() == "-" {
        crate::output::write(text);
        return Exit::Success;
    }
    if args.file.exists() && !args.force {
        eprintln!("error: {} exists; pass --force to overwrite it", args.file.display());
        return Exit::Invalid;
    }
    let written = std::fs::File::create(&args.file).and_then(|mut f| f.write_all(text.as_bytes()));
    match written {
        Ok(()) => {
            eprintln!("wrote {} ({kind}); edit it, then run `pjob validate {}`", args.file.display(), args.file.display());
            Exit::Success
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.file.display());
            Exit::Invalid
        }
    }
}
