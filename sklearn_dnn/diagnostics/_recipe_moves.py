"""The changes BasicRecipe makes between rounds, and the knobs they turn.

A move is a function ``move(recipe, knobs, params, converged)`` that returns
``(changes, texts)`` (the ``set_params`` changes for the next round and their
description) or None when it does not apply. ``recipe`` gives the limits
(``growth``, ``max_hidden_units``, ``max_hidden_layers``, ``augment``),
``knobs`` the :class:`NetworkKnobs` of the estimator, ``params`` the current
knob values and ``converged`` whether the current round stopped before its
``max_iter``. :func:`race_candidates` lists the moves a round races.
"""

import math

import numpy as np
from sklearn.base import is_classifier

from ._recipe_training import TRAINING_MOVES
from ._validation import unwrap_network

# Limits of the changes the recipe makes (the widest layer is bounded by the
# max_hidden_units parameter, the depth by max_hidden_layers).
_FIRST_HIDDEN_WIDTH = 16  # width of the layer added to a network with none
_MIN_NARROWED_WIDTH = 16
_MAX_EPOCHS = 10_000
# alpha races on a log grid of half-decades from 1e-4 to 10 (the values a
# search finds best on tabular sets span all of it), 3 values a race.
ALPHA_GRID = tuple(float(f"{10.0**e:.3g}") for e in np.arange(-4.0, 1.01, 0.5))
_ALPHA_CANDIDATES = 3
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
    "n_iter_no_change",
    "validation_fraction",
)
# Early stopping is judged on at least this many validation rows, with at
# least this patience (fewer rows or epochs stop on noise); when its
# validation split would have to exceed _MAX_VALIDATION_FRACTION of the
# training split, it is not raced.
_MIN_VALIDATION_ROWS = 300
_MAX_VALIDATION_FRACTION = 0.25
_MIN_PATIENCE = 20


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

    def can_split_dev_set(self, fraction=None):
        """Whether early stopping's stratified dev split of the training
        split (``fraction`` of it, by default the network's
        ``validation_fraction``) would succeed: 2 examples or more, and for
        a classifier every class in both parts."""
        y = np.asarray(self.y_train)
        n_train = y.shape[0]
        fraction = self.validation_fraction if fraction is None else fraction
        n_dev = math.ceil(fraction * n_train)
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
    """Every hidden layer ``growth`` times wider, the widest within
    ``max_hidden_units``."""
    hidden = _hidden_tuple(knobs.get(params, "hidden_layer_sizes"))
    if not hidden:
        return None
    factor = min(recipe.growth, recipe.max_hidden_units / max(hidden))
    new = tuple(max(h, int(h * factor)) for h in hidden)
    if new == hidden:
        return None
    return _resized(recipe, knobs, params, converged, "bigger network", new)


def deeper_network(recipe, knobs, params, converged):
    """One more hidden layer as wide as the last one."""
    hidden = _hidden_tuple(knobs.get(params, "hidden_layer_sizes"))
    new = hidden + ((hidden[-1],) if hidden else (_FIRST_HIDDEN_WIDTH,))
    if len(new) > recipe.max_hidden_layers or max(new) > recipe.max_hidden_units:
        return None
    return _deepened(recipe, knobs, params, converged, "deeper network", new)


