"""
===================================================
Vanishing and exploding gradients in a deep network
===================================================

In a deep network the gradient reaching layer :math:`l` is a product of one
factor per layer above it. When those factors are small (saturated logistic
units, tiny weights) the gradients of the first layers **vanish** and those
layers barely learn; when they are large (big weights) the gradients
**explode**. ``gradient_norms_`` records the mean :math:`\\|dW^{[l]}\\|` of
each layer per epoch, and :func:`sklearn_dnn.diagnose_gradients` reads the
problem off it.

Three 10-layer networks on the digits:

* logistic units with ``init="normal"`` (:math:`0.01 \\cdot N(0, 1)`):
  vanishing;
* ReLU units with :math:`N(0, 3^2)` weights: exploding; plain gradient descent
  diverges unless ``max_grad_norm`` clips the gradient;
* ReLU units with He initialisation: healthy.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_dnn import DNNClassifier, diagnose_gradients

X, y = load_digits(return_X_y=True)
X = X / 16
DEEP = (32,) * 9  # 9 hidden layers, 10 weight matrices


def large_normal(n_in, n_out, rng):
    """N(0, 3^2) weights: far too large for a deep ReLU network."""
    return rng.normal(0.0, 3.0, (n_in, n_out))


networks = {
    "logistic, init='normal'": DNNClassifier(
        DEEP, activation="logistic", init="normal", max_iter=20, random_state=0
    ),
    "ReLU, N(0, 3^2), clipped SGD": DNNClassifier(
        DEEP,
        activation="relu",
        init=large_normal,
        solver="sgd",
        learning_rate_init=0.01,
        max_grad_norm=1.0,
        max_iter=20,
        random_state=0,
    ),
    "ReLU, He": DNNClassifier(
        DEEP, activation="relu", init="he", max_iter=20, random_state=0
    ),
}

diagnoses = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, clf in networks.items():
        clf.fit(X, y)
        diagnoses[name] = diagnose_gradients(clf)
        print(f"--- {name}: training accuracy {clf.score(X, y):.2f}")
        print(diagnoses[name], end="\n\n")

# %%
# The logistic network's first layer receives a gradient about a million
# times smaller than its last layer: :math:`g'(z) \le 1/4` and the tiny
# weights shrink it again at every layer. With :math:`N(0, 3^2)` weights, every
# ReLU layer multiplies the signal by about :math:`3 \sqrt{32/2} = 12`, so the
# activations grow going forward and the deltas going backward: all layers get
# gradients of several 1e8 (their ratio stays near 1, which is why the
# absolute norm is checked too). Clipping the gradient's norm is what keeps
# such training in check: with it the weights stay bounded, without it SGD's
# first steps throw them so far that the fit is stopped as diverged.
clipped = networks["ReLU, N(0, 3^2), clipped SGD"]
largest = max(abs(W).max() for W in clipped.coefs_)
print(
    f"max_grad_norm=1: cost J {clipped.loss_curve_[0]:.1e} -> "
    f"{clipped.loss_curve_[-1]:.1e}, largest weight {largest:.1e}"
)
unclipped = DNNClassifier(
    DEEP,
    init=large_normal,
    solver="sgd",
    learning_rate_init=0.01,
    max_iter=20,
    random_state=0,
)
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unclipped.fit(X, y)
    largest = max(abs(W).max() for W in unclipped.coefs_)
    print(
        f"no clipping: final cost J {unclipped.loss_:.1e}, largest weight {largest:.1e}"
    )
except ValueError as exc:
    print(f"no clipping: {exc}")

# %%
# Each layer's gradient norm per epoch, on a log scale.
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharex=True)
for ax, (name, diagnosis) in zip(axes, diagnoses.items()):
    diagnosis.plot(ax=ax)
    ax.set_title(f"{name}\n{diagnosis.case}, first/last = {diagnosis.ratio:.1e}")
fig.tight_layout()
plt.show()

# %%
# With He initialisation (:math:`N(0, 2/n^{[l-1]})`) each ReLU layer keeps the
# variance of its signal, and every layer's gradient stays within an order of
# magnitude of the others: the remedy the course gives for both problems.
