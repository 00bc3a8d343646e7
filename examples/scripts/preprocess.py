"""Split a churn CSV into train and test sets (runs inside the processing container)."""
import argparse
import csv
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("--train-test-split-ratio", type=float, default=0.2)
args = parser.parse_args()

rows = []
for name in sorted(os.listdir("/opt/ml/processing/input")):
    if name.endswith(".csv"):
        with open(os.path.join("/opt/ml/processing/input", name), newline="") as f:
            rows.extend(csv.reader(f))
header, data = rows[0], rows[1:]
random.Random(42).shuffle(data)
cut = int(len(data) * (1 - args.train_test_split_ratio))
for split, part in (("train", data[:cut]), ("test", data[cut:])):
    os.makedirs(f"/opt/ml/processing/{split}", exist_ok=True)
    with open(f"/opt/ml/processing/{split}/{split}.csv", "w", newline="") as f:
        csv.writer(f).writerows([header] + part)
print(f"wrote {cut} training and {len(data) - cut} test rows")
