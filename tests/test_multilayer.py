"""Behaviour of DNNClassifier and DNNRegressor (DESIGN.md sections 1 and 8)."""

import copy
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_circles, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_dnn import DNNClassifier, DNNRegressor


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """The matrices here are tiny: BLAS threads would only fight for the cores."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _classification(n_samples=120, n_classes=3, n_features=6, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def _regression(n_samples=120, n_targets=1, seed=0):
    X, y = make_regression(
        n_samples=n_samples, n_features=5, n_targets=n_targets, random_state=seed
    )
    return X, y / np.std(y)


def _multilabel(n_samples=120, seed=0):
    X, _ = _classification(n_samples, seed=seed)
    rng = np.random.RandomState(seed)
    W = rng.standard_normal((X.shape[1], 3))
    return X, (X @ W > 0).astype(int)


def _fixed_init(arrays):
    """A callable init handing out the given weight matrices layer by layer."""
    queue = [np.array(a, dtype=float) for a in arrays]

    def init(n_in, n_out, rng):
        W = queue.pop(0)
        assert W.shape == (n_in, n_out)
        return W.copy()

    return init


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


# -- J, one step, and the forward pass, by hand --------------------------------


def test_first_loss_is_cost_at_initial_weights_with_penalty():
    X, y = _classification(30)
    rng = np.random.RandomState(0)
    W1, W2 = rng.standard_normal((6, 4)), rng.standard_normal((4, 3))
    alpha = 2.5
    clf = DNNClassifier(
        hidden_layer_sizes=(4,),
        activation="tanh",
        init=_fixed_init([W1, W2]),
        alpha=alpha,
        solver="sgd",
        batch_size=30,
        shuffle=False,
        max_iter=1,
    ).fit(X, y)
    P = _softmax(np.tanh(X @ W1) @ W2)
    Y = np.eye(3)[y]
    J = -np.mean(np.sum(Y * np.log(P), axis=1)) + alpha / (2 * 30) * (
        np.sum(W1**2) + np.sum(W2**2)
    )
    assert clf.loss_curve_[0] == pytest.approx(J, rel=1e-12)
    assert clf.loss_ == clf.loss_curve_[0]


def test_loss_curve_averages_the_mini_batch_costs_each_with_its_own_m():
    """With batches of 20 and 10, the epoch's J weighs each batch by its size."""
    X, y = _classification(30)
    rng = np.random.RandomState(1)
    W1, W2 = rng.standard_normal((6, 4)), rng.standard_normal((4, 3))
    alpha = 3.0
    clf = DNNClassifier(
        hidden_layer_sizes=(4,),
        activation="tanh",
        init=_fixed_init([W1, W2]),
        alpha=alpha,
        solver="sgd",
        learning_rate_init=1e-300,  # the weights do not move
        momentum=0,
        batch_size=20,
        shuffle=False,
        max_iter=1,
    ).fit(X, y)
    P = _softmax(np.tanh(X @ W1) @ W2)
    losses = -np.log(P[np.arange(30), y])
    sq = np.sum(W1**2) + np.sum(W2**2)
    J1 = losses[:20].mean() + alpha / 40 * sq
    J2 = losses[20:].mean() + alpha / 20 * sq
    assert clf.loss_curve_[0] == pytest.approx((20 * J1 + 10 * J2) / 30, rel=1e-12)


