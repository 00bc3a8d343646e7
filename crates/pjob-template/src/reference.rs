//! References from one job of a set to another: `jobs.<name>.outputs.<output>`
//! and `jobs.<name>.job_name` (SPEC section 8).
//!
//! A document is rendered before the jobs it refers to are compiled (the
//! set streams, and an upstream may sit in a later file), so the template
//! pass writes a *marker* where a reference is used, and the set later
//! replaces each marker with what it stands for: the upstream's output URI
//! or job name on SageMaker, its local folder in a local run, a `Get`
//! expression in a pipeline definition. An output marker is itself an
//! `s3://` URI, so a value holding one validates as the URI it will become.
//!
//! A pipeline parameter (`--pipeline-parameter NAME`) is a marker too: in a
//! pipeline definition the value is `{"Get": "Parameters.NAME"}`, decided
//! when the pipeline runs, not when pjob renders it.

use std::ops::Range;
use std::sync::Arc;

use minijinja::Value as JinjaValue;
use minijinja::value::{Enumerator, Object};

/// What a reference names in the upstream job.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// The S3 URI (or, in a local run, the folder) an output is written to.
    Output(String),
    /// The resolved SageMaker job name.
    JobName,
}

/// One use of `jobs.<job>...` in a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// The upstream job's `metadata.name`.
    pub job: String,
    /// What of it is used.
    pub target: Target,
}

impl Reference {
    /// The expression a user writes for this reference.
    pub fn expression(&self) -> String {
        let job = if self.job.contains('-') { format!("jobs[\"{}\"]", self.job) } else { format!("jobs.{}", self.job) };
        match &self.target {
            Target::Output(output) => format!("{job}.outputs.{output}"),
            Target::JobName => format!("{job}.job_name"),
        }
    }

    /// The marker the template pass writes for this reference.
    pub fn marker(&self) -> String {
        match &self.target {
            Target::Output(output) => format!("{OUTPUT_PREFIX}{OPEN}jobs.{}.outputs.{output}{CLOSE}", self.job),
            Target::JobName => format!("{OPEN}jobs.{}.job_name{CLOSE}", self.job),
        }
    }
}

pub(crate) const OPEN: char = '⟦';
const CLOSE: char = '⟧';
/// What an output marker starts with, so that it reads as an S3 URI.
const OUTPUT_PREFIX: &str = "s3://pjob-upstream/";
/// What a parameter marker starts with when its default is an S3 URI.
const PARAMETER_PREFIX: &str = "s3://pjob-parameter/";

/// A value decided later than the template pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Marked {
    /// A reference to another job of the set.
    Reference(Reference),
    /// A pipeline parameter, by name.
    Parameter(String),
}

/// The marker a pipeline parameter renders as: an `s3://` URI when its
/// default is one (so that it validates where a URI is expected), plain
/// text otherwise.
/// `default` is the default value when it is a string.
pub fn parameter_marker(name: &str, default: Option<&str>) -> String {
    let prefix = if default.is_some_and(|d| d.starts_with("s3://")) { PARAMETER_PREFIX } else { "" };
    format!("{prefix}{OPEN}parameters.{name}{CLOSE}")
}

/// Another value of a number or boolean parameter's type, to find where its
/// value goes by compiling once with each (see `pjob_pipeline::build`): a
/// boolean flips; a whole number moves by one (down when that stays above
/// zero, as counts must); a fraction halves (0 becomes 0.5). `None` for a
/// string, which is found by its marker instead.
pub fn parameter_probe(default: &serde_json::Value) -> Option<serde_json::Value> {
    use serde_json::Value;
    match default {
        Value::Bool(b) => Some(Value::Bool(!b)),
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            let n = n.as_i64().unwrap_or(i64::MAX);
            Some(Value::from(if n > 1 { n - 1 } else { n + 1 }))
        }
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or_default();
            Some(Value::from(if f == 0.0 { 0.5 } else { f / 2.0 }))
        }
        _ => None,
    }
}

