"""Private progress reporting: an epoch callback and a text progress bar.

The command line installs a callback (to draw a progress bar) for the
duration of a fit; estimators themselves hold no reference to it, so they
stay picklable.
"""

import contextlib
import contextvars

_EPOCH_CALLBACK = contextvars.ContextVar("sklearn_dnn_epoch_callback", default=None)


@contextlib.contextmanager
def report_epochs(callback):
    """Call ``callback(epoch, n_epochs, loss)`` after each training epoch."""
    token = _EPOCH_CALLBACK.set(callback)
    try:
        yield
    finally:
        _EPOCH_CALLBACK.reset(token)


def notify_epoch(epoch, n_epochs, loss):
    """Tell the installed callback, if any, that an epoch ended."""
    callback = _EPOCH_CALLBACK.get()
    if callback is not None:
        callback(epoch, n_epochs, loss)


class ProgressBar:
    """A one-line text progress bar over the epochs of each fit.

    Parameters
    ----------
    stream : file object
        Where the bar is drawn; it is drawn only when the stream is a
        terminal (and ``enabled``).
    n_iter_no_change : int
        The fitted estimators' ``n_iter_no_change``, to say why a fit
        stopped before its last epoch.
    width : int, default=30
        Characters of the bar itself.
    """

    def __init__(self, stream, n_iter_no_change, *, enabled=True, width=30):
        self.stream = stream
        self.n_iter_no_change = n_iter_no_change
        self.width = width
        self.label = ""
        self.enabled = enabled and getattr(stream, "isatty", lambda: False)()
        self.drawn = 0
        self.last = None

    def __call__(self, epoch, n_epochs, loss):
        self.last = (epoch, n_epochs)
        if not self.enabled:
            return
        filled = int(self.width * epoch / max(n_epochs, 1))
        bar = "#" * filled + "." * (self.width - filled)
        text = f"  {self.label}[{bar}] epoch {epoch}/{n_epochs}  J={loss:.4f}"
        self.stream.write("\r" + text.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(text)

    def clear(self):
        """Erase the bar, so that the next line starts at the margin."""
        if self.enabled and self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
        self.drawn = 0

    def finish(self):
        """Erase the bar and return why the last fit stopped early, or None."""
        self.clear()
        last, self.last = self.last, None
        if last is None or last[0] >= last[1]:
            return None
        return (
            f"training stopped early at epoch {last[0]} of {last[1]}: no "
            f"improvement for {self.n_iter_no_change} consecutive epochs "
            "(n_iter_no_change)"
        )
