#!/usr/bin/env bash
# pjob beside the tools a team would otherwise use, on the same inputs, in one run:
#   validate 2,000 / 20,000 / 100,000 manifests   pjob | check-jsonschema | ajv-cli (same schema)
#   pack a 215 MB source_dir                       pjob render | Python's tarfile (w:gz)
#   pack it again, nothing changed                 pjob render (digest remembered)
# Prints wall time (pjob and ajv-cli: the median of seven runs, taken in turn), peak memory and the ratios
# (against ajv-cli: the median of the seven runs' ratios). Usage: bash tests/bench.sh [--quick]
# (--quick: 2,000 and 20,000 manifests only). Everything it builds and installs goes
# under target/bench/ (override with BENCH_DIR); nothing here is a test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=${BENCH_DIR:-$ROOT/target/bench}
QUICK=${1:-}
mkdir -p "$BENCH"

echo "== building pjob (release)"
cargo build --release -q -p pjob-cli
PJOB=${CARGO_TARGET_DIR:-$ROOT/target}/release/pjob

echo "== installing check-jsonschema (PyPI) and ajv-cli (npm) under $BENCH"
[ -x "$BENCH/venv/bin/check-jsonschema" ] || { python3 -m venv "$BENCH/venv" && "$BENCH/venv/bin/pip" install -q check-jsonschema; }
[ -x "$BENCH/node/node_modules/.bin/ajv" ] || { mkdir -p "$BENCH/node" && npm install -s --prefix "$BENCH/node" ajv-cli@5 ajv-formats@3 >/dev/null; }
CJS=$BENCH/venv/bin/check-jsonschema
AJV=$BENCH/node/node_modules/.bin/ajv

# timed OUT CMD...: runs CMD once (its output discarded) and appends its wall
# seconds, to the tenth of a millisecond, and its peak RSS in KiB to OUT
# (/usr/bin/time counts hundredths of a second: 4% of a 0.25 s run).
timed() {
    local out=$1; shift
    python3 -c 'import os, sys, time
null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ, file_actions=null)
_, _, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "a") as f:
    f.write(f"{wall:.4f} {usage.ru_maxrss}\n")' "$out" "$@"
}

# stats FILE: the median wall seconds and the largest peak RSS (MiB) of the runs `timed` wrote to FILE.
stats() {
    python3 -c "import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
print(statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows) // 1024)" "$1"
}

