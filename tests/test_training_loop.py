"""Unit tests of the epoch loop and of each training callback, on a small
Network without any estimator around it."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_dnn import DNNClassifier
from sklearn_dnn._engine.callbacks import (
    Callback,
    DivergenceGuard,
    EarlyStopping,
    GradientClipper,
    GradientNormRecorder,
    PlateauStopping,
    TrainingDiverged,
)
from sklearn_dnn._engine.initializers import resolve_init
from sklearn_dnn._engine.loop import MiniBatches, run_epochs, train_step
from sklearn_dnn._engine.network import Network
from sklearn_dnn._engine.optimizers import AdamOptimizer, SGDOptimizer
from sklearn_dnn._engine.targets import EncodedTargets


def small_problem(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    Y = np.eye(2)[(X[:, 0] > 0).astype(int)]
    net = Network([3, 4, 2], "tanh", "log_loss")
    net.initialize(resolve_init("xavier", "tanh"), rng)
    return net, X, Y


def batches_of(X, Y, sample_weight=None, batch_size=10, shuffle=False, augment=None):
    return MiniBatches(
        X,
        EncodedTargets(Y.argmax(axis=1), "codes", Y.shape[1], X.dtype),
        sample_weight,
        batch_size,
        shuffle=shuffle,
        rng=np.random.RandomState(0),
        augment=augment,
    )


class StopAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, record, net):
        return epoch == self.epoch


def test_a_callback_returning_true_stops_after_that_epoch():
    net, X, Y = small_problem()
    history = run_epochs(
        net,
        SGDOptimizer(net.n_params, net.dtype),
        batches_of(X, Y),
        [StopAt(2)],
        n_epochs=10,
    )
    assert [r["epoch"] for r in history] == [0, 1, 2]


def test_stopping_early_equals_training_fewer_epochs():
    net_a, X, Y = small_problem()
    net_b, _, _ = small_problem()
    run_epochs(
        net_a,
        AdamOptimizer(net_a.n_params, net_a.dtype),
        batches_of(X, Y),
        [StopAt(3)],
        n_epochs=10,
    )
    run_epochs(
        net_b,
        AdamOptimizer(net_b.n_params, net_b.dtype),
        batches_of(X, Y),
        [],
        n_epochs=4,
    )
    np.testing.assert_array_equal(net_a.theta, net_b.theta)


def test_the_recorder_sees_the_gradient_before_the_clipper_rescales_it():
    net, X, Y = small_problem()
    recorder, clipper = GradientNormRecorder(net.n_weight_layers), GradientClipper(1e-6)
    J = net.cost_and_grad(X, Y)
    raw = [np.linalg.norm(dW) for dW in net.coef_grads]
    recorder.on_gradient(net, J)
    clipper.on_gradient(net, J)
    record = {}
    recorder.on_epoch_end(0, record, net)
    np.testing.assert_allclose(record["grad_norms"], raw)
    assert np.linalg.norm(net.grad) == pytest.approx(1e-6)


def test_batches_of_zero_weight_are_skipped():
    net, X, Y = small_problem()
    weights = np.ones(len(X))
    weights[:10] = 0  # the whole first batch
    seen = [len(b[0]) for b in batches_of(X, Y, weights)]
    assert seen == [10, 10, 10]


def test_the_guard_raises_on_a_non_finite_cost_and_on_a_blow_up():
    net, _, _ = small_problem()
    guard = DivergenceGuard(learning_rate_init=0.1)
    guard.on_gradient(net, 2.0)
    with pytest.raises(TrainingDiverged, match="blew up"):
        guard.on_gradient(net, 2.0 * DivergenceGuard.BLOW_UP_FACTOR * 1.01)
    with pytest.raises(TrainingDiverged, match="nan"):
        DivergenceGuard(0.1).on_gradient(net, np.nan)


def test_the_guard_warns_when_j_ends_far_above_its_start():
    net, _, _ = small_problem()
    guard = DivergenceGuard(learning_rate_init=0.5)
    guard.on_gradient(net, 1.0)
    with pytest.warns(ConvergenceWarning, match="diverging.*learning_rate_init"):
        guard.on_train_end(net, [{"loss": 5.0}, {"loss": 10.5}])
    guard = DivergenceGuard(learning_rate_init=0.5)
    guard.on_gradient(net, 1.0)
    guard.on_train_end(net, [{"loss": 5.0}, {"loss": 9.5}])  # no warning


def test_plateau_stopping_compares_windows_and_asks_the_optimizer():
    net, _, _ = small_problem()
    optimizer = SGDOptimizer(net.n_params, net.dtype, lr_schedule="adaptive")
    stopper = PlateauStopping(optimizer, tol=1e-4, n_iter_no_change=2)
    # falling while oscillating: the window means go 5 -> 3.75
    for loss in [6, 4, 5, 2.5]:
        assert not stopper.on_epoch_end(0, {"loss": loss}, net)
    lr = optimizer.learning_rate
    # then rising: means 3.75 -> 4.75 but 2.5 is one epoch old, not yet a stall
    assert not stopper.on_epoch_end(0, {"loss": 7.0}, net)
    assert optimizer.learning_rate == lr
    # no new low for 2 epochs and means 3.75 -> 7.25: a stall; adaptive sgd
    # lowers its rate
    assert not stopper.on_epoch_end(0, {"loss": 7.5}, net)
    assert optimizer.learning_rate == pytest.approx(lr / 5)
    assert not stopper.stalled  # and the window starts again


def test_plateau_stopping_waits_while_the_cost_reaches_new_lows():
    # The window means rise (1 -> 2.75) but the last epoch is a new low:
    # J is still going down, so this is no plateau.
    net, _, _ = small_problem()
    optimizer = SGDOptimizer(net.n_params, net.dtype)
    stopper = PlateauStopping(optimizer, tol=1e-4, n_iter_no_change=2)
    for loss in [1.0, 1.0, 5.0, 0.5]:
        assert not stopper.on_epoch_end(0, {"loss": loss}, net)
    assert not stopper.stalled
    # Two epochs without a new low, the means rising: it stops.
    assert not stopper.on_epoch_end(0, {"loss": 5.0}, net)
    assert stopper.on_epoch_end(0, {"loss": 5.0}, net)


def test_early_stopping_restores_the_best_epoch():
    net, X, Y = small_problem()
    scores = iter([0.5, 0.9, 0.7, 0.6])
    thetas = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, record, net):
            thetas.append(net.theta.copy())

    stopper = EarlyStopping(
        AdamOptimizer(net.n_params, net.dtype),
        lambda net: next(scores),
        lambda net: 0.0,
        tol=0.0,
        n_iter_no_change=2,
    )
    history = run_epochs(
        net,
        AdamOptimizer(net.n_params, net.dtype),
        batches_of(X, Y),
        [Snapshot(), stopper],
        n_epochs=10,
    )
    assert len(history) == 4 and stopper.best_epoch == 1
    np.testing.assert_array_equal(net.theta, thetas[1])
    assert [r["dev_score"] for r in history] == [0.5, 0.9, 0.7, 0.6]


def test_train_step_calls_gradient_hooks_before_the_step():
    net, X, Y = small_problem()
    before = net.theta.copy()

    class ZeroGradient(Callback):
        def on_gradient(self, net, J):
            net.grad[...] = 0

    train_step(
        net, SGDOptimizer(net.n_params, net.dtype), X, Y, None, None, [ZeroGradient()]
    )
    np.testing.assert_array_equal(net.theta, before)


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_from_a_subset_of_rows_never_copy_X(shuffle):
    _, X, Y = small_problem()
    rows = np.array([5, 1, 7, 3, 30, 31, 12])
    batches = batches_of(X, Y, batch_size=3, shuffle=shuffle)
    batches = MiniBatches(
        X, batches.Y, None, 3, shuffle=shuffle, rng=np.random.RandomState(0),
        augment=None, rows=rows,
    )  # fmt: skip
    seen_X, seen_Y = [], []
    for X_batch, Y_batch, _ in batches:
        assert not np.may_share_memory(X_batch, X)
        seen_X.append(X_batch.copy())
        seen_Y.append(Y_batch.copy())
    seen_X, seen_Y = np.vstack(seen_X), np.vstack(seen_Y)
    order = [np.flatnonzero((X == row).all(axis=1))[0] for row in seen_X]
    assert sorted(order) == sorted(rows.tolist())
    if not shuffle:
        assert order == rows.tolist()
    np.testing.assert_array_equal(seen_Y, Y[order])


def test_encoded_targets_expand_only_the_rows_asked_for():
    codes = EncodedTargets(np.array([2, 0, 1, 2]), "codes", 3, np.float32)
    np.testing.assert_array_equal(codes.rows([3, 1]), [[0, 0, 1], [1, 0, 0]])
    assert codes.rows([0]).dtype == np.float32
    indicator = EncodedTargets(
        np.array([[1], [0]], np.int8), "indicator", 1, np.float64
    )
    np.testing.assert_array_equal(indicator.dense(), [[1.0], [0.0]])
    assert indicator.subset([1]).array.tolist() == [[0]]


# -- a fit that learned nothing says so (DESIGN §20) ---------------------------


def test_a_fit_ending_above_its_untrained_cost_warns():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    clf = DNNClassifier(
        (32, 32), solver="sgd", learning_rate_init=10, max_iter=30, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="learned nothing.*untrained"):
        clf.fit(X / 16, y)
    # The cost went 33.6 -> 16.8, below the first epoch's, at chance accuracy.
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.score(X / 16, y) < 0.2


def test_a_fit_that_learns_does_not_warn_of_learning_nothing():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DNNClassifier((16,), max_iter=20, random_state=0).fit(X / 16, y)
    assert not [w for w in caught if "learned nothing" in str(w.message)]


def test_early_stopping_in_the_first_epochs_on_a_small_split_warns():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = DNNClassifier(early_stopping=True, random_state=4)
    with pytest.warns(ConvergenceWarning, match="only 57 examples.*X_val"):
        clf.fit(X, y)
    assert clf.n_iter_ == 13
    # Given a dev set, the user chose it: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DNNClassifier(early_stopping=True, random_state=4).fit(
            X[:400], y[:400], X_val=X[400:], y_val=y[400:]
        )
