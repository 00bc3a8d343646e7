//! The template pass: every string value of a manifest is a MiniJinja
//! template, rendered value by value.
//!
//! Templates work on values, never on text, so a variable can change a
//! value but never the manifest's structure: a variable holding
//! `"x\nrole: evil"` stays one string. A value that is exactly one
//! expression (`"{{ count }}"`) takes the expression's type. Undefined
//! variables are errors (strict mode) that point at the value using them.
//!
//! Variables, later wins: the manifest's `vars:` < [`Variables::add_file`]
//! (`--vars-file`) < [`Variables::set`] (`--var`). Also defined: `env.NAME`,
//! `git.sha`, `git.short_sha`, `git.branch` (in a Git work tree),
//! `manifest.dir`, `manifest.name`, and `jobs.<name>.outputs.<output>` and
//! `jobs.<name>.job_name`, which the set fills in (see [`reference`]).

pub mod budget;
mod git;
mod plain;
pub mod reference;
mod variables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value as JinjaValue};
use pjob_source::{Code, Diagnostic, Document, Entry, Node, SourceFile, Span, Value};
use reference::Spelling;

pub use variables::{Variables, VariablesError};

/// A document not all of whose templates rendered.
#[derive(Debug)]
pub struct RenderFailure {
    /// The document: rendered where rendering succeeded, the failed values as written.
    pub document: Document,
    /// One diagnostic per value that failed.
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders templates in manifest documents. Build one per run and reuse it:
/// it holds the MiniJinja environment, the process environment, the
/// command-line variables and a cache of Git facts per folder.
pub struct Renderer {
    env: Environment<'static>,
    /// `--vars-file` and `--var` values, converted once.
    cli_vars: Vec<(String, JinjaValue)>,
    /// Whether a template has named each of `cli_vars`, in the same order.
    cli_vars_used: Vec<AtomicBool>,
    process_env: JinjaValue,
    /// The working directory, against which relative manifest folders resolve.
    cwd: Option<PathBuf>,
    /// Variables that are pipeline parameters: they render as markers, or
    /// (a number or boolean as a value's lone expression) as their default.
    pipeline_parameters: Vec<String>,
    /// Whether each of `pipeline_parameters` has rendered as a value's lone
    /// expression with its typed default, in the same order.
    typed_used: Vec<AtomicBool>,
    /// The number or boolean parameter rendered as its probe value instead
    /// of its default (see [`Renderer::probing`]).
    probe: Option<String>,
    /// The command-line variables, for renderers made from this one.
    variables: Variables,
    git: git::GitCache,
}

impl Renderer {
    /// A renderer with the given command-line variables.
    pub fn new(variables: Variables) -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        // A template's name is its source: each distinct value compiles once
        // per run, however many manifests share it.
        env.set_loader(|source| Ok(Some(source.to_string())));
        // Names are sources, so a value ending in `.json` or `.html` must not
        // switch on escaping: manifest values are plain text.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        budget::configure(&mut env);
        let process_env: BTreeMap<String, String> =
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
        let cli_vars: Vec<_> = variables.iter().map(|(k, v)| (k.clone(), JinjaValue::from_serialize(v))).collect();
        Renderer {
            variables,
            env,
            cli_vars_used: cli_vars.iter().map(|_| AtomicBool::new(false)).collect(),
            cli_vars,
            process_env: JinjaValue::from_serialize(&process_env),
            cwd: std::env::current_dir().ok(),
            pipeline_parameters: Vec::new(),
            typed_used: Vec::new(),
            probe: None,
            git: git::GitCache::default(),
        }
    }

    /// The renderer, with each of `names` rendered as a pipeline parameter
    /// marker (see [`reference::parameter_marker`]) instead of its value,
    /// whether or not the manifest defines it.
    /// A number or boolean parameter used as a value's lone expression
    /// (`instance_count: "{{ workers }}"`) renders as its default, typed.
    pub fn with_pipeline_parameters(mut self, names: Vec<String>) -> Renderer {
        self.typed_used = names.iter().map(|_| AtomicBool::new(false)).collect();
        self.pipeline_parameters = names;
        self
    }

    /// Whether the number or boolean parameter `name` has rendered so far as
    /// a value's lone expression (its typed default): only then does its
    /// place need finding by a second compile (see [`Renderer::probing`]).
    pub fn typed_parameter_used(&self, name: &str) -> bool {
        let position = self.pipeline_parameters.iter().position(|p| p == name);
        position.is_some_and(|i| self.typed_used[i].load(Ordering::Relaxed))
    }

