"""What BasicRecipe does after a round: stop, or set the next round's race.

The diagnosis of the current round picks the family of moves (bias, then
variance; variance only once bias moves stopped helping); the family's
candidate moves are shrunk to the budget left and raced at the start of the
next round (see ``_recipe_race``).
"""

from functools import partial

from . import _recipe_race as clock
from ._recipe_budget import MIN_EPOCHS, fit_to_budget
from ._recipe_cv import cv_dev_error
from ._recipe_moves import honest_texts, race_candidates, refined_alphas
from ._recipe_race import (
    MAX_CANDIDATES,
    Candidate,
    epochs_within,
    race_cost,
    race_summary,
    run_race,
    split_dev_error,
)

STOP_ASKED = "stop: a callback asked to stop after this round"
MISMATCH_NOTE = (
    "data mismatch is high and no change of the network fixes it: make the "
    "training data more like dev (error analysis, more data like dev, "
    "artificial data synthesis)"
)


def stop_text(recipe, search, stop_asked):
    """Why the recipe stops after the current round, or None."""
    diagnosis = search.current["diagnosis"]
    if stop_asked:
        return STOP_ASKED
    if diagnosis.case == "good fit" and diagnosis.uncertain:
        return (
            f"stop: good fit, uncertain: {', '.join(diagnosis.uncertain)} "
            "within the sampling noise; a bigger dev set would tell"
        )
    if diagnosis.case == "good fit":
        return "stop: neither bias nor variance is high"
    if search.variance_exhausted:
        return (
            "stop: two variance moves in a row left the dev error no lower "
            "beyond its noise: further moves would choose among rounds the "
            "dev data cannot tell apart"
        )
    return None


def move_families(recipe, search):
    """The families of moves the current round's diagnosis calls for."""
    diagnosis = search.current["diagnosis"]
    if search.bias_exhausted:
        high = diagnosis.high_bias or diagnosis.high_variance
        return ("variance",) if high else ()
    return ("bias",) * diagnosis.high_bias + ("variance",) * (diagnosis.high_variance)


def budgeted(recipe, knobs, search, found, full=False):
    """The race's candidates shrunk to the budget, and a stop text."""
    cost = race_cost(len(found), full)
    elapsed = search.elapsed(clock.now())
    candidates, stop = [], None
    for move, name, changes, texts in found:
        params = {**search.current["params"], **changes}
        params, _, refused = fit_to_budget(recipe, knobs, params, search, elapsed, cost)
        params, refused = within_epochs(
            recipe, knobs, search, params, refused, found, full
        )
        texts = honest_texts(knobs, search.current["params"], params, texts)
        if refused:
            stop = stop or refused
        elif texts is not None:
            candidates.append(Candidate(move, name, params, texts))
    return candidates, stop


