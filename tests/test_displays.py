"""BiasVarianceDisplay and LossCurveDisplay: the data they draw."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import StratifiedKFold, learning_curve
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

from sklearn_dnn import (
    BasicRecipe,
    BiasVarianceDisplay,
    DNNClassifier,
    InputNormalizer,
    LossCurveDisplay,
    diagnose_bias_variance,
)

TRAIN_SIZES = np.array([20, 50, 100])
TRAIN_ERRORS = np.array([[0.0, 0.02, 0.01], [0.02, 0.03, 0.04], [0.05, 0.06, 0.04]])
DEV_ERRORS = np.array([[0.40, 0.30, 0.35], [0.25, 0.20, 0.30], [0.20, 0.22, 0.18]])

# The small networks here stop at max_iter on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def small_classifier():
    return DNNClassifier(
        hidden_layer_sizes=(4,), solver="lbfgs", max_iter=30, random_state=0
    )


@pytest.fixture
def display():
    return BiasVarianceDisplay(
        train_sizes=TRAIN_SIZES,
        train_errors=TRAIN_ERRORS,
        dev_errors=DEV_ERRORS,
        baseline_error=0.03,
    )


def test_display_init_only_stores_its_arguments(display):
    assert display.train_sizes is TRAIN_SIZES
    assert display.train_errors is TRAIN_ERRORS
    assert display.dev_errors is DEV_ERRORS
    assert display.baseline_error == 0.03
    assert not hasattr(display, "ax_")


def test_diagnosis_uses_mean_errors_at_the_largest_training_size(display):
    diagnosis = display.diagnosis
    expected = diagnose_bias_variance(0.05, 0.20, baseline_error=0.03)
    assert diagnosis.train_error == pytest.approx(expected.train_error)
    assert diagnosis.dev_error == pytest.approx(expected.dev_error)
    assert diagnosis.baseline_error == 0.03
    assert diagnosis.case == "high bias and high variance"
    shuffled = BiasVarianceDisplay(
        train_sizes=TRAIN_SIZES[[2, 0, 1]],
        train_errors=TRAIN_ERRORS[[2, 0, 1]],
        dev_errors=DEV_ERRORS[[2, 0, 1]],
        baseline_error=0.03,
    )
    assert shuffled.diagnosis == diagnosis


def test_plot_draws_mean_errors_spread_baseline_and_diagnosis(pyplot, display):
    returned = display.plot()
    assert returned is display
    train_line, dev_line = display.lines_
    np.testing.assert_array_equal(train_line.get_xdata(), TRAIN_SIZES)
    np.testing.assert_allclose(train_line.get_ydata(), TRAIN_ERRORS.mean(axis=1))
    np.testing.assert_array_equal(dev_line.get_xdata(), TRAIN_SIZES)
    np.testing.assert_allclose(dev_line.get_ydata(), DEV_ERRORS.mean(axis=1))
    for band, errors in zip(display.fill_between_, [TRAIN_ERRORS, DEV_ERRORS]):
        vertices = band.get_paths()[0].vertices
        low = errors.mean(axis=1) - errors.std(axis=1)
        high = errors.mean(axis=1) + errors.std(axis=1)
        for x, lo, hi in zip(TRAIN_SIZES, low, high):
            ys = vertices[np.isclose(vertices[:, 0], x), 1]
            assert ys.min() == pytest.approx(lo)
            assert ys.max() == pytest.approx(hi)
    np.testing.assert_array_equal(display.baseline_line_.get_ydata(), [0.03, 0.03])
    text = display.text_.get_text()
    assert text.splitlines() == [
        "high bias and high variance",
        "avoidable bias 2.00%",
        "variance 15.00%",
    ]
    assert display.ax_.get_xlabel() == "Number of training examples"
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["train error", "dev error", "baseline error (3.00%)"]
    assert display.figure_ is display.ax_.figure


def test_plot_draws_on_the_given_axes_with_options(pyplot, display):
    fig, (ax_left, ax_right) = pyplot.subplots(ncols=2)
    display.plot(
        ax=ax_right,
        error_name="Error (1 - accuracy)",
        line_kw={"linewidth": 3},
        baseline_kw={"color": "red"},
    )
    assert display.ax_ is ax_right
    assert display.figure_ is fig
    assert len(ax_left.lines) == 0
    assert ax_right.get_ylabel() == "Error (1 - accuracy)"
    assert display.lines_[0].get_linewidth() == 3
    assert display.baseline_line_.get_color() == "red"


def test_from_estimator_plots_scikit_learn_learning_curve_errors(pyplot):
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    cv = StratifiedKFold(3)
    sizes, train_scores, dev_scores = learning_curve(
        small_classifier(), X, y, train_sizes=[0.3, 0.6, 1.0], cv=cv
    )
    _, ax = pyplot.subplots()
    display = BiasVarianceDisplay.from_estimator(
        small_classifier(),
        X,
        y,
        train_sizes=[0.3, 0.6, 1.0],
        cv=cv,
        baseline_error=0.05,
        ax=ax,
    )
    assert display.ax_ is ax
    np.testing.assert_array_equal(display.train_sizes, sizes)
    np.testing.assert_allclose(display.train_errors, 1 - train_scores)
    np.testing.assert_allclose(display.dev_errors, 1 - dev_scores)
    np.testing.assert_allclose(display.lines_[1].get_ydata(), 1 - dev_scores.mean(1))
    assert display.diagnosis.train_error == pytest.approx(1 - train_scores[-1].mean())
    assert display.diagnosis.dev_error == pytest.approx(1 - dev_scores[-1].mean())
    assert display.diagnosis.baseline_error == 0.05
    assert display.text_.get_text().startswith(display.diagnosis.case)
    assert ax.get_ylabel() == "Error (1 - accuracy)"


def test_from_estimator_diagnoses_a_far_too_small_network_as_high_bias(pyplot):
    X, y = load_digits(return_X_y=True)
    display = BiasVarianceDisplay.from_estimator(
        DNNClassifier(hidden_layer_sizes=(1,), solver="lbfgs", max_iter=5),
        X[:300] / 16,
        y[:300],
        train_sizes=[0.5, 1.0],
        cv=3,
        scoring="balanced_accuracy",
    )
    assert display.diagnosis.high_bias
    assert display.ax_.get_ylabel() == "Error (1 - balanced_accuracy)"


def test_a_negated_loss_is_drawn_as_the_loss_never_clipped(pyplot):
    # neg_log_loss used to be rejected; the errors are now the log losses.
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    cv = StratifiedKFold(3)
    display = BiasVarianceDisplay.from_estimator(
        small_classifier(), X, y, cv=cv, scoring="neg_log_loss", train_sizes=[1.0]
    )
    _, train_scores, dev_scores = learning_curve(
        small_classifier(), X, y, cv=cv, scoring="neg_log_loss", train_sizes=[1.0]
    )
    np.testing.assert_allclose(display.dev_errors, -dev_scores)
    np.testing.assert_allclose(display.train_errors, -train_scores)
    assert display.ax_.get_ylabel() == "Error (log_loss)"


@pytest.mark.parametrize("scoring", ["mutual_info_score", lambda estimator, X, y: 0.5])
def test_a_scoring_without_a_meaningful_error_is_rejected(pyplot, scoring):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="scoring=.*meaningful error"):
        BiasVarianceDisplay.from_estimator(
            small_classifier(), X, y, cv=3, scoring=scoring
        )


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
def test_from_estimator_validates_parameters_as_fit_does(
    pyplot, params, name, pipeline
):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    estimator = small_classifier().set_params(**params)
    if pipeline:
        estimator = make_pipeline(InputNormalizer(), estimator)
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        BiasVarianceDisplay.from_estimator(estimator, X, y, cv=3)


def test_from_estimator_rejects_a_zero_width_layer_before_fitting(pyplot):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    estimator = small_classifier().set_params(hidden_layer_sizes=(0,))
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        BiasVarianceDisplay.from_estimator(estimator, X, y, cv=3)


@pytest.mark.parametrize(
    "arrays, match",
    [
        ({"train_errors": TRAIN_ERRORS[:2]}, "train_errors must have shape"),
        ({"dev_errors": DEV_ERRORS[:, :2]}, "same shape"),
        ({"dev_errors": DEV_ERRORS[0]}, "dev_errors must have shape"),
        ({"train_sizes": TRAIN_SIZES[:2]}, "train_errors must have shape"),
        (
            {
                "train_sizes": np.array([]),
                "train_errors": np.empty((0, 3)),
                "dev_errors": np.empty((0, 3)),
            },
            "train_sizes must be a non-empty",
        ),
        ({"train_errors": np.empty((3, 0)), "dev_errors": np.empty((3, 0))}, "n_folds"),
        ({"dev_errors": -DEV_ERRORS}, "dev_errors must be finite and non-negative"),
        ({"train_errors": TRAIN_ERRORS * np.nan}, "train_errors must be finite"),
    ],
)
def test_malformed_curves_are_rejected_naming_the_array(arrays, match):
    # They gave an IndexError or an argmax error from the diagnosis.
    kwargs = {
        "train_sizes": TRAIN_SIZES,
        "train_errors": TRAIN_ERRORS,
        "dev_errors": DEV_ERRORS,
        **arrays,
    }
    with pytest.raises(ValueError, match=match):
        BiasVarianceDisplay(**kwargs)


def test_plot_rejects_curves_made_malformed_after_init(pyplot, display):
    display.dev_errors = DEV_ERRORS[:2]
    with pytest.raises(ValueError, match="dev_errors must have shape"):
        display.plot()


def test_errors_above_one_are_drawn_and_diagnosed(pyplot):
    display = BiasVarianceDisplay(
        train_sizes=TRAIN_SIZES,
        train_errors=TRAIN_ERRORS + 1,
        dev_errors=DEV_ERRORS + 2,
    ).plot()
    assert display.diagnosis.train_error == pytest.approx(1 + TRAIN_ERRORS[2].mean())
    assert display.diagnosis.case == "high bias and high variance"


def test_the_error_band_stops_at_zero(pyplot):
    # mean - std of [0, 0, 0.3] is below 0: the band used to reach -0.04.
    errors = np.array([[0.0, 0.0, 0.3], [0.0, 0.0, 0.3]])
    display = BiasVarianceDisplay(
        train_sizes=np.array([10, 20]), train_errors=errors, dev_errors=errors + 0.1
    ).plot()
    for band, curve in zip(display.fill_between_, (errors, errors + 0.1)):
        vertices = np.concatenate([path.vertices for path in band.get_paths()])
        assert vertices[:, 1].min() == pytest.approx(
            max(0.0, (curve.mean(axis=1) - curve.std(axis=1)).min())
        )


# -- LossCurveDisplay -----------------------------------------------------------


@pytest.fixture(scope="module")
def early_stopped():
    X, y = load_digits(return_X_y=True)
    return DNNClassifier(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=40,
        random_state=0,
    ).fit(X[:400] / 16, y[:400])


def test_loss_curve_display_plots_costs_per_epoch_and_the_best_epoch(
    pyplot, early_stopped
):
    clf = early_stopped
    assert clf.best_epoch_ < clf.n_iter_ - 1  # stopped after its best epoch
    display = LossCurveDisplay.from_estimator(clf)
    epochs = np.arange(1, clf.n_iter_ + 1)
    np.testing.assert_array_equal(display.line_.get_xdata(), epochs)
    np.testing.assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(display.validation_line_.get_xdata(), epochs)
    np.testing.assert_array_equal(
        display.validation_line_.get_ydata(), clf.validation_loss_curve_
    )
    # best_epoch_ is a 0-based index into loss_curve_; epochs count from 1.
    best_x = display.best_epoch_line_.get_xdata()
    np.testing.assert_array_equal(best_x, [clf.best_epoch_ + 1] * 2)
    assert display.line_.get_ydata()[best_x[0] - 1] == clf.loss_curve_[clf.best_epoch_]
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == [
        "train cost J",
        "dev cost J",
        f"restored best epoch ({clf.best_epoch_ + 1})",
    ]
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.figure_ is display.ax_.figure


def test_loss_curve_display_without_early_stopping_has_no_dev_curve(pyplot):
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    clf = DNNClassifier(hidden_layer_sizes=(4,), max_iter=15, random_state=0)
    clf.fit(X, y)
    fig, ax = pyplot.subplots()
    display = LossCurveDisplay.from_estimator(clf, ax=ax, line_kw={"color": "red"})
    assert display.ax_ is ax and display.figure_ is fig
    assert display.validation_line_ is None
    assert display.best_epoch_line_ is None
    np.testing.assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    assert display.line_.get_color() == "red"


def test_loss_curve_display_init_stores_and_plot_draws(pyplot):
    display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5], best_epoch=0)
    assert display.loss_curve == [3.0, 2.0, 1.5]
    assert not hasattr(display, "ax_")
    assert display.plot() is display
    np.testing.assert_array_equal(display.line_.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(display.best_epoch_line_.get_xdata(), [1, 1])


def test_loss_curve_display_finds_the_network_in_pipelines_and_recipes(pyplot):
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    pipe = make_pipeline(
        InputNormalizer(), DNNClassifier(hidden_layer_sizes=(4,), max_iter=15)
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(display.line_.get_ydata(), pipe[-1].loss_curve_)
    recipe = BasicRecipe(pipe, max_rounds=1).fit(X, y)
    display = LossCurveDisplay.from_estimator(recipe)
    np.testing.assert_array_equal(
        display.line_.get_ydata(), recipe.best_estimator_[-1].loss_curve_
    )


def test_loss_curve_display_works_with_scikit_learn_mlp(pyplot):
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=15, random_state=0)
    mlp.fit(X, y)
    display = LossCurveDisplay.from_estimator(mlp)
    np.testing.assert_array_equal(display.line_.get_ydata(), mlp.loss_curve_)
    with pytest.raises(ValueError, match="no loss_curve_"):
        LossCurveDisplay.from_estimator(
            MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs").fit(X, y)
        )


def test_loss_curve_display_of_an_unfitted_network_raises(pyplot):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(DNNClassifier())


@pytest.mark.parametrize(
    "best_epoch, match",
    [
        (np.nan, "integer"),
        (1.0, "integer"),
        (True, "integer"),
        ("2", "integer"),
        (-1, "not an epoch"),
        (5, "not an epoch"),
        (50, "not an epoch"),
    ],
)
def test_loss_curve_display_rejects_a_best_epoch_off_the_curve(
    pyplot, best_epoch, match
):
    with pytest.raises(ValueError, match=match):
        LossCurveDisplay(loss_curve=[5.0, 4.0, 3.0, 2.5, 2.4], best_epoch=best_epoch)
    display = LossCurveDisplay(loss_curve=[5.0, 4.0, 3.0, 2.5, 2.4], best_epoch=4)
    display.best_epoch = best_epoch
    with pytest.raises(ValueError, match=match):
        display.plot()


def test_loss_curve_display_accepts_numpy_integer_epochs(pyplot):
    display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5], best_epoch=np.int64(1))
    assert display.plot().best_epoch_line_.get_xdata()[0] == 2


def test_loss_curve_display_from_estimator_validates_parameters(pyplot):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    fitted = small_classifier().fit(X, y).set_params(alpha=-1)
    with pytest.raises(ValueError, match="'alpha' parameter"):
        LossCurveDisplay.from_estimator(fitted)
    with pytest.raises(ValueError, match="'alpha' parameter"):
        LossCurveDisplay.from_estimator(make_pipeline(InputNormalizer(), fitted))


# -- sampling noise and a box clear of the curves (DESIGN §14) -----------------


def _covered_points(display):
    """Points of the drawn curves inside the diagnosis box."""
    renderer = display.figure_.canvas.get_renderer()
    box = display.text_.get_window_extent(renderer)
    points = []
    for line in display.lines_:
        x, y = line.get_xdata(), line.get_ydata()
        t = np.linspace(0, len(x) - 1, 200)
        dense = np.column_stack(
            [np.interp(t, np.arange(len(x)), x), np.interp(t, np.arange(len(y)), y)]
        )
        points.append(display.ax_.transData.transform(dense))
    return box.count_contains(np.vstack(points))


@pytest.mark.parametrize(
    "dev_errors",
    [
        DEV_ERRORS,  # falling dev curve: the upper right was free before
        np.full((3, 3), 0.9) - np.array([[0.0], [0.01], [0.02]]),  # high, flat
        np.array([[0.1] * 3, [0.5] * 3, [0.95] * 3]),  # rising into upper right
    ],
)
def test_the_diagnosis_box_never_covers_the_curves(pyplot, dev_errors):
    display = BiasVarianceDisplay(
        train_sizes=TRAIN_SIZES, train_errors=TRAIN_ERRORS, dev_errors=dev_errors
    ).plot()
    display.figure_.canvas.draw()
    assert _covered_points(display) == 0


def test_per_point_sizes_give_the_diagnosis_its_noise():
    kwargs = {
        "train_sizes": TRAIN_SIZES,
        "train_errors": np.zeros((3, 3)),
        "dev_errors": np.full((3, 3), 0.03),
    }
    without = BiasVarianceDisplay(**kwargs).diagnosis
    assert without.case == "high variance"
    few = {"train": np.array([60, 150, 300]), "dev": np.array([30, 30, 30])}
    noisy = BiasVarianceDisplay(**kwargs, n_samples=few).diagnosis
    assert noisy.case == "good fit" and noisy.uncertain == ("variance",)
    assert noisy.n_samples == {"train": 300, "dev": 30}


def test_from_estimator_passes_the_examples_scored_across_folds(pyplot):
    X, y = load_digits(return_X_y=True)
    display = BiasVarianceDisplay.from_estimator(
        small_classifier(), X / 16, y, train_sizes=[0.5, 1.0], cv=3
    )
    n_train = display.train_sizes * 3
    np.testing.assert_array_equal(display.n_samples["train"], n_train)
    np.testing.assert_array_equal(display.n_samples["dev"], [len(X), len(X)])
    assert display.diagnosis.standard_errors["variance"] > 0
    assert "±" in display.text_.get_text()


def test_a_regression_dev_set_noise_comes_from_its_per_example_losses(pyplot):
    from sklearn.datasets import make_regression

    from sklearn_dnn import DNNRegressor

    X, y = make_regression(300, 5, noise=20.0, random_state=0)
    y = y / y.std()
    display = BiasVarianceDisplay.from_estimator(
        DNNRegressor((8,), max_iter=40, random_state=0),
        X[:200], y[:200], X_val=X[200:], y_val=y[200:],
        train_sizes=[0.5, 1.0], cv=3,
    )  # fmt: skip
    dev_se = display.standard_errors["dev"]
    # 100 dev examples: far noisier than the folds' spread on the same examples.
    assert np.all(dev_se > display.dev_errors.std(axis=1, ddof=1) / np.sqrt(3))
    assert display.diagnosis.standard_errors["data mismatch"] > 0


# -- whole figures (DESIGN §20) --------------------------------------------------


def _assert_whole(fig):
    """Every title, label, drawn tick label, text and legend of ``fig`` lies
    inside its canvas."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.canvas.get_width_height()
    boxes = []
    for ax in fig.axes:
        # The axes' tight box covers what is drawn of them: tick labels in
        # view, labels, title, texts and the legend, wherever it is.
        boxes.append((ax, ax.get_tightbbox(renderer)))
        artists = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            artists.append(ax.get_legend())
        shown = [a for a in artists if getattr(a, "get_text", lambda: "-")()]
        boxes += [(a, a.get_window_extent(renderer)) for a in shown]
    for artist, box in boxes:
        assert box.x0 >= -1 and box.y0 >= -1, artist
        assert box.x1 <= width + 1 and box.y1 <= height + 1, artist


