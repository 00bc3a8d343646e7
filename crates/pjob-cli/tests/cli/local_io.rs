//! `pjob apply --local`: inputs staged from local files and folders, and
//! outputs delivered to local folders, on one host or several.

use crate::support::JobFolder;
use crate::support::local::{gzip, host_lines, pjob_local};

/// Lists every file under /opt/ml/processing/input (relative paths, sorted).
const LIST_INPUTS: &str = r#"
import os
def inputs(root="/opt/ml/processing/input"):
    found = []
    for folder, _, files in os.walk(root):
        found += [os.path.relpath(os.path.join(folder, f), root) for f in files]
    return sorted(found)
"#;

#[test]
fn local_files_and_folders_are_staged_and_outputs_copied_to_local_folders() {
    let job = JobFolder::new();
    let elsewhere = tempfile::tempdir().unwrap();
    job.write("data/a.csv", "1\n");
    job.write("data/sub/b.csv", "2\n");
    job.write("single.txt", "solo\n");
    let script = format!(
        "{LIST_INPUTS}
import shutil
for f in inputs():
    print(f)
shutil.copytree('/opt/ml/processing/input/data', '/opt/ml/processing/output/copy', dirs_exist_ok=True)
with open('/opt/ml/processing/output/listing/files.txt', 'w') as out:
    out.write(chr(10).join(inputs()) + chr(10))
"
    );
    let extra = format!(
        "  inputs:
    - name: data
      source: data
      destination: /opt/ml/processing/input/data
    - name: single
      source: ./single.txt
      destination: /opt/ml/processing/input/single
  outputs:
    - name: copy
      source: /opt/ml/processing/output/copy
      destination: out/copy
    - name: listing
      source: /opt/ml/processing/output/listing
      destination: file://{}/listing
",
        elsewhere.path().display()
    );
    let manifest = job.script_job("local-io", 1, &script, &extra);
    let run = pjob_local(&manifest, &[]).expect(0);

    let expected = ["code/run.py", "data/a.csv", "data/sub/b.csv", "single/single.txt"];
    assert_eq!(host_lines(&run, "algo-1"), expected, "{}", run.all());
    assert_eq!(job.read("out/copy/a.csv"), "1\n");
    assert_eq!(job.read("out/copy/sub/b.csv"), "2\n");
    let listing = std::fs::read_to_string(elsewhere.path().join("listing/files.txt")).unwrap();
    assert_eq!(listing, format!("{}\n", expected.join("\n")));
    assert!(run.stderr.contains("Completed"), "{}", run.all());
    assert!(run.stderr.contains("the image 683313688378.dkr.ecr"), "says the image is not pulled: {}", run.all());
}

#[test]
fn outputs_without_a_destination_land_in_the_local_default_bucket_folder() {
    let job = JobFolder::new();
    let script = "open('/opt/ml/processing/result/x.txt', 'w').write('made locally')\n";
    let extra = "  outputs:\n    - name: result\n      source: /opt/ml/processing/result\n";
    let manifest = job.script_job("defaults", 1, script, extra);
    let run = pjob_local(&manifest, &[]).expect(0);

    // s3://<default bucket>/<job name>/output/result, with the bucket standing for pjob-output/.
    let jobs: Vec<_> = std::fs::read_dir(job.path("pjob-output")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let name = jobs[0].to_string_lossy().into_owned();
    assert!(name.starts_with("defaults-"), "{name}");
    assert_eq!(job.read(&format!("pjob-output/{name}/output/result/x.txt")), "made locally");
    assert!(run.stderr.contains(&format!("pjob-output/{name}/output/result")), "{}", run.all());
}

#[test]
fn sharded_inputs_are_split_by_key_across_hosts_and_replicated_ones_copied_to_each() {
    let job = JobFolder::new();
    for i in 1..=4 {
        job.write(&format!("shards/part-{i}.csv"), format!("{i}\n"));
    }
    job.write("common/lookup.csv", "k,v\n");
    let script = "
import json, os
host = json.load(open('/opt/ml/config/resourceconfig.json'))['current_host']
shards = sorted(os.listdir('/opt/ml/processing/input/shards'))
common = sorted(os.listdir('/opt/ml/processing/input/common'))
print('shards', shards)
open(f'/opt/ml/processing/output/{host}.txt', 'w').write(','.join(shards) + '|' + ','.join(common))
";
    let extra = "  inputs:
    - name: shards
      source: shards
      destination: /opt/ml/processing/input/shards
      s3_data_distribution_type: ShardedByS3Key
    - name: common
      source: common
      destination: /opt/ml/processing/input/common
  outputs:
    - name: seen
      source: /opt/ml/processing/output
      destination: out
";
    let manifest = job.script_job("sharded", 2, script, extra);
    let run = pjob_local(&manifest, &[]).expect(0);

    assert_eq!(job.read("out/algo-1.txt"), "part-1.csv,part-3.csv|lookup.csv");
    assert_eq!(job.read("out/algo-2.txt"), "part-2.csv,part-4.csv|lookup.csv");
    assert_eq!(host_lines(&run, "algo-1"), ["shards ['part-1.csv', 'part-3.csv']"], "{}", run.all());
    assert_eq!(host_lines(&run, "algo-2"), ["shards ['part-2.csv', 'part-4.csv']"], "{}", run.all());
}

#[test]
fn gzip_inputs_are_decompressed_and_pipe_mode_is_staged_as_files() {
    let job = JobFolder::new();
    job.write("logs/events.csv.gz", gzip(b"a,b\n1,2\n"));
    let script = "print(open('/opt/ml/processing/input/events/events.csv').read().strip().replace(chr(10), ' / '))\n";
    let extra = "  inputs:
    - name: events
      source: logs
      destination: /opt/ml/processing/input/events
      s3_input_mode: Pipe
      s3_compression_type: Gzip
";
    let manifest = job.script_job("gzipped", 1, script, extra);
    let run = pjob_local(&manifest, &[]).expect(0);

    assert_eq!(host_lines(&run, "algo-1"), ["a,b / 1,2"], "{}", run.all());
    assert!(run.stderr.contains("input `events` uses Pipe mode"), "{}", run.all());
}

#[test]
fn a_work_dir_keeps_the_job_folder_and_a_rerun_replaces_it() {
    let job = JobFolder::new();
    let work = tempfile::tempdir().unwrap();
    let script = "open('/opt/ml/processing/output/o.txt', 'w').write('x')\n";
    let extra = "  outputs:\n    - name: o\n      source: /opt/ml/processing/output\n      destination: out\n";
    let manifest = job.script_job("kept", 1, script, extra);
    let work_dir = work.path().display().to_string();
    for _ in 0..2 {
        let run = pjob_local(&manifest, &["--work-dir", &work_dir]).expect(0);
        let folders: Vec<_> = std::fs::read_dir(work.path()).unwrap().flatten().map(|e| e.path()).collect();
        assert_eq!(folders.len(), 1, "{folders:?}");
        let folder = &folders[0];
        assert!(folder.join("algo-1/config/processingjobconfig.json").is_file());
        assert_eq!(std::fs::read_to_string(folder.join("algo-1/processing/output/o.txt")).unwrap(), "x");
        assert!(run.stderr.contains(&format!("the job folder stays at {}", folder.display())), "{}", run.all());
    }
}
