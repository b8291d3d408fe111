"""Checks of parameters and data that scikit-learn's validation leaves open.

scikit-learn's constraints accept ``True`` where an int is asked for, cannot
know how large a network fits in memory, and do not look at the scale of
``X``; these functions close those gaps for the estimators.
"""

import os
import warnings

import numpy as np
import scipy.sparse as sp

from ._compat import InvalidParameterError

#: Rows of X looked at to judge its scale: enough for a stable estimate, cheap
#: on data of any size (a memmap included).
_SCALE_SAMPLE_ROWS = 1000

#: A feature whose root mean square exceeds this is far from normalized: He and
#: Xavier initialisations assume inputs of unit scale, and at 10x that the
#: first layer's pre-activations start far out on the activation.
FAR_FROM_NORMALIZED = 10.0


def reject_bool_numbers(estimator):
    """Raise when a numeric hyper-parameter is given as a bool.

    ``True`` is an ``Integral`` to Python, so ``batch_size=True`` would pass
    scikit-learn's constraints as 1.  Parameters whose constraints name
    ``"boolean"`` are left alone.
    """
    for name, value in estimator.get_params(deep=False).items():
        constraints = estimator._parameter_constraints.get(name, [])
        if isinstance(value, (bool, np.bool_)) and "boolean" not in constraints:
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be "
                f"a number, not a bool. Got {value!r} instead."
            )


def check_layer_sizes(sizes, n_features, n_outputs, dtype, batch_rows=0):
    """Raise before allocating a network that cannot fit in memory.

    The solvers hold about four parameter-sized arrays (the parameters, their
    gradient and two optimizer moments) and, for each batch of
    ``batch_rows`` examples, about three arrays of the batch's size per layer
    (the pre-activations, the activations and the backward deltas).
    """
    units = [n_features, *sizes, n_outputs]
    n_params = sum((a + 1) * b for a, b in zip(units[:-1], units[1:]))
    n_batch = 3 * batch_rows * sum(units)
    itemsize = np.dtype(dtype).itemsize
    needed = (4 * n_params + n_batch) * itemsize
    if needed > _physical_memory():
        raise ValueError(
            f"hidden_layer_sizes={tuple(sizes)!r} needs {n_params:.3g} "
            f"parameters and {n_batch:.3g} values per batch of {batch_rows} "
            f"examples (widest layer {max(units)}), about {needed / 2**30:.3g} "
            "GiB to train, more than this machine's memory; choose smaller "
            "layers or a smaller batch_size."
        )


def _physical_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2**63


def warn_if_far_from_normalized(X, estimator_name):
    """Warn when the features of ``X`` are far from unit scale.

    The root mean square of each feature is estimated on at most
    ``_SCALE_SAMPLE_ROWS`` rows; a warning names ``InputNormalizer`` when the
    largest exceeds ``FAR_FROM_NORMALIZED``.
    """
    step = max(1, X.shape[0] // _SCALE_SAMPLE_ROWS)
    sample = X[::step]
    if sp.issparse(sample):
        mean_square = np.asarray(sample.multiply(sample).mean(axis=0)).ravel()
    else:
        # einsum sums the float64 squares without a float64 copy of the sample.
        squares = np.einsum("ij,ij->j", sample, sample, dtype=np.float64)
        mean_square = squares / max(sample.shape[0], 1)
    largest = float(np.sqrt(np.max(mean_square, initial=0.0)))
    if largest > FAR_FROM_NORMALIZED:
        feature = int(np.argmax(mean_square))
        warnings.warn(
            f"X is far from normalized: feature {feature} has a root mean square "
            f"of {largest:.3g}. {estimator_name} trains best on inputs of unit "
            "scale; normalize them first, for example with "
            "make_pipeline(InputNormalizer(), ...).",
            UserWarning,
            stacklevel=4,
        )


def as_plain_targets(y):
    """Return ``y`` with pandas' nullable dtypes turned into numpy ones.

    A nullable ``Int64`` or ``boolean`` column without missing values becomes
    ``int64`` or ``bool`` (scikit-learn's validation would make it float, and
    predictions would come back as floats).  Anything else is returned as is;
    missing values are left for the validation to reject.
    """
    dtypes = getattr(y, "dtypes", None)
    if dtypes is None or not hasattr(y, "to_numpy"):
        return y
    if hasattr(dtypes, "numpy_dtype") or not hasattr(dtypes, "values"):
        dtypes = [dtypes]
    else:
        dtypes = list(dtypes.values)
    numpy_dtypes = {getattr(dtype, "numpy_dtype", None) for dtype in dtypes}
    if len(numpy_dtypes) != 1 or None in numpy_dtypes:
        return y
    if bool(np.asarray(y.isna()).any()):
        return y
    return y.to_numpy(dtype=numpy_dtypes.pop())


def check_total_weight(sample_weight, dtype, name="sample_weight"):
    """Raise when ``sample_weight`` (called ``name``) cannot define a cost.

    ``J`` divides by the weighted batch size ``m``: a total weight of zero,
    infinity, or below the smallest normal float (where ``alpha / (2 m)``
    overflows) has no meaningful cost.
    """
    total = np.sum(sample_weight, dtype=dtype)
    info = np.finfo(dtype)
    if not total > 0:
        raise ValueError(f"{name} must not sum to zero.")
    if not np.isfinite(total):
        raise ValueError(
            f"{name} sums to infinity in {np.dtype(dtype).name}: divide "
            "the weights by a common factor."
        )
    if total < info.tiny or not np.isfinite(1 / total):
        raise ValueError(
            f"{name} sums to {float(total):.3g}, too small to divide by "
            f"in {np.dtype(dtype).name}: multiply the weights by a common factor."
        )
