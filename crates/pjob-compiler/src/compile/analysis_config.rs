//! `analysis_config.json` of a `ClarifyProcessor` job, built as the SDK's
//! `_AnalysisConfigGenerator` builds it (same keys, same order, same checks),
//! for pre-training bias, post-training bias, both, and SHAP explainability.

use pjob_manifest::{
    Analysis, BiasConfig, ClarifyProcessorSpec, DataConfig, DatasetType, FacetName, Methods, ModelConfig, ModelPredictedLabelConfig,
    ModelScores, ShapConfig,
};
use serde_json::{Map, Value, json};

use crate::CompileError;

/// The analysis configuration, or the SDK's refusal located in the manifest.
pub(crate) fn analysis_config(spec: &ClarifyProcessorSpec) -> Result<Map<String, Value>, CompileError> {
    let pre = spec.analyses.contains(&Analysis::PreTrainingBias);
    let post = spec.analyses.contains(&Analysis::PostTrainingBias);
    let explain = spec.analyses.contains(&Analysis::Explainability);

    let mut config = data_config(&spec.data_config)?;
    if pre || post {
        let Some(bias) = &spec.bias_config else {
            return Err(refused(
                "/spec/analyses",
                "bias analyses need `bias_config`",
                "add `bias_config` with `label_values_or_threshold` and `facet_name`",
            ));
        };
        config.extend(bias_config(bias)?);
    }
    let shap = match (&spec.shap_config, explain) {
        (Some(shap), true) => Some(shap_config(shap)?),
        (None, true) => {
            return Err(refused(
                "/spec/analyses",
                "explainability needs `shap_config`",
                "add `shap_config` (baseline, num_samples, agg_method, ...)",
            ));
        }
        (_, false) => None,
    };
    let methods = methods(pre.then_some(&spec.pre_training_methods), post.then_some(&spec.post_training_methods), shap)?;

    if pre && !post && !explain {
        // run_pre_training_bias: no model is involved.
        config.insert("methods".into(), methods);
        return Ok(config);
    }
    // The predicted-label settings: run_explainability takes `model_scores`;
    // the bias runs take `model_predicted_label_config` (or, with
    // explainability, `model_scores` when it is not set).
    let predicted = if explain && !pre && !post {
        predicted_label(spec.model_scores.as_ref(), "/spec/model_scores")
            .or_else(|| spec.model_predicted_label_config.as_ref().map(|c| (Scores::Config(c), "/spec/model_predicted_label_config")))
    } else if explain {
        spec.model_predicted_label_config
            .as_ref()
            .map(|c| (Scores::Config(c), "/spec/model_predicted_label_config"))
            .or_else(|| predicted_label(spec.model_scores.as_ref(), "/spec/model_scores"))
    } else {
        spec.model_predicted_label_config.as_ref().map(|c| (Scores::Config(c), "/spec/model_predicted_label_config"))
    };
    if explain && !pre && !post {
        // run_explainability: the predictor comes before the methods.
        add_predictor(&mut config, spec, predicted, explain)?;
        config.insert("methods".into(), methods);
    } else {
        config.insert("methods".into(), methods);
        add_predictor(&mut config, spec, predicted, explain)?;
    }
    Ok(config)
}

/// How the model's output is read: the settings object or a plain score locator.
#[derive(Clone, Copy)]
enum Scores<'a> {
    Config(&'a ModelPredictedLabelConfig),
    Value(&'a Value),
}

fn predicted_label<'a>(scores: Option<&'a ModelScores>, pointer: &'static str) -> Option<(Scores<'a>, &'static str)> {
    scores.map(|s| match s {
        ModelScores::Config(c) => (Scores::Config(c), pointer),
        ModelScores::Value(v) => (Scores::Value(&v.0), pointer),
    })
}

