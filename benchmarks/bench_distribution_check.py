"""Measure ``check_same_distribution``: false alarms, detections and speed.

Run by hand (it takes a few minutes)::

    python benchmarks/bench_distribution_check.py [--splits 100] [--repeats 20]

It prints

1. the false-alarm rate on i.i.d. random splits of real data (dev against test
   from ``train_dev_test_split``, and train against dev), which should be at
   most about ``alpha``, with a 95% Clopper-Pearson interval, and the share of
   the alarms raised by each of the two tests;
2. the detection rate of three kinds of difference: one shifted feature, a
   covariate shift of the whole distribution (rows picked with a probability
   that depends on their first principal component) and a dev set drawn from
   other classes than the test set;
3. the time to check two 1,000,000 x 100 sets.

Figures from one run (100 splits, 20 repeats) on a shared 2-core machine,
scikit-learn 1.9.1, alpha = 0.05:

- false alarms: digits dev vs test 4/100, train vs dev 2/100; breast cancer
  dev vs test 4/100, train vs dev 3/100 (0.16 s and 0.06 s CPU per check);
- detections: one breast-cancer feature shifted by 0.5 sd, 114 vs 114 rows,
  16/20; covariate shift by selection on the first principal component,
  digits 20/20 and breast cancer 20/20; digits 0-4 against 5-9, 20/20
  (AUC 0.99);
- two 1,000,000 x 100 sets: 14.3 s wall, 6.8 s CPU at a load average of 5
  (from 186 s before the classifier was capped and run on one thread).
"""

import argparse
import os
import time

import numpy as np
from scipy import stats
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA

from sklearn_dnn import check_same_distribution, train_dev_test_split

ALPHA = 0.05


def clopper_pearson(k, n, level=0.95):
    """Exact binomial confidence interval for a rate of k out of n."""
    lo = stats.beta.ppf((1 - level) / 2, k, n - k + 1) if k else 0.0
    hi = stats.beta.ppf(1 - (1 - level) / 2, k + 1, n - k) if k < n else 1.0
    return lo, hi


def rate_line(label, results):
    k, n = sum(not r.same for r in results), len(results)
    lo, hi = clopper_pearson(k, n)
    by_features = sum(r.feature_p_value <= r.alpha / 2 for r in results)
    by_auc = sum(r.auc_p_value <= r.alpha / 2 for r in results)
    return (
        f"{label:<42} {k:>3}/{n:<4} = {k / n:5.3f}  [95% CI {lo:.3f}-{hi:.3f}]"
        f"  features: {by_features}, classifier: {by_auc}"
    )


def false_alarms(n_splits):
    print(f"1. False alarms at alpha={ALPHA} on i.i.d. random splits")
    for name, loader in [
        ("digits", load_digits),
        ("breast_cancer", load_breast_cancer),
    ]:
        X = loader().data
        dev_test, train_dev = [], []
        start, cpu = time.perf_counter(), time.process_time()
        for seed in range(n_splits):
            X_train, X_dev, X_test = train_dev_test_split(X, random_state=seed)
            dev_test.append(check_same_distribution(X_dev, X_test, random_state=seed))
            train_dev.append(check_same_distribution(X_train, X_dev, random_state=seed))
        seconds = (time.perf_counter() - start) / (2 * n_splits)
        cpu = (time.process_time() - cpu) / (2 * n_splits)
        shape = f"{len(X_dev)} vs {len(X_test)}"
        print("  " + rate_line(f"{name} dev vs test ({shape})", dev_test))
        shape = f"{len(X_train)} vs {len(X_dev)}"
        print("  " + rate_line(f"{name} train vs dev ({shape})", train_dev))
        print(
            f"  {'':<42} mean time per check {seconds:.2f} s wall, {cpu:.2f} s "
            f"CPU (load average {load_average()})"
        )


def shifted_feature(X, rng):
    X_dev, X_test = train_dev_test_split(X, random_state=rng, test_size=0.2)[1:]
    j = rng.randint(X.shape[1])
    X_test = X_test.copy()
    X_test[:, j] += 0.5 * X[:, j].std()
    return X_dev, X_test


def covariate_shift(X, rng):
    # Keep each row with a probability rising with its first principal
    # component: a selection bias, as when dev and test come from two sources.
    z = PCA(n_components=1).fit_transform(X)[:, 0]
    z = (z - z.mean()) / z.std()
    keep = rng.uniform(size=len(X)) < 1 / (1 + np.exp(-z))
    biased, rest = np.flatnonzero(keep), np.flatnonzero(~keep)
    n = min(len(biased), len(rest), len(X) // 5)
    return X[rng.choice(rest, n, replace=False)], X[
        rng.choice(biased, n, replace=False)
    ]


def other_classes(X, y, rng):
    classes = rng.permutation(np.unique(y))
    half = len(classes) // 2
    in_a = np.isin(y, classes[:half])
    rows_a = rng.choice(np.flatnonzero(in_a), len(X) // 5, replace=False)
    rows_b = rng.choice(np.flatnonzero(~in_a), len(X) // 5, replace=False)
    return X[rows_a], X[rows_b]


def detections(n_repeats):
    print(f"2. Detections at alpha={ALPHA} ({n_repeats} random repeats each)")
    digits, cancer = load_digits(), load_breast_cancer()
    cases = [
        (
            "one feature shifted by 0.5 sd, cancer",
            lambda r: shifted_feature(cancer.data, r),
        ),
        (
            "covariate shift (PC1 selection), digits",
            lambda r: covariate_shift(digits.data, r),
        ),
        (
            "covariate shift (PC1 selection), cancer",
            lambda r: covariate_shift(cancer.data, r),
        ),
        (
            "other classes (0-4 vs 5-9 at random), digits",
            lambda r: other_classes(digits.data, digits.target, r),
        ),
    ]
    for label, make in cases:
        results = []
        for seed in range(n_repeats):
            rng = np.random.RandomState(seed)
            X_a, X_b = make(rng)
            results.append(check_same_distribution(X_a, X_b, random_state=seed))
        aucs = np.array([r.auc for r in results])
        shape = f"{len(X_a)} vs {len(X_b)}"
        print(
            "  "
            + rate_line(f"{label} ({shape})", results)
            + f"  mean AUC {aucs.mean():.2f}"
        )


def load_average():
    """The 1-minute load average, to read the timings against (Unix only)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "unknown"


def timing():
    print("3. Speed on two 1,000,000 x 100 float64 sets")
    rng = np.random.RandomState(0)
    X_a = rng.normal(size=(1_000_000, 100))
    X_b = rng.normal(size=(1_000_000, 100))
    start, cpu = time.perf_counter(), time.process_time()
    result = check_same_distribution(X_a, X_b, random_state=1)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {wall:.1f} s wall, {cpu:.1f} s CPU (load average {load_average()})")
    print("  " + str(result).replace("\n", "\n  "))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    false_alarms(args.splits)
    detections(args.repeats)
    if not args.skip_timing:
        timing()
