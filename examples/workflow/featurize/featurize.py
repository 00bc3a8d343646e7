"""Learns standardized features from the train CSV of
/opt/ml/processing/input/train: each feature's mean and standard deviation,
and a weight (how far apart churned and staying customers are, in standard
deviations). Writes them to /opt/ml/processing/output/features/model.json.

The entry script of a FrameworkProcessor: pjob packs this folder
(`source_dir`) and the job runs it beside `scaling.py`.
"""

import csv
import json
from pathlib import Path

import scaling

TRAIN = Path("/opt/ml/processing/input/train")
FEATURES = Path("/opt/ml/processing/output/features")
LABEL = "churned"
COLUMNS = ["tenure_months", "monthly_spend", "support_calls"]


def main():
    rows = []
    for path in sorted(TRAIN.glob("*.csv")):
        with path.open(newline="") as f:
            rows.extend(csv.DictReader(f))
    model = {"label": LABEL, "features": {}}
    for column in COLUMNS:
        values = [float(r[column]) for r in rows]
        labels = [int(r[LABEL]) for r in rows]
        model["features"][column] = scaling.fit(values, labels)
    FEATURES.mkdir(parents=True, exist_ok=True)
    (FEATURES / "model.json").write_text(json.dumps(model, indent=2, sort_keys=True) + "\n")
    print(f"learned {len(COLUMNS)} features from {len(rows)} rows")


if __name__ == "__main__":
    main()
