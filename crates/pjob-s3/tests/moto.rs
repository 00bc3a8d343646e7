//! pjob-s3 against moto's server mode (`tests/moto.sh start` sets
//! PJOB_TEST_MOTO_ENDPOINT).

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use pjob_s3::{AwsOptions, ObjectBody, S3Error, S3Transfer, StoredHash, aws_config};
use sha2::{Digest, Sha256};

fn endpoint() -> String {
    std::env::var("PJOB_TEST_MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!("PJOB_TEST_MOTO_ENDPOINT is not set: start moto with `eval \"$(tests/moto.sh start)\"` (needs pip install 'moto[server]')")
    })
}

async fn transfer() -> S3Transfer {
    let options = AwsOptions { region: Some("us-east-1".into()), endpoint_url: Some(endpoint()), ..AwsOptions::default() };
    let config = aws_config(&options).await.expect("config");
    S3Transfer::from_config(&config)
}

/// A fresh bucket for one test.
async fn bucket(t: &S3Transfer) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let name = format!("pjob-s3-{}-{}-{stamp}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    t.ensure_bucket(&name, "us-east-1").await.expect("bucket");
    name
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

async fn get(t: &S3Transfer, uri: &str, dir: &Path) -> Vec<u8> {
    let dest = dir.join("got");
    t.download_object(uri, &dest).await.expect("download");
    std::fs::read(dest).unwrap()
}

#[tokio::test]
async fn uploads_once_then_skips_unchanged_content() {
    let t = transfer().await;
    let b = bucket(&t).await;
    let uri = format!("s3://{b}/code/run.py");
    let data = b"print('hello')\n".to_vec();
    assert!(t.put_if_changed(&uri, ObjectBody::Bytes(data.clone()), &sha(&data), None).await.unwrap());
    assert!(!t.put_if_changed(&uri, ObjectBody::Bytes(data.clone()), &sha(&data), None).await.unwrap());
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(get(&t, &uri, tmp.path()).await, data);
    let changed = b"print('bye')\n".to_vec();
    assert!(t.put_if_changed(&uri, ObjectBody::Bytes(changed.clone()), &sha(&changed), None).await.unwrap());
    assert_eq!(get(&t, &uri, tmp.path()).await, changed);
}

#[tokio::test]
async fn large_files_go_multipart_with_the_right_bytes() {
    let t = transfer().await.with_multipart(5 * 1024 * 1024, 5 * 1024 * 1024).with_concurrency(3);
    let b = bucket(&t).await;
    let tmp = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..(12 * 1024 * 1024 + 17)).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let file = tmp.path().join("big.bin");
    std::fs::write(&file, &data).unwrap();
    let uri = format!("s3://{b}/big.bin");
    assert!(t.put_if_changed(&uri, ObjectBody::File(file.clone()), &sha(&data), None).await.unwrap());
    let got = get(&t, &uri, tmp.path()).await;
    assert_eq!(got.len(), data.len());
    assert!(got == data, "multipart object differs from the file");
    assert!(!t.put_if_changed(&uri, ObjectBody::File(file), &sha(&data), None).await.unwrap());
    // From memory too.
    let uri2 = format!("s3://{b}/big-from-memory.bin");
    assert!(t.put_if_changed(&uri2, ObjectBody::Bytes(data.clone()), &sha(&data), None).await.unwrap());
    assert!(get(&t, &uri2, tmp.path()).await == data);
}

#[tokio::test]
async fn uploads_store_their_sha256_as_pjob_metadata_single_and_multipart() {
    let t = transfer().await.with_multipart(5 * 1024 * 1024, 5 * 1024 * 1024);
    let b = bucket(&t).await;
    let small = b"print('hello')\n".to_vec();
    let big: Vec<u8> = (0..(6 * 1024 * 1024)).map(|i: u32| (i % 251) as u8).collect();
    for (key, data) in [("small.py", &small), ("big.bin", &big)] {
        let uri = format!("s3://{b}/{key}");
        t.put_if_changed(&uri, ObjectBody::Bytes(data.clone()), &sha(data), None).await.unwrap();
        let head = t.client().head_object().bucket(&b).key(key).send().await.unwrap();
        assert_eq!(head.metadata().and_then(|m| m.get("pjob-sha256")), Some(&sha(data)), "{key}");
        assert_eq!(t.stored_sha256(&uri).await.unwrap(), StoredHash::Sha256(sha(data)), "{key}");
    }
}

