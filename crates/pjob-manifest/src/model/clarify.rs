//! `ClarifyProcessor`: the SDK's `SageMakerClarifyProcessor` and its config objects.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::{AsymmetricShapleyValueConfig, CommonSpec, PdpConfig, S3CompressionType, S3DataDistributionType, ShapConfig};

/// `spec` of a `ClarifyProcessor`: bias and explainability analyses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ClarifyProcessorSpec {
    /// Clarify image version. The SDK's table has one version (`1.0`), which
    /// is used whatever this says, as the SDK does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What to run: the SDK's `run_pre_training_bias`, `run_post_training_bias`,
    /// both (`run_bias`) or `run_explainability`.
    #[schemars(length(min = 1))]
    pub analyses: Vec<Analysis>,
    /// The dataset and where results go (the SDK's `DataConfig`).
    pub data_config: DataConfig,
    /// Label and facets for bias analyses (the SDK's `BiasConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bias_config: Option<BiasConfig>,
    /// The model to query (the SDK's `ModelConfig`); needed for post-training bias and explainability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_config: Option<ModelConfig>,
    /// How to read the model's predictions (the SDK's `ModelPredictedLabelConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_predicted_label_config: Option<ModelPredictedLabelConfig>,
    /// SHAP settings for explainability (the SDK's `SHAPConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shap_config: Option<ShapConfig>,
    /// Partial dependence plots for explainability (the SDK's `PDPConfig`),
    /// alone or with `shap_config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdp_config: Option<PdpConfig>,
    /// Time series explainability (the SDK's `AsymmetricShapleyValueConfig`):
    /// alone, with `data_config.time_series_data_config` and
    /// `model_config.time_series_model_config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asymmetric_shapley_value_config: Option<AsymmetricShapleyValueConfig>,
    /// The model's output to explain (explainability): an index or JMESPath of
    /// the score, or settings like `model_predicted_label_config`'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_scores: Option<ModelScores>,
    /// Pre-training bias metrics: `all` or a list.
    #[serde(default = "Methods::all")]
    pub pre_training_methods: Methods,
    /// Post-training bias metrics: `all` or a list.
    #[serde(default = "Methods::all")]
    pub post_training_methods: Methods,
    /// Skip the SDK's check of the generated `analysis_config.json` against
    /// its schema: values of other types (a float column index, an integer
    /// threshold, ...) are then written as they are.
    #[serde(default)]
    pub skip_early_validation: bool,
    /// Fields every kind shares (read beside the kind's own, by
    /// [`JobSpec::from_json`](super::JobSpec::from_json)).
    #[serde(flatten, skip_deserializing)]
    #[schemars(!skip_deserializing)]
    pub common: CommonSpec,
}

/// A Clarify analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Analysis {
    /// Bias in the data, before training.
    PreTrainingBias,
    /// Bias in the model's predictions.
    PostTrainingBias,
    /// SHAP feature attributions.
    Explainability,
}

/// `model_scores`: where the score is, or how to read the model's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ModelScores {
    /// Label, probability, threshold and label headers, as in `model_predicted_label_config`.
    Config(ModelPredictedLabelConfig),
    /// Index or JMESPath of the score in the model's output.
    Value(LabelValue),
}

/// A metric selection: `all` or a list of metric names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Methods {
    /// Every metric (`"all"`).
    All(AllKeyword),
    /// The listed metrics.
    List(Vec<String>),
}

/// The keyword `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllKeyword {
    /// `all`.
    #[serde(rename = "all")]
    All,
}

impl Methods {
    /// `all`.
    pub fn all() -> Methods {
        Methods::All(AllKeyword::All)
    }
}

impl JsonSchema for Methods {
    fn schema_name() -> Cow<'static, str> {
        "Methods".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`all`, or a list of metric names (pre-training: CI, DPL, KL, JS, LP, TVD, KS, CDDL; post-training: DPPL, DI, DCA, DCR, RD, DAR, DRR, AD, CDDPL, TE, FT, GE).",
            "anyOf": [
                {"type": "string", "enum": ["all"]},
                {"type": "array", "minItems": 1, "items": {"type": "string", "enum": [
                    "CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "CDDL",
                    "DPPL", "DI", "DCA", "DCR", "RD", "DAR", "DRR", "AD", "CDDPL", "TE", "FT", "GE"
                ]}}
            ]
        })
    }
}

