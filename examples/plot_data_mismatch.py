"""
========================================================
Mismatched training and dev/test data: the train-dev set
========================================================

The model will serve images written with a thicker pen than the ones it is
trained on: the dev and test sets come from that target distribution, the
training set does not. A dev error above the training error can then mean
two things, variance or **data mismatch**. Holding out a *train-dev* set
(training distribution, not trained on) tells them apart:

- train error vs. baseline: avoidable bias;
- train-dev error vs. train error: variance;
- dev error vs. train-dev error: data mismatch;
- test error vs. dev error: overfitting of the dev set.

No knob of the network fixes a mismatch. One remedy from the course is
*artificial data synthesis*: make training examples that look like the dev
data, here by thickening the strokes of part of the training images.
"""

# %%
# Training data and a shifted dev/test distribution
# --------------------------------------------------
# Digits for training; a disjoint set of digits with strokes thickened by a
# grey dilation for dev and test.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_dnn import (
    BasicRecipe,
    BiasVarianceDisplay,
    DNNClassifier,
    diagnose_bias_variance,
)

# The networks here train for a fixed budget of epochs on purpose.
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def network():
    """The network of every fit here."""
    return DNNClassifier((64,), max_iter=300, tol=1e-3, random_state=0)


def thicker(X):
    """Images of ``X`` (rows of 8 x 8 pixels in [0, 1]) with thicker strokes."""
    images = X.reshape(-1, 8, 8)
    return np.stack([ndimage.grey_dilation(image, size=(2, 2)) for image in images])


X, y = load_digits(return_X_y=True)
X = X / 16
X_source, X_target, y_source, y_target = train_test_split(
    X, y, test_size=600, stratify=y, random_state=0
)
X_target = thicker(X_target).reshape(-1, 64)
X_dev, X_test, y_dev, y_test = train_test_split(
    X_target, y_target, test_size=0.5, stratify=y_target, random_state=0
)
X_train, X_train_dev, y_train, y_train_dev = train_test_split(
    X_source, y_source, test_size=0.2, stratify=y_source, random_state=0
)

fig, axes = plt.subplots(2, 6, figsize=(7, 2.6))
for ax, image in zip(axes[0], X_train[:6]):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
for ax, image in zip(axes[1], X_dev[:6]):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
for ax in axes.ravel():
    ax.set_axis_off()
axes[0, 0].set_title("training", loc="left")
axes[1, 0].set_title("dev / test", loc="left")
plt.show()

# %%
# The four errors
# ---------------
# One network, trained on the training split; its error on each set.


def four_errors(X_fit, y_fit):
    """Fit the network on ``(X_fit, y_fit)``; return its diagnosis."""
    fitted = network().fit(X_fit, y_fit)
    errors = [
        1 - fitted.score(X_, y_)
        for X_, y_ in [
            (X_fit, y_fit),
            (X_train_dev, y_train_dev),
            (X_dev, y_dev),
            (X_test, y_test),
        ]
    ]
    train, train_dev, dev, test = errors
    return diagnose_bias_variance(
        train, dev, train_dev_error=train_dev, test_error=test
    )


before = four_errors(X_train, y_train)
print(before)

# %%
# The learning curve with the train-dev line
# ------------------------------------------
# With ``X_val``, the cross-validation folds of the training data give the
# train and train-dev errors and every fitted model is also scored on the
# dev set. The gap between the train-dev and the dev line is the mismatch:
# more training data of the same kind does not close it.
display = BiasVarianceDisplay.from_estimator(
    network(),
    X_source,
    y_source,
    X_val=X_dev,
    y_val=y_dev,
    train_sizes=[0.25, 0.5, 1.0],
    cv=3,
)
display.ax_.set_title("Digits: thin-stroke training, thick-stroke dev")
plt.show()

# %%
# The basic recipe with a dev set
# -------------------------------
# Given ``X_val``, :class:`~sklearn_dnn.BasicRecipe` holds out a train-dev
# split of the training data and diagnoses every round with all three
# errors. It works on the variance, and reports the mismatch that no change
# of the network removes.
recipe = BasicRecipe(network(), max_rounds=3, random_state=0)
recipe.fit(X_source, y_source, X_val=X_dev, y_val=y_dev)
for entry in recipe.history_:
    print(
        f"train {entry['train_error']:.1%}, train-dev "
        f"{entry['train_dev_error']:.1%}, dev {entry['dev_error']:.1%}: "
        f"{entry['diagnosis'].case}\n  -> {entry['action']}"
    )

# %%
# A remedy: artificial data synthesis
# -----------------------------------
# Thicken the strokes of a random half of the training images (the train-dev
# set keeps the training distribution), and train again.
rng = np.random.RandomState(0)
half = rng.permutation(len(X_train))[: len(X_train) // 2]
X_synth = X_train.copy()
X_synth[half] = thicker(X_train[half]).reshape(-1, 64)
after = four_errors(X_synth, y_train)

rows = ["train", "train_dev", "dev", "test"]
print(f"{'error':<10} {'before':>8} {'after':>8}")
for row in rows:
    was, now = getattr(before, f"{row}_error"), getattr(after, f"{row}_error")
    print(f"{row:<10} {was:>8.1%} {now:>8.1%}")
print(f"data mismatch: {before.data_mismatch:.1%} -> {after.data_mismatch:.1%}")

fig, ax = plt.subplots(figsize=(5, 3))
x = np.arange(len(rows))
ax.bar(x - 0.2, [getattr(before, f"{r}_error") for r in rows], 0.4, label="before")
ax.bar(x + 0.2, [getattr(after, f"{r}_error") for r in rows], 0.4, label="after")
ax.set_xticks(x, ["train", "train-dev", "dev", "test"])
ax.set_ylabel("error (1 - accuracy)")
ax.set_title("Synthesizing thick-stroke training images")
ax.legend()
plt.show()
