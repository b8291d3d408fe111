"""Tests of InputNormalizer: the course's normalization on scikit-learn's numerics."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dnn import InputNormalizer


@pytest.fixture
def X():
    rng = np.random.RandomState(0)
    return rng.normal(loc=[1.0, -5.0, 100.0], scale=[0.1, 2.0, 30.0], size=(50, 3))


@parametrize_with_checks(
    [
        InputNormalizer(),
        InputNormalizer(with_mean=False),
        InputNormalizer(with_std=False),
        InputNormalizer(with_mean=False, with_std=False),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_default_constructor_params_round_trip_through_clone():
    normalizer = InputNormalizer(with_mean=False, copy=False)
    assert normalizer.get_params() == {
        "copy": False,
        "with_mean": False,
        "with_std": True,
    }
    assert clone(normalizer).get_params() == normalizer.get_params()
    assert InputNormalizer().get_params() == {
        "copy": True,
        "with_mean": True,
        "with_std": True,
    }


def test_statistics_are_the_training_mean_and_population_variance(X):
    normalizer = InputNormalizer().fit(X)
    assert_allclose(normalizer.mean_, X.mean(axis=0))
    assert_allclose(normalizer.var_, X.var(axis=0))  # 1/m, as in the course
    assert_allclose(normalizer.scale_, X.std(axis=0))
    assert normalizer.n_samples_seen_ == len(X)
    assert normalizer.n_features_in_ == 3


def test_transform_is_x_minus_mu_over_sigma(X):
    Z = InputNormalizer().fit_transform(X)
    assert_allclose(Z, (X - X.mean(axis=0)) / X.std(axis=0))
    assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    assert_allclose(Z.std(axis=0), 1)


def test_dev_and_test_are_normalized_with_the_training_statistics(X):
    X_train, X_dev = X[:30], X[30:] + 10.0
    normalizer = InputNormalizer().fit(X_train)
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    assert_allclose(normalizer.transform(X_dev), (X_dev - mu) / sigma)
    # Transforming does not refit.
    assert_allclose(normalizer.mean_, mu)


def test_matches_standard_scaler(X):
    ours = InputNormalizer().fit(X)
    theirs = StandardScaler().fit(X)
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        assert_array_equal(getattr(ours, name), getattr(theirs, name))
    assert_array_equal(ours.transform(X), theirs.transform(X))


def test_partial_fit_equals_one_fit_on_the_concatenation(X):
    streamed = InputNormalizer()
    for batch in np.array_split(X, [7, 8, 30]):
        streamed.partial_fit(batch)
    whole = InputNormalizer().fit(X)
    assert_allclose(streamed.mean_, whole.mean_, rtol=1e-12)
    assert_allclose(streamed.var_, whole.var_, rtol=1e-12)
    assert_allclose(streamed.scale_, whole.scale_, rtol=1e-12)
    assert streamed.n_samples_seen_ == whole.n_samples_seen_ == len(X)
    assert_allclose(streamed.transform(X), whole.transform(X), rtol=1e-10)


def test_fit_forgets_earlier_partial_fits(X):
    normalizer = InputNormalizer().partial_fit(X[:10] + 100)
    normalizer.fit(X)
    assert_allclose(normalizer.mean_, X.mean(axis=0))
    assert normalizer.n_samples_seen_ == len(X)


def test_inverse_transform_restores_the_data(X):
    normalizer = InputNormalizer().fit(X)
    assert_allclose(normalizer.inverse_transform(normalizer.transform(X)), X)


def test_constant_feature_becomes_zero_not_nan():
    X = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    normalizer = InputNormalizer().fit(X)
    assert normalizer.var_[1] == 0
    assert normalizer.scale_[1] == 1
    Z = normalizer.transform(X)
    assert np.all(np.isfinite(Z))
    assert_array_equal(Z[:, 1], 0)
    assert_allclose(normalizer.transform([[0.0, 8.0]]), [[-2.449489742783178, 1.0]])


def test_single_training_example_gives_zeros():
    Z = InputNormalizer().fit_transform(np.array([[3.0, -1.0]]))
    assert_array_equal(Z, [[0.0, 0.0]])


@pytest.mark.parametrize("method", ["fit_transform", "partial_fit"])
def test_float32_is_preserved(X, method):
    X32 = X.astype(np.float32)
    normalizer = InputNormalizer()
    if method == "partial_fit":
        normalizer.partial_fit(X32)
        Z = normalizer.transform(X32)
    else:
        Z = normalizer.fit_transform(X32)
    assert Z.dtype == np.float32
    assert normalizer.inverse_transform(Z).dtype == np.float32
    assert_allclose(Z, InputNormalizer().fit_transform(X), rtol=1e-5, atol=1e-5)


def test_integer_input_becomes_float64():
    Z = InputNormalizer().fit_transform(np.array([[1, 2], [3, 4]]))
    assert Z.dtype == np.float64
    assert_array_equal(Z, [[-1.0, -1.0], [1.0, 1.0]])


def test_feature_names_out_and_pandas_output(X):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=["height", "weight", "age"])
    normalizer = InputNormalizer().set_output(transform="pandas").fit(df)
    assert_array_equal(normalizer.feature_names_in_, ["height", "weight", "age"])
    assert_array_equal(normalizer.get_feature_names_out(), ["height", "weight", "age"])
    out = normalizer.transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["height", "weight", "age"]
    assert_allclose(out.to_numpy(), InputNormalizer().fit_transform(X))


def test_feature_names_out_without_names(X):
    normalizer = InputNormalizer().fit(X)
    assert_array_equal(normalizer.get_feature_names_out(), ["x0", "x1", "x2"])


def test_in_a_pipeline_only_the_training_rows_set_the_statistics(X):
    pipe = make_pipeline(InputNormalizer()).fit(X[:20])
    assert_allclose(pipe[0].mean_, X[:20].mean(axis=0))


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
def test_sparse_input_must_not_be_centred(container, X):
    X_sparse = container(np.where(X > X.mean(axis=0), X, 0.0))
    with pytest.raises(ValueError, match="sparse.*dense.*with_mean=False"):
        InputNormalizer().fit(X_sparse)
    fitted = InputNormalizer().fit(X_sparse.toarray())
    with pytest.raises(ValueError, match="sparse.*with_mean=False"):
        fitted.transform(X_sparse)
    with pytest.raises(ValueError, match="sparse.*with_mean=False"):
        fitted.inverse_transform(X_sparse)


def test_sparse_input_is_scaled_without_centring(X):
    X_dense = np.where(X > X.mean(axis=0), X, 0.0)
    X_sparse = sparse.csr_matrix(X_dense)
    normalizer = InputNormalizer(with_mean=False).fit(X_sparse)
    Z = normalizer.transform(X_sparse)
    assert sparse.issparse(Z)
    assert Z.nnz == X_sparse.nnz
    assert_allclose(normalizer.var_, X_dense.var(axis=0))
    assert_allclose(Z.toarray(), X_dense / X_dense.std(axis=0))
    assert_allclose(normalizer.inverse_transform(Z).toarray(), X_dense)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("method", ["fit", "partial_fit", "transform"])
def test_nan_and_infinity_are_rejected(X, bad, method):
    X_bad = X.copy()
    X_bad[3, 1] = bad
    normalizer = InputNormalizer()
    if method == "transform":
        normalizer.fit(X)
    with pytest.raises(ValueError, match="NaN|infinity"):
        getattr(normalizer, method)(X_bad)


def test_partial_fit_with_nan_leaves_the_statistics_unchanged(X):
    normalizer = InputNormalizer().fit(X)
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        normalizer.partial_fit(X_bad)
    assert_allclose(normalizer.mean_, X.mean(axis=0))
    assert normalizer.n_samples_seen_ == len(X)


def test_wrong_number_of_features_is_named(X):
    normalizer = InputNormalizer().fit(X)
    with pytest.raises(ValueError, match="X has 2 features.*expecting 3"):
        normalizer.transform(X[:, :2])


def test_empty_input_is_rejected():
    with pytest.raises(ValueError, match="0 sample"):
        InputNormalizer().fit(np.empty((0, 3)))


def test_non_numeric_column_is_rejected():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"size": [1.0, 2.0], "colour": ["red", "blue"]})
    with pytest.raises(ValueError, match="could not convert|numeric|string"):
        InputNormalizer().fit(df)


# -- Safety: a failed call changes nothing; weights and messages ---------------


def _fitted_state(normalizer):
    return {k: np.copy(v) for k, v in vars(normalizer).items() if k.endswith("_")}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_mean", [True, False])
@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_overflow_with_copy_false_leaves_x_unchanged(dtype, with_mean, method):
    big = np.finfo(dtype).max
    fit_on = np.array([[0.0, 0.0], [1.0, 1e-3]], dtype=dtype)
    if method == "inverse_transform":
        fit_on = np.array([[0.0, 0.0], [1e30, 1.0]], dtype=dtype)
    normalizer = InputNormalizer(copy=False, with_mean=with_mean).fit(fit_on)
    X = np.array([[1.0, 0.5], [big, 0.25]], dtype=dtype)
    before = X.copy()
    with pytest.raises(ValueError, match="would overflow.*X was left unchanged"):
        getattr(normalizer, method)(X)
    assert_array_equal(X, before)


def test_overflow_on_sparse_input_with_copy_false_leaves_x_unchanged():
    normalizer = InputNormalizer(copy=False, with_mean=False)
    normalizer.fit(sparse.csr_matrix([[0.0], [1e-3]]))
    X = sparse.csr_matrix([[1.0], [1e308]])
    with pytest.raises(ValueError, match="would overflow"):
        normalizer.transform(X)
    assert_array_equal(X.data, [1.0, 1e308])


def test_copy_false_still_works_in_place_when_nothing_overflows(X):
    normalizer = InputNormalizer(copy=False).fit(X)
    X_work = X.copy()
    assert normalizer.transform(X_work) is X_work
    assert_allclose(X_work, (X - X.mean(axis=0)) / X.std(axis=0))


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
@pytest.mark.parametrize(
    "X_bad, sample_weight",
    [
        (np.array([[1e200], [-1e200]]), None),  # the variance overflows
        (np.array([[1.0], [2.0]]), [1.0, -1.0]),
        (np.array([[1.0], [2.0]]), [1.0]),  # wrong length
        (np.array([[1.0], [np.nan]]), None),
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_failed_fit_or_partial_fit_leaves_the_statistics_unchanged(
    X_bad, sample_weight, method
):
    normalizer = InputNormalizer().fit(np.array([[0.0], [1.0]]))
    before = _fitted_state(normalizer)
    with pytest.raises(ValueError):
        getattr(normalizer, method)(X_bad, sample_weight=sample_weight)
    after = _fitted_state(normalizer)
    assert after.keys() == before.keys()
    for name, value in before.items():
        assert_array_equal(after[name], value, err_msg=name)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        ([1.0, -1.0, 1.0], "Negative values in data passed to `sample_weight`"),
        (-1.0, "Negative values in data passed to `sample_weight`"),
        ([1.0, np.nan, 1.0], "Input sample_weight contains NaN"),
        ([1.0, np.inf, 1.0], "Input sample_weight contains infinity"),
        ([0.0, 0.0, 0.0], "Sample weights must contain at least one non-zero"),
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_bad_sample_weights_are_rejected(sample_weight, match, method):
    X = np.array([[0.0], [10.0], [20.0]])
    with pytest.raises(ValueError, match=match):
        getattr(InputNormalizer(), method)(X, sample_weight=sample_weight)


@pytest.mark.parametrize("method", ["fit", "partial_fit", "transform"])
def test_nan_error_names_the_normalizer_and_says_impute_or_drop(X, method):
    X_bad = X.copy()
    X_bad[3, 1] = np.nan
    normalizer = (
        InputNormalizer().fit(X) if method == "transform" else InputNormalizer()
    )
    with pytest.raises(
        ValueError,
        match=r"(?s)Input X contains NaN.\nInputNormalizer does not accept missing "
        r"values.*imputer.*drop samples with missing values",
    ):
        getattr(normalizer, method)(X_bad)


@pytest.mark.parametrize("copy", [True, False])
def test_read_only_input_goes_through_every_method(X, copy):
    X = X.copy()
    X.setflags(write=False)
    weights = np.ones(len(X))
    weights.setflags(write=False)
    before = X.copy()
    normalizer = InputNormalizer(copy=copy).fit(X, sample_weight=weights)
    normalizer.partial_fit(X, sample_weight=weights)
    Z = normalizer.transform(X)
    Z.setflags(write=False)
    normalizer.inverse_transform(Z)
    normalizer.fit_transform(X)
    assert_array_equal(X, before)
