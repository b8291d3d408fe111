"""BaseDNN: the parameters, validation, fit plan and fitted attributes.

The training itself is the engine's (``sklearn_dnn._engine``): this module
turns scikit-learn inputs into the engine's arrays and the engine's results
into fitted attributes. The subclasses (``_classifier``, ``_regressor``)
supply the output layer, the loss and the score.
"""

import copy
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.callback import CallbackSupportMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    check_same_namespace,
    validate_data,
)
from .._docstrings import constructor_for
from .._engine import array_network
from .._engine.callbacks import TrainingDiverged, diverged_error
from .._engine.dropout import resolve_keep_prob
from .._engine.initializers import INITIALIZERS, resolve_init
from .._engine.network import Network, forward
from .._engine.optimizers import DECAY_SCHEDULES
from .._engine.prediction import prediction_batch_slices
from .._engine.training import (
    Examples,
    FitData,
    fit_lbfgs,
    fit_stochastic,
    is_stochastic,
)
from .._validation import (
    as_plain_targets,
    check_layer_sizes,
    check_total_weight,
    reject_bool_numbers,
    warn_if_far_from_normalized,
)
from . import _array_api

#: What scikit-learn's callback machinery keeps on the estimator during fit.
_CALLBACK_KEYS = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


class BaseDNN(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Shared fitting logic of DNNClassifier and DNNRegressor.

    Subclasses supply the target encoding, the loss and the dev-set score.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [
            StrOptions({"relu", "leaky_relu", "tanh", "logistic", "identity"})
        ],
        "init": [StrOptions({"auto", *INITIALIZERS}), callable],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "keep_prob": [Interval(Real, 0, 1, closed="right"), "array-like"],
        "solver": [StrOptions({"sgd", "rmsprop", "adam", "lbfgs"})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [
            StrOptions({"constant", "invscaling", "adaptive", *DECAY_SCHEDULES})
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "augment": [HasMethods(["augment"]), None],
        "batch_norm": ["boolean"],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="both")],
        "batch_norm_epsilon": [Interval(Real, 0, None, closed="neither")],
        "rho": [Interval(Real, 0, 1, closed="left")],
        "decay_rate": [Interval(Real, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        init="auto",
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        keep_prob=1.0,
        solver="adam",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_grad_norm=None,
        augment=None,
        batch_norm=False,
        batch_norm_momentum=0.9,
        batch_norm_epsilon=1e-5,
        rho=0.9,
        decay_rate=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.keep_prob = keep_prob
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_grad_norm = max_grad_norm
        self.augment = augment
        self.batch_norm = batch_norm
        self.batch_norm_momentum = batch_norm_momentum
        self.batch_norm_epsilon = batch_norm_epsilon
        self.rho = rho
        self.decay_rate = decay_rate

    #: Parameters a subclass adds to BaseDNN's (name -> default).
    _extra_parameters = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            cls.__init__ = constructor_for(cls, BaseDNN.__init__, cls._extra_parameters)

    # -- hooks of the subclasses -------------------------------------------

    @abstractmethod
    def _validate_targets(self, y, *, state=None, classes=None, dtype=np.float64):
        """Return ``(Y, target_state)``: the 2-D float targets and the fitted
        target attributes to set once the fit succeeds.

        ``state`` is the target state of an earlier fit to encode ``y`` with
        (warm start, partial_fit, a dev set), or None to fit a new encoding.
        """

    _TARGET_STATE = ()

    def _target_state(self):
        return {name: getattr(self, name) for name in self._TARGET_STATE}

    @abstractmethod
    def _loss_name(self, target_state):
        """Return the loss (a key of ``_losses.LOSSES``)."""

    @abstractmethod
    def _dev_score(self, output, y, sample_weight, target_state):
        """Score network outputs on the dev set (higher is better)."""

    def _stratify(self, y):
        return None

    # -- validation ----------------------------------------------------------

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if np.ndim(sizes) else [sizes]
        if not all(
            isinstance(s, Integral) and not isinstance(s, (bool, np.bool_))
            for s in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must hold integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        if any(s <= 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes!r}; "
                "a layer of width 0 cannot carry any signal."
            )
        return [int(s) for s in sizes]

    def _validate_X_y(self, X, y, reset):
        return validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=_array_api.float_dtypes(X),
            reset=reset,
            y_numeric=not isinstance(self, ClassifierMixin),
        )

    def _is_fitted(self):
        return hasattr(self, "coefs_")

    def _start_output_bias(self, net, Y, sample_weight):
        """Set the output biases before the first epoch (zero here)."""

    def _make_network(self, n_features, target_state, hidden, dtype):
        keep_prob = resolve_keep_prob(self.keep_prob, len(hidden))
        n_outputs = target_state["n_outputs_"]
        return Network(
            [n_features, *hidden, n_outputs],
            self.activation,
            self._loss_name(target_state),
            penalty=self.penalty,
            alpha=self.alpha,
            l1_ratio=self.l1_ratio,
            keep_prob=keep_prob,
            dtype=dtype,
            batch_norm=self.batch_norm,
            batch_norm_momentum=self.batch_norm_momentum,
            batch_norm_epsilon=self.batch_norm_epsilon,
        )

    # -- fitting -------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, *, incremental=False, **dev_and_classes):
        # A fit that fails, diverges or is interrupted must leave a fitted
        # model as it was: restore the attributes on error (keeping the
        # callback context, which scikit-learn tears down after us).
        saved_state = dict(self.__dict__)
        try:
            return self._fit_atomic(X, y, sample_weight, incremental, **dev_and_classes)
        except BaseException:
            context = {k: v for k, v in self.__dict__.items() if k in _CALLBACK_KEYS}
            self.__dict__.clear()
            self.__dict__.update(saved_state, **context)
            raise

    def _fit_atomic(self, X, y, sample_weight, incremental, *, classes=None, **dev):
        _array_api.curves_to_host(self)
        data = self._prepare(X, y, sample_weight, incremental, classes, **dev)
        net = self._initial_network(data)
        n_tasks = 1 if incremental else self.max_iter
        context = self._init_callback_context(
            max_subtasks=n_tasks + (not is_stochastic(self))
        )
        task = {"estimator": self, **data.train.callback_data}
        context.call_on_fit_task_begin(**task)
        try:
            if is_stochastic(self):
                result = fit_stochastic(self, net, data, context, incremental)
            else:
                result = fit_lbfgs(self, net, data, context)
            if not _all_finite(net):
                raise TrainingDiverged("the solver produced non-finite weights")
        except TrainingDiverged as exc:
            raise diverged_error(exc, was_fitted=self._is_fitted()) from None
        self._set_fitted(net, result, data)
        if data.namespace[0] is not None:
            _array_api.curves_to_device(self, *data.namespace)
        self._random_state = data.rng
        context.call_on_fit_task_end(**task, reconstruction_attributes={})
        return self

    def _prepare(self, X, y, sample_weight, incremental, classes, **dev):
        """Validate parameters and data; return the ``FitData`` of this fit."""
        reject_bool_numbers(self)
        hidden = self._hidden_sizes()
        resolve_keep_prob(self.keep_prob, len(hidden))
        if not is_stochastic(self) and np.any(np.asarray(self.keep_prob) < 1):
            raise ValueError(
                "keep_prob < 1 (dropout) needs a stochastic solver; "
                f"solver={self.solver!r} optimises a deterministic cost."
            )
        if not is_stochastic(self) and self.batch_norm:
            raise ValueError(
                "batch_norm=True needs a stochastic solver ('sgd', 'rmsprop' or "
                f"'adam'); solver={self.solver!r} optimises one full batch."
            )
        continuing = self._is_fitted() and (self.warm_start or incremental)
        namespace = _array_api.dispatch_namespace(X)
        if namespace[0] is not None:
            _array_api.check_device_settings(self)
            y, sample_weight = _array_api.to_host(y), _array_api.to_host(sample_weight)
        X, y = self._validate_X_y(X, as_plain_targets(y), reset=not continuing)
        dtype = _array_api.host_dtype(X)
        earlier = self._target_state() if continuing else None
        Y, target_state = self._validate_targets(
            y, state=earlier, classes=classes, dtype=dtype
        )
        check_layer_sizes(
            hidden,
            X.shape[1],
            target_state["n_outputs_"],
            dtype,
            batch_rows=self._batch_rows(X.shape[0]),
        )
        if not continuing:
            warn_if_far_from_normalized(
                X if namespace[0] is None else _array_api.scale_sample(X, 1000),
                type(self).__name__,
            )
        weights = self._checked_weights(sample_weight, X, dtype=dtype)
        Y, weights = self._on_device(Y, weights, namespace)
        # Rows are what mini-batches gather: CSR, whatever sparse format came.
        train = Examples(X.tocsr() if sp.issparse(X) else X, Y, y, weights)
        if incremental and hasattr(self, "_random_state"):
            # A copy: a partial_fit that fails must not consume random numbers.
            rng = copy.deepcopy(self._random_state)
        else:
            rng = check_random_state(self.random_state)
        data = FitData(train, None, hidden, target_state, continuing, rng, namespace)
        data.dev = self._validated_dev_set(data, incremental, **dev)
        return data

    def _batch_rows(self, n_samples):
        """The examples in one batch: ``batch_size`` ("auto": 200), at most
        ``n_samples``; all of them for ``lbfgs``."""
        if not is_stochastic(self) or self.batch_size == "auto":
            size = n_samples if not is_stochastic(self) else 200
        else:
            size = self.batch_size
        return min(size, n_samples)

    def _on_device(self, Y, weights, namespace):
        """The encoded targets and the weights, moved to the device of an
        array API fit (unchanged for numpy)."""
        xp, device = namespace
        if xp is None:
            return Y, weights
        Y = array_network.ArrayTargets(Y, xp, device)
        return Y, None if weights is None else xp.asarray(weights, device=device)

    def _checked_weights(self, sample_weight, X, name="sample_weight", dtype=None):
        if sample_weight is None:
            return None
        dtype = X.dtype if dtype is None else dtype
        if not isinstance(X, np.ndarray) and not sp.issparse(X):
            # An array API fit checks the host copy of the weights.
            X = np.broadcast_to(np.zeros((), dtype), (X.shape[0], 1))
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=dtype, ensure_non_negative=True
        )
        check_total_weight(sample_weight, dtype, name)
        return sample_weight

    def _validated_dev_set(
        self, data, incremental, X_val=None, y_val=None, sample_weight_val=None
    ):
        """The explicit dev set, validated like the training data, or None."""
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val is given without X_val and y_val.")
            return None
        if X_val is None or y_val is None:
            given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
            raise ValueError(f"{given} is given but {missing} is not.")
        if not self.early_stopping or incremental or not is_stochastic(self):
            raise ValueError(
                "X_val and y_val are the dev set of early stopping: set "
                "early_stopping=True (with a stochastic solver, in fit)."
            )
        if data.namespace[0] is not None:
            y_val = _array_api.to_host(y_val)
            sample_weight_val = _array_api.to_host(sample_weight_val)
        X_val, y_val = self._validate_X_y(X_val, as_plain_targets(y_val), reset=False)
        dtype = _array_api.host_dtype(X_val)
        Y_val, _ = self._validate_targets(y_val, state=data.target_state, dtype=dtype)
        weights = self._checked_weights(
            sample_weight_val, X_val, "sample_weight_val", dtype=dtype
        )
        Y_val, weights = self._on_device(Y_val, weights, data.namespace)
        X_val = X_val.tocsr() if sp.issparse(X_val) else X_val
        return Examples(X_val, Y_val, y_val, weights)

    def _initial_network(self, data):
        X = data.train.X
        net = self._make_network(
            X.shape[1], data.target_state, data.hidden, _array_api.host_dtype(X)
        )
        if not data.continuing:
            net.initialize(resolve_init(self.init, self.activation), data.rng)
            train = data.train
            # The output bias is a statistic of the targets: taken on the host.
            targets = getattr(train.Y, "host", train.Y)
            Y = targets.dense() if train.rows is None else targets.rows(train.rows)
            weights = _array_api.to_host(train.sample_weight)
            if weights is not None and train.rows is not None:
                weights = weights[train.rows]
            self._start_output_bias(net, Y, weights)
        elif [W.shape for W in self.coefs_] != [W.shape for W in net.coefs]:
            raise ValueError(
                "The network's shape changed since the last fit "
                f"(hidden_layer_sizes={self.hidden_layer_sizes!r}); "
                "warm_start and partial_fit need the same architecture."
            )
        elif self.batch_norm != (self._normalization() is not None):
            raise ValueError(
                f"batch_norm={self.batch_norm!r} but the last fit was "
                f"{'without' if self.batch_norm else 'with'} batch normalization; "
                "warm_start and partial_fit need the same architecture."
            )
        else:
            net.set_parameters(*_host_parameters(self))
        xp, device = data.namespace
        if xp is None:
            return net
        # torch draws dropout masks from its own generator, seeded here (only
        # with dropout: without, the random stream is the numpy fit's).
        dropout = any(p < 1 for p in net.keep_prob)
        seed = data.rng.randint(np.iinfo(np.int32).max) if dropout else 0
        return array_network.ArrayNetwork(net, xp, device, seed=seed)

    def _normalization(self):
        """The fitted ``(gamma, beta, mean, var)`` of each hidden layer, or None."""
        if getattr(self, "batch_norm_gamma_", None) is None:
            return None
        return list(
            zip(
                self.batch_norm_gamma_,
                self.batch_norm_beta_,
                self.batch_norm_mean_,
                self.batch_norm_var_,
            )
        )

    def _fitted_attributes(self, net, data, *, copy=True):
        """What a copy of this estimator needs to predict with ``net`` now.

        The parameter attributes are views of one flat copy of ``net.theta``
        (of ``net.theta`` itself with ``copy=False``, when the network is
        done training), and the running statistics of one of ``net.running``.
        """
        theta, running = net.snapshot() if copy else (net.theta, net.running)
        coefs, intercepts, gammas, betas = net.parameter_views(theta)
        means, variances = net.running_views(running)
        normalization = {
            "batch_norm_gamma_": gammas,
            "batch_norm_beta_": betas,
            "batch_norm_mean_": means,
            "batch_norm_var_": variances,
        }
        return {
            **data.target_state,
            "coefs_": coefs,
            "intercepts_": intercepts,
            **{
                name: views if net.batch_norm else None
                for name, views in normalization.items()
            },
            "n_layers_": len(data.hidden) + 2,
            "out_activation_": net.out_activation,
        }

    def _set_fitted(self, net, result, data):
        history = result.history
        losses = np.array([r["loss"] for r in history], dtype=float)
        norms = np.array([r["grad_norms"] for r in history], dtype=float)
        norms = norms.reshape(len(history), net.n_weight_layers)
        if data.continuing:
            losses = np.concatenate([self.loss_curve_, losses])
            norms = np.concatenate([self.gradient_norms_, norms])
        # The network is done: its parameters become the fitted attributes.
        for name, value in self._fitted_attributes(net, data, copy=False).items():
            setattr(self, name, value)
        self.loss_curve_ = losses
        self.gradient_norms_ = norms
        self.n_iter_ = len(losses)
        self.t_ = result.t
        self.loss_ = float(losses[-1])
        if result.best_epoch is not None:
            self._set_validation_curves(history, data.continuing)
            self.best_validation_score_ = float(result.best_validation_score)
            self.best_epoch_ = int(result.best_epoch)
            self.best_loss_ = float(losses[self.best_epoch_])
        else:
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None
            self.best_epoch_ = None
            self.best_loss_ = float(np.min(losses))
        if result.optimizer is not None:
            self._optimizer = result.optimizer
        elif hasattr(self, "_optimizer"):
            del self._optimizer

    def _set_validation_curves(self, history, continuing):
        scores = np.array([r["dev_score"] for r in history], dtype=float)
        dev_losses = np.array([r["dev_loss"] for r in history], dtype=float)
        if continuing and getattr(self, "validation_scores_", None) is not None:
            scores = np.concatenate([self.validation_scores_, scores])
            dev_losses = np.concatenate([self.validation_loss_curve_, dev_losses])
        elif continuing:
            padding = np.full(self.n_iter_ - len(history), np.nan)
            scores = np.concatenate([padding, scores])
            dev_losses = np.concatenate([padding, dev_losses])
        self.validation_scores_ = scores
        self.validation_loss_curve_ = dev_losses

    # -- public API ----------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to data X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 input is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; ``J`` is then the weighted mean of the
            losses plus the penalty.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            An explicit dev set for early stopping (``early_stopping=True``):
            every row of ``X`` then trains, and ``validation_scores_`` are
            scores on ``X_val``. In a ``Pipeline``, transform it like ``X``
            with ``Pipeline(..., transform_input=["X_val"])``.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the dev examples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    def _forward(self, X, method="predict"):
        check_is_fitted(self)
        # Under dispatch, X must be where the fit was (its curves live there).
        check_same_namespace(X, self, attribute="loss_curve_", method=method)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=_array_api.float_dtypes(X),
            reset=False,
        )
        xp, _ = _array_api.dispatch_namespace(X)
        batches = self._prediction_batches(X.shape[0])
        if xp is not None:
            outputs = [self._forward_on_device(xp, X[rows, ...]) for rows in batches]
            return _checked_output(xp, xp.concat(outputs, axis=0))
        if sp.issparse(X):
            X = X.tocsr()  # rows are sliced
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = [self._forward_on_host(X[rows]) for rows in batches]
        return _checked_output(np, np.concatenate(outputs, axis=0))

    def _prediction_batches(self, n_rows):
        """The row slices of a prediction: each batch's activations take at
        most ``PREDICTION_BATCH_BYTES`` (a ValueError if one row needs more)."""
        return prediction_batch_slices(self.coefs_, n_rows)

    def _forward_on_host(self, X):
        return forward(
            self.coefs_, self.intercepts_, X, self.activation,
            self.out_activation_, batch_norm=self._normalization(),
            batch_norm_epsilon=self.batch_norm_epsilon,
        )  # fmt: skip

    def _forward_on_device(self, xp, X):
        return array_network.forward(
            xp, self.coefs_, self.intercepts_, X, self.activation,
            self.out_activation_, batch_norm=self._normalization(),
            batch_norm_epsilon=self.batch_norm_epsilon,
        )  # fmt: skip

    def _network_from_data(self, X, y, sample_weight=None):
        """Return ``(net, X, Y, sample_weight)`` for gradient checking.

        The network holds a copy of the fitted parameters, or freshly
        initialised ones (from ``random_state``) when the estimator is not
        fitted; the estimator itself is not changed.
        """
        hidden = self._hidden_sizes()
        fitted = self._is_fitted()
        probe = copy.copy(self) if not fitted else self
        X, y = probe._validate_X_y(X, y, reset=not fitted)
        earlier = self._target_state() if fitted else None
        Y, target_state = probe._validate_targets(y, state=earlier, dtype=X.dtype)
        if fitted and target_state.get("n_outputs_") != self.n_outputs_:
            raise ValueError("y does not match the fitted estimator's outputs.")
        n_outputs = target_state["n_outputs_"]
        # The check's cost runs on all of X at once: one batch of every row.
        check_layer_sizes(hidden, X.shape[1], n_outputs, X.dtype, X.shape[0])
        net = self._make_network(X.shape[1], target_state, hidden, X.dtype)
        if fitted and self.batch_norm != (self._normalization() is not None):
            raise ValueError(
                f"batch_norm={self.batch_norm!r} does not match the fitted network."
            )
        if fitted:
            net.set_parameters(self.coefs_, self.intercepts_, self._normalization())
        else:
            rng = check_random_state(self.random_state)
            net.initialize(resolve_init(self.init, self.activation), rng)
            self._start_output_bias(net, Y.dense(), sample_weight)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        return net, X, Y.dense(), sample_weight

    def __sklearn_array_api_convert__(self, converter):
        """A copy whose array attributes went through ``converter``.

        scikit-learn's hook for moving a fitted estimator between array
        namespaces (``persistence.dump`` saves numpy host copies with it).
        The optimizer's state stays behind when its arrays are not numpy:
        it belongs to the device the fit ran on, and a later ``partial_fit``
        starts a fresh optimizer, as after ``clone``.
        """
        from sklearn.utils._array_api import _estimator_with_converted_arrays

        new = copy.copy(self)
        for key, value in vars(self).items():
            if key != "_optimizer":
                setattr(new, key, _estimator_with_converted_arrays(value, converter))
            elif not _state_on_host(value):
                delattr(new, key)
        return new

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # lbfgs and augmenters are numpy-only (DESIGN §17).
        tags.array_api_support = self.solver != "lbfgs" and self.augment is None
        return tags


