"""Loading the command line's data and deciding its task."""

import os
import re
import sys
from collections import namedtuple

import numpy as np
from sklearn.utils.multiclass import type_of_target

from ._csv import LoadProgress, UsageError, check_regular_file, read_csv

MIN_SAMPLES = 20
MIN_PER_CLASS = 5
# Below this magnitude no variance overflows: squares stay under 1e300.
_SAFE_MAGNITUDE = 1e150
# A target's spread below this has a variance that underflows to 0 or loses
# its precision (as a subnormal float).
_SMALLEST_SPREAD = 1e-150

Data = namedtuple("Data", "X labels feature_names name target", defaults=[None])


def load_data(data, target=None, *, progress=None, na_values=None):
    """Return a ``Data(X, labels, feature_names, name)`` for a bundled set or CSV.

    The labels of a CSV file are its text, exactly as written; ``progress``
    is called as ``progress(lines_read, lines_total)`` while reading one.
    """
    if data in ("digits", "breast_cancer"):
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{data}")()
        names = [str(n) for n in getattr(bunch, "feature_names", [])] or [
            f"x{i}" for i in range(bunch.data.shape[1])
        ]
        return Data(bunch.data.astype(float), bunch.target, names, data)
    X, labels, names, target_name = read_csv(
        data, target, progress=progress, na_values=na_values
    )
    check_feature_scale(X, names)
    return Data(X, labels, names, os.path.basename(data), target_name)


def check_feature_scale(X, names):
    """Raise a UsageError when a feature's variance overflows: every command
    standardizes the features, which squares them."""
    if len(X) == 0:
        return
    largest = np.maximum(np.max(X, axis=0), -np.min(X, axis=0))
    for column in np.flatnonzero(largest > _SAFE_MAGNITUDE):
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.var(X[:, column])):
                continue
        raise UsageError(
            f"the values of feature {names[column]!r} are too large to "
            f"standardize (largest magnitude {largest[column]:.3g}; their squares "
            "overflow): rescale them first, e.g. divide by a power of 10"
        )


def load_progress(path, quiet, option="--data"):
    if quiet or (option == "--data" and path in ("digits", "breast_cancer")):
        return None
    check_regular_file(path, option)
    return LoadProgress(sys.stderr, os.path.basename(path), os.stat(path).st_size)


def decide_task(labels, task="auto"):
    """Return ``(task, y, reason)`` for labels as loaded.

    Classification keeps the labels exactly: canonical integers become int64,
    anything else stays the text as written. Regression needs numbers. With
    ``task="auto"`` a numeric target is a regression target when scikit-learn's
    ``type_of_target`` says "continuous", or when it has more distinct values
    than ``max(20, n_samples // 10)``.
    """
    integers = _exact_integers(labels)
    numbers = _numbers(labels)
    if task == "auto":
        task, reason = _auto_task(labels, _integer_labels(labels), numbers)
    else:
        reason = "--task"
    if task == "regression":
        if numbers is None:
            raise UsageError(
                "--task regression needs a numeric target; it holds text such as "
                f"{str(_first_text(labels))!r}"
            )
        _check_standardizable(numbers)
        return task, numbers, reason
    y = integers if integers is not None else np.asarray(labels)
    if len(np.unique(y)) < 2:
        raise UsageError(
            "the target has a single class; a classifier needs two or more"
        )
    return task, y, reason


def _exact_integers(labels):
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu":
        return labels
    try:
        ints = labels.astype(np.int64)
    except (ValueError, OverflowError):
        return None
    return ints if np.array_equal(ints.astype(str), labels) else None


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _integer_labels(labels):
    """Whether every label is an integer, whatever its size."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu":
        return True
    return all(_INTEGER.fullmatch(str(label)) for label in labels.tolist())


def _numbers(labels):
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iuf" and not all(
        "_" not in label and label.isascii() for label in labels.tolist()
    ):
        return None  # 1_000 and non-ASCII digits are text, as in the features
    try:
        values = labels.astype(np.float64)
    except ValueError:
        return None
    if np.isinf(values).any():
        row = int(np.flatnonzero(np.isinf(values))[0])
        raise UsageError(
            f"the target holds an infinite value ({str(labels[row])!r}, data row "
            f"{row + 1}): replace or drop it"
        )
    return values if np.isfinite(values).all() else None


def _check_standardizable(values):
    """The recipe standardizes a regression target: its mean and standard
    deviation must be finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        scale = np.std(values)
        center = np.mean(values)
    if not (np.isfinite(scale) and np.isfinite(center)):
        raise UsageError(
            "the target's values are too large to standardize (largest "
            f"magnitude {np.max(np.abs(values)):.3g}): rescale them first, e.g. "
            "divide by a power of 10"
        )
    if np.ptp(values) == 0:
        raise UsageError(
            f"the target is constant (every value is {values[0]:.6g}): a "
            "regression needs a target that varies"
        )
    if scale < _SMALLEST_SPREAD:
        raise UsageError(
            f"the target's values are too close together to standardize "
            f"(standard deviation {scale:.3g}; its square underflows): rescale "
            "them first, e.g. multiply by a power of 10"
        )


def _first_text(labels):
    for label in labels:
        try:
            float(label)
        except ValueError:
            return label
    return labels[0]


def _auto_task(labels, integral, numbers):
    if numbers is None:
        return "classification", "text labels"
    n_values = len(np.unique(labels if integral else numbers))
    limit = max(20, len(numbers) // 10)
    # Integers of any size are labels: as floats, big ones look continuous.
    if not integral and type_of_target(numbers) == "continuous":
        return "regression", "non-integer numeric target"
    if n_values > limit:
        return "regression", f"{n_values} distinct numeric values (more than {limit})"
    return "classification", f"{n_values} distinct labels"


def check_recipe_sizes(y, task):
    """Raise a UsageError when the data is too small for the recipe's steps."""
    n = len(y)
    if n < MIN_SAMPLES:
        raise UsageError(
            f"only {n} examples; the recipe needs at least {MIN_SAMPLES} for its "
            "train, dev and test splits and the cross-validated learning curve"
        )
    if task == "classification":
        classes, counts = np.unique(y, return_counts=True)
        small = int(np.argmin(counts))
        if counts[small] < MIN_PER_CLASS:
            raise UsageError(
                f"class {str(classes[small])!r} has only {counts[small]} "
                f"example(s); every class needs at least {MIN_PER_CLASS} to appear "
                "in the train, dev and test splits (drop or merge rare classes)"
            )
