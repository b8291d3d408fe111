"""How reports print numbers: one place for the package's text output."""

import math


def format_number(value, spec):
    """``value`` formatted with ``spec``; "n/a" for NaN (a ratio of 0 to 0)."""
    return "n/a" if math.isnan(value) else format(value, spec)


def percent(value):
    """An error rate as a percentage with two decimals: ``0.0312 -> '3.12%'``."""
    return f"{100 * value:.2f}%"
