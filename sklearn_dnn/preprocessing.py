"""Normalizing the inputs: ``(x - mu) / sqrt(sigma^2)`` with training statistics.

The course's recipe is two steps, both computed on the training set only and
then reused unchanged on the dev and test sets:

1. subtract the mean, ``mu = (1/m) sum x(i)``;
2. normalize the variance, ``sigma^2 = (1/m) sum (x(i) - mu)^2``.

The numerics (a numerically stable, streaming mean and variance, and a scale of
1 for constant features) are those of scikit-learn's
:class:`~sklearn.preprocessing.StandardScaler`; :class:`InputNormalizer` is that
transformer with the course's vocabulary, and with NaN, infinity and sparse input
rejected by errors that say what to do.
"""

import copy

import numpy as np
from scipy import sparse
from sklearn.preprocessing import StandardScaler
from sklearn.utils.sparsefuncs import min_max_axis
from sklearn.utils.validation import check_array, check_is_fitted

from ._compat import _check_sample_weight, check_same_namespace, get_namespace

__all__ = ["InputNormalizer"]


class InputNormalizer(StandardScaler):
    """Normalize inputs with the training set's mean ``mu`` and variance ``sigma^2``.

    ``fit`` computes, for every feature, ``mu`` (``mean_``) and ``sigma^2``
    (``var_``) from the training data only; ``transform`` then applies
    ``(x - mu) / sqrt(sigma^2)`` with those same numbers to any data: the
    training set, and unchanged to the dev and test sets, so that all three go
    through exactly the same function. Normalized inputs make the cost function
    rounder, so gradient descent can use a larger learning rate.

    It is scikit-learn's :class:`~sklearn.preprocessing.StandardScaler` under
    the hood (same numerics, attributes and ``partial_fit``), with these
    differences: NaN and infinity are rejected (a network cannot learn from
    them; impute first), and sparse input with ``with_mean=True`` fails with an
    error explaining the choice between dense input and scaling only.

    Parameters
    ----------
    copy : bool, default=True
        If False, try to normalize in place (only possible for a float numpy
        array or a CSR matrix of the right dtype).

    with_mean : bool, default=True
        Step 1 of the recipe: subtract ``mu``. Sparse input needs
        ``with_mean=False``: subtracting ``mu`` turns every stored zero into
        ``-mu`` and so makes the matrix dense. With ``with_mean=False`` a
        sparse matrix is only divided by ``sigma`` and stays sparse.

    with_std : bool, default=True
        Step 2 of the recipe: divide by ``sigma = sqrt(sigma^2)``. A constant
        feature (``sigma^2 == 0``) is divided by 1, so it becomes 0, not NaN.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        ``mu``, the per-feature mean of the training data. None when both
        ``with_mean`` and ``with_std`` are False.

    var_ : ndarray of shape (n_features,) or None
        ``sigma^2``, the per-feature (population, ``1/m``) variance of the
        training data. None when ``with_std=False``.

    scale_ : ndarray of shape (n_features,) or None
        ``sqrt(sigma^2)``, the divisor actually used: 1 for constant features.
        None when ``with_std=False``.

    n_samples_seen_ : int or ndarray of shape (n_features,)
        Number of training examples ``m`` seen so far (summed over calls to
        ``partial_fit``; the sum of ``sample_weight`` when weights are given).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when ``X`` has string column
        names (e.g. a pandas DataFrame).

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The scikit-learn transformer this one
        is built on; it also lets NaN pass through.
    sklearn_dnn.train_dev_test_split : Make the train, dev and test sets whose
        training part this transformer should be fitted on.

    Notes
    -----
    ``partial_fit`` updates ``mu`` and ``sigma^2`` with Chan, Golub and
    LeVeque's pairwise formulas, so several ``partial_fit`` calls give the same
    statistics as one ``fit`` on the concatenated data (up to floating-point
    rounding). float32 input is kept float32; the statistics are float64.

    In a :class:`~sklearn.pipeline.Pipeline` the normalizer is refitted on the
    training part of every split, so cross-validation never leaks dev or test
    statistics into training.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dnn import InputNormalizer
    >>> X_train = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]])
    >>> X_dev = np.array([[4.0, 10.0]])
    >>> normalizer = InputNormalizer().fit(X_train)
    >>> normalizer.mean_
    array([ 2., 10.])
    >>> normalizer.var_
    array([0.666..., 0.        ])
    >>> normalizer.transform(X_train)
    array([[-1.22...,  0.        ],
           [ 0.        ,  0.        ],
           [ 1.22...,  0.        ]])
    >>> normalizer.transform(X_dev)  # the training mu and sigma, unchanged
    array([[2.44..., 0.        ]])
    """

    def __init__(self, *, copy=True, with_mean=True, with_std=True):
        super().__init__(copy=copy, with_mean=with_mean, with_std=with_std)

    def fit(self, X, y=None, sample_weight=None):
        """Compute ``mu`` and ``sigma^2`` on the training data.

        A failed fit leaves a previously fitted normalizer as it was.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite weight of each example in ``mu`` and
            ``sigma^2``, not all zero.

        Returns
        -------
        self : InputNormalizer
            The fitted normalizer.
        """
        return self._atomic(super().fit, X, y, sample_weight)

    def partial_fit(self, X, y=None, sample_weight=None):
        """Update ``mu`` and ``sigma^2`` with one more batch of training data.

        Several calls give the same statistics as one :meth:`fit` on all the
        batches together, which lets data that does not fit in memory be
        normalized.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite weight of each example in ``mu`` and
            ``sigma^2``, not all zero.

        Returns
        -------
        self : InputNormalizer
            The updated normalizer.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_dnn import InputNormalizer
        >>> normalizer = InputNormalizer()
        >>> normalizer = normalizer.partial_fit(np.array([[0.0], [2.0]]))
        >>> normalizer = normalizer.partial_fit(np.array([[4.0], [6.0]]))
        >>> normalizer.mean_, normalizer.var_
        (array([3.]), array([5.]))
        >>> int(normalizer.n_samples_seen_)
        4
        """
        return self._atomic(self._partial_fit, X, y, sample_weight)

    def _partial_fit(self, X, y, sample_weight):
        """`StandardScaler.partial_fit` on checked data, weights and statistics."""
        X_checked = self._check_input(X, "fit")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X_checked, ensure_non_negative=True
            )
        with np.errstate(over="ignore", invalid="ignore"):
            # An overflow is reported below, as an error, not as warnings.
            super().partial_fit(X, y, sample_weight=sample_weight)
        statistics = [s for s in (self.mean_, self.var_) if s is not None]
        xp, _ = get_namespace(*statistics)
        if not all(bool(xp.all(xp.isfinite(s))) for s in statistics):
            raise ValueError(
                "The mean or variance of X overflows (is not finite): its values "
                "are too large to square. Divide X by a constant first."
            )
        return self

    def _atomic(self, update, *args):
        """Run ``update(*args)``; if it raises, restore the previous state."""
        saved = copy.deepcopy(self.__dict__)
        try:
            return update(*args)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def transform(self, X, copy=None):
        """Normalize ``X`` with the training ``mu`` and ``sigma``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to normalize: training, dev or test examples.

        copy : bool, default=None
            Copy ``X`` first; None means the ``copy`` parameter.

        Returns
        -------
        X_new : {ndarray, sparse matrix} of shape (n_samples, n_features)
            ``(X - mean_) / scale_``. A DataFrame when ``set_output`` asks for
            pandas output.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_dnn import InputNormalizer
        >>> normalizer = InputNormalizer().fit(np.array([[0.0], [2.0]]))
        >>> normalizer.transform(np.array([[1.0], [3.0]]))
        array([[0.],
               [2.]])
        """
        self._check_overflow(self._check_input(X, "transform"), inverse=False)
        return super().transform(X, copy=copy)

    def inverse_transform(self, X, copy=None):
        """Undo the normalization: ``X * scale_ + mean_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Normalized data.

        copy : bool, default=None
            Copy ``X`` first; None means the ``copy`` parameter.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The data in its original units.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_dnn import InputNormalizer
        >>> normalizer = InputNormalizer().fit(np.array([[0.0], [2.0]]))
        >>> normalizer.inverse_transform(np.array([[-1.0], [2.0]]))
        array([[0.],
               [3.]])
        """
        self._check_overflow(self._check_input(X, "inverse_transform"), inverse=True)
        return super().inverse_transform(X, copy=copy)

    def _check_input(self, X, method):
        """Reject NaN/infinity and sparse input that would have to be centred.

        The rest of the validation (dtype, feature count and names) is left to
        :class:`~sklearn.preprocessing.StandardScaler`, which runs right after.
        Returns the checked array.
        """
        if method != "fit":
            self._check_namespace(X, method)
        X = check_array(
            X,
            accept_sparse=("csr", "csc"),
            dtype=None,
            ensure_all_finite=True,
            ensure_2d=False,
            allow_nd=True,
            ensure_min_samples=0,
            ensure_min_features=0,
            estimator=self,
            input_name="X",
        )
        if sparse.issparse(X) and self.with_mean:
            action = {
                "fit": "fit on",
                "transform": "transform",
                "inverse_transform": "inverse-transform",
            }[method]
            raise ValueError(
                f"InputNormalizer(with_mean=True) cannot {action} sparse input: "
                "centring subtracts mu from every entry, which turns the stored "
                "zeros into -mu and would make the matrix dense. Use "
                "InputNormalizer(with_mean=False) to only divide by sigma (the "
                "matrix stays sparse), or pass a dense array (X.toarray()) if it "
                "fits in memory."
            )
        return X

    def _check_namespace(self, X, method):
        """Under array API dispatch, ``X`` must be in the namespace and on the
        device of the fitted statistics (scikit-learn's rule)."""
        check_is_fitted(self)
        fitted = "mean_" if self.with_mean else "scale_"
        if getattr(self, fitted, None) is not None:
            check_same_namespace(X, self, attribute=fitted, method=method)

    def _check_overflow(self, X, inverse):
        """Raise if (inverse_)transform of ``X`` would overflow, before any write.

        ``StandardScaler`` may work in place (``copy=False``), so the check
        cannot look at its output. Each feature's map is monotone (a shift
        and a positive scale, with monotone rounding), so its results lie
        between those of the feature's minimum and maximum: computing those
        two rows the way ``StandardScaler`` does bounds every value.
        """
        check_is_fitted(self)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] != self.n_features_in_:
            return  # StandardScaler rejects it with its own error
        xp, is_array_api = get_namespace(X)
        if is_array_api and not sparse.issparse(X):
            bounds = _mapped_bounds_xp(self, X, xp, inverse)
        else:
            floats = (np.float64, np.float32, np.float16)
            dtype = X.dtype if X.dtype in floats else np.dtype(np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                bounds = _mapped_bounds(self, X, dtype, inverse)
        if not bool(xp.all(xp.isfinite(bounds))):
            what = "inverse-transformed" if inverse else "normalized"
            raise ValueError(
                f"Some {what} values would overflow (not be finite): X holds "
                "values far outside the range of the training data. Scale them "
                "down first; X was left unchanged."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        # StandardScaler's array API path needs a statistic to fit: with
        # neither mean nor scale (the identity) it fails on array_api_strict.
        tags.array_api_support = self.with_mean or self.with_std
        return tags


def _mapped_bounds_xp(normalizer, X, xp, inverse):
    """`_mapped_bounds` of a dense array of namespace ``xp``, in ``xp``
    (array API dispatch: the statistics live in the same namespace)."""
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, normalizer.mean_.dtype if normalizer.with_mean else xp.float64)
    bounds = xp.stack([xp.min(X, axis=0), xp.max(X, axis=0)])
    mean = xp.astype(normalizer.mean_, X.dtype) if normalizer.with_mean else 0
    scale = xp.astype(normalizer.scale_, X.dtype) if normalizer.with_std else 1
    return bounds * scale + mean if inverse else (bounds - mean) / scale


def _mapped_bounds(normalizer, X, dtype, inverse):
    """Each feature's minimum and maximum, mapped as `StandardScaler` maps X."""
    if sparse.issparse(X):
        bounds = np.vstack(min_max_axis(X, 0)).astype(dtype)
        if normalizer.scale_ is None:
            return bounds
        # inplace_column_scale multiplies in float64, then casts back.
        factor = normalizer.scale_ if inverse else 1 / normalizer.scale_
        return (bounds * factor).astype(dtype)
    bounds = np.vstack([X.min(axis=0), X.max(axis=0)]).astype(dtype)
    mean = normalizer.mean_.astype(dtype) if normalizer.with_mean else 0
    scale = normalizer.scale_.astype(dtype) if normalizer.with_std else 1
    return bounds * scale + mean if inverse else (bounds - mean) / scale
