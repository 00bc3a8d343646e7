//! Local input folders are uploaded by the one folder walk (`pjob-walk`): files
//! in order, links to files inside the folder included, and anything the walk
//! does not follow refused with an error at the input's `source`.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::SystemTime;

use pjob_compiler::{ArtifactBody, CompileError, CompileOptions, CompiledJob, compile};
use pjob_manifest::Manifest;
use serde_json::json;

fn compile_with_input(base_dir: &Path) -> Result<CompiledJob, CompileError> {
    fs::write(base_dir.join("run.py"), "print('hi')\n").unwrap();
    let manifest = Manifest::from_json(json!({
        "apiVersion": "pjob/v1",
        "kind": "ScriptProcessor",
        "metadata": {"name": "links"},
        "spec": {
            "role": "arn:aws:iam::123456789012:role/SageMakerRole",
            "image_uri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
            "command": ["python3"],
            "code": "run.py",
            "instance_count": 1,
            "instance_type": "ml.m5.large",
            "inputs": [{"name": "data", "source": "data", "destination": "/opt/ml/processing/input/data"}],
        },
    }))
    .unwrap();
    let options = CompileOptions {
        region: Some("us-east-1".into()),
        default_bucket: "bkt".into(),
        default_bucket_prefix: None,
        base_dir: base_dir.to_path_buf(),
        force_timestamp_name: false,
        now: SystemTime::UNIX_EPOCH,
        git_work_tree: None,
        archive_cache: None,
        upstream: Vec::new(),
    };
    compile(&manifest, &options)
}

/// The uploaded input files: (key below the input's prefix, content).
fn input_files(job: &CompiledJob) -> Vec<(String, String)> {
    job.artifacts
        .iter()
        .filter_map(|a| {
            let key = a.uri.split_once("/input/data/")?.1.to_string();
            let ArtifactBody::File { source } = &a.body else { return None };
            Some((key, fs::read_to_string(source).unwrap()))
        })
        .collect()
}

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

#[test]
fn links_to_files_inside_an_input_folder_are_uploaded_under_their_name() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    write(&data.join("b.csv"), "b\n");
    write(&data.join("sub/c.csv"), "c\n");
    write(&data.join("sub-a.csv"), "sub-a\n");
    symlink("b.csv", data.join("a.csv")).unwrap();
    let job = compile_with_input(tmp.path()).unwrap();
    let expected = [("a.csv", "b\n"), ("b.csv", "b\n"), ("sub-a.csv", "sub-a\n"), ("sub/c.csv", "c\n")];
    let expected: Vec<(String, String)> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(input_files(&job), expected);
}

#[test]
fn links_out_of_an_input_folder_or_to_a_folder_are_refused_at_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    write(&data.join("a.csv"), "a\n");
    for (target, link) in [("/etc/passwd", "pw"), (".", "again"), ("missing.csv", "gone.csv")] {
        symlink(target, data.join(link)).unwrap();
        let err = compile_with_input(tmp.path()).unwrap_err();
        assert_eq!(err.pointer(), "/spec/inputs/0/source");
        assert!(err.to_string().contains(&format!("data/{link}")), "{err}");
        assert!(matches!(err, CompileError::Refused { .. }), "{err:?}");
        fs::remove_file(data.join(link)).unwrap();
    }
}
