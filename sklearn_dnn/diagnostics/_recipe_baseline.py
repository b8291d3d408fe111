"""The recipe's reference baseline: what models that need no tuning reach.

``BasicRecipe(baseline_error="auto")`` stands in for the Bayes error, when no
human-level figure exists, with the lowest k-fold cross-validated error of
reference models that need no tuning: ``LogisticRegression`` and
``HistGradientBoostingClassifier`` for a classifier, ``RidgeCV`` and
``HistGradientBoostingRegressor`` for a regressor. Another model reaching an
error on held-out data proves that error reachable, so the figure is an
upper bound of the Bayes error: a network whose training error is above it
has avoidable bias.

The references are fitted on the recipe's training rows only, at most
``MAX_ROWS`` of them, within ``TIME_SHARE`` of ``max_time``: each model is
first fitted once on a few rows (the pilot), and its cross-validation then
gets only as many rows as the time left allows, or is skipped. Gradient
boosting's pilot is two fits of 1 and 10 of its 100 iterations, from which
its fixed cost and its cost per iteration are read.
The cheaper model goes first, so the slower one is the one left out. Only a
pilot fit can overrun the share (by one such fit at most).
"""

import time
import warnings

import numpy as np
from scipy.sparse import issparse
from sklearn.base import clone, is_classifier
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import cross_validate
from sklearn.multioutput import MultiOutputClassifier, MultiOutputRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import resample
from sklearn.utils.multiclass import type_of_target

from .._compat import _num_samples
from ._noise import proportion_standard_error, z_value
from ._recipe_cv import _folds

#: The folds of the references' cross-validation.
N_FOLDS = 5
#: The most training rows the references see (a random subsample above).
MAX_ROWS = 10_000
#: The rows of the pilot fit that times a reference model.
PILOT_ROWS = 500
#: Gradient boosting's pilot fits: this many of its 100 iterations each.
_PILOT_ITERATIONS = (1, 10)
#: The fewest training rows the references are cross-validated on.
MIN_ROWS = 20
#: The share of ``max_time`` the references may take.
TIME_SHARE = 0.1
#: The clock the time share is read on (a test may replace it).
clock = time.perf_counter

# A reference that cannot fit the data is skipped, with the reason.
_FIT_FAILURES = (ValueError, TypeError, np.linalg.LinAlgError)


def given_baseline(value):
    """The ``baseline_`` record of a baseline error the user gave."""
    return {
        "error": float(value),
        "standard_error": None,
        "source": "given",
        "errors": {},
        "n_samples": None,
        "notes": [],
        "seconds": 0.0,
    }


def reference_models(estimator, y, sparse, *, boosting_iterations=100):
    """``(name, model)`` of the reference models, the cheaper first.

    A Pipeline's steps before its network come first, so the references see
    the features the network sees. Multilabel and multi-output targets go
    through scikit-learn's ``MultiOutputClassifier``/``MultiOutputRegressor``
    where the model has no native support. ``boosting_iterations`` is the
    gradient boosting's ``max_iter`` (100, its default; fewer for a pilot).
    """
    scaler = StandardScaler(with_mean=not sparse)
    target = type_of_target(y)
    several = target in {"multilabel-indicator", "multiclass-multioutput"} or (
        np.ndim(y) == 2 and np.shape(y)[1] > 1
    )
    boosting = {"max_iter": boosting_iterations, "random_state": 0}
    if is_classifier(estimator):
        wrap = MultiOutputClassifier if several else None
        models = [
            ("LogisticRegression", LogisticRegression(max_iter=1000), scaler, wrap),
            (
                "HistGradientBoostingClassifier",
                HistGradientBoostingClassifier(**boosting),
                None,
                wrap,
            ),
        ]
    else:
        wrap = MultiOutputRegressor if several else None
        models = [
            ("RidgeCV", RidgeCV(), scaler, None),
            (
                "HistGradientBoostingRegressor",
                HistGradientBoostingRegressor(**boosting),
                None,
                wrap,
            ),
        ]
    preprocessing = _preprocessing(estimator)
    return [
        (name, _assemble(preprocessing, scale, wrap(model) if wrap else model))
        for name, model, scale, wrap in models
    ]


def _preprocessing(estimator):
    """A clone of a Pipeline's steps before its last one, or None."""
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        return clone(estimator[:-1])
    return None


def _assemble(preprocessing, scaler, model):
    steps = [step for step in (preprocessing, scaler) if step is not None]
    return make_pipeline(*steps, model) if steps else model


