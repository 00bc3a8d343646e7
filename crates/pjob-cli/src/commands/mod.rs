//! One module per command.

pub mod apply;
pub mod aws;
pub mod completions;
pub mod init;
pub mod list;
pub mod local;
pub mod logs;
pub mod plan;
pub mod render;
pub mod schema;
pub mod status;
pub mod stop;
pub mod validate;

use pjob_template::{Renderer, Variables};

use crate::args::GlobalArgs;
use crate::exit::Exit;

/// The template renderer for the command line's `--var`s and `--vars-file`s.
pub fn renderer(global: &GlobalArgs) -> Result<Renderer, Exit> {
    let mut variables = Variables::new();
    for file in &global.vars_files {
        if let Err(e) = variables.add_file(file) {
            match e {
                pjob_template::VariablesError::Syntax(d) => crate::report::print_all(&[*d]),
                other => eprintln!("error: {other}"),
            }
            return Err(Exit::Invalid);
        }
    }
    for assignment in &global.vars {
        if let Err(e) = variables.set(assignment) {
            eprintln!("error: {e}");
            return Err(Exit::Invalid);
        }
    }
    Ok(Renderer::new(variables))
}