#[tokio::test]
async fn objects_pjob_did_not_upload_have_no_stored_hash() {
    let t = transfer().await;
    let b = bucket(&t).await;
    t.client().put_object().bucket(&b).key("plain.txt").body(b"x".to_vec().into()).send().await.unwrap();
    assert_eq!(t.stored_sha256(&format!("s3://{b}/plain.txt")).await.unwrap(), StoredHash::Unknown);
    assert_eq!(t.stored_sha256(&format!("s3://{b}/missing.txt")).await.unwrap(), StoredHash::Absent);
    // The key earlier versions of pjob wrote is still read (and the object not uploaded again).
    let data = b"old".to_vec();
    let put = t.client().put_object().bucket(&b).key("old.txt").metadata("sha256", sha(&data)).body(data.clone().into());
    put.send().await.unwrap();
    let uri = format!("s3://{b}/old.txt");
    assert_eq!(t.stored_sha256(&uri).await.unwrap(), StoredHash::Sha256(sha(&data)));
    assert!(!t.put_if_changed(&uri, ObjectBody::Bytes(data.clone()), &sha(&data), None).await.unwrap());
}

#[tokio::test]
async fn kms_uploads_are_encrypted_and_reuploaded_when_they_were_not() {
    let t = transfer().await;
    let b = bucket(&t).await;
    let uri = format!("s3://{b}/k.txt");
    let data = b"secret".to_vec();
    assert!(t.put_if_changed(&uri, ObjectBody::Bytes(data.clone()), &sha(&data), None).await.unwrap());
    assert!(t.put_if_changed(&uri, ObjectBody::Bytes(data.clone()), &sha(&data), Some("alias/pjob")).await.unwrap());
    let head = t.client().head_object().bucket(&b).key("k.txt").send().await.unwrap();
    assert_eq!(head.server_side_encryption().map(|s| s.as_str()), Some("aws:kms"));
    assert!(!t.put_if_changed(&uri, ObjectBody::Bytes(data.clone()), &sha(&data), Some("alias/pjob")).await.unwrap());
}

#[tokio::test]
async fn folder_uploads_leave_out_links_to_folders_and_out_of_the_folder() {
    let t = transfer().await;
    let b = bucket(&t).await;
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("a.csv"), "1,2\n").unwrap();
    for (target, link) in [(".", "loop1"), (".", "loop2"), ("/etc/passwd", "pw"), ("a.csv", "b.csv")] {
        std::os::unix::fs::symlink(target, src.path().join(link)).unwrap();
    }
    let prefix = format!("s3://{b}/linked/");
    assert_eq!(t.upload_dir(src.path(), &prefix, None).await.unwrap(), 2);
    assert_eq!(t.list(&prefix).await.unwrap(), vec![format!("s3://{b}/linked/a.csv"), format!("s3://{b}/linked/b.csv")]);
}

#[tokio::test]
async fn folders_round_trip_through_a_prefix() {
    let t = transfer().await;
    let b = bucket(&t).await;
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("sub/deeper")).unwrap();
    std::fs::write(src.path().join("a.csv"), "1,2\n").unwrap();
    std::fs::write(src.path().join("sub/b.csv"), "3,4\n").unwrap();
    std::fs::write(src.path().join("sub/deeper/c.txt"), "c").unwrap();
    let prefix = format!("s3://{b}/data/");
    assert_eq!(t.upload_dir(src.path(), &prefix, None).await.unwrap(), 3);
    assert_eq!(t.upload_dir(src.path(), &prefix, None).await.unwrap(), 0, "unchanged files are skipped");
    assert_eq!(
        t.list(&prefix).await.unwrap(),
        vec![format!("s3://{b}/data/a.csv"), format!("s3://{b}/data/sub/b.csv"), format!("s3://{b}/data/sub/deeper/c.txt")]
    );
    let dest = tempfile::tempdir().unwrap();
    let written = t.download_prefix(&format!("s3://{b}/data"), dest.path()).await.unwrap();
    assert_eq!(written.len(), 3);
    assert_eq!(std::fs::read_to_string(dest.path().join("a.csv")).unwrap(), "1,2\n");
    assert_eq!(std::fs::read_to_string(dest.path().join("sub/b.csv")).unwrap(), "3,4\n");
    assert_eq!(std::fs::read_to_string(dest.path().join("sub/deeper/c.txt")).unwrap(), "c");
    // A prefix that names one object.
    let one = tempfile::tempdir().unwrap();
    let written = t.download_prefix(&format!("s3://{b}/data/a.csv"), one.path()).await.unwrap();
    assert_eq!(written, vec![one.path().join("a.csv")]);
}

#[tokio::test]
async fn missing_objects_and_buckets_are_reported_as_such() {
    let t = transfer().await;
    let b = bucket(&t).await;
    let tmp = tempfile::tempdir().unwrap();
    let err = t.download_object(&format!("s3://{b}/nope"), &tmp.path().join("x")).await.unwrap_err();
    assert!(matches!(err, S3Error::NotFound { .. }), "{err}");
    let err = t.list("s3://pjob-no-such-bucket-here/x").await.unwrap_err();
    assert!(matches!(err, S3Error::NotFound { .. }), "{err}");
    assert!(matches!(t.list("not-a-uri").await, Err(S3Error::InvalidUri(_))));
    // ensure_bucket is idempotent.
    t.ensure_bucket(&b, "us-east-1").await.unwrap();
    t.ensure_bucket(&format!("{b}-eu"), "eu-west-1").await.unwrap();
}
