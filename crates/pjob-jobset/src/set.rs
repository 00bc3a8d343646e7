//! The rules a set obeys as a whole (SPEC section 8): one job per
//! `metadata.name`, references only to jobs and outputs the set has, no
//! cycles; and the order its linked jobs run in.
//!
//! A [`SetIndex`] is built while the set streams: it keeps a short
//! [`Member`] of every job (its name, where that is written, its outputs)
//! and holds whole only the jobs that depend on others, so memory grows
//! with the names of a set, not with its manifests.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use petgraph::graph::{DiGraph, NodeIndex};
use pjob_manifest::Kind;
use pjob_source::{Code, Diagnostic, SourceFile, Span};
use pjob_template::reference::Target;

use crate::{Job, Links};

/// What the set keeps of each job.
#[derive(Debug, Clone)]
pub struct Member {
    /// `metadata.name`.
    pub name: String,
    /// The kind.
    pub kind: Kind,
    /// Its manifest file.
    pub path: PathBuf,
    /// Where `metadata.name` is written.
    pub name_span: Span,
    /// Its outputs' names (see [`pjob_compiler::output_names`]).
    pub outputs: Vec<String>,
}

impl Job {
    /// What the set keeps of this job.
    pub fn member(&self) -> Member {
        Member {
            name: self.name().to_string(),
            kind: self.manifest.kind(),
            path: self.file.path().to_path_buf(),
            name_span: self.doc.root.locate("/metadata/name", None),
            outputs: pjob_compiler::output_names(&self.manifest),
        }
    }
}

/// One dependency: `to` runs after `from`, carrying `output` when it is a
/// reference to one of `from`'s outputs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// The upstream job's name.
    pub from: String,
    /// The dependent job's name.
    pub to: String,
    /// The output it reads, if any.
    pub output: Option<String>,
}

/// The jobs of a set and the rules between them, built job by job in file order.
#[derive(Debug, Default)]
pub struct SetIndex {
    members: Vec<Member>,
    /// Each member's position by name (foldhash: every job of a run is
    /// recorded, and the names are the user's own, not an attacker's).
    by_name: HashMap<String, usize, foldhash::fast::RandomState>,
    /// Jobs that depend on others, with their links, in file order.
    held: Vec<(Job, Links)>,
    /// Names of documents that did not validate (already reported).
    invalid: std::collections::HashSet<String>,
    problems: Vec<Diagnostic>,
}

/// A checked set: its linked jobs in the order they can run, and every edge.
#[derive(Debug)]
pub struct Ordered {
    /// The jobs that depend on others, each after everything it depends on
    /// (and otherwise in file order), with the names of their upstream jobs.
    pub jobs: Vec<(Job, Vec<String>)>,
    /// Every dependency of the set, by dependent in that order.
    pub edges: Vec<Edge>,
    /// Every job of the set, in file order.
    pub members: Vec<Member>,
}

impl SetIndex {
    /// An empty set.
    pub fn new() -> SetIndex {
        SetIndex::default()
    }

    /// Records a job (in file order), written in `file`: when it is not
    /// given, the file is read again from `member.path`, and only if the
    /// name is taken. A name already taken is a problem at both places.
    pub fn record(&mut self, member: Member, file: Option<&SourceFile>) {
        if let Some(&first) = self.by_name.get(&member.name) {
            let earlier = &self.members[first];
            let message = format!("two jobs are named `{}`: here and at {}", member.name, earlier.path.display());
            let help = "job names are unique in a set (other jobs refer to them): rename one of them";
            let read;
            let file = match file {
                Some(file) => file,
                None => {
                    // Unreadable since it was loaded: the problem is still reported, without its line.
                    read = SourceFile::read(&member.path).unwrap_or_else(|_| SourceFile::new(&member.path, ""));
                    &read
                }
            };
            self.problems.push(Diagnostic::new(file, member.name_span, Code::DuplicateJob, message).with_help(help));
            if let Ok(earlier_file) = SourceFile::read(&earlier.path) {
                let message = format!("two jobs are named `{}`: here and at {}", member.name, member.path.display());
                self.problems.push(Diagnostic::new(&earlier_file, earlier.name_span, Code::DuplicateJob, message).with_help(help));
            }
            return;
        }
        self.by_name.insert(member.name.clone(), self.members.len());
        self.members.push(member);
    }

