#!/usr/bin/env python3
"""Capture a conformance case's expected.json from the real SageMaker Python SDK v2, offline.

usage: capture.py CASE_DIR [CASE_DIR...]
       capture.py --all CASES_DIR          (every sub-folder holding job.yaml or job.toml)
       capture.py --check CASE_DIR...      (capture to memory and diff against expected.json)

Each case folder holds a pjob manifest (job.yaml or job.toml) and the local files it names.
The script maps the manifest onto the SDK's own classes (Processor, ScriptProcessor,
FrameworkProcessor, PySparkProcessor, SparkJarProcessor, SageMakerClarifyProcessor), runs
them against a fake boto session (region us-west-2, default bucket pjob-default-bucket), and
writes what the SDK sent:

    {"request": <kwargs of sagemaker_client.create_processing_job>,
     "s3": {uri: {"text": ...} | {"tar_members": [...]} | {"base64": ...}}}

or, when the SDK refuses the settings, {"error": "<ExceptionType>: <message>"}.

Run it with a virtualenv that has `sagemaker<3`, `pyyaml` and `jinja2` installed (see
README.md). Nothing is sent to AWS; no credentials are needed.
"""
import base64
import contextlib
import datetime
import io
import json
import logging
import os
import sys
import tarfile
import textwrap
import traceback
import warnings
from unittest.mock import MagicMock

REGION = "us-west-2"
BUCKET = "pjob-default-bucket"
ACCOUNT = "123456789012"

# Keep the SDK away from any config file or project metadata of this machine.
os.environ["SAGEMAKER_ADMIN_CONFIG_OVERRIDE"] = "/nonexistent/sagemaker/admin.yaml"
os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"] = "/nonexistent/sagemaker/user.yaml"
for _k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_k, None)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ["AWS_DEFAULT_REGION"] = REGION
warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import yaml  # noqa: E402
import jinja2  # noqa: E402

try:
    import tomllib  # noqa: E402
except ImportError:  # Python < 3.11
    import tomli as tomllib  # type: ignore  # noqa: E402

import sagemaker  # noqa: E402
from sagemaker.session import Session  # noqa: E402
from sagemaker.network import NetworkConfig  # noqa: E402
from sagemaker.processing import (  # noqa: E402
    Processor,
    ScriptProcessor,
    FrameworkProcessor,
    ProcessingInput,
    ProcessingOutput,
    FeatureStoreOutput,
)
from sagemaker.dataset_definition.inputs import (  # noqa: E402
    DatasetDefinition,
    AthenaDatasetDefinition,
    RedshiftDatasetDefinition,
)
from sagemaker.spark.processing import PySparkProcessor, SparkJarProcessor  # noqa: E402
from sagemaker import clarify  # noqa: E402


class CaptureError(Exception):
    """The manifest uses something this script (or the SDK) has no mapping for."""


# --------------------------------------------------------------------------- fake AWS


class Recorder:
    def __init__(self):
        self.requests = []
        self.objects = {}  # s3 uri -> bytes

    def put(self, bucket, key, data):
        self.objects[f"s3://{bucket}/{key}"] = data


def _body_bytes(body):
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    raise TypeError(f"unexpected S3 body type {type(body)}")


class FakeS3Object:
    def __init__(self, rec, bucket, key):
        self.rec, self.bucket_name, self.key = rec, bucket, key

    def upload_file(self, Filename, ExtraArgs=None, Callback=None, Config=None):
        with open(Filename, "rb") as f:
            self.rec.put(self.bucket_name, self.key, f.read())

    def upload_fileobj(self, Fileobj, ExtraArgs=None, Callback=None, Config=None):
        self.rec.put(self.bucket_name, self.key, _body_bytes(Fileobj))

    def put(self, Body=b"", **_):
        self.rec.put(self.bucket_name, self.key, _body_bytes(Body))
        return {}


