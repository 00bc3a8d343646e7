//! YAML 1.2 text to documents, through saphyr's event parser.
//!
//! Plain scalars resolve by the YAML 1.2 core schema (`yes` stays a string),
//! anchors and aliases are expanded (with a bound, against alias bombs),
//! merge keys (`<<`) are honoured, and duplicate keys are errors.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YamlSpan, Tag};

use crate::yaml_input::TextInput;
use crate::{Code, Diagnostic, Document, Entry, Node, SourceFile, Span, Value};

/// Most nodes alias expansion may create in one file.
const MAX_EXPANDED_NODES: usize = 100_000;
/// Deepest nesting accepted.
const MAX_DEPTH: usize = 128;

pub(crate) fn parse(file: &SourceFile) -> Result<Vec<Document>, Box<Diagnostic>> {
    let mut reader = Reader { file, anchors: HashMap::new(), expanded: 0, stack: Vec::new() };
    let mut docs = Vec::new();
    let mut index = 0;
    let mut root: Option<Node> = None;
    for event in Parser::new(TextInput::new(file.text())) {
        let (event, span) = event.map_err(|e| reader.scan_error(&e))?;
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                root = None;
                reader.anchors.clear();
            }
            Event::DocumentEnd => {
                if let Some(node) = root.take().filter(|node| node.value != Value::Null) {
                    docs.push(Document { index, root: node });
                }
                index += 1;
            }
            other => {
                if let Some(node) = reader.event(other, span)? {
                    root = Some(node);
                }
            }
        }
    }
    Ok(docs)
}

enum Frame {
    Seq { items: Vec<Node>, span: Span, anchor: usize },
    Map { entries: Vec<Entry>, keys: KeySet, merges: Vec<Node>, key: Option<(String, Span)>, span: Span, anchor: usize },
}

/// The keys of a mapping being read, for finding duplicates: the entries
/// themselves are searched while the mapping is small, a hash set from
/// [`KeySet::HASHED_FROM`] keys on.
#[derive(Default)]
struct KeySet {
    hashed: Option<HashSet<String>>,
}

impl KeySet {
    /// Mappings with this many keys or more are searched through a hash set.
    const HASHED_FROM: usize = 16;

    /// Records `key` as a key of the mapping holding `entries`; `false` if it already is one.
    fn insert(&mut self, entries: &[Entry], key: &str) -> bool {
        if let Some(hashed) = &mut self.hashed {
            return hashed.insert(key.to_string());
        }
        if entries.iter().any(|e| e.key == key) {
            return false;
        }
        if entries.len() + 1 >= Self::HASHED_FROM {
            let mut hashed: HashSet<String> = entries.iter().map(|e| e.key.clone()).collect();
            hashed.insert(key.to_string());
            self.hashed = Some(hashed);
        }
        true
    }
}

struct Reader<'a> {
    file: &'a SourceFile,
    anchors: HashMap<usize, Node>,
    expanded: usize,
    stack: Vec<Frame>,
}

