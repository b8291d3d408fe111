"""The same data, parameters and random_state give bit-identical models.

Within one process (two fits, clone + fit, fit after another fit) and across
processes (a fresh interpreter runs the same script; the SHA-256 of the
weights' bytes must match), with dropout, augmentation, early stopping,
shuffling, sparse and float32 input.
"""

import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_dnn import DNNClassifier, DNNRegressor, ImageAugmenter

# name -> (estimator class name, parameters, data kind).  The parameters are
# plain literals so the subprocess script can rebuild them from JSON.
CONFIGS = {
    "adam": ("DNNClassifier", {}, "dense"),
    "sgd-nesterov-invscaling": (
        "DNNClassifier",
        {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.1},
        "dense",
    ),
    "lbfgs": ("DNNClassifier", {"solver": "lbfgs"}, "dense"),
    "dropout": ("DNNClassifier", {"keep_prob": [0.6, 0.8]}, "dense"),
    "dropout-early-stopping": (
        "DNNClassifier",
        {"keep_prob": 0.7, "early_stopping": True, "validation_fraction": 0.2},
        "dense",
    ),
    "augment": ("DNNClassifier", {"augment": "image"}, "dense"),
    "augment-dropout-clipping": (
        "DNNClassifier",
        {"augment": "image", "keep_prob": 0.8, "max_grad_norm": 0.5},
        "dense",
    ),
    "sparse": ("DNNClassifier", {"keep_prob": 0.8}, "sparse"),
    "float32": ("DNNClassifier", {"keep_prob": 0.8}, "float32"),
    "regressor-elasticnet": (
        "DNNRegressor",
        {"penalty": "elasticnet", "alpha": 0.1, "keep_prob": 0.9},
        "dense",
    ),
}

COMMON = {
    "hidden_layer_sizes": [12, 6],
    "max_iter": 15,
    "batch_size": 32,
    "learning_rate_init": 0.01,
    "random_state": 7,
}

# The script both this process and a fresh interpreter run: build the data and
# the estimator from a config, fit, and print the hash of the fitted weights.
SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys, warnings
    import numpy as np
    import scipy.sparse as sp
    from sklearn_dnn import DNNClassifier, DNNRegressor, ImageAugmenter

    def make(config):
        cls_name, params, kind = config
        params = dict(params)
        if params.get("augment") == "image":
            params["augment"] = ImageAugmenter(
                (4, 4), max_shift=1, max_rotation=10.0, noise_std=0.05
            )
        rng = np.random.RandomState(0)
        X = rng.rand(120, 16)
        y = (X[:, :8].sum(axis=1) > X[:, 8:].sum(axis=1)).astype(int)
        if cls_name == "DNNRegressor":
            y = X[:, 0] - 2 * X[:, 1]
        if kind == "sparse":
            X[X < 0.5] = 0
            X = sp.csr_matrix(X)
        elif kind == "float32":
            X = X.astype(np.float32)
        cls = {"DNNClassifier": DNNClassifier, "DNNRegressor": DNNRegressor}
        return cls[cls_name](**params), X, y

    def weights_hash(est):
        digest = hashlib.sha256()
        for array in [*est.coefs_, *est.intercepts_, est.loss_curve_]:
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def fit_hash(config):
        est, X, y = make(config)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        return weights_hash(est)

    if __name__ == "__main__":
        configs = json.loads(sys.stdin.read())
        print(json.dumps({name: fit_hash(c) for name, c in configs.items()}))
    """
)

_namespace = {"__name__": "sklearn_dnn_repro"}
exec(compile(SCRIPT, "<reproducibility script>", "exec"), _namespace)
make, weights_hash, fit_hash = (
    _namespace["make"],
    _namespace["weights_hash"],
    _namespace["fit_hash"],
)


def _config(name):
    cls_name, params, kind = CONFIGS[name]
    return cls_name, {**COMMON, **params}, kind


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _assert_bit_identical(a, b):
    assert len(a.coefs_) == len(b.coefs_)
    for x, y in zip([*a.coefs_, *a.intercepts_], [*b.coefs_, *b.intercepts_]):
        assert x.dtype == y.dtype
        assert x.tobytes() == y.tobytes()
    assert a.loss_curve_.tobytes() == b.loss_curve_.tobytes()
    assert a.n_iter_ == b.n_iter_


@pytest.mark.parametrize("name", CONFIGS)
def test_two_fits_in_one_process_are_bit_identical(name):
    first, X, y = make(_config(name))
    second, _, _ = make(_config(name))
    _assert_bit_identical(_fit(first, X, y), _fit(second, X, y))


@pytest.mark.parametrize("name", CONFIGS)
def test_clone_then_fit_equals_fit(name):
    est, X, y = make(_config(name))
    fitted = _fit(est, X, y)
    _assert_bit_identical(_fit(clone(fitted), X, y), fitted)


@pytest.mark.parametrize("name", ["adam", "dropout", "augment"])
def test_refitting_the_same_estimator_gives_the_same_weights(name):
    est, X, y = make(_config(name))
    first = [W.copy() for W in _fit(est, X, y).coefs_]
    _fit(est, X[::-1], y[::-1])  # something else in between
    _fit(est, X, y)
    for W_first, W in zip(first, est.coefs_):
        assert W_first.tobytes() == W.tobytes()


def test_different_random_states_give_different_weights():
    # The comparison above must be able to fail.
    a, X, y = make(_config("dropout"))
    b = clone(a).set_params(random_state=8)
    assert _fit(a, X, y).coefs_[0].tobytes() != _fit(b, X, y).coefs_[0].tobytes()


def test_weights_are_bit_identical_across_processes():
    configs = {name: _config(name) for name in CONFIGS}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(configs),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    other_process = json.loads(result.stdout)
    this_process = {name: fit_hash(config) for name, config in configs.items()}
    assert other_process == this_process


def test_partial_fit_sequences_are_bit_identical():
    est, X, y = make(_config("dropout"))
    twin = clone(est)
    for model in (est, twin):
        for start in range(0, 120, 40):
            model.partial_fit(X[start : start + 40], y[start : start + 40], [0, 1])
    _assert_bit_identical(est, twin)


def test_hash_covers_every_layer():
    est, X, y = make(_config("adam"))
    _fit(est, X, y)
    before = weights_hash(est)
    est.intercepts_[-1][0] = np.nextafter(est.intercepts_[-1][0], np.inf)
    assert weights_hash(est) != before


def test_augmenter_and_dropout_draw_from_the_fit_random_state():
    # Passing an ImageAugmenter with its own random_state does not make the
    # training depend on anything but the estimator's random_state.
    X = np.random.RandomState(1).rand(60, 16)
    y = np.arange(60) % 2
    params = {**COMMON, "keep_prob": 0.8}
    a = DNNClassifier(augment=ImageAugmenter((4, 4), max_shift=1), **params)
    b = DNNClassifier(augment=ImageAugmenter((4, 4), max_shift=1), **params)
    _assert_bit_identical(_fit(a, X, y), _fit(b, X, y))
    c = DNNClassifier(augment=ImageAugmenter((4, 4), max_shift=1, random_state=5))
    _assert_bit_identical(_fit(c.set_params(**params), X, y), a)


def test_sparse_csr_and_csc_inputs_train_identically():
    X = np.random.RandomState(2).rand(60, 5)
    X[X < 0.5] = 0
    y = X[:, 0] - X[:, 1]
    a = _fit(DNNRegressor(**COMMON), sp.csr_matrix(X), y)
    b = _fit(DNNRegressor(**COMMON), sp.csc_matrix(X), y)
    _assert_bit_identical(a, b)
