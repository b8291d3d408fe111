"""The diagnostics follow scikit-learn's conventions: callbacks on BasicRecipe,
one Display contract, one way to find the network, frozen results."""

import dataclasses
import pickle
import warnings

import numpy as np
import pytest
from sklearn.callback import ProgressBar
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_dnn import (
    BasicRecipe,
    BiasVarianceDisplay,
    DNNClassifier,
    InputNormalizer,
    LossCurveDisplay,
    diagnose_bias_variance,
    diagnose_gradients,
    gradient_check,
)
from sklearn_dnn.diagnostics import GradientDiagnosis, error_analysis, suspect_labels
from sklearn_dnn.diagnostics._recipe_outcome import shipped_round
from sklearn_dnn.diagnostics._validation import unwrap_network


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:200] / 16, y[:200]


class TaskRecorder:
    """A FitCallback recording ``(estimator, task, id)``; may stop a round."""

    def __init__(self, stop_at_round=None):
        self.stop_at_round = stop_at_round
        self.begun, self.ended = [], []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        self.begun.append((context.task_name, context.task_id))

    def on_fit_task_end(self, estimator, context):
        self.ended.append((context.task_name, context.task_id))
        return context.task_name == "round" and context.task_id == self.stop_at_round


class PropagatedRecorder(TaskRecorder):
    """The same, auto-propagated to the estimators a meta-estimator fits;
    records ``(estimator, task, task it was merged with)``."""

    max_propagation_depth = None

    def on_fit_task_begin(self, estimator, context):
        name = type(estimator).__name__
        self.begun.append((name, context.task_name, context.source_task_name))


def tiny_recipe(max_rounds=3, **kwargs):
    # A given baseline: the reference models' cross-validation is not what
    # these tests are about, and it would be most of each fit's time.
    return BasicRecipe(
        DNNClassifier((2,), max_iter=3, random_state=0),
        max_rounds=max_rounds,
        baseline_error=0.0,
        random_state=0,
        **kwargs,
    )


