"""
=======================================================
Bias and variance: learning curves and the basic recipe
=======================================================

The course's first question about a model is where its error comes from.
Compare the training error with a baseline (human-level error, standing in
for the Bayes error) and the dev error with the training error:

- **avoidable bias** = train error - baseline error,
- **variance** = dev error - train error.

:class:`~sklearn_dnn.BiasVarianceDisplay` draws the learning curve (train
and dev error against the number of training examples, from scikit-learn's
:func:`~sklearn.model_selection.learning_curve`) with the baseline and the
diagnosis at the largest training size. :class:`~sklearn_dnn.BasicRecipe`
then applies the course's basic recipe: fix high bias first (bigger network,
train longer), then high variance (regularization, ...).
"""

# %%
# Two networks on handwritten digits
# ----------------------------------
# The digits are 8x8 images; we take 1 % as the human-level error on them (an
# assumption for this example). A network with two hidden units is far too
# small for ten classes; one with 64 units fits the training set perfectly.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_dnn import (
    BasicRecipe,
    BiasVarianceDisplay,
    DNNClassifier,
    LossCurveDisplay,
)

# Some fits below stop at max_iter on purpose (that is what "train longer"
# is about), so their convergence warnings are silenced.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = X / 16  # pixel values in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
BASELINE = 0.01

networks = {
    "2 hidden units": DNNClassifier(hidden_layer_sizes=(2,), tol=1e-2, random_state=0),
    "64 hidden units": DNNClassifier(hidden_layer_sizes=(64,), random_state=0),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
displays = {}
for ax, (name, network) in zip(axes, networks.items()):
    displays[name] = BiasVarianceDisplay.from_estimator(
        network,
        X_train,
        y_train,
        train_sizes=np.linspace(0.2, 1.0, 4),
        cv=3,
        baseline_error=BASELINE,
        ax=ax,
    )
    ax.set_title(name)
plt.tight_layout()

# %%
# The small network's train and dev errors are close to each other and far
# above the baseline: **high bias**. More data would not help; a bigger
# network would. The bigger network reaches the baseline on its training
# set, and its dev error stays a few points above: **high variance**, a gap
# that narrows as the training set grows. Each diagnosis prints as a report
# with the recommended next steps.
for name, display in displays.items():
    print(f"{name}:\n{display.diagnosis}\n")

# %%
# The basic recipe, automated
# ---------------------------
# :class:`~sklearn_dnn.BasicRecipe` starts from a network with a single
# hidden unit trained for five epochs. Each round fits the network on a
# training split, diagnoses it on a dev split and changes one thing; a
# round that makes the dev error worse is undone.
recipe = BasicRecipe(
    DNNClassifier(hidden_layer_sizes=(1,), max_iter=5, random_state=0),
    baseline_error=BASELINE,
    max_rounds=5,
    growth=8,
    random_state=0,
    verbose=1,
)
recipe.fit(X_train, y_train)

# %%
# The history holds each round's settings, errors, diagnosis and the change
# that followed. ``best_estimator_`` has the settings of the round with the
# lowest dev error, refit on the training and dev splits together.
for i, entry in enumerate(recipe.history_, start=1):
    print(
        f"round {i}: hidden_layer_sizes={entry['params']['hidden_layer_sizes']}, "
        f"max_iter={entry['params']['max_iter']}, "
        f"alpha={entry['params']['alpha']:g}: "
        f"train {entry['train_error']:.1%}, dev {entry['dev_error']:.1%} "
        f"-> {entry['diagnosis'].case}"
    )
print(f"test error of the best network: {1 - recipe.score(X_test, y_test):.1%}")

# %%
# Its learning curve and the cost ``J`` per epoch of its final fit (the
# course's "plot J to debug gradient descent"):
fig, (ax_curve, ax_cost) = plt.subplots(1, 2, figsize=(11, 4))
BiasVarianceDisplay.from_estimator(
    recipe.best_estimator_,
    X_train,
    y_train,
    train_sizes=np.linspace(0.2, 1.0, 4),
    cv=3,
    baseline_error=BASELINE,
    ax=ax_curve,
)
ax_curve.set_title("network chosen by the recipe")
LossCurveDisplay.from_estimator(recipe, ax=ax_cost)
ax_cost.set_title("its cost per epoch")
plt.tight_layout()
plt.show()
