"""diagnose_bias_variance: the course's cases, the tolerance rule, bad input."""

import dataclasses
import pickle

import numpy as np
import pytest

from sklearn_dnn import BiasVarianceDiagnosis, diagnose_bias_variance
from sklearn_dnn.diagnostics._bias_variance import BIAS_REMEDIES, VARIANCE_REMEDIES


@pytest.mark.parametrize(
    "train_error, dev_error, baseline_error, case",
    [
        (0.01, 0.11, 0.0, "high variance"),
        (0.15, 0.16, 0.0, "high bias"),
        (0.15, 0.30, 0.0, "high bias and high variance"),
        (0.005, 0.01, 0.0, "good fit"),
        (0.15, 0.16, 0.15, "good fit"),
    ],
)
def test_course_examples_are_classified_as_taught(
    train_error, dev_error, baseline_error, case
):
    diagnosis = diagnose_bias_variance(train_error, dev_error, baseline_error)
    assert diagnosis.case == case
    assert diagnosis.high_bias == ("bias" in case)
    assert diagnosis.high_variance == ("variance" in case)


def test_a_15_percent_baseline_turns_15_percent_train_error_into_no_bias():
    assert diagnose_bias_variance(0.15, 0.16, baseline_error=0.0).high_bias
    diagnosis = diagnose_bias_variance(0.15, 0.16, baseline_error=0.15)
    assert not diagnosis.high_bias
    assert diagnosis.avoidable_bias == pytest.approx(0.0)


def test_gaps_are_train_minus_baseline_and_dev_minus_train():
    diagnosis = diagnose_bias_variance(0.08, 0.10, baseline_error=0.075)
    assert diagnosis.avoidable_bias == pytest.approx(0.005)
    assert diagnosis.variance == pytest.approx(0.02)
    # The course's "human 7.5%, train 8%, dev 10%": focus on variance.
    assert diagnosis.case == "high variance"


def test_thresholds_have_an_absolute_floor_and_a_relative_part():
    diagnosis = diagnose_bias_variance(
        0.40, 0.45, baseline_error=0.30, tolerance=0.02, rel_tolerance=0.25
    )
    assert diagnosis.bias_threshold == pytest.approx(max(0.02, 0.25 * 0.30))
    assert diagnosis.variance_threshold == pytest.approx(max(0.02, 0.25 * 0.40))
    small = diagnose_bias_variance(0.01, 0.02, tolerance=0.02, rel_tolerance=0.25)
    assert small.bias_threshold == pytest.approx(0.02)
    assert small.variance_threshold == pytest.approx(0.02)


def test_a_gap_equal_to_the_threshold_is_not_high_despite_rounding():
    # 0.16 - 0.15 is 0.010000000000000009 in floating point.
    assert 0.16 - 0.15 > 0.01
    exact = diagnose_bias_variance(0.15, 0.16, tolerance=0.01, rel_tolerance=0.0)
    assert exact.variance_threshold == 0.01
    assert not exact.high_variance
    assert diagnose_bias_variance(0.01, 0.5).avoidable_bias == 0.01
    assert not diagnose_bias_variance(0.01, 0.5).high_bias
    # Just above the threshold counts.
    assert diagnose_bias_variance(0.05, 0.0601).high_variance
    assert diagnose_bias_variance(0.0101, 0.5).high_bias


def test_tiny_errors_are_a_good_fit_by_default_and_diagnosed_with_a_small_tolerance():
    # Errors at the 0.1 % scale: gaps of a few tenths of a point.
    default = diagnose_bias_variance(0.002, 0.006, baseline_error=0.001)
    assert default.case == "good fit"
    fine = diagnose_bias_variance(0.002, 0.006, baseline_error=0.001, tolerance=0.0005)
    assert fine.case == "high bias and high variance"
    # With no absolute floor, the relative part still ignores a dev error
    # only 5 % above the training error.
    relative = diagnose_bias_variance(0.001, 0.00105, tolerance=0.0)
    assert not relative.high_variance
    assert diagnose_bias_variance(0.001, 0.0012, tolerance=0.0).high_variance


def test_large_errors_need_a_gap_large_relative_to_the_error_level():
    # A 30 % baseline: 2 points of avoidable bias and of variance are within
    # 10 % of the error they are measured from.
    assert diagnose_bias_variance(0.32, 0.34, baseline_error=0.30).case == "good fit"
    # The same 2-point gaps with a 0 % baseline and 2 % train error are high.
    assert diagnose_bias_variance(0.02, 0.04).case == "high bias and high variance"
    assert diagnose_bias_variance(0.40, 0.41, baseline_error=0.30).case == "high bias"
    assert diagnose_bias_variance(0.32, 0.40, baseline_error=0.30).case == (
        "high variance"
    )


