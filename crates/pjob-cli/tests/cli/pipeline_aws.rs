//! A set handed to SageMaker Pipelines (SPEC section 9), against moto:
//! `apply --pipeline` creates the pipeline, leaves it unchanged or updates
//! it, starts an execution and follows it; `plan --pipeline` shows what
//! would change; `status --pipeline` shows the latest execution. moto
//! stores pipelines and starts executions (which it says `Succeeded` at
//! once) but cannot list an execution's steps: the proxy plays those, and
//! the execution statuses of the tests that need them to run or fail.

use serde_json::{Value, json};

use crate::support::moto::{ACCOUNT, REGION, get_object, moto, nonce, pjob, put_logs, spawn_pjob, wait_until, with_moto};
use crate::support::proxy::{Proxy, pipeline_step as step};
use crate::support::{IMAGE, JobFolder, Run, finish, interrupt, pjob_command};

/// The role every job of the set names (so the pipeline's role).
const ROLE: &str = "arn:aws:iam::123456789012:role/SageMakerRole";

/// Writes the two-job set: `prep` (a ScriptProcessor with local code and
/// an argument from the variable `split`) -> `feat` (a Processor reading
/// prep's `train`, with the argument `feat_arg`).
fn write_set(f: &JobFolder, nonce: &str, feat_arg: &str) -> String {
    f.write("set/prep.py", format!("print('prep {nonce}')\n"));
    f.write(
        "set/prep.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata: {{name: prep}}\nvars: {{split: \"0.2\"}}\nspec:\n  \
             role: {ROLE}\n  image_uri: {IMAGE}\n  command: [python3]\n  code: prep.py\n  instance_count: 1\n  \
             instance_type: ml.m5.large\n  arguments: [\"--split\", \"{{{{ split }}}}\"]\n  outputs:\n    - name: train\n      \
             source: /opt/ml/processing/output/train\n"
        ),
    );
    f.write(
        "set/feat.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: Processor\nmetadata: {{name: feat}}\nspec:\n  role: {ROLE}\n  image_uri: {IMAGE}\n  \
             entrypoint: [python3, main.py]\n  instance_count: 1\n  instance_type: ml.m5.large\n  arguments: [\"{feat_arg}\"]\n  \
             inputs:\n    - name: up\n      source: \"{{{{ jobs.prep.outputs.train }}}}\"\n      \
             destination: /opt/ml/processing/input/up\n"
        ),
    );
    f.path("set").display().to_string()
}

/// `pjob render --pipeline NAME SET` with moto's default bucket (as `apply` names it).
fn render(name: &str, set: &str) -> Value {
    let bucket = format!("sagemaker-{REGION}-{ACCOUNT}");
    pjob(&moto(), &["render", "--pipeline", name, set, "--default-bucket", &bucket]).expect(0).json()
}

/// `pjob ARGS` through the proxy, polling twenty times faster than on AWS.
fn pjob_fast(proxy: &Proxy, args: &[&str]) -> Run {
    Run::of(with_moto(pjob_command(args), &proxy.url()).env("PJOB_EMULATOR_SPEED", "20"))
}

/// `pjob apply --pipeline NAME SET EXTRA...` through the proxy.
fn apply(proxy: &Proxy, name: &str, set: &str, extra: &[&str]) -> Run {
    pjob_fast(proxy, &[&["apply", "--pipeline", name, set][..], extra].concat())
}

/// Makes every execution of `name` list both steps as succeeded.
fn steps_succeed(proxy: &Proxy, name: &str) {
    let (prep, feat) = (format!("{name}-prep-job"), format!("{name}-feat-job"));
    proxy.pipeline_steps(name, &[json!([step("prep", "Succeeded", Some(&prep), None), step("feat", "Succeeded", Some(&feat), None)])]);
}

