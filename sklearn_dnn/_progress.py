"""Private progress reporting: an epoch callback that the epoch loop calls.

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
