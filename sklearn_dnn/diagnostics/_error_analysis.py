"""Error analysis: the dev errors counted by cause, and each cause's ceiling.

The course's next step after the diagnosis: look at the dev errors (by hand,
in a spreadsheet with one column per cause), count each cause's share of the
errors and compute its **ceiling**, the dev error left if every error with
that cause were fixed. Work goes first where the ceiling is lowest: with a
10% dev error, fixing dog pictures that are 8% of the errors can at best
bring it to 9.2%, fixing blurry pictures that are 61% to 3.9%.
"""

from dataclasses import dataclass, field
from numbers import Real

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import confusion_matrix
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from .._compat import Interval, validate_params
from .._formatting import format_number, percent
from ._noise import proportion_standard_error, z_value
from ._plotting import _Display

#: The share of the dev examples a regression's error analysis looks at.
WORST_SHARE = 0.1


@dataclass(frozen=True, eq=False, repr=False)
class ErrorAnalysis(_Display):
    """The dev errors of a fitted model, by class and by tag, with ceilings.

    Built by :func:`error_analysis`; printing gives the course's table,
    sorted by ceiling (lowest first: the most promising cause to work on).

    Attributes
    ----------
    task : {"classification", "regression"}
        What the estimator does.
    dev_error : float
        The dev error: ``1 - accuracy``, or ``1 - R^2`` for a regressor.
    n_samples : int
        The number of dev examples.
    error_indices : ndarray of int
        Positions in ``X_dev`` of the errors: the misclassified examples, or
        a regressor's worst-predicted ones (largest absolute error first).
    y_true, y_pred : ndarray
        The errors' true and predicted targets, in the order of
        ``error_indices``.
    confidence : ndarray of float or None
        The predicted class's probability (``predict_proba``) for each
        error; None when the estimator has no ``predict_proba`` or is a
        regressor.
    abs_errors : ndarray of float or None
        A regressor's absolute error for each of the errors; None for a
        classifier.
    by_class : dict
        Class label -> ``{"n_errors", "share", "error_rate", "ceiling"}``
        (classifiers; empty for a regressor).
    by_tag : dict
        Tag name -> the same four numbers (empty without tags).
    confusion : ndarray of shape (n_classes, n_classes) or None
        The dev confusion matrix (rows: true class, columns: predicted), in
        the order of ``labels``; None for a regressor.
    labels : ndarray or None
        The classes of ``confusion`` and ``by_class``.
    worst_share : float
        A regressor's share of the dev examples counted as errors.

    See Also
    --------
    error_analysis : Compute this analysis.
    """

    task: str
    dev_error: float
    n_samples: int
    error_indices: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    confidence: np.ndarray | None = None
    abs_errors: np.ndarray | None = None
    by_class: dict = field(default_factory=dict)
    by_tag: dict = field(default_factory=dict)
    confusion: np.ndarray | None = None
    labels: np.ndarray | None = None
    worst_share: float = WORST_SHARE

    @property
    def n_errors(self):
        """The number of errors analysed."""
        return len(self.error_indices)

    def table(self):
        """The rows of the printed table, lowest ceiling first.

        Returns
        -------
        rows : list of tuple
            ``(kind, name, record)`` with ``kind`` ``"tag"`` or ``"class"``;
            the tags first when there are any, each group sorted by ceiling.
        """
        rows = []
        for kind, records in (("tag", self.by_tag), ("class", self.by_class)):
            ordered = sorted(records.items(), key=lambda item: item[1]["ceiling"])
            rows += [(kind, name, record) for name, record in ordered]
        return rows

    def __repr__(self):
        return (
            f"ErrorAnalysis(task={self.task!r}, dev_error={self.dev_error:.4g}, "
            f"n_errors={self.n_errors}, n_samples={self.n_samples})"
        )

    def __str__(self):
        show = percent if self.task == "classification" else _number
        if self.task == "classification":
            head = (
                f"Error analysis: {self.n_errors} errors in {self.n_samples} dev "
                f"examples (dev error {show(self.dev_error)})"
            )
        else:
            head = (
                f"Error analysis: the {self.n_errors} worst-predicted of "
                f"{self.n_samples} dev examples (the largest absolute errors, "
                f"{self.worst_share:.0%}); dev error 1 - R^2 = "
                f"{show(self.dev_error)}"
            )
        lines = [head, ""]
        for kind in ("tag", "class"):
            rows = [row for row in self.table() if row[0] == kind]
            if rows:
                lines += _table_lines(kind, rows, show, self.n_errors) + [""]
        lines.append(
            "ceiling: the dev error if every error of that row were fixed; work "
            "first on the row with the lowest ceiling (the largest share)."
        )
        lines.append(
            f"±: the share's 95% sampling noise over the {self.n_errors} errors "
            "looked at; rows whose shares lie within it are not told apart"
            + (
                ": look at more dev errors before choosing (the course counts "
                "about 100)."
                if self.n_errors < 100
                else "."
            )
        )
        return "\n".join(lines)

    def plot(self, ax=None):
        """Draw each tag's (or else each class's) ceiling as a horizontal bar.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if None.

        Returns
        -------
        analysis : ErrorAnalysis
            The object, with ``ax_`` (the axes drawn on) and ``figure_`` set.
        """
        ax = self._axes(ax)
        kind = "tag" if self.by_tag else "class"
        rows = [row for row in self.table() if row[0] == kind][::-1]
        names = [str(name) for _, name, _ in rows]
        ceilings = [record["ceiling"] for _, _, record in rows]
        ax.barh(names, ceilings, color="tab:blue", label="ceiling")
        ax.axvline(self.dev_error, color="tab:red", linestyle="--", label="dev error")
        ax.set_xlim(0, max(self.dev_error, *ceilings, 1e-12) * 1.05)
        unit = "1 - accuracy" if self.task == "classification" else "1 - R^2"
        ax.set_xlabel(f"dev error if every error of that {kind} were fixed ({unit})")
        ax.set_ylabel(kind)
        ax.set_title("Error analysis: the ceiling of fixing each cause")
        ax.legend(loc="lower right", fontsize="small")
        return self._drawn(ax)


