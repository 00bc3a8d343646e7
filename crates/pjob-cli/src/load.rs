//! A command's manifests, loaded and compiled through `pjob_jobset`, with
//! every problem printed: commands get jobs or an exit code.

use std::path::PathBuf;

use pjob_jobset::{Job, Loaded, Loader, Ordered, SetIndex};
use pjob_manifest::Target;

use crate::exit::Exit;
use crate::report;
use crate::settings::Settings;

/// The command's loader: its template variables, for `target`.
pub(crate) fn loader(settings: &Settings, target: Target) -> Loader<'_> {
    Loader::new(&settings.renderer, target)
}

/// Loads the set the paths name and checks it as a set (SPEC section 8:
/// unique names, known references, no cycle). Every job that depends on no
/// other is handed to `free` as the set streams, in file order; the others
/// come back in dependency order. Any problem, in a manifest or between
/// jobs, is printed and ends the command with exit 2.
pub(crate) fn load_checked_set(settings: &Settings, paths: &[PathBuf], target: Target, mut free: impl FnMut(Job)) -> Result<Ordered, Exit> {
    let mut index = SetIndex::new();
    let mut invalid = false;
    loader(settings, target).stream(
        paths,
        |loaded| loaded,
        |loaded| {
            print_problems(&loaded);
            invalid |= loaded.has_problems();
            loaded.invalid.into_iter().for_each(|name| index.record_invalid(name));
            loaded.jobs.into_iter().filter_map(|job| index.admit(job)).for_each(&mut free);
        },
    );
    let ordered = index.finish().map_err(|problems| report::print_all(&problems));
    match ordered {
        Ok(ordered) if !invalid => {
            unused_variables(settings)?;
            Ok(ordered)
        }
        _ => Err(Exit::Invalid),
    }
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
