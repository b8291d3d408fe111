"""Weight penalties: the term added to the cost J and its gradient.

With ``m`` the (weighted) number of examples in the batch,

* ``"l2"``:         ``alpha/(2m) * sum ||W||_F^2``, gradient ``(alpha/m) W``;
* ``"l1"``:         ``alpha/m * sum ||W||_1``,      gradient ``(alpha/m) sign(W)``;
* ``"elasticnet"``: ``alpha/m * (r * sum||W||_1 + (1 - r)/2 * sum||W||_F^2)``.

Biases are never penalised.  Both functions take all weight matrices as one
flat vector (they are contiguous in the network's parameters) and allocate
nothing weight-sized: the elementwise terms go through a small ``scratch``
buffer one chunk at a time, which measured as fast as one weight-sized
temporary (the chunk stays in cache) and faster in float64.
"""

import numpy as np

#: Entries per chunk of the elementwise penalty terms (128 kB in float32).
CHUNK = 32768


def scratch_for(weights):
    """A scratch buffer for ``weights``: one chunk, in their dtype."""
    return np.empty(min(CHUNK, weights.size), dtype=weights.dtype)


def _chunks(n):
    return (slice(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK))


def _l1_norm(weights, scratch):
    total = 0.0
    for part in _chunks(weights.size):
        chunk = weights[part]
        total += float(np.abs(chunk, out=scratch[: chunk.size]).sum())
    return total


def penalty_value(weights, penalty, alpha, l1_ratio, m, scratch):
    """Return the penalty term of J for the flat vector of all ``weights``."""
    if penalty is None or alpha == 0:
        return 0.0
    l1 = l2 = 0.0
    if penalty in ("l1", "elasticnet"):
        l1 = _l1_norm(weights, scratch)
    if penalty in ("l2", "elasticnet"):
        l2 = float(np.dot(weights, weights))
    if penalty == "l2":
        return alpha * l2 / (2 * m)
    if penalty == "l1":
        return alpha * l1 / m
    return alpha / m * (l1_ratio * l1 + (1 - l1_ratio) / 2 * l2)


def add_penalty_gradient(weights, weight_grads, penalty, alpha, l1_ratio, m, scratch):
    """Add the penalty's gradient to the flat ``weight_grads`` in place."""
    if penalty is None or alpha == 0:
        return
    if penalty == "l2":
        l1_weight, l2_weight = 0.0, alpha / m
    elif penalty == "l1":
        l1_weight, l2_weight = alpha / m, 0.0
    else:
        l1_weight = alpha / m * l1_ratio
        l2_weight = alpha / m * (1 - l1_ratio)
    for part in _chunks(weights.size):
        W, dW = weights[part], weight_grads[part]
        term = scratch[: W.size]
        if l2_weight:
            dW += np.multiply(W, l2_weight, out=term)
        if l1_weight:
            np.sign(W, out=term)
            term *= l1_weight
            dW += term
