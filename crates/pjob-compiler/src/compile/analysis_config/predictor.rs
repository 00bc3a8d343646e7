//! The model's part of `analysis_config.json`: the SDK's `ModelConfig`
//! (`predictor`), and how its output is read (`ModelPredictedLabelConfig`,
//! or a plain score locator), as `_add_predictor` adds them.

use pjob_manifest::{ClarifyProcessorSpec, LabelValue, ModelConfig, ModelPredictedLabelConfig, ModelScores};
use serde_json::{Map, Value, json};

use super::values::{Values, refused, set};
use crate::CompileError;

const AT: &str = "/spec/model_config";

/// How the model's output is read: the settings object or a plain score locator.
#[derive(Clone, Copy)]
pub(super) enum Scores<'a> {
    Config(&'a ModelPredictedLabelConfig),
    Value(&'a Value),
}

/// `model_scores` as [`Scores`], located at `pointer`.
pub(super) fn predicted_label<'a>(scores: Option<&'a ModelScores>, pointer: &'static str) -> Option<(Scores<'a>, &'static str)> {
    scores.map(|s| match s {
        ModelScores::Config(c) => (Scores::Config(c), pointer),
        ModelScores::Value(v) => (Scores::Value(&v.0), pointer),
    })
}

/// `_add_predictor`: the model (or the dataset's own predicted labels), then
/// how to read the model's output.
pub(super) fn add_predictor(
    config: &mut Map<String, Value>,
    spec: &ClarifyProcessorSpec,
    predicted: Option<(Scores<'_>, &'static str)>,
    explain: bool,
    values: Values,
) -> Result<(), CompileError> {
    match &spec.model_config {
        Some(model) => {
            config.insert("predictor".into(), Value::Object(predictor(model, values)?));
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
            let name = |v: &Option<LabelValue>, field: &str| values.optional_name(v.as_ref(), &format!("{at}/{field}"));
            let mut fields = Map::new();
            set(&mut fields, "label", name(&c.label, "label")?);
            set(&mut fields, "probability", name(&c.probability, "probability")?);
            let headers = c.label_headers.as_ref().map(|h| values.names_or_indices(h, &format!("{at}/label_headers")));
            set(&mut fields, "label_headers", headers.transpose()?);
            if let Some(Value::Object(predictor)) = config.get_mut("predictor") {
                predictor.extend(fields);
            }
            let threshold = c.probability_threshold.as_ref().filter(|t| !t.0.is_null());
            set(config, "probability_threshold", threshold.map(|t| probability_threshold(&t.0, values, at)).transpose()?);
        }
        Some((Scores::Value(v), at)) => {
            let label = if v.is_null() { None } else { Some(values.name_or_index(v, at)?) };
            if let (Some(Value::Object(predictor)), Some(label)) = (config.get_mut("predictor"), label) {
                predictor.insert("label".into(), label);
            }
        }
        None => {}
    }
    Ok(())
}

/// `probability_threshold`: anything Python's `float()` reads, and a float
/// for the SDK's schema.
fn probability_threshold(v: &Value, values: Values, at: &str) -> Result<Value, CompileError> {
    let pointer = format!("{at}/probability_threshold");
    let readable = match v {
        Value::Number(_) | Value::Bool(_) => true,
        Value::String(s) => s.trim().replace('_', "").parse::<f64>().is_ok(),
        _ => false,
    };
    if !readable {
        return Err(refused(&pointer, &format!("`{v}` is not a probability threshold"), "give a number, e.g. `0.5`"));
    }
    values.float(v, &pointer)
}

/// `ModelConfig.get_predictor_config()`.
fn predictor(model: &ModelConfig, values: Values) -> Result<Map<String, Value>, CompileError> {
    let mut out = endpoint(model)?;
    let time_series = model.time_series_model_config.is_some();
    if let Some(accept) = &model.accept_type {
        const ACCEPT: [&str; 3] = ["text/csv", "application/jsonlines", "application/json"];
        if !ACCEPT.contains(&accept.as_str()) {
            return Err(refused(
                &format!("{AT}/accept_type"),
                &format!("invalid accept_type `{accept}`"),
                &format!("use one of: {}", ACCEPT.join(", ")),
            ));
        }
        if time_series && accept == "text/csv" {
            return Err(refused(
                &format!("{AT}/accept_type"),
                "time series explainability needs a JSON or JSON lines `accept_type`",
                "use application/json or application/jsonlines",
            ));
        }
        out.insert("accept_type".into(), json!(accept));
    }
    if let Some(content) = &model.content_type {
        content_type(model, content, values)?;
        out.insert("content_type".into(), json!(content));
    }
    set(&mut out, "content_template", model.content_template.as_ref().map(|v| json!(v)));
    set(&mut out, "record_template", model.record_template.as_ref().map(|v| json!(v)));
    set(&mut out, "custom_attributes", model.custom_attributes.as_ref().map(|v| json!(v)));
    set(&mut out, "accelerator_type", model.accelerator_type.as_ref().map(|v| json!(v)));
    set(&mut out, "target_model", model.target_model.as_ref().map(|v| json!(v)));
    if let Some(ts) = &model.time_series_model_config {
        out.insert("time_series_predictor_config".into(), json!({ "forecast": ts.forecast }));
    }
    Ok(out)
}

/// The endpoint: an existing one, or the model and its shadow endpoint.
fn endpoint(model: &ModelConfig) -> Result<Map<String, Value>, CompileError> {
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
    Ok(out)
}

/// What `ModelConfig` refuses of `content_type` and its templates.
fn content_type(model: &ModelConfig, content: &str, values: Values) -> Result<(), CompileError> {
    const CONTENT: [&str; 7] =
        ["text/csv", "application/jsonlines", "application/json", "image/jpeg", "image/jpg", "image/png", "application/x-npy"];
    let at = format!("{AT}/content_type");
    if !CONTENT.contains(&content) {
        return Err(refused(&at, &format!("invalid content_type `{content}`"), &format!("use one of: {}", CONTENT.join(", "))));
    }
    let template = model.content_template.as_deref();
    if content == "application/jsonlines" {
        match template {
            None => {
                return Err(refused(
                    &at,
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
                    &at,
                    "content_type application/json needs `content_template` and `record_template`",
                    "add both templates",
                ));
            }
        }
    }
    if model.time_series_model_config.is_some() && !content.starts_with("application/json") {
        return Err(refused(
            &at,
            "time series explainability needs a JSON or JSON lines `content_type`",
            "use application/json or application/jsonlines",
        ));
    }
    // The SDK's constructor takes image/jpg; its schema does not.
    values.check(content != "image/jpg", &at, "content_type `image/jpg` is not in the SDK's schema", "write image/jpeg")
}

/// `^[a-zA-Z0-9](-*[a-zA-Z0-9])` at the start of the prefix, as the SDK searches it.
fn valid_endpoint_prefix(prefix: &str) -> bool {
    let mut chars = prefix.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric()) && chars.find(|c| *c != '-').is_some_and(|c| c.is_ascii_alphanumeric())
}
