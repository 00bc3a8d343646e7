//! Clarify's explainability methods: the SDK's `SHAPConfig` (with its
//! `TextConfig` and `ImageConfig`), `PDPConfig` and
//! `AsymmetricShapleyValueConfig`.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::LabelValue;

/// SHAP aggregation of local attributions into global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AggMethod {
    /// Mean of absolute values.
    MeanAbs,
    /// Median.
    Median,
    /// Mean of squares.
    MeanSq,
}

impl AggMethod {
    /// Every aggregation method.
    pub const ALL: [AggMethod; 3] = [AggMethod::MeanAbs, AggMethod::Median, AggMethod::MeanSq];

    /// The name manifests and Clarify's analysis configuration use.
    pub fn as_str(self) -> &'static str {
        match self {
            AggMethod::MeanAbs => "mean_abs",
            AggMethod::Median => "median",
            AggMethod::MeanSq => "mean_sq",
        }
    }
}

/// The SDK's `SHAPConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShapConfig {
    /// Baseline records (a list of rows) or an `s3://` URI of a baseline file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<serde_json::Value>,
    /// Number of samples for Kernel SHAP (Clarify's default depends on the number of features).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_samples: Option<i64>,
    /// How local attributions aggregate into global ones (Clarify's default: `mean_abs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agg_method: Option<AggMethod>,
    /// Apply the logit function to model outputs.
    #[serde(default)]
    pub use_logit: bool,
    /// Keep the per-record attributions.
    #[serde(default = "default_true")]
    pub save_local_shap_values: bool,
    /// Random seed for sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// Number of clusters for a baseline computed by K-means (instead of `baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_clusters: Option<i64>,
    /// How text features are split (the SDK's `TextConfig`); not with `features_to_explain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_config: Option<TextConfig>,
    /// How images are explained (the SDK's `ImageConfig`); not with `features_to_explain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    /// Names or indices of the features to explain (default: all; tabular datasets only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features_to_explain: Option<Vec<LabelValue>>,
}

fn default_true() -> bool {
    true
}

/// The SDK's `TextConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextConfig {
    /// Unit text features are broken into: `token`, `sentence` or `paragraph`.
    pub granularity: TextGranularity,
    /// Language of the text features: a name (`english`) or its two-letter
    /// ISO code (`en`), or `multi-language` (`xx`).
    pub language: TextLanguage,
}

/// The unit SHAP values are computed for in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextGranularity {
    /// Tokens.
    Token,
    /// Sentences.
    Sentence,
    /// Paragraphs.
    Paragraph,
}

impl TextGranularity {
    /// The name manifests and Clarify's analysis configuration use.
    pub fn as_str(self) -> &'static str {
        match self {
            TextGranularity::Token => "token",
            TextGranularity::Sentence => "sentence",
            TextGranularity::Paragraph => "paragraph",
        }
    }
}

/// A language Clarify splits text in: one of [`TextLanguage::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TextLanguage(pub String);

