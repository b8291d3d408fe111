"""Time one GridSearchCV sequentially, with joblib processes and on Dask.

Run by hand (about two minutes on two cores)::

    python benchmarks/bench_distributed_search.py
    python benchmarks/bench_distributed_search.py --rounds 3 --max-iter 200

The search: ``InputNormalizer`` + ``DNNClassifier(hidden_layer_sizes=(64,))``
on the digits (1797 x 64), a grid of 3 ``alpha`` x 3 ``keep_prob`` values and
3-fold stratified cross-validation: 27 fits plus the refit. It runs

``sequential``
    ``n_jobs=None``, in this process;
``joblib n_jobs=2``
    joblib's default process pool (loky) with two workers, started by the
    search itself, so its start-up is part of the search time;
``dask threads``
    ``with joblib.parallel_backend("dask")`` on a ``LocalCluster`` of two
    single-threaded workers inside this process;
``dask processes``
    the same with two worker processes: the estimators travel pickled, as they
    do to the workers of a cluster of several machines.

Each row is the median wall time over ``--rounds`` rounds (backends
interleaved so that load from other jobs hits each alike) and the ratio to
the sequential median; cluster start-up is timed separately and not included
in the search time. Every run must give the sequential run's
``best_params_`` and ``mean_test_score``; the script exits non-zero if not.
BLAS is limited to one thread per process so that the workers do not compete
for the cores.

Measured on a 2-core machine (``--rounds 2``, default settings, other jobs
light)::

    backend             search (s)  vs sequential  start-up (s)
    sequential                4.51          1.00x             -
    joblib n_jobs=2           5.04          1.12x             -
    dask threads              5.20          1.15x          0.03
    dask processes            3.13          0.70x          1.45

Worker processes win once started; threads in one process mostly wait for
each other (the per-batch Python work holds the GIL), and loky's pool pays
its start-up inside the search. With the machine loaded by other jobs (load
average 6) the same run gave 10.0 s sequential, 14.4 s joblib, 9.0 s dask
threads and 11.8 s dask processes: parallelism on two busy cores buys nothing.
"""

import argparse
import logging
import os
import statistics
import sys
import time
import warnings

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sklearn_dnn import DNNClassifier, InputNormalizer  # noqa: E402

GRID = {
    "dnnclassifier__alpha": [1e-4, 1e-2, 1.0],
    "dnnclassifier__keep_prob": [1.0, 0.8, 0.6],
}


def make_search(max_iter, n_jobs=None):
    pipe = make_pipeline(
        InputNormalizer(),
        DNNClassifier(hidden_layer_sizes=(64,), max_iter=max_iter, random_state=0),
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return GridSearchCV(pipe, GRID, cv=cv, n_jobs=n_jobs)


def timed_fit(search, X, y, backend=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        if backend is None:
            search.fit(X, y)
        else:
            with joblib.parallel_backend(backend):
                search.fit(X, y)
        return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--max-iter", type=int, default=100)
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    X, y = load_digits(return_X_y=True)
    times = {
        name: []
        for name in ["sequential", "joblib n_jobs=2", "dask threads", "dask processes"]
    }
    startup = {"dask threads": [], "dask processes": []}
    results = {}

    for _ in range(args.rounds):
        search = make_search(args.max_iter)
        times["sequential"].append(timed_fit(search, X, y))
        results["sequential"] = search

        search = make_search(args.max_iter, n_jobs=2)
        times["joblib n_jobs=2"].append(timed_fit(search, X, y))
        results["joblib n_jobs=2"] = search

        for name, processes in [("dask threads", False), ("dask processes", True)]:
            start = time.perf_counter()
            with (
                LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                ) as cluster,
                Client(cluster),
            ):
                startup[name].append(time.perf_counter() - start)
                search = make_search(args.max_iter, n_jobs=-1)
                times[name].append(timed_fit(search, X, y, backend="dask"))
                results[name] = search

    reference = results["sequential"]
    print(
        f"GridSearchCV: {len(X)} x {X.shape[1]} digits, "
        f"{len(reference.cv_results_['params'])} candidates x 3 folds, "
        f"max_iter={args.max_iter}, {args.rounds} round(s), {os.cpu_count()} cores"
    )
    print(f"{'backend':<18}{'search (s)':>12}{'vs sequential':>15}{'start-up (s)':>14}")
    base = statistics.median(times["sequential"])
    agree = True
    for name, values in times.items():
        median = statistics.median(values)
        start = f"{statistics.median(startup[name]):.2f}" if name in startup else "-"
        print(f"{name:<18}{median:>12.2f}{median / base:>14.2f}x{start:>14}")
        same = results[name].best_params_ == reference.best_params_ and np.array_equal(
            results[name].cv_results_["mean_test_score"],
            reference.cv_results_["mean_test_score"],
        )
        agree &= same
        if not same:
            print(f"  {name}: results differ from the sequential run!")
    best = reference.best_params_
    print(f"best_params_ {best}, best_score_ {reference.best_score_:.4f}")
    print("all backends agree" if agree else "BACKENDS DISAGREE")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
