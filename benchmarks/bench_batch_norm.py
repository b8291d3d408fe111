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

The per-epoch cost is the best over ``--repeats`` fits of 10 epochs
(``tol=0``) of fit time / epochs, with batch norm against without, fits with
and without it interleaved (the machine's load moves both alike).  A second
table gives the same ratio for a wider network (4 x 256 ReLU, batch 128), where
the products weigh more against batch norm's elementwise passes.
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


WIDE = {"hidden_layer_sizes": (256,) * 4, "batch_size": 128}


def make(config, batch_norm, seed, **params):
    settings = {"hidden_layer_sizes": HIDDEN, "batch_size": 64, **CONFIGS[config]}
    return DNNClassifier(
        batch_norm=batch_norm, random_state=seed, **{**settings, **params}
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


def epoch_costs(config, X, y, epochs, repeats, **params):
    """Best seconds per epoch without and with batch norm, interleaved."""
    best = {False: float("inf"), True: float("inf")}
    for seed in range(repeats):
        for batch_norm in (False, True):
            est = make(config, batch_norm, seed, max_iter=epochs, tol=0.0, **params)
            start = time.perf_counter()
            est.fit(X, y)
            elapsed = (time.perf_counter() - start) / epochs
            best[batch_norm] = min(best[batch_norm], elapsed)
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
        "| network (8 x 64) | batch norm | epochs to 95% | seconds to 95% | "
        "training accuracy at stop | ms per epoch | cost ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for config in CONFIGS:
        costs = epoch_costs(config, X, y, 10, args.repeats)
        for bn in (False, True):
            epochs, seconds, accuracy = to_target(config, bn, X, y, args.max_epochs)
            reached = f"{epochs}" if epochs else f"not in {args.max_epochs}"
            ratio = f"{costs[True] / costs[False]:.2f}x" if bn else ""
            print(
                f"| {config} | {'yes' if bn else 'no'} | {reached} | {seconds:.2f} | "
                f"{accuracy:.3f} | {1000 * costs[bn]:.1f} | {ratio} |"
            )
    costs = epoch_costs("relu, adam", X, y, 10, args.repeats, **WIDE)
    print(
        f"\nwide (4 x 256, batch 128), relu, adam: {1000 * costs[False]:.1f} ms "
        f"per epoch without, {1000 * costs[True]:.1f} ms with batch norm "
        f"({costs[True] / costs[False]:.2f}x)"
    )


if __name__ == "__main__":
    main()
