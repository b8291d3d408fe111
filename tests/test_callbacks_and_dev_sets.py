"""scikit-learn's callback API on the estimators, and explicit dev sets
(``fit(..., X_val=, y_val=)``), DESIGN §10."""

import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.callback import ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_dnn import DNNClassifier, DNNRegressor, InputNormalizer


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300], X[300:400] / 16, y[300:400]


class TaskRecorder:
    """A FitCallback that records every task it sees, and may stop training."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.begun, self.ended = [], []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.begun.append((context.task_name, context.task_id))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, X=None):
        self.ended.append((context.task_name, context.task_id))
        if context.task_name == "epoch" and fitted_estimator is not None:
            self.last_score = fitted_estimator.score(X, estimator._recorded_y)
        return context.task_name == "epoch" and context.task_id == self.stop_after


def quietly(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit()


def test_each_epoch_is_a_subtask_of_the_fit(digits):
    X, y, _, _ = digits
    recorder = TaskRecorder()
    est = DNNClassifier((8,), max_iter=5, random_state=0).set_callbacks(recorder)
    est._recorded_y = y
    quietly(lambda: est.fit(X, y))
    assert recorder.begun == [("fit", 0)] + [("epoch", i) for i in range(5)]
    assert recorder.ended == [("epoch", i) for i in range(5)] + [("fit", 0)]


def test_the_fitted_estimator_of_an_epoch_predicts_with_that_epochs_weights(digits):
    X, y, _, _ = digits
    recorder = TaskRecorder()
    est = DNNClassifier((8,), max_iter=5, random_state=0).set_callbacks(recorder)
    est._recorded_y = y
    quietly(lambda: est.fit(X, y))
    assert recorder.last_score == est.score(X, y)


def test_a_callback_returning_true_stops_like_a_smaller_max_iter(digits):
    X, y, _, _ = digits
    est = DNNClassifier((8,), max_iter=50, random_state=0)
    est.set_callbacks(TaskRecorder(stop_after=6))
    est._recorded_y = y
    est.fit(X, y)  # no error, no warning needed
    reference = quietly(
        lambda: DNNClassifier((8,), max_iter=7, random_state=0).fit(X, y)
    )
    assert est.n_iter_ == 7 and len(est.loss_curve_) == 7
    for W, W_ref in zip(est.coefs_, reference.coefs_):
        np.testing.assert_array_equal(W, W_ref)


def test_lbfgs_iterations_are_subtasks(digits):
    X, y, _, _ = digits
    recorder = TaskRecorder()
    est = DNNRegressor((4,), solver="lbfgs", max_iter=5, random_state=0)
    est._recorded_y = y
    quietly(lambda: est.set_callbacks(recorder).fit(X, y.astype(float)))
    names = {name for name, _ in recorder.begun}
    assert names == {"fit", "lbfgs-iter"}
    assert sorted(recorder.begun) == sorted(recorder.ended)


def test_scoring_monitor_scores_every_epoch(digits):
    pytest.importorskip("pandas")
    X, y, _, _ = digits
    monitor = ScoringMonitor(scoring="accuracy")
    est = DNNClassifier((8,), max_iter=4, random_state=0).set_callbacks(monitor)
    quietly(lambda: est.fit(X, y))
    epochs = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(epochs) == 4
    assert epochs[-1]["accuracy"] == pytest.approx(est.score(X, y))


class PropagatedRecorder(TaskRecorder):
    """A recorder that meta-estimators hand down to their sub-estimators."""

    max_propagation_depth = None

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append((type(estimator).__name__, context.task_name))


@pytest.mark.parametrize(
    "make_meta",
    [
        lambda dnn: GridSearchCV(dnn, {"alpha": [1e-4, 1e-2]}, cv=2),
        lambda dnn: Pipeline([("norm", InputNormalizer()), ("dnn", dnn)]),
    ],
    ids=["GridSearchCV", "Pipeline"],
)
def test_callbacks_on_a_search_or_pipeline_reach_our_epochs(digits, make_meta):
    X, y, _, _ = digits
    recorder = PropagatedRecorder()
    meta = make_meta(DNNClassifier((8,), max_iter=3, random_state=0))
    quietly(lambda: meta.set_callbacks(recorder).fit(X, y))
    assert ("DNNClassifier", "epoch") in recorder.ended


def test_an_explicit_dev_set_replaces_the_split(digits):
    X, y, X_val, y_val = digits
    est = DNNClassifier((8,), max_iter=5, early_stopping=True, random_state=0)
    quietly(lambda: est.fit(X, y, X_val=X_val, y_val=y_val))
    assert est.t_ == 5 * len(X)  # every row of X trained
    probe = DNNClassifier((8,), max_iter=est.best_epoch_ + 1, random_state=0)
    probe = quietly(lambda: probe.fit(X, y))
    # the best epoch's weights are restored, and its score is a score on X_val
    assert est.best_validation_score_ == probe.score(X_val, y_val)
    assert est.score(X_val, y_val) == est.best_validation_score_


def test_dev_set_weights_are_used(digits):
    X, y, X_val, y_val = digits
    weights = (y_val == 3).astype(float)
    est = DNNClassifier((8,), max_iter=3, early_stopping=True, random_state=0)
    quietly(lambda: est.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=weights))
    manual = np.mean(est.predict(X_val[y_val == 3]) == 3)
    assert est.best_validation_score_ == pytest.approx(manual)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"X_val": "X"}, "X_val is given but y_val is not"),
        ({"y_val": "y"}, "y_val is given but X_val is not"),
        ({"sample_weight_val": "w"}, "sample_weight_val is given without"),
    ],
)
def test_an_incomplete_dev_set_is_an_error(digits, kwargs, message):
    X, y, X_val, y_val = digits
    values = {"X": X_val, "y": y_val, "w": np.ones(len(y_val))}
    kwargs = {k: values[v] for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=message):
        DNNClassifier(early_stopping=True).fit(X, y, **kwargs)


def test_a_dev_set_without_early_stopping_is_an_error(digits):
    X, y, X_val, y_val = digits
    with pytest.raises(ValueError, match="early_stopping=True"):
        DNNClassifier().fit(X, y, X_val=X_val, y_val=y_val)


def test_a_dev_set_with_unseen_labels_or_features_is_an_error(digits):
    X, y, X_val, y_val = digits
    est = DNNClassifier((8,), early_stopping=True)
    with pytest.raises(ValueError, match="not seen in training"):
        est.fit(X, y, X_val=X_val, y_val=y_val + 10)
    with pytest.raises(ValueError, match="features"):
        est.fit(X, y, X_val=X_val[:, :5], y_val=y_val)


def test_a_pipeline_normalizes_the_dev_set_with_the_training_statistics(digits):
    X, y, X_val, y_val = digits
    with config_context(enable_metadata_routing=True):
        dnn = DNNClassifier((8,), max_iter=3, early_stopping=True, random_state=0)
        dnn.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline(
            [("norm", InputNormalizer()), ("dnn", dnn)], transform_input=["X_val"]
        )
        quietly(lambda: pipe.fit(X * 16, y, X_val=X_val * 16, y_val=y_val))
    normalized = pipe["norm"].transform(X_val * 16)
    assert pipe["dnn"].best_validation_score_ == pytest.approx(
        max(pipe["dnn"].validation_scores_)
    )
    assert pipe["dnn"].score(normalized, y_val) == pipe["dnn"].best_validation_score_


def test_verbose_prints_the_validation_score_each_epoch_with_a_dev_set(capsys):
    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16
    net = DNNClassifier((8,), max_iter=3, verbose=1, random_state=0)
    net.set_params(early_stopping=True, n_iter_no_change=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(X, y[:300])
    lines = capsys.readouterr().out.splitlines()
    iterations = [i for i, line in enumerate(lines) if line.startswith("Iteration")]
    assert len(iterations) == 3
    for i in iterations:
        assert lines[i + 1].startswith("Validation score: ")
    score = float(lines[iterations[-1] + 1].split(": ")[1])
    assert score == pytest.approx(net.validation_scores_[-1], abs=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        DNNClassifier((8,), max_iter=2, verbose=1).fit(X, y[:300])
    assert "Validation score" not in capsys.readouterr().out
