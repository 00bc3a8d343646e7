//! The explainability methods of `analysis_config.json`: the SDK's
//! `SHAPConfig` (with `TextConfig` and `ImageConfig`), `PDPConfig` and
//! `AsymmetricShapleyValueConfig`, merged as `_add_methods` merges them, and
//! the checks that tie time series explainability to its data and model.

use pjob_manifest::{AsvGranularity, AsymmetricShapleyValueConfig, ClarifyProcessorSpec, ImageConfig, PdpConfig, ShapConfig};
use serde_json::{Map, Value, json};

use super::values::{Values, refused, set};
use crate::CompileError;

const SHAP: &str = "/spec/shap_config";
const PDP: &str = "/spec/pdp_config";
const ASV: &str = "/spec/asymmetric_shapley_value_config";
const TS_DATA: &str = "/spec/data_config/time_series_data_config";
const TS_MODEL: &str = "/spec/model_config/time_series_model_config";

/// The explainability methods, keyed as in `methods` (`shap`, `pdp`, or
/// `asymmetric_shapley_value`).
pub(super) fn methods(spec: &ClarifyProcessorSpec, values: Values) -> Result<Map<String, Value>, CompileError> {
    let mut out = Map::new();
    if let Some(asv) = &spec.asymmetric_shapley_value_config {
        if spec.shap_config.is_some() || spec.pdp_config.is_some() {
            return Err(refused(
                ASV,
                "`asymmetric_shapley_value_config` runs alone: it cannot be combined with `shap_config` or `pdp_config`",
                "explain a time series model with `asymmetric_shapley_value_config` only, or remove it",
            ));
        }
        out.insert("asymmetric_shapley_value".into(), asymmetric_shapley_value(asv)?);
        return Ok(out);
    }
    if let Some(pdp) = &spec.pdp_config
        && pdp.features.is_none()
        && spec.shap_config.is_none()
    {
        return Err(refused(
            PDP,
            "`pdp_config` needs `features` when there is no `shap_config`",
            "list the features to plot, or add `shap_config` to plot the top SHAP features",
        ));
    }
    set(&mut out, "shap", spec.shap_config.as_ref().map(|s| shap(s, values)).transpose()?);
    set(&mut out, "pdp", spec.pdp_config.as_ref().map(|p| pdp(p, values)).transpose()?);
    Ok(out)
}

/// What the SDK refuses of time series settings in a run: bias analyses take
/// none; explainability alone takes all three or none.
pub(super) fn time_series_checks(spec: &ClarifyProcessorSpec, bias: bool) -> Result<(), CompileError> {
    let data = spec.data_config.time_series_data_config.as_ref();
    let model = spec.model_config.as_ref().and_then(|m| m.time_series_model_config.as_ref());
    let asv = spec.asymmetric_shapley_value_config.as_ref();
    let present = [(asv.is_some(), ASV), (data.is_some(), TS_DATA), (model.is_some(), TS_MODEL)];
    if bias {
        return match present.iter().find(|(set, _)| *set) {
            Some((_, at)) => Err(refused(
                at,
                "bias metrics are not supported for time series",
                "run time series explainability alone (`analyses: [explainability]`)",
            )),
            None => Ok(()),
        };
    }
    let Some(asv) = asv else {
        return match present[1..].iter().find(|(set, _)| *set) {
            Some((_, at)) => Err(refused(
                at,
                "time series settings need `asymmetric_shapley_value_config`",
                "add `asymmetric_shapley_value_config` for time series explainability, or remove this",
            )),
            None => Ok(()),
        };
    };
    let Some(data) = data else {
        return Err(refused(ASV, "time series explainability needs `data_config.time_series_data_config`", "add it"));
    };
    if spec.model_config.is_some() && model.is_none() {
        return Err(refused(ASV, "time series explainability needs `model_config.time_series_model_config`", "add it, with `forecast`"));
    }
    let covariates = data.static_covariates.as_ref().map_or(0, Vec::len);
    static_covariate_baselines(asv, covariates)
}

/// `_validate_time_series_static_covariates_baseline`: one baseline value
/// per static covariate column for every item.
fn static_covariate_baselines(asv: &AsymmetricShapleyValueConfig, covariates: usize) -> Result<(), CompileError> {
    let Some(Value::Object(items)) = asv.baseline.as_ref().and_then(|b| b.0.get("static_covariates")) else { return Ok(()) };
    let at = format!("{ASV}/baseline/static_covariates");
    if covariates == 0 {
        return Err(refused(
            &at,
            "static covariate baselines are given, but `data_config.time_series_data_config` has no `static_covariates`",
            "list the static covariate columns, or remove these baselines",
        ));
    }
    for (item, entry) in items {
        let count = entry.as_array().map(Vec::len);
        if count != Some(covariates) {
            return Err(refused(
                &format!("{at}/{}", item.replace('~', "~0").replace('/', "~1")),
                &format!("the baseline of item `{item}` does not have one value per static covariate ({covariates})"),
                "give every item a list with a value for each static covariate column",
            ));
        }
    }
    Ok(())
}

