"""BasicRecipe: the course's basic recipe for machine learning, as a meta-estimator.

Fit, diagnose bias and variance on a dev split, race a few changes, repeat::

    high bias?     -> wider, deeper, narrower-and-deeper network, train
                      longer, batch norm, learning rate and decay, optimizer
    high variance? -> alpha on a log grid, lower keep_prob, augmentation,
                      wider or deeper (regularized) network, early stopping
    neither?       -> done

Each round is a race of candidate changes (``_recipe_race``) whose winner
is fitted and diagnosed as one entry of ``history_``, on k-fold errors
when the dev split is small (``_recipe_cv``). The rounds form a
greedy search: a round whose dev error is worse than the current one is
undone. The changes themselves are in ``_recipe_moves``.
"""

from copy import deepcopy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.callback import CallbackSupportMixin
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.validation import check_is_fitted

from .._compat import (
    HasMethods,
    Interval,
    RealNotInt,
    StrOptions,
    _fit_context,
    _num_samples,
)
from . import _recipe_race as clock
from ._bias_variance import verdict
from ._recipe_baseline import (
    baseline_terms,
    describe,
    given_baseline,
    reference_baseline,
)
from ._recipe_budget import RoundSearch, n_features_of
from ._recipe_choice import choose, race
from ._recipe_cv import cv_folds, judge_round
from ._recipe_data import checked_input, hold_out
from ._recipe_data import splits as make_splits
from ._recipe_delegation import delegated, estimator_has, fitted_attribute
from ._recipe_moves import NetworkKnobs
from ._recipe_outcome import final_advice, shipped_round
from ._recipe_race import fit_with_deadline
from ._recipe_round import measured_round
from ._validation import error_scorer

__all__ = ["BasicRecipe"]

# ``tolerance="auto"``: one point of error, the noise rule doing the rest.
_AUTO_TOLERANCE = 0.01


