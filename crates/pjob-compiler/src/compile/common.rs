//! The parts of the request every processor class shares.

use std::path::{Path, PathBuf};

use pjob_manifest::{CommonSpec, Manifest};

use super::JOB_NAME;
use crate::image_uri::ImageUriError;
use crate::request::{
    AthenaDatasetDefinition, ClusterConfig, DatasetDefinition, ExperimentConfig, FeatureStoreOutput, NetworkConfig, ProcessingInput,
    ProcessingOutput, ProcessingOutputConfig, ProcessingResources, RedshiftDatasetDefinition, S3Input, S3Output, StoppingCondition, Tag,
    VpcConfig,
};
use crate::{Artifact, CompileError, CompileOptions, s3_uri};

/// A region every image table lists, for checking versions without one.
const PROBE_REGION: &str = "us-east-1";

/// The manifest and options, with the helpers every class uses.
pub(crate) struct Ctx<'a> {
    pub manifest: &'a Manifest,
    pub options: &'a CompileOptions,
    pub common: &'a CommonSpec,
}

impl<'a> Ctx<'a> {
    pub fn new(manifest: &'a Manifest, options: &'a CompileOptions) -> Ctx<'a> {
        Ctx { manifest, options, common: manifest.spec.common() }
    }

    /// `s3://<default bucket>/<default bucket prefix>`, where the SDK puts
    /// what has no location of its own.
    pub fn bucket_uri(&self) -> String {
        let prefix = self.common.default_bucket_prefix.as_ref().or(self.options.default_bucket_prefix.as_ref());
        s3_uri::join(["s3://", self.options.default_bucket.as_str(), &s3_uri::squeeze_slashes(prefix.map_or("", String::as_str))])
    }

    /// `code_location`, or the default bucket.
    pub fn code_base(&self) -> String {
        self.common.code_location.clone().unwrap_or_else(|| self.bucket_uri())
    }

    /// `<code base>/<job>/<parts...>`, where the SDK uploads a job's code.
    pub fn code_uri(&self, parts: &[&str]) -> String {
        let base = self.code_base();
        s3_uri::join([base.as_str(), JOB_NAME].into_iter().chain(parts.iter().copied()))
    }

    /// A manifest path resolved against the manifest's folder.
    pub fn local_path(&self, path: &str) -> PathBuf {
        self.options.base_dir.join(pjob_manifest::local_path(path))
    }

    /// An artifact for a local file at `uri`.
    pub fn file_artifact(&self, pointer: &str, uri: String, path: &Path) -> Result<Artifact, CompileError> {
        Artifact::file(uri, path.to_path_buf()).map_err(|source| CompileError::ReadFile {
            pointer: pointer.to_string(),
            path: path.to_path_buf(),
            source,
        })
    }

    /// Uploads a local file or folder under `prefix` as the SDK's
    /// `S3Uploader.upload` does: a file lands at `prefix/<file name>` (the
    /// returned URI); a folder's files land under `prefix` (returned). The
    /// folder is listed by [`pjob_walk`], and what it does not follow (a link
    /// to a folder or out of the folder, a dangling link) is refused, as in
    /// `source_dir`.
    pub fn upload_local(&self, pointer: &str, path: &Path, prefix: String) -> Result<(String, Vec<Artifact>), CompileError> {
        if path.is_dir() {
            let mut files =
                pjob_walk::Walker::new(path).list().and_then(pjob_walk::Listing::refuse_skipped).map_err(|e| walk_error(pointer, e))?;
            files.sort_by(|a, b| a.relative.cmp(&b.relative));
            let artifacts = files
                .into_iter()
                .map(|file| {
                    let uri = s3_uri::join([prefix.as_str(), file.relative.as_str()]);
                    self.file_artifact(pointer, uri, &file.path)
                })
                .collect::<Result<_, _>>()?;
            Ok((prefix, artifacts))
        } else {
            let name = path.file_name().unwrap_or_default();
            let name = name.to_str().ok_or_else(|| walk_error(pointer, pjob_walk::WalkError::NonUtf8Name { path: path.to_path_buf() }))?;
            let uri = s3_uri::join([prefix.as_str(), name]);
            let artifact = self.file_artifact(pointer, uri.clone(), path)?;
            Ok((uri, vec![artifact]))
        }
    }

    /// An image URI from the SDK's tables for the job's region. Without a
    /// region, the look-up still runs for a region every table has, so an
    /// unknown version is reported offline; the job then needs `--region`.
    /// `pointer_of` locates each error at the manifest value it is about.
    pub fn resolve_image(
        &self,
        resolve: impl Fn(&str) -> Result<String, ImageUriError>,
        pointer_of: impl Fn(&ImageUriError) -> String,
    ) -> Result<String, CompileError> {
        let located = |source: ImageUriError| CompileError::ImageUri { pointer: pointer_of(&source), source: Box::new(source) };
        match self.options.region.as_deref() {
            Some(region) => resolve(region).map_err(located),
            None => match resolve(PROBE_REGION) {
                Ok(_) | Err(ImageUriError::UnsupportedRegion { .. }) => Err(CompileError::MissingRegion { pointer: "/kind".into() }),
                Err(e) => Err(located(e)),
            },
        }
    }

    /// The user's inputs: named as the SDK names them, local sources uploaded.
    pub fn inputs(&self, inputs: &[pjob_manifest::ProcessingInput]) -> Result<(Vec<ProcessingInput>, Vec<Artifact>), CompileError> {
        let mut out = Vec::with_capacity(inputs.len());
        let mut artifacts = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            let name = input.name.clone().unwrap_or_else(|| format!("input-{}", i + 1));
            if let Some(dd) = &input.dataset_definition {
                out.push(ProcessingInput {
                    input_name: name,
                    app_managed: input.app_managed,
                    s3_input: None,
                    dataset_definition: Some(dataset_definition(dd)),
                });
                continue;
            }
            let source = input.source.clone().unwrap_or_default();
            let s3_uri = if s3_uri::is_s3(&source) {
                source
            } else {
                let prefix = s3_uri::join([self.bucket_uri().as_str(), JOB_NAME, "input", name.as_str()]);
                let (uri, files) = self.upload_local(&format!("/spec/inputs/{i}/source"), &self.local_path(&source), prefix)?;
                artifacts.extend(files);
                uri
            };
            out.push(ProcessingInput {
                input_name: name,
                app_managed: input.app_managed,
                s3_input: Some(S3Input {
                    s3_uri,
                    local_path: input.destination.clone(),
                    s3_data_type: input.s3_data_type,
                    s3_input_mode: Some(input.s3_input_mode),
                    s3_data_distribution_type: Some(input.s3_data_distribution_type),
                    s3_compression_type: Some(input.s3_compression_type),
                }),
                dataset_definition: None,
            });
        }
        Ok((out, artifacts))
    }

    /// The outputs: named as the SDK names them, with default destinations.
    pub fn outputs(&self, outputs: &[pjob_manifest::ProcessingOutput]) -> Vec<ProcessingOutput> {
        outputs
            .iter()
            .enumerate()
            .map(|(i, output)| {
                let name = output.name.clone().unwrap_or_else(|| format!("output-{}", i + 1));
                let s3_output = match &output.feature_store_output {
                    Some(_) => None,
                    None => {
                        let destination = match &output.destination {
                            Some(d) => d.clone(),
                            None => s3_uri::join([self.bucket_uri().as_str(), JOB_NAME, "output", name.as_str()]),
                        };
                        Some(S3Output { s3_uri: destination, local_path: output.source.clone(), s3_upload_mode: output.s3_upload_mode })
                    }
                };
                ProcessingOutput {
                    output_name: name,
                    app_managed: output.app_managed,
                    s3_output,
                    feature_store_output: output
                        .feature_store_output
                        .as_ref()
                        .map(|f| FeatureStoreOutput { feature_group_name: f.feature_group_name.clone() }),
                }
            })
            .collect()
    }

    pub fn output_config(&self, outputs: Vec<ProcessingOutput>) -> Option<ProcessingOutputConfig> {
        if outputs.is_empty() {
            return None;
        }
        Some(ProcessingOutputConfig { outputs, kms_key_id: self.common.output_kms_key.clone() })
    }

    pub fn resources(&self) -> ProcessingResources {
        ProcessingResources {
            cluster_config: ClusterConfig {
                instance_count: self.common.instance_count,
                instance_type: self.common.instance_type.clone(),
                volume_size_in_gb: self.common.volume_size_in_gb,
                volume_kms_key_id: self.common.volume_kms_key.clone(),
            },
        }
    }

    pub fn stopping_condition(&self) -> Option<StoppingCondition> {
        self.common.max_runtime_in_seconds.map(|s| StoppingCondition { max_runtime_in_seconds: s })
    }

    pub fn network_config(&self) -> Option<NetworkConfig> {
        self.common.network_config.as_ref().map(|n| NetworkConfig {
            enable_inter_container_traffic_encryption: n.encrypt_inter_container_traffic,
            enable_network_isolation: n.enable_network_isolation,
            vpc_config: (!n.security_group_ids.is_empty() && !n.subnets.is_empty())
                .then(|| VpcConfig { security_group_ids: n.security_group_ids.clone(), subnets: n.subnets.clone() }),
        })
    }

    pub fn experiment_config(&self) -> Option<ExperimentConfig> {
        self.common.experiment_config.as_ref().map(|e| ExperimentConfig {
            experiment_name: e.experiment_name.clone(),
            trial_name: e.trial_name.clone(),
            trial_component_display_name: e.trial_component_display_name.clone(),
            run_name: e.run_name.clone(),
        })
    }

    pub fn tags(&self) -> Vec<Tag> {
        self.manifest.metadata.tags.iter().map(|(k, v)| Tag { key: k.clone(), value: v.clone() }).collect()
    }
}

