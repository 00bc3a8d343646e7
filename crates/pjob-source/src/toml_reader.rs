//! TOML text to a document, through the `toml` crate's spanned parser.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::{Code, Diagnostic, Entry, Node, SourceFile, Span, Value};

pub(crate) fn parse(file: &SourceFile) -> Result<Node, Box<Diagnostic>> {
    let table = DeTable::parse(file.text()).map_err(|e| {
        let range = e.span().unwrap_or(0..0);
        let span = Span::new(range.start, range.end.saturating_sub(range.start));
        let (message, help) = explain_syntax_error(file.text(), span, e.message().trim());
        Box::new(Diagnostic::new(file, span, Code::TomlSyntax, message).with_help(help))
    })?;
    let span = span_of(&table);
    let value = convert_table(file, table.into_inner())?;
    Ok(Node::new(value, span))
}

/// The message and hint for a TOML syntax error; a duplicate key or table
/// is named, with the line that first defined it.
fn explain_syntax_error(text: &str, span: Span, message: &str) -> (String, String) {
    let generic =
        || (format!("invalid TOML: {message}"), "check the quoting and brackets here; every string needs quotes in TOML".to_string());
    if message != "duplicate key" {
        return generic();
    }
    let Some(key) = text.get(span.offset..span.end()).map(|k| k.trim_matches(['"', '\'']).to_string()) else {
        return generic();
    };
    let Some(prefix) = text.get(..span.offset) else { return generic() };
    let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
    let before = &text[..line_start];
    let number_of = |line_index: usize| line_index + 1;
    if text[line_start..].trim_start().starts_with('[') {
        // A table header: `[spec]` (or the last part of `[a.spec]`) defined twice.
        let header = text[line_start..].lines().next().unwrap_or_default().trim();
        let first = before.lines().position(|l| l.trim() == header).map(number_of);
        let help = match first {
            Some(line) => format!("`{header}` is already defined on line {line}; merge the two sections"),
            None => format!("`{header}` is already defined above; merge the two sections"),
        };
        return (format!("invalid TOML: table `{header}` is defined twice"), help);
    }
    // A key: look for its first definition in the same table (back to the previous header).
    let lines: Vec<&str> = before.lines().collect();
    let first = lines
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .find(|(_, l)| l.trim_start().strip_prefix(key.as_str()).is_some_and(|rest| rest.trim_start().starts_with('=')))
        .map(|(i, _)| number_of(i));
    let help = match first {
        Some(line) => format!("`{key}` is already set on line {line}; keep one of them"),
        None => format!("`{key}` is already set in this table; keep one of them"),
    };
    (format!("invalid TOML: duplicate key `{key}`"), help)
}

fn span_of<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end.saturating_sub(r.start))
}

fn convert_table(file: &SourceFile, table: DeTable<'_>) -> Result<Value, Box<Diagnostic>> {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_span = span_of(&key);
        entries.push(Entry { key: key.into_inner().into_owned(), key_span, value: convert(file, value)? });
    }
    Ok(Value::Map(entries))
}

fn convert(file: &SourceFile, value: Spanned<DeValue<'_>>) -> Result<Node, Box<Diagnostic>> {
    let span = span_of(&value);
    let value = match value.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    return Err(Box::new(
                        Diagnostic::new(file, span, Code::TomlSyntax, "integer out of range")
                            .with_help("use a value between -9223372036854775808 and 9223372036854775807"),
                    ));
                }
            }
        }
        DeValue::Float(f) => Value::Float(parse_float(f.as_str())),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Seq(items.iter().cloned().map(|item| convert(file, item)).collect::<Result<_, _>>()?),
        DeValue::Table(t) => convert_table(file, t)?,
    };
    Ok(Node::new(value, span))
}

fn parse_float(text: &str) -> f64 {
    let t = text.replace('_', "");
    match t.trim_start_matches(['+', '-']) {
        "inf" => {
            if t.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        "nan" => f64::NAN,
        _ => t.parse().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_arrays_and_spans() {
        let text = "apiVersion = \"pjob/v1\"\n[spec]\ncount = 2\n[[spec.inputs]]\nname = \"a\"\n";
        let node = parse(&SourceFile::new("t.toml", text)).unwrap();
        assert_eq!(node.to_json(), serde_json::json!({"apiVersion":"pjob/v1","spec":{"count":2,"inputs":[{"name":"a"}]}}));
        let spec = node.get("spec").unwrap();
        let e = spec.entry("count").unwrap();
        assert_eq!(&text[e.key_span.offset..e.key_span.end()], "count");
    }

    #[test]
    fn duplicate_key_names_the_key_and_its_first_line() {
        let err = parse(&SourceFile::new("t.toml", "[spec]\na = 1\nb = 2\na = 3\n")).unwrap_err();
        assert_eq!((err.location().line, err.location().column), (4, 1));
        assert_eq!(err.message(), "invalid TOML: duplicate key `a`");
        assert_eq!(err.help(), Some("`a` is already set on line 2; keep one of them"));
    }

    #[test]
    fn duplicate_table_names_the_table_and_its_first_line() {
        let err = parse(&SourceFile::new("t.toml", "[metadata]\nname = \"a\"\n[spec]\n[metadata]\n")).unwrap_err();
        assert_eq!(err.location().line, 4);
        assert_eq!(err.message(), "invalid TOML: table `[metadata]` is defined twice");
        assert_eq!(err.help(), Some("`[metadata]` is already defined on line 1; merge the two sections"));
    }

    #[test]
    fn syntax_error_location() {
        let err = parse(&SourceFile::new("t.toml", "a = 1\nb = \n")).unwrap_err();
        assert_eq!(err.location().line, 2);
        assert_eq!(err.code(), Code::TomlSyntax);
    }
}
