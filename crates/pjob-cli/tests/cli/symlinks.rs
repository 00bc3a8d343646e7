//! Symlinks in the folders pjob reads, as a user meets them: links a local
//! job leaves in its output folder are never followed out of it (and cannot
//! loop); links in input folders and `source_dir` follow one rule: a link to
//! a file inside the folder is that file under the link's name, anything else
//! is refused with an error naming the link.

use std::path::Path;

use crate::support::local::{host_lines, pjob_local};
use crate::support::{JobFolder, Run, pjob_command};

/// The entries of a folder: (name, whether it is a symlink), sorted.
fn entries(dir: &Path) -> Vec<(String, bool)> {
    let mut names: Vec<(String, bool)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name().to_string_lossy().into_owned(), entry.file_type().unwrap().is_symlink())
        })
        .collect();
    names.sort();
    names
}

fn plain(names: &[&str]) -> Vec<(String, bool)> {
    names.iter().map(|n| (n.to_string(), false)).collect()
}

const OUTPUT_TO_OUT: &str = "  outputs:\n    - name: result\n      source: /opt/ml/processing/output\n      destination: out\n";

#[test]
fn self_links_and_links_out_of_an_output_folder_are_not_delivered() {
    let job = JobFolder::new();
    let script = "import os
out = '/opt/ml/processing/output'
os.makedirs(out + '/sub', exist_ok=True)
open(out + '/real.txt', 'w').write('real')
open(out + '/sub/x.txt', 'w').write('x')
os.symlink('.', out + '/a')
os.symlink('.', out + '/b')
os.symlink('/etc/passwd', out + '/pw')
os.symlink('real.txt', out + '/alias.txt')
";
    let manifest = job.script_job("output-links", 1, script, OUTPUT_TO_OUT);
    let run = pjob_local(&manifest, &[]).expect(0);

    // Each real file once, the file link as a copy of its file; no link, no /etc/passwd.
    assert_eq!(entries(&job.path("out")), plain(&["alias.txt", "real.txt", "sub"]), "{}", run.all());
    assert_eq!(entries(&job.path("out/sub")), plain(&["x.txt"]));
    assert_eq!(job.read("out/alias.txt"), "real");
    assert!(run.stderr.contains("output `result` delivered to"), "{}", run.all());
    assert!(run.stderr.contains("(3 file(s))"), "{}", run.all());
    for link in ["a", "b"] {
        let notice = format!("note: output `result`: /opt/ml/processing/output/{link} on algo-1 is a symlink to a folder");
        assert!(run.stderr.contains(&notice), "{notice}\n{}", run.all());
    }
    let notice = "note: output `result`: /opt/ml/processing/output/pw on algo-1 is a symlink out of the folder (to /etc/passwd)";
    assert!(run.stderr.contains(notice), "{}", run.all());
}

#[test]
fn an_output_folder_the_job_replaces_with_a_link_out_is_not_delivered() {
    let job = JobFolder::new();
    let script = "import os, shutil
out = '/opt/ml/processing/output'
shutil.rmtree(out)
os.symlink('/etc', out)
";
    let manifest = job.script_job("output-replaced", 1, script, OUTPUT_TO_OUT);
    let run = pjob_local(&manifest, &[]).expect(0);
    assert!(!job.path("out/passwd").exists(), "{}", run.all());
    assert!(run.stderr.contains("is not a folder inside /opt/ml/processing"), "{}", run.all());
}

const INPUT_DATA: &str = "  inputs:\n    - name: data\n      source: data\n      destination: /opt/ml/processing/input/data\n";

#[test]
fn an_input_folder_stages_links_to_its_own_files_and_refuses_links_out() {
    let job = JobFolder::new();
    job.write("data/a.csv", "1\n");
    std::os::unix::fs::symlink("a.csv", job.path("data/alias.csv")).unwrap();
    let script = "import os
d = '/opt/ml/processing/input/data'
for name in sorted(os.listdir(d)):
    print(name, os.path.islink(os.path.join(d, name)), open(os.path.join(d, name)).read().strip())
";
    let manifest = job.script_job("input-links", 1, script, INPUT_DATA);
    let run = pjob_local(&manifest, &[]).expect(0);
    assert_eq!(host_lines(&run, "algo-1"), ["a.csv False 1", "alias.csv False 1"], "{}", run.all());

    std::os::unix::fs::symlink("/etc/passwd", job.path("data/pw")).unwrap();
    let run = pjob_local(&manifest, &[]).expect(2);
    assert!(run.stderr.contains("data/pw is a symlink out of the folder (to /etc/passwd)"), "{}", run.all());
    assert!(host_lines(&run, "algo-1").is_empty(), "the job does not start: {}", run.all());
}

/// `pjob render --region us-east-1 MANIFEST`.
fn render(manifest: &Path) -> Run {
    Run::of(pjob_command(["render", "--region", "us-east-1"]).arg(manifest))
}

#[test]
fn source_dir_archives_links_to_its_own_files_and_refuses_links_to_folders() {
    let job = JobFolder::new();
    job.write("src/process.py", "print('hi')\n");
    std::os::unix::fs::symlink("process.py", job.path("src/alias.py")).unwrap();
    let manifest = job.write(
        "job.pjob.yaml",
        "apiVersion: pjob/v1\nkind: FrameworkProcessor\nmetadata:\n  name: fw-links\nspec:\n  \
         role: arn:aws:iam::123456789012:role/R\n  framework: sklearn\n  framework_version: \"1.2-1\"\n  \
         command: [python3]\n  code: process.py\n  source_dir: src\n  instance_count: 1\n  instance_type: ml.m5.large\n",
    );
    let run = render(&manifest).expect(0);
    let rendered = run.json();
    let members: Vec<&str> = rendered["jobs"][0]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["members"].as_array())
        .flatten()
        .filter_map(|m| m.as_str())
        .collect();
    assert_eq!(members, ["alias.py", "process.py"], "{}", run.all());

    // `ln -s . loop`: refused, naming the link, rather than archived again and again.
    std::os::unix::fs::symlink(".", job.path("src/loop")).unwrap();
    let run = render(&manifest).expect(2);
    assert!(run.stderr.contains("src/loop is a symlink to a folder"), "{}", run.all());
}
