"""The pure maths of the network: backprop, cost J, activations, losses,
penalties, dropout and initialisation.

Each test compares ``sklearn_dnn._engine.network`` (and the tables it uses) against a
trusted reference: two-sided finite differences, or the formula written out
again in plain numpy.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from threadpoolctl import threadpool_limits

from sklearn_dnn._engine.activations import (
    HIDDEN_ACTIVATIONS,
    LEAKY_RELU_SLOPE,
    OUTPUT_ACTIVATIONS,
)
from sklearn_dnn._engine.dropout import draw_mask, resolve_keep_prob
from sklearn_dnn._engine.initializers import INITIALIZERS, resolve_init
from sklearn_dnn._engine.losses import LOSSES
from sklearn_dnn._engine.network import Network
from sklearn_dnn._engine.penalties import (
    CHUNK,
    add_penalty_gradient,
    penalty_value,
    scratch_for,
)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """The matrices here are tiny: BLAS threads would only fight for the cores."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


PENALTIES = ["l2", "l1", "elasticnet", None]

# name -> (loss, number of outputs, kind of target)
OUTPUT_LAYERS = {
    "softmax/log_loss": ("log_loss", 3, "onehot"),
    "logistic/binary_log_loss": ("binary_log_loss", 1, "binary"),
    "logistic/binary_log_loss-multilabel": ("binary_log_loss", 3, "binary"),
    "identity/squared_error": ("squared_error", 1, "real"),
    "identity/squared_error-multioutput": ("squared_error", 2, "real"),
    "exp/poisson": ("poisson", 2, "count"),
}

# Weights and pre-activations are kept at least this far from the kinks of
# ReLU (z = 0) and |w| (w = 0), far beyond any finite-difference step.
KINK_MARGIN = 1e-3
EPSILON = 1e-6


# -- independent references ---------------------------------------------------


def reference_hidden(Z, activation):
    """The hidden activations written out again."""
    return {
        "relu": lambda z: np.maximum(z, 0.0),
        "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
        "tanh": np.tanh,
        "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
        "identity": lambda z: z,
    }[activation](Z)


def reference_forward(coefs, intercepts, X, activation, loss):
    """Return ``(hidden activations, output activation)`` in plain numpy."""
    A, hidden = X, []
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        A = reference_hidden(A @ W + b, activation)
        hidden.append(A)
    Z = A @ coefs[-1] + intercepts[-1]
    if loss == "log_loss":
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        out = E / E.sum(axis=1, keepdims=True)
    elif loss == "binary_log_loss":
        out = 1.0 / (1.0 + np.exp(-Z))
    elif loss == "squared_error":
        out = Z
    else:
        out = np.exp(Z)
    return hidden, out


def reference_losses(out, Y, loss):
    """Per-example losses from the output activation, as the course writes them."""
    if loss == "log_loss":
        return -(Y * np.log(out)).sum(axis=1)
    if loss == "binary_log_loss":
        return -(Y * np.log(out) + (1 - Y) * np.log(1 - out)).sum(axis=1)
    if loss == "squared_error":
        return 0.5 * ((out - Y) ** 2).sum(axis=1)
    # half the Poisson deviance, with y log(y / mu) = 0 at y = 0
    ylogy = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0) / out), 0.0)
    return (ylogy - Y + out).sum(axis=1)


def reference_cost(
    coefs, intercepts, X, Y, activation, loss, penalty, alpha, l1_ratio, sw=None
):
    """DESIGN.md's J: (weighted) mean loss + the penalty over the weights only."""
    _, out = reference_forward(coefs, intercepts, X, activation, loss)
    losses = reference_losses(out, Y, loss)
    if sw is None:
        m, data = X.shape[0], losses.mean()
    else:
        m, data = sw.sum(), (sw * losses).sum() / sw.sum()
    sq = sum((W**2).sum() for W in coefs)
    ab = sum(np.abs(W).sum() for W in coefs)
    if penalty == "l2":
        reg = alpha / (2 * m) * sq
    elif penalty == "l1":
        reg = alpha / m * ab
    elif penalty == "elasticnet":
        reg = alpha / m * (l1_ratio * ab + (1 - l1_ratio) / 2 * sq)
    else:
        reg = 0.0
    return data + reg