/// The pipeline definition sent by each call of `operation` (CreatePipeline, UpdatePipeline).
fn definitions_sent(proxy: &Proxy, operation: &str) -> Vec<Value> {
    let bodies = proxy.calls(operation).into_iter().map(|s| serde_json::from_slice::<Value>(&s.body).unwrap());
    bodies.map(|b| serde_json::from_str(b["PipelineDefinition"].as_str().expect("a definition")).unwrap()).collect()
}

/// The execution ARN a run says it started.
fn started(run: &Run) -> String {
    let line = run.stderr.lines().find_map(|l| l.strip_prefix("execution started: "));
    line.unwrap_or_else(|| panic!("no execution started\n{}", run.all())).to_string()
}

/// The index of the first stderr line equal to `line`.
fn line_at(run: &Run, line: &str) -> usize {
    run.stderr.lines().position(|l| l == line).unwrap_or_else(|| panic!("no line `{line}`\n{}", run.all()))
}

/// The closing table's row of a step, split into its columns.
fn table_row(run: &Run, step: &str) -> Vec<String> {
    let row = run.stderr.lines().rev().find(|l| l.split_whitespace().next() == Some(step));
    row.unwrap_or_else(|| panic!("no table row for {step}\n{}", run.all())).split_whitespace().map(str::to_string).collect()
}

