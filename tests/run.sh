#!/usr/bin/env bash
# The whole test suite, from a clean clone on a fresh machine:
#   bash tests/run.sh
# It installs what the tests need (moto's server mode from PyPI, the editor
# test's npm packages), starts moto on 127.0.0.1, builds the workspace, runs
# every Rust test, holds `pjob render` against the SageMaker SDK's requests
# (../shared/conformance when present, and tests/conformance), runs the
# editor and pre-commit integration tests, stops moto, and prints one closing
# `N passed, N failed` line.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log=$(mktemp -d)
export CARGO_TERM_COLOR=never NO_COLOR=1
failed_steps=()

step() { echo; echo "=== $*"; }

# --- system packages the tests use (shells for completion tests, man) -------
missing=()
for tool in zsh fish groff man jq git; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install (${missing[*]})"
  pkgs=()
  for tool in "${missing[@]}"; do
    case $tool in groff) pkgs+=(groff-base) ;; man) pkgs+=(man-db) ;; *) pkgs+=("$tool") ;; esac
  done
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null; fi
fi

# --- services ---------------------------------------------------------------
step "moto (AWS emulator) on 127.0.0.1"
# moto 5.2.5 or later: older ones answer CompleteMultipartUpload wrongly.
if ! command -v moto_server >/dev/null 2>&1 || ! python3 - <<'PY' >/dev/null 2>&1
import flask, moto
from importlib.metadata import version
v = tuple(int(x) for x in version("moto").split(".")[:3] if x.isdigit())
assert v >= (5, 2, 5)
PY
then
  python3 -m pip install --quiet --disable-pip-version-check --upgrade 'moto[server]>=5.2.5,<6' || { echo "cannot install moto"; exit 1; }
fi
bash tests/moto.sh start || { echo "cannot start moto"; exit 1; }
trap 'bash "$root/tests/moto.sh" stop' EXIT
export PJOB_TEST_MOTO_ENDPOINT
PJOB_TEST_MOTO_ENDPOINT=$(bash tests/moto.sh url)
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
echo "moto at $PJOB_TEST_MOTO_ENDPOINT"

# --- Rust -------------------------------------------------------------------
step "cargo build"
cargo build --workspace --locked 2>&1 | tail -n 3 || failed_steps+=("cargo build")
step "cargo test"
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log/cargo.txt" | grep -E '^(test result|running|test .* FAILED|failures:|---- )' || true
grep -q 'test result: FAILED' "$log/cargo.txt" && failed_steps+=("cargo test")
grep -qE '^error(\[|:)' "$log/cargo.txt" && failed_steps+=("cargo test (build)")

# --- conformance against the SDK's requests ---------------------------------
pjob="${CARGO_TARGET_DIR:-$root/target}/debug/pjob"
conformance() {
  local dir=$1 cases
  cases=$(cd "$dir" && ls -d */ 2>/dev/null | tr -d /)
  [ -n "$cases" ] || return 0
  # shellcheck disable=SC2086
  python3 "$root/../shared/conformance/compare.py" "$pjob" "$dir" $cases 2>&1 | tee -a "$log/conformance.txt" | grep -v '^ok ' || true
}
if [ -f ../shared/conformance/compare.py ]; then
  step "conformance: ../shared/conformance"
  conformance ../shared/conformance
  step "conformance: tests/conformance"
  conformance tests/conformance
  grep -q '^FAIL' "$log/conformance.txt" && failed_steps+=("conformance")
else
  echo "../shared/conformance is missing: cannot check conformance"; failed_steps+=("conformance (missing)")
fi

# --- editor and GitOps integration ------------------------------------------
for t in tests/editor/run.sh tests/precommit/run.sh; do
  if [ -f "$t" ]; then
    step "$t"
    PJOB="$pjob" bash "$t" 2>&1 | tee "$log/$(basename "$(dirname "$t")").txt" | tail -n 15
    [ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("$t")
  fi
done

# --- summary ----------------------------------------------------------------
step "summary"
passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  grep -hoE 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$log/cargo.txt" | awk '{print $4, $6}'
  grep -hE "^[0-9]+ passed, [0-9]+ failed" "$log"/*.txt 2>/dev/null | awk '{print $1, $3}'
)
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  [ "$failed" -gt 0 ] || failed=${#failed_steps[@]}
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
