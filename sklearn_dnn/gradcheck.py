"""Gradient checking: two-sided differences against backpropagation.

``gradient_check`` evaluates the estimator's own cost ``J`` (penalty included,
dropout off) through the very ``Network`` code that ``fit`` runs, so a bug in
the backward pass users train with is a bug the check sees.  Nothing of the
forward or backward pass is re-implemented here.

Two schemes are offered:

* the **full check** perturbs every coordinate ``theta_i`` of the parameter
  vector, ``approx_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)``,
  and costs ``2 * n_parameters`` evaluations of ``J``;
* the **randomized check** (``n_directions=k``) compares directional
  derivatives ``(J(theta + eps v) - J(theta - eps v)) / (2 eps)`` with
  ``grad . v`` along ``k`` random unit directions ``v`` drawn inside each
  parameter block ``W[l]``, ``b[l]``, so it costs ``4 * L * k`` evaluations
  whatever the width of the layers, and a wrong block is still located.
"""

import sys
import time
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._array_api import _estimator_with_converted_arrays

from ._compat import Interval, validate_params
from ._engine.array_network import to_numpy
from ._formatting import format_number
from ._gradcheck_resolution import (
    MACHINE_EPSILON,
    N_MEASURED,
    check_epsilon,
    measured_errors,
    noise_allowance,
    noise_floor,
    suggested_epsilon,
)
from ._multilayer import BaseDNN, network_for_gradient_check
from .diagnostics._validation import validate_like_fit

#: ``difference <= GREAT`` is "great", ``<= CHECK`` is "check", above is "bug".
GREAT = 1e-7
CHECK = 1e-3

_UNIT_ROUNDOFF = np.finfo(np.float64).eps / 2

# Hidden activations whose derivative jumps at 0: a step across the jump makes
# the two-sided difference average two slopes.
_KINKED_ACTIVATIONS = frozenset({"relu", "leaky_relu"})


def relative_difference(approx, grad):
    """Return ``||approx - grad||_2 / (||approx||_2 + ||grad||_2)``.

    Two zero vectors agree perfectly (0.0); an empty comparison is NaN.
    """
    approx = np.asarray(approx, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    if approx.size == 0:
        return float("nan")
    denominator = np.linalg.norm(approx) + np.linalg.norm(grad)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(approx - grad) / denominator)


def verdict(difference, allowance=0.0):
    """Return the verdict on a relative difference.

    ``"great"`` up to 1e-7, ``"check"`` up to 1e-3 and ``"bug"`` beyond,
    each threshold moved up by ``allowance``: the relative difference that
    the two-sided differences' own error (rounding of ``J``, truncation)
    can give. A difference within that allowance is ``"great"`` while the
    allowance itself is at most 1e-3, and ``"unresolved"`` above: the check
    could not have told a bug from its own error at this step. A NaN
    difference (nothing could be compared) is ``"check"``.
    """
    if np.isnan(difference):
        return "check"
    if difference <= GREAT:
        return "great"
    if difference <= GREAT + allowance:
        return "great" if allowance <= CHECK else "unresolved"
    if difference <= CHECK + allowance:
        return "check"
    return "bug"


_SEVERITY = {"great": 0, "unresolved": 1, "check": 2, "bug": 3}

# Seconds after which a check shows its progress on stderr.
_PROGRESS_AFTER = 3.0


