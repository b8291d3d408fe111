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

from dataclasses import dataclass, field, replace
from numbers import Real

import numpy as np

from .._compat import Interval, validate_params
from .._formatting import percent
from ._noise import (
    SPLITS,
    check_split_mapping,
    error_standard_errors,
    gap_standard_error,
    z_value,
)

__all__ = ["BiasVarianceDiagnosis", "diagnose_bias_variance"]

# The gaps in the order they are fixed, as the case words name them.
GAP_CASES = ("high bias", "high variance", "high data mismatch", "high dev overfitting")

# The basic recipe, in the order the course gives it.
BIAS_REMEDIES = (
    "bigger network: more hidden units or more hidden layers",
    "train longer: more epochs (max_iter) or a better optimizer",
    "another architecture: a network better suited to the data",
)
# Augmentation is named as ImageAugmenter only for images (see image_advice).
_SYNTHESIS = (
    "data augmentation: more data or data synthesis, new training examples "
    "made from the ones you have (the same label under a small, realistic "
    "distortion)"
)
IMAGE_AUGMENTATION = "data augmentation: e.g. augment=ImageAugmenter(...)"
VARIANCE_REMEDIES = (
    "more data: more training examples",
    "regularization: raise alpha (L2), lower keep_prob (dropout) or "
    "stop early (early_stopping)",
    _SYNTHESIS,
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
# A gap above its threshold but within its noise: measure it better.
UNCERTAIN_REMEDY = (
    "bigger dev (or train-dev) set, or cross-validated errors: the {gaps} "
    "{verb} above {its} threshold but within the sampling noise"
)

# The gaps' names, in case order, as ``uncertain`` and ``standard_errors`` say.
GAP_NAMES = ("bias", "variance", "data mismatch", "dev overfitting")

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
        Whether each gap is larger than its threshold (and, with sizes or
        standard errors, than ``z`` of its standard errors).

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

    standard_errors : dict
        The standard error of each gap, keyed by the gap names ``"bias"``,
        ``"variance"``, ``"data mismatch"`` and ``"dev overfitting"``; None
        for a gap not measured or whose errors have no size nor standard
        error. The root of the sum of its two errors' squared standard errors
        (the baseline's is 0 unless ``standard_errors`` gives one).

    uncertain : tuple of str
        The gaps above their threshold but within ``z`` standard errors, in
        the order of :data:`GAP_NAMES`: neither high nor good. Empty without
        sizes or standard errors.

    confidence : float
        The confidence of the noise rule; ``z`` is the two-sided normal
        quantile at it (1.96 at 0.95).

    n_samples : dict or None
        The sizes given, keyed by ``"train"``, ``"train_dev"``, ``"dev"``,
        ``"test"``.

    error_standard_errors : dict
        The standard error of each error, under the same keys and
        ``"baseline"`` (None when unknown): given, or Agresti-Coull's from
        its size.

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
    standard_errors: dict = field(
        default_factory=lambda: dict.fromkeys(GAP_NAMES), compare=False
    )
    uncertain: tuple = ()
    confidence: float = 0.95
    n_samples: dict | None = field(default=None, compare=False)
    error_standard_errors: dict = field(default_factory=dict, compare=False)

    def __str__(self):
        rows = [
            f"Bias/variance diagnosis: {verdict(self)}",
            f"  baseline error  {self._format(self.baseline_error):>8}",
        ]
        rows += [self._gap_row(*row) for row in self._gap_rows()]
        rows += self._noise_rows()
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
        gap_name = key.replace("_", " ")
        se = self.standard_errors.get(gap_name)
        noise = "" if se is None else f" ± {self._format(self._z * se)}"
        verdict = "HIGH" if getattr(self, f"high_{key}") else "ok"
        if gap_name in self.uncertain:
            verdict = "uncertain"
        return (
            f"  {split + ' error':<16}{self._format(error):>8}    {words:<15}"
            f"{self._format(getattr(self, name)):>8}{noise}  (high above "
            f"{self._format(threshold)}): {verdict}"
        )

    def _format(self, value):
        return format_error(self, value)

    @property
    def _z(self):
        return z_value(self.confidence)

    def _noise_rows(self):
        """The smallest gaps the sizes resolve, and what would resolve the rest."""
        measured = [
            (name, se) for name, se in self.standard_errors.items() if se is not None
        ]
        if not measured:
            return []
        level = f"{100 * self.confidence:g}%"
        sizes = ", ".join(
            f"{name} {self._format(self._z * se)}" for name, se in measured
        )
        rows = [f"Smallest gap these sizes resolve at {level} confidence: {sizes}"]
        for name in self.uncertain:
            rows.append(
                f"Uncertain: the {name} gap is within its noise; {self._resolve(name)}"
            )
        return rows

    def _resolve(self, name):
        """How many examples on the gap's end split would resolve ``name``."""
        start, split = _gap_splits(name, self.train_dev_error is not None)
        gap = abs(getattr(self, _GAP_FIELDS[name]))
        start_se = self._error_se(start)
        end_se = self._error_se(split)
        room = (gap / self._z) ** 2 - start_se**2
        n = (self.n_samples or {}).get(split)
        if n is None or end_se is None or room <= 0:
            return "more examples on both of its splits, or cross-validated errors"
        needed = int(np.ceil(n * end_se**2 / room))
        return (
            f"about {needed} {split.replace('_', '-')} examples (now {n}) "
            "would resolve it"
        )

    def _error_se(self, split):
        return self.error_standard_errors.get(split) or 0.0


def format_error(diagnosis, value):
    """An error or gap of ``diagnosis`` as text: a percentage for error
    rates, else the number itself (a loss or ``1 - R^2``, whose noise came as
    standard errors rather than sizes)."""
    given_as_losses = diagnosis.n_samples is None and any(
        se is not None for se in diagnosis.error_standard_errors.values()
    )
    return f"{value:.4g}" if given_as_losses else percent(value)


def image_advice(diagnosis, augmenter, params):
    """``diagnosis`` with augmentation advised as ``ImageAugmenter`` if it fits.

    Only when the estimator already augments (an ``augment`` among
    ``params``) or an augmenter for images is at hand (``augmenter``, such
    as an ``ImageAugmenter`` with its ``image_shape``); elsewhere the advice
    stays "more data or data synthesis".
    """
    augments = any(k.endswith("augment") and v is not None for k, v in params.items())
    if augmenter is None and not augments:
        return diagnosis
    recommendations = tuple(
        IMAGE_AUGMENTATION if r == _SYNTHESIS else r for r in diagnosis.recommendations
    )
    return replace(diagnosis, recommendations=recommendations)


def verdict(diagnosis):
    """The case, with the uncertain gaps: ``"good fit, uncertain: variance"``."""
    if not diagnosis.uncertain:
        return diagnosis.case
    return f"{diagnosis.case}, uncertain: {', '.join(diagnosis.uncertain)}"


def _recommendations(highs, uncertain=()):
    """The remedies of the high gaps, in order, each remedy once.

    Uncertain gaps add one last remedy: measure them on more examples.
    """
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
    if uncertain:
        many = len(uncertain) > 1
        gaps = " and ".join(uncertain) + (" gaps" if many else " gap")
        recommendations += (
            UNCERTAIN_REMEDY.format(
                gaps=gaps, verb="are" if many else "is", its="their" if many else "its"
            ),
        )
    return recommendations


_GAP_FIELDS = dict(
    zip(GAP_NAMES, ("avoidable_bias", "variance", "data_mismatch", "dev_overfitting"))
)


def _gap_splits(name, with_train_dev):
    """The start and end splits of the gap ``name``."""
    variance_end = "train_dev" if with_train_dev else "dev"
    return {
        "bias": ("baseline", "train"),
        "variance": ("train", variance_end),
        "data mismatch": ("train_dev", "dev"),
        "dev overfitting": ("dev", "test"),
    }[name]


def _gap_fields(errors, tolerance, rel_tolerance, split_ses, z):
    """The gap, threshold and flag fields of every gap whose errors are given.

    ``errors`` maps the split names (``"baseline"``, ``"train"``...) to their
    errors (None when not given) and ``split_ses`` to their standard errors.
    A gap goes from a start error to an end error; it is high above
    ``max(tolerance, rel_tolerance * start)`` and ``z`` standard errors, and
    uncertain above the first only.
    """
    with_train_dev = errors["train_dev"] is not None
    fields, ses, uncertain = {}, dict.fromkeys(GAP_NAMES), []
    for name in GAP_NAMES:
        start, end = _gap_splits(name, with_train_dev)
        if errors[start] is None or errors[end] is None:
            continue
        key = name.replace(" ", "_")
        gap = errors[end] - errors[start]
        threshold = float(max(tolerance, rel_tolerance * errors[start]))
        start_se = split_ses[start]
        if start == "baseline" and start_se is None:
            start_se = 0.0  # a baseline without a standard error is exact
        ses[name] = gap_standard_error(start_se, split_ses[end])
        above = bool(gap - threshold > _ROUNDING_SLACK)
        resolved = ses[name] is None or gap > z * ses[name]
        fields[_GAP_FIELDS[name]] = gap
        fields[f"{key}_threshold"] = threshold
        fields[f"high_{key}"] = above and resolved
        if above and not resolved:
            uncertain.append(name)
    return fields, ses, tuple(uncertain)


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
        "n_samples": [dict, None],
        "standard_errors": [dict, None],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
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
    n_samples=None,
    standard_errors=None,
    confidence=0.95,
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

    **Sampling noise.** An error measured on few examples is noisy: 2 dev
    errors out of 91 are no evidence of variance. With ``n_samples`` (or
    ``standard_errors``) a gap is high only when it also exceeds ``z``
    standard errors, the gap's standard error being the root of the sum of
    its two errors' squared ones (the baseline is exact unless
    ``standard_errors["baseline"]`` says otherwise). A gap above its
    threshold but within the noise is listed in ``uncertain``, neither high
    nor good, and the recommendations add a bigger dev (or train-dev) set or
    cross-validated errors. Without sizes the rule is the one above.

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

    n_samples : dict or None, default=None
        The number of examples each error was measured on, keyed
        ``"train"``, ``"train_dev"``, ``"dev"``, ``"test"`` (integers >= 1;
        missing keys are unknown). The errors are then proportions (0-1
        error) and each gets the binomial standard error with the
        Agresti-Coull adjustment, positive even for an error of 0.

    standard_errors : dict or None, default=None
        The standard error of each error under the same keys, for errors that
        are not proportions (``1 - R^2``, a loss): for instance the standard
        deviation of the per-example losses over ``sqrt(n)``. It wins over
        ``n_samples`` for the keys it gives. The key ``"baseline"`` gives the
        baseline's standard error, for a baseline that is itself measured
        (such as a reference model's cross-validated error); without it the
        baseline is exact.

    confidence : float, default=0.95
        In (0, 1). A gap is high only when it also exceeds ``z`` times its
        standard error, ``z`` the two-sided normal quantile at this
        confidence (1.96 at 0.95); above its threshold but within ``z``
        standard errors it is *uncertain*. Unused without sizes or standard
        errors.

    Returns
    -------
    diagnosis : BiasVarianceDiagnosis
        The gaps, their thresholds, the flags, the case and the recommended
        next steps. ``print(diagnosis)`` gives a short report.

    Raises
    ------
    ValueError
        If an error is negative, NaN or infinite, or a size or standard
        error is invalid or under an unknown key.

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
    >>> noisy = diagnose_bias_variance(0.0, 2 / 91, n_samples={"train": 364, "dev": 91})
    >>> noisy.case, noisy.uncertain
    ('good fit', ('variance',))
    """
    check_split_mapping(n_samples, "n_samples", integer=True)
    check_split_mapping(
        standard_errors, "standard_errors", integer=False, keys=("baseline", *SPLITS)
    )
    errors = {
        "train": train_error,
        "dev": dev_error,
        "baseline": baseline_error,
        "train_dev": train_dev_error,
        "test": test_error,
    }
    errors = {split: _optional_float(value) for split, value in errors.items()}
    z = z_value(confidence)
    split_ses = error_standard_errors(errors, n_samples, standard_errors, z)
    fields, gap_ses, uncertain = _gap_fields(
        errors, tolerance, rel_tolerance, split_ses, z
    )
    keys = ("bias", "variance", "data_mismatch", "dev_overfitting")
    highs = tuple(fields.get(f"high_{key}", False) for key in keys)
    words = [case for case, high in zip(GAP_CASES, highs) if high]
    return BiasVarianceDiagnosis(
        **{f"{split}_error": error for split, error in errors.items()},
        **fields,
        case=" and ".join(words) or "good fit",
        recommendations=_recommendations(highs, uncertain),
        tolerance=float(tolerance),
        rel_tolerance=float(rel_tolerance),
        standard_errors=gap_ses,
        uncertain=uncertain,
        confidence=float(confidence),
        n_samples=None if n_samples is None else dict(n_samples),
        error_standard_errors=split_ses,
    )
