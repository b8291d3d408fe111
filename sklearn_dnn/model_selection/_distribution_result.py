"""The result of :func:`check_same_distribution`: the verdict, the statistics
behind it and a printable report.

The per-feature results are kept for the tested columns only, so that a
sparse check on millions of columns with few stored values stays small; the
public per-feature arrays are built from them on access.
"""

import math
from dataclasses import dataclass, field

import numpy as np

# The per-feature tests, in the order the report counts them.
_TEST_KINDS = ("ks", "chi2", "constant", "too few")
# An AUC below this is explained in the report (as noise or overlap).
_FAR_BELOW_CHANCE = 0.4
# Standard errors below 0.5 beyond which an AUC is not sampling noise.
_NOISE_Z = 3


@dataclass(frozen=True, eq=False, repr=False)
class DistributionCheckResult:
    """Outcome of :func:`check_same_distribution`; ``print`` it for a report.

    Two tests are run, each at level ``alpha / 2`` (Bonferroni), so that the
    chance of a false alarm on two samples of one distribution is at most
    about ``alpha``: per-feature two-sample tests with Holm's correction, and
    a domain classifier trained to tell the two sets apart.

    Attributes
    ----------
    same : bool
        True when neither test finds a difference, i.e. ``p_value > alpha``.

    alpha : float
        The false-alarm rate the decision was made at.

    p_value : float
        Overall p-value, ``min(1, 2 * min(feature_p_value, auc_p_value))``.

    feature_names : ndarray of str, shape (n_features,)
        Column names of a DataFrame input, else ``"x0"``, ``"x1"``, ...

    p_values : ndarray of shape (n_features,)
        Per-feature p-value of the two-sample test named in ``feature_tests``.

    p_values_adjusted : ndarray of shape (n_features,)
        ``p_values`` after Holm's step-down correction for testing every
        feature. A feature differs when its adjusted p-value is at most
        ``alpha / 2``.

    feature_tests : ndarray of str, shape (n_features,)
        The test run on each feature: ``"ks"`` (Kolmogorov-Smirnov),
        ``"chi2"`` (chi-squared test of homogeneity, for discrete features),
        ``"constant"`` (the same single value everywhere: p-value 1) or
        ``"too few"`` (too few examples for the chi-squared table: p-value 1).

    distances : ndarray of shape (n_features,)
        Largest gap between the two empirical distribution functions of each
        feature (the KS statistic, also computed for discrete features): 0 for
        identical samples, 1 for non-overlapping ones.

    feature_p_value : float
        p-value of "no feature differs": the smallest adjusted p-value.

    top_features : list of str
        The features that differ (adjusted p-value at most ``alpha / 2``), at
        most 10, the most different first (smallest p-value, then largest
        distance). Empty when none differs.

    auc : float
        ROC AUC of the domain classifier on examples it was not fitted on.
        0.5 means the sets cannot be told apart; 1.0 means perfectly.

    auc_p_value : float
        One-sided p-value of the AUC against 0.5 (Mann-Whitney U test).

    n_samples : tuple of int
        Rows of ``X_a`` and ``X_b`` given.

    n_samples_used : tuple of int
        Rows of each set used by both tests (all rows unless subsampled).

    subsampled : bool
        True when a set had more than 100,000 rows and a random 100,000 were
        used.

    classifier_fit_sizes : tuple of int
        Rows of each set the domain classifier was fitted on.

    classifier_eval_sizes : tuple of int
        Rows of each set its AUC was measured on.

    n_shared_rows : int
        Rows of ``X_b`` (of those used) that are exact duplicates of a row of
        ``X_a``: the two sets overlap. A domain classifier scored on shared
        rows does worse than chance, so an AUC far below 0.5 is put down to
        them only when there are some; otherwise, within three standard
        errors of 0.5, it is put down to the noise of small sets.

    Notes
    -----
    The per-feature arrays are built on each access from the results of the
    features actually tested. For sparse input only the columns with a stored
    value in either set are tested (the others are "constant"), so the
    result's size follows the stored values, not the number of features.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dnn import check_same_distribution
    >>> rng = np.random.RandomState(0)
    >>> result = check_same_distribution(
    ...     rng.normal(size=(300, 3)), rng.normal(size=(300, 3)), random_state=0
    ... )
    >>> result.same, result.top_features
    (True, [])
    >>> result.p_values.shape
    (3,)
    """

    same: bool
    alpha: float
    p_value: float
    feature_p_value: float
    top_features: list
    auc: float
    auc_p_value: float
    n_samples: tuple
    n_samples_used: tuple
    subsampled: bool
    classifier_fit_sizes: tuple
    classifier_eval_sizes: tuple
    n_shared_rows: int = 0
    # The per-feature results are kept for the tested columns only: a sparse
    # column with no stored value in either set is all zeros in both, hence
    # "constant" (p-value 1, distance 0). The public arrays, one entry per
    # feature, are built from these on access, so the result's size follows
    # the tested columns, not ``n_features``.
    _n_features: int = field(kw_only=True)
    _columns: np.ndarray = field(kw_only=True)  # the tested columns, sorted
    _tests: np.ndarray = field(kw_only=True)
    _p_values: np.ndarray = field(kw_only=True)
    _p_values_adjusted: np.ndarray = field(kw_only=True)
    _distances: np.ndarray = field(kw_only=True)
    _names: np.ndarray | None = field(kw_only=True)  # None: "x0", "x1", ...

    @property
    def feature_names(self):
        """Column names, one per feature (see the class docstring)."""
        if self._names is None:
            return _default_names(self._n_features)
        return self._names

    @property
    def p_values(self):
        """Per-feature p-values, one per feature (see the class docstring)."""
        return self._every_feature(self._p_values, 1.0)

    @property
    def p_values_adjusted(self):
        """Holm-adjusted ``p_values`` (see the class docstring)."""
        return self._every_feature(self._p_values_adjusted, 1.0)

    @property
    def feature_tests(self):
        """The test run on each feature (see the class docstring)."""
        return self._every_feature(self._tests, "constant")

    @property
    def distances(self):
        """Per-feature KS distances (see the class docstring)."""
        return self._every_feature(self._distances, 0.0)

    def _every_feature(self, values, untested):
        """``values`` of the tested columns, ``untested`` for the others."""
        full = np.full(self._n_features, untested, dtype=values.dtype)
        full[self._columns] = values
        return full

    def _differing(self):
        """Positions among the tested columns of the features that differ."""
        return _most_different(
            self._p_values, self._p_values_adjusted, self._distances, self.alpha
        )

    def _name(self, position):
        """The name of the tested column at ``position``."""
        return _column_name(self._names, self._columns[position])

    def __setstate__(self, state):
        # A result saved before the compact form has one entry per feature.
        if "p_values" in state:
            state = _compact_state(state)
        self.__dict__.update(state)

    def __repr__(self):
        return (
            f"{type(self).__name__}(same={self.same}, p_value={self.p_value:.3g}, "
            f"auc={self.auc:.3f}, top_features={self.top_features!r})"
        )

    def __str__(self):
        n_features = self._n_features
        verdict = "yes" if self.same else "NO"
        relation = ">" if self.same else "<="
        n_a, n_b = self.n_samples
        lines = [
            f"Same distribution: {verdict} (p = {self.p_value:.3g} {relation} "
            f"alpha = {self.alpha:g})",
            f"  data: X_a {n_a:,} rows, X_b {n_b:,} rows, {n_features} features",
        ]
        if self.subsampled:
            used_a, used_b = self.n_samples_used
            lines.append(
                f"  subsampled: tests ran on random {used_a:,} rows of X_a and "
                f"{used_b:,} rows of X_b"
            )
        differing = self._differing()
        lines.append(
            f"  per-feature tests ({self._tests_run()}; Holm): {len(differing)} "
            f"of {n_features} differ, smallest adjusted p = "
            f"{self.feature_p_value:.3g}"
        )
        fit_a, fit_b = self.classifier_fit_sizes
        eval_a, eval_b = self.classifier_eval_sizes
        lines.append(
            f"  domain classifier: AUC = {self.auc:.3f} (p = "
            f"{self.auc_p_value:.3g}; 0.5 = indistinguishable), fitted on "
            f"{fit_a:,} + {fit_b:,} rows, scored on {eval_a:,} + {eval_b:,}"
        )
        lines.extend(self._overlap_lines())
        if len(differing):
            shown = [
                f"{self._name(k)} (distance {self._distances[k]:.2f}, adjusted p "
                f"= {self._p_values_adjusted[k]:.2g})"
                for k in differing[:5]
            ]
            more = len(differing) - len(shown)
            lines.append(
                "  differ most: "
                + ", ".join(shown)
                + (f" and {more} more" if more else "")
            )
        return "\n".join(lines)

    def _tests_run(self):
        """How many features each test ran on, e.g. ``"3 ks, 1 constant"``."""
        counts = {kind: int(np.sum(self._tests == kind)) for kind in _TEST_KINDS}
        counts["constant"] += self._n_features - len(self._columns)
        return ", ".join(
            f"{counts[kind]} {kind}" for kind in _TEST_KINDS if counts[kind]
        )

    def _overlap_lines(self):
        lines = []
        if self.n_shared_rows:
            lines.append(
                f"  shared rows: {self.n_shared_rows:,} rows of X_b are exact "
                "duplicates of rows of X_a: the sets overlap"
            )
        if self.auc < _FAR_BELOW_CHANCE:
            lines.append(self._low_auc_line())
        return lines

    def _low_auc_line(self):
        """Why the AUC is below 0.5, only with a reason that holds."""
        se = auc_standard_error(*self.classifier_eval_sizes)
        beyond_noise = self.auc < 0.5 - _NOISE_Z * se
        if beyond_noise and self.n_shared_rows:
            return (
                f"  AUC {self.auc:.3f} is far below 0.5 (standard error "
                f"{se:.3f}): the classifier does worse than chance, as it does "
                "on the rows the sets share"
            )
        if beyond_noise:
            return (
                f"  AUC {self.auc:.3f} is below 0.5 by more than {_NOISE_Z} "
                f"standard errors ({se:.3f}) with no shared rows: look for "
                "near-duplicate rows (rounded or rescaled copies) across the sets"
            )
        n_a, n_b = self.classifier_eval_sizes
        return (
            f"  AUC {self.auc:.3f} is below 0.5 within sampling noise: scored "
            f"on {n_a:,} + {n_b:,} rows, its standard error is {se:.3f}; small "
            "sets, not a sign of overlap"
        )