@dataclass(frozen=True, eq=False, repr=False)
class GradientCheckResult:
    """The outcome of :func:`gradient_check`.

    Attributes
    ----------
    difference : float
        ``||approx - grad||_2 / (||approx||_2 + ||grad||_2)`` over everything
        that was compared (every coordinate, or every random direction).
    verdict : {"great", "unresolved", "check", "bug"}
        The worst of the per-block verdicts, always: ``"great"`` if a block's
        difference is at most 1e-7, ``"check"`` if at most 1e-3, ``"bug"``
        above, each threshold moved up by ten times the block's
        ``noise_floor`` (the quotients' own error). A block within that
        allowance is ``"great"`` while the allowance is at most 1e-3, and
        ``"unresolved"`` above: at this ``epsilon`` the check cannot tell a
        bug from its own error (``suggested_epsilon`` can).
    per_parameter : dict of str to float
        The same figure for each parameter block, keyed ``"W[1]"``, ``"b[1]"``,
        ``"W[2]"``, ... (course numbering, layer 1 = first hidden layer). NaN
        for a block of which nothing could be compared.
    per_parameter_verdict : dict of str to str
        The verdict of each block.
    noise_floor : float
        The ``difference`` that the two-sided differences' own error would
        give. That error is measured: some items of each block are taken
        again at ``2 epsilon`` and ``4 epsilon``, and the gaps count as error
        where they are within the rounding of ``J`` (machine epsilon times
        the sum of the absolute values of the terms ``J`` adds up, divided by
        ``epsilon``) or shrink as the step squared (truncation). A gap that
        is neither is not counted beyond that rounding bound, so it cannot
        absorb a wrong gradient.
    per_parameter_noise_floor : dict of str to float
        The same figure for each block.
    resolution : float
        The largest per-block allowance (ten times the block's noise floor):
        the smallest difference the check can tell from its own error at
        this ``epsilon``.
    suggested_epsilon : float
        The step that balances rounding and truncation: the cube root of
        machine epsilon times the parameters' scale (about 6e-6).
    suspects : list of str
        The blocks whose difference is above 1e-7 plus 10 times their noise
        floor, in course order: where the gradient is wrong.
        Backprop passes an error made in layer ``l`` on to every layer below
        it, so look first at the highest-numbered suspect.
    worst : str
        The block with the largest difference.
    approx, grad : ndarray of shape (n_compared,)
        The two-sided differences and backprop's values they were compared
        with: one per coordinate (full check) or per direction (randomized
        check), block by block in the order of ``per_parameter``; skipped
        items are left out.
    epsilon : float
        The step (at most 1e-2 times the parameters' scale).
    n_directions : int or None
        Random directions per parameter block, or None for the full check.
    n_parameters : int
        Number of parameters of the network.
    n_cost_evaluations : int
        Evaluations of ``J`` by two-sided differences, those at ``2 epsilon``
        and ``4 epsilon`` included (backprop's single ``cost_and_grad`` call
        is not counted). ReLU-type networks need one
        more forward pass per evaluation to look for kinks.
    kinks : dict of str to list
        What was left out because its ``+-epsilon`` step crossed a kink (a
        ReLU/leaky-ReLU switching on or off, or a weight changing sign under an
        L1 penalty), where a difference quotient measures the average of two
        slopes rather than the gradient. Full check: the index tuples of the
        skipped coordinates of each block; randomized check: the numbers of
        the skipped directions of each block. Only blocks with skips appear.
    n_kinks : int
        Total number of skipped coordinates or directions.
    dtype : numpy.dtype
        The dtype the estimator computes in.
    dtype_note : str or None
        Set when the network was checked on a float64 copy (float32
        estimators: float32 rounding of ``J`` would swamp the differences).

    See Also
    --------
    gradient_check : Compute this result.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_dnn import DNNClassifier, gradient_check
    >>> X, y = make_classification(n_samples=20, n_features=4, random_state=0)
    >>> result = gradient_check(DNNClassifier((5,), random_state=0), X, y)
    >>> result.verdict, result.suspects
    ('great', [])
    >>> list(result.per_parameter)
    ['W[1]', 'b[1]', 'W[2]', 'b[2]']
    """

    difference: float
    verdict: str
    per_parameter: dict
    per_parameter_verdict: dict
    noise_floor: float
    per_parameter_noise_floor: dict
    suspects: list
    approx: np.ndarray
    grad: np.ndarray
    epsilon: float
    n_directions: int | None
    n_parameters: int
    n_cost_evaluations: int
    kinks: dict
    n_kinks: int
    dtype: np.dtype
    dtype_note: str | None
    resolution: float
    suggested_epsilon: float

    @property
    def worst(self):
        """The parameter block with the largest relative difference."""
        values = {
            name: value
            for name, value in self.per_parameter.items()
            if not np.isnan(value)
        }
        return max(values, key=values.get) if values else None

    def _resolution_lines(self):
        """Where the check's own error hides what a verdict's threshold needs."""
        if not self.resolution > GREAT:
            return []
        return [
            f"At epsilon={self.epsilon:g} the check's own error (rounding of J "
            "and truncation) hides block differences up to "
            f'{self.resolution:.1e}, above the 1e-7 of "great"; '
            f"epsilon={self.suggested_epsilon:.1e} (cube root of machine "
            "epsilon times the parameters' scale) resolves finer."
        ]

    def __repr__(self):
        return (
            f"GradientCheckResult(difference={self.difference:.3g}, "
            f"verdict={self.verdict!r})"
        )

    def __str__(self):
        if self.n_directions is None:
            scheme = f"all {self.n_parameters} coordinates"
            unit = "coordinates"
        else:
            scheme = (
                f"{self.n_directions} random directions per parameter block "
                f"({self.n_parameters} parameters)"
            )
            unit = "directions"
        lines = [
            f"Gradient check: two-sided differences, epsilon={self.epsilon:g}, "
            f"{scheme}",
            f"difference = {self.difference:.3e}  ->  {self.verdict} (the "
            "worst block's verdict)",
            *self._resolution_lines(),
            "",
            f"{'parameter':<10} {'difference':>12} {'noise floor':>12}  verdict",
        ]
        for name, value in self.per_parameter.items():
            floor = self.per_parameter_noise_floor[name]
            shown = self.per_parameter_verdict[name]
            if np.isnan(value):
                shown = f"{shown} (every {unit[:-1]} skipped)"
            value, floor = format_number(value, ".3e"), format_number(floor, ".3e")
            lines.append(f"{name:<10} {value:>12} {floor:>12}  {shown}")
        lines += ["", f"{self.n_cost_evaluations} cost evaluations"]
        if self.n_kinks:
            where = ", ".join(f"{name}: {len(v)}" for name, v in self.kinks.items())
            lines.append(
                f"{self.n_kinks} {unit} skipped: their step crossed a kink "
                f"(ReLU or |w| at 0) ({where})"
            )
        if self.dtype_note:
            lines.append(self.dtype_note)
        if self.verdict != "great" and self.suspects:
            lines.append(
                f"Suspects: {', '.join(self.suspects)}. An error in layer l's "
                "backward pass also reaches every layer below it: look first "
                "at the highest-numbered suspect."
            )
        elif self.verdict != "great":
            lines.append(
                "No block stands out from its noise floor: the differences are "
                "what the check's own error gives at this epsilon, not a wrong "
                f"gradient. epsilon={self.suggested_epsilon:.1e} would confirm it."
            )
        return "\n".join(lines)


