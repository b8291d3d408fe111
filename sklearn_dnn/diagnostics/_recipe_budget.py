"""The recipe's budget: time first, then epochs, sized round by round.

Before each round after the first, :func:`fit_to_budget` estimates the
round's seconds per epoch from the last round's (scaled by the number of
weights, and by half again when batch normalization comes on) and shrinks the
round's ``max_iter`` so that it fits what is left: the epochs under
``max_total_epochs``, and a share of the seconds under ``max_time`` that
leaves time for the refit, which counts inside ``max_time``. A round is
refused only when fewer than ``MIN_EPOCHS`` epochs would fit.
"""

import math

import numpy as np

#: The fewest epochs a shrunk round may have (fewer teach nothing).
MIN_EPOCHS = 10
#: Batch normalization's extra cost per epoch, relative to the same network.
_BATCH_NORM_COST = 1.5


def n_features_of(X):
    """The number of columns of ``X`` (1 for one-dimensional data)."""
    shape = X.shape if hasattr(X, "shape") else np.shape(X)
    return int(shape[1]) if len(shape) > 1 else 1


def _n_weights(knobs, params, n_features):
    hidden = np.atleast_1d(np.asarray(knobs.get(params, "hidden_layer_sizes")))
    units = [n_features, *(int(h) for h in hidden), 1]
    cost = sum(a * b for a, b in zip(units[:-1], units[1:]))
    return cost * (_BATCH_NORM_COST if knobs.get(params, "batch_norm") else 1.0)


def epoch_seconds(knobs, params, last, n_features):
    """Estimated seconds per epoch of a round with ``params``.

    ``last`` is ``(params, seconds per epoch)`` of the last round run.
    """
    last_params, last_seconds = last
    ratio = _n_weights(knobs, params, n_features) / _n_weights(
        knobs, last_params, n_features
    )
    return last_seconds * ratio


def _seconds_for_round(recipe, search, left):
    """The seconds the next round may take out of the ``left`` ones.

    With ``refit=True`` the refit of the best settings on all of ``X`` follows
    the rounds inside ``max_time``: the round leaves time for the refit of the
    best round so far, and for its own refit should it become the best (its
    fit time times ``refit_ratio``, the refit's examples over the round's).
    """
    if not recipe.refit:
        return left
    return min(left - search.refit_seconds(), left / (1 + search.refit_ratio))


def _epochs_in_time(recipe, knobs, params, search, elapsed, race_cost):
    """The most epochs the time left allows the round, or None without limit.

    ``race_cost`` is the race's epochs in units of the round's own (1 for a
    round without a race).
    """
    if recipe.max_time is None or search.last is None:
        return None
    share = _seconds_for_round(recipe, search, recipe.max_time - elapsed)
    per_epoch = race_cost * epoch_seconds(knobs, params, search.last, search.n_features)
    if per_epoch <= 0:
        return None
    return max(int(share / per_epoch), 0)


def fit_to_budget(recipe, knobs, params, search, elapsed, race_cost=1.0):
    """Shrink the next round to the budget left.

    ``race_cost`` is the epochs of the race that picks the round, in units of
    the round's own: the round's ``max_iter`` leaves time for the race.
    Returns ``(params, note, stop)``: the round's settings (``max_iter``
    perhaps lowered), the text saying it was shrunk (or "") and, when not
    even a few epochs fit, the text saying why the recipe stops (else None).
    """
    if recipe.max_time is not None and elapsed >= recipe.max_time:
        return (
            params,
            "",
            (
                f"stop: max_time={recipe.max_time:g} budget spent: {elapsed:.1f} "
                "seconds elapsed"
            ),
        )
    max_iter = knobs.get(params, "max_iter")
    by_epochs = int((recipe.max_total_epochs - search.spent) / race_cost)
    by_time = _epochs_in_time(recipe, knobs, params, search, elapsed, race_cost)
    allowed = min(by_epochs, math.inf if by_time is None else by_time)
    if allowed >= max_iter:
        return params, "", None
    if allowed < min(MIN_EPOCHS, max_iter):
        which = "max_total_epochs" if by_epochs <= allowed else "max_time"
        limit = getattr(recipe, which)
        kept = " besides the refit" if which == "max_time" and recipe.refit else ""
        return (
            params,
            "",
            (
                f"stop: the {which}={limit:g} budget: {search.spent} epochs trained "
                f"in {elapsed:.1f} s, and fewer than {min(MIN_EPOCHS, max_iter)} "
                f"more epochs of the next change fit in what is left{kept}"
            ),
        )
    allowed = int(allowed)
    return {**params, knobs.prefix + "max_iter": allowed}, "", None


