"""Data mismatch (DESIGN §13): the train-dev gaps in the diagnosis, the recipe
with an explicit dev set, and the learning curve with a train-dev line."""

import itertools
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, learning_curve

from sklearn_dnn import (
    BasicRecipe,
    BiasVarianceDisplay,
    DNNClassifier,
    diagnose_bias_variance,
)
from sklearn_dnn.diagnostics._bias_variance import (
    BIAS_REMEDIES,
    DATA_MISMATCH_REMEDIES,
    DEV_OVERFITTING_REMEDIES,
    VARIANCE_REMEDIES,
)

GAPS = ("high bias", "high variance", "high data mismatch", "high dev overfitting")

# -- diagnose_bias_variance with train-dev and test errors -----------------------


@pytest.mark.parametrize("highs", list(itertools.product([False, True], repeat=4)))
def test_every_combination_of_high_gaps_is_named_in_order(highs):
    bias, variance, mismatch, overfitting = highs
    train = 0.2 if bias else 0.0
    train_dev = train + (0.1 if variance else 0.0)
    dev = train_dev + (0.1 if mismatch else 0.0)
    test = dev + (0.1 if overfitting else 0.0)
    diagnosis = diagnose_bias_variance(
        train, dev, train_dev_error=train_dev, test_error=test
    )
    flags = (
        diagnosis.high_bias,
        diagnosis.high_variance,
        diagnosis.high_data_mismatch,
        diagnosis.high_dev_overfitting,
    )
    assert flags == highs
    words = [case for case, high in zip(GAPS, highs) if high]
    assert diagnosis.case == (" and ".join(words) or "good fit")
    expected = ()
    for high, group in zip(
        highs,
        (
            BIAS_REMEDIES,
            VARIANCE_REMEDIES,
            DATA_MISMATCH_REMEDIES,
            DEV_OVERFITTING_REMEDIES,
        ),
    ):
        if high:
            expected += tuple(r for r in group if r not in expected)
    assert diagnosis.recommendations == expected


def test_the_gaps_start_from_the_train_dev_and_dev_errors():
    diagnosis = diagnose_bias_variance(
        0.05, 0.20, 0.01, train_dev_error=0.08, test_error=0.30
    )
    assert diagnosis.avoidable_bias == pytest.approx(0.04)
    assert diagnosis.variance == pytest.approx(0.03)  # train-dev - train
    assert diagnosis.data_mismatch == pytest.approx(0.12)  # dev - train-dev
    assert diagnosis.dev_overfitting == pytest.approx(0.10)  # test - dev
    # The course's example: train 1 %, train-dev 1.5 %, dev 10 %.
    course = diagnose_bias_variance(0.01, 0.10, train_dev_error=0.015)
    assert course.case == "high data mismatch"
    assert not course.high_variance


@pytest.mark.parametrize(
    "kwargs, flag, threshold",
    [
        # variance: reference train 0.10 -> threshold 0.01
        (
            {"train_error": 0.10, "dev_error": 0.11, "train_dev_error": 0.11},
            "high_variance",
            0.01,
        ),
        # mismatch: reference train-dev 0.20 -> threshold 0.02
        (
            {"train_error": 0.20, "dev_error": 0.22, "train_dev_error": 0.20},
            "high_data_mismatch",
            0.02,
        ),
        # dev overfitting: reference dev 0.30 -> threshold 0.03
        (
            {"train_error": 0.30, "dev_error": 0.30, "test_error": 0.33},
            "high_dev_overfitting",
            0.03,
        ),
    ],
)
def test_a_gap_equal_to_its_threshold_is_not_high_and_just_above_is(
    kwargs, flag, threshold
):
    baseline = {"baseline_error": kwargs["train_error"]}
    at = diagnose_bias_variance(**kwargs, **baseline)
    assert not getattr(at, flag)
    assert getattr(at, flag.replace("high_", "") + "_threshold") == pytest.approx(
        threshold
    )
    above_key = {
        "high_variance": "train_dev_error",
        "high_data_mismatch": "dev_error",
        "high_dev_overfitting": "test_error",
    }[flag]
    above = {**kwargs, above_key: kwargs[above_key] + 1e-4}
    if flag == "high_variance":
        above["dev_error"] = above["train_dev_error"]
    assert getattr(diagnose_bias_variance(**above, **baseline), flag)


def test_without_train_dev_or_test_error_the_first_diagnosis_is_unchanged():
    diagnosis = diagnose_bias_variance(0.01, 0.11)
    assert diagnosis.variance == pytest.approx(0.10)
    assert diagnosis.train_dev_error is None and diagnosis.test_error is None
    assert diagnosis.data_mismatch is None and diagnosis.dev_overfitting is None
    assert not diagnosis.high_data_mismatch and not diagnosis.high_dev_overfitting
    assert "train-dev" not in str(diagnosis) and "test error" not in str(diagnosis)


