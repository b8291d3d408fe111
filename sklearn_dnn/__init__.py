"""sklearn_dnn: build and improve deep neural networks the scikit-learn way."""

from ._multilayer import DNNClassifier, DNNRegressor
from .augment import ImageAugmenter
from .gradcheck import GradientCheckResult, gradient_check
from .preprocessing import InputNormalizer

__version__ = "0.1.0"

__all__ = [
    "DNNClassifier",
    "DNNRegressor",
    "GradientCheckResult",
    "ImageAugmenter",
    "InputNormalizer",
    "__version__",
    "gradient_check",
]