    /// A renderer like this one, but for which the number or boolean
    /// parameter `parameter`, as a value's lone expression, is
    /// [`reference::parameter_probe`] of its default: compiling with both
    /// shows where the parameter's value goes.
    pub fn probing(&self, parameter: &str) -> Renderer {
        let mut renderer = Renderer::new(self.variables.clone()).with_pipeline_parameters(self.pipeline_parameters.clone());
        renderer.probe = Some(parameter.to_string());
        renderer
    }

    /// Renders every string value of `doc` (except under `vars:`), and
    /// returns the rendered document, or every template error with the
    /// document rendered as far as it could be.
    ///
    /// A caller with many documents of one file can ask [`is_plain_text`]
    /// once for the file and skip rendering its documents when it is.
    pub fn render(&self, file: &SourceFile, mut doc: Document) -> Result<Document, RenderFailure> {
        if !contains_template(&doc.root) {
            return Ok(doc);
        }
        let context = self.context(file, &doc);
        let mut errors = Vec::new();
        if let Value::Map(entries) = &mut doc.root.value {
            for entry in entries.iter_mut().filter(|e| e.key != "vars") {
                self.render_node(file, &context, &mut entry.value, &mut errors);
            }
        }
        if errors.is_empty() { Ok(doc) } else { Err(RenderFailure { document: doc, diagnostics: errors }) }
    }

