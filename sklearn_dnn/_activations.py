"""Activation functions, each next to its derivative.

Every hidden activation ``g`` is a pair of in-place functions:

* ``forward(Z)`` overwrites the pre-activation ``Z`` with ``A = g(Z)``;
* ``backward(A, delta)`` multiplies ``delta`` by ``g'(Z)``, written in terms of
  the *output* ``A`` (so ``Z`` need not be kept).

The derivative must be given the activation *before* dropout: a rescaled,
dropped output would give a wrong ``g'``.
"""

import numpy as np
from scipy.special import expit, softmax

LEAKY_RELU_SLOPE = 0.01


def _relu(Z):
    np.maximum(Z, 0, out=Z)


def _relu_backward(A, delta):
    delta[A <= 0] = 0


def _leaky_relu(Z):
    # For a positive slope, sign(g(z)) == sign(z), so g' can be read off g(z).
    np.multiply(Z, np.where(Z > 0, 1, LEAKY_RELU_SLOPE).astype(Z.dtype), out=Z)


def _leaky_relu_backward(A, delta):
    delta[A <= 0] *= LEAKY_RELU_SLOPE


def _tanh(Z):
    np.tanh(Z, out=Z)


def _tanh_backward(A, delta):
    delta *= 1 - A**2


def _logistic(Z):
    expit(Z, out=Z)


def _logistic_backward(A, delta):
    delta *= A * (1 - A)


def _identity(Z):
    pass


def _identity_backward(A, delta):
    pass


def _softmax(Z):
    Z[...] = softmax(Z, axis=1)


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