def _number(value):
    return format_number(value, ".4f")


def _table_lines(kind, rows, show, n_errors):
    width = max(len(kind), *(len(str(name)) for _, name, _ in rows))
    header = (
        f"{'by ' + kind:<{width + 3}} {'errors':>7} {'share':>15} "
        f"{'error rate':>11} {'ceiling':>8}"
    )
    lines = [header]
    for _, name, record in rows:
        noise = share_noise(record["share"], n_errors)
        share = f"{100 * record['share']:.1f}% ± {100 * noise:.1f}%"
        lines.append(
            f"{str(name):<{width + 3}} {record['n_errors']:>7d} {share:>15} "
            f"{_rate(record['error_rate']):>11} {show(record['ceiling']):>8}"
        )
    return lines


def share_noise(share, n_errors, confidence=0.95):
    """The half-width of a share's ``confidence`` interval over ``n_errors``."""
    z = z_value(confidence)
    return z * proportion_standard_error(share, n_errors, z)


def _rate(value):
    return "n/a" if np.isnan(value) else f"{100 * value:.1f}%"


@validate_params(
    {
        "estimator": [object],
        "X_dev": ["array-like", "sparse matrix"],
        "y_dev": ["array-like"],
        "tags": ["array-like", None],
        "worst_share": [Interval(Real, 0, 1, closed="right")],
    },
    prefer_skip_nested_validation=True,
)
def error_analysis(estimator, X_dev, y_dev, *, tags=None, worst_share=WORST_SHARE):
    """Count a fitted model's dev errors by class and by tag, with ceilings.

    The course's error analysis: for each cause of error (a tag, or the
    true class), its share of the errors, its error rate, and its ceiling,
    the dev error if every error with that cause were fixed:
    ``ceiling = dev_error * (1 - share)``.

    Parameters
    ----------
    estimator : fitted classifier or regressor
        Any fitted scikit-learn estimator, e.g. a DNNClassifier or a
        Pipeline ending in one. A classifier's ``predict_proba``, when it
        has one, gives each error's confidence.
    X_dev : array-like of shape (n_samples, n_features)
        The dev set.
    y_dev : array-like of shape (n_samples,)
        Its true targets.
    tags : DataFrame or array-like of bool of shape (n_samples, n_tags), \
            default=None
        One column per cause, True (or 1) where the example has it: the
        course's spreadsheet. An example may have several tags or none;
        rows of correctly predicted examples count in the error rates only.
        A DataFrame's columns name the tags; otherwise they are
        ``"tag 0"``, ``"tag 1"``, ...
    worst_share : float in (0, 1], default=0.1
        For a regressor: the share of the dev examples, those with the
        largest absolute errors (at least one), analysed as its errors. Their
        ceilings are ``1 - R^2`` with those examples' residuals set to zero.

    Returns
    -------
    analysis : ErrorAnalysis
        ``dev_error``, ``error_indices``, ``y_true``, ``y_pred``,
        ``confidence``, ``by_class``, ``by_tag``; printing gives the table,
        ``plot()`` the ceilings.

    Raises
    ------
    NotFittedError
        If the estimator is not fitted.
    ValueError
        If ``X_dev``, ``y_dev`` and ``tags`` differ in length, or ``tags``
        is not 2-D or not boolean.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn_dnn.diagnostics import error_analysis
    >>> X = np.zeros((10, 1))
    >>> y = np.array([0] * 8 + [1] * 2)
    >>> model = DummyClassifier().fit(X, y)  # always predicts 0
    >>> tags = np.array([[False]] * 9 + [[True]])
    >>> analysis = error_analysis(model, X, y, tags=tags)
    >>> analysis.dev_error
    0.2
    >>> analysis.by_tag["tag 0"]["ceiling"]
    0.1
    """
    check_is_fitted(estimator)
    y_dev = np.asarray(y_dev)
    if y_dev.ndim != 1:
        raise ValueError(
            f"y_dev must be 1-D (one target per example), got shape {y_dev.shape}."
        )
    check_consistent_length(X_dev, y_dev)
    names, tag_matrix = _check_tags(tags, len(y_dev))
    if is_classifier(estimator):
        return _classification(estimator, X_dev, y_dev, names, tag_matrix)
    return _regression(estimator, X_dev, y_dev, names, tag_matrix, worst_share)


