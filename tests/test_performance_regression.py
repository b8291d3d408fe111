"""Speed work on the training loop must not cost accuracy or precision.

The expected scores and final costs below were measured on the code *before*
the training loop was optimised (fixed seeds, digits data).  Optimisations may
change the rounding of a sum (a bias gradient as a product with a row of ones
instead of ``np.sum``), so costs are compared to a relative tolerance, and the
test score may not drop by more than one test example.

float32 input must be trained in float32 from end to end: every buffer of the
network and the optimizer, the fitted attributes and the predictions keep the
dtype, and the epoch loop creates no float64 array the size of the weights
(checked with the peak of traced memory between executed lines).
No test here asserts on time; timings live in ``benchmarks/``.
"""

import sys
import threading
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_dnn import DNNClassifier, DNNRegressor
from sklearn_dnn._engine import training as _training
from sklearn_dnn._engine.network import Network

# One test example of the 540 in the digits test split.
ONE_EXAMPLE = 1 / 540
LOSS_RTOL = 1e-3

# name -> (parameters, (test score, final training cost) measured before the
# optimisation, identical for float64 and float32 to the digits shown).
CONFIGS = {
    "adam-relu": (
        {"hidden_layer_sizes": (64,)},
        (0.9388888888888889, 0.29209890223660057),
    ),
    "adam-deep-l2-dropout": (
        {"hidden_layer_sizes": (64, 32), "alpha": 1e-3, "keep_prob": 0.9},
        (0.9425925925925925, 0.32361123592930113),
    ),
    "sgd-nesterov-tanh": (
        {
            "hidden_layer_sizes": (64,),
            "activation": "tanh",
            "solver": "sgd",
            "learning_rate_init": 0.1,
        },
        (0.9777777777777777, 0.05600954102385634),
    ),
    "adam-elasticnet-clipped": (
        {
            "hidden_layer_sizes": (32,),
            "penalty": "elasticnet",
            "alpha": 1e-2,
            "max_grad_norm": 1.0,
            "batch_size": 64,
        },
        (0.9592592592592593, 0.20401563752984198),
    ),
    "adam-leaky-relu-weighted": (
        {"hidden_layer_sizes": (32, 16), "activation": "leaky_relu"},
        (0.9111111111111111, 0.45937715333966583),
    ),
    "adam-logistic": (
        {
            "hidden_layer_sizes": (32,),
            "activation": "logistic",
            "learning_rate_init": 0.01,
        },
        (0.9629629629629629, 0.13230060271741206),
    ),
}

