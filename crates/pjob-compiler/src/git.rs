//! `git_config` without the network: what can be checked before the
//! repository is fetched, and paths inside its work tree once it is.

use std::path::{Component, Path, PathBuf};

use pjob_manifest::GitConfig;

use crate::CompileError;

/// Checks what can be checked of a `git_config` without fetching it: a
/// repository is named, and no branch or commit could be read by `git` as
/// an option. `pointer` locates `git_config`.
pub fn check_git_config(config: &GitConfig, pointer: &str) -> Result<(), CompileError> {
    if config.repo.trim().is_empty() {
        return Err(CompileError::Refused {
            pointer: format!("{pointer}/repo"),
            message: "`git_config.repo` is empty".into(),
            help: "give the repository URL".into(),
        });
    }
    for (field, value) in [("branch", &config.branch), ("commit", &config.commit)] {
        if let Some(v) = value
            && (v.is_empty() || v.starts_with('-'))
        {
            return Err(CompileError::Refused {
                pointer: format!("{pointer}/{field}"),
                message: format!("`{v}` is not a usable git {field}"),
                help: format!("give the {field} without a leading `-`"),
            });
        }
    }
    Ok(())
}

/// A path inside the work tree, refusing absolute paths and `..`.
pub(crate) fn inside(work_tree: &Path, rel: &str, pointer: &str) -> Result<PathBuf, CompileError> {
    let path = Path::new(rel);
    let escapes = path.is_absolute() || path.components().any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if escapes {
        return Err(CompileError::Refused {
            pointer: pointer.to_string(),
            message: format!("`{rel}` is not a path inside the git repository"),
            help: "with `git_config`, paths are relative to the repository's root".into(),
        });
    }
    Ok(work_tree.join(path))
}
