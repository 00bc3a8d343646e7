//! `pjob apply --local`. (Being built: see the local runs issue.)

use crate::args::{ApplyArgs, GlobalArgs};
use crate::exit::Exit;

/// `pjob apply --local`.
pub fn apply(_g: &GlobalArgs, _a: &ApplyArgs) -> Exit {
    eprintln!("error: `pjob apply --local` is not available in this build yet");
    Exit::Invalid
}