# The costs were measured with the initialization init="auto" gave then (He
# for relu/leaky_relu, Xavier otherwise); the configurations keep it.
for _params, _ in CONFIGS.values():
    _relu = _params.get("activation", "relu") in ("relu", "leaky_relu")
    _params.setdefault("init", "he" if _relu else "xavier")


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def _fit_quietly(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


def _assert_no_regression(score, loss, expected):
    expected_score, expected_loss = expected
    assert score >= expected_score - ONE_EXAMPLE - 1e-12
    assert loss == pytest.approx(expected_loss, rel=LOSS_RTOL)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_seeded_digits_fit_keeps_its_accuracy(digits_split, name, dtype):
    X_train, X_test, y_train, y_test = digits_split
    params, expected = CONFIGS[name]
    sample_weight = (
        np.linspace(0.5, 1.5, len(y_train)) if name.endswith("weighted") else None
    )
    clf = DNNClassifier(max_iter=30, random_state=0, **params)
    _fit_quietly(clf, X_train.astype(dtype), y_train, sample_weight=sample_weight)
    assert clf.n_iter_ == 30
    score = clf.score(X_test.astype(dtype), y_test)
    _assert_no_regression(score, clf.loss_, expected)


def test_seeded_sparse_fit_keeps_its_accuracy(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    clf = DNNClassifier(
        hidden_layer_sizes=(64,), max_iter=30, random_state=0, init="he"
    )
    _fit_quietly(clf, sp.csr_matrix(X_train), y_train)
    score = clf.score(sp.csr_matrix(X_test), y_test)
    _assert_no_regression(score, clf.loss_, CONFIGS["adam-relu"][1])


def test_seeded_binary_fit_keeps_its_accuracy(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    clf = DNNClassifier(
        hidden_layer_sizes=(32,), max_iter=30, random_state=0, init="he"
    )
    _fit_quietly(clf, X_train, y_train >= 5)
    score = clf.score(X_test, y_test >= 5)
    _assert_no_regression(score, clf.loss_, (0.9111111111111111, 0.2948799675875864))


def test_seeded_regression_fit_keeps_its_accuracy():
    X, y = make_regression(400, 10, noise=1.0, random_state=0)
    y = y / 100
    reg = DNNRegressor(
        hidden_layer_sizes=(32,),
        max_iter=50,
        random_state=0,
        learning_rate_init=0.01,
        init="he",
    )
    _fit_quietly(reg, X[:300], y[:300])
    score = reg.score(X[300:], y[300:])
    assert score >= 0.9775260758276417 - 1e-3
    # Measured again when the output bias started at the mean target
    # (0.01756629666416628 with a zero start).
    assert reg.loss_ == pytest.approx(0.01762695391404529, rel=LOSS_RTOL)


# -- float32 from end to end ---------------------------------------------------

FLOAT32_CASES = {
    "adam": {},
    "sgd": {"solver": "sgd", "learning_rate_init": 0.05},
    "adam-dropout-clip-early-stopping": {
        "keep_prob": 0.8,
        "max_grad_norm": 1.0,
        "alpha": 1e-2,
        "early_stopping": True,
        "validation_fraction": 0.25,
    },
    "sgd-elasticnet": {
        "solver": "sgd",
        "penalty": "elasticnet",
        "alpha": 1e-2,
        "learning_rate": "invscaling",
    },
}


def _arrays_in(obj):
    """Every ndarray held by ``obj``'s attributes, directly or in a list."""
    for name, value in vars(obj).items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, np.ndarray):
                yield name, item


@pytest.mark.parametrize("case", list(FLOAT32_CASES))
def test_float32_fit_keeps_every_buffer_in_float32(monkeypatch, case):
    seen = []
    original = Network.cost_and_grad

    def checked_cost_and_grad(net, X, Y, sample_weight=None, rng=None):
        J = original(net, X, Y, sample_weight, rng)
        seen.extend(
            (name, array.dtype)
            for name, array in _arrays_in(net)
            if array.dtype.kind == "f"
        )
        return J

    monkeypatch.setattr(Network, "cost_and_grad", checked_cost_and_grad)
    X, y = load_digits(return_X_y=True)
    X = (X[:300] / 16.0).astype(np.float32)
    clf = DNNClassifier(
        hidden_layer_sizes=(16, 8), max_iter=3, random_state=0, **FLOAT32_CASES[case]
    )
    _fit_quietly(clf, X, y[:300])

    assert seen, "the training loop never computed a gradient"
    assert {dtype for _, dtype in seen} == {np.dtype(np.float32)}, seen
    assert all(W.dtype == np.float32 for W in clf.coefs_)
    assert all(b.dtype == np.float32 for b in clf.intercepts_)
    optimizer_arrays = list(_arrays_in(clf._optimizer))
    assert optimizer_arrays
    assert all(a.dtype == np.float32 for _, a in optimizer_arrays), optimizer_arrays
    assert clf.predict_proba(X).dtype == np.float32
    assert np.isfinite(clf.loss_)


def test_float32_regressor_predicts_in_float32():
    X, y = make_regression(100, 5, random_state=0)
    X = X.astype(np.float32)
    reg = DNNRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    _fit_quietly(reg, X, y / 100)
    assert all(W.dtype == np.float32 for W in reg.coefs_)
    assert reg.predict(X).dtype == np.float32


class _TransientMemoryProbe:
    """Largest growth of traced memory between two executed lines.

    Between two line events of the traced code, the peak of traced memory
    above the memory at the first event is what that stretch allocated at
    once, temporaries included; the probe keeps the largest such growth.
    """

    def __init__(self):
        self.largest = 0
        self._start = 0

    def _on_event(self, frame, event, arg):
        current, peak = tracemalloc.get_traced_memory()
        self.largest = max(self.largest, peak - self._start)
        tracemalloc.reset_peak()
        self._start = current
        return self._on_event

    def run(self, function, *args, **kwargs):
        tracemalloc.start()
        self._start = tracemalloc.get_traced_memory()[0]
        sys.settrace(self._on_event)
        try:
            return function(*args, **kwargs)
        finally:
            sys.settrace(None)
            tracemalloc.stop()


def _largest_training_allocation(monkeypatch, dtype, params):
    """Fit a net whose first weight matrix dominates memory; return the
    largest allocation made at once inside the epoch loop, and that matrix's
    size."""
    probe = _TransientMemoryProbe()
    original = _training.run_epochs

    def probed_run_epochs(*args, **kwargs):
        return probe.run(original, *args, **kwargs)

    monkeypatch.setattr(_training, "run_epochs", probed_run_epochs)
    rng = np.random.RandomState(0)
    X = rng.rand(64, 400).astype(dtype)
    y = np.arange(64) % 10
    clf = DNNClassifier(
        hidden_layer_sizes=(250,), max_iter=2, batch_size=16, random_state=0, **params
    )
    _fit_quietly(clf, X, y)
    return probe.largest, clf.coefs_[0].size


@pytest.mark.parametrize("case", list(FLOAT32_CASES))
def test_float32_training_loop_creates_no_float64_weight_sized_array(monkeypatch, case):
    # The first weight matrix has 100,000 entries; the whole parameter vector
    # 102,760.  A float32 copy of all parameters takes 411 kB, a float64 copy
    # of the first matrix alone 800 kB: no stretch of the float32 epoch loop
    # may allocate that much at once.  (The initial weights are drawn once
    # before the loop, in float64 as numpy's RandomState draws them.)
    largest, n_weights = _largest_training_allocation(
        monkeypatch, np.float32, FLOAT32_CASES[case]
    )
    assert largest < 0.9 * 8 * n_weights, (largest, 8 * n_weights)


# -- BLAS threads ----------------------------------------------------------------


def _blas_threads():
    return min(
        lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
    )


def _blas_threads_seen_by_training(monkeypatch, n_features, hidden, in_thread=False):
    seen = []
    original = Network.cost_and_grad

    def spy(net, X, Y, sample_weight=None, rng=None):
        if not seen:
            seen.append(_blas_threads())
        return original(net, X, Y, sample_weight, rng)

    monkeypatch.setattr(Network, "cost_and_grad", spy)
    rng = np.random.RandomState(0)
    X, y = rng.rand(200, n_features), np.arange(200) % 3
    clf = DNNClassifier(hidden_layer_sizes=hidden, max_iter=1, random_state=0)
    with threadpool_limits(limits=2, user_api="blas"):
        if _blas_threads() < 2:
            pytest.skip("BLAS cannot run two threads here")
        if in_thread:
            worker = threading.Thread(target=_fit_quietly, args=(clf, X, y))
            worker.start()
            worker.join()
        else:
            _fit_quietly(clf, X, y)
        after = _blas_threads()
    return seen, after


def test_small_network_trains_with_single_threaded_blas_then_restores(monkeypatch):
    # 200 x 64 x 100 multiply-adds per product: a second thread only costs.
    seen, after = _blas_threads_seen_by_training(monkeypatch, 64, (100,))
    assert seen == [1]
    assert after == 2


def test_large_network_keeps_blas_threads(monkeypatch):
    # 200 x 400 x 1000 multiply-adds: worth both threads.
    seen, after = _blas_threads_seen_by_training(monkeypatch, 400, (1000,))
    assert seen == [2]
    assert after == 2


def test_fit_in_a_worker_thread_leaves_blas_threads_alone(monkeypatch):
    # Limits are process-wide; concurrent fits would restore each other's.
    seen, after = _blas_threads_seen_by_training(
        monkeypatch, 64, (100,), in_thread=True
    )
    assert seen == [2]
    assert after == 2


# -- memory: nothing weight-sized per step ---------------------------------------

MEMORY_CASES = {
    "adam-l2": {},
    "sgd-elasticnet": {"solver": "sgd", "penalty": "elasticnet", "alpha": 1e-2},
    "rmsprop-l1": {"solver": "rmsprop", "penalty": "l1", "alpha": 1e-2},
}


@pytest.mark.parametrize("case", list(MEMORY_CASES))
def test_training_loop_allocates_nothing_weight_sized(monkeypatch, case):
    # No stretch of the epoch loop allocates even a float32 copy of the first
    # weight matrix: the optimizers use the spent gradient or a chunk-sized
    # scratch, the penalty a chunk-sized scratch.
    largest, n_weights = _largest_training_allocation(
        monkeypatch, np.float32, MEMORY_CASES[case]
    )
    assert largest < 0.5 * 4 * n_weights, (largest, 4 * n_weights)


def test_fitted_parameters_are_views_of_one_flat_vector():
    X, y = load_digits(return_X_y=True)
    clf = DNNClassifier(
        hidden_layer_sizes=(8, 4), max_iter=2, batch_norm=True, random_state=0
    )
    _fit_quietly(clf, X[:200] / 16, y[:200])
    parameters = [
        *clf.coefs_,
        *clf.intercepts_,
        *clf.batch_norm_gamma_,
        *clf.batch_norm_beta_,
    ]
    flat = parameters[0].base
    assert flat is not None and flat.ndim == 1
    assert all(p.base is flat for p in parameters)
    assert flat.size == sum(p.size for p in parameters)


def test_scale_check_makes_no_float64_copy_of_its_sample():
    from sklearn_dnn._validation import warn_if_far_from_normalized

    X = np.random.RandomState(0).rand(1000, 500).astype(np.float32)
    tracemalloc.start()
    warn_if_far_from_normalized(X, "DNNClassifier")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 0.1 * 8 * X.size, peak