def test_weighted_first_loss_is_weighted_mean_plus_penalty():
    X, y = _regression(25)
    rng = np.random.RandomState(2)
    W1, W2 = rng.standard_normal((5, 3)), rng.standard_normal((3, 1))
    sw = rng.uniform(0.5, 3, 25)
    alpha = 1.5
    reg = DNNRegressor(
        hidden_layer_sizes=(3,),
        activation="logistic",
        init=_fixed_init([W1, W2]),
        alpha=alpha,
        solver="sgd",
        batch_size=25,
        shuffle=False,
        max_iter=1,
    ).fit(X, y, sample_weight=sw)
    # The output bias starts at the weighted mean target.
    out = (1 / (1 + np.exp(-X @ W1)) @ W2).ravel() + np.average(y, weights=sw)
    losses = 0.5 * (out - y) ** 2
    sq = np.sum(W1**2) + np.sum(W2**2)
    J = np.dot(sw, losses) / sw.sum() + alpha / (2 * sw.sum()) * sq
    assert reg.loss_curve_[0] == pytest.approx(J, rel=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_one_full_batch_sgd_step_matches_hand_computation(activation):
    X, y = _classification(40)
    rng = np.random.RandomState(3)
    W1, W2 = rng.standard_normal((6, 5)), rng.standard_normal((5, 3))
    alpha, lr, m = 0.3, 0.5, 40
    clf = DNNClassifier(
        hidden_layer_sizes=(5,),
        activation=activation,
        init=_fixed_init([W1, W2]),
        alpha=alpha,
        solver="sgd",
        learning_rate_init=lr,
        momentum=0,
        batch_size=m,
        shuffle=False,
        max_iter=1,
    ).fit(X, y)

    Z1 = X @ W1
    A1 = np.maximum(Z1, 0) if activation == "relu" else np.tanh(Z1)
    P = _softmax(A1 @ W2)
    dZ2 = (P - np.eye(3)[y]) / m
    dW2 = A1.T @ dZ2 + alpha / m * W2
    db2 = dZ2.sum(axis=0)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * ((Z1 > 0) if activation == "relu" else 1 - A1**2)
    dW1 = X.T @ dZ1 + alpha / m * W1
    db1 = dZ1.sum(axis=0)

    assert_allclose(clf.coefs_[0], W1 - lr * dW1, rtol=1e-12, atol=1e-14)
    assert_allclose(clf.coefs_[1], W2 - lr * dW2, rtol=1e-12, atol=1e-14)
    assert_allclose(clf.intercepts_[0], -lr * db1, rtol=1e-12, atol=1e-14)
    assert_allclose(clf.intercepts_[1], -lr * db2, rtol=1e-12, atol=1e-14)
    # gradient_norms_ holds the norm of each layer's dW of that single step.
    assert_allclose(
        clf.gradient_norms_[0],
        [np.linalg.norm(dW1), np.linalg.norm(dW2)],
        rtol=1e-12,
    )


def _copy_weights_into(reference, estimator):
    reference.coefs_ = [W.copy() for W in estimator.coefs_]
    reference.intercepts_ = [b.copy() for b in estimator.intercepts_]
    return reference


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("target", ["multiclass", "binary", "multilabel"])
def test_forward_pass_equals_mlpclassifier(activation, target):
    if target == "multilabel":
        X, y = _multilabel(60)
    else:
        X, y = _classification(60, n_classes=3 if target == "multiclass" else 2)
    params = {"hidden_layer_sizes": (7, 4), "activation": activation, "max_iter": 3}
    ours = DNNClassifier(random_state=0, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPClassifier(random_state=1, **params).fit(X, y)
    _copy_weights_into(theirs, ours)
    assert ours.out_activation_ == theirs.out_activation_
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)
    assert_array_equal(ours.predict(X), theirs.predict(X))


def test_a_saturated_label_probability_stays_below_one():
    # Output weights large enough to saturate the logistic units: expit
    # rounds to exactly 0.0 and 1.0, which scikit-learn's multilabel checks
    # refuse (and whose log is -inf).
    X, y = _multilabel(60)
    clf = DNNClassifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    clf.fit(X, y)
    clf.coefs_[-1] = clf.coefs_[-1] * 1e4
    proba = clf.predict_proba(X)
    assert proba.max() == np.nextafter(1.0, 0.0)
    assert proba.min() == np.finfo(float).smallest_normal
    assert np.isfinite(clf.predict_log_proba(X)).all()
    assert_array_equal(clf.predict(X), proba > 0.5)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_forward_pass_equals_mlpregressor(loss, n_targets):
    X, y = _regression(60, n_targets)
    if loss == "poisson":
        y = np.abs(y)
    params = {"hidden_layer_sizes": (7, 4), "activation": "tanh", "max_iter": 3}
    ours = DNNRegressor(loss=loss, random_state=0, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPRegressor(loss=loss, random_state=1, **params).fit(X, y)
    _copy_weights_into(theirs, ours)
    assert ours.out_activation_ == theirs.out_activation_
    assert ours.predict(X).shape == theirs.predict(X).shape
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)


# -- initialisation through the estimator ----------------------------------------


def _initial_coefs(estimator, X, y):
    net, *_ = estimator._network_from_data(X, y)
    return net.coefs, net.intercepts


@pytest.mark.parametrize(
    "init, std",
    [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)), ("normal", 0.01)],
)
def test_init_scheme_variances_on_a_big_layer(init, std):
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((10, 400)), np.arange(10) % 2
    coefs, intercepts = _initial_coefs(
        DNNClassifier((500,), init=init, random_state=0), X, y
    )
    assert coefs[0].std() == pytest.approx(std, rel=0.01)
    assert abs(coefs[0].mean()) < 0.01 * std
    assert all(np.all(b == 0) for b in intercepts)


@pytest.mark.parametrize("activation", ["relu", "logistic"])
def test_glorot_uniform_init_bound(activation):
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((10, 300)), np.arange(10) % 2
    coefs, _ = _initial_coefs(
        DNNClassifier(
            (200,), activation=activation, init="glorot_uniform", random_state=0
        ),
        X,
        y,
    )
    bound = np.sqrt((2.0 if activation == "logistic" else 6.0) / 500)
    assert 0.999 * bound < np.abs(coefs[0]).max() <= bound


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "logistic"])
def test_auto_init_is_scikit_learns_glorot(activation):
    # Chosen by measurement on the panel of DESIGN section 18.
    scheme = "glorot_uniform"
    X, y = _classification(50)
    params = {"hidden_layer_sizes": (8, 4), "activation": activation}
    auto = DNNClassifier(init="auto", random_state=3, **params).fit(X, y)
    named = DNNClassifier(init=scheme, random_state=3, **params).fit(X, y)
    for a, b in zip(auto.coefs_, named.coefs_):
        assert_array_equal(a, b)


def test_zeros_init_and_biases_start_at_zero():
    X, y = _classification(50)
    coefs, intercepts = _initial_coefs(DNNClassifier((8, 4), init="zeros"), X, y)
    assert all(np.all(W == 0) for W in coefs)
    assert all(np.all(b == 0) for b in intercepts)


def test_callable_init_gets_layer_shapes_and_the_random_state():
    X, y = _classification(50)
    calls = []

    def init(n_in, n_out, rng):
        calls.append((n_in, n_out))
        return rng.uniform(-0.1, 0.1, (n_in, n_out))

    clf = DNNClassifier((8, 4), init=init, max_iter=2, random_state=0).fit(X, y)
    assert calls == [(6, 8), (8, 4), (4, 3)]
    again = DNNClassifier((8, 4), init=init, max_iter=2, random_state=0).fit(X, y)
    assert_array_equal(clf.coefs_[0], again.coefs_[0])


