"""gradient_check: correct networks pass, planted bugs are found and located."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import (
    DNNClassifier,
    DNNRegressor,
    GradientCheckResult,
    gradcheck,
    gradient_check,
)
from sklearn_dnn._engine import network as _network
from sklearn_dnn._engine.activations import HIDDEN_ACTIVATIONS
from sklearn_dnn._engine.network import Network
from sklearn_dnn._multilayer import network_for_gradient_check

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "logistic", "identity"]
PENALTIES = ["l2", "l1", "elasticnet", None]
OUTPUTS = ["softmax", "logistic-binary", "logistic-multilabel", "identity", "exp"]


def _data(output, n_samples=20, n_features=3, seed=0):
    # Targets that depend on X: the gradient is then well above the rounding
    # noise of the two-sided differences (random labels give a tiny one).
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_samples, n_features))
    S = X @ rng.standard_normal((n_features, 3))
    if output == "softmax":
        return DNNClassifier, {}, X, np.argmax(S, axis=1)
    if output == "logistic-binary":
        return DNNClassifier, {}, X, (S[:, 0] > 0).astype(int)
    if output == "logistic-multilabel":
        return DNNClassifier, {}, X, (S > 0).astype(int)
    if output == "identity":
        return DNNRegressor, {}, X, S[:, 0]
    y = rng.poisson(np.exp(S[:, 0] / 2)).astype(float)
    return DNNRegressor, {"loss": "poisson"}, X, y


def _fitted(output, *, activation="tanh", penalty="l2", alpha=0.5, **params):
    """A small network trained a few epochs, so no parameter sits at its init."""
    cls, extra, X, y = _data(output)
    est = cls(
        hidden_layer_sizes=params.pop("hidden_layer_sizes", (5, 5)),
        activation=activation,
        penalty=penalty,
        alpha=alpha,
        max_iter=5,
        learning_rate_init=0.01,
        random_state=0,
        # The rounding figures below were measured on He-initialised nets.
        init=params.pop("init", "he"),
        **extra,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return est, X, y


# -- correct networks -------------------------------------------------------


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_correct_network_is_great_in_full_and_randomized_check(
    activation, penalty, output
):
    est, X, y = _fitted(output, activation=activation, penalty=penalty)
    full = gradient_check(est, X, y)
    assert full.verdict == "great", str(full)
    assert full.difference < 1e-7
    assert full.suspects == []
    randomized = gradient_check(est, X, y, n_directions=10, random_state=0)
    assert randomized.verdict == "great", str(randomized)


def test_per_parameter_uses_course_numbering_in_layer_order():
    est, X, y = _fitted("softmax")
    result = gradient_check(est, X, y)
    assert list(result.per_parameter) == ["W[1]", "b[1]", "W[2]", "b[2]"] + [
        "W[3]",
        "b[3]",
    ]
    assert all(value < 1e-6 for value in result.per_parameter.values())
    assert result.n_parameters == 3 * 5 + 5 * 5 + 5 * 3 + 5 + 5 + 3


def test_difference_is_the_course_relative_difference_of_approx_and_grad():
    est, X, y = _fitted("identity")
    result = gradient_check(est, X, y)
    net, Xv, Y, _ = network_for_gradient_check(est, X, y)
    net.cost_and_grad(Xv, Y)
    slices = net.parameter_slices()
    backprop = np.concatenate([net.grad[slices[name]] for name in result.per_parameter])
    np.testing.assert_array_equal(result.grad, backprop)
    expected = np.linalg.norm(result.approx - result.grad) / (
        np.linalg.norm(result.approx) + np.linalg.norm(result.grad)
    )
    assert result.difference == pytest.approx(expected)
    np.testing.assert_allclose(result.approx, backprop, rtol=1e-5, atol=1e-9)


def test_unfitted_estimator_is_checked_at_its_initial_parameters():
    _, _, X, y = _data("softmax")
    est = DNNClassifier((5, 5), activation="tanh", alpha=0.5, random_state=0)
    result = gradient_check(est, X, y)
    assert result.verdict == "great"
    assert not hasattr(est, "coefs_")
    assert not hasattr(est, "n_features_in_")
    np.testing.assert_array_equal(gradient_check(est, X, y).approx, result.approx)


def test_fitted_estimator_is_left_unchanged():
    est, X, y = _fitted("softmax")
    coefs = [W.copy() for W in est.coefs_]
    gradient_check(est, X, y)
    gradient_check(est, X, y, n_directions=2, random_state=0)
    for W, W_before in zip(est.coefs_, coefs):
        np.testing.assert_array_equal(W, W_before)


def test_dropout_is_switched_off_during_the_check():
    est, X, y = _fitted("softmax", keep_prob=0.5)
    assert gradient_check(est, X, y).verdict == "great"


def test_sparse_input_is_checked():
    est, X, y = _fitted("softmax")
    result = gradient_check(est, sp.csr_matrix(X), y)
    assert result.verdict == "great"


def test_float32_estimator_is_checked_on_a_float64_copy():
    cls, _, X, y = _data("softmax")
    est = DNNClassifier((5, 5), activation="tanh", alpha=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X.astype(np.float32), y)
    assert est.coefs_[0].dtype == np.float32
    result = gradient_check(est, X.astype(np.float32), y)
    assert result.verdict == "great"
    assert result.dtype == np.float32
    assert "float64 copy" in result.dtype_note
    assert result.dtype_note in str(result)
    assert est.coefs_[0].dtype == np.float32
    assert gradient_check(*_fitted("softmax")).dtype_note is None


def test_result_prints_verdict_and_per_parameter_table():
    est, X, y = _fitted("softmax")
    text = str(gradient_check(est, X, y, n_directions=4, random_state=0))
    assert "great" in text
    assert "4 random directions per parameter block" in text
    for name in ["W[1]", "b[1]", "W[3]", "b[3]"]:
        assert f"\n{name} " in text
    assert "GradientCheckResult(difference=" in repr(
        gradient_check(est, X, y, n_directions=1, random_state=0)
    )
    assert isinstance(gradient_check(est, X, y), GradientCheckResult)


def test_random_state_fixes_the_directions():
    est, X, y = _fitted("softmax")
    first = gradient_check(est, X, y, n_directions=3, random_state=1)
    again = gradient_check(est, X, y, n_directions=3, random_state=1)
    other = gradient_check(est, X, y, n_directions=3, random_state=2)
    np.testing.assert_array_equal(first.approx, again.approx)
    assert not np.array_equal(first.approx, other.approx)


def test_rounding_noise_is_told_apart_from_a_wrong_gradient():
    # Too small a step: rounding of J dominates the differences, but no block
    # stands out from its measured error, so nothing reads "check" or "bug".
    est, X, y = _fitted("softmax")
    result = gradient_check(est, X, y, epsilon=1e-10)
    assert result.difference > 1e-7
    assert result.difference < 3 * result.noise_floor
    assert result.verdict in ("great", "unresolved")
    assert result.suspects == []
    assert "hides block differences up to" in str(result)
    assert gradient_check(est, X, y).noise_floor < 1e-7


# -- kinks ------------------------------------------------------------------


def _relu_at_a_kink():
    """A ReLU network with one hidden pre-activation 3e-8 below zero."""
    est, X, y = _fitted("softmax", activation="relu", penalty=None)
    Z = X @ est.coefs_[0] + est.intercepts_[0]
    est.intercepts_[0][0] -= Z[0, 0] + 3e-8
    return est, X, y


def test_relu_kink_is_reported_not_counted_as_a_bug():
    est, X, y = _relu_at_a_kink()
    result = gradient_check(est, X, y)
    assert result.verdict == "great"
    assert (0,) in result.kinks["b[1]"]
    assert result.n_kinks >= 1
    assert "skipped" in str(result)


def test_relu_kink_would_be_a_false_alarm_without_detection(monkeypatch):
    est, X, y = _relu_at_a_kink()
    monkeypatch.setattr(gradcheck, "_KINKED_ACTIVATIONS", frozenset())
    result = gradient_check(est, X, y)
    assert result.verdict != "great"
    assert result.n_kinks == 0


def test_l1_kink_at_zero_weight_is_reported_not_counted_as_a_bug(monkeypatch):
    est, X, y = _fitted("softmax", penalty="l1")
    est.coefs_[1][2, 3] = 3e-8
    result = gradient_check(est, X, y)
    assert result.verdict == "great"
    assert result.kinks == {"W[2]": [(2, 3)]}
    est.coefs_[1][2, 3] = 0.0
    randomized = gradient_check(est, X, y, n_directions=3, random_state=0)
    assert randomized.kinks == {"W[2]": [0, 1, 2]}
    assert np.isnan(randomized.per_parameter["W[2]"])
    assert "check (every direction skipped)" in str(randomized)
    assert randomized.verdict == "great"


# -- planted bugs -----------------------------------------------------------


def _plant_wrong_sign_in_layer_2_backward(monkeypatch):
    # Layer 2 (4 units) propagates delta through -g' instead of g'.
    forward, backward = HIDDEN_ACTIVATIONS["tanh"]

    def buggy_backward(A, delta):
        backward(A, delta)
        if A.shape[1] == 4:
            delta *= -1

    monkeypatch.setitem(HIDDEN_ACTIVATIONS, "tanh", (forward, buggy_backward))
    # Backprop carries the error down to layer 1 as well.
    return {"W[1]", "b[1]", "W[2]", "b[2]"}


def _plant_missing_penalty_in_layer_2(monkeypatch):
    real = _network.add_penalty_gradient

    def buggy(coefs, coef_grads, *args):
        keep = [0, 2]
        real([coefs[i] for i in keep], [coef_grads[i] for i in keep], *args)

    monkeypatch.setattr(_network, "add_penalty_gradient", buggy)
    return {"W[2]"}


def _plant_relative_error_in_bias_3(monkeypatch):
    real = Network._backward

    def buggy(self, *args):
        real(self, *args)
        self.intercept_grads[2] *= 1 + 1e-3

    monkeypatch.setattr(Network, "_backward", buggy)
    return {"b[3]"}


BUGS = {
    "wrong sign in layer 2 backward": _plant_wrong_sign_in_layer_2_backward,
    "penalty missing from dW[2]": _plant_missing_penalty_in_layer_2,
    "1e-3 relative error in db[3]": _plant_relative_error_in_bias_3,
}


@pytest.mark.parametrize("n_directions", [None, 10])
@pytest.mark.parametrize("bug", list(BUGS))
def test_planted_bug_is_found_and_located(monkeypatch, bug, n_directions):
    est, X, y = _fitted("softmax", hidden_layer_sizes=(5, 4))
    assert (
        gradient_check(est, X, y, n_directions=n_directions, random_state=0).verdict
        == "great"
    )
    wrong = BUGS[bug](monkeypatch)
    result = gradient_check(est, X, y, n_directions=n_directions, random_state=0)
    assert result.verdict in ("check", "bug")
    flagged = {n for n, v in result.per_parameter_verdict.items() if v != "great"}
    assert flagged == wrong, str(result)
    assert result.worst in wrong
    assert result.suspects == [name for name in result.per_parameter if name in wrong]
    if bug != "1e-3 relative error in db[3]":
        assert result.verdict == "bug"
        assert all(result.per_parameter_verdict[name] == "bug" for name in wrong)
    else:
        assert result.per_parameter["b[3]"] == pytest.approx(5e-4, rel=0.05)
    assert f"Suspects: {', '.join(result.suspects)}." in str(result)


# -- cost of the check --------------------------------------------------------


def _count_cost_calls(monkeypatch):
    calls = []
    real = Network.cost

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Network, "cost", counting)
    return calls


def test_full_check_costs_two_evaluations_per_parameter(monkeypatch):
    est, X, y = _fitted("softmax")
    calls = _count_cost_calls(monkeypatch)
    result = gradient_check(est, X, y)
    n_blocks = len(result.per_parameter)
    # Plus up to 8 items per block measured again at two more steps.
    measured = result.n_cost_evaluations - 2 * result.n_parameters
    assert len(calls) == result.n_cost_evaluations
    assert 0 < measured <= 2 * 2 * 8 * n_blocks


@pytest.mark.parametrize("width", [5, 200])
def test_randomized_check_cost_depends_on_k_and_depth_not_width(monkeypatch, width):
    _, _, X, y = _data("softmax")
    est = DNNClassifier((width, width), activation="tanh", random_state=0)
    calls = _count_cost_calls(monkeypatch)
    result = gradient_check(est, X, y, n_directions=7, random_state=0)
    n_blocks = 2 * 3
    assert len(calls) == result.n_cost_evaluations
    # 2 per direction, and 2 more at each of two more steps for up to 8.
    assert result.n_cost_evaluations == (2 * 7 + 2 * 2 * 7) * n_blocks
    assert result.n_parameters > 40_000 or width == 5
    assert result.verdict == "great"


# -- bad input ----------------------------------------------------------------


def test_unfitted_estimator_without_data_is_rejected():
    with pytest.raises(ValueError, match="needs data X and y"):
        gradient_check(DNNClassifier(), None, None)


def test_mismatched_X_and_y_are_rejected():
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gradient_check(DNNClassifier((5,)), X, y[:-1])


def test_X_of_wrong_width_for_fitted_estimator_is_rejected():
    est, X, y = _fitted("softmax")
    with pytest.raises(ValueError, match="features"):
        gradient_check(est, X[:, :2], y)


@pytest.mark.parametrize("epsilon", [0, -1e-7])
def test_non_positive_epsilon_is_rejected(epsilon):
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="'epsilon' parameter"):
        gradient_check(DNNClassifier((5,)), X, y, epsilon=epsilon)


@pytest.mark.parametrize("k", [0, -3])
def test_non_positive_n_directions_is_rejected(k):
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="'n_directions' parameter"):
        gradient_check(DNNClassifier((5,)), X, y, n_directions=k)


def test_estimator_that_is_not_a_dnn_is_rejected():
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="'estimator' parameter"):
        gradient_check(MLPClassifier(), X, y)


def test_non_finite_cost_is_rejected():
    est, X, y = _fitted("exp")
    est.coefs_[-1][...] = 1e3
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="cost J is"):
        gradient_check(est, X * 1e3, y)


# -- every entry point validates like fit ------------------------------------


BAD_NETWORK_PARAMS = [
    ({"penalty": "L2"}, "penalty"),
    ({"alpha": -1}, "alpha"),
    ({"l1_ratio": 5}, "l1_ratio"),
    ({"activation": "bogus"}, "activation"),
    ({"solver": "newton"}, "solver"),
    ({"init": "zeros?"}, "init"),
]


@pytest.mark.parametrize("params, name", BAD_NETWORK_PARAMS)
@pytest.mark.parametrize("fitted", [False, True])
def test_invalid_estimator_parameters_raise_as_fit_does(params, name, fitted):
    # A typo that fit rejects used to come out as a "bug" verdict.
    _, _, X, y = _data("softmax")
    estimator = DNNClassifier((3,), random_state=0)
    if fitted:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
    estimator.set_params(**params)
    with pytest.raises(ValueError, match=name) as fit_error:
        DNNClassifier((3,), **params).fit(X, y)
    with pytest.raises(type(fit_error.value), match=f"'{name}' parameter of the"):
        gradient_check(estimator, X, y)


@pytest.mark.parametrize(
    "params", [{"hidden_layer_sizes": (0,)}, {"hidden_layer_sizes": (3, -1)}]
)
def test_invalid_architecture_raises_as_fit_does(params):
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        gradient_check(DNNClassifier(**params), X, y)


@pytest.mark.parametrize("y_bad", [np.nan, np.inf])
def test_invalid_data_raises_as_fit_does(y_bad):
    estimator, _, X, y = _data("identity")
    y = y.copy()
    y[0] = y_bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        gradient_check(DNNRegressor((3,)), X, y)


@pytest.mark.parametrize("epsilon", [1e-20, 1e-17, 1e-300, 5e-324])
def test_an_epsilon_too_small_to_change_the_parameters_raises(epsilon):
    # It gave 0/0 = NaN differences and a meaningless verdict.
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="epsilon.*too small"):
        gradient_check(DNNClassifier((3,), random_state=0), X, y, epsilon=epsilon)


@pytest.mark.parametrize("epsilon", [0, -1e-7, np.nan, "1e-7"])
def test_a_non_positive_epsilon_is_an_invalid_parameter(epsilon):
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="'epsilon' parameter"):
        gradient_check(DNNClassifier((3,)), X, y, epsilon=epsilon)


@pytest.mark.parametrize("n_directions", [0, -2, 1.5, "3"])
def test_an_invalid_n_directions_is_an_invalid_parameter(n_directions):
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="'n_directions' parameter"):
        gradient_check(DNNClassifier((3,)), X, y, n_directions=n_directions)


@pytest.mark.parametrize("n_directions", [None, 2])
def test_a_cost_that_is_not_finite_at_a_probed_point_raises(monkeypatch, n_directions):
    # J overflows on one side of a step.
    _, _, X, y = _data("softmax")
    real, calls = Network.cost, []

    def overflowing(self, *args, **kwargs):
        calls.append(1)
        return np.inf if len(calls) == 3 else real(self, *args, **kwargs)

    monkeypatch.setattr(Network, "cost", overflowing)
    with pytest.raises(ValueError, match="cost J is .* theta \\+ epsilon"):
        gradient_check(
            DNNClassifier((3,), random_state=0),
            X,
            y,
            n_directions=n_directions,
            random_state=0,
        )


@pytest.mark.parametrize("epsilon", [0.1, 1.0, 1e200])
def test_a_step_above_1e_2_of_the_parameters_scale_is_refused(epsilon):
    _, _, X, y = _data("softmax")
    with pytest.raises(ValueError, match="too large.*Use epsilon=6.1e-06"):
        gradient_check(DNNClassifier((3,), random_state=0), X, y, epsilon=epsilon)


# -- what the numbers mean (DESIGN §14) -----------------------------------------


def _small_tanh():
    X, y = load_digits(return_X_y=True)
    return DNNClassifier((8,), activation="tanh", random_state=0), X[:100] / 16, y[:100]


def test_a_correct_network_at_a_large_epsilon_is_not_a_bug():
    est, X, y = _small_tanh()
    result = gradient_check(est, X, y, epsilon=1e-2)
    assert result.noise_floor > 1e-6  # the step's truncation error is large
    assert result.verdict == "great"
    assert set(result.per_parameter_verdict.values()) == {"great"}


def _planted_too_large(monkeypatch, rate=0.2):
    """Backprop's whole gradient ``1 + rate`` times too large."""
    real = Network.cost_and_grad

    def wrong(self, *args, **kwargs):
        J = real(self, *args, **kwargs)
        self.grad *= 1 + rate
        return J

    monkeypatch.setattr(Network, "cost_and_grad", wrong)


