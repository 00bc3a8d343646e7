//! TOML text to a document, through the `toml` crate's spanned parser.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::{Diagnostic, Entry, Node, SourceFile, Span, Value};

pub(crate) fn parse(file: &SourceFile) -> Result<Node, Box<Diagnostic>> {
    let table = DeTable::parse(file.text()).map_err(|e| {
        let range = e.span().unwrap_or(0..0);
        Box::new(
            Diagnostic::new(file, Span::new(range.start, range.end.saturating_sub(range.start)), "pjob::toml-syntax", format!("invalid TOML: {}", e.message().trim()))
                .with_help("check the quoting and brackets here; every string needs quotes in TOML"),
        )
    })?;
    let span = span_of(&table);
    let value = convert_table(file, table.into_inner())?;
    Ok(Node::new(value, span))
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
                        Diagnostic::new(file, span, "pjob::toml-syntax", "integer out of range")
                            .with_help("use a value between -9223372036854775808 and 9223372036854775807"),
                    ));
                }
            }
        }
        DeValue::Float(f) => Value::Float(parse_float(f.as_str())),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => {
            Value::Seq(items.iter().cloned().map(|item| convert(file, item)).collect::<Result<_, _>>()?)
        }
        DeValue::Table(t) => convert_table(file, t)?,
    };
    Ok(Node::new(value, span))
}

fn parse_float(text: &str) -> f64 {
    let t = text.replace('_', "");
    match t.trim_start_matches(['+', '-']) {
        "inf" => if t.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY },
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
        assert_eq!(
            node.to_json(),
            serde_json::json!({"apiVersion":"pjob/v1","spec":{"count":2,"inputs":[{"name":"a"}]}})
        );
        let spec = node.get("spec").unwrap();
        let e = spec.entry("count").unwrap();
        assert_eq!(&text[e.key_span.offset..e.key_span.end()], "count");
    }

    #[test]
    fn syntax_error_location() {
        let err = parse(&SourceFile::new("t.toml", "a = 1\nb = \n")).unwrap_err();
        assert_eq!(err.location().line, 2);
        assert_eq!(err.code(), "pjob::toml-syntax");
    }
}