    fn context(&self, file: &SourceFile, doc: &Document) -> Context {
        let dir = file.path().parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut vars: BTreeMap<String, JinjaValue> = BTreeMap::new();
        if let Some(Value::Map(entries)) = doc.root.get("vars").map(|n| &n.value) {
            for e in entries {
                vars.insert(e.key.clone(), jinja_value(&e.value));
            }
        }
        for (k, v) in &self.cli_vars {
            vars.insert(k.clone(), v.clone());
        }
        let mut typed_parameters = BTreeMap::new();
        for name in &self.pipeline_parameters {
            let typed = vars.get(name).and_then(|v| budget::to_json(v).ok()).filter(|v| v.is_number() || v.is_boolean());
            if let Some(default) = typed {
                let probed = if self.probe.as_ref() == Some(name) { reference::parameter_probe(&default) } else { None };
                typed_parameters.insert(name.clone(), probed.unwrap_or(default));
            }
            let marker = reference::parameter_marker(name, vars.get(name).and_then(JinjaValue::as_str));
            vars.insert(name.clone(), JinjaValue::from(marker));
        }
        let name = doc.root.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str).unwrap_or_default();
        let joined = match &self.cwd {
            Some(cwd) => cwd.join(dir),
            None => dir.to_path_buf(),
        };
        let abs_dir = std::path::absolute(&joined).unwrap_or(joined);
        let manifest = [("dir", JinjaValue::from(abs_dir.display().to_string())), ("name", JinjaValue::from(name))];
        vars.insert("manifest".into(), manifest.into_iter().collect());
        vars.insert("env".into(), self.process_env.clone());
        vars.insert("jobs".into(), JinjaValue::from_object(reference::Jobs(Spelling::Marker)));
        Context::new(vars, abs_dir, typed_parameters)
    }

    /// The command-line variables (`--var`, `--vars-file`) that no template
    /// rendered so far has named: most likely a typo or a stale setting.
    pub fn unused_variables(&self) -> Vec<&str> {
        self.cli_vars
            .iter()
            .zip(&self.cli_vars_used)
            .filter(|(_, used)| !used.load(Ordering::Relaxed))
            .map(|((k, _), _)| k.as_str())
            .collect()
    }

    /// Notes which command-line variables a template names.
    fn mark_used(&self, source: &str) {
        for ((name, _), used) in self.cli_vars.iter().zip(&self.cli_vars_used) {
            if !used.load(Ordering::Relaxed) && blocks(source).iter().any(|b| uses_path(&source[b.clone()], name)) {
                used.store(true, Ordering::Relaxed);
            }
        }
    }

    fn render_node(&self, file: &SourceFile, ctx: &Context, node: &mut Node, errors: &mut Vec<Diagnostic>) {
        if let Value::String(s) = &node.value
            && !self.cli_vars.is_empty()
            && is_template(s)
        {
            self.mark_used(s);
        }
        match &mut node.value {
            Value::String(s) if is_template(s) => match self.render_string(ctx, s).and_then(|r| ctx.spend(r)) {
                Ok(rendered) if let Some(block) = self.changed_later_value(ctx, s, &rendered) => {
                    errors.push(later_value_changed(file, narrow(file, node.span, s, Some(block.clone())), &s[block]));
                }
                Ok(Rendered::Text(text)) => *s = text,
                Ok(Rendered::Typed(value)) => node.value = Node::from_json(&value, node.span).value,
                Err(e) => errors.push(self.diagnose(file, ctx, node.span, s, &e)),
            },
            Value::Seq(items) => items.iter_mut().for_each(|n| self.render_node(file, ctx, n, errors)),
            Value::Map(entries) => entries.iter_mut().for_each(|e: &mut Entry| self.render_node(file, ctx, &mut e.value, errors)),
            _ => {}
        }
    }

    /// Renders one string: a lone expression keeps its type, anything else is text.
    fn render_string(&self, ctx: &Context, source: &str) -> Result<Rendered, minijinja::Error> {
        if let Some((name, typed)) = lone_expression(source).and_then(|expr| ctx.typed_parameters.get_key_value(expr)) {
            if let Some(i) = self.pipeline_parameters.iter().position(|p| p == name) {
                self.typed_used[i].store(true, Ordering::Relaxed);
            }
            return Ok(Rendered::Typed(typed.clone()));
        }
        if let Some(rendered) = render_plain(ctx, source) {
            return rendered;
        }
        let all = blocks(source);
        if let Some(long) = all.iter().find(|b| b.len() > budget::MAX_BLOCK_BYTES) {
            let message = format!("a template block of {} characters; blocks take at most {}", long.len(), budget::MAX_BLOCK_BYTES);
            return Err(minijinja::Error::new(ErrorKind::InvalidOperation, message));
        }
        if let Some(statement) = budget::refused_statement(all.into_iter().map(|b| source[b].to_string())) {
            let message =
                format!("`{{% {statement} %}}` is not available in manifest templates: a value is one template, never the name of another");
            return Err(minijinja::Error::new(ErrorKind::InvalidOperation, message));
        }
        let jinja_ctx = self.jinja_context(ctx, source);
        if let Some(expr) = lone_expression(source) {
            let value = self.env.compile_expression(expr)?.eval(&jinja_ctx)?;
            if value.is_undefined() {
                return Err(minijinja::Error::new(ErrorKind::UndefinedError, "undefined value"));
            }
            return Rendered::of_value(&value);
        }
        let mut out = budget::CappedOutput::default();
        self.env.get_template(source)?.render_captured_to(&jinja_ctx, &mut out)?;
        String::from_utf8(out.0).map(Rendered::Text).map_err(|e| minijinja::Error::new(ErrorKind::BadSerialization, e.to_string()))
    }

    fn jinja_context(&self, ctx: &Context, source: &str) -> JinjaValue {
        if source.contains("git")
            && let Some(git) = self.git.facts(&ctx.dir)
        {
            let mut vars = ctx.vars.clone();
            vars.insert("git".into(), JinjaValue::from_serialize(git));
            return JinjaValue::from(vars);
        }
        ctx.value.clone()
    }

    fn diagnose(&self, file: &SourceFile, ctx: &Context, span: Span, source: &str, e: &minijinja::Error) -> Diagnostic {
        if e.kind() == ErrorKind::UndefinedError
            && let Some(name) = self.undefined_name(ctx, source)
        {
            let help = match name.split('.').next() {
                Some("env") => format!(
                    "set the environment variable {}, or write `{{{{ {name} | default(\"...\") }}}}`",
                    name.trim_start_matches("env.")
                ),
                Some("git") => "git.* is defined only when the manifest is inside a Git work tree".to_string(),
                Some("jobs") => {
                    "another job of the set is `jobs.<name>.outputs.<output>` or `jobs.<name>.job_name` (`jobs[\"my-job\"]` for a name with hyphens)".to_string()
                }
                _ => format!("define `{name}` under `vars:`, in a --vars-file, or with --var {name}=VALUE"),
            };
            let all = blocks(source);
            let root = name.split('.').next().unwrap_or(&name);
            let block = (all.iter().find(|b| uses_path(&source[(*b).clone()], &name)))
                .or_else(|| all.iter().find(|b| uses_word(&source[(*b).clone()], root)))
                .cloned();
            return Diagnostic::new(
                file,
                narrow(file, span, source, block),
                Code::UndefinedVariable,
                format!("undefined variable `{name}`"),
            )
            .with_help(help)
            .with_label("used here");
        }
        let detail = e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string());
        let block = self.failing_block(ctx, source);
        Diagnostic::new(file, narrow(file, span, source, block), Code::Template, format!("template error: {detail}"))
            .with_help("check the `{{ ... }}` expression; see the MiniJinja syntax")
            .with_label("in this value")
    }

    /// The block of `source` that changed or used up a value decided later
    /// (a `jobs.*` reference, a pipeline parameter) instead of writing it
    /// out: its marker came out broken (`| upper`), the value came out as a
    /// number or boolean (`| length`), or the template looked into the
    /// marker and kept a part of it (`| first`, `[:3]`), which rendering
    /// again with the markers spelled otherwise shows. A number or boolean
    /// parameter as a value's lone expression is meant to render typed, and
    /// is not one.
    fn changed_later_value(&self, ctx: &Context, source: &str, rendered: &Rendered) -> Option<std::ops::Range<usize>> {
        let later = |b: &std::ops::Range<usize>| {
            let block = &source[b.clone()];
            uses_word(block, "jobs") || self.pipeline_parameters.iter().any(|p| uses_path(block, p))
        };
        let block = blocks(source).into_iter().find(later)?;
        let passed_on = match rendered {
            Rendered::Text(text) => reference::markers_whole(text) && self.renders_alike(ctx, source, text),
            Rendered::Typed(_) => lone_expression(source).is_some_and(|e| ctx.typed_parameters.contains_key(e)),
        };
        (!passed_on).then_some(block)
    }

    /// Whether `source`, rendered with every marker spelled otherwise
    /// ([`reference::alternate`]), gives `rendered` with its markers so
    /// respelled: then the template passed each marker on whole.
    fn renders_alike(&self, ctx: &Context, source: &str, rendered: &str) -> bool {
        let alternate = ctx.with_alternate_markers(&self.pipeline_parameters);
        matches!(self.render_string(&alternate, source), Ok(Rendered::Text(text)) if text == reference::alternate_markers(rendered))
    }

    /// The first variable the template uses that the context does not define.
    fn undefined_name(&self, ctx: &Context, source: &str) -> Option<String> {
        let tmpl = self.env.template_from_str(source).ok()?;
        let used = tmpl.undeclared_variables(true);
        let mut used: Vec<String> = used.into_iter().collect();
        used.sort();
        let jinja_ctx = self.jinja_context(ctx, source);
        used.into_iter().find(|name| {
            let mut value = jinja_ctx.clone();
            for part in name.split('.') {
                match value.get_attr(part) {
                    Ok(v) if !v.is_undefined() => value = v,
                    _ => return true,
                }
            }
            false
        })
    }
}

