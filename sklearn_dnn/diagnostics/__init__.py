"""Diagnosing a network: bias and variance, learning and loss curves, the recipe,
and the dev errors (error analysis, suspect labels)."""

from ._bias_variance import BiasVarianceDiagnosis, diagnose_bias_variance
from ._displays import BiasVarianceDisplay, LossCurveDisplay
from ._error_analysis import ErrorAnalysis, error_analysis
from ._gradients import GradientDiagnosis, diagnose_gradients
from ._recipe import BasicRecipe
from ._suspect_labels import SuspectLabels, suspect_labels

__all__ = [
    "BasicRecipe",
    "BiasVarianceDiagnosis",
    "BiasVarianceDisplay",
    "ErrorAnalysis",
    "GradientDiagnosis",
    "LossCurveDisplay",
    "SuspectLabels",
    "diagnose_bias_variance",
    "diagnose_gradients",
    "error_analysis",
    "suspect_labels",
]