/// `SHAPConfig.shap_config`.
fn shap(shap: &ShapConfig, values: Values) -> Result<Value, CompileError> {
    if shap.baseline.is_some() && shap.num_clusters.is_some() {
        return Err(refused(
            &format!("{SHAP}/num_clusters"),
            "`baseline` and `num_clusters` cannot be given together",
            "keep `baseline`, or let Clarify compute one with `num_clusters`",
        ));
    }
    if shap.features_to_explain.is_some() && (shap.text_config.is_some() || shap.image_config.is_some()) {
        return Err(refused(
            &format!("{SHAP}/features_to_explain"),
            "`features_to_explain` is not supported for datasets with text features or images",
            "remove `features_to_explain`, or `text_config`/`image_config`",
        ));
    }
    if let Some(baseline) = &shap.baseline {
        values.check(
            baseline_fits_schema(baseline),
            &format!("{SHAP}/baseline"),
            "`baseline` must be an s3:// URI, a list of records (lists of values or non-empty objects), or a non-empty object",
            "e.g. `baseline: [[0.5, 1.0, 2.0]]` or `baseline: s3://bucket/baseline.csv`",
        )?;
    }
    let mut out = Map::new();
    out.insert("use_logit".into(), Value::Bool(shap.use_logit));
    out.insert("save_local_shap_values".into(), Value::Bool(shap.save_local_shap_values));
    set(&mut out, "baseline", shap.baseline.clone());
    set(&mut out, "num_samples", shap.num_samples.map(|n| json!(n)));
    set(&mut out, "agg_method", shap.agg_method.map(|a| a.as_str().into()));
    set(&mut out, "seed", shap.seed.map(|n| json!(n)));
    set(&mut out, "num_clusters", shap.num_clusters.map(|n| json!(n)));
    if let Some(text) = &shap.text_config {
        out.insert("text_config".into(), json!({"granularity": text.granularity.as_str(), "language": text.language.0}));
    }
    if let Some(image) = &shap.image_config {
        out.insert("image_config".into(), image_config(image, values)?);
    }
    if let Some(features) = &shap.features_to_explain {
        out.insert("features_to_explain".into(), values.names_or_indices(features, &format!("{SHAP}/features_to_explain"))?);
    }
    Ok(Value::Object(out))
}

/// The schema's baseline: a URI, a list of rows (lists of scalars or
/// non-empty objects), or a non-empty object.
fn baseline_fits_schema(baseline: &Value) -> bool {
    let row_ok = |row: &Value| match row {
        Value::Array(cells) => cells.iter().all(|c| matches!(c, Value::Null | Value::Number(_) | Value::String(_))),
        Value::Object(fields) => !fields.is_empty(),
        _ => false,
    };
    match baseline {
        Value::String(_) => true,
        Value::Object(fields) => !fields.is_empty(),
        Value::Array(rows) => rows.iter().all(row_ok),
        _ => false,
    }
}

/// `ImageConfig.image_config`.
fn image_config(image: &ImageConfig, values: Values) -> Result<Value, CompileError> {
    let at = |field: &str| format!("{SHAP}/image_config/{field}");
    let number = |n: &Option<serde_json::Number>| n.clone().map(Value::Number);
    let mut out = Map::new();
    out.insert("model_type".into(), image.model_type.as_str().into());
    set(&mut out, "num_segments", image.num_segments.map(|n| json!(n)));
    set(&mut out, "feature_extraction_method", image.feature_extraction_method.as_ref().map(|m| json!(m)));
    let compactness = number(&image.segment_compactness);
    set(&mut out, "segment_compactness", compactness.map(|v| values.int(&v, &at("segment_compactness"))).transpose()?);
    set(&mut out, "max_objects", image.max_objects.map(|n| json!(n)));
    let iou = number(&image.iou_threshold);
    set(&mut out, "iou_threshold", iou.map(|v| values.float(&v, &at("iou_threshold"))).transpose()?);
    let context = number(&image.context);
    set(&mut out, "context", context.map(|v| values.float(&v, &at("context"))).transpose()?);
    Ok(Value::Object(out))
}

/// `PDPConfig.pdp_config`.
fn pdp(pdp: &PdpConfig, values: Values) -> Result<Value, CompileError> {
    let mut out = Map::new();
    out.insert("grid_resolution".into(), json!(pdp.grid_resolution));
    out.insert("top_k_features".into(), json!(pdp.top_k_features));
    if let Some(features) = &pdp.features {
        out.insert("features".into(), values.names_or_indices(features, &format!("{PDP}/features"))?);
    }
    Ok(Value::Object(out))
}

/// `AsymmetricShapleyValueConfig.asymmetric_shapley_value_config`.
fn asymmetric_shapley_value(asv: &AsymmetricShapleyValueConfig) -> Result<Value, CompileError> {
    match (asv.granularity, asv.num_samples) {
        (AsvGranularity::FineGrained, None) => {
            return Err(refused(ASV, "`granularity: fine_grained` needs `num_samples`", "add `num_samples` (an integer)"));
        }
        (AsvGranularity::FineGrained, Some(_)) if asv.direction != pjob_manifest::AsvDirection::Chronological => {
            return Err(refused(
                &format!("{ASV}/direction"),
                &format!("`direction: {}` and `granularity: fine_grained` are not supported together", asv.direction.as_str()),
                "use `direction: chronological` with fine-grained explanations",
            ));
        }
        (AsvGranularity::Timewise, Some(n)) if n != 0 => {
            return Err(refused(
                &format!("{ASV}/num_samples"),
                "`num_samples` is only used for fine-grained explanations",
                "remove `num_samples`, or set `granularity: fine_grained`",
            ));
        }
        _ => {}
    }
    let mut out = Map::new();
    out.insert("direction".into(), asv.direction.as_str().into());
    out.insert("granularity".into(), asv.granularity.as_str().into());
    set(&mut out, "num_samples", asv.num_samples.map(|n| json!(n)));
    set(&mut out, "baseline", asv.baseline.as_ref().map(|b| b.0.clone()));
    Ok(Value::Object(out))
}
