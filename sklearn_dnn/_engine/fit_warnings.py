"""Warnings for a fit that ran to its end but learned nothing.

Two signs that the loss curve alone does not make obvious:

* the cost after training is above the untrained network's (a step so large
  that the first epoch blew the cost up, after which it only recovered
  part of the way);
* early stopping ended the fit within its first epochs on a dev split too
  small for its score to tell a better epoch from a worse one.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .array_network import take_rows

# Rows on which the cost before and after training is compared.
_COST_SAMPLE = 1000

# Early stopping ending this many epochs after its patience on a dev set
# of fewer than _SMALL_DEV examples is a stop on noise, most likely.
_EARLY_EPOCHS = 5
_SMALL_DEV = 300


class UntrainedCost:
    """The cost of the network before its first step, on a fixed sample of
    the training rows (no dropout), to compare the trained cost with."""

    def __init__(self, net, train, namespace):
        xp, device = namespace
        rows = np.arange(train.n_samples) if train.rows is None else train.rows
        rows = np.asarray(rows)[:_COST_SAMPLE]
        weights = train.sample_weight
        self.X = take_rows(train.X, rows, xp, device)
        self.Y = train.Y.subset(rows).dense()
        self.sample_weight = None if weights is None else take_rows(
            weights, rows, xp, device
        )  # fmt: skip
        self.before = self._cost(net)

    def _cost(self, net):
        # Left on the device: only the comparison at the end comes back.
        with np.errstate(all="ignore"):
            return net.cost(self.X, self.Y, self.sample_weight)

    def warn_if_not_lower(self, net, learning_rate):
        """Warn when the trained cost is not below the untrained one."""
        after = self._cost(net)
        if not bool(after < self.before):
            after, before = float(after), float(self.before)
            warnings.warn(
                f"The fit learned nothing: its cost J = {after:.4g} is not "
                f"below the untrained network's {before:.4g} (measured "
                f"on up to {_COST_SAMPLE} training examples). The first "
                "steps most likely blew the cost up: lower learning_rate_init "
                f"(now {learning_rate:g}) or scale the inputs.",
                ConvergenceWarning,
            )


def warn_if_stopped_on_a_small_dev_split(n_epochs, n_iter_no_change, n_dev):
    """Warn when early stopping on a small internal dev split ended the fit
    in its first epochs."""
    if n_epochs > n_iter_no_change + _EARLY_EPOCHS or n_dev >= _SMALL_DEV:
        return
    warnings.warn(
        f"Early stopping ended the fit after {n_epochs} epochs, judged on a "
        f"dev split of only {n_dev} examples: its score is too noisy to tell "
        "the epochs apart, and the network may be far from trained. Pass a "
        "larger dev set as X_val, y_val, or set early_stopping=False.",
        ConvergenceWarning,
    )
