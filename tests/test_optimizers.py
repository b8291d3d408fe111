"""One update of each optimizer against its formula written out by hand.

The style is scikit-learn's ``test_stochastic_optimizers.py``: set the state,
apply one update, compare with the textbook formula.  Our optimizers work on
one flat parameter vector ``theta``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from threadpoolctl import threadpool_limits

from sklearn_dnn._engine.optimizers import AdamOptimizer, SGDOptimizer, minimize_lbfgs


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """The matrices here are tiny: BLAS threads would only fight for the cores."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


N_PARAMS = 37


def _vectors(rng, n=3):
    return [rng.random_sample(N_PARAMS) - 0.5 for _ in range(n)]


@pytest.mark.parametrize("lr", [10.0**i for i in range(-3, 4)])
def test_sgd_without_momentum_steps_minus_lr_times_gradient(lr):
    theta, grad, _ = _vectors(np.random.RandomState(0))
    expected = theta - lr * grad
    optimizer = SGDOptimizer(N_PARAMS, np.float64, lr, momentum=0, nesterov=False)
    optimizer.update(theta, grad)
    assert_allclose(theta, expected, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("momentum", [0.5, 0.6, 0.7, 0.8, 0.9])
def test_sgd_momentum_update(momentum):
    lr = 0.1
    theta, grad, velocity = _vectors(np.random.RandomState(1))
    optimizer = SGDOptimizer(
        N_PARAMS, np.float64, lr, momentum=momentum, nesterov=False
    )
    optimizer.velocity[...] = velocity
    new_velocity = momentum * velocity - lr * grad
    expected = theta + new_velocity
    optimizer.update(theta, grad)
    assert_allclose(theta, expected, rtol=1e-14, atol=1e-15)
    assert_allclose(optimizer.velocity, new_velocity, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("momentum", [0.5, 0.6, 0.7, 0.8, 0.9])
def test_sgd_nesterov_momentum_update(momentum):
    lr = 0.1
    theta, grad, velocity = _vectors(np.random.RandomState(2))
    optimizer = SGDOptimizer(N_PARAMS, np.float64, lr, momentum=momentum, nesterov=True)
    optimizer.velocity[...] = velocity
    new_velocity = momentum * velocity - lr * grad
    expected = theta + momentum * new_velocity - lr * grad
    optimizer.update(theta, grad)
    assert_allclose(theta, expected, rtol=1e-14, atol=1e-15)
    assert_allclose(optimizer.velocity, new_velocity, rtol=1e-14, atol=1e-15)


def test_sgd_momentum_accumulates_over_steps():
    """Two steps with a constant gradient: v1 = -lr g, v2 = mu v1 - lr g."""
    lr, mu = 0.5, 0.9
    theta = np.zeros(N_PARAMS)
    grad = np.ones(N_PARAMS)
    optimizer = SGDOptimizer(N_PARAMS, np.float64, lr, momentum=mu, nesterov=False)
    optimizer.update(theta, grad)
    optimizer.update(theta, grad)
    assert_allclose(theta, -lr + (mu * -lr - lr))


def test_sgd_invscaling_schedule():
    optimizer = SGDOptimizer(
        N_PARAMS, np.float64, 0.2, lr_schedule="invscaling", power_t=0.25
    )
    optimizer.iteration_ends(99)
    assert optimizer.learning_rate == pytest.approx(0.2 / 100**0.25)
    optimizer.iteration_ends(15)
    assert optimizer.learning_rate == pytest.approx(0.2 / 16**0.25)


def test_sgd_constant_schedule_keeps_the_rate_and_stops():
    optimizer = SGDOptimizer(N_PARAMS, np.float64, 0.2)
    optimizer.iteration_ends(1000)
    assert optimizer.learning_rate == 0.2
    assert optimizer.trigger_stopping("", False)


def test_sgd_adaptive_schedule_divides_by_five_then_stops():
    lr = 2e-6
    optimizer = SGDOptimizer(N_PARAMS, np.float64, lr, lr_schedule="adaptive")
    assert not optimizer.trigger_stopping("", False)
    assert optimizer.learning_rate == lr / 5
    assert optimizer.trigger_stopping("", False)


@pytest.mark.parametrize("beta_1", [0.9, 0.95])
@pytest.mark.parametrize("beta_2", [0.995, 0.999])
def test_adam_update(beta_1, beta_2):
    lr, epsilon, t = 0.001, 1e-8, 10
    rng = np.random.RandomState(3)
    theta, grad = _vectors(rng, 2)
    m, v = rng.random_sample(N_PARAMS), rng.random_sample(N_PARAMS)
    optimizer = AdamOptimizer(N_PARAMS, np.float64, lr, beta_1, beta_2, epsilon)
    optimizer.first_moment[...] = m
    optimizer.second_moment[...] = v
    optimizer.t = t - 1

    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad**2
    learning_rate = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    expected = theta - learning_rate * m / (np.sqrt(v) + epsilon)

    optimizer.update(theta, grad)
    assert_allclose(theta, expected, rtol=1e-14, atol=1e-16)
    assert_allclose(optimizer.first_moment, m, rtol=1e-15)
    assert_allclose(optimizer.second_moment, v, rtol=1e-15)
    assert optimizer.t == t


def test_adam_first_step_is_about_lr_times_sign_of_gradient():
    """From zero moments, bias correction makes the first step ~ lr * sign(g)."""
    theta = np.zeros(N_PARAMS)
    grad = np.linspace(-3, 3, N_PARAMS) + 0.01
    optimizer = AdamOptimizer(N_PARAMS, np.float64, 0.01)
    optimizer.update(theta, grad)
    assert_allclose(theta, -0.01 * np.sign(grad), rtol=1e-4)
    assert optimizer.trigger_stopping("", False)


@pytest.mark.parametrize("make", ["sgd", "adam"])
def test_optimizer_state_keeps_float32(make):
    theta = np.ones(N_PARAMS, dtype=np.float32)
    grad = np.full(N_PARAMS, 0.5, dtype=np.float32)
    if make == "sgd":
        optimizer = SGDOptimizer(N_PARAMS, np.float32, 0.1)
        state = [optimizer.velocity]
    else:
        optimizer = AdamOptimizer(N_PARAMS, np.float32, 0.1)
        state = [optimizer.first_moment, optimizer.second_moment]
    optimizer.update(theta, grad)
    assert theta.dtype == np.float32
    assert all(s.dtype == np.float32 for s in state)


def test_our_sgd_and_adam_match_scikit_learns_over_several_steps():
    from sklearn.neural_network._stochastic_optimizers import (
        AdamOptimizer as SkAdam,
    )
    from sklearn.neural_network._stochastic_optimizers import (
        SGDOptimizer as SkSGD,
    )

    rng = np.random.RandomState(4)
    grads = [rng.standard_normal(N_PARAMS) for _ in range(5)]
    cases = [
        (
            SGDOptimizer(N_PARAMS, np.float64, 0.05, momentum=0.8, nesterov=True),
            lambda p: SkSGD(p, 0.05, momentum=0.8, nesterov=True),
        ),
        (
            SGDOptimizer(N_PARAMS, np.float64, 0.05, momentum=0.8, nesterov=False),
            lambda p: SkSGD(p, 0.05, momentum=0.8, nesterov=False),
        ),
        (
            AdamOptimizer(N_PARAMS, np.float64, 0.01, 0.8, 0.99, 1e-7),
            lambda p: SkAdam(p, 0.01, 0.8, 0.99, 1e-7),
        ),
    ]
    for ours, make_theirs in cases:
        theta = np.zeros(N_PARAMS)
        params = [np.zeros(N_PARAMS)]
        theirs = make_theirs(params)
        for g in grads:
            ours.update(theta, g)
            theirs.update_params(params, [g])
        assert_allclose(theta, params[0], rtol=1e-12, atol=1e-15)


def test_lbfgs_minimises_a_quadratic():
    rng = np.random.RandomState(0)
    M = rng.standard_normal((6, 6))
    A = M @ M.T + 6 * np.eye(6)
    b = rng.standard_normal(6)
    calls = []

    def cost_and_grad(theta):
        return 0.5 * theta @ A @ theta - b @ theta, A @ theta - b

    result = minimize_lbfgs(
        cost_and_grad,
        np.zeros(6, dtype=np.float32),
        max_iter=100,
        tol=1e-12,
        max_fun=1000,
        callback=calls.append,
    )
    assert result.x.dtype == np.float64
    assert_allclose(result.x, np.linalg.solve(A, b), atol=1e-4)
    assert len(calls) == result.nit


def test_lbfgs_respects_max_iter():
    def cost_and_grad(theta):
        return float(np.sum(np.cosh(theta))), np.sinh(theta)

    result = minimize_lbfgs(
        cost_and_grad, np.full(3, 5.0), max_iter=2, tol=0.0, max_fun=1000, callback=None
    )
    assert result.nit <= 2
    assert_array_equal(result.x.shape, (3,))