fn dataset_definition(dd: &pjob_manifest::DatasetDefinition) -> DatasetDefinition {
    DatasetDefinition {
        athena_dataset_definition: dd.athena_dataset_definition.as_ref().map(|a| AthenaDatasetDefinition {
            catalog: a.catalog.clone(),
            database: a.database.clone(),
            query_string: a.query_string.clone(),
            work_group: a.work_group.clone(),
            output_s3_uri: a.output_s3_uri.clone(),
            kms_key_id: a.kms_key_id.clone(),
            output_format: a.output_format,
            output_compression: a.output_compression,
        }),
        redshift_dataset_definition: dd.redshift_dataset_definition.as_ref().map(|r| RedshiftDatasetDefinition {
            cluster_id: r.cluster_id.clone(),
            database: r.database.clone(),
            db_user: r.db_user.clone(),
            query_string: r.query_string.clone(),
            cluster_role_arn: r.cluster_role_arn.clone(),
            output_s3_uri: r.output_s3_uri.clone(),
            kms_key_id: r.kms_key_id.clone(),
            output_format: r.output_format,
            output_compression: r.output_compression,
        }),
        local_path: dd.local_path.clone(),
        data_distribution_type: Some(dd.data_distribution_type),
        input_mode: Some(dd.input_mode),
    }
}