def affordable_race(recipe, knobs, search, found):
    """The race of ``found`` at the full budget when every candidate keeps
    its epochs under it (``search.full_race``); else a race by successive
    halving whose candidates each keep at least half of the current round's
    epochs, and a stop text.

    A candidate the budget would cut below half its epochs (a much larger
    network) leaves that race and the others race without it: one costly
    move must not cut the race to its first few moves (depth last). When
    every candidate falls short, the race halves, down to one candidate (a
    round without a race).
    """
    candidates, stop = budgeted(recipe, knobs, search, found, full=True)
    asked = {name: changes for _, name, changes, _ in found}
    search.full_race = bool(candidates) and all(
        knobs.get(c.params, "max_iter")
        == knobs.get({**search.current["params"], **asked[c.name]}, "max_iter")
        for c in candidates
    )
    if search.full_race:
        return candidates, stop
    racing = list(found)
    while True:
        candidates, stop = budgeted(recipe, knobs, search, racing)
        short = {c.name for c in candidates if not _keeps_half(knobs, search, c)}
        if len(racing) <= 1 or (candidates and not short):
            return candidates, stop
        if candidates and len(short) < len(candidates):
            racing = [move for move in racing if move[1] not in short]
        else:
            racing = racing[: max(len(racing) // 2, 1)]


def _keeps_half(knobs, search, candidate):
    asked = knobs.get(search.current["params"], "max_iter")
    return 2 * knobs.get(candidate.params, "max_iter") >= asked


def within_epochs(recipe, knobs, search, params, refused, found, full=False):
    """``params`` with a ``max_iter`` whose whole race stays under
    ``max_total_epochs`` (the rungs' floor of 10 epochs included)."""
    if refused:
        return params, refused
    left = recipe.max_total_epochs - search.spent
    max_iter = knobs.get(params, "max_iter")
    fitting = epochs_within(max_iter, len(found), left, full)
    if fitting >= min(MIN_EPOCHS, max_iter):
        return {**params, knobs.prefix + "max_iter": fitting}, None
    return params, (
        f"stop: the max_total_epochs={recipe.max_total_epochs} budget: "
        f"{search.spent} epochs trained, and fewer than "
        f"{min(MIN_EPOCHS, max_iter)} more epochs of the next race fit in "
        "what is left"
    )


def choose(recipe, search, index, knobs, stop_asked):
    """Set the next round's race; return the action text and if it stops."""
    stop = stop_text(recipe, search, stop_asked)
    if stop is not None:
        refine = None if stop_asked else refinement(recipe, knobs, search, index)
        return (refine, False) if refine else (stop, True)
    diagnosis = search.current["diagnosis"]
    families = move_families(recipe, search)
    if not families and not (diagnosis.high_bias or diagnosis.high_variance):
        return f"stop: {MISMATCH_NOTE}", True
    if index == recipe.max_rounds - 1:
        return f"stop: max_rounds={recipe.max_rounds} rounds spent", True
    budget_stop = None
    for family in families:
        found = race_candidates(
            recipe, knobs, search.current, search.rejected,
            search.tried_alphas, family,
        )[:MAX_CANDIDATES]  # fmt: skip
        candidates, budget_stop = affordable_race(recipe, knobs, search, found)
        if candidates:
            search.candidates, search.family = candidates, family
            return race_text(candidates, family, diagnosis), False
    return budget_stop or f"stop: no change left for {diagnosis.case}", True


def refinement(recipe, knobs, search, index):
    """Set the race that refines a good fit's ``alpha``; return its text,
    or None when no refinement is due (the recipe then stops).

    A race on the coarse ``alpha`` grid compares values decades apart, so a
    good fit reached by such a jump has not seen the values it passed over:
    before it stops, the recipe races the two nearest to it (coarse to
    fine), once in a fit, when the budget and ``max_rounds`` allow a round.
    """
    jump, search.alpha_jump = search.alpha_jump, None
    due = (
        jump is not None
        and not search.refined
        and search.current["diagnosis"].case == "good fit"
        and search.current["index"] == index < recipe.max_rounds - 1
    )
    if not due:
        return None
    found = refined_alphas(knobs, jump, search.tried_alphas)
    candidates = affordable_race(recipe, knobs, search, found)[0] if found else []
    if not candidates:
        return None
    search.candidates, search.family, search.refined = candidates, "variance", True
    race = race_text(candidates, "variance", search.current["diagnosis"])
    return (
        f"alpha {jump[1]:g} won a jump from {jump[0]:g} over untried values: "
        f"coarse to fine, {race} before stopping"
    )


def race_text(candidates, family, diagnosis):
    if len(candidates) == 1:
        texts = candidates[0].texts
    else:
        names = ", ".join(c.name for c in candidates)
        texts = [f"a race of {len(candidates)} {family} moves ({names})"]
    if diagnosis.high_data_mismatch:
        texts = [*texts, MISMATCH_NOTE]
    return "; ".join(texts)


def race(recipe, knobs, base, error, splits, search):
    """Run the race set by the last round: set its winner as the next
    round's settings; return the race's records and its summary."""
    candidates, search.candidates = search.candidates, []
    base_params = search.current["params"]
    deadline = search.rounds_deadline(recipe)
    judge = race_judge(recipe, base, error, splits, search.n_folds)
    winner, records = run_race(
        recipe, knobs, candidates, judge, deadline, search.full_race
    )
    search.spend(sum(r["epochs"] for r in records))
    drop_hopeless_alphas(knobs, search, candidates, records, winner)
    search.params, search.move = winner.params, winner.move
    search.alpha_jump = None
    if winner.move.__name__ == "alpha_steps":
        search.alpha_jump = tuple(
            knobs.get(params, "alpha") for params in (base_params, winner.params)
        )
    summary = race_summary(records, winner, error)
    change = "; ".join(winner.texts)
    return records, f"{summary}: {change}" if summary else change


def race_judge(recipe, base, error, splits, n_folds):
    """How the race measures a candidate: k-fold over all of ``X`` when the
    rounds are judged so (``n_folds``), else on the dev split."""
    if n_folds is None:
        return partial(split_dev_error, base, error, splits.train, splits.dev)
    X, y = splits.all
    return partial(cv_dev_error, base, error, X, y, n_folds, recipe.random_state)


def drop_hopeless_alphas(knobs, search, candidates, records, winner):
    """Never race again an ``alpha`` whose candidate lost by more than twice
    the dev error's standard error to the winner at the same rung (equal
    epochs): it would take a slot of every later race and lose again."""
    noise = search.current["diagnosis"].error_standard_errors.get("dev") or 0.0
    won = {r["rung"]: r["dev_error"] for r in records if r["move"] == winner.name}
    last = {r["move"]: r for r in records}
    for c in candidates:
        record = last.get(c.name)
        if c.move.__name__ != "alpha_steps" or record is None:
            continue
        if record["dev_error"] > won[record["rung"]] + 2 * noise:
            search.tried_alphas.add(knobs.get(c.params, "alpha"))
