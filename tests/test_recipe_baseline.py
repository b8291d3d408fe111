"""BasicRecipe's reference baseline, its default error and the round it ships.

``baseline_error="auto"`` is the lowest cross-validated error of reference
models that need no tuning (DESIGN §19); the round shipped is the one the
final diagnosis describes.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_friedman1
from sklearn.metrics import hamming_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import BasicRecipe, DNNClassifier, DNNRegressor, diagnose_bias_variance
from sklearn_dnn.diagnostics import _recipe_baseline
from sklearn_dnn.diagnostics._recipe_baseline import reference_baseline
from sklearn_dnn.diagnostics._recipe_outcome import final_advice, shipped_round
from sklearn_dnn.diagnostics._validation import error_scorer


def one_round(network, X, y, **kwargs):
    """A one-round recipe: the baseline is computed, the rounds barely run."""
    recipe = BasicRecipe(network, max_rounds=1, random_state=0, **kwargs)
    return recipe.fit(X, y)


# -- the reference baseline ---------------------------------------------------------


def test_auto_is_the_default_and_a_number_keeps_its_meaning():
    assert BasicRecipe(DNNClassifier()).baseline_error == "auto"
    X, y = make_classification(n_samples=200, random_state=0)
    recipe = one_round(DNNClassifier(max_iter=2), X, y, baseline_error=0.05)
    assert recipe.baseline_["error"] == 0.05
    assert recipe.baseline_["source"] == "given"
    assert recipe.history_[0]["baseline_error"] == 0.05
    assert recipe.history_[0]["diagnosis"].baseline_error == 0.05


def test_auto_picks_the_lower_of_the_two_references():
    # A target that only a tree model can learn: y = x0 * x1 > 0 (XOR-like).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    recipe = one_round(DNNClassifier(max_iter=2), X, y)
    baseline = recipe.baseline_
    errors = baseline["errors"]
    assert set(errors) == {"LogisticRegression", "HistGradientBoostingClassifier"}
    assert errors["HistGradientBoostingClassifier"] < errors["LogisticRegression"]
    assert baseline["error"] == errors["HistGradientBoostingClassifier"]
    assert baseline["model"] == "HistGradientBoostingClassifier"
    assert "upper bound of the Bayes error" in baseline["source"]
    assert baseline["standard_error"] > 0
    # Fitted on the training split only: 480 of the 600 rows.
    assert baseline["n_samples"] == 480
    assert recipe.history_[0]["baseline_error"] == baseline["error"]
    assert recipe.diagnosis_.baseline_error == baseline["error"]
    assert recipe.diagnosis_ is recipe.history_[recipe.best_index_]["diagnosis"]
    assert recipe.advice_.startswith("round 1 shipped (5-fold dev error ")


def test_auto_never_reads_below_the_known_bayes_error_of_friedman1():
    X, y = make_friedman1(n_samples=2000, noise=1.0, random_state=0)
    bayes = 1.0 / y.var()  # 1 - R^2 of the true function: noise over variance
    recipe = one_round(
        make_pipeline(StandardScaler(), DNNRegressor(max_iter=1)), X, y, max_time=None
    )
    baseline = recipe.baseline_
    assert baseline["error"] >= bayes
    assert set(baseline["errors"]) == {"RidgeCV", "HistGradientBoostingRegressor"}
    assert baseline["model"] == "HistGradientBoostingRegressor"
    assert baseline["notes"] == []


class SlowClock:
    """A clock on which every fit seems to take ``step`` seconds."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step / 2  # read twice per pilot fit
        return self.now


