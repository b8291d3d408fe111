"""How often the recipe calls same-distribution data "high data mismatch".

Run by hand (a few minutes)::

    python benchmarks/bench_false_alarms.py [--seeds 20] [--max-iter 100]

For each seed the digits (pixels scaled to [0, 1]) are split in two random,
stratified halves: ``X`` and a dev set ``X_val``. Both halves come from the
same distribution, so any "high data mismatch" is a false alarm. The same
split with the dev half's strokes thickened (the gallery's
``plot_data_mismatch.py``) is a real shift, which must be found in every
seed. ``BasicRecipe`` runs on each with its defaults, a small network and a
small ``max_iter``; a seed counts when any round says "high data mismatch".
DESIGN §14 asks for at most 10% false alarms.

Results
-------
Default settings (20 seeds, ``max_iter=100``, ``max_rounds=2``), any round:

========================================  =============  =============
                                          false alarms   shift found
========================================  =============  =============
before (tolerance 0.01, no noise rule)    7/20           20/20
after (tolerance "auto", noise rule)      1/20           20/20
========================================  =============  =============
"""

import argparse
import warnings

import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_dnn import BasicRecipe, DNNClassifier


def thicker(X):
    """Rows of 8 x 8 pixels in [0, 1] with strokes thickened by a dilation."""
    images = X.reshape(-1, 8, 8)
    dilated = [ndimage.grey_dilation(image, size=(2, 2)) for image in images]
    return np.stack(dilated).reshape(len(X), -1)


def mismatch_found(X, y, X_val, y_val, seed, max_iter):
    """Whether any round of the recipe says high data mismatch, and its case."""
    network = DNNClassifier((64,), max_iter=max_iter, tol=1e-3, random_state=seed)
    recipe = BasicRecipe(network, max_rounds=2, random_state=seed)
    recipe.fit(X, y, X_val=X_val, y_val=y_val)
    found = any(row["diagnosis"].high_data_mismatch for row in recipe.history_)
    return found, recipe.history_[-1]["diagnosis"].case


def main(seeds, max_iter):
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16
    same, shifted = [], []
    for seed in range(seeds):
        X_a, X_b, y_a, y_b = train_test_split(
            X, y, test_size=0.5, stratify=y, random_state=seed
        )
        same.append(mismatch_found(X_a, y_a, X_b, y_b, seed, max_iter))
        shifted.append(mismatch_found(X_a, y_a, thicker(X_b), y_b, seed, max_iter))
        print(f"seed {seed}: same {same[-1]}, shifted {shifted[-1]}", flush=True)
    print(f"false alarms (same distribution): {sum(f for f, _ in same)}/{seeds}")
    print(f"shift found (thick strokes):      {sum(f for f, _ in shifted)}/{seeds}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--max-iter", type=int, default=100)
    args = parser.parse_args()
    main(args.seeds, args.max_iter)
