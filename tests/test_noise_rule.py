"""DESIGN §14: every verdict carries its sampling noise."""

import numpy as np
import pytest
from scipy.stats import binomtest, norm

from sklearn_dnn import diagnose_bias_variance
from sklearn_dnn.diagnostics._noise import proportion_standard_error


def test_two_dev_errors_in_91_are_uncertain_not_high_variance():
    diagnosis = diagnose_bias_variance(0.0, 2 / 91, n_samples={"train": 364, "dev": 91})
    assert diagnosis.case == "good fit"
    assert not diagnosis.high_variance
    assert diagnosis.uncertain == ("variance",)
    assert diagnosis.confidence == 0.95
    # Without sizes, §13's rule: the same gap is high.
    assert diagnose_bias_variance(0.0, 2 / 91).case == "high variance"
    assert diagnose_bias_variance(0.0, 2 / 91).uncertain == ()


def test_the_same_gap_on_many_examples_is_high():
    sizes = {"train": 400_000, "dev": 100_000}
    diagnosis = diagnose_bias_variance(0.0, 2 / 91, n_samples=sizes)
    assert diagnosis.case == "high variance"
    assert diagnosis.uncertain == ()


def test_agresti_coull_standard_errors_and_gap_root_sum_of_squares():
    z = norm.ppf(0.975)
    diagnosis = diagnose_bias_variance(0.1, 0.2, n_samples={"train": 500, "dev": 100})
    n_tilde = 100 + z**2
    p_tilde = (100 * 0.2 + z**2 / 2) / n_tilde
    dev_se = np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    train_se = proportion_standard_error(0.1, 500, z)
    assert diagnosis.error_standard_errors["dev"] == pytest.approx(dev_se)
    assert diagnosis.standard_errors["variance"] == pytest.approx(
        np.hypot(train_se, dev_se)
    )
    # The baseline is exact: the bias gap's standard error is the train one.
    assert diagnosis.standard_errors["bias"] == pytest.approx(train_se)
    assert diagnosis.standard_errors["data mismatch"] is None
    # Agresti-Coull's interval: p_tilde +- z se, close to the exact one.
    exact = binomtest(20, 100).proportion_ci(0.95, method="wilson")
    assert p_tilde - z * dev_se == pytest.approx(exact.low, abs=0.01)


def test_an_error_of_zero_still_has_a_positive_standard_error():
    diagnosis = diagnose_bias_variance(0.0, 0.0, n_samples={"train": 50, "dev": 50})
    assert diagnosis.error_standard_errors["train"] > 0
    assert diagnosis.standard_errors["variance"] > 0


def test_given_standard_errors_are_used_for_errors_that_are_not_proportions():
    ses = {"train": 0.01, "dev": 0.05}
    uncertain = diagnose_bias_variance(0.2, 0.28, standard_errors=ses)
    assert uncertain.standard_errors["variance"] == pytest.approx(np.hypot(0.01, 0.05))
    assert uncertain.uncertain == ("variance",)
    assert uncertain.case == "high bias"
    high = diagnose_bias_variance(0.2, 0.5, standard_errors=ses)
    assert high.case == "high bias and high variance"


def test_confidence_sets_z():
    kwargs = {"standard_errors": {"train": 0.0, "dev": 0.02}}
    # gap 0.05: 2.5 standard errors, high at 95%, uncertain at 99.9%.
    assert diagnose_bias_variance(0.0, 0.05, **kwargs).high_variance
    strict = diagnose_bias_variance(0.0, 0.05, confidence=0.999, **kwargs)
    assert strict.uncertain == ("variance",)
    assert strict.confidence == 0.999


def test_uncertain_gaps_are_listed_in_case_order_and_cases_join_highs_only():
    sizes = {"train": 100, "train_dev": 60, "dev": 60, "test": 60}
    diagnosis = diagnose_bias_variance(
        0.02, 0.08, train_dev_error=0.04, test_error=0.11, n_samples=sizes
    )
    assert diagnosis.uncertain == (
        "bias",
        "variance",
        "data mismatch",
        "dev overfitting",
    )
    assert diagnosis.case == "good fit"
    assert not diagnosis.high_data_mismatch
    assert set(diagnosis.standard_errors) == {
        "bias",
        "variance",
        "data mismatch",
        "dev overfitting",
    }


def test_a_real_mismatch_on_enough_examples_is_still_high():
    sizes = {"train": 1000, "train_dev": 300, "dev": 300}
    diagnosis = diagnose_bias_variance(
        0.01, 0.10, train_dev_error=0.015, n_samples=sizes
    )
    assert diagnosis.case == "high data mismatch"
    assert diagnosis.uncertain == ()


def test_printing_gives_noise_uncertain_gaps_and_the_dev_size_that_resolves():
    text = str(diagnose_bias_variance(0.0, 2 / 91, n_samples={"train": 364, "dev": 91}))
    assert "good fit, uncertain: variance" in text
    assert "± 4.07%" in text
    assert "Smallest gap these sizes resolve" in text
    assert "dev examples (now 91)" in text
    assert "Nothing to fix" not in text


def test_uncertain_gaps_recommend_more_dev_examples_or_cross_validation():
    diagnosis = diagnose_bias_variance(0.0, 2 / 91, n_samples={"train": 364, "dev": 91})
    (advice,) = diagnosis.recommendations
    assert "bigger dev" in advice and "cross-validated" in advice
    assert "variance gap" in advice


def test_without_sizes_the_rule_and_output_are_unchanged():
    plain = diagnose_bias_variance(0.01, 0.11)
    assert plain.standard_errors == dict.fromkeys(
        ("bias", "variance", "data mismatch", "dev overfitting")
    )
    assert "±" not in str(plain)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": {"dev": 0}}, "n_samples\\['dev'\\] must be an integer >= 1"),
        ({"n_samples": {"dev": 2.5}}, "n_samples\\['dev'\\]"),
        ({"n_samples": {"validation": 10}}, "unknown keys \\['validation'\\]"),
        ({"standard_errors": {"dev": -0.1}}, "standard_errors\\['dev'\\]"),
        ({"standard_errors": {"dev": np.nan}}, "standard_errors\\['dev'\\]"),
    ],
)
def test_bad_sizes_or_standard_errors_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        diagnose_bias_variance(0.1, 0.2, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"n_samples": [10, 10]}, {"confidence": 1.0}, {"confidence": 0}],
)
def test_bad_types_or_confidence_raise_invalid_parameter_error(kwargs):
    with pytest.raises(ValueError, match="parameter of diagnose_bias_variance"):
        diagnose_bias_variance(0.1, 0.2, **kwargs)


def test_augmentation_is_named_as_image_augmenter_only_for_images():
    from sklearn_dnn.diagnostics._bias_variance import image_advice

    plain = diagnose_bias_variance(0.0, 0.2)
    assert not any("ImageAugmenter" in r for r in plain.recommendations)
    assert any("more data or data synthesis" in r for r in plain.recommendations)
    unchanged = image_advice(plain, None, {"augment": None})
    assert unchanged.recommendations == plain.recommendations
    images = image_advice(plain, None, {"dnnclassifier__augment": object()})
    assert any("ImageAugmenter" in r for r in images.recommendations)
    assert image_advice(plain, object(), {}).recommendations == images.recommendations