def test_the_references_keep_to_a_tenth_of_max_time(monkeypatch):
    X, y = make_classification(n_samples=300, random_state=0)
    error = error_scorer(DNNClassifier(), None, y)
    # Each pilot fit seems to take 1 s: 5 folds (5 s) never fit in 0.1 * 20 s.
    monkeypatch.setattr(_recipe_baseline, "clock", SlowClock(1.0))
    baseline = reference_baseline(
        DNNClassifier(), X, y, error, max_time=20, random_state=0
    )
    assert baseline["errors"] == {
        "LogisticRegression": None,
        "HistGradientBoostingClassifier": None,
    }
    assert baseline["error"] == 0.0
    assert baseline["source"].startswith("none:")
    assert "more than the" in baseline["notes"][0]
    assert "0.1 of max_time" in baseline["notes"][0]
    # A generous budget measures both.
    baseline = reference_baseline(
        DNNClassifier(), X, y, error, max_time=1000, random_state=0
    )
    assert None not in baseline["errors"].values()


def test_the_references_take_fewer_rows_when_the_time_is_short():
    rows, note = _recipe_baseline._rows_in_time(
        n_rows=5000, pilot_rows=500, pilot_seconds=0.1, seconds_left=2.0
    )
    # 5 fits of 2000 rows at 0.1 s per 500 rows take 2 s: 2000 * 5 / 4 rows.
    assert rows == 2500
    assert note == "on 2500 of 5000 rows, to fit its 0.1 of max_time"
    assert _recipe_baseline._rows_in_time(5000, 500, 0.1, 100.0) == (5000, "")
    rows, note = _recipe_baseline._rows_in_time(5000, 500, 1.0, 2.0)
    assert rows is None and "more than the 2 s left" in note


def test_a_reference_that_cannot_fit_is_skipped_with_its_reason():
    X, y = make_classification(n_samples=200, random_state=0)
    X[0, 0] = np.nan  # LogisticRegression rejects NaN; gradient boosting not
    error = error_scorer(DNNClassifier(), None, y)
    baseline = reference_baseline(
        DNNClassifier(), X, y, error, max_time=None, random_state=0
    )
    assert baseline["errors"]["LogisticRegression"] is None
    assert baseline["notes"][0].startswith("LogisticRegression skipped: it cannot")
    assert baseline["model"] == "HistGradientBoostingClassifier"


def test_the_baseline_noise_counts_in_the_bias_gap():
    sizes = {"train": 10000, "dev": 10000}
    exact = diagnose_bias_variance(0.12, 0.12, 0.10, n_samples=sizes)
    measured = diagnose_bias_variance(
        0.12, 0.12, 0.10, n_samples=sizes, standard_errors={"baseline": 0.02}
    )
    assert exact.high_bias
    assert not measured.high_bias
    assert measured.uncertain == ("bias",)
    train_se = exact.error_standard_errors["train"]
    assert measured.standard_errors["bias"] == pytest.approx(np.hypot(train_se, 0.02))
    with pytest.raises(ValueError, match="unknown keys"):
        diagnose_bias_variance(0.1, 0.1, n_samples={"baseline": 10})


# -- the default error ----------------------------------------------------------------


def multilabel_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6))
    Y = np.column_stack([X[:, i] > 0 for i in range(4)]).astype(int)
    return X, Y


def test_multilabel_targets_default_to_the_hamming_loss():
    X, Y = multilabel_data()
    recipe = one_round(DNNClassifier(max_iter=20, random_state=0), X, Y)
    entry = recipe.history_[0]
    network = recipe.best_estimator_
    # refit=True: the errors of round 1 are its own; check the error's kind
    # on the refit network with the same scorer.
    error = error_scorer(recipe.estimator, None, Y)
    assert error.name == "hamming_loss"
    assert error(network, X, Y) == pytest.approx(hamming_loss(Y, network.predict(X)))
    assert 0 <= entry["dev_error"] <= 1
    # Hamming loss has a per-example standard error, so the noise rule runs.
    assert entry["diagnosis"].error_standard_errors["dev"] > 0
    assert recipe.baseline_["model"] in {
        "LogisticRegression",
        "HistGradientBoostingClassifier",
    }
    assert "hamming_loss" in recipe.baseline_["source"]


