#!/usr/bin/env python3
"""Capture a pipeline conformance case's expected.json from the SageMaker Python SDK v2.

usage: capture.py CASE_DIR [CASE_DIR...]
       capture.py --all CASES_DIR          (every sub-folder holding case.json)
       capture.py --check CASE_DIR...      (capture to memory and diff against expected.json)
       capture.py -v ...                   (print the traceback of a refusal)

A case folder holds `case.json` = {"pipeline": NAME, "parameters": [VAR, ...]}, one or more
pjob manifests `*.yaml` / `*.yml` / `*.toml` (one job each; the step is named after
`metadata.name`) and the local files they name. The script maps every manifest onto the SDK's
processor classes with the single-job mapping of ../capture.py, under a PipelineSession, makes
a `ProcessingStep` of each, and writes

    {"pipeline": {"name": NAME, "definition": <json of Pipeline(...).definition()>},
     "s3": {uri: {"text": ...} | {"tar_members": [...]} | {"base64": ...}}}

(`s3`: every object in the emulated S3 after definition()), or {"error": "<Type>: <message>"}
when the SDK refuses the settings.

S3 and SageMaker are a moto server on 127.0.0.1: the one PJOB_TEST_MOTO_ENDPOINT names, or one
this script starts (tests/moto.sh, state in $PJOB_MOTO_DIR, default /tmp/moto-plcap) and stops.
See README.md for the mapping of templates onto pipeline parameters and step properties.
"""
import contextlib
import glob
import json
import os
import re
import subprocess
import sys
import textwrap
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.dont_write_bytecode = True  # leave no __pycache__ in the parent folder


