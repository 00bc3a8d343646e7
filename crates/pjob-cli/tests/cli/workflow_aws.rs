//! Sets of jobs that depend on each other, applied to moto (SPEC section
//! 8): upstream outputs become downstream inputs, an unchanged set is
//! reused, a change renames what is downstream of it, a failed job skips
//! its dependents and is started again with `--retry-failed` or `spec.retry`.

use crate::support::moto::{ACCOUNT, REGION, moto, nonce, pjob};
use crate::support::proxy::Proxy;
use crate::support::{IMAGE, JobFolder};

/// A Processor manifest: `name`, extra `metadata` entries, extra `spec` lines.
fn manifest(name: &str, metadata: &str, spec: &str) -> String {
    format!(
        "apiVersion: pjob/v1\nkind: Processor\nmetadata: {{name: {name}{metadata}}}\nspec:\n  role: arn:aws:iam::123456789012:role/SageMakerRole\n  image_uri: {IMAGE}\n  entrypoint: [python3, main.py]\n  instance_count: 1\n  instance_type: ml.m5.large\n{spec}"
    )
}

/// Writes the three-job set: `prep` -> `feat` (reads prep's `train`) -> `report`.
fn write_set(f: &JobFolder, nonce: &str, feat_arg: &str) {
    let out = |name: &str| format!("  outputs:\n    - name: {name}\n      source: /opt/ml/processing/output/{name}\n");
    let input = |expr: &str| {
        format!("  inputs:\n    - name: up\n      source: \"{{{{ {expr} }}}}\"\n      destination: /opt/ml/processing/input/up\n")
    };
    f.write("set/prep.yaml", manifest(&format!("prep{nonce}"), "", &format!("  env: {{NONCE: \"{nonce}\"}}\n{}", out("train"))));
    let feat = format!("  arguments: [\"{feat_arg}\"]\n{}{}", input(&format!("jobs.prep{nonce}.outputs.train")), out("features"));
    f.write("set/feat.yaml", manifest(&format!("feat{nonce}"), "", &feat));
    f.write("set/report.yaml", manifest(&format!("report{nonce}"), "", &input(&format!("jobs.feat{nonce}.outputs.features"))));
}

/// The SageMaker names `render` gives the set, by `metadata.name` prefix.
fn names(f: &JobFolder) -> Vec<String> {
    let bucket = format!("sagemaker-{REGION}-{ACCOUNT}");
    let set = f.path("set").display().to_string();
    let run = pjob(&moto(), &["render", &set, "--default-bucket", &bucket]).expect(0);
    run.json()["jobs"].as_array().unwrap().iter().map(|j| j["request"]["ProcessingJobName"].as_str().unwrap().to_string()).collect()
}

fn created(proxy: &Proxy) -> Vec<serde_json::Value> {
    proxy.calls("CreateProcessingJob").iter().map(|s| serde_json::from_slice(&s.body).unwrap()).collect()
}

