//! The bias part of `analysis_config.json`: the SDK's `BiasConfig`.

use pjob_manifest::{BiasConfig, FacetName};
use serde_json::{Map, Value};

use super::values::{Values, refused, set};
use crate::CompileError;

const AT: &str = "/spec/bias_config";

/// `BiasConfig.analysis_config`.
pub(super) fn bias_config(bias: &BiasConfig, values: Values) -> Result<Map<String, Value>, CompileError> {
    let labels = bias
        .label_values_or_threshold
        .iter()
        .enumerate()
        .map(|(i, v)| values.scalar(&v.0, &format!("{AT}/label_values_or_threshold/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Map::new();
    out.insert("label_values_or_threshold".into(), Value::Array(labels));
    out.insert("facet".into(), Value::Array(facets(bias, values)?));
    set(&mut out, "group_variable", values.optional_name(bias.group_name.as_ref(), &format!("{AT}/group_name"))?);
    Ok(out)
}

/// The `facet` list: one entry per facet name, with its values when given.
fn facets(bias: &BiasConfig, values: Values) -> Result<Vec<Value>, CompileError> {
    let given = bias.facet_values_or_threshold.as_ref().filter(|v| !v.is_null());
    let facet = |name: &Value, name_at: String, facet_values: Option<&Value>, values_at: String| {
        let mut facet = Map::new();
        facet.insert("name_or_index".into(), values.name_or_index(name, &name_at)?);
        let facet_values = facet_values.filter(|v| !v.is_null());
        set(&mut facet, "value_or_threshold", facet_values.map(|v| values.scalar_list(v, &values_at)).transpose()?);
        Ok::<_, CompileError>(Value::Object(facet))
    };
    match &bias.facet_name {
        FacetName::One(name) => Ok(vec![facet(&name.0, format!("{AT}/facet_name"), given, format!("{AT}/facet_values_or_threshold"))?]),
        FacetName::Many(names) => {
            if names.is_empty() {
                return Err(refused(&format!("{AT}/facet_name"), "`facet_name` is an empty list", "name at least one facet"));
            }
            let per_facet = match given {
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
                .map(|(i, (name, v))| facet(&name.0, format!("{AT}/facet_name/{i}"), v, format!("{AT}/facet_values_or_threshold/{i}")))
                .collect()
        }
    }
}