class FakeS3Client(MagicMock):
    def __init__(self, rec=None, **kw):
        super().__init__(**kw)
        self.__dict__["_rec"] = rec

    def upload_file(self, Filename, Bucket, Key, ExtraArgs=None, Callback=None, Config=None):
        with open(Filename, "rb") as f:
            self._rec.put(Bucket, Key, f.read())

    def upload_fileobj(self, Fileobj, Bucket, Key, ExtraArgs=None, Callback=None, Config=None):
        self._rec.put(Bucket, Key, _body_bytes(Fileobj))

    def put_object(self, Bucket, Key, Body=b"", **_):
        self._rec.put(Bucket, Key, _body_bytes(Body))
        return {}


class FakeS3Resource:
    def __init__(self, rec):
        self.rec = rec
        self.meta = MagicMock()
        self.meta.client = FakeS3Client(rec)

    def Object(self, bucket_name=None, key=None):
        return FakeS3Object(self.rec, bucket_name, key)

    def Bucket(self, name):
        b = MagicMock()
        b.name = name
        b.creation_date = datetime.datetime(2024, 1, 1)
        return b


class FakeBotoSession:
    def __init__(self, rec):
        self.rec = rec
        self.region_name = REGION
        self._s3_client = FakeS3Client(rec)
        self._s3_resource = FakeS3Resource(rec)
        self._sm = MagicMock(name="sagemaker_client")

        def create_processing_job(**kwargs):
            rec.requests.append(json.loads(json.dumps(kwargs)))
            return {
                "ProcessingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/"
                + kwargs.get("ProcessingJobName", "x").lower()
            }

        self._sm.create_processing_job.side_effect = create_processing_job
        self._sts = MagicMock(name="sts")
        self._sts.get_caller_identity.return_value = {
            "Account": ACCOUNT,
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/capture",
        }

    def client(self, service_name, *_, **__):
        if service_name == "sagemaker":
            return self._sm
        if service_name == "s3":
            return self._s3_client
        if service_name == "sts":
            return self._sts
        return MagicMock(name=service_name)

    def resource(self, service_name, *_, **__):
        if service_name == "s3":
            return self._s3_resource
        return MagicMock(name=service_name)

    def get_credentials(self):
        return MagicMock()


def make_session(rec, default_bucket_prefix=None):
    boto = FakeBotoSession(rec)
    sess = Session(
        default_bucket_prefix=default_bucket_prefix,
        boto_session=boto,
        sagemaker_client=boto.client("sagemaker"),
        sagemaker_runtime_client=MagicMock(),
        sagemaker_featurestore_runtime_client=MagicMock(),
        sagemaker_metrics_client=MagicMock(),
        default_bucket=BUCKET,
        sagemaker_config={"SchemaVersion": "1.0"},
    )
    sess.s3_client = boto.client("s3")
    sess.s3_resource = boto.resource("s3")
    sess._default_bucket = BUCKET  # skip the bucket existence/ownership checks
    return sess


# --------------------------------------------------------------------------- manifest


def load_manifest(case_dir):
    for name in ("job.yaml", "job.yml", "job.toml"):
        path = os.path.join(case_dir, name)
        if os.path.exists(path):
            break
    else:
        raise CaptureError(f"{case_dir}: no job.yaml or job.toml")
    text = open(path, encoding="utf-8").read()
    if name.endswith(".toml"):
        doc = tomllib.loads(text)
    else:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        if len(docs) != 1:
            raise CaptureError(f"{path}: expected exactly one job document, got {len(docs)}")
        doc = docs[0]
    if not str(doc.get("apiVersion", "")).startswith("pjob/"):
        raise CaptureError(f"{path}: apiVersion must be pjob/...")
    extra = set(doc) - {"apiVersion", "kind", "metadata", "vars", "spec"}
    if extra:
        raise CaptureError(f"{path}: unknown top-level fields {sorted(extra)}")
    return path, render_templates(doc, path)