def test_printing_gives_all_four_errors_and_the_mismatch_advice():
    text = str(
        diagnose_bias_variance(0.01, 0.10, train_dev_error=0.015, test_error=0.1)
    )
    assert "train-dev error" in text and "test error" in text
    assert "data mismatch" in text and "dev overfitting" in text
    assert "error analysis" in text and "artificial data synthesis" in text
    good = diagnose_bias_variance(0.01, 0.015, train_dev_error=0.012)
    assert "every gap is within it" in str(good)


@pytest.mark.parametrize("name", ["train_dev_error", "test_error"])
@pytest.mark.parametrize("value", [-0.1, np.nan, np.inf, "0.1"])
def test_a_bad_train_dev_or_test_error_raises_naming_it(name, value):
    with pytest.raises(ValueError, match=name):
        diagnose_bias_variance(0.1, 0.2, **{name: value})


# -- BasicRecipe with an explicit dev set ------------------------------------------

N_ROWS = 1000


class ShiftedScriptedNetwork(ClassifierMixin, BaseEstimator):
    """A stand-in whose errors are ``script(params)`` on three kinds of rows.

    ``X`` holds the 0/1 label, a row id and a "shifted" flag. Rows seen in
    ``fit`` get ``train`` wrong, unseen unshifted rows ``train_dev`` and
    shifted rows ``dev``; ``script(params) -> (train, train_dev, dev,
    converged)``.
    """

    def __init__(self, hidden_layer_sizes=(1,), max_iter=5, alpha=1e-4, script=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_iter = max_iter
        self.alpha = alpha
        self.script = script

    def fit(self, X, y):
        X = np.asarray(X)
        self.classes_ = np.unique(y)
        self.seen_ = X[:, 1].copy()
        *self.rates_, converged = self.script(self.get_params())
        self.n_iter_ = self.max_iter - 1 if converged else self.max_iter
        return self

    def predict(self, X):
        X = np.asarray(X)
        labels = X[:, 0].astype(int)
        seen = np.isin(X[:, 1], self.seen_)
        shifted = X[:, 2] == 1
        kinds = (seen, ~seen & ~shifted, shifted)
        for mask, rate in zip(kinds, self.rates_):
            rows = np.flatnonzero(mask)
            wrong = rows[: int(round(rate * len(rows)))]
            labels[wrong] = 1 - labels[wrong]
        return labels


def shifted_data():
    y = np.arange(N_ROWS) % 2
    X = np.column_stack([y, np.arange(N_ROWS), np.zeros(N_ROWS)])
    y_val = np.arange(200) % 2
    X_val = np.column_stack([y_val, N_ROWS + np.arange(200), np.ones(200)])
    return X, y, X_val, y_val


def run_shifted(script, **kwargs):
    X, y, X_val, y_val = shifted_data()
    recipe = BasicRecipe(
        ShiftedScriptedNetwork(script=script), random_state=0, **kwargs
    )
    return recipe.fit(X, y, X_val=X_val, y_val=y_val)


def test_a_mismatch_alone_stops_the_recipe_with_that_diagnosis():
    recipe = run_shifted(lambda params: (0.0, 0.0, 0.2, True))
    assert len(recipe.history_) == 1
    entry = recipe.history_[0]
    assert entry["train_error"] == 0.0
    assert entry["train_dev_error"] == 0.0
    assert entry["dev_error"] == pytest.approx(0.2)
    assert recipe.diagnosis_.case == "high data mismatch"
    assert entry["action"].startswith("stop: data mismatch is high")
    assert "no change of the network fixes it" in entry["action"]


def test_train_dev_is_held_out_of_x_and_the_refit_uses_all_of_x():
    recipe = run_shifted(lambda params: (0.0, 0.0, 0.2, True), dev_size=0.25)
    # The rounds trained on the 750 rows left; the refit on all 1000 rows.
    assert recipe.best_estimator_.seen_.size == N_ROWS
    assert recipe.history_[0]["diagnosis"].train_dev_error == 0.0
    refit_free = run_shifted(
        lambda params: (0.0, 0.0, 0.2, True), dev_size=0.25, refit=False
    )
    assert refit_free.best_estimator_.seen_.size == 750
    assert np.all(refit_free.best_estimator_.seen_ < N_ROWS)  # never X_val


def test_a_mismatch_with_high_bias_is_reported_and_the_bias_fixed():
    def underfit_and_mismatched(params):
        train = 0.3 if max(params["hidden_layer_sizes"]) < 4 else 0.0
        return train, train + 0.005, train + 0.2, True

    recipe = run_shifted(underfit_and_mismatched)
    first = recipe.history_[0]
    assert first["diagnosis"].case == "high bias and high data mismatch"
    # The round races the bias moves, the bigger network among them.
    assert first["action"].startswith("a race of")
    assert "bigger network" in first["action"]
    assert "data mismatch is high" in first["action"]
    last = recipe.history_[-1]
    assert last["diagnosis"].case == "high data mismatch"
    assert last["action"].startswith("stop: data mismatch is high")


def test_variance_is_read_from_train_dev_not_from_the_shifted_dev_set():
    # Dev is 20 points above train, all of it mismatch: no variance move.
    recipe = run_shifted(lambda params: (0.0, 0.0, 0.2, True))
    assert not recipe.diagnosis_.high_variance
    assert recipe.best_params_["alpha"] == 1e-4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X_val": np.zeros((3, 3))}, "X_val is given without y_val"),
        ({"y_val": np.zeros(3)}, "y_val is given without X_val"),
        ({"X_val": np.zeros((3, 2)), "y_val": np.zeros(3)}, "X_val has"),
    ],
)
def test_a_half_or_misshapen_dev_set_raises_naming_it(kwargs, match):
    X, y, _, _ = shifted_data()
    recipe = BasicRecipe(ShiftedScriptedNetwork(script=lambda p: (0, 0, 0, True)))
    with pytest.raises(ValueError, match=match):
        recipe.fit(X, y, **kwargs)
    assert not hasattr(recipe, "history_")


