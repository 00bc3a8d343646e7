//! `FrameworkProcessor`: the code packed into `sourcedir.tar.gz` (input
//! `code`) and run by a bootstrap script (input `entrypoint`) on a framework
//! image, as the SDK's `FrameworkProcessor.run` does.

use std::path::{Path, PathBuf};

use pjob_manifest::{Framework, FrameworkProcessorSpec};

use super::KindParts;
use super::bootstrap::{self, CodeArtifactRepo};
use super::common::{Ctx, image_error_pointer};
use super::script::code_input;
use crate::image_uri::{self, HuggingFaceBase, ImageUriError};
use crate::{Artifact, CompileError, archive, git, s3_uri};

/// Where the SDK mounts the bootstrap script.
const ENTRYPOINT_DIR: &str = "/opt/ml/processing/input/entrypoint";
/// The archive's name, which the SDK requires of an S3 `source_dir` too.
const ARCHIVE_NAME: &str = "sourcedir.tar.gz";
/// The bootstrap script's name.
const BOOTSTRAP_NAME: &str = "runproc.sh";
/// The Python version `FrameworkProcessor` assumes when none is given.
const DEFAULT_PY_VERSION: &str = "py3";
/// The Python version `HuggingFaceProcessor` assumes when none is given.
const DEFAULT_HF_PY_VERSION: &str = "py36";

/// `FrameworkProcessor`.
pub(crate) fn framework_processor(ctx: &Ctx<'_>, spec: &FrameworkProcessorSpec) -> Result<KindParts, CompileError> {
    let codeartifact = spec
        .codeartifact_repo_arn
        .as_deref()
        .map(|arn| {
            CodeArtifactRepo::parse(arn).ok_or_else(|| CompileError::Refused {
                pointer: "/spec/codeartifact_repo_arn".into(),
                message: format!("invalid CodeArtifact repository ARN `{arn}`"),
                help: "write arn:aws:codeartifact:REGION:ACCOUNT:repository/DOMAIN/REPOSITORY".into(),
            })
        })
        .transpose()?;
    let code = if s3_uri::is_s3(&spec.code) {
        s3_bootstrap(spec)?
    } else {
        let script = match &spec.source_dir {
            Some(dir) if s3_uri::is_s3(dir) => s3_source_dir(spec, dir)?,
            _ => packed_source(ctx, spec)?,
        };
        let text = bootstrap::runproc(&spec.command, &script.name, codeartifact.as_ref());
        let mut artifacts = script.artifacts;
        artifacts.push(Artifact::generated(script.bootstrap_uri.clone(), text));
        CodeInputs {
            inputs: vec![
                code_input("code", script.archive_uri, bootstrap::CODE_DIR),
                code_input("entrypoint", script.bootstrap_uri, ENTRYPOINT_DIR),
            ],
            bootstrap_name: BOOTSTRAP_NAME.to_string(),
            artifacts,
        }
    };
    let image_uri = image(ctx, spec)?;
    Ok(KindParts {
        image_uri,
        entrypoint: Some(vec!["/bin/bash".into(), format!("{ENTRYPOINT_DIR}/{}", code.bootstrap_name)]),
        arguments: None,
        inputs_before: Vec::new(),
        inputs_after: code.inputs,
        extra_outputs: Vec::new(),
        artifacts: code.artifacts,
    })
}

/// The inputs and uploads that carry the code.
struct CodeInputs {
    inputs: Vec<crate::request::ProcessingInput>,
    bootstrap_name: String,
    artifacts: Vec<Artifact>,
}

/// Where the archive is, what the bootstrap runs, and where the bootstrap goes.
struct Script {
    archive_uri: String,
    name: String,
    bootstrap_uri: String,
    artifacts: Vec<Artifact>,
}

/// `code: s3://...`: the SDK runs that file as the bootstrap script itself,
/// with no archive.
fn s3_bootstrap(spec: &FrameworkProcessorSpec) -> Result<CodeInputs, CompileError> {
    let ignored = [
        ("/spec/source_dir", spec.source_dir.is_some(), "source_dir"),
        ("/spec/dependencies", !spec.dependencies.is_empty(), "dependencies"),
        ("/spec/git_config", spec.git_config.is_some(), "git_config"),
        ("/spec/codeartifact_repo_arn", spec.codeartifact_repo_arn.is_some(), "codeartifact_repo_arn"),
    ];
    if let Some((pointer, _, field)) = ignored.iter().find(|(_, set, _)| *set) {
        return Err(CompileError::Refused {
            pointer: (*pointer).into(),
            message: format!("`{field}` has no effect when `code` is an s3:// URI"),
            help: "an s3:// `code` is run as the bootstrap script itself: remove this field, or make `code` a local file".into(),
        });
    }
    Ok(CodeInputs {
        inputs: vec![code_input("entrypoint", spec.code.clone(), ENTRYPOINT_DIR)],
        bootstrap_name: s3_uri::basename(&spec.code).to_string(),
        artifacts: Vec::new(),
    })
}