#[test]
fn a_set_runs_upstream_first_and_an_unchanged_set_is_reused() {
    let (f, nonce) = (JobFolder::new(), nonce());
    write_set(&f, &nonce, "a");
    let set = f.path("set").display().to_string();
    let proxy = Proxy::start(&moto());
    proxy.describe_as_created();
    let run = pjob(&proxy.url(), &["apply", &set]).expect(0);
    let jobs = created(&proxy);
    let order: Vec<&str> = jobs.iter().map(|j| j["ProcessingJobName"].as_str().unwrap()).collect();
    assert_eq!(order, names(&f), "created upstream first: {}", run.all());
    assert!(order[0].starts_with(&format!("prep{nonce}-")) && order[2].starts_with(&format!("report{nonce}-")));
    let output = |j: &serde_json::Value| j["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].clone();
    let input = |j: &serde_json::Value| j["ProcessingInputs"][0]["S3Input"]["S3Uri"].clone();
    assert_eq!(input(&jobs[1]), output(&jobs[0]), "feat reads what prep writes");
    assert_eq!(input(&jobs[2]), output(&jobs[1]), "report reads what feat writes");
    for (job, name) in ["prep", "feat", "report"].iter().zip(&order) {
        let row = run.stderr.lines().find(|l| l.starts_with(&format!("{job}{nonce} "))).unwrap_or_else(|| panic!("{}", run.stderr));
        assert!(row.contains(name) && row.contains("Completed"), "closing table row: {row}");
    }

    let again = pjob(&proxy.url(), &["apply", &set, "-o", "json"]).expect(0).json();
    assert_eq!(created(&proxy).len(), 3, "a second apply creates nothing");
    let actions: Vec<&str> = again["jobs"].as_array().unwrap().iter().map(|j| j["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["exists", "exists", "exists"]);

    write_set(&f, &nonce, "b");
    let plan = pjob(&proxy.url(), &["plan", &set, "-o", "json"]).expect(0).json();
    let planned: Vec<(&str, &str)> =
        plan["jobs"].as_array().unwrap().iter().map(|j| (j["job"].as_str().unwrap(), j["action"].as_str().unwrap())).collect();
    let (prep, feat, report) = (format!("prep{nonce}"), format!("feat{nonce}"), format!("report{nonce}"));
    assert_eq!(planned, [(prep.as_str(), "exists"), (feat.as_str(), "changed"), (report.as_str(), "changed")], "{plan}");
    assert_eq!(plan["jobs"][1]["reasons"], serde_json::json!(["~ AppSpecification.ContainerArguments[0]: \"a\" -> \"b\""]));
    assert_eq!(plan["jobs"][2]["depends_on"], serde_json::json!([feat]));
    let reasons = plan["jobs"][2]["reasons"].as_array().unwrap();
    assert_eq!(reasons[0], format!("upstream changed: {feat}").as_str(), "{plan}");
    assert!(reasons[1].as_str().unwrap().starts_with("~ ProcessingInputs[up].S3Input.S3Uri: "), "{plan}");
    let changed = names(&f);
    assert_eq!(changed[0], order[0], "the upstream of the change is reused");
    assert!(changed[1] != order[1] && changed[2] != order[2], "the changed job and its dependent are renamed");
    pjob(&proxy.url(), &["apply", &set]).expect(0);
    let now: Vec<String> = created(&proxy)[3..].iter().map(|j| j["ProcessingJobName"].as_str().unwrap().to_string()).collect();
    assert_eq!(now, changed[1..], "only the changed job and what is downstream of it run again");
}

#[test]
fn a_failed_job_skips_its_dependents_and_retry_failed_runs_it_again() {
    let (f, nonce) = (JobFolder::new(), nonce());
    write_set(&f, &nonce, "a");
    f.write("set/other.yaml", manifest(&format!("other{nonce}"), "", ""));
    let set = f.path("set").display().to_string();
    let names = names(&f);
    let feat = names.iter().find(|n| n.starts_with("feat")).unwrap().clone();
    let proxy = Proxy::start(&moto());
    proxy.script(&feat, &[("InProgress", None), ("Failed", Some("AlgorithmError: no rows"))]);
    let run = pjob(&proxy.url(), &["apply", &set, "-o", "json"]).expect(1);
    let rows = run.json()["jobs"].as_array().unwrap().clone();
    let status = |job: &str| {
        let row = rows.iter().find(|r| r["job"].as_str().unwrap().starts_with(job)).unwrap();
        (row["status"].as_str().unwrap().to_string(), row["reason"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(status("feat").0, "Failed");
    assert_eq!(status("report"), ("skipped".into(), format!("upstream feat{nonce} Failed")));
    assert_eq!((status("prep").0, status("other").0), ("Completed".into(), "Completed".into()), "the others go on");
    let made: Vec<String> = created(&proxy).iter().map(|j| j["ProcessingJobName"].as_str().unwrap().to_string()).collect();
    assert!(!made.iter().any(|n| n.starts_with("report")), "a skipped job is never created: {made:?}");

    let again = pjob(&proxy.url(), &["apply", &set]).expect(1);
    assert_eq!(created(&proxy).len(), made.len(), "an unchanged failed job is reported, not run again: {}", again.all());

    let retried = pjob(&proxy.url(), &["apply", &set, "--retry-failed"]).expect(0);
    let attempt = format!("{feat}-r1");
    let made: Vec<String> = created(&proxy).iter().map(|j| j["ProcessingJobName"].as_str().unwrap().to_string()).collect();
    assert!(made.contains(&attempt), "a new attempt keeps the hash: {made:?}\n{}", retried.all());
    assert!(made.last().unwrap().starts_with("report"), "then its dependent runs: {made:?}");
    assert!(retried.stderr.lines().any(|l| l.starts_with(&format!("feat{nonce}")) && l.contains(&attempt)), "{}", retried.stderr);
    pjob(&proxy.url(), &["apply", &set]).expect(0);
    assert_eq!(created(&proxy).len(), made.len(), "the completed attempt is reused");
}

#[test]
fn spec_retry_starts_new_attempts_for_the_categories_it_names() {
    let (f, nonce) = (JobFolder::new(), nonce());
    let retry = "  retry: {attempts: 2, on: [CapacityError], interval_seconds: 1, backoff_rate: 1.0}\n";
    let path = f.write("job.yaml", manifest(&format!("flaky{nonce}"), "", retry));
    let job = path.display().to_string();
    let name = names_of(&job);
    let proxy = Proxy::start(&moto());
    let capacity = Some("CapacityError: Unable to provision requested ML compute capacity");
    proxy.script(&name, &[("InProgress", None), ("Failed", capacity)]);
    proxy.script(&format!("{name}-r1"), &[("InProgress", None), ("Failed", capacity)]);
    let run = pjob(&proxy.url(), &["apply", &job]).expect(0);
    let made: Vec<String> = created(&proxy).iter().map(|j| j["ProcessingJobName"].as_str().unwrap().to_string()).collect();
    assert_eq!(made, [name.clone(), format!("{name}-r1"), format!("{name}-r2")], "{}", run.all());
    assert!(run.stderr.contains("spec.retry starts attempt 2"), "{}", run.stderr);

    let other = f.write("other.yaml", manifest(&format!("broken{nonce}"), "", retry)).display().to_string();
    let broken = names_of(&other);
    proxy.script(&broken, &[("Failed", Some("AlgorithmError: exit code 1"))]);
    pjob(&proxy.url(), &["apply", &other]).expect(1);
    assert!(!created(&proxy).iter().any(|j| j["ProcessingJobName"] == format!("{broken}-r1")), "other failures are not retried");
}

fn names_of(manifest: &str) -> String {
    crate::support::moto::rendered_name(manifest, &[])
}

#[test]
fn a_cycle_or_an_unknown_reference_stops_the_set_before_aws() {
    let f = JobFolder::new();
    f.write("set/a.yaml", manifest("a", ", depends_on: [b]", ""));
    f.write("set/b.yaml", manifest("b", "", "  arguments: [\"{{ jobs.a.job_name }}\"]\n"));
    let proxy = Proxy::start(&moto());
    let run = pjob(&proxy.url(), &["apply", &f.path("set").display().to_string()]).expect(2);
    assert!(run.stderr.contains("pjob::cycle") && run.stderr.contains("jobs `a`, `b` depend on each other in a cycle"), "{}", run.stderr);
    assert!(run.stderr.contains("a.yaml:3:34"), "{}", run.stderr);
    f.write("set/a.yaml", manifest("a", ", depends_on: [c]", ""));
    let run = pjob(&proxy.url(), &["apply", &f.path("set").display().to_string()]).expect(2);
    assert!(run.stderr.contains("no job named `c` in this set") && run.stderr.contains("a.yaml:3:34"), "{}", run.stderr);
    assert!(proxy.seen().is_empty(), "nothing was sent");
}

#[test]
fn detach_creates_what_can_start_and_lists_the_rest_as_not_started() {
    let (f, nonce) = (JobFolder::new(), nonce());
    write_set(&f, &nonce, "a");
    let set = f.path("set").display().to_string();
    let prep = names(&f).into_iter().find(|n| n.starts_with("prep")).unwrap();
    let proxy = Proxy::start(&moto());
    proxy.hold_running(&prep);
    let run = pjob(&proxy.url(), &["apply", &set, "--detach", "-o", "json"]).expect(0);
    let made: Vec<String> = created(&proxy).iter().map(|j| j["ProcessingJobName"].as_str().unwrap().to_string()).collect();
    assert_eq!(made, std::slice::from_ref(&prep), "only the job that can start is created\n{}", run.all());
    let statuses: Vec<String> = run.json()["jobs"].as_array().unwrap().iter().map(|j| j["status"].as_str().unwrap().to_string()).collect();
    assert_eq!(statuses, ["InProgress", "not started", "not started"]);
    proxy.release(&prep);
    pjob(&proxy.url(), &["apply", &set]).expect(0);
    assert_eq!(created(&proxy).len(), 3, "applying again once it completed starts the rest");
}
