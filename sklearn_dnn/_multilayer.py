"""DNNClassifier and DNNRegressor: validation, targets and fitted attributes.

The maths lives in ``_network`` (forward/backward), ``_optimizers`` and
``_loop``; this module turns scikit-learn inputs into arrays for them and
their results into fitted attributes.
"""

import copy
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ._callbacks import EarlyStoppingHook, GradientNormHook, LossPlateauHook
from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._docstrings import fill_docstring
from ._dropout import resolve_keep_prob
from ._init import INITIALIZERS, resolve_init
from ._loop import TrainingDiverged, run_epochs
from ._network import Network, forward
from ._optimizers import AdamOptimizer, SGDOptimizer, minimize_lbfgs

_STOCHASTIC_SOLVERS = ("sgd", "adam")
_LBFGS_MAX_FUN = 15000


def _stochastic_solver(estimator):
    return estimator.solver in _STOCHASTIC_SOLVERS


class BaseDNN(BaseEstimator, metaclass=ABCMeta):
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
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
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

    # -- hooks of the subclasses -------------------------------------------

    @abstractmethod
    def _validate_targets(self, y, *, first_fit, classes=None):
        """Return ``(Y, target_state)``: the 2-D float targets and the fitted
        target attributes to set once the fit succeeds."""

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
        if not all(isinstance(s, Integral) for s in sizes):
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
        )

    # -- fitting -------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, *, incremental=False, classes=None):
        # A fit that fails, diverges or is interrupted must leave a fitted
        # model as it was: work on copies and restore the attributes on error.
        saved_state = dict(self.__dict__)
        try:
            return self._fit_atomic(X, y, sample_weight, incremental, classes)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            raise

    def _fit_atomic(self, X, y, sample_weight, incremental, classes):
        hidden = self._hidden_sizes()
        resolve_keep_prob(self.keep_prob, len(hidden))
        if not _stochastic_solver(self) and np.any(np.asarray(self.keep_prob) < 1):
            raise ValueError(
                "keep_prob < 1 (dropout) needs a stochastic solver; "
                f"solver={self.solver!r} optimises a deterministic cost."
            )
        continuing = self._is_fitted() and (self.warm_start or incremental)
        X, y = self._validate_X_y(X, y, reset=not continuing)
        Y, target_state = self._validate_targets(
            y, first_fit=not continuing, classes=classes
        )
        dtype = X.dtype
        Y = Y.astype(dtype, copy=False)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=dtype, ensure_non_negative=True
            )
            if not np.sum(sample_weight) > 0:
                raise ValueError("sample_weight must not sum to zero.")
            if not np.isfinite(np.sum(sample_weight, dtype=dtype)):
                raise ValueError(
                    "sample_weight sums to infinity in "
                    f"{np.dtype(dtype).name}: divide the weights by a common "
                    "factor."
                )
        if sp.issparse(X):
            X = X.tocsr()

        if incremental and hasattr(self, "_random_state"):
            # A copy: a partial_fit that fails must not consume random numbers.
            rng = copy.deepcopy(self._random_state)
        else:
            rng = check_random_state(self.random_state)

        net = self._make_network(X.shape[1], target_state, hidden, dtype)
        if continuing:
            if [W.shape for W in self.coefs_] != [W.shape for W in net.coefs]:
                raise ValueError(
                    "The network's shape changed since the last fit "
                    f"(hidden_layer_sizes={self.hidden_layer_sizes!r}); "
                    "warm_start and partial_fit need the same architecture."
                )
            net.set_parameters(self.coefs_, self.intercepts_)
        else:
            net.initialize(resolve_init(self.init, self.activation), rng)

        try:
            if _stochastic_solver(self):
                result = self._fit_stochastic(
                    net,
                    X,
                    Y,
                    y,
                    sample_weight,
                    rng,
                    incremental,
                    continuing,
                    target_state,
                )
            else:
                result = self._fit_lbfgs(net, X, Y, sample_weight)
        except TrainingDiverged as exc:
            kept = (
                "The previously fitted parameters are kept unchanged."
                if self._is_fitted()
                else "The estimator is left unfitted."
            )
            raise ValueError(
                f"Training diverged: {exc}. Lower learning_rate_init, set "
                f"max_grad_norm or scale the inputs. {kept}"
            ) from None
        if not np.all(np.isfinite(net.theta)):
            raise ValueError(
                "Training diverged: the solver produced non-finite weights. "
                "Lower learning_rate_init or scale the inputs. "
                + (
                    "The previously fitted parameters are kept unchanged."
                    if self._is_fitted()
                    else "The estimator is left unfitted."
                )
            )
        self._set_fitted(net, result, target_state, continuing, len(hidden))
        self._random_state = rng
        return self

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. "
                "It is going to be clipped"
            )
        return min(self.batch_size, n_samples)

    def _new_optimizer(self, net):
        if self.solver == "sgd":
            return SGDOptimizer(
                net.n_params,
                net.dtype,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return AdamOptimizer(
            net.n_params,
            net.dtype,
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
        )

    def _fit_stochastic(
        self, net, X, Y, y, sample_weight, rng, incremental, continuing, target_state
    ):
        if incremental and hasattr(self, "_optimizer"):
            optimizer = copy.deepcopy(self._optimizer)
        else:
            optimizer = self._new_optimizer(net)

        early_stopping = self.early_stopping and not incremental
        hooks = [GradientNormHook(self.max_grad_norm)]
        if early_stopping:
            X, X_dev, Y, Y_dev, y, y_dev, sample_weight, sw_dev = self._dev_split(
                X, Y, y, sample_weight, rng
            )
            stop_hook = EarlyStoppingHook(
                lambda net: self._dev_score(
                    net.forward(X_dev), y_dev, sw_dev, target_state
                ),
                lambda net: net.cost(X_dev, Y_dev, sw_dev),
                self.tol,
                self.n_iter_no_change,
            )
        else:
            best_loss = getattr(self, "best_loss_", None) if continuing else None
            stop_hook = LossPlateauHook(
                self.tol,
                self.n_iter_no_change,
                np.inf if best_loss is None else best_loss,
            )
        hooks.append(stop_hook)

        epoch_start = self.n_iter_ if continuing else 0
        # A diverging fit is reported by TrainingDiverged with a clear message;
        # numpy's overflow warnings on the way there would only be noise.
        with np.errstate(over="ignore", invalid="ignore"):
            history, t = run_epochs(
                net,
                optimizer,
                X,
                Y,
                sample_weight,
                n_epochs=1 if incremental else self.max_iter,
                batch_size=self._batch_size(X.shape[0]),
                shuffle=self.shuffle,
                rng=rng,
                augment=self.augment,
                grad_hooks=hooks[:1],
                epoch_hooks=hooks,
                stop_hook=stop_hook,
                t_start=self.t_ if continuing else 0,
                epoch_start=epoch_start,
                verbose=self.verbose,
            )
        if (
            not incremental
            and len(history) == self.max_iter
            and stop_hook.misses < self.n_iter_no_change
        ):
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        result = {"history": history, "t": t, "optimizer": optimizer}
        if early_stopping:
            stop_hook.restore_best(net)
            result["best_epoch"] = stop_hook.best_epoch
            result["best_validation_score"] = stop_hook.best_score
        return result

    def _dev_split(self, X, Y, y, sample_weight, rng):
        arrays = [X, Y, y] + ([] if sample_weight is None else [sample_weight])
        parts = train_test_split(
            *arrays,
            test_size=self.validation_fraction,
            random_state=rng,
            stratify=self._stratify(y),
        )
        if parts[1].shape[0] < 2:
            raise ValueError(
                "The dev set of early stopping has fewer than 2 examples: "
                "raise validation_fraction or give more data."
            )
        if sample_weight is not None and not (
            np.sum(parts[-2]) > 0 and np.sum(parts[-1]) > 0
        ):
            raise ValueError(
                "sample_weight sums to zero on the training or the dev part of "
                "the early-stopping split: give weight to more examples or "
                "turn early_stopping off."
            )
        if sample_weight is None:
            parts += [None, None]
        return parts

    def _fit_lbfgs(self, net, X, Y, sample_weight):
        trace, last = [], {}

        def cost_and_grad(theta):
            net.theta[...] = theta
            J = net.cost_and_grad(X, Y, sample_weight)
            last.update(
                theta=theta.copy(),
                J=J,
                norms=[np.linalg.norm(dW) for dW in net.coef_grads],
            )
            return J, net.grad.astype(np.float64)

        def callback(theta):
            if not np.array_equal(theta, last.get("theta")):
                cost_and_grad(theta)
            trace.append({"loss": last["J"], "grad_norms": np.array(last["norms"])})

        opt = minimize_lbfgs(
            cost_and_grad,
            net.theta,
            max_iter=self.max_iter,
            tol=self.tol,
            max_fun=_LBFGS_MAX_FUN,
            callback=callback,
        )
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
        return {"history": trace, "t": X.shape[0] * len(trace), "optimizer": None}

    def _set_fitted(self, net, result, target_state, continuing, n_hidden):
        history = result["history"]
        losses = np.array([r["loss"] for r in history], dtype=float)
        norms = np.array([r["grad_norms"] for r in history], dtype=float)
        norms = norms.reshape(len(history), net.n_weight_layers)
        if continuing:
            losses = np.concatenate([self.loss_curve_, losses])
            norms = np.concatenate([self.gradient_norms_, norms])
        for name, value in target_state.items():
            setattr(self, name, value)
        self.coefs_ = [W.copy() for W in net.coefs]
        self.intercepts_ = [b.copy() for b in net.intercepts]
        self.n_layers_ = n_hidden + 2
        self.out_activation_ = net.out_activation
        self.loss_curve_ = losses
        self.gradient_norms_ = norms
        self.n_iter_ = len(losses)
        self.t_ = result["t"]
        self.loss_ = float(losses[-1])
        if result.get("best_epoch") is not None:
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
            self.best_validation_score_ = float(result["best_validation_score"])
            self.best_epoch_ = int(result["best_epoch"])
            self.best_loss_ = float(losses[self.best_epoch_])
        else:
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None
            self.best_epoch_ = None
            self.best_loss_ = float(np.min(losses))
        if result["optimizer"] is not None:
            self._optimizer = result["optimizer"]
        elif hasattr(self, "_optimizer"):
            del self._optimizer

    # -- public API ----------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
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

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

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
                self.coefs_, self.intercepts_, X, self.activation, self.out_activation_
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
        Y, target_state = probe._validate_targets(y, first_fit=not fitted)
        if fitted and target_state.get("n_outputs_") != self.n_outputs_:
            raise ValueError("y does not match the fitted estimator's outputs.")
        net = self._make_network(X.shape[1], target_state, hidden, X.dtype)
        if fitted:
            net.set_parameters(self.coefs_, self.intercepts_)
        else:
            rng = check_random_state(self.random_state)
            net.initialize(resolve_init(self.init, self.activation), rng)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        return net, X, Y.astype(X.dtype), sample_weight

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

    def _validate_targets(self, y, *, first_fit, classes=None):
        check_classification_targets(y)
        if y.ndim == 2 and y.shape[1] == 1 and not first_fit:
            y = y.ravel()
        y_type = type_of_target(y)
        if first_fit:
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
            binarizer = self._label_binarizer
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
                        f"y has labels {unseen.tolist()} that were not seen at "
                        f"the first fit (classes_={binarizer.classes_.tolist()})."
                    )
        Y = binarizer.transform(y)
        Y = Y.toarray() if sp.issparse(Y) else Y
        state = {
            "_label_binarizer": binarizer,
            "classes_": binarizer.classes_,
            "n_outputs_": Y.shape[1],
        }
        return np.asarray(Y, dtype=float), state

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
            multilabel indicator), ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative example weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not self._is_fitted() and classes is None:
            if type_of_target(np.asarray(y)).startswith("multilabel"):
                pass
            else:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
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

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
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
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            init=init,
            penalty=penalty,
            alpha=alpha,
            l1_ratio=l1_ratio,
            keep_prob=keep_prob,
            solver=solver,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_grad_norm=max_grad_norm,
            augment=augment,
        )
        self.loss = loss

    def _validate_targets(self, y, *, first_fit, classes=None):
        Y = np.asarray(y, dtype=float)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if self.loss == "poisson" and np.any(Y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression (loss='poisson')."
            )
        if not first_fit and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the estimator was fitted with "
                f"{self.n_outputs_}."
            )
        return Y, {"n_outputs_": Y.shape[1], "_y_ndim": np.ndim(y)}

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


fill_docstring(DNNClassifier)
fill_docstring(DNNRegressor)
