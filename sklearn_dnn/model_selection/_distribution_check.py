"""Are two sets from the same distribution? Per-feature tests and a domain
classifier.

The dev and test sets must come from the same distribution (the one the model
will meet in use); otherwise a model tuned on dev is aimed at the wrong
target: :func:`check_same_distribution`.
"""

import math

import numpy as np
from scipy import sparse, stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array
from threadpoolctl import threadpool_limits

from .._compat import (
    Interval,
    RealNotInt,
    validate_params,
)
from ._distribution_result import (
    DistributionCheckResult,
    _column_name,
    _most_different,
)

# A feature with at most this many distinct values, and at least five examples
# per value on average, is tested as discrete (chi-squared), not with KS.
_MAX_DISCRETE_LEVELS = 20
# Minimum expected count per cell of the chi-squared table (Cochran's rule).
_MIN_EXPECTED_COUNT = 5
# Rows drawn at random from each set when it is larger than this.
_MAX_ROWS_PER_SET = 100_000
# The domain classifier is fitted on half of each set's rows, at most this many.
_MAX_CLASSIFIER_FIT_ROWS_PER_SET = 10_000
# Sparse input is made dense (after subsampling) when both sets together hold
# at most this many values (32 MiB as float64); larger sparse input stays sparse.
_MAX_DENSE_VALUES = 2**22
# Features listed in ``top_features``.
_N_TOP_FEATURES = 10


def count_shared_rows(X_a, X_b):
    """Return how many rows of ``X_b`` are exact duplicates of a row of ``X_a``.

    Both are float64, dense arrays or CSR matrices with sorted indices and
    no explicit zeros. Each row of ``X_a`` is held once as bytes.
    """
    seen = set(_row_keys(X_a))
    return sum(key in seen for key in _row_keys(X_b))


def _row_keys(X):
    if sparse.issparse(X):
        X = X.tocsr()
        for i in range(X.shape[0]):
            start, stop = X.indptr[i], X.indptr[i + 1]
            data = X.data[start:stop] + 0.0  # -0.0 and 0.0 are one value
            yield X.indices[start:stop].tobytes() + b"|" + data.tobytes()
    else:
        for row in np.asarray(X, dtype=np.float64):
            yield (row + 0.0).tobytes()


def _validate_sets(X_a, X_b):
    """Check both sets and their features: ``(X_a, X_b, feature_names)``."""
    names_a, names_b = getattr(X_a, "columns", None), getattr(X_b, "columns", None)
    X_a = _validate_set(X_a, "X_a")
    X_b = _validate_set(X_b, "X_b")
    if X_a.shape[1] != X_b.shape[1]:
        raise ValueError(
            f"X_a has {X_a.shape[1]} features but X_b has {X_b.shape[1]}; both "
            "sets must have the same features."
        )
    return X_a, X_b, _feature_names(names_a, names_b)


