"""DNNClassifier: the network with a softmax or logistic output."""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from .._compat import _fit_context
from .._docstrings import fill_docstring
from .._engine.array_network import to_numpy
from .._engine.targets import EncodedTargets
from .._engine.training import is_stochastic
from ._array_api import dispatch_namespace
from ._base import BaseDNN


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
        xp, device = dispatch_namespace(output)
        if xp is not None:
            return _labels_on_device(xp, device, output, binarizer)
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

    @available_if(is_stochastic)
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
            logarithm (``predict_log_proba``) stays finite; a label's
            probability that rounds to 1 is lowered to the largest float
            below 1.
        """
        return self._proba(X, "predict_proba")

    def _proba(self, X, method):
        output = self._forward(X, method)
        xp, device = dispatch_namespace(output)
        xp = np if xp is None else xp
        if self._label_binarizer.y_type_ == "binary" and output.shape[1] == 1:
            output = xp.concat([1 - output, output], axis=1)
        finfo = xp.finfo(output.dtype)
        # A saturated logistic unit rounds to exactly 1.0: a label's
        # probability stays below 1, as its absence's stays above 0.
        multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
        low, high = finfo.smallest_normal, 1 - finfo.eps / 2 if multilabel else 1.0
        if xp is np:
            return np.clip(output, low, high)
        low, high = (
            xp.asarray(v, dtype=output.dtype, device=device) for v in (low, high)
        )
        return xp.minimum(xp.maximum(output, low), high)

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
        proba = self._proba(X, "predict_log_proba")
        xp, _ = dispatch_namespace(proba)
        return (np if xp is None else xp).log(proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


fill_docstring(DNNClassifier)


def _labels_on_device(xp, device, output, binarizer):
    """The labels of network outputs on the device: numeric classes only
    (string labels cannot live there, so they come back as numpy)."""
    classes = binarizer.classes_
    if binarizer.y_type_ == "multiclass":
        codes = xp.argmax(output, axis=1)
    elif binarizer.y_type_ == "binary":
        codes = xp.astype(output[:, 0] > 0.5, xp.int64)
    else:
        return xp.astype(output > 0.5, xp.int64)
    if classes.dtype.kind not in "iufb":
        return classes[to_numpy(codes)]
    return xp.take(xp.asarray(classes, device=device), codes)
