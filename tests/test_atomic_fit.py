"""A fit that raises, diverges or is interrupted leaves the estimator as it was.

Each case fits a model, takes a deep snapshot of everything the estimator
holds (parameters, fitted attributes, optimizer moments and velocities, the
random state that ``partial_fit`` continues from), then provokes a failure in
the middle of training and checks that the snapshot still matches exactly and
that the model predicts as before.  A fresh fit that diverges must raise a
clear error and leave the estimator unfitted rather than holding NaN weights.
"""

import copy
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_dnn import DNNClassifier, DNNRegressor
from sklearn_dnn._engine.network import Network

SOLVERS = ["sgd", "adam", "lbfgs"]
STOCHASTIC = ["sgd", "adam"]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _data(seed=0, n=60):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


def _make(solver, **params):
    return DNNClassifier(
        hidden_layer_sizes=(5,),
        solver=solver,
        max_iter=8,
        batch_size=16,
        learning_rate_init=0.01,
        random_state=0,
        **params,
    )


def _snapshot(obj):
    """A deep copy of the estimator's whole state (RandomStates included)."""
    return copy.deepcopy(obj.__dict__)


def _assert_same(a, b, path="estimator"):
    """Recursively assert that two snapshots are identical, bit for bit."""
    if isinstance(a, np.random.RandomState):
        assert isinstance(b, np.random.RandomState), path
        sa, sb = a.get_state(legacy=False), b.get_state(legacy=False)
        _assert_same(sa, sb, path + ".get_state()")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), path
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert a.tobytes() == b.tobytes(), f"{path} changed"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), (
            f"{path}: keys {sorted(map(str, a))} != {sorted(map(str, b))}"
        )
        for key in a:
            _assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{path}[{i}]")
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        assert type(a) is type(b), path
        _assert_same(vars(a), vars(b), f"{path}.{type(a).__name__}")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), path
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def _fitted(solver, incremental=False, **params):
    X, y = _data()
    est = _make(solver, **params)
    if incremental:
        for _ in range(3):
            est.partial_fit(X, y, classes=[0, 1])
    else:
        est.fit(X, y)
    return est


class _Interrupt:
    """Make ``Network.cost_and_grad`` raise ``exc`` on its ``after``-th call."""

    def __init__(self, monkeypatch, exc, after):
        self.calls = 0
        original = Network.cost_and_grad

        def cost_and_grad(net, *args, **kwargs):
            self.calls += 1
            if self.calls >= after:
                raise exc
            return original(net, *args, **kwargs)

        monkeypatch.setattr(Network, "cost_and_grad", cost_and_grad)


def _refit(est, how, X, y):
    if how == "partial_fit":
        return est.partial_fit(X, y)
    if how == "warm_start":
        est.set_params(warm_start=True)
    return est.fit(X, y)


CASES = [
    (solver, how)
    for solver in SOLVERS
    for how in ["fit", "warm_start", "partial_fit"]
    if not (solver == "lbfgs" and how == "partial_fit")
]


@pytest.mark.parametrize("solver, how", CASES)
@pytest.mark.parametrize("exc", [KeyboardInterrupt(), RuntimeError("boom")])
def test_exception_inside_training_leaves_fitted_model_unchanged(
    monkeypatch, solver, how, exc
):
    est = _fitted(solver, incremental=how == "partial_fit")
    X, y = _data(seed=1)
    est.set_params(warm_start=how == "warm_start")
    before = _snapshot(est)
    proba = est.predict_proba(X)
    interrupt = _Interrupt(monkeypatch, exc, after=3)
    with pytest.raises(type(exc)):
        _refit(est, how, X, y)
    assert interrupt.calls >= 3, "the failure was not raised inside training"
    monkeypatch.undo()
    _assert_same(before, _snapshot(est))
    np.testing.assert_array_equal(est.predict_proba(X), proba)


@pytest.mark.parametrize("how", ["fit", "warm_start", "partial_fit"])
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_keyboard_interrupt_at_epoch_end_leaves_model_unchanged(solver, how):
    # The epoch-end callback runs inside the epoch loop, after the optimizer
    # has already moved the weights (and its moments) for that epoch.
    est = _fitted(solver, incremental=how == "partial_fit")
    X, y = _data(seed=2)
    est.set_params(warm_start=how == "warm_start")
    before = _snapshot(est)
    interrupt = _InterruptAtFirstEpochEnd()
    est.set_callbacks(interrupt)
    with pytest.raises(KeyboardInterrupt):
        _refit(est, how, X, y)
    est.set_callbacks()
    assert len(interrupt.seen) == 1
    _assert_same(before, _snapshot(est))