impl TextLanguage {
    /// The SDK's `TextConfig._SUPPORTED_LANGUAGES`, in its order.
    pub const ALL: &'static [&'static str] = &[
        "chinese",
        "zh",
        "danish",
        "da",
        "dutch",
        "nl",
        "english",
        "en",
        "french",
        "fr",
        "german",
        "de",
        "greek",
        "el",
        "italian",
        "it",
        "japanese",
        "ja",
        "lithuanian",
        "lt",
        "multi-language",
        "xx",
        "norwegian bokmål",
        "nb",
        "polish",
        "pl",
        "portuguese",
        "pt",
        "romanian",
        "ro",
        "russian",
        "ru",
        "spanish",
        "es",
        "afrikaans",
        "af",
        "albanian",
        "sq",
        "arabic",
        "ar",
        "armenian",
        "hy",
        "basque",
        "eu",
        "bengali",
        "bn",
        "bulgarian",
        "bg",
        "catalan",
        "ca",
        "croatian",
        "hr",
        "czech",
        "cs",
        "estonian",
        "et",
        "finnish",
        "fi",
        "gujarati",
        "gu",
        "hebrew",
        "he",
        "hindi",
        "hi",
        "hungarian",
        "hu",
        "icelandic",
        "is",
        "indonesian",
        "id",
        "irish",
        "ga",
        "kannada",
        "kn",
        "kyrgyz",
        "ky",
        "latvian",
        "lv",
        "ligurian",
        "lij",
        "luxembourgish",
        "lb",
        "macedonian",
        "mk",
        "malayalam",
        "ml",
        "marathi",
        "mr",
        "nepali",
        "ne",
        "persian",
        "fa",
        "sanskrit",
        "sa",
        "serbian",
        "sr",
        "setswana",
        "tn",
        "sinhala",
        "si",
        "slovak",
        "sk",
        "slovenian",
        "sl",
        "swedish",
        "sv",
        "tagalog",
        "tl",
        "tamil",
        "ta",
        "tatar",
        "tt",
        "telugu",
        "te",
        "thai",
        "th",
        "turkish",
        "tr",
        "ukrainian",
        "uk",
        "urdu",
        "ur",
        "vietnamese",
        "vi",
        "yoruba",
        "yo",
    ];
}

impl JsonSchema for TextLanguage {
    fn schema_name() -> Cow<'static, str> {
        "TextLanguage".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A language name or its ISO code (`english` or `en`); `multi-language` (`xx`) for a mix.",
            "type": "string",
            "enum": TextLanguage::ALL,
        })
    }
}

/// The SDK's `ImageConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageConfig {
    /// The computer vision task: `IMAGE_CLASSIFICATION` or `OBJECT_DETECTION`.
    pub model_type: ImageModelType,
    /// Approximate number of segments (superpixels) SLIC makes (Clarify's default: 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_segments: Option<i64>,
    /// How features are extracted from the image (Clarify's default: `segmentation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_extraction_method: Option<String>,
    /// SLIC's balance of color and space proximity (Clarify's default: 5);
    /// the SDK's schema takes an integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_compactness: Option<serde_json::Number>,
    /// Objects shown at most per image (`OBJECT_DETECTION`; Clarify's default: 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_objects: Option<i64>,
    /// Minimum intersection over union of a bounding box, 0.0 to 1.0
    /// (`OBJECT_DETECTION`; Clarify's default: 0.5); written as a float, e.g. `1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iou_threshold: Option<serde_json::Number>,
    /// Share of the image outside the bounding box used, 0.0 to 1.0
    /// (`OBJECT_DETECTION`; Clarify's default: 1.0); written as a float, e.g. `1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Number>,
}

/// The computer vision task an image model does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ImageModelType {
    /// Image classification.
    #[serde(rename = "IMAGE_CLASSIFICATION")]
    ImageClassification,
    /// Object detection.
    #[serde(rename = "OBJECT_DETECTION")]
    ObjectDetection,
}

impl ImageModelType {
    /// The name manifests and Clarify's analysis configuration use.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageModelType::ImageClassification => "IMAGE_CLASSIFICATION",
            ImageModelType::ObjectDetection => "OBJECT_DETECTION",
        }
    }
}

/// The SDK's `PDPConfig`: partial dependence plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PdpConfig {
    /// Names or indices of the features to plot; required without `shap_config`
    /// (with it, Clarify plots the top SHAP features).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<LabelValue>>,
    /// Number of buckets a numerical feature's range is divided into.
    #[serde(default = "default_grid_resolution")]
    pub grid_resolution: i64,
    /// Number of top SHAP features plotted (with `shap_config`).
    #[serde(default = "default_top_k_features")]
    pub top_k_features: i64,
}

fn default_grid_resolution() -> i64 {
    15
}

