"""RMSprop and the per-epoch learning-rate decays, against numpy oracles
written from DESIGN.md section 11."""

import tracemalloc

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_dnn import DNNClassifier, DNNRegressor
from sklearn_dnn._engine.optimizers import AdamOptimizer, RMSpropOptimizer, SGDOptimizer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=40, n_features=5, random_state=0)


def test_rmsprop_steps_match_the_formula():
    rng = np.random.RandomState(0)
    theta = rng.standard_normal(7)
    optimizer = RMSpropOptimizer(7, np.float64, 0.01, rho=0.8, epsilon=1e-6)
    expected, s = theta.copy(), np.zeros(7)
    for _ in range(5):
        g = rng.standard_normal(7)
        s = 0.8 * s + 0.2 * g**2
        expected -= 0.01 * g / (np.sqrt(s) + 1e-6)
        optimizer.update(theta, g)
        np.testing.assert_allclose(theta, expected, rtol=1e-14)
    np.testing.assert_allclose(optimizer.square_average, s, rtol=1e-14)


def test_rmsprop_first_step_has_no_bias_correction():
    theta = np.zeros(3)
    RMSpropOptimizer(3, np.float64, 0.1, rho=0.9, epsilon=0.0).update(
        theta, np.array([2.0, -3.0, 0.5])
    )
    # s = 0.1 g**2, so the step is lr * sign(g) / sqrt(0.1).
    np.testing.assert_allclose(theta, -0.1 * np.array([1, -1, 1]) / np.sqrt(0.1))


@pytest.mark.parametrize(
    "make",
    [
        lambda n: RMSpropOptimizer(n, np.float32, 0.01),
        lambda n: AdamOptimizer(n, np.float32, 0.01, lr_schedule="exponential"),
    ],
)
def test_steps_stay_in_float32_and_allocate_nothing_parameter_sized(make):
    n = 200_000
    optimizer = make(n)
    theta = np.ones(n, dtype=np.float32)
    grad = np.full(n, 0.5, dtype=np.float32)
    optimizer.update(theta, grad)
    tracemalloc.start()
    optimizer.update(theta, grad)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < n  # far below one float32 temporary (4 n bytes)
    assert theta.dtype == np.float32


@pytest.mark.parametrize(
    "schedule, decay_rate, formula",
    [
        ("inverse_time", None, lambda e: 0.1 / (1 + 1.0 * e)),
        ("inverse_time", 0.5, lambda e: 0.1 / (1 + 0.5 * e)),
        ("exponential", None, lambda e: 0.1 * 0.95**e),
        ("exponential", 0.5, lambda e: 0.1 * 0.5**e),
    ],
)
@pytest.mark.parametrize("optimizer", [SGDOptimizer, RMSpropOptimizer])
def test_decay_schedules_per_epoch(schedule, decay_rate, formula, optimizer):
    opt = optimizer(3, np.float64, 0.1, lr_schedule=schedule, decay_rate=decay_rate)
    rates = []
    for _ in range(4):
        rates.append(opt.learning_rate)
        opt.iteration_ends(time_step=1000)
    np.testing.assert_allclose(rates, [formula(e) for e in range(4)], rtol=1e-15)


def test_decayed_rate_is_the_base_of_adams_bias_correction():
    opt = AdamOptimizer(2, np.float64, 0.1, lr_schedule="inverse_time", decay_rate=2.0)
    theta = np.zeros(2)
    for _ in range(3):
        opt.iteration_ends(time_step=0)
    opt.update(theta, np.array([1.0, -1.0]))
    base = 0.1 / (1 + 2.0 * 3)
    assert opt.learning_rate == pytest.approx(base * np.sqrt(1 - 0.999) / (1 - 0.9))


def test_sgd_step_uses_the_decayed_rate():
    opt = SGDOptimizer(
        1, np.float64, 0.1, "exponential", momentum=0.0, decay_rate=0.5, epoch=2
    )
    theta = np.zeros(1)
    opt.update(theta, np.array([1.0]))
    assert theta[0] == pytest.approx(-0.1 * 0.25)


@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_estimator_decays_per_completed_epoch(data, solver):
    X, y = data
    est = DNNClassifier(
        (4,),
        solver=solver,
        learning_rate="exponential",
        decay_rate=0.5,
        learning_rate_init=0.01,
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    assert est._optimizer.base_learning_rate == pytest.approx(0.01 * 0.5**3)


def test_partial_fit_and_warm_start_continue_the_epoch_count(data):
    X, y = data
    est = DNNClassifier(
        (4,),
        solver="rmsprop",
        learning_rate="inverse_time",
        learning_rate_init=0.01,
        random_state=0,
    )
    for _ in range(3):
        est.partial_fit(X, y, classes=[0, 1])
    assert est._optimizer.base_learning_rate == pytest.approx(0.01 / 4)
    est.set_params(warm_start=True, max_iter=2)
    est.fit(X, y)
    assert est.n_iter_ == 5
    assert est._optimizer.base_learning_rate == pytest.approx(0.01 / 6)


def test_sgd_schedules_keep_their_meaning_and_adam_ignores_them(data):
    X, y = data
    adam = DNNClassifier((4,), learning_rate="invscaling", max_iter=3, random_state=0)
    adam.fit(X, y)
    assert adam._optimizer.base_learning_rate == 1e-3
    sgd = DNNClassifier(
        (4,), solver="sgd", learning_rate="invscaling", max_iter=2, random_state=0
    ).fit(X, y)
    assert sgd._optimizer.learning_rate == pytest.approx(1e-3 / (2 * 40 + 1) ** 0.5)


def test_rmsprop_estimators_learn(data):
    X, y = data
    clf = DNNClassifier(
        (8,), solver="rmsprop", learning_rate_init=0.01, max_iter=50, random_state=0
    ).fit(X, y)
    assert clf.score(X, y) > 0.9
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] / 2
    reg = DNNRegressor(
        (8,), solver="rmsprop", learning_rate_init=0.01, max_iter=30, random_state=0
    ).fit(X, X[:, 0])
    assert reg.score(X, X[:, 0]) > 0.8


@pytest.mark.parametrize(
    "params, name",
    [
        ({"rho": 1.0}, "rho"),
        ({"rho": -0.1}, "rho"),
        ({"decay_rate": -1.0}, "decay_rate"),
        ({"learning_rate": "step"}, "learning_rate"),
        ({"batch_norm_momentum": 1.5}, "batch_norm_momentum"),
        ({"batch_norm_epsilon": 0.0}, "batch_norm_epsilon"),
    ],
)
def test_invalid_new_parameters_are_named(data, params, name):
    X, y = data
    with pytest.raises(InvalidParameterError, match=name):
        DNNClassifier((4,), **params).fit(X, y)
