//! The framework and Python versions the SageMaker Python SDK's estimators
//! refuse when `FrameworkProcessor` builds them, whether or not `image_uri`
//! is set: XGBoost runs on `py3` only and not on XGBoost 1.1; TensorFlow
//! 1.10 and older ran in "legacy mode", which needs `image_uri`; Python 2
//! ends with TensorFlow 2.1.1.

use crate::model::{Framework, FrameworkProcessorSpec};

/// A refused combination: the field to point at, the SDK's reason, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionProblem {
    /// JSON pointer of the field at fault.
    pub pointer: &'static str,
    /// What the SDK says.
    pub message: String,
    /// What to change.
    pub help: String,
}

/// The newest TensorFlow that runs only in legacy mode.
const TF_LAST_LEGACY_ONLY: [u64; 3] = [1, 10, 0];
/// The newest TensorFlow with a Python 2 image.
const TF_LAST_PY2: [u64; 3] = [2, 1, 1];

/// Every combination of `s` that the SDK refuses.
pub(crate) fn problems(s: &FrameworkProcessorSpec) -> Vec<VersionProblem> {
    let mut out = Vec::new();
    let py = s.py_version.as_deref();
    match s.framework {
        Framework::Xgboost => {
            if let Some(py) = py.filter(|p| *p != "py3") {
                out.push(VersionProblem {
                    pointer: "/spec/py_version",
                    message: format!("Unsupported Python version: {py}. XGBoost images run py3 only"),
                    help: "set `py_version: py3` (or leave it out)".into(),
                });
            }
            if s.framework_version.split('-').next() == Some("1.1") {
                out.push(VersionProblem {
                    pointer: "/spec/framework_version",
                    message: "XGBoost 1.1 is not supported on SageMaker: it cannot predict when the test input has fewer \
                              features than the training data in LIBSVM inputs"
                        .into(),
                    help: "use framework_version \"1.2-1\" or later".into(),
                });
            }
        }
        Framework::Tensorflow => {
            let Some(version) = numeric_version(&s.framework_version) else { return out };
            if py == Some("py2") && version > TF_LAST_PY2 {
                out.push(VersionProblem {
                    pointer: "/spec/py_version",
                    message: format!(
                        "Python 2 containers are only available with TensorFlow 2.1.1 and lower (not {})",
                        s.framework_version
                    ),
                    help: "use a Python 3 container, such as `py_version: py310`".into(),
                });
            }
            if s.image_uri.is_none() && version <= TF_LAST_LEGACY_ONLY {
                out.push(VersionProblem {
                    pointer: "/spec/framework_version",
                    message: format!("TensorFlow {} supports only legacy mode, which needs the image URI", s.framework_version),
                    help: "set `image_uri` to the legacy image (the SDK names sagemaker-tensorflow:<version>-cpu-<py>), \
                           or use TensorFlow 1.11 or later"
                        .into(),
                });
            }
        }
        Framework::Sklearn | Framework::Pytorch | Framework::Huggingface | Framework::Mxnet => {}
    }
    out
}

/// `"1.10"` as `[1, 10, 0]` (as Python's `packaging` compares it: missing
/// parts are 0; TensorFlow versions have at most three); `None` when a
/// part is not a number (the image table then names the problem).
fn numeric_version(text: &str) -> Option<[u64; 3]> {
    let mut parts = [0u64; 3];
    for (slot, part) in parts.iter_mut().zip(text.split('.')) {
        *slot = part.parse().ok()?;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_python_packaging_does() {
        assert_eq!(numeric_version("1.10"), Some([1, 10, 0]));
        assert_eq!(numeric_version("2.1.1"), Some([2, 1, 1]));
        assert!(numeric_version("1.9").unwrap() < numeric_version("1.10").unwrap());
        assert_eq!(numeric_version("2.x"), None);
    }
}