#[test]
fn apply_creates_the_pipeline_as_rendered_and_a_second_apply_leaves_it_unchanged() {
    let (f, name) = (JobFolder::new(), format!("pl-create-{}", nonce()));
    let set = write_set(&f, &name, "a");
    let proxy = Proxy::start(&moto());
    steps_succeed(&proxy, &name);
    let run = apply(&proxy, &name, &set, &[]).expect(0);
    assert!(run.stderr.contains(&format!("pipeline {name}: created\n")), "{}", run.all());
    let rendered = render(&name, &set);
    assert_eq!(definitions_sent(&proxy, "CreatePipeline"), [rendered["pipeline"]["definition"].clone()], "the rendered definition");
    let create: Value = serde_json::from_slice(&proxy.calls("CreatePipeline")[0].body).unwrap();
    assert_eq!((&create["PipelineName"], &create["RoleArn"]), (&json!(name), &json!(ROLE)));
    let start: Value = serde_json::from_slice(&proxy.calls("StartPipelineExecution")[0].body).unwrap();
    assert_eq!(start.get("ParallelismConfiguration"), None, "without --max-concurrent, SageMaker's own limit");
    let plan = pjob(&proxy.url(), &["plan", "--pipeline", &name, &set]).expect(0);
    assert_eq!(plan.stdout.trim_end(), format!("pipeline {name}: unchanged (2 steps)"), "moto holds what was sent");
    let artifacts = rendered["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 1, "prep's code: {rendered}");
    assert_eq!(get_object(artifacts[0]["uri"].as_str().unwrap()), f.read("set/prep.py").as_bytes(), "the code is in S3");

    let again = apply(&proxy, &name, &set, &[]).expect(0);
    assert!(again.stderr.contains(&format!("pipeline {name}: unchanged\n")), "{}", again.all());
    assert!(again.stderr.contains("uploaded 0 artifact(s), 1 already in S3 unchanged"), "{}", again.all());
    assert_eq!((proxy.calls("CreatePipeline").len(), proxy.calls("UpdatePipeline").len()), (1, 0), "nothing is sent to change it");
    assert_eq!(proxy.calls("StartPipelineExecution").len(), 2);
    assert_ne!(started(&again), started(&run), "a new execution");
}

#[test]
fn plan_shows_a_changed_argument_and_apply_updates_the_pipeline() {
    let (f, name) = (JobFolder::new(), format!("pl-update-{}", nonce()));
    let set = write_set(&f, &name, "a");
    let proxy = Proxy::start(&moto());
    steps_succeed(&proxy, &name);
    apply(&proxy, &name, &set, &["--detach"]).expect(0);
    write_set(&f, &name, "b");
    let path = "Steps[feat].Arguments.AppSpecification.ContainerArguments[0]";
    let text = pjob(&proxy.url(), &["plan", "--pipeline", &name, &set]).expect(0).stdout;
    assert_eq!(text.trim_end(), format!("pipeline {name}: update (2 steps)\n    ~ {path}: \"a\" -> \"b\""));
    let plan = pjob(&proxy.url(), &["plan", "--pipeline", &name, &set, "-o", "json"]).expect(0).json();
    let diff = json!([{"op": "~", "path": path, "old": "a", "new": "b"}]);
    assert_eq!(plan, json!({"pipeline": name, "action": "update", "steps": 2, "diff": diff}));
    assert!(proxy.calls("UpdatePipeline").is_empty(), "plan changes nothing");

    let run = apply(&proxy, &name, &set, &[]).expect(0);
    assert!(run.stderr.contains(&format!("pipeline {name}: updated\n")), "{}", run.all());
    assert_eq!(definitions_sent(&proxy, "UpdatePipeline"), [render(&name, &set)["pipeline"]["definition"].clone()]);
    let plan = pjob(&proxy.url(), &["plan", "--pipeline", &name, &set]).expect(0).stdout;
    assert_eq!(plan.trim_end(), format!("pipeline {name}: unchanged (2 steps)"));
}

#[test]
fn a_changed_argument_leaves_the_steps_code_and_its_dependents_where_they_were() {
    // prep has local code and feat depends on it: only the argument changes
    // in the definition, not prep's code URI, and nothing of feat.
    let (f, name) = (JobFolder::new(), format!("pl-code-{}", nonce()));
    let set = write_set(&f, &name, "a");
    let proxy = Proxy::start(&moto());
    steps_succeed(&proxy, &name);
    apply(&proxy, &name, &set, &["--detach"]).expect(0);
    let text = pjob(&proxy.url(), &["plan", "--pipeline", &name, &set, "--var", "split=0.3"]).expect(0).stdout;
    let path = "Steps[prep].Arguments.AppSpecification.ContainerArguments[1]";
    assert_eq!(text.trim_end(), format!("pipeline {name}: update (2 steps)\n    ~ {path}: \"0.2\" -> \"0.3\""));
    // The code itself changed: its URI changes, and only prep's.
    f.write("set/prep.py", "print('changed')\n");
    let plan = pjob(&proxy.url(), &["plan", "--pipeline", &name, &set, "-o", "json"]).expect(0).json();
    let paths: Vec<&str> = plan["diff"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["Steps[prep].Arguments.ProcessingInputs[code].S3Input.S3Uri"], "{plan}");
}

#[test]
fn apply_follows_each_step_shows_its_jobs_logs_and_ends_with_a_table() {
    let (f, name) = (JobFolder::new(), format!("pl-follow-{}", nonce()));
    let set = write_set(&f, &name, "a");
    let (prep, feat) = (format!("{name}-prep-job"), format!("{name}-feat-job"));
    // CloudWatch (and moto) refuse events older than 14 days.
    let t0 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 - 60_000;
    put_logs(&prep, "algo-1-1700000000", &[(t0, "reading raw"), (t0 + 1, "wrote train")]);
    put_logs(&feat, "algo-1-1700000000", &[(t0 + 2, "features done")]);
    let proxy = Proxy::start(&moto());
    proxy.pipeline_statuses(&name, &[("Executing", None), ("Executing", None), ("Succeeded", None)]);
    let prep_ok = step("prep", "Succeeded", Some(&prep), None);
    proxy.pipeline_steps(
        &name,
        &[
            json!([step("prep", "Executing", Some(&prep), None)]),
            json!([prep_ok, step("feat", "Executing", Some(&feat), None)]),
            json!([prep_ok, step("feat", "Succeeded", Some(&feat), None)]),
        ],
    );
    let run = apply(&proxy, &name, &set, &[]).expect(0);
    let order = [
        line_at(&run, &format!("prep: Executing (job {prep})")),
        line_at(&run, &format!("prep: Succeeded (job {prep})")),
        line_at(&run, &format!("feat: Executing (job {feat})")),
        line_at(&run, &format!("feat: Succeeded (job {feat})")),
    ];
    assert!(order.is_sorted(), "each status change once, in order\n{}", run.all());
    assert_eq!(proxy.calls("DescribePipelineExecution").len(), 3, "polled until the execution ended");
    let logs: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(logs, ["prep [algo-1] reading raw", "prep [algo-1] wrote train", "feat [algo-1] features done"], "{}", run.all());
    let header = run.stderr.lines().find(|l| l.starts_with("STEP")).unwrap_or_else(|| panic!("{}", run.all()));
    assert_eq!(header.split_whitespace().collect::<Vec<_>>(), ["STEP", "JOB", "STATUS", "TIME"]);
    assert_eq!(table_row(&run, "prep"), ["prep", &prep, "Succeeded", "0:01:05"]);
    assert_eq!(table_row(&run, "feat"), ["feat", &feat, "Succeeded", "0:01:05"]);
}

#[test]
fn a_failed_step_fails_the_apply_with_its_reason() {
    let (f, name) = (JobFolder::new(), format!("pl-fail-{}", nonce()));
    let set = write_set(&f, &name, "a");
    let (prep, feat) = (format!("{name}-prep-job"), format!("{name}-feat-job"));
    let reason = "AlgorithmError: no rows in train";
    let failing = |proxy: &Proxy, execution_reason: Option<&str>| {
        proxy.pipeline_statuses(&name, &[("Executing", None), ("Failed", execution_reason)]);
        let prep_ok = step("prep", "Succeeded", Some(&prep), None);
        let lists = [
            json!([prep_ok, step("feat", "Executing", Some(&feat), None)]),
            json!([prep_ok, step("feat", "Failed", Some(&feat), Some(reason))]),
        ];
        proxy.pipeline_steps(&name, &lists);
    };
    let proxy = Proxy::start(&moto());
    let execution_reason = "Step failure: One or multiple steps failed.";
    failing(&proxy, Some(execution_reason));
    let run = apply(&proxy, &name, &set, &[]).expect(1);
    line_at(&run, &format!("feat: Failed (job {feat}): {reason}"));
    line_at(&run, &format!("error: pipeline {name}: execution Failed: {execution_reason}"));
    assert_eq!(table_row(&run, "feat"), ["feat", &feat, "Failed", "0:01:05"]);

    failing(&proxy, None);
    let run = apply(&proxy, &name, &set, &["-o", "json"]).expect(1);
    line_at(&run, &format!("error: pipeline {name}: execution Failed: step feat: {reason}"));
    let result = run.json();
    assert_eq!((&result["pipeline"], &result["execution"]["status"]), (&json!(name), &json!("Failed")), "{result}");
    assert_eq!(result["execution"]["arn"], started(&run).as_str());
    let feat_step = json!({"name": "feat", "status": "Failed", "job_name": feat, "failure_reason": reason, "seconds": 65});
    assert_eq!(result["steps"][1], feat_step, "{result}");
}

#[test]
fn ctrl_c_detaches_from_the_execution_or_stops_it() {
    for stop in [false, true] {
        let (f, name) = (JobFolder::new(), format!("pl-int-{stop}-{}", nonce()));
        let set = write_set(&f, &name, "a");
        let proxy = Proxy::start(&moto());
        proxy.pipeline_statuses(&name, &[("Executing", None)]);
        proxy.pipeline_steps(&name, &[json!([step("prep", "Executing", None, None)])]);
        let mut args = vec!["apply", "--pipeline", name.as_str(), set.as_str()];
        if stop {
            args.push("--stop-on-interrupt");
        }
        let child = spawn_pjob(&proxy.url(), &args);
        wait_until("the execution being followed", || proxy.calls("ListPipelineExecutionSteps").len() >= 2);
        interrupt(&child);
        let run = finish(child).expect(130);
        let stops = proxy.calls("StopPipelineExecution");
        if stop {
            assert_eq!(stops.len(), 1, "{}", run.all());
            assert!(run.stderr.contains("stopping the execution"), "{}", run.all());
        } else {
            assert!(stops.is_empty(), "{}", run.all());
            assert!(run.stderr.contains(&format!("follow it with: pjob status --pipeline {name}")), "{}", run.all());
        }
    }
}

#[test]
fn detach_returns_once_the_execution_started_with_max_concurrent_as_its_parallelism() {
    let (f, name) = (JobFolder::new(), format!("pl-detach-{}", nonce()));
    let set = write_set(&f, &name, "a");
    let proxy = Proxy::start(&moto());
    let run = apply(&proxy, &name, &set, &["--detach", "--max-concurrent", "2", "-o", "json"]).expect(0);
    let arn = started(&run);
    let start: Value = serde_json::from_slice(&proxy.calls("StartPipelineExecution")[0].body).unwrap();
    assert_eq!(start["ParallelismConfiguration"], json!({"MaxParallelExecutionSteps": 2}), "at most 2 steps at once");
    assert!(arn.contains(&format!(":pipeline/{name}/execution/")), "{arn}");
    assert!(run.stderr.contains(&format!("pjob status --pipeline {name}")), "{}", run.all());
    assert_eq!(run.json()["execution"]["arn"], arn.as_str());
    let followed = ["DescribePipelineExecution", "ListPipelineExecutionSteps"].map(|op| proxy.calls(op).len());
    assert_eq!(followed, [1, 0], "the execution's status is asked once, its steps not at all");
    assert!(run.json()["execution"]["status"].is_string());
}

#[test]
fn status_shows_the_latest_execution_and_its_steps() {
    let (f, name) = (JobFolder::new(), format!("pl-status-{}", nonce()));
    let set = write_set(&f, &name, "a");
    let proxy = Proxy::start(&moto());
    apply(&proxy, &name, &set, &["--detach"]).expect(0);
    let latest = started(&apply(&proxy, &name, &set, &["--detach"]).expect(0));
    let prep = format!("{name}-prep-job");
    proxy.pipeline_statuses(&name, &[("Executing", None)]);
    proxy.pipeline_steps(&name, &[json!([step("prep", "Executing", Some(&prep), None)])]);
    let run = pjob(&proxy.url(), &["status", "--pipeline", &name]).expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [format!("Pipeline:   {name}"), format!("Execution:  {latest}"), "Status:     Executing".to_string()],
        "{}",
        run.all()
    );
    let row = lines.iter().find(|l| l.starts_with("prep ")).unwrap_or_else(|| panic!("{}", run.all()));
    assert_eq!(row.split_whitespace().collect::<Vec<_>>(), ["prep", &prep, "Executing", "-"]);
    let json = pjob(&proxy.url(), &["status", "--pipeline", &name, "-o", "json"]).expect(0).json();
    assert_eq!((&json["execution"]["arn"], &json["execution"]["status"]), (&json!(latest), &json!("Executing")));
    assert_eq!(json["steps"], json!([{"name": "prep", "status": "Executing", "job_name": prep}]));

    let missing = format!("pl-missing-{}", nonce());
    let run = pjob(&proxy.url(), &["status", "--pipeline", &missing]).expect(3);
    assert!(run.stderr.contains(&missing), "the error names the pipeline\n{}", run.all());
}