def test_a_wrong_gradient_is_still_a_bug_at_a_large_epsilon(monkeypatch):
    est, X, y = _small_tanh()
    _planted_too_large(monkeypatch)
    assert gradient_check(est, X, y, epsilon=1e-2).verdict == "bug"
    # Before, a truncation estimate of 0.44 absorbed the 0.19 difference.
    with pytest.raises(ValueError, match="too large"):
        gradient_check(est, X, y, epsilon=1.0)


def test_a_gap_that_does_not_shrink_as_the_step_squared_is_not_absorbed():
    from sklearn_dnn._gradcheck_resolution import _item_error

    rounding = 1e-12
    # Truncation: the gaps grow fourfold with the doubled step: counted.
    assert _item_error((1.0 + 1e-4, 1.0 + 4e-4, 1.0 + 16e-4), rounding) > 1e-4
    # Within rounding: counted.
    assert _item_error((1.0 + 1e-12, 1.0, 1.0), rounding) == pytest.approx(1e-12)
    # Neither (a step too large for Taylor): only the rounding bound counts.
    assert _item_error((1.2, 1.0, 0.9), rounding) == rounding


def test_the_overall_verdict_is_the_worst_blocks():
    from sklearn_dnn.gradcheck import _check_result

    good = np.linspace(1, 2, 100)
    pairs = {"W[1]": (good, good), "b[1]": (np.array([1.0]), np.array([1.001]))}
    result = _check_result(
        pairs, errors={"W[1]": 0.0, "b[1]": 0.0}, kinks={}, epsilon=1e-7,
        n_directions=None, n_parameters=101, n_cost_evaluations=202,
        dtype=np.float64, dtype_note=None, suggested_epsilon=6e-6,
    )  # fmt: skip
    assert result.difference < 1e-4  # pooled, the bad block is diluted
    assert result.per_parameter_verdict["b[1]"] == "check"
    assert result.verdict == "check"