def _is_noise(approx, grad, error):
    """Whether both gradients of a block are within its quotients' noise
    (``error`` per item, root mean square): the block's gradient is itself
    rounding noise, as beta's before a later batch-normalized layer, and
    agrees with its estimate as well as any step can show."""
    bound = noise_allowance(error * np.sqrt(len(approx)))
    return max(np.linalg.norm(approx), np.linalg.norm(grad)) <= bound


def _check_result(pairs, *, errors, kinks, **details):
    """The :class:`GradientCheckResult` of ``{block: (approx, grad)}`` pairs.

    ``errors`` gives each block's measured error of one difference quotient
    (root mean square); ``details`` are the result's fields given as they are.
    """
    per_parameter = {name: relative_difference(*pair) for name, pair in pairs.items()}
    per_floor = {name: noise_floor(*pair, errors[name]) for name, pair in pairs.items()}
    approx = np.concatenate([approx for approx, _ in pairs.values()])
    grad = np.concatenate([grad for _, grad in pairs.values()])
    difference = relative_difference(approx, grad)
    allowance = {name: noise_allowance(per_floor[name]) for name in pairs}
    suspects = [
        name for name, value in per_parameter.items() if value > GREAT + allowance[name]
    ]
    # A block within its own error is as good as the step allows: a gradient
    # that is itself rounding noise (beta before a later batch-normalized
    # layer) has a relative difference near 1 and says nothing of backprop.
    per_verdict = {n: verdict(v, allowance[n]) for n, v in per_parameter.items()}
    for name, (block_approx, block_grad) in pairs.items():
        if per_verdict[name] == "unresolved" and _is_noise(
            block_approx, block_grad, errors[name]
        ):
            # No step resolves a gradient that is rounding noise at every step.
            per_verdict[name] = "great"
    # A block of which nothing was compared (every item skipped) has no say.
    compared = [per_verdict[n] for n, v in per_parameter.items() if not np.isnan(v)]
    squared = sum(len(a) * errors[n] ** 2 for n, (a, _) in pairs.items())
    floor = noise_floor(approx, grad, np.sqrt(squared / max(len(approx), 1)))
    overall = max(compared, key=_SEVERITY.get) if compared else "check"
    resolution = max(
        (allowance[n] for n, v in per_parameter.items() if not np.isnan(v)),
        default=float("nan"),
    )
    return GradientCheckResult(
        difference=difference,
        verdict=overall,
        per_parameter=per_parameter,
        per_parameter_verdict=per_verdict,
        noise_floor=floor,
        per_parameter_noise_floor=per_floor,
        suspects=suspects,
        approx=approx,
        grad=grad,
        kinks=kinks,
        n_kinks=sum(len(items) for items in kinks.values()),
        resolution=resolution,
        **details,
    )


