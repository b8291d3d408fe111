"""A race of candidate moves: successive halving at the start of a round.

When a round's diagnosis calls for bias (or variance) moves, the next round
does not bet on one of them: its candidates train side by side on the
training split at a short budget, and the better half by dev error continues
at twice the budget, until one is left (successive halving). That one is the
round: it trains at its full budget and is diagnosed as any round is.

Every fit of the recipe carries a :class:`Deadline`, a scikit-learn callback
that stops training after the epoch during which the recipe's time ran out,
so that no fit overruns ``max_time`` by more than one epoch.
"""

import math
import time
import warnings
from collections import namedtuple

from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from ._validation import unwrap_network

#: The most candidates a round races.
MAX_CANDIDATES = 6
#: The fewest epochs a candidate trains in a rung of the race.
_MIN_RUNG_EPOCHS = 10
#: The most rungs before the round: the first trains a quarter of the
#: round's epochs (regularization shows only after enough of them).
_MAX_RUNGS = 2

#: A candidate move: its move function, a name unique in the race, the
#: round's params with it, and its texts.
Candidate = namedtuple("Candidate", ["move", "name", "params", "texts"])


def now():
    """The recipe's clock: wall-clock seconds, the same in every process."""
    return time.time()


class Deadline:
    """A scikit-learn fit callback that stops training once ``at`` has passed.

    The network checks it at the end of each epoch (each task), so a fit
    ends at most one epoch after ``at``. ``fired`` says whether it stopped
    the fit.

    Parameters
    ----------
    at : float
        The time (as :func:`now` reads it) after which training stops.
    """

    def __init__(self, at):
        self.at = at
        self.fired = False

    def setup(self, estimator, context):
        """Nothing to set up."""

    def teardown(self, estimator, context):
        """Nothing to tear down."""

    def on_fit_task_begin(self, estimator, context):
        """Nothing to do when a task begins."""

    def on_fit_task_end(self, estimator, context):
        """Stop the task's loop when the deadline has passed."""
        if now() >= self.at:
            self.fired = True
        return self.fired


def with_deadline(estimator, at):
    """Add a :class:`Deadline` at ``at`` to the network of ``estimator``.

    Returns the callback, or None when ``at`` is None (no time limit) or the
    network takes no scikit-learn callbacks (its fits are not stopped).
    """
    network = unwrap_network(estimator)
    if at is None or not hasattr(network, "set_callbacks"):
        return None
    deadline = Deadline(at)
    network.set_callbacks(*getattr(network, "_skl_callbacks", []), deadline)
    return deadline


def without_deadline(estimator, deadline):
    """Remove ``deadline`` from the network of ``estimator`` again."""
    if deadline is None:
        return
    network = unwrap_network(estimator)
    kept = [c for c in getattr(network, "_skl_callbacks", []) if c is not deadline]
    network.set_callbacks(*kept)


def fit_with_deadline(estimator, X, y, at):
    """Fit ``estimator`` on ``X, y``, stopping after the epoch past ``at``.

    Returns the seconds the fit took and whether the deadline cut it.
    """
    deadline = with_deadline(estimator, at)
    start = now()
    try:
        with warnings.catch_warnings():
            # The recipe decides how long to train; it reads n_iter_ instead.
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
    finally:
        without_deadline(estimator, deadline)
    return now() - start, deadline is not None and deadline.fired


def split_dev_error(base, error, train, dev, params, at):
    """Fit ``params`` on the training split: a race's judge on the dev split.

    Returns ``(dev error, epochs, seconds, cut)``.
    """
    estimator = clone(base).set_params(**params)
    fit_time, cut = fit_with_deadline(estimator, *train, at)
    network = unwrap_network(estimator)
    epochs = int(getattr(network, "n_iter_", network.max_iter))
    return error(estimator, *dev), epochs, fit_time, cut


def rung_epochs(max_iter, n_rungs_left):
    """A rung's epochs: ``max_iter`` halved once per rung still to come, the
    round's own included (0: the full budget)."""
    return max(min(_MIN_RUNG_EPOCHS, max_iter), math.ceil(max_iter / 2**n_rungs_left))


def n_rungs(n_candidates, full=False):
    """The rungs of a race of ``n_candidates``: ``ceil(log2 n)``, at most 2;
    one at the full budget when ``full``."""
    if full:
        return min(n_candidates - 1, 1)
    return min(math.ceil(math.log2(max(n_candidates, 1))), _MAX_RUNGS)


def _survivors(n_alive, rung, rungs):
    """How many candidates go on after ``rung``: the better half, and the
    best one after the last rung."""
    return 1 if rung == rungs - 1 else math.ceil(n_alive / 2)


