"""BasicRecipe: the order of its changes, its history, refit and delegation.

Most tests drive the recipe with ``ScriptedNetwork``, a stand-in whose train
and dev errors are a chosen function of its knobs, so each round's outcome is
known exactly and the tests run in milliseconds. A few tests run the real
recipe on digits.
"""

from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dnn import (
    BasicRecipe,
    BiasVarianceDiagnosis,
    DNNClassifier,
    DNNRegressor,
    ImageAugmenter,
    InputNormalizer,
)
from sklearn_dnn.diagnostics._validation import error_scorer

N_ROWS = 1000  # 800 training rows and 200 dev rows with dev_size=0.2


class ScriptedNetwork(ClassifierMixin, BaseEstimator):
    """A network stand-in whose errors are ``script(params)``.

    Column 0 of ``X`` holds the true 0/1 label and column 1 a row id. ``fit``
    remembers the ids it saw; ``predict`` gets the first ``train_error`` of
    the seen rows wrong and the first ``dev_error`` of the others.
    ``script(params) -> (train_error, dev_error, converged)``; a fit that has
    not converged uses all ``max_iter`` epochs.
    """

    def __init__(
        self,
        hidden_layer_sizes=(1,),
        max_iter=5,
        alpha=1e-4,
        penalty="l2",
        keep_prob=1.0,
        early_stopping=False,
        augment=None,
        solver="adam",
        script=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_iter = max_iter
        self.alpha = alpha
        self.penalty = penalty
        self.keep_prob = keep_prob
        self.early_stopping = early_stopping
        self.augment = augment
        self.solver = solver
        self.script = script

    def fit(self, X, y):
        X = np.asarray(X)
        self.classes_ = np.unique(y)
        self.seen_ = X[:, 1].copy()
        self.n_fit_rows_ = len(X)
        params = self.get_params()
        self.train_error_, self.dev_error_, converged = self.script(params)
        self.n_iter_ = self.max_iter - 1 if converged else self.max_iter
        return self

    def predict(self, X):
        X = np.asarray(X)
        labels = X[:, 0].astype(int)
        seen = np.isin(X[:, 1], self.seen_)
        for mask, rate in ((seen, self.train_error_), (~seen, self.dev_error_)):
            rows = np.flatnonzero(mask)
            wrong = rows[: int(round(rate * len(rows)))]
            labels[wrong] = 1 - labels[wrong]
        return labels


def scripted_data():
    y = np.arange(N_ROWS) % 2
    X = np.column_stack([y, np.arange(N_ROWS)]).astype(float)
    return X, y


def width(params):
    return max(params["hidden_layer_sizes"])


def run(script, *, max_rounds=10, **kwargs):
    recipe = BasicRecipe(
        ScriptedNetwork(script=script, **kwargs.pop("network", {})),
        max_rounds=max_rounds,
        random_state=0,
        **kwargs,
    )
    return recipe.fit(*scripted_data())


def actions(recipe):
    return [entry["action"] for entry in recipe.history_]


# -- scripts: errors as a function of the knobs ---------------------------------


def underfit_until_wide_and_long(params):
    """Train error falls with width; more epochs are needed to converge."""
    train = {1: 0.30, 4: 0.10}.get(width(params), 0.0)
    return train, train + 0.005, params["max_iter"] >= 80


def overfit_unless_alpha_is_one(params):
    """Train 0 %, dev 10 %; alpha=1 brings dev to 6 %, more alpha hurts."""
    alpha = params["alpha"]
    if alpha > 1:
        return 0.02, 0.15, True
    return 0.0, (0.06 if alpha == 1 else 0.10), True


def always_overfit(params):
    return 0.0, 0.10, True


def overfit_less_with_alpha(params):
    """High variance, 10 % dev error; 3 % from alpha 0.05 on."""
    return 0.0, (0.10 if params["alpha"] < 0.05 else 0.03), True


def good_fit(params):
    return 0.0, 0.005, True


def bigger_is_worse(params):
    """A wider or deeper network does worse; only training longer helps."""
    if sum(params["hidden_layer_sizes"]) > 1:
        return 0.30, 0.40, True
    return 0.20, 0.21, params["max_iter"] >= 20


# -- the order of the changes -----------------------------------------------------


def test_high_bias_is_fixed_first_with_a_bigger_network_trained_longer():
    recipe = run(underfit_until_wide_and_long)
    history = recipe.history_
    assert history[0]["diagnosis"].case == "high bias"
    assert [h["params"]["hidden_layer_sizes"] for h in history] == [
        (1,),
        (4,),
        (16,),
    ]
    assert [h["params"]["max_iter"] for h in history] == [5, 20, 80]
    # ScriptedNetwork has no knobs on how it trains: three bias moves apply.
    assert history[0]["action"] == (
        "a race of 3 bias moves (bigger network, deeper network, train longer)"
    )
    assert history[1]["change"].endswith(
        "bigger network: hidden_layer_sizes (1,) -> (4,); "
        "train longer: max_iter 5 -> 20"
    )
    assert history[-1]["diagnosis"].case == "good fit"
    assert history[-1]["action"] == "stop: neither bias nor variance is high"
    assert recipe.best_index_ == 2


def test_a_converged_network_grows_without_training_longer():
    recipe = run(underfit_until_wide_and_long, max_rounds=2, network={"max_iter": 100})
    assert recipe.history_[0]["action"] == (
        "a race of 2 bias moves (bigger network, deeper network)"
    )
    assert recipe.history_[1]["change"].endswith(
        ": bigger network: hidden_layer_sizes (1,) -> (4,)"
    )
    assert recipe.history_[1]["params"]["max_iter"] == 100


def test_growth_sets_how_much_wider_and_longer_a_bias_round_goes():
    recipe = run(underfit_until_wide_and_long, growth=16)
    assert [h["params"]["hidden_layer_sizes"] for h in recipe.history_] == [
        (1,),
        (16,),
    ]
    assert recipe.history_[1]["params"]["max_iter"] == 80


def only_alpha_one_helps(params):
    """Dev 10 %, 6 % at alpha=1, 15 % above it."""
    alpha = params["alpha"]
    if alpha > 1:
        return 0.02, 0.15, True
    return 0.0, (0.06 if alpha == 1 else 0.10), True


def test_the_variance_race_keeps_the_best_alpha_of_the_log_grid():
    recipe = run(only_alpha_one_helps, network={"alpha": 0.1})
    history = recipe.history_
    assert history[0]["diagnosis"].case == "high variance"
    assert history[0]["action"].startswith(
        "a race of 6 variance moves (alpha 3.16, alpha 1, alpha 10, "
    )
    assert history[1]["params"]["alpha"] == 1.0
    assert recipe.best_dev_error_ == pytest.approx(0.06)
    assert recipe.best_params_["alpha"] == 1.0


def good_fit_from_alpha_one(best):
    """High variance below alpha 1 (dev 10 %); a good fit from 1 on, with
    dev 0.8 %, and 0.5 % at ``best``."""

    def script(params):
        alpha = params["alpha"]
        if alpha < 1:
            return 0.0, 0.10, True
        return 0.0, (0.005 if alpha == best else 0.008), True

    return script


@pytest.mark.parametrize("best", [3.16, 1.0])
def test_a_good_fit_after_an_alpha_jump_refines_it_once(best):
    recipe = run(good_fit_from_alpha_one(best))
    history = recipe.history_
    # The race from 1e-4 jumps to 10 (alpha 1 and 3.16 were not in it).
    assert [h["params"]["alpha"] for h in history] == [1e-4, 10.0, best]
    assert history[1]["diagnosis"].case == "good fit"
    assert history[1]["action"] == (
        "alpha 10 won a jump from 0.0001 over untried values: coarse to fine, "
        "a race of 2 variance moves (alpha 3.16, alpha 1) before stopping"
    )
    # Coarse to fine once: 10 -> 1 passes over 3.16, already raced.
    assert history[2]["action"] == "stop: neither bias nor variance is high"
    assert recipe.best_params_["alpha"] == best


def test_an_undone_alpha_is_never_tried_again():
    # Only alpha is left to race (lbfgs: no dropout, no early stopping; no
    # wider or deeper network under the caps): every other value is worse.
    recipe = run(
        only_alpha_one_helps,
        max_hidden_units=8,
        max_hidden_layers=1,
        network={"alpha": 1.0, "solver": "lbfgs", "hidden_layer_sizes": (8,)},
    )
    alphas = [h["params"]["alpha"] for h in recipe.history_]
    assert alphas == [1.0, 3.16, 10.0]  # 3.16 won the race of 2, undone
    assert "back to round 1" in recipe.history_[1]["action"]
    assert "stop: two variance moves in a row" in recipe.history_[2]["action"]
    assert recipe.best_index_ == 0


def test_variance_moves_race_in_the_documented_order():
    augmenter = ImageAugmenter((1, 2))
    recipe = run(
        always_overfit,
        max_rounds=2,
        augment=augmenter,
        max_hidden_units=1024,
        network={"hidden_layer_sizes": (256,), "alpha": 1.0},
    )
    assert recipe.history_[0]["action"] == (
        "a race of 6 variance moves (alpha 3.16, alpha 10, lower keep prob, "
        "augmentation, other architecture, deeper network)"
    )
    moves = [c["move"] for c in recipe.history_[1]["candidates"] if c["rung"] == 0]
    assert moves == [
        "alpha 3.16",
        "alpha 10",
        "lower keep prob",
        "augmentation",
        "other architecture",
        "deeper network",
    ]


def test_ties_go_to_the_earliest_candidate_and_no_alpha_repeats():
    # All candidates tie: the earliest, the middle alpha of the race's three,
    # wins each race.
    recipe = run(always_overfit, max_rounds=10)
    assert [h["params"]["alpha"] for h in recipe.history_] == [1e-4, 0.1, 1.0]
    # Rounds 2 and 3 leave the dev error where round 1 left it: the dev data
    # cannot tell the rounds apart, and more moves would only pick its noise.
    assert actions(recipe)[-1] == (
        "stop: two variance moves in a row left the dev error no lower beyond "
        "its noise: further moves would choose among rounds the dev data "
        "cannot tell apart"
    )


def _variance_round(search, dev_error, noise):
    """Record a variance round of ``dev_error`` in ``search`` (its best so
    far kept up to date as ``RoundSearch.record`` does)."""
    diagnosis = SimpleNamespace(error_standard_errors={"dev": noise})
    search.family = "variance"
    search._count_variance_round({"dev_error": dev_error, "diagnosis": diagnosis})
    if dev_error < search.best["dev_error"]:
        search.best = {"dev_error": dev_error}


def test_variance_steps_smaller_than_the_noise_add_up():
    from sklearn_dnn.diagnostics._recipe_budget import RoundSearch

    search = RoundSearch({}, started=0.0)
    search.best = {"dev_error": 0.10}
    _variance_round(search, 0.095, noise=0.01)  # within the noise of 0.10
    assert not search.variance_exhausted
    _variance_round(search, 0.085, noise=0.01)  # 0.015 below 0.10: it helped
    assert not search.variance_exhausted and search.variance_anchor is None
    _variance_round(search, 0.08, noise=0.01)
    _variance_round(search, 0.079, noise=0.01)  # two in a row near 0.085
    assert search.variance_exhausted


def test_a_network_without_penalty_gets_l2():
    recipe = run(always_overfit, max_rounds=2, network={"penalty": None})
    assert recipe.history_[1]["params"]["penalty"] == "l2"
    assert recipe.history_[1]["params"]["alpha"] == 0.1


def test_deterministic_solvers_get_no_dropout_early_stopping_or_augmentation():
    recipe = run(
        always_overfit,
        max_rounds=30,
        augment=ImageAugmenter((1, 2)),
        network={"solver": "lbfgs", "alpha": 1000.0, "hidden_layer_sizes": (1024,)},
    )
    assert actions(recipe) == ["stop: no change left for high variance"]


def test_when_bigger_networks_hurt_training_longer_wins_the_race():
    recipe = run(bigger_is_worse, max_rounds=2)
    history = recipe.history_
    assert history[1]["params"]["hidden_layer_sizes"] == (1,)
    assert history[1]["params"]["max_iter"] == 20
    assert history[1]["change"].startswith("race of 3: winner train longer 21.00%")
    assert "runners-up bigger network 40.00%" in history[1]["change"]
    rungs = [(c["move"], c["rung"], c["max_iter"]) for c in history[1]["candidates"]]
    # The budget affords every candidate all 20 epochs: one rung, no halving
    # (a quarter of the epochs would judge a strong alpha too early).
    assert rungs == [
        ("bigger network", 0, 20),
        ("deeper network", 0, 20),
        ("train longer", 0, 20),
    ]


def test_a_race_the_budget_cannot_afford_whole_halves_the_field():
    # 5 epochs spent: 75 left, 80 for 3 candidates and the round at 20
    # epochs each, 70 by successive halving.
    recipe = run(bigger_is_worse, max_rounds=2, max_total_epochs=80)
    history = recipe.history_
    assert history[1]["change"].startswith("race of 3: winner train longer 21.00%")
    rungs = [(c["move"], c["rung"], c["max_iter"]) for c in history[1]["candidates"]]
    # Successive halving: 3 candidates at a quarter of 20 epochs (at least
    # 10), the better 2 at half; the winner is the round, at all 20.
    assert rungs == [
        ("bigger network", 0, 10),
        ("deeper network", 0, 10),
        ("train longer", 0, 10),
        ("train longer", 1, 10),  # the survivors, best first
        ("bigger network", 1, 10),
    ]


def test_two_unhelpful_bias_rounds_turn_to_variance_moves():
    recipe = run(bigger_is_worse, max_rounds=5)
    history = recipe.history_
    assert history[2]["diagnosis"].high_bias
    assert "the remaining bias is not avoidable with this data" in history[2]["action"]
    # Rounds 1 and 2 tie: the best so far is the earlier one.
    assert "variance moves on round 1" in history[2]["action"]
    assert history[3]["change"] is not None
    assert "alpha" in history[3]["change"] or "keep" in history[3]["change"]


def test_no_change_left_for_high_bias_stops():
    recipe = run(
        lambda params: (0.3, 0.31, True),
        network={"hidden_layer_sizes": (1024,) * 4},
    )
    assert actions(recipe) == ["stop: no change left for high bias"]


def test_a_good_fit_stops_after_one_round():
    recipe = run(good_fit)
    assert len(recipe.history_) == 1
    assert recipe.diagnosis_.case == "good fit"


def test_baseline_and_tolerance_decide_what_is_high():
    # 30 % training error is all unavoidable with a 30 % baseline.
    recipe = run(lambda params: (0.30, 0.305, True), baseline_error=0.30)
    assert recipe.diagnosis_.case == "good fit"
    recipe = run(always_overfit, tolerance=0.2)
    assert recipe.diagnosis_.case == "good fit"
    recipe = run(always_overfit, max_rounds=1, rel_tolerance=0.0, tolerance=0.0)
    assert recipe.diagnosis_.variance_threshold == 0.0


# -- history, refit and the pipeline -------------------------------------------


def test_history_has_one_documented_entry_per_round():
    recipe = run(underfit_until_wide_and_long)
    for entry in recipe.history_:
        assert entry["train_dev_error"] is None  # no X_val
        assert set(entry) == {
            "params",
            "train_error",
            "train_dev_error",
            "dev_error",
            "baseline_error",
            "diagnosis",
            "action",
            "fit_time",
            "cut",
            "change",
            "n_folds",
            "cv_time",
            "undone",
            "candidates",
        }
        assert set(entry["params"]) == {
            "hidden_layer_sizes",
            "max_iter",
            "alpha",
            "penalty",
            "keep_prob",
            "early_stopping",
            "augment",
            "solver",
        }
        assert isinstance(entry["diagnosis"], BiasVarianceDiagnosis)
        assert entry["diagnosis"].train_error == entry["train_error"]
        assert entry["diagnosis"].dev_error == entry["dev_error"]
        assert entry["fit_time"] >= 0
        assert entry["cut"] is False
        for candidate in entry["candidates"]:
            assert set(candidate) == {
                "move",
                "action",
                "rung",
                "max_iter",
                "epochs",
                "dev_error",
                "fit_time",
                "cut",
            }
    assert recipe.history_[0]["candidates"] == []
    assert len(recipe.history_[1]["candidates"]) == 3  # all 3 at the full budget
    assert recipe.history_[0]["train_error"] == pytest.approx(0.30)
    assert recipe.history_[0]["dev_error"] == pytest.approx(0.305)


def test_refit_fits_the_best_params_on_train_and_dev():
    recipe = run(overfit_unless_alpha_is_one)
    best = recipe.best_estimator_
    assert best.n_fit_rows_ == N_ROWS
    assert best.alpha == 1.0 == recipe.best_params_["alpha"]
    assert recipe.refit_time_ >= 0


def test_without_refit_the_best_round_is_kept_as_fitted_on_train():
    recipe = run(overfit_unless_alpha_is_one, refit=False)
    best = recipe.best_estimator_
    assert best.n_fit_rows_ == N_ROWS - N_ROWS // 5
    assert best.alpha == 1.0
    assert recipe.refit_time_ == 0.0
    X, y = scripted_data()
    _, X_dev, _, y_dev = train_test_split(
        X, y, test_size=0.2, random_state=0, stratify=y
    )
    assert 1 - recipe.score(X_dev, y_dev) == pytest.approx(recipe.best_dev_error_)


def test_a_pipeline_is_tuned_through_its_last_step():
    network = ScriptedNetwork(script=underfit_until_wide_and_long)
    pipe = make_pipeline(FunctionTransformer(), network)
    recipe = BasicRecipe(pipe, random_state=0).fit(*scripted_data())
    params = recipe.history_[1]["params"]
    assert params["scriptednetwork__hidden_layer_sizes"] == (4,)
    assert params["scriptednetwork__max_iter"] == 20
    assert recipe.best_estimator_[-1].hidden_layer_sizes == (16,)
    assert pipe[-1].hidden_layer_sizes == (1,)  # the given pipeline is untouched


def test_an_estimator_without_network_knobs_is_rejected():
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        BasicRecipe(LogisticRegression()).fit(*scripted_data())


def test_verbose_prints_one_line_per_round(capsys):
    run(underfit_until_wide_and_long, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5  # the baseline, three rounds, the round shipped
    assert lines[0].startswith("[BasicRecipe] baseline error 0.00% ± ")
    assert "from LogisticRegression, 5-fold cross-validated" in lines[0]
    assert lines[1] == (
        "[BasicRecipe] round 1/10: 5-fold train error 30.00%, dev error 30.50%, "
        "high bias; next: a race of 3 bias moves (bigger network, deeper "
        "network, train longer)"
    )
    assert lines[2].startswith(
        "[BasicRecipe] round 2/10: race of 3: winner bigger network 10.50% "
        "(20 epochs); runners-up "
    )
    assert lines[-2].endswith("good fit; stop: neither bias nor variance is high")
    assert lines[-1].startswith(
        "[BasicRecipe] round 3 shipped (5-fold dev error 0.50%): "
    )
    run(underfit_until_wide_and_long)
    assert capsys.readouterr().out == ""


def test_same_random_state_gives_the_same_history():
    X, y = scripted_data()
    recipe = BasicRecipe(ScriptedNetwork(script=bigger_is_worse), random_state=3)
    first = [h["dev_error"] for h in clone(recipe).fit(X, y).history_]
    second = [h["dev_error"] for h in clone(recipe).fit(X, y).history_]
    assert first == second


@pytest.mark.parametrize(
    "params, match",
    [
        ({"max_rounds": 0}, "max_rounds"),
        ({"dev_size": 1.5}, "dev_size"),
        ({"growth": 1}, "growth"),
        ({"baseline_error": -0.5}, "baseline_error"),
        ({"baseline_error": np.inf}, "baseline_error"),
        ({"max_hidden_units": 0}, "max_hidden_units"),
        ({"max_total_epochs": 0}, "max_total_epochs"),
        ({"max_total_epochs": 2.5}, "max_total_epochs"),
        ({"max_time": 0}, "max_time"),
        ({"max_time": -1.0}, "max_time"),
        ({"augment": "flip"}, "augment"),
        ({"scoring": "no_such_score"}, "scoring"),
    ],
)
def test_invalid_parameters_raise(params, match):
    recipe = BasicRecipe(ScriptedNetwork(script=good_fit), **params)
    with pytest.raises(ValueError, match=match):
        recipe.fit(*scripted_data())


# -- the real network ------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def test_a_far_too_small_network_is_diagnosed_high_bias_and_grown(digits):
    X, y = digits
    recipe = BasicRecipe(
        DNNClassifier(hidden_layer_sizes=(1,), max_iter=5, random_state=0),
        max_rounds=3,
        growth=8,
        refit=False,
        baseline_error=0.0,  # the reference models would be half the time
        random_state=0,
    ).fit(X, y)
    history = recipe.history_
    assert history[0]["diagnosis"].case == "high bias"
    assert history[0]["action"].startswith("a race of 6 bias moves (bigger network")
    dev = [h["dev_error"] for h in history]
    assert dev[0] > 0.5 > recipe.best_dev_error_
    assert recipe.best_dev_error_ < 0.1
    # The race keeps its best candidate: no runner-up of the last rung beat it.
    last_rung = max(c["rung"] for c in history[1]["candidates"])
    finalists = [c for c in history[1]["candidates"] if c["rung"] == last_rung]
    winner = history[1]["change"].split("winner ")[1].split(" ")[0]
    assert min(finalists, key=lambda c: c["dev_error"])["move"].startswith(winner)


def test_an_overfitting_network_is_diagnosed_high_variance_and_its_gap_narrows(
    digits,
):
    X, y = digits
    X_small, _, y_small, _ = train_test_split(
        X, y, train_size=300, random_state=0, stratify=y
    )
    recipe = BasicRecipe(
        DNNClassifier(
            hidden_layer_sizes=(64,), solver="lbfgs", max_iter=200, random_state=0
        ),
        max_rounds=2,
        dev_size=0.5,
        refit=False,
        random_state=0,
    ).fit(X_small, y_small)
    first, best = recipe.history_[0], recipe.history_[recipe.best_index_]
    assert first["diagnosis"].case == "high variance"
    assert first["action"].startswith("a race of 5 variance moves (alpha 0.1, ")
    assert best["dev_error"] < first["dev_error"]
    assert best["diagnosis"].variance < first["diagnosis"].variance


def test_prediction_is_delegated_to_the_best_estimator(digits):
    X, y = digits
    recipe = BasicRecipe(
        make_pipeline(
            InputNormalizer(),
            DNNClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0),
        ),
        max_rounds=1,
        random_state=0,
    )
    with pytest.raises(NotFittedError):
        recipe.predict(X)
    recipe.fit(X, y)
    best = recipe.best_estimator_
    np.testing.assert_array_equal(recipe.predict(X), best.predict(X))
    np.testing.assert_array_equal(recipe.predict_proba(X), best.predict_proba(X))
    assert recipe.score(X, y) == best.score(X, y)
    np.testing.assert_array_equal(recipe.classes_, np.arange(10))
    assert recipe.n_features_in_ == 64


def test_errors_are_never_clipped_one_minus_r2_and_neg_losses():
    # Both used to be clipped to [0, 1]: every neg_* error was 1.0.
    X, y = make_regression(n_samples=200, n_features=4, noise=5.0, random_state=0)
    recipe = BasicRecipe(
        DNNRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
        max_rounds=1,
        refit=False,
        cv=None,  # the errors of the fit on the training split
        random_state=0,
    ).fit(X, y + 1000)
    entry, fitted = recipe.history_[0], recipe.best_estimator_
    X_train, X_dev, y_train, y_dev = train_test_split(
        X, y, test_size=0.2, random_state=0
    )
    assert entry["train_error"] == pytest.approx(
        1 - fitted.score(X_train, y_train + 1000)
    )
    assert entry["dev_error"] > 1.0  # R^2 < 0: worse than predicting the mean
    recipe.set_params(scoring="neg_mean_squared_error").fit(X, y)
    fitted = recipe.best_estimator_
    mse = np.mean((fitted.predict(X_dev) - y_dev) ** 2)
    assert recipe.history_[0]["dev_error"] == pytest.approx(mse)
    assert recipe.history_[0]["dev_error"] > 100


@pytest.mark.parametrize(
    "scoring",
    ["mutual_info_score", "positive_likelihood_ratio", lambda est, X, y: 0.5],
)
def test_a_scoring_without_a_meaningful_error_is_rejected(scoring):
    recipe = BasicRecipe(ScriptedNetwork(script=good_fit), scoring=scoring)
    with pytest.raises(ValueError, match="scoring=.*meaningful error"):
        recipe.fit(*scripted_data())


@pytest.mark.parametrize(
    "scoring",
    ["accuracy", "balanced_accuracy", "neg_mean_absolute_error", "neg_max_error"],
)
def test_the_error_is_one_minus_a_bounded_score_or_a_negated_loss(scoring):
    # 0/1 labels, 10 % of the dev rows wrong: MAE 0.1 and max error 1.
    recipe = run(always_overfit, max_rounds=1, scoring=scoring, refit=False)
    expected = 1.0 if scoring == "neg_max_error" else 0.10
    assert recipe.history_[0]["dev_error"] == pytest.approx(expected, abs=0.01)


# -- safety: validation, atomic fit, budget ----------------------------------------


@pytest.mark.parametrize(
    "params, name",
    [
        ({"penalty": "L2"}, "penalty"),
        ({"alpha": -1}, "alpha"),
        ({"l1_ratio": 5}, "l1_ratio"),
        ({"activation": "bogus"}, "activation"),
    ],
)
@pytest.mark.parametrize("pipeline", [False, True])
def test_invalid_network_parameters_raise_before_any_round(params, name, pipeline):
    estimator = DNNClassifier((2,), max_iter=5, **params)
    if pipeline:
        estimator = make_pipeline(InputNormalizer(), estimator)
    recipe = BasicRecipe(estimator)
    with pytest.raises(ValueError, match=f"'{name}' parameter of the estimator"):
        recipe.fit(*scripted_data())
    assert not hasattr(recipe, "history_")


def test_a_zero_width_layer_raises_before_any_round():
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        BasicRecipe(DNNClassifier(hidden_layer_sizes=(0,))).fit(*scripted_data())


@pytest.mark.parametrize("dev_size", [60, 1000, 5000, 0.9999])
def test_a_dev_size_too_large_or_small_is_named_as_dev_size(dev_size):
    # The message spoke of train_test_split's test_size.
    X, y = scripted_data()
    recipe = BasicRecipe(ScriptedNetwork(script=good_fit), dev_size=dev_size)
    with pytest.raises(ValueError, match="dev_size") as error:
        recipe.fit(X[:60], y[:60])
    assert "test_size" not in str(error.value)
    assert "train_size" not in str(error.value)


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("exception", [Interrupt, KeyboardInterrupt])
def test_a_refit_that_fails_changes_nothing(monkeypatch, exception):
    # A second fit interrupted in its refit used to leave the new history_
    # and best_params_ beside the old best_estimator_.
    recipe = run(underfit_until_wide_and_long)
    before = dict(vars(recipe))
    before_history = [dict(entry) for entry in recipe.history_]
    original = BasicRecipe._fit_one

    def fit_one(self, task, base, params, X, y, deadline):
        if len(X) == N_ROWS:  # the refit, on train and dev together
            raise exception("interrupted")
        return original(self, task, base, params, X, y, deadline)

    monkeypatch.setattr(BasicRecipe, "_fit_one", fit_one)
    recipe.set_params(estimator=ScriptedNetwork(script=always_overfit))
    with pytest.raises(exception):
        recipe.fit(*scripted_data())
    after = vars(recipe)
    assert after.keys() == before.keys()
    for name in before:
        if name != "estimator":
            assert after[name] is before[name], name
    assert recipe.history_ == before_history


def test_a_round_that_fails_changes_nothing(monkeypatch):
    recipe = run(good_fit)
    before = dict(vars(recipe))
    monkeypatch.setattr(BasicRecipe, "_round", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        recipe.fit(*scripted_data())
    assert vars(recipe) == before


def always_underfit(params):
    """High bias whatever the network, never converged: the costly case."""
    return 0.30, 0.305, False


def underfit_less_the_longer(params):
    """High bias that every fourfold of epochs lowers beyond the noise (from
    0.25 at 5 epochs to 0.053 at 320), never converged."""
    train = 0.05 + 1.0 / params["max_iter"]
    return train, train + 0.005, False


def trained_epochs(recipe):
    """Epochs of the rounds and their races (ScriptedNetwork uses max_iter
    when not converged)."""
    rounds = sum(entry["params"]["max_iter"] for entry in recipe.history_)
    races = sum(c["epochs"] for e in recipe.history_ for c in e["candidates"])
    return rounds + races


def test_the_epoch_budget_stops_growth_and_says_so():
    # Every round looked like high bias, so each one grew the network and
    # trained 4 times longer, without bound. The races count too.
    recipe = run(underfit_less_the_longer, max_rounds=50, max_total_epochs=500)
    assert trained_epochs(recipe) <= 500
    assert recipe.history_[-1]["action"].startswith(
        "stop: the max_total_epochs=500 budget"
    )


def test_epochs_are_counted_as_trained_n_iter():
    # Converged fits train max_iter - 1 epochs in ScriptedNetwork: 4 a
    # round. A race does not fit in the 9 epochs left, one move does: 4 + 4
    # + 4 = 12 epochs; a fourth round of up to 5 would pass 13.
    recipe = run(overfit_less_with_alpha, max_rounds=50, max_total_epochs=13)
    assert len(recipe.history_) == 3
    assert recipe.history_[1]["candidates"] == []  # a round without a race
    assert "max_total_epochs=13 budget: 12 epochs" in actions(recipe)[-1]


def test_max_iter_above_the_epoch_budget_is_an_error():
    recipe = BasicRecipe(
        ScriptedNetwork(script=good_fit, max_iter=50), max_total_epochs=20
    )
    with pytest.raises(ValueError, match="max_total_epochs=20 .* max_iter=50"):
        recipe.fit(*scripted_data())


def test_the_time_budget_stops_the_recipe_and_says_so(monkeypatch):
    from sklearn_dnn.diagnostics import _recipe_race

    clock = iter(range(0, 1000, 10))  # every reading is 10 s later
    monkeypatch.setattr(_recipe_race, "now", lambda: next(clock))
    recipe = run(always_underfit, max_rounds=50, max_time=25)
    assert len(recipe.history_) < 50
    # Judged on the dev split: a round and its race of 6 on folds would take
    # 7 x 5 x 10 s, far above the 25 s over 50 rounds.
    assert recipe.history_[-1]["action"].startswith(
        "judged on the dev split: a round and its race on 5-fold errors would "
        "take about 350 s, more than max_time / max_rounds = 0.5 s; "
        "stop: max_time=25 budget spent"
    )


def test_max_hidden_units_caps_the_widest_layer_and_max_hidden_layers_the_depth():
    from sklearn_dnn.diagnostics._recipe_moves import (
        NetworkKnobs,
        bigger_network,
        deeper_network,
        narrower_deeper_network,
    )

    limits = BasicRecipe(DNNClassifier(), max_hidden_units=256)
    knobs = NetworkKnobs(DNNClassifier())
    params = knobs.params(DNNClassifier(hidden_layer_sizes=(256,), keep_prob=[0.9]))
    changes, _ = deeper_network(limits, knobs, params, converged=True)
    assert changes["hidden_layer_sizes"] == (256, 256)
    assert changes["keep_prob"] == (0.9, 0.9)  # one per hidden layer
    params = knobs.params(DNNClassifier(hidden_layer_sizes=(100, 50)))
    changes, _ = bigger_network(limits, knobs, params, converged=True)
    assert changes["hidden_layer_sizes"] == (256, 128)
    four = knobs.params(DNNClassifier(hidden_layer_sizes=(64,) * 4))
    assert deeper_network(limits, knobs, four, converged=True) is None
    assert narrower_deeper_network(limits, knobs, four, converged=True) is None
    three = knobs.params(DNNClassifier(hidden_layer_sizes=(64,) * 3))
    changes, _ = narrower_deeper_network(limits, knobs, three, converged=True)
    assert changes["hidden_layer_sizes"] == (32,) * 4
    limits.set_params(max_hidden_layers=3)
    assert deeper_network(limits, knobs, three, converged=True) is None


# Slow: its two worker processes each start Python and import the package.
@pytest.mark.slow
def test_the_race_gives_the_same_history_with_two_jobs_as_with_one():
    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16, y[:400]
    recipe = BasicRecipe(
        DNNClassifier(hidden_layer_sizes=(4,), max_iter=20),
        max_rounds=3,
        max_time=None,
        baseline_error=0.0,
        random_state=0,
    )

    def history(n_jobs):
        fitted = clone(recipe).set_params(n_jobs=n_jobs).fit(X, y)
        return [
            (
                entry["params"],
                entry["dev_error"],
                [(c["move"], c["rung"], c["dev_error"]) for c in entry["candidates"]],
            )
            for entry in fitted.history_
        ]

    one = history(1)
    assert len(one) == 3 and one[1][2]  # the second round came from a race
    assert history(2) == one


def test_the_race_keeps_the_best_candidate_and_halves_the_field():
    from sklearn_dnn.diagnostics._recipe_data import splits as make_splits
    from sklearn_dnn.diagnostics._recipe_moves import NetworkKnobs
    from sklearn_dnn.diagnostics._recipe_race import (
        Candidate,
        run_race,
        split_dev_error,
    )

    knobs = NetworkKnobs(ScriptedNetwork())
    knobs.y_train = np.arange(800) % 2
    base = ScriptedNetwork(script=lambda p: (0.0, p["alpha"], True), max_iter=80)
    X, y = scripted_data()
    splits = make_splits(BasicRecipe(base, random_state=0), X, y, None, None)
    dev_errors = [0.30, 0.10, 0.20, 0.05, 0.40]
    candidates = [
        Candidate(None, f"c{i}", {"alpha": e, "max_iter": 80}, [f"c{i}"])
        for i, e in enumerate(dev_errors)
    ]
    error = error_scorer(base, None, y)
    judge = partial(split_dev_error, base, error, splits.train, splits.dev)
    recipe = BasicRecipe(base, n_jobs=1)
    winner, records = run_race(recipe, knobs, candidates, judge, None)
    assert winner.name == "c3"
    # 5 candidates at a quarter of 80 epochs, the better 3 at half of it.
    assert [(r["move"], r["rung"], r["max_iter"]) for r in records] == [
        ("c0", 0, 20),
        ("c1", 0, 20),
        ("c2", 0, 20),
        ("c3", 0, 20),
        ("c4", 0, 20),
        ("c3", 1, 40),
        ("c1", 1, 40),
        ("c2", 1, 40),
    ]
    # At the full budget: one rung, every candidate at all 80 epochs.
    winner, records = run_race(recipe, knobs, candidates, judge, None, full=True)
    assert winner.name == "c3"
    assert [(r["rung"], r["max_iter"]) for r in records] == [(0, 80)] * 5


def test_a_seeded_recipe_seeds_an_unseeded_network_the_same_in_every_fit():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    recipe = BasicRecipe(
        DNNClassifier(hidden_layer_sizes=(4,), max_iter=5), max_rounds=2, random_state=0
    )
    first = recipe.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(recipe.fit(X, y).predict_proba(X), first)
    seed = recipe.best_estimator_.random_state
    assert isinstance(seed, int)
    assert recipe.estimator.random_state is None  # never changed


# -- scikit-learn's common checks --------------------------------------------------


def tiny(network_class):
    # A given baseline and rounds judged on the dev split: the reference
    # models' cross-validation and each round's and race candidate's five
    # folds would be most of each check's time. The checks with the recipe's
    # defaults (slow, below) run the "auto" baseline and the folds on every
    # check's data.
    return BasicRecipe(
        network_class(
            hidden_layer_sizes=(8,),
            max_iter=50,
            learning_rate_init=0.01,
            random_state=0,
        ),
        max_rounds=2,
        baseline_error=0.0,
        cv=None,
        random_state=0,
    )


# No expected failures: every check passes. Sample weights are not supported
# (``fit(X, y)`` only), so the sample-weight checks do not run.
@parametrize_with_checks([tiny(DNNClassifier), tiny(DNNRegressor)])
def test_sklearn_compatible_recipe(estimator, check):
    check(estimator)


# The recipe with its own defaults ("auto" baseline from the reference
# models, rounds and races judged on 5-fold errors, the time budget) on a
# network that underfits every check's data, for two rounds: every part of a
# fit runs (the baseline, a judged round, a race, the round it set), where
# all ten rounds took up to 180 s a fit and 40 minutes of CPU in all.
@pytest.mark.slow
@parametrize_with_checks(
    [
        BasicRecipe(DNNClassifier(max_iter=20), max_rounds=2),
        BasicRecipe(DNNRegressor(max_iter=20), max_rounds=2),
    ]
)
def test_sklearn_compatible_recipe_with_its_defaults(estimator, check):
    check(estimator)


def test_early_stopping_is_offered_only_when_its_stratified_split_can_succeed():
    from sklearn_dnn.diagnostics._recipe_moves import NetworkKnobs

    knobs = NetworkKnobs(DNNClassifier())
    knobs.y_train = np.repeat([0, 1, 2], 4)  # dev of 2 cannot hold 3 classes
    assert not knobs.can_split_dev_set()
    knobs.y_train = np.repeat([0, 1, 2], 10)
    assert knobs.can_split_dev_set()
    knobs.y_train = np.array([0] * 29 + [1])  # a class of one example
    assert not knobs.can_split_dev_set()
    regressor = NetworkKnobs(DNNRegressor())
    regressor.y_train = np.linspace(0, 1, 20)
    assert regressor.can_split_dev_set()


def test_early_stopping_is_raced_with_enough_patience_and_validation_rows():
    from sklearn_dnn.diagnostics._recipe_moves import NetworkKnobs, early_stopping

    knobs = NetworkKnobs(DNNClassifier())
    params = knobs.params(DNNClassifier())
    knobs.y_train = np.arange(1000) % 3  # 300 rows would be 30 %: too many
    assert early_stopping(None, knobs, params, True) is None
    knobs.y_train = np.arange(2000) % 3
    changes, texts = early_stopping(None, knobs, params, True)
    assert changes == {
        "early_stopping": True,
        "n_iter_no_change": 20,
        "validation_fraction": 0.15,
    }
    assert texts == [
        "early stopping: early_stopping False -> True, n_iter_no_change 20, "
        "validation_fraction 0.15"
    ]
    knobs.y_train = np.arange(10_000) % 3  # the network's 10 % is 1000 rows
    changes, _ = early_stopping(None, knobs, params, True)
    assert changes["validation_fraction"] == 0.1


# -- sampling noise (DESIGN §14) -------------------------------------------------


def two_percent_dev_error(params):
    """4 dev errors out of 200: above the 1 % tolerance, within the noise."""
    return 0.0, 0.02, True


def test_a_round_with_only_uncertain_gaps_ends_as_good_fit_uncertain():
    recipe = run(two_percent_dev_error, cv=None)
    assert len(recipe.history_) == 1
    diagnosis = recipe.history_[0]["diagnosis"]
    assert diagnosis.case == "good fit"
    assert diagnosis.uncertain == ("variance",)
    assert diagnosis.n_samples == {"train": 800, "dev": 200}
    assert recipe.history_[0]["action"].startswith(
        "stop: good fit, uncertain: variance"
    )
    # A float tolerance keeps its meaning, still with the noise rule.
    assert run(two_percent_dev_error, cv=None, tolerance=0.01).diagnosis_.uncertain


def test_cv_auto_judges_every_round_on_k_fold_errors_of_a_small_dev_split():
    recipe = run(two_percent_dev_error, max_rounds=2)
    first = recipe.history_[0]
    assert first["n_folds"] == 5 and first["cv_time"] >= 0
    assert first["diagnosis"].case == "high variance"  # 20 errors in 1000
    assert first["diagnosis"].n_samples == {"train": 1000, "dev": 1000}
    assert "variance moves (alpha" in first["action"]
    # The race judges its candidates on the same folds.
    raced = [r["dev_error"] for r in recipe.history_[1]["candidates"]]
    assert raced == pytest.approx([0.02] * 6)
    # cv=None judges on the dev split alone.
    assert run(two_percent_dev_error, max_rounds=1, cv=None).history_[0][
        "diagnosis"
    ].n_samples == {"train": 800, "dev": 200}
    # An explicit dev set is the distribution served: no folds stand in for it.
    X, y = scripted_data()
    recipe = BasicRecipe(ScriptedNetwork(script=two_percent_dev_error), max_rounds=1)
    recipe.fit(X[:800], y[:800], X_val=X[800:], y_val=y[800:])
    assert recipe.history_[0]["n_folds"] is None


def test_tolerance_defaults_to_auto_and_rounds_carry_their_noise():
    recipe = run(good_fit)
    assert recipe.tolerance == "auto"
    assert recipe.diagnosis_.tolerance == 0.01
    assert recipe.diagnosis_.standard_errors["variance"] > 0


def test_regression_rounds_get_standard_errors_from_per_example_losses():
    X, y = make_regression(200, 5, noise=10.0, random_state=0)
    network = DNNRegressor((8,), max_iter=30, random_state=0)
    recipe = BasicRecipe(network, max_rounds=1, random_state=0).fit(X / 3, y / 100)
    diagnosis = recipe.diagnosis_
    assert diagnosis.n_samples is None
    assert diagnosis.error_standard_errors["dev"] > 0
    assert diagnosis.standard_errors["variance"] > 0


def test_column_vector_y_runs_the_recipe_of_its_labels():
    # A classifier's column-vector y is raveled with a DataConversionWarning
    # before anything is split: the stratified folds of the cross-validated
    # diagnosis were plain k-fold for y[:, None], and the recipe differed.
    from sklearn.exceptions import DataConversionWarning

    X = np.random.RandomState(0).uniform(size=(30, 3))
    y = np.arange(30) % 3
    recipe = tiny(DNNClassifier)
    flat = clone(recipe).fit(X, y)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = clone(recipe).fit(X, y[:, None])
    assert [e["action"] for e in column.history_] == [
        e["action"] for e in flat.history_
    ]
    np.testing.assert_array_equal(column.predict(X), flat.predict(X))


def test_an_alpha_that_lost_its_race_beyond_the_noise_is_not_raced_again():
    from types import SimpleNamespace

    from sklearn_dnn.diagnostics._recipe_choice import drop_hopeless_alphas
    from sklearn_dnn.diagnostics._recipe_moves import (
        NetworkKnobs,
        alpha_steps,
        lower_keep_prob,
    )
    from sklearn_dnn.diagnostics._recipe_race import Candidate

    knobs = NetworkKnobs(DNNClassifier())
    diagnosis = SimpleNamespace(error_standard_errors={"dev": 0.02})
    search = SimpleNamespace(current={"diagnosis": diagnosis}, tried_alphas=set())
    candidates = [
        Candidate(alpha_steps, "alpha 0.1", {"alpha": 0.1}, []),
        Candidate(alpha_steps, "alpha 0.001", {"alpha": 0.001}, []),
        Candidate(alpha_steps, "alpha 10", {"alpha": 10.0}, []),
        Candidate(lower_keep_prob, "lower keep prob", {"keep_prob": 0.8}, []),
    ]
    records = [
        {"move": "alpha 0.1", "rung": 0, "dev_error": 0.30},
        {"move": "alpha 0.001", "rung": 0, "dev_error": 0.33},
        {"move": "alpha 10", "rung": 0, "dev_error": 0.60},
        {"move": "lower keep prob", "rung": 0, "dev_error": 0.50},
        {"move": "alpha 0.1", "rung": 1, "dev_error": 0.28},
        {"move": "alpha 0.001", "rung": 1, "dev_error": 0.31},
    ]
    drop_hopeless_alphas(knobs, search, candidates, records, candidates[0])
    # alpha 0.001 lost within twice the noise at equal epochs; only alpha 10
    # lost beyond it (keep_prob is not an alpha of the grid).
    assert search.tried_alphas == {10.0}
