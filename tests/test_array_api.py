"""Array API dispatch (DESIGN §17): InputNormalizer, DNNClassifier and
DNNRegressor train and predict in the input's namespace, on its device.

scikit-learn's dispatch needs ``SCIPY_ARRAY_API=1`` before scipy is first
imported; the project's ``conftest.py`` sets it, and the tests are skipped
where scipy was imported without it (or where neither ``array_api_strict``
nor ``torch`` is installed).
"""

import os

import numpy as np
import pytest
import sklearn
from sklearn.utils.estimator_checks import check_array_api_input

from sklearn_dnn import InputNormalizer

NAMESPACES = []
for _name in ("array_api_strict", "torch"):
    try:
        __import__(_name)
    except ImportError:
        continue
    NAMESPACES.append(_name)

pytestmark = [
    pytest.mark.full,
    pytest.mark.skipif(not NAMESPACES, reason="no array API library installed"),
    pytest.mark.skipif(
        os.environ.get("SCIPY_ARRAY_API") != "1",
        reason="SCIPY_ARRAY_API=1 was not set before scipy was imported",
    ),
]


def _namespace_and_device(name):
    if name == "torch":
        return "torch", "cpu"
    return name, None


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_input_normalizer_array_api_input(namespace, dtype_name):
    xp_name, device = _namespace_and_device(namespace)
    check_array_api_input(
        "InputNormalizer",
        InputNormalizer(),
        array_namespace=xp_name,
        device_name=device,
        dtype_name=dtype_name,
    )


def test_input_normalizer_tag():
    assert InputNormalizer().__sklearn_tags__().array_api_support


# -- the estimators --------------------------------------------------------


import warnings  # noqa: E402

from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from sklearn_dnn import DNNClassifier, DNNRegressor  # noqa: E402
from sklearn_dnn._compat import get_namespace_and_device  # noqa: E402
from sklearn_dnn._engine.activations import HIDDEN_ACTIVATIONS  # noqa: E402
from sklearn_dnn._engine.array_network import ArrayNetwork, to_numpy  # noqa: E402
from sklearn_dnn._engine.array_ops import array_namespace  # noqa: E402
from sklearn_dnn._engine.network import Network  # noqa: E402

SMALL = {
    "hidden_layer_sizes": (8, 6),
    "max_iter": 8,
    "random_state": 0,
    "batch_size": 16,
}


def _xp(namespace):
    if namespace == "torch":
        import torch

        return torch
    import array_api_strict

    return array_api_strict


def _move(namespace, array):
    return None if array is None else _xp(namespace).asarray(array)