#[test]
fn a_parameter_with_two_defaults_or_a_bad_name_stops_before_aws() {
    let (f, name) = (JobFolder::new(), format!("pl-bad-{}", nonce()));
    let set = write_set(&f, &name, "{{ split }}");
    let feat = f.read("set/feat.yaml").replace("spec:", "vars: {split: \"0.5\"}\nspec:");
    f.write("set/feat.yaml", feat);
    let proxy = Proxy::start(&moto());
    let run = apply(&proxy, &name, &set, &["--pipeline-parameter", "split"]).expect(2);
    assert!(run.stderr.contains("pipeline parameter `split` has the default \"0.5\" here, but \"0.2\""), "{}", run.all());
    assert!(run.stderr.contains("feat.yaml:4:15") && run.stderr.contains("prep.yaml:4:15"), "{}", run.all());

    write_set(&f, &name, "a");
    let run = apply(&proxy, "bad_name", &set, &[]).expect(2);
    assert!(run.stderr.contains("'bad_name'") && run.stderr.contains("a pipeline name is"), "{}", run.all());
    let run = pjob(&proxy.url(), &["status", "--pipeline", "bad_name"]).expect(2);
    assert!(run.stderr.contains("a pipeline name is"), "{}", run.all());
    assert!(proxy.seen().is_empty(), "nothing was sent: {:?}", proxy.seen());
}

