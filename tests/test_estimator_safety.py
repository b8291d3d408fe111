"""The estimators never change the caller's data, never diverge silently, and
reject bad input with a message that names the problem (DESIGN §9)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_dnn import DNNClassifier, DNNRegressor


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


class ZeroingAugmenter:
    """An augmenter that edits its batch in place, as careless code does."""

    def augment(self, X, random_state):
        X *= 0.0
        return X


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix])
@pytest.mark.parametrize(
    "fit",
    [
        lambda est, X, y: est.set_params(shuffle=False).fit(X, y),
        lambda est, X, y: est.set_params(shuffle=True).fit(X, y),
        lambda est, X, y: est.set_params(shuffle=False).partial_fit(
            X, y, classes=np.unique(y)
        ),
        lambda est, X, y: est.partial_fit(X, y, classes=np.unique(y)),
    ],
)
def test_an_augmenter_editing_in_place_never_changes_the_callers_X(
    digits, fit, container
):
    X, y = digits
    X = container(X)
    before = X.copy()
    est = DNNClassifier((4,), max_iter=2, augment=ZeroingAugmenter(), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(est, X, y)
    after = X.toarray() if sp.issparse(X) else X
    expected = before.toarray() if sp.issparse(before) else before
    np.testing.assert_array_equal(after, expected)


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_layer_sizes": (32, 32), "learning_rate_init": 10},
        {
            "hidden_layer_sizes": (32, 32),
            "activation": "logistic",
            "learning_rate_init": 100,
        },
    ],
)
def test_a_diverging_fit_warns(digits, params):
    X, y = digits
    est = DNNClassifier(solver="sgd", max_iter=15, random_state=0, **params)
    with pytest.warns(ConvergenceWarning, match="diverg.*learning_rate_init"):
        est.fit(X, y)
    assert est.loss_curve_[-1] > 10 * 2.5  # J ended far above log(10)


def test_an_honest_fit_does_not_warn_of_divergence(digits):
    X, y = digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DNNClassifier((16,), max_iter=100, random_state=0).fit(X, y)
    assert not [w for w in caught if "diverg" in str(w.message)]


def test_warns_once_when_X_is_far_from_normalized():
    X, y = load_wine(return_X_y=True)
    est = DNNClassifier((8,), max_iter=5, random_state=0)
    with pytest.warns(UserWarning, match="far from normalized.*InputNormalizer"):
        est.partial_fit(X, y, classes=np.unique(y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.partial_fit(X, y)  # only the first call judges the scale
    assert not [w for w in caught if "normalized" in str(w.message)]


def test_normalized_X_does_not_warn_of_scale(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        DNNClassifier((8,), max_iter=2).fit(X * 8, y)


def test_an_oscillating_cost_is_not_taken_for_a_plateau():
    # Raw wine: J falls while jumping between 10 and 20 for the first epochs;
    # the plateau rule stopped after 22 epochs at 0.28 training accuracy.
    X, y = load_wine(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = DNNClassifier(random_state=0).fit(X, y)
    assert est.n_iter_ > 100
    assert est.score(X, y) > 0.8


def test_partial_fit_rejects_classes_other_than_the_first_calls(digits):
    X, y = digits
    est = DNNClassifier((4,)).partial_fit(X, y, classes=np.arange(10))
    est.partial_fit(X, y, classes=np.arange(10))
    est.partial_fit(X, y)
    with pytest.raises(ValueError, match="classes=.*not the same"):
        est.partial_fit(X, y, classes=np.arange(11))


def test_a_warm_started_fit_may_use_a_subset_of_the_classes_but_no_new_one(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = DNNClassifier((4,), max_iter=2, warm_start=True).fit(X, y)
        est.fit(X[y < 5], y[y < 5])
        with pytest.raises(ValueError, match="not seen"):
            est.fit(X, np.where(y == 0, 10, y))


def test_a_mistyped_parameter_names_the_estimator():
    with pytest.raises(TypeError, match=r"^DNNClassifier\.__init__"):
        DNNClassifier(learning_rate_int=0.1)
    with pytest.raises(TypeError, match=r"^DNNRegressor\.__init__"):
        DNNRegressor(learning_rate_int=0.1)


@pytest.mark.parametrize("name", ["hidden_layer_sizes", "batch_size", "max_iter"])
def test_a_bool_is_not_taken_for_a_number(digits, name):
    X, y = digits
    with pytest.raises(InvalidParameterError, match=f"'{name}'.*not a bool"):
        DNNClassifier(**{name: True}).fit(X, y)


def test_a_network_too_large_for_memory_is_refused_before_allocating(digits):
    X, y = digits
    with pytest.raises(ValueError, match="hidden_layer_sizes.*GiB"):
        DNNClassifier(hidden_layer_sizes=(2**62,)).fit(X, y)


def test_a_vanishing_total_weight_is_not_called_divergence(digits):
    X, y = digits
    with pytest.raises(ValueError, match="sample_weight sums to .*too small"):
        DNNClassifier(max_iter=2).fit(X, y, sample_weight=np.full(len(y), 1e-320))


def test_early_stopping_on_too_many_classes_speaks_of_validation_fraction():
    X = np.random.RandomState(0).rand(1000, 3)
    with pytest.raises(ValueError, match="validation_fraction") as info:
        DNNClassifier(early_stopping=True).fit(X, np.arange(1000))
    assert "test_size" not in str(info.value)


def test_regressor_accepts_a_sparse_y(digits):
    X, y = digits
    y = y.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = DNNRegressor((4,), max_iter=3, random_state=0)
        sparse_pred = est.fit(X, sp.csr_matrix(y).T).predict(X)
        dense_pred = est.fit(X, y).predict(X)
    np.testing.assert_array_equal(sparse_pred, dense_pred)


@pytest.mark.parametrize(
    "dtype, expected", [("Int64", np.int64), ("boolean", np.bool_)]
)
def test_nullable_pandas_labels_come_back_as_labels(digits, dtype, expected):
    pd = pytest.importorskip("pandas")
    X, y = digits
    labels = y if dtype == "Int64" else y % 2 == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = DNNClassifier((4,), max_iter=2).fit(X, pd.Series(labels, dtype=dtype))
    assert est.classes_.dtype == expected
    assert est.predict(X[:3]).dtype == expected


@pytest.mark.parametrize("early_stopping", [False, True])
def test_fit_trains_from_a_memmap_without_copying_it(tmp_path, early_stopping):
    # Early stopping's stratified split costs O(n_samples) indices (about 80
    # bytes per row inside scikit-learn's splitter) and a copy of the dev rows.
    import tracemalloc

    rng = np.random.RandomState(0)
    path = tmp_path / "X.npy"
    X = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(100_000, 50)
    )
    X[:] = rng.randn(*X.shape)
    X.flush()
    X = np.load(path, mmap_mode="r")
    y = (X[:, 0] > 0).astype(np.int64)
    est = DNNClassifier((16,), max_iter=1, early_stopping=early_stopping)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / (2 if early_stopping else 4)