def _load_single_capture():
    """../capture.py (the single-job mapping) under its own module name; importing it sets the
    SDK's environment up (no config files, test credentials, region us-west-2)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "single_capture", os.path.join(os.path.dirname(HERE), "capture.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["single_capture"] = module
    spec.loader.exec_module(module)
    return module


single = _load_single_capture()

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
import jinja2  # noqa: E402
import yaml  # noqa: E402

from sagemaker.workflow.pipeline import Pipeline  # noqa: E402
from sagemaker.workflow.pipeline_context import PipelineSession, _StepArguments  # noqa: E402
from sagemaker.workflow.steps import ProcessingStep, CacheConfig  # noqa: E402
from sagemaker.workflow.retry import (  # noqa: E402
    SageMakerJobStepRetryPolicy,
    SageMakerJobExceptionTypeEnum,
)
from sagemaker.workflow.functions import Join  # noqa: E402
from sagemaker.workflow.parameters import (  # noqa: E402
    ParameterString,
    ParameterInteger,
    ParameterFloat,
    ParameterBoolean,
)

CaptureError = single.CaptureError
RETRY_CATEGORIES = {
    "CapacityError": SageMakerJobExceptionTypeEnum.CAPACITY_ERROR,
    "InternalServerError": SageMakerJobExceptionTypeEnum.INTERNAL_ERROR,
    "ResourceLimitExceeded": SageMakerJobExceptionTypeEnum.RESOURCE_LIMIT,
}
MARKER = re.compile(r"@@PJOBREF(\d+)@@")


# --------------------------------------------------------------------------- moto


@contextlib.contextmanager
def moto_endpoint():
    """The endpoint of a moto server: PJOB_TEST_MOTO_ENDPOINT, or one started for this run."""
    if os.environ.get("PJOB_TEST_MOTO_ENDPOINT"):
        yield os.environ["PJOB_TEST_MOTO_ENDPOINT"]
        return
    env = dict(os.environ, PJOB_MOTO_DIR=os.environ.get("PJOB_MOTO_DIR", "/tmp/moto-plcap"))
    script = os.path.join(REPO, "tests", "moto.sh")
    out = subprocess.run(["sh", script, "start"], env=env, check=True, capture_output=True,
                         text=True).stdout
    endpoint = re.search(r"PJOB_TEST_MOTO_ENDPOINT=(\S+)", out).group(1)
    try:
        yield endpoint
    finally:
        subprocess.run(["sh", script, "stop"], env=env, check=True)


class S3:
    """The emulated S3: emptied before each case, listed after it."""

    def __init__(self, endpoint):
        self.client = boto3.client("s3", region_name=single.REGION, endpoint_url=endpoint)
        self.resource = boto3.resource("s3", region_name=single.REGION, endpoint_url=endpoint)

    def reset(self, buckets):
        for b in self.client.list_buckets().get("Buckets", []):
            self.resource.Bucket(b["Name"]).objects.all().delete()
            self.client.delete_bucket(Bucket=b["Name"])
        for name in sorted(set(buckets) | {single.BUCKET}):
            try:
                self.client.create_bucket(
                    Bucket=name,
                    CreateBucketConfiguration={"LocationConstraint": single.REGION})
            except botocore.exceptions.ClientError as e:
                if e.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
                    raise

    def objects(self):
        out = {}
        for b in self.client.list_buckets().get("Buckets", []):
            for obj in self.resource.Bucket(b["Name"]).objects.all():
                data = obj.get()["Body"].read()
                out[f"s3://{b['Name']}/{obj.key}"] = data
        return out


def make_session(endpoint, s3, default_bucket_prefix=None):
    boto = boto3.Session(region_name=single.REGION)
    sess = PipelineSession(
        boto_session=boto,
        sagemaker_client=boto.client("sagemaker", endpoint_url=endpoint),
        default_bucket=single.BUCKET,
        sagemaker_config={"SchemaVersion": "1.0"},
        default_bucket_prefix=default_bucket_prefix,
    )
    sess.s3_client = s3.client
    sess.s3_resource = s3.resource
    return sess


# --------------------------------------------------------------------------- manifests


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans: `on`, `off`, `yes`, `no` stay strings."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


def load_case(case_dir):
    try:
        case = json.load(open(os.path.join(case_dir, "case.json")))
    except FileNotFoundError:
        raise CaptureError(f"{case_dir}: no case.json")
    single.only(case, {"pipeline", "parameters"}, "case.json")
    paths = sorted(p for ext in ("yaml", "yml", "toml")
                   for p in glob.glob(os.path.join(case_dir, f"*.{ext}")))
    docs = []
    for path in paths:
        text = open(path, encoding="utf-8").read()
        if path.endswith(".toml"):
            found = [single.tomllib.loads(text)]
        else:
            found = [d for d in yaml.load_all(text, Loader=Yaml12Loader) if d is not None]
        for d in found:
            if not str(d.get("apiVersion", "")).startswith("pjob/"):
                raise CaptureError(f"{path}: apiVersion must be pjob/...")
            docs.append((path, d))
    if not docs:
        raise CaptureError(f"{case_dir}: no manifest")
    names = [(d.get("metadata") or {}).get("name") for _, d in docs]
    if len(set(names)) != len(names) or None in names:
        raise CaptureError(f"{case_dir}: metadata.name missing or not unique: {names}")
    return case, docs


class Markers:
    """Unique strings that stand for SDK objects until the values are handed to the SDK."""

    def __init__(self):
        self.meaning = []  # index -> ("output", job, output) | ("job_name", job) | ("param", v)

    def make(self, *meaning):
        self.meaning.append(meaning)
        return f"@@PJOBREF{len(self.meaning) - 1}@@"


class JobRef:
    def __init__(self, markers, name):
        self._markers, self._name = markers, name

    @property
    def job_name(self):
        return self._markers.make("job_name", self._name)

    @property
    def outputs(self):
        return OutputRefs(self._markers, self._name)


class OutputRefs:
    def __init__(self, markers, job):
        self._markers, self._job = markers, job

    def __getitem__(self, output):
        return self._markers.make("output", self._job, output)

    def __getattr__(self, output):
        if output.startswith("_"):
            raise AttributeError(output)
        return self[output]


class JobRefs:
    def __init__(self, markers, names):
        self._markers, self._names = markers, set(names)

    def __getitem__(self, name):
        if name not in self._names:
            raise CaptureError(f"unknown job {name!r} in a jobs.* reference")
        return JobRef(self._markers, name)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


def render_templates(doc, path, markers, job_names, parameters):
    """single.render_templates, plus `jobs.*` references and pipeline parameters as markers."""
    extra = {p: markers.make("param", p) for p in parameters}
    extra["jobs"] = JobRefs(markers, job_names)
    return single.render_templates(doc, path, extra)


def marker_ids(v):
    """Every marker index in a rendered value."""
    if isinstance(v, dict):
        return [i for x in v.values() for i in marker_ids(x)]
    if isinstance(v, list):
        return [i for x in v for i in marker_ids(x)]
    if isinstance(v, str):
        return [int(m) for m in MARKER.findall(v)]
    return []


def upstream(doc, markers):
    """The jobs a rendered manifest references or lists in metadata.depends_on."""
    refs = [markers.meaning[i] for i in marker_ids(doc)]
    names = [m[1] for m in refs if m[0] in ("output", "job_name")]
    return set(names) | set((doc.get("metadata") or {}).get("depends_on") or [])


def dependency_order(jobs, markers):
    """Jobs (file-name order) sorted so that each comes after everything it depends on."""
    done, order = set(), []
    deps = {name: upstream(doc, markers) for name, _, doc in jobs}
    for name, d in deps.items():
        unknown = d - set(deps)
        if unknown:
            raise CaptureError(f"{name}: depends on unknown jobs {sorted(unknown)}")
    while len(order) < len(jobs):
        ready = [j for j in jobs if j[0] not in done and deps[j[0]] <= done]
        if not ready:
            raise CaptureError("dependency cycle")
        order.append(ready[0])
        done.add(ready[0][0])
    return order


# --------------------------------------------------------------------------- SDK objects


def parameter_objects(case, docs):
    """The pipeline parameters of case.json, typed and defaulted by the manifests' vars."""
    found = {}
    for path, doc in docs:
        for name in case.get("parameters") or []:
            v = (doc.get("vars") or {}).get(name)
            if name not in (doc.get("vars") or {}):
                continue
            if name in found and found[name] != v:
                raise CaptureError(f"parameter {name}: two manifests give different defaults")
            found[name] = v
    params = {}
    for name in case.get("parameters") or []:
        if name not in found:
            raise CaptureError(f"parameter {name}: no manifest has it in vars")
        v = found[name]
        if isinstance(v, bool):
            params[name] = ParameterBoolean(name=name, default_value=v)
        elif isinstance(v, int):
            params[name] = ParameterInteger(name=name, default_value=v)
        elif isinstance(v, float):
            params[name] = ParameterFloat(name=name, default_value=v)
        elif isinstance(v, str):
            params[name] = ParameterString(name=name, default_value=v)
        else:
            raise CaptureError(f"parameter {name}: unsupported value {v!r}")
    return params