def narrower_deeper_network(recipe, knobs, params, converged):
    """One more hidden layer, all of them half as wide as the last one."""
    hidden = _hidden_tuple(knobs.get(params, "hidden_layer_sizes"))
    if not hidden or hidden[-1] < 2 * _MIN_NARROWED_WIDTH:
        return None
    new = (hidden[-1] // 2,) * (len(hidden) + 1)
    if len(new) > recipe.max_hidden_layers:
        return None
    name = "narrower and deeper network"
    return _deepened(recipe, knobs, params, converged, name, new)


def _deepened(recipe, knobs, params, converged, name, new):
    """The move to the deeper hidden layers ``new``, keep_prob following."""
    changes, text = _resized(recipe, knobs, params, converged, name, new)
    keep_prob = knobs.get(params, "keep_prob")
    if keep_prob is not None and np.ndim(keep_prob) and len(keep_prob):
        # One keep probability per hidden layer: the new layer repeats the
        # last one.
        changes[knobs.prefix + "keep_prob"] = (keep_prob[-1],) * len(new)
    return changes, text


def longer_only(recipe, knobs, params, converged):
    """Train longer, when the fit used all its epochs."""
    changes, text = _train_longer(recipe, knobs, params, converged)
    return (changes, text) if changes else None


def _alpha_values(alpha, tried):
    """Up to 3 grid values of ``alpha`` to race, none of them in ``tried``.

    The nearest untried value below ``alpha`` that a jump from a smaller
    tried value passed over (to refine), and untried values above ``alpha``
    spread evenly on the log grid up to 10, from the second one up when
    there are enough (half a decade barely changes a fit).
    """
    pool = [v for v in ALPHA_GRID if v not in tried and not math.isclose(v, alpha)]
    lowest = min(tried, default=alpha)
    below = [v for v in pool if lowest < v < alpha]
    above = [v for v in pool if v > alpha]
    values = below[-1:]
    n_above = min(_ALPHA_CANDIDATES - len(values), len(above))
    if n_above:
        first = min(1, len(above) - n_above)
        picks = np.linspace(first, len(above) - 1, n_above).round().astype(int)
        values += [above[i] for i in sorted(set(picks))]
    if len(values) == 3:
        # The middle value first: it wins ties, and a race the budget cuts
        # to one candidate tries it alone.
        values = [values[1], values[0], values[2]]
    return values


def alpha_steps(recipe, knobs, params, tried):
    """The ``alpha`` values a variance race tries, as ``(changes, texts)``.

    Values of the log grid :data:`ALPHA_GRID` (1e-4 to 10) that no round
    has run yet (a value whose round was undone is never tried again) and
    that no race ruled out (see ``_recipe_choice.drop_hopeless_alphas``): the
    nearest below the current ``alpha`` and values above it spread up to 10.
    The ``"l2"`` penalty is turned on if it was off.
    """
    alpha = knobs.get(params, "alpha")
    penalty_off = knobs.get(params, "penalty", "l2") is None
    moves = []
    for new in _alpha_values(0.0 if penalty_off else alpha, tried):
        changes = {knobs.prefix + "alpha": new}
        text = f"regularization: alpha {alpha:g} -> {new:g}"
        if penalty_off:
            changes[knobs.prefix + "penalty"] = "l2"
            text = f"regularization: penalty None -> 'l2', alpha {alpha:g} -> {new:g}"
        moves.append((changes, [text]))
    return moves


def refined_alphas(knobs, jump, tried):
    """The candidates that refine an ``alpha`` won by a jump: coarse to fine.

    ``jump`` is ``(before, after)``, the ``alpha`` a race started from and
    the one that won it. The grid values between them that no round has run
    and no race ruled out, the two nearest to ``after``, as
    ``(move, name, changes, texts)`` tuples like ``race_candidates``'s.
    """
    before, after = jump
    low, high = sorted((before, after))
    between = [v for v in ALPHA_GRID if low < v < high and v not in tried]
    nearest = sorted(between, key=lambda v: abs(math.log(v / after)))[:2]
    return [
        (
            alpha_steps,
            f"alpha {new:g}",
            {knobs.prefix + "alpha": new},
            [f"regularization: alpha {after:g} -> {new:g}"],
        )
        for new in nearest
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
    """``early_stopping=True`` with a patience of at least 20 epochs and at
    least 300 validation rows, when the training split has them."""
    needed = ("early_stopping", "n_iter_no_change", "validation_fraction")
    if not all(k in knobs.knobs for k in needed) or not knobs.stochastic:
        return None
    if knobs.get(params, "early_stopping"):
        return None
    n_train = len(knobs.y_train)
    fraction = max(
        knobs.get(params, "validation_fraction"), _MIN_VALIDATION_ROWS / n_train
    )
    if fraction > _MAX_VALIDATION_FRACTION:
        return None
    fraction = round(fraction, 3)
    patience = max(knobs.get(params, "n_iter_no_change"), _MIN_PATIENCE)
    if not knobs.can_split_dev_set(fraction):
        return None
    return (
        {
            knobs.prefix + "early_stopping": True,
            knobs.prefix + "n_iter_no_change": patience,
            knobs.prefix + "validation_fraction": fraction,
        },
        [
            "early stopping: early_stopping False -> True, n_iter_no_change "
            f"{patience}, validation_fraction {fraction:g}"
        ],
    )


# Size and depth first, then training longer, then how the network trains
# (batch normalization, learning rate and decay, optimizer, initialization).
BIAS_MOVES = (
    bigger_network,
    deeper_network,
    narrower_deeper_network,
    longer_only,
    *TRAINING_MOVES,
)
# The course lists another architecture under variance too: a wider or a
# deeper network, keeping the regularization reached so far. Early stopping
# comes last: it trains on less data and ties the end of optimization to
# regularization (the course's orthogonalization point).
VARIANCE_MOVES = (
    alpha_steps,
    lower_keep_prob,
    augmentation,
    other_architecture,
    deeper_network,
    early_stopping,
)


def _moves_of(recipe, knobs, move, params, converged, tried_alphas):
    """The ``(name, changes, texts)`` of ``move`` on ``params`` (0 or more)."""
    if move is alpha_steps:
        results = alpha_steps(recipe, knobs, params, tried_alphas)
        return [
            (f"alpha {changes[knobs.prefix + 'alpha']:g}", changes, texts)
            for changes, texts in results
        ]
    result = move(recipe, knobs, params, converged)
    if result is None:
        return []
    name = "train longer" if move is longer_only else move.__name__.replace("_", " ")
    return [(name, *result)]


def race_candidates(recipe, knobs, current, rejected, tried_alphas, family):
    """The moves a round races: ``(move, name, changes, texts)`` tuples.

    ``family`` is ``"bias"`` or ``"variance"``; moves in ``rejected`` (they
    made a round worse) are left out, and so are the ``alpha`` values in
    ``tried_alphas`` (those of the rounds run). They come in the family's
    order; the recipe races the first ``MAX_CANDIDATES``.
    """
    moves = BIAS_MOVES if family == "bias" else VARIANCE_MOVES
    found = []
    for move in moves:
        if move in rejected:
            continue
        for name, changes, texts in _moves_of(
            recipe, knobs, move, current["params"], current["converged"], tried_alphas
        ):
            found.append((move, name, changes, texts))
    return found


def honest_texts(knobs, before, params, texts):
    """The texts of a move whose ``max_iter`` the budget may have cut.

    A move that asked to train longer says "train longer" only when its
    round trains more epochs than the round it starts from; otherwise it
    says how ``max_iter`` changed. Returns the texts, or None when the move
    was nothing but training longer and no longer trains longer.
    """
    old = knobs.get(before, "max_iter")
    new = knobs.get(params, "max_iter")
    kept = [t for t in texts if not t.startswith("train longer")]
    if new > old:
        return [*kept, f"train longer: max_iter {old} -> {new}"]
    if not kept:
        return None
    if new < old:
        return [*kept, f"max_iter {old} -> {new} to fit the budget left"]
    return kept
