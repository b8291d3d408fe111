"""What every command of the command line shares: exit codes and the console."""

import contextlib
import sys

from ._csv import UsageError

EXIT_OK, EXIT_BUG_VERDICT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

__all__ = [
    "EXIT_BUG_VERDICT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "Console",
    "UsageError",
    "rejected_values",
]


class Console:
    """Prints progress lines unless ``--quiet``."""

    def __init__(self, out, quiet):
        self.out = out
        self.quiet = quiet

    def say(self, text):
        # sys.stdout as it is now: while a progress bar is shown, rich's
        # stand-in prints the line above the bar.
        if not self.quiet:
            print(text, file=sys.stdout if self.out is None else self.out, flush=True)


@contextlib.contextmanager
def rejected_values(what):
    """Report a ``ValueError`` the library raises for the user's values
    (``--epsilon 1e300``, a network too large) as bad input, not a bug."""
    try:
        yield
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from None
