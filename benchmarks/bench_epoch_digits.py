"""Time of one training epoch: DNNClassifier against scikit-learn's MLPClassifier.

Run by hand::

    python benchmarks/bench_epoch_digits.py [--epochs 20] [--repeats 5]

Both estimators fit the scaled digits data (1,797 x 64, 10 classes) with the
same network (64 -> 100 -> 10, ReLU), Adam, mini-batches of 200, shuffling, an
L2 penalty and no early stopping, for a fixed number of epochs (``tol=0``).
The time of one epoch is the best over the repeats of fit time / epochs.  It
prints both times and their ratio, once with BLAS's default threads and once
with BLAS held to one thread.
"""

import argparse
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_dnn import DNNClassifier


def epoch_time(make, X, y, epochs, repeats):
    """Best time of one epoch over ``repeats`` fits of ``epochs`` epochs."""
    best = float("inf")
    for seed in range(repeats):
        estimator = make(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            estimator.fit(X, y)
            elapsed = time.perf_counter() - start
        assert estimator.n_iter_ == epochs
        best = min(best, elapsed / epochs)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    common = {
        "hidden_layer_sizes": (100,),
        "alpha": 1e-4,
        "batch_size": 200,
        "max_iter": args.epochs,
        "tol": 0.0,
        "n_iter_no_change": args.epochs + 1,
    }

    def ours(seed):
        return DNNClassifier(random_state=seed, **common)

    def sklearns(seed):
        return MLPClassifier(random_state=seed, **common)

    print(f"digits {X.shape}, 64-100-10 ReLU, adam, batch 200, {args.epochs} epochs")
    for label, limits in [("default BLAS threads", None), ("1 BLAS thread", 1)]:
        with threadpool_limits(limits=limits, user_api="blas"):
            t_ours = epoch_time(ours, X, y, args.epochs, args.repeats)
            t_sklearn = epoch_time(sklearns, X, y, args.epochs, args.repeats)
        print(
            f"{label:>21}: DNNClassifier {1e3 * t_ours:.2f} ms/epoch, "
            f"MLPClassifier {1e3 * t_sklearn:.2f} ms/epoch, "
            f"ratio {t_ours / t_sklearn:.2f}"
        )


if __name__ == "__main__":
    main()
