"""What the diagnostics share: validating like ``fit``, and errors from scores.

Every entry point that takes an estimator validates its parameters as the
estimator's own ``fit`` would, so a typo is an ``InvalidParameterError``
naming the parameter rather than a wrong diagnosis.

An error is only meaningful when "0 is perfect, more is worse" holds for it.
:func:`error_scorer` turns a ``scoring`` into such an error, or says why it
cannot:

- a score bounded above by 1, 1 for a perfect model (accuracy, balanced
  accuracy, f1, precision, recall, jaccard, ROC AUC, R^2, explained variance,
  ...): the error is ``1 - score``. It is never clipped: an R^2 below 0 gives
  an error above 1, a model worse than predicting the mean;
- a loss negated by scikit-learn (``neg_mean_squared_error``,
  ``neg_log_loss``, ... or any ``make_scorer(..., greater_is_better=False)``):
  the error is the loss, ``-score``;
- anything else (a plain callable, a score without an upper bound of 1 such
  as ``mutual_info_score``) is a ``ValueError`` naming ``scoring``.
"""

import numpy as np
from sklearn import metrics
from sklearn.base import is_classifier, is_regressor
from sklearn.metrics import check_scoring
from sklearn.utils import indexable
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_consistent_length

from .._engine.dropout import resolve_keep_prob
from .._formatting import percent
from .._multilayer import BaseDNN

# Score functions whose best value is 1 and that never exceed it.
# Scores bounded by 1 whose 1 - score is no rate (it may exceed 1).
_NOT_RATES = frozenset({"R^2", "r2", "explained_variance", "d2_absolute_error"})

_BOUNDED_BY_ONE = frozenset(
    {
        metrics.accuracy_score,
        metrics.adjusted_mutual_info_score,
        metrics.adjusted_rand_score,
        metrics.average_precision_score,
        metrics.balanced_accuracy_score,
        metrics.completeness_score,
        metrics.d2_absolute_error_score,
        metrics.d2_brier_score,
        metrics.d2_log_loss_score,
        metrics.d2_pinball_score,
        metrics.d2_tweedie_score,
        metrics.explained_variance_score,
        metrics.f1_score,
        metrics.fbeta_score,
        metrics.fowlkes_mallows_score,
        metrics.homogeneity_score,
        metrics.jaccard_score,
        metrics.matthews_corrcoef,
        metrics.normalized_mutual_info_score,
        metrics.precision_score,
        metrics.r2_score,
        metrics.rand_score,
        metrics.recall_score,
        metrics.roc_auc_score,
        metrics.top_k_accuracy_score,
        metrics.v_measure_score,
    }
)


def unwrap_network(estimator):
    """The network estimator inside ``estimator``.

    A fitted search's (or :class:`~sklearn_dnn.BasicRecipe`'s)
    ``best_estimator_``, a fitted ``TransformedTargetRegressor``'s
    ``regressor_`` and a Pipeline's last step are followed, as deep as they
    nest; any other estimator is returned as it is.

    Parameters
    ----------
    estimator : estimator object
        A network, a Pipeline ending in one, or a fitted meta-estimator with
        ``best_estimator_``.

    Returns
    -------
    network : estimator object
        The network (or whatever estimator ends the chain).
    """
    while True:
        if hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif hasattr(estimator, "regressor_"):  # TransformedTargetRegressor
            estimator = estimator.regressor_
        elif hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        else:
            return estimator


