"""
===============================================
Batch normalization rescues a deep tanh network
===============================================

Eight hidden layers of 64 tanh units, started with tiny weights
(``init="normal"``, :math:`0.01 \\cdot N(0, 1)`): each layer shrinks the signal,
the first layers' gradients vanish, and plain mini-batch gradient descent
leaves the network at chance level, a network with high bias that is not for
want of capacity.

With ``batch_norm=True`` each hidden layer's :math:`Z` is rescaled to zero
mean and unit variance over the mini-batch (then scaled by :math:`\\gamma` and
shifted by :math:`\\beta`), so the signal keeps its size through the layers
whatever the scale of the weights. We compare the two: the cost per epoch,
the epochs needed to reach 95% training accuracy, and what
:func:`sklearn_dnn.diagnose_gradients` reads from their ``gradient_norms_``.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import DNNClassifier, diagnose_gradients

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
warnings.simplefilter("ignore", ConvergenceWarning)

N_EPOCHS = 25
fitted, accuracy = {}, {}
for batch_norm in (False, True):
    clf = DNNClassifier(
        (64,) * 8,
        activation="tanh",
        init="normal",
        solver="sgd",
        learning_rate_init=0.05,
        batch_size=64,
        batch_norm=batch_norm,
        random_state=0,
    )
    # One epoch per partial_fit call, to read the training accuracy as we go.
    accuracy[batch_norm] = []
    for _ in range(N_EPOCHS):
        clf.partial_fit(X, y, classes=range(10))
        accuracy[batch_norm].append(clf.score(X, y))
    fitted[batch_norm] = clf

for batch_norm, scores in accuracy.items():
    reached = [epoch for epoch, score in enumerate(scores, 1) if score >= 0.95]
    print(
        f"batch_norm={batch_norm!s:5}: final cost {fitted[batch_norm].loss_:.3f}, "
        f"training accuracy {scores[-1]:.3f}, 95% reached "
        + (f"after {reached[0]} epochs" if reached else f"never in {N_EPOCHS} epochs")
    )

# %%
# The cost and the training accuracy per epoch
# --------------------------------------------
fig, (ax_cost, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
for batch_norm, clf in fitted.items():
    label = "batch norm" if batch_norm else "no batch norm"
    ax_cost.plot(range(1, N_EPOCHS + 1), clf.loss_curve_, label=label)
    ax_acc.plot(range(1, N_EPOCHS + 1), accuracy[batch_norm], label=label)
ax_cost.set(xlabel="epoch", ylabel="cost J", yscale="log", title="Cost per epoch")
ax_acc.axhline(0.95, color="grey", linestyle=":", label="95%")
ax_acc.set(xlabel="epoch", ylabel="training accuracy", title="Training accuracy")
ax_cost.legend()
ax_acc.legend()
fig.tight_layout()

# %%
# What ``diagnose_gradients`` sees
# --------------------------------
# Without batch normalization the first layers get about a thousandth of the
# output layer's gradient (vanishing); with it every layer gets a gradient of
# the same order.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (batch_norm, clf) in zip(axes, fitted.items()):
    diagnosis = diagnose_gradients(clf)
    diagnosis.plot(ax=ax)
    ax.set_title(f"batch_norm={batch_norm}: {diagnosis.case}")
    print(
        f"batch_norm={batch_norm}: {diagnosis.case}, first/last ratio "
        f"{diagnosis.ratio:.3g}"
    )
fig.tight_layout()
plt.show()
