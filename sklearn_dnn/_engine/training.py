"""One fit of a network: the solvers' drivers, the dev split and the hooks.

``settings`` is the estimator being fitted, read for its parameters and its
hooks (``_dev_score``, ``_stratify``, ``_fitted_attributes``) and for the state
a continued fit starts from (``loss_curve_``, ``n_iter_``, ``t_``,
``_optimizer``); nothing here imports it.
"""

import copy
import warnings
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from .array_network import ArrayMiniBatches, on_device, take_rows, to_numpy
from .callbacks import (
    DivergenceGuard,
    EarlyStopping,
    GradientClipper,
    GradientNormRecorder,
    PlateauStopping,
    TrainingDiverged,
    VerbosePrinter,
)
from .fit_tasks import EpochTasks, LbfgsIterationTasks
from .fit_warnings import UntrainedCost, warn_if_stopped_on_a_small_dev_split
from .loop import MiniBatches, run_epochs
from .optimizers import (
    DECAY_SCHEDULES,
    AdamOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
    minimize_lbfgs,
)
from .targets import EncodedTargets

STOCHASTIC_SOLVERS = ("sgd", "rmsprop", "adam")
LBFGS_MAX_FUN = 15000


def is_stochastic(settings):
    """Whether ``settings.solver`` trains on mini-batches."""
    return settings.solver in STOCHASTIC_SOLVERS


@dataclass
class Examples:
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
            "X": lambda: self.X[self.rows],
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
class FitData:
    """Everything one fit works from, once validated."""

    train: Examples
    dev: Examples | None
    hidden: list
    target_state: dict
    continuing: bool
    rng: np.random.RandomState
    #: ``(xp, device)`` of an array API fit, ``(None, None)`` for numpy.
    namespace: tuple = (None, None)


@dataclass
class FitResult:
    """What a solver hands back: per-epoch history and its final state."""

    history: list
    t: int
    optimizer: object
    best_epoch: int | None = None
    best_validation_score: float | None = None


def new_optimizer(settings, net, epoch):
    """A fresh optimizer; ``epoch`` completed epochs drive the decay.

    For a network in another array namespace, its state lives on the device.
    """
    optimizer = _new_host_optimizer(settings, net, epoch)
    if getattr(net, "xp", None) is not None:
        optimizer = on_device(optimizer, net.xp, net.device)
    return optimizer


def _new_host_optimizer(settings, net, epoch):
    schedule = {"decay_rate": settings.decay_rate, "epoch": epoch}
    if settings.solver == "sgd":
        return SGDOptimizer(
            net.n_params,
            getattr(net, "host_dtype", net.dtype),
            settings.learning_rate_init,
            settings.learning_rate,
            settings.momentum,
            settings.nesterovs_momentum,
            settings.power_t,
            **schedule,
        )
    optimizer, solver_settings = {
        "rmsprop": (RMSpropOptimizer, (settings.rho, settings.epsilon)),
        "adam": (AdamOptimizer, (settings.beta_1, settings.beta_2, settings.epsilon)),
    }[settings.solver]
    # Decay schedules only: "invscaling" and "adaptive" are sgd's.
    lr_schedule = (
        settings.learning_rate
        if settings.learning_rate in DECAY_SCHEDULES
        else "constant"
    )
    return optimizer(
        net.n_params,
        getattr(net, "host_dtype", net.dtype),
        settings.learning_rate_init,
        *solver_settings,
        lr_schedule=lr_schedule,
        **schedule,
    )


def fit_stochastic(settings, net, data, context, incremental):
    """Train ``net`` with a stochastic solver: ``max_iter`` epochs, or one
    (``incremental``), with early stopping and the monitoring hooks."""
    epoch_start = settings.n_iter_ if data.continuing else 0
    if incremental and hasattr(settings, "_optimizer"):
        optimizer = copy.deepcopy(settings._optimizer)
    else:
        optimizer = new_optimizer(settings, net, epoch_start)
    train, dev = data.train, data.dev
    split = settings.early_stopping and not incremental and dev is None
    if split:
        train, dev = dev_split(settings, train, data.rng)
    fresh = not (incremental or data.continuing)
    untrained = UntrainedCost(net, train, data.namespace) if fresh else None
    n_epochs = 1 if incremental else settings.max_iter
    stopper = _stopping_callback(settings, optimizer, dev, data)
    callbacks = [
        *_monitoring_callbacks(settings, net, data),
        stopper,
        EpochTasks(
            context, settings, train, partial(settings._fitted_attributes, data=data)
        ),
    ]
    batches = _mini_batches(settings, net, train, data.rng)
    # A diverging fit is reported by TrainingDiverged with a clear message;
    # numpy's overflow warnings on the way there would only be noise.
    with np.errstate(over="ignore", invalid="ignore"):
        history = run_epochs(
            net, optimizer, batches, callbacks,
            n_epochs=n_epochs, epoch_start=epoch_start,
        )  # fmt: skip
    if not incremental and len(history) == settings.max_iter and not stopper.stalled:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({settings.max_iter}) "
            "reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
        )
    if split and stopper.stalled:
        warn_if_stopped_on_a_small_dev_split(
            len(history), settings.n_iter_no_change, dev.n_samples
        )
    t = (settings.t_ if data.continuing else 0) + batches.n_seen
    if untrained is not None:
        untrained.warn_if_not_lower(net, settings.learning_rate_init)
    if not isinstance(stopper, EarlyStopping):
        return FitResult(history, t, optimizer)
    return FitResult(history, t, optimizer, stopper.best_epoch, stopper.best_score)


