"""Batch normalization on deep networks: epochs and seconds to 95% training
accuracy, and the cost of one epoch with and without it.

Run by hand::

    python benchmarks/bench_batch_norm.py [--max-epochs 60] [--repeats 3]

Deep networks (8 hidden layers of 64 units) fit the standardized digits data
(1,797 x 64, 10 classes) with mini-batches of 64, one ``partial_fit`` epoch at
a time so the training accuracy can be read after each epoch (the scoring is
not timed).  Each configuration runs with and without ``batch_norm``:

* ``tanh, sgd``: tanh units, Xavier initialisation, plain SGD with momentum;
* ``logistic, sgd``: logistic units, a deep high-bias network (its training
  accuracy stays far from 95% for many epochs without batch norm);
* ``relu, adam``: ReLU units, He initialisation, Adam.

The per-epoch cost is the best over ``--repeats`` fits of 20 epochs
(``tol=0``) of fit time / epochs, with batch norm against without.
"""

import argparse
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import DNNClassifier

HIDDEN = (64,) * 8
CONFIGS = {
    "tanh, sgd": {"activation": "tanh", "solver": "sgd", "learning_rate_init": 0.01},
    "logistic, sgd": {
        "activation": "logistic",
        "solver": "sgd",
        "learning_rate_init": 0.01,
    },
    "relu, adam": {"activation": "relu", "solver": "adam", "learning_rate_init": 1e-3},
}


def make(config, batch_norm, seed, **params):
    return DNNClassifier(
        HIDDEN,
        batch_size=64,
        batch_norm=batch_norm,
        random_state=seed,
        **CONFIGS[config],
        **params,
    )


def to_target(config, batch_norm, X, y, max_epochs, target=0.95):
    """Return ``(epochs, seconds, final accuracy)`` to reach ``target``
    training accuracy, or ``(None, seconds, accuracy)`` if it never does."""
    est = make(config, batch_norm, 0)
    seconds, accuracy = 0.0, 0.0
    for epoch in range(1, max_epochs + 1):
        start = time.perf_counter()
        est.partial_fit(X, y, classes=range(10))
        seconds += time.perf_counter() - start
        accuracy = est.score(X, y)
        if accuracy >= target:
            return epoch, seconds, accuracy
    return None, seconds, accuracy


def epoch_cost(config, batch_norm, X, y, epochs, repeats):
    best = float("inf")
    for seed in range(repeats):
        est = make(config, batch_norm, seed, max_iter=epochs, tol=0.0)
        start = time.perf_counter()
        est.fit(X, y)
        best = min(best, (time.perf_counter() - start) / epochs)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        "| network | batch norm | epochs to 95% | seconds to 95% | accuracy "
        "at stop | ms per epoch | cost ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for config in CONFIGS:
        costs = {
            bn: epoch_cost(config, bn, X, y, 20, args.repeats) for bn in (False, True)
        }
        for bn in (False, True):
            epochs, seconds, accuracy = to_target(config, bn, X, y, args.max_epochs)
            reached = f"{epochs}" if epochs else f"not in {args.max_epochs}"
            ratio = f"{costs[True] / costs[False]:.2f}x" if bn else ""
            print(
                f"| {config} | {'yes' if bn else 'no'} | {reached} | {seconds:.2f} | "
                f"{accuracy:.3f} | {1000 * costs[bn]:.1f} | {ratio} |"
            )


if __name__ == "__main__":
    main()
