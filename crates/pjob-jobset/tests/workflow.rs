//! Sets whose jobs depend on each other: references are filled in with
//! what the upstream compiled to, jobs come after what they depend on,
//! names form a Merkle DAG, and a set's own mistakes are located.

use std::path::{Path, PathBuf};

use pjob_jobset::{CompileSettings, Loader, SetIndex, SetItem};
use pjob_manifest::Target;
use pjob_source::Code;
use pjob_template::{Renderer, Variables};

/// A Processor manifest named `name` with extra `spec` lines and `metadata` entries.
fn job(name: &str, metadata: &str, spec: &str) -> String {
    format!(
        "apiVersion: pjob/v1\nkind: Processor\nmetadata: {{name: {name}{metadata}}}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1\n  entrypoint: [python3]\n  instance_count: 1\n  instance_type: ml.m5.large\n{spec}"
    )
}

const PREP_OUT: &str = "  outputs:\n    - name: train\n      source: /opt/ml/processing/output/train\n";

fn feat(arg: &str) -> String {
    let spec = format!(
        "  arguments: [\"{arg}\", \"{{{{ jobs['churn-prep'].job_name }}}}\"]\n  inputs:\n    - name: train\n      source: \"{{{{ jobs['churn-prep'].outputs.train }}}}\"\n      destination: /opt/ml/processing/input/train\n  outputs:\n    - name: features\n      source: /opt/ml/processing/output/f\n"
    );
    job("feat", "", &spec)
}

fn evaluate() -> String {
    let spec = "  inputs:\n    - name: f\n      source: \"{{ jobs.feat.outputs.features }}/part\"\n      destination: /opt/ml/processing/input/f\n";
    job("evaluate", ", depends_on: [churn-prep]", spec)
}

/// Writes the three-job set, the dependent jobs first in file order.
fn write_set(dir: &Path, prep_arg: &str, feat_arg: &str) {
    std::fs::write(dir.join("a-evaluate.yaml"), evaluate()).unwrap();
    std::fs::write(dir.join("b-feat.yaml"), feat(feat_arg)).unwrap();
    let prep = job("churn-prep", "", &format!("  arguments: [\"{prep_arg}\"]\n{PREP_OUT}"));
    std::fs::write(dir.join("c-prep.yaml"), prep).unwrap();
}

/// A compiled job: its `metadata.name`, what it depends on, its request.
type Compiled = (String, Vec<String>, serde_json::Value);

/// Compiled requests by `metadata.name`, in the order the set hands them on, or the problems.
fn compile(dir: &Path) -> Result<Vec<Compiled>, Vec<String>> {
    let renderer = Renderer::new(Variables::new());
    let settings = CompileSettings { region: Some("us-east-1".into()), default_bucket: Some("bkt".into()), ..CompileSettings::default() };
    let (mut jobs, mut problems) = (Vec::new(), Vec::new());
    let to_json = |_: &pjob_jobset::Job, c: &pjob_compiler::CompiledJob| serde_json::to_value(&c.request).unwrap();
    Loader::new(&renderer, Target::Aws).compile_set(&[dir.to_path_buf()], &settings, to_json, |item| match item {
        SetItem::Job(j) => jobs.push((j.job, j.depends_on, j.compiled)),
        SetItem::Problems { errors, diagnostics } => {
            problems.extend(errors.iter().map(ToString::to_string));
            problems.extend(diagnostics.iter().map(|d| format!("{} {} {}", d.location(), d.code(), d)));
        }
    });
    if problems.is_empty() { Ok(jobs) } else { Err(problems) }
}

fn name_of(jobs: &[Compiled], job: &str) -> String {
    let found = jobs.iter().find(|(j, _, _)| j == job).unwrap_or_else(|| panic!("no job {job}"));
    found.2["ProcessingJobName"].as_str().unwrap().to_string()
}

