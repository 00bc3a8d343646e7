//! A command's manifests, loaded and compiled through `pjob_jobset`, with
//! every problem printed: commands get jobs or an exit code.

use std::path::PathBuf;

use pjob_jobset::{Job, Loaded, Loader};
use pjob_manifest::Target;

use crate::exit::Exit;
use crate::report;
use crate::settings::Settings;

/// The command's loader: its template variables, for `target`.
pub(crate) fn loader(settings: &Settings, target: Target) -> Loader<'_> {
    Loader::new(&settings.renderer, target)
}

/// Loads and checks every manifest the paths name, without printing.
pub(crate) fn load_set(settings: &Settings, paths: &[PathBuf], target: Target) -> Loaded {
    loader(settings, target).load(paths)
}

/// Loads every manifest the paths name; any problem is printed and ends
/// the command with exit 2 before anything else happens.
pub(crate) fn load(settings: &Settings, paths: &[PathBuf], target: Target) -> Result<Vec<Job>, Exit> {
    let loaded = load_set(settings, paths, target);
    print_problems(&loaded);
    if loaded.has_problems() {
        return Err(Exit::Invalid);
    }
    unused_variables(settings)?;
    Ok(loaded.jobs)
}

/// Prints the load errors and diagnostics of a set.
pub(crate) fn print_problems(loaded: &Loaded) {
    for e in &loaded.errors {
        crate::report::error(None, e);
    }
    report::print_all(&loaded.diagnostics);
}

/// Warns of command-line variables no manifest used (an error with `--strict`).
pub(crate) fn unused_variables(settings: &Settings) -> Result<(), Exit> {
    let unused = settings.renderer.unused_variables();
    if unused.is_empty() {
        return Ok(());
    }
    let level = if settings.strict { "error" } else { "warning" };
    for name in &unused {
        eprintln!("{level}: variable `{name}` (from --var or --vars-file) is not used by any manifest; check its spelling");
    }
    if settings.strict { Err(Exit::Invalid) } else { Ok(()) }
}
