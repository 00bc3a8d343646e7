use super::*;

fn render_with(text: &str, vars: &[&str]) -> Result<serde_json::Value, Vec<Diagnostic>> {
    let file = SourceFile::new("dir/job.yaml", text);
    let docs = pjob_source::parse(&file).unwrap();
    let mut variables = Variables::new();
    for v in vars {
        variables.set(v).unwrap();
    }
    Renderer::new(variables).render(&file, docs[0].clone()).map(|d| d.root.to_json()).map_err(|failure| failure.diagnostics)
}

#[test]
fn vars_fill_values_and_cli_wins() {
    let out = render_with("vars: {b: one, c: x}\nspec:\n  a: s3://{{ b }}/{{ c }}/\n", &["c=two"]).unwrap();
    assert_eq!(out["spec"]["a"], "s3://one/two/");
    assert_eq!(out["vars"]["b"], "one", "vars are not rendered");
}

#[test]
fn lone_expression_keeps_type() {
    let out =
        render_with("vars: {n: 3, l: [a, b]}\nspec:\n  count: \"{{ n }}\"\n  list: \"{{ l }}\"\n  text: \"n={{ n }}\"\n", &[]).unwrap();
    assert_eq!(out["spec"]["count"], 3);
    assert_eq!(out["spec"]["list"], serde_json::json!(["a", "b"]));
    assert_eq!(out["spec"]["text"], "n=3");
}

#[test]
fn cli_integers_are_typed_other_values_are_strings() {
    let out = render_with("spec:\n  a: \"{{ n }}\"\n  b: \"{{ v }}\"\n  c: \"{{ z }}\"\n", &["n=4", "v=1.10", "z=007"]).unwrap();
    assert_eq!(out["spec"]["a"], 4);
    assert_eq!(out["spec"]["b"], "1.10");
    assert_eq!(out["spec"]["c"], "007");
}

#[test]
fn values_never_change_structure() {
    let evil =
        ["x\nrole: evil", "a: b", "{{ other }}", "[1, 2]", "{k: v}", "key = \"toml\"\n[spec]", "- item", "'quoted' \"double\" # comment"];
    for value in evil {
        let mut vars = Variables::new();
        vars.insert("v", serde_json::Value::String(value.into()));
        vars.insert("other", serde_json::Value::String("INJECTED".into()));
        for text in ["spec:\n  a: \"{{ v }}\"\n  b: \"pre-{{ v }}\"\n", "[spec]\na = \"{{ v }}\"\nb = \"pre-{{ v }}\"\n"] {
            let path = if text.starts_with('[') { "job.toml" } else { "job.yaml" };
            let file = SourceFile::new(path, text);
            let docs = pjob_source::parse(&file).unwrap();
            let out = Renderer::new(vars.clone()).render(&file, docs[0].clone()).unwrap().root.to_json();
            assert_eq!(out, serde_json::json!({"spec": {"a": value, "b": format!("pre-{value}")}}), "value {value:?}");
        }
    }
}

#[test]
fn undefined_variable_points_at_the_value() {
    let errs = render_with("spec:\n  a: ok\n  b: \"s3://{{ bucket }}/x\"\n  c: \"{{ env.PJOB_SURELY_UNSET_VAR }}\"\n", &[]).unwrap_err();
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].message(), "undefined variable `bucket`");
    assert_eq!((errs[0].location().line, errs[0].location().column), (3, 12), "at the `{{ bucket }}` inside the value");
    assert!(errs[0].help().unwrap().contains("--var bucket=VALUE"));
    assert_eq!(errs[1].message(), "undefined variable `env.PJOB_SURELY_UNSET_VAR`");
}

#[test]
fn env_and_manifest_facts() {
    let out = render_with("metadata: {name: job}\nspec:\n  a: \"{{ env.PATH | length > 0 }}\"\n  b: \"{{ manifest.name }}\"\n  c: \"{{ env.PJOB_NOPE | default('d') }}\"\n", &[]).unwrap();
    assert_eq!(out["spec"]["a"], true);
    assert_eq!(out["spec"]["b"], "job");
    assert_eq!(out["spec"]["c"], "d");
}

#[test]
fn syntax_errors_are_reported() {
    let errs = render_with("spec:\n  a: \"{{ x \"\n", &["x=1"]).unwrap_err();
    assert_eq!(errs[0].code(), Code::Template);
}

