"""sklearn_dnn: build and improve deep neural networks the scikit-learn way."""

from ._multilayer import DNNClassifier, DNNRegressor
from .augment import ImageAugmenter
from .diagnostics import (
    BasicRecipe,
    BiasVarianceDiagnosis,
    BiasVarianceDisplay,
    ErrorAnalysis,
    GradientDiagnosis,
    LossCurveDisplay,
    SuspectLabels,
    diagnose_bias_variance,
    diagnose_gradients,
    error_analysis,
    suspect_labels,
)
from .gradcheck import GradientCheckResult, gradient_check
from .model_selection import (
    DistributionCheckResult,
    check_same_distribution,
    suggest_split_sizes,
    train_dev_test_split,
)
from .preprocessing import InputNormalizer

__version__ = "0.1.0"

# Pickles and skops files name a class by its ``__module__``: the public one,
# so that a saved model outlives a move of the private module defining it.
for _public_class in (
    BasicRecipe,
    BiasVarianceDiagnosis,
    BiasVarianceDisplay,
    DNNClassifier,
    DNNRegressor,
    DistributionCheckResult,
    ErrorAnalysis,
    GradientCheckResult,
    GradientDiagnosis,
    ImageAugmenter,
    InputNormalizer,
    LossCurveDisplay,
    SuspectLabels,
):
    _public_class.__module__ = __name__
del _public_class

__all__ = [
    "BasicRecipe",
    "BiasVarianceDiagnosis",
    "BiasVarianceDisplay",
    "DNNClassifier",
    "DNNRegressor",
    "DistributionCheckResult",
    "ErrorAnalysis",
    "GradientCheckResult",
    "GradientDiagnosis",
    "ImageAugmenter",
    "InputNormalizer",
    "LossCurveDisplay",
    "SuspectLabels",
    "__version__",
    "check_same_distribution",
    "diagnose_bias_variance",
    "diagnose_gradients",
    "error_analysis",
    "gradient_check",
    "suggest_split_sizes",
    "suspect_labels",
    "train_dev_test_split",
]