#[test]
fn references_are_filled_in_with_what_the_upstream_compiled_to_in_dependency_order() {
    let tmp = tempfile::tempdir().unwrap();
    write_set(tmp.path(), "0.2", "x");
    let jobs = compile(tmp.path()).unwrap();
    let order: Vec<&str> = jobs.iter().map(|(j, _, _)| j.as_str()).collect();
    assert_eq!(order, ["churn-prep", "feat", "evaluate"], "upstream first");
    assert_eq!(jobs[1].1, ["churn-prep"]);
    assert_eq!(jobs[2].1, ["feat", "churn-prep"], "references, then depends_on");
    let prep = name_of(&jobs, "churn-prep");
    let prep_out = &jobs[0].2["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"];
    assert_eq!(prep_out, &format!("s3://bkt/{prep}/output/train"));
    let feat = &jobs[1].2;
    assert_eq!(&feat["ProcessingInputs"][0]["S3Input"]["S3Uri"], prep_out);
    assert_eq!(feat["AppSpecification"]["ContainerArguments"][1], prep.as_str());
    let feat_out = feat["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].as_str().unwrap();
    assert_eq!(jobs[2].2["ProcessingInputs"][0]["S3Input"]["S3Uri"], format!("{feat_out}/part"));
}

#[test]
fn an_upstream_stands_for_its_outputs_and_a_delivered_output_replaces_the_planned_one() {
    use pjob_template::reference::Target as Refers;
    let tmp = tempfile::tempdir().unwrap();
    let spec = format!("{PREP_OUT}    - name: model\n      source: /opt/ml/processing/output/model\n");
    std::fs::write(tmp.path().join("prep.yaml"), job("churn-prep", "", &spec)).unwrap();
    let renderer = Renderer::new(Variables::new());
    let settings = CompileSettings { region: Some("us-east-1".into()), default_bucket: Some("bkt".into()), ..CompileSettings::default() };
    let mut upstreams = Vec::new();
    let of = |_: &pjob_jobset::Job, c: &pjob_compiler::CompiledJob| pjob_jobset::Upstream::of(c);
    Loader::new(&renderer, Target::Aws).compile_set(&[tmp.path().to_path_buf()], &settings, of, |item| {
        if let SetItem::Job(j) = item {
            upstreams.push(j.compiled);
        }
    });
    let [mut upstream] = <[_; 1]>::try_from(upstreams).unwrap();
    let train = upstream.value(&Refers::Output("train".into())).unwrap().to_string();
    assert_eq!(train, format!("s3://bkt/{}/output/train", upstream.job_name));
    assert_eq!(upstream.value(&Refers::JobName), Some(upstream.job_name.as_str()));
    assert_eq!(upstream.value(&Refers::Output("absent".into())), None);
    upstream.set_output("model", "/work/out/model");
    assert_eq!(upstream.value(&Refers::Output("model".into())), Some("/work/out/model"), "replaced");
    assert_eq!(upstream.value(&Refers::Output("train".into())), Some(train.as_str()), "the others kept");
}

#[test]
fn a_changed_job_renames_itself_and_everything_downstream_and_nothing_upstream() {
    let tmp = tempfile::tempdir().unwrap();
    write_set(tmp.path(), "0.2", "x");
    let before = compile(tmp.path()).unwrap();
    assert_eq!(compile(tmp.path()).unwrap().iter().map(|j| &j.2).collect::<Vec<_>>(), before.iter().map(|j| &j.2).collect::<Vec<_>>());
    write_set(tmp.path(), "0.2", "y");
    let middle = compile(tmp.path()).unwrap();
    assert_eq!(name_of(&middle, "churn-prep"), name_of(&before, "churn-prep"), "upstream reused");
    assert_ne!(name_of(&middle, "feat"), name_of(&before, "feat"));
    assert_ne!(name_of(&middle, "evaluate"), name_of(&before, "evaluate"), "downstream renamed");
    write_set(tmp.path(), "0.3", "x");
    let first = compile(tmp.path()).unwrap();
    for job in ["churn-prep", "feat", "evaluate"] {
        assert_ne!(name_of(&first, job), name_of(&before, job), "{job} is downstream of the change");
    }
}

#[test]
fn depends_on_alone_puts_the_upstream_name_in_the_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let prep = |arg: &str| job("churn-prep", "", &format!("  arguments: [\"{arg}\"]\n"));
    std::fs::write(tmp.path().join("after.yaml"), job("after", ", depends_on: [churn-prep]", "")).unwrap();
    std::fs::write(tmp.path().join("prep.yaml"), prep("1")).unwrap();
    let one = compile(tmp.path()).unwrap();
    std::fs::write(tmp.path().join("prep.yaml"), prep("2")).unwrap();
    let two = compile(tmp.path()).unwrap();
    assert_eq!(one[1].2["ProcessingInputs"], two[1].2["ProcessingInputs"], "the request itself is the same");
    assert_ne!(name_of(&one, "after"), name_of(&two, "after"));
}

fn problems(files: &[(&str, String)]) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let root = tmp.path().display().to_string();
    compile(tmp.path()).expect_err("the set is wrong").into_iter().map(|p| p.replace(&root, "DIR")).collect()
}

