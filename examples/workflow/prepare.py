"""Splits the customers CSV of /opt/ml/processing/input/raw into a train and
a test CSV: every `--test-every`-th row goes to test, the rest to train.

Runs as a SageMaker Processing job, or on this machine with
`pjob apply --local examples/workflow/`; Python's standard library only.
"""

import argparse
import csv
from pathlib import Path

INPUT = Path("/opt/ml/processing/input/raw")
TRAIN = Path("/opt/ml/processing/output/train")
TEST = Path("/opt/ml/processing/output/test")


def write(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-every", type=int, default=4)
    args = parser.parse_args()

    rows = []
    for path in sorted(INPUT.glob("*.csv")):
        with path.open(newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows.extend(reader)
    test = [row for i, row in enumerate(rows, 1) if i % args.test_every == 0]
    train = [row for i, row in enumerate(rows, 1) if i % args.test_every != 0]
    write(TRAIN / "train.csv", header, train)
    write(TEST / "test.csv", header, test)
    print(f"{len(train)} train rows, {len(test)} test rows")


if __name__ == "__main__":
    main()