def validate_like_fit(estimator):
    """Validate ``estimator``'s parameters as its ``fit`` would, or raise.

    The estimator is validated with the estimators among its parameters (a
    Pipeline's steps, a meta-estimator's ``estimator``). The network it
    holds (see :func:`unwrap_network`) also gets the checks its ``fit``
    makes beyond the parameter constraints (``hidden_layer_sizes`` entries,
    ``keep_prob`` per layer).

    Parameters
    ----------
    estimator : estimator object
        The estimator, a Pipeline, or a fitted meta-estimator.

    Returns
    -------
    network : estimator object
        The network inside ``estimator`` (see :func:`unwrap_network`).

    Raises
    ------
    InvalidParameterError
        Naming the parameter that ``fit`` would reject.
    """
    network = unwrap_network(estimator)
    parts = [estimator, network]
    if hasattr(estimator, "get_params"):
        parts += estimator.get_params(deep=True).values()
    for part in parts:
        if hasattr(part, "_parameter_constraints") and hasattr(part, "get_params"):
            _validate_params(part)
    if isinstance(network, BaseDNN):
        resolve_keep_prob(network.keep_prob, len(network._hidden_sizes()))
    return network


def check_dev_set(estimator, X, X_val, y_val):
    """Return an explicit dev set ``(X_val, y_val)`` checked against ``X``.

    Parameters
    ----------
    estimator : estimator object
        The estimator to be scored on it (a classifier's ``y_val`` must be
        class labels).
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The training data.
    X_val, y_val : array-like or None
        The dev set; both None for none.

    Returns
    -------
    X_val, y_val : indexable or None

    Raises
    ------
    ValueError
        Naming ``X_val`` or ``y_val``, when only one is given, their lengths
        differ or ``X_val`` has other features than ``X``.
    """
    if (X_val is None) != (y_val is None):
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ValueError(f"{given} is given without {missing}: the dev set needs both.")
    if X_val is None:
        return None, None
    X_val, y_val = indexable(X_val, y_val)
    check_consistent_length(X_val, y_val)
    if is_classifier(estimator):
        check_classification_targets(y_val)
    n_features, n_val_features = np.shape(X)[1:], np.shape(X_val)[1:]
    if n_features != n_val_features:
        raise ValueError(
            f"X_val has {n_val_features} features per example but X has "
            f"{n_features}: the dev set must describe examples the same way."
        )
    return X_val, y_val


def _validate_params(estimator):
    try:
        estimator._validate_params()
    except ValueError as exc:  # scikit-learn's InvalidParameterError
        # Say whose parameter it is: a function decorated by validate_params
        # would otherwise claim it as its own.
        message = str(exc).replace("parameter of ", "parameter of the estimator ", 1)
        raise type(exc)(message) from exc


class ErrorScorer:
    """``error(estimator, X, y)``: a scorer's score turned into an error.

    Built by :func:`error_scorer`.

    Attributes
    ----------
    scorer : callable
        The scikit-learn scorer.
    negated_loss : bool
        True when the error is ``-score`` (a negated loss), False when it is
        ``1 - score``.
    name : str
        The error in words, for axis labels.
    """

    def __init__(self, scorer, negated_loss, name):
        self.scorer = scorer
        self.negated_loss = negated_loss
        self.name = name

    def from_scores(self, scores):
        """The errors of scores (a float or an array)."""
        return -scores if self.negated_loss else 1.0 - scores

    def format(self, error):
        """The error as text: an error rate as a percentage, else a number.

        ``1 - R^2`` (and other scores that are not rates) is never a
        percentage: ``"0.1234 (1 - R^2)"``.
        """
        if self.negated_loss:
            return f"{error:.4g}"
        if self.is_rate:
            return percent(error)
        return f"{error:.4f} ({self.name})"

    @property
    def is_rate(self):
        """Whether the error is a rate, in [0, 1]: not a loss, not 1 - R^2."""
        kind = self.name.removeprefix("1 - ").removesuffix("_score")
        return not self.negated_loss and kind not in _NOT_RATES

    def __call__(self, estimator, X, y):
        return float(self.from_scores(self.scorer(estimator, X, y)))

    @property
    def is_proportion(self):
        """Whether the error is a proportion of examples (1 - accuracy)."""
        return self.name in {"1 - accuracy", "1 - accuracy_score"}

    def losses(self, estimator, X, y):
        """Per-example losses whose mean is the error, or None when unknown.

        Known for 1 - R^2 (squared residuals over the targets' variance),
        the squared and absolute errors, the log loss and the Hamming loss
        (each example's share of wrong labels); their standard
        deviation over ``sqrt(n)`` is the error's standard error.
        """
        kind = self.name.removeprefix("1 - ").removesuffix("_score")
        if kind == "log_loss":
            proba = np.clip(estimator.predict_proba(X), 1e-15, 1)
            classes = list(estimator.classes_)
            rows = np.arange(len(proba))
            return -np.log(proba[rows, [classes.index(c) for c in np.asarray(y)]])
        if kind == "hamming_loss":
            wrong = np.asarray(estimator.predict(X)) != np.asarray(y)
            return wrong.reshape(len(wrong), -1).mean(axis=1)
        if kind not in {"R^2", "r2", "mean_squared_error", "mean_absolute_error"}:
            return None
        y = np.asarray(y, dtype=float).reshape(len(y), -1)
        residuals = y - np.asarray(estimator.predict(X), dtype=float).reshape(y.shape)
        if kind == "mean_absolute_error":
            return np.abs(residuals).mean(axis=1)
        squared = residuals**2
        if kind == "mean_squared_error":
            return squared.mean(axis=1)
        spread = np.maximum(((y - y.mean(axis=0)) ** 2).mean(axis=0), 1e-300)
        return (squared / spread).mean(axis=1)


