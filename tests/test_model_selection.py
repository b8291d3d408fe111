"""Tests of the data set-up: split sizes, three-way splits, same-distribution check.

The false-alarm rate is measured here on 20 splits per data set (a fast
version); benchmarks/bench_distribution_check.py measures it on more.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split

from sklearn_dnn import (
    DistributionCheckResult,
    check_same_distribution,
    suggest_split_sizes,
    train_dev_test_split,
)
from sklearn_dnn.model_selection import _distribution_check as check_module
from sklearn_dnn.model_selection import _distribution_result as result_module
from sklearn_dnn.model_selection import _split as split_module

# ---------------------------------------------------------------------------
# suggest_split_sizes


@pytest.mark.parametrize(
    "n_samples, expected",
    [
        (10, (6, 2, 2)),
        (1_000, (600, 200, 200)),
        (100_000, (60_000, 20_000, 20_000)),
        (1_000_000, (980_000, 10_000, 10_000)),
        (100_000_000, (99_500_000, 250_000, 250_000)),
    ],
)
def test_suggested_sizes_at_the_course_anchor_points(n_samples, expected):
    assert suggest_split_sizes(n_samples) == expected


@pytest.mark.parametrize(
    "n_samples, expected",
    [(3, (1, 1, 1)), (4, (2, 1, 1)), (7, (5, 1, 1)), (8, (4, 2, 2))],
)
def test_tiny_data_sets_get_one_dev_and_one_test_example(n_samples, expected):
    assert suggest_split_sizes(n_samples) == expected


@pytest.mark.parametrize("n_samples", [0, 1, 2])
def test_fewer_than_three_examples_cannot_be_split(n_samples):
    with pytest.raises(ValueError, match="at least 3 are needed"):
        suggest_split_sizes(n_samples)


@pytest.mark.parametrize("n_samples", [-1, 1e6, "100"])
def test_suggest_split_sizes_wants_a_non_negative_int(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        suggest_split_sizes(n_samples)


def test_suggest_split_sizes_accepts_numpy_ints():
    assert suggest_split_sizes(np.int64(1000)) == (600, 200, 200)
    assert all(type(n) is int for n in suggest_split_sizes(np.int64(1000)))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=3, max_value=10**13))
def test_sizes_are_a_partition_close_to_the_rule(n_samples):
    n_train, n_dev, n_test = suggest_split_sizes(n_samples)
    assert n_train + n_dev + n_test == n_samples
    assert min(n_train, n_dev, n_test) >= 1
    assert n_dev == n_test
    assert n_train >= n_dev
    exact = split_module._dev_fraction(n_samples) * n_samples
    assert abs(n_dev - exact) <= 0.5 or n_dev == 1


def _dense_grid():
    return np.unique(
        np.concatenate(
            [
                np.arange(3, 2_000),
                np.geomspace(3, 1e12, 5_000).round(),
                np.arange(99_000, 101_001),  # around the 60/20/20 limit
                np.arange(995_000, 1_005_001, 7),
                np.arange(99_990_000, 100_010_000, 97),
            ]
        )
    ).astype(np.int64)


def test_dev_and_test_fractions_never_increase_with_n():
    grid = _dense_grid()
    fractions = np.array([split_module._dev_fraction(n) for n in grid])
    assert np.all(np.diff(fractions) <= 0)
    # The counts follow the rule up to rounding to whole examples: the realised
    # fraction n_dev / n may only go up by what rounding allows.
    n_dev = np.array([suggest_split_sizes(int(n))[1] for n in grid])
    realised = n_dev / grid
    slack = 0.5 / grid[:-1] + 0.5 / grid[1:]
    large = grid[:-1] >= 8  # below 8 the floor of one example decides
    assert np.all((np.diff(realised) <= slack)[large])


def test_dev_fraction_is_continuous_at_the_anchor_points():
    for anchor, fraction in split_module._DEV_FRACTION_ANCHORS:
        for n in (anchor * (1 - 1e-9), anchor, anchor * (1 + 1e-9)):
            assert split_module._dev_fraction(n) == pytest.approx(fraction, rel=1e-6)


def test_beyond_one_hundred_million_the_fraction_keeps_falling_gently():
    f8, f9, f10 = (split_module._dev_fraction(10**k) for k in (8, 9, 10))
    assert f9 == pytest.approx(f8 / 2, rel=1e-2)
    assert f10 == pytest.approx(f9 / 2, rel=1e-2)
    # ... while the dev set itself keeps growing.
    assert suggest_split_sizes(10**9)[1] > suggest_split_sizes(10**8)[1]


# ---------------------------------------------------------------------------
# train_dev_test_split


def _ids(part):
    """Row ids of a split part whose first column holds the ids."""
    if hasattr(part, "iloc"):
        part = part.to_numpy()
    if sparse.issparse(part):
        part = part.toarray()
    return np.asarray(part)[:, 0].astype(int)


def test_default_split_is_60_20_20_partition():
    X = np.arange(200).reshape(100, 2)
    X_train, X_dev, X_test = train_dev_test_split(X, random_state=0)
    assert (len(X_train), len(X_dev), len(X_test)) == suggest_split_sizes(100)
    ids = np.concatenate([X_train[:, 0], X_dev[:, 0], X_test[:, 0]])
    assert_array_equal(np.sort(ids), X[:, 0])


def test_outputs_come_in_train_dev_test_order_for_each_array():
    X = np.arange(30).reshape(10, 3)
    y = np.arange(10) * 3
    parts = train_dev_test_split(X, y, random_state=1)
    assert len(parts) == 6
    X_train, X_dev, X_test, y_train, y_dev, y_test = parts
    for X_part, y_part in [(X_train, y_train), (X_dev, y_dev), (X_test, y_test)]:
        assert_array_equal(X_part[:, 0], y_part)


def test_the_test_set_is_train_test_splits():
    X = np.arange(50)
    _, _, X_test = train_dev_test_split(X, random_state=42)
    _, expected = train_test_split(X, test_size=len(X_test), random_state=42)
    assert_array_equal(X_test, expected)


def test_types_are_kept():
    pd = pytest.importorskip("pandas")
    ids = np.arange(20)
    df = pd.DataFrame({"id": ids, "x": ids * 2.0}, index=ids + 100)
    series = pd.Series(ids, index=ids + 100, name="y")
    csr = sparse.csr_matrix(np.c_[ids, np.ones(20)])
    as_list = [[i, 0] for i in ids]
    parts = train_dev_test_split(df, series, csr, as_list, ids, random_state=0)
    for k in range(3):
        df_part, s_part, csr_part, list_part, arr_part = parts[k::3]
        assert isinstance(df_part, pd.DataFrame)
        assert isinstance(s_part, pd.Series)
        assert sparse.issparse(csr_part) and csr_part.format == "csr"
        assert isinstance(list_part, list)
        assert isinstance(arr_part, np.ndarray)
        # Rows stay together and pandas keeps its index.
        assert_array_equal(df_part.index, df_part["id"] + 100)
        assert_array_equal(s_part.to_numpy(), df_part["id"])
        assert_array_equal(_ids(csr_part), df_part["id"])
        assert_array_equal(_ids(list_part), df_part["id"])
        assert_array_equal(arr_part, df_part["id"])


def test_random_state_makes_the_split_reproducible():
    X = np.arange(100)
    first = train_dev_test_split(X, random_state=3)
    again = train_dev_test_split(X, random_state=3)
    other = train_dev_test_split(X, random_state=4)
    for a, b in zip(first, again):
        assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_stratification_keeps_the_class_proportions_in_all_three_sets():
    y = np.array([0] * 70 + [1] * 20 + [2] * 10)
    X = np.arange(100)
    _, _, _, y_train, y_dev, y_test = train_dev_test_split(
        X, y, stratify=y, random_state=0
    )
    for part in (y_train, y_dev, y_test):
        expected = np.array([0.7, 0.2, 0.1]) * len(part)
        assert np.all(np.abs(np.bincount(part, minlength=3) - expected) <= 1)


def test_stratification_works_for_string_labels_in_a_series():
    pd = pytest.importorskip("pandas")
    y = pd.Series(["cat"] * 30 + ["dog"] * 10)
    _, y_dev, y_test = train_dev_test_split(y, stratify=y, random_state=0)
    assert sorted(y_dev) == ["cat"] * 6 + ["dog"] * 2
    assert sorted(y_test) == ["cat"] * 6 + ["dog"] * 2


@pytest.mark.parametrize(
    "dev_size, test_size, expected",
    [
        (0.1, 0.3, (60, 10, 30)),
        (5, 15, (80, 5, 15)),
        (0.25, 10, (65, 25, 10)),
        (0.101, None, (69, 11, 20)),  # fractions are rounded up, like sklearn
        (None, 30, (50, 20, 30)),
    ],
)
def test_sizes_as_fractions_of_all_or_counts(dev_size, test_size, expected):
    X = np.arange(100)
    parts = train_dev_test_split(
        X, dev_size=dev_size, test_size=test_size, random_state=0
    )
    assert tuple(len(p) for p in parts) == expected


def test_shuffle_false_gives_consecutive_blocks():
    X = np.arange(10)
    X_train, X_dev, X_test = train_dev_test_split(X, shuffle=False)
    assert_array_equal(X_train, np.arange(6))
    assert_array_equal(X_dev, [6, 7])
    assert_array_equal(X_test, [8, 9])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"dev_size": 0.5, "test_size": 0.5}, "leaves 0 for training"),
        ({"dev_size": 6, "test_size": 4}, "leaves 0 for training"),
        ({"dev_size": 10}, "dev_size=10 should be smaller"),
        ({"test_size": 12}, "test_size=12 should be smaller"),
        ({"dev_size": 0.0}, "dev_size"),
        ({"test_size": 1.0}, "test_size"),
        ({"dev_size": -2}, "dev_size"),
        ({"shuffle": "yes"}, "shuffle"),
    ],
)
def test_impossible_sizes_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_dev_test_split(np.arange(10), **kwargs)


@pytest.mark.parametrize("n_samples", [0, 1, 2])
def test_too_few_examples_are_refused(n_samples):
    with pytest.raises(ValueError, match="n_samples=" + str(n_samples)):
        train_dev_test_split(np.zeros((n_samples, 2)))


def test_no_arrays_or_inconsistent_lengths_are_refused():
    with pytest.raises(ValueError, match="At least one array"):
        train_dev_test_split()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        train_dev_test_split(np.arange(10), np.arange(9))
    with pytest.raises(ValueError, match="stratify has 9 labels"):
        train_dev_test_split(np.arange(10), stratify=np.arange(9) % 2)


def test_impossible_stratification_says_which_cut_failed():
    y = np.array([0] * 9 + [1])
    with pytest.raises(ValueError, match="Cannot stratify the test set.*1 member"):
        train_dev_test_split(np.arange(10), stratify=y, random_state=0)
    y = np.array([0, 1, 2] * 10)
    # 3 classes but only 2 dev examples: the message names dev_size, not the
    # test_size of the train_test_split call that makes the dev cut.
    with pytest.raises(ValueError, match=r"^dev_size=2 gives 2 .* the 3 classes"):
        train_dev_test_split(np.arange(30), stratify=y, dev_size=2, test_size=6)
    with pytest.raises(ValueError, match="shuffle=False"):
        train_dev_test_split(np.arange(30), stratify=y, shuffle=False)


# ---------------------------------------------------------------------------
# check_same_distribution


def _false_alarm_rate(X, n_splits):
    alarms = 0
    for seed in range(n_splits):
        _, X_dev, X_test = train_dev_test_split(X, random_state=seed)
        alarms += not check_same_distribution(X_dev, X_test, random_state=seed).same
    return alarms / n_splits


# Digits (1,797 examples, 64 features, many splits) is the slow one.
@pytest.mark.parametrize(
    "loader", [pytest.param(load_digits, marks=pytest.mark.slow), load_breast_cancer]
)
def test_false_alarm_rate_on_iid_splits_of_real_data_is_about_alpha(loader):
    # 20 i.i.d. dev/test splits; at alpha = 0.05 more than 3 alarms would have
    # a probability of about 1.6%.
    assert _false_alarm_rate(loader().data, n_splits=20) <= 0.15


def test_a_shift_in_one_feature_is_detected_and_named():
    rng = np.random.RandomState(0)
    X_a, X_b = rng.normal(size=(500, 6)), rng.normal(size=(500, 6))
    X_b[:, 4] += 0.5
    result = check_same_distribution(X_a, X_b, random_state=0)
    assert not result.same
    assert result.top_features == ["x4"]
    assert np.argmin(result.p_values) == 4
    assert result.p_values_adjusted[4] <= 0.025


def test_a_covariate_shift_of_the_whole_distribution_is_detected():
    # Digits images picked with a probability that grows with their overall
    # brightness, against digits picked at random.
    X = load_digits().data
    rng = np.random.RandomState(0)
    brightness = (X.sum(axis=1) - X.sum(axis=1).mean()) / X.sum(axis=1).std()
    keep = rng.uniform(size=len(X)) < 1 / (1 + np.exp(-brightness))
    X_a = X[rng.choice(np.flatnonzero(~keep), 300, replace=False)]
    X_b = X[rng.choice(np.flatnonzero(keep), 300, replace=False)]
    result = check_same_distribution(X_a, X_b, random_state=0)
    assert not result.same
    assert result.auc > 0.6


def test_a_correlation_change_only_the_classifier_can_see_is_detected():
    # Same marginals (standard normal), different joint distribution.
    rng = np.random.RandomState(0)
    X_a = rng.normal(size=(1000, 2))
    z, w = rng.normal(size=(2, 1000))
    X_b = np.c_[z, 0.9 * z + np.sqrt(1 - 0.9**2) * w]  # correlation 0.9
    result = check_same_distribution(X_a, X_b, random_state=0)
    assert result.feature_p_value > 0.025  # no feature differs on its own
    assert result.auc_p_value <= 0.025
    assert not result.same


def test_dev_drawn_from_other_classes_is_detected():
    digits = load_digits()
    X_a = digits.data[digits.target < 5][:300]
    X_b = digits.data[digits.target >= 5][:300]
    result = check_same_distribution(X_a, X_b, random_state=0)
    assert not result.same
    assert result.auc > 0.95
    assert len(result.top_features) == 10
    n_differ = np.sum(result.p_values_adjusted <= result.alpha / 2)
    assert n_differ > 10
    assert f"{n_differ} of 64 differ" in str(result)
    assert f"and {n_differ - 5} more" in str(result)


def test_discrete_features_get_a_chi_squared_test_and_continuous_ones_ks():
    rng = np.random.RandomState(0)
    X = np.c_[
        rng.normal(size=200),  # continuous
        rng.randint(0, 17, size=200),  # a pixel intensity
        rng.randint(0, 2, size=200),  # binary
        np.full(200, 3.0),  # constant
    ]
    result = check_same_distribution(X[:100], X[100:], random_state=0)
    assert_array_equal(result.feature_tests, ["ks", "chi2", "chi2", "constant"])
    assert result.p_values[3] == 1.0
    assert np.all(np.isfinite(result.p_values))
    assert result.same


def test_chi_squared_bins_have_an_expected_count_of_at_least_five():
    counts_a = np.array([1, 0, 3, 40, 2, 1, 0, 1])
    counts_b = np.array([0, 2, 2, 45, 1, 0, 1, 0])
    table = check_module._merge_sparse_levels(counts_a, counts_b)
    assert table.sum() == counts_a.sum() + counts_b.sum()
    expected = (
        table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True)
    ) / table.sum()
    assert expected.min() >= 5


def test_holm_adjustment_matches_the_hand_computation():
    adjusted = check_module._holm([0.01, 0.04, 0.03, 0.5])
    # sorted: 0.01*4=0.04, 0.03*3=0.09, 0.04*2=0.08 -> 0.09, 0.5*1=0.5
    np.testing.assert_allclose(adjusted, [0.04, 0.09, 0.09, 0.5])


def test_identical_sets_are_the_same():
    X = np.random.RandomState(0).normal(size=(50, 3))
    result = check_same_distribution(X, X.copy(), random_state=0)
    assert result.same
    assert np.all(result.p_values > 0.9)


def test_completely_different_sets_are_not():
    X_a = np.zeros((20, 2))
    X_b = np.ones((20, 2))
    result = check_same_distribution(X_a, X_b, random_state=0)
    assert not result.same
    assert result.top_features == ["x0", "x1"]


def test_result_is_reproducible_with_random_state():
    rng = np.random.RandomState(1)
    X_a, X_b = rng.normal(size=(200, 3)), rng.normal(size=(150, 3))
    first = check_same_distribution(X_a, X_b, random_state=7)
    again = check_same_distribution(X_a, X_b, random_state=7)
    assert first.auc == again.auc
    assert first.p_value == again.p_value
    assert_array_equal(first.p_values, again.p_values)


def test_result_attributes_and_report():
    rng = np.random.RandomState(0)
    X_a, X_b = rng.normal(size=(300, 3)), rng.normal(size=(100, 3))
    X_b[:, 1] *= 3
    result = check_same_distribution(X_a, X_b, alpha=0.01, random_state=0)
    assert isinstance(result, DistributionCheckResult)
    assert result.alpha == 0.01
    assert result.n_samples == result.n_samples_used == (300, 100)
    assert not result.subsampled
    assert result.classifier_fit_sizes == (150, 50)
    assert result.classifier_eval_sizes == (150, 50)
    assert 0 <= result.auc <= 1
    assert result.p_value == min(
        1.0, 2 * min(result.feature_p_value, result.auc_p_value)
    )
    assert result.same == (result.p_value > 0.01)
    assert_array_equal(result.feature_names, ["x0", "x1", "x2"])
    assert result.top_features[0] == "x1"
    report = str(result)
    assert report.startswith("Same distribution: NO")
    assert "X_a 300 rows, X_b 100 rows, 3 features" in report
    assert "AUC = " in report
    assert "differ most: x1" in report
    assert "subsampled" not in report
    assert repr(result).startswith("DistributionCheckResult(same=False")


def test_large_sets_are_subsampled_and_the_result_says_so(monkeypatch):
    monkeypatch.setattr(check_module, "_MAX_ROWS_PER_SET", 400)
    monkeypatch.setattr(check_module, "_MAX_CLASSIFIER_FIT_ROWS_PER_SET", 100)
    rng = np.random.RandomState(0)
    X_a, X_b = rng.normal(size=(1000, 2)), rng.normal(size=(300, 2))
    result = check_same_distribution(X_a, X_b, random_state=0)
    assert result.subsampled
    assert result.n_samples == (1000, 300)
    assert result.n_samples_used == (400, 300)
    assert result.classifier_fit_sizes == (100, 100)
    assert result.classifier_eval_sizes == (300, 200)
    assert "subsampled: tests ran on random 400 rows of X_a" in str(result)


def test_dataframes_give_feature_names_and_sparse_equals_dense():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X_a, X_b = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    X_b[:, 0] += 1
    columns = ["age", "income"]
    result = check_same_distribution(
        pd.DataFrame(X_a, columns=columns),
        pd.DataFrame(X_b, columns=columns),
        random_state=0,
    )
    assert result.top_features == ["age"]
    dense = check_same_distribution(X_a, X_b, random_state=0)
    sparse_result = check_same_distribution(
        sparse.csr_matrix(X_a), sparse.csc_matrix(X_b), random_state=0
    )
    assert_array_equal(dense.p_values, sparse_result.p_values)
    assert dense.auc == sparse_result.auc


@pytest.mark.parametrize(
    "X_a, X_b, match",
    [
        (np.zeros((5, 3)), np.zeros((5, 2)), "X_a has 3 features but X_b has 2"),
        (np.zeros((0, 3)), np.zeros((5, 3)), "X_a is empty"),
        (np.zeros((5, 3)), np.zeros((1, 3)), "X_b has a single row"),
        (np.zeros((5, 3)), np.full((5, 3), np.nan), "X_b contains NaN"),
        (np.full((5, 3), np.inf), np.zeros((5, 3)), "X_a contains infinity"),
        (np.array([["a", "b"]] * 3), np.zeros((3, 2)), "X_a.*string"),
        (np.zeros(5), np.zeros(5), "Expected 2D array"),
    ],
)
def test_bad_input_gets_an_error_naming_the_problem(X_a, X_b, match):
    with pytest.raises(ValueError, match=match):
        check_same_distribution(X_a, X_b)


def test_non_numeric_or_mismatched_dataframe_columns_are_named():
    pd = pytest.importorskip("pandas")
    good = pd.DataFrame({"size": [1.0, 2.0, 3.0], "colour": [0.0, 1.0, 0.0]})
    bad = pd.DataFrame({"size": [1.0, 2.0, 3.0], "colour": ["red", "blue", "red"]})
    with pytest.raises(ValueError, match=r"X_b has non-numeric columns \['colour'\]"):
        check_same_distribution(good, bad)
    renamed = good.rename(columns={"colour": "color"})
    with pytest.raises(ValueError, match="different columns"):
        check_same_distribution(good, renamed)


@pytest.mark.parametrize("alpha", [0, 1, 1.5, -0.1])
def test_alpha_must_be_a_probability(alpha):
    with pytest.raises(ValueError, match="alpha"):
        check_same_distribution(np.zeros((5, 1)), np.zeros((5, 1)), alpha=alpha)


def test_classifier_is_scored_only_on_rows_it_was_not_fitted_on():
    X = np.random.RandomState(0).normal(size=(11, 1))
    result = check_same_distribution(X, X + 10, random_state=0)
    assert result.classifier_fit_sizes == (6, 6)
    assert result.classifier_eval_sizes == (5, 5)
    # Too few rows for the classifier to learn anything: it scores every row
    # alike, which is reported as AUC 0.5 and p = 1; the feature tests still see
    # the difference.
    assert result.auc == 0.5
    assert result.auc_p_value == 1.0
    assert not result.same


def test_two_rows_per_set_are_enough_to_run():
    result = check_same_distribution(np.zeros((2, 2)), np.ones((2, 2)))
    assert result.classifier_fit_sizes == (1, 1)
    assert result.classifier_eval_sizes == (1, 1)
    assert np.all(result.p_values <= 1)


# ---------------------------------------------------------------------------
# Safety: stratified sizes name the parameter, sparse input stays sparse,
# read-only input


@pytest.mark.parametrize(
    "dev_size, test_size, match",
    [
        (20, 0.05, r"^test_size=0.05 gives 5 example\(s\), fewer than the 10 classes"),
        (5, 20, r"^dev_size=5 gives 5 example\(s\), fewer than the 10 classes"),
        (0.04, 20, r"^dev_size=0.04 gives 4 example\(s\), fewer than the 10"),
        (45, 50, r"^dev_size and test_size leave 5 training example\(s\), fewer "),
    ],
)
def test_too_small_stratified_set_names_the_parameter_and_class_count(
    dev_size, test_size, match
):
    y = np.repeat(np.arange(10), 10)
    with pytest.raises(ValueError, match=match):
        train_dev_test_split(
            np.zeros((100, 1)), y, dev_size=dev_size, test_size=test_size, stratify=y
        )


def test_too_small_default_stratified_set_says_it_was_the_suggested_size():
    y = np.arange(30) % 15
    with pytest.raises(
        ValueError, match=r"^test_size=None \(suggested: 6\) gives 6 .* 15 classes"
    ):
        train_dev_test_split(np.zeros((30, 1)), stratify=y, random_state=0)


def test_read_only_input_goes_through_every_function():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 3)), np.arange(60) % 2
    X_sparse = sparse.csr_matrix(np.where(X > 1, X, 0.0))
    for a in (X, y, X_sparse.data, X_sparse.indices, X_sparse.indptr):
        a.setflags(write=False)
    before = X.copy(), X_sparse.toarray()
    train_dev_test_split(X, y, X_sparse, stratify=y, random_state=0)
    check_same_distribution(X[:30], X[30:], random_state=0)
    check_same_distribution(X_sparse[:30], X_sparse[30:], random_state=0)
    suggest_split_sizes(np.int64(60))
    assert_array_equal(X, before[0])
    assert_array_equal(X_sparse.toarray(), before[1])


def _random_csr(shape, nnz, seed, values=None):
    rng = np.random.RandomState(seed)
    data = rng.rand(nnz) if values is None else rng.choice(values, size=nnz)
    coords = rng.randint(shape[0], size=nnz), rng.randint(shape[1], size=nnz)
    return sparse.csr_matrix((data, coords), shape=shape)


def test_large_sparse_input_runs_in_memory_bounded_by_the_non_zeros():
    # Dense, these sets would take 2 x 14.9 GiB.
    import tracemalloc

    X_a = _random_csr((2000, 1_000_000), 20_000, seed=0)
    X_b = _random_csr((2000, 1_000_000), 20_000, seed=1)
    tracemalloc.start()
    try:
        result = check_same_distribution(X_a, X_b, random_state=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20
    assert result.same
    assert result.p_values.shape == (1_000_000,)
    assert result.feature_names[-1] == "x999999"


@pytest.mark.parametrize("format_b", ["csr", "csc"])
def test_sparse_path_gives_the_dense_per_feature_tests(monkeypatch, format_b):
    rng = np.random.RandomState(0)
    X_a = _random_csr((300, 40), 600, seed=1, values=[1.0, 2.0, -1.0, 0.0]).toarray()
    X_b = _random_csr((250, 40), 900, seed=2, values=[1.0, 2.0, 3.0]).toarray()
    X_a[:, :4] = rng.normal(size=(300, 4)) * (rng.rand(300, 4) < 0.5)  # continuous
    X_b[:, :4] = rng.normal(size=(250, 4)) * (rng.rand(250, 4) < 0.5)
    X_a[:, 5], X_b[:, 5] = 0.0, 0.0
    X_a[:, 6], X_b[:, 6] = 0.0, 0.0
    X_a[:7, 6], X_b[:3, 6] = 4.0, 5.0  # too few stored values for a chi2 table
    dense = check_same_distribution(X_a, X_b, random_state=0)
    monkeypatch.setattr(check_module, "_MAX_DENSE_VALUES", 0)
    sparse_b = sparse.csr_matrix(X_b).asformat(format_b)
    kept_sparse = check_same_distribution(
        sparse.csr_matrix(X_a), sparse_b, random_state=0
    )
    assert set(dense.feature_tests) == {"ks", "chi2", "constant", "too few"}
    assert_array_equal(kept_sparse.feature_tests, dense.feature_tests)
    assert_array_equal(kept_sparse.p_values, dense.p_values)
    assert_array_equal(kept_sparse.distances, dense.distances)
    assert kept_sparse.top_features == dense.top_features


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(
    n_rows=st.tuples(st.integers(2, 40), st.integers(2, 40)),
    n_features=st.integers(1, 60),
    density=st.sampled_from([0.0, 0.02, 0.1, 0.3, 0.7]),
    values=st.sampled_from([None, (1.0,), (1.0, 2.0), (-1.0, 1.0, 3.0)]),
    seed=st.integers(0, 2**31 - 1),
)
def test_sparse_and_dense_paths_give_the_same_per_feature_results(
    n_rows, n_features, density, values, seed
):
    from unittest import mock

    rng = np.random.RandomState(seed)

    def draw(n):
        shape = (n, n_features)
        X = rng.normal(size=shape) if values is None else rng.choice(values, shape)
        return X * (rng.rand(*shape) < density)

    X_a, X_b = draw(n_rows[0]), draw(n_rows[1])
    dense = check_same_distribution(X_a, X_b, random_state=0)
    with mock.patch.object(check_module, "_MAX_DENSE_VALUES", 0):
        kept_sparse = check_same_distribution(
            sparse.csr_matrix(X_a), sparse.csr_matrix(X_b), random_state=0
        )
    for name in ("feature_names", "feature_tests", "p_values", "p_values_adjusted"):
        assert_array_equal(getattr(kept_sparse, name), getattr(dense, name))
    np.testing.assert_allclose(kept_sparse.distances, dense.distances, atol=1e-12)
    assert kept_sparse.feature_p_value == dense.feature_p_value
    assert kept_sparse.top_features == dense.top_features


def test_sparse_domain_classifier_finds_a_shift_in_the_non_zero_pattern(monkeypatch):
    monkeypatch.setattr(check_module, "_MAX_DENSE_VALUES", 0)
    X_a = _random_csr((400, 5000), 4000, seed=0)
    X_b = _random_csr((400, 5000), 4000, seed=1)
    shift = _random_csr((400, 50), 800, seed=2)  # 50 features, more often non-zero
    X_b = X_b + sparse.hstack([shift, sparse.csr_matrix((400, 4950))], format="csr")
    result = check_same_distribution(X_a, X_b, random_state=0)
    assert result.auc > 0.6
    assert not result.same
    all_zero = sparse.csr_matrix((400, 5000))
    assert check_same_distribution(all_zero, all_zero, random_state=0).auc == 0.5


def test_default_feature_names_are_x0_x1_and_so_on():
    for n in (1, 9, 10, 11, 101):
        assert list(result_module._default_names(n)) == [f"x{j}" for j in range(n)]


def test_sparse_distribution_check_costs_follow_the_stored_values():
    # Two 50-row CSR matrices with 3 x 10**7 columns and 2,000 stored values
    # each took 7 s (31 s on a busy machine) and 2.7 GiB: the result held five
    # arrays of 3 x 10**7 entries, and the check worked on them.
    import pickle
    import time

    from _memory import traced_peak

    n_features = 3 * 10**7

    def matrix(seed):
        rng = np.random.RandomState(seed)
        rows, columns = rng.randint(0, 50, 2000), rng.randint(0, n_features, 2000)
        values = rng.rand(2000)
        return sparse.csr_matrix((values, (rows, columns)), shape=(50, n_features))

    X_a, X_b, outputs = matrix(0), matrix(1), []

    def check_and_report():
        result = check_same_distribution(X_a, X_b, random_state=0)
        outputs.extend([result, str(result), repr(result), result.top_features])

    started = time.perf_counter()
    peak = traced_peak(check_and_report)
    assert time.perf_counter() - started < 60
    assert peak < 32 * 2**20
    result, report = outputs[:2]
    n_tested = len(np.union1d(X_a.indices, X_b.indices))
    assert f"{n_features} features" in report
    assert f"{n_features - n_tested} constant" in report
    assert len(pickle.dumps(result)) < 2**20


def test_the_per_feature_arrays_cover_every_feature_when_few_are_tested(
    monkeypatch,
):
    X_a = np.zeros((60, 12))
    X_a[:, 7] = 1.0  # the same value everywhere: tested, "constant"
    X_b = X_a.copy()
    X_b[:40, 3] = 5.0
    dense = check_same_distribution(X_a, X_b, random_state=0)
    monkeypatch.setattr(check_module, "_MAX_DENSE_VALUES", 0)
    result = check_same_distribution(
        sparse.csr_matrix(X_a), sparse.csr_matrix(X_b), random_state=0
    )
    for name in ("feature_names", "p_values", "p_values_adjusted", "feature_tests"):
        assert_array_equal(getattr(result, name), getattr(dense, name))
        assert getattr(result, name).shape == (12,)
    assert_array_equal(result.distances, dense.distances)
    assert result.top_features == dense.top_features == ["x3"]
    assert str(result) == str(dense)


def test_a_result_saved_with_one_entry_per_feature_still_loads():
    rng = np.random.RandomState(0)
    X_a, X_b = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    X_b[:, 1] += 1
    result = check_same_distribution(X_a, X_b, random_state=0)
    arrays = ["feature_names", "p_values", "p_values_adjusted", "feature_tests"]
    arrays.append("distances")
    # The attributes of a result written before the arrays were kept compact.
    state = {
        name: getattr(result, name)
        for name in [*arrays, "same", "alpha", "p_value", "feature_p_value"]
        + ["top_features", "auc", "auc_p_value", "n_samples", "n_samples_used"]
        + ["subsampled", "classifier_fit_sizes", "classifier_eval_sizes"]
        + ["n_shared_rows"]
    }
    loaded = DistributionCheckResult.__new__(DistributionCheckResult)
    loaded.__setstate__(state)
    assert str(loaded) == str(result) and repr(loaded) == repr(result)
    for name in arrays:
        assert_array_equal(getattr(loaded, name), getattr(result, name))