/// A label, facet value or threshold: a string or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LabelValue(pub serde_json::Value);

impl JsonSchema for LabelValue {
    fn schema_name() -> Cow<'static, str> {
        "LabelValue".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A column name or index, a label value, or a threshold.",
            "type": ["string", "number", "integer", "boolean"]
        })
    }
}

/// Dataset MIME types Clarify reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DatasetType {
    /// CSV.
    #[serde(rename = "text/csv")]
    Csv,
    /// JSON lines.
    #[serde(rename = "application/jsonlines")]
    JsonLines,
    /// JSON.
    #[serde(rename = "application/json")]
    Json,
    /// Parquet.
    #[serde(rename = "application/x-parquet")]
    Parquet,
    /// Images.
    #[serde(rename = "application/x-image")]
    Image,
}

impl DatasetType {
    /// Every dataset type.
    pub const ALL: [DatasetType; 5] =
        [DatasetType::Csv, DatasetType::JsonLines, DatasetType::Json, DatasetType::Parquet, DatasetType::Image];

    /// The MIME type, as manifests and Clarify's analysis configuration write it.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetType::Csv => "text/csv",
            DatasetType::JsonLines => "application/jsonlines",
            DatasetType::Json => "application/json",
            DatasetType::Parquet => "application/x-parquet",
            DatasetType::Image => "application/x-image",
        }
    }
}

/// The SDK's `DataConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// `s3://` URI of the dataset (input `dataset`).
    #[schemars(regex(pattern = r"^s3://"))]
    pub s3_data_input_path: String,
    /// `s3://` URI for the report and `analysis_config.json` (output `analysis_result`).
    #[schemars(regex(pattern = r"^s3://"))]
    pub s3_output_path: String,
    /// `s3://` URI `analysis_config.json` is written to instead of `s3_output_path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://"))]
    pub s3_analysis_config_output_path: Option<String>,
    /// Target column: name, index or JSONPath.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelValue>,
    /// Column names of the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<String>>,
    /// JSONPath of the features (JSON lines datasets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<String>,
    /// MIME type of the dataset.
    #[serde(default = "default_dataset_type")]
    pub dataset_type: DatasetType,
    /// How the dataset is spread across instances.
    #[serde(default)]
    pub s3_data_distribution_type: S3DataDistributionType,
    /// Whether the dataset is gzip-compressed.
    #[serde(default)]
    pub s3_compression_type: S3CompressionType,
    /// Column joining the dataset with facet or prediction datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joinsource: Option<LabelValue>,
    /// Columns left out of the model's input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_columns: Option<Vec<LabelValue>>,
    /// Column of predicted labels in the dataset (post-training bias without a model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_label: Option<LabelValue>,
    /// `s3://` URI of a separate dataset holding the facet columns (CSV only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://"))]
    pub facet_dataset_uri: Option<String>,
    /// Column names of the facet dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facet_headers: Option<Vec<String>>,
    /// `s3://` URI of a separate dataset holding predicted labels (CSV only;
    /// post-training bias without a model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://"))]
    pub predicted_label_dataset_uri: Option<String>,
    /// Column names of the predicted label dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_label_headers: Option<Vec<String>>,
    /// Segments of the dataset metrics are also computed on (the SDK's
    /// list of `SegmentationConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segmentation_config: Option<Vec<SegmentationConfig>>,
    /// Where the time series are in a JSON dataset (time series
    /// explainability; the SDK's `TimeSeriesDataConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_series_data_config: Option<TimeSeriesDataConfig>,
}

/// The SDK's `SegmentationConfig`: segments of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentationConfig {
    /// Name or index of the column the segments are defined on.
    pub name_or_index: LabelValue,
    /// One list of values (or intervals such as `"[1, 4]"`) per segment; the
    /// rest of the values form the `__default__` segment.
    #[schemars(length(min = 1))]
    pub segments: Vec<Vec<LabelValue>>,
    /// Name of this segmentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_name: Option<String>,
    /// Display names of the segments: one per segment, or one more for the default segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_aliases: Option<Vec<String>>,
}

