"""Every size parameter is bounded before work starts (DESIGN §15)."""

import time

import numpy as np
import pytest

import sklearn_dnn._validation
from sklearn_dnn import DNNClassifier, ImageAugmenter, gradient_check


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
