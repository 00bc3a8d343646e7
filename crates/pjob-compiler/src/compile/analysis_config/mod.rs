//! `analysis_config.json` of a `ClarifyProcessor` job, built as the SDK's
//! `_AnalysisConfigGenerator` builds it (same keys, same order, same checks),
//! for pre-training bias, post-training bias, both, and explainability (SHAP,
//! partial dependence plots, asymmetric Shapley values for time series).

mod bias;
mod data;
mod explain;
mod predictor;
mod values;

use pjob_manifest::{Analysis, ClarifyProcessorSpec, Methods};
use serde_json::{Map, Value, json};

use self::predictor::{Scores, add_predictor, predicted_label};
use self::values::{Values, refused, set};
use crate::CompileError;

/// The analysis configuration, or the SDK's refusal located in the manifest.
pub(crate) fn analysis_config(spec: &ClarifyProcessorSpec) -> Result<Map<String, Value>, CompileError> {
    let values = Values { early: !spec.skip_early_validation };
    let pre = spec.analyses.contains(&Analysis::PreTrainingBias);
    let post = spec.analyses.contains(&Analysis::PostTrainingBias);
    let explain = spec.analyses.contains(&Analysis::Explainability);

    let mut config = data::data_config(&spec.data_config, values)?;
    if pre || post {
        let Some(bias) = &spec.bias_config else {
            return Err(refused(
                "/spec/analyses",
                "bias analyses need `bias_config`",
                "add `bias_config` with `label_values_or_threshold` and `facet_name`",
            ));
        };
        config.extend(bias::bias_config(bias, values)?);
    }
    let explainers = if explain {
        explain::time_series_checks(spec, pre || post)?;
        let methods = explain::methods(spec, values)?;
        if methods.is_empty() {
            return Err(refused(
                "/spec/analyses",
                "explainability needs `shap_config`, `pdp_config` or `asymmetric_shapley_value_config`",
                "add `shap_config` (baseline, num_samples, agg_method, ...), `pdp_config` (features, ...), or both",
            ));
        }
        Some(methods)
    } else {
        None
    };
    let methods = methods(pre.then_some(&spec.pre_training_methods), post.then_some(&spec.post_training_methods), explainers)?;

    if pre && !post && !explain {
        // run_pre_training_bias: no model is involved.
        config.insert("methods".into(), methods);
        return Ok(config);
    }
    let predicted = predicted_scores(spec, explain && !pre && !post, explain);
    if explain && !pre && !post {
        // run_explainability: the predictor comes before the methods.
        add_predictor(&mut config, spec, predicted, explain, values)?;
        config.insert("methods".into(), methods);
    } else {
        config.insert("methods".into(), methods);
        add_predictor(&mut config, spec, predicted, explain, values)?;
    }
    Ok(config)
}

/// The predicted-label settings: run_explainability takes `model_scores`;
/// the bias runs take `model_predicted_label_config` (or, with
/// explainability, `model_scores` when it is not set).
fn predicted_scores(spec: &ClarifyProcessorSpec, explain_only: bool, explain: bool) -> Option<(Scores<'_>, &'static str)> {
    const MPLC: &str = "/spec/model_predicted_label_config";
    let config = || spec.model_predicted_label_config.as_ref().map(|c| (Scores::Config(c), MPLC));
    let scores = || predicted_label(spec.model_scores.as_ref(), "/spec/model_scores");
    if explain_only {
        scores().or_else(config)
    } else if explain {
        config().or_else(scores)
    } else {
        config()
    }
}

/// `_add_methods`: the report, then each selected analysis.
fn methods(pre: Option<&Methods>, post: Option<&Methods>, explainers: Option<Map<String, Value>>) -> Result<Value, CompileError> {
    let selection = |m: Option<&Methods>| match m {
        Some(Methods::All(_)) => Some(Value::String("all".into())),
        Some(Methods::List(list)) if !list.is_empty() => Some(json!(list)),
        _ => None,
    };
    let (pre, post) = (selection(pre), selection(post));
    if pre.is_none() && post.is_none() && explainers.is_none() {
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
    out.extend(explainers.unwrap_or_default());
    Ok(Value::Object(out))
}
