"""BasicRecipe's time-first budget and its moves on how the network trains.

The budget tests replace the recipe's clock with a fake one, so they never
depend on how fast the machine runs.
"""

import types

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from sklearn_dnn import BasicRecipe, DNNClassifier
from sklearn_dnn.diagnostics import _recipe_race
from sklearn_dnn.diagnostics._recipe_budget import RoundSearch, fit_to_budget
from sklearn_dnn.diagnostics._recipe_moves import NetworkKnobs
from sklearn_dnn.diagnostics._recipe_training import (
    batch_normalization,
    faster_learning,
    learning_rate_decay,
    other_initialization,
    other_optimizer,
)


class FakeClock:
    """The recipe's clock: each reading moves ``step`` seconds."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def use_clock(monkeypatch, clock):
    """Read ``clock`` wherever the recipe and its deadlines read the time."""
    monkeypatch.setattr(_recipe_race, "now", clock)


class AlwaysBiased(ClassifierMixin, BaseEstimator):
    """A network stand-in with high bias whatever its knobs: it predicts
    class 0, and uses every epoch it is given."""

    def __init__(self, hidden_layer_sizes=(4,), max_iter=20, alpha=1e-4):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_iter = max_iter
        self.alpha = alpha

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_iter_ = self.max_iter
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def _data(n=200):
    y = np.arange(n) % 2
    return np.column_stack([y, np.arange(n)]).astype(float), y


def _search(spent=0, last=None, n_features=10, best_fit_time=None):
    search = RoundSearch({}, started=0.0)
    search.spent, search.last, search.n_features = spent, last, n_features
    if best_fit_time is not None:
        search.best = {"fit_time": best_fit_time}
    return search


def _recipe_limits(**kwargs):
    limits = {"max_time": None, "max_total_epochs": 1000, "refit": True}
    return types.SimpleNamespace(**{**limits, **kwargs})


KNOBS = NetworkKnobs(DNNClassifier(hidden_layer_sizes=(10,)))
PARAMS = KNOBS.params(DNNClassifier(hidden_layer_sizes=(10,), max_iter=400))


def test_a_round_past_the_epoch_cap_is_shrunk_not_refused():
    params, note, stop = fit_to_budget(
        _recipe_limits(), KNOBS, PARAMS, _search(spent=900), elapsed=0.0
    )
    assert stop is None
    assert params["max_iter"] == 100
    assert note == ""  # the round's text says it (see honest_texts)


def test_a_round_is_refused_only_when_few_epochs_fit():
    _, _, stop = fit_to_budget(
        _recipe_limits(), KNOBS, PARAMS, _search(spent=995), elapsed=0.0
    )
    assert stop.startswith("stop: the max_total_epochs=1000 budget")


def test_a_round_is_sized_to_its_share_of_the_time_left():
    # 0.01 s per epoch for the same network; 100 s left: a share of
    # 100 / 2.25 = 44.4 s, 4444 epochs: the round keeps its 400.
    last = (PARAMS, 0.01)
    limits = _recipe_limits(max_time=110.0)
    params, _, stop = fit_to_budget(limits, KNOBS, PARAMS, _search(last=last), 10.0)
    assert stop is None and params["max_iter"] == 400
    # 9 s left: a share of 4 s, 400 epochs at 0.01 s.
    params, _, _ = fit_to_budget(limits, KNOBS, PARAMS, _search(last=last), 101.0)
    assert params["max_iter"] == 400
    # A network with 4 times the weights takes 4 times longer per epoch.
    wider = {**PARAMS, "hidden_layer_sizes": (40,)}
    params, note, _ = fit_to_budget(limits, KNOBS, wider, _search(last=last), 101.0)
    assert params["max_iter"] == 100
    # A race of 4 candidates costs 3 rounds' epochs: a third of them.
    params, _, _ = fit_to_budget(
        limits, KNOBS, wider, _search(last=last), 101.0, race_cost=3.0
    )
    assert params["max_iter"] == 33


def test_a_costly_candidate_leaves_the_race_and_the_others_race(monkeypatch):
    from sklearn_dnn.diagnostics._recipe_choice import affordable_race

    use_clock(monkeypatch, FakeClock(0.0))
    recipe = _recipe_limits(max_time=100.0, max_total_epochs=100_000)
    # 10 ms an epoch for the current (10,) network of 400 epochs; a (300,)
    # network has 30 times its weights.
    search = _search(last=(PARAMS, 0.01))
    search.current = {"params": PARAMS}
    cheap = [
        (None, f"alpha {a:g}", {"alpha": a}, [f"alpha {a:g}"]) for a in (0.1, 1, 10)
    ]
    costly = (None, "wider", {"hidden_layer_sizes": (300,)}, ["wider"])
    candidates, stop = affordable_race(
        recipe, KNOBS, search, [cheap[0], costly, *cheap[1:]]
    )
    # The costly candidate would keep 49 of its 400 epochs: it leaves the
    # race, and the three others race at all 400 (a race halved to its first
    # moves would have left out alpha 1 and alpha 10 instead).
    assert stop is None and not search.full_race
    assert [c.name for c in candidates] == ["alpha 0.1", "alpha 1", "alpha 10"]
    assert {KNOBS.get(c.params, "max_iter") for c in candidates} == {400}


def test_a_round_leaves_time_for_the_refit_of_the_best_round():
    # 0.01 s per epoch, 100 s left. The best round so far took 40 s: its
    # refit on all of X takes 1.25 x 40 = 50 s, so the round may take the
    # smaller of 100 - 50 = 50 s and its own share, 100 / 2.25 = 44.4 s.
    last = (PARAMS, 0.01)
    limits = _recipe_limits(max_time=100.0)
    search = _search(last=last, best_fit_time=40.0)
    wide = {**PARAMS, "hidden_layer_sizes": (1000,)}  # 1 s per epoch
    params, _, stop = fit_to_budget(limits, KNOBS, wide, search, 0.0)
    assert stop is None and params["max_iter"] == 44
    # A best round of 60 s leaves 100 - 75 = 25 s for the next one.
    search = _search(last=last, best_fit_time=60.0)
    params, _, _ = fit_to_budget(limits, KNOBS, wide, search, 0.0)
    assert params["max_iter"] == 25
    # A best round of 79.5 s: its refit takes 99.4 s, too little is left.
    search = _search(last=last, best_fit_time=79.5)
    _, _, stop = fit_to_budget(limits, KNOBS, wide, search, 0.0)
    assert stop.startswith("stop: the max_time=100 budget")
    assert stop.endswith("fit in what is left besides the refit")
    # Without a refit the round may take all 100 s.
    params, _, _ = fit_to_budget(
        _recipe_limits(max_time=100.0, refit=False), KNOBS, wide, search, 0.0
    )
    assert params["max_iter"] == 100


class EpochClock:
    """The recipe's clock, moved only by :class:`TimedBiased`'s epochs."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class TimedBiased(AlwaysBiased):
    """:class:`AlwaysBiased` that trains epoch by epoch on the recipe's clock
    (``1e-5`` s per example and hidden unit) and stops when a scikit-learn
    callback's ``on_fit_task_end`` says so, as the networks do."""

    clock = None

    def set_callbacks(self, *callbacks):
        self._skl_callbacks = list(callbacks)
        return self

    def fit(self, X, y):
        units = sum(np.atleast_1d(self.hidden_layer_sizes))
        self.classes_ = np.unique(y)
        for epoch in range(self.max_iter):
            self.clock.now += 1e-5 * len(X) * units
            callbacks = getattr(self, "_skl_callbacks", [])
            if any(cb.on_fit_task_end(self, None) for cb in callbacks):
                break
        self.n_iter_ = epoch + 1
        return self


