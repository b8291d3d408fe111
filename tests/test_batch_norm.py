"""Batch normalization: numpy oracles written from DESIGN.md section 11, the
gradient check, and batch norm alongside every other feature of a fit."""

import pickle
import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, make_classification, make_regression

from sklearn_dnn import (
    DNNClassifier,
    DNNRegressor,
    diagnose_gradients,
    gradient_check,
)
from sklearn_dnn._engine.network import Network
from sklearn_dnn._engine.optimizers import AdamOptimizer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

EPS = 1e-5
MOMENTUM = 0.9


# -- the oracle ----------------------------------------------------------------


def _tanh_bn_forward(params, X, stats=None):
    """Forward pass of a tanh network with a softmax output, from the formulas.

    Returns ``(output, caches, batch_stats)``; ``stats`` (one ``(mean, var)``
    per hidden layer) switches to inference.
    """
    coefs, b_out, gammas, betas = params
    A, caches, batch_stats = X, [], []
    for l, W in enumerate(coefs[:-1]):
        Z = A @ W
        if stats is None:
            mu, var = Z.mean(axis=0), Z.var(axis=0)  # biased variance
        else:
            mu, var = stats[l]
        Z_norm = (Z - mu) / np.sqrt(var + EPS)
        A = np.tanh(gammas[l] * Z_norm + betas[l])
        caches.append((Z_norm, var, A))
        batch_stats.append((mu, var))
    Z = A @ coefs[-1] + b_out
    output = np.exp(Z - Z.max(axis=1, keepdims=True))
    return output / output.sum(axis=1, keepdims=True), caches, batch_stats


def _oracle_gradients(params, X, Y):
    """dJ/dW, dJ/db_out, dJ/dgamma, dJ/dbeta by the course's backprop formulas
    (mean cross-entropy, no penalty)."""
    coefs, _, gammas, _ = params
    m = X.shape[0]
    output, caches, _ = _tanh_bn_forward(params, X)
    dZ = (output - Y) / m
    inputs = [X] + [A for _, _, A in caches]
    dW, dgamma, dbeta = [None] * len(coefs), [], []
    dW[-1], db_out = inputs[-1].T @ dZ, dZ.sum(axis=0)
    dA = dZ @ coefs[-1].T
    for l in range(len(coefs) - 2, -1, -1):
        Z_norm, var, A = caches[l]
        dZt = dA * (1 - A**2)
        dgamma.insert(0, (dZt * Z_norm).sum(axis=0))
        dbeta.insert(0, dZt.sum(axis=0))
        dZ_norm = dZt * gammas[l]
        dZ = (
            m * dZ_norm - dZ_norm.sum(axis=0) - Z_norm * (dZ_norm * Z_norm).sum(axis=0)
        ) / (m * np.sqrt(var + EPS))
        dW[l] = inputs[l].T @ dZ
        dA = dZ @ coefs[l].T
    return dW, db_out, dgamma, dbeta


def _initial_params(est, X, y):
    net, *_ = est._network_from_data(X, y)
    return (
        [W.copy() for W in net.coefs],
        net.intercepts[-1].copy(),
        [g.copy() for g in net.gammas],
        [b.copy() for b in net.betas],
    )


def _oracle_sgd(params, batches, lr, n_epochs):
    """Plain gradient descent (no momentum) over ``batches`` per epoch, with
    the running statistics updated after every step."""
    coefs, b_out, gammas, betas = params
    running = [(np.zeros(W.shape[1]), np.ones(W.shape[1])) for W in coefs[:-1]]
    for _ in range(n_epochs):
        for X, Y in batches:
            _, _, stats = _tanh_bn_forward((coefs, b_out, gammas, betas), X)
            dW, db, dgamma, dbeta = _oracle_gradients(
                (coefs, b_out, gammas, betas), X, Y
            )
            coefs = [W - lr * g for W, g in zip(coefs, dW)]
            b_out = b_out - lr * db
            gammas = [g - lr * d for g, d in zip(gammas, dgamma)]
            betas = [b - lr * d for b, d in zip(betas, dbeta)]
            running = [
                (
                    MOMENTUM * rm + (1 - MOMENTUM) * mu,
                    MOMENTUM * rv + (1 - MOMENTUM) * v,
                )
                for (rm, rv), (mu, v) in zip(running, stats)
            ]
    return (coefs, b_out, gammas, betas), running


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=30,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        random_state=0,
    )
    return X, y, np.eye(3)[y]


def _sgd_estimator(batch_size, max_iter, **params):
    settings = {
        "activation": "tanh",
        "solver": "sgd",
        "momentum": 0.0,
        "alpha": 0.0,
        "learning_rate_init": 0.5,
        "batch_size": batch_size,
        "shuffle": False,
        "max_iter": max_iter,
        "batch_norm": True,
        "random_state": 0,
    }
    return DNNClassifier((6, 4), **{**settings, **params})