# measure RUNS LABEL CMD...: the median wall seconds of RUNS runs and the
# largest peak RSS (MiB) into $SECS and $MIB (one run is a sample: a shared
# or virtual machine's speed varies from one second to the next).
measure() {
    local runs=$1 label=$2; shift 2
    : > "$BENCH/time.txt"
    for _ in $(seq "$runs"); do
        timed "$BENCH/time.txt" "$@"
    done
    read -r SECS MIB <<< "$(stats "$BENCH/time.txt")"
    printf '  %-28s %8.3f s %7d MiB  (median of %d)\n' "$label" "$SECS" "$MIB" "$runs"
}
# paired RUNS LABEL_A LABEL_B: runs the commands in arrays A and B in turn,
# RUNS times each, so that both see the machine at the same moments; prints
# each one's median wall seconds and peak RSS, sets $SECS_A and $SECS_B to
# the medians and $PAIRED to the median of B's time over A's, run by run.
paired() {
    local runs=$1 label_a=$2 label_b=$3
    : > "$BENCH/time-a.txt"; : > "$BENCH/time-b.txt"
    for _ in $(seq "$runs"); do
        timed "$BENCH/time-a.txt" "${A[@]}"
        timed "$BENCH/time-b.txt" "${B[@]}"
    done
    read -r SECS_A MIB_A <<< "$(stats "$BENCH/time-a.txt")"
    read -r SECS_B MIB_B <<< "$(stats "$BENCH/time-b.txt")"
    PAIRED=$(python3 -c "import statistics, sys
a, b = ([float(line.split()[0]) for line in open(path)] for path in sys.argv[1:])
ratios = [y / x for x, y in zip(a, b) if x > 0]
print(f'{statistics.median(ratios):.2f}x' if ratios else 'n/a')" "$BENCH/time-a.txt" "$BENCH/time-b.txt")
    printf '  %-28s %8.3f s %7d MiB  (median of %d)\n' "$label_a" "$SECS_A" "$MIB_A" "$runs"
    printf '  %-28s %8.3f s %7d MiB  (median of %d, each run right after one of the above)\n' "$label_b" "$SECS_B" "$MIB_B" "$runs"
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.1f}x' if b > 0 else 'n/a')" "$1" "$2"; }

make_manifests() { # N DIR
    [ -f "$2/.done" ] && return
    rm -rf "$2" && mkdir -p "$2"
    python3 - "$1" "$2" <<'EOF'
import os, sys
n, root = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    d = os.path.join(root, f"d{i // 1000}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"job{i}.yaml"), "w") as f:
        f.write(f"""apiVersion: pjob/v1
kind: Processor
metadata:
  name: job-{i}
  tags: {{team: ml, idx: "{i}"}}
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  image_uri: 123456789012.dkr.ecr.us-west-2.amazonaws.com/my-proc:latest
  instance_count: 1
  instance_type: ml.m5.large
  env: {{STAGE: prod, N: "{i}"}}
  inputs:
    - name: data
      source: s3://data-bucket/raw/{i}/
      destination: /opt/ml/processing/input
  outputs:
    - name: out
      source: /opt/ml/processing/output
      destination: s3://data-bucket/out/{i}/
  arguments: [--day, "2024-01-01", --n, "{i}"]
""")
EOF
    touch "$2/.done"
}

SCHEMA=$ROOT/schemas/pjob.schema.json
SIZES="2000 20000 100000"
[ "$QUICK" = --quick ] && SIZES="2000 20000"
for n in $SIZES; do
    dir=$BENCH/manifests-$n
    make_manifests "$n" "$dir"
    echo "== validate $n manifests"
    if [ "$n" -le 20000 ]; then
        # pjob and ajv-cli in turn: the ratio is the median of the runs' ratios.
        A=("$PJOB" validate "$dir")
        B=("$AJV" validate --spec=draft7 -c ajv-formats --strict=false -s "$SCHEMA" -d "$dir/**/*.yaml")
        paired 7 "pjob validate" "ajv-cli (compiled schema)"; p=$SECS_A; pm=$MIB_A
        measure 1 "check-jsonschema" bash -c "find '$dir' -name '*.yaml' -print0 | xargs -0 '$CJS' --schemafile '$SCHEMA'"; c=$SECS
        echo "     pjob is $(ratio "$c" "$p") faster than check-jsonschema, $PAIRED faster than ajv-cli (run by run)"
    else
        measure 5 "pjob validate" "$PJOB" validate "$dir"; p=$SECS; pm=$MIB
    fi
    per=$(python3 -c "print(f'{$p / $n * 1e6:.0f}')")
    echo "     pjob: $per µs per manifest, peak $pm MiB"
done

echo "== pack a 215 MB source_dir"
SRC=$BENCH/archive/src
if [ ! -f "$BENCH/archive/.done" ]; then
    rm -rf "$BENCH/archive" && mkdir -p "$SRC"
    python3 - "$SRC" <<'EOF'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(7)
# 150 MB of text-like code and data (compresses), 65 MB of random bytes (does not).
words = [f"token{i}" for i in range(5000)]
for i in range(300):
    d = os.path.join(root, f"pkg{i // 30}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"m{i}.py"), "w") as f:
        size = 0
        while size < 500_000:
            line = " ".join(rnd.choice(words) for _ in range(12)) + "\n"
            f.write(line); size += len(line)
for i in range(13):
    with open(os.path.join(root, f"blob{i}.bin"), "wb") as f:
        f.write(rnd.randbytes(5_000_000))
with open(os.path.join(root, "main.py"), "w") as f:
    f.write("print('hello')\n")
EOF
    cat > "$BENCH/archive/job.yaml" <<'EOF'
apiVersion: pjob/v1
kind: FrameworkProcessor
metadata:
  name: big
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  framework: sklearn
  framework_version: "1.2-1"
  code: main.py
  source_dir: src
  instance_count: 1
  instance_type: ml.m5.large
EOF
    touch "$BENCH/archive/.done"
fi
echo "  source_dir: $(du -sm "$SRC" | cut -f1) MB"
export PJOB_CACHE_DIR=$BENCH/cache
rm -rf "$PJOB_CACHE_DIR"
touch -d '1 minute ago' "$SRC" "$SRC"/* "$SRC"/*/*
measure 1 "python tarfile (w:gz)" python3 -c "import tarfile; t = tarfile.open('$BENCH/archive/py.tar.gz', 'w:gz'); t.add('$SRC', arcname='.'); t.close()"; t=$SECS
measure 1 "pjob render (first)" "$PJOB" render --region us-west-2 --default-bucket b "$BENCH/archive/job.yaml"; r1=$SECS
measure 3 "pjob render (unchanged)" "$PJOB" render --region us-west-2 --default-bucket b "$BENCH/archive/job.yaml"; r2=$SECS
echo "     pjob is $(ratio "$t" "$r1") faster than tarfile; unchanged: $r2 s"
