"""Inverted dropout on hidden activations.

The mask is ``d = (rand < keep_prob) / keep_prob``: the forward pass multiplies
the activation by it, and the backward pass multiplies the incoming delta by
the same mask.  A layer whose ``keep_prob`` is 1 draws nothing, so training with
``keep_prob=1.0`` consumes no random numbers and equals training without
dropout.
"""

import numpy as np


def draw_mask(shape, keep_prob, rng, dtype):
    """Return the scaled mask ``(rand < keep_prob) / keep_prob``, or None."""
    if keep_prob >= 1.0:
        return None
    mask = (rng.random_sample(shape) < keep_prob).astype(dtype)
    mask /= keep_prob
    return mask


def resolve_keep_prob(keep_prob, n_hidden):
    """Return one keep probability per hidden layer, validated."""
    if np.ndim(keep_prob) == 0:
        values = [float(keep_prob)] * n_hidden
    else:
        values = [float(p) for p in np.ravel(keep_prob)]
        if len(values) != n_hidden:
            raise ValueError(
                f"keep_prob has {len(values)} values but the network has "
                f"{n_hidden} hidden layers; give one value per hidden layer "
                "or a single float."
            )
    for p in values:
        if not 0.0 < p <= 1.0:
            raise ValueError(f"keep_prob values must be in (0, 1], got {p!r}.")
    return values
