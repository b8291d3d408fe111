"""DNNRegressor: the network with an identity or exponential output."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if

from .._compat import StrOptions, _fit_context
from .._docstrings import fill_docstring
from .._engine.targets import EncodedTargets
from .._engine.training import is_stochastic
from ._base import BaseDNN


class DNNRegressor(RegressorMixin, BaseDNN):
    """Multilayer perceptron regressor with the tools to improve it.

    An identity output with half the squared error (``loss="squared_error"``)
    or an exponential output with half the Poisson deviance
    (``loss="poisson"``); single or multi-output ``y``. The cost ``J`` is the
    mean loss plus the weight penalty.

    Parameters
    ----------
    loss : {{"squared_error", "poisson"}}, default="squared_error"
        The loss; "poisson" needs non-negative ``y``.

    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    DNNClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : scikit-learn's MLP regressor.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_dnn import DNNRegressor
    >>> X, y = make_regression(n_samples=300, n_features=5, noise=1.0,
    ...                        random_state=0)
    >>> reg = DNNRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...                    max_iter=300, random_state=0).fit(X, y / 100)
    >>> reg.score(X, y / 100) > 0.95
    True
    """

    _parameter_constraints = {
        **BaseDNN._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def _start_output_bias(self, net, Y, sample_weight):
        """Start the output biases at the (weighted) mean target.

        The output then starts at the targets' centre instead of 0, so the
        first epochs learn the targets' variation, not their offset: on
        targets far from 0 (diabetes: mean 152) a network starting at 0
        spends its epochs climbing to the mean. The Poisson loss's
        exponential output starts at the log of the mean.
        """
        if Y.shape[0] == 0:
            return
        if sample_weight is not None and not np.sum(sample_weight) > 0:
            return
        mean = np.average(Y, axis=0, weights=sample_weight)
        if self.loss == "poisson":
            mean = np.log(np.maximum(mean, np.finfo(Y.dtype).tiny))
        net.intercepts[-1][...] = mean

    _extra_parameters = {"loss": "squared_error"}

    _TARGET_STATE = ("n_outputs_", "_y_ndim")

    def _validate_targets(self, y, *, state=None, classes=None, dtype=np.float64):
        if sp.issparse(y):
            y = y.toarray()
            y = y.ravel() if y.shape[1] == 1 else y
        Y = np.asarray(y, dtype=float)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if self.loss == "poisson" and np.any(Y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression (loss='poisson')."
            )
        if state is not None and Y.shape[1] != state["n_outputs_"]:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the estimator was fitted with "
                f"{state['n_outputs_']}."
            )
        Y = EncodedTargets(Y.astype(dtype, copy=False), "values", Y.shape[1], dtype)
        return Y, {"n_outputs_": Y.n_outputs, "_y_ndim": np.ndim(y)}

    def _loss_name(self, target_state):
        return "poisson" if self.loss == "poisson" else "squared_error"

    def _dev_score(self, output, y, sample_weight, target_state):
        if np.ndim(y) == 1:
            output = output.ravel()
        return r2_score(y, output, sample_weight=sample_weight)

    @available_if(is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of the stochastic solver over the given data.

        The optimizer's state is kept between calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative example weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict with the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        output = self._forward(X)
        if output.shape[1] == 1 and self._y_ndim == 1:
            return output.ravel() if isinstance(output, np.ndarray) else output[:, 0]
        return output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


fill_docstring(DNNRegressor)