class BasicRecipe(CallbackSupportMixin, MetaEstimatorMixin, BaseEstimator):
    """Run the course's basic recipe: fix high bias first, then high variance.

    ``fit`` splits off a dev set, then runs rounds. Each round fits a clone of
    ``estimator`` on the training split, measures the train and dev errors,
    diagnoses them with :func:`diagnose_bias_variance`, and picks the family
    of changes for the next round: bias moves when the bias is high (then
    variance moves when none is left), variance moves when only the variance
    is high.

    **A race of moves.** The next round does not bet on one change: up to 6
    candidate moves of the family train side by side and the best by dev
    error (k-fold when ``cv`` applies) is the round. When the budget affords
    it, every candidate trains its full ``max_iter`` (a strong ``alpha``
    shows its worth only after enough epochs); otherwise (a candidate the
    time left would cut below half the current round's epochs, such as a
    much larger network, leaves the race; when all would, the race halves,
    down to a single move) they start at a short budget (their
    ``max_iter`` halved once per halving still to come, at least 10 epochs),
    the better half continues at twice the budget (successive halving), and
    the one left is the round, at its full budget. ``history_`` records
    every candidate's fits; with ``verbose`` each round's line names the
    winner and the runners-up. The candidates train through joblib with
    ``n_jobs`` workers, so ``joblib.parallel_backend("dask")`` spreads them
    over a cluster.

    1. **Bias moves**, in order (the first 6 that apply):

       - *bigger network*: every hidden layer ``growth`` times wider (less
         when the widest layer would exceed ``max_hidden_units``), and
         ``max_iter`` ``growth`` times larger when the fit used all its
         epochs (it was still improving);
       - *deeper network*: one more hidden layer as wide as the last one
         (at most ``max_hidden_layers``), training longer in the same way;
       - *narrower and deeper network*: one more hidden layer, all of them
         half as wide as the last one (at least 16 units);
       - *train longer* on its own, when the fit used all its epochs;
       - *batch normalization* (``batch_norm=True``) for a network of 2
         hidden layers or more, or one that used all its epochs;
       - *faster learning*: ``learning_rate_init`` 3 times larger (up to
         0.1), when the fit used all its epochs;
       - *learning-rate decay*: ``learning_rate="inverse_time"`` with a
         ``decay_rate`` that brings the rate to a tenth by the last epoch,
         starting 3 times larger;
       - *another optimizer* (``"adam"`` for ``"sgd"``) and *another
         initialization* (``init="he"`` for a ReLU network).

       When two bias rounds in a row leave the dev error no lower than the
       best so far by more than its standard error, the remaining bias is
       not avoidable with this data: the recipe says so and turns to
       variance moves on the best round so far.

    2. **Variance moves**, in order (the first 6 that apply):

       - *alpha* on the half-decade log grid from 1e-4 to 10: up to 3
         values no round has run yet (so one whose round was undone is never
         tried again) and no race has ruled out (a candidate that lost by
         more than twice the dev error's standard error at equal epochs),
         the nearest below the current ``alpha`` that a jump passed over and
         others above it spread evenly up to 10, the middle one first (the
         ``"l2"`` penalty is turned on if it was off);
       - *lower keep_prob*: dropout keep probability minus 0.2, down to 0.5
         (stochastic solvers only);
       - *augmentation*: ``augment=augment`` on the network, when an
         ``augment`` is given (stochastic solvers);
       - *another architecture*: every hidden layer ``growth`` times wider,
         or one more layer, keeping the regularization reached so far;
       - *early stopping*: ``early_stopping=True`` with
         ``n_iter_no_change`` at least 20 and a ``validation_fraction``
         giving at least 300 validation rows (not raced when that would
         take more than a quarter of the training split).

    A move that made a round worse is not raced again. A good fit reached
    by an ``alpha`` jump (the race compares values decades apart) is
    refined once before the recipe stops: the two grid values next to the
    winner that the jump passed over race for one more round (coarse to
    fine). The recipe stops
    when neither bias nor variance is high, when no change is left for the
    diagnosis, when two variance rounds in a row leave the dev error no
    lower beyond its standard error than the best before them (the dev data
    cannot tell such rounds apart), or when its budget is spent. **The
    budget is a hard limit**: every fit (the candidates, the rounds, the
    cross-validated diagnoses and the refit) carries a callback that stops
    training after the epoch during which its deadline passed; the rounds
    end by ``max_time`` less the estimated refit of the best round so far,
    the refit by ``max_time``.
    Each round's ``max_iter`` is also sized beforehand to the time left: its
    seconds per epoch are estimated from the last round's (scaled by the
    number of weights) and by the race's cost, and the round leaves time
    for the refit. A round's text says what it actually does ("train
    longer" only when it trains more epochs than the round it starts from).
    A round is refused when fewer than 10 epochs (or its ``max_iter``, if
    smaller) would fit. ``max_rounds``, ``max_total_epochs``,
    ``max_hidden_units`` and ``max_hidden_layers`` are caps. The last entry
    of ``history_`` says why it stopped.

    **The round shipped.** Rounds whose dev errors lie within one standard
    error (the lowest dev error's) of the lowest are equally good as far
    as the dev split can tell; the recipe ships the one with the fewest high
    gaps, the later one on ties. ``best_estimator_`` uses its settings, and
    ``best_index_``, ``diagnosis_`` and ``advice_`` describe that round.
    With ``refit=True`` it is refit on all of ``X`` (train and dev splits
    together); with ``refit=False`` it is that round's estimator as fitted
    on the training split. When its dev error is above the ``"auto"``
    baseline's reference model beyond the noise of both, ``advice_`` names
    that model with both figures.


    **An explicit dev set.** ``fit(X, y, X_val=, y_val=)`` takes the dev set
    from the distribution the model will serve. The split of ``X`` is then a
    *train-dev* set (training distribution, not trained on): every round
    diagnoses its train, train-dev and dev errors, so that a dev error above
    the train-dev error shows as high data mismatch rather than high
    variance. No change of the network fixes a mismatch: a round whose
    diagnosis is high data mismatch says so, and the recipe stops there when
    no bias or variance change is left to make.

    **Callbacks.** scikit-learn's callbacks (``set_callbacks``, see
    :mod:`sklearn.callback`) see the fit as a ``"fit"`` task with one
    ``"round"`` subtask per round and a ``"refit"`` subtask; callbacks that
    propagate (such as ``ProgressBar``) reach each round's network and its
    epochs. A callback whose ``on_fit_task_end`` returns True at the end of a
    round stops the recipe after that round, keeping the best round so far.

    Parameters
    ----------
    estimator : estimator object
        A :class:`~sklearn_dnn.DNNClassifier` or
        :class:`~sklearn_dnn.DNNRegressor`, or a Pipeline whose last step is
        one (its parameters are set as ``step__param``). Any estimator with
        ``hidden_layer_sizes``, ``max_iter`` and ``alpha`` parameters works;
        the changes whose parameter it lacks are skipped. It is cloned, never
        changed.

    baseline_error : "auto" or float, default="auto"
        The error the avoidable bias is measured from, a proxy for the
        Bayes error, in the units of the error (see ``scoring``). A float
        (at least 0) is a human-level or known figure, used as it is.
        ``"auto"`` measures it from the data: the lowest 5-fold
        cross-validated error of reference models that need no tuning
        (``LogisticRegression`` behind a ``StandardScaler`` and
        ``HistGradientBoostingClassifier`` for a classifier; ``RidgeCV``
        behind a ``StandardScaler`` and ``HistGradientBoostingRegressor``
        for a regressor; through ``MultiOutputClassifier`` or
        ``MultiOutputRegressor`` for several targets), after a Pipeline's
        steps before its network, scored on the recipe's error. They are
        fitted once at the start of ``fit`` on the training split only
        (never on the dev split or ``X_val``), on at most 10,000 rows, and
        take at most a tenth of ``max_time``: each is timed on one fit of up
        to 500 rows, then cross-validated on as many rows as the time left
        allows, or skipped (the slower one goes second); ``baseline_``'s
        ``notes`` say what was cut. Another model's held-out error is an
        upper bound of the Bayes error; its standard error counts in the
        avoidable-bias gap (see ``tolerance``). When no reference can be
        measured the baseline is 0, and ``baseline_`` says why.

    tolerance : "auto" or float, default="auto"
        Absolute floor of the thresholds above which a gap is high, in the
        units of the error; see :func:`diagnose_bias_variance`. ``"auto"``
        is 0.01. Either way each round passes its splits' sizes (error
        rates) or its per-example losses' standard errors (other errors), so
        a gap must also exceed its sampling noise to be high; a gap above
        the threshold but within the noise is *uncertain*.

    rel_tolerance : float, default=0.1
        Relative part of the thresholds; see :func:`diagnose_bias_variance`.

    max_rounds : int, default=10
        The largest number of rounds (fits on the training split). With
        ``refit=True`` one more fit follows.

    dev_size : float or int, default=0.2
        The dev split of ``X`` (the train-dev split when ``X_val`` is
        given): a fraction of the examples in (0, 1) or a number of
        examples. It is stratified for classifiers when the classes allow.

    cv : "auto", int or None, default="auto"
        How rounds and race candidates are judged. With an int, each is
        judged on ``cv``-fold errors over all of ``X`` (stratified for
        classifiers, the folds seeded by ``random_state``): every example
        serves as dev once, so the choice among candidates, between rounds
        and of the round shipped rests on all of ``X`` instead of the dev
        split, as a scikit-learn search judges its candidates. ``"auto"``
        does so with 5 folds when the dev split holds fewer than 1,000
        examples (where one round's dev error differs from the next by less
        than its noise); None judges on the dev split alone. Not used with
        ``X_val``: the dev set is then the distribution served. The folds'
        fits count in ``max_time`` (its deadline stops them), not in
        ``max_total_epochs``. A round whose folds ``max_time``
        leaves no time for is judged on its dev split, and says so.

    growth : int, default=4
        Factor by which a bias round widens the hidden layers and lengthens
        training.

    max_hidden_units : int, default=512
        The widest hidden layer a round may grow the network to. A network
        whose widest layer starts larger is not widened.

    max_hidden_layers : int, default=4
        The most hidden layers a round may deepen the network to.

    max_total_epochs : int, default=20000
        The epoch cap: the epochs (``n_iter_``) trained by all rounds
        together, the refit not included. A round whose ``max_iter`` could
        take the total past it is shrunk to the epochs left (not run when
        fewer than 10 are left), and an estimator whose ``max_iter`` alone
        exceeds it is an error.

    max_time : float or None, default=180.0
        The time budget in seconds (three minutes), a hard limit: the
        ``"auto"`` baseline's reference models (a tenth at most), the
        rounds, their races and the refit end within it, plus at most one
        epoch of the fit running when it passed. The first round, the
        estimator as given, is not sized beforehand but is stopped like any
        fit. A refit cut short keeps the shipped round's fit on the training
        split instead. None sets no time limit (the other budgets still
        apply; the reference models then see all of their 10,000 rows at
        most).

    scoring : str, callable or None, default=None
        The score the error comes from. It is never clipped:

        - a score bounded above by 1, with 1 for a perfect model
          (``"accuracy"``, ``"balanced_accuracy"``, ``"f1"``, ``"r2"``, ...):
          the error is ``1 - score`` (above 1 for an R^2 below 0);
        - a negated loss (``"neg_mean_squared_error"``, ``"neg_log_loss"``,
          or ``make_scorer(loss, greater_is_better=False)``): the error is
          the loss, ``-score``.

        Any other scoring (a plain callable, ``"mutual_info_score"``) raises
        a ``ValueError``. None is the error rate (``1 - accuracy``) for
        single-label classification, ``1 - R^2`` for regression and the
        Hamming loss (the share of wrong labels) for multilabel targets.
        The ``"auto"`` baseline is measured with the same error.

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

    n_jobs : int or None, default=1
        The joblib workers that train a race's candidates (None: one, -1:
        all processors). Wall time counts in ``max_time`` either way.

    verbose : int, default=0
        When positive, print the baseline, one line per round with its race
        (winner and runners-up), errors, diagnosis and next change, and the
        round shipped with the final advice.

    Attributes
    ----------
    history_ : list of dict
        One dict per round with keys ``params`` (the values of the knobs the
        recipe controls, under their ``set_params`` names), ``train_error``,
        ``train_dev_error`` (None without ``X_val``), ``dev_error``,
        ``diagnosis`` (a :class:`BiasVarianceDiagnosis` with the splits'
        sizes or standard errors; the cross-validated one when ``cv``
        applied),
        ``action`` (what the next round races or changes, or why the recipe
        stops, as text), ``fit_time`` (seconds), ``cut`` (whether
        ``max_time`` stopped the fit), ``change`` (the race's summary and
        the winner's change that made this round; None for the first),
        ``candidates`` (one dict per fit of the race before the round, with
        ``move``, ``action``, ``rung``, ``max_iter`` (its budget),
        ``epochs``, ``dev_error``, ``fit_time`` and ``cut``) and
        ``baseline_error`` (the baseline its diagnosis measured the bias
        from), ``n_folds`` (the folds its ``train_error``, ``dev_error`` and
        ``diagnosis`` are cross-validated on, see ``cv``; None: the dev
        split), ``cv_time`` (the folds' seconds) and ``undone`` (whether the
        recipe went back to the round before: its dev error was higher).

    baseline_ : dict
        The baseline: ``error``, ``standard_error`` (None for a given
        number), ``source`` (``"given"``, or the reference model that set it
        and how it was measured), ``model`` (that model's name, ``"auto"``
        only), ``errors`` (each reference's error, None when skipped),
        ``n_samples`` (the rows it was cross-validated on), ``notes`` (what
        was subsampled, cut to the time share or skipped, and why) and
        ``seconds``.

    best_index_ : int
        Index into ``history_`` of the round shipped: the one with the
        fewest high gaps among those within one standard error of the lowest
        dev error, the later one on ties.

    best_params_ : dict
        That round's ``params``.

    best_dev_error_ : float
        That round's dev error.

    diagnosis_ : BiasVarianceDiagnosis
        That round's diagnosis.

    advice_ : str
        The recipe's last word: the round shipped and its diagnosis, and,
        with the ``"auto"`` baseline, how its dev error compares with the
        reference model's error, naming that model as the better tool when
        it is better beyond the noise of both figures. ``verbose=1`` prints
        it last.

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
    ['high bias', 'high bias', 'high variance']
    >>> recipe.history_[0]["action"]  # doctest: +NORMALIZE_WHITESPACE
    'a race of 6 bias moves (bigger network, deeper network, train longer,
    batch normalization, faster learning, learning rate decay)'
    >>> recipe.best_params_["hidden_layer_sizes"]
    (32,)
    >>> round(recipe.best_dev_error_, 2)
    0.03
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "baseline_error": [
            StrOptions({"auto"}),
            Interval(Real, 0, np.inf, closed="left"),
        ],
        "tolerance": [StrOptions({"auto"}), Interval(Real, 0, np.inf, closed="left")],
        "cv": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left"), None],
        "rel_tolerance": [Interval(Real, 0, None, closed="left")],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
        "dev_size": [
            Interval(RealNotInt, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "growth": [Interval(Integral, 2, None, closed="left")],
        "max_hidden_units": [Interval(Integral, 1, None, closed="left")],
        "max_hidden_layers": [Interval(Integral, 1, None, closed="left")],
        "max_total_epochs": [Interval(Integral, 1, None, closed="left")],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "augment": [HasMethods(["augment"]), None],
        "refit": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        *,
        baseline_error="auto",
        tolerance="auto",
        rel_tolerance=0.1,
        max_rounds=10,
        dev_size=0.2,
        cv="auto",
        growth=4,
        max_hidden_units=512,
        max_hidden_layers=4,
        max_total_epochs=20000,
        max_time=180.0,
        scoring=None,
        augment=None,
        refit=True,
        random_state=None,
        n_jobs=1,
        verbose=0,
    ):
        self.estimator = estimator
        self.baseline_error = baseline_error
        self.tolerance = tolerance
        self.rel_tolerance = rel_tolerance
        self.max_rounds = max_rounds
        self.dev_size = dev_size
        self.cv = cv
        self.growth = growth
        self.max_hidden_units = max_hidden_units
        self.max_hidden_layers = max_hidden_layers
        self.max_total_epochs = max_total_epochs
        self.max_time = max_time
        self.scoring = scoring
        self.augment = augment
        self.refit = refit
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # -- the data ------------------------------------------------------------

    def _hold_out(self, X, y):
        """Split ``X`` into training and held-out (dev or train-dev) examples."""
        return hold_out(self, X, y)

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

    # -- a round ---------------------------------------------------------------

    def _fit_one(self, task, base, params, X, y, deadline):
        """Fit a clone with ``params`` as the subtask ``task``, stopping after
        the epoch past the clock reading ``deadline`` (None: no limit).

        Returns the fitted estimator, its fit time, whether the deadline cut
        it and whether a callback asked to stop.
        """
        estimator = clone(base).set_params(**params)
        data = {"estimator": self, "X": X, "y": y}
        with task.propagate_callback_context(estimator):
            task.call_on_fit_task_begin(**data)
            fit_time, cut = fit_with_deadline(estimator, X, y, deadline)
            stop = task.call_on_fit_task_end(
                **data,
                reconstruction_attributes=lambda: {"best_estimator_": estimator},
            )
        return estimator, fit_time, cut, stop

    def _round(self, context, base, params, error, splits, deadline):
        """Fit and diagnose one round: ``(history entry, estimator, stop)``."""
        task = context.subcontext(task_name="round")
        estimator, fit_time, cut, stop = self._fit_one(
            task, base, params, *splits.train, deadline
        )
        entry = measured_round(self, estimator, params, error, splits)
        entry.update(fit_time=fit_time, cut=cut)
        # The round shipped may be any round, and its own fit is the model
        # when refit=False or when max_time leaves no time for the refit.
        self._fitting["fits"].append((entry, estimator))
        return entry, estimator, stop

    def _baseline_terms(self, noise):
        """The baseline error and ``noise`` with the baseline's standard error."""
        return baseline_terms(self._fitting["baseline"], noise)

    def _tolerance(self):
        """The practical threshold: ``"auto"`` is 0.01, with the noise rule."""
        return _AUTO_TOLERANCE if self.tolerance == "auto" else self.tolerance

    # -- the choice after a round ---------------------------------------------

    def _check_budget(self, knobs):
        max_iter = knobs.get(knobs.params(self.estimator), "max_iter")
        if max_iter > self.max_total_epochs:
            raise ValueError(
                f"max_total_epochs={self.max_total_epochs} is smaller than the "
                f"estimator's max_iter={max_iter}: the first round alone could "
                "spend more than the budget. Raise max_total_epochs or lower "
                "max_iter."
            )

    def _run_rounds(self, context, base, knobs, error, splits):
        """The rounds of the recipe: return the finished ``RoundSearch``."""
        # The clock starts before the reference baseline: it counts in max_time.
        search = RoundSearch(knobs.params(self.estimator), self._fitting["started"])
        search.n_features = n_features_of(splits.train[0])
        search.refit_ratio = _num_samples(splits.all[0]) / _num_samples(splits.train[0])
        search.n_folds = cv_folds(
            self.cv, _num_samples(splits.dev[0]), splits.train_dev is not None
        )
        for index in range(self.max_rounds):
            records, change = [], None
            if search.candidates:
                records, change = race(self, knobs, base, error, splits, search)
            entry, estimator, stop_asked = self._round(
                context, base, search.params, error, splits,
                search.rounds_deadline(self),
            )  # fmt: skip
            entry["candidates"], entry["change"] = records, change
            note = judge_round(self, index, entry, base, error, splits, search)
            note += search.record(index, entry, estimator, knobs, error)
            action, stop = choose(self, search, index, knobs, stop_asked)
            entry["action"] = note + action
            self._say(index, entry, stop, error)
            if stop:
                break
        return search

    def _say(self, index, entry, stop, error):
        if not self.verbose:
            return
        train_dev = entry["train_dev_error"]
        train_dev = (
            "" if train_dev is None else f"train-dev error {error.format(train_dev)}, "
        )
        change = "" if entry["change"] is None else f"{entry['change']}; "
        folds = f"{entry['n_folds']}-fold " if entry.get("n_folds") else ""
        print(
            f"[BasicRecipe] round {index + 1}/{self.max_rounds}: {change}"
            f"{folds}train error {error.format(entry['train_error'])}, {train_dev}dev "
            f"error {error.format(entry['dev_error'])}, {verdict(entry['diagnosis'])}; "
            + ("" if stop else "next: ")
            + entry["action"],
            flush=True,
        )

    # -- fit -----------------------------------------------------------------

    def _baseline(self, X, y, error):
        """The ``baseline_`` record: the given number, or the references'."""
        if self.baseline_error != "auto":
            return given_baseline(self.baseline_error)
        return reference_baseline(
            self.estimator,
            X,
            y,
            error,
            max_time=self.max_time,
            random_state=self.random_state,
        )

    def _shipped(self, history, error):
        """The round to ship (see ``_recipe_outcome``), as ``_refit`` takes it."""
        index = shipped_round(history)
        entry = history[index]
        fitted = (model for done, model in self._fitting["fits"] if done is entry)
        shipped = {**entry, "index": index, "estimator": next(fitted, None)}
        advice = final_advice(history, index, self._fitting["baseline"], error)
        if self.verbose:
            print(f"[BasicRecipe] {advice}", flush=True)
        return shipped, advice

    def _refit(self, context, base, search, X, y):
        """The best round's settings refit on all of ``X`` by ``max_time``.

        A refit that ``max_time`` cut short is not the model the rounds
        measured: the round's own fit (on the training split) is kept
        instead, and the last history entry says so.
        """
        best = search.best
        if not self.refit:
            return best["estimator"], 0.0
        deadline = None if self.max_time is None else search.started + self.max_time
        if deadline is not None and clock.now() >= deadline:
            self._keep_round_fit(search, best, "no time was left for the refit")
            return best["estimator"], 0.0
        task = context.subcontext(task_name="refit")
        estimator, refit_time, cut, _ = self._fit_one(
            task, base, best["params"], X, y, deadline
        )
        if cut:
            self._keep_round_fit(search, best, "the refit was cut short")
            return best["estimator"], refit_time
        return estimator, refit_time

    def _keep_round_fit(self, search, best, why):
        search.history[-1]["action"] += (
            f"; {why} by max_time={self.max_time:g}: best_estimator_ is round "
            f"{best['index'] + 1}'s fit on the training split"
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, X_val=None, y_val=None):
        """Run the recipe and fit ``best_estimator_``.

        A fit that fails or is interrupted changes nothing: the fitted
        attributes are all set together at the end.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data; the dev split (the train-dev split when ``X_val``
            is given) is taken from it.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        X_val : array-like or sparse matrix of shape (n_val, n_features), \
default=None
            A dev set from the distribution the model will serve: every
            round's dev error is measured on it, and the split of ``X``
            becomes a train-dev set (see the class description).

        y_val : array-like of shape (n_val,) or (n_val, n_outputs), \
default=None
            Targets of ``X_val``.

        Returns
        -------
        self : object
            The fitted recipe.
        """
        X, y, X_val, y_val = checked_input(self, X, y, X_val, y_val)
        knobs = NetworkKnobs(self.estimator)
        error = error_scorer(self.estimator, self.scoring, y)
        self._check_budget(knobs)
        base = self._seeded_estimator()
        splits = make_splits(self, X, y, X_val, y_val)
        knobs.y_train = splits.train[1]
        context = self._init_callback_context(
            max_subtasks=self.max_rounds + bool(self.refit)
        )
        context.call_on_fit_task_begin(estimator=self, X=X, y=y)
        self._fitting = {"started": clock.now(), "fits": []}
        try:
            baseline = self._fitting["baseline"] = self._baseline(*splits.train, error)
            if self.verbose:
                print(f"[BasicRecipe] {describe(baseline, error)}", flush=True)
            search = self._run_rounds(context, base, knobs, error, splits)
            best, advice = self._shipped(search.history, error)
            search.best = best
            best_estimator, refit_time = self._refit(context, base, search, X, y)
        finally:
            del self._fitting
        fitted = {
            "history_": search.history,
            "baseline_": baseline,
            "best_index_": best["index"],
            "best_params_": dict(best["params"]),
            "best_dev_error_": best["dev_error"],
            "diagnosis_": best["diagnosis"],
            "advice_": advice,
            "best_estimator_": best_estimator,
            "refit_time_": refit_time,
        }
        for name, value in fitted.items():
            setattr(self, name, value)
        context.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

    # -- prediction, delegated to best_estimator_ ------------------------------

    predict = delegated(
        "predict",
        """y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions.""",
    )
    predict_proba = delegated(
        "predict_proba",
        """proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.""",
    )
    predict_log_proba = delegated(
        "predict_log_proba",
        """log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.""",
    )

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
        estimator_has("classes_")(self)
        return self.best_estimator_.classes_

    n_features_in_ = fitted_attribute(
        "n_features_in_", "Number of features seen during fit."
    )
    feature_names_in_ = fitted_attribute(
        "feature_names_in_",
        "Names of the features seen during fit, when they are all strings.",
    )

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