/// `source_dir: s3://.../sourcedir.tar.gz`: the archive is used as it is and
/// the bootstrap goes next to it.
fn s3_source_dir(spec: &FrameworkProcessorSpec, dir: &str) -> Result<Script, CompileError> {
    if spec.git_config.is_some() {
        return Err(CompileError::Refused {
            pointer: "/spec/source_dir".into(),
            message: "with `git_config`, `source_dir` is a folder in the repository, not an s3:// URI".into(),
            help: "remove `git_config`, or give the folder's path in the repository".into(),
        });
    }
    if !spec.dependencies.is_empty() {
        return Err(CompileError::Refused {
            pointer: "/spec/dependencies".into(),
            message: "`dependencies` have no effect when `source_dir` is an s3:// URI".into(),
            help: "put the dependencies in the sourcedir.tar.gz, or use a local `source_dir`".into(),
        });
    }
    if !dir.contains(&format!("/{ARCHIVE_NAME}")) {
        return Err(CompileError::Refused {
            pointer: "/spec/source_dir".into(),
            message: format!("an s3:// `source_dir` must be a file named `{ARCHIVE_NAME}`"),
            help: format!("upload the packed code as .../{ARCHIVE_NAME}, or use a local folder"),
        });
    }
    Ok(Script {
        archive_uri: dir.to_string(),
        name: spec.code.clone(),
        bootstrap_uri: dir.replace(ARCHIVE_NAME, BOOTSTRAP_NAME),
        artifacts: Vec::new(),
    })
}

/// A local (or cloned) `source_dir`, or the lone `code` file, packed with the
/// dependencies into `<code_location>/<job>/source/sourcedir.tar.gz`.
fn packed_source(ctx: &Ctx<'_>, spec: &FrameworkProcessorSpec) -> Result<Script, CompileError> {
    for (i, dep) in spec.dependencies.iter().enumerate() {
        if s3_uri::is_s3(dep) {
            return Err(CompileError::Refused {
                pointer: format!("/spec/dependencies/{i}"),
                message: format!("dependency `{dep}` is an s3:// URI"),
                help: "dependencies are local files or folders packed with the code".into(),
            });
        }
    }
    let checkout = match &spec.git_config {
        Some(config) => {
            git::check_git_config(config, "/spec/git_config")?;
            let work_tree = ctx
                .options
                .git_work_tree
                .as_deref()
                .ok_or_else(|| CompileError::GitNotFetched { pointer: "/spec/git_config".into(), repo: config.repo.clone() })?;
            Some(work_tree)
        }
        None => None,
    };
    let resolve = |rel: &str, pointer: &str| -> Result<PathBuf, CompileError> {
        match &checkout {
            Some(c) => git::inside(c, rel, pointer),
            None => Ok(ctx.local_path(rel)),
        }
    };
    let dependencies = spec
        .dependencies
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let pointer = format!("/spec/dependencies/{i}");
            let path = resolve(d, &pointer)?;
            if path.exists() { Ok(path) } else { Err(missing(&pointer, d, checkout.is_some())) }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (entries, name, pointer) = match &spec.source_dir {
        Some(dir) => {
            let root = resolve(dir, "/spec/source_dir")?;
            if !root.is_dir() {
                return Err(missing("/spec/source_dir", dir, checkout.is_some()));
            }
            if !root.join(&spec.code).is_file() {
                return Err(CompileError::Refused {
                    pointer: "/spec/code".into(),
                    message: format!("no file named `{}` in source_dir `{dir}`", spec.code),
                    help: "`code` is the entry script's path relative to `source_dir`".into(),
                });
            }
            let mut entries = archive::collect_entries(&root, &dependencies)
                .map_err(|source| CompileError::Archive { pointer: "/spec/source_dir".into(), source })?;
            if checkout.is_some_and(|c| same_dir(&root, c)) {
                // The repository's own metadata is not part of the code.
                entries.retain(|e| e.path != ".git" && !e.path.starts_with(".git/"));
            }
            (entries, spec.code.clone(), "/spec/source_dir")
        }
        None => {
            let path = resolve(&spec.code, "/spec/code")?;
            if !path.is_file() {
                return Err(missing("/spec/code", &spec.code, checkout.is_some()));
            }
            let entries = archive::collect_script_entries(&path, &dependencies)
                .map_err(|source| CompileError::Archive { pointer: "/spec/code".into(), source })?;
            (entries, s3_uri::basename(&spec.code).to_string(), "/spec/code")
        }
    };
    let archive_error = |source| CompileError::Archive { pointer: pointer.into(), source };
    let digest = crate::archive_digest(&entries, ctx.options.archive_cache.as_deref(), ctx.options.now).map_err(archive_error)?;
    let members = archive::member_names(&entries).map_err(archive_error)?;
    let archive_uri = ctx.code_uri(&["source", ARCHIVE_NAME]);
    Ok(Script {
        archive_uri: archive_uri.clone(),
        name,
        bootstrap_uri: ctx.code_uri(&["source", BOOTSTRAP_NAME]),
        artifacts: vec![Artifact::archive(archive_uri, members, entries, digest)],
    })
}