def _check_tags(tags, n_samples):
    """Return the tag names and an (n_samples, n_tags) boolean matrix."""
    if tags is None:
        return [], np.zeros((n_samples, 0), dtype=bool)
    columns = getattr(tags, "columns", None)
    values = np.asarray(tags)
    if values.ndim != 2:
        raise ValueError(
            "tags must be 2-D, one column per tag (a DataFrame or a boolean "
            f"array of shape (n_samples, n_tags)); got shape {values.shape}."
        )
    if values.shape[0] != n_samples:
        raise ValueError(
            f"tags has {values.shape[0]} rows but X_dev has {n_samples} "
            "examples: give one row of tags per dev example."
        )
    names = (
        [str(c) for c in columns]
        if columns is not None
        else [f"tag {j}" for j in range(values.shape[1])]
    )
    if len(set(names)) != len(names):
        raise ValueError(f"tags has repeated column names: {names}.")
    return names, np.column_stack(
        [_boolean_column(values[:, j], name) for j, name in enumerate(names)]
    ).reshape(n_samples, len(names))


def _boolean_column(column, name):
    if column.dtype == bool:
        return column
    try:
        numbers = column.astype(float)
    except (TypeError, ValueError):
        numbers = None
    if numbers is None or not np.isin(numbers, (0.0, 1.0)).all():
        bad = column[0] if numbers is None else column[~np.isin(numbers, (0, 1))][0]
        raise ValueError(
            f"tags must be boolean (True/False or 0/1); column {name!r} holds {bad!r}."
        )
    return numbers == 1.0