impl Reader<'_> {
    fn span(&self, span: YamlSpan) -> Span {
        let start = self.file.byte_offset_of_char(span.start.index());
        let end = self.file.byte_offset_of_char(span.end.index()).max(start);
        Span::new(start, end - start)
    }

    fn scan_error(&self, e: &ScanError) -> Box<Diagnostic> {
        let offset = self.file.byte_offset_of_char(e.marker().index());
        let text = self.file.text();
        let open_flow = self.stack.iter().rev().find_map(|frame| {
            let (Frame::Seq { span, .. } | Frame::Map { span, .. }) = frame;
            text.get(span.offset..).is_some_and(|t| t.starts_with(['[', '{'])).then_some(span.offset)
        });
        let explained = explain_scan_error(text, offset, e.info(), open_flow);
        Box::new(Diagnostic::new(self.file, Span::new(explained.offset, 1), Code::YamlSyntax, explained.message).with_help(explained.help))
    }

    fn error(&self, span: Span, message: impl Into<String>, help: &str) -> Box<Diagnostic> {
        Box::new(Diagnostic::new(self.file, span, Code::YamlSyntax, message).with_help(help))
    }

    /// Handles one event; returns the root node when a document's root completes.
    fn event(&mut self, event: Event<'_>, yspan: YamlSpan) -> Result<Option<Node>, Box<Diagnostic>> {
        let span = self.span(yspan);
        match event {
            Event::SequenceStart(anchor, _) => {
                self.check_key_position(span)?;
                self.open(Frame::Seq { items: Vec::new(), span, anchor })?;
                Ok(None)
            }
            Event::MappingStart(anchor, _) => {
                self.check_key_position(span)?;
                self.open(Frame::Map { entries: Vec::new(), keys: KeySet::default(), merges: Vec::new(), key: None, span, anchor })?;
                Ok(None)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq { items, span, anchor }) => self.anchored(anchor, Node::new(Value::Seq(items), span)),
                    Some(Frame::Map { mut entries, merges, span, anchor, .. }) => {
                        for merged in merges {
                            self.merge_into(&mut entries, merged)?;
                        }
                        self.anchored(anchor, Node::new(Value::Map(entries), span))
                    }
                    None => return Ok(None),
                };
                self.complete(node)
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(Frame::Map { key: key @ None, .. }) = self.stack.last_mut() {
                    *key = Some((text.into_owned(), span));
                    return Ok(None);
                }
                let value = self.resolve(text, style, tag.as_deref(), span)?;
                let node = self.anchored(anchor, Node::new(value, span));
                self.complete(node)
            }
            Event::Alias(id) => {
                self.check_key_position(span)?;
                let Some(target) = self.anchors.get(&id) else {
                    return Err(self.error(span, "alias to an unknown anchor", "define the anchor (`&name`) before its alias (`*name`)"));
                };
                self.expanded += count_nodes(target);
                if self.expanded > MAX_EXPANDED_NODES {
                    return Err(self.error(
                        span,
                        "aliases expand to too many values",
                        "a manifest's aliases may expand to at most 100000 values",
                    ));
                }
                let mut node = target.clone();
                node.span = span;
                self.complete(node)
            }
            _ => Ok(None),
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), Box<Diagnostic>> {
        if self.stack.len() >= MAX_DEPTH {
            let span = match &frame {
                Frame::Seq { span, .. } | Frame::Map { span, .. } => *span,
            };
            return Err(self.error(span, "the document nests too deeply", "a manifest nests at most 128 levels"));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// A mapping or sequence (or alias) where a key is expected is refused.
    fn check_key_position(&self, span: Span) -> Result<(), Box<Diagnostic>> {
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err(self.error(
                span,
                "mapping keys must be plain strings",
                "a value that starts with `{{` must be quoted in YAML: write \"{{ name }}\", not {{ name }}",
            ));
        }
        Ok(())
    }

    fn anchored(&mut self, anchor: usize, node: Node) -> Node {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        node
    }

    fn complete(&mut self, node: Node) -> Result<Option<Node>, Box<Diagnostic>> {
        let file = self.file;
        match self.stack.last_mut() {
            None => Ok(Some(node)),
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(None)
            }
            Some(Frame::Map { entries, keys, merges, key, .. }) => {
                let Some((key, key_span)) = key.take() else { return Ok(None) };
                if key == "<<" {
                    merges.push(node);
                    return Ok(None);
                }
                if !keys.insert(entries, &key) {
                    let first = entries.iter().find(|e| e.key == key).map_or(key_span, |e| e.key_span);
                    let (line, _) = file.line_col(first.offset);
                    return Err(Box::new(
                        Diagnostic::new(file, key_span, Code::DuplicateKey, format!("duplicate key `{key}`"))
                            .with_help(format!("`{key}` is already set on line {line}; keep one of them")),
                    ));
                }
                entries.push(Entry { key, key_span, value: node });
                Ok(None)
            }
        }
    }

    fn merge_into(&self, entries: &mut Vec<Entry>, merged: Node) -> Result<(), Box<Diagnostic>> {
        let sources = match merged.value {
            Value::Map(_) => vec![merged],
            Value::Seq(items) => items,
            _ => return Err(self.error(merged.span, "a merge key (`<<`) takes a mapping or a list of mappings", "write `<<: *anchor`")),
        };
        for source in sources {
            let Value::Map(from) = source.value else {
                return Err(self.error(source.span, "a merge key (`<<`) takes a mapping or a list of mappings", "write `<<: *anchor`"));
            };
            for e in from {
                if !entries.iter().any(|x| x.key == e.key) {
                    entries.push(e);
                }
            }
        }
        Ok(())
    }

    fn resolve(&self, text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Result<Value, Box<Diagnostic>> {
        if let Some(tag) = tag {
            let core = tag.handle == "!!" || tag.handle.starts_with("tag:yaml.org,2002");
            let value = match (core, tag.suffix.as_str()) {
                (true, "str") => Some(Value::String(text.to_string())),
                (true, "null") => Some(Value::Null),
                (true, "bool") | (true, "int") | (true, "float") => resolve_plain(&text).filter(|v| {
                    matches!(
                        (tag.suffix.as_str(), v),
                        ("bool", Value::Bool(_)) | ("int", Value::Int(_)) | ("float", Value::Float(_) | Value::Int(_))
                    )
                }),
                _ => None,
            };
            return value.ok_or_else(|| {
                self.error(
                    span,
                    format!("unsupported tag `{}{}` on `{text}`", tag.handle, tag.suffix),
                    "remove the tag; pjob manifests take plain values",
                )
            });
        }
        if style != ScalarStyle::Plain {
            return Ok(Value::String(text.into_owned()));
        }
        Ok(resolve_plain(&text).unwrap_or_else(|| Value::String(text.into_owned())))
    }
}

