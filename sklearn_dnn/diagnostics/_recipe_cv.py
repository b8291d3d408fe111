"""The recipe's cross-validated errors, for a dev split too small to tell.

On a dev split of a few hundred examples, one round's dev error differs
from the next's by less than its sampling noise, and choosing among rounds
and race candidates on it fits the dev split's quirks: a model chosen on 88
dev rows can do far worse on new data. Stratified k-fold errors let every
example of ``X`` serve as dev once, so each round, each race candidate and
the round shipped are judged on all of ``X`` instead (DESIGN §14), as a
scikit-learn search judges its candidates.
"""

import math
import warnings

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate

from .._compat import _num_samples
from . import _recipe_race as clock
from ._bias_variance import diagnose_bias_variance, image_advice, verdict
from ._recipe_race import MAX_CANDIDATES, with_deadline
from ._validation import unwrap_network

# cv="auto" cross-validates when the dev split holds fewer examples.
AUTO_CV_BELOW = 1000
AUTO_FOLDS = 5


def judge_round(recipe, index, entry, base, error, splits, search):
    """Judge a round on folds when the first round showed them affordable,
    else on the dev split (folds only for uncertain gaps); return the note
    for its action."""
    note = ""
    if index == 0:
        search.n_folds, note = affordable_folds(recipe, search, entry)
    entry["n_folds"], entry["cv_time"] = None, 0.0
    if search.n_folds is not None:
        return note + cross_validated_round(recipe, entry, base, error, splits, search)
    left = math.inf
    if recipe.max_time is not None:
        left = recipe.max_time - search.elapsed(clock.now())
    return note + cross_validate_round(recipe, entry, base, error, splits, search, left)


def affordable_folds(recipe, search, entry):
    """The folds to judge the rounds on after the first round, and a note.

    ``search.n_folds`` (from ``cv``) is kept when ``max_time`` is None or a
    round and its largest race, all judged on folds (estimated from the
    first round's fit time), would take at most ``max_time / max_rounds``:
    the recipe can then still run all its rounds. Else None (rounds judged
    on the dev split), and the note says so. On a set whose rounds take
    seconds, five times their cost would leave a fifth of the rounds (on a
    4,000-row set, 0.68 test accuracy instead of 0.80 in 180 s; on digits,
    four rounds in 170 s against two in 32 s for the same test accuracy),
    where the dev split's noise is small anyway.
    """
    n_folds = search.n_folds
    if n_folds is None or recipe.max_time is None:
        return n_folds, ""
    one = fold_seconds(n_folds, entry["fit_time"], search.refit_ratio)
    seconds, share = (1 + MAX_CANDIDATES) * one, recipe.max_time / recipe.max_rounds
    if seconds <= share:
        return n_folds, ""
    return None, (
        f"judged on the dev split: a round and its race on {n_folds}-fold "
        f"errors would take about {seconds:.3g} s, more than max_time / "
        f"max_rounds = {share:.3g} s; "
    )


def fold_seconds(n_folds, fit_time, refit_ratio):
    """Estimated seconds of ``n_folds`` fits, each on ``(n_folds - 1) /
    n_folds`` of ``X``, from a fit of ``fit_time`` seconds on the training
    split (``X`` is ``refit_ratio`` times its size): as much as ``n_folds -
    1`` fits on all of ``X``."""
    return (n_folds - 1) * fit_time * refit_ratio


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


def cross_validated_round(recipe, entry, base, error, splits, search):
    """Judge a round on k-fold errors over all of ``X`` (``search.n_folds``,
    not None).

    Replaces the entry's ``train_error``, ``dev_error`` and ``diagnosis`` by
    the folds' (every example serves as dev once: on a small dev split the
    rounds, the race and the round shipped are then chosen on five times
    the dev examples), records ``n_folds`` and the folds' seconds
    (``cv_time``), and returns the note for the round's action. When
    ``max_time`` cuts a fold's fit short, the round keeps its dev split's
    errors and the note says so.
    """
    n_folds, deadline = search.n_folds, search.rounds_deadline(recipe)
    if entry["cut"] or (deadline is not None and clock.now() >= deadline):
        return (
            f"no time left for the {n_folds}-fold errors: judged on the "
            f"{_num_samples(splits.dev[0])} dev examples; "
        )
    start = clock.now()
    diagnosis, _ = cv_diagnosis(
        recipe, base, entry["params"], error, *splits.all, n_folds, deadline
    )
    entry["cv_time"] = clock.now() - start
    if diagnosis is None:
        return (
            f"max_time cut the {n_folds}-fold errors short: judged on the "
            f"{_num_samples(splits.dev[0])} dev examples; "
        )
    entry.update(
        train_error=diagnosis.train_error,
        dev_error=diagnosis.dev_error,
        diagnosis=image_advice(diagnosis, recipe.augment, entry["params"]),
        n_folds=n_folds,
    )
    return ""


def cv_dev_error(base, error, X, y, n_folds, random_state, params, at):
    """The mean ``n_folds``-fold dev error of ``params``: a race's judge.

    Returns ``(dev error, mean epochs, seconds, cut)``; the folds' fits
    stop after the epoch past the clock reading ``at``.
    """
    estimator = clone(base).set_params(**params)
    stopper = with_deadline(estimator, at)
    start = clock.now()
    with warnings.catch_warnings():
        # The recipe decides how long to train; it reads n_iter_ instead.
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = cross_validate(
            estimator, X, y, cv=_folds(estimator, y, n_folds, random_state),
            scoring=error.scorer, return_estimator=True, error_score="raise",
        )  # fmt: skip
    epochs = [
        int(getattr(unwrap_network(e), "n_iter_", 0)) for e in result["estimator"]
    ]
    cut = stopper is not None and stopper.fired
    dev = float(error.from_scores(result["test_score"]).mean())
    return dev, int(np.mean(epochs)), clock.now() - start, cut


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
    fold_fits = fold_seconds(folds, entry["fit_time"], search.refit_ratio)
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