def relative_difference(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def make_targets(kind, m, k, rng):
    if kind == "onehot":
        return np.eye(k)[rng.randint(k, size=m)]
    if kind == "binary":
        return rng.randint(2, size=(m, k)).astype(float)
    if kind == "real":
        return rng.standard_normal((m, k))
    return rng.poisson(1.5, size=(m, k)).astype(float)


def tiny_problem(activation, output_layer, penalty, keep_prob, seed=0):
    """A 4 -> 5 -> 3 -> k network and data kept away from every kink."""
    loss, k, kind = OUTPUT_LAYERS[output_layer]
    for attempt in range(100):
        rng = np.random.RandomState(1000 * seed + attempt)
        net = Network(
            [4, 5, 3, k],
            activation,
            loss,
            penalty=penalty,
            alpha=0.7,
            l1_ratio=0.3,
            keep_prob=keep_prob,
        )
        for W in net.coefs:
            signs = rng.choice([-1.0, 1.0], size=W.shape)
            W[...] = signs * rng.uniform(0.2, 1.0, W.shape)
        for b in net.intercepts:
            b[...] = rng.uniform(-0.3, 0.3, b.shape)
        if loss == "poisson":  # keep exp(z) moderate
            net.coefs[-1] *= 0.3
        X = rng.standard_normal((7, 4))
        Y = make_targets(kind, 7, k, rng)
        sw = rng.uniform(0.5, 2.0, 7)
        pre = [X @ net.coefs[0] + net.intercepts[0]]
        A = reference_hidden(pre[0], activation)
        pre.append(A @ net.coefs[1] + net.intercepts[1])
        if min(np.abs(Z).min() for Z in pre) > KINK_MARGIN:
            return net, X, Y, sw
    raise AssertionError("no data away from the kinks")  # pragma: no cover


def numerical_gradient(cost, theta):
    """Two-sided differences ``(J(theta + eps) - J(theta - eps)) / (2 eps)``."""
    approx = np.empty_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + EPSILON
        plus = cost()
        theta[i] = old - EPSILON
        minus = cost()
        theta[i] = old
        approx[i] = (plus - minus) / (2 * EPSILON)
    return approx


# -- backprop against finite differences ----------------------------------------


@pytest.mark.parametrize("dropout", [False, True], ids=["no-dropout", "dropout"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("output_layer", list(OUTPUT_LAYERS))
@pytest.mark.parametrize("activation", list(HIDDEN_ACTIVATIONS))
def test_backprop_matches_two_sided_differences(
    activation, output_layer, penalty, weighted, dropout
):
    keep_prob = [0.8, 0.6] if dropout else [1.0, 1.0]
    net, X, Y, sw = tiny_problem(activation, output_layer, penalty, keep_prob)
    sw = sw if weighted else None

    def rng():
        # The same masks at every evaluation: the mask is held fixed.
        return np.random.RandomState(42) if dropout else None

    J = net.cost_and_grad(X, Y, sw, rng=rng())
    grad = net.grad.copy()
    approx = numerical_gradient(
        lambda: net.cost_and_grad(X, Y, sw, rng=rng()), net.theta
    )
    assert relative_difference(approx, grad) <= 1e-7
    if dropout:
        # The masks really dropped something.
        assert J != pytest.approx(net.cost(X, Y, sw), rel=1e-6)
    else:
        assert J == pytest.approx(net.cost(X, Y, sw), rel=1e-14)


def test_dropout_backward_uses_the_forward_mask():
    """A gradient computed with other masks than J's is caught by the check."""
    net, X, Y, _ = tiny_problem("tanh", "softmax/log_loss", None, [0.5, 0.5])
    net.cost_and_grad(X, Y, rng=np.random.RandomState(1))
    grad_other_masks = net.grad.copy()
    approx = numerical_gradient(
        lambda: net.cost_and_grad(X, Y, rng=np.random.RandomState(2)), net.theta
    )
    assert relative_difference(approx, grad_other_masks) > 1e-3


def test_biases_are_never_penalised():
    base, X, Y, _ = tiny_problem("tanh", "softmax/log_loss", None, None)
    for penalty in ["l2", "l1", "elasticnet"]:
        net, *_ = tiny_problem("tanh", "softmax/log_loss", penalty, None)
        for scale in [1.0, 50.0]:  # large biases add nothing to the penalty
            for b, b_base in zip(net.intercepts, base.intercepts):
                b[...] = scale * b_base
            base_net = Network(
                net.layer_units, "tanh", "log_loss", penalty=None
            ).set_parameters(net.coefs, net.intercepts)
            shift = net.cost(X, Y) - base_net.cost(X, Y)
            expected = penalty_value(
                net.coefs, penalty, 0.7, 0.3, X.shape[0], scratch_for(net.coefs)
            )
            assert shift == pytest.approx(expected, rel=1e-12)
            net.cost_and_grad(X, Y)
            base_net.cost_and_grad(X, Y)
            for db, db_base in zip(net.intercept_grads, base_net.intercept_grads):
                assert_array_equal(db, db_base)


def test_l2_gradient_is_weight_decay():
    """dW(l2) = dW(no penalty) + (alpha/m) W."""
    net, X, Y, _ = tiny_problem("relu", "softmax/log_loss", "l2", None)
    plain, *_ = tiny_problem("relu", "softmax/log_loss", None, None)
    net.cost_and_grad(X, Y)
    plain.cost_and_grad(X, Y)
    for dW, dW_plain, W in zip(net.coef_grads, plain.coef_grads, net.coefs):
        assert_allclose(dW, dW_plain + 0.7 / X.shape[0] * W, rtol=1e-12)


# -- the cost J exactly as DESIGN.md defines it ----------------------------------


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("output_layer", list(OUTPUT_LAYERS))
@pytest.mark.parametrize("activation", list(HIDDEN_ACTIVATIONS))
def test_cost_is_mean_loss_plus_penalty(activation, output_layer, penalty, weighted):
    net, X, Y, sw = tiny_problem(activation, output_layer, penalty, None)
    sw = sw if weighted else None
    expected = reference_cost(
        net.coefs,
        net.intercepts,
        X,
        Y,
        activation,
        net.loss,
        penalty,
        0.7,
        0.3,
        sw,
    )
    assert net.cost(X, Y, sw) == pytest.approx(expected, rel=1e-12)
    assert net.cost_and_grad(X, Y, sw) == pytest.approx(expected, rel=1e-12)


def test_cost_of_a_hand_built_network():
    """J of a 2 -> 2 -> 2 softmax network with numbers worked out on paper."""
    net = Network([2, 2, 2], "relu", "log_loss", penalty="l2", alpha=0.5)
    net.coefs[0][...] = [[1.0, -1.0], [2.0, 1.0]]
    net.coefs[1][...] = [[1.0, 0.0], [0.0, 1.0]]
    net.intercepts[0][...] = [0.0, 5.0]  # b is large: it must not be penalised
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    # hidden: relu([1, -1] + [0, 5]) = [1, 4];  relu([2, 1] + [0, 5]) = [2, 6]
    # output logits are the same, so the losses are log(1 + e^3) and
    # log(1 + e^-4); the penalty is 0.5 / (2 * 2) * (1 + 1 + 4 + 1 + 1 + 1).
    losses = [np.log1p(np.exp(3.0)), np.log1p(np.exp(-4.0))]
    expected = np.mean(losses) + 0.5 / 4 * 9.0
    assert net.cost(X, Y) == pytest.approx(expected, rel=1e-14)
    # m is the size of the batch given: the first row alone is a batch of 1.
    assert net.cost(X[:1], Y[:1]) == pytest.approx(losses[0] + 0.5 / 2 * 9.0)


def test_weighted_cost_is_weighted_mean_plus_penalty_over_weight_sum():
    net, X, Y, _ = tiny_problem("tanh", "softmax/log_loss", "l2", None)
    sw = np.array([1.0, 2.0, 0.0, 3.0, 1.0, 1.0, 2.0])
    _, out = reference_forward(net.coefs, net.intercepts, X, "tanh", "log_loss")
    losses = reference_losses(out, Y, "log_loss")
    sq = sum((W**2).sum() for W in net.coefs)
    expected = np.dot(sw, losses) / sw.sum() + 0.7 / (2 * sw.sum()) * sq
    assert net.cost(X, Y, sw) == pytest.approx(expected, rel=1e-12)
    # Integer weights are repeated rows, for J and for its gradient.
    rows = np.repeat(np.arange(7), sw.astype(int))
    J_weighted = net.cost_and_grad(X, Y, sw)
    grad_weighted = net.grad.copy()
    assert net.cost_and_grad(X[rows], Y[rows]) == pytest.approx(J_weighted)
    assert_allclose(net.grad, grad_weighted, rtol=1e-12)
    # Unit weights are no weights.
    assert net.cost(X, Y, np.ones(7)) == pytest.approx(net.cost(X, Y), rel=1e-14)


# -- activations ---------------------------------------------------------------


@pytest.mark.parametrize("activation", list(HIDDEN_ACTIVATIONS))
def test_hidden_activation_and_its_derivative_from_the_output(activation):
    forward, backward = HIDDEN_ACTIVATIONS[activation]
    z = np.concatenate([np.linspace(-3, -0.01, 50), np.linspace(0.01, 3, 50)])
    A = z.copy()
    forward(A)
    assert_allclose(A, reference_hidden(z, activation), rtol=1e-14)
    delta = np.full_like(z, 2.0)
    backward(A, delta)
    h = 1e-6
    slope = (
        reference_hidden(z + h, activation) - reference_hidden(z - h, activation)
    ) / (2 * h)
    assert_allclose(delta, 2.0 * slope, rtol=1e-6, atol=1e-9)


def test_relu_and_leaky_relu_slopes():
    z = np.array([-2.0, -0.5, 0.5, 2.0])
    A = z.copy()
    HIDDEN_ACTIVATIONS["leaky_relu"][0](A)
    assert_array_equal(A, [-2.0 * LEAKY_RELU_SLOPE, -0.5 * LEAKY_RELU_SLOPE, 0.5, 2.0])
    delta = np.ones(4)
    HIDDEN_ACTIVATIONS["leaky_relu"][1](A, delta)
    assert_array_equal(delta, [LEAKY_RELU_SLOPE, LEAKY_RELU_SLOPE, 1.0, 1.0])
    A = z.copy()
    HIDDEN_ACTIVATIONS["relu"][0](A)
    delta = np.ones(4)
    HIDDEN_ACTIVATIONS["relu"][1](A, delta)
    assert_array_equal(delta, [0.0, 0.0, 1.0, 1.0])


def test_output_activations():
    rng = np.random.RandomState(0)
    Z = rng.standard_normal((6, 3)) * 3
    A = Z.copy()
    OUTPUT_ACTIVATIONS["softmax"](A)
    assert_allclose(A, np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), rtol=1e-13)
    A = Z.copy()
    OUTPUT_ACTIVATIONS["logistic"](A)
    assert_allclose(A, 1 / (1 + np.exp(-Z)), rtol=1e-13)
    A = Z.copy()
    OUTPUT_ACTIVATIONS["exp"](A)
    assert_allclose(A, np.exp(Z), rtol=1e-14)
    A = Z.copy()
    OUTPUT_ACTIVATIONS["identity"](A)
    assert_array_equal(A, Z)


# -- losses --------------------------------------------------------------------


@pytest.mark.parametrize("output_layer", list(OUTPUT_LAYERS))
def test_loss_values_and_canonical_link(output_layer):
    """Each loss equals its formula, and dloss/dZ is ``A - Y`` (one example)."""
    loss, k, kind = OUTPUT_LAYERS[output_layer]
    out_name, loss_fn = LOSSES[loss]
    rng = np.random.RandomState(3)
    Z = rng.standard_normal((5, k))
    Y = make_targets(kind, 5, k, rng)
    A = Z.copy()
    OUTPUT_ACTIVATIONS[out_name](A)
    assert_allclose(loss_fn(Z, A, Y), reference_losses(A, Y, loss), rtol=1e-12)

    def total(Z):
        A = Z.copy()
        OUTPUT_ACTIVATIONS[out_name](A)
        return loss_fn(Z, A, Y).sum()

    approx = np.zeros_like(Z)
    for idx in np.ndindex(*Z.shape):
        E = np.zeros_like(Z)
        E[idx] = EPSILON
        approx[idx] = (total(Z + E) - total(Z - E)) / (2 * EPSILON)
    assert_allclose(approx, A - Y, atol=1e-8)


def test_log_losses_are_stable_for_large_logits():
    Z = np.array([[800.0, -800.0, 0.0]])
    Y = np.array([[0.0, 1.0, 0.0]])
    A = Z.copy()
    OUTPUT_ACTIVATIONS["softmax"](A)
    assert LOSSES["log_loss"][1](Z, A, Y)[0] == pytest.approx(1600.0)
    Zb = np.array([[800.0], [-800.0]])
    Yb = np.array([[0.0], [1.0]])
    Ab = expit(Zb)
    assert_allclose(LOSSES["binary_log_loss"][1](Zb, Ab, Yb), [800.0, 800.0])


# -- penalties -----------------------------------------------------------------


@pytest.mark.parametrize("n_rows", [3, 2 * CHUNK // 4 + 5])
def test_penalty_values_and_gradients(n_rows):
    # Through a chunk-sized scratch buffer: the long first matrix (n_rows x 4)
    # crosses two chunk boundaries.
    rng = np.random.RandomState(0)
    coefs = [rng.standard_normal((n_rows, 4)), rng.standard_normal((4, 2))]
    scratch = scratch_for(coefs)
    assert scratch.size == min(CHUNK, coefs[0].size)
    sq = sum((W**2).sum() for W in coefs)
    ab = sum(np.abs(W).sum() for W in coefs)
    alpha, r, m = 0.3, 0.25, 8
    args = (alpha, r, m, scratch)
    assert penalty_value(coefs, "l2", *args) == pytest.approx(alpha / 16 * sq)
    assert penalty_value(coefs, "l1", *args) == pytest.approx(alpha / 8 * ab)
    assert penalty_value(coefs, "elasticnet", *args) == pytest.approx(
        alpha / 8 * (r * ab + (1 - r) / 2 * sq)
    )
    assert penalty_value(coefs, None, *args) == 0.0
    assert penalty_value(coefs, "l2", 0.0, r, m, scratch) == 0.0
    expected = {
        "l2": [alpha / m * W for W in coefs],
        "l1": [alpha / m * np.sign(W) for W in coefs],
        "elasticnet": [alpha / m * (r * np.sign(W) + (1 - r) * W) for W in coefs],
    }
    for penalty, grads in expected.items():
        dWs = [np.ones_like(W) for W in coefs]
        add_penalty_gradient(coefs, dWs, penalty, *args)
        for dW, g in zip(dWs, grads):
            assert_allclose(dW, 1.0 + g, rtol=1e-14)
    dWs = [np.ones_like(W) for W in coefs]
    add_penalty_gradient(coefs, dWs, None, *args)
    assert all(np.all(dW == 1.0) for dW in dWs)


def test_elasticnet_interpolates_between_l2_and_l1():
    coefs = [np.random.RandomState(1).standard_normal((3, 4))]
    scratch = scratch_for(coefs)
    assert penalty_value(coefs, "elasticnet", 0.5, 1.0, 4, scratch) == pytest.approx(
        penalty_value(coefs, "l1", 0.5, 0.15, 4, scratch)
    )
    assert penalty_value(coefs, "elasticnet", 0.5, 0.0, 4, scratch) == pytest.approx(
        penalty_value(coefs, "l2", 0.5, 0.15, 4, scratch)
    )


# -- dropout -------------------------------------------------------------------


def test_dropout_mask_is_inverted_and_keeps_the_right_fraction():
    rng = np.random.RandomState(0)
    mask = draw_mask((400, 500), 0.8, rng, np.float64)
    assert set(np.unique(mask)) == {0.0, 1 / 0.8}
    assert (mask > 0).mean() == pytest.approx(0.8, abs=0.005)
    assert mask.mean() == pytest.approx(1.0, abs=0.01)  # expectation kept
    assert draw_mask((3, 3), 0.5, rng, np.float32).dtype == np.float32


def test_dropout_mask_is_rand_less_than_keep_prob():
    mask = draw_mask((5, 6), 0.3, np.random.RandomState(7), np.float64)
    expected = (np.random.RandomState(7).random_sample((5, 6)) < 0.3) / 0.3
    assert_array_equal(mask, expected)


def test_keep_prob_one_draws_no_mask_and_no_random_numbers():
    rng = np.random.RandomState(0)
    assert draw_mask((10, 10), 1.0, rng, np.float64) is None
    assert rng.random_sample() == np.random.RandomState(0).random_sample()


def test_training_forward_drops_units_and_prediction_does_not():
    net, X, Y, _ = tiny_problem("relu", "softmax/log_loss", None, [0.5, 0.5])
    before = net.forward(X)
    J_dropout = net.cost_and_grad(X, Y, rng=np.random.RandomState(0))
    assert J_dropout != pytest.approx(net.cost(X, Y))
    assert_array_equal(net.forward(X), before)
    _, expected = reference_forward(net.coefs, net.intercepts, X, "relu", "log_loss")
    assert_allclose(before, expected, rtol=1e-12)


def test_keep_prob_one_is_no_dropout_in_the_network():
    net, X, Y, _ = tiny_problem("relu", "softmax/log_loss", "l2", [1.0, 1.0])
    rng = np.random.RandomState(0)
    J = net.cost_and_grad(X, Y, rng=rng)
    grad = net.grad.copy()
    assert J == net.cost_and_grad(X, Y, rng=None)
    assert_array_equal(grad, net.grad)
    assert rng.random_sample() == np.random.RandomState(0).random_sample()


@pytest.mark.parametrize(
    "keep_prob, n_hidden, expected",
    [(0.5, 3, [0.5, 0.5, 0.5]), ([0.9, 0.7], 2, [0.9, 0.7]), (1, 1, [1.0])],
)
def test_resolve_keep_prob(keep_prob, n_hidden, expected):
    assert resolve_keep_prob(keep_prob, n_hidden) == expected


@pytest.mark.parametrize(
    "keep_prob, match",
    [
        ([0.5], "one value per hidden layer"),
        ([0.5, 0.0], r"\(0, 1\]"),
        (1.5, r"\(0, 1\]"),
    ],
)
def test_resolve_keep_prob_rejects_bad_values(keep_prob, match):
    with pytest.raises(ValueError, match=match):
        resolve_keep_prob(keep_prob, 2)


# -- initialisation ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, std",
    [("he", np.sqrt(2 / 800)), ("xavier", np.sqrt(1 / 800)), ("normal", 0.01)],
)
def test_gaussian_init_variances(name, std):
    W = INITIALIZERS[name](800, 1000, np.random.RandomState(0), "relu")
    assert W.shape == (800, 1000)
    assert W.mean() == pytest.approx(0.0, abs=3 * std / np.sqrt(W.size) * 3)
    assert W.std() == pytest.approx(std, rel=0.005)


@pytest.mark.parametrize("activation, factor", [("relu", 6.0), ("logistic", 2.0)])
def test_glorot_uniform_bound_is_scikit_learns(activation, factor):
    W = INITIALIZERS["glorot_uniform"](300, 500, np.random.RandomState(0), activation)
    bound = np.sqrt(factor / 800)
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.999 * bound
    assert W.std() == pytest.approx(bound / np.sqrt(3), rel=0.01)  # uniform


def test_zeros_init_is_all_zero():
    assert_array_equal(
        INITIALIZERS["zeros"](5, 4, np.random.RandomState(0), "relu"), np.zeros((5, 4))
    )


@pytest.mark.parametrize(
    "activation, scheme",
    [
        ("relu", "glorot_uniform"),
        ("leaky_relu", "glorot_uniform"),
        ("tanh", "glorot_uniform"),
        ("logistic", "glorot_uniform"),
        ("identity", "glorot_uniform"),
    ],
)
def test_auto_init_is_scikit_learns_glorot(activation, scheme):
    # Chosen by measurement on the panel of DESIGN section 18.
    auto = resolve_init("auto", activation)(20, 30, np.random.RandomState(5))
    named = resolve_init(scheme, activation)(20, 30, np.random.RandomState(5))
    assert_array_equal(auto, named)


def test_network_initialize_draws_layer_by_layer_and_zeroes_biases():
    net = Network([3, 4, 2], "relu", "log_loss")
    net.theta[...] = 1.0
    calls = []

    def init(n_in, n_out, rng):
        calls.append((n_in, n_out))
        return np.full((n_in, n_out), n_in + 0.5)

    net.initialize(init, np.random.RandomState(0))
    assert calls == [(3, 4), (4, 2)]
    assert_array_equal(net.coefs[0], 3.5)
    assert_array_equal(net.coefs[1], 4.5)
    assert all(np.all(b == 0) for b in net.intercepts)


def test_network_initialize_rejects_a_callable_with_the_wrong_shape():
    net = Network([3, 4, 2], "relu", "log_loss")
    with pytest.raises(ValueError, match="shape"):
        net.initialize(lambda n_in, n_out, rng: np.ones((n_out, n_in)), None)


# -- parameter layout ----------------------------------------------------------


def test_theta_layout_is_weights_then_biases():
    net = Network([3, 4, 2], "relu", "log_loss")
    net.theta[...] = np.arange(net.n_params)
    slices = net.parameter_slices()
    assert list(slices) == ["W[1]", "W[2]", "b[1]", "b[2]"]
    assert_array_equal(net.coefs[0].ravel(), np.arange(12))
    assert_array_equal(net.coefs[1].ravel(), np.arange(12, 20))
    assert_array_equal(net.intercepts[0], np.arange(20, 24))
    assert_array_equal(net.intercepts[1], np.arange(24, 26))
    for name, s in slices.items():
        layer = int(name[2]) - 1
        view = net.coefs[layer] if name[0] == "W" else net.intercepts[layer]
        assert_array_equal(net.theta[s], view.ravel())
    assert net.n_params == 26