/// A YAML syntax error put in a user's terms: where to look and what to do.
struct ExplainedError {
    offset: usize,
    message: String,
    help: String,
}

/// Turns the scanner's message into one that names the usual cause, and
/// moves the position to where that cause is (the tab, the unclosed bracket,
/// the over-indented line). `open_flow` is where the innermost `[` or `{`
/// still open at the error stands.
fn explain_scan_error(text: &str, offset: usize, info: &str, open_flow: Option<usize>) -> ExplainedError {
    let offset = offset.min(text.len());
    let line_of = |at: usize| text[..at].bytes().filter(|b| *b == b'\n').count() + 1;
    let generic = || ExplainedError {
        offset,
        message: format!("invalid YAML: {info}"),
        help: "check the indentation and quoting here; strings holding `: `, `#`, `{` or `[` need quotes".into(),
    };
    if info.split(|c: char| !c.is_ascii_alphabetic()).any(|word| word == "tab" || word == "tabs") {
        // The scanner marks where the value or block started; show the tab itself.
        let tab = text.get(offset..).and_then(|rest| rest.find('\t')).map_or(offset, |i| offset + i);
        return ExplainedError {
            offset: tab,
            message: "invalid YAML: a tab where YAML needs spaces".into(),
            help: "YAML indents with spaces only; replace the tab with spaces".into(),
        };
    }
    if info.contains("quoted scalar")
        && (info.contains("end of stream") || info.contains("indentation") || info.contains("document indicator"))
    {
        let quote = text[offset..].chars().next().filter(|c| *c == '"' || *c == '\'').unwrap_or('"');
        return ExplainedError {
            offset,
            message: "invalid YAML: this quoted string is never closed".into(),
            help: format!("end the string with {quote} on the same line"),
        };
    }
    if info.contains("unknown escape character") {
        // The scanner marks the string's start; show the backslash.
        let escape = text
            .get(offset..)
            .and_then(|rest| {
                let mut chars = rest.char_indices().skip(1).peekable();
                while let Some((i, c)) = chars.next() {
                    match (c, chars.peek()) {
                        ('"', _) => return None,
                        ('\\', Some((_, next))) if "0abt\tnvfre \"/\\N_LPxuU\r\n".contains(*next) => {
                            chars.next();
                        }
                        ('\\', _) => return Some(i),
                        _ => {}
                    }
                }
                None
            })
            .map_or(offset, |i| offset + i);
        return ExplainedError {
            offset: escape,
            message: "invalid YAML: unknown escape sequence in a double-quoted string".into(),
            help: "in double quotes a backslash starts an escape: write `\\\\` for a backslash, or use single quotes".into(),
        };
    }
    if let Some(start) = open_flow.filter(|start| line_of(*start) < line_of(offset)) {
        // An error inside a `[` or `{` opened on an earlier line: most likely it was never closed.
        let (open, close) = if text[start..].starts_with('[') { ('[', ']') } else { ('{', '}') };
        return ExplainedError {
            offset: start,
            message: format!("invalid YAML: this `{open}` is not closed"),
            help: format!(
                "close it with `{close}` on this line (items are separated by `,`); YAML stopped reading it on line {}",
                line_of(offset)
            ),
        };
    }
    if info.contains("flow sequence") || info.contains("flow mapping") {
        let (open, close) = if info.contains("flow sequence") { ('[', ']') } else { ('{', '}') };
        return ExplainedError {
            offset,
            message: format!("invalid YAML: expected `,` or `{close}` here"),
            help: format!(
                "separate items with `,` and close the `{open}` with `{close}`; quote items holding `,` `[` `]` `{{` `}}` or `: `"
            ),
        };
    }
    if info.contains("mapping values are not allowed") {
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..offset];
        let key = before.trim_start();
        let indent = before.len() - key.len();
        if !key.is_empty() && !key.contains(": ") && !key.starts_with(['-', '#', '[', '{']) {
            // `key:` on a line indented deeper than the line above: YAML read
            // it as the continuation of the value above.
            let previous =
                text[..line_start.saturating_sub(1)].lines().rev().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
            if let Some(previous) = previous {
                let previous_indent = previous.len() - previous.trim_start().len();
                if indent > previous_indent && previous.trim_start().contains(": ") {
                    return ExplainedError {
                        offset: line_start + indent,
                        message: format!(
                            "invalid YAML: this line is indented {indent} spaces, more than the line above ({previous_indent})"
                        ),
                        help: "keys of one mapping start in the same column; YAML read this line as part of the value above".into(),
                    };
                }
            }
        }
        if let Some(colon) = key.find(": ") {
            let value = key[colon + 2..].trim();
            return ExplainedError {
                offset,
                message: "invalid YAML: a second `: ` on this line".into(),
                help: format!(
                    "a value holding `: ` must be quoted: {}: \"{}{}\"",
                    &key[..colon],
                    value,
                    &text[offset..].lines().next().unwrap_or_default()
                ),
            };
        }
    }
    generic()
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|e| count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

