"""Error analysis and suspect labels (DESIGN 22): ceilings by hand, recall."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import DNNClassifier
from sklearn_dnn.diagnostics import error_analysis, suspect_labels


class _Fixed(ClassifierMixin, BaseEstimator):
    """A 'model' that predicts the labels it is given, row by row."""

    def __init__(self, predictions=None):
        self.predictions = predictions

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.asarray(self.predictions)[np.asarray(X, dtype=int).ravel()]


class _FixedRegressor(RegressorMixin, BaseEstimator):
    def __init__(self, predictions=None):
        self.predictions = predictions

    def fit(self, X, y):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.asarray(self.predictions)[np.asarray(X, dtype=int).ravel()]


def _case():
    """20 dev examples, 4 errors (dev error 20%): by hand below."""
    y = np.array([0] * 10 + [1] * 6 + [2] * 4)
    pred = y.copy()
    pred[[0, 1, 2]] = 1  # three class-0 errors
    pred[10] = 2  # one class-1 error
    X = np.arange(20).reshape(-1, 1)
    blurry = np.zeros(20, dtype=bool)
    blurry[[0, 1, 10, 15]] = True  # 3 of the 4 errors, and a correct example
    dog = np.zeros(20, dtype=bool)
    dog[[2]] = True
    return X, y, pred, np.column_stack([blurry, dog])


def test_ceilings_by_class_and_by_tag_are_the_hand_computed_ones():
    X, y, pred, tags = _case()
    model = _Fixed(pred).fit(X, y)
    analysis = error_analysis(model, X, y, tags=tags)
    assert analysis.dev_error == pytest.approx(0.20)
    np.testing.assert_array_equal(analysis.error_indices, [0, 1, 2, 10])
    np.testing.assert_array_equal(analysis.y_true, [0, 0, 0, 1])
    np.testing.assert_array_equal(analysis.y_pred, [1, 1, 1, 2])
    # class 0: 3 of 4 errors -> share 75%, rate 3/10, ceiling 20% * 25% = 5%
    assert analysis.by_class[0] == pytest.approx(
        {"n_errors": 3, "share": 0.75, "error_rate": 0.3, "ceiling": 0.05}
    )
    assert analysis.by_class[1] == pytest.approx(
        {"n_errors": 1, "share": 0.25, "error_rate": 1 / 6, "ceiling": 0.15}
    )
    assert analysis.by_class[2] == pytest.approx(
        {"n_errors": 0, "share": 0.0, "error_rate": 0.0, "ceiling": 0.20}
    )
    # blurry: 3 of 4 errors, 4 blurry examples; dog: 1 of 4, 1 example
    assert analysis.by_tag["tag 0"] == pytest.approx(
        {"n_errors": 3, "share": 0.75, "error_rate": 0.75, "ceiling": 0.05}
    )
    assert analysis.by_tag["tag 1"] == pytest.approx(
        {"n_errors": 1, "share": 0.25, "error_rate": 1.0, "ceiling": 0.15}
    )


def test_the_course_example_dogs_8_percent_of_errors():
    """Dev error 10%, dogs 8 of 100 errors: ceiling 9.2%."""
    n, n_wrong = 1000, 100
    y = np.zeros(n, dtype=int)
    pred = y.copy()
    pred[:n_wrong] = 1
    dogs = np.zeros((n, 1), dtype=bool)
    dogs[:8] = True
    model = _Fixed(pred).fit(np.zeros((n, 1)), np.r_[y[:-1], 1])
    analysis = error_analysis(
        model, np.arange(n).reshape(-1, 1), y, tags=dogs.astype(int)
    )
    assert analysis.by_tag["tag 0"]["ceiling"] == pytest.approx(0.092)


def test_dataframe_tags_name_the_rows_and_the_table_sorts_by_ceiling():
    pd = pytest.importorskip("pandas")
    X, y, pred, tags = _case()
    frame = pd.DataFrame(tags, columns=["blurry", "dog <b>"])
    analysis = error_analysis(_Fixed(pred).fit(X, y), X, y, tags=frame)
    assert list(analysis.by_tag) == ["blurry", "dog <b>"]
    text = str(analysis)
    assert text.index("blurry") < text.index("dog <b>")  # 5% before 15%
    assert "5.00%" in text and "15.00%" in text
    rows = [name for _, name, _ in analysis.table()]
    assert rows == ["blurry", "dog <b>", 0, 1, 2]


def test_confidence_is_the_predicted_class_probability():
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[:300], y[:300])
    analysis = error_analysis(model, X[300:600], y[300:600])
    proba = model.predict_proba(X[300:600][analysis.error_indices])
    np.testing.assert_allclose(analysis.confidence, proba.max(axis=1))
    assert analysis.confusion.shape == (10, 10)
    assert analysis.confusion.sum() - np.trace(analysis.confusion) == (
        analysis.n_errors
    )


def test_regression_reports_the_worst_predicted_with_their_ceilings():
    y = np.arange(10, dtype=float)
    pred = y.copy()
    pred[3] += 3.0  # the worst
    pred[7] -= 1.0
    pred[1] += 0.5
    X = np.arange(10).reshape(-1, 1)
    tags = np.zeros((10, 1), dtype=bool)
    tags[7] = True
    model = _FixedRegressor(pred).fit(X, y)
    analysis = error_analysis(model, X, y, tags=tags, worst_share=0.2)
    np.testing.assert_array_equal(analysis.error_indices, [3, 7])
    np.testing.assert_allclose(analysis.abs_errors, [3.0, 1.0])
    total = np.sum((y - y.mean()) ** 2)  # 82.5
    assert analysis.dev_error == pytest.approx((9 + 1 + 0.25) / total)
    assert analysis.by_tag["tag 0"]["ceiling"] == pytest.approx((9 + 0.25) / total)
    assert analysis.by_tag["tag 0"]["share"] == pytest.approx(0.5)
    assert "worst-predicted" in str(analysis)


@pytest.mark.parametrize(
    "tags, message",
    [
        (np.zeros((19, 1), dtype=bool), "tags has 19 rows but X_dev has 20"),
        (np.zeros(20, dtype=bool), "tags must be 2-D"),
        (np.full((20, 1), 2), "must be boolean .* holds 2"),
        (np.full((20, 1), "yes"), "must be boolean .* holds 'yes'"),
        (np.full((20, 1), np.nan), "must be boolean"),
    ],
)
def test_bad_tags_are_named(tags, message):
    X, y, pred, _ = _case()
    with pytest.raises(ValueError, match=message):
        error_analysis(_Fixed(pred).fit(X, y), X, y, tags=tags)


def test_unfitted_estimator_and_length_mismatch_are_refused():
    X, y, pred, _ = _case()
    with pytest.raises(NotFittedError):
        error_analysis(DNNClassifier(), X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        error_analysis(_Fixed(pred).fit(X, y), X[:-1], y)


def test_error_analysis_writes_nothing_into_its_inputs():
    X, y, pred, tags = _case()
    copies = X.copy(), y.copy(), tags.copy()
    error_analysis(_Fixed(pred).fit(X, y), X, y, tags=tags)
    for given, copy in zip((X, y, tags), copies):
        np.testing.assert_array_equal(given, copy)


def test_plot_draws_one_bar_per_tag_and_the_dev_error():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y, pred, tags = _case()
    analysis = error_analysis(_Fixed(pred).fit(X, y), X, y, tags=tags)
    assert analysis.plot() is analysis
    widths = sorted(bar.get_width() for bar in analysis.ax_.patches)
    assert widths == pytest.approx([0.05, 0.15])
    assert analysis.figure_ is analysis.ax_.figure
    plt.close("all")


def test_suspect_labels_find_most_planted_flips_on_digits():
    """5% of digits' labels flipped: the top 5% of the ranking holds most.

    Measured with this LogisticRegression on seeds 0, 1, 2: recall 0.87,
    0.86, 0.82 (a DNNClassifier((64,), max_iter=100): 0.82, 0.83, 0.83).
    """
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    n_flips = round(0.05 * len(y))
    flipped = rng.choice(len(y), n_flips, replace=False)
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, 10, n_flips)) % 10
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=300))
    suspects = suspect_labels(model, X, noisy)
    recall = np.isin(flipped, suspects.ranking[:n_flips]).mean()
    assert recall >= 0.7
    assert suspects.scores.shape == (len(y),)
    assert np.all(np.diff(suspects.scores[suspects.ranking]) >= 0)
    # The estimated count of label errors is near the 90 planted.
    assert 60 <= suspects.n_likely_errors <= 130
    assert 0 < suspects.error_share < 1
    assert "dev and the test sets alike" in str(suspects)


def test_suspect_labels_needs_probabilities_and_two_classes():
    from sklearn.svm import LinearSVC

    X, y = load_digits(return_X_y=True)
    with pytest.raises(ValueError, match="no predict_proba"):
        suspect_labels(LinearSVC(), X, y)
    with pytest.raises(ValueError, match="single class"):
        suspect_labels(LogisticRegression(), X, np.zeros(len(y)))
