"""Bias and variance against a baseline: the course's first diagnosis.

Compare the training error with the baseline (human-level or Bayes error) and
the dev error with the training error:

- ``avoidable_bias = train_error - baseline_error``: how far the model is
  from the best it could do on the data it was fitted to;
- ``variance = dev_error - train_error``: how much worse it does on examples
  it has not seen.

Each gap is "high" when it is larger than a threshold with an absolute floor
and a part relative to the error it is measured from (see
:func:`diagnose_bias_variance`). The remedies follow the course's basic
recipe: fix high bias first, then high variance.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np

from .._compat import Interval, validate_params

__all__ = ["BiasVarianceDiagnosis", "diagnose_bias_variance"]

CASES = ("good fit", "high bias", "high variance", "high bias and high variance")

# The basic recipe, in the order the course gives it.
BIAS_REMEDIES = (
    "bigger network: more hidden units or more hidden layers",
    "train longer: more epochs (max_iter) or a better optimizer",
    "another architecture: a network better suited to the data",
)
VARIANCE_REMEDIES = (
    "more data: more training examples",
    "regularization: raise alpha (L2), lower keep_prob (dropout) or "
    "stop early (early_stopping)",
    "data augmentation: e.g. augment=ImageAugmenter(...)",
    "another architecture: a network better suited to the data",
)

# Gaps are differences of error rates; a gap equal to its threshold up to
# this rounding slack is not high (e.g. 0.16 - 0.15 against 0.01).
_ROUNDING_SLACK = 1e-12

# An error is finite and non-negative; it may exceed 1 (an R^2 below 0 gives
# 1 - R^2 > 1, and a loss such as the mean squared error has no upper bound).
_ERROR = Interval(Real, 0, np.inf, closed="left")


def _percent(value):
    return f"{100 * value:.2f}%"


@dataclass(frozen=True)
class BiasVarianceDiagnosis:
    """Where a model's error comes from: avoidable bias, variance or neither.

    Returned by :func:`diagnose_bias_variance`; ``print`` it for a report.

    Attributes
    ----------
    train_error, dev_error, baseline_error : float
        The errors diagnosed (error rates in [0, 1], or other non-negative
        errors; see :func:`diagnose_bias_variance`).

    avoidable_bias : float
        ``train_error - baseline_error`` (negative when the model does better
        than the baseline on its training data).

    variance : float
        ``dev_error - train_error``.

    bias_threshold, variance_threshold : float
        The gap above which ``avoidable_bias`` (resp. ``variance``) is high:
        ``max(tolerance, rel_tolerance * baseline_error)`` (resp.
        ``max(tolerance, rel_tolerance * train_error)``).

    high_bias, high_variance : bool
        Whether each gap is larger than its threshold.

    case : {"good fit", "high bias", "high variance", \
"high bias and high variance"}
        The two flags in words.

    recommendations : tuple of str
        The basic recipe for this case, bias remedies first (bigger network,
        train longer, another architecture), then variance remedies (more
        data, regularization, data augmentation, another architecture);
        empty for a good fit.

    tolerance, rel_tolerance : float
        The tolerances used.

    Examples
    --------
    >>> from sklearn_dnn import diagnose_bias_variance
    >>> diagnosis = diagnose_bias_variance(0.15, 0.16)
    >>> diagnosis.case
    'high bias'
    >>> diagnosis.recommendations[0]
    'bigger network: more hidden units or more hidden layers'
    """

    train_error: float
    dev_error: float
    baseline_error: float
    avoidable_bias: float
    variance: float
    bias_threshold: float
    variance_threshold: float
    high_bias: bool
    high_variance: bool
    case: str
    recommendations: tuple
    tolerance: float
    rel_tolerance: float

    def __str__(self):
        def flag(high):
            return "HIGH" if high else "ok"

        rows = [
            f"Bias/variance diagnosis: {self.case}",
            f"  baseline error  {_percent(self.baseline_error):>8}",
            f"  train error     {_percent(self.train_error):>8}"
            f"    avoidable bias {_percent(self.avoidable_bias):>8}"
            f"  (high above {_percent(self.bias_threshold)}): "
            f"{flag(self.high_bias)}",
            f"  dev error       {_percent(self.dev_error):>8}"
            f"    variance       {_percent(self.variance):>8}"
            f"  (high above {_percent(self.variance_threshold)}): "
            f"{flag(self.high_variance)}",
        ]
        if self.recommendations:
            rows.append("Basic recipe, in this order:")
            rows += [f"  {i}. {r}" for i, r in enumerate(self.recommendations, 1)]
        else:
            rows.append("Nothing to fix at this tolerance: both gaps are within it.")
        return "\n".join(rows)


@validate_params(
    {
        "train_error": [_ERROR],
        "dev_error": [_ERROR],
        "baseline_error": [_ERROR],
        "tolerance": [_ERROR],
        "rel_tolerance": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def diagnose_bias_variance(
    train_error, dev_error, baseline_error=0.0, tolerance=0.01, *, rel_tolerance=0.1
):
    """Diagnose high bias and/or high variance from train and dev errors.

    ``avoidable_bias = train_error - baseline_error`` and
    ``variance = dev_error - train_error``. A gap is **high** when it is
    larger than::

        max(tolerance, rel_tolerance * reference)

    where the reference is the error the gap is measured from: the baseline
    for the avoidable bias, the training error for the variance. So a gap
    must be both more than ``tolerance`` in absolute terms and more than
    ``rel_tolerance`` (10 %) of the error level it starts from. A gap equal
    to its threshold is not high.

    - ``tolerance`` (the absolute floor, in error-rate units: 0.01 is one
      percentage point) keeps small gaps from counting: with the defaults,
      errors around 0.1 % never count as high bias or variance. For a task
      whose errors live at that scale, pass a smaller ``tolerance`` such as
      0.001; the relative part then still ignores gaps that are small next to
      the error level.
    - The relative part matters for large errors: with a baseline of 30 %,
      a training error of 32 % is within 10 % of the baseline and not high
      bias, while 15 % against 0 % is.

    With the defaults the course's examples come out as taught: with a 0 %
    baseline, (train 1 %, dev 11 %) is high variance, (15 %, 16 %) high bias,
    (15 %, 30 %) both and (0.5 %, 1 %) neither; with a 15 % baseline,
    (15 %, 16 %) is neither.

    Parameters
    ----------
    train_error : float
        Error on the training set: finite and at least 0. Usually an error
        rate ``1 - score`` in [0, 1] (for a classifier, ``1 - accuracy``),
        but errors above 1 are real and accepted: ``1 - R^2`` for a
        regressor worse than the mean, or a loss such as the mean squared
        error (a ``neg_*`` scorer's ``-score``).

    dev_error : float
        Error on the dev set, in the same units.

    baseline_error : float, default=0.0
        The error that counts as the best achievable: human-level error as a
        proxy for Bayes error, in the same units.

    tolerance : float, default=0.01
        The absolute floor of both thresholds, in the same units (0.01 is
        one percentage point of an error rate); finite and at least 0.

    rel_tolerance : float, default=0.1
        The relative part of the thresholds, as a fraction of the reference
        error (the baseline for bias, the training error for variance).

    Returns
    -------
    diagnosis : BiasVarianceDiagnosis
        The gaps, their thresholds, the flags, the case and the recommended
        next steps. ``print(diagnosis)`` gives a short report.

    Raises
    ------
    ValueError
        If an error is negative, NaN or infinite.

    See Also
    --------
    BiasVarianceDisplay : The diagnosis drawn on a learning curve.
    BasicRecipe : A meta-estimator that applies the recommendations.

    Examples
    --------
    >>> from sklearn_dnn import diagnose_bias_variance
    >>> diagnose_bias_variance(0.01, 0.11).case
    'high variance'
    >>> diagnose_bias_variance(0.15, 0.30).case
    'high bias and high variance'
    >>> diagnose_bias_variance(0.15, 0.16, baseline_error=0.15).case
    'good fit'
    >>> print(diagnose_bias_variance(0.15, 0.16))
    Bias/variance diagnosis: high bias
      baseline error     0.00%
      train error       15.00%    avoidable bias   15.00%  (high above 1.00%): HIGH
      dev error         16.00%    variance          1.00%  (high above 1.50%): ok
    Basic recipe, in this order:
      1. bigger network: more hidden units or more hidden layers
      2. train longer: more epochs (max_iter) or a better optimizer
      3. another architecture: a network better suited to the data
    """
    train_error = float(train_error)
    dev_error = float(dev_error)
    baseline_error = float(baseline_error)
    avoidable_bias = train_error - baseline_error
    variance = dev_error - train_error
    bias_threshold = max(tolerance, rel_tolerance * baseline_error)
    variance_threshold = max(tolerance, rel_tolerance * train_error)
    high_bias = bool(avoidable_bias - bias_threshold > _ROUNDING_SLACK)
    high_variance = bool(variance - variance_threshold > _ROUNDING_SLACK)
    case = CASES[int(high_bias) + 2 * int(high_variance)]
    recommendations = ()
    if high_bias:
        recommendations += BIAS_REMEDIES
    if high_variance:
        recommendations += tuple(
            r for r in VARIANCE_REMEDIES if r not in recommendations
        )
    return BiasVarianceDiagnosis(
        train_error=train_error,
        dev_error=dev_error,
        baseline_error=baseline_error,
        avoidable_bias=avoidable_bias,
        variance=variance,
        bias_threshold=float(bias_threshold),
        variance_threshold=float(variance_threshold),
        high_bias=high_bias,
        high_variance=high_variance,
        case=case,
        recommendations=recommendations,
        tolerance=float(tolerance),
        rel_tolerance=float(rel_tolerance),
    )
