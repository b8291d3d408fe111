"""BasicRecipe's data: the checked input and its train, train-dev and dev splits."""

import math
from collections import namedtuple
from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils import get_tags, indexable
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from .._compat import _num_samples
from ._validation import check_dev_set, validate_like_fit

#: The examples of a fit: ``(X, y)`` pairs; ``train_dev`` is None without X_val.
# ``all``: the whole of ``X``, for cross-validated diagnoses (not measured).
Splits = namedtuple("Splits", ["train", "train_dev", "dev", "all"])


def checked_input(recipe, X, y, X_val, y_val):
    """``X, y, X_val, y_val`` checked for ``recipe.estimator``."""
    if y is None:
        raise ValueError(
            f"{recipe.__class__.__name__} requires y to be passed, but the "
            "target y is None."
        )
    X, y = indexable(X, y)
    validate_like_fit(recipe.estimator)
    if is_classifier(recipe.estimator):
        check_classification_targets(y)
    X_val, y_val = check_dev_set(recipe.estimator, X, X_val, y_val)
    return X, _as_1d(recipe.estimator, y), X_val, _as_1d(recipe.estimator, y_val)


def _as_1d(estimator, y):
    """A column-vector ``y`` raveled (with a ``DataConversionWarning``) for an
    estimator without multi-output support, as its own fit would.

    Every split, fold and fit of the recipe then sees the same labels for
    ``y`` and ``y[:, None]``.
    """
    if y is None or get_tags(estimator).target_tags.multi_output:
        return y
    if np.ndim(y) == 2 and np.shape(y)[1] == 1:
        return column_or_1d(y, warn=True)
    return y


def splits(recipe, X, y, X_val, y_val):
    """The train, train-dev (with ``X_val`` only) and dev examples."""
    X_train, X_held, y_train, y_held = hold_out(recipe, X, y)
    if X_val is None:
        return Splits((X_train, y_train), None, (X_held, y_held), (X, y))
    return Splits((X_train, y_train), (X_held, y_held), (X_val, y_val), (X, y))


def hold_out(recipe, X, y):
    """Split ``X`` into training and held-out (dev or train-dev) examples."""
    n_samples = _num_samples(X)
    if isinstance(recipe.dev_size, Integral):
        n_dev = recipe.dev_size
    else:
        n_dev = math.ceil(recipe.dev_size * n_samples)
    if not 0 < n_dev < n_samples:
        raise ValueError(
            f"dev_size={recipe.dev_size!r} must leave at least one example "
            "in both the dev split and the training split, but asks for "
            f"{n_dev} dev examples out of n_samples={n_samples}."
        )
    common = {"test_size": n_dev, "random_state": recipe.random_state}
    if is_classifier(recipe.estimator) and np.ndim(y) == 1:
        try:
            return train_test_split(X, y, stratify=y, **common)
        except ValueError:
            pass  # too few examples of a class: split without stratifying
    return train_test_split(X, y, **common)
