"""DNNClassifier and DNNRegressor: validation, targets and fitted attributes.

The maths lives in ``_network`` (forward/backward), ``_optimizers`` and
``_loop``; this module turns scikit-learn inputs into arrays for them and
their results into fitted attributes.
"""

import copy
import inspect
import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, replace
from functools import partial
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ._callbacks import (
    DivergenceGuard,
    EarlyStopping,
    GradientClipper,
    GradientNormRecorder,
    PlateauStopping,
    TrainingDiverged,
    VerbosePrinter,
    diverged_error,
)
from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    _safe_indexing,
    validate_data,
)
from ._docstrings import fill_docstring
from ._dropout import resolve_keep_prob
from ._fit_tasks import EpochTasks, LbfgsIterationTasks
from ._init import INITIALIZERS, resolve_init
from ._loop import MiniBatches, run_epochs
from ._network import Network, forward
from ._optimizers import (
    DECAY_SCHEDULES,
    AdamOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
    minimize_lbfgs,
)
from ._targets import EncodedTargets
from ._validation import (
    as_plain_targets,
    check_layer_sizes,
    check_total_weight,
    reject_bool_numbers,
    warn_if_far_from_normalized,
)

_STOCHASTIC_SOLVERS = ("sgd", "rmsprop", "adam")
_LBFGS_MAX_FUN = 15000


#: What scikit-learn's callback machinery keeps on the estimator during fit.
_CALLBACK_KEYS = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


def _stochastic_solver(estimator):
    return estimator.solver in _STOCHASTIC_SOLVERS


@dataclass
class _Examples:
    """Rows to train or score on: features, encoded targets, labels, weights.

    ``rows``, when set, selects the examples among the arrays' rows: the
    training part of an early-stopping split is the data with the dev rows
    left out, never a copy of ``X``.
    """

    X: object
    Y: EncodedTargets
    y: np.ndarray
    sample_weight: np.ndarray | None
    rows: np.ndarray | None = None

    @property
    def n_samples(self):
        return self.X.shape[0] if self.rows is None else len(self.rows)

    @property
    def callback_data(self):
        """``X``, ``y`` and ``metadata`` for scikit-learn's callbacks (lazily
        subset: only a callback that reads them pays for the copy)."""
        if self.rows is None:
            return {"X": self.X, "y": self.y, "metadata": self._metadata()}
        return {
            "X": lambda: _safe_indexing(self.X, self.rows),
            "y": lambda: self.y[self.rows],
            "metadata": self._metadata,
        }

    def _metadata(self):
        if self.sample_weight is None:
            return None
        if self.rows is None:
            return {"sample_weight": self.sample_weight}
        return {"sample_weight": self.sample_weight[self.rows]}


@dataclass
class _FitData:
    """Everything one fit works from, once validated."""

    train: _Examples
    dev: _Examples | None
    hidden: list
    target_state: dict
    continuing: bool
    rng: np.random.RandomState


@dataclass
class _FitResult:
    """What a solver hands back: per-epoch history and its final state."""

    history: list
    t: int
    optimizer: object
    best_epoch: int | None = None
    best_validation_score: float | None = None


