"""Splits the raw churn table into train and test sets (example code)."""
import argparse
import pathlib

import pandas as pd

from features.encode import encode

parser = argparse.ArgumentParser()
parser.add_argument("--test-fraction", type=float, default=0.2)
args = parser.parse_args()

frame = encode(pd.read_csv("/opt/ml/processing/input/raw/churn.csv"))
test = frame.sample(frac=args.test_fraction, random_state=0)
train = frame.drop(test.index)
for name, part in (("train", train), ("test", test)):
    out = pathlib.Path("/opt/ml/processing/output") / name
    out.mkdir(parents=True, exist_ok=True)
    part.to_csv(out / f"{name}.csv", index=False)