/// The problem of a template block that changed or used up a value decided
/// later (see [`Renderer::changed_later_value`]).
fn later_value_changed(file: &SourceFile, span: Span, block: &str) -> Diagnostic {
    let message = format!("`{block}` changes a value that is decided later: another job's output or name, or a pipeline parameter");
    Diagnostic::new(file, span, Code::Template, message)
        .with_help("write it out as it is, alone or joined to text (`{{ jobs.prep.outputs.train }}/part`, `~`): filters and tests cannot see a value that is known only when the job runs")
        .with_label("here")
}

/// Renders a template whose expressions are all plain variables without
/// the engine (see [`plain`]); `None` leaves it to MiniJinja.
fn render_plain(ctx: &Context, source: &str) -> Option<Result<Rendered, minijinja::Error>> {
    if let Some(expr) = lone_expression(source) {
        return plain::lookup(expr, &ctx.vars).map(|value| Rendered::of_value(&value));
    }
    plain::render(source, &ctx.vars).map(|text| Ok(Rendered::Text(text)))
}

/// What one template value rendered to.
enum Rendered {
    /// Text (a template with text around its expressions, or a lone
    /// expression whose value is a string).
    Text(String),
    /// A lone expression's value of another type.
    Typed(serde_json::Value),
}

impl Rendered {
    /// What a lone expression's value renders to: a string as text,
    /// anything else keeping its type.
    fn of_value(value: &JinjaValue) -> Result<Rendered, minijinja::Error> {
        match value.as_str() {
            Some(text) if text.len() > budget::MAX_VALUE_BYTES => {
                Err(budget::too_large(format!("a value of more than {} bytes", budget::MAX_VALUE_BYTES)))
            }
            Some(text) => Ok(Rendered::Text(text.to_string())),
            None => budget::to_json(value).map(Rendered::Typed),
        }
    }