def test_every_figure_returned_is_whole(pyplot):
    from sklearn_dnn import diagnose_gradients

    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    bias_variance = BiasVarianceDisplay.from_estimator(
        small_classifier(), X, y, cv=3, train_sizes=[0.3, 1.0]
    )
    _assert_whole(bias_variance.figure_)
    network = DNNClassifier((8, 8), max_iter=5, random_state=0).fit(X, y)
    _assert_whole(LossCurveDisplay.from_estimator(network).figure_)
    _assert_whole(diagnose_gradients(network).plot().figure_)


def test_every_figure_the_cli_writes_is_whole(pyplot, tmp_path):
    from types import SimpleNamespace

    from sklearn.datasets import load_diabetes

    from sklearn_dnn import DNNRegressor
    from sklearn_dnn.cli import _figures
    from sklearn_dnn.cli._budget import CurvePlan

    X, y = load_diabetes(return_X_y=True)
    network = DNNRegressor((64, 32), alpha=1e-4, max_iter=5, random_state=0)
    network.fit(X, y)
    saved = []
    folder = SimpleNamespace(save_figure=lambda fig, name: saved.append(fig) or name)
    sets = SimpleNamespace(
        X_fit=X[:300], y_fit=y[:300], X_val=X[300:], y_val=y[300:],
        data_name="diabetes.csv",
    )  # fmt: skip
    args = SimpleNamespace(scoring=None)
    report = SimpleNamespace(fields={"tolerance": 0.01, "baseline": {"error": 0.0}})
    plan = CurvePlan([0.3, 1.0], 3, 5, 1.0, False)
    console = SimpleNamespace(say=lambda text: None)
    what = _figures._describe_network(network) + " on a long file name.csv"
    _figures._learning_curve(network, sets, what, args, folder, report, plan, console)
    on = "train, train-dev and dev"
    _figures._loss_curve(network, what, on, folder)
    _figures._gradient_norms(network, what, on, folder)
    assert len(saved) == 3
    for fig in saved:
        _assert_whole(fig)


def test_a_train_curve_on_the_baseline_is_drawn_above_it(pyplot):
    display = BiasVarianceDisplay(
        train_sizes=TRAIN_SIZES,
        train_errors=np.zeros((3, 3)),
        dev_errors=DEV_ERRORS,
        baseline_error=0.0,
    ).plot()
    assert all(
        line.get_zorder() > display.baseline_line_.get_zorder()
        for line in display.lines_
    )


def test_a_learning_curve_summarizes_its_fits_warnings_in_one_line(pyplot):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BiasVarianceDisplay.from_estimator(
            DNNClassifier((4,), max_iter=2, random_state=0),
            X[:300] / 16, y[:300], cv=3, train_sizes=[0.3, 0.6, 1.0],
        )  # fmt: skip
    convergence = [w for w in caught if w.category is ConvergenceWarning]
    assert len(convergence) == 1
    assert "9 fits of the learning curve raised" in str(convergence[0].message)