#[test]
fn values_that_look_like_file_names_are_not_escaped() {
    let out = render_with("spec:\n  a: \"s3://{{ b }}/x.json\"\n  b: \"<{{ b }}>.html\"\n", &["b=a&b\"c"]).unwrap();
    assert_eq!(out["spec"]["a"], "s3://a&b\"c/x.json");
    assert_eq!(out["spec"]["b"], "<a&b\"c>.html");
}

/// The text of the file an error's span covers.
fn underlined(text: &str, vars: &[&str]) -> Vec<String> {
    let errs = render_with(text, vars).unwrap_err();
    errs.iter().map(|e| text[e.span().offset..e.span().end()].to_string()).collect()
}

#[test]
fn undefined_variable_underlines_its_expression() {
    assert_eq!(underlined("spec:\n  a: s3://{{ b }}/{{ c }}/x\n", &["b=1"]), ["{{ c }}"]);
    assert_eq!(underlined("spec:\n  a: 's3://{{ b }}/x'\n", &[]), ["{{ b }}"]);
    assert_eq!(underlined("spec:\n  a: \"{{ env.HOME }}/{{ env.PJOB_SURELY_UNSET_VAR }}\"\n", &[]), ["{{ env.PJOB_SURELY_UNSET_VAR }}"]);
    // TOML:
    let text = "[spec]\na = \"s3://{{ b }}/x\"\n";
    let file = SourceFile::new("job.toml", text);
    let docs = pjob_source::parse(&file).unwrap();
    let errs = Renderer::new(Variables::new()).render(&file, docs[0].clone()).unwrap_err().diagnostics;
    assert_eq!(&text[errs[0].span().offset..errs[0].span().end()], "{{ b }}");
}

#[test]
fn undefined_variable_keeps_the_whole_value_when_the_text_differs() {
    // An escape, or a folded block scalar: the file's text is not the value's.
    assert_eq!(underlined("spec:\n  a: \"s3:\\x2F/{{ b }}/x\"\n", &[]), ["\"s3:\\x2F/{{ b }}/x\""]);
    let whole = underlined("spec:\n  a: >-\n    s3://{{ b }}/x\n", &[]);
    assert_ne!(whole[0], "{{ b }}");
}

#[test]
fn template_errors_underline_the_failing_expression() {
    assert_eq!(underlined("spec:\n  a: \"ok-{{ x }}-{{ x + }}\"\n", &["x=1"]), ["{{ x + }}"]);
    assert_eq!(underlined("spec:\n  a: \"ok-{{ x }}-{{ x \"\n", &["x=1"]), ["{{ x "]);
    assert_eq!(underlined("spec:\n  a: \"{{ x }}-{{ x | nosuchfilter }}\"\n", &["x=1"]), ["{{ x | nosuchfilter }}"]);
}

#[test]
fn unused_command_line_variables_are_named() {
    let text = "spec:\n  a: s3://{{ bucket }}/x\n  b: '{{ env.HOME }}'\n  c: plain bukket\n";
    let file = SourceFile::new("job.yaml", text);
    let docs = pjob_source::parse(&file).unwrap();
    let mut variables = Variables::new();
    for assignment in ["bucket=b", "bukket=c", "HOME=h"] {
        variables.set(assignment).unwrap();
    }
    let renderer = Renderer::new(variables);
    assert_eq!(renderer.unused_variables(), ["HOME", "bucket", "bukket"], "nothing rendered yet");
    renderer.render(&file, docs[0].clone()).unwrap();
    // `bukket` appears only outside a template, and `env.HOME` is not the variable `HOME`.
    assert_eq!(renderer.unused_variables(), ["HOME", "bukket"]);
}

/// The problem a one-value document's template reports, if any.
fn budget_error(value: &str) -> Option<String> {
    let text = format!("spec:\n  a: '{value}'\n");
    let file = SourceFile::new("job.yaml", text.as_str());
    let docs = pjob_source::parse(&file).unwrap();
    Renderer::new(Variables::new()).render(&file, docs[0].clone()).err().map(|f| f.diagnostics[0].message().to_string())
}

#[test]
fn templates_past_their_budget_are_errors_not_memory() {
    for bomb in [
        "{{ [1] * 100000000 }}",
        "x{{ [1] * 100000000 }}",
        "{{ ([1] * 100000000) | join }}",
        "{{ ([1] * 100000000) | list | length }}",
        "{{ \"x\" | indent(4000000000) }}",
        "{{ \"%999999999s\" | format(1) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{{ \"x\" * 99999999 }}",
    ] {
        let message = budget_error(bomb).unwrap_or_else(|| panic!("{bomb} rendered"));
        assert!(!message.contains("xxxxxxxxxx"), "{bomb}: the error echoes the value");
    }
}

