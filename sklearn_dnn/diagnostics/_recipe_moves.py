"""The changes BasicRecipe makes between rounds, and the knobs they turn.

A move is a function ``move(recipe, knobs, params, converged)`` that returns
``(changes, texts)`` (the ``set_params`` changes for the next round and their
description) or None when it does not apply. ``recipe`` gives the limits
(``growth``, ``max_hidden_units``, ``augment``), ``knobs`` the
:class:`NetworkKnobs` of the estimator, ``params`` the current knob values and
``converged`` whether the current round stopped before its ``max_iter``.
"""

import math

import numpy as np
from sklearn.base import is_classifier

from ._recipe_training import TRAINING_MOVES
from ._validation import unwrap_network

# Limits of the changes the recipe makes (the hidden units in all are bounded
# by the max_hidden_units parameter).
_MAX_HIDDEN_LAYERS = 4
_FIRST_HIDDEN_WIDTH = 16  # width of the layer added to a network with none
_MAX_EPOCHS = 10_000
# alpha goes up tenfold, and straight to at least 0.1: with the penalty
# alpha/(2m) ||W||^2 (m the mini-batch size), smaller values barely change a
# network's fit (scikit-learn's example "Varying regularization in
# Multi-layer Perceptron" sweeps alpha from 0.1 to 10).
_ALPHA_FACTOR = 10.0
_MIN_RAISED_ALPHA = 0.1
_MAX_ALPHA = 1e3
_KEEP_PROB_STEP = 0.2
_MIN_KEEP_PROB = 0.5

# The knobs the recipe reads and changes on the network (the last step of a
# Pipeline); the first three are required.
_REQUIRED_KNOBS = ("hidden_layer_sizes", "max_iter", "alpha")
_KNOBS = (
    *_REQUIRED_KNOBS,
    "penalty",
    "keep_prob",
    "early_stopping",
    "augment",
    "batch_norm",
    "learning_rate",
    "learning_rate_init",
    "decay_rate",
    "solver",
    "init",
)


class NetworkKnobs:
    """The knobs of an estimator's network: their names, values and limits.

    The network is the estimator or a Pipeline's last step; its parameters
    are read and set under their ``set_params`` names (``step__param`` in a
    Pipeline).
    """

    def __init__(self, estimator):
        network = unwrap_network(estimator)
        self.prefix = "" if network is estimator else f"{estimator.steps[-1][0]}__"
        own = network.get_params(deep=False)
        missing = [k for k in _REQUIRED_KNOBS if k not in own]
        if self.prefix and estimator.steps[-1][1] is not network:
            missing = ["hidden_layer_sizes"]  # a nested Pipeline's knobs
        if missing:
            raise ValueError(
                "BasicRecipe needs a network estimator (DNNClassifier, "
                "DNNRegressor) or a Pipeline ending in one; "
                f"{network.__class__.__name__} has no parameter {missing[0]!r}."
            )
        self.knobs = [k for k in _KNOBS if k in own]
        self.stochastic = own.get("solver", "adam") in ("sgd", "rmsprop", "adam")
        self.activation = own.get("activation", "relu")
        self.validation_fraction = own.get("validation_fraction", 0.1)
        self.is_classifier = is_classifier(network)
        self.y_train = None  # targets of the training split, set by fit

    def can_split_dev_set(self):
        """Whether early stopping's stratified dev split of the training
        split would succeed: 2 examples or more, and for a classifier every
        class in both parts."""
        y = np.asarray(self.y_train)
        n_train = y.shape[0]
        n_dev = math.ceil(self.validation_fraction * n_train)
        if n_dev < 2:
            return False
        if not self.is_classifier or y.ndim != 1:
            return True
        classes, counts = np.unique(y, return_counts=True)
        return n_dev >= len(classes) <= n_train - n_dev and counts.min() >= 2

    def params(self, estimator):
        """The knobs' current values, under their ``set_params`` names."""
        values = estimator.get_params(deep=True)
        return {self.prefix + k: values[self.prefix + k] for k in self.knobs}

    def get(self, params, knob, default=None):
        """The value of ``knob`` in ``params``."""
        return params.get(self.prefix + knob, default)

    def epochs(self, fitted):
        """The epochs the fit trained: ``n_iter_``, else all of ``max_iter``."""
        network = unwrap_network(fitted)
        return int(getattr(network, "n_iter_", network.max_iter))

    def converged(self, fitted):
        """False when the fit used every epoch it was given (max_iter)."""
        network = unwrap_network(fitted)
        n_iter = getattr(network, "n_iter_", None)
        return n_iter is None or n_iter < network.max_iter


