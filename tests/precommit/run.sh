#!/usr/bin/env bash
# GitOps checks. .pre-commit-hooks.yaml with the real pre-commit (pinned, from
# PyPI, in a scratch virtualenv): `pre-commit try-repo` runs the pjob-validate
# hook in a throwaway Git repository holding valid and invalid manifests. Then
# the validate step of examples/ci/github-actions.yaml, run as GitHub runs it
# (bash -e -o pipefail), over a folder with and without an invalid manifest.
# Needs python3 (venv), git and jq.
#
#   tests/precommit/run.sh                # builds pjob with cargo first
#   PJOB=path/to/pjob tests/precommit/run.sh
#
# Ends with `N passed, N failed`; exits non-zero on any failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
PRE_COMMIT_VERSION=4.6.0

if [[ -z "${PJOB:-}" ]]; then
  cargo build --quiet --manifest-path "$repo/Cargo.toml" -p pjob-cli || exit 1
  PJOB="${CARGO_TARGET_DIR:-$repo/target}/debug/pjob"
fi
[[ -x "$PJOB" ]] || { echo "error: PJOB=$PJOB is not an executable"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The hook is `language: system`: it runs the pjob found on PATH.
mkdir -p "$work/bin" && ln -s "$(cd "$(dirname "$PJOB")" && pwd)/$(basename "$PJOB")" "$work/bin/pjob"
export PATH="$work/bin:$PATH"
# pre-commit keeps its cache here, not in ~/.cache, and never asks anything.
export PRE_COMMIT_HOME="$work/cache" GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME"
git config --global user.email ci@example.invalid
git config --global user.name ci
git config --global init.defaultBranch main

python3 -m venv "$work/venv" || { echo "error: python3 -m venv failed (apt-get install python3-venv)"; exit 1; }
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION" || { echo "error: cannot install pre-commit"; exit 1; }
pre_commit="$work/venv/bin/pre-commit"

# The hook repository: this tree's .pre-commit-hooks.yaml, committed (try-repo
# reads committed files).
hooks="$work/hooks"
mkdir -p "$hooks" && cp "$repo/.pre-commit-hooks.yaml" "$hooks/"
git -C "$hooks" init --quiet && git -C "$hooks" add -A && git -C "$hooks" commit --quiet -m hooks

passed=0 failed=0
check() { # check NAME CONDITION-EXIT-CODE OUTPUT-FILE
  if [[ "$2" -eq 0 ]]; then passed=$((passed + 1)); echo "ok - $1"
  else failed=$((failed + 1)); echo "not ok - $1"; sed 's/^/    /' "$3" | head -n 40; fi
}

valid_yaml() {
  cat <<'YAML'
apiVersion: pjob/v1
kind: ScriptProcessor
metadata:
  name: churn-preprocess
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  image_uri: 246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
  command: [python3]
  code: s3://my-data/code/preprocess.py
  instance_count: 1
  instance_type: ml.m5.xlarge
  outputs:
    - source: /opt/ml/processing/output
      destination: s3://my-data/out/
      s3_upload_mode: EndOfJob
YAML
}
valid_toml() {
  cat <<'TOML'
apiVersion = "pjob/v1"
kind = "Processor"

[metadata]
name = "toml-job"

[spec]
role = "arn:aws:iam::123456789012:role/SageMakerRole"
image_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1"
instance_count = 1
instance_type = "ml.m5.xlarge"
TOML
}

# A repository to commit in.
target="$work/target"
mkdir -p "$target/jobs/nightly" && git -C "$target" init --quiet
valid_yaml > "$target/jobs/churn.pjob.yaml"
valid_toml > "$target/jobs/nightly/report.pjob.toml"
printf 'name: not a pjob manifest\nsteps: [1, 2]\n' > "$target/workflow.yaml"
# A pjob manifest the hook must not see: its name does not match `files:`.
valid_yaml | sed 's/instance_type: ml.m5.xlarge/instance_typo: ml.m5.xlarge/' > "$target/jobs/legacy.yaml"
git -C "$target" add -A

try_repo() { (cd "$target" && "$pre_commit" try-repo "$hooks" pjob-validate --all-files --color never) > "$work/out.txt" 2>&1; }

try_repo; status=$?
[[ $status -eq 0 ]] && grep -qE '^pjob validate\.+Passed' "$work/out.txt"
check "valid *.pjob.yaml and *.pjob.toml pass; other YAML (and *.yaml not named *.pjob.*) is not checked" $? "$work/out.txt"

# One broken manifest per file name the hook matches.
valid_yaml | sed 's/s3_upload_mode: EndOfJob/s3_upload_mode: Sometimes/' > "$target/jobs/bad-enum.pjob.yml"
valid_yaml | sed 's/instance_type: ml.m5.xlarge/instance_typo: ml.m5.xlarge/' > "$target/jobs/bad-field.pjob.yaml"
valid_toml | sed 's/instance_count = 1/instance_count = 0/' > "$target/jobs/nightly/bad-count.pjob.toml"
git -C "$target" add -A
try_repo; status=$?
[[ $status -ne 0 ]] && grep -qE '^pjob validate\.+Failed' "$work/out.txt" && grep -q 'exit code: 2' "$work/out.txt"
check "an invalid manifest fails the commit (pjob exits 2)" $? "$work/out.txt"
grep -q 'bad-enum.pjob.yml:15:23' "$work/out.txt" && grep -q 'Sometimes' "$work/out.txt"
check "*.pjob.yml is checked: bad s3_upload_mode reported at file:line:col" $? "$work/out.txt"
grep -q 'bad-field.pjob.yaml:11:' "$work/out.txt" && grep -q 'instance_typo' "$work/out.txt"
check "*.pjob.yaml is checked: unknown field reported at file:line:col" $? "$work/out.txt"
grep -q 'bad-count.pjob.toml:10:' "$work/out.txt"
check "*.pjob.toml is checked: instance_count 0 reported at file:line:col" $? "$work/out.txt"
! grep -q 'legacy.yaml' "$work/out.txt"
check "files not named *.pjob.{yaml,yml,toml} are left alone" $? "$work/out.txt"

# Only the staged files are checked on a normal commit: a broken file that is
# not part of the commit does not block it.
git -C "$target" rm --quiet --cached jobs/bad-enum.pjob.yml jobs/bad-field.pjob.yaml jobs/nightly/bad-count.pjob.toml
(cd "$target" && "$pre_commit" try-repo "$hooks" pjob-validate --files jobs/churn.pjob.yaml --color never) > "$work/out.txt" 2>&1
status=$?
[[ $status -eq 0 ]] && grep -qE '^pjob validate\.+Passed' "$work/out.txt"
check "checking only a valid file passes even with broken files beside it" $? "$work/out.txt"

# --- the CI example's validate step ----------------------------------------
# Its `run:` script, read with the PyYAML that pre-commit brought along.
"$work/venv/bin/python" - "$repo/examples/ci/github-actions.yaml" > "$work/validate-step.sh" <<'PY'
import sys, yaml
workflow = yaml.safe_load(open(sys.argv[1]))
steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
print(next(s["run"] for s in steps if s.get("name", "").startswith("Validate")))
PY
ci_step() { # ci_step FOLDER: runs the step in the target repository
  (cd "$target" && MANIFESTS="$1" bash --noprofile --norc -eo pipefail "$work/validate-step.sh") > "$work/out.txt" 2>&1
}
git -C "$target" rm --quiet --cached -r . && rm -f "$target"/jobs/bad-*.pjob.* "$target"/jobs/nightly/bad-*.pjob.* "$target"/jobs/legacy.yaml
ci_step jobs/; status=$?
[[ $status -eq 0 ]] && grep -q '2 job(s) in 2 file(s); valid: true' "$work/out.txt" && ! grep -q '::error' "$work/out.txt"
check "CI example: a folder of valid manifests passes the validate step" $? "$work/out.txt"
mkdir -p "$target/jobs/team-b"
valid_yaml | sed 's/s3_upload_mode: EndOfJob/s3_upload_mode: Sometimes/' > "$target/jobs/team-b/broken.pjob.yaml"
ci_step jobs/; status=$?
[[ $status -eq 2 ]] && grep -q '^::error file=jobs/team-b/broken.pjob.yaml,line=15,col=23,title=pjob validate::.*Sometimes' "$work/out.txt"
check "CI example: an invalid manifest anywhere under the folder fails the step (exit 2) with a file:line:col annotation" $? "$work/out.txt"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
