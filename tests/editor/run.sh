#!/usr/bin/env bash
# Editor integration test: the real yaml-language-server (pinned in
# package-lock.json, installed from the npm registry with `npm ci`) driven over
# LSP on stdio against schemas/pjob.schema.json. Needs Node 20+ and npm.
#
#   tests/editor/run.sh              # builds pjob with cargo, then runs the test
#   PJOB=path/to/pjob tests/editor/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [[ -z "${PJOB:-}" ]]; then
  cargo build --quiet --manifest-path "$repo/Cargo.toml" -p pjob-cli
  target="${CARGO_TARGET_DIR:-$repo/target}"
  PJOB="$target/debug/pjob"
fi
export PJOB

cd "$here"
npm ci --no-audit --no-fund --loglevel=error
node lsp-test.mjs