def _hidden_tuple(sizes):
    return tuple(int(s) for s in np.atleast_1d(np.asarray(sizes, dtype=object)))


def _train_longer(recipe, knobs, params, converged):
    max_iter = knobs.get(params, "max_iter")
    if converged or max_iter >= _MAX_EPOCHS:
        return {}, []
    new = min(max_iter * recipe.growth, _MAX_EPOCHS)
    return (
        {knobs.prefix + "max_iter": new},
        [f"train longer: max_iter {max_iter} -> {new}"],
    )


def _resized(recipe, knobs, params, converged, name, new):
    """The move to hidden layers ``new``, training longer when not converged."""
    hidden = _hidden_tuple(knobs.get(params, "hidden_layer_sizes"))
    changes, text = _train_longer(recipe, knobs, params, converged)
    changes[knobs.prefix + "hidden_layer_sizes"] = new
    return changes, [f"{name}: hidden_layer_sizes {hidden} -> {new}"] + text


def bigger_network(recipe, knobs, params, converged):
    """Every hidden layer ``growth`` times wider, within ``max_hidden_units``."""
    hidden = _hidden_tuple(knobs.get(params, "hidden_layer_sizes"))
    if not hidden:
        return None
    factor = min(recipe.growth, recipe.max_hidden_units / sum(hidden))
    new = tuple(max(h, int(h * factor)) for h in hidden)
    if new == hidden:
        return None
    return _resized(recipe, knobs, params, converged, "bigger network", new)


def deeper_network(recipe, knobs, params, converged):
    """One more hidden layer as wide as the last one."""
    hidden = _hidden_tuple(knobs.get(params, "hidden_layer_sizes"))
    new = hidden + ((hidden[-1],) if hidden else (_FIRST_HIDDEN_WIDTH,))
    if len(new) > _MAX_HIDDEN_LAYERS or sum(new) > recipe.max_hidden_units:
        return None
    changes, text = _resized(recipe, knobs, params, converged, "deeper network", new)
    keep_prob = knobs.get(params, "keep_prob")
    if keep_prob is not None and np.ndim(keep_prob) and len(keep_prob):
        # One keep probability per hidden layer: the new layer repeats the
        # last one.
        changes[knobs.prefix + "keep_prob"] = (*keep_prob, keep_prob[-1])
    return changes, text


def longer_only(recipe, knobs, params, converged):
    """Train longer, when the fit used all its epochs."""
    changes, text = _train_longer(recipe, knobs, params, converged)
    return (changes, text) if changes else None


def raise_alpha(recipe, knobs, params, converged):
    """Ten times the L2 strength, at least 0.1, turning the penalty on."""
    alpha = knobs.get(params, "alpha")
    if alpha >= _MAX_ALPHA:
        return None
    new = min(max(alpha * _ALPHA_FACTOR, _MIN_RAISED_ALPHA), _MAX_ALPHA)
    if knobs.get(params, "penalty", "l2") is None:
        return (
            {knobs.prefix + "penalty": "l2", knobs.prefix + "alpha": new},
            [f"regularization: penalty None -> 'l2', alpha {alpha:g} -> {new:g}"],
        )
    return {knobs.prefix + "alpha": new}, [
        f"regularization: alpha {alpha:g} -> {new:g}"
    ]


