"""Vanishing and exploding gradients, read off a fitted network's gradient norms.

``gradient_norms_`` holds, per epoch, the mean L2 norm of each layer's ``dW``.
In a deep network whose gradients vanish, the layers near the input receive
gradients orders of magnitude smaller than the output layer and barely learn;
when they explode, the norms are huge and the updates unstable.
"""

from dataclasses import dataclass, field
from numbers import Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, validate_params
from .._formatting import format_number
from ._plotting import _Display
from ._validation import validate_like_fit

#: Defaults of ``diagnose_gradients``; see its Notes for why.
VANISHING_RATIO = 1e-2
EXPLODING_RATIO = 1e2
EXPLODING_NORM = 1e3


@dataclass(frozen=True, eq=False, repr=False)
class GradientDiagnosis(_Display):
    """Vanishing/exploding-gradient flags of a fitted network.

    Built by :func:`diagnose_gradients`; printable.

    Attributes
    ----------
    gradient_norms : ndarray of shape (n_iter, n_layers - 1)
        The estimator's ``gradient_norms_``: mean ``||dW[l]||_2`` per epoch.
    layer_norms : ndarray of shape (n_layers - 1,)
        Median over the epochs of each layer's gradient norm.
    relative_norms : ndarray of shape (n_layers - 1,)
        ``layer_norms`` divided by the output layer's.
    ratio : float
        ``layer_norms[0] / layer_norms[-1]``: the first layer's gradient norm
        over the last layer's. Far below 1: vanishing; far above: exploding.
    per_layer : dict of str to str
        ``"W[1]"``, ``"W[2]"``, ... (course numbering) to ``"ok"``,
        ``"vanishing"`` or ``"exploding"``.
    vanishing : bool
        True if some layer's gradients vanish.
    exploding : bool
        True if some layer's gradients explode.
    vanishing_ratio, exploding_ratio, exploding_norm : float
        The thresholds used.

    See Also
    --------
    diagnose_gradients : Compute this diagnosis.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dnn.diagnostics import GradientDiagnosis
    >>> norms = np.array([[1e-6, 5e-4, 0.1], [2e-6, 5e-4, 0.1]])
    >>> diagnosis = GradientDiagnosis(norms)
    >>> diagnosis.per_layer
    {'W[1]': 'vanishing', 'W[2]': 'vanishing', 'W[3]': 'ok'}
    >>> float(diagnosis.ratio)
    1.5e-05
    """

    gradient_norms: np.ndarray
    vanishing_ratio: float = field(default=VANISHING_RATIO, kw_only=True)
    exploding_ratio: float = field(default=EXPLODING_RATIO, kw_only=True)
    exploding_norm: float = field(default=EXPLODING_NORM, kw_only=True)
    layer_norms: np.ndarray = field(init=False)
    relative_norms: np.ndarray = field(init=False)
    ratio: float = field(init=False)
    per_layer: dict = field(init=False)
    vanishing: bool = field(init=False)
    exploding: bool = field(init=False)

    def __post_init__(self):
        norms = np.asarray(self.gradient_norms, dtype=float)
        if norms.ndim != 2 or norms.shape[0] == 0 or norms.shape[1] == 0:
            raise ValueError(
                "gradient_norms must be a non-empty 2-D array of shape "
                f"(n_iter, n_layers - 1), got shape {norms.shape}."
            )
        # A norm that overflowed is the extreme of exploding.
        layer_norms = np.median(np.where(np.isnan(norms), np.inf, norms), axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = layer_norms / layer_norms[-1]
        per_layer = {
            f"W[{l}]": self._flag(norm, rel)
            for l, (norm, rel) in enumerate(zip(layer_norms, relative), start=1)
        }
        # The fields derived from gradient_norms, set once: the record is frozen.
        derived = {
            "gradient_norms": norms,
            "layer_norms": layer_norms,
            "relative_norms": relative,
            "ratio": float(relative[0]),
            "per_layer": per_layer,
            "vanishing": "vanishing" in per_layer.values(),
            "exploding": "exploding" in per_layer.values(),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def _flag(self, norm, relative):
        if norm > self.exploding_norm or relative > self.exploding_ratio:
            return "exploding"
        if norm == 0 or relative < self.vanishing_ratio:
            return "vanishing"
        return "ok"

    @property
    def case(self):
        """``"ok"``, ``"vanishing"``, ``"exploding"`` or both, as text."""
        if self.vanishing and self.exploding:
            return "vanishing and exploding"
        if self.vanishing:
            return "vanishing"
        if self.exploding:
            return "exploding"
        return "ok"

    def __repr__(self):
        return f"GradientDiagnosis(case={self.case!r}, ratio={self.ratio:.3g})"

    def __str__(self):
        n_iter, n_layers = self.gradient_norms.shape
        lines = [
            f"Gradient norms over {n_iter} epochs, {n_layers} layers: {self.case}",
            f"first/last layer ratio = {format_number(self.ratio, '.3g')}",
            "",
            f"{'layer':<7} {'median ||dW||':>14} {'/ last':>10}  flag",
        ]
        for (name, flag), norm, rel in zip(
            self.per_layer.items(), self.layer_norms, self.relative_norms
        ):
            norm, rel = format_number(norm, ".3e"), format_number(rel, ".3g")
            lines.append(f"{name:<7} {norm:>14} {rel:>10}  {flag}")
        if self.vanishing:
            lines.append(
                f"Vanishing: some layers get less than {self.vanishing_ratio:g} x "
                "the output layer's gradient and barely learn. Try He "
                "initialisation with ReLU, Xavier with tanh, a shallower network, "
                "or ReLU instead of logistic."
            )
        if np.any(self.layer_norms == 0):
            lines.append(
                "Some layers got exactly zero gradient (all-zero weights, or dead "
                "ReLU units): gradient descent never changes them."
            )
        if self.exploding:
            lines.append(
                f"Exploding: gradient norms above {self.exploding_norm:g}, or above "
                f"{self.exploding_ratio:g} x the output layer's. Try smaller "
                "initial weights (He/Xavier), max_grad_norm, a lower learning "
                "rate, and normalized inputs and targets."
            )
        return "\n".join(lines)

    def plot(self, ax=None):
        """Draw each layer's gradient norm per epoch on a log scale.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if None.

        Returns
        -------
        diagnosis : GradientDiagnosis
            The object, with ``ax_`` (the axes drawn on) and ``figure_``
            set.
        """
        ax = self._axes(ax)
        import matplotlib

        n_iter, n_layers = self.gradient_norms.shape
        epochs = np.arange(1, n_iter + 1)
        colors = matplotlib.colormaps["viridis"](np.linspace(0, 0.9, n_layers))
        for l, (name, flag) in enumerate(self.per_layer.items()):
            label = name if flag == "ok" else f"{name} ({flag})"
            ax.plot(
                epochs,
                self.gradient_norms[:, l],
                color=colors[l],
                label=label,
                marker="." if n_iter < 30 else None,
            )
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean ||dW[l]||")
        ax.set_title(f"Gradient norms per layer: {self.case}")
        ax.legend(fontsize="small", ncol=2 if n_layers > 6 else 1)
        return self._drawn(ax)


@validate_params(
    {
        "estimator": [object],
        "vanishing_ratio": [Interval(Real, 0, None, closed="neither")],
        "exploding_ratio": [Interval(Real, 0, None, closed="neither")],
        "exploding_norm": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def diagnose_gradients(
    estimator,
    *,
    vanishing_ratio=VANISHING_RATIO,
    exploding_ratio=EXPLODING_RATIO,
    exploding_norm=EXPLODING_NORM,
):
    """Flag vanishing or exploding gradients from a fitted network's history.

    Each layer's gradient norm is summarised by its median over the epochs of
    ``gradient_norms_`` and compared with the output layer's.

    Parameters
    ----------
    estimator : fitted DNNClassifier or DNNRegressor
        Or a fitted Pipeline whose last step is one, fitted by a stochastic
        solver (``"sgd"`` or ``"adam"``).
    vanishing_ratio : float, default=1e-2
        A layer whose gradient norm is below this fraction of the output
        layer's is flagged "vanishing".
    exploding_ratio : float, default=1e2
        A layer whose gradient norm is above this multiple of the output
        layer's is flagged "exploding".
    exploding_norm : float, default=1e3
        A layer whose gradient norm is above this value is flagged
        "exploding", whatever the other layers do.

    Returns
    -------
    diagnosis : GradientDiagnosis
        ``vanishing``, ``exploding``, ``ratio`` (first/last layer),
        ``per_layer`` flags and ``plot(ax=None)``.

    Raises
    ------
    InvalidParameterError
        If a parameter of the estimator is invalid, as its ``fit`` would say.
    NotFittedError
        If the estimator is not fitted.
    ValueError
        If it has no ``gradient_norms_``, or was fitted by ``"lbfgs"``.

    Notes
    -----
    Why these thresholds. In healthy networks the layers' median gradient
    norms stay within one order of magnitude of each other (measured ratios
    from 0.1 to 4 on digits, breast-cancer and regression data, with 2 to 10
    layers, ReLU/He and tanh/Xavier), so two orders of magnitude
    (``1e-2`` / ``1e2``) leave a wide margin while catching a first layer
    that learns a hundred times slower than the output layer: a 10-layer
    logistic or tanh network with ``init="normal"`` has ratios of 1e-6 and
    5e-4. The ratio alone misses a ReLU network with too large weights: its
    activations grow layer by layer going forward and its deltas going
    backward, so every layer's ``||dW||`` grows alike (ratio near 1, norms
    around 1e8 for a 10-layer N(0, 9) network). With normalized inputs and a
    loss whose output delta is bounded, norms stay near or below 1, while
    unnormalized inputs or targets reach a few hundred: ``1e3`` separates
    these from a real explosion. The median ignores a spike in a single
    epoch; look at ``plot()`` for those.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_dnn import DNNClassifier, diagnose_gradients
    >>> X, y = make_classification(n_samples=200, n_features=10, random_state=0)
    >>> clf = DNNClassifier((20,) * 9, activation="logistic", init="normal",
    ...                     max_iter=5, random_state=0)
    >>> import warnings
    >>> with warnings.catch_warnings():  # 5 epochs do not converge
    ...     warnings.simplefilter("ignore")
    ...     diagnosis = diagnose_gradients(clf.fit(X, y))
    >>> diagnosis.vanishing, diagnosis.exploding
    (True, False)
    >>> diagnosis.per_layer["W[1]"], diagnosis.per_layer["W[10]"]
    ('vanishing', 'ok')
    """
    network = validate_like_fit(estimator)
    check_is_fitted(network)
    name = network.__class__.__name__
    if getattr(network, "gradient_norms_", None) is None:
        raise ValueError(
            f"{name} has no gradient_norms_: diagnose_gradients needs a "
            "fitted DNNClassifier or DNNRegressor (or a Pipeline ending in one)."
        )
    if getattr(network, "solver", None) == "lbfgs":
        raise ValueError(
            f"{name} was fitted with solver='lbfgs': its gradient_norms_ are "
            "those of line-search iterates, which shrink to 0 at the optimum "
            "and say nothing of how gradients flow during training. Fit with "
            "solver='sgd' or 'adam' to diagnose vanishing or exploding "
            "gradients."
        )
    return GradientDiagnosis(
        network.gradient_norms_,
        vanishing_ratio=vanishing_ratio,
        exploding_ratio=exploding_ratio,
        exploding_norm=exploding_norm,
    )