def marker_object(meaning, steps, params):
    if meaning[0] == "param":
        return params[meaning[1]]
    step = steps.get(meaning[1])
    if step is None:
        raise CaptureError(f"reference to job {meaning[1]!r} before its step exists")
    if meaning[0] == "job_name":
        return step.properties.ProcessingJobName
    return step.properties.ProcessingOutputConfig.Outputs[meaning[2]].S3Output.S3Uri


def join_values(text, obj):
    """The separator and values of a Join that makes `text`; obj() turns a marker into its object.

    When every marker is a whole "/"-separated segment: on "/", one value per segment (a leading
    "s3:" and the empty segment after it are one value "s3:/", as the SDK writes its own S3 URIs).
    Otherwise: on "", the literal pieces between the markers and the markers.
    """
    segments = text.split("/")
    if all(MARKER.fullmatch(s) or not MARKER.search(s) for s in segments):
        if len(segments) > 2 and segments[0] == "s3:" and segments[1] == "":
            segments = ["s3:/"] + segments[2:]
        return "/", [obj(s) if MARKER.fullmatch(s) else s for s in segments]
    values = []
    for n, piece in enumerate(MARKER.split(text)):
        if n % 2:
            values.append(obj(f"@@PJOBREF{piece}@@"))
        elif piece:
            values.append(piece)
    return "", values


def to_sdk(v, markers, steps, params):
    """Replace every string holding markers with the SDK object (or Join) it stands for."""
    if isinstance(v, dict):
        return {k: to_sdk(x, markers, steps, params) for k, x in v.items()}
    if isinstance(v, list):
        return [to_sdk(x, markers, steps, params) for x in v]
    if not isinstance(v, str) or not MARKER.search(v):
        return v

    def obj(m):
        return marker_object(markers.meaning[int(MARKER.fullmatch(m).group(1))], steps, params)

    if MARKER.fullmatch(v):
        return obj(v)
    on, values = join_values(v, obj)
    return Join(on=on, values=values)


def step_options(meta, spec, steps):
    kw = {}
    deps = meta.get("depends_on") or []
    if deps:
        kw["depends_on"] = [steps[d] for d in deps]
    if "cache" in spec:
        cache = single.only(spec["cache"], {"expire_after"}, "spec.cache")
        kw["cache_config"] = CacheConfig(enable_caching=True,
                                         expire_after=cache.get("expire_after"))
    if "retry" in spec:
        r = single.only(spec["retry"], {"attempts", "on", "interval_seconds", "backoff_rate"},
                        "spec.retry")
        unknown = set(r.get("on") or []) - set(RETRY_CATEGORIES)
        if unknown:
            raise CaptureError(f"spec.retry.on: unknown categories {sorted(unknown)}")
        kw["retry_policies"] = [SageMakerJobStepRetryPolicy(
            exception_types=[RETRY_CATEGORIES[c] for c in r.get("on") or []],
            max_attempts=r["attempts"],
            interval_seconds=r.get("interval_seconds", 1),
            backoff_rate=r.get("backoff_rate", 2.0),
        )]
    return kw