def raise_alpha_less(recipe, knobs, params, converged):
    """The L2 strength times sqrt(10), once ``alpha`` is on its ladder.

    Reached only after :func:`raise_alpha` was undone (next_move tries the
    moves in order): a tenfold step that made the dev error worse may have
    overshot, and half of it on a log scale is the next thing to try.
    """
    alpha = knobs.get(params, "alpha")
    if alpha < _MIN_RAISED_ALPHA or alpha >= _MAX_ALPHA:
        return None
    new = float(f"{min(alpha * math.sqrt(_ALPHA_FACTOR), _MAX_ALPHA):.3g}")
    return {knobs.prefix + "alpha": new}, [
        f"regularization, a smaller step: alpha {alpha:g} -> {new:g}"
    ]


def lower_keep_prob(recipe, knobs, params, converged):
    """Dropout keep probabilities 0.2 lower, down to 0.5."""
    if "keep_prob" not in knobs.knobs or not knobs.stochastic:
        return None
    keep_prob = knobs.get(params, "keep_prob")
    values = np.atleast_1d(np.asarray(keep_prob, dtype=float))
    if values.size == 0 or np.all(values <= _MIN_KEEP_PROB):
        return None
    lowered = [
        max(round(float(k) - _KEEP_PROB_STEP, 2), _MIN_KEEP_PROB)
        if k > _MIN_KEEP_PROB
        else float(k)
        for k in values
    ]
    new = lowered[0] if np.ndim(keep_prob) == 0 else tuple(lowered)
    return {knobs.prefix + "keep_prob": new}, [
        f"dropout: keep_prob {keep_prob} -> {new}"
    ]


def augmentation(recipe, knobs, params, converged):
    """The recipe's ``augment`` switched on."""
    if recipe.augment is None or "augment" not in knobs.knobs or not knobs.stochastic:
        return None
    if knobs.get(params, "augment") is not None:
        return None
    return (
        {knobs.prefix + "augment": recipe.augment},
        [f"data augmentation: augment None -> {recipe.augment!r}"],
    )


def other_architecture(recipe, knobs, params, converged):
    """A bigger network, regularized as the rounds before left it."""
    move = bigger_network(recipe, knobs, params, converged=True)
    if move is None:
        return None
    changes, text = move
    return changes, [text[0].replace("bigger network", "another architecture")]


def early_stopping(recipe, knobs, params, converged):
    """``early_stopping=True``, when the network can split off its dev set."""
    if "early_stopping" not in knobs.knobs or not knobs.stochastic:
        return None
    if not knobs.can_split_dev_set():
        return None
    if knobs.get(params, "early_stopping"):
        return None
    return (
        {knobs.prefix + "early_stopping": True},
        ["early stopping: early_stopping False -> True"],
    )


# Size and depth first, then training longer, then how the network trains
# (batch normalization, learning rate and decay, optimizer, initialization).
BIAS_MOVES = (bigger_network, deeper_network, longer_only, *TRAINING_MOVES)
# Early stopping comes last: it trains on less data and ties the end of
# optimization to regularization (the course's orthogonalization point).
VARIANCE_MOVES = (
    raise_alpha,
    raise_alpha_less,
    lower_keep_prob,
    augmentation,
    other_architecture,
    early_stopping,
)


def next_move(recipe, knobs, current, rejected):
    """The first move the current round's diagnosis calls for, not rejected.

    Returns ``(move, (changes, texts))``, or ``(None, None)``.
    """
    diagnosis = current["diagnosis"]
    moves = BIAS_MOVES * diagnosis.high_bias + VARIANCE_MOVES * diagnosis.high_variance
    for move in moves:
        if move in rejected:
            continue
        result = move(recipe, knobs, current["params"], current["converged"])
        if result is not None:
            return move, result
    return None, None
