"""The recipe's bias moves on how the network trains, not on its size.

When a bigger, deeper or longer-trained network no longer lowers the bias,
the course's next knobs are how gradient descent runs: batch normalization
for a deep or badly conditioned network, the learning rate and its decay,
the optimizer, and the initialization. Each move has the signature of
``_recipe_moves``: ``move(recipe, knobs, params, converged)`` returns
``(changes, texts)`` or None when it does not apply.
"""

import numpy as np

# The learning rate goes up this much when training had not converged,
# at most to _MAX_LEARNING_RATE.
_LEARNING_RATE_FACTOR = 3.0
_MAX_LEARNING_RATE = 0.1
# The decay the recipe turns on brings the rate to a tenth by the last epoch:
# learning_rate_init / (1 + decay_rate * max_iter) with decay_rate = 9 / max_iter.
_DECAY_TO = 10.0
_RELU_LIKE = ("relu", "leaky_relu")


def _hidden_layers(knobs, params):
    sizes = knobs.get(params, "hidden_layer_sizes")
    return np.atleast_1d(np.asarray(sizes, dtype=object)).size


def batch_normalization(recipe, knobs, params, converged):
    """``batch_norm=True`` for a deep (2 hidden layers or more) network, or one
    that did not converge in its epochs (badly conditioned)."""
    if "batch_norm" not in knobs.knobs or not knobs.stochastic:
        return None
    if knobs.get(params, "batch_norm"):
        return None
    if _hidden_layers(knobs, params) < 2 and converged:
        return None
    return (
        {knobs.prefix + "batch_norm": True},
        ["batch normalization: batch_norm False -> True"],
    )


def faster_learning(recipe, knobs, params, converged):
    """A learning rate 3 times larger, when training used all its epochs."""
    if "learning_rate_init" not in knobs.knobs or not knobs.stochastic or converged:
        return None
    rate = knobs.get(params, "learning_rate_init")
    new = min(rate * _LEARNING_RATE_FACTOR, _MAX_LEARNING_RATE)
    if new <= rate:
        return None
    return {knobs.prefix + "learning_rate_init": new}, [
        f"learning rate: learning_rate_init {rate:g} -> {new:g}"
    ]


def learning_rate_decay(recipe, knobs, params, converged):
    """The course's decay ``learning_rate="inverse_time"``, down to a tenth
    of the rate by the last epoch, with a rate 3 times larger to start."""
    if "learning_rate" not in knobs.knobs or not knobs.stochastic:
        return None
    if knobs.get(params, "learning_rate") != "constant":
        return None
    max_iter = knobs.get(params, "max_iter")
    decay_rate = round((_DECAY_TO - 1.0) / max_iter, 6)
    rate = knobs.get(params, "learning_rate_init")
    new = min(rate * _LEARNING_RATE_FACTOR, _MAX_LEARNING_RATE)
    changes = {
        knobs.prefix + "learning_rate": "inverse_time",
        knobs.prefix + "decay_rate": decay_rate,
        knobs.prefix + "learning_rate_init": new,
    }
    return changes, [
        "learning-rate decay: learning_rate 'constant' -> 'inverse_time', "
        f"decay_rate {decay_rate:g}, learning_rate_init {rate:g} -> {new:g}"
    ]


def other_optimizer(recipe, knobs, params, converged):
    """Adam in place of plain gradient descent (``solver="sgd"``)."""
    if "solver" not in knobs.knobs or knobs.get(params, "solver") != "sgd":
        return None
    return {knobs.prefix + "solver": "adam"}, ["optimizer: solver 'sgd' -> 'adam'"]


def other_initialization(recipe, knobs, params, converged):
    """He initialization for a ReLU network that starts from another scheme."""
    if "init" not in knobs.knobs or knobs.activation not in _RELU_LIKE:
        return None
    init = knobs.get(params, "init")
    if not isinstance(init, str) or init == "he":
        return None
    return {knobs.prefix + "init": "he"}, [f"initialization: init {init!r} -> 'he'"]


TRAINING_MOVES = (
    batch_normalization,
    faster_learning,
    learning_rate_decay,
    other_optimizer,
    other_initialization,
)
