"""Per-example losses of the output layer, computed stably from the logits.

Each loss is paired with the output activation that makes it a canonical
link, so its gradient with respect to the logits ``Z`` is ``A - Y`` for every
pair; that is why only the value is defined here.
"""

import numpy as np
from scipy.special import logsumexp, xlogy


def _log_loss(Z, A, Y):
    """Multi-class cross-entropy of a softmax output."""
    return logsumexp(Z, axis=1) - np.einsum("ij,ij->i", Y, Z)


def _binary_log_loss(Z, A, Y):
    """Cross-entropy of independent logistic outputs, summed over outputs."""
    return (np.logaddexp(0, Z) - Y * Z).sum(axis=1)


def _squared_error(Z, A, Y):
    """Half the squared error, summed over outputs."""
    return 0.5 * ((A - Y) ** 2).sum(axis=1)


def _poisson(Z, A, Y):
    """Half the Poisson deviance of an exponential output, summed over outputs."""
    return (xlogy(Y, Y) - Y * Z - Y + A).sum(axis=1)


def _log_loss_magnitude(Z, A, Y):
    """``|log-sum-exp(Z)| + |<Y, Z>|``: the two terms the loss subtracts."""
    return np.abs(logsumexp(Z, axis=1)) + np.abs(np.einsum("ij,ij->i", Y, Z))


def _binary_log_loss_magnitude(Z, A, Y):
    return (np.abs(np.logaddexp(0, Z)) + np.abs(Y * Z)).sum(axis=1)


def _squared_error_magnitude(Z, A, Y):
    # A - Y is rounded at the scale of |A| + |Y|, then multiplied by A - Y.
    return (np.abs(A - Y) * (np.abs(A) + np.abs(Y)) + 0.5 * (A - Y) ** 2).sum(axis=1)


def _poisson_magnitude(Z, A, Y):
    return (np.abs(xlogy(Y, Y)) + np.abs(Y * Z) + np.abs(Y) + np.abs(A)).sum(axis=1)


#: name -> per-example sum of the absolute values of the terms the loss is
#: computed from: the scale at which its floating-point rounding happens.
LOSS_MAGNITUDES = {
    "log_loss": _log_loss_magnitude,
    "binary_log_loss": _binary_log_loss_magnitude,
    "squared_error": _squared_error_magnitude,
    "poisson": _poisson_magnitude,
}

#: name -> (output activation, per-example loss ``loss(Z, A, Y) -> (m,)``)
LOSSES = {
    "log_loss": ("softmax", _log_loss),
    "binary_log_loss": ("logistic", _binary_log_loss),
    "squared_error": ("identity", _squared_error),
    "poisson": ("exp", _poisson),
}