def _constructor_for(cls, base_init, extra_parameters):
    """Return ``base_init`` as ``cls.__init__``, with ``extra_parameters``.

    The subclasses share ``BaseDNN``'s parameters; ``extra_parameters``
    (name -> default) adds keyword-only ones of their own, such as the
    regressor's ``loss``.  The signature is what scikit-learn's ``get_params``
    reads, and a mistyped parameter is reported under the subclass's name,
    not ``BaseDNN``'s.
    """
    base_signature = inspect.signature(base_init)
    parameters = list(base_signature.parameters.values())
    first_keyword = next(
        i for i, p in enumerate(parameters) if p.kind is p.KEYWORD_ONLY
    )
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
        for name, default in extra_parameters.items()
    ]
    signature = base_signature.replace(
        parameters=[*parameters[:first_keyword], *extra, *parameters[first_keyword:]]
    )

    def __init__(self, *args, **kwargs):
        try:
            arguments = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.__init__() {exc}") from None
        arguments.apply_defaults()
        arguments = dict(arguments.arguments)
        for name in extra_parameters:
            setattr(self, name, arguments.pop(name))
        base_init(**arguments)

    __init__.__signature__ = signature
    __init__.__qualname__ = f"{cls.__name__}.__init__"
    __init__.__doc__ = base_init.__doc__
    return __init__


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
            cls.__init__ = _constructor_for(
                cls, BaseDNN.__init__, cls._extra_parameters
            )

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
            dtype=(np.float64, np.float32),
            reset=reset,
            y_numeric=not isinstance(self, ClassifierMixin),
        )

    def _is_fitted(self):
        return hasattr(self, "coefs_")

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
        data = self._prepare(X, y, sample_weight, incremental, classes, **dev)
        net = self._initial_network(data)
        n_tasks = 1 if incremental else self.max_iter
        context = self._init_callback_context(
            max_subtasks=n_tasks + (not _stochastic_solver(self))
        )
        task = {"estimator": self, **data.train.callback_data}
        context.call_on_fit_task_begin(**task)
        try:
            if _stochastic_solver(self):
                result = self._fit_stochastic(net, data, context, incremental)
            else:
                result = self._fit_lbfgs(net, data, context)
            if not np.all(np.isfinite(net.theta)):
                raise TrainingDiverged("the solver produced non-finite weights")
        except TrainingDiverged as exc:
            raise diverged_error(exc, was_fitted=self._is_fitted()) from None
        self._set_fitted(net, result, data)
        self._random_state = data.rng
        context.call_on_fit_task_end(**task, reconstruction_attributes={})
        return self

    def _prepare(self, X, y, sample_weight, incremental, classes, **dev):
        """Validate parameters and data; return the ``_FitData`` of this fit."""
        reject_bool_numbers(self)
        hidden = self._hidden_sizes()
        resolve_keep_prob(self.keep_prob, len(hidden))
        if not _stochastic_solver(self) and np.any(np.asarray(self.keep_prob) < 1):
            raise ValueError(
                "keep_prob < 1 (dropout) needs a stochastic solver; "
                f"solver={self.solver!r} optimises a deterministic cost."
            )
        if not _stochastic_solver(self) and self.batch_norm:
            raise ValueError(
                "batch_norm=True needs a stochastic solver ('sgd', 'rmsprop' or "
                f"'adam'); solver={self.solver!r} optimises one full batch."
            )
        continuing = self._is_fitted() and (self.warm_start or incremental)
        X, y = self._validate_X_y(X, as_plain_targets(y), reset=not continuing)
        earlier = self._target_state() if continuing else None
        Y, target_state = self._validate_targets(
            y, state=earlier, classes=classes, dtype=X.dtype
        )
        check_layer_sizes(hidden, X.shape[1], target_state["n_outputs_"], X.dtype)
        if not continuing:
            warn_if_far_from_normalized(X, type(self).__name__)
        weights = self._checked_weights(sample_weight, X)
        # Rows are what mini-batches gather: CSR, whatever sparse format came.
        train = _Examples(X.tocsr() if sp.issparse(X) else X, Y, y, weights)
        if incremental and hasattr(self, "_random_state"):
            # A copy: a partial_fit that fails must not consume random numbers.
            rng = copy.deepcopy(self._random_state)
        else:
            rng = check_random_state(self.random_state)
        data = _FitData(train, None, hidden, target_state, continuing, rng)
        data.dev = self._validated_dev_set(data, incremental, **dev)
        return data

    def _checked_weights(self, sample_weight, X, name="sample_weight"):
        if sample_weight is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        check_total_weight(sample_weight, X.dtype, name)
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
        if not self.early_stopping or incremental or not _stochastic_solver(self):
            raise ValueError(
                "X_val and y_val are the dev set of early stopping: set "
                "early_stopping=True (with a stochastic solver, in fit)."
            )
        X_val, y_val = self._validate_X_y(X_val, as_plain_targets(y_val), reset=False)
        Y_val, _ = self._validate_targets(
            y_val, state=data.target_state, dtype=X_val.dtype
        )
        weights = self._checked_weights(sample_weight_val, X_val, "sample_weight_val")
        X_val = X_val.tocsr() if sp.issparse(X_val) else X_val
        return _Examples(X_val, Y_val, y_val, weights)

    def _initial_network(self, data):
        net = self._make_network(
            data.train.X.shape[1], data.target_state, data.hidden, data.train.X.dtype
        )
        if not data.continuing:
            net.initialize(resolve_init(self.init, self.activation), data.rng)
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
            net.set_parameters(self.coefs_, self.intercepts_, self._normalization())
        return net

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

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} "
                "training examples: each mini-batch is all of them."
            )
        return min(self.batch_size, n_samples)

    def _new_optimizer(self, net, epoch):
        """A fresh optimizer; ``epoch`` completed epochs drive the decay."""
        schedule = {"decay_rate": self.decay_rate, "epoch": epoch}
        if self.solver == "sgd":
            return SGDOptimizer(
                net.n_params,
                net.dtype,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
                **schedule,
            )
        optimizer, settings = {
            "rmsprop": (RMSpropOptimizer, (self.rho, self.epsilon)),
            "adam": (AdamOptimizer, (self.beta_1, self.beta_2, self.epsilon)),
        }[self.solver]
        # Decay schedules only: "invscaling" and "adaptive" are sgd's.
        lr_schedule = (
            self.learning_rate if self.learning_rate in DECAY_SCHEDULES else "constant"
        )
        return optimizer(
            net.n_params,
            net.dtype,
            self.learning_rate_init,
            *settings,
            lr_schedule=lr_schedule,
            **schedule,
        )

    def _fit_stochastic(self, net, data, context, incremental):
        epoch_start = self.n_iter_ if data.continuing else 0
        if incremental and hasattr(self, "_optimizer"):
            optimizer = copy.deepcopy(self._optimizer)
        else:
            optimizer = self._new_optimizer(net, epoch_start)
        train, dev = data.train, data.dev
        if self.early_stopping and not incremental and dev is None:
            train, dev = self._dev_split(train, data.rng)
        n_epochs = 1 if incremental else self.max_iter
        stopper = self._stopping_callback(optimizer, dev, data)
        callbacks = [
            *self._monitoring_callbacks(net, data),
            stopper,
            EpochTasks(
                context, self, train, partial(self._fitted_attributes, data=data)
            ),
        ]
        batches = MiniBatches(
            train.X, train.Y, train.sample_weight, self._batch_size(train.n_samples),
            shuffle=self.shuffle, rng=data.rng, augment=self.augment, rows=train.rows,
        )  # fmt: skip
        # A diverging fit is reported by TrainingDiverged with a clear message;
        # numpy's overflow warnings on the way there would only be noise.
        with np.errstate(over="ignore", invalid="ignore"):
            history = run_epochs(
                net, optimizer, batches, callbacks,
                n_epochs=n_epochs, epoch_start=epoch_start,
            )  # fmt: skip
        if not incremental and len(history) == self.max_iter and not stopper.stalled:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        t = (self.t_ if data.continuing else 0) + batches.n_seen
        if not isinstance(stopper, EarlyStopping):
            return _FitResult(history, t, optimizer)
        return _FitResult(history, t, optimizer, stopper.best_epoch, stopper.best_score)

    def _monitoring_callbacks(self, net, data):
        """Gradient-norm recording (before clipping), clipping, the divergence
        guard and verbose printing, in the order they must run."""
        callbacks = [GradientNormRecorder(net.n_weight_layers)]
        if self.max_grad_norm is not None:
            callbacks.append(GradientClipper(self.max_grad_norm))
        first_loss = self.loss_curve_[0] if data.continuing else None
        callbacks.append(DivergenceGuard(self.learning_rate_init, first_loss))
        if self.verbose:
            callbacks.append(VerbosePrinter())
        return callbacks

    def _stopping_callback(self, optimizer, dev, data):
        if dev is None:
            return PlateauStopping(
                optimizer,
                self.tol,
                self.n_iter_no_change,
                self.loss_curve_ if data.continuing else (),
                verbose=self.verbose,
            )
        return EarlyStopping(
            optimizer,
            lambda net: self._dev_score(
                net.forward(dev.X), dev.y, dev.sample_weight, data.target_state
            ),
            partial(
                _dev_cost, X=dev.X, Y=dev.Y.dense(), sample_weight=dev.sample_weight
            ),
            self.tol,
            self.n_iter_no_change,
            verbose=self.verbose,
        )

    def _dev_split(self, train, rng):
        """Hold out ``validation_fraction`` of ``train`` as early stopping's dev set.

        The dev rows are copied out; the training part is ``train`` itself
        with its ``rows`` restricted, so ``X`` is not copied.
        """
        stratify = self._stratify(train.y)
        try:
            kept_rows, dev_rows = train_test_split(
                np.arange(train.n_samples), test_size=self.validation_fraction,
                random_state=rng, stratify=stratify,
            )  # fmt: skip
        except ValueError as exc:
            raise self._dev_split_error(train, stratify, exc) from None
        weights = train.sample_weight
        dev = _Examples(
            _safe_indexing(train.X, dev_rows), train.Y.subset(dev_rows),
            train.y[dev_rows], None if weights is None else weights[dev_rows],
        )  # fmt: skip
        if dev.n_samples < 2:
            raise ValueError(
                "The dev set of early stopping has fewer than 2 examples: "
                "raise validation_fraction or give more data."
            )
        if weights is not None and not (
            np.sum(weights[kept_rows]) > 0 and np.sum(dev.sample_weight) > 0
        ):
            raise ValueError(
                "sample_weight sums to zero on the training or the dev part of "
                "the early-stopping split: give weight to more examples or "
                "turn early_stopping off."
            )
        return replace(train, rows=kept_rows), dev

    def _dev_split_error(self, train, stratify, exc):
        over = ""
        if stratify is not None:
            over = f" stratified over {len(np.unique(stratify))} classes"
        return ValueError(
            f"early_stopping cannot hold out validation_fraction="
            f"{self.validation_fraction} of {train.n_samples} examples as a "
            f"dev set{over}: raise validation_fraction, give more examples "
            "or turn early_stopping off "
            f"({str(exc).replace('test_size', 'the dev size')})"
        )

    def _fit_lbfgs(self, net, data, context):
        X, sample_weight = data.train.X, data.train.sample_weight
        Y = data.train.Y.dense()
        trace, last = [], {}
        tasks = LbfgsIterationTasks(
            context, self, data.train, partial(self._fitted_attributes, data=data)
        )

        def cost_and_grad(theta):
            net.theta[...] = theta
            J = net.cost_and_grad(X, Y, sample_weight)
            norms = [np.linalg.norm(dW) for dW in net.coef_grads]
            last.update(theta=theta.copy(), J=J, norms=norms)
            return J, net.grad.astype(np.float64)

        def callback(theta):
            if not np.array_equal(theta, last.get("theta")):
                cost_and_grad(theta)
            trace.append({"loss": last["J"], "grad_norms": np.array(last["norms"])})
            tasks.iteration_ended(net)

        try:
            opt = minimize_lbfgs(
                cost_and_grad,
                net.theta,
                max_iter=self.max_iter,
                tol=self.tol,
                max_fun=_LBFGS_MAX_FUN,
                callback=callback,
            )
        finally:
            tasks.close()
        net.theta[...] = opt.x
        if opt.status == 1:
            warnings.warn(
                "lbfgs failed to converge after "
                f"{opt.nit} iterations: {opt.message}. Increase max_iter or "
                "scale the data.",
                ConvergenceWarning,
            )
        if not trace:
            J = net.cost(X, Y, sample_weight)
            trace.append({"loss": J, "grad_norms": np.array(last["norms"])})
        if not all(np.isfinite(r["loss"]) for r in trace):
            raise TrainingDiverged("the cost J became non-finite")
        return _FitResult(trace, X.shape[0] * len(trace), None)

    def _fitted_attributes(self, net, data, *, copy=True):
        """What a copy of this estimator needs to predict with ``net`` now.

        The parameter attributes are views of one flat copy of ``net.theta``
        (of ``net.theta`` itself with ``copy=False``, when the network is
        done training), and the running statistics of one of ``net.running``.
        """
        theta = net.theta.copy() if copy else net.theta
        running = net.running.copy() if copy else net.running
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

    def _forward(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )
        with np.errstate(over="ignore", invalid="ignore"):
            output = forward(
                self.coefs_,
                self.intercepts_,
                X,
                self.activation,
                self.out_activation_,
                batch_norm=self._normalization(),
                batch_norm_epsilon=self.batch_norm_epsilon,
            )
        finite = np.isfinite(output).all(axis=1)
        if not finite.all():
            raise ValueError(
                "The network's output overflowed (is not finite) for "
                f"{np.count_nonzero(~finite)} of the {len(finite)} rows of X: "
                "their values are far outside the range of the training data. "
                "Scale X the way the training data was scaled."
            )
        return output

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
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        return net, X, Y.dense(), sample_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class DNNClassifier(ClassifierMixin, BaseDNN):
    """Multilayer perceptron classifier with the tools to improve it.

    Softmax output with cross-entropy for multi-class ``y``; one logistic
    unit for binary ``y`` and one per label for multilabel ``y``. The cost
    ``J`` is the mean cross-entropy plus the weight penalty.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels seen during fit.

    {attributes}

    See Also
    --------
    DNNRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : scikit-learn's MLP classifier.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dnn import DNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DNNClassifier(hidden_layer_sizes=(32,), keep_prob=0.9,
    ...                     learning_rate_init=0.01, max_iter=30,
    ...                     random_state=0).fit(X / 16, y)
    >>> clf.predict(X[:5] / 16)
    array([0, 1, 2, 3, 4])
    >>> round(clf.score(X / 16, y), 2) > 0.95
    True
    """

    _TARGET_STATE = ("_label_binarizer", "classes_", "n_outputs_")

    def _validate_targets(self, y, *, state=None, classes=None, dtype=np.float64):
        check_classification_targets(y)
        if y.ndim == 2 and y.shape[1] == 1 and state is not None:
            y = y.ravel()
        y_type = type_of_target(y)
        if state is None:
            binarizer = LabelBinarizer()
            if classes is not None and not y_type.startswith("multilabel"):
                binarizer.fit(classes)
                unseen = np.setdiff1d(np.unique(y), binarizer.classes_)
                if len(unseen):
                    raise ValueError(
                        f"y has labels {unseen.tolist()} that are not in "
                        f"classes={binarizer.classes_.tolist()}."
                    )
            else:
                binarizer.fit(y)
        else:
            binarizer = state["_label_binarizer"]
            if y_type.startswith("multilabel") != (
                binarizer.y_type_ == "multilabel-indicator"
            ):
                raise ValueError(
                    f"y is {y_type} but the estimator was fitted on "
                    f"{binarizer.y_type_} targets."
                )
            if not y_type.startswith("multilabel"):
                unseen = np.setdiff1d(np.unique(y), binarizer.classes_)
                if len(unseen):
                    raise ValueError(
                        f"y has labels {unseen.tolist()} that were not seen in "
                        f"training (classes_={binarizer.classes_.tolist()})."
                    )
        state = {"_label_binarizer": binarizer, "classes_": binarizer.classes_}
        if binarizer.y_type_ == "multiclass":
            codes = np.searchsorted(binarizer.classes_, y)
            Y = EncodedTargets(codes, "codes", len(binarizer.classes_), dtype)
        elif binarizer.y_type_ == "binary":  # one unit: is it classes_[1]?
            indicator = (np.searchsorted(binarizer.classes_, y) == 1)[:, None]
            Y = EncodedTargets(indicator.astype(np.int8), "indicator", 1, dtype)
        else:
            indicator = binarizer.transform(y)
            indicator = indicator.toarray() if sp.issparse(indicator) else indicator
            indicator = indicator.astype(np.int8, copy=False)
            Y = EncodedTargets(indicator, "indicator", indicator.shape[1], dtype)
        return Y, {**state, "n_outputs_": Y.n_outputs}

    def _loss_name(self, target_state):
        binarizer = target_state["_label_binarizer"]
        if binarizer.y_type_ == "multiclass":
            return "log_loss"
        return "binary_log_loss"

    def _stratify(self, y):
        return y if y.ndim == 1 else None

    def _labels_from_output(self, output, binarizer):
        if binarizer.y_type_ == "multiclass":
            return binarizer.classes_[np.argmax(output, axis=1)]
        return binarizer.inverse_transform(output, threshold=0.5)

    def _dev_score(self, output, y, sample_weight, target_state):
        labels = self._labels_from_output(output, target_state["_label_binarizer"])
        return accuracy_score(y, labels, sample_weight=sample_weight)

    def _validate_X_y(self, X, y, reset):
        X, y = super()._validate_X_y(X, y, reset)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. "
                "Please change the shape of y to (n_samples, ), for example "
                "using ravel().",
                DataConversionWarning,
            )
            y = y.ravel()
        return X, y

    @available_if(_stochastic_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the stochastic solver over the given data.

        The optimizer's state is kept between calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Targets.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call (unless ``y`` is a
            multilabel indicator). Later calls may omit it; when given, it
            must equal the first call's.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative example weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not self._is_fitted() and classes is None:
            if not type_of_target(np.asarray(y)).startswith("multilabel"):
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
        elif self._is_fitted() and classes is not None:
            if not np.array_equal(self.classes_, np.unique(classes)):
                raise ValueError(
                    f"`classes={np.unique(classes).tolist()}` is not the same as "
                    f"on the first call to partial_fit, {self.classes_.tolist()}."
                )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X):
        """Predict class labels for X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes.
        """
        return self._labels_from_output(self._forward(X), self._label_binarizer)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class in the order of ``classes_`` (for
            multilabel ``y``, the probability of each label). Probabilities
            that round to 0 are raised to the smallest normal float, so their
            logarithm (``predict_log_proba``) stays finite.
        """
        output = self._forward(X)
        if self._label_binarizer.y_type_ == "binary" and output.shape[1] == 1:
            output = np.hstack([1 - output, output])
        return np.maximum(output, np.finfo(output.dtype).tiny)

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


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

    @available_if(_stochastic_solver)
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
            return output.ravel()
        return output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


def _dev_cost(net, *, X, Y, sample_weight):
    # Batch normalization scores the dev set as predict does: running statistics.
    return net.cost(X, Y, sample_weight, batch_statistics=False)


fill_docstring(DNNClassifier)
fill_docstring(DNNRegressor)


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
