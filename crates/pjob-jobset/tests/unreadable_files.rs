//! Files that are not manifest text: too large, or not UTF-8. Each is
//! refused with its location and what to do, and nothing else is read.

use std::path::PathBuf;

use pjob_jobset::{LoadError, Loader};
use pjob_manifest::Target;
use pjob_source::{Code, MAX_FILE_BYTES, ReadError};
use pjob_template::{Renderer, Variables};

fn load(paths: &[PathBuf]) -> pjob_jobset::Loaded {
    Loader::new(&Renderer::new(Variables::new()), Target::Aws).load(paths)
}

#[test]
fn invalid_utf8_is_located_at_its_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("job.yaml");
    std::fs::write(&path, b"apiVersion: pjob/v1\nkind: Processor\nmeta\xffdata:\n").unwrap();
    let loaded = load(std::slice::from_ref(&path));
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.errors);
    let d = &loaded.diagnostics[0];
    assert_eq!(d.code(), Code::Encoding);
    assert_eq!((d.location().line, d.location().column), (3, 5));
    assert!(d.message().contains("0xff"), "{}", d.message());
    // In a folder, a binary file that does not mention pjob is not a manifest.
    std::fs::write(dir.path().join("data.yaml"), b"\xff\xfe\x00binary").unwrap();
    let loaded = load(&[dir.path().to_path_buf()]);
    assert_eq!(loaded.diagnostics.len(), 1, "only job.yaml: {:?}", loaded.diagnostics);
}

#[test]
fn a_file_over_the_limit_is_refused_without_being_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    let key = "k".repeat(MAX_FILE_BYTES as usize);
    std::fs::write(&path, format!("apiVersion = \"pjob/v1\"\n{key} = 1\n")).unwrap();
    let loaded = load(std::slice::from_ref(&path));
    assert!(loaded.diagnostics.is_empty());
    match loaded.errors.as_slice() {
        [LoadError::Read { source: ReadError::TooLarge { size, .. }, .. }] => assert!(*size > MAX_FILE_BYTES),
        other => panic!("{other:?}"),
    }
    let message = loaded.errors[0].to_string();
    assert!(message.contains("more than a manifest may have"), "{message}");
    // The same file in a folder is still reported: it says it is a pjob manifest.
    assert_eq!(load(&[dir.path().to_path_buf()]).errors.len(), 1);
}
