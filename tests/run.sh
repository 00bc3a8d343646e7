#!/usr/bin/env bash
# The whole test suite, from a clean clone on a fresh machine:
#   bash tests/run.sh
# It installs what the tests need (missing system packages with apt-get,
# rustfmt and clippy with rustup, moto's server mode from PyPI, the editor
# test's npm packages), starts moto on 127.0.0.1, checks formatting and
# clippy, builds the workspace, runs every Rust test (the SDK conformance
# cases of tests/conformance among them), holds `pjob render` against
# ../shared/conformance with its compare.py when that folder is there, runs
# the editor and pre-commit integration tests, stops moto, and prints one
# closing `N passed, N failed` line (`, N skipped` added when tests could not
# check anything on this machine). README.md ("First commands") lists what
# it needs and what happens without it.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
log=$(mktemp -d)
export CARGO_TERM_COLOR=never NO_COLOR=1
# A CI run builds once: incremental caches would only take disk (gigabytes).
[ -z "${CI:-}" ] || export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
passed=0 failed=0 skipped=0
failed_steps=()

step() { echo; echo "=== $*"; }

# The tests' own counts in a log: libtest's `test result: ... N passed; N
# failed` lines, or else the `N passed, N failed` line of a script.
counts() {
  if grep -q '^test result: ' "$1"; then
    grep -hoE '^test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$1" | awk '{p += $4; f += $6} END {print p + 0, f + 0}'
  else
    grep -hE '^[0-9]+ passed, [0-9]+ failed' "$1" | awk '{p += $1; f += $3} END {print p + 0, f + 0}'
  fi
}

# tally NAME STATUS LOG: adds a step's tests to the totals. A step that
# failed without a failing test of its own (it did not build, say) counts
# as one failure.
tally() {
  local p f
  read -r p f < <(counts "$3")
  passed=$((passed + p)) failed=$((failed + f))
  if [ "$2" -ne 0 ]; then
    failed_steps+=("$1")
    [ "$f" -gt 0 ] || failed=$((failed + 1))
  fi
}

# check NAME COMMAND...: a check that is one test of its own.
check() {
  local name=$1 out
  shift
  out=$(mktemp -p "$log")
  step "$name"
  if "$@" >"$out" 2>&1; then
    passed=$((passed + 1)); echo ok
  else
    failed=$((failed + 1)); failed_steps+=("$name"); tail -n 60 "$out"
  fi
}

