"""The ``sklearn-dnn`` command line: the course workflow on real data.

``sklearn-dnn recipe`` runs the whole "improving deep neural networks"
workflow on bundled or CSV data and saves the best model;
``sklearn-dnn predict`` applies a saved model to new data;
``sklearn-dnn gradcheck`` checks a network's gradients.

Exit status: 0 success; 1 only for gradcheck's "bug" verdict; 2 bad input or
usage, reported in one line; 3 an internal error, reported as a bug with the
traceback's last line (the whole traceback with ``--debug``).
"""

import sys
import traceback
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from ._common import EXIT_INTERNAL, EXIT_USAGE, UsageError
from ._parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv=None):
    """Run the ``sklearn-dnn`` command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args.command_line = ["sklearn-dnn", *argv]
    prefix = f"sklearn-dnn {args.command}"
    try:
        with warnings.catch_warnings():
            # Running out of epochs is expected here: the recipe's "train
            # longer" step exists for it, and the report shows the curves.
            warnings.simplefilter("ignore", ConvergenceWarning)
            # The saved model holds the CSV's column names; the command line
            # itself passes arrays whose columns are in that order.
            warnings.filterwarnings("ignore", "X does not have valid feature names")
            if getattr(args, "quiet", False):
                # --quiet prints nothing but errors: numpy's overflow notices
                # included (a problem they signal is reported as an error).
                warnings.simplefilter("ignore", RuntimeWarning)
            return args.run(args)
    except (UsageError, InvalidParameterError) as exc:
        message = " ".join(str(exc).split())
        print(f"{prefix}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        # A full disk, a permission, a read-only folder: the system's answer.
        print(f"{prefix}: error: {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        last = " ".join(traceback.format_exception_only(exc)[-1].split())
        last = last if len(last) <= 300 else last[:297] + "..."
        hint = "" if args.debug else " (run again with --debug for the traceback)"
        print(
            f"{prefix}: internal error, a bug in sklearn_dnn: {last}{hint}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _os_error(exc):
    """One line for an ``OSError``: the reason and the file it concerns."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    name = f" ({exc.filename})" if exc.filename else ""
    return " ".join(f"cannot read or write a file: {reason}{name}".split())


if __name__ == "__main__":
    sys.exit(main())
