"""BasicRecipe's delegation to ``best_estimator_``: methods and attributes.

``predict`` and its kin exist on the recipe only when the estimator has
them, and read the fitted best estimator once there is one.
"""

from sklearn.exceptions import NotFittedError
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted


def estimator_has(attr):
    """Check the fitted best estimator, or else the unfitted estimator."""

    def check(self):
        estimator = getattr(self, "best_estimator_", self.estimator)
        getattr(estimator, attr)
        return True

    return check


def delegated(method, returns):
    """A method of BasicRecipe that calls ``best_estimator_.<method>(X)``."""

    def delegate(self, X):
        check_is_fitted(self)
        return getattr(self.best_estimator_, method)(X)

    delegate.__name__ = delegate.__qualname__ = method
    delegate.__doc__ = f"""Call ``best_estimator_.{method}``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        {returns}
        """
    return available_if(estimator_has(method))(delegate)


def fitted_attribute(name, doc):
    """A property reading ``best_estimator_.<name>`` once the recipe is fitted."""

    def read(self):
        try:
            check_is_fitted(self)
        except NotFittedError as exc:
            raise AttributeError(
                f"{self.__class__.__name__} object has no {name} attribute."
            ) from exc
        return getattr(self.best_estimator_, name)

    return property(read, doc=doc)
