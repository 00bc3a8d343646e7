//! The dataset's part of `analysis_config.json`: the SDK's `DataConfig`,
//! with its `SegmentationConfig` list and `TimeSeriesDataConfig`.

use pjob_manifest::{DataConfig, DatasetType, LabelValue, SegmentationConfig, TimeSeriesDataConfig};
use serde_json::{Map, Value, json};

use super::values::{Values, refused, set};
use crate::CompileError;

const AT: &str = "/spec/data_config";

/// `DataConfig.analysis_config`.
pub(super) fn data_config(dc: &DataConfig, values: Values) -> Result<Map<String, Value>, CompileError> {
    refusals(dc)?;
    let name = |v: &Option<LabelValue>, field: &str| values.optional_name(v.as_ref(), &format!("{AT}/{field}"));
    let mut out = Map::new();
    out.insert("dataset_type".into(), dc.dataset_type.as_str().into());
    set(&mut out, "features", dc.features.as_ref().map(|f| json!(f)));
    set(&mut out, "headers", dc.headers.as_ref().map(|h| json!(h)));
    set(&mut out, "label", name(&dc.label, "label")?);
    set(&mut out, "joinsource_name_or_index", name(&dc.joinsource, "joinsource")?);
    set(&mut out, "facet_dataset_uri", dc.facet_dataset_uri.as_ref().map(|v| json!(v)));
    set(&mut out, "facet_headers", dc.facet_headers.as_ref().map(|v| json!(v)));
    set(&mut out, "predicted_label_dataset_uri", dc.predicted_label_dataset_uri.as_ref().map(|v| json!(v)));
    set(&mut out, "predicted_label_headers", dc.predicted_label_headers.as_ref().map(|v| json!(v)));
    set(&mut out, "predicted_label", name(&dc.predicted_label, "predicted_label")?);
    if let Some(columns) = &dc.excluded_columns {
        out.insert("excluded_columns".into(), values.names_or_indices(columns, &format!("{AT}/excluded_columns"))?);
    }
    if let Some(segments) = dc.segmentation_config.as_ref().filter(|s| !s.is_empty()) {
        let items = segments.iter().enumerate().map(|(i, s)| segmentation(s, values, &format!("{AT}/segmentation_config/{i}")));
        out.insert("segment_config".into(), Value::Array(items.collect::<Result<_, _>>()?));
    }
    if let Some(ts) = &dc.time_series_data_config {
        out.insert("time_series_data_config".into(), Value::Object(time_series(ts, values)?));
    }
    Ok(out)
}

