"""A round's measurement: the errors of its fit, their noise, the diagnosis.

The entry returned is one round of ``BasicRecipe.history_`` before the
recipe adds the race that led to it and the action that follows it.
"""

import numpy as np

from ._bias_variance import diagnose_bias_variance, image_advice
from ._noise import split_noise


def measured_round(recipe, estimator, params, error, splits):
    """The history entry of ``estimator`` (fitted with ``params``): its errors
    on ``splits`` (train, train-dev, dev) and their diagnosis."""
    measured = splits._replace(all=None)._asdict()
    errors = {
        f"{name}_error": error(estimator, *examples)
        for name, examples in measured.items()
        if examples is not None
    }
    _check_errors(errors, recipe.scoring)
    noise = split_noise(error, estimator, measured)
    diagnosis = diagnose_bias_variance(
        errors["train_error"],
        errors["dev_error"],
        tolerance=recipe._tolerance(),
        rel_tolerance=recipe.rel_tolerance,
        train_dev_error=errors.get("train_dev_error"),
        **recipe._baseline_terms(noise),
    )
    return {
        "params": params,
        "train_error": errors["train_error"],
        "train_dev_error": errors.get("train_dev_error"),
        "dev_error": errors["dev_error"],
        "baseline_error": recipe._fitting["baseline"]["error"],
        "diagnosis": image_advice(diagnosis, recipe.augment, params),
        "action": None,
        "candidates": [],
    }


def _check_errors(errors, scoring):
    for split, value in errors.items():
        if value is not None and not (np.isfinite(value) and value >= 0):
            raise ValueError(
                f"scoring={scoring!r} gave a {split.removesuffix('_error')} "
                f"error of {value}: an error must be finite and non-negative "
                "(is the dev split too small for this score?)."
            )