class _InterruptAtFirstEpochEnd:
    """A scikit-learn fit callback that presses Ctrl-C after an epoch."""

    def __init__(self):
        self.seen = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "epoch":
            self.seen.append(context.task_id)
            raise KeyboardInterrupt


def _fitted_regressor(solver, incremental=False):
    X, y = _data()
    est = DNNRegressor(
        hidden_layer_sizes=(5,), solver=solver, max_iter=8, random_state=0
    )
    if incremental:
        for _ in range(3):
            est.partial_fit(X, y)
    else:
        est.fit(X, y)
    return est


@pytest.mark.parametrize("solver, how", [c for c in CASES if c[1] != "fit"])
def test_divergence_leaves_fitted_model_unchanged(solver, how):
    est = _fitted_regressor(solver, incremental=how == "partial_fit")
    X, y = _data(seed=3)
    est.set_params(warm_start=how == "warm_start")
    before = _snapshot(est)
    prediction = est.predict(X)
    # Targets this large overflow the squared error: J becomes non-finite.
    with pytest.raises(ValueError, match="diverged.*kept unchanged"):
        _refit(est, how, X, y * 1e300)
    _assert_same(before, _snapshot(est))
    np.testing.assert_array_equal(est.predict(X), prediction)


@pytest.mark.parametrize("solver", SOLVERS)
def test_fresh_fit_that_diverges_raises_and_stays_unfitted(solver):
    X, y = _data()
    est = DNNRegressor(hidden_layer_sizes=(5,), solver=solver, max_iter=5)
    with pytest.raises(ValueError, match="diverged.*left unfitted"):
        est.fit(X, y * 1e300)
    assert not hasattr(est, "coefs_")
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_sgd_with_huge_learning_rate_raises_instead_of_nan_weights(solver):
    X, y = _data()
    est = DNNRegressor(
        hidden_layer_sizes=(5,),
        solver=solver,
        learning_rate_init=1e200,
        momentum=0.0,
        max_iter=20,
        random_state=0,
    )
    try:
        est.fit(X, y * 1e3)
    except ValueError as exc:
        assert "diverged" in str(exc)
        assert not hasattr(est, "coefs_")
    else:
        assert all(np.all(np.isfinite(W)) for W in est.coefs_)
        assert np.all(np.isfinite(est.predict(X)))


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_failed_partial_fit_does_not_change_what_the_next_one_does(monkeypatch, solver):
    # The optimizer's moments/velocities and the random state that drives
    # shuffling and dropout must come back exactly, so the next partial_fit is
    # the one that would have happened without the failure.
    params = {"keep_prob": 0.7, "shuffle": True}
    reference = _fitted(solver, incremental=True, **params)
    est = _fitted(solver, incremental=True, **params)
    X, y = _data(seed=4)
    _Interrupt(monkeypatch, KeyboardInterrupt(), after=2)
    with pytest.raises(KeyboardInterrupt):
        est.partial_fit(X, y)
    monkeypatch.undo()
    reference.partial_fit(X, y)
    est.partial_fit(X, y)
    for W_ref, W in zip(reference.coefs_, est.coefs_):
        assert W_ref.tobytes() == W.tobytes()
    _assert_same(_snapshot(reference), _snapshot(est))


def test_invalid_data_on_warm_start_leaves_model_unchanged():
    est = _fitted("adam")
    before = _snapshot(est)
    X, y = _data()
    with pytest.raises(ValueError, match="features"):
        _refit(est, "warm_start", X[:, :3], y)
    with pytest.raises(ValueError, match="not seen"):
        _refit(est, "warm_start", X, y + 5)
    with pytest.raises(ValueError, match="shape changed"):
        est.set_params(hidden_layer_sizes=(6,))
        est.fit(X, y)
    est.set_params(hidden_layer_sizes=(5,), warm_start=False)
    _assert_same(before, _snapshot(est))


def test_failed_fit_of_a_clone_does_not_touch_the_original(monkeypatch):
    est = _fitted("adam")
    before = _snapshot(est)
    twin = clone(est)
    _Interrupt(monkeypatch, KeyboardInterrupt(), after=2)
    with pytest.raises(KeyboardInterrupt):
        twin.fit(*_data())
    monkeypatch.undo()
    assert not hasattr(twin, "coefs_")
    _assert_same(before, _snapshot(est))


def test_snapshot_comparison_detects_a_changed_optimizer_moment():
    # The helper itself must be able to fail, or the tests above prove nothing.
    est = _fitted("adam")
    before = _snapshot(est)
    est._optimizer.first_moment[0] += 1e-12
    with pytest.raises(AssertionError, match="first_moment"):
        _assert_same(before, _snapshot(est))