def test_zeros_init_keeps_every_hidden_unit_of_a_layer_the_same():
    """The symmetry zeros leave is never broken by training (quick version of
    the assignment below)."""
    X, y = make_circles(100, noise=0.05, random_state=1)
    zeros = DNNClassifier(
        hidden_layer_sizes=(10, 5), init="zeros", solver="sgd", max_iter=200,
        tol=0, n_iter_no_change=200, random_state=1,
    ).fit(X, y)  # fmt: skip
    assert zeros.n_iter_ == 200
    for W in zeros.coefs_[:-1]:
        assert_allclose(W, W[:, :1] * np.ones_like(W))


# Slow: 15,000 full-batch epochs for each of two networks.
@pytest.mark.slow
def test_zeros_init_stays_at_chance_and_he_init_learns_circles():
    """The course's initialization assignment: 2 -> 10 -> 5 -> 1, full-batch
    gradient descent, 15,000 epochs at learning rate 0.01."""
    X, y = make_circles(300, noise=0.05, random_state=1)
    params = {
        "hidden_layer_sizes": (10, 5),
        "solver": "sgd",
        "momentum": 0,
        "batch_size": 300,
        "shuffle": False,
        "learning_rate_init": 0.01,
        "penalty": None,
        "max_iter": 15000,
        "tol": 0,
        "n_iter_no_change": 15000,
        "random_state": 1,
    }
    zeros = DNNClassifier(init="zeros", **params).fit(X, y)
    he = DNNClassifier(init="he", **params).fit(X, y)
    assert zeros.n_iter_ == he.n_iter_ == 15000
    assert 0.45 <= zeros.score(X, y) <= 0.55
    # Symmetry is never broken: every hidden unit of a layer stays the same.
    for W in zeros.coefs_[:-1]:
        assert_allclose(W, W[:, :1] * np.ones_like(W))
    assert he.score(X, y) >= 0.95


# -- dropout -------------------------------------------------------------------


def test_dropout_changes_training_but_prediction_is_deterministic():
    X, y = _classification(100)
    params = {"hidden_layer_sizes": (16, 8), "max_iter": 5, "random_state": 0}
    plain = DNNClassifier(**params).fit(X, y)
    dropout = DNNClassifier(keep_prob=0.5, **params).fit(X, y)
    assert not np.allclose(plain.coefs_[0], dropout.coefs_[0])
    first = dropout.predict_proba(X)
    assert_array_equal(dropout.predict_proba(X), first)
    net, *_ = dropout._network_from_data(X, y)
    assert_allclose(net.forward(X), first, rtol=1e-14)  # no dropout at predict


def test_keep_prob_one_is_bit_identical_to_no_dropout():
    X, y = _classification(100)
    params = {"hidden_layer_sizes": (16, 8), "max_iter": 5, "random_state": 0}
    default = DNNClassifier(**params).fit(X, y)
    for keep_prob in [1.0, 1, [1.0, 1.0], (1, 1.0)]:
        other = DNNClassifier(keep_prob=keep_prob, **params).fit(X, y)
        for a, b in zip(
            default.coefs_ + default.intercepts_, other.coefs_ + other.intercepts_
        ):
            assert_array_equal(a, b)


def test_keep_prob_sequence_applies_per_hidden_layer():
    X, y = _classification(100)
    params = {"hidden_layer_sizes": (16, 8), "max_iter": 3, "random_state": 0}
    fits = {
        kp: DNNClassifier(keep_prob=kp, **params).fit(X, y).coefs_
        for kp in [(1.0, 0.5), (0.5, 1.0), (0.5, 0.5), (1.0, 1.0)]
    }
    keys = list(fits)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            assert not np.allclose(fits[a][0], fits[b][0]), (a, b)
    # keep_prob=0.5 as a float is the same as (0.5, 0.5)
    scalar = DNNClassifier(keep_prob=0.5, **params).fit(X, y).coefs_
    assert_array_equal(scalar[0], fits[(0.5, 0.5)][0])


def test_dropout_regularises_a_wide_network():
    """Lower keep_prob gives a higher training cost without dropout at the end."""
    X, y = _classification(100)
    params = {"hidden_layer_sizes": (64,), "max_iter": 100, "random_state": 0}
    plain = DNNClassifier(**params).fit(X, y)
    dropped = DNNClassifier(keep_prob=0.3, **params).fit(X, y)
    net_plain, X_, Y_, _ = plain._network_from_data(X, y)
    net_dropped, *_ = dropped._network_from_data(X, y)
    assert net_dropped.cost(X_, Y_) > net_plain.cost(X_, Y_)


# -- regularisation --------------------------------------------------------------