@pytest.mark.parametrize("cv", [None, "auto"])
@pytest.mark.parametrize("max_time", [5.0, 30.0])
def test_the_rounds_and_the_refit_together_keep_to_max_time(monkeypatch, max_time, cv):
    clock = EpochClock()
    use_clock(monkeypatch, clock)
    monkeypatch.setattr(TimedBiased, "clock", clock)
    recipe = BasicRecipe(
        TimedBiased(max_iter=200),
        max_time=max_time,
        max_hidden_units=10**6,
        max_total_epochs=10**6,
        cv=cv,
    ).fit(*_data())
    # 160 training examples x 4 units: 6.4 ms an epoch for the first round,
    # 1.28 s for the whole of it (and 6.4 s for its 5 folds, each of 160
    # examples); each bias race asks for 4 times wider.
    history = recipe.history_
    assert len(history) >= (2 if cv is None or max_time > 10 else 1)
    widest = max(max(h["params"]["hidden_layer_sizes"]) for h in history)
    one_epoch = 1e-5 * len(_data()[0]) * widest
    assert clock.now <= 1.1 * max_time + one_epoch, clock.now
    assert clock.now > 0.5 * max_time, clock.now


def test_a_fit_is_stopped_one_epoch_after_its_deadline(monkeypatch):
    # A first round far beyond max_time: its fit stops at the deadline, and
    # with no time left for the refit the round's own fit is the model.
    clock = EpochClock()
    use_clock(monkeypatch, clock)
    monkeypatch.setattr(TimedBiased, "clock", clock)
    recipe = BasicRecipe(
        TimedBiased(max_iter=10**5), max_time=2.0, max_total_epochs=10**6
    ).fit(*_data())
    first = recipe.history_[0]
    assert first["cut"]
    assert clock.now <= 2.0 + 1e-5 * 160 * 4 + 1e-12
    assert "no time was left for the refit by max_time=2" in first["action"]
    assert recipe.refit_time_ == 0.0
    assert recipe.best_estimator_.n_iter_ < 10**5


