"""Activation functions, each next to its derivative.

Every hidden activation ``g`` is a pair of in-place functions:

* ``forward(Z)`` overwrites the pre-activation ``Z`` with ``A = g(Z)``;
* ``backward(A, delta)`` multiplies ``delta`` by ``g'(Z)``, written in terms of
  the *output* ``A`` (so ``Z`` need not be kept).

The derivative must be given the activation *before* dropout: a rescaled,
dropped output would give a wrong ``g'``.
"""

import numpy as np
from scipy.special import expit

LEAKY_RELU_SLOPE = 0.01

# Up to this many classes the softmax takes its row maximum column by column.
_FEW_COLUMNS = 16


def _relu(Z):
    np.maximum(Z, 0, out=Z)


def _relu_backward(A, delta):
    # A product with the 0/1 mask: a boolean-indexed assignment
    # (delta[A <= 0] = 0) is an order of magnitude slower.
    np.multiply(delta, A > 0, out=delta)


def _leaky_relu(Z):
    # For a slope below 1, g(z) = max(z, slope * z).
    np.maximum(Z, np.multiply(Z, LEAKY_RELU_SLOPE), out=Z)


def _leaky_relu_backward(A, delta):
    # For a positive slope, sign(g(z)) == sign(z), so g' can be read off g(z).
    one, slope = np.ones(1, delta.dtype), np.full(1, LEAKY_RELU_SLOPE, delta.dtype)
    np.multiply(delta, np.where(A > 0, one, slope), out=delta)


def _tanh(Z):
    np.tanh(Z, out=Z)


def _tanh_backward(A, delta):
    slope = np.multiply(A, A)
    np.subtract(1, slope, out=slope)
    delta *= slope


def _logistic(Z):
    expit(Z, out=Z)


def _logistic_backward(A, delta):
    delta *= A * (1 - A)


def _identity(Z):
    pass


def _identity_backward(A, delta):
    pass


def softmax_logsumexp(Z):
    """Overwrite ``Z`` with ``softmax(Z)`` row-wise; return ``logsumexp(Z)``.

    The shifted exponentials give both: ``lse = max + log(sum(exp(Z - max)))``
    is what the cross-entropy of a softmax output needs, so the loss is
    computed from the logits without a second pass of exponentials.
    """
    n_classes = Z.shape[1]
    if n_classes <= _FEW_COLUMNS:
        # A reduction along short rows runs numpy's inner loop once per row;
        # a running maximum over the columns is a few vectorised calls.
        row_max = Z[:, 0].copy()
        for j in range(1, n_classes):
            np.maximum(row_max, Z[:, j], out=row_max)
    else:
        row_max = np.maximum.reduce(Z, axis=1)
    np.subtract(Z, row_max[:, np.newaxis], out=Z)
    np.exp(Z, out=Z)
    row_sum = Z @ np.ones(n_classes, dtype=Z.dtype)  # a GEMV, not a reduction
    np.divide(Z, row_sum[:, np.newaxis], out=Z)
    lse = np.log(row_sum, out=row_sum)
    lse += row_max
    return lse


def _softmax(Z):
    softmax_logsumexp(Z)


def _exp(Z):
    np.exp(Z, out=Z)


#: name -> (forward, backward) for the hidden layers.
HIDDEN_ACTIVATIONS = {
    "relu": (_relu, _relu_backward),
    "leaky_relu": (_leaky_relu, _leaky_relu_backward),
    "tanh": (_tanh, _tanh_backward),
    "logistic": (_logistic, _logistic_backward),
    "identity": (_identity, _identity_backward),
}

#: name -> forward for the output layer.  Each is paired with a loss in
#: ``_losses.py`` whose output delta is simply ``A - Y``, so no derivative is
#: needed here.
OUTPUT_ACTIVATIONS = {
    "softmax": _softmax,
    "logistic": _logistic,
    "identity": _identity,
    "exp": _exp,
}
