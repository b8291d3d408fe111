"""Learning-curve and loss-curve Displays, in scikit-learn's Display pattern.

``__init__`` stores the arrays, ``plot(ax=None, ...)`` draws them and sets
``ax_`` and ``figure_``, and the classmethod ``from_estimator`` computes the
arrays and then calls ``plot``. matplotlib is imported inside ``plot`` only.
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._bias_variance import diagnose_bias_variance, format_error, verdict
from ._learning_curves import learning_curve_errors
from ._noise import z_value
from ._plotting import _Display, place_clear_of, style
from ._validation import validate_like_fit

__all__ = ["BiasVarianceDisplay", "LossCurveDisplay"]
# text_kw that place the diagnosis: the user's placement is then kept.
_PLACEMENT_KEYWORDS = frozenset(
    {"x", "y", "position", "ha", "horizontalalignment", "va", "verticalalignment"}
)


def _check_errors(name, errors, n_ticks):
    errors = np.asarray(errors, dtype=float)
    if errors.ndim != 2 or errors.shape[0] != n_ticks or errors.shape[1] == 0:
        raise ValueError(
            f"{name} must have shape (n_ticks, n_folds) = ({n_ticks}, "
            "n_folds) with n_folds >= 1, one row per train size; got "
            f"shape {errors.shape} for train_sizes of shape ({n_ticks},)."
        )
    if not np.all(np.isfinite(errors) & (errors >= 0)):
        raise ValueError(
            f"{name} must be finite and non-negative: an error is 0 for a "
            "perfect model and grows with the mistakes."
        )
    return errors


def _check_curves(train_sizes, **curves):
    """Return the sizes and the curves (None stays None) as float arrays.

    Raise naming the bad array when one is malformed or the shapes differ.
    """
    sizes = np.asarray(train_sizes, dtype=float)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ValueError(
            f"train_sizes must be a non-empty 1-D array, got shape {sizes.shape}."
        )
    checked = {
        name: _check_errors(name, errors, sizes.size)
        for name, errors in curves.items()
        if errors is not None
    }
    (first, reference), *others = checked.items()
    for name, errors in others:
        if errors.shape != reference.shape:
            raise ValueError(
                f"{first} and {name} must have the same shape, got "
                f"{reference.shape} and {errors.shape}."
            )
    return sizes, {name: checked.get(name) for name in curves}


class BiasVarianceDisplay(_Display):
    """Learning curve of train and dev error with its bias/variance diagnosis.

    With a dev set from another distribution than the training data, the
    curve also has a train-dev error (training distribution, not trained
    on), and the diagnosis tells data mismatch from variance.

    It is recommended to use :meth:`from_estimator` to create one. All
    parameters are stored as attributes.

    Parameters
    ----------
    train_sizes : ndarray of shape (n_ticks,)
        Numbers of training examples of each point of the curve.

    train_errors : ndarray of shape (n_ticks, n_cv_folds)
        Training error of each fold at each size: finite and non-negative,
        such as ``1 - score`` or a loss. Errors above 1 are accepted (an
        R^2 below 0 gives ``1 - R^2 > 1``).

    dev_errors : ndarray of shape (n_ticks, n_cv_folds)
        Dev error of each fold at each size: on the held-out fold, or on the
        explicit dev set when ``train_dev_errors`` is given.

    train_dev_errors : ndarray of shape (n_ticks, n_cv_folds), default=None
        Train-dev error (on the held-out fold of the training data) of each
        fold at each size, when the dev set is a separate one; None
        otherwise.

    baseline_error : float, default=0.0
        Human-level (or Bayes) error, drawn as a horizontal line.

    tolerance : float, default=0.01
        Absolute floor of the thresholds; see :func:`diagnose_bias_variance`.

    rel_tolerance : float, default=0.1
        Relative part of the thresholds; see :func:`diagnose_bias_variance`.

    error_name : str, default=None
        Label of the y axis; None gives ``"Error"``.

    n_samples : dict, default=None
        For error rates, the number of examples each point's errors were
        scored on, all folds together: ``"train"``, ``"train_dev"`` and
        ``"dev"`` map to arrays of shape (n_ticks,). The diagnosis then has
        the binomial noise of DESIGN §14.

    standard_errors : dict, default=None
        For other errors, each point's standard error under the same keys
        (:meth:`from_estimator` takes the folds' spread over the root of
        their number). Without either, the rule has no noise term.

    Attributes
    ----------
    diagnosis : BiasVarianceDiagnosis
        The diagnosis of the mean train, train-dev (when given) and dev error
        (over the folds) at the largest training size.

    ax_ : matplotlib Axes
        Axes with the learning curve.

    figure_ : matplotlib Figure
        Figure containing the learning curve.

    lines_ : list of matplotlib Line2D
        The mean train error, the mean train-dev error (when given) and the
        mean dev error, against ``train_sizes``.

    fill_between_ : list of matplotlib PolyCollection
        The bands of plus or minus one standard deviation across folds around
        ``lines_``, cut at 0 (an error is never negative).

    baseline_line_ : matplotlib Line2D
        The horizontal line at ``baseline_error``.

    text_ : matplotlib Text
        The diagnosis written on the plot.

    See Also
    --------
    diagnose_bias_variance : The diagnosis on its own.
    sklearn.model_selection.LearningCurveDisplay : The same curve, of scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dnn import BiasVarianceDisplay
    >>> display = BiasVarianceDisplay(
    ...     train_sizes=np.array([100, 200, 400]),
    ...     train_errors=np.array([[0.0, 0.0], [0.0, 0.01], [0.01, 0.01]]),
    ...     dev_errors=np.array([[0.3, 0.2], [0.15, 0.17], [0.11, 0.11]]),
    ... )
    >>> display.diagnosis.case
    'high variance'
    >>> display.plot()
    <...BiasVarianceDisplay object at ...>
    >>> display.lines_[1].get_ydata()
    array([0.25, 0.16, 0.11])
    """

    def __init__(
        self,
        *,
        train_sizes,
        train_errors,
        dev_errors,
        train_dev_errors=None,
        baseline_error=0.0,
        tolerance=0.01,
        rel_tolerance=0.1,
        error_name=None,
        n_samples=None,
        standard_errors=None,
    ):
        self.train_sizes = train_sizes
        self.train_errors = train_errors
        self.train_dev_errors = train_dev_errors
        self.dev_errors = dev_errors
        self._curves()
        self.baseline_error = baseline_error
        self.tolerance = tolerance
        self.rel_tolerance = rel_tolerance
        self.error_name = error_name
        self.n_samples = n_samples
        self.standard_errors = standard_errors

    def _curves(self):
        """The sizes and ``{label: errors}`` of the curves, checked."""
        sizes, curves = _check_curves(
            self.train_sizes,
            train_errors=self.train_errors,
            train_dev_errors=self.train_dev_errors,
            dev_errors=self.dev_errors,
        )
        return sizes, {
            name.removesuffix("_errors").replace("_", "-") + " error": errors
            for name, errors in curves.items()
            if errors is not None
        }

    @property
    def diagnosis(self):
        """The diagnosis at the largest training size (mean over folds)."""
        sizes, curves = self._curves()
        largest = int(np.argmax(sizes))
        means = {name: float(np.mean(e[largest])) for name, e in curves.items()}
        noise = {
            name: None if given is None else {k: v[largest] for k, v in given.items()}
            for name, given in (
                ("n_samples", self.n_samples),
                ("standard_errors", self.standard_errors),
            )
        }
        noise["n_samples"] = noise["n_samples"] and {
            k: int(v) for k, v in noise["n_samples"].items()
        }
        return diagnose_bias_variance(
            means["train error"],
            means["dev error"],
            self.baseline_error,
            self.tolerance,
            rel_tolerance=self.rel_tolerance,
            train_dev_error=means.get("train-dev error"),
            **noise,
        )

    def plot(
        self,
        ax=None,
        *,
        error_name=None,
        line_kw=None,
        fill_between_kw=None,
        baseline_kw=None,
        text_kw=None,
    ):
        """Draw the learning curve, the baseline and the diagnosis.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; None creates a new figure and axes.

        error_name : str, default=None
            Label of the y axis; None uses the ``error_name`` given at
            construction, or ``"Error"``.

        line_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for every mean curve.

        fill_between_kw : dict, default=None
            Keyword arguments passed to ``ax.fill_between`` for the bands of
            plus or minus one standard deviation.

        baseline_kw : dict, default=None
            Keyword arguments passed to ``ax.axhline`` for the baseline.

        text_kw : dict, default=None
            Keyword arguments passed to ``ax.text`` for the diagnosis.

        Returns
        -------
        display : BiasVarianceDisplay
            The object, with ``ax_``, ``figure_``, ``lines_``,
            ``fill_between_``, ``baseline_line_`` and ``text_`` set.
        """
        ax = self._axes(ax)
        diagnosis = self.diagnosis
        sizes, curves = self._curves()
        self.lines_, self.fill_between_ = [], []
        for label, errors in curves.items():
            mean, std = errors.mean(axis=1), errors.std(axis=1)
            (line,) = ax.plot(sizes, mean, **style({"label": label}, line_kw))
            fill_kw = style({"alpha": 0.2, "color": line.get_color()}, fill_between_kw)
            # An error is never negative: the band stops at 0.
            lower = np.maximum(mean - std, 0.0)
            self.fill_between_.append(
                ax.fill_between(sizes, lower, mean + std, **fill_kw)
            )
            self.lines_.append(line)
        ax.set_xlabel("Number of training examples")
        error_name = self.error_name if error_name is None else error_name
        ax.set_ylabel("Error" if error_name is None else error_name)
        self._draw_baseline_and_text(ax, diagnosis, baseline_kw, text_kw)
        curves_xy = [
            (sizes, errors.mean(axis=1) + side * errors.std(axis=1))
            for errors in curves.values()
            for side in (-1, 0, 1)
        ] + [(sizes, np.full(len(sizes), self.baseline_error))]
        placed = set(text_kw or ()) & _PLACEMENT_KEYWORDS
        place_clear_of(self.text_, ax.legend(), ax, curves_xy, move_text=not placed)
        return self._drawn(ax)

    def _draw_baseline_and_text(self, ax, diagnosis, baseline_kw, text_kw):
        base_kw = {
            "color": "black",
            "linestyle": "--",
            "linewidth": 1,
            # Under the curves: a curve on the baseline (a train error of 0)
            # stays visible above it.
            "zorder": 1.5,
            "label": f"baseline error ({format_error(diagnosis, self.baseline_error)})",
        }
        self.baseline_line_ = ax.axhline(
            self.baseline_error, **style(base_kw, baseline_kw)
        )
        kw = {
            "transform": ax.transAxes,
            "horizontalalignment": "right",
            "verticalalignment": "center",
            "bbox": {"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
        }
        self.text_ = ax.text(
            0.97, 0.6, _diagnosis_text(diagnosis), **style(kw, text_kw)
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        X_val=None,
        y_val=None,
        train_sizes=np.linspace(0.1, 1.0, 5),
        cv=None,
        scoring=None,
        baseline_error=0.0,
        tolerance=0.01,
        rel_tolerance=0.1,
        groups=None,
        n_jobs=None,
        shuffle=False,
        random_state=None,
        fit_params=None,
        ax=None,
        error_name=None,
        line_kw=None,
        fill_between_kw=None,
        baseline_kw=None,
        text_kw=None,
    ):
        """Compute a learning curve with scikit-learn and diagnose it.

        The curve comes from :func:`sklearn.model_selection.learning_curve`.
        With a dev set ``X_val``, the same cross-validation folds of ``X``
        and training sizes give the train and train-dev errors, and every
        fitted model is also scored on ``X_val`` for the dev error. The
        estimator's parameters are validated first, as its ``fit`` would.

        Parameters
        ----------
        estimator : estimator object
            Cloned and fitted on growing subsets of each training fold.

        X : array-like of shape (n_samples, n_features)
            Input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        X_val : array-like of shape (n_val, n_features), default=None
            A dev set from the distribution the model will serve (which the
            training data may not follow); None takes the dev error on the
            held-out folds of ``X``.

        y_val : array-like of shape (n_val,) or (n_val, n_outputs), \
