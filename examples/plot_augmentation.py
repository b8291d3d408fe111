"""
=====================================================
Data augmentation: more training digits for free
=====================================================

With few training examples a network overfits: high variance. One cure from
the basic recipe is more data, and for images more data can be made from the
data we have. :class:`~sklearn_dnn.ImageAugmenter` distorts every training
mini-batch at random (flips, shifts, small rotations and zooms, and the
elastic distortions of Simard et al.) so that the network never sees exactly
the same image twice, while the dev set and ``predict`` see the images as they
are. Here small rotations and elastic distortions are used.
"""

# %%
# Original and augmented digits
# -----------------------------
# Each row is one digit: the original on the left, then five random
# distortions of it. The augmenter works on flattened images, so it is told
# their shape. Pixels are scaled to [0, 1] with one global factor, so the
# background stays 0, which is also what is moved in from outside the image.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_dnn import DNNClassifier, ImageAugmenter

X, y = load_digits(return_X_y=True)
X = X / 16.0

augmenter = ImageAugmenter(
    (8, 8), max_rotation=8.0, elastic_alpha=3.0, elastic_sigma=1.5, random_state=0
)
examples = X[:6]
n_copies = 5
augmented = augmenter.fit_transform(np.repeat(examples, n_copies, axis=0))

fig, axes = plt.subplots(len(examples), n_copies + 1, figsize=(6, 6.5))
for row, image in enumerate(examples):
    copies = augmented[row * n_copies : (row + 1) * n_copies]
    for col, picture in enumerate([image, *copies]):
        ax = axes[row, col]
        ax.imshow(picture.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
for row in range(len(examples)):
    axes[row, 0].set_ylabel("original")
fig.suptitle(f"Each digit and {n_copies} random distortions of it")
fig.tight_layout()

# %%
# Does it help?
# -------------
# Train the same network on 300 digits, with and without augmentation, and
# score both on the 1,497 others, after the same number of epochs; each
# augmented epoch costs more, as the distortions are computed on the fly.
# Three different training sets (seeds) show how much of the difference is
# noise.
settings = {"no augmentation": None, "augmentation": augmenter}
scores = {name: [] for name in settings}
for seed in range(3):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=300, stratify=y, random_state=seed
    )
    for name, augment in settings.items():
        model = DNNClassifier(
            hidden_layer_sizes=(128, 64),
            batch_size=32,
            max_iter=100,
            n_iter_no_change=100,  # the same 100 epochs for both
            augment=augment,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        scores[name].append(model.score(X_test, y_test))

for name, values in scores.items():
    print(f"{name:>16}: test accuracy {np.mean(values):.3f} +- {np.std(values):.3f}")

fig, ax = plt.subplots(figsize=(5, 3))
names = list(scores)
ax.bar(
    names,
    [np.mean(scores[name]) for name in names],
    yerr=[np.std(scores[name]) for name in names],
    capsize=6,
    color=["tab:gray", "tab:blue"],
)
for i, name in enumerate(names):
    ax.plot([i] * len(scores[name]), scores[name], "k.")
ax.set_ylim(0.9, 1.0)
ax.set_ylabel("test accuracy")
ax.set_title("300 training digits, mean and std over 3 seeds")
fig.tight_layout()
plt.show()

# %%
# About a point of test accuracy (``benchmarks/bench_augment.py`` measures
# +1.1 +- 0.9 points over ten seeds). Not every distortion helps: on these
# tiny images a one-pixel shift moves an eighth of the picture and costs about
# three points instead. Augmentation is a cure for variance: check first with
# :func:`~sklearn_dnn.diagnose_bias_variance` that variance is the problem.