def test_l1_gives_many_more_near_zero_weights_than_l2():
    X, y = make_classification(
        n_samples=200, n_features=20, n_informative=3, n_redundant=0, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    params = {
        "hidden_layer_sizes": (16,),
        "alpha": 1.0,
        "learning_rate_init": 0.01,
        "random_state": 0,
    }
    fractions = {}
    for penalty in ["l1", "l2"]:
        clf = DNNClassifier(penalty=penalty, **params).fit(X, y)
        W = np.concatenate([W.ravel() for W in clf.coefs_])
        fractions[penalty] = np.mean(np.abs(W) < 1e-2)
    assert fractions["l1"] > 0.3
    assert fractions["l1"] > 5 * fractions["l2"]


@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
def test_larger_alpha_gives_smaller_weights(penalty):
    X, y = _classification(100)
    norms = []
    for alpha in [1e-4, 1.0, 10.0]:
        clf = DNNClassifier(
            (16,),
            penalty=penalty,
            alpha=alpha,
            solver="lbfgs",
            max_iter=100,
            random_state=0,
        ).fit(X, y)
        norms.append(sum(np.sum(W**2) for W in clf.coefs_))
    assert norms[0] > norms[1] > norms[2]


def test_no_penalty_equals_zero_alpha():
    X, y = _classification(60)
    params = {"hidden_layer_sizes": (8,), "max_iter": 5, "random_state": 0}
    a = DNNClassifier(penalty=None, alpha=5.0, **params).fit(X, y)
    b = DNNClassifier(penalty="l2", alpha=0.0, **params).fit(X, y)
    assert_array_equal(a.coefs_[0], b.coefs_[0])


# -- early stopping ------------------------------------------------------------


def _early_stopping_fit(random_state=0):
    X, y = _classification(200, seed=1)
    clf = DNNClassifier(
        hidden_layer_sizes=(32,),
        learning_rate_init=0.05,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        max_iter=200,
        random_state=random_state,
    ).fit(X, y)
    return clf, X, y


def test_early_stopping_restores_the_best_epoch():
    clf, X, y = _early_stopping_fit()
    assert clf.n_iter_ > clf.best_epoch_ + 1  # it did not just stop at the best
    assert len(clf.validation_scores_) == clf.n_iter_
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.validation_scores_[clf.best_epoch_] == clf.best_validation_score_
    assert clf.best_validation_score_ == np.max(clf.validation_scores_)
    assert clf.best_epoch_ == np.argmax(clf.validation_scores_)
    assert clf.best_loss_ == clf.loss_curve_[clf.best_epoch_]

    # The same fit stopped at the best epoch ends with the same parameters.
    at_best = clone(clf).set_params(max_iter=clf.best_epoch_ + 1).fit(X, y)
    for a, b in zip(clf.coefs_ + clf.intercepts_, at_best.coefs_ + at_best.intercepts_):
        assert_array_equal(a, b)


def test_early_stopping_restored_model_scores_best_score_on_its_dev_set():
    clf, X, y = _early_stopping_fit()
    # The dev split is drawn from the fit's random state right after the
    # weight initialisation (He: one standard normal draw per layer).
    rng = np.random.RandomState(0)
    for W in clf.coefs_:
        rng.standard_normal(W.shape)
    _, X_dev, _, y_dev = train_test_split(
        X, y, test_size=0.2, random_state=rng, stratify=y
    )
    assert len(y_dev) == 40
    assert np.bincount(y_dev).min() >= 13  # stratified over 3 classes
    assert clf.score(X_dev, y_dev) == clf.best_validation_score_


def test_early_stopping_on_regressor_and_multilabel():
    X, y = _regression(150)
    reg = DNNRegressor(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    assert reg.validation_scores_[reg.best_epoch_] == reg.best_validation_score_
    X, Y = _multilabel(150)
    clf = DNNClassifier(
        (16,), early_stopping=True, n_iter_no_change=3, max_iter=30, random_state=0
    ).fit(X, Y)
    assert clf.validation_scores_[clf.best_epoch_] == clf.best_validation_score_


def test_without_early_stopping_validation_attributes_are_none():
    X, y = _classification(60)
    clf = DNNClassifier((8,), max_iter=3).fit(X, y)
    assert clf.validation_scores_ is None
    assert clf.best_validation_score_ is None
    assert clf.best_epoch_ is None
    assert clf.best_loss_ == np.min(clf.loss_curve_)


def test_grid_search_over_alpha_in_a_pipeline_with_scaler():
    X, y = make_classification(n_samples=90, n_features=5, random_state=0)
    pipe = make_pipeline(
        StandardScaler(),
        DNNClassifier((8,), learning_rate_init=0.01, max_iter=50, random_state=0),
    )
    search = GridSearchCV(pipe, {"dnnclassifier__alpha": [1e-4, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_["dnnclassifier__alpha"] in (1e-4, 1.0)
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert search.score(X, y) > 0.7


# -- partial_fit and warm_start ----------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_calls_are_epochs_that_keep_the_optimizer_state(solver):
    X, y = _classification(80)
    params = {"hidden_layer_sizes": (8,), "solver": solver, "batch_size": 20}
    full = DNNClassifier(max_iter=3, shuffle=False, random_state=0, **params)
    full.fit(X, y)
    inc = DNNClassifier(shuffle=False, random_state=0, **params)
    for i in range(3):
        inc.partial_fit(X, y, classes=[0, 1, 2])
        assert inc.n_iter_ == i + 1
        assert inc.t_ == 80 * (i + 1)
    for a, b in zip(full.coefs_ + full.intercepts_, inc.coefs_ + inc.intercepts_):
        assert_array_equal(a, b)
    assert_array_equal(full.loss_curve_, inc.loss_curve_)


class DrawRecorder:
    """An augmenter that records one draw from the random state it is given."""

    def __init__(self):
        self.draws = []

    def augment(self, X_batch, random_state):
        self.draws.append(random_state.randint(2**31))
        return X_batch


def test_partial_fit_continues_the_random_state():
    """Shuffles, masks and augmentation of each partial_fit call continue the
    random state where the last call left it, exactly as fit's epochs do."""
    X, y = _classification(80)
    params = {"hidden_layer_sizes": (8,), "batch_size": 20, "keep_prob": 0.7}
    full = DNNClassifier(max_iter=3, random_state=0, augment=DrawRecorder(), **params)
    full.fit(X, y)
    inc = DNNClassifier(random_state=0, augment=DrawRecorder(), **params)
    for _ in range(3):
        inc.partial_fit(X, y, classes=[0, 1, 2])
    assert len(inc.augment.draws) == 3 * 4
    assert len(set(inc.augment.draws)) == 12
    assert inc.augment.draws == full.augment.draws


def test_partial_fit_without_optimizer_state_would_differ():
    """Warm-started fits start a new optimizer; partial_fit keeps its state."""
    X, y = _classification(80)
    params = {"hidden_layer_sizes": (8,), "shuffle": False, "random_state": 0}
    inc = DNNClassifier(**params)
    warm = DNNClassifier(warm_start=True, max_iter=1, **params)
    for _ in range(2):
        inc.partial_fit(X, y, classes=[0, 1, 2])
        warm.fit(X, y)
    assert_array_equal(inc.loss_curve_[:1], warm.loss_curve_[:1])
    assert not np.allclose(inc.coefs_[0], warm.coefs_[0])


def test_partial_fit_needs_classes_at_first_call_only():
    X, y = _classification(60)
    clf = DNNClassifier((8,))
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y)
    assert not hasattr(clf, "coefs_")
    mask = y < 2
    clf.partial_fit(X[mask], y[mask], classes=[0, 1, 2])
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (60, 3)
    clf.partial_fit(X, y)  # classes not needed any more
    with pytest.raises(ValueError, match="not seen"):
        clf.partial_fit(X, y + 1)


def test_partial_fit_regressor_and_lbfgs_has_none():
    X, y = _regression(60)
    reg = DNNRegressor(hidden_layer_sizes=(8,), random_state=0)
    reg.partial_fit(X, y)
    reg.partial_fit(X, y)
    assert reg.n_iter_ == 2
    assert not hasattr(DNNClassifier(solver="lbfgs"), "partial_fit")


def test_warm_start_continues_from_previous_weights():
    X, y = _classification(80)
    clf = DNNClassifier(
        (8,), solver="sgd", learning_rate_init=0.1, max_iter=20, random_state=0
    ).fit(X, y)
    first_curve = clf.loss_curve_.copy()
    coefs = [W.copy() for W in clf.coefs_]
    clf.set_params(warm_start=True, max_iter=5).fit(X, y)
    assert clf.n_iter_ == 25
    assert_array_equal(clf.loss_curve_[:20], first_curve)
    assert clf.loss_curve_[20] < first_curve[0] - 0.1
    # The current learning_rate_init is used: a tiny rate barely moves the weights.
    coefs = [W.copy() for W in clf.coefs_]
    clf.set_params(learning_rate_init=1e-12, momentum=0).fit(X, y)
    for a, b in zip(coefs, clf.coefs_):
        assert_allclose(a, b, atol=1e-9)
    # Without warm_start a fit starts over.
    cold = clf.set_params(
        warm_start=False, learning_rate_init=0.1, momentum=0.9, max_iter=20
    )
    cold.fit(X, y)
    assert_array_equal(cold.loss_curve_, first_curve)


# -- sample weights, sparse input, dtypes --------------------------------------------


def test_integer_sample_weights_equal_repeated_rows_with_lbfgs():
    X, y = _classification(60)
    sw = np.random.RandomState(0).randint(0, 4, size=60)
    # He weights: with Glorot's smaller ones, L-BFGS's last iterations (loss
    # near 0.0016) differ by rounding in the 5th digit between the two.
    params = {
        "hidden_layer_sizes": (8,),
        "solver": "lbfgs",
        "max_iter": 50,
        "random_state": 0,
        "init": "he",
    }
    weighted = DNNClassifier(**params).fit(X, y, sample_weight=sw)
    rows = np.repeat(np.arange(60), sw)
    repeated = DNNClassifier(**params).fit(X[rows], y[rows])
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-8)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6)


def test_sample_weights_change_the_fit():
    X, y = _classification(60)
    params = {
        "hidden_layer_sizes": (8,),
        "solver": "lbfgs",
        "max_iter": 20,
        "random_state": 0,
    }
    sw = np.where(y == 0, 5.0, 1.0)
    a = DNNClassifier(**params).fit(X, y, sample_weight=sw)
    b = DNNClassifier(**params).fit(X, y)
    c = DNNClassifier(**params).fit(X, y, sample_weight=np.ones(60))
    assert not np.allclose(a.coefs_[0], b.coefs_[0])
    assert_allclose(b.coefs_[0], c.coefs_[0], rtol=1e-10)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sparse_input_gives_the_dense_result(fmt, solver):
    X, y = _classification(80)
    X[np.abs(X) < 0.5] = 0.0
    params = {
        "hidden_layer_sizes": (8,),
        "solver": solver,
        "max_iter": 10,
        "random_state": 0,
    }
    dense = DNNClassifier(**params).fit(X, y)
    sparse = DNNClassifier(**params).fit(sp.csr_matrix(X).asformat(fmt), y)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert_allclose(
        dense.predict_proba(X),
        sparse.predict_proba(sp.csr_matrix(X).asformat(fmt)),
        rtol=1e-9,
    )


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_float32_is_kept_end_to_end(solver):
    X, y = _classification(80)
    X32 = X.astype(np.float32)
    clf = DNNClassifier((8,), solver=solver, max_iter=5, random_state=0).fit(X32, y)
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X32).dtype == np.float32
    assert np.all(np.isfinite(clf.loss_curve_))
    reg = DNNRegressor(
        hidden_layer_sizes=(8,), solver=solver, max_iter=5, random_state=0
    )
    reg.fit(X32, y.astype(np.float32))
    assert reg.coefs_[0].dtype == np.float32
    assert reg.predict(X32).dtype == np.float32
    clf64 = DNNClassifier((8,), solver=solver, max_iter=5, random_state=0)
    clf64.fit(X.astype(int), y)
    assert clf64.coefs_[0].dtype == np.float64


def test_float32_training_follows_float64_training():
    X, y = _classification(80)
    params = {"hidden_layer_sizes": (8,), "max_iter": 5, "random_state": 0}
    c32 = DNNClassifier(**params).fit(X.astype(np.float32), y)
    c64 = DNNClassifier(**params).fit(X, y)
    assert_allclose(c32.coefs_[0], c64.coefs_[0], rtol=1e-3, atol=1e-4)


# -- targets -------------------------------------------------------------------


def test_binary_target_uses_one_logistic_unit():
    X, y = _classification(60, n_classes=2)
    labels = np.array(["no", "yes"])[y]
    clf = DNNClassifier((8,), max_iter=20, random_state=0).fit(X, labels)
    assert clf.n_outputs_ == 1
    assert clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert_allclose(clf.predict_log_proba(X), np.log(proba))


def test_multilabel_classification():
    X, Y = _multilabel(150)
    clf = DNNClassifier((16,), solver="lbfgs", max_iter=200, random_state=0).fit(X, Y)
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    assert np.all((proba >= 0) & (proba <= 1))
    assert clf.predict(X).shape == (150, 3)
    assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    assert clf.score(X, Y) > 0.9


def test_multi_output_regression():
    X, Y = _regression(150, n_targets=2)
    reg = DNNRegressor(
        hidden_layer_sizes=(16,), solver="lbfgs", max_iter=200, random_state=0
    ).fit(X, Y)
    assert reg.n_outputs_ == 2
    assert reg.predict(X).shape == (150, 2)
    assert reg.score(X, Y) > 0.9
    single = DNNRegressor(hidden_layer_sizes=(16,), max_iter=5, random_state=0).fit(
        X, Y[:, 0]
    )
    assert single.predict(X).shape == (150,)


def test_poisson_regression():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (300, 3))
    y = rng.poisson(np.exp(1 + X @ [0.5, -0.5, 0.3]))
    reg = DNNRegressor(
        loss="poisson",
        hidden_layer_sizes=(8,),
        solver="lbfgs",
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert reg.out_activation_ == "exp"
    pred = reg.predict(X)
    assert np.all(pred > 0)
    assert abs(pred.mean() - y.mean()) < 0.05 * y.mean()
    with pytest.raises(ValueError, match="negative"):
        DNNRegressor(loss="poisson").fit(X, y - 10.0)


def test_feature_names_in_with_pandas():
    pd = pytest.importorskip("pandas")
    X, y = _classification(60)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    clf = DNNClassifier((8,), max_iter=3, random_state=0).fit(df, y)
    assert_array_equal(clf.feature_names_in_, df.columns)
    with pytest.warns(UserWarning, match="feature names"):
        assert_array_equal(clf.predict(df), clf.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(df[df.columns[::-1]])
    assert not hasattr(DNNClassifier((8,), max_iter=3).fit(X, y), "feature_names_in_")


# -- gradient clipping, norms, augmentation -------------------------------------------


def test_max_grad_norm_clips_the_global_gradient_norm():
    X, y = _classification(40)
    rng = np.random.RandomState(0)
    W1, W2 = rng.standard_normal((6, 5)), rng.standard_normal((5, 3))
    params = {
        "hidden_layer_sizes": (5,),
        "solver": "sgd",
        "momentum": 0,
        "learning_rate_init": 1.0,
        "batch_size": 40,
        "shuffle": False,
        "max_iter": 1,
        "penalty": None,
    }
    net, X_, Y_, _ = DNNClassifier(
        init=_fixed_init([W1, W2]), **params
    )._network_from_data(X, y)
    theta0 = net.theta.copy()
    net.cost_and_grad(X_, Y_)
    g = net.grad.copy()
    limit = 0.1 * np.linalg.norm(g)
    clf = DNNClassifier(init=_fixed_init([W1, W2]), max_grad_norm=limit, **params).fit(
        X, y
    )
    theta1 = np.concatenate([a.ravel() for a in clf.coefs_ + clf.intercepts_])
    assert_allclose(
        theta1, theta0 - g * limit / np.linalg.norm(g), rtol=1e-12, atol=1e-15
    )
    # gradient_norms_ is recorded before clipping
    assert_allclose(
        clf.gradient_norms_[0],
        [np.linalg.norm(dW) for dW in net.coef_grads],
        rtol=1e-12,
    )
    # a limit above the norm changes nothing
    loose = DNNClassifier(
        init=_fixed_init([W1, W2]), max_grad_norm=10 * np.linalg.norm(g), **params
    ).fit(X, y)
    assert_allclose(loose.coefs_[0], W1 - net.coef_grads[0], rtol=1e-12)


def test_huge_learning_rate_with_clipping_stays_finite_and_bounded():
    X, y = _classification(100)
    X = X * 1000.0  # unscaled
    params = {
        "hidden_layer_sizes": (16,),
        "solver": "sgd",
        "momentum": 0,
        "learning_rate_init": 1e3,
        "batch_size": 100,
        "max_iter": 30,
        "random_state": 0,
    }
    clf = DNNClassifier(max_grad_norm=1e-3, **params).fit(X, y)
    start, *_ = DNNClassifier(**params)._network_from_data(X, y)
    moved = np.concatenate(
        [(a - b).ravel() for a, b in zip(clf.coefs_, start.coefs)] + clf.intercepts_
    )
    # 30 full-batch steps of length at most lr * max_grad_norm = 1
    assert np.linalg.norm(moved) <= 30 * 1.0 + 1e-9
    assert np.all(np.isfinite(clf.loss_curve_))
    assert all(np.all(np.isfinite(W)) for W in clf.coefs_)


def test_gradient_norms_shape():
    X, y = _classification(80)
    for solver in ["adam", "lbfgs"]:
        clf = DNNClassifier((8, 4, 3), solver=solver, max_iter=7, random_state=0).fit(
            X, y
        )
        assert clf.n_layers_ == 5
        assert clf.gradient_norms_.shape == (clf.n_iter_, clf.n_layers_ - 1)
        assert np.all(clf.gradient_norms_ > 0)


class RecordingAugmenter:
    """Records every batch it is given; optionally scales it or interrupts."""

    def __init__(self, scale=1.0, interrupt_after=None):
        self.scale = scale
        self.interrupt_after = interrupt_after
        self.batches = []

    def augment(self, X_batch, random_state):
        if (
            self.interrupt_after is not None
            and len(self.batches) >= self.interrupt_after
        ):
            raise KeyboardInterrupt
        self.batches.append(np.array(X_batch, copy=True))
        return X_batch * self.scale


def test_augment_sees_training_batches_only():
    X, y = _classification(100)
    X[:, 0] = np.arange(100)  # row ids, to know which rows were augmented
    augmenter = RecordingAugmenter()
    clf = DNNClassifier(
        (8,),
        batch_size=16,
        augment=augmenter,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=100,
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    per_epoch = int(np.ceil(80 / 16))
    assert len(augmenter.batches) == 3 * per_epoch
    assert all(len(b) <= 16 for b in augmenter.batches)
    first_epoch = np.concatenate(augmenter.batches[:per_epoch])[:, 0]
    # Each training row once per epoch; the 20 dev rows never.
    assert len(first_epoch) == 80 and len(set(first_epoch)) == 80
    seen = set(np.concatenate(augmenter.batches)[:, 0])
    assert len(seen) == 80
    n_calls = len(augmenter.batches)
    clf.predict(X)
    clf.predict_proba(X)
    clf.score(X, y)
    assert len(augmenter.batches) == n_calls


def test_augmented_batch_is_what_the_network_trains_on():
    """An augmenter that blanks the input leaves W[1] without gradient."""
    X, y = _classification(60)
    params = {
        "hidden_layer_sizes": (8,),
        "activation": "logistic",  # A[1] = 0.5 on a blank input
        "penalty": None,
        "max_iter": 3,
        "random_state": 0,
    }
    clf = DNNClassifier(augment=RecordingAugmenter(scale=0.0), **params).fit(X, y)
    start, *_ = DNNClassifier(**params)._network_from_data(X, y)
    assert_array_equal(clf.coefs_[0], start.coefs[0])
    assert not np.allclose(clf.coefs_[1], start.coefs[1])


# -- reproducibility -------------------------------------------------------------


def test_same_random_state_gives_bit_identical_coefs():
    X, y = _classification(100)
    params = {
        "hidden_layer_sizes": (8, 4),
        "keep_prob": 0.8,
        "early_stopping": True,
        "max_iter": 8,
        "random_state": 7,
    }
    a = DNNClassifier(**params).fit(X, y)
    b = DNNClassifier(**params).fit(X, y)
    c = clone(a).fit(X, y)
    d = DNNClassifier(**params).fit(X, y).fit(X, y)  # refit starts over
    for other in [b, c, d]:
        for u, v in zip(a.coefs_ + a.intercepts_, other.coefs_ + other.intercepts_):
            assert_array_equal(u, v)
    e = DNNClassifier(**{**params, "random_state": 8}).fit(X, y)
    assert not np.allclose(a.coefs_[0], e.coefs_[0])


def test_random_state_instance_is_accepted():
    X, y = _classification(60)
    a = DNNClassifier((8,), max_iter=3, random_state=np.random.RandomState(3)).fit(X, y)
    b = DNNClassifier((8,), max_iter=3, random_state=3).fit(X, y)
    assert_array_equal(a.coefs_[0], b.coefs_[0])


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X_is_rejected(bad):
    X, y = _classification(30)
    X[3, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        DNNClassifier((4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        DNNRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, np.arange(30.0))


def test_nan_in_y_is_rejected_by_the_regressor():
    X, y = _regression(30)
    y[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DNNRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)


def test_wrong_shapes_are_rejected():
    X, y = _classification(30)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        DNNClassifier((4,), max_iter=2).fit(X, y[:-1])
    with pytest.raises(ValueError, match="2D array"):
        DNNClassifier((4,), max_iter=2).fit(X[:, 0], y)
    clf = DNNClassifier((4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :4])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"activation": "swish"}, "activation"),
        ({"init": "uniform"}, "init"),
        ({"penalty": "l3"}, "penalty"),
        ({"solver": "adagrad"}, "solver"),
        ({"learning_rate": "cyclic"}, "learning_rate"),
        ({"keep_prob": 0.0}, "keep_prob"),
        ({"keep_prob": 1.5}, "keep_prob"),
        ({"keep_prob": -0.2}, "keep_prob"),
        ({"keep_prob": [0.5, 0.0]}, "keep_prob"),
        ({"keep_prob": [0.5, 1.2]}, "keep_prob"),
        ({"keep_prob": [0.5, 0.5, 0.5]}, "keep_prob"),
        ({"alpha": -1.0}, "alpha"),
        ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": 0}, "hidden_layer_sizes"),
        ({"max_grad_norm": 0.0}, "max_grad_norm"),
        ({"augment": "flip"}, "augment"),
    ],
)
def test_invalid_parameters_raise_a_value_error_naming_them(params, match):
    X, y = _classification(30)
    base = {"hidden_layer_sizes": (8, 4), "max_iter": 2}
    with pytest.raises(ValueError, match=match):
        DNNClassifier(**{**base, **params}).fit(X, y)


def test_loss_option_of_regressor_is_validated():
    X, y = _regression(30)
    with pytest.raises(ValueError, match="loss"):
        DNNRegressor(loss="huber").fit(X, y)


def test_dropout_with_lbfgs_is_rejected():
    X, y = _classification(30)
    with pytest.raises(ValueError, match="keep_prob.*stochastic"):
        DNNClassifier((4,), solver="lbfgs", keep_prob=0.5).fit(X, y)


def _snapshot(estimator, X):
    return (
        [W.copy() for W in estimator.coefs_ + estimator.intercepts_],
        estimator.predict_proba(X),
        estimator.loss_curve_.copy(),
        estimator.n_iter_,
    )


def _assert_unchanged(estimator, X, snapshot):
    params, proba, curve, n_iter = snapshot
    for a, b in zip(params, estimator.coefs_ + estimator.intercepts_):
        assert_array_equal(a, b)
        assert np.all(np.isfinite(b))
    assert_array_equal(estimator.predict_proba(X), proba)
    assert_array_equal(estimator.loss_curve_, curve)
    assert estimator.n_iter_ == n_iter


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("warm_start", [False, True])
def test_diverging_fit_leaves_a_fitted_estimator_unchanged(warm_start):
    X, y = _classification(100)
    clf = DNNClassifier((16,), solver="sgd", max_iter=20, random_state=0).fit(X, y)
    before = _snapshot(clf, X)
    clf.set_params(
        learning_rate_init=1e6,
        warm_start=warm_start,
        max_iter=100,
        n_iter_no_change=100,
    )
    with pytest.raises(ValueError, match="diverged.*kept unchanged"):
        clf.fit(X * 1000.0, y)
    _assert_unchanged(clf, X, before)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_diverging_fit_leaves_an_unfitted_estimator_unfitted():
    X, y = _classification(100)
    clf = DNNClassifier(
        (16,), solver="sgd", learning_rate_init=1e6, max_iter=100, n_iter_no_change=100
    )
    with pytest.raises(ValueError, match="diverged.*unfitted"):
        clf.fit(X * 1000.0, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_warm_start_with_wrong_number_of_features_leaves_model_unchanged():
    X, y = _classification(60)
    clf = DNNClassifier((8,), warm_start=True, max_iter=3, random_state=0).fit(X, y)
    before = _snapshot(clf, X)
    with pytest.raises(ValueError, match="features"):
        clf.fit(X[:, :4], y)
    _assert_unchanged(clf, X, before)
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:, :4], y)
    _assert_unchanged(clf, X, before)