    /// Notes the name of a document that did not validate: its problems
    /// are reported, and a reference to it is not one more.
    pub fn record_invalid(&mut self, name: String) {
        self.invalid.insert(name);
    }

    /// Holds a recorded job that depends on others (through `links`, its
    /// [`Job::links`]) until [`SetIndex::finish`].
    pub fn hold(&mut self, job: Job, links: Links) {
        self.held.push((job, links));
    }

    /// Records a job and, when it depends on other jobs, holds it until
    /// [`SetIndex::finish`]; returns it when it does not.
    pub fn admit(&mut self, job: Job) -> Option<Job> {
        self.record(job.member(), Some(&job.file));
        let links = job.links();
        if links.is_empty() {
            return Some(job);
        }
        self.held.push((job, links));
        None
    }

    /// Checks the set's references and cycles, and orders its held jobs.
    pub fn finish(mut self) -> Result<Ordered, Vec<Diagnostic>> {
        let mut edges = Vec::new();
        let mut problems = Vec::new();
        for (job, links) in &self.held {
            let (found, wrong) = self.check_links(job, links);
            edges.extend(found);
            problems.extend(wrong);
        }
        self.problems.extend(problems);
        let graph = self.graph();
        if self.problems.is_empty() {
            self.problems = self.cycles(&graph);
        }
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        let members = std::mem::take(&mut self.members);
        let jobs = self.order(&graph);
        let position: HashMap<&str, usize> = jobs.iter().enumerate().map(|(i, (j, _))| (j.name(), i)).collect();
        edges.sort_by_key(|e: &Edge| position.get(e.to.as_str()).copied());
        edges.dedup();
        Ok(Ordered { jobs, edges, members })
    }

    /// The edges of one held job, and a problem for each reference to a
    /// job or output the set does not have.
    fn check_links(&self, job: &Job, links: &Links) -> (Vec<Edge>, Vec<Diagnostic>) {
        let mut edges = Vec::new();
        let mut problems = Vec::new();
        for u in &links.uses {
            let output = match &u.reference.target {
                Target::Output(o) => Some(o.clone()),
                Target::JobName => None,
            };
            match self.problem(job, &u.reference.job, output.as_deref(), u.span) {
                Some(d) => problems.push(d),
                None => edges.push(Edge { from: u.reference.job.clone(), to: job.name().to_string(), output }),
            }
        }
        for (name, span) in &links.depends_on {
            match self.problem(job, name, None, *span) {
                Some(d) => problems.push(d),
                None => edges.push(Edge { from: name.clone(), to: job.name().to_string(), output: None }),
            }
        }
        // A `depends_on` beside a reference to the same job says nothing more.
        let carried: BTreeSet<String> = edges.iter().filter(|e| e.output.is_some()).map(|e| e.from.clone()).collect();
        edges.retain(|e| e.output.is_some() || !carried.contains(&e.from));
        (edges, problems)
    }