default=None
            Targets of ``X_val``.

        train_sizes : array-like of shape (n_ticks,), \
default=np.linspace(0.1, 1.0, 5)
            Fractions (floats in (0, 1]) of the training fold, or absolute
            numbers of examples (ints).

        cv : int, cross-validation generator or iterable, default=None
            The folds, as in :func:`~sklearn.model_selection.learning_curve`
            (5-fold, stratified for classifiers, when None).

        scoring : str or callable, default=None
            A score bounded above by 1, with 1 for a perfect model (the error
            is ``1 - score``: accuracy, f1, r2, ...), or a negated loss (the
            error is ``-score``: ``"neg_mean_squared_error"``,
            ``"neg_log_loss"``, ...). Errors are never clipped; any other
            scoring raises a ``ValueError``. None uses the estimator's
            ``score`` (accuracy for a classifier, R^2 for a regressor).

        baseline_error : float, default=0.0
            Human-level (or Bayes) error.

        tolerance : float, default=0.01
            Absolute floor of the thresholds; see
            :func:`diagnose_bias_variance`.

        rel_tolerance : float, default=0.1
            Relative part of the thresholds; see
            :func:`diagnose_bias_variance`.

        groups : array-like of shape (n_samples,), default=None
            Group labels, for group-aware ``cv`` splitters.

        n_jobs : int, default=None
            Number of jobs fitting in parallel.

        shuffle : bool, default=False
            Whether to shuffle each training fold before taking its first
            examples.

        random_state : int, RandomState instance or None, default=None
            Used when ``shuffle`` is True.

        fit_params : dict, default=None
            Parameters passed to the estimator's ``fit``.

        ax : matplotlib Axes, default=None
            Axes to plot on; None creates a new figure and axes.

        error_name : str, default=None
            Label of the y axis; None derives it from ``scoring``.

        line_kw, fill_between_kw, baseline_kw, text_kw : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : BiasVarianceDisplay
            The display, drawn, with its ``diagnosis``.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_dnn import BiasVarianceDisplay, DNNClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> display = BiasVarianceDisplay.from_estimator(
        ...     DNNClassifier(hidden_layer_sizes=(2,), tol=1e-2, random_state=0),
        ...     X / 16, y, train_sizes=[0.5, 1.0], cv=3)
        >>> display.diagnosis.high_bias
        True
        """
        validate_like_fit(estimator)
        error, sizes, errors, noise = learning_curve_errors(
            estimator, X, y, X_val, y_val, scoring, train_sizes=train_sizes,
            cv=cv, groups=groups, n_jobs=n_jobs, shuffle=shuffle,
            random_state=random_state, params=fit_params,
        )  # fmt: skip
        display = cls(
            train_sizes=sizes, train_errors=errors["train"],
            train_dev_errors=errors["train_dev"], dev_errors=errors["dev"],
            baseline_error=baseline_error, tolerance=tolerance,
            rel_tolerance=rel_tolerance,
            error_name=f"Error ({error.name})" if error_name is None else error_name,
            **noise,
        )  # fmt: skip
        return display.plot(
            ax=ax, line_kw=line_kw, fill_between_kw=fill_between_kw,
            baseline_kw=baseline_kw, text_kw=text_kw,
        )  # fmt: skip


def _diagnosis_text(diagnosis):
    z = z_value(diagnosis.confidence)
    rows = [verdict(diagnosis)]
    for name, gap in (
        ("avoidable bias", diagnosis.avoidable_bias),
        ("variance", diagnosis.variance),
        ("data mismatch", diagnosis.data_mismatch),
    ):
        if gap is None:
            continue
        se = diagnosis.standard_errors[name.removeprefix("avoidable ")]
        noise = "" if se is None else f" ± {format_error(diagnosis, z * se)}"
        rows.append(f"{name} {format_error(diagnosis, gap)}{noise}")
    return "\n".join(rows)


def _check_loss_curves(loss_curve, validation_loss_curve, best_epoch):
    curves = {"loss_curve": loss_curve}
    if validation_loss_curve is not None:
        curves["validation_loss_curve"] = validation_loss_curve
    for name, curve in curves.items():
        if curve is None or np.ndim(curve) != 1 or len(curve) == 0:
            raise ValueError(
                f"{name} must be a non-empty 1-D array, one cost per epoch; "
                f"got {type(curve).__name__} of shape {np.shape(curve)}."
            )
    n_epochs = len(loss_curve)
    if best_epoch is None:
        return
    if not isinstance(best_epoch, Integral) or isinstance(best_epoch, bool):
        raise ValueError(
            f"best_epoch must be an integer index into loss_curve or None, got "
            f"{best_epoch!r}."
        )
    if not 0 <= best_epoch < n_epochs:
        raise ValueError(
            f"best_epoch={best_epoch} is not an epoch of loss_curve: it must be "
            f"in [0, {n_epochs - 1}] (0-based) for {n_epochs} epochs."
        )


class LossCurveDisplay(_Display):
    """The cost J per epoch, the dev cost and the restored best epoch.

    The course's "plot J against the number of iterations" to debug
    gradient descent: J should go down at every epoch (full batch) or trend
    down (mini-batches). Epochs are counted from 1 on the x axis, so the
    point of ``loss_curve[i]`` is at ``x = i + 1``, and the restored epoch
    ``best_epoch`` (a 0-based index into ``loss_curve``) is marked by a
    vertical line at ``x = best_epoch + 1``.

    It is recommended to use :meth:`from_estimator` to create one. All
    parameters are stored as attributes.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        The training cost J (penalty included) of each epoch.

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        The dev-set cost of each epoch, or None.

    best_epoch : int, default=None
        0-based index into ``loss_curve`` of the epoch whose parameters were
        restored (early stopping), or None.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    line_ : matplotlib Line2D
        The training cost against the epoch (1, 2, ...).

    validation_line_ : matplotlib Line2D or None
        The dev cost against the epoch, when given.

    best_epoch_line_ : matplotlib Line2D or None
        The vertical line at ``best_epoch + 1``, when given.

    See Also
    --------
    BiasVarianceDisplay : Train and dev error against training-set size.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dnn import DNNClassifier, LossCurveDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DNNClassifier(hidden_layer_sizes=(16,), early_stopping=True,
    ...                     n_iter_no_change=3, random_state=0).fit(X / 16, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> len(display.line_.get_xdata()) == clf.n_iter_
    True
    >>> display.best_epoch_line_.get_xdata()[0] == clf.best_epoch_ + 1
    True
    """

    def __init__(self, *, loss_curve, validation_loss_curve=None, best_epoch=None):
        _check_loss_curves(loss_curve, validation_loss_curve, best_epoch)
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.best_epoch = best_epoch

    def plot(
        self, ax=None, *, line_kw=None, validation_line_kw=None, best_epoch_kw=None
    ):
        """Draw the cost curves and mark the best epoch.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; None creates a new figure and axes.

        line_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for the training cost.

        validation_line_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for the dev cost.

        best_epoch_kw : dict, default=None
            Keyword arguments passed to ``ax.axvline`` for the best epoch.

        Returns
        -------
        display : LossCurveDisplay
            The object, with ``ax_``, ``figure_``, ``line_``,
            ``validation_line_`` and ``best_epoch_line_`` set.
        """
        _check_loss_curves(self.loss_curve, self.validation_loss_curve, self.best_epoch)
        ax = self._axes(ax)
        loss = np.asarray(self.loss_curve, dtype=float)
        epochs = np.arange(1, len(loss) + 1)
        (self.line_,) = ax.plot(
            epochs, loss, **style({"label": "train cost J"}, line_kw)
        )
        self.validation_line_ = None
        if self.validation_loss_curve is not None:
            dev = np.asarray(self.validation_loss_curve, dtype=float)
            (self.validation_line_,) = ax.plot(
                np.arange(1, len(dev) + 1),
                dev,
                **style({"label": "dev cost J"}, validation_line_kw),
            )
        self.best_epoch_line_ = None
        if self.best_epoch is not None:
            best = int(self.best_epoch) + 1
            kw = {
                "color": "black",
                "linestyle": ":",
                "label": f"restored best epoch ({best})",
            }
            self.best_epoch_line_ = ax.axvline(best, **style(kw, best_epoch_kw))
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Cost J (penalty included)")
        ax.legend(loc="upper right")
        return self._drawn(ax)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        line_kw=None,
        validation_line_kw=None,
        best_epoch_kw=None,
    ):
        """Draw the loss curves of a fitted network.

        Reads ``loss_curve_``, and ``validation_loss_curve_`` and
        ``best_epoch_`` when they are set (early stopping).

        Parameters
        ----------
        estimator : fitted estimator
            A fitted :class:`~sklearn_dnn.DNNClassifier` or
            :class:`~sklearn_dnn.DNNRegressor` (or any estimator with a
            ``loss_curve_``, such as scikit-learn's MLP), a Pipeline ending in
            one, or a fitted :class:`~sklearn_dnn.BasicRecipe` or search
            (its ``best_estimator_`` is used).

        ax : matplotlib Axes, default=None
            Axes to plot on; None creates a new figure and axes.

        line_kw, validation_line_kw, best_epoch_kw : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_dnn import DNNClassifier, LossCurveDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = DNNClassifier(hidden_layer_sizes=(16,), tol=1e-2,
        ...                     random_state=0).fit(X / 16, y)
        >>> display = LossCurveDisplay.from_estimator(clf)
        >>> display.line_.get_xdata()[-1] == clf.n_iter_
        True
        """
        network = validate_like_fit(estimator)
        check_is_fitted(network)
        if getattr(network, "loss_curve_", None) is None:
            raise ValueError(
                f"{network.__class__.__name__} has no loss_curve_ to plot; "
                "LossCurveDisplay needs a network fitted by a solver that "
                "records the cost per epoch."
            )
        display = cls(
            loss_curve=network.loss_curve_,
            validation_loss_curve=getattr(network, "validation_loss_curve_", None),
            best_epoch=getattr(network, "best_epoch_", None),
        )
        return display.plot(
            ax=ax,
            line_kw=line_kw,
            validation_line_kw=validation_line_kw,
            best_epoch_kw=best_epoch_kw,
        )
