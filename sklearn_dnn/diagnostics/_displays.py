"""Learning-curve and loss-curve Displays, in scikit-learn's Display pattern.

``__init__`` stores the arrays, ``plot(ax=None, ...)`` draws them and sets
``ax_`` and ``figure_``, and the classmethod ``from_estimator`` computes the
arrays and then calls ``plot``. matplotlib is imported inside ``plot`` only.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import learning_curve
from sklearn.utils.validation import check_is_fitted

from .._compat import check_matplotlib_support
from ._bias_variance import _percent, diagnose_bias_variance

__all__ = ["BiasVarianceDisplay", "LossCurveDisplay"]


def _error_name(estimator, scoring):
    if scoring is None:
        score = "accuracy" if is_classifier(estimator) else "score"
    elif isinstance(scoring, str):
        score = scoring
    else:
        score = "score"
    return f"Error (1 - {score})"


class BiasVarianceDisplay:
    """Learning curve of train and dev error with its bias/variance diagnosis.

    It is recommended to use :meth:`from_estimator` to create one. All
    parameters are stored as attributes.

    Parameters
    ----------
    train_sizes : ndarray of shape (n_ticks,)
        Numbers of training examples of each point of the curve.

    train_errors : ndarray of shape (n_ticks, n_cv_folds)
        Training error (``1 - score``) of each fold at each size.

    dev_errors : ndarray of shape (n_ticks, n_cv_folds)
        Dev error (``1 - score`` on the held-out fold) of each fold at each
        size.

    baseline_error : float, default=0.0
        Human-level (or Bayes) error, drawn as a horizontal line.

    tolerance : float, default=0.01
        Absolute floor of the thresholds; see :func:`diagnose_bias_variance`.

    rel_tolerance : float, default=0.1
        Relative part of the thresholds; see :func:`diagnose_bias_variance`.

    error_name : str, default=None
        Label of the y axis; None gives ``"Error"``.

    Attributes
    ----------
    diagnosis : BiasVarianceDiagnosis
        The diagnosis of the mean train and dev error (over the folds) at the
        largest training size.

    ax_ : matplotlib Axes
        Axes with the learning curve.

    figure_ : matplotlib Figure
        Figure containing the learning curve.

    lines_ : list of matplotlib Line2D
        The mean train error and the mean dev error, against ``train_sizes``.

    fill_between_ : list of matplotlib PolyCollection
        The bands of plus or minus one standard deviation across folds around
        ``lines_``.

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
        baseline_error=0.0,
        tolerance=0.01,
        rel_tolerance=0.1,
        error_name=None,
    ):
        self.train_sizes = train_sizes
        self.train_errors = train_errors
        self.dev_errors = dev_errors
        self.baseline_error = baseline_error
        self.tolerance = tolerance
        self.rel_tolerance = rel_tolerance
        self.error_name = error_name

    @property
    def diagnosis(self):
        """The diagnosis at the largest training size (mean over folds)."""
        largest = int(np.argmax(self.train_sizes))
        train_error = float(np.mean(np.asarray(self.train_errors)[largest]))
        dev_error = float(np.mean(np.asarray(self.dev_errors)[largest]))
        try:
            return diagnose_bias_variance(
                train_error,
                dev_error,
                self.baseline_error,
                self.tolerance,
                rel_tolerance=self.rel_tolerance,
            )
        except ValueError as exc:
            raise ValueError(
                f"Cannot diagnose train error {train_error!r} and dev error "
                f"{dev_error!r}: the errors (1 - score) must be in [0, 1], so "
                "use a score between 0 and 1 with 1 for a perfect model, such "
                f"as accuracy. {exc}"
            ) from None

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
            Keyword arguments passed to ``ax.plot`` for both mean curves.

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
        check_matplotlib_support(f"{self.__class__.__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        diagnosis = self.diagnosis
        sizes = np.asarray(self.train_sizes)
        curves = {
            "train error": np.asarray(self.train_errors, dtype=float),
            "dev error": np.asarray(self.dev_errors, dtype=float),
        }
        self.lines_, self.fill_between_ = [], []
        for label, errors in curves.items():
            mean, std = errors.mean(axis=1), errors.std(axis=1)
            (line,) = ax.plot(sizes, mean, label=label, **(line_kw or {}))
            fill_kw = {"alpha": 0.2, "color": line.get_color()}
            fill_kw.update(fill_between_kw or {})
            self.fill_between_.append(
                ax.fill_between(sizes, mean - std, mean + std, **fill_kw)
            )
            self.lines_.append(line)
        base_kw = {
            "color": "black",
            "linestyle": "--",
            "linewidth": 1,
            "label": f"baseline error ({_percent(self.baseline_error)})",
        }
        base_kw.update(baseline_kw or {})
        self.baseline_line_ = ax.axhline(self.baseline_error, **base_kw)
        kw = {
            "transform": ax.transAxes,
            "ha": "right",
            "va": "center",
            "bbox": {"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
        }
        kw.update(text_kw or {})
        self.text_ = ax.text(0.97, 0.6, _diagnosis_text(diagnosis), **kw)
        ax.set_xlabel("Number of training examples")
        if error_name is None:
            error_name = self.error_name
        ax.set_ylabel("Error" if error_name is None else error_name)
        ax.legend(loc="upper right")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
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

        The curve comes from :func:`sklearn.model_selection.learning_curve`;
        errors are ``1 - score``.

        Parameters
        ----------
        estimator : estimator object
            Cloned and fitted on growing subsets of each training fold.

        X : array-like of shape (n_samples, n_features)
            Input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        train_sizes : array-like of shape (n_ticks,), \
default=np.linspace(0.1, 1.0, 5)
            Fractions (floats in (0, 1]) of the training fold, or absolute
            numbers of examples (ints).

        cv : int, cross-validation generator or iterable, default=None
            The folds, as in :func:`~sklearn.model_selection.learning_curve`
            (5-fold, stratified for classifiers, when None).

        scoring : str or callable, default=None
            A score in [0, 1] with 1 for a perfect model (the error is
            ``1 - score``); None uses the estimator's ``score`` (accuracy for
            a classifier).

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
        train_sizes, train_scores, dev_scores = learning_curve(
            estimator,
            X,
            y,
            groups=groups,
            train_sizes=train_sizes,
            cv=cv,
            scoring=scoring,
            n_jobs=n_jobs,
            shuffle=shuffle,
            random_state=random_state,
            error_score="raise",
            params=fit_params,
        )
        display = cls(
            train_sizes=train_sizes,
            train_errors=1.0 - train_scores,
            dev_errors=1.0 - dev_scores,
            baseline_error=baseline_error,
            tolerance=tolerance,
            rel_tolerance=rel_tolerance,
            error_name=(
                _error_name(estimator, scoring) if error_name is None else error_name
            ),
        )
        return display.plot(
            ax=ax,
            line_kw=line_kw,
            fill_between_kw=fill_between_kw,
            baseline_kw=baseline_kw,
            text_kw=text_kw,
        )


def _diagnosis_text(diagnosis):
    return (
        f"{diagnosis.case}\n"
        f"avoidable bias {_percent(diagnosis.avoidable_bias)}\n"
        f"variance {_percent(diagnosis.variance)}"
    )


def _final_estimator(estimator):
    """The network inside a meta-estimator: a search's or recipe's best
    estimator, then a Pipeline's last step."""
    estimator = getattr(estimator, "best_estimator_", estimator)
    if hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


class LossCurveDisplay:
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
        check_matplotlib_support(f"{self.__class__.__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        loss = np.asarray(self.loss_curve, dtype=float)
        epochs = np.arange(1, len(loss) + 1)
        (self.line_,) = ax.plot(
            epochs, loss, **{"label": "train cost J", **(line_kw or {})}
        )
        self.validation_line_ = None
        if self.validation_loss_curve is not None:
            dev = np.asarray(self.validation_loss_curve, dtype=float)
            (self.validation_line_,) = ax.plot(
                np.arange(1, len(dev) + 1),
                dev,
                **{"label": "dev cost J", **(validation_line_kw or {})},
            )
        self.best_epoch_line_ = None
        if self.best_epoch is not None:
            best = int(self.best_epoch) + 1
            kw = {
                "color": "black",
                "linestyle": ":",
                "label": f"restored best epoch ({best})",
            }
            kw.update(best_epoch_kw or {})
            self.best_epoch_line_ = ax.axvline(best, **kw)
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Cost J (penalty included)")
        ax.legend(loc="upper right")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

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
        network = _final_estimator(estimator)
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