def _assert_matches(est, params, running):
    coefs, b_out, gammas, betas = params
    for W, expected in zip(est.coefs_, coefs):
        np.testing.assert_allclose(W, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(est.intercepts_[-1], b_out, rtol=1e-10, atol=1e-12)
    for got, expected in zip(est.batch_norm_gamma_, gammas):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    for got, expected in zip(est.batch_norm_beta_, betas):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    for l, (mean, var) in enumerate(running):
        np.testing.assert_allclose(
            est.batch_norm_mean_[l], mean, rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(est.batch_norm_var_[l], var, rtol=1e-10, atol=1e-12)


def test_training_forward_and_gradient_match_the_formulas(data):
    X, y, Y = data
    est = _sgd_estimator(30, 1)
    params = _initial_params(est, X, y)
    net, Xv, Yv, _ = est._network_from_data(X, y)
    params[2][0][:] = [0.5, 1.5, 2.0, 1.0, 0.7, 1.2]  # gamma, beta away from 1, 0
    params[3][1][:] = [0.3, -0.2, 0.1, 0.4]
    net.set_parameters(
        params[0],
        [np.zeros(6), np.zeros(4), params[1]],
        list(zip(params[2], params[3], [0, 0], [1, 1])),
    )
    J = net.cost_and_grad(Xv, Yv)
    output, _, _ = _tanh_bn_forward(params, X)
    assert J == pytest.approx(-np.mean(np.sum(Y * np.log(output), axis=1)), rel=1e-12)
    dW, db, dgamma, dbeta = _oracle_gradients(params, X, Y)
    for got, expected in zip(net.coef_grads, dW):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(net.intercept_grads[-1], db, rtol=1e-9, atol=1e-13)
    for got, expected in zip(net.gamma_grads + net.beta_grads, dgamma + dbeta):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-13)
    # The hidden biases are not used: their gradient is exactly 0.
    assert not np.any(net.intercept_grads[0]) and not np.any(net.intercept_grads[1])


def test_one_training_step_matches_the_oracle(data):
    X, y, Y = data
    est = _sgd_estimator(30, 1)
    params = _initial_params(est, X, y)
    est.fit(X, y)
    _assert_matches(est, *_oracle_sgd(params, [(X, Y)], 0.5, 1))


def test_several_steps_and_running_statistics_match_the_oracle(data):
    X, y, Y = data
    est = _sgd_estimator(10, 3)
    params = _initial_params(est, X, y)
    est.fit(X, y)
    batches = [(X[i : i + 10], Y[i : i + 10]) for i in range(0, 30, 10)]
    expected, running = _oracle_sgd(params, batches, 0.5, 3)
    _assert_matches(est, expected, running)
    # Inference uses the running statistics, not the batch's.
    output, _, _ = _tanh_bn_forward(expected, X[:7], stats=running)
    np.testing.assert_allclose(est.predict_proba(X[:7]), output, rtol=1e-10)
    assert est.intercepts_[0].tolist() == [0.0] * 6


def test_running_statistics_start_at_zero_mean_unit_variance(data):
    X, y, _ = data
    est = _sgd_estimator(30, 1, learning_rate_init=1e-300)
    est.fit(X, y)
    net, *_ = est._network_from_data(X, y)
    Z = X @ est.coefs_[0]
    np.testing.assert_allclose(est.batch_norm_mean_[0], 0.1 * Z.mean(axis=0))
    np.testing.assert_allclose(est.batch_norm_var_[0], 0.9 + 0.1 * Z.var(axis=0))


def test_integer_weights_equal_repeated_rows_in_a_full_batch(data):
    X, y, _ = data
    weights = np.arange(30) % 3
    kwargs = {"solver": "adam", "learning_rate_init": 0.01, "max_iter": 5}
    weighted = _sgd_estimator("auto", **kwargs).fit(X, y, sample_weight=weights)
    repeated = _sgd_estimator("auto", **kwargs).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    for name in ("coefs_", "batch_norm_gamma_", "batch_norm_mean_", "batch_norm_var_"):
        for a, b in zip(getattr(weighted, name), getattr(repeated, name)):
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def test_weighted_batch_statistics_have_exact_gradients(data):
    X, y, Y = data
    rng = np.random.RandomState(0)
    net = Network(
        [5, 4, 3, 3], "logistic", "log_loss", penalty="l2", alpha=0.2, batch_norm=True
    )
    net.theta[:] = rng.standard_normal(net.n_params)
    weights = rng.uniform(0, 2, size=30)
    net.cost_and_grad(X, Y, weights)
    grad, approx = net.grad.copy(), np.empty(net.n_params)
    for i in range(net.n_params):
        base = net.theta[i]
        net.theta[i] = base + 1e-6
        plus = net.cost(X, Y, weights)
        net.theta[i] = base - 1e-6
        minus = net.cost(X, Y, weights)
        net.theta[i] = base
        approx[i] = (plus - minus) / 2e-6
    np.testing.assert_allclose(grad, approx, atol=1e-8)


@pytest.mark.parametrize("n_hidden", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "tanh", "logistic", "identity"]
)
def test_gradient_check_is_great(n_hidden, activation):
    X, y = make_classification(n_samples=16, n_features=4, random_state=n_hidden)
    params = {"activation": activation, "batch_norm": True, "random_state": 0}
    if n_hidden % 2:
        params.update(keep_prob=0.5, penalty="l2", alpha=0.3)  # dropout is off
    else:
        params.update(penalty="elasticnet", alpha=0.1)
    est = DNNClassifier((5,) * n_hidden, **params)
    result = gradient_check(est, X, y)
    assert result.verdict == "great", result
    expected = {f"gamma[{l}]" for l in range(1, n_hidden + 1)}
    expected |= {f"beta[{l}]" for l in range(1, n_hidden + 1)}
    assert expected <= set(result.per_parameter)
    assert f"gamma[{n_hidden + 1}]" not in result.per_parameter


