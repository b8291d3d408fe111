"""Weight penalties: the term added to the cost J and its gradient.

With ``m`` the (weighted) number of examples in the batch,

* ``"l2"``:         ``alpha/(2m) * sum ||W||_F^2``, gradient ``(alpha/m) W``;
* ``"l1"``:         ``alpha/m * sum ||W||_1``,      gradient ``(alpha/m) sign(W)``;
* ``"elasticnet"``: ``alpha/m * (r * sum||W||_1 + (1 - r)/2 * sum||W||_F^2)``.

Biases are never penalised.  Neither function allocates anything
weight-sized: the elementwise terms go through a small ``scratch`` buffer
one chunk of a (contiguous) weight matrix at a time, which measured as fast
as one weight-sized temporary (the chunk stays in cache) and faster in
float64.
"""

import numpy as np

#: Entries per chunk of the elementwise penalty terms (128 kB in float32).
CHUNK = 32768


def scratch_for(coefs):
    """A scratch buffer for the weight matrices ``coefs``: one chunk of the
    largest, in their dtype."""
    largest = max(W.size for W in coefs)
    return np.empty(min(CHUNK, largest), dtype=coefs[0].dtype)


def _chunks(n):
    return (slice(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK))


def _l1_norm(W, scratch):
    total, flat = 0.0, W.ravel()
    for part in _chunks(flat.size):
        chunk = flat[part]
        total += float(np.abs(chunk, out=scratch[: chunk.size]).sum())
    return total


def penalty_value(coefs, penalty, alpha, l1_ratio, m, scratch):
    """Return the penalty term of J for the weight matrices ``coefs``."""
    if penalty is None or alpha == 0:
        return 0.0
    l1 = l2 = 0.0
    if penalty in ("l1", "elasticnet"):
        l1 = sum(_l1_norm(W, scratch) for W in coefs)
    if penalty in ("l2", "elasticnet"):
        l2 = sum(float(np.dot(W.ravel(), W.ravel())) for W in coefs)
    if penalty == "l2":
        return alpha * l2 / (2 * m)
    if penalty == "l1":
        return alpha * l1 / m
    return alpha / m * (l1_ratio * l1 + (1 - l1_ratio) / 2 * l2)


def add_penalty_gradient(coefs, coef_grads, penalty, alpha, l1_ratio, m, scratch):
    """Add the penalty's gradient to each ``dW`` of ``coef_grads`` in place."""
    if penalty is None or alpha == 0:
        return
    if penalty == "l2":
        l1_weight, l2_weight = 0.0, alpha / m
    elif penalty == "l1":
        l1_weight, l2_weight = alpha / m, 0.0
    else:
        l1_weight = alpha / m * l1_ratio
        l2_weight = alpha / m * (1 - l1_ratio)
    for W_all, dW_all in zip(coefs, coef_grads):
        _add_terms(W_all.ravel(), dW_all.ravel(), l1_weight, l2_weight, scratch)


def _add_terms(weights, grads, l1_weight, l2_weight, scratch):
    for part in _chunks(weights.size):
        W, dW = weights[part], grads[part]
        term = scratch[: W.size]
        if l2_weight:
            dW += np.multiply(W, l2_weight, out=term)
        if l1_weight:
            np.sign(W, out=term)
            term *= l1_weight
            dW += term
