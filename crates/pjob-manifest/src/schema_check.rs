//! Schema validation with the compiled validator, and its errors as located,
//! readable diagnostics.

use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, ValidationError, Validator};
use pjob_source::{Code, Diagnostic, Node, SourceFile};
use serde_json::Value;

use crate::model::Kind;
use crate::schema::{schema, spec_definition};
use crate::schema_tree::{SourceTree, TreeNode};
use crate::suggest::closest;

/// The validator that finds and explains a document's errors, on a copy of
/// it as JSON (which the repairs that let the rules run on an invalid
/// document change).
pub(crate) static VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
    jsonschema::options().with_draft(Draft::Draft7).build(schema()).expect("the generated schema is a valid draft-07 schema")
});

/// The validator that decides whether a document is valid, reading its
/// source tree in place.
pub(crate) static TREE_VALIDATOR: LazyLock<Validator<SourceTree>> = LazyLock::new(|| {
    jsonschema::options_for::<SourceTree>()
        .with_draft(Draft::Draft7)
        .build(schema())
        .expect("the generated schema is a valid draft-07 schema")
});

/// Whether the document `root` satisfies the schema. Deciding validity
/// stops at the first failure and records nothing: errors are collected
/// (the slower walk, by [`check`]) only for a document that fails.
pub(crate) fn is_valid(root: &Node) -> bool {
    TREE_VALIDATOR.is_valid(TreeNode::from(root))
}

/// Every schema violation of `json` (the document `root` as JSON), located in `file`.
pub(crate) fn check(file: &SourceFile, root: &Node, json: &Value) -> Vec<Diagnostic> {
    let errors: Vec<ValidationError<'_>> = VALIDATOR.iter_errors(json).collect();
    let misspelt = misspelt_fields(&errors);
    let mut out: Vec<Diagnostic> = Vec::new();
    // What is reported already, so that reporting stays linear in the number of problems.
    let mut seen: std::collections::HashSet<(pjob_source::Span, String)> = std::collections::HashSet::new();
    for error in &errors {
        if let ValidationErrorKind::Required { property } = error.kind()
            && misspelt.iter().any(|&(at, field)| at == error.instance_path().as_str() && property.as_str() == Some(field))
        {
            // `instance_typ` is reported as unknown, with "did you mean
            // `instance_type`?": the missing `instance_type` is the same mistake.
            continue;
        }
        for d in describe(file, root, error) {
            if seen.insert((d.span(), d.message().to_string())) {
                out.push(d);
            }
        }
    }
    out.sort_by_key(|d| d.span().offset);
    out
}

/// The known fields that unknown keys are likely misspellings of, with
/// where they stand: `(instance path, known field)`.
fn misspelt_fields<'a>(errors: &'a [ValidationError<'_>]) -> Vec<(&'a str, &'static str)> {
    let mut out = Vec::new();
    for error in errors {
        let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() else { continue };
        let Some(known) = subschema_of(error).and_then(|s| s.get("properties")).and_then(Value::as_object) else {
            continue;
        };
        for key in unexpected {
            if let Some(field) = closest(key, known.keys().map(String::as_str)) {
                out.push((error.instance_path().as_str(), field));
            }
        }
    }
    out
}

/// `/spec/inputs/0/name` as `spec.inputs[0].name`.
pub(crate) fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token.replace("~1", "/").replace("~0", "~"));
        }
    }
    if out.is_empty() { "the document".to_string() } else { format!("`{out}`") }
}

