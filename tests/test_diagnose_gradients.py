"""diagnose_gradients: vanishing and exploding gradients on real training runs."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import DNNClassifier, GradientDiagnosis, diagnose_gradients

DEEP = (20,) * 9  # 10 weight layers


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=200, n_features=10, n_informative=5, n_classes=3, random_state=0
    )


def _fit(data, **params):
    X, y = data
    params = {"max_iter": 20, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return DNNClassifier(DEEP, **params).fit(X, y)


def _large_normal(n_in, n_out, rng):
    return rng.normal(0.0, 3.0, (n_in, n_out))


@pytest.mark.parametrize("activation", ["logistic", "tanh"])
def test_deep_saturating_network_with_small_init_is_vanishing(data, activation):
    diagnosis = diagnose_gradients(_fit(data, activation=activation, init="normal"))
    assert diagnosis.vanishing
    assert not diagnosis.exploding
    assert diagnosis.per_layer["W[1]"] == "vanishing"
    assert diagnosis.per_layer["W[10]"] == "ok"
    assert diagnosis.ratio < 1e-2
    assert diagnosis.case == "vanishing"


def test_deep_relu_network_with_he_init_is_not_flagged(data):
    diagnosis = diagnose_gradients(_fit(data, activation="relu", init="he"))
    assert not diagnosis.vanishing
    assert not diagnosis.exploding
    assert set(diagnosis.per_layer.values()) == {"ok"}
    assert 1e-2 < diagnosis.ratio < 1e2


def test_deep_network_with_large_init_is_exploding_and_clipping_keeps_it_finite(
    data,
):
    params = {
        "activation": "relu",
        "init": _large_normal,
        "solver": "sgd",
        "learning_rate_init": 0.01,
    }
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="diverged"):
        _fit(data, **params)
    clf = _fit(data, max_grad_norm=1.0, **params)
    assert all(np.all(np.isfinite(W)) for W in clf.coefs_)
    assert np.all(np.isfinite(clf.gradient_norms_))
    diagnosis = diagnose_gradients(clf)
    assert diagnosis.exploding
    assert not diagnosis.vanishing
    assert diagnosis.per_layer["W[1]"] == "exploding"
    assert diagnosis.layer_norms.min() > 1e3


def test_summary_is_computed_from_gradient_norms(data):
    clf = _fit(data, activation="tanh", init="normal")
    diagnosis = diagnose_gradients(clf)
    np.testing.assert_array_equal(diagnosis.gradient_norms, clf.gradient_norms_)
    medians = np.median(clf.gradient_norms_, axis=0)
    np.testing.assert_allclose(diagnosis.layer_norms, medians)
    assert diagnosis.ratio == pytest.approx(medians[0] / medians[-1])
    assert list(diagnosis.per_layer) == [f"W[{l}]" for l in range(1, 11)]


def test_printed_summary_names_the_flag_and_every_layer(data):
    text = str(diagnose_gradients(_fit(data, activation="logistic", init="normal")))
    assert "vanishing" in text
    assert "first/last layer ratio" in text
    assert all(f"W[{l}] " in text for l in range(1, 11))
    assert "He initialisation" in text
    assert "GradientDiagnosis(case='vanishing'" in repr(GradientDiagnosis([[1e-5, 1]]))


def test_plot_draws_each_layer_norm_per_epoch_on_a_log_scale(data, pyplot):
    clf = _fit(data, activation="tanh", init="normal")
    diagnosis = diagnose_gradients(clf)
    assert diagnosis.plot() is diagnosis  # as every Display's plot
    ax = diagnosis.ax_
    assert diagnosis.figure_ is ax.figure
    assert ax.get_yscale() == "log"
    lines = ax.get_lines()
    assert len(lines) == clf.gradient_norms_.shape[1]
    for l, line in enumerate(lines):
        np.testing.assert_array_equal(line.get_ydata(), clf.gradient_norms_[:, l])
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, clf.n_iter_ + 1))
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[0] == "W[1] (vanishing)"
    assert labels[-1] == "W[10]"


def test_plot_draws_on_the_given_axes(data, pyplot):
    _, ax = pyplot.subplots()
    diagnosis = diagnose_gradients(_fit(data, activation="relu", max_iter=3))
    assert diagnosis.plot(ax=ax).ax_ is ax
    assert len(ax.get_lines()) == 10


def test_pipeline_is_diagnosed_through_its_last_step(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(
            StandardScaler(), DNNClassifier((8,), max_iter=5, random_state=0)
        ).fit(X, y)
    diagnosis = diagnose_gradients(pipe)
    np.testing.assert_array_equal(diagnosis.gradient_norms, pipe[-1].gradient_norms_)


def test_thresholds_can_be_tightened():
    norms = [[0.05, 1.0], [0.05, 1.0]]
    assert GradientDiagnosis(norms).per_layer["W[1]"] == "ok"
    diagnosis = GradientDiagnosis(norms, vanishing_ratio=0.1)
    assert diagnosis.per_layer["W[1]"] == "vanishing"
    tight = GradientDiagnosis([[2.0, 1.0]], exploding_norm=1.5)
    assert tight.per_layer == {"W[1]": "exploding", "W[2]": "ok"}


def test_zero_and_overflowing_norms_are_flagged():
    assert GradientDiagnosis(np.zeros((3, 2))).per_layer == {
        "W[1]": "vanishing",
        "W[2]": "vanishing",
    }
    text = str(GradientDiagnosis(np.zeros((3, 2))))
    assert "nan" not in text.lower()
    assert "exactly zero gradient" in text
    overflow = GradientDiagnosis([[np.inf, 1.0], [np.nan, 1.0]])
    assert overflow.per_layer["W[1]"] == "exploding"


def test_unfitted_estimator_is_rejected():
    with pytest.raises(NotFittedError):
        diagnose_gradients(DNNClassifier())


@pytest.mark.parametrize(
    "name", ["vanishing_ratio", "exploding_ratio", "exploding_norm"]
)
def test_non_positive_threshold_is_rejected(data, name):
    with pytest.raises(ValueError, match=name):
        diagnose_gradients(_fit(data, max_iter=1), **{name: 0})


def test_malformed_norms_are_rejected():
    with pytest.raises(ValueError, match="2-D"):
        GradientDiagnosis(np.ones(3))


@pytest.mark.parametrize("pipeline", [False, True])
def test_unfitted_pipeline_or_network_is_rejected(pipeline):
    estimator = DNNClassifier()
    if pipeline:
        estimator = make_pipeline(StandardScaler(), estimator)
    with pytest.raises(NotFittedError):
        diagnose_gradients(estimator)


def test_an_lbfgs_fit_is_rejected_with_the_reason(data):
    # Its gradient_norms_ are line-search iterates', not training dynamics.
    fitted = _fit(data, solver="lbfgs", max_iter=5)
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        diagnose_gradients(fitted)


def test_an_estimator_without_gradient_norms_is_rejected(data):
    X, y = data
    fitted = make_pipeline(StandardScaler(), StandardScaler()).fit(X, y)
    with pytest.raises(ValueError, match="has no gradient_norms_"):
        diagnose_gradients(fitted)


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
def test_invalid_parameters_raise_as_fit_does(data, params, name, pipeline):
    network = _fit(data, max_iter=1)
    fitted = make_pipeline(StandardScaler().fit(data[0]), network)
    network.set_params(**params)
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        diagnose_gradients(fitted if pipeline else network)


def test_an_invalid_pipeline_step_raises(data):
    fitted = make_pipeline(StandardScaler(), _fit(data, max_iter=1))
    fitted.steps[0][1].set_params(with_mean="yes")
    with pytest.raises(ValueError, match="'with_mean' parameter"):
        diagnose_gradients(fitted)