#[test]
fn unknown_jobs_and_outputs_are_located_at_the_reference() {
    let found = problems(&[("feat.yaml", feat("x")), ("prep.yaml", job("churn-prep", "", ""))]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("DIR/feat.yaml:13:15 pjob::unknown-job job `churn-prep` has no output named `train`"), "{found:?}");
    let found = problems(&[("eval.yaml", job("evaluate", ", depends_on: [churn-pre]", ""))]);
    assert!(found[0].starts_with("DIR/eval.yaml:3:41 pjob::unknown-job no job named `churn-pre`"), "{found:?}");
}

#[test]
fn a_cycle_is_located_at_each_tie_and_names_every_job_in_it() {
    let a = job("a", ", depends_on: [c]", "");
    let b = job("b", "", "  arguments: [\"{{ jobs.a.job_name }}\"]\n");
    let c = job("c", ", depends_on: [b]", "");
    let found = problems(&[("a.yaml", a), ("b.yaml", b), ("c.yaml", c), ("free.yaml", job("free", ", depends_on: [a]", ""))]);
    assert_eq!(found.len(), 3, "one per tie of the cycle, none for `free`: {found:?}");
    for p in &found {
        assert!(p.contains("pjob::cycle jobs `a`, `b`, `c` depend on each other in a cycle"), "{p}");
    }
    assert!(found[0].starts_with("DIR/a.yaml:3:34"), "{found:?}");
    let me = problems(&[("me.yaml", job("me", ", depends_on: [me]", ""))]);
    assert!(me[0].contains("job `me` depends on itself"), "{me:?}");
}

#[test]
fn two_jobs_with_one_name_are_reported_at_both() {
    let found = problems(&[("one.yaml", job("same", "", "")), ("two.yaml", job("same", "", ""))]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("DIR/two.yaml:3:18 pjob::duplicate-job two jobs are named `same`: here and at DIR/one.yaml"), "{found:?}");
    assert!(found[1].starts_with("DIR/one.yaml:3:18 pjob::duplicate-job"), "{found:?}");
}

#[test]
fn the_index_orders_a_loaded_set_and_lists_its_edges() {
    let tmp = tempfile::tempdir().unwrap();
    write_set(tmp.path(), "0.2", "x");
    let renderer = Renderer::new(Variables::new());
    let loaded = Loader::new(&renderer, Target::Aws).load(&[PathBuf::from(tmp.path())]);
    let mut index = SetIndex::new();
    let free: Vec<String> = loaded.jobs.into_iter().filter_map(|j| index.admit(j)).map(|j| j.name().to_string()).collect();
    assert_eq!(free, ["churn-prep"]);
    let ordered = index.finish().unwrap();
    let edges: Vec<(String, String, Option<String>)> = ordered.edges.into_iter().map(|e| (e.from, e.to, e.output)).collect();
    let s = |v: &str| v.to_string();
    assert_eq!(
        edges,
        [
            (s("churn-prep"), s("feat"), Some(s("train"))),
            (s("feat"), s("evaluate"), Some(s("features"))),
            (s("churn-prep"), s("evaluate"), None),
        ]
    );
}

#[test]
fn a_reference_to_an_invalid_job_is_not_also_an_unknown_job() {
    let dir = tempfile::tempdir().unwrap();
    let job = |name: &str, extra: &str| {
        format!(
            "apiVersion: pjob/v1\nkind: Processor\nmetadata: {{name: {name}}}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  \
             image_uri: img\n  entrypoint: [python3]\n  instance_count: 1\n  instance_type: ml.m5.large\n{extra}"
        )
    };
    std::fs::write(
        dir.path().join("a.yaml"),
        job("prep", "  volume_size_in_gb: -1\n  outputs: [{name: o, source: /opt/ml/processing/o}]\n"),
    )
    .unwrap();
    let uses = "  inputs: [{name: i, source: \"{{ jobs.prep.outputs.o }}\", destination: /opt/ml/processing/i}]\n";
    std::fs::write(dir.path().join("b.yaml"), job("train", uses)).unwrap();
    let renderer = Renderer::new(Variables::new());
    let settings = CompileSettings { region: Some("us-east-1".into()), default_bucket: Some("bkt".into()), ..CompileSettings::default() };
    let mut problems = Vec::new();
    Loader::new(&renderer, Target::Aws).compile_set(
        &[dir.path().to_path_buf()],
        &settings,
        |_, _| (),
        |item| {
            if let SetItem::Problems { diagnostics, .. } = item {
                problems.extend(diagnostics.iter().map(|d| (d.code(), d.location().file.clone())));
            }
        },
    );
    assert!(!problems.is_empty(), "prep's volume size is refused");
    assert!(problems.iter().all(|(code, file)| *code != Code::UnknownJob && file.ends_with("a.yaml")), "{problems:?}");
}