    /// Its size in bytes, roughly: text, or the JSON of a typed value.
    fn size(&self) -> usize {
        match self {
            Rendered::Text(text) => text.len(),
            Rendered::Typed(value) => value.to_string().len(),
        }
    }
}

/// A manifest value (from `vars:`) as a template value.
fn jinja_value(node: &Node) -> JinjaValue {
    match &node.value {
        Value::Null => JinjaValue::from(()),
        Value::Bool(b) => JinjaValue::from(*b),
        Value::Int(i) => JinjaValue::from(*i),
        Value::String(s) => JinjaValue::from(s.as_str()),
        Value::Float(_) | Value::Seq(_) | Value::Map(_) => JinjaValue::from_serialize(node.to_json()),
    }
}

impl Renderer {
    /// The block of `source` that fails on its own: the first left unclosed
    /// or whose `{{ ... }}` does not compile, or (in a value without
    /// `{% ... %}` statements, whose variables an expression alone may lack)
    /// the first `{{ ... }}` that fails to evaluate.
    fn failing_block(&self, ctx: &Context, source: &str) -> Option<std::ops::Range<usize>> {
        let all = blocks(source);
        let broken = |b: &std::ops::Range<usize>| {
            let text = &source[b.clone()];
            if text.len() > budget::MAX_BLOCK_BYTES {
                return true;
            }
            !text.ends_with(closer(text)) || expression_of(text).is_some_and(|e| self.env.compile_expression(e).is_err())
        };
        if let Some(block) = all.iter().find(|b| broken(b)) {
            return Some(block.clone());
        }
        if source.contains("{%") {
            return None;
        }
        let jinja_ctx = self.jinja_context(ctx, source);
        all.into_iter().find(|b| {
            expression_of(&source[b.clone()]).is_some_and(|e| self.env.compile_expression(e).and_then(|e| e.eval(&jinja_ctx)).is_err())
        })
    }
}

/// The span of `block` (a byte range of the value `source`) in the file, if
/// the value's text in the file is `source` itself: a plain scalar, or a
/// single-line quoted one without escapes. Otherwise, the whole value's `span`.
fn narrow(file: &SourceFile, span: Span, source: &str, block: Option<std::ops::Range<usize>>) -> Span {
    let Some(block) = block else { return span };
    let Some(text) = file.text().get(span.offset..span.end()) else { return span };
    let start = if text == source {
        span.offset
    } else {
        let quoted = text.len() >= 2
            && (text.starts_with('"') && text.ends_with('"') || text.starts_with('\'') && text.ends_with('\''))
            && !source.contains('\n')
            && text.get(1..text.len() - 1) == Some(source);
        if !quoted {
            return span;
        }
        span.offset + 1
    };
    Span::new(start + block.start, block.len())
}

/// The byte ranges of the `{{ ... }}`, `{% ... %}` and `{# ... #}` blocks of
/// a template, delimiters included, in order. An unclosed block runs to the end.
fn blocks(source: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = source.get(at..).and_then(|rest| rest.find('{')) {
        let start = at + found;
        let Some(open) = source.get(start..start + 2).filter(|o| matches!(*o, "{{" | "{%" | "{#")) else {
            at = start + 1;
            continue;
        };
        let close = closer(open);
        let end = source[start + 2..].find(close).map_or(source.len(), |i| start + 2 + i + 2);
        out.push(start..end);
        at = end;
    }
    out
}

/// The delimiter that closes a block opened by `block`'s first two characters.
fn closer(block: &str) -> &'static str {
    match block.get(..2) {
        Some("{%") => "%}",
        Some("{#") => "#}",
        _ => "}}",
    }
}

/// The expression inside a closed `{{ ... }}` block (whitespace control removed).
fn expression_of(block: &str) -> Option<&str> {
    let inner = block.strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    Some(inner.strip_suffix('-').unwrap_or(inner).trim())
}