def _validate_set(X, name):
    """Check one of the two sets; return it as a 2D numeric array or matrix."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "items"):
        bad = [
            str(column)
            for column, dtype in dtypes.items()
            if getattr(dtype, "kind", "O") not in "biuf"
        ]
        if bad:
            raise ValueError(
                f"{name} has non-numeric columns {bad}; encode them as numbers "
                "first (e.g. with sklearn.preprocessing.OneHotEncoder)."
            )
    try:
        X = check_array(
            X,
            accept_sparse=("csr", "csc"),
            dtype="numeric",
            ensure_all_finite=True,
            ensure_min_samples=0,
            input_name=name,
        )
    except ValueError as exc:
        if name in str(exc):
            raise
        raise ValueError(f"{name}: {exc}") from exc
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {X.dtype}.")
    if X.shape[0] < 2:
        what = "is empty" if X.shape[0] == 0 else "has a single row"
        raise ValueError(
            f"{name} {what}; check_same_distribution needs at least 2 rows in each set."
        )
    return X


def _feature_names(columns_a, columns_b):
    """Column names shared by the two sets, or None for ``x0``, ``x1``, ... ."""
    names = [
        None if c is None else np.asarray(c).astype(str) for c in (columns_a, columns_b)
    ]
    if names[0] is not None and names[1] is not None:
        if not np.array_equal(names[0], names[1]):
            raise ValueError(
                "X_a and X_b have different columns: "
                f"{list(names[0])} and {list(names[1])}."
            )
    return names[0] if names[0] is not None else names[1]


def _float_rows(X, rows, dense):
    """Rows ``rows`` of ``X`` (in that order) as float64, dense or CSR."""
    X = X[rows]
    if not sparse.issparse(X):
        X = np.asarray(X, dtype=np.float64)
        return X if dense else sparse.csr_matrix(X)
    if dense:
        return X.toarray().astype(np.float64, copy=False)
    X = X.astype(np.float64).tocsr()
    X.sum_duplicates()
    X.eliminate_zeros()
    return X


def _column(X, j):
    """Column ``j`` of a CSC matrix, as a dense 1-D array."""
    column = np.zeros(X.shape[0])
    start, stop = X.indptr[j], X.indptr[j + 1]
    column[X.indices[start:stop]] = X.data[start:stop]
    return column


def _feature_tests(X_a, X_b):
    """Test the features: ``(columns, tests, p_values, distances)``, one entry
    per tested column.

    Dense input has every column tested. For sparse input only the columns
    with stored values in either set are tested; every other column is all
    zeros in both sets, hence "constant" with p-value 1 and distance 0,
    exactly what its test would give, and is left out.
    """
    if not sparse.issparse(X_a):
        n_features = X_a.shape[1]
        results = [_test_feature(X_a[:, j], X_b[:, j]) for j in range(n_features)]
        tests, p_values, distances = (np.array(values) for values in zip(*results))
        return np.arange(n_features), tests.astype("<U8"), p_values, distances
    # Only the columns with stored values: the work follows the values.
    X_a, X_b = X_a.tocsr(), X_b.tocsr()
    columns = np.union1d(X_a.indices, X_b.indices)
    X_a, X_b = (_used_columns(X, columns).tocsc() for X in (X_a, X_b))
    n_stored = np.diff(X_a.indptr) + np.diff(X_b.indptr)
    tests = np.full(len(columns), "too few", dtype="<U8")
    p_values, distances = np.ones(len(columns)), np.zeros(len(columns))
    few = _too_few_values(n_stored, X_a.shape[0], X_b.shape[0])
    distances[few] = _few_values_distances(X_a, X_b, np.flatnonzero(few))
    for k in np.flatnonzero(~few):
        tests[k], p_values[k], distances[k] = _test_sparse_feature(X_a, X_b, k)
    return columns, tests, p_values, distances


def _merge_sparse_levels(counts_a, counts_b):
    """Merge neighbouring levels until every expected count is large enough.

    The chi-squared approximation needs an expected count of at least 5 in
    each cell. Under the null, a bin of ``t`` examples expects
    ``t * n_a / n`` of them in set a, so bins need ``t >= 5 n / min(n_a, n_b)``.
    Levels are merged left to right (they are ordered values), and a short
    last bin is merged into the one before it.
    """
    n_a, n_b = counts_a.sum(), counts_b.sum()
    min_total = _MIN_EXPECTED_COUNT * (n_a + n_b) / min(n_a, n_b)
    bins, current = [], np.zeros(2)
    for pair in zip(counts_a, counts_b):
        current = current + pair
        if current.sum() >= min_total:
            bins.append(current)
            current = np.zeros(2)
    if current.sum() > 0:
        if bins:
            bins[-1] = bins[-1] + current
        else:
            bins.append(current)
    return np.asarray(bins).T


def _test_feature(a, b):
    """Two-sample test of one feature: ``(test name, p-value, KS distance)``."""
    pooled = np.concatenate([a, b])
    # Cheap shortcut for clearly continuous features (the rows are in random
    # order): more distinct values in a few rows than a discrete feature has.
    if len(np.unique(pooled[:: max(1, len(pooled) // 1000)])) > _MAX_DISCRETE_LEVELS:
        result = stats.ks_2samp(a, b)
        return "ks", float(result.pvalue), float(result.statistic)
    levels, codes = np.unique(pooled, return_inverse=True)
    n_levels = len(levels)
    if n_levels == 1:
        return "constant", 1.0, 0.0
    discrete = (
        n_levels <= _MAX_DISCRETE_LEVELS
        and len(codes) >= _MIN_EXPECTED_COUNT * n_levels
    )
    if not discrete:
        result = stats.ks_2samp(a, b)
        return "ks", float(result.pvalue), float(result.statistic)
    counts_a = np.bincount(codes[: len(a)], minlength=n_levels)
    counts_b = np.bincount(codes[len(a) :], minlength=n_levels)
    return _test_counts(counts_a, counts_b)


def _too_few_values(n_stored, n_a, n_b):
    """Which sparse columns `_test_feature` would call "too few", from counts.

    A column with ``k`` stored (non-zero) values has at most ``k + 1``
    levels; with ``k + 1 <= 20`` and five examples per level it is tested
    as discrete. Every chi-squared bin but one (the bin of the zeros) holds
    only stored values, so with fewer than a bin needs (see
    `_merge_sparse_levels`) a single bin is left: "too few".
    """
    n = n_a + n_b
    min_bin = _MIN_EXPECTED_COUNT * n / min(n_a, n_b)
    levels = n_stored + 1
    discrete = (levels <= _MAX_DISCRETE_LEVELS) & (n >= _MIN_EXPECTED_COUNT * levels)
    return (n_stored > 0) & discrete & (n_stored < min_bin)


def _few_values_distances(X_a, X_b, columns):
    """KS distances of CSC columns ``columns``, vectorized over the columns.

    The same numbers as `_test_counts`: at the end of each level, the gap
    between the two cumulative counts divided by each set's size. Each
    column's implicit zeros enter as one more level, 0, with their count.
    """
    k = len(columns)
    if k == 0:
        return np.zeros(0)
    subs = [X[:, columns] for X in (X_a, X_b)]
    stored = [np.diff(sub.indptr) for sub in subs]
    n_sub = [len(sub.data) for sub in subs]
    column = np.concatenate(
        [np.repeat(np.arange(k), c) for c in stored] + [np.arange(k)]
    )
    value = np.concatenate([subs[0].data, subs[1].data, np.zeros(k)])
    count_a = np.concatenate(
        [np.ones(n_sub[0]), np.zeros(n_sub[1]), subs[0].shape[0] - stored[0]]
    )
    count_b = np.concatenate(
        [np.zeros(n_sub[0]), np.ones(n_sub[1]), subs[1].shape[0] - stored[1]]
    )
    order = np.lexsort((value, column))
    column, value = column[order], value[order]
    first = np.searchsorted(column, np.arange(k))
    gaps = []
    for count, sub in zip((count_a[order], count_b[order]), subs):
        total = np.cumsum(count.astype(np.int64))
        before = np.concatenate([[0], total])[first]
        gaps.append((total - before[column]) / sub.shape[0])
    level_end = np.append((column[1:] != column[:-1]) | (value[1:] != value[:-1]), True)
    distances = np.zeros(k)
    np.maximum.at(distances, column[level_end], np.abs(gaps[0] - gaps[1])[level_end])
    return distances


def _test_sparse_feature(X_a, X_b, j):
    """`_test_feature` of column ``j`` of two CSC matrices, from stored values.

    The counts of a discrete feature are those of the stored values plus the
    implicit zeros, so only a continuous feature needs its dense columns.
    """
    values = [X.data[X.indptr[j] : X.indptr[j + 1]] for X in (X_a, X_b)]
    n_zeros = [X.shape[0] - len(v) for X, v in zip((X_a, X_b), values)]
    levels = np.unique(np.concatenate([*values, np.zeros(min(1, sum(n_zeros)))]))
    n_levels = len(levels)
    if n_levels == 1:
        return "constant", 1.0, 0.0
    n_samples = X_a.shape[0] + X_b.shape[0]
    if n_levels > _MAX_DISCRETE_LEVELS or n_samples < _MIN_EXPECTED_COUNT * n_levels:
        return _test_feature(_column(X_a, j), _column(X_b, j))
    counts_a, counts_b = (
        np.bincount(np.searchsorted(levels, v), minlength=n_levels) for v in values
    )
    if sum(n_zeros):
        zero = np.searchsorted(levels, 0.0)
        counts_a[zero] += n_zeros[0]
        counts_b[zero] += n_zeros[1]
    return _test_counts(counts_a, counts_b)


def _test_counts(counts_a, counts_b):
    """Chi-squared test of a discrete feature from its counts per level."""
    distance = float(
        np.max(
            np.abs(
                np.cumsum(counts_a) / counts_a.sum()
                - np.cumsum(counts_b) / counts_b.sum()
            )
        )
    )
    table = _merge_sparse_levels(counts_a, counts_b)
    if table.shape[1] < 2:
        return "too few", 1.0, distance
    p_value = stats.chi2_contingency(table, correction=False).pvalue
    return "chi2", float(p_value), distance


def _holm(p_values, n_tests=None):
    """Holm's step-down adjusted p-values (valid under any dependence).

    ``n_tests`` is the number of hypotheses tested, ``len(p_values)`` by
    default; those not given have p-value 1. A p-value of 1 sorts after every
    other and is adjusted to 1, so only the others are sorted: the cost
    follows the features actually tested.
    """
    p_values = np.asarray(p_values, dtype=float)
    d = len(p_values) if n_tests is None else n_tests
    below = np.flatnonzero(p_values < 1.0)
    order = below[np.argsort(p_values[below], kind="stable")]
    steps = (d - np.arange(len(order))) * p_values[order]
    adjusted = np.ones(len(p_values))
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    return adjusted


def _domain_classifier_test(X_a, X_b, rng):
    """Held-out AUC of a classifier telling ``X_a`` (0) from ``X_b`` (1).

    Returns ``(auc, one-sided p-value, fit sizes, eval sizes)``.
    """
    # The rows were shuffled by the caller: fit on the first half of each set
    # (capped), score the rest.
    n_fit = [
        min(math.ceil(X.shape[0] / 2), _MAX_CLASSIFIER_FIT_ROWS_PER_SET)
        for X in (X_a, X_b)
    ]
    sizes_eval = (X_a.shape[0] - n_fit[0], X_b.shape[0] - n_fit[1])
    if sparse.issparse(X_a):
        # Columns that are zero in both sets cannot tell them apart.
        used = np.union1d(X_a.indices, X_b.indices)
        if len(used) == 0:
            return 0.5, 1.0, tuple(n_fit), sizes_eval
        X_a, X_b = (_used_columns(X, used) for X in (X_a, X_b))
        X_fit = sparse.vstack([X_a[: n_fit[0]], X_b[: n_fit[1]]], format="csr")
    else:
        X_fit = np.concatenate([X_a[: n_fit[0]], X_b[: n_fit[1]]])
    y_fit = np.repeat([0, 1], n_fit)
    classifier = _domain_classifier(sparse.issparse(X_fit), rng)
    # One thread: with at most 20,000 rows to fit, threads save little, and on a
    # busy machine (or inside a parallel grid search) OpenMP threads can make a
    # fit ten times slower.
    with threadpool_limits(limits=1, user_api="openmp"):
        classifier.fit(X_fit, y_fit)
        score_a = classifier.decision_function(X_a[n_fit[0] :])
        score_b = classifier.decision_function(X_b[n_fit[1] :])
    if np.ptp(np.concatenate([score_a, score_b])) == 0:
        # The classifier learnt nothing: every example gets the same score.
        return 0.5, 1.0, tuple(n_fit), sizes_eval
    result = stats.mannwhitneyu(score_b, score_a, alternative="greater")
    auc = float(result.statistic) / (len(score_a) * len(score_b))
    return auc, float(result.pvalue), tuple(n_fit), sizes_eval


def _used_columns(X, used):
    """The columns ``used`` (sorted, holding every stored value) of CSR ``X``,
    renumbered without a pass over all its columns."""
    indices = np.searchsorted(used, X.indices)
    return sparse.csr_matrix((X.data, indices, X.indptr), shape=(X.shape[0], len(used)))


def _domain_classifier(sparse_input, rng):
    """The classifier of the domain test: gradient boosting, linear if sparse.

    Gradient boosting needs dense input; for sparse input (such as word
    counts) a logistic regression on the max-abs scaled columns is the usual
    choice and keeps the matrix sparse.
    """
    if sparse_input:
        return make_pipeline(MaxAbsScaler(), LogisticRegression(max_iter=1000))
    return HistGradientBoostingClassifier(
        max_iter=100,
        max_leaf_nodes=15,
        early_stopping=False,
        random_state=rng.randint(np.iinfo(np.int32).max),
    )


@validate_params(
    {
        "X_a": ["array-like", "sparse matrix"],
        "X_b": ["array-like", "sparse matrix"],
        "alpha": [Interval(RealNotInt, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def check_same_distribution(X_a, X_b, alpha=0.05, random_state=None):
    """Test whether two sets (dev and test, train and dev) share one distribution.

    Two complementary tests, each at level ``alpha / 2`` (Bonferroni), so the
    chance of a false alarm when both sets do come from the same distribution
    is at most about ``alpha``:

    1. **Per-feature two-sample tests**, which find shifts in a single feature
       and say which features moved: Kolmogorov-Smirnov (``ks_2samp``) for
       continuous features, and for discrete ones (at most 20 distinct values,
       such as pixel intensities or counts), where KS is overly conservative
       because of ties, a chi-squared test of homogeneity on the value counts.
       Holm's correction accounts for testing every feature.
    2. **A domain classifier**, which finds changes in the joint distribution
       that no single feature shows: a gradient-boosting classifier is fitted
       to tell half of ``X_a`` from half of ``X_b``, and its ROC AUC is
       measured on the other halves. An AUC near 0.5 means the sets cannot be
       told apart. On examples the classifier has not seen, the AUC is the
       Mann-Whitney U statistic of the two sets' scores, whose null
       distribution is known, so the test needs no permutations.

    Parameters
    ----------
    X_a : {array-like, sparse matrix} of shape (n_samples_a, n_features)
        One set, e.g. the dev set. Numeric, finite, at least 2 rows.

    X_b : {array-like, sparse matrix} of shape (n_samples_b, n_features)
        The other set, e.g. the test set, with the same features (and the same
        column names if both are DataFrames).

    alpha : float, default=0.05
        Accepted false-alarm rate: the chance of answering "different" for two
        samples of one distribution.

    random_state : int, RandomState instance or None, default=None
        Controls the subsampling, the classifier's halves and the classifier.
        Pass an int for a reproducible result.

    Returns
    -------
    result : DistributionCheckResult
        ``result.same`` is the answer; ``p_values``, ``auc``, ``top_features``
        and the other attributes say why. ``print(result)`` shows a report.

    Raises
    ------
    ValueError
        If a set is empty or has one row, contains NaN or infinity, has
        non-numeric columns, or if the two sets have different features.

    See Also
    --------
    train_dev_test_split : Make the sets.

    Notes
    -----
    *Why not cross-validated AUC?* The out-of-fold predictions of k-fold
    cross-validation are not independent: each fold's model learnt from the
    labels of the other folds, so their pooled AUC has a wider null
    distribution than Mann-Whitney's and the test raises too many false
    alarms (9% instead of 5% on 300 pairs of Gaussian samples, 360 rows each,
    with 5 folds). With one fit/score split the null distribution is exact:
    the classifier is fixed before it sees the rows it scores.

    *Large data.* A set with more than 100,000 rows is subsampled to a
    random 100,000 rows for both tests (``result.subsampled``), and the
    classifier is fitted on at most 10,000 rows of each set (and scored on the
    rest); at that size both tests already see very small differences. The
    classifier runs on one thread.

    *Sparse input* is made dense after subsampling when both sets together
    hold at most 2**22 values. Larger sparse input stays sparse, so memory
    grows with the stored values, not with the number of features: only the
    columns with a stored value in either set are tested (a column of zeros
    in both sets is "constant", p-value 1), and the domain classifier is a
    logistic regression on the max-abs scaled non-zero columns (gradient
    boosting needs dense input).

    *Power.* With few examples (a few hundred per set), only large differences
    are found; "same" then means "no evidence of a difference", not proof.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dnn import check_same_distribution
    >>> rng = np.random.RandomState(0)
    >>> X_dev = rng.normal(size=(500, 4))
    >>> X_test = rng.normal(size=(500, 4))
    >>> X_test[:, 2] += 0.5  # one feature has moved
    >>> result = check_same_distribution(X_dev, X_test, random_state=0)
    >>> result.same
    False
    >>> result.top_features
    ['x2']
    >>> print(result)
    Same distribution: NO (p = ... <= alpha = 0.05)
      data: X_a 500 rows, X_b 500 rows, 4 features
      per-feature tests (4 ks; Holm): 1 of 4 differ, smallest adjusted p = ...
      domain classifier: AUC = ... (p = ...; 0.5 = indistinguishable), fitted on 250 + 250 rows, scored on 250 + 250
      differ most: x2 (distance 0.2..., adjusted p = ...)
    """  # noqa: E501
    X_a, X_b, feature_names = _validate_sets(X_a, X_b)
    n_features = X_a.shape[1]
    n_samples_a, n_samples_b = X_a.shape[0], X_b.shape[0]
    rng = check_random_state(random_state)

    # One random order of each set's rows, cut to at most _MAX_ROWS_PER_SET;
    # both tests use these rows, and the classifier fits on the first half.
    rows = [rng.permutation(X.shape[0])[:_MAX_ROWS_PER_SET] for X in (X_a, X_b)]
    n_values = (len(rows[0]) + len(rows[1])) * n_features
    dense = not (sparse.issparse(X_a) or sparse.issparse(X_b))
    dense = dense or n_values <= _MAX_DENSE_VALUES
    X_a, X_b = (_float_rows(X, r, dense) for X, r in zip((X_a, X_b), rows))

    columns, tests, p_values, distances = _feature_tests(X_a, X_b)
    p_values_adjusted = _holm(p_values, n_features)
    feature_p_value = float(p_values_adjusted.min(initial=1.0))
    auc, auc_p_value, fit_sizes, eval_sizes = _domain_classifier_test(X_a, X_b, rng)
    p_value = min(1.0, 2 * min(feature_p_value, auc_p_value))

    n_given = (len(rows[0]), len(rows[1]))
    top = _most_different(p_values, p_values_adjusted, distances, alpha)
    return DistributionCheckResult(
        same=bool(p_value > alpha),
        alpha=float(alpha),
        p_value=float(p_value),
        feature_p_value=feature_p_value,
        top_features=[
            _column_name(feature_names, columns[k]) for k in top[:_N_TOP_FEATURES]
        ],
        auc=auc,
        auc_p_value=auc_p_value,
        n_samples=(n_samples_a, n_samples_b),
        n_samples_used=n_given,
        subsampled=n_given != (n_samples_a, n_samples_b),
        classifier_fit_sizes=fit_sizes,
        classifier_eval_sizes=eval_sizes,
        n_shared_rows=count_shared_rows(X_a, X_b),
        _n_features=n_features,
        _columns=columns,
        _tests=tests,
        _p_values=p_values,
        _p_values_adjusted=p_values_adjusted,
        _distances=distances,
        _names=feature_names,
    )