def test_a_pipeline_ending_in_a_network_is_checked_after_its_transforms():
    est, X, y = _small_tanh()
    pipe = make_pipeline(StandardScaler(), est)
    result = gradient_check(pipe, X * 16, y)
    direct = gradient_check(est, StandardScaler().fit_transform(X * 16), y)
    assert result.verdict == "great"
    assert result.difference == pytest.approx(direct.difference)
    with pytest.raises(ValueError, match="last step is a DNNClassifier"):
        gradient_check(make_pipeline(StandardScaler()), X, y)


def test_a_long_check_shows_progress(monkeypatch, capsys):
    est, X, y = _small_tanh()
    monkeypatch.setattr(gradcheck, "_PROGRESS_AFTER", 0.0)
    clock = iter(np.arange(0, 10_000, 0.5))
    monkeypatch.setattr(gradcheck.time, "perf_counter", lambda: next(clock))
    gradient_check(est, X, y, n_directions=2, random_state=0)
    err = capsys.readouterr().err
    assert "gradient check:" in err and "cost evaluations" in err


# -- checks that do not cry wolf (DESIGN §20) -----------------------------------


def test_a_trained_64_64_network_reads_great():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = DNNClassifier((64, 64), max_iter=200, random_state=0).fit(X, y)
    result = gradient_check(est, X, y, n_directions=10, random_state=0)
    # Before, "check": 3.4e-7 against a floor of 6e-9 computed from |J|.
    assert result.difference > 1e-7
    assert result.verdict == "great"
    assert result.suspects == []