/// Whether a block names the dotted path `name` (`bucket`, `env.NAME`), or
/// a path below it, as a whole word.
fn uses_path(block: &str, name: &str) -> bool {
    let below = format!("{name}.");
    block.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).any(|w| w == name || w.starts_with(&below))
}

/// Whether a block has `word` as a whole word (a path reached another way: `env["NAME"]`).
fn uses_word(block: &str, word: &str) -> bool {
    block.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == word)
}

struct Context {
    /// Bytes the document's values have rendered to so far.
    spent: std::cell::Cell<usize>,
    /// `vars` as one template context, built once per document.
    value: JinjaValue,
    vars: BTreeMap<String, JinjaValue>,
    dir: std::path::PathBuf,
    /// Number and boolean pipeline parameters: what each renders as when it
    /// is a value's lone expression.
    typed_parameters: BTreeMap<String, serde_json::Value>,
}

impl Context {
    /// A document's context, nothing spent yet.
    fn new(vars: BTreeMap<String, JinjaValue>, dir: PathBuf, typed_parameters: BTreeMap<String, serde_json::Value>) -> Context {
        Context { spent: std::cell::Cell::new(0), value: JinjaValue::from(vars.clone()), vars, dir, typed_parameters }
    }

    /// This context with the `jobs.*` markers and the markers of the
    /// string `parameters` spelled by [`reference::alternate`].
    fn with_alternate_markers(&self, parameters: &[String]) -> Context {
        let mut vars = self.vars.clone();
        for name in parameters {
            if let Some(marker) = vars.get(name).and_then(JinjaValue::as_str).map(reference::alternate) {
                vars.insert(name.clone(), JinjaValue::from(marker));
            }
        }
        vars.insert("jobs".into(), JinjaValue::from_object(reference::Jobs(Spelling::Alternate)));
        Context::new(vars, self.dir.clone(), self.typed_parameters.clone())
    }

    /// Counts a rendered value against the document's budget.
    fn spend(&self, rendered: Rendered) -> Result<Rendered, minijinja::Error> {
        let spent = self.spent.get() + rendered.size();
        self.spent.set(spent);
        if spent > budget::MAX_DOCUMENT_BYTES {
            return Err(budget::too_large(format!("the document's values render to more than {} bytes", budget::MAX_DOCUMENT_BYTES)));
        }
        Ok(rendered)
    }
}

fn is_template(s: &str) -> bool {
    // Byte by byte: every string of every manifest is asked, and a substring
    // search costs more to set up than these short values take to scan.
    s.as_bytes().windows(2).any(opens_block)
}

/// Whether `pair` (two bytes) opens a template block: `{{`, `{%` or `{#`.
fn opens_block(pair: &[u8]) -> bool {
    matches!(pair, [b'{', b'{' | b'%' | b'#'])
}

/// Whether no value read from `text` (a whole file) can hold a template
/// (`{{`, `{%`, `{#`) or a reference marker (`⟦`): the text has none, and no
/// escape sequence (`\u007b`) that a quoted string could spell one with.
/// One pass over the file, where asking each value walks the document.
pub fn is_plain_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut open = [0; 4];
    let open = reference::OPEN.encode_utf8(&mut open).as_bytes();
    // A `{`, a `\`, or the last byte of `⟦`, then what stands around it.
    memchr::memchr3_iter(b'{', b'\\', open[open.len() - 1], bytes).all(|at| match bytes[at] {
        b'{' => !bytes.get(at..at + 2).is_some_and(opens_block),
        b'\\' => false,
        _ => !bytes[..=at].ends_with(open),
    })
}

fn contains_template(node: &Node) -> bool {
    match &node.value {
        Value::String(s) => is_template(s),
        Value::Seq(items) => items.iter().any(contains_template),
        Value::Map(entries) => entries.iter().any(|e| e.key != "vars" && contains_template(&e.value)),
        _ => false,
    }
}

/// The expression of a value that is exactly `{{ expr }}`.
fn lone_expression(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    let inner = inner.strip_suffix('-').unwrap_or(inner);
    if inner.contains("{{") || inner.contains("}}") || inner.contains("{%") || inner.contains("{#") {
        return None;
    }
    Some(inner.trim())
}

#[cfg(test)]
mod tests;
