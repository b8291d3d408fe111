"""What the Displays share, as in scikit-learn's ``sklearn.utils._plotting``.

A Display's ``plot(ax=None, ...)`` checks that matplotlib is installed, draws
on ``ax`` or on new axes, sets ``ax_`` and ``figure_`` once the drawing is
done, and returns the Display. Style keywords merge over the defaults with
scikit-learn's rules: a user's ``c`` replaces a default ``color`` rather than
clashing with it.
"""

import numpy as np

from .._compat import _validate_style_kwargs, check_matplotlib_support


class _Display:
    """Base of the Displays: the axes to draw on, and the drawing's end."""

    def _axes(self, ax):
        """``ax``, or new axes when None; raise if matplotlib is missing."""
        check_matplotlib_support(f"{self.__class__.__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            # Constrained layout keeps titles, labels and legends (even one
            # placed beside the axes) inside the figure.
            _, ax = plt.subplots(layout="constrained")
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


# Corners tried for a box, in order: (legend loc, x, y) in axes coordinates.
_CORNERS = (
    ("upper right", 0.97, 0.97),
    ("upper left", 0.03, 0.97),
    ("lower right", 0.97, 0.03),
    ("lower left", 0.03, 0.03),
    ("center right", 0.97, 0.5),
    ("center left", 0.03, 0.5),
)


def place_clear_of(text, legend, ax, curves, *, move_text=True):
    """Put ``text`` then ``legend`` in corners of ``ax`` no curve crosses.

    ``curves`` is a list of ``(x, y)`` arrays in data coordinates, each
    interpolated finely so that a segment crossing a corner counts. The
    legend also keeps clear of the text. A box with no clear corner goes
    outside the axes, right of them: neither ever covers the curves. With
    ``move_text=False`` the text stays where the caller put it.
    """
    ax.autoscale_view()
    renderer = ax.figure.canvas.get_renderer()
    points = ax.transData.transform(np.vstack([_dense(x, y) for x, y in curves]))

    def clear(box, other=None):
        box = box.expanded(1.1, 1.2)
        return not box.count_contains(points) and not (other and box.overlaps(other))

    for loc, x, y in _CORNERS if move_text else ():
        vertical = loc.split()[0].replace("upper", "top").replace("lower", "bottom")
        text.set(position=(x, y), verticalalignment=vertical)
        text.set(horizontalalignment=loc.split()[1])
        if clear(text.get_window_extent(renderer)):
            break
    else:
        if move_text:
            text.set(position=(1.02, 0.0), horizontalalignment="left")
            text.set(verticalalignment="bottom")
    text_box = text.get_window_extent(renderer)
    for loc, _, _ in _CORNERS:
        legend.set_loc(loc)
        if clear(legend.get_window_extent(renderer), text_box):
            return
    legend.set_loc("upper left")
    legend.set_bbox_to_anchor((1.02, 1.0), transform=ax.transAxes)


def _dense(x, y, n=50):
    """``(x, y)`` with ``n`` points on every segment, as rows of a 2-D array."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2:
        return np.column_stack([x, y])
    t = np.linspace(0, len(x) - 1, n * (len(x) - 1) + 1)
    index = np.arange(len(x))
    return np.column_stack([np.interp(t, index, x), np.interp(t, index, y)])