/// The SDK's `TimeSeriesDataConfig`: JMESPaths (with `dataset_format`) or
/// zero-based indices, all of the same kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeSeriesDataConfig {
    /// The target time series.
    pub target_time_series: LabelValue,
    /// The item id.
    pub item_id: LabelValue,
    /// The timestamp.
    pub timestamp: LabelValue,
    /// The related time series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_time_series: Option<Vec<LabelValue>>,
    /// The static covariates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_covariates: Option<Vec<LabelValue>>,
    /// Layout of the JSON dataset; required with JMESPaths, refused with indices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_format: Option<TimeSeriesDatasetFormat>,
}

/// Layouts of a JSON time series dataset (the SDK's `TimeSeriesJSONDatasetFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeSeriesDatasetFormat {
    /// One list per field: `{"ids": [...], "timestamps": [...], ...}`.
    Columns,
    /// One record per item, holding its time series.
    ItemRecords,
    /// One record per item and timestamp.
    TimestampRecords,
}

impl TimeSeriesDatasetFormat {
    /// Every layout.
    pub const ALL: [TimeSeriesDatasetFormat; 3] =
        [TimeSeriesDatasetFormat::Columns, TimeSeriesDatasetFormat::ItemRecords, TimeSeriesDatasetFormat::TimestampRecords];

    /// The name manifests and Clarify's analysis configuration use.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSeriesDatasetFormat::Columns => "columns",
            TimeSeriesDatasetFormat::ItemRecords => "item_records",
            TimeSeriesDatasetFormat::TimestampRecords => "timestamp_records",
        }
    }
}

fn default_dataset_type() -> DatasetType {
    DatasetType::Csv
}

/// The SDK's `BiasConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BiasConfig {
    /// Label values (or a threshold) that count as the positive outcome.
    pub label_values_or_threshold: Vec<LabelValue>,
    /// Sensitive column(s): a name or index, or a list of them.
    pub facet_name: FacetName,
    /// Facet values (or thresholds) of the sensitive group; one list per facet
    /// when `facet_name` is a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facet_values_or_threshold: Option<serde_json::Value>,
    /// Column (name or index) that groups records for conditional demographic disparity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<LabelValue>,
}

/// A facet name or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FacetName {
    /// Several facets.
    Many(Vec<LabelValue>),
    /// One facet.
    One(LabelValue),
}

/// The SDK's `ModelConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// SageMaker model Clarify deploys to a shadow endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Instances of the shadow endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub instance_count: Option<u32>,
    /// Instance type of the shadow endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// MIME type of the model's responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_type: Option<String>,
    /// MIME type of the model's requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Request template: with `$features` for JSON lines, `$record` or `$records` for JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_template: Option<String>,
    /// Template of one record in a JSON request (`content_type: application/json`),
    /// with `$features` and `$feature_names`, or `"${name}"` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_template: Option<String>,
    /// Value of the `CustomAttributes` header sent to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<String>,
    /// Elastic Inference accelerator type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accelerator_type: Option<String>,
    /// Prefix of the shadow endpoint's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_name_prefix: Option<String>,
    /// An existing endpoint to query instead of a shadow endpoint (instead of
    /// `model_name`, `instance_count` and `instance_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_name: Option<String>,
    /// Model to invoke on a multi-model endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_model: Option<String>,
    /// How to read a forecast (time series explainability; the SDK's `TimeSeriesModelConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_series_model_config: Option<TimeSeriesModelConfig>,
}

/// The SDK's `TimeSeriesModelConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeSeriesModelConfig {
    /// JMESPath of the forecast in the model's output.
    pub forecast: String,
}

/// The SDK's `ModelPredictedLabelConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelPredictedLabelConfig {
    /// Index or JSONPath of the predicted label in the model's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelValue>,
    /// Index or JSONPath of the predicted probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<LabelValue>,
    /// Probability above which the label is positive: a float (`1.0`, not `1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_threshold: Option<LabelValue>,
    /// Names (or values) of the labels, in the order of the model's scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_headers: Option<Vec<LabelValue>>,
}

#[cfg(test)]
mod tests {
    use super::{DatasetType, TimeSeriesDatasetFormat};

    #[test]
    fn names_are_the_ones_manifests_write() {
        for t in DatasetType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(serde_json::from_value::<DatasetType>(t.as_str().into()).unwrap(), t);
        }
        for f in TimeSeriesDatasetFormat::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
            assert_eq!(serde_json::from_value::<TimeSeriesDatasetFormat>(f.as_str().into()).unwrap(), f);
        }
    }
}