/// `DataConfig.analysis_config`.
fn data_config(dc: &DataConfig) -> Result<Map<String, Value>, CompileError> {
    const AT: &str = "/spec/data_config";
    let tabular = dc.dataset_type != DatasetType::Image;
    let csv = dc.dataset_type == DatasetType::Csv;
    let kind = dc.dataset_type.as_str();
    if !tabular {
        for (set, field) in [(dc.predicted_label.is_some(), "predicted_label"), (dc.excluded_columns.is_some(), "excluded_columns")] {
            if set {
                return Err(refused(
                    &format!("{AT}/{field}"),
                    &format!("`{field}` is not supported for dataset_type `{kind}`"),
                    "it applies to tabular datasets (CSV, JSON lines, JSON, Parquet) only",
                ));
            }
        }
    }
    if !csv {
        for (set, field) in [
            (dc.facet_dataset_uri.is_some(), "facet_dataset_uri"),
            (dc.facet_headers.is_some(), "facet_headers"),
            (dc.predicted_label_dataset_uri.is_some(), "predicted_label_dataset_uri"),
            (dc.predicted_label_headers.is_some(), "predicted_label_headers"),
        ] {
            if set {
                return Err(refused(
                    &format!("{AT}/{field}"),
                    &format!("`{field}` is not supported for dataset_type `{kind}`"),
                    "separate facet and predicted label datasets work with CSV datasets only",
                ));
            }
        }
    }
    if dc.dataset_type == DatasetType::Json && dc.features.is_none() {
        return Err(refused(
            &format!("{AT}/dataset_type"),
            "an application/json dataset needs `features`",
            "set `data_config.features` to the JMESPath of the features",
        ));
    }
    let mut out = Map::new();
    out.insert("dataset_type".into(), kind.into());
    set(&mut out, "features", dc.features.as_ref().map(|f| json!(f)));
    set(&mut out, "headers", dc.headers.as_ref().map(|h| json!(h)));
    set(&mut out, "label", name_or_index(dc.label.as_ref().map(|l| &l.0), &format!("{AT}/label"))?);
    set(&mut out, "joinsource_name_or_index", name_or_index(dc.joinsource.as_ref().map(|l| &l.0), &format!("{AT}/joinsource"))?);
    set(&mut out, "facet_dataset_uri", dc.facet_dataset_uri.as_ref().map(|v| json!(v)));
    set(&mut out, "facet_headers", dc.facet_headers.as_ref().map(|v| json!(v)));
    set(&mut out, "predicted_label_dataset_uri", dc.predicted_label_dataset_uri.as_ref().map(|v| json!(v)));
    set(&mut out, "predicted_label_headers", dc.predicted_label_headers.as_ref().map(|v| json!(v)));
    set(&mut out, "predicted_label", name_or_index(dc.predicted_label.as_ref().map(|l| &l.0), &format!("{AT}/predicted_label"))?);
    if let Some(columns) = &dc.excluded_columns {
        let items = columns
            .iter()
            .enumerate()
            .map(|(i, c)| name_or_index(Some(&c.0), &format!("{AT}/excluded_columns/{i}")).map(Option::unwrap_or_default))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert("excluded_columns".into(), Value::Array(items));
    }
    Ok(out)
}

