"""BasicRecipe: the course's basic recipe for machine learning, as a meta-estimator.

Fit, diagnose bias and variance on a dev split, change one thing, repeat::

    high bias?     -> bigger network (and train longer), deeper network,
                      train longer
    high variance? -> raise alpha, lower keep_prob, augmentation, another
                      (bigger, regularized) architecture, early stopping
    neither?       -> done

Each round is one fit of a clone of the estimator and one entry of
``history_``. The rounds form a greedy search: a round whose dev error is
worse than the best so far is undone, and its kind of change is not tried
again.
"""

import math
import time
import warnings
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, get_tags, indexable
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._compat import (
    HasMethods,
    Interval,
    RealNotInt,
    StrOptions,
    _fit_context,
    _num_samples,
)
from ._bias_variance import diagnose_bias_variance
from ._validation import error_scorer, validate_like_fit

__all__ = ["BasicRecipe"]

# Limits of the changes the recipe makes (the hidden units in all are bounded
# by the max_hidden_units parameter).
_MAX_HIDDEN_LAYERS = 4
_FIRST_HIDDEN_WIDTH = 16  # width of the layer added to a network with none
_MAX_EPOCHS = 10_000
# alpha goes up tenfold, and straight to at least 0.1: with the penalty
# alpha/(2m) ||W||^2 (m the mini-batch size), smaller values barely change a
# network's fit (scikit-learn's example "Varying regularization in
# Multi-layer Perceptron" sweeps alpha from 0.1 to 10).
_ALPHA_FACTOR = 10.0
_MIN_RAISED_ALPHA = 0.1
_MAX_ALPHA = 1e3
_KEEP_PROB_STEP = 0.2
_MIN_KEEP_PROB = 0.5

# The knobs the recipe reads and changes on the network (the last step of a
# Pipeline); the first three are required.
_REQUIRED_KNOBS = ("hidden_layer_sizes", "max_iter", "alpha")
_KNOBS = (*_REQUIRED_KNOBS, "penalty", "keep_prob", "early_stopping", "augment")


def _estimator_has(attr):
    """Check the fitted best estimator, or else the unfitted estimator."""

    def check(self):
        estimator = getattr(self, "best_estimator_", self.estimator)
        getattr(estimator, attr)
        return True

    return check


def _hidden_tuple(sizes):
    return tuple(int(s) for s in np.atleast_1d(np.asarray(sizes, dtype=object)))


class _Network:
    """Where the knobs of the estimator's network live, and how to change them."""

    def __init__(self, estimator):
        if hasattr(estimator, "steps"):
            name, step = estimator.steps[-1]
            self.prefix = f"{name}__"
        else:
            step, self.prefix = estimator, ""
        own = step.get_params(deep=False)
        missing = [k for k in _REQUIRED_KNOBS if k not in own]
        if missing:
            raise ValueError(
                "BasicRecipe needs a network estimator (DNNClassifier, "
                "DNNRegressor) or a Pipeline ending in one; "
                f"{step.__class__.__name__} has no parameter {missing[0]!r}."
            )
        self.knobs = [k for k in _KNOBS if k in own]
        self.stochastic = own.get("solver", "adam") in ("sgd", "adam")
        self.validation_fraction = own.get("validation_fraction", 0.1)
        self.n_train = None  # examples in the training split, set by fit

    def params(self, estimator):
        """The knobs' current values, under their ``set_params`` names."""
        values = estimator.get_params(deep=True)
        return {self.prefix + k: values[self.prefix + k] for k in self.knobs}

    def get(self, params, knob, default=None):
        return params.get(self.prefix + knob, default)

    def converged(self, fitted):
        """False when the fit used every epoch it was given (max_iter)."""
        step = fitted.steps[-1][1] if hasattr(fitted, "steps") else fitted
        n_iter = getattr(step, "n_iter_", None)
        return n_iter is None or n_iter < step.max_iter

    def epochs(self, fitted):
        """The epochs the fit trained: ``n_iter_``, else all of ``max_iter``."""
        step = fitted.steps[-1][1] if hasattr(fitted, "steps") else fitted
        return int(getattr(step, "n_iter_", step.max_iter))


