//! Compiling a whole set: every job that depends on no other is compiled
//! as the set streams (on every core, then dropped); a job that refers to
//! others is held until the set is read, then compiled in dependency order
//! with each reference replaced by what its upstream compiled to (an
//! output's S3 URI, a job name), and with its upstreams' job names in its
//! content hash (a Merkle DAG: a changed upstream renames its dependents).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use pjob_compiler::CompiledJob;
use pjob_source::{Code, Diagnostic, SourceFile};
use pjob_template::reference::{Reference, Target};

use crate::links::replace_markers;
use crate::{CompileSettings, Job, Links, LoadError, Loaded, Loader, Member, SetIndex};

/// What a reference to a compiled job stands for. A set keeps one for
/// every job that compiled, so it is small: a job has a few outputs, kept
/// in a list (a `BTreeMap` allocates room for eleven entries at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// Its SageMaker job name.
    pub job_name: String,
    /// Each output's name and the S3 URI it is written to, each name once.
    outputs: Vec<(String, String)>,
}

impl Upstream {
    /// What references to `compiled` stand for.
    pub fn of(compiled: &CompiledJob) -> Upstream {
        let outputs = compiled.request.processing_output_config.iter().flat_map(|c| &c.outputs);
        let mut upstream = Upstream { job_name: compiled.name().to_string(), outputs: Vec::new() };
        for output in outputs {
            if let Some(s3) = &output.s3_output {
                upstream.set_output(&output.output_name, &s3.s3_uri);
            }
        }
        upstream
    }

    /// Makes `uri` what a reference to the output `name` stands for.
    pub fn set_output(&mut self, name: &str, uri: &str) {
        match self.outputs.iter_mut().find(|(n, _)| n == name) {
            Some((_, place)) => *place = uri.to_string(),
            None => self.outputs.push((name.to_string(), uri.to_string())),
        }
    }

    /// The value a reference to this job stands for.
    pub fn value(&self, target: &Target) -> Option<&str> {
        match target {
            Target::JobName => Some(&self.job_name),
            Target::Output(output) => self.outputs.iter().find(|(name, _)| name == output).map(|(_, uri)| uri.as_str()),
        }
    }
}

/// One compiled job of a set, with its place in it.
#[derive(Debug)]
pub struct SetJob<T> {
    /// The manifest file, as named on the command line.
    pub file: PathBuf,
    /// The job's `metadata.name`.
    pub job: String,
    /// The `metadata.name`s of the jobs it depends on.
    pub depends_on: Vec<String>,
    /// What the caller made of the compiled job.
    pub compiled: T,
}

/// What compiling a set hands on, in order: each file's problems and jobs
/// as it streams, then the set's own problems, then the jobs that waited
/// for others, in dependency order.
#[derive(Debug)]
pub enum SetItem<T> {
    /// Paths that could not be loaded, and problems in manifests.
    Problems {
        /// Paths that could not be loaded.
        errors: Vec<LoadError>,
        /// Problems in manifests.
        diagnostics: Vec<Diagnostic>,
    },
    /// A compiled job.
    Job(SetJob<T>),
}

/// One job as a worker thread left it.
enum Compiled<T> {
    /// Compiled: what references to it stand for, and the caller's value.
    Done(Upstream, T),
    /// Depends on other jobs: compiled later.
    Held(Box<(Job, Links)>),
    /// Did not compile.
    Failed(Diagnostic),
}

/// One file's share of a set.
struct FileShare<T> {
    errors: Vec<LoadError>,
    invalid: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    jobs: Vec<(Member, Arc<SourceFile>, Compiled<T>)>,
}

