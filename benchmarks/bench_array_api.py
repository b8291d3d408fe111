"""Epoch time of the large workload on numpy, torch CPU and torch CUDA.

Run by hand (minutes; ``--quick`` takes seconds)::

    SCIPY_ARRAY_API=1 python benchmarks/bench_array_api.py [--quick]
        [--samples 60000] [--features 784] [--epochs 3] [--threads N]

The workload of DESIGN §17: 60,000 x 784 float32 inputs, 10 classes,
``hidden_layer_sizes=(256, 128)``, ``batch_size=256``, Adam.  Each backend
fits ``DNNClassifier`` for ``--epochs`` epochs (after a one-epoch warm-up)
and prints the time per epoch; scikit-learn's ``MLPClassifier`` runs the same
epochs in the same run, as the reference.  torch runs through scikit-learn's
array API dispatch (``sklearn.set_config(array_api_dispatch=True)``), which
needs ``SCIPY_ARRAY_API=1`` before scipy is imported: the script sets it.
torch CUDA runs only where ``torch.cuda.is_available()``; the backends that
are not available are listed as skipped.

Each torch device also runs a plain torch loop over the same network (the
same layers, ReLU, softmax cross-entropy with the same L2 penalty on the
weights, ``torch.optim.Adam``, shuffled batches; autograd for the gradient),
and the script prints the ratio of ``DNNClassifier``'s epoch time to it: the
overhead of the estimator's array path over what a torch user would write.
``--threads N`` sets ``torch.set_num_threads(N)`` (one thread gives the
steadiest ratio on a shared machine).
"""

import argparse
import os
import time
import warnings

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from sklearn_dnn import DNNClassifier  # noqa: E402

PARAMS = {
    "hidden_layer_sizes": (256, 128),
    "batch_size": 256,
    "solver": "adam",
    "tol": 0.0,
    "n_iter_no_change": 10**6,
    "random_state": 0,
}


def torch_devices(torch=None):
    """The torch devices to benchmark: ``"cpu"``, and ``"cuda"`` where a
    GPU is available; an empty list without torch.

    ``torch`` is the module (imported when None), so the choice can be tested
    with a stand-in.
    """
    if torch is None:
        try:
            import torch
        except ImportError:
            return []
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    return devices


def make_data(n_samples, n_features, seed=0):
    """Float32 inputs of unit scale and 10 classes, learnable."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    W = rng.normal(size=(n_features, 10))
    y = np.argmax(X @ W + rng.normal(size=(n_samples, 10)), axis=1)
    return X, y


def _synchronize(device):
    if device == "cuda":
        import torch

        torch.cuda.synchronize()


def epoch_time(make_estimator, X, y, epochs, device=None):
    """Seconds per epoch of ``epochs`` epochs, after a one-epoch warm-up."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        make_estimator(1).fit(X, y)
        _synchronize(device)
        start = time.perf_counter()
        make_estimator(epochs).fit(X, y)
        _synchronize(device)
    return (time.perf_counter() - start) / epochs


def plain_torch_epoch_time(X, y, epochs, device):
    """Seconds per epoch of a plain torch loop on the same network, after a
    one-epoch warm-up (``X``, ``y``: torch tensors on ``device``)."""
    import torch

    def train(n_epochs):
        torch.manual_seed(0)
        widths = [X.shape[1], *PARAMS["hidden_layer_sizes"], 10]
        layers = []
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1]).to(device=device, dtype=X.dtype)
        weights = [layer.weight for layer in model if hasattr(layer, "weight")]
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        alpha, batch_size = 1e-4, PARAMS["batch_size"]
        for _ in range(n_epochs):
            order = torch.randperm(X.shape[0], device=device)
            for start in range(0, X.shape[0], batch_size):
                rows = order[start : start + batch_size]
                loss = torch.nn.functional.cross_entropy(model(X[rows]), y[rows])
                penalty = sum(torch.sum(W * W) for W in weights)
                loss = loss + alpha / (2 * rows.shape[0]) * penalty
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    train(1)
    _synchronize(device)
    start = time.perf_counter()
    train(epochs)
    _synchronize(device)
    return (time.perf_counter() - start) / epochs


def run(n_samples, n_features, epochs):
    """Return ``{backend: seconds per epoch}`` (None for a skipped one)."""
    X, y = make_data(n_samples, n_features)
    times = {
        "MLPClassifier (numpy)": epoch_time(
            lambda n: MLPClassifier(max_iter=n, **PARAMS), X, y, epochs
        ),
        "DNNClassifier (numpy)": epoch_time(
            lambda n: DNNClassifier(max_iter=n, **PARAMS), X, y, epochs
        ),
    }
    devices = torch_devices()
    for device in ("cpu", "cuda"):
        name = f"DNNClassifier (torch {device})"
        if device not in devices:
            times[name] = None
            continue
        import torch

        X_t = torch.asarray(X, device=device)
        y_t = torch.asarray(y, device=device)
        with sklearn.config_context(array_api_dispatch=True):
            times[name] = epoch_time(
                lambda n: DNNClassifier(max_iter=n, **PARAMS), X_t, y_t, epochs, device
            )
        times[f"plain torch loop ({device})"] = plain_torch_epoch_time(
            X_t, y_t, epochs, device
        )
    return times


def overhead_ratios(times):
    """``{device: DNNClassifier's torch epoch time / the plain loop's}`` for
    the devices that ran."""
    ratios = {}
    for device in ("cpu", "cuda"):
        ours = times.get(f"DNNClassifier (torch {device})")
        plain = times.get(f"plain torch loop ({device})")
        if ours is not None and plain:
            ratios[device] = ours / plain
    return ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch.set_num_threads(N)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="2,000 x 784, one epoch: a smoke run"
    )
    args = parser.parse_args(argv)
    if args.threads is not None and torch_devices():
        import torch

        torch.set_num_threads(args.threads)
    if args.quick:
        args.samples, args.epochs = 2_000, 1
    print(
        f"{args.samples} x {args.features}, (256, 128), batch 256, Adam, "
        f"{args.epochs} epoch(s) after a warm-up"
    )
    times = run(args.samples, args.features, args.epochs)
    for name, seconds in times.items():
        shown = "skipped (not available)" if seconds is None else f"{seconds:.3f} s"
        print(f"{name:28s} {shown}")
    for device, ratio in overhead_ratios(times).items():
        print(f"torch {device}: DNNClassifier / plain torch loop = {ratio:.3f}")
    return times


if __name__ == "__main__":
    main()