def render_templates(doc, path, extra=None):
    """Resolve {{ ... }} in every string value (a minimal stand-in for pjob's templates).

    `extra` adds to (and wins over) the manifest's `vars` (pipelines/capture.py
    passes its markers for references and pipeline parameters).
    """
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    ctx = dict(doc.get("vars") or {})
    ctx.update(extra or {})
    ctx["env"] = dict(os.environ)
    ctx["manifest"] = {
        "dir": os.path.dirname(os.path.abspath(path)),
        "name": (doc.get("metadata") or {}).get("name"),
    }

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str) and "{{" in v or isinstance(v, str) and "{%" in v:
            s = v.strip()
            if s.startswith("{{") and s.endswith("}}") and s.count("{{") == 1:
                return env.compile_expression(s[2:-2].strip())(**ctx)
            return env.from_string(v).render(**ctx)
        return v

    out = dict(doc)
    out["metadata"] = walk(doc.get("metadata") or {})
    out["spec"] = walk(doc.get("spec") or {})
    return out


COMMON = {
    "role", "instance_count", "instance_type", "volume_size_in_gb", "volume_kms_key",
    "output_kms_key", "max_runtime_in_seconds", "env", "network_config", "inputs", "outputs",
    "arguments", "experiment_config", "job_name", "code_location", "kms_key", "default_bucket_prefix",
}
PER_KIND = {
    "Processor": {"image_uri", "entrypoint"},
    "ScriptProcessor": {"image_uri", "command", "code"},
    "FrameworkProcessor": {
        "framework", "framework_version", "py_version", "image_uri", "command", "code",
        "source_dir", "dependencies", "git_config", "codeartifact_repo_arn",
        "pytorch_version", "tensorflow_version",
    },
    "PySparkProcessor": {
        "framework_version", "py_version", "container_version", "image_uri", "submit_app",
        "submit_py_files", "submit_jars", "submit_files", "configuration",
        "spark_event_logs_s3_uri", "configuration_location", "dependency_location",
    },
    "SparkJarProcessor": {
        "framework_version", "py_version", "container_version", "image_uri", "submit_app",
        "submit_class", "submit_jars", "submit_files", "configuration",
        "spark_event_logs_s3_uri", "configuration_location", "dependency_location",
    },
    "ClarifyProcessor": {
        "version", "analyses", "data_config", "bias_config", "model_config",
        "model_predicted_label_config", "shap_config", "model_scores", "pre_training_methods",
        "post_training_methods", "pdp_config", "asymmetric_shapley_value_config",
        "skip_early_validation",
    },
}
FRAMEWORKS = {
    "sklearn": ("sagemaker.sklearn.estimator", "SKLearn"),
    "pytorch": ("sagemaker.pytorch.estimator", "PyTorch"),
    "tensorflow": ("sagemaker.tensorflow.estimator", "TensorFlow"),
    "xgboost": ("sagemaker.xgboost.estimator", "XGBoost"),
    "huggingface": ("sagemaker.huggingface.estimator", "HuggingFace"),
    "mxnet": ("sagemaker.mxnet.estimator", "MXNet"),
}


def only(d, allowed, where):
    extra = set(d or {}) - set(allowed)
    if extra:
        raise CaptureError(f"{where}: unknown fields {sorted(extra)}")
    return d or {}


def pick(d, *keys):
    return {k: d[k] for k in keys if k in d}


def make_input(i, n):
    where = f"spec.inputs[{n}]"
    only(i, {"name", "source", "destination", "s3_data_type", "s3_input_mode",
             "s3_data_distribution_type", "s3_compression_type", "app_managed",
             "dataset_definition"}, where)
    kw = pick(i, "source", "destination", "s3_data_type", "s3_input_mode",
              "s3_data_distribution_type", "s3_compression_type", "app_managed")
    if "name" in i:
        kw["input_name"] = i["name"]
    if "dataset_definition" in i:
        dd = only(i["dataset_definition"], {"local_path", "data_distribution_type", "input_mode",
                                            "athena_dataset_definition",
                                            "redshift_dataset_definition"},
                  where + ".dataset_definition")
        dkw = pick(dd, "local_path", "data_distribution_type", "input_mode")
        if "athena_dataset_definition" in dd:
            a = only(dd["athena_dataset_definition"], {
                "catalog", "database", "query_string", "output_s3_uri", "work_group",
                "output_format", "output_compression", "kms_key_id"}, where + ".athena")
            dkw["athena_dataset_definition"] = AthenaDatasetDefinition(**a)
        if "redshift_dataset_definition" in dd:
            r = only(dd["redshift_dataset_definition"], {
                "cluster_id", "database", "db_user", "query_string", "cluster_role_arn",
                "output_s3_uri", "kms_key_id", "output_format", "output_compression"},
                where + ".redshift")
            dkw["redshift_dataset_definition"] = RedshiftDatasetDefinition(**r)
        kw["dataset_definition"] = DatasetDefinition(**dkw)
    return ProcessingInput(**kw)


