"""Activation functions, each next to its derivative, for numpy and for any
array API namespace.

Every hidden activation ``g`` is a pair of functions:

* ``forward(Z, xp=np)`` returns ``A = g(Z)``;
* ``backward(A, delta, xp=np)`` returns ``delta * g'(Z)``, written in terms of
  the *output* ``A`` (so ``Z`` need not be kept).

On numpy arrays both work in place: ``forward`` overwrites ``Z`` with ``A``
and ``backward`` overwrites ``delta``, which the numpy engine's buffers rely
on.  In another namespace ``xp`` (the array path of ``array_network.py``),
which has no ``out=``, ``forward`` returns a new array and leaves ``Z`` as it
is (the logits stay for the cost), and ``backward`` may write into ``delta``:
the result is always the returned array (see ``array_ops.into``).

The derivative must be given the activation *before* dropout: a rescaled,
dropped output would give a wrong ``g'``.
"""

import numpy as np
from scipy.special import expit

from .array_ops import indicator, into, scalar

LEAKY_RELU_SLOPE = 0.01

# Up to this many classes numpy's softmax takes its row maximum column by
# column.
_FEW_COLUMNS = 16


def _relu(Z, xp=np):
    # maximum, not where(Z > 0, Z, 0), which torch on the CPU runs about ten
    # times slower.
    return into(Z, xp.maximum, Z, scalar(0, Z, xp))


def _relu_backward(A, delta, xp=np):
    # A product with the 0/1 mask: a boolean-indexed assignment
    # (delta[A <= 0] = 0) is an order of magnitude slower in numpy, and
    # where(A > 0, delta, 0) two to three times slower in torch on the CPU.
    return into(delta, xp.multiply, delta, indicator(A > 0, delta.dtype, xp))


def _leaky_relu(Z, xp=np):
    # For a slope below 1, g(z) = max(z, slope * z).
    return into(Z, xp.maximum, Z, Z * LEAKY_RELU_SLOPE)


def _leaky_relu_backward(A, delta, xp=np):
    # For a positive slope, sign(g(z)) == sign(z), so g' can be read off g(z).
    one, slope = scalar(1, delta, xp), scalar(LEAKY_RELU_SLOPE, delta, xp)
    return into(delta, xp.multiply, delta, xp.where(A > 0, one, slope))


def _tanh(Z, xp=np):
    return into(Z, xp.tanh, Z)


def _tanh_backward(A, delta, xp=np):
    slope = A * A
    slope = into(slope, xp.subtract, 1, slope)
    delta *= slope
    return delta


def _logistic(Z, xp=np):
    if xp is np:
        return into(Z, expit, Z)
    # scipy's expit converts arrays of other namespaces to numpy, which fails
    # on a device other than the host; both branches stay within [0, 1].
    E = xp.exp(-xp.abs(Z))
    return xp.where(Z >= 0, 1 / (1 + E), E / (1 + E))


def _logistic_backward(A, delta, xp=np):
    delta *= A * (1 - A)
    return delta


def _identity(Z, xp=np):
    return Z


def _identity_backward(A, delta, xp=np):
    return delta


def _row_max(Z, xp):
    if xp is not np or Z.shape[1] > _FEW_COLUMNS:
        return xp.max(Z, axis=1)
    # numpy reduces along short rows with one inner loop per row; a running
    # maximum over the columns is a few vectorised calls.
    row_max = Z[:, 0].copy()
    for j in range(1, Z.shape[1]):
        np.maximum(row_max, Z[:, j], out=row_max)
    return row_max


def softmax_logsumexp(Z, xp=np):
    """Return ``(softmax(Z), logsumexp(Z))`` row-wise; on numpy the softmax
    overwrites ``Z``.

    The shifted exponentials give both: ``lse = max + log(sum(exp(Z - max)))``
    is what the cross-entropy of a softmax output needs, so the loss is
    computed from the logits without a second pass of exponentials.
    """
    row_max = _row_max(Z, xp)
    Z = into(Z, xp.subtract, Z, row_max[:, None])
    Z = into(Z, xp.exp, Z)
    ones = xp.ones(Z.shape[1], dtype=Z.dtype, device=Z.device)
    row_sum = Z @ ones  # a GEMV, not a reduction
    Z = into(Z, xp.divide, Z, row_sum[:, None])
    lse = into(row_sum, xp.log, row_sum)
    lse += row_max
    return Z, lse


def _softmax(Z, xp=np):
    return softmax_logsumexp(Z, xp)[0]


def _exp(Z, xp=np):
    return into(Z, xp.exp, Z)


#: name -> (forward, backward) for the hidden layers.
HIDDEN_ACTIVATIONS = {
    "relu": (_relu, _relu_backward),
    "leaky_relu": (_leaky_relu, _leaky_relu_backward),
    "tanh": (_tanh, _tanh_backward),
    "logistic": (_logistic, _logistic_backward),
    "identity": (_identity, _identity_backward),
}

#: name -> forward for the output layer.  Each is paired with a loss in
#: ``losses.py`` whose output delta is simply ``A - Y``, so no derivative is
#: needed here.
OUTPUT_ACTIVATIONS = {
    "softmax": _softmax,
    "logistic": _logistic,
    "identity": _identity,
    "exp": _exp,
}


def output_activation(Z, name, xp=np):
    """Return ``(A, lse)``: the output activation ``name`` of the logits
    ``Z`` (in place on numpy) and, for a softmax, the log-sum-exp of each row
    (else None)."""
    if name == "softmax":
        return softmax_logsumexp(Z, xp)
    return OUTPUT_ACTIVATIONS[name](Z, xp), None