@pytest.fixture
def dispatch():
    with sklearn.config_context(array_api_dispatch=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            yield


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize(
    "estimator",
    [DNNClassifier(**SMALL), DNNRegressor(**SMALL)],
    ids=["DNNClassifier", "DNNRegressor"],
)
def test_estimators_array_api_input(estimator, namespace, dtype_name):
    xp_name, device = _namespace_and_device(namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check_array_api_input(
            type(estimator).__name__,
            estimator,
            array_namespace=xp_name,
            device_name=device,
            dtype_name=dtype_name,
        )


def test_estimator_tags():
    assert DNNClassifier().__sklearn_tags__().array_api_support
    assert DNNRegressor().__sklearn_tags__().array_api_support


X_CLF, Y_CLF = make_classification(120, 6, n_informative=4, n_classes=3, random_state=0)
X_REG, Y_REG = make_regression(120, 6, n_targets=2, random_state=0)
Y_REG = Y_REG / 100

CASES = {
    "adam": {},
    "sgd": {"solver": "sgd", "learning_rate_init": 0.05},
    "sgd-plain": {"solver": "sgd", "momentum": 0.0, "learning_rate": "invscaling"},
    "rmsprop": {"solver": "rmsprop", "learning_rate": "inverse_time"},
    "batch_norm": {"batch_norm": True},
    "l1": {"penalty": "l1", "alpha": 0.05},
    "elasticnet": {"penalty": "elasticnet", "alpha": 0.05},
    "clipped": {"max_grad_norm": 0.5},
    "early_stopping": {"early_stopping": True, "n_iter_no_change": 2},
    "no_shuffle": {"shuffle": False, "activation": "tanh"},
    "logistic": {"activation": "logistic", "batch_norm": True},
}


def _assert_same_fit(numpy_est, array_est, atol=1e-10):
    for name in ("coefs_", "intercepts_"):
        for a, b in zip(getattr(numpy_est, name), getattr(array_est, name)):
            np.testing.assert_allclose(to_numpy(b), a, rtol=0, atol=atol)
    np.testing.assert_allclose(
        to_numpy(array_est.loss_curve_), numpy_est.loss_curve_, rtol=1e-10
    )
    assert array_est.n_iter_ == numpy_est.n_iter_


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_classifier_matches_numpy(namespace, case, dispatch):
    params = {**SMALL, **CASES[case]}
    weights = np.linspace(0.5, 1.5, len(Y_CLF)) if case == "sgd" else None
    expected = DNNClassifier(**params).fit(X_CLF, Y_CLF, sample_weight=weights)
    X = _move(namespace, X_CLF)
    est = DNNClassifier(**params).fit(
        X, _move(namespace, Y_CLF), sample_weight=_move(namespace, weights)
    )
    _assert_same_fit(expected, est)
    np.testing.assert_allclose(
        to_numpy(est.predict_proba(X)), expected.predict_proba(X_CLF), atol=1e-10
    )
    np.testing.assert_array_equal(to_numpy(est.predict(X)), expected.predict(X_CLF))
    assert type(est.predict(X)) is type(X)
    assert type(est.coefs_[0]) is type(X)
    assert type(est.loss_curve_) is type(X)


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_matches_numpy(namespace, loss, dispatch):
    y = np.abs(Y_REG) if loss == "poisson" else Y_REG
    params = {**SMALL, "loss": loss, "batch_norm": loss == "poisson"}
    expected = DNNRegressor(**params).fit(X_REG, y)
    X = _move(namespace, X_REG)
    est = DNNRegressor(**params).fit(X, _move(namespace, y))
    _assert_same_fit(expected, est)
    np.testing.assert_allclose(
        to_numpy(est.predict(X)), expected.predict(X_REG), atol=1e-10
    )
    assert est.score(X, _move(namespace, y)) == pytest.approx(
        expected.score(X_REG, y), abs=1e-8
    )


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_partial_fit_and_dev_set_match_numpy(namespace, dispatch):
    expected = DNNClassifier(**SMALL)
    est = DNNClassifier(**SMALL)
    classes = np.unique(Y_CLF)
    X, y = _move(namespace, X_CLF), _move(namespace, Y_CLF)
    for _ in range(3):
        expected.partial_fit(X_CLF, Y_CLF, classes=classes)
        est.partial_fit(X, y, classes=classes)
    _assert_same_fit(expected, est)
    params = {**SMALL, "early_stopping": True, "n_iter_no_change": 3}
    expected = DNNClassifier(**params).fit(
        X_CLF[:80], Y_CLF[:80], X_val=X_CLF[80:], y_val=Y_CLF[80:]
    )
    est = DNNClassifier(**params).fit(
        X[:80, ...], y[:80], X_val=X[80:, ...], y_val=y[80:]
    )
    _assert_same_fit(expected, est)
    assert est.best_epoch_ == expected.best_epoch_
    np.testing.assert_allclose(
        to_numpy(est.validation_scores_), expected.validation_scores_
    )


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_dropout_trains_on_the_device(namespace, dispatch):
    params = {**SMALL, "keep_prob": 0.8, "max_iter": 30}
    X, y = _move(namespace, X_CLF), _move(namespace, Y_CLF)
    first = DNNClassifier(**params).fit(X, y)
    again = DNNClassifier(**params).fit(X, y)
    curve = to_numpy(first.loss_curve_)
    np.testing.assert_array_equal(curve, to_numpy(again.loss_curve_))
    assert curve[-1] < curve[0]
    numpy_curve = DNNClassifier(**params).fit(X_CLF, Y_CLF).loss_curve_
    # Other masks, the same statistics: the costs end up close.
    assert abs(curve[-1] - numpy_curve[-1]) < 0.25 * numpy_curve[-1]


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_numpy_only_settings_raise_clearly(namespace, dispatch):
    X, y = _move(namespace, X_CLF), _move(namespace, Y_CLF)
    with pytest.raises(ValueError, match="lbfgs.*numpy arrays only"):
        DNNClassifier(solver="lbfgs").fit(X, y)

    class Flip:
        def augment(self, X, random_state):
            return X

    with pytest.raises(ValueError, match="augment works on numpy"):
        DNNClassifier(augment=Flip()).fit(X, y)


def test_sparse_input_under_dispatch_stays_numpy(dispatch):
    import scipy.sparse as sp

    est = DNNClassifier(**SMALL).fit(sp.csr_matrix(X_CLF), Y_CLF)
    assert isinstance(est.coefs_[0], np.ndarray)


def test_only_the_epoch_cost_comes_back_to_the_host(monkeypatch, dispatch):
    torch = pytest.importorskip("torch")
    calls = []
    for name in ("__float__", "__bool__", "item", "cpu", "__array__"):
        original = getattr(torch.Tensor, name)

        def counting(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counting)
    X, y = torch.asarray(X_CLF), torch.asarray(Y_CLF)
    params = {**SMALL, "batch_size": 10, "max_iter": 4, "tol": 0.0}
    DNNClassifier(**params).fit(X, y)
    # 12 batches a epoch: one cost per epoch (plus the gradient norms and
    # the final finiteness check), never one per batch.
    n_epochs = 4
    assert calls.count("__float__") <= n_epochs
    assert len(calls) <= 3 * n_epochs + 2


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize(
    "settings",
    [
        {"loss": "log_loss", "activation": "relu"},
        {
            "loss": "log_loss",
            "activation": "tanh",
            "batch_norm": True,
            "weighted": True,
        },
        {"loss": "binary_log_loss", "activation": "leaky_relu", "penalty": "l1"},
        {"loss": "squared_error", "activation": "logistic", "penalty": "l2"},
        {"loss": "poisson", "activation": "identity", "penalty": "elasticnet"},
    ],
)
def test_array_gradient_equals_numpy_gradient(namespace, settings):
    """The array API backprop gives the numpy gradient, which
    tests/test_network.py checks against numerical differences; a direct
    central-difference check on a few entries closes the loop."""
    settings = dict(settings)
    weighted = settings.pop("weighted", False)
    rng = np.random.RandomState(0)
    net = Network([4, 5, 3], alpha=0.3, dtype=np.float64, **settings)
    net.initialize(lambda n_in, n_out, r: r.normal(size=(n_in, n_out)), rng)
    net.theta[...] = rng.normal(size=net.n_params)
    X = rng.normal(size=(7, 4))
    Y = np.abs(rng.normal(size=(7, 3)))
    if settings["loss"] == "log_loss":
        Y = np.eye(3)[rng.randint(3, size=7)]
    elif settings["loss"] == "binary_log_loss":
        Y = (Y > 0.7).astype(float)
    sw = rng.uniform(0.5, 2, size=7) if weighted else None
    J = net.cost_and_grad(X, Y, sw)
    with sklearn.config_context(array_api_dispatch=True):
        xp, _, device = get_namespace_and_device(_xp(namespace).asarray(X))
    array_net = ArrayNetwork(net, xp, device)
    args = (xp.asarray(X), xp.asarray(Y), None if sw is None else xp.asarray(sw))
    J_xp = float(array_net.cost_and_grad(*args))
    assert J_xp == pytest.approx(J, rel=1e-12)
    np.testing.assert_allclose(to_numpy(array_net.grad), net.grad, atol=1e-12)
    theta = to_numpy(array_net.theta).copy()
    for i in range(0, net.n_params, 7):
        step = np.zeros_like(theta)
        step[i] = 1e-6
        array_net.theta = xp.asarray(theta + step)
        up = float(array_net.cost(*args))
        array_net.theta = xp.asarray(theta - step)
        down = float(array_net.cost(*args))
        assert (up - down) / 2e-6 == pytest.approx(net.grad[i], abs=1e-6)


# -- the shared formulas ------------------------------------------------------


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_activations_are_numpys_in_every_namespace(namespace, activation):
    """One formula serves both: numpy's values, and outside numpy the
    forward leaves its input as it is (the array path keeps the logits)."""
    xp = array_namespace(_move(namespace, np.zeros(1)))
    forward, backward = HIDDEN_ACTIVATIONS[activation]
    rng = np.random.RandomState(0)
    Z, delta = rng.standard_normal((2, 5, 4))
    A = forward(Z.copy())
    Z_xp = _move(namespace, Z)
    A_xp = forward(Z_xp, xp)
    np.testing.assert_array_equal(to_numpy(Z_xp), Z)
    np.testing.assert_allclose(to_numpy(A_xp), A, rtol=1e-14, atol=1e-15)
    expected = backward(A, delta.copy())
    got = backward(A_xp, _move(namespace, delta), xp)
    np.testing.assert_allclose(to_numpy(got), expected, rtol=1e-14, atol=1e-15)


# -- the benchmark ------------------------------------------------------------


def _bench_module():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "bench_array_api.py"
    spec = importlib.util.spec_from_file_location("bench_array_api", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("cuda", [False, True])
def test_benchmark_device_choice(cuda):
    from types import SimpleNamespace

    stand_in = SimpleNamespace(cuda=SimpleNamespace(is_available=lambda: cuda))
    expected = ["cpu", "cuda"] if cuda else ["cpu"]
    assert _bench_module().torch_devices(stand_in) == expected


def test_benchmark_runs_small(capsys):
    times = _bench_module().main(["--samples", "300", "--features", "12"])
    assert times["DNNClassifier (numpy)"] > 0
    assert times["MLPClassifier (numpy)"] > 0
    has_torch = "torch" in NAMESPACES
    assert (times["DNNClassifier (torch cpu)"] is not None) == has_torch
    out = capsys.readouterr().out
    assert "DNNClassifier (torch cuda)" in out
    if has_torch:
        assert times["plain torch loop (cpu)"] > 0
        assert "torch cpu: DNNClassifier / plain torch loop = " in out


# -- torch-fitted models in the checks and diagnostics (DESIGN §20) --------------


def _torch_fitted(**params):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    from sklearn.datasets import load_breast_cancer

    from sklearn_dnn import DNNClassifier

    X, y = load_breast_cancer(return_X_y=True)
    X = (X / X.max(axis=0)).astype(np.float32)
    X_t, y_t = torch.asarray(X), torch.asarray(y)
    with sklearn.config_context(array_api_dispatch=True):
        clf = DNNClassifier((8,), max_iter=5, random_state=0, **params)
        clf.fit(X_t, y_t)
    assert type(clf.coefs_[0]).__module__.startswith("torch")
    return clf, X, y, X_t, y_t


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gradient_check_of_a_torch_fitted_network_runs_on_the_host():
    from sklearn_dnn import gradient_check

    clf, X, y, X_t, y_t = _torch_fitted()
    with sklearn.config_context(array_api_dispatch=True):
        # Before: TypeError: Cannot interpret 'torch.float32' as a data type.
        result = gradient_check(clf, X_t, y_t, n_directions=3, random_state=0)
    assert result.verdict == "great"
    assert result.dtype == np.float32 and result.dtype_note
    assert type(clf.coefs_[0]).__module__.startswith("torch")  # unchanged


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dump_of_a_torch_fitted_network_saves_a_numpy_model(tmp_path):
    from sklearn_dnn.persistence import dump, load

    clf, X, y, _, _ = _torch_fitted()
    path = tmp_path / "model.skops"
    # Before: RuntimeError: Cannot directly construct TensorBase.
    dump(clf, path)
    loaded = load(path)
    assert isinstance(loaded.coefs_[0], np.ndarray)
    assert not hasattr(loaded, "_optimizer")
    with sklearn.config_context(array_api_dispatch=True):
        expected = np.asarray(clf.predict_proba(__import__("torch").asarray(X)))
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-5)
    assert type(clf.coefs_[0]).__module__.startswith("torch")  # unchanged


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_diagnostics_of_a_torch_fitted_network(pyplot):
    from sklearn_dnn import (
        BiasVarianceDisplay,
        DNNClassifier,
        LossCurveDisplay,
        diagnose_gradients,
    )

    clf, X, y, X_t, y_t = _torch_fitted()
    with sklearn.config_context(array_api_dispatch=True):
        assert diagnose_gradients(clf).plot().figure_ is not None
        assert LossCurveDisplay.from_estimator(clf).figure_ is not None
        # Before: IndexError inside the learning curve's torch fits.
        display = BiasVarianceDisplay.from_estimator(
            DNNClassifier((8,), max_iter=5, random_state=0), X_t, y_t, cv=3,
            train_sizes=[0.5, 1.0],
        )  # fmt: skip
    assert display.diagnosis is not None