/// Every marker in `text` (references and parameters), each with the byte
/// range it covers.
pub fn find_marked(text: &str) -> Vec<(Range<usize>, Marked)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find(OPEN).map(|i| at + i) {
        let inner_start = open + OPEN.len_utf8();
        let Some(close) = text[inner_start..].find(CLOSE).map(|i| inner_start + i) else { break };
        let end = close + CLOSE.len_utf8();
        if let Some(marked) = parse(&text[inner_start..close]) {
            let prefix = match &marked {
                Marked::Reference(Reference { target: Target::Output(_), .. }) => OUTPUT_PREFIX,
                Marked::Parameter(_) => PARAMETER_PREFIX,
                Marked::Reference(_) => "",
            };
            let start = if !prefix.is_empty() && text[..open].ends_with(prefix) { open - prefix.len() } else { open };
            found.push((start..end, marked));
        }
        at = end;
    }
    found
}

/// Whether every marker in `text` came through the template whole: each
/// `⟦...⟧` names a reference or a parameter, an output reference still
/// starts with `s3://pjob-upstream/`, and no bracket stands alone. A filter
/// that rewrote a marker (`| upper`, `| replace(...)`) breaks it.
pub fn markers_whole(text: &str) -> bool {
    // What is left of the prefix after a filter rewrote its `s3:`.
    let upstream = &OUTPUT_PREFIX["s3://".len()..];
    if !text.contains([OPEN, CLOSE]) && !text.contains(upstream) {
        return true;
    }
    let found = find_marked(text);
    let brackets = text.matches([OPEN, CLOSE]).count();
    let outputs: Vec<&Range<usize>> = found
        .iter()
        .filter(|(_, m)| matches!(m, Marked::Reference(Reference { target: Target::Output(_), .. })))
        .map(|(range, _)| range)
        .collect();
    brackets == 2 * found.len()
        && outputs.iter().all(|range| text[(*range).clone()].starts_with(OUTPUT_PREFIX))
        && text.matches(upstream).count() == outputs.len()
}

/// The references in `text`, each with the byte range of its marker.
pub fn find(text: &str) -> Vec<(Range<usize>, Reference)> {
    find_marked(text)
        .into_iter()
        .filter_map(|(range, marked)| match marked {
            Marked::Reference(r) => Some((range, r)),
            Marked::Parameter(_) => None,
        })
        .collect()
}

/// Whether `text` holds a reference marker.
pub fn contains(text: &str) -> bool {
    // Every value of every job is asked: first one byte of `⟦` (its last,
    // rare in text), searched byte-wise, then the character itself.
    let last_byte = OPEN.encode_utf8(&mut [0; 4]).as_bytes()[OPEN.len_utf8() - 1];
    text.as_bytes().contains(&last_byte) && text.contains(OPEN) && !find(text).is_empty()
}