/// `BiasConfig.analysis_config`.
fn bias_config(bias: &BiasConfig) -> Result<Map<String, Value>, CompileError> {
    const AT: &str = "/spec/bias_config";
    let labels = bias
        .label_values_or_threshold
        .iter()
        .enumerate()
        .map(|(i, v)| scalar(&v.0, &format!("{AT}/label_values_or_threshold/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    let values = bias.facet_values_or_threshold.as_ref().filter(|v| !v.is_null());
    let facets = match &bias.facet_name {
        FacetName::One(name) => {
            let mut facet = Map::new();
            facet.insert("name_or_index".into(), facet_name(&name.0, &format!("{AT}/facet_name"))?);
            if let Some(values) = values {
                facet.insert("value_or_threshold".into(), value_list(values, &format!("{AT}/facet_values_or_threshold"))?);
            }
            vec![Value::Object(facet)]
        }
        FacetName::Many(names) => {
            if names.is_empty() {
                return Err(refused(&format!("{AT}/facet_name"), "`facet_name` is an empty list", "name at least one facet"));
            }
            let per_facet = match values {
                None => vec![None; names.len()],
                Some(Value::Array(lists)) if lists.len() == names.len() => lists.iter().map(Some).collect(),
                Some(_) => {
                    return Err(refused(
                        &format!("{AT}/facet_values_or_threshold"),
                        "the number of facet names does not match the number of facet values",
                        "give one list of values (or null) per facet in `facet_name`",
                    ));
                }
            };
            names
                .iter()
                .zip(per_facet)
                .enumerate()
                .map(|(i, (name, values))| {
                    let mut facet = Map::new();
                    facet.insert("name_or_index".into(), facet_name(&name.0, &format!("{AT}/facet_name/{i}"))?);
                    if let Some(values) = values.filter(|v| !v.is_null()) {
                        let pointer = format!("{AT}/facet_values_or_threshold/{i}");
                        facet.insert("value_or_threshold".into(), value_list(values, &pointer)?);
                    }
                    Ok(Value::Object(facet))
                })
                .collect::<Result<Vec<_>, CompileError>>()?
        }
    };
    let mut out = Map::new();
    out.insert("label_values_or_threshold".into(), Value::Array(labels));
    out.insert("facet".into(), Value::Array(facets));
    set(&mut out, "group_variable", bias.group_name.as_ref().map(|g| json!(g)));
    Ok(out)
}

fn facet_name(v: &Value, pointer: &str) -> Result<Value, CompileError> {
    name_or_index(Some(v), pointer).map(Option::unwrap_or_default)
}

/// `SHAPConfig.get_explainability_config()`.
fn shap_config(shap: &ShapConfig) -> Result<Value, CompileError> {
    const AT: &str = "/spec/shap_config";
    if shap.baseline.is_some() && shap.num_clusters.is_some() {
        return Err(refused(
            &format!("{AT}/num_clusters"),
            "`baseline` and `num_clusters` cannot be given together",
            "keep `baseline`, or let Clarify compute one with `num_clusters`",
        ));
    }
    if let Some(baseline) = &shap.baseline {
        let rows_ok = |rows: &Vec<Value>| {
            rows.iter().all(|row| match row {
                Value::Array(cells) => {
                    cells.iter().all(|c| matches!(c, Value::Null | Value::Number(_) | Value::String(_) | Value::Bool(_)))
                }
                Value::Object(_) => true,
                _ => false,
            })
        };
        let ok = match baseline {
            Value::String(_) | Value::Object(_) => true,
            Value::Array(rows) => rows_ok(rows),
            _ => false,
        };
        if !ok {
            return Err(refused(
                &format!("{AT}/baseline"),
                "`baseline` must be an s3:// URI, a list of records (lists of values or objects), or an object",
                "e.g. `baseline: [[0.5, 1.0, 2.0]]` or `baseline: s3://bucket/baseline.csv`",
            ));
        }
    }
    let mut out = Map::new();
    out.insert("use_logit".into(), Value::Bool(shap.use_logit));
    out.insert("save_local_shap_values".into(), Value::Bool(shap.save_local_shap_values));
    set(&mut out, "baseline", shap.baseline.clone());
    set(&mut out, "num_samples", shap.num_samples.map(|n| json!(n)));
    set(&mut out, "agg_method", shap.agg_method.map(|a| a.as_str().into()));
    set(&mut out, "seed", shap.seed.map(|n| json!(n)));
    set(&mut out, "num_clusters", shap.num_clusters.map(|n| json!(n)));
    if let Some(features) = &shap.features_to_explain {
        let items = features
            .iter()
            .enumerate()
            .map(|(i, f)| facet_name(&f.0, &format!("{AT}/features_to_explain/{i}")))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert("features_to_explain".into(), Value::Array(items));
    }
    Ok(Value::Object(out))
}

/// `_add_methods`: the report, then each selected analysis.
fn methods(pre: Option<&Methods>, post: Option<&Methods>, shap: Option<Value>) -> Result<Value, CompileError> {
    let selection = |m: Option<&Methods>| match m {
        Some(Methods::All(_)) => Some(Value::String("all".into())),
        Some(Methods::List(list)) if !list.is_empty() => Some(json!(list)),
        _ => None,
    };
    let (pre, post) = (selection(pre), selection(post));
    if pre.is_none() && post.is_none() && shap.is_none() {
        return Err(refused(
            "/spec/analyses",
            "the analysis has no method to run",
            "select at least one metric in `pre_training_methods`/`post_training_methods`, or `all`",
        ));
    }
    let mut out = Map::new();
    out.insert("report".into(), json!({"name": "report", "title": "Analysis Report"}));
    set(&mut out, "pre_training_bias", pre.map(|m| json!({ "methods": m })));
    set(&mut out, "post_training_bias", post.map(|m| json!({ "methods": m })));
    set(&mut out, "shap", shap);
    Ok(Value::Object(out))
}

/// `_add_predictor`: the model (or the dataset's own predicted labels), then
/// how to read the model's output.
fn add_predictor(
    config: &mut Map<String, Value>,
    spec: &ClarifyProcessorSpec,
    predicted: Option<(Scores<'_>, &'static str)>,
    explain: bool,
) -> Result<(), CompileError> {
    match &spec.model_config {
        Some(model) => {
            config.insert("predictor".into(), Value::Object(predictor(model)?));
        }
        None if explain => {
            return Err(refused(
                "/spec/analyses",
                "explainability needs a model: add `model_config`",
                "add `model_config` (model_name, instance_count, instance_type, ...)",
            ));
        }
        None if !config.contains_key("predicted_label_dataset_uri") && !config.contains_key("predicted_label") => {
            return Err(refused(
                "/spec/analyses",
                "post-training bias needs a model: add `model_config`",
                "add `model_config`, or give the predictions in `data_config.predicted_label` or `data_config.predicted_label_dataset_uri`",
            ));
        }
        None => {}
    }
    match predicted {
        Some((Scores::Config(c), at)) => {
            let mut fields = Map::new();
            set(&mut fields, "label", name_or_index(c.label.as_ref().map(|l| &l.0), &format!("{at}/label"))?);
            set(&mut fields, "probability", name_or_index(c.probability.as_ref().map(|l| &l.0), &format!("{at}/probability"))?);
            set(&mut fields, "label_headers", c.label_headers.as_ref().map(|h| json!(h)));
            if let Some(Value::Object(predictor)) = config.get_mut("predictor") {
                predictor.extend(fields);
            }
            set(config, "probability_threshold", c.probability_threshold.map(|t| json!(t)));
        }
        Some((Scores::Value(v), at)) => {
            let label = name_or_index(Some(v), at)?;
            if let (Some(Value::Object(predictor)), Some(label)) = (config.get_mut("predictor"), label) {
                predictor.insert("label".into(), label);
            }
        }
        None => {}
    }
    Ok(())
}

/// `ModelConfig.get_predictor_config()`.
fn predictor(model: &ModelConfig) -> Result<Map<String, Value>, CompileError> {
    const AT: &str = "/spec/model_config";
    let present = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
    let shadow = [present(&model.model_name), model.instance_count.is_some_and(|c| c > 0), present(&model.instance_type)];
    let endpoint = present(&model.endpoint_name);
    if endpoint == shadow.iter().all(|s| *s) || (endpoint && shadow.iter().any(|s| *s)) {
        return Err(refused(
            AT,
            "`model_config` needs either `endpoint_name`, or `model_name`, `instance_count` and `instance_type`",
            "name an existing endpoint, or the model and the shadow endpoint Clarify creates for it",
        ));
    }
    let mut out = Map::new();
    if endpoint {
        if model.endpoint_name_prefix.is_some() {
            return Err(refused(
                &format!("{AT}/endpoint_name_prefix"),
                "`endpoint_name_prefix` names a shadow endpoint, and `endpoint_name` reuses an existing one",
                "remove `endpoint_name_prefix`",
            ));
        }
        set(&mut out, "endpoint_name", model.endpoint_name.as_ref().map(|v| json!(v)));
    } else {
        set(&mut out, "model_name", model.model_name.as_ref().map(|v| json!(v)));
        set(&mut out, "instance_type", model.instance_type.as_ref().map(|v| json!(v)));
        set(&mut out, "initial_instance_count", model.instance_count.map(|v| json!(v)));
    }
    if let Some(prefix) = &model.endpoint_name_prefix {
        if !valid_endpoint_prefix(prefix) {
            return Err(refused(
                &format!("{AT}/endpoint_name_prefix"),
                &format!("invalid endpoint_name_prefix `{prefix}`"),
                "start with a letter or digit, then letters, digits and hyphens (pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]))",
            ));
        }
        out.insert("endpoint_name_prefix".into(), json!(prefix));
    }
    if let Some(accept) = &model.accept_type {
        const ACCEPT: [&str; 3] = ["text/csv", "application/jsonlines", "application/json"];
        if !ACCEPT.contains(&accept.as_str()) {
            return Err(refused(
                &format!("{AT}/accept_type"),
                &format!("invalid accept_type `{accept}`"),
                &format!("use one of: {}", ACCEPT.join(", ")),
            ));
        }
        out.insert("accept_type".into(), json!(accept));
    }
    if let Some(content) = &model.content_type {
        const CONTENT: [&str; 6] =
            ["text/csv", "application/jsonlines", "application/json", "image/jpeg", "image/png", "application/x-npy"];
        if !CONTENT.contains(&content.as_str()) {
            return Err(refused(
                &format!("{AT}/content_type"),
                &format!("invalid content_type `{content}`"),
                &format!("use one of: {}", CONTENT.join(", ")),
            ));
        }
        let template = model.content_template.as_deref();
        if content == "application/jsonlines" {
            match template {
                None => {
                    return Err(refused(
                        &format!("{AT}/content_type"),
                        "content_type application/jsonlines needs `content_template`",
                        "add `content_template` with a `$features` placeholder, e.g. '{\"features\":$features}'",
                    ));
                }
                Some(t) if !t.contains("$features") => {
                    return Err(refused(
                        &format!("{AT}/content_template"),
                        &format!("content_template `{t}` has no `$features` placeholder"),
                        "add `$features` where the features go, e.g. '{\"features\":$features}'",
                    ));
                }
                Some(_) => {}
            }
        }
        if content == "application/json" {
            match (template, &model.record_template) {
                (Some(t), Some(_)) if !t.contains("$record") => {
                    return Err(refused(
                        &format!("{AT}/content_template"),
                        &format!("content_template `{t}` has no `$records` or `$record` placeholder"),
                        "add `$records` (or `$record`) where the records go",
                    ));
                }
                (Some(_), Some(_)) => {}
                _ => {
                    return Err(refused(
                        &format!("{AT}/content_type"),
                        "content_type application/json needs `content_template` and `record_template`",
                        "add both templates",
                    ));
                }
            }
        }
        out.insert("content_type".into(), json!(content));
    }
    set(&mut out, "content_template", model.content_template.as_ref().map(|v| json!(v)));
    set(&mut out, "record_template", model.record_template.as_ref().map(|v| json!(v)));
    set(&mut out, "custom_attributes", model.custom_attributes.as_ref().map(|v| json!(v)));
    set(&mut out, "accelerator_type", model.accelerator_type.as_ref().map(|v| json!(v)));
    set(&mut out, "target_model", model.target_model.as_ref().map(|v| json!(v)));
    Ok(out)
}

/// `^[a-zA-Z0-9](-*[a-zA-Z0-9])` at the start of the prefix, as the SDK searches it.
fn valid_endpoint_prefix(prefix: &str) -> bool {
    let mut chars = prefix.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric()) && chars.find(|c| *c != '-').is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A column name or index (the SDK's schema: `Or(str, int)`).
fn name_or_index(v: Option<&Value>, pointer: &str) -> Result<Option<Value>, CompileError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(_)) => Ok(v.cloned()),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(v.cloned()),
        Some(other) => Err(refused(
            pointer,
            &format!("`{other}` is not a column name or index"),
            "give a name (string) or a zero-based index (integer)",
        )),
    }
}

/// A label or facet value, or a threshold (`Or(int, float, str)`).
fn scalar(v: &Value, pointer: &str) -> Result<Value, CompileError> {
    match v {
        Value::String(_) | Value::Number(_) => Ok(v.clone()),
        other => Err(refused(pointer, &format!("`{other}` is not a value or threshold"), "give a string or a number")),
    }
}

/// A list of values or thresholds.
fn value_list(v: &Value, pointer: &str) -> Result<Value, CompileError> {
    match v {
        Value::Array(items) => {
            let items = items.iter().enumerate().map(|(i, item)| scalar(item, &format!("{pointer}/{i}"))).collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(items))
        }
        other => Err(refused(
            pointer,
            &format!("`{other}` is not a list of values"),
            "write the values (or the threshold) as a list, e.g. `[40]` or `[\"F\"]`",
        )),
    }
}

/// The SDK's `_set`: only values that are there.
fn set(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v);
    }
}

fn refused(pointer: &str, message: &str, help: &str) -> CompileError {
    CompileError::Refused { pointer: pointer.to_string(), message: message.to_string(), help: help.to_string() }
}