#[test]
fn ordinary_templates_stay_within_the_budget() {
    assert_eq!(budget_error("{{ [1, 2] * 3 }}"), None);
    assert_eq!(budget_error("{{ \"a\\nb\" | indent(4) }}"), None);
    assert_eq!(budget_error("{{ \"%-10s|%05d\" | format(\"x\", 7) }}"), None);
    assert_eq!(budget_error("{% for i in range(50) %}{{ i }}{% endfor %}"), None);
    assert_eq!(budget_error("{{ [3, 1, 2] | sort | join(\",\") }}"), None);
}

#[test]
fn a_value_cannot_name_another_template_or_debug() {
    for reach in
        ["{% include \"job.yaml\" %}", "{%- import \"x\" as y %}", "{% from \"x\" import y %}", "{% extends \"x\" %}", "{{ debug() }}"]
    {
        assert!(budget_error(reach).is_some(), "{reach} rendered");
    }
    let message = budget_error("{% include env.HOME %}").unwrap();
    assert!(message.contains("not available in manifest templates"), "{message}");
}

#[test]
fn deeply_nested_expressions_are_refused_before_they_are_parsed() {
    for deep in ["-".repeat(70_000), "(".repeat(70_000), "not ".repeat(20_000), "[".repeat(70_000)] {
        let message = budget_error(&format!("{{{{ {deep} }}}}")).expect("refused");
        assert!(message.contains("template block of"), "{message}");
        // Unclosed, too.
        assert!(budget_error(&format!("{{{{{deep}")).is_some());
    }
}

#[test]
fn pipeline_parameters_render_as_markers_defined_or_not() {
    let file = SourceFile::new(
        "dir/job.yaml",
        "vars: {rate: 0.2, input: s3://b/in}\nspec:\n  a: \"--rate={{ rate }}\"\n  b: \"{{ input }}\"\n  c: \"{{ mode }}\"\n  d: \"{{ other }}\"\n  e: \"{{ rate }}\"\n",
    );
    let docs = pjob_source::parse(&file).unwrap();
    let mut variables = Variables::new();
    variables.set("other=kept").unwrap();
    let renderer = Renderer::new(variables).with_pipeline_parameters(vec!["rate".into(), "input".into(), "mode".into()]);
    let out = renderer.render(&file, docs[0].clone()).unwrap().root.to_json();
    assert_eq!(out["spec"]["a"], format!("--rate={}", reference::parameter_marker("rate", None)));
    assert_eq!(out["spec"]["b"], reference::parameter_marker("input", Some("s3://b/in")));
    assert_eq!(out["spec"]["c"], reference::parameter_marker("mode", None), "defined by another manifest or nowhere");
    assert_eq!(out["spec"]["d"], "kept");
    assert_eq!(out["spec"]["e"], 0.2, "a number as a lone expression keeps its default, typed");
    assert!(renderer.typed_parameter_used("rate"), "`e` is `rate` alone");
    assert!(!renderer.typed_parameter_used("input") && !renderer.typed_parameter_used("mode"));
    let probed = renderer.probing("rate").render(&file, docs[0].clone()).unwrap().root.to_json();
    assert_eq!(probed["spec"]["e"], 0.1);
    assert_eq!(probed["spec"]["a"], out["spec"]["a"]);
}

#[test]
fn a_reference_is_written_out_whole_or_refused_where_a_filter_changed_it() {
    let fine = "spec:\n  a: \"{{ jobs.prep.outputs.train }}/part\"\n  b: \"{{ jobs.prep.outputs.train ~ '/x' }}\"\n  \
                c: \"{{ jobs.prep.job_name | trim }}\"\n";
    let out = render_with(fine, &[]).unwrap();
    assert_eq!(reference::find(out["spec"]["a"].as_str().unwrap()).len(), 1, "{out}");
    assert!(reference::markers_whole(out["spec"]["b"].as_str().unwrap()), "{out}");
    let changed = "spec:\n  a: \"{{ jobs.prep.outputs.train | upper }}\"\n  b: \"--in {{ jobs.prep.outputs.train | replace('s3', 'x') }}\"\n  \
                   c: \"{{ jobs.prep.outputs.train | length }}\"\n  d: \"{{ n | length }}\"\nvars: {n: abc}\n";
    let errs = render_with(changed, &[]).unwrap_err();
    let found: Vec<(usize, &str)> = errs.iter().map(|d| (d.location().line, d.message())).collect();
    assert_eq!(
        found,
        [
            (
                2,
                "`{{ jobs.prep.outputs.train | upper }}` changes a value that is decided later: another job's output or name, or a pipeline parameter"
            ),
            (
                3,
                "`{{ jobs.prep.outputs.train | replace('s3', 'x') }}` changes a value that is decided later: another job's output or name, or a pipeline parameter"
            ),
            (
                4,
                "`{{ jobs.prep.outputs.train | length }}` changes a value that is decided later: another job's output or name, or a pipeline parameter"
            ),
        ],
        "a filter on an ordinary variable stays fine"
    );
    assert_eq!(errs[1].location().column, 12, "at the block, after `--in `");
}

