"""How finely a gradient check can resolve: the step and the quotients' error.

A two-sided difference quotient is off from the derivative by the rounding of
``J`` (about machine epsilon times ``|J|`` over the step) and by truncation
(the step squared). This module bounds the step, measures that error on some
items of each parameter block by taking them again at 2 and 4 times the step,
and turns it into the noise floor a relative difference is judged against.
"""

import numpy as np

# A block is a suspect when its difference is this many times its noise floor.
_SUSPECT_FACTOR = 10

MACHINE_EPSILON = np.finfo(np.float64).eps

# Steps above this (relative to the parameters' scale) are refused: their
# truncation error is not the O(epsilon**2) that the check can measure.
_LARGEST_RELATIVE_STEP = 1e-2

# Items per block whose quotient is also taken at 2 and 4 times the step.
N_MEASURED = 8


def noise_floor(approx, grad, item_error):
    """The relative difference that ``item_error`` per item would give."""
    if len(approx) == 0:
        return float("nan")
    denominator = np.linalg.norm(approx) + np.linalg.norm(grad)
    if denominator == 0:
        return float("inf")
    return float(np.sqrt(len(approx)) * item_error / denominator)


def noise_allowance(floor):
    """How far the quotients' own error can move a relative difference."""
    return _SUSPECT_FACTOR * float(np.nan_to_num(floor, posinf=0.0))


def _parameter_scale(theta):
    """The scale of the parameters a step is relative to (at least 1)."""
    return max(1.0, float(np.sqrt(np.mean(np.square(theta)))))


def suggested_epsilon(theta):
    """The step that balances rounding and truncation for central differences.

    The textbook optimum, the cube root of machine epsilon times the
    parameters' scale (about 6e-6 for parameters of order 1).
    """
    return float(np.cbrt(MACHINE_EPSILON) * _parameter_scale(theta))


def check_epsilon(theta, epsilon):
    """Raise unless a step of ``epsilon`` changes every parameter and is small
    enough for its truncation error to be measured."""
    largest_step = _LARGEST_RELATIVE_STEP * _parameter_scale(theta)
    if epsilon > largest_step:
        raise ValueError(
            f"epsilon={epsilon!r} is too large: above {largest_step:.3g} "
            f"({_LARGEST_RELATIVE_STEP:g} times the parameters' scale) the "
            "two-sided difference's error is no longer the epsilon**2 "
            "truncation the check can measure, and it could hide a wrong "
            f"gradient. Use epsilon={suggested_epsilon(theta):.1e} (the "
            "default 1e-7 is usual)."
        )
    unchanged = np.flatnonzero(theta + epsilon == theta)
    if unchanged.size:
        largest = float(np.max(np.abs(theta[unchanged])))
        raise ValueError(
            f"epsilon={epsilon!r} is too small to change the parameters: "
            f"{unchanged.size} of them (up to |theta| = {largest:.3g}) stay "
            f"the same when it is added in {theta.dtype}. Use a step of at "
            f"least {np.spacing(largest):.3g}; the default 1e-7 is usual."
        )


def _quotient(probe, item, step):
    """The two-sided difference of one item at ``step``, or None where the
    step crosses a kink or leaves ``J`` finite on one side only."""
    where, direction, is_weight = item
    base = probe.net.theta[where]
    move = step if direction is None else step * direction
    plus, minus = base + move, base - move
    if probe.l1 and is_weight and np.any(np.sign(plus) != np.sign(minus)):
        return None
    try:
        J_plus, J_minus, crossed = probe.two_sided(where, plus, minus)
    except ValueError:
        return None
    if crossed:
        return None
    taken = (plus - minus) if direction is None else 2 * step
    return (J_plus - J_minus) / taken


def _item_error(quotients, rounding_error):
    """The error of the quotient at the step, from those at 2 and 4 steps.

    ``quotients`` are ``(a(eps), a(2 eps), a(4 eps))``. Their first gap is
    the error measured: rounding when it is within what rounding of ``J`` can
    give (``rounding_error`` at ``eps``, half of it at ``2 eps``), truncation
    when the gaps grow as the step squared (a ratio near 4). A gap that is
    neither is not counted: only the rounding bound is, so no error of
    unknown origin can absorb a wrong gradient.
    """
    first, second = quotients[0] - quotients[1], quotients[1] - quotients[2]
    if abs(first) <= 1.5 * rounding_error or abs(second) >= 2.5 * abs(first):
        return abs(first)
    return rounding_error


def measured_errors(probe, items, pairs, epsilon, rounding_error, quantum):
    """``{block: root mean square error of its quotients at epsilon}``.

    Up to ``N_MEASURED`` items of each block, evenly spread, are taken
    again at ``2 epsilon`` and ``4 epsilon``; a block with none measured
    gets the rounding bound. No error is counted below ``quantum``, the
    smallest derivative a quotient can show (one unit in the last place of
    ``J`` over the step): three equal quotients (often exactly 0) do not
    mean an exact one.
    """
    errors = {}
    for name, block_items in items.items():
        approx = pairs[name][0]
        chosen = np.unique(
            np.linspace(0, len(block_items) - 1, N_MEASURED).astype(int)
        ) if block_items else []  # fmt: skip
        measured = []
        for k in chosen:
            others = [_quotient(probe, block_items[k], f * epsilon) for f in (2, 4)]
            if None not in others:
                error = _item_error((approx[k], *others), rounding_error)
                measured.append(max(error, quantum))
        errors[name] = (
            float(np.sqrt(np.mean(np.square(measured)))) if measured else rounding_error
        )
    return errors
