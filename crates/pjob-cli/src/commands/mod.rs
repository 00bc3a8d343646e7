//! One module per command.

pub(crate) mod apply;
pub(crate) mod aws;
pub(crate) mod completions;
pub(crate) mod graph;
pub(crate) mod init;
pub(crate) mod list;
pub(crate) mod local;
pub(crate) mod logs;
pub(crate) mod pipeline;
pub(crate) mod plan;
pub(crate) mod render;
pub(crate) mod schedule;
pub(crate) mod schema;
pub(crate) mod status;
pub(crate) mod stop;
pub(crate) mod validate;
