"""Hyper-parameter search gives the same answer whichever joblib backend runs it.

GridSearchCV over ``alpha`` and ``keep_prob`` runs sequentially, with joblib's
process pool (``n_jobs=2``) and on a real ``dask.distributed`` cluster through
``joblib.parallel_backend("dask")``; best parameters and every cross-validated
score must be identical.
"""

import doctest
import logging
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from sklearn_dnn import DNNClassifier, InputNormalizer

GRID = {
    "dnnclassifier__alpha": [1e-4, 1e-1, 3.0],
    "dnnclassifier__keep_prob": [1.0, 0.7],
}


def _data():
    X, y = load_digits(return_X_y=True)
    return X[:240], y[:240]


def _search(n_jobs=None):
    pipe = make_pipeline(
        InputNormalizer(),
        DNNClassifier(
            hidden_layer_sizes=(16,),
            max_iter=20,
            batch_size=32,
            learning_rate_init=0.01,
            random_state=0,
        ),
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return GridSearchCV(pipe, GRID, cv=cv, n_jobs=n_jobs, return_train_score=True)


def _fit(search):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return search.fit(*_data())


SCORE_KEYS = [
    "mean_test_score",
    "std_test_score",
    "rank_test_score",
    "mean_train_score",
    *[f"split{i}_test_score" for i in range(3)],
    *[f"split{i}_train_score" for i in range(3)],
]


@pytest.fixture(scope="module")
def sequential():
    return _fit(_search())


def _assert_same_search(search, reference):
    assert search.best_params_ == reference.best_params_
    assert search.best_score_ == reference.best_score_
    for key in SCORE_KEYS:
        np.testing.assert_array_equal(
            search.cv_results_[key], reference.cv_results_[key]
        )
    assert list(search.cv_results_["params"]) == list(reference.cv_results_["params"])
    X, _ = _data()
    np.testing.assert_array_equal(search.predict_proba(X), reference.predict_proba(X))


def test_sequential_search_prefers_some_regularization_over_none(sequential):
    # A sanity check that the grid is not degenerate: scores differ.
    scores = sequential.cv_results_["mean_test_score"]
    assert len(set(np.round(scores, 6))) > 1
    assert sequential.best_score_ > 0.8


# Slow: its two worker processes each start Python and import the package.
@pytest.mark.slow
def test_search_with_two_joblib_processes_matches_sequential(sequential):
    search = _fit(_search(n_jobs=2))
    _assert_same_search(search, sequential)


def _transitions(dask_scheduler):
    return dask_scheduler.transition_counter


def _cluster(distributed):
    # Threads, not processes, to keep the test quick; the benchmark
    # (benchmarks/bench_distributed_search.py) also runs worker processes.
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )


@pytest.mark.full
def test_search_on_a_dask_cluster_matches_sequential(sequential):
    distributed = pytest.importorskip(
        "distributed",
        reason="dask.distributed is not installed (pip install 'dask[distributed]')",
    )
    with (
        _cluster(distributed) as cluster,
        distributed.Client(cluster) as client,
    ):
        before = client.run_on_scheduler(_transitions)
        with joblib.parallel_backend("dask"):
            search = _fit(_search(n_jobs=-1))
        # The fits really went through the cluster's scheduler.
        assert client.run_on_scheduler(_transitions) > before
    _assert_same_search(search, sequential)


def test_comparison_detects_a_different_search(sequential):
    other = _search()
    other.set_params(param_grid={**GRID, "dnnclassifier__alpha": [1e-4, 1e-1, 2.9]})
    with pytest.raises(AssertionError):
        _assert_same_search(_fit(other), sequential)


# -- out of core: dask-ml's Incremental calls partial_fit block by block ---------


def _incremental_data():
    X, y = load_digits(return_X_y=True)
    return (X[:600] / 16.0).astype(np.float32), y[:600]


@pytest.mark.full
def test_dask_ml_incremental_trains_block_by_block_on_a_cluster():
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip(
        "dask_ml.wrappers", reason="dask-ml is not installed (pip install dask-ml)"
    )
    X, y = _incremental_data()
    params = {"hidden_layer_sizes": (16,), "batch_size": 20, "random_state": 0}
    params["learning_rate_init"] = 0.02
    blocks = [slice(0, 200), slice(200, 400), slice(400, 600)]
    reference = DNNClassifier(**params)
    for rows in blocks:
        reference.partial_fit(X[rows], y[rows], classes=np.arange(10))
    X_dask = da.from_array(X, chunks=(200, X.shape[1]))
    y_dask = da.from_array(y, chunks=200)
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        before = client.run_on_scheduler(_transitions)
        incremental = wrappers.Incremental(
            DNNClassifier(**params), shuffle_blocks=False
        )
        incremental.fit(X_dask, y_dask, classes=np.arange(10))
        assert client.run_on_scheduler(_transitions) > before
    fitted = incremental.estimator_
    # One partial_fit (one epoch) per block, in order, over every row once.
    assert fitted.n_iter_ == len(blocks) and fitted.t_ == X.shape[0]
    for W, W_ref in zip(fitted.coefs_, reference.coefs_):
        np.testing.assert_array_equal(W, W_ref)
    assert fitted.coefs_[0].dtype == np.float32
    assert fitted.score(X, y) > 0.5  # chance is 0.1


@pytest.mark.full
def test_large_data_page_runs():
    # docs/large_data.rst is outside the doctest collection (it needs dask-ml).
    pytest.importorskip("distributed")
    pytest.importorskip("dask_ml", reason="dask-ml is not installed")
    page = Path(__file__).resolve().parents[1] / "docs" / "large_data.rst"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = doctest.testfile(
            str(page),
            module_relative=False,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        )
    assert result.attempted > 20
    assert result.failed == 0