def test_a_network_trained_by_lbfgs_to_a_small_loss_is_not_a_bug():
    X, y = load_digits(return_X_y=True)
    X, y = StandardScaler().fit_transform(X[:200]), y[:200]
    est = DNNClassifier(
        (10, 5), activation="tanh", solver="lbfgs", max_iter=2000, random_state=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    result = gradient_check(est, X, y)
    assert result.verdict in ("great", "unresolved")
    # At the suggested step the check resolves it.
    assert 6e-6 <= result.suggested_epsilon < 1e-4
    finer = gradient_check(est, X, y, epsilon=result.suggested_epsilon)
    assert finer.verdict == "great"


def test_the_overall_verdict_is_the_worst_blocks_at_a_tiny_epsilon():
    est, X, y = _small_tanh()
    est.fit(X, y)
    result = gradient_check(est, X, y, epsilon=1e-12)
    worst = max(result.per_parameter_verdict.values(), key=gradcheck._SEVERITY.get)
    assert result.verdict == worst != "bug"
    assert f"->  {result.verdict} (the worst block's verdict)" in str(result)


@pytest.mark.parametrize("rate", [0.01, 0.2])
@pytest.mark.parametrize("epsilon", [1e-7, 1e-5, 1e-3])
def test_a_planted_error_never_reads_great(monkeypatch, rate, epsilon):
    est, X, y = _small_tanh()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    _planted_too_large(monkeypatch, rate)
    assert gradient_check(est, X, y, epsilon=epsilon).verdict != "great"


def test_a_block_whose_gradient_is_rounding_noise_is_great_not_a_bug():
    # A linear network at its least-squares optimum: the output bias's
    # gradient is 1e-17 of rounding, its quotients exactly 0. Both agree on
    # a gradient of zero within the noise, as well as any step can show (a
    # wrong zero would leave the quotients above the noise): "great", not a
    # verdict that sends the user to a step that cannot resolve it either.
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
    est = DNNRegressor(
        (4,), activation="identity", solver="lbfgs", max_iter=500, random_state=17
    ).fit(X, y)
    result = gradient_check(est, X, y)
    assert result.per_parameter["b[2]"] == pytest.approx(1.0)
    assert result.per_parameter_verdict["b[2]"] == "great"
    assert result.verdict == "great"
    assert result.suspects == []