def _record(n_errors, n_all_errors, n_with, dev_error, ceiling=None):
    share = n_errors / n_all_errors if n_all_errors else 0.0
    return {
        "n_errors": int(n_errors),
        "share": float(share),
        "error_rate": float(n_errors / n_with) if n_with else float("nan"),
        "ceiling": float(dev_error * (1 - share) if ceiling is None else ceiling),
    }


def _classification(estimator, X_dev, y_dev, names, tags):
    y_pred = np.asarray(estimator.predict(X_dev))
    wrong = y_pred != y_dev
    n, n_wrong = len(y_dev), int(wrong.sum())
    dev_error = n_wrong / n
    labels = np.unique(np.concatenate([y_dev, y_pred]))
    by_class = {
        _key(label): _record(
            np.sum(wrong & (y_dev == label)),
            n_wrong,
            np.sum(y_dev == label),
            dev_error,
        )  # fmt: skip
        for label in labels
        if np.any(y_dev == label)
    }
    by_tag = {
        name: _record(np.sum(wrong & tags[:, j]), n_wrong, tags[:, j].sum(), dev_error)
        for j, name in enumerate(names)
    }
    indices = np.flatnonzero(wrong)
    return ErrorAnalysis(
        task="classification",
        dev_error=float(dev_error),
        n_samples=n,
        error_indices=indices,
        y_true=y_dev[indices],
        y_pred=y_pred[indices],
        confidence=_confidence(estimator, X_dev, indices, y_pred),
        by_class=by_class,
        by_tag=by_tag,
        confusion=confusion_matrix(y_dev, y_pred, labels=labels),
        labels=labels,
    )


def _key(label):
    """A class label as a dict key: numpy scalars become Python ones."""
    return label.item() if isinstance(label, np.generic) else label


def _confidence(estimator, X_dev, indices, y_pred):
    """The predicted class's probability for each error, or None."""
    if not hasattr(estimator, "predict_proba"):
        return None
    if len(indices) == 0:
        return np.empty(0)
    from .._compat import _safe_indexing

    proba = estimator.predict_proba(_safe_indexing(X_dev, indices))
    columns = np.searchsorted(estimator.classes_, y_pred[indices])
    return proba[np.arange(len(indices)), columns]


def _regression(estimator, X_dev, y_dev, names, tags, worst_share):
    y_dev = y_dev.astype(float)
    y_pred = np.asarray(estimator.predict(X_dev), dtype=float).ravel()
    residuals = y_dev - y_pred
    total = np.sum((y_dev - y_dev.mean()) ** 2)
    if total == 0:
        raise ValueError("y_dev is constant: 1 - R^2 is undefined.")
    squared = residuals**2
    dev_error = float(squared.sum() / total)
    n = len(y_dev)
    n_worst = max(1, int(np.ceil(worst_share * n)))
    indices = np.argsort(-np.abs(residuals), kind="stable")[:n_worst]
    worst = np.zeros(n, dtype=bool)
    worst[indices] = True
    by_tag = {}
    for j, name in enumerate(names):
        fixed = worst & tags[:, j]
        ceiling = (squared.sum() - squared[fixed].sum()) / total
        # A regressor's error rate: the share of the tagged examples among
        # the worst-predicted.
        by_tag[name] = _record(fixed.sum(), n_worst, tags[:, j].sum(), 0, ceiling)
    return ErrorAnalysis(
        task="regression",
        dev_error=dev_error,
        n_samples=n,
        error_indices=indices,
        y_true=y_dev[indices],
        y_pred=y_pred[indices],
        abs_errors=np.abs(residuals[indices]),
        by_tag=by_tag,
        worst_share=float(worst_share),
    )
