"""Bias, variance and data mismatch against a baseline: the course's diagnoses.

Compare the training error with the baseline (human-level or Bayes error) and
the dev error with the training error:

- ``avoidable_bias = train_error - baseline_error``: how far the model is
  from the best it could do on the data it was fitted to;
- ``variance = dev_error - train_error``: how much worse it does on examples
  it has not seen.

When the dev set comes from another distribution than the training set, a
**train-dev** set (training distribution, not trained on) separates the two
causes of a dev error above the training error: ``variance = train_dev_error
- train_error`` and ``data_mismatch = dev_error - train_dev_error``. A test
error adds ``dev_overfitting = test_error - dev_error``.

Each gap is "high" when it is larger than a threshold with an absolute floor
and a part relative to the error it is measured from (see
:func:`diagnose_bias_variance`). The remedies follow the course's basic
recipe: fix high bias first, then high variance, then data mismatch.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np

from .._compat import Interval, validate_params
from .._formatting import percent

__all__ = ["BiasVarianceDiagnosis", "diagnose_bias_variance"]

# The gaps in the order they are fixed, as the case words name them.
GAP_CASES = ("high bias", "high variance", "high data mismatch", "high dev overfitting")

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
# No knob of the network fixes a mismatch: the data must change.
DATA_MISMATCH_REMEDIES = (
    "error analysis: look at dev examples the model gets wrong next to "
    "training examples, to understand how the two distributions differ",
    "make training data more like dev: collect more training examples like "
    "the dev/test data",
    "artificial data synthesis: make training examples that look like dev "
    "(e.g. the same distortion or noise), from varied sources so the network "
    "does not overfit a small synthesized subset",
)
DEV_OVERFITTING_REMEDIES = (
    "bigger dev set: the dev set has been overfit by tuning on it",
)

# Gaps are differences of error rates; a gap equal to its threshold up to
# this rounding slack is not high (e.g. 0.16 - 0.15 against 0.01).
_ROUNDING_SLACK = 1e-12

# An error is finite and non-negative; it may exceed 1 (an R^2 below 0 gives
# 1 - R^2 > 1, and a loss such as the mean squared error has no upper bound).
_ERROR = Interval(Real, 0, np.inf, closed="left")


@dataclass(frozen=True)
class BiasVarianceDiagnosis:
    """Where a model's error comes from: bias, variance, data mismatch or none.

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
        ``dev_error - train_error``, or ``train_dev_error - train_error``
        when a train-dev error is given.

    bias_threshold, variance_threshold : float
        The gap above which ``avoidable_bias`` (resp. ``variance``) is high:
        ``max(tolerance, rel_tolerance * baseline_error)`` (resp.
        ``max(tolerance, rel_tolerance * train_error)``).

    high_bias, high_variance : bool
        Whether each gap is larger than its threshold.

    case : str
        The high gaps in words, joined with ``" and "`` in the order
        ``"high bias"``, ``"high variance"``, ``"high data mismatch"``,
        ``"high dev overfitting"``; ``"good fit"`` when none is high.

    recommendations : tuple of str
        The basic recipe for this case, bias remedies first (bigger network,
        train longer, another architecture), then variance remedies (more
        data, regularization, data augmentation, another architecture), then
        data-mismatch remedies (error analysis, training data more like dev,
        artificial data synthesis) and a bigger dev set for dev overfitting;
        empty for a good fit.

    tolerance, rel_tolerance : float
        The tolerances used.

    train_dev_error, test_error : float or None
        The train-dev and test errors, when given.

    data_mismatch : float or None
        ``dev_error - train_dev_error``, when a train-dev error is given.

    dev_overfitting : float or None
        ``test_error - dev_error``, when a test error is given.

    data_mismatch_threshold, dev_overfitting_threshold : float or None
        ``max(tolerance, rel_tolerance * train_dev_error)`` and
        ``max(tolerance, rel_tolerance * dev_error)``, when their gap is
        measured.

    high_data_mismatch, high_dev_overfitting : bool
        Whether each of these gaps is larger than its threshold (False when
        it is not measured).

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
    train_dev_error: float | None = None
    test_error: float | None = None
    data_mismatch: float | None = None
    dev_overfitting: float | None = None
    data_mismatch_threshold: float | None = None
    dev_overfitting_threshold: float | None = None
    high_data_mismatch: bool = False
    high_dev_overfitting: bool = False

    def __str__(self):
        rows = [
            f"Bias/variance diagnosis: {self.case}",
            f"  baseline error  {percent(self.baseline_error):>8}",
        ]
        rows += [self._gap_row(*row) for row in self._gap_rows()]
        if self.recommendations:
            rows.append("Basic recipe, in this order:")
            rows += [f"  {i}. {r}" for i, r in enumerate(self.recommendations, 1)]
        elif self.train_dev_error is None and self.test_error is None:
            rows.append("Nothing to fix at this tolerance: both gaps are within it.")
        else:
            rows.append("Nothing to fix at this tolerance: every gap is within it.")
        return "\n".join(rows)

    def _gap_rows(self):
        """``(error's split, gap's words, gap's field)`` of each measured gap."""
        rows = [("train", "avoidable bias", "avoidable_bias")]
        if self.train_dev_error is None:
            rows.append(("dev", "variance", "variance"))
        else:
            rows.append(("train-dev", "variance", "variance"))
            rows.append(("dev", "data mismatch", "data_mismatch"))
        if self.test_error is not None:
            rows.append(("test", "dev overfitting", "dev_overfitting"))
        return rows

    def _gap_row(self, split, words, name):
        error = getattr(self, f"{split.replace('-', '_')}_error")
        key = name.removeprefix("avoidable_")
        threshold = getattr(self, f"{key}_threshold")
        return (
            f"  {split + ' error':<16}{percent(error):>8}    {words:<15}"
            f"{percent(getattr(self, name)):>8}  (high above {percent(threshold)}): "
            f"{'HIGH' if getattr(self, f'high_{key}') else 'ok'}"
        )


