"""
=============================================
Gradient checking: finding and locating a bug
=============================================

Backpropagation is easy to get almost right. The course's remedy is gradient
checking: compare backprop's gradient with two-sided differences of the cost,

.. math::

    d\\theta_{approx}[i] = \\frac{J(\\theta + \\varepsilon e_i) -
    J(\\theta - \\varepsilon e_i)}{2 \\varepsilon},

and look at the relative difference
:math:`\\|d\\theta_{approx} - d\\theta\\|_2 / (\\|d\\theta_{approx}\\|_2 +
\\|d\\theta\\|_2)`: about 1e-7 is great, 1e-3 is worrying.

:func:`sklearn_dnn.gradient_check` runs this on the network code that ``fit``
uses. Here we plant a bug in that code, as a typo would, and watch the check
find it and point at the layer it is in.
"""

# %%
# A correct network
# -----------------
# A 64-32-16-10 network on 60 digits, trained a few epochs. ``alpha=1`` makes
# the L2 penalty (which is part of :math:`J`) matter.
import warnings
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

import sklearn_dnn._engine.network as network_module
from sklearn_dnn import DNNClassifier, gradient_check

X, y = load_digits(return_X_y=True)
X, y = X[:60] / 16, y[:60]

clf = DNNClassifier((32, 16), activation="tanh", alpha=1.0, max_iter=10, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, y)

correct = gradient_check(clf, X, y)
print(correct)

# %%
# The difference is about 1e-7, right at the course's "great" threshold, and
# that is as close as float64 can tell at :math:`\varepsilon = 10^{-7}`: each
# two-sided difference carries the rounding of :math:`J`, roughly
# :math:`2^{-53} |J| / \varepsilon \approx 10^{-9}`, and over thousands of
# coordinates these add up. The "noise floor" column estimates that level; no
# block stands out from it, so the check names no suspects. A larger step
# shrinks the rounding error while the truncation error, of order
# :math:`\varepsilon^2`, stays negligible:
print(
    f"epsilon=1e-5: difference {gradient_check(clf, X, y, epsilon=1e-5).difference:.1e}"
)

# %%
# Planting a bug
# --------------
# Suppose the backward pass forgot the L2 term :math:`\frac{\lambda}{m}W^{[2]}`
# of :math:`dW^{[2]}`. We simulate that by replacing, for a moment, the
# function that adds the penalty's gradient with one that skips layer 2.


@contextmanager
def penalty_forgotten_in_layer_2():
    real = network_module.add_penalty_gradient

    def buggy(coefs, coef_grads, *args):
        keep = [0, 2]  # layers 1 and 3 only
        real([coefs[i] for i in keep], [coef_grads[i] for i in keep], *args)

    network_module.add_penalty_gradient = buggy
    try:
        yield
    finally:
        network_module.add_penalty_gradient = real


with penalty_forgotten_in_layer_2():
    buggy = gradient_check(clf, X, y)
print(buggy)

# %%
# The verdict is "bug", and the per-parameter table locates it: ``W[2]``
# differs by more than 0.1, while every other block stays at its noise floor,
# as before. ``W[2]`` is the only suspect.
#
# The randomized check
# --------------------
# The full check costs two evaluations of :math:`J` per parameter. With
# ``n_directions=k`` it compares directional derivatives along ``k`` random
# unit directions inside each block ``W[l]``, ``b[l]`` instead: ``4 L k``
# evaluations whatever the width, and a wrong block is still found.
with penalty_forgotten_in_layer_2():
    quick = gradient_check(clf, X, y, n_directions=5, random_state=0)
print(f"full check:       {buggy.n_cost_evaluations} cost evaluations")
print(f"randomized check: {quick.n_cost_evaluations} cost evaluations")
print(f"randomized verdict: {quick.verdict}, suspects: {quick.suspects}")

# %%
# The differences per parameter block, for the correct and the buggy network,
# against the course's two thresholds and the rounding-noise floor.
names = list(correct.per_parameter)
positions = np.arange(len(names))
fig, ax = plt.subplots(figsize=(7, 4))
ax.bar(positions - 0.2, list(correct.per_parameter.values()), 0.4, label="correct")
ax.bar(positions + 0.2, list(buggy.per_parameter.values()), 0.4, label="dW[2] bug")
floors = list(correct.per_parameter_noise_floor.values())
ax.scatter(positions - 0.2, floors, marker="_", s=300, color="black", zorder=3)
ax.scatter([], [], marker="_", color="black", label="rounding-noise floor")
ax.axhline(1e-7, color="green", linestyle="--", label="great (1e-7)")
ax.axhline(1e-3, color="red", linestyle="--", label="bug (1e-3)")
ax.set_xticks(positions, names)
ax.set_yscale("log")
ax.set_ylabel("relative difference")
ax.set_title("Gradient check per parameter")
ax.legend()
plt.show()

# %%
# A bug lower down travels
# ------------------------
# A wrong sign in layer 2's backward pass (the tanh derivative negated there)
# corrupts :math:`dZ^{[2]}`, and backprop carries it into layer 1 too. The
# check flags both layers; the highest-numbered suspect is where the bug is.
from sklearn_dnn._engine.activations import HIDDEN_ACTIVATIONS  # noqa: E402

forward, backward = HIDDEN_ACTIVATIONS["tanh"]


def negated_in_layer_2(A, delta):
    backward(A, delta)
    if A.shape[1] == 16:  # layer 2 has 16 units
        delta *= -1


HIDDEN_ACTIVATIONS["tanh"] = (forward, negated_in_layer_2)
try:
    sign_bug = gradient_check(clf, X, y, n_directions=5, random_state=0)
finally:
    HIDDEN_ACTIVATIONS["tanh"] = (forward, backward)
print(sign_bug)
