"""
==========================================
Error analysis: the ceiling of each cause
==========================================

After the diagnosis, the course's next step is to look at the dev errors.
Take a sample of the misclassified dev examples, tag each with what went
wrong (one column per cause, several causes per example allowed, as in a
spreadsheet), and count: a cause's **share** of the errors bounds what
fixing it can gain. Its **ceiling** is the dev error left if every error
with that cause were fixed, ``dev error x (1 - share)``: with a 10% dev
error, fixing the dog pictures that are 8% of the errors brings it at best
to 9.2%; fixing the blurry ones that are 61% of the errors, to 3.9%.

Here the dev set of digits holds three causes we planted, so that the tags
are known: blurred images, faint (low-contrast) images and wrong labels.
"""

# %%
# A model, and a dev set with three causes of error
# -------------------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_dnn import DNNClassifier, InputNormalizer
from sklearn_dnn.diagnostics import error_analysis, suspect_labels

X, y = load_digits(return_X_y=True)
X_train, X_dev, y_train, y_dev = train_test_split(
    X, y, test_size=600, stratify=y, random_state=0
)
rng = np.random.default_rng(0)
blurry = rng.uniform(size=len(y_dev)) < 0.25
faint = rng.uniform(size=len(y_dev)) < 0.15
mislabeled = rng.uniform(size=len(y_dev)) < 0.04

images = X_dev.reshape(-1, 8, 8).copy()
images[blurry] = ndimage.gaussian_filter(images[blurry], sigma=(0, 1.0, 1.0))
images[faint] *= 0.5
X_dev = images.reshape(len(y_dev), -1)
y_dev = y_dev.copy()
y_dev[mislabeled] = (y_dev[mislabeled] + rng.integers(1, 10, mislabeled.sum())) % 10

model = make_pipeline(
    InputNormalizer(), DNNClassifier((64,), max_iter=100, random_state=0)
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X_train, y_train)

# %%
# Tag the errors, count, and read the ceilings
# --------------------------------------------
# A person would tag the errors by looking at them; we know which pictures
# we changed. ``tags`` is one boolean column per cause; a DataFrame's
# column names would name the rows, an array's columns are "tag 0",
# "tag 1", ... in order.
tags = np.column_stack([blurry, faint, mislabeled])
analysis = error_analysis(model, X_dev, y_dev, tags=tags)
names = {"tag 0": "blurry", "tag 1": "faint", "tag 2": "mislabeled"}
print(analysis)

# %%
# The table reads like the course's spreadsheet, sorted by ceiling: the
# first row is the most promising cause. Each share comes with its sampling
# noise over the errors looked at; two causes within each other's noise are
# not told apart, and looking at more errors is the cheap way to separate
# them.
for tag, record in analysis.by_tag.items():
    print(
        f"{names[tag]:>10}: {record['share']:.0%} of the errors, "
        f"ceiling {record['ceiling']:.1%}"
    )

# %%
# The ceilings as a chart, with the dev error for reference.
fig, ax = plt.subplots(figsize=(6, 3))
analysis.plot(ax=ax)
ax.set_yticks(ax.get_yticks(), [names[t.get_text()] for t in ax.get_yticklabels()])
fig.tight_layout()

# %%
# The decision
# ------------
# Blurred images hold by far the largest share of the errors (about three
# quarters, well beyond its noise), so they have the lowest ceiling: work on
# them first (more blurred training images, made by blurring the ones we
# have: artificial data synthesis). Wrong labels and faint images come next,
# within each other's noise: the count does not rank them. The wrong labels
# bound what any change of the network can gain: those errors are the
# data's, not the model's.
#
# Finding the wrong labels
# ------------------------
# :func:`~sklearn_dnn.diagnostics.suspect_labels` ranks the examples by the
# out-of-fold probability of their given label: each is scored by a model
# that did not train on it. The top of the ranking is where to look first.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    suspects = suspect_labels(model, X_dev, y_dev, cv=5)
n_flipped = int(mislabeled.sum())
found = np.isin(np.flatnonzero(mislabeled), suspects.ranking[:n_flipped]).mean()
print(suspects)
print(
    f"\nthe top {n_flipped} suspects hold {found:.0%} of the {n_flipped} wrong labels"
)

# %%
# Whatever labels get corrected, correct them in the dev **and** the test
# set alike, so that both keep coming from one distribution.
