"""Totals the sales CSV files of /opt/ml/processing/input/sales by a column.

Runs as a SageMaker Processing job, or on this machine with
`pjob apply --local examples/local/job.pjob.yaml`; it only uses the paths and
files SageMaker provides, and Python's standard library.
"""

import argparse
import csv
import json
import os
from collections import defaultdict
from pathlib import Path

INPUT = Path("/opt/ml/processing/input/sales")
OUTPUT = Path("/opt/ml/processing/output/summary")
RESOURCES = Path("/opt/ml/config/resourceconfig.json")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--group-by", default="region")
    args = parser.parse_args()

    host = json.loads(RESOURCES.read_text())["current_host"]
    currency = os.environ.get("CURRENCY", "USD")
    totals = defaultdict(float)
    rows = 0
    for path in sorted(INPUT.glob("*.csv")):
        with path.open(newline="") as f:
            for row in csv.DictReader(f):
                totals[row[args.group_by]] += float(row["amount"])
                rows += 1
        print(f"read {path.name}")

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with (OUTPUT / f"totals-by-{args.group_by}.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([args.group_by, f"total_{currency.lower()}"])
        for key in sorted(totals):
            writer.writerow([key, f"{totals[key]:.2f}"])
    report = {"host": host, "rows": rows, "groups": len(totals), "currency": currency}
    (OUTPUT / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{rows} rows in {len(totals)} groups on {host}")


if __name__ == "__main__":
    main()