def shifted_digits():
    """Digits for training; their one-pixel right shift for dev."""
    X, y = load_digits(return_X_y=True)
    images = X.reshape(-1, 8, 8) / 16
    shifted = np.zeros_like(images)
    shifted[:, :, 1:] = images[:, :, :-1]
    return (
        images[:600].reshape(600, 64),
        y[:600],
        shifted[600:900].reshape(300, 64),
        y[600:900],
    )


def test_the_real_recipe_diagnoses_a_shifted_dev_set():
    X, y, X_val, y_val = shifted_digits()
    recipe = BasicRecipe(
        DNNClassifier((32,), max_iter=60, random_state=0), max_rounds=1, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        recipe.fit(X, y, X_val=X_val, y_val=y_val)
    entry = recipe.history_[0]
    assert entry["train_dev_error"] < entry["dev_error"]
    assert entry["diagnosis"].high_data_mismatch


# -- BiasVarianceDisplay with an explicit dev set -------------------------------------


def test_display_with_a_dev_set_draws_train_train_dev_and_dev_error(pyplot):
    X, y, X_val, y_val = shifted_digits()
    estimator = LogisticRegression(max_iter=200)
    cv = StratifiedKFold(3)
    display = BiasVarianceDisplay.from_estimator(
        estimator, X, y, X_val=X_val, y_val=y_val, train_sizes=[0.5, 1.0], cv=cv
    )
    sizes, train_scores, held_scores = learning_curve(
        estimator, X, y, train_sizes=[0.5, 1.0], cv=cv
    )
    np.testing.assert_array_equal(display.train_sizes, sizes)
    np.testing.assert_allclose(display.train_errors, 1 - train_scores)
    np.testing.assert_allclose(display.train_dev_errors, 1 - held_scores)
    assert display.dev_errors.shape == display.train_dev_errors.shape == (2, 3)
    # Every fitted model is also scored on X_val.
    for fold, (train, _) in enumerate(cv.split(X, y)):
        for tick, n in enumerate(sizes):
            fitted = clone(estimator).fit(X[train[:n]], y[train[:n]])
            assert display.dev_errors[tick, fold] == pytest.approx(
                1 - fitted.score(X_val, y_val)
            )
    labels = [line.get_label() for line in display.lines_]
    assert labels == ["train error", "train-dev error", "dev error"]
    diagnosis = display.diagnosis
    assert diagnosis.train_dev_error == pytest.approx(
        display.train_dev_errors[-1].mean()
    )
    assert diagnosis.high_data_mismatch
    assert "data mismatch" in display.text_.get_text()


def test_display_without_a_dev_set_has_no_train_dev_errors(pyplot):
    X, y, _, _ = shifted_digits()
    display = BiasVarianceDisplay.from_estimator(
        LogisticRegression(max_iter=200), X, y, train_sizes=[1.0], cv=2
    )
    assert display.train_dev_errors is None
    assert len(display.lines_) == 2
    assert display.diagnosis.data_mismatch is None


def test_display_rejects_train_dev_errors_of_another_shape():
    with pytest.raises(ValueError, match="train_dev_errors"):
        BiasVarianceDisplay(
            train_sizes=[10, 20],
            train_errors=np.zeros((2, 3)),
            train_dev_errors=np.zeros((2, 2)),
            dev_errors=np.zeros((2, 3)),
        )


def test_display_from_estimator_rejects_a_half_dev_set(pyplot):
    X, y, X_val, _ = shifted_digits()
    with pytest.raises(ValueError, match="X_val is given without y_val"):
        BiasVarianceDisplay.from_estimator(LogisticRegression(), X, y, X_val=X_val)