/// What `DataConfig.__init__` refuses.
fn refusals(dc: &DataConfig) -> Result<(), CompileError> {
    let kind = dc.dataset_type.as_str();
    if dc.dataset_type == DatasetType::Image {
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
    if dc.dataset_type != DatasetType::Csv {
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
    if dc.time_series_data_config.is_some() && dc.dataset_type != DatasetType::Json {
        return Err(refused(
            &format!("{AT}/time_series_data_config"),
            &format!("time series explainability reads JSON datasets only, not `{kind}`"),
            "set `data_config.dataset_type: application/json`",
        ));
    }
    if dc.dataset_type == DatasetType::Json && dc.features.is_none() && dc.time_series_data_config.is_none() {
        return Err(refused(
            &format!("{AT}/dataset_type"),
            "an application/json dataset needs `features`",
            "set `data_config.features` to the JMESPath of the features",
        ));
    }
    Ok(())
}

/// `SegmentationConfig.to_dict()`.
fn segmentation(s: &SegmentationConfig, values: Values, at: &str) -> Result<Value, CompileError> {
    if let Some(aliases) = &s.display_aliases
        && aliases.len() != s.segments.len()
        && aliases.len() != s.segments.len() + 1
    {
        return Err(refused(
            &format!("{at}/display_aliases"),
            &format!("{} display aliases for {} segments", aliases.len(), s.segments.len()),
            "give one alias per segment, or one more for the default segment",
        ));
    }
    let segments = s
        .segments
        .iter()
        .enumerate()
        .map(|(i, segment)| {
            let items = segment.iter().enumerate().map(|(j, v)| values.name_or_index(&v.0, &format!("{at}/segments/{i}/{j}")));
            items.collect::<Result<Vec<_>, _>>().map(Value::Array)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Map::new();
    out.insert("name_or_index".into(), values.name_or_index(&s.name_or_index.0, &format!("{at}/name_or_index"))?);
    out.insert("segments".into(), Value::Array(segments));
    set(&mut out, "config_name", s.config_name.as_ref().filter(|n| !n.is_empty()).map(|n| json!(n)));
    set(&mut out, "display_aliases", s.display_aliases.as_ref().filter(|a| !a.is_empty()).map(|a| json!(a)));
    Ok(Value::Object(out))
}

/// How a time series field is located: JMESPaths or indices.
#[derive(Clone, Copy, PartialEq)]
enum Locator {
    Path,
    Index,
}

impl Locator {
    fn of(v: &Value) -> Option<Locator> {
        match v {
            Value::String(_) => Some(Locator::Path),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(Locator::Index),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Locator::Path => "a string (JMESPath)",
            Locator::Index => "an integer (index)",
        }
    }
}

/// `TimeSeriesDataConfig.get_time_series_data_config()`.
fn time_series(ts: &TimeSeriesDataConfig, values: Values) -> Result<Map<String, Value>, CompileError> {
    let at = |field: &str| format!("{AT}/time_series_data_config/{field}");
    let falsy = |v: &Value| matches!(v, Value::Null | Value::Bool(false)) || v == "" || v.as_f64() == Some(0.0);
    for (field, v) in [("target_time_series", &ts.target_time_series), ("item_id", &ts.item_id), ("timestamp", &ts.timestamp)] {
        if falsy(&v.0) {
            return Err(refused(&at(field), &format!("`{field}` is empty (or 0)"), "give a JMESPath, or an index from 1 on"));
        }
    }
    let Some(kind) = Locator::of(&ts.target_time_series.0) else {
        return Err(refused(
            &at("target_time_series"),
            "`target_time_series` is neither a string nor an integer",
            "give a JMESPath or an index",
        ));
    };
    for (field, v) in [("item_id", &ts.item_id), ("timestamp", &ts.timestamp)] {
        if Locator::of(&v.0) != Some(kind) {
            return Err(refused(
                &at(field),
                &format!("`{field}` must be {}, as `target_time_series` is", kind.name()),
                "locate every field the same way",
            ));
        }
    }
    let mut out = Map::new();
    out.insert("target_time_series".into(), values.name_or_index(&ts.target_time_series.0, &at("target_time_series"))?);
    out.insert("item_id".into(), values.name_or_index(&ts.item_id.0, &at("item_id"))?);
    out.insert("timestamp".into(), values.name_or_index(&ts.timestamp.0, &at("timestamp"))?);
    for (field, list) in [("related_time_series", &ts.related_time_series), ("static_covariates", &ts.static_covariates)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else { continue };
        for (i, v) in list.iter().enumerate() {
            if Locator::of(&v.0) != Some(kind) || v.0 == "" {
                return Err(refused(
                    &format!("{}/{i}", at(field)),
                    &format!("`{field}` must hold {} values, as `target_time_series` is, and no empty string", kind.name()),
                    "locate every field the same way",
                ));
            }
        }
        out.insert(field.into(), Value::Array(list.iter().map(|v| v.0.clone()).collect()));
    }
    match (kind, ts.dataset_format) {
        (Locator::Path, Some(format)) => {
            out.insert("dataset_format".into(), format.as_str().into());
        }
        (Locator::Path, None) => {
            return Err(refused(
                &format!("{AT}/time_series_data_config"),
                "JMESPaths need `dataset_format`",
                "add `dataset_format`: columns, item_records or timestamp_records",
            ));
        }
        (Locator::Index, Some(_)) => {
            return Err(refused(
                &at("dataset_format"),
                "`dataset_format` is for JSON datasets located by JMESPaths",
                "remove it, or use JMESPaths",
            ));
        }
        (Locator::Index, None) => {}
    }
    Ok(out)
}