impl Loader<'_> {
    /// Compiles every job of the set the paths name, handing each job (as
    /// loaded, and compiled) to `per_job` (on a worker thread for a job
    /// that depends on no other) and everything, in order, to `sink`.
    pub fn compile_set<T: Send>(
        &self,
        paths: &[PathBuf],
        settings: &CompileSettings,
        per_job: impl Fn(&Job, &CompiledJob) -> T + Sync,
        mut sink: impl FnMut(SetItem<T>),
    ) {
        let mut index = SetIndex::new();
        let mut upstreams: HashMap<String, Upstream> = HashMap::new();
        self.stream(
            paths,
            |loaded| compile_file(loaded, settings, &per_job),
            |share| {
                if !share.errors.is_empty() || !share.diagnostics.is_empty() {
                    sink(SetItem::Problems { errors: share.errors, diagnostics: share.diagnostics });
                }
                share.invalid.into_iter().for_each(|name| index.record_invalid(name));
                for (member, file, compiled) in share.jobs {
                    let (job, path) = (member.name.clone(), member.path.clone());
                    index.record(member, Some(&file));
                    match compiled {
                        Compiled::Done(upstream, compiled) => {
                            upstreams.insert(job.clone(), upstream);
                            sink(SetItem::Job(SetJob { file: path, job, depends_on: Vec::new(), compiled }));
                        }
                        Compiled::Held(held) => {
                            let (job, links) = *held;
                            index.hold(job, links);
                        }
                        Compiled::Failed(d) => sink(SetItem::Problems { errors: Vec::new(), diagnostics: vec![d] }),
                    }
                }
            },
        );
        let ordered = match index.finish() {
            Ok(ordered) => ordered,
            Err(diagnostics) => return sink(SetItem::Problems { errors: Vec::new(), diagnostics }),
        };
        for (job, depends_on) in ordered.jobs {
            // An upstream that did not compile has been reported; its dependents wait with it.
            let Some(names) = depends_on.iter().map(|n| upstreams.get(n).map(|u| u.job_name.clone())).collect::<Option<Vec<_>>>() else {
                continue;
            };
            let resolved = match settings.keep_references {
                true => Ok(job),
                false => job.resolve(|r| upstreams.get(&r.job).and_then(|u| u.value(&r.target)).map(str::to_string)),
            };
            let compiled = resolved.and_then(|job| job.compile_after(settings, names).map(|compiled| (job, compiled)));
            match compiled {
                Ok((job, compiled)) => {
                    upstreams.insert(job.name().to_string(), Upstream::of(&compiled));
                    let (file, name) = (job.file.path().to_path_buf(), job.name().to_string());
                    sink(SetItem::Job(SetJob { file, job: name, depends_on, compiled: per_job(&job, &compiled) }));
                }
                Err(d) => sink(SetItem::Problems { errors: Vec::new(), diagnostics: vec![*d] }),
            }
        }
    }
}

impl Job {
    /// The job with every reference replaced by what `value` gives it (a
    /// reference it gives nothing for stays as it was written). The
    /// document was validated with each reference standing as an S3 URI,
    /// so only its typed model is built again.
    pub fn resolve(&self, mut value: impl FnMut(&Reference) -> Option<String>) -> Result<Job, Box<Diagnostic>> {
        let mut doc = self.doc.clone();
        replace_markers(&mut doc.root, &mut |r| value(r).unwrap_or_else(|| r.marker()));
        let manifest = pjob_manifest::Manifest::from_tree(&doc.root).map_err(|e| {
            let message = format!("after filling in its references to other jobs, the manifest is not valid: {e}");
            Box::new(Diagnostic::new(&self.file, doc.root.span, Code::Invalid, message))
        })?;
        Ok(Job { file: self.file.clone(), doc, manifest, rendered: self.rendered })
    }
}

/// Compiles the jobs of one file that depend on no other job, and holds the rest.
fn compile_file<T>(loaded: Loaded, settings: &CompileSettings, per_job: &impl Fn(&Job, &CompiledJob) -> T) -> FileShare<T> {
    let jobs = loaded
        .jobs
        .into_iter()
        .map(|job| {
            let (member, file) = (job.member(), job.file.clone());
            let links = job.links();
            let compiled = if !links.is_empty() {
                Compiled::Held(Box::new((job, links)))
            } else {
                match job.compile(settings) {
                    Ok(compiled) => Compiled::Done(Upstream::of(&compiled), per_job(&job, &compiled)),
                    Err(d) => Compiled::Failed(*d),
                }
            };
            (member, file, compiled)
        })
        .collect();
    FileShare { errors: loaded.errors, invalid: loaded.invalid, diagnostics: loaded.diagnostics, jobs }
}
