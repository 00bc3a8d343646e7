//! What one manifest value's template may do: a budget of work and of
//! size, so that no template (from a pull request nobody reviewed yet) can
//! make pjob run for long or take much memory.
//!
//! - **Work:** MiniJinja's fuel, [`FUEL_PER_VALUE`] instructions per value
//!   (nested `range` loops run out of it).
//! - **Size:** a value renders to at most [`MAX_VALUE_BYTES`]; a lone
//!   expression's list or mapping holds at most [`MAX_ITEMS`] items in all;
//!   filters that build a string or a list from a sequence refuse one
//!   longer than [`MAX_ITEMS`]; `indent` and `format` widths are at most
//!   [`MAX_WIDTH`].
//! - **Parsing:** a block (`{{ ... }}`, `{% ... %}`) is at most
//!   [`MAX_BLOCK_BYTES`] long, so deep nesting cannot exhaust the stack.
//! - **Reach:** no `include`, `import`, `from` or `extends` (a manifest
//!   value is one template, never a name of another), and no `debug()`.

use std::io;

use minijinja::value::{Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};

/// Instructions one value's template may run.
pub const FUEL_PER_VALUE: u64 = 50_000;
/// Bytes one value may render to.
pub const MAX_VALUE_BYTES: usize = 256 * 1024;
/// Bytes all the values of one document may render to.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;
/// Items a sequence may have where a filter builds from it, and items a
/// lone expression's value may hold in all.
pub const MAX_ITEMS: usize = 10_000;
/// The longest `{{ ... }}` or `{% ... %}` block: the template parser
/// recurses on nesting, and no real expression is longer.
pub const MAX_BLOCK_BYTES: usize = 1024;
/// The largest `indent` or `format` width.
pub const MAX_WIDTH: usize = 256;

/// Filters that build a string or a list from the whole of a sequence.
const SEQUENCE_FILTERS: &[&str] = &[
    "join",
    "list",
    "sort",
    "unique",
    "reverse",
    "batch",
    "slice",
    "map",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "groupby",
    "string",
    "tojson",
    "sum",
];

/// Sets the budget on an environment: fuel, guarded filters, no `debug`.
pub(crate) fn configure(env: &mut Environment<'static>) {
    env.set_fuel(Some(FUEL_PER_VALUE));
    env.remove_global("debug");
    // `{{ seq }}` in text prints every item: refuse a sequence past the budget before it starts.
    env.set_formatter(|out, state, value| {
        if value.len().is_some_and(|n| n > MAX_ITEMS) {
            return Err(too_large(format!("printing a sequence of more than {MAX_ITEMS} items")));
        }
        minijinja::escape_formatter(out, state, value)
    });
    for name in SEQUENCE_FILTERS {
        let Some(inner) = keep_builtin(env, name) else { continue };
        env.add_filter(*name, move |state: &State, value: Value, args: Rest<Value>| {
            if value.len().is_some_and(|n| n > MAX_ITEMS) {
                return Err(too_large(format!("`{name}` of a sequence of more than {MAX_ITEMS} items")));
            }
            forward(state, &inner, value, args)
        });
    }
    if let Some(inner) = keep_builtin(env, "indent") {
        env.add_filter("indent", move |state: &State, value: Value, args: Rest<Value>| {
            let width = args.first().filter(|w| !w.is_kwargs()).cloned().or_else(|| kwarg(&args, "width"));
            if width.and_then(|w| w.as_usize()).is_some_and(|w| w > MAX_WIDTH) {
                return Err(too_large(format!("an `indent` wider than {MAX_WIDTH}")));
            }
            forward(state, &inner, value, args)
        });
    }
    if let Some(inner) = keep_builtin(env, "format") {
        env.add_filter("format", move |state: &State, value: Value, args: Rest<Value>| {
            if value.as_str().is_some_and(format_too_wide) {
                return Err(too_large(format!("a `format` field wider than {MAX_WIDTH}, or of a width given by `*`")));
            }
            forward(state, &inner, value, args)
        });
    }
}

