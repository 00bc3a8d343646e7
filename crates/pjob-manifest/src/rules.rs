//! Semantic rules the schema cannot say.

use pjob_source::{Diagnostic, Node, SourceFile};

use crate::{Manifest, ValidationContext};

pub(crate) fn check(_file: &SourceFile, _root: &Node, _m: &Manifest, _ctx: &ValidationContext) -> Vec<Diagnostic> {
    Vec::new()
}