def _recommendations(highs):
    """The remedies of the high gaps, in order, each remedy once."""
    remedies = (
        BIAS_REMEDIES,
        VARIANCE_REMEDIES,
        DATA_MISMATCH_REMEDIES,
        DEV_OVERFITTING_REMEDIES,
    )
    recommendations = ()
    for high, group in zip(highs, remedies):
        if high:
            recommendations += tuple(r for r in group if r not in recommendations)
    return recommendations


def _gap_fields(errors, tolerance, rel_tolerance):
    """The gap, threshold and flag fields of every gap whose errors are given.

    ``errors`` maps the ``*_error`` field names to their values (None when
    not given). A gap goes from a start error to an end error and is high
    above ``max(tolerance, rel_tolerance * start)``.
    """
    variance_end = (
        "dev_error" if errors["train_dev_error"] is None else "train_dev_error"
    )
    gaps = (  # (gap field, key of its threshold and flag, start, end)
        ("avoidable_bias", "bias", "baseline_error", "train_error"),
        ("variance", "variance", "train_error", variance_end),
        ("data_mismatch", "data_mismatch", "train_dev_error", "dev_error"),
        ("dev_overfitting", "dev_overfitting", "dev_error", "test_error"),
    )
    fields = {}
    for name, key, start, end in gaps:
        if errors[start] is None or errors[end] is None:
            continue
        gap = errors[end] - errors[start]
        threshold = float(max(tolerance, rel_tolerance * errors[start]))
        fields[name] = gap
        fields[f"{key}_threshold"] = threshold
        fields[f"high_{key}"] = bool(gap - threshold > _ROUNDING_SLACK)
    return fields


def _optional_float(value):
    return None if value is None else float(value)


@validate_params(
    {
        "train_error": [_ERROR],
        "dev_error": [_ERROR],
        "baseline_error": [_ERROR],
        "tolerance": [_ERROR],
        "rel_tolerance": [Interval(Real, 0, None, closed="left")],
        "train_dev_error": [_ERROR, None],
        "test_error": [_ERROR, None],
    },
    prefer_skip_nested_validation=True,
)
def diagnose_bias_variance(
    train_error,
    dev_error,
    baseline_error=0.0,
    tolerance=0.01,
    *,
    rel_tolerance=0.1,
    train_dev_error=None,
    test_error=None,
):
    """Diagnose high bias, variance, data mismatch and dev-set overfitting.

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

    **Mismatched distributions.** When the training data come from another
    distribution than the dev and test data, give the error on a train-dev
    set (training distribution, held out from training): the variance is then
    ``train_dev_error - train_error`` and ``data_mismatch = dev_error -
    train_dev_error`` (reference: the train-dev error). With ``test_error``,
    ``dev_overfitting = test_error - dev_error`` (reference: the dev error)
    tells whether tuning has overfit the dev set. Train 1 %, train-dev 1.5 %,
    dev 10 % is high data mismatch, not high variance.

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
        The absolute floor of every threshold, in the same units (0.01 is
        one percentage point of an error rate); finite and at least 0.

    rel_tolerance : float, default=0.1
        The relative part of the thresholds, as a fraction of the reference
        error (the baseline for bias, the training error for variance, the
        train-dev error for data mismatch, the dev error for dev
        overfitting).

    train_dev_error : float or None, default=None
        Error on a train-dev set, in the same units; None when the dev set
        comes from the training distribution.

    test_error : float or None, default=None
        Error on the test set (the dev set's distribution), in the same
        units; None when there is none.

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
    >>> mismatch = diagnose_bias_variance(0.01, 0.10, train_dev_error=0.015)
    >>> mismatch.case, round(mismatch.data_mismatch, 3)
    ('high data mismatch', 0.085)
    """
    given = {
        "train_error": train_error,
        "dev_error": dev_error,
        "baseline_error": baseline_error,
        "train_dev_error": train_dev_error,
        "test_error": test_error,
    }
    errors = {name: _optional_float(value) for name, value in given.items()}
    fields = _gap_fields(errors, tolerance, rel_tolerance)
    keys = ("bias", "variance", "data_mismatch", "dev_overfitting")
    highs = tuple(fields.get(f"high_{key}", False) for key in keys)
    words = [case for case, high in zip(GAP_CASES, highs) if high]
    return BiasVarianceDiagnosis(
        **errors,
        **fields,
        case=" and ".join(words) or "good fit",
        recommendations=_recommendations(highs),
        tolerance=float(tolerance),
        rel_tolerance=float(rel_tolerance),
    )
