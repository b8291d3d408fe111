"""Many fits, one line: the warnings of a learning curve's fits, summarized."""

import warnings
from collections import Counter
from contextlib import contextmanager

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._engine.array_network import to_numpy


def host_array(array):
    """A numpy copy of an array of another namespace; anything else as is."""
    if isinstance(array, (np.ndarray, np.generic)) or not hasattr(array, "__dlpack__"):
        return array
    return to_numpy(array)


@contextmanager
def summarized_warnings(what):
    """Collect the ConvergenceWarnings raised inside, then warn once.

    The one warning counts them and quotes the most frequent message; other
    warnings pass through unchanged.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        yield
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if convergence:
        messages = Counter(str(w.message) for w in convergence)
        common, count = messages.most_common(1)[0]
        warnings.warn(
            f"{len(convergence)} fits of the {what} raised a "
            f"ConvergenceWarning ({count} of them: {common})",
            ConvergenceWarning,
            stacklevel=3,
        )