/// Resolves a plain scalar by the YAML 1.2 core schema; `None` for a string.
fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(Value::Float(f64::INFINITY)),
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Value::Int);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Value::Int);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(text.parse::<i64>().map_or_else(|_| Value::Float(text.parse().unwrap_or(f64::NAN)), Value::Int));
    }
    if is_core_float(digits) {
        return text.parse::<f64>().ok().map(Value::Float);
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without the sign.
fn is_core_float(s: &str) -> bool {
    // Most plain scalars are words: they fail on their first character.
    if !s.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return false;
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit()) && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<Document> {
        parse(&SourceFile::new("t.yaml", text)).unwrap()
    }

    #[test]
    fn core_schema_scalars() {
        let d = docs("a: 1\nb: 1.5\nc: yes\nd: true\ne: ~\nf: '1'\ng: 0x1f\nh: 1e3\ni: .5\nj: 1.2-1\n");
        let j = d[0].root.to_json();
        assert_eq!(j, serde_json::json!({"a":1,"b":1.5,"c":"yes","d":true,"e":null,"f":"1","g":31,"h":1000.0,"i":0.5,"j":"1.2-1"}));
    }

    #[test]
    fn several_documents_and_spans() {
        let text = "a: 1\n---\n\n---\nkind: X\nb: [1, 2]\n";
        let d = docs(text);
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].index, 2);
        let e = d[1].root.entry("b").unwrap();
        assert_eq!(&text[e.key_span.offset..e.key_span.end()], "b");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse(&SourceFile::new("t.yaml", "a: 1\nb: 2\na: 3\n")).unwrap_err();
        assert_eq!(err.location().line, 3);
        assert!(err.message().contains("duplicate key `a`"));
    }

    #[test]
    fn anchors_aliases_and_merge() {
        let d = docs("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
        assert_eq!(d[0].root.get("other").unwrap().to_json(), serde_json::json!({"y":3,"x":1}));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
        }
        assert!(parse(&SourceFile::new("t.yaml", text)).is_err());
    }

    #[test]
    fn unquoted_template_is_explained() {
        let err = parse(&SourceFile::new("t.yaml", "a: {{ x }}\n")).unwrap_err();
        assert!(err.help().unwrap().contains("quoted"));
        assert_eq!((err.location().line, err.location().column), (1, 5));
    }

    #[test]
    fn syntax_error_location() {
        let err = parse(&SourceFile::new("t.yaml", "a: 1\n b: [1\n")).unwrap_err();
        assert_eq!(err.code(), Code::YamlSyntax);
    }

    fn error_at(text: &str) -> (usize, usize, String, String) {
        let err = parse(&SourceFile::new("t.yaml", text)).unwrap_err();
        (err.location().line, err.location().column, err.message().to_string(), err.help().unwrap_or_default().to_string())
    }

    #[test]
    fn tab_indentation_points_at_the_tab() {
        let (line, col, message, help) = error_at("spec:\n  a: 1\n\tb: 2\n");
        assert_eq!((line, col), (3, 1));
        assert!(message.contains("tab"), "{message}");
        assert!(help.contains("spaces"), "{help}");
    }

    #[test]
    fn unclosed_flow_sequence_points_at_its_bracket() {
        let (line, col, message, _) = error_at("spec:\n  args: [a, b\nnext: 1\n");
        assert_eq!((line, col), (2, 9), "{message}");
        assert!(message.contains("`[` is not closed"), "{message}");
    }

    #[test]
    fn over_indented_key_is_explained() {
        let (line, col, message, _) = error_at("spec:\n  a: 1\n   b: 2\n");
        assert_eq!((line, col), (3, 4));
        assert!(message.contains("indented 3 spaces, more than the line above (2)"), "{message}");
    }

    #[test]
    fn second_colon_in_a_value_asks_for_quotes() {
        let (line, col, _, help) = error_at("env:\n  CONN: host: db\n");
        assert_eq!((line, col), (2, 13));
        assert!(help.contains("CONN: \"host: db\""), "{help}");
    }

    #[test]
    fn unprintable_character_is_not_called_a_tab() {
        let (_, _, message, _) = error_at("a: 1\n\u{0}b: 2\n");
        assert!(message.contains("unprintable"), "{message}");
    }

    #[test]
    fn unknown_escape_points_at_the_backslash() {
        let (line, col, message, _) = error_at("env:\n  P: \"a\\nb\\dc\"\n");
        assert_eq!((line, col), (2, 11), "{message}");
    }

    #[test]
    fn unclosed_quote_points_at_the_opening_quote() {
        let (line, col, message, _) = error_at("spec:\n  image: \"abc\n  count: 1\n");
        assert_eq!((line, col), (2, 10));
        assert!(message.contains("never closed"), "{message}");
    }
}