def test_gradient_check_of_a_fitted_float32_regressor():
    X, y = make_regression(n_samples=40, n_features=4, random_state=0)
    est = DNNRegressor((6, 5), batch_norm=True, max_iter=5, random_state=0)
    est.fit(X.astype(np.float32), (y / 100).astype(np.float32))
    result = gradient_check(
        est, X[:20].astype(np.float32), y[:20] / 100, n_directions=3, random_state=0
    )
    assert result.verdict == "great"
    assert result.dtype == np.float32


def test_lbfgs_with_batch_norm_raises(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="batch_norm"):
        DNNClassifier((4,), solver="lbfgs", batch_norm=True).fit(X, y)


def test_hidden_biases_stay_zero_and_attributes_are_per_hidden_layer(data):
    X, y, _ = data
    est = DNNClassifier((6, 4), batch_norm=True, max_iter=3, random_state=0)
    est.fit(X, y)
    assert all(not np.any(b) for b in est.intercepts_[:-1])
    for name in ("gamma", "beta", "mean", "var"):
        values = getattr(est, f"batch_norm_{name}_")
        assert [v.shape for v in values] == [(6,), (4,)]
    plain = DNNClassifier((6,), max_iter=2, random_state=0)
    plain.fit(X, y)
    assert plain.batch_norm_gamma_ is None


def test_early_stopping_restores_the_running_statistics_of_the_best_epoch():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    est = DNNClassifier(
        (32, 32),
        batch_norm=True,
        early_stopping=True,
        n_iter_no_change=3,
        learning_rate_init=0.05,
        max_iter=40,
        batch_size=64,
        random_state=0,
    )
    est.fit(X[:1200], y[:1200], X_val=X[1200:], y_val=y[1200:])
    assert est.best_epoch_ < est.n_iter_ - 1
    assert est.score(X[1200:], y[1200:]) == est.best_validation_score_


def test_float32_sparse_and_dense_agree_and_stay_float32(data):
    X, y, _ = data
    X32 = X.astype(np.float32)
    params = {"batch_norm": True, "max_iter": 3, "random_state": 0, "shuffle": False}
    dense = DNNClassifier((6,), **params).fit(X32, y)
    sparse = DNNClassifier((6,), **params).fit(sp.csr_matrix(X32), y)
    for name in ("batch_norm_gamma_", "batch_norm_mean_", "batch_norm_var_"):
        for a, b in zip(getattr(dense, name), getattr(sparse, name)):
            assert a.dtype == np.float32 and b.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=1e-5)


def test_partial_fit_and_warm_start_continue_the_running_statistics(data):
    X, y, _ = data
    est = DNNClassifier((6,), batch_norm=True, random_state=0)
    est.partial_fit(X, y, classes=[0, 1, 2])
    first = est.batch_norm_mean_[0].copy()
    est.partial_fit(X, y)
    assert not np.allclose(est.batch_norm_mean_[0], first)
    gamma = est.batch_norm_gamma_[0].copy()
    est.set_params(batch_norm=False)
    with pytest.raises(ValueError, match="batch normalization"):
        est.partial_fit(X, y)
    np.testing.assert_array_equal(est.batch_norm_gamma_[0], gamma)
    assert est.n_iter_ == 2
    est.set_params(batch_norm=True, warm_start=True, max_iter=2)
    est.fit(X, y)
    assert est.n_iter_ == 4 and est.intercepts_[0].tolist() == [0.0] * 6