/// The subschema an error's keyword belongs to (its parent in the schema).
pub(crate) fn subschema_of(error: &ValidationError<'_>) -> Option<&'static Value> {
    let uri = error.absolute_keyword_location()?;
    let fragment = uri.fragment()?.as_str().to_string();
    let parent = fragment.rsplit_once('/').map_or("", |(p, _)| p).to_string();
    schema().pointer(&parent)
}

fn describe(file: &SourceFile, root: &Node, error: &ValidationError<'_>) -> Vec<Diagnostic> {
    let pointer = error.instance_path().as_str().to_string();
    let field = field_path(&pointer);
    let span = root.locate(&pointer, None);
    let at = |code: Code, message: String| Diagnostic::new(file, span, code, message);
    // A number as the file writes it: `99999999999999999999`, not `1e20`.
    let value = plain_as_written(file, span, error.instance());
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known: Vec<&str> = subschema_of(error)
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let span = root.locate(&pointer, Some(key));
                    let place = if pointer.is_empty() { "the manifest".to_string() } else { field.clone() };
                    if pointer == "/spec"
                        && let Some(d) = other_kinds_field(file, root, span, key)
                    {
                        return d;
                    }
                    let d = Diagnostic::new(file, span, Code::UnknownField, format!("unknown field `{key}` in {place}"))
                        .with_label("not a known field");
                    match closest(key, known.iter().copied()) {
                        Some(hint) => d.with_help(format!("did you mean `{hint}`?")),
                        None if !known.is_empty() => d.with_help(format!("known fields here: {}", known.join(", "))),
                        None => d,
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let place = if pointer.is_empty() { "the manifest".to_string() } else { field };
            let mut d = at(Code::MissingField, format!("missing required field `{name}` in {place}"));
            if let Some(desc) =
                subschema_of(error).and_then(|s| s.pointer(&format!("/properties/{name}/description"))).and_then(Value::as_str)
            {
                d = d.with_help(format!("add `{name}`: {desc}"));
            } else {
                d = d.with_help(format!("add `{name}`"));
            }
            vec![d.with_label("missing a field")]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => type_word(&t.to_string()),
                TypeKind::Multiple(set) => set.iter().map(|t| type_word(&t.to_string())).collect::<Vec<_>>().join(" or "),
            };
            let found = if is_secret(&pointer) { "a value pjob does not show".into() } else { describe_value(error.instance(), &value) };
            let mut d = at(Code::WrongType, format!("{field} must be {expected}, found {found}"));
            if let Some(help) = type_hint(&pointer, &expected, error.instance()) {
                d = d.with_help(help);
            }
            vec![d.with_label(format!("expected {expected}"))]
        }
        ValidationErrorKind::Enum { options } | ValidationErrorKind::Constant { expected_value: options } => {
            let options: Vec<String> = match options.as_ref() {
                Value::Array(a) => a.iter().map(plain).collect(),
                other => vec![plain(other)],
            };
            let mut d = at(Code::BadValue, format!("{field} is `{value}`, which is not one of: {}", options.join(", ")));
            if let Some(hint) = closest(&value, options.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{hint}`?"));
            } else {
                d = d.with_help(format!("use one of: {}", options.join(", ")));
            }
            vec![d.with_label("not an allowed value")]
        }
        ValidationErrorKind::Pattern { pattern } => {
            let (code, message, help) = pattern_message(&field, &value, pattern);
            vec![at(code, message).with_help(help).with_label("wrong format")]
        }
        ValidationErrorKind::MaxLength { limit } => vec![
            at(Code::TooLong, format!("{field} is longer than {limit} characters"))
                .with_help(format!("shorten it to at most {limit} characters")),
        ],
        ValidationErrorKind::MinLength { limit } => {
            vec![at(Code::TooShort, format!("{field} is shorter than {limit} characters")).with_help("give it a value")]
        }
        ValidationErrorKind::MinItems { limit } => {
            vec![at(Code::TooFew, format!("{field} needs at least {limit} item(s)")).with_help("add an item or remove the field")]
        }
        ValidationErrorKind::Minimum { limit } | ValidationErrorKind::ExclusiveMinimum { limit } => {
            vec![
                at(Code::OutOfRange, format!("{field} is {value}, below the minimum {limit}"))
                    .with_help(format!("use a value of at least {limit}")),
            ]
        }
        ValidationErrorKind::Maximum { limit } | ValidationErrorKind::ExclusiveMaximum { limit } => {
            vec![
                at(Code::OutOfRange, format!("{field} is {value}, above the maximum {limit}"))
                    .with_help(format!("use a value of at most {limit}")),
            ]
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            if let Some(branch) = branch_of_the_same_shape(context, &pointer) {
                // The value has the shape of one alternative (a list, for one
                // classification or a list of them): its problems are inside.
                return branch.iter().flat_map(|e| describe(file, root, e)).collect();
            }
            let desc = subschema_of(error).and_then(|s| s.get("description")).and_then(Value::as_str);
            let mut d = at(Code::WrongShape, format!("{field} has the wrong shape: {}", describe_value(error.instance(), &value)));
            if let Some(desc) = desc {
                d = d.with_help(format!("expected: {desc}"));
            }
            vec![d]
        }
        _ => vec![at(Code::Invalid, format!("{field}: {error}"))],
    }
}

/// The one alternative of an `anyOf`/`oneOf` whose problems all lie inside
/// the value at `pointer` (so the value itself has that alternative's
/// shape); `None` when no alternative, or more than one, does.
fn branch_of_the_same_shape<'a>(context: &'a [Vec<ValidationError<'static>>], pointer: &str) -> Option<&'a [ValidationError<'static>]> {
    let inside = |e: &ValidationError<'_>| {
        let path = e.instance_path().as_str();
        path.len() > pointer.len() && path.starts_with(pointer) && path.as_bytes()[pointer.len()] == b'/'
    };
    let mut same_shape = context.iter().filter(|errors| !errors.is_empty() && errors.iter().all(inside));
    let first = same_shape.next()?;
    same_shape.next().is_none().then_some(first.as_slice())
}

/// For a `spec` field this manifest's kind does not take: which kinds take
/// it, from their `<Kind>Spec` schema definitions.
fn other_kinds_field(file: &SourceFile, root: &Node, span: pjob_source::Span, key: &str) -> Option<Diagnostic> {
    let kind = root.get("kind").and_then(Node::as_str).and_then(Kind::parse)?;
    let takers: Vec<&str> =
        Kind::ALL.into_iter().filter(|k| *k != kind && spec_fields(*k).is_some_and(|p| p.contains_key(key))).map(Kind::as_str).collect();
    if takers.is_empty() {
        return None;
    }
    let help = match takers.as_slice() {
        [only] => format!("set `kind: {only}` if that is the job you mean; otherwise remove `{key}`"),
        _ => format!("set `kind` to one of {} if that is the job you mean; otherwise remove `{key}`", takers.join(", ")),
    };
    Some(
        Diagnostic::new(
            file,
            span,
            Code::UnknownField,
            format!("`{key}` is a field of {}; this manifest's kind is {kind}", takers.join(", ")),
        )
        .with_label(format!("not a {kind} field"))
        .with_help(help),
    )
}

/// The `properties` of a kind's `spec` in the generated schema.
fn spec_fields(kind: Kind) -> Option<&'static serde_json::Map<String, Value>> {
    schema().get("definitions")?.get(spec_definition(kind))?.get("properties")?.as_object()
}

/// What to write instead of `value` where `expected` (as [`type_word`]
/// words it) is wanted at `pointer`.
fn type_hint(pointer: &str, expected: &str, value: &Value) -> Option<String> {
    let in_list = pointer.rsplit('/').next().is_some_and(|t| t.parse::<usize>().is_ok());
    let wants = |word: &str| expected.contains(word);
    match value {
        Value::Number(_) | Value::Bool(_) if wants("string") => Some(format!("quote the value: \"{value}\"")),
        Value::String(s) if (wants("integer") || wants("number")) && s.trim().parse::<f64>().is_ok() => {
            Some(format!("remove the quotes: {}", s.trim()))
        }
        Value::String(s) if wants("true or false") => Some(match s.trim().to_ascii_lowercase().as_str() {
            word @ ("yes" | "on" | "y") => format!("write true or false (YAML 1.2 reads `{word}` as a string): true"),
            word @ ("no" | "off" | "n") => format!("write true or false (YAML 1.2 reads `{word}` as a string): false"),
            word @ ("true" | "false") => format!("remove the quotes: {word}"),
            _ => "write true or false".to_string(),
        }),
        Value::Array(items) if wants("string") => Some(match items.as_slice() {
            [Value::String(only)] => {
                format!("write one string, without the brackets: {only} (or quote it, \"[{only}]\", if the brackets belong to the value)")
            }
            _ => "write one string, or quote the whole value if the brackets belong to it".to_string(),
        }),
        Value::Object(map) if wants("string") && in_list && map.len() == 1 => {
            let (key, inner) = map.iter().next()?;
            let inner = plain(inner);
            Some(format!(
                "`{key}: {inner}` in a list is read as a mapping: quote it, - \"{key}: {inner}\", or split it into two items, - {key} and - {inner}"
            ))
        }
        Value::Object(_) if wants("list") => {
            let item = match pointer.rsplit('/').next() {
                Some("inputs") => "input",
                Some("outputs") => "output",
                _ => "item",
            };
            Some(format!("write a list: each {item} starts with `- `"))
        }
        _ if wants("list") => Some(format!("write a list: [{value}]")),
        _ => None,
    }
}

fn type_word(t: &str) -> String {
    match t {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "string" => "a string".into(),
        "integer" => "an integer".into(),
        "number" => "a number".into(),
        "boolean" => "true or false".into(),
        "null" => "null".into(),
        other => other.to_string(),
    }
}

/// Whether the value at `pointer` is a secret no message shows
/// (`git_config.password`, `git_config.token`).
fn is_secret(pointer: &str) -> bool {
    pointer.ends_with("/git_config/password") || pointer.ends_with("/git_config/token")
}

/// `v` for messages; `written` is [`plain_as_written`] of it.
fn describe_value(v: &Value, written: &str) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(_) => format!("the number {written}"),
        Value::String(s) => format!("the string \"{}\"", truncate(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 { format!("{}...", s.chars().take(57).collect::<String>()) } else { s.to_string() }
}

/// [`plain`], except that a number is shown as the file writes it (the
/// text at `span`, when that text is the number), so a big integer read as
/// a float is not shown as `1e20`.
fn plain_as_written(file: &SourceFile, span: pjob_source::Span, v: &Value) -> String {
    let Value::Number(n) = v else { return plain(v) };
    let text = file.text().get(span.offset..span.end()).unwrap_or_default().trim();
    match text.replace('_', "").parse::<f64>() {
        Ok(parsed) if n.as_f64().is_some_and(|f| f == parsed) => text.to_string(),
        _ => n.to_string(),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The code, message and hint for a value that does not match `pattern`:
/// [`Code::BadUri`] for URIs (as the semantic rules report them), else
/// [`Code::BadFormat`].
fn pattern_message(field: &str, value: &str, pattern: &str) -> (Code, String, String) {
    if pattern == "^s3://" {
        let value = truncate(value);
        return (Code::BadUri, format!("{field} is `{value}`, not an s3:// URI"), "write s3://bucket/prefix".into());
    }
    let (message, help) = format_message(field, value, pattern);
    (Code::BadFormat, message, help)
}

fn format_message(field: &str, value: &str, pattern: &str) -> (String, String) {
    let value = truncate(value);
    if pattern.starts_with("^[a-zA-Z0-9](-*") {
        (
            format!("{field} is `{value}`, not a valid SageMaker job name"),
            "use letters, digits and hyphens only, starting and ending with a letter or digit".into(),
        )
    } else if pattern.contains(":iam::") {
        (format!("{field} is `{value}`, not an IAM role ARN"), "write the role's ARN: arn:aws:iam::123456789012:role/NAME".into())
    } else if pattern.starts_with(r"^ml\.") {
        (format!("{field} is `{value}`, not a SageMaker instance type"), "instance types look like ml.m5.xlarge".into())
    } else if pattern.contains("codeartifact") {
        (
            format!("{field} is `{value}`, not a CodeArtifact repository ARN"),
            "write arn:aws:codeartifact:REGION:ACCOUNT:repository/DOMAIN/REPOSITORY".into(),
        )
    } else {
        (format!("{field} is `{value}`, which does not match `{pattern}`"), format!("write a value matching {pattern}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "apiVersion: pjob/v1\nkind: Processor\nmetadata: {name: job}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: img\n  instance_type: ml.m5.large\n";

    /// Every problem the schema finds in a Processor spec with `extra` lines added.
    fn problems(extra: &str) -> Vec<Diagnostic> {
        problems_in(&format!("{HEAD}{extra}"))
    }

    fn problems_in(text: &str) -> Vec<Diagnostic> {
        let file = SourceFile::new("job.yaml", text.to_string());
        let docs = pjob_source::parse(&file).expect("the test manifest parses");
        check(&file, &docs[0].root, &docs[0].root.to_json())
    }

    fn only(extra: &str) -> Diagnostic {
        let found = problems(extra);
        assert_eq!(found.len(), 1, "{:?}", found.iter().map(Diagnostic::message).collect::<Vec<_>>());
        found.into_iter().next().expect("one problem")
    }

    #[test]
    fn a_uri_pattern_is_a_bad_uri() {
        let d = only("  instance_count: 1\n  code_location: my-bucket/code\n");
        assert_eq!(d.code(), Code::BadUri);
        assert_eq!(d.message(), "`spec.code_location` is `my-bucket/code`, not an s3:// URI");
    }

    #[test]
    fn other_patterns_stay_bad_format() {
        let d = problems_in(&format!("{HEAD}  instance_count: 1\n").replace("ml.m5.large", "m5.large"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code(), Code::BadFormat);
    }

    #[test]
    fn a_field_of_another_kind_names_the_kinds_that_take_it() {
        let d = only("  instance_count: 1\n  command: [python3]\n");
        assert_eq!(d.code(), Code::UnknownField);
        assert_eq!(d.message(), "`command` is a field of ScriptProcessor, FrameworkProcessor; this manifest's kind is Processor");
        assert!(d.help().unwrap().contains("set `kind` to one of ScriptProcessor, FrameworkProcessor"), "{:?}", d.help());
        let d = only("  instance_count: 1\n  submit_class: a.B\n");
        assert_eq!(d.message(), "`submit_class` is a field of SparkJarProcessor; this manifest's kind is Processor");
        assert_eq!(d.help(), Some("set `kind: SparkJarProcessor` if that is the job you mean; otherwise remove `submit_class`"));
    }

    #[test]
    fn a_field_of_no_kind_is_still_a_typo() {
        let d = only("  instance_count: 1\n  instance_typ: ml.m5.large\n");
        assert_eq!(d.message(), "unknown field `instance_typ` in `spec`");
        assert_eq!(d.help(), Some("did you mean `instance_type`?"));
    }

    #[test]
    fn a_list_for_a_string() {
        let d = problems_in(&format!("{HEAD}  instance_count: 1\n").replace("instance_type: ml.m5.large", "instance_type: [ml.m5.large]"));
        assert_eq!(d[0].message(), "`spec.instance_type` must be a string, found a list");
        assert_eq!(
            d[0].help(),
            Some(
                "write one string, without the brackets: ml.m5.large (or quote it, \"[ml.m5.large]\", if the brackets belong to the value)"
            )
        );
    }

    #[test]
    fn yes_for_a_boolean() {
        let d = only("  instance_count: 1\n  network_config:\n    enable_network_isolation: \"yes\"\n");
        assert_eq!(d.message(), "`spec.network_config.enable_network_isolation` must be true or false, found the string \"yes\"");
        assert_eq!(d.help(), Some("write true or false (YAML 1.2 reads `yes` as a string): true"));
        let d = only("  instance_count: 1\n  network_config:\n    enable_network_isolation: off\n");
        assert_eq!(d.help(), Some("write true or false (YAML 1.2 reads `off` as a string): false"));
    }

    #[test]
    fn a_mapping_in_a_list_of_strings() {
        let d = only("  instance_count: 1\n  arguments:\n    - --mode: fast\n");
        assert_eq!(d.message(), "`spec.arguments[0]` must be a string, found a mapping");
        assert_eq!(
            d.help(),
            Some(
                "`--mode: fast` in a list is read as a mapping: quote it, - \"--mode: fast\", or split it into two items, - --mode and - fast"
            )
        );
    }

    #[test]
    fn a_mapping_for_inputs() {
        let d = only("  instance_count: 1\n  inputs:\n    name: raw\n    source: s3://b/raw/\n");
        assert_eq!(d.message(), "`spec.inputs` must be a list, found a mapping");
        assert_eq!(d.help(), Some("write a list: each input starts with `- `"));
        let d = only("  instance_count: 1\n  outputs:\n    name: raw\n");
        assert_eq!(d.help(), Some("write a list: each output starts with `- `"));
    }

    #[test]
    fn a_big_integer_is_shown_as_written() {
        let d = only("  instance_count: 99999999999999999999\n");
        assert_eq!(d.message(), "`spec.instance_count` is 99999999999999999999, above the maximum 100");
        let d = only("  instance_count: 0\n");
        assert_eq!(d.message(), "`spec.instance_count` is 0, below the minimum 1");
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_not_shown() {
        let text = "apiVersion: pjob/v1\nkind: FrameworkProcessor\nmetadata: {name: fw}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  instance_count: 1\n  instance_type: ml.m5.xlarge\n  framework: sklearn\n  framework_version: \"1.2-1\"\n  code: main.py\n  git_config: {repo: \"https://h.example/r.git\", token: 987654321}\n";
        let problems = problems_in(text);
        assert_eq!(problems.len(), 1, "{:?}", problems.iter().map(Diagnostic::message).collect::<Vec<_>>());
        assert_eq!(problems[0].message(), "`spec.git_config.token` must be a string, found a value pjob does not show");
    }
}
