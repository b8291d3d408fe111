"""The recipe's cross-validated diagnosis, for a dev split too small to tell.

A round whose diagnosis has uncertain gaps and no high one says nothing
yet: its dev split is too small for the gaps it measures. Stratified k-fold
errors let every example of ``X`` serve as dev once, so the same gap is
measured on all of ``X`` instead of the dev split (DESIGN §14).
"""

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate

from .._compat import _num_samples
from ._bias_variance import diagnose_bias_variance, verdict
from ._recipe_race import with_deadline

# cv="auto" cross-validates when the dev split holds fewer examples.
AUTO_CV_BELOW = 1000
AUTO_FOLDS = 5


def cv_folds(cv, n_dev, with_dev_set):
    """The number of folds to diagnose with, or None for the dev split alone.

    Only without an explicit dev set: ``X_val`` is the distribution served,
    and folds of ``X`` cannot stand in for it.
    """
    if cv is None or with_dev_set:
        return None
    if cv == "auto":
        return AUTO_FOLDS if n_dev < AUTO_CV_BELOW else None
    return cv


def cv_diagnosis(recipe, base, params, error, X, y, n_folds, deadline=None):
    """The diagnosis of ``params`` from ``n_folds``-fold errors over ``X``.

    The train and dev errors are the folds' means; every example is a dev
    example once, so an error rate's dev size is ``n_samples`` of ``X``.
    Other errors take the folds' spread over ``sqrt(n_folds)`` as standard
    error. The folds' fits stop after the epoch past the clock reading
    ``deadline``. Returns the diagnosis and the fitted estimators of the
    folds, or ``(None, None)`` when the deadline cut a fold's fit.
    """
    estimator = clone(base).set_params(**params)
    stopper = with_deadline(estimator, deadline)
    result = cross_validate(
        estimator,
        X,
        y,
        cv=_folds(estimator, y, n_folds, recipe.random_state),
        scoring=error.scorer,
        return_train_score=True,
        return_estimator=True,
        error_score="raise",
    )
    if stopper is not None and stopper.fired:
        return None, None
    train = error.from_scores(result["train_score"])
    dev = error.from_scores(result["test_score"])
    n = _num_samples(X)
    if error.is_proportion:
        noise = {"n_samples": {"train": n, "dev": n}}
    else:
        spread = {"train": train.std(ddof=1), "dev": dev.std(ddof=1)}
        noise = {"standard_errors": {k: v / n_folds**0.5 for k, v in spread.items()}}
    diagnosis = diagnose_bias_variance(
        float(train.mean()),
        float(dev.mean()),
        tolerance=recipe._tolerance(),
        rel_tolerance=recipe.rel_tolerance,
        **recipe._baseline_terms(noise),
    )
    return diagnosis, result["estimator"]


def _folds(estimator, y, n_folds, random_state):
    """Stratified folds for a classifier whose every class fills them."""
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()  # a column vector: stratify as its 1-D labels
    common = {"n_splits": n_folds, "shuffle": True, "random_state": random_state}
    if is_classifier(estimator) and labels.ndim == 1:
        if np.unique(labels, return_counts=True)[1].min() >= n_folds:
            return StratifiedKFold(**common)
    return KFold(**common)


def cross_validate_round(recipe, entry, base, error, splits, search, seconds_left):
    """Diagnose a round with only uncertain gaps on k-fold errors instead.

    Replaces ``entry["diagnosis"]`` when the recipe's ``cv`` applies and its
    folds leave time for the refit (``seconds_left`` under ``max_time``), and
    returns the note for the round's action ("" when the split's diagnosis
    stays).
    """
    diagnosis = entry["diagnosis"]
    n_dev = _num_samples(splits.dev[0])
    folds = cv_folds(recipe.cv, n_dev, splits.train_dev is not None)
    if folds is None or diagnosis.case != "good fit" or not diagnosis.uncertain:
        return ""
    refit = search.refit_seconds(entry["fit_time"]) if recipe.refit else 0.0
    fold_fits = folds * entry["fit_time"] * search.refit_ratio * (folds - 1) / folds
    if fold_fits + refit > seconds_left:
        return (
            f"{', '.join(diagnosis.uncertain)} uncertain on the {n_dev} dev "
            f"examples; no time left for a {folds}-fold diagnosis; "
        )
    diagnosis_cv, _ = cv_diagnosis(
        recipe, base, entry["params"], error, *splits.all, folds,
        search.rounds_deadline(recipe),
    )  # fmt: skip
    if diagnosis_cv is None:
        return (
            f"{', '.join(diagnosis.uncertain)} uncertain on the {n_dev} dev "
            f"examples; max_time cut the {folds}-fold diagnosis short; "
        )
    entry["diagnosis"] = diagnosis_cv
    return (
        f"{', '.join(diagnosis.uncertain)} uncertain on the {n_dev} dev "
        f"examples: diagnosed on {folds}-fold cross-validated errors "
        f"instead ({verdict(entry['diagnosis'])}); "
    )