    /// The held jobs as a graph: an edge from each held upstream to its
    /// dependent (jobs that depend on nothing are never in a cycle).
    fn graph(&self) -> DiGraph<usize, Span> {
        let mut graph = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..self.held.len()).map(|i| graph.add_node(i)).collect();
        let held: HashMap<&str, usize> = self.held.iter().enumerate().map(|(i, (j, _))| (j.name(), i)).collect();
        for (to, (_, links)) in self.held.iter().enumerate() {
            for (name, span) in links.all() {
                if let Some(&from) = held.get(name) {
                    graph.add_edge(nodes[from], nodes[to], span);
                }
            }
        }
        graph
    }

    /// A problem at every tie that closes a cycle, naming every job in it.
    fn cycles(&self, graph: &DiGraph<usize, Span>) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for component in petgraph::algo::tarjan_scc(graph) {
            let looped = component.len() > 1 || graph.contains_edge(component[0], component[0]);
            if !looped {
                continue;
            }
            let mut jobs: Vec<usize> = component.iter().map(|n| graph[*n]).collect();
            jobs.sort_unstable();
            let names: Vec<String> = jobs.iter().map(|&i| format!("`{}`", self.held[i].0.name())).collect();
            let cycle = match names.as_slice() {
                [one] => format!("job {one} depends on itself"),
                _ => format!("jobs {} depend on each other in a cycle", names.join(", ")),
            };
            for edge in graph.edge_indices() {
                let (from, to) = graph.edge_endpoints(edge).expect("an edge of the graph has ends");
                if component.contains(&from) && component.contains(&to) {
                    let job = &self.held[graph[to]].0;
                    let help = "a job can only use what runs before it: remove one of these references or `depends_on` entries";
                    let message = format!("{cycle}: `{}` needs `{}`", job.name(), self.held[graph[from]].0.name());
                    problems
                        .push(Diagnostic::new(&job.file, graph[edge], Code::Cycle, message).with_help(help).with_label("closes the cycle"));
                }
            }
        }
        problems.sort_by_key(|d| (d.location().file.clone(), d.location().line, d.location().column));
        problems
    }

    /// The held jobs, each after the held jobs it depends on, otherwise in
    /// file order (the set has no cycle).
    fn order(self, graph: &DiGraph<usize, Span>) -> Vec<(Job, Vec<String>)> {
        let mut waiting: Vec<usize> = graph.node_indices().map(|n| graph.neighbors_directed(n, petgraph::Incoming).count()).collect();
        let mut ready: BTreeSet<usize> = (0..self.held.len()).filter(|&i| waiting[i] == 0).collect();
        let mut order = Vec::with_capacity(self.held.len());
        while let Some(next) = ready.pop_first() {
            order.push(next);
            for n in graph.neighbors_directed(NodeIndex::new(next), petgraph::Outgoing) {
                let i = graph[n];
                waiting[i] -= 1;
                if waiting[i] == 0 {
                    ready.insert(i);
                }
            }
        }
        let mut held: Vec<Option<(Job, Links)>> = self.held.into_iter().map(Some).collect();
        order.into_iter().filter_map(|i| held[i].take()).map(|(job, links)| (job, links.upstream_jobs())).collect()
    }

    /// The problem with one reference, if the set does not have what it names.
    fn problem(&self, job: &Job, name: &str, output: Option<&str>, span: Span) -> Option<Diagnostic> {
        let Some(&index) = self.by_name.get(name) else {
            if self.invalid.contains(name) {
                return None;
            }
            let names = self.members.iter().map(|m| m.name.as_str());
            let help = match pjob_manifest::suggest::closest(name, names) {
                Some(close) => format!("did you mean `{close}`? A reference names another job's `metadata.name`"),
                None => format!("the set has {}; name one of them, or add the job's manifest to the command line", self.list()),
            };
            let message = format!("no job named `{name}` in this set");
            return Some(Diagnostic::new(&job.file, span, Code::UnknownJob, message).with_help(help).with_label("referred to here"));
        };
        let member = &self.members[index];
        let output = output.filter(|o| !member.outputs.iter().any(|m| m == o))?;
        let help = match member.outputs.as_slice() {
            [] => format!("`{name}` has no outputs: give it one under `spec.outputs`"),
            all => format!("its outputs are {}", all.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")),
        };
        let message = format!("job `{name}` has no output named `{output}`");
        Some(Diagnostic::new(&job.file, span, Code::UnknownJob, message).with_help(help).with_label("referred to here"))
    }

    /// The set's names, for a message: the first few and how many more.
    fn list(&self) -> String {
        let names: Vec<String> = self.members.iter().take(5).map(|m| format!("`{}`", m.name)).collect();
        match self.members.len() {
            0 => "no other job".to_string(),
            n if n > 5 => format!("{} and {} more", names.join(", "), n - 5),
            _ => names.join(", "),
        }
    }
}
