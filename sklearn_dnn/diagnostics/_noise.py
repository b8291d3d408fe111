"""The sampling noise of measured errors: standard errors of errors and gaps.

An error measured on ``n`` examples is an estimate; its standard error says
how far it may be from the error on the whole distribution. For an error
rate (a proportion) it is the binomial one with the Agresti-Coull adjustment,
which keeps it positive at an error of 0; for other errors (a loss, 1 - R^2)
it is the standard deviation of the per-example losses over ``sqrt(n)``.
"""

import numpy as np
from scipy.stats import norm

from .._compat import _num_samples

# The splits an error can be measured on, as ``n_samples`` names them.
SPLITS = ("train", "train_dev", "dev", "test")


def z_value(confidence):
    """The two-sided normal quantile at ``confidence`` (1.96 at 0.95)."""
    return float(norm.ppf(0.5 + confidence / 2))


def proportion_standard_error(error, n, z):
    """Agresti-Coull standard error of an error rate ``error`` on ``n`` examples.

    The adjusted proportion ``(n * error + z**2 / 2) / (n + z**2)`` over an
    adjusted count ``n + z**2``: positive even when no example is wrong.
    """
    n_tilde = n + z**2
    p_tilde = (n * error + z**2 / 2) / n_tilde
    p_tilde = min(max(p_tilde, 0.0), 1.0)
    return float(np.sqrt(p_tilde * (1 - p_tilde) / n_tilde))


def loss_standard_error(losses):
    """Standard error of a mean of per-example losses: their std over sqrt(n)."""
    losses = np.asarray(losses, dtype=float).ravel()
    if losses.size < 2:
        return None
    return float(np.std(losses, ddof=1) / np.sqrt(losses.size))


def error_standard_errors(errors, n_samples, standard_errors, z):
    """Each split's standard error: given, from its size, or None.

    ``errors`` maps the split names of :data:`SPLITS` and ``"baseline"`` to
    their errors (None when not measured). A standard error given in
    ``standard_errors`` wins over one computed from ``n_samples``; the
    baseline's is only ever given (it has no size).
    """
    n_samples = n_samples or {}
    standard_errors = standard_errors or {}
    result = {}
    for split in ("baseline", *SPLITS):
        if errors.get(split) is None:
            result[split] = None
        elif standard_errors.get(split) is not None:
            result[split] = float(standard_errors[split])
        elif n_samples.get(split) is not None:
            result[split] = proportion_standard_error(
                errors[split], n_samples[split], z
            )
        else:
            result[split] = None
    return result


def gap_standard_error(start_se, end_se):
    """Root of the sum of squares (a baseline given exact has ``start_se`` 0.0)."""
    if start_se is None or end_se is None:
        return None
    return float(np.hypot(start_se, end_se))


def check_split_mapping(mapping, name, *, integer, keys=SPLITS):
    """Raise a scikit-learn style ``ValueError`` for a bad ``n_samples``/SE map."""
    if mapping is None:
        return
    unknown = sorted(set(mapping) - set(keys))
    if unknown:
        raise ValueError(
            f"{name} has unknown keys {unknown}; the keys are {list(keys)}."
        )
    for split, value in mapping.items():
        if value is None:
            continue
        if integer:
            ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
            ok = ok and value >= 1
            what = "an integer >= 1"
        else:
            ok = isinstance(value, (int, float, np.number)) and not isinstance(
                value, bool
            )
            ok = ok and np.isfinite(value) and value >= 0
            what = "a finite float >= 0"
        if not ok:
            raise ValueError(
                f"{name}[{split!r}] must be {what} or None. Got {value!r} instead."
            )


def split_noise(error, estimator, splits):
    """``n_samples`` (error rates) or ``standard_errors`` (other errors).

    ``splits`` maps split names to ``(X, y)`` (or None), ``error`` is the
    :class:`ErrorScorer` and ``estimator`` the fitted model.

    An error rate's standard error follows from its size; any other error's
    is the standard deviation of its per-example losses over ``sqrt(n)``.
    Neither is known for other scores (f1, ...): the rule is then §13's.
    """
    named = {name: data for name, data in splits.items() if data is not None}
    if error.is_proportion:
        return {"n_samples": {name: _num_samples(X) for name, (X, _) in named.items()}}
    standard_errors = {}
    for name, (X, y) in named.items():
        losses = error.losses(estimator, X, y)
        if losses is None:
            return {}
        standard_errors[name] = loss_standard_error(losses)
    if not all(se is not None and np.isfinite(se) for se in standard_errors.values()):
        return {}  # one example, or a constant target: no noise estimate
    return {"standard_errors": standard_errors}
