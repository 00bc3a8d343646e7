//! What ties a job to other jobs of its set: the `jobs.<name>` references
//! its templates left (as markers, see [`pjob_template::reference`]) and
//! its `metadata.depends_on`, each with the span it was written at.

use pjob_source::{Node, Span, Value};
use pjob_template::reference::{self, Reference};

use crate::Job;

/// One `jobs.<name>...` reference of a job, where it was written.
#[derive(Debug, Clone)]
pub struct Use {
    /// What it refers to.
    pub reference: Reference,
    /// The value that holds it.
    pub span: Span,
}

/// A job's ties to other jobs of its set.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Its `jobs.<name>` references, in document order.
    pub uses: Vec<Use>,
    /// Its `metadata.depends_on` entries, with their spans.
    pub depends_on: Vec<(String, Span)>,
}

impl Links {
    /// Whether the job depends on no other job.
    pub fn is_empty(&self) -> bool {
        self.uses.is_empty() && self.depends_on.is_empty()
    }

    /// The names of the jobs it depends on, once each, in the order written.
    pub fn upstream_jobs(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let all = self.uses.iter().map(|u| &u.reference.job).chain(self.depends_on.iter().map(|(n, _)| n));
        for name in all {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// Every tie with the span it was written at: references, then `depends_on`.
    pub(crate) fn all(&self) -> impl Iterator<Item = (&str, Span)> {
        let uses = self.uses.iter().map(|u| (u.reference.job.as_str(), u.span));
        uses.chain(self.depends_on.iter().map(|(n, s)| (n.as_str(), *s)))
    }
}

impl Job {
    /// The job's `metadata.name`: its name within the set.
    pub fn name(&self) -> &str {
        &self.manifest.metadata.name
    }

    /// The job's ties to other jobs of its set.
    pub fn links(&self) -> Links {
        let mut uses = Vec::new();
        if self.rendered {
            collect_uses(&self.doc.root, &mut uses);
        }
        let depends_on = match self.doc.root.get("metadata").and_then(|m| m.get("depends_on")).map(|n| &n.value) {
            Some(Value::Seq(items)) => items.iter().filter_map(|n| Some((n.as_str()?.to_string(), n.span))).collect(),
            _ => Vec::new(),
        };
        Links { uses, depends_on }
    }
}

fn collect_uses(node: &Node, out: &mut Vec<Use>) {
    match &node.value {
        Value::String(s) if reference::contains(s) => {
            out.extend(reference::find(s).into_iter().map(|(_, reference)| Use { reference, span: node.span }));
        }
        Value::Seq(items) => items.iter().for_each(|n| collect_uses(n, out)),
        Value::Map(entries) => entries.iter().filter(|e| e.key != "vars").for_each(|e| collect_uses(&e.value, out)),
        _ => {}
    }
}

/// `node` with every reference marker in its strings replaced by what
/// `resolve` gives it.
pub(crate) fn replace_markers(node: &mut Node, resolve: &mut impl FnMut(&Reference) -> String) {
    match &mut node.value {
        Value::String(s) if reference::contains(s) => *s = reference::replace(s, &mut *resolve),
        Value::Seq(items) => items.iter_mut().for_each(|n| replace_markers(n, resolve)),
        Value::Map(entries) => entries.iter_mut().filter(|e| e.key != "vars").for_each(|e| replace_markers(&mut e.value, resolve)),
        _ => {}
    }
}
