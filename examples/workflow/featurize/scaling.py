"""Standardizing one feature: mean, standard deviation, and a weight."""

import statistics


def fit(values, labels):
    """The feature's mean and standard deviation, and its weight: the mean
    of churned customers minus that of the others, in standard deviations."""
    mean = statistics.fmean(values)
    std = statistics.pstdev(values) or 1.0
    churned = [v for v, label in zip(values, labels) if label == 1]
    stayed = [v for v, label in zip(values, labels) if label == 0]
    weight = (statistics.fmean(churned) - statistics.fmean(stayed)) / std
    return {"mean": round(mean, 4), "std": round(std, 4), "weight": round(weight, 4)}