@contextlib.contextmanager
def recording_step_arguments():
    """Every _StepArguments a processor's run() returns under a PipelineSession."""
    made, init = [], _StepArguments.__init__

    def record(self, *a, **kw):
        init(self, *a, **kw)
        if type(self) is _StepArguments:
            made.append(self)

    _StepArguments.__init__ = record
    try:
        yield made
    finally:
        _StepArguments.__init__ = init


def make_step(doc, sess, markers, steps, params):
    meta = dict(doc.get("metadata") or {})
    spec = dict(doc.get("spec") or {})
    options = step_options(meta, spec, steps)
    meta.pop("depends_on", None)
    spec.pop("cache", None)
    spec.pop("retry", None)
    meta = to_sdk(meta, markers, steps, params)
    spec = to_sdk(spec, markers, steps, params)
    with recording_step_arguments() as made:
        single.run_processor(doc.get("kind"), meta, spec, sess)
    if len(made) != 1:
        raise CaptureError(f"{meta.get('name')}: expected one run(), got {len(made)}")
    return ProcessingStep(name=meta["name"], step_args=made[0], **options)


# --------------------------------------------------------------------------- capture


def s3_buckets(v):
    """Buckets named by s3:// URIs in a manifest (created empty so the SDK can upload there)."""
    if isinstance(v, dict):
        return {b for x in v.values() for b in s3_buckets(x)}
    if isinstance(v, list):
        return {b for x in v for b in s3_buckets(x)}
    if isinstance(v, str):
        return set(re.findall(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])", v))
    return set()


def build_definition(case, docs, sess):
    markers = Markers()
    names = [(d.get("metadata") or {})["name"] for _, d in docs]
    params = parameter_objects(case, docs)
    jobs = [(name, path, render_templates(doc, path, markers, names, list(params)))
            for name, (path, doc) in zip(names, docs)]
    steps = {}
    for name, path, doc in dependency_order(jobs, markers):
        with contextlib.chdir(os.path.dirname(path)):
            steps[name] = make_step(doc, sess, markers, steps, params)
    pipeline = Pipeline(name=case["pipeline"], parameters=list(params.values()),
                        steps=list(steps.values()), sagemaker_session=sess)
    with contextlib.chdir(os.path.dirname(docs[0][0])):
        return json.loads(pipeline.definition())


def capture(case_dir, endpoint, s3, verbose=False):
    case, docs = load_case(case_dir)
    prefixes = {(d.get("spec") or {}).get("default_bucket_prefix") for _, d in docs}
    if len(prefixes) != 1:
        raise CaptureError("manifests give different default_bucket_prefix values")
    s3.reset(s3_buckets([d for _, d in docs]))
    sess = make_session(endpoint, s3, prefixes.pop())
    try:
        definition = build_definition(case, docs, sess)
    except CaptureError:
        raise
    except single.REFUSALS as e:
        if verbose:
            traceback.print_exc()
        msg = textwrap.dedent(str(e)).strip() or "(no message)"
        return {"error": f"{type(e).__name__}: {msg}"}
    out = {"pipeline": {"name": case["pipeline"], "definition": definition}}
    objects = s3.objects()
    if objects:
        out["s3"] = {uri: single.describe_object(uri, data)
                     for uri, data in sorted(objects.items())}
    return out


def main(argv):
    check = "--check" in argv
    verbose = "-v" in argv
    args = [a for a in argv if a not in ("--check", "-v")]
    if args and args[0] == "--all":
        root = args[1]
        cases = sorted(os.path.join(root, d) for d in os.listdir(root)
                       if os.path.exists(os.path.join(root, d, "case.json")))
    else:
        cases = args
    if not cases:
        print(__doc__)
        return 2
    bad = 0
    with moto_endpoint() as endpoint:
        os.environ.setdefault("AWS_ENDPOINT_URL", endpoint)  # no client reaches AWS itself
        s3 = S3(endpoint)
        for case in cases:
            name = os.path.basename(os.path.normpath(case))
            try:
                out = capture(os.path.abspath(case), endpoint, s3, verbose=verbose)
            except CaptureError as e:
                print(f"SKIP  {name}: {e}")
                bad += 1
                continue
            bad += single.record(case, out, check)
    print(f"sagemaker {single.sagemaker.__version__}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