def _mini_batches(settings, net, train, rng):
    size = batch_size(settings, train.n_samples)
    if getattr(net, "xp", None) is not None:
        return ArrayMiniBatches(
            train.X, train.Y, train.sample_weight, size,
            shuffle=settings.shuffle, rng=rng, rows=train.rows,
        )  # fmt: skip
    return MiniBatches(
        train.X, train.Y, train.sample_weight, size, shuffle=settings.shuffle,
        rng=rng, augment=settings.augment, rows=train.rows,
    )  # fmt: skip


def _monitoring_callbacks(settings, net, data):
    """Gradient-norm recording (before clipping), clipping, the divergence
    guard and verbose printing, in the order they must run."""
    callbacks = [GradientNormRecorder(net.n_weight_layers)]
    if settings.max_grad_norm is not None:
        callbacks.append(GradientClipper(settings.max_grad_norm))
    first_loss = settings.loss_curve_[0] if data.continuing else None
    callbacks.append(DivergenceGuard(settings.learning_rate_init, first_loss))
    if settings.verbose:
        callbacks.append(VerbosePrinter())
    return callbacks


def _stopping_callback(settings, optimizer, dev, data):
    if dev is None:
        return PlateauStopping(
            optimizer,
            settings.tol,
            settings.n_iter_no_change,
            settings.loss_curve_ if data.continuing else (),
            verbose=settings.verbose,
        )
    return EarlyStopping(
        optimizer,
        lambda net: settings._dev_score(
            to_numpy(net.forward(dev.X)),
            dev.y,
            None if dev.sample_weight is None else to_numpy(dev.sample_weight),
            data.target_state,
        ),
        partial(_dev_cost, X=dev.X, Y=dev.Y.dense(), sample_weight=dev.sample_weight),
        settings.tol,
        settings.n_iter_no_change,
        verbose=settings.verbose,
    )


def dev_split(settings, train, rng):
    """Hold out ``validation_fraction`` of ``train`` as early stopping's dev set.

    The dev rows are copied out; the training part is ``train`` itself
    with its ``rows`` restricted, so ``X`` is not copied.
    """
    stratify = settings._stratify(train.y)
    try:
        kept_rows, dev_rows = train_test_split(
            np.arange(train.n_samples), test_size=settings.validation_fraction,
            random_state=rng, stratify=stratify,
        )  # fmt: skip
    except ValueError as exc:
        raise _dev_split_error(settings, train, stratify, exc) from None
    weights, device = train.sample_weight, getattr(train.Y, "device", None)
    xp = getattr(train.Y, "xp", None)
    dev = Examples(
        take_rows(train.X, dev_rows, xp, device), train.Y.subset(dev_rows),
        train.y[dev_rows],
        None if weights is None else take_rows(weights, dev_rows, xp, device),
    )  # fmt: skip
    if weights is not None:
        weights = to_numpy(weights)
    if dev.n_samples < 2:
        raise ValueError(
            "The dev set of early stopping has fewer than 2 examples: "
            "raise validation_fraction or give more data."
        )
    if weights is not None and not (
        np.sum(weights[kept_rows]) > 0 and np.sum(weights[dev_rows]) > 0
    ):
        raise ValueError(
            "sample_weight sums to zero on the training or the dev part of "
            "the early-stopping split: give weight to more examples or "
            "turn early_stopping off."
        )
    return replace(train, rows=kept_rows), dev


def _dev_split_error(settings, train, stratify, exc):
    over = ""
    if stratify is not None:
        over = f" stratified over {len(np.unique(stratify))} classes"
    return ValueError(
        f"early_stopping cannot hold out validation_fraction="
        f"{settings.validation_fraction} of {train.n_samples} examples as a "
        f"dev set{over}: raise validation_fraction, give more examples "
        "or turn early_stopping off "
        f"({_dev_size_words(exc)})"
    )


def _dev_size_words(exc):
    """scikit-learn's split error with ``test_size`` named the dev size."""
    text = str(exc).replace("The test_size", "The dev size")
    return text.replace("test_size", "the dev size")


def fit_lbfgs(settings, net, data, context):
    """Train ``net`` with scipy's L-BFGS-B on the whole training set."""
    X, sample_weight = data.train.X, data.train.sample_weight
    Y = data.train.Y.dense()
    trace, last = [], {}
    tasks = LbfgsIterationTasks(
        context, settings, data.train, partial(settings._fitted_attributes, data=data)
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
            max_iter=settings.max_iter,
            tol=settings.tol,
            max_fun=LBFGS_MAX_FUN,
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
    return FitResult(trace, X.shape[0] * len(trace), None)


def batch_size(settings, n_samples):
    if settings.batch_size == "auto":
        return min(200, n_samples)
    if settings.batch_size > n_samples:
        warnings.warn(
            f"batch_size={settings.batch_size} is larger than the {n_samples} "
            "training examples: each mini-batch is all of them."
        )
    return min(settings.batch_size, n_samples)


def _dev_cost(net, *, X, Y, sample_weight):
    # Batch normalization scores the dev set as predict does: running statistics.
    return float(net.cost(X, Y, sample_weight, batch_statistics=False))
