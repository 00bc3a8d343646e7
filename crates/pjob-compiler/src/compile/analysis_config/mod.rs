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

#[cfg(test)]
mod tests {
    use pjob_manifest::ClarifyProcessorSpec;
    use serde_json::{Value, json};

    use super::analysis_config;

    /// A post-training bias spec with `extra` merged into it.
    fn spec(extra: Value) -> ClarifyProcessorSpec {
        let mut spec = json!({
            "role": "arn:aws:iam::123456789012:role/R",
            "instance_count": 1,
            "instance_type": "ml.c5.xlarge",
            "analyses": ["post_training_bias"],
            "data_config": {"s3_data_input_path": "s3://b/d.csv", "s3_output_path": "s3://b/o", "label": "y"},
            "bias_config": {"label_values_or_threshold": [1], "facet_name": "a"},
            "model_config": {"endpoint_name": "e"},
        });
        spec.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::from_value(spec).expect("a valid spec")
    }

    fn refusal_at(extra: Value) -> String {
        analysis_config(&spec(extra)).expect_err("refused").pointer().to_string()
    }

    #[test]
    fn schema_refusals_point_at_the_field_and_lift_with_skip_early_validation() {
        let extra = json!({"bias_config": {"label_values_or_threshold": [1], "facet_name": "a", "group_name": 2.5},
                           "model_predicted_label_config": {"probability_threshold": 1}});
        assert_eq!(refusal_at(extra.clone()), "/spec/bias_config/group_name");
        let mut skipped = extra;
        skipped["skip_early_validation"] = json!(true);
        let config = analysis_config(&spec(skipped)).expect("written as it is");
        assert_eq!(config["group_variable"], json!(2.5));
        assert_eq!(config["probability_threshold"], json!(1));
    }

    #[test]
    fn time_series_refusals_point_at_what_does_not_fit() {
        let ts = json!({"s3_data_input_path": "s3://b/d.json", "s3_output_path": "s3://b/o", "dataset_type": "application/json",
                        "time_series_data_config": {"target_time_series": "t", "item_id": "i", "timestamp": "s", "dataset_format": "columns"}});
        let explain = |extra: Value| {
            let mut all = json!({"analyses": ["explainability"], "data_config": ts.clone(),
                                 "model_config": {"endpoint_name": "e", "time_series_model_config": {"forecast": "f"}}});
            all.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            all
        };
        let asv = json!({"direction": "chronological"});
        assert_eq!(
            refusal_at(explain(json!({"asymmetric_shapley_value_config": asv, "pdp_config": {"features": ["a"]}}))),
            "/spec/asymmetric_shapley_value_config"
        );
        assert_eq!(refusal_at(explain(json!({"shap_config": {}}))), "/spec/data_config/time_series_data_config");
        let mut with_bias = explain(json!({"asymmetric_shapley_value_config": asv}));
        with_bias["analyses"] = json!(["pre_training_bias", "explainability"]);
        assert_eq!(refusal_at(with_bias), "/spec/asymmetric_shapley_value_config");
        let config = analysis_config(&spec(explain(json!({"asymmetric_shapley_value_config": asv})))).expect("a time series run");
        assert_eq!(config["methods"]["asymmetric_shapley_value"], json!({"direction": "chronological", "granularity": "timewise"}));
    }

    #[test]
    fn shap_comes_before_pdp_as_the_sdk_merges_them() {
        let extra = json!({"analyses": ["explainability"], "shap_config": {}, "pdp_config": {"top_k_features": 3}});
        let config = analysis_config(&spec(extra)).expect("SHAP and PDP");
        let methods: Vec<&String> = config["methods"].as_object().unwrap().keys().collect();
        assert_eq!(methods, ["report", "shap", "pdp"]);
        assert_eq!(config["methods"]["pdp"], json!({"grid_resolution": 15, "top_k_features": 3}));
    }
}
