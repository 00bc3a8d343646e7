"""Scores the test CSV of /opt/ml/processing/input/test with the model of
/opt/ml/processing/input/features (a customer churns when the weighted sum
of their standardized features is above zero) and writes
/opt/ml/processing/output/report/report.json.
"""

import csv
import json
from pathlib import Path

MODEL = Path("/opt/ml/processing/input/features/model.json")
TEST = Path("/opt/ml/processing/input/test")
REPORT = Path("/opt/ml/processing/output/report")


def score(row, features):
    return sum(f["weight"] * (float(row[name]) - f["mean"]) / f["std"] for name, f in features.items())


def main():
    model = json.loads(MODEL.read_text())
    rows = []
    for path in sorted(TEST.glob("*.csv")):
        with path.open(newline="") as f:
            rows.extend(csv.DictReader(f))
    right = sum(int(score(r, model["features"]) > 0) == int(r[model["label"]]) for r in rows)
    report = {"test_rows": len(rows), "correct": right, "accuracy": round(right / len(rows), 3)}
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"accuracy {report['accuracy']} on {len(rows)} test rows")


if __name__ == "__main__":
    main()
