"""Weight initialisation schemes; biases always start at zero.

Each scheme is ``init(n_in, n_out, rng, activation) -> W`` with ``W`` of shape
``(n_in, n_out)``.  Weights are drawn layer by layer, ``W[1]`` first, from the
one random state of the fit.
"""

import numpy as np


def _he(n_in, n_out, rng, activation):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)


def _xavier(n_in, n_out, rng, activation):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)


def _glorot_uniform(n_in, n_out, rng, activation):
    # scikit-learn's MLP scheme (Glorot & Bengio, 2010).
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (n_in + n_out))
    return rng.uniform(-bound, bound, (n_in, n_out))


def _zeros(n_in, n_out, rng, activation):
    return np.zeros((n_in, n_out))


def _normal(n_in, n_out, rng, activation):
    return rng.standard_normal((n_in, n_out)) * 0.01


INITIALIZERS = {
    "he": _he,
    "xavier": _xavier,
    "glorot_uniform": _glorot_uniform,
    "zeros": _zeros,
    "normal": _normal,
}


def resolve_init(init, activation):
    """Return ``init(n_in, n_out, rng) -> W`` for a name, ``"auto"`` or a callable.

    ``"auto"`` is ``"glorot_uniform"``: scikit-learn's MLP scheme, uniform in
    ``+-sqrt(factor / (n_in + n_out))`` with factor 6 (2 for "logistic").
    """
    if callable(init):
        return init
    if init == "auto":
        # Measured on the panel of DESIGN section 18 (5-fold, the default
        # network, raw and standardized inputs): scikit-learn's Glorot scheme
        # beat He by 2 points on the synthetic 10-class set and 8 on raw
        # wine, and was never below it by more than one standard deviation.
        init = "glorot_uniform"
    scheme = INITIALIZERS[init]
    return lambda n_in, n_out, rng: scheme(n_in, n_out, rng, activation)
