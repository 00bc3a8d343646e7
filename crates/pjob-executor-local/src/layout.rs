//! The job folder: one folder per simulated host, each holding what the
//! host's process sees at `/opt/ml/processing` and `/opt/ml/config`.
//!
//! ```text
//! <job folder>/
//!   .pjob-local-job          marker: the folder is pjob's to replace
//!   algo-1/processing/...    -> /opt/ml/processing
//!   algo-1/config/...        -> /opt/ml/config
//!   algo-2/...
//!   .scratch/                mount points and downloads in progress
//! ```

use std::path::{Component, Path, PathBuf};

use crate::LocalError;

/// Where SageMaker mounts processing inputs and outputs.
pub(crate) const PROCESSING_ROOT: &str = "/opt/ml/processing";
/// Where SageMaker writes the job's configuration files.
pub(crate) const CONFIG_ROOT: &str = "/opt/ml/config";

const MARKER: &str = ".pjob-local-job";

/// A job folder, removed on drop unless it was asked for.
pub(crate) struct JobDir {
    root: PathBuf,
    kept: bool,
    _temp: Option<tempfile::TempDir>,
}

/// One simulated host's folders.
#[derive(Debug, Clone)]
pub(crate) struct HostDir {
    /// The host's name (`algo-1`).
    pub name: String,
    /// Seen at `/opt/ml/processing`.
    pub processing: PathBuf,
    /// Seen at `/opt/ml/config`.
    pub config: PathBuf,
}

impl JobDir {
    /// `<work_dir>/<job name>` (replacing one a previous run left), or a new
    /// temporary folder.
    pub fn create(work_dir: Option<&Path>, job_name: &str) -> Result<JobDir, LocalError> {
        let (root, temp) = match work_dir {
            Some(dir) => {
                let root = absolute(&dir.join(job_name));
                if root.exists() {
                    if !root.join(MARKER).is_file() {
                        return Err(LocalError::WorkDir {
                            path: root,
                            reason: "it exists and pjob did not make it; remove it or choose another --work-dir".into(),
                        });
                    }
                    std::fs::remove_dir_all(&root).map_err(|e| LocalError::io(&root, e))?;
                }
                (root, None)
            }
            None => {
                let temp = tempfile::Builder::new().prefix("pjob-local-").tempdir().map_err(|e| LocalError::io(std::env::temp_dir(), e))?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        std::fs::create_dir_all(&root).map_err(|e| LocalError::io(&root, e))?;
        std::fs::write(root.join(MARKER), b"").map_err(|e| LocalError::io(root.join(MARKER), e))?;
        Ok(JobDir { kept: temp.is_none(), root, _temp: temp })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Whether the folder stays after the run.
    pub fn kept(&self) -> bool {
        self.kept
    }

    /// A scratch folder for pjob's own use (created).
    pub fn scratch(&self, name: &str) -> Result<PathBuf, LocalError> {
        let dir = self.root.join(".scratch").join(name);
        std::fs::create_dir_all(&dir).map_err(|e| LocalError::io(&dir, e))?;
        Ok(dir)
    }

    /// The folders of host `name` (created).
    pub fn host(&self, name: &str) -> Result<HostDir, LocalError> {
        let base = self.root.join(name);
        let host = HostDir { name: name.to_string(), processing: base.join("processing"), config: base.join("config") };
        for dir in [&host.processing, &host.config] {
            std::fs::create_dir_all(dir).map_err(|e| LocalError::io(dir, e))?;
        }
        Ok(host)
    }
}

impl HostDir {
    /// The host folder standing for a container path under
    /// `/opt/ml/processing`.
    pub fn processing_path(&self, container_path: &str) -> Option<PathBuf> {
        let rel = relative_to_processing(container_path)?;
        Some(self.processing.join(rel))
    }
}

/// The part of a container path below `/opt/ml/processing`, if it is a
/// clean path there (no `..`).
pub(crate) fn relative_to_processing(container_path: &str) -> Option<PathBuf> {
    let rest = container_path.strip_prefix(PROCESSING_ROOT)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let mut rel = PathBuf::new();
    for c in Path::new(rest).components() {
        match c {
            Component::Normal(part) => rel.push(part),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(rel)
}

/// The simulated hosts' names, as SageMaker names instances.
pub(crate) fn host_names(count: u32) -> Vec<String> {
    (1..=count.max(1)).map(|i| format!("algo-{i}")).collect()
}

/// A path made absolute against the current folder.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_paths_map_below_the_processing_folder() {
        assert_eq!(relative_to_processing("/opt/ml/processing/input/data"), Some(PathBuf::from("input/data")));
        assert_eq!(relative_to_processing("/opt/ml/processing/"), Some(PathBuf::new()));
        assert_eq!(relative_to_processing("/opt/ml/processing//a/./b/"), Some(PathBuf::from("a/b")));
        assert_eq!(relative_to_processing("/opt/ml/processingX/a"), None);
        assert_eq!(relative_to_processing("/opt/ml/processing/../../etc"), None);
        assert_eq!(relative_to_processing("/tmp/x"), None);
    }

    #[test]
    fn hosts_are_named_like_sagemaker_instances() {
        assert_eq!(host_names(3), ["algo-1", "algo-2", "algo-3"]);
    }

    #[test]
    fn a_work_dir_folder_pjob_did_not_make_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("job")).unwrap();
        std::fs::write(dir.path().join("job/precious.txt"), "keep me").unwrap();
        let err = JobDir::create(Some(dir.path()), "job").err().expect("refused");
        assert!(matches!(err, LocalError::WorkDir { .. }), "{err}");
        assert!(dir.path().join("job/precious.txt").exists());
    }

    #[test]
    fn a_previous_runs_folder_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = JobDir::create(Some(dir.path()), "job").unwrap();
        std::fs::write(first.path().join("old.txt"), "old").unwrap();
        let second = JobDir::create(Some(dir.path()), "job").unwrap();
        assert!(second.kept());
        assert!(!second.path().join("old.txt").exists());
    }

    #[test]
    fn a_temporary_folder_is_removed_after_the_run() {
        let job = JobDir::create(None, "job").unwrap();
        let path = job.path().to_path_buf();
        assert!(path.is_dir() && !job.kept());
        drop(job);
        assert!(!path.exists());
    }
}
