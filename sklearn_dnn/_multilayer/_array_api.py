"""What the estimators need for array API dispatch (DESIGN §17).

With ``sklearn.set_config(array_api_dispatch=True)`` and input of another
namespace than numpy (torch, cupy, array_api_strict), a fit trains in that
namespace on the input's device: the targets are encoded on the host (they
are labels, small) and moved once, the network's parameters are drawn with
numpy and moved once, and everything the loop computes stays on the device.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config

from .._compat import _is_numpy_namespace, get_namespace_and_device
from .._engine.array_network import to_numpy

#: Fitted curves kept on the host while training and moved to the device at
#: the end of a fit (scikit-learn's array API convention: every fitted array
#: lives where the data does).
CURVES = (
    "loss_curve_",
    "gradient_norms_",
    "validation_scores_",
    "validation_loss_curve_",
)


def dispatch_namespace(*arrays):
    """``(xp, device)`` when dispatch is on and the input is not numpy, else
    ``(None, None)`` (the numpy engine, unchanged)."""
    arrays = [a for a in arrays if a is not None]
    if not get_config()["array_api_dispatch"] or any(sp.issparse(a) for a in arrays):
        return None, None
    if all(isinstance(a, np.ndarray) for a in arrays):
        return None, None
    xp, is_array_api, device = get_namespace_and_device(*arrays)
    if not is_array_api or _is_numpy_namespace(xp):
        return None, None
    return xp, device


def float_dtypes(X):
    """The float types input is validated to: float64 (the default) or
    float32, of ``X``'s namespace."""
    xp, _ = dispatch_namespace(X)
    xp = np if xp is None else xp
    return (xp.float64, xp.float32)


def check_device_settings(estimator):
    """The settings that only the numpy engine supports, as clear errors."""
    if estimator.solver == "lbfgs":
        raise ValueError(
            "solver='lbfgs' runs scipy's L-BFGS-B on numpy arrays only: with "
            "array API dispatch on a non-numpy input, use solver='sgd', "
            "'rmsprop' or 'adam', or pass numpy arrays."
        )
    if estimator.augment is not None:
        raise ValueError(
            "augment works on numpy mini-batches only: with array API dispatch "
            "on a non-numpy input, set augment=None or pass numpy arrays."
        )


def host_dtype(X):
    """The numpy float type matching ``X``'s: float32 or float64."""
    return np.dtype(np.float32) if "float32" in str(X.dtype) else np.dtype(np.float64)


def to_host(array):
    """``array`` as numpy (None stays None, lists and numpy pass through)."""
    if array is None or isinstance(array, (np.ndarray, list, tuple)):
        return array
    if hasattr(array, "__dlpack__") or hasattr(array, "cpu"):
        return to_numpy(array)
    return array


def scale_sample(X, n_rows):
    """The rows of ``X`` the normalization warning samples, as numpy."""
    step = max(1, X.shape[0] // n_rows)
    return to_numpy(X[::step, ...])


def curves_to_host(estimator):
    """Bring the fitted curves of an earlier fit back to numpy."""
    for name in CURVES:
        value = getattr(estimator, name, None)
        if value is not None:
            setattr(estimator, name, np.asarray(to_host(value), dtype=float))


def curves_to_device(estimator, xp, device):
    """Move the fitted curves to ``device``."""
    for name in CURVES:
        value = getattr(estimator, name, None)
        if value is not None:
            setattr(estimator, name, xp.asarray(value, device=device))
