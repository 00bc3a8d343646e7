//! `pjob apply --local` with S3 data, against moto: S3 inputs (prefix,
//! manifest file, gzip) staged through the S3 client, outputs uploaded, and
//! the job's own local files staged without any upload.
//!
//! Needs moto's server mode: PJOB_TEST_MOTO_ENDPOINT (tests/run.sh sets it);
//! the tests fail, not skip, without it.

use aws_sdk_s3::primitives::ByteStream;

use crate::support::local::{gzip, host_lines, local_command};
use crate::support::moto::{block, get_object, moto, nonce, s3, with_moto};
use crate::support::{JobFolder, Run};

/// Creates a bucket holding `objects` (key, bytes).
fn bucket_with(objects: &[(&str, Vec<u8>)]) -> String {
    let bucket = format!("local-{}", nonce());
    let client = s3();
    let objects: Vec<(String, Vec<u8>)> = objects.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let name = bucket.clone();
    block(async move {
        client.create_bucket().bucket(&name).send().await.expect("create bucket");
        for (key, bytes) in objects {
            client.put_object().bucket(&name).key(key).body(ByteStream::from(bytes)).send().await.expect("put object");
        }
    });
    bucket
}

/// Every key under a prefix.
fn keys(bucket: &str, prefix: &str) -> Vec<String> {
    let client = s3();
    let (bucket, prefix) = (bucket.to_string(), prefix.to_string());
    block(async move {
        let listed = client.list_objects_v2().bucket(bucket).prefix(prefix).send().await.expect("list");
        listed.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect()
    })
}

/// `pjob apply --local` against moto.
fn pjob_local_s3(manifest: &std::path::Path, args: &[&str]) -> Run {
    Run::of(&mut with_moto(local_command(manifest, args), &moto()))
}

#[test]
fn s3_inputs_are_downloaded_and_outputs_uploaded() {
    let bucket = bucket_with(&[
        ("raw/a.csv", b"a\n".to_vec()),
        ("raw/sub/b.csv", b"b\n".to_vec()),
        ("rawer/not-mine.csv", b"x\n".to_vec()),
        ("items/one.txt", b"1\n".to_vec()),
        ("items/deep/two.txt", b"2\n".to_vec()),
        ("items/three.txt", b"3 is not listed\n".to_vec()),
        ("zipped/events.csv.gz", gzip(b"e,f\n")),
    ]);
    let manifest_file = format!(r#"[{{"prefix": "s3://{bucket}/items/"}}, "one.txt", "deep/two.txt"]"#);
    let (client, bucket2) = (s3(), bucket.clone());
    block(async move {
        client
            .put_object()
            .bucket(&bucket2)
            .key("lists/input.manifest")
            .body(ByteStream::from(manifest_file.into_bytes()))
            .send()
            .await
            .expect("put manifest");
    });
    let job = JobFolder::new();
    let script = r#"
import os, shutil
root = "/opt/ml/processing/input"
found = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
for f in found:
    print(f)
os.makedirs("/opt/ml/processing/output/files", exist_ok=True)
open("/opt/ml/processing/output/files/found.txt", "w").write("\n".join(found) + "\n")
open("/opt/ml/processing/output/files/events.csv", "w").write(open(root + "/zipped/events.csv").read())
open("/opt/ml/processing/default/d.txt", "w").write("default")
"#;
    let extra = format!(
        "  inputs:
    - name: raw
      source: s3://{bucket}/raw/
      destination: /opt/ml/processing/input/raw
    - name: listed
      source: s3://{bucket}/lists/input.manifest
      destination: /opt/ml/processing/input/listed
      s3_data_type: ManifestFile
    - name: zipped
      source: s3://{bucket}/zipped/
      destination: /opt/ml/processing/input/zipped
      s3_input_mode: Pipe
      s3_compression_type: Gzip
  outputs:
    - name: files
      source: /opt/ml/processing/output/files
      destination: s3://{bucket}/results/
    - name: fallback
      source: /opt/ml/processing/default
"
    );
    let manifest = job.script_job("s3-local", 1, script, &extra);
    let run = pjob_local_s3(&manifest, &["--default-bucket", &bucket]).expect(0);

    let expected = ["code/run.py", "listed/deep/two.txt", "listed/one.txt", "raw/a.csv", "raw/sub/b.csv", "zipped/events.csv"];
    assert_eq!(host_lines(&run, "algo-1"), expected, "{}", run.all());
    let found = get_object(&format!("s3://{bucket}/results/found.txt"));
    assert_eq!(String::from_utf8_lossy(&found), format!("{}\n", expected.join("\n")));
    assert_eq!(get_object(&format!("s3://{bucket}/results/events.csv")), b"e,f\n");

    // The default destination is s3://<default bucket>/<job>/output/<name> ...
    let job_name = keys(&bucket, "")
        .into_iter()
        .find_map(|k| k.strip_suffix("/output/fallback/d.txt").map(str::to_string))
        .unwrap_or_else(|| panic!("no default output in {:?}\n{}", keys(&bucket, ""), run.all()));
    assert!(job_name.starts_with("s3-local-"), "{job_name}");
    // ... and the job's own code was staged from the local file, not uploaded.
    assert!(keys(&bucket, &format!("{job_name}/input")).is_empty(), "{:?}", keys(&bucket, &job_name));
}

#[test]
fn an_empty_s3_prefix_fails_the_job_as_sagemaker_does() {
    let bucket = bucket_with(&[("other/x.csv", b"x".to_vec())]);
    let job = JobFolder::new();
    let extra =
        format!("  inputs:\n    - name: raw\n      source: s3://{bucket}/nothing-here/\n      destination: /opt/ml/processing/input/raw\n");
    let manifest = job.script_job("s3-empty", 1, "print('must not run')\n", &extra);
    let run = pjob_local_s3(&manifest, &[]).expect(1);
    assert!(
        run.stderr.contains(&format!("Failed: ClientError: No S3 objects found under S3 URL \"s3://{bucket}/nothing-here/\"")),
        "{}",
        run.all()
    );
    assert!(!run.stdout.contains("must not run"));
}
