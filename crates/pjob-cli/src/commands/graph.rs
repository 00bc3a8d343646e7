//! `pjob graph`: a set drawn as a Mermaid flowchart or a Graphviz digraph
//! (SPEC section 8). One node per job (its name and kind), one edge per
//! dependency from the upstream job to the one that depends on it,
//! labelled with the output it carries (a `depends_on` or `job_name` tie
//! has no label). Offline: the set is checked, nothing is compiled.

use pjob_jobset::{Edge, Member, Ordered};
use pjob_manifest::Target;

use crate::args::{GraphArgs, GraphFormat};
use crate::exit::Exit;
use crate::load;
use crate::settings::Settings;

/// Runs `pjob graph`.
pub fn run(settings: &Settings, args: &GraphArgs) -> Exit {
    // Local runs allow what SageMaker does not (local destinations): the
    // graph draws a set for either.
    let ordered = match load::load_checked_set(settings, &args.paths, Target::Local, drop) {
        Ok(ordered) => ordered,
        Err(exit) => return exit,
    };
    let members = upstream_first(&ordered);
    let text = match args.format {
        GraphFormat::Mermaid => mermaid(&members, &ordered.edges),
        GraphFormat::Dot => dot(&members, &ordered.edges),
    };
    crate::output::write(&text);
    Exit::Success
}

/// The set's jobs in the order they can run: those that depend on no
/// other in file order, then the others in dependency order.
fn upstream_first(ordered: &Ordered) -> Vec<&Member> {
    let linked = |m: &Member| ordered.jobs.iter().position(|(job, _)| job.name() == m.name);
    let mut members: Vec<&Member> = ordered.members.iter().collect();
    members.sort_by_key(|m| linked(m).map_or((0, 0), |position| (1, position)));
    members
}

/// The set as a Mermaid flowchart, left to right.
fn mermaid(members: &[&Member], edges: &[Edge]) -> String {
    let mut out = String::from("flowchart LR\n");
    for m in members {
        out.push_str(&format!("    {}[\"{}<br/>{}\"]\n", mermaid_id(&m.name), m.name, m.kind.as_str()));
    }
    for e in edges {
        let arrow = match &e.output {
            Some(output) => format!("-->|\"{output}\"|"),
            None => "-->".to_string(),
        };
        out.push_str(&format!("    {} {arrow} {}\n", mermaid_id(&e.from), mermaid_id(&e.to)));
    }
    out
}

/// A Mermaid node id for a job: `job_` and its name with `_` for `-` (a
/// name is letters, digits and hyphens, so ids stay distinct, and the
/// prefix keeps a job named `end` from closing a block).
fn mermaid_id(name: &str) -> String {
    format!("job_{}", name.replace('-', "_"))
}

/// The set as a Graphviz digraph, left to right.
fn dot(members: &[&Member], edges: &[Edge]) -> String {
    let mut out = String::from("digraph pjob {\n    rankdir=LR;\n    node [shape=box];\n");
    for m in members {
        let label = quoted(&format!("{}\n{}", m.name, m.kind.as_str()));
        out.push_str(&format!("    {} [label={label}];\n", quoted(&m.name)));
    }
    for e in edges {
        let label = e.output.as_deref().map(|o| format!(" [label={}]", quoted(o))).unwrap_or_default();
        out.push_str(&format!("    {} -> {}{label};\n", quoted(&e.from), quoted(&e.to)));
    }
    out.push_str("}\n");
    out
}

/// A DOT string: in double quotes, with `\`, `"` and line breaks escaped.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}
