"""Weight penalties: the term added to the cost J and its gradient.

With ``m`` the (weighted) number of examples in the batch,

* ``"l2"``:         ``alpha/(2m) * sum ||W||_F^2``, gradient ``(alpha/m) W``;
* ``"l1"``:         ``alpha/m * sum ||W||_1``,      gradient ``(alpha/m) sign(W)``;
* ``"elasticnet"``: ``alpha/m * (r * sum||W||_1 + (1 - r)/2 * sum||W||_F^2)``.

Biases are never penalised.
"""

import numpy as np


def penalty_value(coefs, penalty, alpha, l1_ratio, m):
    """Return the penalty term of J for the weight matrices ``coefs``."""
    if penalty is None or alpha == 0:
        return 0.0
    l1 = l2 = 0.0
    if penalty in ("l1", "elasticnet"):
        l1 = sum(float(np.abs(W).sum()) for W in coefs)
    if penalty in ("l2", "elasticnet"):
        l2 = sum(float(np.dot(W.ravel(), W.ravel())) for W in coefs)
    if penalty == "l2":
        return alpha * l2 / (2 * m)
    if penalty == "l1":
        return alpha * l1 / m
    return alpha / m * (l1_ratio * l1 + (1 - l1_ratio) / 2 * l2)


def add_penalty_gradient(coefs, coef_grads, penalty, alpha, l1_ratio, m):
    """Add the penalty's gradient to each ``dW`` in place."""
    if penalty is None or alpha == 0:
        return
    if penalty == "l2":
        l1_weight, l2_weight = 0.0, alpha / m
    elif penalty == "l1":
        l1_weight, l2_weight = alpha / m, 0.0
    else:
        l1_weight = alpha / m * l1_ratio
        l2_weight = alpha / m * (1 - l1_ratio)
    for W, dW in zip(coefs, coef_grads):
        # One weight-sized temporary at a time, in the weights' dtype.
        if l2_weight:
            dW += np.multiply(W, l2_weight)
        if l1_weight:
            term = np.sign(W)
            term *= l1_weight
            dW += term