fn missing(pointer: &str, path: &str, in_repo: bool) -> CompileError {
    CompileError::Refused {
        pointer: pointer.into(),
        message: if in_repo {
            format!("`{path}` does not exist in the git repository")
        } else {
            format!("local path `{path}` does not exist")
        },
        help: if in_repo {
            "with `git_config`, paths are relative to the repository's root".into()
        } else {
            "relative paths resolve against the manifest's folder".into()
        },
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The framework image, or `image_uri`.
fn image(ctx: &Ctx<'_>, spec: &FrameworkProcessorSpec) -> Result<String, CompileError> {
    let base_field = match (&spec.pytorch_version, &spec.tensorflow_version) {
        (Some(_), Some(_)) => {
            return Err(CompileError::Refused {
                pointer: "/spec/tensorflow_version".into(),
                message: "`pytorch_version` and `tensorflow_version` are both set".into(),
                help: "a Hugging Face image is built on one of them: keep one".into(),
            });
        }
        (Some(_), None) => Some("/spec/pytorch_version"),
        (None, Some(_)) => Some("/spec/tensorflow_version"),
        (None, None) => None,
    };
    if let (Some(field), false) = (base_field, spec.framework == Framework::Huggingface) {
        return Err(CompileError::Refused {
            pointer: field.into(),
            message: format!("`{}` is only used with `framework: huggingface`", &field["/spec/".len()..]),
            help: "remove it; `framework_version` is the version of the framework itself".into(),
        });
    }
    if let Some(uri) = &spec.image_uri {
        return Ok(uri.clone());
    }
    let instance_type = spec.common.instance_type.as_str();
    let version = spec.framework_version.as_str();
    let pointer_of = |e: &ImageUriError| image_error_pointer(e, base_field.unwrap_or("/spec/framework"));
    if spec.framework == Framework::Huggingface {
        let base = match (&spec.pytorch_version, &spec.tensorflow_version) {
            (Some(v), _) => HuggingFaceBase::PyTorch(v),
            (None, Some(v)) => HuggingFaceBase::TensorFlow(v),
            (None, None) => {
                return Err(CompileError::Refused {
                    pointer: "/spec/framework".into(),
                    message: "a Hugging Face job needs `image_uri`, or `pytorch_version` or `tensorflow_version`".into(),
                    help: "set `framework_version` to the transformers version and `pytorch_version` (or `tensorflow_version`) to its base, or give `image_uri`".into(),
                });
            }
        };
        let py = spec.py_version.as_deref().unwrap_or(DEFAULT_HF_PY_VERSION);
        return ctx
            .resolve_image(|region| image_uri::huggingface_image_uri(version, base, Some(py), region, instance_type), pointer_of)
            .map_err(|e| default_py_version_error(e, spec));
    }
    let py = spec.py_version.as_deref().unwrap_or(DEFAULT_PY_VERSION);
    ctx.resolve_image(|region| image_uri::framework_image_uri(spec.framework, version, Some(py), region, instance_type), pointer_of)
        .map_err(|e| default_py_version_error(e, spec))
}

/// Without `py_version`, the SDK's default one may not exist for the version:
/// say so at `framework_version` rather than blame a value the user did not write.
fn default_py_version_error(e: CompileError, spec: &FrameworkProcessorSpec) -> CompileError {
    if let CompileError::ImageUri { source, .. } = &e
        && let ImageUriError::UnknownPyVersion { framework, version, py_version, known } = source.as_ref()
        && spec.py_version.is_none()
    {
        return CompileError::Refused {
            pointer: "/spec/framework_version".into(),
            message: format!(
                "{framework} {version} needs `py_version`: the SDK's default `{py_version}` is not one of its Python versions ({})",
                known.join(", ")
            ),
            help: format!("add `py_version: {}`", known.last().map(String::as_str).unwrap_or("...")),
        };
    }
    e
}