def test_no_round_starts_once_the_time_is_spent():
    limits = _recipe_limits(max_time=10.0)
    _, _, stop = fit_to_budget(limits, KNOBS, PARAMS, _search(), elapsed=10.0)
    assert stop.startswith("stop: max_time=10 budget spent")


def test_the_recipe_shrinks_its_rounds_to_the_time_left(monkeypatch):
    # Each clock reading moves 1 s: a round of 20 epochs takes 1 s, 0.05 s
    # per epoch; growth 4 asks for 80 epochs, then 320, ... (judged on the
    # dev split: the folds would read the clock too).
    use_clock(monkeypatch, FakeClock(step=1.0))
    recipe = BasicRecipe(
        AlwaysBiased(),
        cv=None,
        max_time=30.0,
        max_rounds=10,
        max_hidden_units=10**6,
        max_total_epochs=10**6,
    )
    recipe.fit(*_data())
    history = recipe.history_
    # It never stops with time left: the clock, not a refusal, ends it.
    assert len(history) >= 4
    assert history[-1]["action"].startswith("stop: max_time=30 budget spent")
    assert all(h["params"]["max_iter"] >= 10 for h in history)


def test_max_time_default_is_a_few_minutes():
    assert BasicRecipe(DNNClassifier()).max_time == 180.0
    assert BasicRecipe(DNNClassifier()).max_total_epochs == 20000
    assert BasicRecipe(DNNClassifier()).max_hidden_units == 512
    assert BasicRecipe(DNNClassifier()).max_hidden_layers == 4
    assert BasicRecipe(DNNClassifier()).n_jobs == 1


@pytest.mark.parametrize("max_time", [0, -1.0, "1"])
def test_invalid_max_time_raises(max_time):
    with pytest.raises(ValueError, match="max_time"):
        BasicRecipe(AlwaysBiased(), max_time=max_time).fit(*_data())


def _knobs_and_params(**network):
    knobs = NetworkKnobs(DNNClassifier(**network))
    return knobs, knobs.params(DNNClassifier(**network))


def test_batch_normalization_for_deep_or_unconverged_networks():
    knobs, shallow = _knobs_and_params(hidden_layer_sizes=(10,))
    assert batch_normalization(None, knobs, shallow, converged=True) is None
    changes, _ = batch_normalization(None, knobs, shallow, converged=False)
    assert changes == {"batch_norm": True}
    knobs, deep = _knobs_and_params(hidden_layer_sizes=(10, 10))
    assert batch_normalization(None, knobs, deep, converged=True)[0] == {
        "batch_norm": True
    }


def test_learning_rate_moves():
    knobs, params = _knobs_and_params(max_iter=90)
    assert faster_learning(None, knobs, params, converged=True) is None
    changes, _ = faster_learning(None, knobs, params, converged=False)
    assert changes == {"learning_rate_init": pytest.approx(3e-3)}
    changes, texts = learning_rate_decay(None, knobs, params, converged=True)
    assert changes["learning_rate"] == "inverse_time"
    assert changes["decay_rate"] == pytest.approx(0.1)  # a tenth by epoch 90
    assert "inverse_time" in texts[0]
    decayed = {**params, **changes}
    assert learning_rate_decay(None, knobs, decayed, converged=True) is None


def test_optimizer_and_initialization_moves():
    knobs, params = _knobs_and_params(solver="sgd")
    assert other_optimizer(None, knobs, params, True)[0] == {"solver": "adam"}
    knobs, params = _knobs_and_params()
    assert other_optimizer(None, knobs, params, True) is None
    assert other_initialization(None, knobs, params, True)[0] == {"init": "he"}
    knobs, params = _knobs_and_params(activation="tanh")
    assert other_initialization(None, knobs, params, True) is None
