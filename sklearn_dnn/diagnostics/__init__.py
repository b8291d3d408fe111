"""Diagnosing a network: bias and variance, learning and loss curves, the recipe."""

from ._gradients import GradientDiagnosis, diagnose_gradients

__all__ = [
    "GradientDiagnosis",
    "diagnose_gradients",
]
