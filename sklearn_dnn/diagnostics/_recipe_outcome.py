"""What the recipe ships and what it advises at the end.

**The model shipped is the model described.** Rounds whose dev errors lie
within one standard error of the lowest are equally good as far as the dev
split can tell; among them the recipe ships the one with the fewest high
gaps (then the later one), and its final diagnosis is that round's own. So
a round that says "good fit" and ties on dev error with a round diagnosed
"high variance" is the one shipped.

**Honest advice names the better tool.** When the shipped network's dev
error is above the reference model's cross-validated error beyond the noise
of both, the final advice says so with both figures.
"""

import numpy as np

from ._bias_variance import verdict
from ._noise import gap_standard_error, z_value

#: The confidence of the comparison with the reference model.
_CONFIDENCE = 0.95


def n_high_gaps(diagnosis):
    """The number of high gaps (bias, variance, mismatch, dev overfitting)."""
    return sum(
        bool(getattr(diagnosis, f"high_{gap}"))
        for gap in ("bias", "variance", "data_mismatch", "dev_overfitting")
    )


def shipped_round(history):
    """The index into ``history`` of the round to ship.

    The rounds kept (not undone: an undone round lost to the round the
    recipe went back to) whose dev errors are within one standard error
    (the lowest dev error's own, from its diagnosis; 0 when unknown) of the
    lowest are the candidates; the one with the fewest high gaps wins, the
    later one on ties.

    Parameters
    ----------
    history : list of dict
        The recipe's rounds, each with ``dev_error`` and ``diagnosis``.

    Returns
    -------
    index : int
    """
    dev_errors = np.array([entry["dev_error"] for entry in history])
    lowest = int(np.argmin(dev_errors))
    se = history[lowest]["diagnosis"].error_standard_errors.get("dev") or 0.0
    kept = np.array([not entry.get("undone", False) for entry in history])
    candidates = np.flatnonzero(kept & (dev_errors <= dev_errors[lowest] + se))
    return max(candidates, key=lambda i: (-n_high_gaps(history[i]["diagnosis"]), i))


def _shipping_note(history, index, error):
    """Why round ``index`` is shipped, when it is not the lowest on dev."""
    lowest = int(np.argmin([entry["dev_error"] for entry in history]))
    if history[index]["dev_error"] <= history[lowest]["dev_error"]:
        return ""
    return (
        f", within one standard error of round {lowest + 1}'s "
        f"{error.format(history[lowest]['dev_error'])} and with fewer high gaps"
    )


def final_advice(history, index, baseline, error):
    """The recipe's last word on the round it ships, as text.

    Names the reference model when its cross-validated error is below the
    network's dev error beyond the noise of both (at 95 % confidence).
    """
    entry = history[index]
    dev_error = (
        f"{entry['n_folds']}-fold dev error" if entry.get("n_folds") else "dev error"
    )
    said = (
        f"round {index + 1} shipped ({dev_error} {error.format(entry['dev_error'])}"
        f"{_shipping_note(history, index, error)}): {verdict(entry['diagnosis'])}"
    )
    if "model" not in baseline:
        return said
    dev, reference = entry["dev_error"], baseline["error"]
    dev_se = entry["diagnosis"].error_standard_errors.get("dev")
    se = gap_standard_error(baseline["standard_error"], dev_se)
    figures = (
        f"{baseline['model']} reaches {error.format(reference)} "
        f"({baseline['n_samples']} training rows, cross-validated) where the "
        f"network's {dev_error} is {error.format(dev)}"
    )
    if se is not None and dev - reference > z_value(_CONFIDENCE) * se:
        return (
            f"{said}; {figures}: {baseline['model']} is the better tool for "
            "these data, beyond the noise of both figures"
        )
    return f"{said}; {figures}, no worse beyond the noise"