fn default_top_k_features() -> i64 {
    10
}

/// The SDK's `AsymmetricShapleyValueConfig`: time series explainability.
/// It needs `data_config.time_series_data_config` and
/// `model_config.time_series_model_config`, and runs alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsymmetricShapleyValueConfig {
    /// Direction of the explanation.
    #[serde(default = "AsvDirection::chronological")]
    pub direction: AsvDirection,
    /// Granularity of the explanation.
    #[serde(default = "AsvGranularity::timewise")]
    pub granularity: AsvGranularity,
    /// Number of samples: required with `granularity: fine_grained`, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_samples: Option<i64>,
    /// An `s3://` URI of a baseline configuration, or the configuration itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<AsvBaseline>,
}

/// Direction of an asymmetric Shapley value explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AsvDirection {
    /// Past to future (the default; the only one `fine_grained` takes).
    Chronological,
    /// Future to past.
    AntiChronological,
    /// Both ways.
    Bidirectional,
}

impl AsvDirection {
    fn chronological() -> AsvDirection {
        AsvDirection::Chronological
    }

    /// The name manifests and Clarify's analysis configuration use.
    pub fn as_str(self) -> &'static str {
        match self {
            AsvDirection::Chronological => "chronological",
            AsvDirection::AntiChronological => "anti_chronological",
            AsvDirection::Bidirectional => "bidirectional",
        }
    }
}

/// Granularity of an asymmetric Shapley value explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AsvGranularity {
    /// One attribution per time step (the default).
    Timewise,
    /// One attribution per time step and feature (needs `num_samples`).
    FineGrained,
}

impl AsvGranularity {
    fn timewise() -> AsvGranularity {
        AsvGranularity::Timewise
    }

    /// The name manifests and Clarify's analysis configuration use.
    pub fn as_str(self) -> &'static str {
        match self {
            AsvGranularity::Timewise => "timewise",
            AsvGranularity::FineGrained => "fine_grained",
        }
    }
}

/// The baseline of an asymmetric Shapley value explanation, written as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AsvBaseline(pub serde_json::Value);

impl JsonSchema for AsvBaseline {
    fn schema_name() -> Cow<'static, str> {
        "AsvBaseline".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An `s3://` URI of a baseline configuration, or the configuration: `zero` or `mean` for the time series, and for each item id a list with a value per static covariate.",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "target_time_series": {
                            "description": "Out-of-coalition values of the target time series: `zero` (the default) or `mean`.",
                            "type": "string", "enum": ["zero", "mean"]
                        },
                        "related_time_series": {
                            "description": "Out-of-coalition values of the related time series: `zero` or `mean`.",
                            "type": "string", "enum": ["zero", "mean"]
                        },
                        "static_covariates": {
                            "description": "For each item id, one baseline value per static covariate column.",
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": ["string", "number"]}}
                        }
                    }
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{AggMethod, AsvDirection, AsvGranularity, ImageModelType, TextGranularity};

    fn same_name<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(value: T, name: &str) {
        assert_eq!(serde_json::to_value(&value).unwrap(), name);
        assert_eq!(serde_json::from_value::<T>(name.into()).unwrap(), value);
    }

    #[test]
    fn names_are_the_ones_manifests_write() {
        for m in AggMethod::ALL {
            same_name(m, m.as_str());
        }
        for g in [TextGranularity::Token, TextGranularity::Sentence, TextGranularity::Paragraph] {
            same_name(g, g.as_str());
        }
        for t in [ImageModelType::ImageClassification, ImageModelType::ObjectDetection] {
            same_name(t, t.as_str());
        }
        for d in [AsvDirection::Chronological, AsvDirection::AntiChronological, AsvDirection::Bidirectional] {
            same_name(d, d.as_str());
        }
        for g in [AsvGranularity::Timewise, AsvGranularity::FineGrained] {
            same_name(g, g.as_str());
        }
    }
}