def reference_baseline(estimator, X, y, error, *, max_time, random_state):
    """The ``baseline_`` record of ``baseline_error="auto"``.

    Parameters
    ----------
    estimator : estimator object
        The recipe's estimator (a classifier or a regressor, or a Pipeline).
    X, y : array-like
        The recipe's training rows (never its dev rows).
    error : ErrorScorer
        The recipe's error; the references are scored on it.
    max_time : float or None
        The recipe's time budget; the references take at most
        ``TIME_SHARE`` of it (no limit when None).
    random_state : int, RandomState instance or None
        Seeds the subsample and the folds.

    Returns
    -------
    baseline : dict
        ``error`` (the lowest reference error, 0.0 when no reference could
        be fitted), ``standard_error``, ``source`` (the model and how it was
        measured), ``errors`` (each reference's error, None when skipped),
        ``n_samples``, ``notes`` (what was skipped or cut, and why) and
        ``seconds``.
    """
    start = clock()
    budget = np.inf if max_time is None else TIME_SHARE * max_time
    seed = _seed(random_state)
    if np.ndim(y) == 2 and np.shape(y)[1] == 1:
        y = np.ravel(y)  # a column vector: the same folds as its 1-D labels
    X, y, notes = _subsample(estimator, X, y, seed)
    n_rows = _num_samples(X)
    results, errors = [], {}
    models = reference_models(estimator, y, issparse(X))
    pilots = [
        reference_models(estimator, y, issparse(X), boosting_iterations=iterations)
        for iterations in _PILOT_ITERATIONS
    ]
    for (name, model), *short in zip(models, *pilots):
        left = budget - (clock() - start)
        boosting = name.startswith("HistGradientBoosting")
        pilot = [fit for _, fit in short] if boosting else [model]
        measured, note = _measure(model, pilot, X, y, error, left, seed)
        errors[name] = None if measured is None else measured["error"]
        if measured is None:
            notes.append(f"{name} skipped: {note}")
            continue
        if note:
            notes.append(f"{name} {note}")
        results.append({**measured, "model": name})
    return _record(results, errors, notes, n_rows, error, clock() - start)


def _seed(random_state):
    """An int seed drawn once, so the references repeat with the recipe."""
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return random_state
    return int(random_state.randint(np.iinfo(np.int32).max))


def _subsample(estimator, X, y, seed):
    """At most ``MAX_ROWS`` rows of ``X``, stratified for a classifier."""
    n_rows = _num_samples(X)
    if n_rows <= MAX_ROWS:
        return X, y, []
    stratify = y if is_classifier(estimator) and np.ndim(y) == 1 else None
    try:
        X, y = resample(
            X,
            y,
            replace=False,
            n_samples=MAX_ROWS,
            stratify=stratify,
            random_state=seed,
        )
    except ValueError:  # a class too rare to stratify
        X, y = resample(X, y, replace=False, n_samples=MAX_ROWS, random_state=seed)
    return X, y, [f"a random {MAX_ROWS} of the {n_rows} training rows"]


def _measure(model, pilot, X, y, error, seconds_left, seed):
    """One reference's cross-validated error: ``(result or None, note)``.

    ``pilot`` is the list of models whose fits time ``model``'s (see
    :func:`_pilot`).
    """
    n_rows = _num_samples(X)
    if n_rows < max(MIN_ROWS, 2 * N_FOLDS):
        return None, f"{n_rows} training rows are too few for {N_FOLDS}-fold errors"
    if seconds_left <= 0:
        return None, f"no time left of its {TIME_SHARE:g} of max_time"
    try:
        rows, spent, seconds = _pilot(pilot, X, y, seed)
        rows, note = _rows_in_time(n_rows, rows, seconds, seconds_left - spent)
        if rows is None:
            return None, note
        if rows < n_rows:
            X, y = resample(X, y, replace=False, n_samples=rows, random_state=seed)
        result = _cross_validated(model, X, y, error, seed)
    except _FIT_FAILURES as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, f"it cannot fit these data ({type(exc).__name__}: {reason})"
    return result, note


def _pilot(models, X, y, seed):
    """Time ``model`` on ``PILOT_ROWS`` rows at most, from ``models``' fits.

    One model is ``model`` itself. Two are gradient boosting at 1 and 10 of
    its 100 iterations: the first iteration carries the fixed cost (binning
    the features), the next nine the cost of an iteration. Returns the
    pilot's rows, the seconds the pilot fits took and the estimated seconds
    of one fit of ``model`` on the pilot's rows.
    """
    rows = min(_num_samples(X), PILOT_ROWS)
    if rows < _num_samples(X):
        X, y = resample(X, y, replace=False, n_samples=rows, random_state=seed)
    seconds = []
    for model in models:
        start = clock()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clone(model).fit(X, y)
        seconds.append(clock() - start)
    if len(seconds) == 1:
        return rows, seconds[0], seconds[0]
    (few, first), (more, last) = zip(_PILOT_ITERATIONS, seconds)
    per_iteration = max(last - first, 0.0) / (more - few)
    return rows, first + last, max(first + per_iteration * (100 - few), last)


