"""Prediction in batches whose memory is bounded, whatever the rows.

The forward pass holds, for each example, the activations of two adjacent
layers at a time; a batch is as many rows as fit in
:data:`PREDICTION_BATCH_BYTES` at that cost, so a very wide layer costs one
batch's memory, not the number of rows times its width.
"""

from sklearn.utils import gen_batches

#: The most memory the activations of one batch of prediction may take.
PREDICTION_BATCH_BYTES = 256 * 2**20

# Bytes per value counted: float64's, the widest dtype the networks use.
_ITEMSIZE = 8


def prediction_row_bytes(coefs):
    """The bytes one example's forward pass holds at its widest point.

    Parameters
    ----------
    coefs : list of arrays of shape (n_units[l - 1], n_units[l])
        The network's weight matrices (any namespace; only shapes are read).

    Returns
    -------
    n_bytes : int
        The values of the two widest adjacent layers, in bytes.
    """
    units = [int(W.shape[0]) for W in coefs] + [int(coefs[-1].shape[1])]
    return _ITEMSIZE * max(a + b for a, b in zip(units[:-1], units[1:]))


def prediction_batch_slices(coefs, n_rows):
    """The row slices in which to predict ``n_rows`` examples.

    Parameters
    ----------
    coefs : list of arrays
        The network's weight matrices.
    n_rows : int
        The number of examples.

    Returns
    -------
    slices : list of slice
        Consecutive slices covering ``range(n_rows)``.

    Raises
    ------
    ValueError
        If one example alone needs more than :data:`PREDICTION_BATCH_BYTES`.
    """
    row_bytes = prediction_row_bytes(coefs)
    if row_bytes > PREDICTION_BATCH_BYTES:
        widest = max(max(int(W.shape[0]), int(W.shape[1])) for W in coefs)
        raise ValueError(
            f"The network has a layer of {widest} units: predicting one example "
            f"needs {row_bytes / 2**20:.0f} MiB, more than the "
            f"{PREDICTION_BATCH_BYTES // 2**20} MiB a batch of prediction may "
            "take."
        )
    rows = max(1, min(n_rows, PREDICTION_BATCH_BYTES // row_bytes))
    return list(gen_batches(n_rows, rows))