/// Registers the built-in filter `name` again under a name no template can
/// write (`name!`), for the guard that replaces it to call.
fn keep_builtin(env: &mut Environment<'static>, name: &str) -> Option<String> {
    let inner = format!("{name}!");
    match name {
        "join" => env.add_filter(inner.clone(), minijinja::filters::join),
        "list" => env.add_filter(inner.clone(), minijinja::filters::list),
        "sort" => env.add_filter(inner.clone(), minijinja::filters::sort),
        "unique" => env.add_filter(inner.clone(), minijinja::filters::unique),
        "reverse" => env.add_filter(inner.clone(), minijinja::filters::reverse),
        "batch" => env.add_filter(inner.clone(), minijinja::filters::batch),
        "slice" => env.add_filter(inner.clone(), minijinja::filters::slice),
        "map" => env.add_filter(inner.clone(), minijinja::filters::map),
        "select" => env.add_filter(inner.clone(), minijinja::filters::select),
        "reject" => env.add_filter(inner.clone(), minijinja::filters::reject),
        "selectattr" => env.add_filter(inner.clone(), minijinja::filters::selectattr),
        "rejectattr" => env.add_filter(inner.clone(), minijinja::filters::rejectattr),
        "groupby" => env.add_filter(inner.clone(), minijinja::filters::groupby),
        "string" => env.add_filter(inner.clone(), minijinja::filters::string),
        "tojson" => env.add_filter(inner.clone(), minijinja::filters::tojson),
        "sum" => env.add_filter(inner.clone(), minijinja::filters::sum),
        "indent" => env.add_filter(inner.clone(), minijinja::filters::indent),
        "format" => env.add_filter(inner.clone(), minijinja::filters::format),
        _ => return None,
    }
    Some(inner)
}

fn forward(state: &State, inner: &str, value: Value, args: Rest<Value>) -> Result<Value, Error> {
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(value);
    all.extend(args.0);
    state.apply_filter(inner, &all)
}

/// A keyword argument among a filter's arguments.
fn kwarg(args: &[Value], name: &str) -> Option<Value> {
    args.last().filter(|v| v.is_kwargs()).and_then(|k| k.get_attr(name).ok()).filter(|v| !v.is_undefined())
}

/// Whether a `%` format string asks for a field wider than [`MAX_WIDTH`] (or a width from `*`).
fn format_too_wide(spec: &str) -> bool {
    let mut rest = spec;
    while let Some(at) = rest.find('%') {
        let field = rest[at + 1..].trim_start_matches(['-', '+', ' ', '#', '0']);
        if field.starts_with('*') {
            return true;
        }
        let digits: String = field.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() > 3 || digits.parse::<usize>().is_ok_and(|w| w > MAX_WIDTH) {
            return true;
        }
        // Precision (`%.9999f`) pads too.
        if let Some(precision) = field[digits.len()..].strip_prefix('.') {
            let digits: String = precision.chars().take_while(char::is_ascii_digit).collect();
            if digits.len() > 3 || digits.parse::<usize>().is_ok_and(|w| w > MAX_WIDTH) {
                return true;
            }
        }
        rest = &rest[at + 1..];
    }
    false
}

/// The `{% include %}`, `{% import %}`, `{% from %}` or `{% extends %}` a template uses, if any.
pub(crate) fn refused_statement(blocks: impl Iterator<Item = String>) -> Option<&'static str> {
    for block in blocks {
        let Some(inner) = block.strip_prefix("{%") else { continue };
        let word = inner.trim_start_matches(['-', '+']).trim_start().split(|c: char| !c.is_alphanumeric() && c != '_').next();
        for refused in ["include", "import", "from", "extends"] {
            if word == Some(refused) {
                return Some(refused);
            }
        }
    }
    None
}

/// The error for a value past its budget.
pub(crate) fn too_large(what: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("{what}: past what a manifest value may take"))
}

/// Collects rendered output, refusing more than [`MAX_VALUE_BYTES`].
#[derive(Default)]
pub(crate) struct CappedOutput(pub Vec<u8>);

impl io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0.len() + buf.len() > MAX_VALUE_BYTES {
            return Err(io::Error::other(format!("the value renders to more than {MAX_VALUE_BYTES} bytes")));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A lone expression's value as JSON, refusing one of more than
/// [`MAX_ITEMS`] items or [`MAX_VALUE_BYTES`] of text in all.
pub(crate) fn to_json(value: &Value) -> Result<serde_json::Value, Error> {
    let mut items = 0usize;
    let mut bytes = 0usize;
    convert(value, &mut items, &mut bytes)
}

fn convert(value: &Value, items: &mut usize, bytes: &mut usize) -> Result<serde_json::Value, Error> {
    *items += 1;
    if *items > MAX_ITEMS || *bytes > MAX_VALUE_BYTES {
        return Err(too_large(format!("a value of more than {MAX_ITEMS} items or {MAX_VALUE_BYTES} bytes")));
    }
    if let Some(s) = value.as_str() {
        *bytes += s.len();
        return Ok(serde_json::Value::String(s.to_string()));
    }
    match value.kind() {
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Iterable => {
            let mut out = Vec::new();
            for item in value.try_iter()? {
                out.push(convert(&item, items, bytes)?);
            }
            Ok(serde_json::Value::Array(out))
        }
        minijinja::value::ValueKind::Map => {
            let mut out = serde_json::Map::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                let key = key.as_str().map_or_else(|| key.to_string(), str::to_string);
                *bytes += key.len();
                out.insert(key, convert(&item, items, bytes)?);
            }
            Ok(serde_json::Value::Object(out))
        }
        _ => serde_json::to_value(value).map_err(|e| Error::new(ErrorKind::BadSerialization, e.to_string())),
    }
}