# --- what the tests need -------------------------------------------------------
# Programs the tests run, by the Debian package that has them.
declare -A package=(
  [zsh]=zsh [fish]=fish [groff]=groff-base [man]=man-db      # completions, man page
  [unshare]=util-linux [setpriv]=util-linux [mount]=mount     # local sandbox
  [capsh]=libcap2-bin                                          # local sandbox
  [node]=nodejs [npm]=npm                                      # editor test
  [jq]=jq [git]=git                                            # pre-commit test
)
wanted=()
for tool in "${!package[@]}"; do command -v "$tool" >/dev/null 2>&1 || wanted+=("${package[$tool]}"); done
# `python3 -m venv` (pre-commit test, moto) needs ensurepip, which Debian ships apart.
python3 -c 'import ensurepip' >/dev/null 2>&1 || wanted+=(python3-venv)
if [ ${#wanted[@]} -gt 0 ]; then
  mapfile -t wanted < <(printf '%s\n' "${wanted[@]}" | sort -u)
  step "apt-get install ${wanted[*]}"
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  if [ ${#sudo[@]} -gt 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "cannot install them: not root and no sudo; the tests that need them fail or are skipped"
  else
    "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null ||
      echo "apt-get could not install them; the tests that need them fail or are skipped"
  fi
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' >/dev/null 2>&1; then
  echo "note: the editor test needs Node 20 or later; this machine has $(node --version 2>/dev/null || echo none)"
fi
for component in rustfmt clippy; do
  cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 || rustup component add "$component"
done

# --- services ------------------------------------------------------------------
step "moto (AWS emulator) on 127.0.0.1"
# moto 5.2.5 or later: older ones answer CompleteMultipartUpload wrongly.
moto_ready() {
  command -v moto_server >/dev/null 2>&1 && python3 - <<'PY' >/dev/null 2>&1
import flask, moto
from importlib.metadata import version
v = tuple(int(x) for x in version("moto").split(".")[:3] if x.isdigit())
assert v >= (5, 2, 5)
PY
}
# Installed, when this machine has no moto, in a virtualenv of its own
# (a system Python may refuse `pip install`).
venv="${CARGO_TARGET_DIR:-$root/target}/test-venv"
[ -x "$venv/bin/moto_server" ] && export PATH="$venv/bin:$PATH"
if ! moto_ready; then
  if ! { [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"; } ||
    ! "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]>=5.2.5,<6'; then
    echo "cannot install moto"; echo "0 passed, 1 failed"; exit 1
  fi
  export PATH="$venv/bin:$PATH"
fi
bash tests/moto.sh start >/dev/null || { echo "cannot start moto"; echo "0 passed, 1 failed"; exit 1; }
trap 'bash "$root/tests/moto.sh" stop' EXIT
export PJOB_TEST_MOTO_ENDPOINT
PJOB_TEST_MOTO_ENDPOINT=$(bash tests/moto.sh url)
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
echo "moto at $PJOB_TEST_MOTO_ENDPOINT"

# --- Rust ----------------------------------------------------------------------
check "cargo fmt --check" cargo fmt --all --check
check "cargo build" cargo build --workspace --locked
check "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo test"
# --show-output prints what passing tests wrote, among it the `SKIPPED: test:
# reason` line of a test that could check nothing on this machine.
cargo test --workspace --locked --no-fail-fast -- --show-output 2>&1 | tee "$log/cargo.txt" |
  grep -E '^( +Running |   Doc-tests |test result|test .* FAILED|SKIPPED: )'
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || awk '/^failures:$/ {on = 1} on {print} /^test result:/ {on = 0} /^error(\[|:)/ {print}' "$log/cargo.txt" | head -n 300
tally "cargo test" "$status" "$log/cargo.txt"
skipped=$(grep -c '^SKIPPED: ' "$log/cargo.txt")
passed=$((passed - skipped))

# --- conformance against the SDK's requests, with the shared compare.py --------
# `cargo test` holds every case already (crates/pjob-jobset/tests/conformance.rs);
# compare.py, run on the `pjob` binary, is an extra check where it is present.
pjob="${CARGO_TARGET_DIR:-$root/target}/debug/pjob"
compare="$root/../shared/conformance/compare.py"
if [ -f "$compare" ]; then
  for dir in ../shared/conformance tests/conformance; do
    step "conformance (compare.py): $dir"
    out=$(mktemp -p "$log")
    cases=()
    # Single-job cases only: tests/conformance/pipelines/ holds pipeline cases
    # (cargo test -p pjob-pipeline --test conformance holds those).
    for case_dir in "$dir"/*/; do
      case_dir=${case_dir%/}
      [ -f "$case_dir/job.yaml" ] || [ -f "$case_dir/job.toml" ] || continue
      cases+=("${case_dir##*/}")
    done
    python3 "$compare" "$pjob" "$dir" "${cases[@]}" >"$out" 2>&1
    status=$?
    grep -v '^ok ' "$out"
    tally "conformance $dir" "$status" "$out"
  done
else
  step "conformance (compare.py)"
  echo "../shared/conformance is not beside this repository: its compare.py does not run (cargo test held tests/conformance)"
fi

# --- editor and GitOps integration ---------------------------------------------
for t in tests/editor/run.sh tests/precommit/run.sh; do
  step "$t"
  out="$log/$(basename "$(dirname "$t")").txt"
  PJOB="$pjob" bash "$t" >"$out" 2>&1
  status=$?
  tail -n 15 "$out"
  tally "$t" "$status" "$out"
done

# --- summary -------------------------------------------------------------------
step "summary"
[ ${#failed_steps[@]} -eq 0 ] || echo "failed steps: ${failed_steps[*]}"
grep '^SKIPPED: ' "$log/cargo.txt"
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
