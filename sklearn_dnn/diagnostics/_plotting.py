"""What the Displays share, as in scikit-learn's ``sklearn.utils._plotting``.

A Display's ``plot(ax=None, ...)`` checks that matplotlib is installed, draws
on ``ax`` or on new axes, sets ``ax_`` and ``figure_`` once the drawing is
done, and returns the Display. Style keywords merge over the defaults with
scikit-learn's rules: a user's ``c`` replaces a default ``color`` rather than
clashing with it.
"""

from .._compat import _validate_style_kwargs, check_matplotlib_support


class _Display:
    """Base of the Displays: the axes to draw on, and the drawing's end."""

    def _axes(self, ax):
        """``ax``, or new axes when None; raise if matplotlib is missing."""
        check_matplotlib_support(f"{self.__class__.__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        return ax

    def _drawn(self, ax):
        """Set ``ax_`` and ``figure_`` and return the Display."""
        # Set past a frozen dataclass's guard: the axes drawn on are not part
        # of a frozen result's value.
        object.__setattr__(self, "ax_", ax)
        object.__setattr__(self, "figure_", ax.figure)
        return self


def style(defaults, user_kw):
    """``defaults`` updated by the user's keywords (None for none)."""
    return _validate_style_kwargs(defaults, user_kw or {})