def test_warm_start_with_another_architecture_is_rejected():
    X, y = _classification(60)
    clf = DNNClassifier((8,), warm_start=True, max_iter=3, random_state=0).fit(X, y)
    before = _snapshot(clf, X)
    with pytest.raises(ValueError, match="architecture"):
        clf.set_params(hidden_layer_sizes=(9,)).fit(X, y)
    _assert_unchanged(clf, X, before)


@pytest.mark.parametrize("how", ["fit", "warm_start", "partial_fit"])
def test_keyboard_interrupt_leaves_a_fitted_estimator_unchanged(how):
    X, y = _classification(80)
    clf = DNNClassifier((8,), batch_size=20, max_iter=5, random_state=0).fit(X, y)
    before = _snapshot(clf, X)
    optimizer = copy.deepcopy(clf._optimizer)
    clf.set_params(augment=RecordingAugmenter(interrupt_after=6))
    with pytest.raises(KeyboardInterrupt):
        if how == "partial_fit":
            clf.set_params(augment=RecordingAugmenter(interrupt_after=2))
            clf.partial_fit(X, y)
        else:
            clf.set_params(warm_start=how == "warm_start").fit(X, y)
    _assert_unchanged(clf, X, before)
    assert clf._optimizer.t == optimizer.t
    assert_array_equal(clf._optimizer.first_moment, optimizer.first_moment)


def test_interrupted_partial_fit_does_not_advance_the_random_state():
    """After an interrupted call, the next call trains as if it never ran."""
    X, y = _classification(80)
    params = {"hidden_layer_sizes": (8,), "batch_size": 20, "keep_prob": 0.7}
    interrupted = DNNClassifier(random_state=0, **params)
    clean = DNNClassifier(random_state=0, **params)
    for clf in [interrupted, clean]:
        clf.partial_fit(X, y, classes=[0, 1, 2])
    interrupted.set_params(augment=RecordingAugmenter(interrupt_after=2))
    with pytest.raises(KeyboardInterrupt):
        interrupted.partial_fit(X, y)
    interrupted.set_params(augment=None)
    for clf in [interrupted, clean]:
        clf.partial_fit(X, y)
    for a, b in zip(clean.coefs_, interrupted.coefs_):
        assert_array_equal(a, b)
