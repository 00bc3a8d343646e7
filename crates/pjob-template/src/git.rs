//! Git facts (`git.sha`, `git.short_sha`, `git.branch`) for a folder, asked of
//! the system `git` once per folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Git facts per folder, asked once each.
#[derive(Default)]
pub(crate) struct GitCache {
    by_dir: Mutex<HashMap<PathBuf, Option<serde_json::Value>>>,
}

impl GitCache {
    /// `{sha, short_sha, branch}` of the work tree holding `dir`, if any.
    pub(crate) fn facts(&self, dir: &Path) -> Option<serde_json::Value> {
        let mut cache = self.by_dir.lock().unwrap_or_else(|e| e.into_inner());
        cache.entry(dir.to_path_buf()).or_insert_with(|| read(dir)).clone()
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
}

fn read(dir: &Path) -> Option<serde_json::Value> {
    let sha = git(dir, &["rev-parse", "HEAD"])?;
    let branch = git(dir, &["rev-parse", "--abbrev-ref", "HEAD"]).unwrap_or_default();
    Some(serde_json::json!({
        "sha": sha,
        "short_sha": sha.chars().take(7).collect::<String>(),
        "branch": branch,
    }))
}