/// Writes a set of `jobs` jobs with `arguments` arguments of 200
/// characters each (about 200 bytes of definition for each argument).
fn write_large_set(f: &JobFolder, jobs: usize, arguments: usize) -> String {
    let argument = format!("\"{}\"", "a".repeat(200));
    let arguments = vec![argument.as_str(); arguments].join(", ");
    for i in 0..jobs {
        f.write(
            &format!("set/job{i}.yaml"),
            format!(
                "apiVersion: pjob/v1\nkind: Processor\nmetadata: {{name: job{i}}}\nspec:\n  role: {ROLE}\n  image_uri: {IMAGE}\n  \
                 entrypoint: [python3, main.py]\n  instance_count: 1\n  instance_type: ml.m5.large\n  arguments: [{arguments}]\n"
            ),
        );
    }
    f.path("set").display().to_string()
}

#[test]
fn a_definition_of_100_kib_or_more_goes_through_s3_as_the_sdk_sends_it() {
    let (f, name) = (JobFolder::new(), format!("pl-large-{}", nonce()));
    let set = write_large_set(&f, 40, 20);
    let proxy = Proxy::start(&moto());
    apply(&proxy, &name, &set, &["--detach"]).expect(0);
    let rendered = render(&name, &set)["pipeline"]["definition"].clone();
    assert!(rendered.to_string().len() >= 100 * 1024, "the set makes a large definition");
    let create: Value = serde_json::from_slice(&proxy.calls("CreatePipeline")[0].body).unwrap();
    let bucket = format!("sagemaker-{REGION}-{ACCOUNT}");
    assert_eq!(create.get("PipelineDefinition"), None, "not in the request");
    assert_eq!(create["PipelineDefinitionS3Location"], json!({"Bucket": bucket, "ObjectKey": name}));
    let stored: Value = serde_json::from_slice(&get_object(&format!("s3://{bucket}/{name}"))).unwrap();
    assert_eq!(stored, rendered, "the object holds the definition");
    let plan = pjob(&proxy.url(), &["plan", "--pipeline", &name, &set]).expect(0);
    let first = plan.stdout.lines().next().unwrap_or_default();
    assert_eq!(first, format!("pipeline {name}: unchanged (40 steps)"), "SageMaker read it from S3");
}

#[test]
fn a_definition_larger_than_sagemaker_takes_is_refused_before_aws() {
    let f = JobFolder::new();
    let set = write_large_set(&f, 60, 100);
    let run = pjob(&moto(), &["render", "--pipeline", "too-large", &set]).expect(2);
    assert!(
        run.stderr.contains("SageMaker takes at most 1048576: split the set into smaller pipelines"),
        "{}",
        &run.stderr[..run.stderr.len().min(2000)]
    );
    assert!(run.stdout.is_empty());
}
