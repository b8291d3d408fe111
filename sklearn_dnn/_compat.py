"""Every private scikit-learn import of the package, in one place.

A scikit-learn release that moves one of these names breaks only this file.
"""

from sklearn.base import _fit_context
from sklearn.model_selection._validation import _translate_train_sizes
from sklearn.utils._array_api import (
    _is_numpy_namespace,
    check_same_namespace,
    get_namespace,
    get_namespace_and_device,
)
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    RealNotInt,
    StrOptions,
    validate_params,
)
from sklearn.utils._plotting import _validate_style_kwargs
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_samples,
    validate_data,
)

__all__ = [
    "_is_numpy_namespace",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "RealNotInt",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_num_samples",
    "_safe_indexing",
    "_translate_train_sizes",
    "_validate_style_kwargs",
    "check_matplotlib_support",
    "check_same_namespace",
    "get_namespace",
    "get_namespace_and_device",
    "validate_data",
    "validate_params",
]