#[test]
fn a_template_that_keeps_only_a_part_of_a_reference_is_refused() {
    // No trace of the marker is left: only rendering again with the markers
    // spelled otherwise shows that these looked into a value decided later.
    let kept_part = "spec:\n  a: \"{{ jobs.prep.outputs.train | first }}\"\n  b: \"{{ jobs.prep.outputs.train | reverse }}\"\n  \
                     c: \"x{{ jobs.prep.job_name[0] }}\"\n  d: \"{{ jobs.prep.outputs.train[:5] }}\"\n  e: \"{{ jobs.prep.job_name | lower }}\"\n";
    let errs = render_with(kept_part, &[]).unwrap_err();
    let lines: Vec<usize> = errs.iter().map(|d| d.location().line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6], "{:?}", errs.iter().map(|d| d.message()).collect::<Vec<_>>());
    assert!(errs[0].message().starts_with("`{{ jobs.prep.outputs.train | first }}` changes a value that is decided later"));
    // Passing it on, choosing between it and text, or testing whether it is set still renders.
    let passed_on = "spec:\n  a: \"{{ jobs.prep.outputs.train if flag else 's3://b/k' }}\"\n  \
                     b: \"{% if jobs.prep.outputs.train %}{{ jobs.prep.outputs.train }}/x{% endif %}\"\n  \
                     c: \"{{ (jobs.prep.outputs.train ~ '/') * 2 }}\"\nvars: {flag: true}\n";
    let out = render_with(passed_on, &[]).unwrap();
    assert_eq!(reference::find(out["spec"]["a"].as_str().unwrap()).len(), 1, "{out}");
    assert!(out["spec"]["b"].as_str().unwrap().ends_with("/x"), "{out}");
    assert_eq!(reference::find(out["spec"]["c"].as_str().unwrap()).len(), 2, "{out}");
}

#[test]
fn a_template_that_keeps_only_a_part_of_a_pipeline_parameter_is_refused() {
    let file =
        SourceFile::new("dir/job.yaml", "vars: {input: s3://b/in}\nspec:\n  a: \"{{ input | first }}\"\n  b: \"{{ input }}/part\"\n");
    let docs = pjob_source::parse(&file).unwrap();
    let renderer = Renderer::new(Variables::new()).with_pipeline_parameters(vec!["input".into()]);
    let errs = renderer.render(&file, docs[0].clone()).unwrap_err().diagnostics;
    let found: Vec<(usize, &str)> = errs.iter().map(|d| (d.location().line, d.message())).collect();
    assert_eq!(
        found,
        [(3, "`{{ input | first }}` changes a value that is decided later: another job's output or name, or a pipeline parameter")],
        "the parameter passed on whole (`b`) stays fine"
    );
}

#[test]
fn plain_text_is_text_no_value_of_which_can_be_a_template() {
    for plain in ["spec: {a: b, c: [d]}\n", "a: '¦ ⟧'\n", "a: '{ {'\n", "a: x{y}\n", "a: '}}{'\n", "a = 'b'\n", ""] {
        assert!(is_plain_text(plain), "{plain:?}");
    }
    for not_plain in ["a: '{{ b }}'\n", "a: '{% if x %}'\n", "a: x{# c #}\n", "a: \"\\u007b{ b }}\"\n", "a: '⟦b⟧'\n"] {
        assert!(!is_plain_text(not_plain), "{not_plain:?}");
    }
}

#[test]
fn a_template_spelt_with_escapes_is_still_rendered() {
    let out = render_with("vars: {b: one}\nspec:\n  a: \"\\u007b\\u007b b }}\"\n  c: \"{\\\n    { b }}\"\n", &[]).unwrap();
    assert_eq!(out["spec"]["a"], "one");
    assert_eq!(out["spec"]["c"], "one");
}
