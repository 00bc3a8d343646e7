"""Feature encoding shared by the example's jobs."""


def encode(frame):
    """One-hot encodes the categorical columns."""
    import pandas as pd

    return pd.get_dummies(frame, columns=[c for c in frame.columns if frame[c].dtype == object])