/// `text` with each reference marker replaced by what `resolve` gives it.
pub fn replace(text: &str, mut resolve: impl FnMut(&Reference) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, reference) in find(text) {
        out.push_str(&text[at..range.start]);
        out.push_str(&resolve(&reference));
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// `text` with each marker written back as the expression the user wrote:
/// for messages, which should never show a marker.
pub fn describe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, marked) in find_marked(text) {
        out.push_str(&text[at..range.start]);
        let expression = match marked {
            Marked::Reference(r) => r.expression(),
            Marked::Parameter(name) => name,
        };
        out.push_str(&format!("{{{{ {expression} }}}}"));
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A marker spelled otherwise: each letter the next one in the other case,
/// each other character one code point on, and one character more at the
/// end, so that it differs from the marker in every position, in case and
/// in length. A value rendered once with markers and once with this
/// spelling shows whether its template passed each marker on whole (the two
/// agree once [`alternate_markers`] respells the first) or looked into it
/// (`| first`, `| lower`, `[0]`: they disagree).
pub fn alternate(marker: &str) -> String {
    let respell = |c: char| match c {
        'a'..='z' => char::from(b'A' + (c as u8 - b'a' + 1) % 26),
        'A'..='Z' => char::from(b'a' + (c as u8 - b'A' + 1) % 26),
        _ => char::from_u32(c as u32 + 1).unwrap_or(c),
    };
    marker.chars().map(respell).chain(['~']).collect()
}

/// `text` with each marker in it respelled by [`alternate`].
pub fn alternate_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut at = 0;
    for (range, _) in find_marked(text) {
        out.push_str(&text[at..range.start]);
        out.push_str(&alternate(&text[range.clone()]));
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

fn parse(inner: &str) -> Option<Marked> {
    if let Some(name) = inner.strip_prefix("parameters.") {
        return Some(Marked::Parameter(name.to_string()));
    }
    let rest = inner.strip_prefix("jobs.")?;
    if let Some(job) = rest.strip_suffix(".job_name") {
        return Some(Marked::Reference(Reference { job: job.to_string(), target: Target::JobName }));
    }
    let (job, output) = rest.split_once(".outputs.")?;
    Some(Marked::Reference(Reference { job: job.to_string(), target: Target::Output(output.to_string()) }))
}

/// How markers are spelled: as the set reads them, or in the
/// [`alternate`] spelling that shows whether a template passed them on whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// The markers the set replaces.
    Marker,
    /// Each marker as [`alternate`] spells it.
    Alternate,
}

impl Spelling {
    fn spell(self, marker: String) -> JinjaValue {
        JinjaValue::from(match self {
            Spelling::Marker => marker,
            Spelling::Alternate => alternate(&marker),
        })
    }
}

/// The `jobs` template variable: any job name, resolved later by the set.
#[derive(Debug)]
pub(crate) struct Jobs(pub(crate) Spelling);

impl Object for Jobs {
    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        let job = key.as_str()?;
        Some(JinjaValue::from_object(JobRef { job: job.to_string(), spelling: self.0 }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::NonEnumerable
    }
}

/// `jobs.<job>`: its `outputs` and `job_name`.
#[derive(Debug)]
struct JobRef {
    job: String,
    spelling: Spelling,
}

impl Object for JobRef {
    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        match key.as_str()? {
            "outputs" => Some(JinjaValue::from_object(Outputs { job: self.job.clone(), spelling: self.spelling })),
            "job_name" => Some(self.spelling.spell(Reference { job: self.job.clone(), target: Target::JobName }.marker())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["outputs", "job_name"])
    }
}

/// `jobs.<job>.outputs`: any output name, checked later by the set.
#[derive(Debug)]
struct Outputs {
    job: String,
    spelling: Spelling,
}

impl Object for Outputs {
    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        let output = key.as_str()?;
        Some(self.spelling.spell(Reference { job: self.job.clone(), target: Target::Output(output.to_string()) }.marker()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::NonEnumerable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_replaced_and_described() {
        let out = Reference { job: "churn-prep".into(), target: Target::Output("train".into()) };
        let name = Reference { job: "prep".into(), target: Target::JobName };
        let text = format!("{}/part --from {}", out.marker(), name.marker());
        let found: Vec<Reference> = find(&text).into_iter().map(|(_, r)| r).collect();
        assert_eq!(found, vec![out.clone(), name.clone()]);
        assert_eq!(replace(&text, |r| format!("<{}>", r.job)), "<churn-prep>/part --from <prep>");
        assert_eq!(describe(&text), "{{ jobs[\"churn-prep\"].outputs.train }}/part --from {{ jobs.prep.job_name }}");
        assert!(out.marker().starts_with("s3://"));
        assert!(!contains("s3://bucket/⟦not a reference⟧"));
    }

    #[test]
    fn parameter_markers_are_found_and_described_but_are_not_references() {
        let uri = parameter_marker("input", Some("s3://b/in"));
        let rate = parameter_marker("rate", None);
        assert!(uri.starts_with("s3://"));
        let text = format!("{uri}/part --rate={rate}");
        let found: Vec<_> = find_marked(&text).into_iter().map(|(range, m)| (text[range].to_string(), m)).collect();
        assert_eq!(found, vec![(uri.clone(), Marked::Parameter("input".into())), (rate.clone(), Marked::Parameter("rate".into()))]);
        assert!(find(&text).is_empty());
        assert_eq!(describe(&text), "{{ input }}/part --rate={{ rate }}");
    }
}