def _rows_in_time(n_rows, pilot_rows, pilot_seconds, seconds_left):
    """The rows a k-fold cross-validation can take in ``seconds_left``.

    ``k`` fits on ``(k - 1) / k`` of the rows each, a fit taking the pilot's
    time per row, and never less than the pilot's time (a gradient-boosting
    fit costs about as much on 100 rows as on 500). Returns ``(rows,
    note)``; rows is None when not even ``k`` fits of the pilot's size fit.
    """
    k = N_FOLDS
    per_fit = pilot_seconds * max(1.0, n_rows * (k - 1) / k / pilot_rows)
    if k * per_fit <= seconds_left:
        return n_rows, ""
    share = f"{TIME_SHARE:g} of max_time"
    if k * pilot_seconds > seconds_left:
        return None, (
            f"{k}-fold errors would take about {k * per_fit:.2g} s, more than "
            f"the {max(seconds_left, 0):.2g} s left of its {share}"
        )
    rows = int(pilot_rows * seconds_left / (k * pilot_seconds) * k / (k - 1))
    rows = min(max(rows, pilot_rows), n_rows)
    return rows, f"on {rows} of {n_rows} rows, to fit its {share}"


def _cross_validated(model, X, y, error, seed):
    """The mean k-fold error of ``model`` and its standard error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = cross_validate(
            model,
            X,
            y,
            cv=_folds(model, y, N_FOLDS, seed),
            scoring=error.scorer,
            error_score="raise",
        )
    errors = error.from_scores(result["test_score"])
    mean = float(errors.mean())
    if not np.isfinite(mean):
        raise ValueError(f"its {N_FOLDS}-fold error is {mean}")
    n_rows = _num_samples(X)
    if error.is_proportion:  # every row is a dev row once
        standard_error = proportion_standard_error(mean, n_rows, z_value(0.95))
    else:
        standard_error = float(errors.std(ddof=1) / np.sqrt(N_FOLDS))
    return {"error": mean, "standard_error": standard_error, "n_samples": n_rows}


def _record(results, errors, notes, n_rows, error, seconds):
    """The ``baseline_`` record from the references' results."""
    if not results:
        return {
            "error": 0.0,
            "standard_error": None,
            "source": "none: no reference model could be measured, so 0",
            "errors": errors,
            "n_samples": n_rows,
            "notes": notes,
            "seconds": seconds,
        }
    best = min(results, key=lambda result: result["error"])
    source = (
        f"{best['model']}, {N_FOLDS}-fold cross-validated {error.name} on "
        f"{best['n_samples']} training rows (an upper bound of the Bayes error)"
    )
    return {
        "error": max(best["error"], 0.0),
        "standard_error": best["standard_error"],
        "source": source,
        "model": best["model"],
        "errors": errors,
        "n_samples": best["n_samples"],
        "notes": notes,
        "seconds": seconds,
    }


def baseline_terms(baseline, noise):
    """``diagnose_bias_variance`` keywords for a round's bias gap.

    Returns ``baseline_error`` and the round's ``noise`` (its ``n_samples``
    or ``standard_errors``) with the baseline's standard error added, so the
    avoidable-bias gap is high only beyond the noise of both its ends. A
    round without noise estimates stays without (the rule is then §13's).
    """
    terms = {"baseline_error": baseline["error"], **noise}
    if baseline["standard_error"] is None or not noise:
        return terms
    terms["standard_errors"] = {
        **(noise.get("standard_errors") or {}),
        "baseline": baseline["standard_error"],
    }
    return terms


def describe(baseline, error):
    """The baseline in one line, for the recipe's verbose output."""
    if baseline["source"] == "given":
        return f"baseline error {error.format(baseline['error'])} (given)"
    se = baseline["standard_error"]
    noise = "" if se is None else f" ± {error.format(z_value(0.95) * se)}"
    notes = "".join(f"; {note}" for note in baseline["notes"])
    return (
        f"baseline error {error.format(baseline['error'])}{noise} from "
        f"{baseline['source']}{notes}"
    )