def race_cost(n_candidates, full=False):
    """The race's epochs in units of the winner's full budget.

    ``n`` candidates at ``1/2**R`` of it, the better half at twice that, ...,
    and the winner's own round at the full budget (``R`` from
    :func:`n_rungs`); ``n`` candidates at the full budget when ``full``.
    """
    if full:
        return 1.0 + n_candidates * (n_candidates > 1)
    cost, alive, rungs = 1.0, n_candidates, n_rungs(n_candidates)
    for rung in range(rungs):
        cost += alive / 2 ** (rungs - rung)
        alive = _survivors(alive, rung, rungs)
    return cost


def race_epochs(max_iter, n_candidates, full=False):
    """The most epochs a race of ``n_candidates`` and its round can train
    when the round's ``max_iter`` is ``max_iter`` (rungs included)."""
    if full:
        return int(race_cost(n_candidates, full) * max_iter)
    epochs, alive, rungs = max_iter, n_candidates, n_rungs(n_candidates)
    for rung in range(rungs):
        epochs += alive * rung_epochs(max_iter, rungs - rung)
        alive = _survivors(alive, rung, rungs)
    return epochs


def epochs_within(max_iter, n_candidates, epochs_left, full=False):
    """The largest ``max_iter`` up to the given one whose race fits in
    ``epochs_left`` epochs (0 when none does)."""
    while max_iter > 0 and race_epochs(max_iter, n_candidates, full) > epochs_left:
        max_iter -= 1
    return max_iter


def run_race(recipe, knobs, candidates, judge, at, full=False):
    """Race ``candidates`` by successive halving; return the winner and records.

    Each rung fits the candidates still in the race through joblib
    (``recipe.n_jobs``) for a fraction of their ``max_iter`` and keeps the
    better half (ties: the earlier candidate), the best one after the last
    rung or when the deadline ``at`` passed. With ``full`` one rung trains
    every candidate at its full ``max_iter``: successive halving saves time
    but judges at a quarter of the epochs, before a strong ``alpha`` has
    shown its worth, so the recipe races at the full budget when it can
    afford to. ``judge(params, at)`` fits one candidate and returns its
    ``(dev error, epochs, seconds, cut)``: :func:`split_dev_error`, or the
    k-fold error of ``_recipe_cv.cv_dev_error``.
    Returns ``(winner, records)``: the :class:`Candidate` left, and one dict
    per fit with the candidate's ``move``, ``action``, ``rung``,
    ``max_iter`` (its budget), ``epochs`` trained, ``dev_error``,
    ``fit_time`` and ``cut`` (stopped by ``max_time``).
    """
    alive = list(candidates)
    rungs = n_rungs(len(alive), full)
    records = []
    for rung in range(rungs):
        if len(alive) == 1 or (at is not None and now() >= at):
            break
        budgets = [
            rung_epochs(knobs.get(c.params, "max_iter"), 0 if full else rungs - rung)
            for c in alive
        ]
        jobs = (
            delayed(judge)({**c.params, knobs.prefix + "max_iter": budget}, at)
            for c, budget in zip(alive, budgets)
        )
        results = Parallel(n_jobs=recipe.n_jobs)(jobs)
        for c, budget, (dev_error, epochs, fit_time, cut) in zip(
            alive, budgets, results
        ):
            records.append(
                {
                    "move": c.name,
                    "action": "; ".join(c.texts),
                    "rung": rung,
                    "max_iter": budget,
                    "epochs": epochs,
                    "dev_error": dev_error,
                    "fit_time": fit_time,
                    "cut": cut,
                }
            )
        # Best first (sorted is stable: ties keep the candidates' order).
        order = sorted(range(len(alive)), key=lambda i: results[i][0])
        alive = [alive[i] for i in order[: _survivors(len(alive), rung, rungs)]]
    return alive[0], records


def race_summary(records, winner, error):
    """One line on the race: the winner and the runners-up by their last rung."""
    last = {}
    for record in records:
        last[record["move"]] = record
    if not last:
        return ""
    won = last.get(winner.name)
    others = sorted(
        (r for name, r in last.items() if name != winner.name),
        key=lambda r: r["dev_error"],
    )
    runners = ", ".join(
        f"{r['move']} {error.format(r['dev_error'])} ({r['epochs']} epochs)"
        for r in others
    )
    won_text = (
        f"{winner.name} {error.format(won['dev_error'])} ({won['epochs']} epochs)"
        if won
        else winner.name
    )
    return f"race of {len(last)}: winner {won_text}; runners-up {runners}"
