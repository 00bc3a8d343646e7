//! Throughput of the offline pipeline: 10,000 generated manifests, each
//! parsed, templated, validated (schema and rules) and compiled to its
//! request through `pjob_jobset`, as every command runs them. Prints
//! manifests per second. Run with `cargo bench -p pjob-jobset`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pjob_jobset::{CompileSettings, Loaded, Loader, base_dir, check_document};
use pjob_manifest::{Target, ValidationContext};
use pjob_source::SourceFile;
use pjob_template::{Renderer, Variables};

/// The allocator the `pjob` binary uses, so the figure is what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How many manifests; `PJOB_BENCH_MANIFESTS` overrides it (for profiling).
fn manifest_count() -> usize {
    std::env::var("PJOB_BENCH_MANIFESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// A realistic manifest; `i` varies names, sizes and kinds.
fn manifest(i: usize) -> (String, String) {
    if i.is_multiple_of(3) {
        let toml = format!(
            r#"apiVersion = "pjob/v1"
kind = "Processor"

[metadata]
name = "bench-proc-{i}"
tags = {{ team = "ml", run = "{i}" }}

[vars]
bucket = "data-{i}"

[spec]
role = "arn:aws:iam::123456789012:role/SageMakerRole"
image_uri = "123456789012.dkr.ecr.us-west-2.amazonaws.com/proc:{i}"
entrypoint = ["python3", "/opt/program/run.py"]
instance_count = {count}
instance_type = "ml.m5.xlarge"
max_runtime_in_seconds = 3600
env = {{ MODE = "full", SHARD = "{i}" }}

[[spec.inputs]]
name = "raw"
source = "s3://{{{{ bucket }}}}/raw/{i}/"
destination = "/opt/ml/processing/input/raw"

[[spec.outputs]]
name = "out"
source = "/opt/ml/processing/output"
destination = "s3://{{{{ bucket }}}}/out/{i}/"
"#,
            count = 1 + i % 4
        );
        (format!("bench-{i}.toml"), toml)
    } else {
        let yaml = format!(
            r#"apiVersion: pjob/v1
kind: ScriptProcessor
metadata:
  name: bench-script-{i}
  tags: {{team: ml}}
vars:
  bucket: data-bucket-{i}
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  image_uri: 246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
  command: [python3, -u]
  code: s3://{{{{ bucket }}}}/code/preprocess.py
  instance_count: {count}
  instance_type: ml.m5.large
  volume_size_in_gb: 50
  inputs:
    - source: s3://{{{{ bucket }}}}/raw/
      destination: /opt/ml/processing/input
      s3_data_distribution_type: ShardedByS3Key
    - name: lookup
      source: s3://{{{{ bucket }}}}/lookup.csv
      destination: /opt/ml/processing/input/lookup
  outputs:
    - name: train
      source: /opt/ml/processing/train
      destination: s3://{{{{ bucket }}}}/train/
    - name: test
      source: /opt/ml/processing/test
  arguments: [--train-test-split-ratio, "0.2", --seed, "{i}"]
  network_config:
    enable_network_isolation: true
"#,
            count = 1 + i % 3
        );
        (format!("bench-{i}.yaml"), yaml)
    }
}

fn main() {
    let count = manifest_count();
    let inputs: Vec<Arc<SourceFile>> = (0..count)
        .map(|i| {
            let (name, text) = manifest(i);
            Arc::new(SourceFile::new(name, text))
        })
        .collect();
    let renderer = Renderer::new(Variables::new());
    let loader = Loader::new(&renderer, Target::Aws);
    let settings =
        CompileSettings { region: Some("us-west-2".into()), default_bucket: Some("bench-bucket".into()), ..CompileSettings::default() };
    let pipeline = |files: &[Arc<SourceFile>]| {
        let mut names = 0usize;
        for file in files {
            let mut loaded = Loaded::default();
            loader.load_file(file.clone(), true, &mut loaded);
            assert!(!loaded.has_problems(), "generated manifests are valid");
            for job in &loaded.jobs {
                names += job.compile(&settings).expect("generated manifests compile").name().len();
            }
        }
        assert!(names > 0);
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let run = |threads: usize| {
        let start = Instant::now();
        let chunk = inputs.len().div_ceil(threads);
        std::thread::scope(|scope| {
            for part in inputs.chunks(chunk) {
                scope.spawn(|| pipeline(part));
            }
        });
        start.elapsed()
    };
    run(1); // warm up: compiles the schema validator, fills caches
    print_stages(&inputs, &renderer, &settings);
    for t in [1, threads] {
        let best: Duration = (0..3).map(|_| run(t)).min().unwrap_or_default();
        let rate = count as f64 / best.as_secs_f64();
        println!(
            "{count} manifests parsed, templated, validated and compiled in {:.1} ms (best of 3, {t} thread(s)): {rate:.0} manifests per second",
            best.as_secs_f64() * 1000.0
        );
    }
}

/// Time spent in each stage on one thread, to show where the cost is.
fn print_stages(inputs: &[Arc<SourceFile>], renderer: &Renderer, settings: &CompileSettings) {
    let mut spent = [Duration::ZERO; 4];
    let mut lap = |stage: usize, since: &mut Instant| {
        let now = Instant::now();
        spent[stage] += now - *since;
        *since = now;
    };
    for file in inputs {
        let mut t = Instant::now();
        let docs = pjob_source::parse(file).expect("generated manifests parse");
        lap(0, &mut t);
        let ctx = ValidationContext { base_dir: base_dir(file.path()), target: Target::Aws };
        for doc in docs {
            let rendered = renderer.render(file, doc).expect("generated manifests render");
            lap(1, &mut t);
            let (doc, manifest) = check_document(file, rendered, renderer, &ctx).expect("generated manifests are valid");
            lap(2, &mut t);
            let job = pjob_jobset::Job { file: file.clone(), doc, manifest, rendered: true };
            std::hint::black_box(job.compile(settings).expect("generated manifests compile"));
            lap(3, &mut t);
        }
    }
    let total: Duration = spent.iter().sum();
    let share = |d: Duration| 100.0 * d.as_secs_f64() / total.as_secs_f64();
    println!(
        "one thread, per stage: parse {:.0}%, templates {:.0}%, validation {:.0}%, compilation {:.0}% of {:.1} µs per manifest",
        share(spent[0]),
        share(spent[1]),
        share(spent[2]),
        share(spent[3]),
        total.as_secs_f64() * 1e6 / inputs.len() as f64
    );
}
