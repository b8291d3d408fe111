"""Every size parameter is bounded before work starts (DESIGN §15)."""

import time
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _memory import traced_peak
from sklearn.exceptions import ConvergenceWarning

import sklearn_dnn._validation
from sklearn_dnn import DNNClassifier, DNNRegressor, ImageAugmenter, gradient_check
from sklearn_dnn._engine import prediction


def test_fit_counts_the_batch_buffers_before_allocating(monkeypatch):
    # 4 x 500,001 parameters fit in 64 MiB; batches of 200 x 100,000 do not.
    monkeypatch.setattr(sklearn_dnn._validation, "_physical_memory", lambda: 2**26)
    X, y = np.random.RandomState(0).rand(400, 3), np.arange(400) % 2
    clf = DNNClassifier(hidden_layer_sizes=(100_000,), batch_size=200, max_iter=1)
    with pytest.raises(ValueError, match="per batch of 200 examples"):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_")


def test_a_huge_elastic_sigma_costs_no_more_than_the_image():
    X = np.random.RandomState(0).rand(16, 28 * 28)
    augmenter = ImageAugmenter(
        (28, 28), elastic_alpha=34.0, elastic_sigma=1e4, random_state=0
    )
    started = time.perf_counter()
    X_new = augmenter.fit(X).transform(X)
    assert time.perf_counter() - started < 1.5  # was 6.4 s
    assert np.isfinite(X_new).all()
    augmenter.set_params(elastic_sigma=1e9).transform(X)  # was a MemoryError


def test_n_directions_is_at_most_the_parameter_count():
    X, y = np.random.RandomState(0).rand(20, 2), np.arange(20) % 2
    clf = DNNClassifier(hidden_layer_sizes=(2,), max_iter=1).fit(X, y)
    n_params = 2 * 2 + 2 + 2 + 1
    gradient_check(clf, X, y, n_directions=n_params, random_state=0)
    with pytest.raises(ValueError, match=f"n_directions={10**9} is more than"):
        gradient_check(clf, X, y, n_directions=10**9)


def test_gradient_check_of_a_huge_network_raises_before_allocating():
    X, y = np.random.RandomState(0).rand(20, 2), np.arange(20) % 2
    huge = DNNClassifier(hidden_layer_sizes=(10**8, 10**8))
    with pytest.raises(ValueError, match="more than this machine's memory"):
        gradient_check(huge, X, y, n_directions=1)  # was a raw MemoryError


def _wide_regressor(width, seed=0):
    """A fitted DNNRegressor whose one hidden layer has ``width`` units."""
    rng = np.random.RandomState(seed)
    X = rng.rand(20, 3)
    model = DNNRegressor(hidden_layer_sizes=(2,), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, X.sum(axis=1))
    model.coefs_ = [rng.rand(3, width) * 1e-3, rng.rand(width, 1) * 1e-3]
    model.intercepts_ = [np.zeros(width), np.zeros(1)]
    return model


def test_predict_costs_one_batch_of_a_wide_layer(monkeypatch):
    # One pass over 60 rows of 10**6 units held 480 MB of activations.
    monkeypatch.setattr(prediction, "PREDICTION_BATCH_BYTES", 16 * 2**20)
    model = _wide_regressor(10**6)
    X = np.random.RandomState(1).rand(60, 3)
    assert traced_peak(lambda: model.predict(X)) < 64 * 2**20


@pytest.mark.parametrize("sparse", [False, True])
def test_predict_in_batches_equals_one_pass(monkeypatch, sparse):
    X = np.random.RandomState(0).rand(50, 4)
    y = np.arange(50) % 3
    clf = DNNClassifier(hidden_layer_sizes=(30,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    X = sp.csr_matrix(X) if sparse else X
    one_pass = clf.predict_proba(X)
    # (4 + 30) values of 8 bytes per row: batches of 7 rows.
    monkeypatch.setattr(prediction, "PREDICTION_BATCH_BYTES", 7 * 34 * 8)
    # Equal up to the last bit: BLAS rounds a product of one row (the last
    # batch) as it rounds that row within any call of one row.
    np.testing.assert_allclose(clf.predict_proba(X), one_pass, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(clf.predict(X), one_pass.argmax(axis=1))


def test_a_huge_power_t_decays_the_rate_without_overflow():
    # power_t=400: (t + 1) ** 400 raised a raw OverflowError.
    X, y = np.random.RandomState(0).rand(30, 2), np.arange(30) % 3
    clf = DNNClassifier(
        hidden_layer_sizes=(3,), solver="sgd", learning_rate="invscaling",
        power_t=400.0, max_iter=3, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_the_dev_size_message_reads_once():
    X, y = np.random.RandomState(0).rand(30, 2), np.arange(30) % 3
    clf = DNNClassifier(early_stopping=True, validation_fraction=0.05, max_iter=2)
    with pytest.raises(ValueError, match="The dev size = 2 should be") as info:
        clf.fit(X, y)
    assert "The the" not in str(info.value)
