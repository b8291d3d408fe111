"""The learning curves behind ``BiasVarianceDisplay.from_estimator``.

Train, train-dev and dev errors at growing training sizes, computed with
scikit-learn's cross-validation, with the examples each point was scored on
and the noise of each error.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv, cross_validate, learning_curve
from sklearn.utils import check_random_state

from .._compat import _num_samples, _translate_train_sizes
from ._fit_warnings import host_array, summarized_warnings
from ._noise import loss_standard_error
from ._validation import check_dev_set, error_scorer


def learning_curve_errors(estimator, X, y, X_val, y_val, scoring, *, cv, groups, **kw):
    """``(error, sizes, errors, noise)`` of a learning curve, ready to display.

    ``error`` is the scorer turned error, ``errors`` maps ``"train"``,
    ``"train_dev"`` (None without ``X_val``) and ``"dev"`` to arrays of shape
    (n_ticks, n_folds), and ``noise`` holds the Display's ``n_samples`` or
    ``standard_errors`` keyword (empty when the noise is unknown).
    """
    # Arrays of another namespace (torch under array API dispatch) are
    # fitted and scored as numpy host copies: the curve's many small fits
    # gain nothing from a device.
    X, y, X_val, y_val = (host_array(a) for a in (X, y, X_val, y_val))
    error = error_scorer(estimator, scoring)
    X_val, y_val = check_dev_set(estimator, X, X_val, y_val)
    with summarized_warnings("learning curve"):
        sizes, train, train_dev, dev, dev_se = _learning_curves(
            estimator, X, y, X_val, y_val, error, cv=cv, groups=groups, **kw
        )
    errors = {"train": train, "train_dev": train_dev, "dev": dev}
    n_scored = _n_scored(estimator, X, y, X_val, cv, groups, sizes, train.shape[1])
    return error, sizes, errors, _noise(error, errors, n_scored, dev_se)


def _dev_set_curves(estimator, X, y, X_val, y_val, error, *, train_sizes, cv, **kw):
    """Learning curves of train, train-dev (CV folds of X) and dev (X_val) error.

    The folds and sizes are those of ``learning_curve``; every fitted model
    is also scored on ``X_val``.
    """
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    folds = list(cv.split(X, y, kw.pop("groups")))
    sizes = _translate_train_sizes(train_sizes, len(folds[0][0]))
    if kw.pop("shuffle"):
        rng = check_random_state(kw.pop("random_state"))
        folds = [(rng.permutation(train), test) for train, test in folds]
    kw.pop("random_state", None)
    splits = [(train[:n], test) for train, test in folds for n in sizes]
    result = cross_validate(
        estimator,
        X,
        y,
        cv=splits,
        scoring=error.scorer,
        return_train_score=True,
        return_estimator=True,
        error_score="raise",
        **kw,
    )
    dev = [error.scorer(fitted, X_val, y_val) for fitted in result["estimator"]]
    n_ticks = len(sizes)
    curves = tuple(
        error.from_scores(np.reshape(scores, (-1, n_ticks)).T)
        for scores in (result["train_score"], result["test_score"], dev)
    )
    noise = _dev_set_noise(error, result["estimator"], X_val, y_val, n_ticks)
    return sizes, *curves, noise


def _dev_set_noise(error, fitted, X_val, y_val, n_ticks):
    """Per point, the mean over folds of the dev error's standard error.

    Every fold scores the same ``X_val``: the folds' spread says nothing of
    its sampling noise, the per-example losses do. None for error rates
    (their size gives it) or when the losses are unknown.
    """
    if error.is_proportion:
        return None
    losses = [error.losses(estimator, X_val, y_val) for estimator in fitted]
    if any(loss is None for loss in losses):
        return None
    ses = np.array([loss_standard_error(loss) for loss in losses], dtype=float)
    return np.reshape(ses, (-1, n_ticks)).T.mean(axis=1)


def _learning_curves(estimator, X, y, X_val, y_val, error, **kw):
    """``(sizes, train, train_dev, dev, dev_standard_errors)``.

    ``train_dev`` is None without ``X_val``; ``dev_standard_errors`` is the
    dev error's standard error per point when it is not an error rate and
    ``X_val`` is given (None otherwise).
    """
    if X_val is not None:
        return _dev_set_curves(estimator, X, y, X_val, y_val, error, **kw)
    sizes, train_scores, dev_scores = learning_curve(
        estimator, X, y, scoring=error.scorer, error_score="raise", **kw
    )
    train, dev = error.from_scores(train_scores), error.from_scores(dev_scores)
    return sizes, train, None, dev, None


def _n_scored(estimator, X, y, X_val, cv, groups, sizes, n_folds):
    """Examples each point's errors were scored on, all folds together.

    Training examples: the training size once per fold. Held-out examples:
    every test fold's. ``X_val``'s examples are scored by every fold's model
    but are the same examples, so they count once.
    """
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    held_out = sum(len(test) for _, test in cv.split(X, y, groups))
    held = np.full(len(sizes), held_out)
    n = {"train": np.asarray(sizes) * n_folds}
    if X_val is None:
        return {**n, "dev": held}
    return {**n, "train_dev": held, "dev": np.full(len(sizes), _num_samples(X_val))}


def _noise(error, errors, n_scored, dev_se):
    """``n_samples`` for error rates; else the folds' spread over sqrt(folds).

    An explicit dev set's standard errors (``dev_se``) come from its
    per-example losses instead: every fold scores the same examples.
    """
    if error.is_proportion:
        return {"n_samples": n_scored}
    n_folds = errors["train"].shape[1]
    if n_folds < 2 or (errors["train_dev"] is not None and dev_se is None):
        return {}
    ses = {
        name: e.std(axis=1, ddof=1) / np.sqrt(n_folds)
        for name, e in errors.items()
        if e is not None
    }
    if dev_se is not None:
        ses["dev"] = dev_se
    return {"standard_errors": ses}