class _CostProbe:
    """Evaluate ``J`` of ``net`` on both sides of a step and spot kinks."""

    def __init__(self, net, X, Y, sample_weight):
        self.net, self.X, self.Y, self.sample_weight = net, X, Y, sample_weight
        self.watch_activations = (
            net.activation in _KINKED_ACTIVATIONS and net.n_weight_layers > 1
        )
        self.l1 = net.alpha > 0 and (
            net.penalty == "l1" or (net.penalty == "elasticnet" and net.l1_ratio > 0)
        )
        self.n_evaluations, self.total = 0, None
        self.started = self.shown = time.perf_counter()

    def _show_progress(self):
        """Every 2 s of a check longer than a few seconds, a line on stderr."""
        now = time.perf_counter()
        if now - self.started < _PROGRESS_AFTER or now - self.shown < 2.0:
            return
        self.shown = now
        of = "" if self.total is None else f" of {self.total}"
        print(
            f"gradient check: {self.n_evaluations}{of} cost evaluations, "
            f"{now - self.started:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    def _cost_and_pattern(self):
        self.n_evaluations += 1
        self._show_progress()
        # A J that overflows is reported by two_sided, with the step to blame.
        with np.errstate(over="ignore", invalid="ignore"):
            J = self.net.cost(self.X, self.Y, self.sample_weight)
        if not self.watch_activations:
            return J, None
        return J, [A > 0 for A in self.net.hidden_activations(self.X)]

    def two_sided(self, index, plus, minus):
        """Return ``(J_plus, J_minus, crossed_a_kink)``.

        ``theta[index]`` is set to ``plus``, then ``minus``, then restored.
        A kink was crossed when a hidden unit is on for one side and off for
        the other for some example.
        """
        theta = self.net.theta
        base = theta[index].copy()
        try:
            theta[index] = plus
            J_plus, pattern_plus = self._cost_and_pattern()
            theta[index] = minus
            J_minus, pattern_minus = self._cost_and_pattern()
        finally:
            theta[index] = base
        if not (np.isfinite(J_plus) and np.isfinite(J_minus)):
            raise ValueError(
                f"The cost J is {J_plus} at theta + epsilon and {J_minus} at "
                "theta - epsilon: a difference quotient needs a finite J. Use "
                "a smaller epsilon, scale the inputs or use smaller weights."
            )
        crossed = pattern_plus is not None and any(
            not np.array_equal(p, q) for p, q in zip(pattern_plus, pattern_minus)
        )
        return J_plus, J_minus, crossed


def _in_float64(net, X, Y):
    """``(net, X, Y, dtype_note)`` in float64: float32 rounding of ``J``
    would swamp the two-sided differences. The note is None for a float64
    network, which is returned as it is."""
    if net.dtype == np.float64:
        return net, X, Y, None
    dtype_note = (
        f"Checked on a float64 copy of the {net.dtype} network: {net.dtype} "
        "rounding of J would swamp the two-sided differences."
    )
    return _float64_copy(net), X.astype(np.float64), Y.astype(np.float64), dtype_note


def _float64_copy(net):
    """The same network in float64, built by the same ``Network`` class."""
    copy = type(net)(
        net.layer_units,
        net.activation,
        net.loss,
        penalty=net.penalty,
        alpha=net.alpha,
        l1_ratio=net.l1_ratio,
        keep_prob=net.keep_prob,
        dtype=np.float64,
        batch_norm=net.batch_norm,
        batch_norm_epsilon=net.batch_norm_epsilon,
    )
    copy.theta[...] = net.theta
    return copy


def _blocks(net):
    """``(name, slice, shape, is_weight)`` in course order W[1], b[1], W[2]...,
    with batch normalization's ``gamma[l]``, ``beta[l]`` after ``b[l]``."""
    slices = net.parameter_slices()
    blocks = []
    for l in range(1, net.n_weight_layers + 1):
        for name in ("W", "b", "gamma", "beta"):
            key = f"{name}[{l}]"
            if key in slices:
                size = slices[key].stop - slices[key].start
                shape = net.coefs[l - 1].shape if name == "W" else (size,)
                blocks.append((key, slices[key], shape, name == "W"))
    return blocks


def _full_check(probe, grad, epsilon):
    """Return ``({name: (approx, grad)}, kinks, items)``, one pair per
    coordinate; ``items`` gives each pair's ``(index, None, is_weight)``."""
    theta = probe.net.theta
    pairs, kinks, items = {}, {}, {}
    for name, block, shape, is_weight in _blocks(probe.net):
        approx, exact, skipped = [], [], []
        items[name] = []
        for offset, i in enumerate(range(block.start, block.stop)):
            plus, minus = theta[i] + epsilon, theta[i] - epsilon
            # |w| has its kink at 0 under an L1 penalty: known without evaluating.
            if probe.l1 and is_weight and np.sign(plus) != np.sign(minus):
                skipped.append(np.unravel_index(offset, shape))
                continue
            J_plus, J_minus, crossed = probe.two_sided(i, plus, minus)
            if crossed:
                skipped.append(np.unravel_index(offset, shape))
                continue
            # Divide by the step actually taken in floating point.
            approx.append((J_plus - J_minus) / (plus - minus))
            exact.append(grad[i])
            items[name].append((i, None, is_weight))
        pairs[name] = (np.array(approx), np.array(exact))
        if skipped:
            kinks[name] = [tuple(int(j) for j in index) for index in skipped]
    return pairs, kinks, items


def _check_n_directions(n_directions, n_params):
    if n_directions is not None and n_directions > n_params:
        raise ValueError(
            f"n_directions={n_directions} is more than the network's "
            f"{n_params} parameters; use at most that many, or "
            "n_directions=None for the full check of every parameter."
        )


def _randomized_check(probe, grad, epsilon, n_directions, rng):
    """Return ``({name: (approx, grad . v)}, kinks, items)``, one pair per
    direction; ``items`` gives each pair's ``(block, v, is_weight)``."""
    theta = probe.net.theta
    pairs, kinks, items = {}, {}, {}
    for name, block, _, is_weight in _blocks(probe.net):
        base = theta[block].copy()
        approx, exact, skipped = [], [], []
        items[name] = []
        directions = rng.standard_normal((n_directions, base.size))
        for j, v in enumerate(directions):
            v /= np.linalg.norm(v)
            plus, minus = base + epsilon * v, base - epsilon * v
            if probe.l1 and is_weight and np.any(np.sign(plus) != np.sign(minus)):
                skipped.append(j)
                continue
            J_plus, J_minus, crossed = probe.two_sided(block, plus, minus)
            if crossed:
                skipped.append(j)
                continue
            approx.append((J_plus - J_minus) / (2 * epsilon))
            exact.append(float(np.dot(grad[block], v)))
            items[name].append((block, v, is_weight))
        pairs[name] = (np.array(approx), np.array(exact))
        if skipped:
            kinks[name] = skipped
    return pairs, kinks, items


@validate_params(
    {
        "estimator": [BaseDNN, Pipeline],
        "X": ["array-like", "sparse matrix", None],
        "y": ["array-like", None],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_directions": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def gradient_check(
    estimator, X, y, epsilon=1e-7, n_directions=None, *, random_state=None
):
    """Check backprop's gradient against two-sided differences of the cost.

    The cost is the estimator's own ``J`` on ``(X, y)``: the mean loss plus
    the weight penalty, with dropout switched off, evaluated by the network
    code that ``fit`` runs. The parameters are the fitted ones, or those
    ``fit`` would start from (drawn from ``random_state``) if the estimator is
    not fitted; the estimator is never changed.

    The full check compares, for every coordinate ``theta_i``,
    ``approx_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)`` with
    backprop's ``grad_i`` and reports the course's relative difference
    ``||approx - grad||_2 / (||approx||_2 + ||grad||_2)``: ``"great"`` up to
    1e-7, ``"check"`` up to 1e-3 and ``"bug"`` beyond, overall and for each
    ``W[l]`` and ``b[l]``. It costs ``2 * n_parameters`` evaluations of ``J``.

    With ``n_directions=k``, ``k`` random unit directions ``v`` are drawn in
    each parameter block (``W[1]``, ``b[1]``, ...) and the directional
    derivative ``(J(theta + eps v) - J(theta - eps v)) / (2 eps)`` is compared
    with ``grad . v``. This costs ``2 * k * (2L)`` evaluations for ``L``
    layers, independent of the layers' widths, and still tells which block is
    wrong. A wrong gradient block is caught by any single random direction
    with probability 1, so a small ``k`` suffices.

    Parameters
    ----------
    estimator : DNNClassifier, DNNRegressor or Pipeline
        Fitted or not. A Pipeline must end in one of them: its earlier steps
        transform ``X`` first (fitted on ``X`` when the Pipeline is not
        fitted), and its last step is checked. A float32 estimator is
        checked on a float64 copy of its network: float32 rounding of ``J``
        (about 6e-8 relative) would swamp differences over a step of ``1e-7``.
        An estimator fitted on arrays of another namespace (torch tensors
        under ``array_api_dispatch``) is checked on a numpy host copy, as
        are such ``X`` and ``y``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data on which ``J`` is computed. A small sample is enough.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    epsilon : float, default=1e-7
        The step of the two-sided differences: positive, and large enough
        that ``theta_i + epsilon != theta_i`` in float64 for every parameter.
    n_directions : int, default=None
        Random directions per parameter block; None checks every coordinate.
    random_state : int, RandomState instance or None, default=None
        Draws the random directions (only with ``n_directions``).

    Returns
    -------
    result : GradientCheckResult
        ``difference``, ``verdict``, ``per_parameter`` and more; printing it
        shows a per-parameter table.

    Raises
    ------
    InvalidParameterError
        If a parameter of ``gradient_check`` or of the estimator is invalid,
        exactly as the estimator's ``fit`` would reject it.
    ValueError
        If the data are invalid as for ``fit``, if ``epsilon`` is too small
        to change some parameter, or if ``J`` is not finite at the parameters
        or at a probed ``theta +- epsilon``.

    Notes
    -----
    ReLU and leaky ReLU have a kink at 0, and so has ``|w|`` under an L1 or
    elastic-net penalty. Where a ``+-eps`` step crosses a kink, the difference
    quotient averages two slopes and disagrees with a correct gradient. Such
    steps are detected (the hidden units' on/off pattern differs between
    ``theta + eps`` and ``theta - eps``, or a penalised weight changes sign),
    left out of the comparison and reported in ``kinks``.

    At ``eps=1e-7`` the error of a difference quotient is dominated by the
    float64 rounding of ``J`` (about ``2**-53 |J| / eps``), and it adds up over
    the compared items: a correct network with some 10,000 parameters can
    reach a difference of 1e-7, a "check". ``noise_floor`` estimates this
    level and ``suspects`` lists only the blocks that stand well above it.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_dnn import DNNClassifier, gradient_check
    >>> X, y = make_classification(n_samples=30, n_features=4, random_state=0)
    >>> clf = DNNClassifier((5, 5), activation="tanh", alpha=0.5,
    ...                     random_state=0)
    >>> result = gradient_check(clf, X, y)
    >>> result.verdict, result.n_parameters, result.n_cost_evaluations
    ('great', 61, 250)
    >>> print(result)  # doctest: +SKIP
    Gradient check: two-sided differences, epsilon=1e-07, all 61 coordinates
    difference = 6.105e-09  ->  great
    <BLANKLINE>
    parameter    difference  noise floor  verdict
    W[1]          4.949e-09    7.497e-09  great
    b[1]          4.340e-08    6.797e-08  great
    ...
    250 cost evaluations
    >>> quick = gradient_check(clf, X, y, n_directions=3, random_state=0)
    >>> quick.verdict, quick.n_cost_evaluations
    ('great', 108)
    """
    if X is None or y is None:
        raise ValueError(
            "gradient_check needs data X and y: the cost J is computed on them, "
            "and an unfitted estimator takes its layer sizes from them too."
        )
    estimator, X, y = _on_host(estimator, X, y)
    validate_like_fit(estimator)
    estimator, X = _network_step(estimator, X, y)
    net, X, Y, sample_weight = network_for_gradient_check(estimator, X, y)
    _check_n_directions(n_directions, net.n_params)
    dtype = net.dtype
    net, X, Y, dtype_note = _in_float64(net, X, Y)
    J = net.cost_and_grad(X, Y, sample_weight)
    if not np.isfinite(J):
        raise ValueError(
            f"The cost J is {J} at these parameters; there is no gradient to "
            "check. Scale the inputs or use smaller weights."
        )
    check_epsilon(net.theta, epsilon)
    grad = net.grad.copy()
    rounding_error = MACHINE_EPSILON * net.cost_magnitude(X, Y, sample_weight)
    probe = _CostProbe(net, X, Y, sample_weight)
    pairs, kinks, errors = _checks(
        probe,
        grad,
        epsilon,
        n_directions,
        check_random_state(random_state),
        rounding_error / epsilon,
        float(np.spacing(abs(J))) / epsilon,
    )
    return _check_result(
        pairs,
        errors=errors,
        epsilon=epsilon,
        suggested_epsilon=suggested_epsilon(net.theta),
        n_directions=n_directions,
        n_parameters=net.n_params,
        n_cost_evaluations=probe.n_evaluations,
        kinks=kinks,
        dtype=dtype,
        dtype_note=dtype_note,
    )


def _checks(probe, grad, epsilon, n_directions, rng, rounding_error, quantum):
    """``(pairs, kinks, errors)`` of the full or randomized check.

    ``rounding_error`` bounds the rounding error of one quotient at
    ``epsilon`` and ``quantum`` is the smallest derivative it can show;
    ``errors`` are the measured ones of each block.
    """
    net = probe.net
    n_blocks = len(_blocks(net))
    probe.total = (
        2 * (net.n_params if n_directions is None else n_directions * n_blocks)
        + 4 * N_MEASURED * n_blocks
    )
    if n_directions is None:
        pairs, kinks, items = _full_check(probe, grad, epsilon)
    else:
        pairs, kinks, items = _randomized_check(probe, grad, epsilon, n_directions, rng)
    errors = measured_errors(probe, items, pairs, epsilon, rounding_error, quantum)
    return pairs, kinks, errors


def _on_host(estimator, X, y):
    """Numpy copies of the estimator and the data (a fit under array API
    dispatch leaves torch tensors, say): the check runs on the host."""
    return (
        _estimator_with_converted_arrays(estimator, _host_array),
        _host_array(X),
        _host_array(y),
    )


def _host_array(array):
    """A numpy copy of an array of another namespace; anything else as is."""
    if isinstance(array, (np.ndarray, np.generic)) or not hasattr(array, "__dlpack__"):
        return array
    return to_numpy(array)


def _network_step(estimator, X, y):
    """The DNN estimator to check, and ``X`` as it receives it."""
    if not isinstance(estimator, Pipeline):
        return estimator, X
    network = estimator[-1]
    if not isinstance(network, BaseDNN):
        raise ValueError(
            "gradient_check needs a Pipeline whose last step is a "
            f"DNNClassifier or DNNRegressor, got {type(network).__name__}."
        )
    head = estimator[:-1]
    try:
        return network, head.transform(X)
    except NotFittedError:
        return network, clone(head).fit_transform(X, y)
