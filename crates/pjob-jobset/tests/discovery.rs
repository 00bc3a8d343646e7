//! Folders on the command line are searched once per real file: symlinked
//! folders neither loop nor lead outside, and hidden folders are skipped.

use std::os::unix::fs::symlink;
use std::path::Path;

use pjob_jobset::Loader;
use pjob_manifest::Target;
use pjob_template::{Renderer, Variables};

const JOB: &str = "apiVersion: pjob/v1\nkind: Processor\nmetadata:\n  name: j\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1\n  entrypoint: [python3]\n  instance_count: 1\n  instance_type: ml.m5.large\n";

fn load(dir: &Path) -> pjob_jobset::Loaded {
    Loader::new(&Renderer::new(Variables::new()), Target::Aws).load(&[dir.to_path_buf()])
}

#[test]
fn self_links_and_links_out_of_the_folder_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("jobs");
    std::fs::create_dir_all(dir.join("d/.hidden")).unwrap();
    std::fs::write(dir.join("d/job.yaml"), JOB).unwrap();
    std::fs::write(dir.join("d/.hidden/job.yaml"), JOB).unwrap();
    // Two self-links made the old walk exponential; a link out of the folder walked it.
    symlink(".", dir.join("d/l1")).unwrap();
    symlink(".", dir.join("d/l2")).unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("other.yaml"), JOB).unwrap();
    symlink(&outside, dir.join("out")).unwrap();
    // A link to a manifest file in the folder would count it twice.
    symlink(dir.join("d/job.yaml"), dir.join("again.yaml")).unwrap();
    let loaded = load(&dir);
    assert!(!loaded.has_problems(), "{:?} {:?}", loaded.errors, loaded.diagnostics);
    assert_eq!(loaded.files, 1);
    assert_eq!(loaded.jobs.len(), 1);
    assert_eq!(loaded.jobs[0].file.path(), dir.join("d/job.yaml"), "named from the folder as given");
}

#[test]
fn streaming_keeps_file_order_across_batches_on_every_core() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("many");
    std::fs::create_dir_all(&dir).unwrap();
    // More files than one batch; a few broken ones spread over the batches.
    let broken = [3usize, 700, 1100];
    for i in 0..1200 {
        let text = if broken.contains(&i) { JOB.replace("instance_count: 1", "instance_count: many") } else { JOB.to_string() };
        std::fs::write(dir.join(format!("job{i:04}.yaml")), text).unwrap();
    }
    let renderer = Renderer::new(Variables::new());
    let loader = Loader::new(&renderer, Target::Aws);
    let mut seen = Vec::new();
    loader.stream(
        std::slice::from_ref(&dir),
        |loaded| {
            let name = loaded.diagnostics.first().map(|d| d.location().file.clone());
            (loaded.files, loaded.jobs.len(), name)
        },
        |result| seen.push(result),
    );
    assert_eq!(seen.len(), 1200, "one result per file");
    assert!(seen.iter().all(|(files, _, _)| *files == 1));
    assert_eq!(seen.iter().map(|(_, jobs, _)| jobs).sum::<usize>(), 1197);
    let problems: Vec<String> = seen.iter().filter_map(|(_, _, name)| name.clone()).collect();
    let expected: Vec<String> = broken.iter().map(|i| dir.join(format!("job{i:04}.yaml")).display().to_string()).collect();
    assert_eq!(problems, expected, "problems come in file order");
}

#[test]
fn what_could_not_be_walked_is_reported_in_its_place_and_the_rest_still_loads() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("jobs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.yaml"), JOB).unwrap();
    // A manifest file whose name is not UTF-8 cannot be named in messages or requests.
    std::fs::write(dir.join(OsStr::from_bytes(b"b\xff.yaml")), JOB).unwrap();
    std::fs::write(dir.join("c.yaml"), JOB.replace("name: j", "name: k")).unwrap();
    let renderer = Renderer::new(Variables::new());
    let loader = Loader::new(&renderer, Target::Aws);
    let mut seen = Vec::new();
    loader.stream(
        std::slice::from_ref(&dir),
        |loaded| match loaded.errors.first() {
            Some(e) => format!("error: {e}"),
            None => loaded.jobs.iter().map(|j| j.manifest.metadata.name.clone()).collect(),
        },
        |result| seen.push(result),
    );
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0], "j");
    assert!(seen[1].starts_with("error: ") && seen[1].contains("UTF-8"), "the bad name between the files around it: {seen:?}");
    assert_eq!(seen[2], "k");
}

#[test]
fn a_folder_holding_no_manifest_is_reported_after_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("jobs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 3\n").unwrap();
    let loaded = load(&dir);
    assert_eq!(loaded.files, 0);
    assert!(matches!(loaded.errors.as_slice(), [pjob_jobset::LoadError::NoManifestInFolder(path)] if path == &dir), "{:?}", loaded.errors);
}

#[test]
fn a_panic_while_loading_reaches_the_caller_instead_of_hanging_the_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("many");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..1200 {
        std::fs::write(dir.join(format!("job{i:04}.yaml")), JOB).unwrap();
    }
    let renderer = Renderer::new(Variables::new());
    let loader = Loader::new(&renderer, Target::Aws);
    let mut handed_on = 0;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        loader.stream(
            std::slice::from_ref(&dir),
            |loaded| {
                let name = loaded.jobs.first().map(|j| j.file.path().to_path_buf()).unwrap_or_default();
                assert!(!name.ends_with("job0700.yaml"), "the per-file step fails at {}", name.display());
            },
            |()| handed_on += 1,
        );
    }));
    let panic = outcome.expect_err("the panic is raised again");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("job0700.yaml"), "the panic's own message: {message}");
    assert!(handed_on <= 700, "nothing after the failing file is handed on: {handed_on}");
}
