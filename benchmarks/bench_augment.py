"""Measure what ImageAugmenter buys, and what it costs.

Run by hand (a few minutes)::

    python benchmarks/bench_augment.py [--seeds 10] [--epochs 100]

It prints

1. the test accuracy of ``DNNClassifier(hidden_layer_sizes=(128, 64))``,
   trained for a fixed number of epochs on only 300 of the 8x8
   digits (the other 1,497 are the test set), without augmentation and with
   several ``ImageAugmenter`` settings, as mean and standard deviation over
   the seeds (each seed draws its own training set and initialisation), and
   the gain over no augmentation paired by seed;
2. the time to augment one batch of 256 images of 28x28 (the digits scaled
   up) with each distortion, against one training step on that batch: a
   forward pass, backward pass and Adam update of
   ``DNNClassifier(hidden_layer_sizes=(256, 128))``, in float64 and float32.

Results
-------
On 2 cores shared with other jobs, default settings (10 seeds, 100 epochs).
Accuracy does not depend on the machine::

    none                 0.9467 +- 0.0096
    elastic              0.9577 +- 0.0088   gain +0.0110 +- 0.0095  (9/10 seeds)
    elastic + rotation   0.9576 +- 0.0062   gain +0.0109 +- 0.0091  (9/10 seeds)
    rotation 8 degrees   0.9488 +- 0.0098   gain +0.0021 +- 0.0047  (7/10 seeds)
    zoom 10%             0.9484 +- 0.0109   gain +0.0017 +- 0.0033  (6/10 seeds)
    shift 1 pixel        0.9190 +- 0.0152   gain -0.0277 +- 0.0086  (0/10 seeds)

Elastic distortions gain about a point; a whole-pixel shift, an eighth of an
8x8 digit, costs three. Cost with ``OPENBLAS_NUM_THREADS=1``, the steadiest
figures on a loaded machine (training step 7.6 ms in float64, 3.7 ms in
float32; the augmenter takes the same time for both; other runs gave up to
40% more for single entries)::

    horizontal_flip           0.99 ms = 0.13 x a float64 step (0.25 x float32)
    max_shift=2               0.92 ms = 0.12 x                (0.23 x)
    max_rotation=15           7.77 ms = 1.03 x                (2.09 x)
    max_zoom=0.1              7.82 ms = 1.03 x                (2.08 x)
    elastic 34, 4 (Simard)   17.82 ms = 2.35 x                (4.61 x)
    noise_std=0.05            3.32 ms = 0.44 x                (0.89 x)
    all of the above         21.91 ms = 2.90 x                (5.72 x)

With OpenBLAS's default 2 threads under the same load the training step
took 19-21 ms in float64 (8-26 ms in float32), so the ratios were lower
(elastic 0.9-1.8 x, all 1.1-1.2 x in float64). Flips and shifts only pick
pixels; anything else interpolates every pixel once (``map_coordinates``,
about 7.7 ms a batch here), and the elastic field adds two Gaussian filters
of a random field (about 10 ms).
"""

import argparse
import time
import warnings

import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_info

from sklearn_dnn import DNNClassifier, ImageAugmenter

N_TRAIN = 300

# On 8x8 digits one pixel is an eighth of the image: a one-pixel shift is a
# large distortion, shown here for contrast.
SETTINGS = {
    "none": None,
    "elastic": {"elastic_alpha": 3.0, "elastic_sigma": 1.5},
    "elastic + rotation": {
        "max_rotation": 8.0,
        "elastic_alpha": 3.0,
        "elastic_sigma": 1.5,
    },
    "rotation 8 degrees": {"max_rotation": 8.0},
    "zoom 10%": {"max_zoom": 0.1},
    "shift 1 pixel": {"max_shift": 1},
}

