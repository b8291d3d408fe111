"""Diagnosing a network: bias and variance, learning and loss curves, the recipe."""

from ._bias_variance import BiasVarianceDiagnosis, diagnose_bias_variance
from ._displays import BiasVarianceDisplay, LossCurveDisplay
from ._gradients import GradientDiagnosis, diagnose_gradients
from ._recipe import BasicRecipe

__all__ = [
    "BasicRecipe",
    "BiasVarianceDiagnosis",
    "BiasVarianceDisplay",
    "GradientDiagnosis",
    "LossCurveDisplay",
    "diagnose_bias_variance",
    "diagnose_gradients",
]