def make_output(o, n):
    only(o, {"name", "source", "destination", "s3_upload_mode", "app_managed",
             "feature_store_output"}, f"spec.outputs[{n}]")
    kw = pick(o, "source", "destination", "s3_upload_mode", "app_managed")
    if "name" in o:
        kw["output_name"] = o["name"]
    if "feature_store_output" in o:
        f = only(o["feature_store_output"], {"feature_group_name"}, "feature_store_output")
        kw["feature_store_output"] = FeatureStoreOutput(**f)
    return ProcessingOutput(**kw)


def common_ctor(meta, spec, sess):
    kw = pick(spec, "role", "instance_count", "instance_type", "volume_size_in_gb",
              "volume_kms_key", "output_kms_key", "max_runtime_in_seconds", "env")
    kw["sagemaker_session"] = sess
    if meta.get("tags"):
        kw["tags"] = [{"Key": k, "Value": v} for k, v in meta["tags"].items()]
    if "network_config" in spec:
        nc = only(spec["network_config"], {"enable_network_isolation", "security_group_ids",
                                           "subnets", "encrypt_inter_container_traffic"},
                  "spec.network_config")
        kw["network_config"] = NetworkConfig(**nc)
    return kw


def common_run(spec):
    kw = {"wait": False, "logs": False}
    if "inputs" in spec:
        kw["inputs"] = [make_input(i, n) for n, i in enumerate(spec["inputs"])]
    if "outputs" in spec:
        kw["outputs"] = [make_output(o, n) for n, o in enumerate(spec["outputs"])]
    kw.update(pick(spec, "arguments", "job_name", "kms_key"))
    if "experiment_config" in spec:
        e = only(spec["experiment_config"], {"experiment_name", "trial_name",
                                             "trial_component_display_name"},
                 "spec.experiment_config")
        names = {"experiment_name": "ExperimentName", "trial_name": "TrialName",
                 "trial_component_display_name": "TrialComponentDisplayName"}
        kw["experiment_config"] = {names[k]: v for k, v in e.items()}
    return kw