def quietly(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit()


# -- callbacks on BasicRecipe ------------------------------------------------------


def test_each_round_and_the_refit_are_subtasks_of_the_fit(digits):
    recorder = TaskRecorder()
    recipe = tiny_recipe().set_callbacks(recorder)
    quietly(lambda: recipe.fit(*digits))
    n = len(recipe.history_)
    rounds = [("round", i) for i in range(n)]
    assert recorder.begun == [("fit", 0), *rounds, ("refit", n)]
    assert recorder.ended == [*rounds, ("refit", n), ("fit", 0)]


def test_a_callback_returning_true_stops_after_that_round_keeping_the_best(digits):
    free = quietly(lambda: tiny_recipe().fit(*digits))
    assert len(free.history_) == 3
    recipe = tiny_recipe().set_callbacks(TaskRecorder(stop_at_round=1))
    quietly(lambda: recipe.fit(*digits))  # no error
    assert len(recipe.history_) == 2
    assert recipe.history_[-1]["action"].endswith(
        "stop: a callback asked to stop after this round"
    )
    for stopped, full in zip(recipe.history_, free.history_):
        assert stopped["dev_error"] == full["dev_error"]
    # The round shipped is chosen among the two rounds run.
    assert recipe.best_index_ == shipped_round(recipe.history_)
    assert recipe.predict(digits[0]).shape == (200,)


def test_propagated_callbacks_reach_each_rounds_epochs(digits):
    recorder = PropagatedRecorder()
    recipe = tiny_recipe(max_rounds=2).set_callbacks(recorder)
    quietly(lambda: recipe.fit(*digits))
    # Each network's fit is the round (or refit) task it was propagated to.
    fits = [task for task in recorder.begun if task[1] == "fit"]
    assert fits == [
        ("BasicRecipe", "fit", None),
        ("DNNClassifier", "fit", "round"),
        ("DNNClassifier", "fit", "round"),
        ("DNNClassifier", "fit", "refit"),
    ]
    # Its epochs follow it: the refit's are the best estimator's n_iter_.
    refit = recorder.begun.index(("DNNClassifier", "fit", "refit"))
    epochs = recorder.begun[refit + 1 :]
    assert epochs == [("DNNClassifier", "epoch", None)] * recipe.best_estimator_.n_iter_
    assert not hasattr(recipe.best_estimator_, "_skl_callbacks")


def test_a_progress_bar_set_on_the_recipe_runs(digits):
    recipe = tiny_recipe(max_rounds=1).set_callbacks(ProgressBar())
    quietly(lambda: recipe.fit(*digits))
    assert len(recipe.history_) == 1


def test_the_recipe_in_a_grid_search_still_fits(digits):
    search = GridSearchCV(tiny_recipe(max_rounds=1), {"growth": [2]}, cv=2)
    quietly(lambda: search.fit(*digits))
    assert unwrap_network(search).__class__ is DNNClassifier


# -- one way to find the network ---------------------------------------------------


def test_unwrap_network_finds_the_network_in_pipelines_searches_and_recipes(digits):
    network = DNNClassifier((2,), max_iter=3, random_state=0)
    pipeline = make_pipeline(InputNormalizer(), network)
    assert unwrap_network(network) is network
    assert unwrap_network(pipeline) is network
    recipe = quietly(
        lambda: BasicRecipe(pipeline, max_rounds=1, baseline_error=0.0).fit(*digits)
    )
    assert unwrap_network(recipe) is recipe.best_estimator_[-1]
    search = quietly(
        lambda: GridSearchCV(pipeline, {"dnnclassifier__alpha": [0.1]}, cv=2).fit(
            *digits
        )
    )
    assert unwrap_network(search) is search.best_estimator_[-1]
    assert LossCurveDisplay.from_estimator(search).line_ is not None


# -- one Display contract -----------------------------------------------------------


def test_style_keywords_may_use_matplotlib_aliases(pyplot, digits):
    # Short aliases used to clash with the defaults ("color" and "c").
    display = BiasVarianceDisplay(
        train_sizes=[10, 20],
        train_errors=np.zeros((2, 2)),
        dev_errors=np.full((2, 2), 0.2),
    ).plot(
        line_kw={"lw": 3},
        fill_between_kw={"fc": "red"},
        baseline_kw={"c": "green", "ls": "-"},
        text_kw={"ha": "left"},
    )
    assert display.baseline_line_.get_color() == "green"
    assert display.baseline_line_.get_linestyle() == "-"
    assert display.text_.get_horizontalalignment() == "left"
    assert display.lines_[0].get_linewidth() == 3
    clf = quietly(lambda: DNNClassifier((2,), max_iter=3, random_state=0).fit(*digits))
    loss = LossCurveDisplay(loss_curve=clf.loss_curve_, best_epoch=1).plot(
        best_epoch_kw={"c": "red", "ls": "-"}
    )
    assert loss.best_epoch_line_.get_color() == "red"


def test_every_plot_returns_its_display_with_ax_and_figure(pyplot, digits):
    clf = quietly(lambda: DNNClassifier((2,), max_iter=3, random_state=0).fit(*digits))
    displays = [
        BiasVarianceDisplay(train_sizes=[10], train_errors=[[0.1]], dev_errors=[[0.2]]),
        LossCurveDisplay(loss_curve=clf.loss_curve_),
        diagnose_gradients(clf),
        error_analysis(clf, *digits),
    ]
    for display in displays:
        _, ax = pyplot.subplots()
        assert display.plot(ax=ax) is display
        assert display.ax_ is ax and display.figure_ is ax.figure


# -- frozen results ------------------------------------------------------------------


def results(digits):
    X, y = digits
    clf = quietly(lambda: DNNClassifier((3,), max_iter=3, random_state=0).fit(X, y))
    return [
        diagnose_bias_variance(0.1, 0.2, train_dev_error=0.15, test_error=0.2),
        diagnose_gradients(clf),
        GradientDiagnosis(np.ones((2, 2))),
        gradient_check(DNNClassifier((2,), random_state=0), X[:10], y[:10] % 2),
        error_analysis(clf, X, y),
        quietly(lambda: suspect_labels(clf, X[:60], y[:60] % 2, cv=3)),
    ]


def test_results_are_frozen_printable_and_picklable(digits):
    for result in results(digits):
        assert dataclasses.is_dataclass(result)
        field = dataclasses.fields(result)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, field, None)
        assert str(result) and repr(result)
        copy = pickle.loads(pickle.dumps(result))
        assert str(copy) == str(result)