COST_SETTINGS = {
    "horizontal_flip": {"horizontal_flip": True},
    "max_shift=2": {"max_shift": 2},
    "max_rotation=15": {"max_rotation": 15.0},
    "max_zoom=0.1": {"max_zoom": 0.1},
    "elastic 34, 4 (Simard)": {"elastic_alpha": 34.0, "elastic_sigma": 4.0},
    "noise_std=0.05": {"noise_std": 0.05},
    "all of the above": {
        "horizontal_flip": True,
        "max_shift": 2,
        "max_rotation": 15.0,
        "max_zoom": 0.1,
        "elastic_alpha": 34.0,
        "elastic_sigma": 4.0,
        "noise_std": 0.05,
    },
}


def accuracy_table(n_seeds, epochs):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0  # one global scale: the background stays 0
    scores = {name: [] for name in SETTINGS}
    for seed in range(n_seeds):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, train_size=N_TRAIN, stratify=y, random_state=seed
        )
        for name, options in SETTINGS.items():
            augment = None if options is None else ImageAugmenter((8, 8), **options)
            model = DNNClassifier(
                hidden_layer_sizes=(128, 64),
                batch_size=32,
                max_iter=epochs,
                n_iter_no_change=epochs,  # same number of epochs for all
                augment=augment,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            scores[name].append(model.score(X_test, y_test))

    print(
        f"Test accuracy on digits, {N_TRAIN} training examples, "
        f"{epochs} epochs, {n_seeds} seeds (mean +- std)"
    )
    baseline = np.array(scores["none"])
    for name, values in scores.items():
        values = np.array(values)
        line = f"  {name:<20} {values.mean():.4f} +- {values.std():.4f}"
        if name != "none":
            gain = values - baseline
            line += (
                f"   gain {gain.mean():+.4f} +- {gain.std():.4f}"
                f"  (better on {(gain > 0).sum()}/{n_seeds} seeds)"
            )
        print(line)


def cost_table(repeat):
    X, y = load_digits(return_X_y=True)
    images = ndimage.zoom(X.reshape(-1, 8, 8) / 16.0, (1, 3.5, 3.5), order=1)
    X28 = images.reshape(len(X), 28 * 28)
    n_batches = 7  # 7 * 256 = 1792 of the 1797 digits
    rng = np.random.RandomState(0)
    print(
        "\nCost of augmenting a batch of 256 images of 28x28, relative to one "
        "training step\n(forward, backward and Adam update of hidden (256, 128)) "
        f"on that batch; best of {repeat}, timed in turns"
    )
    # The training step is BLAS; the augmenter is single-threaded scipy.
    blas = [
        f"{info['internal_api']} {info['num_threads']} thread(s)"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]
    print(f"  BLAS: {', '.join(blas) or 'unknown'}")
    for dtype in (np.float64, np.float32):
        X_train = X28[: 256 * n_batches].astype(dtype)
        y_train = y[: 256 * n_batches]
        batch = X_train[:256]
        model = DNNClassifier(
            hidden_layer_sizes=(256, 128), batch_size=256, random_state=0
        )
        model.partial_fit(X_train, y_train, classes=np.arange(10))
        augmenters = {
            name: ImageAugmenter((28, 28), **options)
            for name, options in COST_SETTINGS.items()
        }
        best = dict.fromkeys(["step", *augmenters], np.inf)
        # Taking turns spreads the other jobs' load over every measurement.
        for _ in range(repeat):
            start = time.perf_counter()
            # One epoch of n_batches steps, plus partial_fit's input checks.
            model.partial_fit(X_train, y_train)
            best["step"] = min(best["step"], (time.perf_counter() - start) / n_batches)
            for name, augmenter in augmenters.items():
                start = time.perf_counter()
                augmenter.augment(batch, rng)
                best[name] = min(best[name], time.perf_counter() - start)
        step = best["step"]
        print(f"  {np.dtype(dtype).name}: one training step {step * 1e3:.1f} ms")
        for name in augmenters:
            print(
                f"    {name:<24} {best[name] * 1e3:7.2f} ms"
                f"  = {best[name] / step:5.2f} x a training step"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20, help="timing repeats")
    args = parser.parse_args()
    accuracy_table(args.seeds, args.epochs)
    cost_table(args.repeat)


if __name__ == "__main__":
    main()