def run_processor(kind, meta, spec, sess):
    if kind not in PER_KIND:
        raise CaptureError(f"unknown kind {kind!r}")
    only(spec, COMMON | PER_KIND[kind], "spec")
    ctor = common_ctor(meta, spec, sess)
    run = common_run(spec)
    name = meta.get("name")

    if kind in ("Processor", "ScriptProcessor") and "code_location" in spec:
        raise CaptureError(f"{kind}: the SDK has no code_location")

    if kind == "Processor":
        ctor.update(pick(spec, "image_uri", "entrypoint"))
        if name:
            ctor["base_job_name"] = name
        Processor(**ctor).run(**run)
    elif kind == "ScriptProcessor":
        ctor.update(pick(spec, "image_uri", "command"))
        if name:
            ctor["base_job_name"] = name
        ScriptProcessor(**ctor).run(code=spec.get("code"), **run)
    elif kind == "FrameworkProcessor":
        fw = spec.get("framework")
        if fw not in FRAMEWORKS:
            raise CaptureError(f"framework must be one of {sorted(FRAMEWORKS)}, got {fw!r}")
        mod, cls = FRAMEWORKS[fw]
        ctor.update(pick(spec, "py_version", "image_uri", "command", "code_location"))
        if name:
            ctor["base_job_name"] = name
        run.update(pick(spec, "source_dir", "dependencies", "git_config",
                        "codeartifact_repo_arn"))
        if fw == "huggingface" and ("pytorch_version" in spec or "tensorflow_version" in spec):
            # HuggingFaceProcessor: framework_version is the transformers version.
            from sagemaker.huggingface.processing import HuggingFaceProcessor
            ctor["transformers_version"] = spec.get("framework_version")
            ctor.update(pick(spec, "pytorch_version", "tensorflow_version"))
            HuggingFaceProcessor(**ctor).run(code=spec.get("code"), **run)
        else:
            if "pytorch_version" in spec or "tensorflow_version" in spec:
                raise CaptureError("pytorch_version/tensorflow_version are for huggingface only")
            ctor["estimator_cls"] = getattr(__import__(mod, fromlist=[cls]), cls)
            ctor["framework_version"] = spec.get("framework_version")
            FrameworkProcessor(**ctor).run(code=spec.get("code"), **run)
    elif kind in ("PySparkProcessor", "SparkJarProcessor"):
        ctor.update(pick(spec, "framework_version", "py_version", "container_version",
                         "image_uri"))
        # pjob's code_location stands for both locations; each one wins over it.
        for field in ("configuration_location", "dependency_location"):
            if field in spec or "code_location" in spec:
                ctor[field] = spec.get(field, spec.get("code_location"))
        if name:
            ctor["base_job_name"] = name
        run.update(pick(spec, "submit_jars", "submit_files", "configuration",
                        "spark_event_logs_s3_uri"))
        if kind == "PySparkProcessor":
            run.update(pick(spec, "submit_py_files"))
            PySparkProcessor(**ctor).run(submit_app=spec.get("submit_app"), **run)
        else:
            SparkJarProcessor(**ctor).run(submit_app=spec.get("submit_app"),
                                          submit_class=spec.get("submit_class"), **run)
    elif kind == "ClarifyProcessor":
        run_clarify(meta, spec, sess, ctor, run)


class SchemaError(ValueError):
    """The SDK's early validation (its analysis config schema) refused the configuration."""


def run_clarify(meta, spec, sess, ctor, run):
    import schema as schema_lib

    try:
        run_clarify_methods(meta, spec, sess, ctor, run)
    except schema_lib.SchemaError as e:
        raise SchemaError(str(e)) from e


def clarify_data_config(spec):
    dc_spec = dict(only(spec.get("data_config"), {
        "s3_data_input_path", "s3_output_path", "label", "headers", "features", "dataset_type",
        "s3_data_distribution_type", "s3_compression_type", "s3_analysis_config_output_path",
        "joinsource", "excluded_columns", "predicted_label", "facet_dataset_uri", "facet_headers",
        "predicted_label_dataset_uri", "predicted_label_headers", "segmentation_config",
        "time_series_data_config"}, "spec.data_config"))
    if "segmentation_config" in dc_spec:
        dc_spec["segmentation_config"] = [
            clarify.SegmentationConfig(**only(s, {"name_or_index", "segments", "config_name",
                                                  "display_aliases"},
                                              f"spec.data_config.segmentation_config[{n}]"))
            for n, s in enumerate(dc_spec["segmentation_config"])]
    if "time_series_data_config" in dc_spec:
        ts = dict(only(dc_spec["time_series_data_config"], {
            "target_time_series", "item_id", "timestamp", "related_time_series",
            "static_covariates", "dataset_format"}, "spec.data_config.time_series_data_config"))
        formats = {f.value: f for f in clarify.TimeSeriesJSONDatasetFormat}
        if ts.get("dataset_format") in formats:
            ts["dataset_format"] = formats[ts["dataset_format"]]
        dc_spec["time_series_data_config"] = clarify.TimeSeriesDataConfig(**ts)
    distribution = dc_spec.pop("s3_data_distribution_type", None)
    data_config = clarify.DataConfig(**dc_spec)
    if distribution is not None:
        # DataConfig takes no such argument; the SDK reads the attribute in _run().
        data_config.s3_data_distribution_type = distribution
    return data_config


