#!/usr/bin/env bash
# The long fuzzing pass: mutants of every shipped and tested manifest through
# the whole offline pipeline (see crates/pjob-jobset/tests/fuzz_manifests.rs).
#   bash tests/fuzz.sh [MUTANTS] [SEED]     default: 20000 mutants, a seed from the clock
# A failing mutant is kept in target/fuzz-failures/ to replay with `pjob validate`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PJOB_FUZZ_MUTANTS=${1:-20000} PJOB_FUZZ_SEED=${2:-$(date +%s)}
echo "fuzzing: $PJOB_FUZZ_MUTANTS mutants, seed $PJOB_FUZZ_SEED"
exec cargo test --release -p pjob-jobset --test fuzz_manifests -- --nocapture