/// A local folder that cannot be uploaded as it is.
fn walk_error(pointer: &str, error: pjob_walk::WalkError) -> CompileError {
    let pointer = pointer.to_string();
    let help = match error {
        pjob_walk::WalkError::Io { path, source } => return CompileError::ReadFile { pointer, path, source },
        pjob_walk::WalkError::NonUtf8Name { .. } => "rename it: S3 keys are UTF-8, and pjob never renames a file",
        _ => {
            "pjob uploads the files inside the folder (links to files inside it included): put what the link points to in the folder, or name the real folder"
        }
    };
    CompileError::Refused { pointer, message: error.to_string(), help: help.to_string() }
}

/// The manifest value an image error is about; `base` is the field of a
/// Hugging Face base framework (`/spec/pytorch_version`).
pub(crate) fn image_error_pointer(e: &ImageUriError, base: &str) -> String {
    match e {
        ImageUriError::UnknownVersion { .. } | ImageUriError::UnsupportedRegion { .. } => "/spec/framework_version",
        ImageUriError::UnknownPyVersion { .. } | ImageUriError::MissingPyVersion { .. } => "/spec/py_version",
        ImageUriError::SparkPyContainerMismatch { py_version: Some(_), .. } => "/spec/py_version",
        ImageUriError::SparkPyContainerMismatch { py_version: None, .. } => "/spec/container_version",
        ImageUriError::UnknownBaseFramework { .. }
        | ImageUriError::MissingBaseFramework { .. }
        | ImageUriError::VersionFormMismatch { .. } => base,
        ImageUriError::NoGpuImage { .. }
        | ImageUriError::UnsupportedProcessor { .. }
        | ImageUriError::InvalidInstanceType { .. }
        | ImageUriError::MissingInstanceType { .. }
        | ImageUriError::UnsupportedFrameworkForInstance { .. }
        | ImageUriError::ImageNotCarried { .. }
        | ImageUriError::DeprecatedInstanceType { .. } => "/spec/instance_type",
    }
    .to_string()
}