class RoundSearch:
    """The state of the greedy search: history, current and best round.

    ``move`` and ``family`` are those of the round being run (None and None
    for the first); ``rejected`` holds the moves that made a round worse and
    ``tried_alphas`` the ``alpha`` values of the rounds run (kept or
    undone) and of race candidates that lost beyond the noise.
    ``bias_exhausted`` turns true once two bias rounds in a row left the
    dev error no lower than the best so far by more than its standard error;
    ``variance_exhausted`` likewise for two variance rounds in a row, against
    the best dev error before the first of them.
    """

    def __init__(self, params, started):
        self.history, self.rejected, self.tried_alphas = [], set(), set()
        self.params = params  # the settings of the next round
        self.current = self.best = self.move = self.family = None
        self.candidates = []  # the next round's race
        # Whether it trains every candidate at the full budget (not halving),
        # and the folds that judge rounds and candidates (None: the dev split).
        self.full_race, self.n_folds = False, None
        self.unhelpful_bias, self.bias_exhausted = 0, False
        # The best dev error before the unhelpful variance rounds in a row
        # (None: the last variance round helped), and whether two came.
        self.variance_anchor, self.variance_exhausted = None, False
        # (alpha before, alpha after) when the last race's winner changed
        # alpha: a good fit after it refines between the two once.
        self.alpha_jump, self.refined = None, False
        self.spent, self.started = 0, started  # the recipe's clock reading
        # (params, seconds per epoch) of the last round run, and the number of
        # input features: the budget sizes the next round from them.
        self.last, self.n_features = None, None
        # The refit's examples over a round's: all of X against the training
        # split (1.25 for the default dev_size=0.2).
        self.refit_ratio = 1.25

    def elapsed(self, now):
        """Seconds since the search started, at the clock reading ``now``."""
        return now - self.started

    def refit_seconds(self, fit_time=0.0):
        """The estimated seconds of the refit of the best round so far, or of
        a round taking ``fit_time`` seconds should it become the best."""
        best = 0.0 if self.best is None else self.best["fit_time"]
        return self.refit_ratio * max(best, fit_time)

    def rounds_deadline(self, recipe):
        """The clock reading by which the rounds' fits must end (or None).

        With ``refit=True`` the rounds leave time for the refit of the best
        round so far; the refit itself ends by ``max_time``.
        """
        if recipe.max_time is None:
            return None
        reserve = self.refit_seconds() if recipe.refit else 0.0
        return self.started + recipe.max_time - reserve

    def spend(self, epochs):
        """Count ``epochs`` trained (a race's fits) in ``max_total_epochs``."""
        self.spent += epochs

    def record(self, index, entry, estimator, knobs, error):
        """Keep the round or undo it; return the note saying what happened."""
        self.history.append(entry)
        epochs = knobs.epochs(estimator)
        self.spent += epochs
        # The round's own fit only: its folds, scaled by the weights as the
        # estimate is, would shrink tiny rounds by timing noise, and a seeded
        # recipe would differ from fit to fit; the deadline bounds the folds.
        self.last = (entry["params"], entry["fit_time"] / max(epochs, 1))
        self.tried_alphas.add(knobs.get(entry["params"], "alpha"))
        note = self._count_bias_round(entry, error)
        self._count_variance_round(entry)
        entry["undone"] = (
            self.current is not None and entry["dev_error"] > self.current["dev_error"]
        )
        if entry["undone"]:
            self._undo(knobs, entry)
            back = self.current["index"] + 1
            note += (
                f"dev error {error.format(entry['dev_error'])} is above round "
                f"{back}'s {error.format(self.current['dev_error'])}: back to "
                f"round {back}; "
            )
        else:
            self.current = {
                "index": index,
                "params": self.params,
                "dev_error": entry["dev_error"],
                "diagnosis": entry["diagnosis"],
                "converged": knobs.converged(estimator) and not entry.get("cut"),
                "fit_time": entry["fit_time"],
            }
            if self.best is None or entry["dev_error"] < self.best["dev_error"]:
                self.best = {**self.current, "estimator": estimator}
        if self.bias_exhausted and note.startswith("two bias moves"):
            self.current = {k: v for k, v in self.best.items() if k != "estimator"}
        return note

    def _undo(self, knobs, entry):
        """Reject the round's move (an alpha value stays in tried_alphas)."""
        if self.move is not None and self.move.__name__ != "alpha_steps":
            self.rejected.add(self.move)

    def _count_variance_round(self, entry):
        """Count a variance round that left the dev error no lower, beyond its
        standard error, than the best before the rounds in a row that did not
        help; set ``variance_exhausted`` at the second. The anchor stays put
        so that steps each smaller than the noise still count once they add
        up beyond it."""
        if self.family != "variance" or self.best is None:
            return
        anchor = self.variance_anchor
        if anchor is None:
            anchor = self.best["dev_error"]
        if _lower_beyond_noise(entry, anchor):
            self.variance_anchor = None
        elif self.variance_anchor is None:
            self.variance_anchor = anchor
        else:
            self.variance_exhausted = True

    def _count_bias_round(self, entry, error):
        """Count a bias round that did not lower the best dev error beyond its
        standard error; return the note of the second one in a row."""
        if self.family != "bias" or self.best is None or self.bias_exhausted:
            return ""
        if _lower_beyond_noise(entry, self.best["dev_error"]):
            self.unhelpful_bias = 0
            return ""
        self.unhelpful_bias += 1
        if self.unhelpful_bias < 2:
            return ""
        self.bias_exhausted = True
        return (
            "two bias moves in a row left the dev error no lower beyond its "
            "noise: the remaining bias is not avoidable with this data; "
            f"variance moves on round {self.best['index'] + 1}; "
        )


def _lower_beyond_noise(entry, dev_error):
    """Whether the round's dev error is below ``dev_error`` by more than its
    standard error (0 when the diagnosis has none)."""
    noise = entry["diagnosis"].error_standard_errors.get("dev") or 0.0
    return entry["dev_error"] < dev_error - noise
