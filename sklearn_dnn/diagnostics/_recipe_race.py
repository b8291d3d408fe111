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


def _fit_candidate(base, params, train, dev, error, at):
    """Fit one candidate of a rung; return its dev error, epochs, time, cut."""
    estimator = clone(base).set_params(**params)
    fit_time, cut = fit_with_deadline(estimator, *train, at)
    network = unwrap_network(estimator)
    epochs = int(getattr(network, "n_iter_", network.max_iter))
    return error(estimator, *dev), epochs, fit_time, cut


def rung_epochs(max_iter, n_rungs_left):
    """A rung's epochs: ``max_iter`` halved once per rung still to come."""
    return max(min(_MIN_RUNG_EPOCHS, max_iter), math.ceil(max_iter / 2**n_rungs_left))


def race_cost(n_candidates):
    """The race's epochs in units of the winner's full budget.

    ``n`` candidates at ``1/2**R`` of it, the better half at twice that, ...,
    and the winner's own round at the full budget (``R = ceil(log2 n)``).
    """
    cost, alive, rungs = 1.0, n_candidates, math.ceil(math.log2(max(n_candidates, 1)))
    for rung in range(rungs):
        cost += alive / 2 ** (rungs - rung)
        alive = math.ceil(alive / 2)
    return cost


def run_race(recipe, knobs, base, candidates, splits, error, at):
    """Race ``candidates`` by successive halving; return the winner and records.

    Each rung fits the candidates still in the race through joblib
    (``recipe.n_jobs``) on the training split, for a fraction of their
    ``max_iter``, and keeps the better half (ties: the earlier candidate).
    Returns ``(winner, records)``: the :class:`Candidate` left, and one dict
    per fit with the candidate's ``move``, ``action``, ``rung``,
    ``max_iter`` (its budget), ``epochs`` trained, ``dev_error``,
    ``fit_time`` and ``cut`` (stopped by ``max_time``).
    """
    alive = list(candidates)
    n_rungs = math.ceil(math.log2(max(len(alive), 1)))
    records = []
    for rung in range(n_rungs):
        if len(alive) == 1 or (at is not None and now() >= at):
            break
        budgets = [
            rung_epochs(knobs.get(c.params, "max_iter"), n_rungs - rung) for c in alive
        ]
        jobs = (
            delayed(_fit_candidate)(
                base,
                {**c.params, knobs.prefix + "max_iter": budget},
                splits.train,
                splits.dev,
                error,
                at,
            )
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
        order = sorted(range(len(alive)), key=lambda i: results[i][0])
        alive = [alive[i] for i in sorted(order[: math.ceil(len(alive) / 2)])]
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