def test_dropout_after_the_activation_trains_and_never_drops_at_predict(data):
    X, y, _ = data
    est = DNNClassifier(
        (8, 8), batch_norm=True, keep_prob=0.5, max_iter=3, random_state=0
    )
    est.fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), est.predict_proba(X))


def test_pickle_and_callback_reconstruction_keep_what_prediction_needs(data):
    X, y, _ = data
    est = DNNClassifier((6,), batch_norm=True, max_iter=3, random_state=0)
    est.fit(X, y)
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict_proba(X), est.predict_proba(X))
    skops_io = pytest.importorskip("skops.io")
    dumped = skops_io.dumps(est)
    loaded = skops_io.loads(dumped, trusted=skops_io.get_untrusted_types(data=dumped))
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    net, *_ = est._network_from_data(X, y)
    fit_data = SimpleNamespace(target_state={}, hidden=[6])
    attributes = est._fitted_attributes(net, fit_data)
    np.testing.assert_array_equal(
        attributes["batch_norm_var_"][0], est.batch_norm_var_[0]
    )


def test_diagnose_gradients_and_gradient_norms_keep_working(data):
    X, y, _ = data
    est = DNNClassifier((6, 6, 6), batch_norm=True, max_iter=4, random_state=0)
    est.fit(X, y)
    assert est.gradient_norms_.shape == (4, 4)
    assert diagnose_gradients(est).ratio > 0


# -- the PyTorch oracle ----------------------------------------------------------


@pytest.mark.full
def test_gradients_and_training_forward_match_torch(data):
    torch = pytest.importorskip("torch")
    X, y, Y = data
    est = _sgd_estimator(30, 1)
    params = _initial_params(est, X, y)
    params[2][0][:] = np.linspace(0.5, 2.0, 6)
    params[3][1][:] = [0.3, -0.2, 0.1, 0.4]
    net, Xv, Yv, _ = est._network_from_data(X, y)
    net.set_parameters(
        params[0],
        [np.zeros(6), np.zeros(4), params[1]],
        list(zip(params[2], params[3], [0, 0], [1, 1])),
    )
    J = net.cost_and_grad(Xv, Yv)

    coefs = [torch.tensor(W, requires_grad=True) for W in params[0]]
    b_out = torch.tensor(params[1], requires_grad=True)
    layers = []
    for l, W in enumerate(params[0][:-1]):
        bn = torch.nn.BatchNorm1d(W.shape[1], eps=EPS, momentum=0.1).double()
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(params[2][l]))
            bn.bias.copy_(torch.tensor(params[3][l]))
        layers.append(bn)
    A = torch.tensor(X)
    for W, bn in zip(coefs[:-1], layers):
        A = torch.tanh(bn(A @ W))
    logits = A @ coefs[-1] + b_out
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    loss.backward()
    assert J == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(
        net._output[: len(X)],
        torch.softmax(logits, dim=1).detach().numpy(),
        atol=1e-14,
    )
    for got, W in zip(net.coef_grads, coefs):
        np.testing.assert_allclose(got, W.grad.numpy(), rtol=1e-9, atol=1e-13)
    for l, bn in enumerate(layers):
        np.testing.assert_allclose(
            net.gamma_grads[l], bn.weight.grad.numpy(), atol=1e-13
        )
        np.testing.assert_allclose(net.beta_grads[l], bn.bias.grad.numpy(), atol=1e-13)
    # The running mean follows the same rule (torch's running variance is
    # unbiased, so only the mean is compared).
    net.update_running_statistics()
    np.testing.assert_allclose(net.running_means[0], layers[0].running_mean.numpy())


def _peak_of_a_training_step(batch_norm):
    rng = np.random.RandomState(0)
    net = Network(
        [64, 256, 256, 10],
        "relu",
        "log_loss",
        penalty="l2",
        alpha=1e-4,
        dtype=np.float32,
        batch_norm=batch_norm,
    )
    net.theta[:] = rng.standard_normal(net.n_params) * 0.1
    X = rng.standard_normal((32, 64)).astype(np.float32)
    Y = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 32)]
    optimizer = AdamOptimizer(net.n_params, net.dtype)

    def step():
        net.cost_and_grad(X, Y)
        optimizer.update(net.theta, net.grad)
        net.update_running_statistics()

    step()
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert all(v.dtype == np.float32 for v in net.running_means + net.gammas)
    return peak


def test_batch_norm_adds_nothing_weight_sized_to_a_float32_step():
    # The buffers are allocated once; a step adds only vectors of layer width.
    extra = _peak_of_a_training_step(True) - _peak_of_a_training_step(False)
    assert extra < 16 * 256 * 8
