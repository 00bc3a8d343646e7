//! `git_config`: a repository cloned with the system `git` into a temporary
//! folder and checked out at the given branch, then commit, as the SDK's
//! `git_utils.git_clone_repo` does.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pjob_manifest::GitConfig;

use crate::CompileError;

/// A checked-out repository; the folder is removed when this is dropped.
pub(crate) struct Checkout {
    dir: tempfile::TempDir,
}

impl Checkout {
    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Clones `config.repo` (a URL, or a path relative to `base_dir`), then checks
/// out `branch` and `commit` when given. `pointer` locates `git_config`.
pub(crate) fn checkout(config: &GitConfig, base_dir: &Path, pointer: &str) -> Result<Checkout, CompileError> {
    let refused = |field: &str, value: &str| CompileError::Refused {
        pointer: format!("{pointer}/{field}"),
        message: format!("`{value}` is not a usable git {field}"),
        help: format!("give the {field} without a leading `-`"),
    };
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
            return Err(refused(field, v));
        }
    }
    let dir = tempfile::Builder::new().prefix("pjob-git-").tempdir().map_err(|e| CompileError::Git {
        pointer: pointer.to_string(),
        repo: config.repo.clone(),
        action: "clone",
        detail: format!("cannot create a temporary folder: {e}"),
    })?;
    let work_tree = dir.path().to_path_buf();
    let run = |action: &'static str, args: &[&str], cwd: &Path| run_git(config, pointer, action, args, cwd);
    let target = work_tree.to_string_lossy().into_owned();
    run("clone", &["clone", "--quiet", "--", &config.repo, &target], base_dir)?;
    if let Some(branch) = &config.branch {
        run("checkout", &["checkout", "--quiet", branch], &work_tree)?;
    }
    if let Some(commit) = &config.commit {
        run("checkout", &["checkout", "--quiet", "--detach", commit], &work_tree)?;
    }
    Ok(Checkout { dir })
}

fn run_git(config: &GitConfig, pointer: &str, action: &'static str, args: &[&str], cwd: &Path) -> Result<(), CompileError> {
    let error = |detail: String| CompileError::Git { pointer: pointer.to_string(), repo: config.repo.clone(), action, detail };
    let output = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| error(format!("cannot run `git`: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let detail = stderr.trim();
    Err(error(if detail.is_empty() { format!("git exited with {}", output.status) } else { detail.to_string() }))
}

/// A path inside the work tree, refusing absolute paths and `..`.
pub(crate) fn inside(checkout: &Checkout, rel: &str, pointer: &str) -> Result<PathBuf, CompileError> {
    let path = Path::new(rel);
    let escapes =
        path.is_absolute() || path.components().any(|c| matches!(c, std::path::Component::ParentDir | std::path::Component::Prefix(_)));
    if escapes {
        return Err(CompileError::Refused {
            pointer: pointer.to_string(),
            message: format!("`{rel}` is not a path inside the git repository"),
            help: "with `git_config`, paths are relative to the repository's root".into(),
        });
    }
    Ok(checkout.path().join(path))
}
