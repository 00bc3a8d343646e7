//! The typed manifest: what a valid document means.
//!
//! Field names are the SageMaker Python SDK's parameter names, so a notebook
//! cell moves into a manifest without a dictionary. Every struct derives
//! `JsonSchema`; its doc comments are the schema's descriptions.

mod clarify;
mod clarify_explain;
mod common;
mod envelope;
mod io;
mod kinds;

pub use clarify::*;
pub use clarify_explain::*;
pub use common::*;
pub use envelope::*;
pub use io::*;
pub use kinds::*;
