"""Train/dev/test splits sized by the course's rule of thumb.

With up to about 100,000 examples, split 60/20/20. With more, the dev and test
sets only need to be large enough to rank models and to estimate the final
error (about 10,000 examples each at one million, 98/1/1), so almost
everything goes to training: :func:`suggest_split_sizes`. Make the split
once, reproducibly, stratified when the classes are unbalanced:
:func:`train_dev_test_split`.
"""

import math
from itertools import chain
from numbers import Integral

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, indexable

from .._compat import (
    Interval,
    RealNotInt,
    _num_samples,
    _safe_indexing,
    validate_params,
)

# (n_samples, dev fraction) points of the course's rule; the dev (and test)
# fraction is interpolated linearly in log(n)-log(fraction) between them, and
# the last segment is extended beyond 1e8.
_DEV_FRACTION_ANCHORS = ((1e5, 0.2), (1e6, 0.01), (1e8, 0.0025))


def _dev_fraction(n_samples):
    """The rule's dev (and test) fraction for ``n_samples`` examples.

    A continuous, non-increasing function of ``n_samples``: 0.2 up to 1e5,
    then straight lines in log-log coordinates through the anchors
    ``(1e5, 20%)``, ``(1e6, 1%)`` and ``(1e8, 0.25%)``; beyond 1e8 the last line
    continues (the fraction halves for every tenfold increase of n).
    """
    n = float(n_samples)
    (n0, f0), (n1, f1), (n2, f2) = _DEV_FRACTION_ANCHORS
    if n <= n0:
        return f0
    if n <= n1:
        lo, hi = (n0, f0), (n1, f1)
    else:
        lo, hi = (n1, f1), (n2, f2)
    slope = math.log(hi[1] / lo[1]) / math.log(hi[0] / lo[0])
    return lo[1] * (n / lo[0]) ** slope