def error_scorer(estimator, scoring, y=None):
    """Return the :class:`ErrorScorer` of ``scoring``, or raise.

    Parameters
    ----------
    estimator : estimator object
        The estimator scored (a Pipeline is scored by its last step when
        ``scoring`` is None).
    scoring : str, callable or None
        A scorer name, a scorer from ``make_scorer``, or None for the
        default error: the error rate (``1 - accuracy``) for single-label
        classification, ``1 - R^2`` for regression and the Hamming loss for
        multilabel targets ``y``.
    y : array-like or None, default=None
        The targets, when known: with ``scoring=None``, multilabel targets
        of a classifier are scored by the Hamming loss (the share of wrong
        labels) rather than the subset accuracy, which counts an example
        with one wrong label out of many as entirely wrong.

    Raises
    ------
    ValueError
        Naming ``scoring``, when its error would not be meaningful.
    """
    if scoring is None:
        if is_classifier(estimator) and _is_multilabel(y):
            scorer = metrics.make_scorer(metrics.hamming_loss, greater_is_better=False)
            return ErrorScorer(scorer, True, "hamming_loss")
        if is_classifier(estimator):
            return ErrorScorer(check_scoring(estimator), False, "1 - accuracy")
        if is_regressor(estimator):
            return ErrorScorer(check_scoring(estimator), False, "1 - R^2")
        raise ValueError(
            f"scoring=None uses {estimator.__class__.__name__}.score, which is "
            "neither a classifier's accuracy nor a regressor's R^2, so its "
            "error is unknown; pass scoring, e.g. 'accuracy' or "
            "'neg_mean_squared_error'."
        )
    scorer = check_scoring(estimator, scoring=scoring)
    sign = getattr(scorer, "_sign", None)
    function = getattr(scorer, "_score_func", None)
    label = scoring if isinstance(scoring, str) else getattr(function, "__name__", "")
    if sign == -1:
        return ErrorScorer(scorer, True, label.removeprefix("neg_"))
    if sign == 1 and function in _BOUNDED_BY_ONE:
        return ErrorScorer(scorer, False, f"1 - {label}")
    raise ValueError(
        f"scoring={scoring!r} does not give a meaningful error: it must be a "
        "score bounded above by 1 with 1 for a perfect model (the error is "
        "1 - score, e.g. 'accuracy', 'f1', 'r2'), or a negated loss (the "
        "error is -score, e.g. 'neg_mean_squared_error', 'neg_log_loss', or "
        "make_scorer(loss, greater_is_better=False))."
    )


def _is_multilabel(y):
    return y is not None and type_of_target(y) == "multilabel-indicator"