def test_beating_the_baseline_or_a_dev_error_below_train_error_is_not_high():
    diagnosis = diagnose_bias_variance(0.05, 0.03, baseline_error=0.10)
    assert diagnosis.avoidable_bias == pytest.approx(-0.05)
    assert diagnosis.variance == pytest.approx(-0.02)
    assert diagnosis.case == "good fit"


def test_recommendations_follow_the_basic_recipe_bias_first():
    assert diagnose_bias_variance(0.005, 0.01).recommendations == ()
    assert diagnose_bias_variance(0.15, 0.16).recommendations == BIAS_REMEDIES
    assert diagnose_bias_variance(0.01, 0.11).recommendations == VARIANCE_REMEDIES
    both = diagnose_bias_variance(0.15, 0.30).recommendations
    assert both[: len(BIAS_REMEDIES)] == BIAS_REMEDIES
    assert [r.split(":")[0] for r in both] == [
        "bigger network",
        "train longer",
        "another architecture",
        "more data",
        "regularization",
        "data augmentation",
    ]


def test_printing_a_diagnosis_reports_case_gaps_and_next_steps():
    text = str(diagnose_bias_variance(0.01, 0.11))
    assert text.splitlines()[0] == "Bias/variance diagnosis: high variance"
    assert "avoidable bias    1.00%" in text
    assert "variance         10.00%" in text
    assert "(high above 1.00%): HIGH" in text
    assert "1. more data" in text
    assert "Nothing to fix" in str(diagnose_bias_variance(0.0, 0.0))


def test_diagnosis_is_a_frozen_picklable_record():
    diagnosis = diagnose_bias_variance(np.float32(0.15), np.float64(0.3))
    assert isinstance(diagnosis, BiasVarianceDiagnosis)
    assert isinstance(diagnosis.train_error, float)
    assert pickle.loads(pickle.dumps(diagnosis)) == diagnosis
    with pytest.raises(dataclasses.FrozenInstanceError):
        diagnosis.case = "good fit"


@pytest.mark.parametrize("name", ["train_error", "dev_error", "baseline_error"])
@pytest.mark.parametrize("value", [-0.01, -np.inf, np.nan, np.inf, "0.1", None])
def test_negative_infinite_or_non_numeric_errors_raise_value_error(name, value):
    kwargs = {"train_error": 0.1, "dev_error": 0.2, "baseline_error": 0.0}
    kwargs[name] = value
    with pytest.raises(ValueError, match=name):
        diagnose_bias_variance(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tolerance": -0.1},
        {"tolerance": np.inf},
        {"tolerance": np.nan},
        {"rel_tolerance": -1.0},
    ],
)
def test_bad_tolerances_raise_value_error(kwargs):
    with pytest.raises(ValueError, match="tolerance"):
        diagnose_bias_variance(0.1, 0.2, **kwargs)


def test_errors_above_one_are_real_and_diagnosed():
    # 1 - R^2 of a regressor worse than the mean, or a mean squared error:
    # these were rejected, so a scorer's error had to be clipped to 1.
    worse_than_mean = diagnose_bias_variance(1.4, 2.5)
    assert worse_than_mean.case == "high bias and high variance"
    assert worse_than_mean.avoidable_bias == pytest.approx(1.4)
    assert worse_than_mean.variance == pytest.approx(1.1)
    mse = diagnose_bias_variance(12.0, 12.5, baseline_error=11.0, tolerance=0.5)
    assert mse.case == "good fit"  # gaps of 1 and 0.5 within 10 % of 11 and 12
    assert diagnose_bias_variance(30.0, 30.0, baseline_error=10.0).case == "high bias"


def test_losses_print_as_numbers_and_rates_as_percentages():
    # Errors whose noise comes as standard errors are losses (or 1 - R^2):
    # a percentage would claim a rate they are not.
    losses = diagnose_bias_variance(
        0.35, 0.48, 0.0, 0.01, standard_errors={"train": 0.02, "dev": 0.04}
    )
    text = str(losses)
    assert "%" not in text.replace("95% confidence", "")
    assert "train error         0.35" in text
    rates = diagnose_bias_variance(
        0.05, 0.08, 0.0, 0.01, n_samples={"train": 800, "dev": 200}
    )
    assert "train error        5.00%" in str(rates)