def clarify_explainability_config(spec):
    """The SDK's explainability_config: one config object, or the list of them (SHAP first)."""
    configs = []
    if "shap_config" in spec:
        shap = dict(only(spec["shap_config"], {
            "baseline", "num_samples", "agg_method", "use_logit", "save_local_shap_values",
            "seed", "num_clusters", "features_to_explain", "text_config", "image_config"},
            "spec.shap_config"))
        if "text_config" in shap:
            shap["text_config"] = clarify.TextConfig(**only(
                shap["text_config"], {"granularity", "language"}, "spec.shap_config.text_config"))
        if "image_config" in shap:
            shap["image_config"] = clarify.ImageConfig(**only(shap["image_config"], {
                "model_type", "num_segments", "feature_extraction_method", "segment_compactness",
                "max_objects", "iou_threshold", "context"}, "spec.shap_config.image_config"))
        configs.append(clarify.SHAPConfig(**shap))
    if "pdp_config" in spec:
        configs.append(clarify.PDPConfig(**only(
            spec["pdp_config"], {"features", "grid_resolution", "top_k_features"},
            "spec.pdp_config")))
    if "asymmetric_shapley_value_config" in spec:
        configs.append(clarify.AsymmetricShapleyValueConfig(**only(
            spec["asymmetric_shapley_value_config"],
            {"direction", "granularity", "num_samples", "baseline"},
            "spec.asymmetric_shapley_value_config")))
    if not configs:
        return None
    return configs[0] if len(configs) == 1 else configs


def run_clarify_methods(meta, spec, sess, ctor, run):
    for k in ("inputs", "outputs", "arguments", "code_location"):
        if k in spec:
            raise CaptureError(f"ClarifyProcessor: the SDK takes no {k}")
    if meta.get("name"):
        ctor["job_name_prefix"] = meta["name"]
    if "version" in spec:
        ctor["version"] = spec["version"]
    if "skip_early_validation" in spec:
        ctor["skip_early_validation"] = spec["skip_early_validation"]
    proc = clarify.SageMakerClarifyProcessor(**ctor)
    data_config = clarify_data_config(spec)

    bias_config = None
    if "bias_config" in spec:
        bias_config = clarify.BiasConfig(**only(spec["bias_config"], {
            "label_values_or_threshold", "facet_name", "facet_values_or_threshold",
            "group_name"}, "spec.bias_config"))
    model_config = None
    if "model_config" in spec:
        mc = dict(only(spec["model_config"], {
            "model_name", "instance_count", "instance_type", "accept_type", "content_type",
            "content_template", "custom_attributes", "accelerator_type",
            "endpoint_name_prefix", "record_template", "endpoint_name", "target_model",
            "time_series_model_config"}, "spec.model_config"))
        if "time_series_model_config" in mc:
            mc["time_series_model_config"] = clarify.TimeSeriesModelConfig(**only(
                mc["time_series_model_config"], {"forecast"},
                "spec.model_config.time_series_model_config"))
        model_config = clarify.ModelConfig(**mc)
    mplc = None
    if "model_predicted_label_config" in spec:
        mplc = clarify.ModelPredictedLabelConfig(**only(
            spec["model_predicted_label_config"],
            {"label", "probability", "probability_threshold", "label_headers"},
            "spec.model_predicted_label_config"))
    shap = clarify_explainability_config(spec)
    model_scores = spec.get("model_scores")
    if isinstance(model_scores, dict):
        model_scores = clarify.ModelPredictedLabelConfig(**only(
            model_scores, {"label", "probability", "probability_threshold", "label_headers"},
            "spec.model_scores"))

    rkw = pick(run, "wait", "logs", "job_name", "kms_key", "experiment_config")
    pre = spec.get("pre_training_methods", "all")
    post = spec.get("post_training_methods", "all")
    analyses = set(spec.get("analyses") or [])
    unknown = analyses - {"pre_training_bias", "post_training_bias", "explainability"}
    if unknown or not analyses:
        raise CaptureError(f"spec.analyses: unknown or empty {sorted(unknown)}")
    if analyses == {"pre_training_bias"}:
        proc.run_pre_training_bias(data_config, bias_config, methods=pre, **rkw)
    elif analyses == {"post_training_bias"}:
        proc.run_post_training_bias(data_config, bias_config, model_config=model_config,
                                    model_predicted_label_config=mplc, methods=post, **rkw)
    elif analyses == {"pre_training_bias", "post_training_bias"}:
        proc.run_bias(data_config, bias_config, model_config=model_config,
                      model_predicted_label_config=mplc, pre_training_methods=pre,
                      post_training_methods=post, **rkw)
    elif analyses == {"explainability"}:
        # run_explainability has no model_predicted_label_config; pjob reads it as model_scores.
        proc.run_explainability(data_config, model_config, shap,
                                model_scores=model_scores if model_scores is not None else mplc,
                                **rkw)
    elif "explainability" in analyses:
        # Bias and explainability; a bias analysis left out gets no methods.
        proc.run_bias_and_explainability(
            data_config, model_config, shap, bias_config,
            pre_training_methods=pre if "pre_training_bias" in analyses else None,
            post_training_methods=post if "post_training_bias" in analyses else None,
            model_predicted_label_config=mplc if mplc is not None else model_scores, **rkw)
    else:
        raise CaptureError(f"spec.analyses: the SDK has no run method for {sorted(analyses)}")


