"""Incorrectly labeled examples, ranked by the out-of-fold probability of
their given label.

Each example is predicted by a model that did not train on it
(cross-validation); an example whose given label that model finds unlikely
is a suspect. An example is counted as a likely label error when some other
class gets at least the probability that class's own examples get on
average (each class's threshold): confident disagreement, not mere doubt.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import cross_val_predict
from sklearn.utils.validation import check_consistent_length

from .._compat import validate_params

#: The course's rule for correcting labels, printed beside the ranking.
RULE = (
    "If you correct labels, correct them in the dev and the test sets alike "
    "(the same process on both keeps them from one distribution), look at the "
    "examples the model got right as well as those it got wrong, and know "
    "that the training set may then come from a slightly different "
    "distribution: deep learning is robust to random label errors in it."
)


@dataclass(frozen=True, eq=False, repr=False)
class SuspectLabels:
    """Examples ranked by how unlikely their given label is, out of fold.

    Built by :func:`suspect_labels`; printable.

    Attributes
    ----------
    ranking : ndarray of int
        Positions in ``X``, most suspect (lowest score) first.
    scores : ndarray of float
        Per example, the out-of-fold probability of its given label.
    y : ndarray
        The given labels.
    predicted : ndarray
        Per example, the out-of-fold most probable class.
    likely_errors : ndarray of bool
        Per example: some other class gets at least its class threshold
        (the mean out-of-fold probability that class's own examples get).
    error_share : float
        The estimated share of the out-of-fold errors (examples whose most
        probable class is not their label) that label errors explain: the
        share of those errors that are ``likely_errors``.
    n_errors : int
        The number of out-of-fold errors.

    See Also
    --------
    suspect_labels : Compute this ranking.
    """

    ranking: np.ndarray
    scores: np.ndarray
    y: np.ndarray
    predicted: np.ndarray
    likely_errors: np.ndarray
    error_share: float
    n_errors: int

    @property
    def n_likely_errors(self):
        """The number of examples counted as likely label errors."""
        return int(self.likely_errors.sum())

    def __repr__(self):
        return (
            f"SuspectLabels(n_samples={len(self.scores)}, "
            f"n_likely_errors={self.n_likely_errors}, "
            f"error_share={self.error_share:.3g})"
        )

    def __str__(self, top=10):
        n = len(self.scores)
        lines = [
            f"Suspect labels: {self.n_likely_errors} of {n} examples are likely "
            f"label errors; they explain about {self.error_share:.0%} of the "
            f"{self.n_errors} out-of-fold errors.",
            "",
            f"{'index':>7} {'given':>10} {'P(given)':>9} {'most likely':>12}",
        ]
        for i in self.ranking[:top]:
            lines.append(
                f"{i:>7d} {str(self.y[i]):>10} {self.scores[i]:>9.3f} "
                f"{str(self.predicted[i]):>12}"
            )
        return "\n".join([*lines, "", RULE])


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "cv": ["cv_object"],
    },
    prefer_skip_nested_validation=True,
)
def suspect_labels(estimator, X, y, *, cv=5):
    """Rank examples by the out-of-fold probability of their given label.

    Each example is scored by a clone of ``estimator`` that did not train on
    it (``cross_val_predict(method="predict_proba")``); the lowest scores
    are the labels most worth checking by hand.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``
        An unfitted (or fitted: it is cloned) classifier, e.g. a
        DNNClassifier or a Pipeline ending in one.
    X : array-like of shape (n_samples, n_features)
        The examples.
    y : array-like of shape (n_samples,)
        Their given labels.
    cv : int, cross-validation generator or iterable, default=5
        As in :func:`~sklearn.model_selection.cross_val_predict`. Every
        class needs at least ``cv`` examples for a stratified split.

    Returns
    -------
    suspects : SuspectLabels
        ``ranking``, ``scores``, ``likely_errors`` and ``error_share``;
        printing gives the top of the ranking and the course's rule: correct
        labels in the dev and test sets alike.

    Raises
    ------
    ValueError
        If the estimator has no ``predict_proba``, ``y`` has a single class,
        or ``X`` and ``y`` differ in length.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_dnn.diagnostics import suspect_labels
    >>> X, y = load_iris(return_X_y=True)
    >>> y = y.copy()
    >>> y[0] = 2  # a setosa labeled virginica
    >>> suspects = suspect_labels(LogisticRegression(max_iter=1000), X, y)
    >>> int(suspects.ranking[0])
    0
    """
    if not hasattr(estimator, "predict_proba"):
        raise ValueError(
            f"{type(estimator).__name__} has no predict_proba: suspect_labels "
            "needs a classifier's probabilities."
        )
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}.")
    check_consistent_length(X, y)
    classes, given = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError("y has a single class: there is no label to doubt.")
    proba = cross_val_predict(estimator, X, y, cv=cv, method="predict_proba")
    scores = proba[np.arange(len(y)), given]
    likely = _likely_errors(proba, given, len(classes))
    wrong = proba.argmax(axis=1) != given
    n_errors = int(wrong.sum())
    share = float((likely & wrong).sum() / n_errors) if n_errors else 0.0
    return SuspectLabels(
        ranking=np.argsort(scores, kind="stable"),
        scores=scores,
        y=y,
        predicted=classes[proba.argmax(axis=1)],
        likely_errors=likely,
        error_share=share,
        n_errors=n_errors,
    )


def _likely_errors(proba, given, n_classes):
    """Examples where another class reaches that class's own mean probability."""
    thresholds = np.array(
        [
            proba[given == k, k].mean() if np.any(given == k) else 1.0
            for k in range(n_classes)
        ]
    )
    above = proba >= thresholds
    above[np.arange(len(given)), given] = False
    return above.any(axis=1)