def _most_different(p_values, p_values_adjusted, distances, alpha):
    """Positions of the features that differ (adjusted p-value at most
    ``alpha / 2``), the most different first: smallest p-value, then largest
    distance."""
    differ = np.flatnonzero(p_values_adjusted <= alpha / 2)
    return differ[np.lexsort((-distances[differ], p_values[differ]))]


def _column_name(names, column):
    """The name of column ``column``: from ``names``, or ``x<column>`` if None."""
    return f"x{int(column)}" if names is None else str(names[column])


def _compact_state(state):
    """The state of a result saved with one array entry per feature (before
    the compact form): every column counts as tested."""
    state = dict(state)
    p_values = np.asarray(state.pop("p_values"), dtype=float)
    state.update(
        _n_features=len(p_values),
        _columns=np.arange(len(p_values)),
        _tests=np.asarray(state.pop("feature_tests")),
        _p_values=p_values,
        _p_values_adjusted=np.asarray(state.pop("p_values_adjusted"), dtype=float),
        _distances=np.asarray(state.pop("distances"), dtype=float),
        _names=np.asarray(state.pop("feature_names")),
    )
    return state


def auc_standard_error(n_a, n_b):
    """Standard error of a held-out AUC when the sets cannot be told apart.

    That of the Mann-Whitney U statistic over ``n_a * n_b``:
    ``sqrt((n_a + n_b + 1) / (12 n_a n_b))``.
    """
    return math.sqrt((n_a + n_b + 1) / (12 * n_a * n_b))


def _default_names(n_features):
    """``["x0", "x1", ...]``, written digit by digit into a character array.

    Converting the integers to ``str`` one by one takes seconds for a
    million features. The numbers of ``k`` digits are one range of rows,
    written in blocks of at most ``2**20`` rows.
    """
    width = len(str(max(n_features - 1, 0)))
    chars = np.zeros((n_features, 1 + width), dtype="<u4")  # UCS-4 code points
    chars[:, 0] = ord("x")
    for k in range(1, width + 1):
        powers = 10 ** np.arange(k - 1, -1, -1, dtype=np.int64)
        low, high = (0 if k == 1 else 10 ** (k - 1)), min(10**k, n_features)
        for start in range(low, high, 2**20):
            j = np.arange(start, min(start + 2**20, high), dtype=np.int64)
            chars[start : start + len(j), 1 : 1 + k] = (
                ord("0") + j[:, None] // powers % 10
            )
    return chars.view(f"<U{1 + width}").ravel()