def test_single_label_and_regression_defaults_are_unchanged():
    X, y = make_classification(n_samples=50, random_state=0)
    assert error_scorer(DNNClassifier(), None, y).name == "1 - accuracy"
    assert error_scorer(DNNRegressor(), None, y.astype(float)).name == "1 - R^2"


# -- the round shipped ---------------------------------------------------------


def entry(dev_error, case, n_dev=1000):
    """A history entry whose diagnosis is ``case`` at ``dev_error``."""
    train = {"good fit": dev_error, "high variance": 0.0}[case]
    diagnosis = diagnose_bias_variance(
        train, dev_error, train, n_samples={"train": 4000, "dev": n_dev}
    )
    assert diagnosis.case == case
    return {"dev_error": dev_error, "diagnosis": diagnosis}


def test_the_round_shipped_has_the_fewest_high_gaps_within_one_standard_error():
    history = [
        entry(0.30, "high variance"),
        entry(0.100, "high variance"),  # the lowest dev error
        entry(0.105, "good fit"),  # within one standard error (about 0.0095)
        entry(0.104, "good fit"),
        entry(0.100, "high variance"),
    ]
    assert shipped_round(history) == 3  # good fit, the later of the two
    history[3] = entry(0.13, "good fit")  # now beyond one standard error
    assert shipped_round(history) == 2
    history[2] = entry(0.13, "good fit")
    assert shipped_round(history) == 4  # ties on gaps: the later one


def test_a_round_saying_good_fit_is_shipped_over_a_tied_high_variance_round():
    history = [entry(0.10, "high variance"), entry(0.10, "good fit")]
    assert shipped_round(history) == 1
    history = [entry(0.10, "good fit"), entry(0.10, "high variance")]
    assert shipped_round(history) == 0


def test_the_final_advice_names_a_better_reference_model():
    error = error_scorer(DNNRegressor(), None, np.arange(3.0))
    round_ = {
        "dev_error": 0.60,
        "diagnosis": diagnose_bias_variance(
            0.5, 0.60, 0.5, standard_errors={"train": 0.02, "dev": 0.03}
        ),
    }
    better = {
        "error": 0.45,
        "standard_error": 0.03,
        "model": "RidgeCV",
        "n_samples": 353,
    }
    advice = final_advice([round_], 0, better, error)
    assert advice.startswith("round 1 shipped (dev error 0.6000 (1 - R^2)): ")
    assert "RidgeCV reaches 0.4500 (1 - R^2)" in advice
    assert "network's dev error is 0.6000 (1 - R^2)" in advice
    assert "RidgeCV is the better tool for these data" in advice
    within_noise = {**better, "error": 0.55}
    assert "better tool" not in final_advice([round_], 0, within_noise, error)
    given = {"error": 0.0, "standard_error": None, "source": "given"}
    assert "RidgeCV" not in final_advice([round_], 0, given, error)


def test_gradient_boosting_is_timed_from_its_fixed_and_per_iteration_costs(
    monkeypatch,
):
    # Its pilot fits at 1 and 10 iterations take 0.3 s and 0.5 s: 0.3 s fixed
    # (the first iteration) and 0.2 / 9 s per further iteration, 2.5 s in all
    # for 100 iterations.
    readings = iter([0.0, 0.3, 1.0, 1.5])
    monkeypatch.setattr(_recipe_baseline, "clock", lambda: next(readings))
    X, y = make_classification(n_samples=100, random_state=0)
    (_, one), (_, ten) = [
        _recipe_baseline.reference_models(
            DNNClassifier(), y, False, boosting_iterations=iterations
        )[1]
        for iterations in (1, 10)
    ]
    rows, spent, seconds = _recipe_baseline._pilot([one, ten], X, y, seed=0)
    assert rows == 100
    assert spent == pytest.approx(0.8)
    assert seconds == pytest.approx(2.5)
