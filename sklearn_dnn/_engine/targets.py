"""Training targets kept compact, expanded to floats one mini-batch at a time.

A classifier's targets are class codes (multi-class) or a 0/1 indicator
(binary, multilabel) of one byte per entry; only the rows of a mini-batch are
ever one-hot encoded as floats.  A regressor's targets are its float values.
"""

import numpy as np


class EncodedTargets:
    """The targets of a fit, as the network's float ``Y`` on demand.

    Parameters
    ----------
    array : ndarray
        Class codes of shape ``(n_samples,)`` (``kind="codes"``, kept in
        the smallest unsigned integer type that holds them), a 0/1
        indicator of shape ``(n_samples, n_outputs)`` (``kind="indicator"``)
        or float values of that shape (``kind="values"``).
    kind : {"codes", "indicator", "values"}
    n_outputs : int
        Width of the float ``Y``: the number of classes for codes.
    dtype : numpy dtype
        The float type of ``Y`` (the training dtype).
    """

    def __init__(self, array, kind, n_outputs, dtype):
        if kind == "codes":
            # The smallest unsigned type that holds every class code: one
            # byte per row below 256 classes.
            array = array.astype(np.min_scalar_type(max(n_outputs - 1, 0)), copy=False)
        self.array = array
        self.kind = kind
        self.n_outputs = n_outputs
        self.dtype = np.dtype(dtype)

    def __len__(self):
        return self.array.shape[0]

    def rows(self, rows, out=None):
        """Return ``Y[rows]`` as floats, written into ``out`` when given.

        ``rows`` is anything that indexes the first axis; ``out`` is a buffer
        of at least that many rows.
        """
        part = self.array[rows]
        m = part.shape[0]
        Y = np.empty((m, self.n_outputs), self.dtype) if out is None else out[:m]
        if self.kind == "codes":
            Y.fill(0)
            Y[np.arange(m), part] = 1
        else:
            Y[...] = part
        return Y

    def dense(self):
        """All of ``Y`` as floats (for full-batch work: L-BFGS, a dev set)."""
        return self.rows(slice(None))

    def subset(self, rows):
        """The targets of ``rows`` only, still compact."""
        return EncodedTargets(self.array[rows], self.kind, self.n_outputs, self.dtype)