def _check_error(train_error, dev_error, scoring):
    for split, value in (("train", train_error), ("dev", dev_error)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(
                f"scoring={scoring!r} gave a {split} error of {value}: an "
                "error must be finite and non-negative (is the dev split too "
                "small for this score?)."
            )


class BasicRecipe(MetaEstimatorMixin, BaseEstimator):
    """Run the course's basic recipe: fix high bias first, then high variance.

    ``fit`` splits off a dev set, then runs rounds. Each round fits a clone of
    ``estimator`` on the training split, measures the train and dev errors,
    diagnoses them with :func:`diagnose_bias_variance`, and picks one change
    for the next round:

    1. **High bias** (train error well above ``baseline_error``), in order:

       - *bigger network*: every hidden layer ``growth`` times wider (less
         when the hidden units would exceed ``max_hidden_units``), and
         ``max_iter`` ``growth`` times larger when the fit used all its
         epochs (it was still improving);
       - *deeper network*: one more hidden layer as wide as the last one
         (at most 4 hidden layers and ``max_hidden_units`` hidden units),
         training longer in the same way;
       - *train longer* on its own, when the fit used all its epochs.

    2. **High variance** (dev error well above train error), in order:

       - *raise alpha*: the L2 strength ``alpha`` times 10, and at least 0.1
         (smaller values barely change these networks), up to 1000; the
         ``"l2"`` penalty is turned on if there was none;
       - *lower keep_prob*: dropout keep probability minus 0.2, down to 0.5
         (stochastic solvers only);
       - *augmentation*: ``augment=augment`` on the network, when an
         ``augment`` is given (stochastic solvers);
       - *another architecture*: every hidden layer ``growth`` times wider,
         keeping the regularization reached so far (a bigger network
         regularized well rarely does worse);
       - *early stopping*: ``early_stopping=True`` (stochastic solvers, and
         a training split that leaves its dev set 2 examples or more). It
         comes last because it trains on less data and ties the end of
         optimization to regularization.

    The recipe stops when neither bias nor variance is high, when no change
    is left for the diagnosis, or when its budget is spent: ``max_rounds``
    rounds, ``max_total_epochs`` epochs over all rounds (a round is not
    started when its ``max_iter`` could exceed what remains) or ``max_time``
    seconds (checked after each round). The last entry of ``history_`` says
    why it stopped. The rounds
    are a greedy search: the next change applies to the latest round with
    the lowest dev error so far. A round whose dev error is higher than that
    is undone and its kind of change is not tried again; a round with the
    same dev error is kept, so a ladder such as ``alpha`` can climb through
    values that make no difference yet.

    ``best_estimator_`` uses the settings of the round with the lowest dev
    error (the earliest on ties). With ``refit=True`` it is refit on all of
    ``X`` (train and dev splits together); with ``refit=False`` it is that
    round's estimator as fitted on the training split.

    Parameters
    ----------
    estimator : estimator object
        A :class:`~sklearn_dnn.DNNClassifier` or
        :class:`~sklearn_dnn.DNNRegressor`, or a Pipeline whose last step is
        one (its parameters are set as ``step__param``). Any estimator with
        ``hidden_layer_sizes``, ``max_iter`` and ``alpha`` parameters works;
        the changes whose parameter it lacks are skipped. It is cloned, never
        changed.

    baseline_error : float, default=0.0
        Human-level (or Bayes) error: the error the avoidable bias is
        measured from, in the units of the error (see ``scoring``); at
        least 0.

    tolerance : float, default=0.01
        Absolute floor of the thresholds above which a gap is high, in the
        units of the error; see :func:`diagnose_bias_variance`.

    rel_tolerance : float, default=0.1
        Relative part of the thresholds; see :func:`diagnose_bias_variance`.

    max_rounds : int, default=10
        The largest number of rounds (fits on the training split). With
        ``refit=True`` one more fit follows.

    dev_size : float or int, default=0.2
        The dev split: a fraction of the examples in (0, 1) or a number of
        examples. It is stratified for classifiers when the classes allow.

    growth : int, default=4
        Factor by which a bias round widens the hidden layers and lengthens
        training.

    max_hidden_units : int, default=1024
        The most hidden units, all hidden layers together, that a round
        may grow the network to. A network that starts larger is not grown.

    max_total_epochs : int, default=2000
        The epoch budget: the epochs (``n_iter_``) trained by all rounds
        together, the refit not included. A round whose ``max_iter`` could
        take the total past it is not run, and an estimator whose
        ``max_iter`` alone exceeds it is an error.

    max_time : float or None, default=None
        The time budget in seconds: no round starts after it has passed.
        None sets no time limit.

    scoring : str, callable or None, default=None
        The score the error comes from. It is never clipped:

        - a score bounded above by 1, with 1 for a perfect model
          (``"accuracy"``, ``"balanced_accuracy"``, ``"f1"``, ``"r2"``, ...):
          the error is ``1 - score`` (above 1 for an R^2 below 0);
        - a negated loss (``"neg_mean_squared_error"``, ``"neg_log_loss"``,
          or ``make_scorer(loss, greater_is_better=False)``): the error is
          the loss, ``-score``.

        Any other scoring (a plain callable, ``"mutual_info_score"``) raises
        a ``ValueError``. None uses the estimator's ``score``: accuracy for
        a classifier, R^2 for a regressor.

    augment : object with an ``augment(X_batch, random_state)`` method or \
None, default=None
        An augmenter, such as :class:`~sklearn_dnn.ImageAugmenter`, that a
        variance round may switch on; None never augments.

    refit : bool, default=True
        Refit the best round's settings on all of ``X`` (True) or keep that
        round's estimator fitted on the training split (False).

    random_state : int, RandomState instance or None, default=None
        Seeds the train/dev split, and the fits of an estimator whose own
        ``random_state`` (or a Pipeline step's) is None: every round and the
        refit then use the same seed drawn from it. An estimator's own
        ``random_state``, when set, seeds its fits.

    verbose : int, default=0
        When positive, print one line per round with its errors, diagnosis
        and next change.

    Attributes
    ----------
    history_ : list of dict
        One dict per round with keys ``params`` (the values of the knobs the
        recipe controls, under their ``set_params`` names), ``train_error``,
        ``dev_error``, ``diagnosis`` (a :class:`BiasVarianceDiagnosis`),
        ``action`` (what the next round changes, or why the recipe stops, as
        text) and ``fit_time`` (seconds).

    best_index_ : int
        Index into ``history_`` of the round with the lowest dev error.

    best_params_ : dict
        That round's ``params``.

    best_dev_error_ : float
        That round's dev error.

    diagnosis_ : BiasVarianceDiagnosis
        That round's diagnosis.

    best_estimator_ : estimator object
        The estimator with ``best_params_``, refit on all of ``X`` when
        ``refit=True``; ``predict`` and ``score`` use it.

    refit_time_ : float
        Seconds spent refitting (0 when ``refit=False``).

    classes_ : ndarray of shape (n_classes,)
        The class labels (classifiers only).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when they are all strings.

    See Also
    --------
    diagnose_bias_variance : The diagnosis of each round.
    sklearn.model_selection.GridSearchCV : An exhaustive search of the same
        knobs.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dnn import BasicRecipe, DNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> recipe = BasicRecipe(
    ...     DNNClassifier(hidden_layer_sizes=(2,), max_iter=10, random_state=0),
    ...     max_rounds=3, random_state=0,
    ... ).fit(X / 16, y)
    >>> [round["diagnosis"].case for round in recipe.history_]
    ['high bias', 'high bias and high variance', 'high variance']
    >>> recipe.history_[0]["action"]
    'bigger network: hidden_layer_sizes (2,) -> (8,); train longer: max_iter 10 -> 40'
    >>> recipe.best_params_["hidden_layer_sizes"]
    (32,)
    >>> round(recipe.best_dev_error_, 2)
    0.04
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "baseline_error": [Interval(Real, 0, np.inf, closed="left")],
        "tolerance": [Interval(Real, 0, np.inf, closed="left")],
        "rel_tolerance": [Interval(Real, 0, None, closed="left")],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
        "dev_size": [
            Interval(RealNotInt, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "growth": [Interval(Integral, 2, None, closed="left")],
        "max_hidden_units": [Interval(Integral, 1, None, closed="left")],
        "max_total_epochs": [Interval(Integral, 1, None, closed="left")],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "augment": [HasMethods(["augment"]), None],
        "refit": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        *,
        baseline_error=0.0,
        tolerance=0.01,
        rel_tolerance=0.1,
        max_rounds=10,
        dev_size=0.2,
        growth=4,
        max_hidden_units=256,
        max_total_epochs=1000,
        max_time=None,
        scoring=None,
        augment=None,
        refit=True,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.baseline_error = baseline_error
        self.tolerance = tolerance
        self.rel_tolerance = rel_tolerance
        self.max_rounds = max_rounds
        self.dev_size = dev_size
        self.growth = growth
        self.max_hidden_units = max_hidden_units
        self.max_total_epochs = max_total_epochs
        self.max_time = max_time
        self.scoring = scoring
        self.augment = augment
        self.refit = refit
        self.random_state = random_state
        self.verbose = verbose

    # -- the changes ---------------------------------------------------------

    def _train_longer(self, net, params, converged):
        max_iter = net.get(params, "max_iter")
        if converged or max_iter >= _MAX_EPOCHS:
            return {}, []
        new = min(max_iter * self.growth, _MAX_EPOCHS)
        return (
            {net.prefix + "max_iter": new},
            [f"train longer: max_iter {max_iter} -> {new}"],
        )

    def _bigger_network(self, net, params, converged):
        hidden = _hidden_tuple(net.get(params, "hidden_layer_sizes"))
        if not hidden:
            return None
        # Every layer grows by the same factor, cut so that the hidden units
        # stay within max_hidden_units.
        factor = min(self.growth, self.max_hidden_units / sum(hidden))
        new = tuple(max(h, int(h * factor)) for h in hidden)
        if new == hidden:
            return None
        changes, text = self._train_longer(net, params, converged)
        changes[net.prefix + "hidden_layer_sizes"] = new
        return changes, [f"bigger network: hidden_layer_sizes {hidden} -> {new}"] + text

    def _deeper_network(self, net, params, converged):
        hidden = _hidden_tuple(net.get(params, "hidden_layer_sizes"))
        new = hidden + ((hidden[-1],) if hidden else (_FIRST_HIDDEN_WIDTH,))
        if len(new) > _MAX_HIDDEN_LAYERS or sum(new) > self.max_hidden_units:
            return None
        changes, text = self._train_longer(net, params, converged)
        changes[net.prefix + "hidden_layer_sizes"] = new
        keep_prob = net.get(params, "keep_prob")
        if keep_prob is not None and np.ndim(keep_prob) and len(keep_prob):
            # One keep probability per hidden layer: the new layer repeats
            # the last one.
            changes[net.prefix + "keep_prob"] = (*keep_prob, keep_prob[-1])
        return changes, [f"deeper network: hidden_layer_sizes {hidden} -> {new}"] + text

    def _longer_only(self, net, params, converged):
        changes, text = self._train_longer(net, params, converged)
        return (changes, text) if changes else None

    def _raise_alpha(self, net, params, converged):
        alpha = net.get(params, "alpha")
        if alpha >= _MAX_ALPHA:
            return None
        new = min(max(alpha * _ALPHA_FACTOR, _MIN_RAISED_ALPHA), _MAX_ALPHA)
        if net.get(params, "penalty", "l2") is None:
            return (
                {net.prefix + "penalty": "l2", net.prefix + "alpha": new},
                [f"regularization: penalty None -> 'l2', alpha {alpha:g} -> {new:g}"],
            )
        return (
            {net.prefix + "alpha": new},
            [f"regularization: alpha {alpha:g} -> {new:g}"],
        )

    def _lower_keep_prob(self, net, params, converged):
        if "keep_prob" not in net.knobs or not net.stochastic:
            return None
        keep_prob = net.get(params, "keep_prob")
        values = np.atleast_1d(np.asarray(keep_prob, dtype=float))
        if values.size == 0 or np.all(values <= _MIN_KEEP_PROB):
            return None
        lowered = [
            max(round(float(k) - _KEEP_PROB_STEP, 2), _MIN_KEEP_PROB)
            if k > _MIN_KEEP_PROB
            else float(k)
            for k in values
        ]
        new = lowered[0] if np.ndim(keep_prob) == 0 else tuple(lowered)
        return (
            {net.prefix + "keep_prob": new},
            [f"dropout: keep_prob {keep_prob} -> {new}"],
        )

    def _early_stopping(self, net, params, converged):
        if "early_stopping" not in net.knobs or not net.stochastic:
            return None
        if math.ceil(net.validation_fraction * net.n_train) < 2:
            return None  # too few examples for early stopping's dev set
        if net.get(params, "early_stopping"):
            return None
        return (
            {net.prefix + "early_stopping": True},
            ["early stopping: early_stopping False -> True"],
        )

    def _augmentation(self, net, params, converged):
        if self.augment is None or "augment" not in net.knobs or not net.stochastic:
            return None
        if net.get(params, "augment") is not None:
            return None
        return (
            {net.prefix + "augment": self.augment},
            [f"data augmentation: augment None -> {self.augment!r}"],
        )

    def _other_architecture(self, net, params, converged):
        # A bigger network, regularized as the rounds before left it: the
        # last variance remedy, after regularization and augmentation.
        move = self._bigger_network(net, params, converged=True)
        if move is None:
            return None
        changes, text = move
        return changes, [text[0].replace("bigger network", "another architecture")]

    _BIAS_MOVES = ("_bigger_network", "_deeper_network", "_longer_only")
    # Early stopping comes last: it trains on less data and ties the end of
    # optimization to regularization (the course's orthogonalization point).
    _VARIANCE_MOVES = (
        "_raise_alpha",
        "_lower_keep_prob",
        "_augmentation",
        "_other_architecture",
        "_early_stopping",
    )

    def _next_move(self, net, current, rejected):
        """The first change the current round's diagnosis calls for."""
        diagnosis = current["diagnosis"]
        moves = ()
        if diagnosis.high_bias:
            moves += self._BIAS_MOVES
        if diagnosis.high_variance:
            moves += self._VARIANCE_MOVES
        for name in moves:
            if name in rejected:
                continue
            move = getattr(self, name)(net, current["params"], current["converged"])
            if move is not None:
                return name, move
        return None, None

    # -- fitting -------------------------------------------------------------

    def _split(self, X, y):
        n_samples = _num_samples(X)
        if isinstance(self.dev_size, Integral):
            n_dev = self.dev_size
        else:
            n_dev = math.ceil(self.dev_size * n_samples)
        if not 0 < n_dev < n_samples:
            raise ValueError(
                f"dev_size={self.dev_size!r} must leave at least one example "
                "in both the dev split and the training split, but asks for "
                f"{n_dev} dev examples out of n_samples={n_samples}."
            )
        common = {"test_size": n_dev, "random_state": self.random_state}
        labels = np.asarray(y)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels.ravel()  # a column vector: split it as 1-D labels
        if is_classifier(self.estimator) and labels.ndim == 1:
            try:
                return train_test_split(X, y, stratify=labels, **common)
            except ValueError:
                pass  # too few examples of a class: split without stratifying
        return train_test_split(X, y, **common)

    def _seeded_estimator(self):
        """The estimator, its unset ``random_state`` s drawn from the recipe's.

        Every round and the refit then start from the same seed, so they
        differ only by the knobs the recipe changes, and a seeded recipe is
        reproducible.
        """
        estimator = clone(self.estimator)
        if self.random_state is None:
            return estimator
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        unset = {
            name: seed
            for name, value in estimator.get_params(deep=True).items()
            if name.endswith("random_state") and value is None
        }
        return estimator.set_params(**unset)

    def _fit_one(self, base, params, X, y):
        estimator = clone(base).set_params(**params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # The recipe decides how long to train; it reads n_iter_ instead.
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
        return estimator, time.perf_counter() - start

    def _check_budget(self, net):
        max_iter = net.get(net.params(self.estimator), "max_iter")
        if max_iter > self.max_total_epochs:
            raise ValueError(
                f"max_total_epochs={self.max_total_epochs} is smaller than the "
                f"estimator's max_iter={max_iter}: the first round alone could "
                "spend more than the budget. Raise max_total_epochs or lower "
                "max_iter."
            )

    def _over_budget(self, net, params, spent, started):
        """Why the round with ``params`` must not run, or None."""
        needed = net.get(params, "max_iter")
        if spent + needed > self.max_total_epochs:
            return (
                f"stop: max_total_epochs={self.max_total_epochs} budget spent: "
                f"{spent} epochs trained, and the next change could train "
                f"{needed} more"
            )
        elapsed = time.perf_counter() - started
        if self.max_time is not None and elapsed >= self.max_time:
            return (
                f"stop: max_time={self.max_time:g} budget spent: {elapsed:.1f} "
                "seconds elapsed"
            )
        return None

    def _round(self, base, net, error, params, split):
        """Fit one round; return its history entry and its fitted estimator."""
        X_train, X_dev, y_train, y_dev = split
        estimator, fit_time = self._fit_one(base, params, X_train, y_train)
        train_error = error(estimator, X_train, y_train)
        dev_error = error(estimator, X_dev, y_dev)
        _check_error(train_error, dev_error, self.scoring)
        diagnosis = diagnose_bias_variance(
            train_error,
            dev_error,
            self.baseline_error,
            self.tolerance,
            rel_tolerance=self.rel_tolerance,
        )
        entry = {
            "params": params,
            "train_error": train_error,
            "dev_error": dev_error,
            "diagnosis": diagnosis,
            "action": None,
            "fit_time": fit_time,
        }
        return entry, estimator

    def _run_rounds(self, base, net, error, split):
        """The rounds of the recipe: return ``(history, best)``."""
        history, rejected = [], set()
        params = net.params(self.estimator)
        best = current = move_name = None
        spent, started = 0, time.perf_counter()
        for index in range(self.max_rounds):
            entry, estimator = self._round(base, net, error, params, split)
            history.append(entry)
            spent += net.epochs(estimator)
            note = ""
            if current is None or entry["dev_error"] <= current["dev_error"]:
                current = {
                    "index": index,
                    "params": params,
                    "dev_error": entry["dev_error"],
                    "diagnosis": entry["diagnosis"],
                    "converged": net.converged(estimator),
                }
                if best is None or entry["dev_error"] < best["dev_error"]:
                    best = {**current, "estimator": estimator}
            else:
                rejected.add(move_name)
                note = (
                    f"dev error {error.format(entry['dev_error'])} is above round "
                    f"{current['index'] + 1}'s {error.format(current['dev_error'])}: "
                    f"back to round {current['index'] + 1}; "
                )
            move_name, move = self._next_move(net, current, rejected)
            case = current["diagnosis"].case
            stop = None
            if case == "good fit":
                stop = "stop: neither bias nor variance is high"
            elif move is None:
                stop = f"stop: no change left for {case}"
            elif index == self.max_rounds - 1:
                stop = f"stop: max_rounds={self.max_rounds} rounds spent"
            else:
                changes, text = move
                params = {**current["params"], **changes}
                stop = self._over_budget(net, params, spent, started)
            entry["action"] = note + (stop or "; ".join(text))
            self._say(index, entry, stop, error)
            if stop:
                break
        return history, best

    def _say(self, index, entry, stop, error):
        if self.verbose:
            print(
                f"[BasicRecipe] round {index + 1}/{self.max_rounds}: "
                f"train error {error.format(entry['train_error'])}, dev error "
                f"{error.format(entry['dev_error'])}, {entry['diagnosis'].case}; "
                + ("" if stop else "next: ")
                + entry["action"],
                flush=True,
            )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Run the recipe and fit ``best_estimator_``.

        A fit that fails or is interrupted changes nothing: the fitted
        attributes are all set together at the end.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data; the dev split is taken from it.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : object
            The fitted recipe.
        """
        if y is None:
            raise ValueError(
                f"{self.__class__.__name__} requires y to be passed, but the "
                "target y is None."
            )
        X, y = indexable(X, y)
        validate_like_fit(self.estimator)
        if is_classifier(self.estimator):
            check_classification_targets(y)
        net = _Network(self.estimator)
        error = error_scorer(self.estimator, self.scoring)
        self._check_budget(net)
        base = self._seeded_estimator()
        split = self._split(X, y)
        net.n_train = _num_samples(split[0])
        history, best = self._run_rounds(base, net, error, split)
        if self.refit:
            best_estimator, refit_time = self._fit_one(base, best["params"], X, y)
        else:
            best_estimator, refit_time = best["estimator"], 0.0
        fitted = {
            "history_": history,
            "best_index_": best["index"],
            "best_params_": dict(best["params"]),
            "best_dev_error_": best["dev_error"],
            "diagnosis_": best["diagnosis"],
            "best_estimator_": best_estimator,
            "refit_time_": refit_time,
        }
        for name, value in fitted.items():
            setattr(self, name, value)
        return self

    # -- prediction, delegated to best_estimator_ ------------------------------

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with ``best_estimator_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from ``best_estimator_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from ``best_estimator_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)

    def score(self, X, y):
        """Score ``best_estimator_`` on X and y.

        Uses ``scoring`` when given, else the estimator's own ``score``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.

        Returns
        -------
        score : float
            The score (accuracy or R^2 by default).
        """
        check_is_fitted(self)
        if self.scoring is None:
            return self.best_estimator_.score(X, y)
        return check_scoring(self.best_estimator_, scoring=self.scoring)(
            self.best_estimator_, X, y
        )

    @property
    def classes_(self):
        """Class labels of ``best_estimator_`` (classifiers only)."""
        _estimator_has("classes_")(self)
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self):
        """Number of features seen during fit."""
        try:
            check_is_fitted(self)
        except NotFittedError as exc:
            raise AttributeError(
                f"{self.__class__.__name__} object has no n_features_in_ attribute."
            ) from exc
        return self.best_estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        """Names of the features seen during fit, when they are all strings."""
        try:
            check_is_fitted(self)
        except NotFittedError as exc:
            raise AttributeError(
                f"{self.__class__.__name__} object has no feature_names_in_ attribute."
            ) from exc
        return self.best_estimator_.feature_names_in_

    def __sklearn_is_fitted__(self):
        return hasattr(self, "best_estimator_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = deepcopy(inner.classifier_tags)
        tags.regressor_tags = deepcopy(inner.regressor_tags)
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.input_tags.sparse = inner.input_tags.sparse
        return tags