def _state_on_host(optimizer):
    """Whether every array of ``optimizer``'s state is a numpy array."""
    return all(
        isinstance(value, np.ndarray)
        for value in vars(optimizer).values()
        if hasattr(value, "shape") and hasattr(value, "dtype")
    )


def _checked_output(xp, output):
    """``output``, or a clear error if some of its rows are not finite."""
    finite = xp.all(xp.isfinite(output), axis=1)
    if not bool(xp.all(finite)):
        n_bad = int(xp.sum(xp.astype(~finite, xp.int64)))
        raise ValueError(
            "The network's output overflowed (is not finite) for "
            f"{n_bad} of the {finite.shape[0]} rows of X: "
            "their values are far outside the range of the training data. "
            "Scale X the way the training data was scaled."
        )
    return output


def _all_finite(net):
    if hasattr(net, "all_finite"):
        return net.all_finite()
    return bool(np.all(np.isfinite(net.theta)))


def _host_parameters(estimator):
    """The fitted parameters as numpy arrays (from any namespace)."""
    to_host = _array_api.to_host
    normalization = estimator._normalization()
    if normalization is not None:
        normalization = [[to_host(a) for a in layer] for layer in normalization]
    coefs = [to_host(W) for W in estimator.coefs_]
    return coefs, [to_host(b) for b in estimator.intercepts_], normalization


def network_for_gradient_check(estimator, X, y, sample_weight=None):
    """The network whose cost and gradient a gradient check compares.

    Parameters
    ----------
    estimator : BaseDNN
        Fitted or not; it is not changed.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data, validated as ``fit`` would.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the examples.

    Returns
    -------
    net, X, Y, sample_weight
        A ``Network`` with a copy of the fitted parameters (or those ``fit``
        would start from), the validated data, the dense targets and the
        validated weights.
    """
    return estimator._network_from_data(X, y, sample_weight)
