"""The estimators: ``DNNClassifier`` and ``DNNRegressor`` on ``BaseDNN``."""

from ._base import BaseDNN, network_for_gradient_check
from ._classifier import DNNClassifier
from ._regressor import DNNRegressor

__all__ = ["BaseDNN", "DNNClassifier", "DNNRegressor", "network_for_gradient_check"]
