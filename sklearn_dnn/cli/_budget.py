"""The command's time budget: ``--max-time`` over everything after the data.

The rounds get a share of the budget; each step after them (the refit, the
learning curve, the figures) is sized to a share of what is left, from the
seconds per example-epoch measured on the steps before it, and is shrunk or
skipped, saying so, when it would overrun.
"""

import math
import time
from collections import namedtuple

#: The rounds' share of the time left when they start (the recipe holds it).
ROUNDS_SHARE = 0.7
#: The least time the rounds are given, even when the budget is spent.
MIN_ROUNDS_SECONDS = 1.0
#: The refit's share of the time left after the rounds.
REFIT_SHARE = 0.5
#: The learning curve's share of the time left after the refit (less the
#: figures' seconds): its estimate may be short by a few seconds.
CURVE_SHARE = 0.8
#: What the figures after the learning curve cost at most, in seconds.
FIGURES_SECONDS = 2.0
#: The fewest epochs a shrunk refit or learning-curve fit trains.
MIN_EPOCHS = 10
#: Estimates are multiplied by this: small fits cost more per example.
SAFETY = 1.5

#: The learning curves tried, largest first: (training sizes, folds).
CURVE_SHAPES = ((5, 3), (4, 3), (3, 3), (3, 2))

CurvePlan = namedtuple("CurvePlan", "train_sizes cv max_iter seconds shrunk")


class Budget:
    """A deadline ``max_time`` seconds from now (None: no deadline).

    Parameters
    ----------
    max_time : float or None
        Seconds the command may take from now on.
    clock : callable, default=time.perf_counter
        The clock, in seconds.
    """

    def __init__(self, max_time, clock=time.perf_counter):
        self.max_time = max_time
        self.clock = clock
        self.started = clock()

    def elapsed(self):
        """Seconds since the budget started."""
        return self.clock() - self.started

    def left(self):
        """Seconds left (infinite without a deadline; never below 0)."""
        if self.max_time is None:
            return math.inf
        return max(0.0, self.max_time - self.elapsed())

    def rounds_time(self):
        """The seconds the recipe's rounds may take from now, or None for no
        limit; at least ``MIN_ROUNDS_SECONDS`` (the first round always runs:
        a model must be saved)."""
        if self.max_time is None:
            return None
        return max(MIN_ROUNDS_SECONDS, ROUNDS_SHARE * self.left())


def refit_epochs(max_iter, seconds_per_epoch, seconds):
    """The epochs a refit may train in ``seconds``: ``(epochs, shrunk)``.

    Never fewer than ``MIN_EPOCHS`` (or ``max_iter`` when smaller): a model
    must be saved.
    """
    if not math.isfinite(seconds) or seconds_per_epoch <= 0:
        return max_iter, False
    fits = int(seconds / (SAFETY * seconds_per_epoch))
    epochs = max(min(MIN_EPOCHS, max_iter), min(max_iter, fits))
    return epochs, epochs < max_iter


def plan_learning_curve(n_samples, epochs, seconds_per_example_epoch, seconds):
    """Size the learning curve to ``seconds``; None when even the smallest
    would overrun.

    Parameters
    ----------
    n_samples : int
        The rows the curve cross-validates.
    epochs : int
        The epochs one fit trains at full size (the final model's).
    seconds_per_example_epoch : float
        Measured on the final model's fit.
    seconds : float
        The time the curve may take.

    Returns
    -------
    plan : CurvePlan or None
        Its fractions of the training fold, folds and ``max_iter``, the
        estimated seconds, and whether it is smaller than the largest shape.
    """
    for shape_index, (n_sizes, cv) in enumerate(CURVE_SHAPES):
        sizes = [round(f, 3) for f in _fractions(n_sizes)]
        # Every fold's fit at every size, examples times epochs.
        work = cv * sum(sizes) * n_samples * (cv - 1) / cv
        per_epoch = SAFETY * work * seconds_per_example_epoch
        if per_epoch == 0 or not math.isfinite(seconds):
            fits_epochs = epochs
        else:
            fits_epochs = int(seconds / per_epoch)
        last = shape_index == len(CURVE_SHAPES) - 1
        if fits_epochs >= epochs or (last and fits_epochs >= min(MIN_EPOCHS, epochs)):
            max_iter = min(epochs, fits_epochs)
            shrunk = shape_index > 0 or max_iter < epochs
            return CurvePlan(sizes, cv, max_iter, per_epoch * max_iter, shrunk)
    return None


def _fractions(n_sizes):
    return [0.1 + 0.9 * i / (n_sizes - 1) for i in range(n_sizes)]