# --------------------------------------------------------------------------- capture


def describe_object(uri, data):
    if uri.endswith((".tar.gz", ".tgz")):
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
            return {"tar_members": sorted(t.getnames())}
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


# Exceptions that are the SDK refusing the settings; anything else is a capture bug.
REFUSALS = (ValueError, TypeError, AttributeError, AssertionError, RuntimeError, KeyError)


def capture(case_dir, verbose=False):
    path, doc = load_manifest(case_dir)
    rec = Recorder()
    sess = make_session(rec, (doc.get("spec") or {}).get("default_bucket_prefix"))
    cwd = os.getcwd()
    os.chdir(case_dir)  # relative paths in the manifest resolve against its folder
    try:
        run_processor(doc.get("kind"), doc.get("metadata") or {}, doc.get("spec") or {}, sess)
    except CaptureError:
        raise
    except REFUSALS as e:
        if verbose:
            traceback.print_exc()
        msg = textwrap.dedent(str(e)).strip() or "(no message)"
        return {"error": f"{type(e).__name__}: {msg}"}
    finally:
        os.chdir(cwd)
    if len(rec.requests) != 1:
        raise CaptureError(f"expected one create_processing_job call, got {len(rec.requests)}")
    out = {"request": rec.requests[0]}
    if rec.objects:
        out["s3"] = {uri: describe_object(uri, data) for uri, data in sorted(rec.objects.items())}
    return out


def dump(obj):
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def record(case, out, check):
    """Writes `out` as the case's expected.json or, with `check`, compares it
    with the file; prints the outcome and returns 1 when it differs."""
    name = os.path.basename(os.path.normpath(case))
    dest = os.path.join(case, "expected.json")
    tag = "error" if "error" in out else "ok"
    if check:
        old = open(dest).read() if os.path.exists(dest) else ""
        same = old == dump(out)
        print(f"{'same' if same else 'DIFF'}  {name} ({tag})")
        return 0 if same else 1
    with open(dest, "w") as f:
        f.write(dump(out))
    print(f"{tag:5} {name}" + (f": {out['error'][:150]}" if "error" in out else ""))
    return 0


def main(argv):
    check = "--check" in argv
    verbose = "-v" in argv
    args = [a for a in argv if a not in ("--check", "-v")]
    if args and args[0] == "--all":
        root = args[1]
        cases = sorted(
            os.path.join(root, d) for d in os.listdir(root)
            if any(os.path.exists(os.path.join(root, d, m)) for m in ("job.yaml", "job.toml"))
        )
    else:
        cases = args
    if not cases:
        print(__doc__)
        return 2
    bad = 0
    for case in cases:
        name = os.path.basename(os.path.normpath(case))
        try:
            out = capture(os.path.abspath(case), verbose=verbose)
        except CaptureError as e:
            print(f"SKIP  {name}: {e}")
            bad += 1
            continue
        bad += record(case, out, check)
    print(f"sagemaker {sagemaker.__version__}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
