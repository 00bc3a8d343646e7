//! Templates whose every expression is a plain variable (`s3://{{ bucket }}/raw/`,
//! `{{ env.USER }}`), filled in without the template engine.
//!
//! Most manifest templates are of this shape, and filling them in directly
//! is several times cheaper than a MiniJinja render. The result is the one
//! MiniJinja gives: a variable holding a string, number or boolean is
//! written with MiniJinja's own formatting (`Display` of its value). Any
//! other template, variable or value (filters, tests, statements, comments,
//! whitespace control, `none`, lists, mappings, an undefined name) is left
//! to MiniJinja, which also reports the errors.

use std::collections::BTreeMap;

use minijinja::Value as JinjaValue;
use minijinja::value::ValueKind;

/// Names that are literals in MiniJinja's syntax, not variables.
const LITERALS: [&str; 6] = ["true", "false", "none", "True", "False", "None"];

/// The variables a plain template reads, by top-level name.
pub(crate) type Scope = BTreeMap<String, JinjaValue>;

/// `source` with each `{{ name }}` replaced by the variable's value, or
/// `None` when the template is not plain or a value is not a string,
/// number or boolean.
pub(crate) fn render(source: &str, scope: &Scope) -> Option<String> {
    if source.contains("{%") || source.contains("{#") {
        return None;
    }
    let mut out = String::with_capacity(source.len() + 32);
    let mut rest = source;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let value = lookup(after[..close].trim(), scope)?;
        match value.kind() {
            ValueKind::String | ValueKind::Number | ValueKind::Bool => {
                use std::fmt::Write;
                write!(out, "{value}").ok()?;
            }
            _ => return None,
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// The value of a plain expression (`name` or `name.attr.attr`), or `None`
/// when it is not plain or not defined.
pub(crate) fn lookup(expr: &str, scope: &Scope) -> Option<JinjaValue> {
    let mut parts = expr.split('.');
    let first = parts.next()?;
    if !is_identifier(first) || LITERALS.contains(&first) {
        return None;
    }
    let mut value = scope.get(first)?.clone();
    for part in parts {
        if !is_identifier(part) {
            return None;
        }
        value = value.get_attr(part).ok().filter(|v| !v.is_undefined())?;
    }
    (!value.is_undefined()).then_some(value)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{Environment, UndefinedBehavior};

    fn scope() -> Scope {
        let mut scope = Scope::new();
        scope.insert("bucket".into(), JinjaValue::from("data-1"));
        scope.insert("count".into(), JinjaValue::from(3));
        scope.insert("ratio".into(), JinjaValue::from(0.25));
        scope.insert("whole".into(), JinjaValue::from(2.0));
        scope.insert("on".into(), JinjaValue::from(true));
        scope.insert("nothing".into(), JinjaValue::from(()));
        scope.insert("list".into(), JinjaValue::from(vec!["a", "b"]));
        scope.insert("true".into(), JinjaValue::from("a variable named true"));
        scope.insert("tricky".into(), JinjaValue::from("{{ bucket }}\nrole: x"));
        scope.insert("env".into(), JinjaValue::from_serialize(serde_json::json!({"USER": "ana", "N": 7})));
        scope
    }

    fn engine(source: &str, scope: &Scope) -> Result<String, minijinja::Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.render_str(source, scope)
    }

    #[test]
    fn plain_templates_render_as_the_engine_renders_them() {
        let scope = scope();
        let plain = [
            "s3://{{ bucket }}/raw/",
            "{{bucket}}-{{ count }}",
            "n={{ count }} r={{ ratio }} w={{ whole }} on={{ on }}",
            "{{ env.USER }}@{{ env.N }}",
            "{{ tricky }}",
            "a}}b{{ bucket }}}c\n",
            "no expression at all",
        ];
        for source in plain {
            let fast = render(source, &scope);
            assert!(fast.is_some(), "{source:?} is plain and should not need the engine");
            assert_eq!(fast.unwrap(), engine(source, &scope).unwrap(), "{source:?}");
        }
    }

    #[test]
    fn everything_else_is_left_to_the_engine() {
        let scope = scope();
        for source in [
            "{{ bucket | upper }}",
            "{{ missing }}",
            "{{ env.MISSING }}",
            "{{ nothing }}",
            "{{ list }}",
            "{{ true }}",
            "{{- bucket }}",
            "{% if on %}x{% endif %}",
            "{# note #}{{ bucket }}",
            "{{ bucket ~ 'x' }}",
            "{{ git.sha }}",
            "{{ bucket",
        ] {
            assert_eq!(render(source, &scope), None, "{source:?}");
        }
    }
}