@validate_params(
    {"n_samples": [Interval(Integral, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def suggest_split_sizes(n_samples):
    """Suggest train, dev and test set sizes for ``n_samples`` examples.

    The course's rule: 60/20/20 up to 100,000 examples; beyond that the dev and
    test sets only need to be big enough to compare models and estimate the
    error, so their share shrinks: 98/1/1 at one million examples (10,000
    each), 99.5/0.25/0.25 at one hundred million.

    Parameters
    ----------
    n_samples : int
        Number of examples, at least 3 (one for each set).

    Returns
    -------
    n_train : int
        Number of training examples, ``n_samples - n_dev - n_test``.

    n_dev : int
        Number of dev (hold-out cross-validation) examples.

    n_test : int
        Number of test examples, equal to ``n_dev``.

    Raises
    ------
    ValueError
        If ``n_samples < 3``: the three sets cannot all be non-empty.

    See Also
    --------
    train_dev_test_split : Split arrays with these sizes.

    Notes
    -----
    The dev and test fraction ``f(n)`` is 0.2 for ``n <= 1e5``. Above, it
    follows straight lines in log-log coordinates through ``(1e5, 0.2)``,
    ``(1e6, 0.01)`` and ``(1e8, 0.0025)``, that is
    ``f(n) = 0.2 (n / 1e5) ** -1.301`` up to one million (the dev set shrinks
    from 20,000 to 10,000 examples) and ``f(n) = 0.01 (n / 1e6) ** -0.301``
    beyond (the dev set grows like ``n ** 0.7``: 250,000 examples at 1e8). The
    last line is kept beyond 1e8, so the fraction keeps falling gently (it
    halves for every tenfold increase: 0.125% at 1e9). ``f`` is continuous
    and never increases with ``n``.

    The counts are ``n_dev = n_test = max(1, round(f(n) * n))`` and the rest is
    for training, so each set has at least one example and the counts are
    within one half of ``f(n) * n``. For very small ``n`` (3 to 7) this means
    one dev and one test example.

    Examples
    --------
    >>> from sklearn_dnn import suggest_split_sizes
    >>> suggest_split_sizes(10_000)
    (6000, 2000, 2000)
    >>> suggest_split_sizes(1_000_000)
    (980000, 10000, 10000)
    >>> suggest_split_sizes(100_000_000)
    (99500000, 250000, 250000)
    >>> suggest_split_sizes(3)
    (1, 1, 1)
    """
    n_samples = int(n_samples)
    if n_samples < 3:
        raise ValueError(
            f"Cannot split n_samples={n_samples} examples into train, dev and test "
            "sets: each set needs at least one example, so at least 3 are needed."
        )
    n_dev = max(1, math.floor(_dev_fraction(n_samples) * n_samples + 0.5))
    return n_samples - 2 * n_dev, n_dev, n_dev


def _size_to_count(size, n_samples, name):
    """Number of examples meant by an int count or a fraction of ``n_samples``."""
    if size is None:
        return None
    if isinstance(size, Integral):
        if size >= n_samples:
            raise ValueError(
                f"{name}={size} should be smaller than the number of samples "
                f"n_samples={n_samples}."
            )
        return int(size)
    # Like train_test_split's test_size: a fraction of all the samples, rounded up.
    return math.ceil(size * n_samples)


def _resolve_sizes(n_samples, dev_size, test_size):
    """Turn ``dev_size``/``test_size`` into the three counts, or raise."""
    if n_samples == 0:
        raise ValueError(
            "Cannot split an empty data set (n_samples=0) into train, dev and "
            "test sets."
        )
    if n_samples < 3:
        raise ValueError(
            f"Cannot split n_samples={n_samples} examples into train, dev and test "
            "sets: each set needs at least one example, so at least 3 are needed."
        )
    n_dev = _size_to_count(dev_size, n_samples, "dev_size")
    n_test = _size_to_count(test_size, n_samples, "test_size")
    _, suggested_dev, suggested_test = suggest_split_sizes(n_samples)
    n_dev = suggested_dev if n_dev is None else n_dev
    n_test = suggested_test if n_test is None else n_test
    n_train = n_samples - n_dev - n_test
    if n_train < 1:
        raise ValueError(
            f"With n_samples={n_samples}, dev_size={dev_size} and "
            f"test_size={test_size}, the dev set has {n_dev} and the test set "
            f"{n_test} examples, which leaves {max(n_train, 0)} for training. "
            "Use smaller dev_size and/or test_size."
        )
    return n_train, n_dev, n_test


def _stratified_cut(indices, n_keep, n_cut, stratify, shuffle, random_state, what):
    """``train_test_split`` of index array, with errors saying which cut failed."""
    try:
        return train_test_split(
            indices,
            train_size=n_keep,
            test_size=n_cut,
            stratify=stratify,
            shuffle=shuffle,
            random_state=random_state,
        )
    except ValueError as exc:
        if stratify is None:
            raise
        raise ValueError(
            f"Cannot stratify the {what} ({n_cut} of {len(indices)} examples): {exc}"
        ) from exc


def _check_stratified_sizes(stratify, n_train, sizes):
    """Raise unless every set can hold one example of each class.

    ``sizes`` maps ``"dev_size"``/``"test_size"`` to the value given and the
    number of examples it means.
    """
    labels = np.asarray(stratify)
    n_classes = len(np.unique(labels, axis=0 if labels.ndim == 2 else None))
    for name, (given, count) in sizes.items():
        if count < n_classes:
            given = f"{given!r}" if given is not None else f"None (suggested: {count})"
            raise ValueError(
                f"{name}={given} gives {count} example(s), fewer than the "
                f"{n_classes} classes in stratify: a stratified split needs at "
                f"least one example of each class in every set. Use "
                f"a larger {name}, of at least {n_classes} examples (or "
                "stratify=None)."
            )
    if n_train < n_classes:
        raise ValueError(
            f"dev_size and test_size leave {n_train} training example(s), fewer "
            f"than the {n_classes} classes in stratify: a stratified split needs "
            "at least one example of each class in every set. Use smaller "
            "dev_size and/or test_size (or stratify=None)."
        )


@validate_params(
    {
        "dev_size": [
            Interval(RealNotInt, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "test_size": [
            Interval(RealNotInt, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "stratify": ["array-like", None],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def train_dev_test_split(
    *arrays,
    dev_size=None,
    test_size=None,
    stratify=None,
    shuffle=True,
    random_state=None,
):
    """Split arrays into random train, dev and test subsets.

    Like :func:`sklearn.model_selection.train_test_split`, three ways: the test
    set is cut off first, then the dev set from what is left, each cut made by
    ``train_test_split`` itself (stratified when ``stratify`` is given, so
    the class proportions are kept in all three sets).

    Parameters
    ----------
    *arrays : sequence of indexables with same length / shape[0]
        Allowed inputs are lists, numpy arrays, scipy-sparse matrices and
        pandas DataFrames or Series. Each comes back as the same type, except
        that sparse matrices come back in CSR format, as with
        ``train_test_split``.

    dev_size : float or int, default=None
        A float in (0, 1) is the fraction of **all** the examples that goes to
        the dev set (rounded up); an int is the number of dev examples. None
        means the size from :func:`suggest_split_sizes`.

    test_size : float or int, default=None
        The same for the test set.

    stratify : array-like of shape (n_samples,), default=None
        Class labels to keep the class proportions of in both cuts.

    shuffle : bool, default=True
        Whether to shuffle before splitting. With ``shuffle=False`` the train,
        dev and test sets are consecutive blocks, in that order; ``stratify``
        must then be None.

    random_state : int, RandomState instance or None, default=None
        Controls the shuffling. Pass an int for a reproducible split.

    Returns
    -------
    splitting : list, length=3 * len(arrays)
        ``[a_train, a_dev, a_test, b_train, b_dev, b_test, ...]``.

    Raises
    ------
    ValueError
        If the sizes leave a set empty, if there are fewer than 3 examples, or
        if a stratified cut is impossible (e.g. a class with a single member, or
        fewer dev examples than classes); the message says which.

    See Also
    --------
    suggest_split_sizes : The default sizes.
    check_same_distribution : Check that two of the sets look alike.

    Notes
    -----
    As with ``train_test_split``, the contents of the arrays are not
    inspected: missing values and non-numeric columns are split like any
    other, so that imputing and encoding can be fitted on the training set
    only.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dnn import train_dev_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0, 1] * 5)
    >>> X_train, X_dev, X_test, y_train, y_dev, y_test = train_dev_test_split(
    ...     X, y, random_state=0
    ... )
    >>> len(X_train), len(X_dev), len(X_test)
    (6, 2, 2)
    >>> X_train, X_dev, X_test = train_dev_test_split(
    ...     X, dev_size=0.1, test_size=3, shuffle=False
    ... )
    >>> X_dev
    array([[12, 13]])
    >>> X_test
    array([[14, 15],
           [16, 17],
           [18, 19]])
    """
    if not arrays:
        raise ValueError("At least one array required as input.")
    arrays = indexable(*arrays)
    n_samples = _num_samples(arrays[0])
    n_train, n_dev, n_test = _resolve_sizes(n_samples, dev_size, test_size)
    if stratify is not None:
        if not shuffle:
            raise ValueError(
                "Stratified train/dev/test split is not implemented for shuffle=False."
            )
        if _num_samples(stratify) != n_samples:
            raise ValueError(
                f"stratify has {_num_samples(stratify)} labels but the arrays "
                f"have {n_samples} samples."
            )
        _check_stratified_sizes(
            stratify,
            n_train,
            {"test_size": (test_size, n_test), "dev_size": (dev_size, n_dev)},
        )

    rng = check_random_state(random_state) if shuffle else None
    indices = np.arange(n_samples)
    rest, test = _stratified_cut(
        indices, n_train + n_dev, n_test, stratify, shuffle, rng, "test set"
    )
    stratify_rest = None if stratify is None else _safe_indexing(stratify, rest)
    train, dev = _stratified_cut(
        rest, n_train, n_dev, stratify_rest, shuffle, rng, "dev set"
    )
    return list(
        chain.from_iterable(
            (_safe_indexing(a, train), _safe_indexing(a, dev), _safe_indexing(a, test))
            for a in arrays
        )
    )
