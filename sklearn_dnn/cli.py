"""The ``sklearn-dnn`` command line: the course workflow on real data.

``sklearn-dnn recipe`` runs the whole "improving deep neural networks"
workflow on bundled or CSV data; ``sklearn-dnn gradcheck`` checks a network's
gradients. Bad input gives a one-line error and exit status 2, never a
traceback. Only the package's public API is used here.
"""

import argparse
import csv
import datetime
import json
import math
import os
import platform
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

EXIT_OK, EXIT_BUG, EXIT_USAGE = 0, 1, 2

RECIPE_EXAMPLES = """\
examples:
  sklearn-dnn recipe
  sklearn-dnn recipe --data breast_cancer --baseline-error 0.02 --out report
  sklearn-dnn recipe --data measurements.csv --target label --max-rounds 4
"""

GRADCHECK_EXAMPLES = """\
examples:
  sklearn-dnn gradcheck
  sklearn-dnn gradcheck --hidden-layer-sizes 16,8 --activation tanh --penalty l1
  sklearn-dnn gradcheck --data measurements.csv --target label --n-directions 20
"""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


# -- data ----------------------------------------------------------------------


def load_data(data, target=None):
    """Return ``(X, y, feature_names, name)`` for a bundled set or a CSV file."""
    if data in ("digits", "breast_cancer"):
        from sklearn import datasets

        loader = getattr(datasets, f"load_{data}")
        bunch = loader()
        names = [str(n) for n in getattr(bunch, "feature_names", [])] or [
            f"x{i}" for i in range(bunch.data.shape[1])
        ]
        return bunch.data.astype(float), bunch.target, names, data
    return _load_csv(data, target)


def _load_csv(path, target):
    if not os.path.exists(path):
        raise UsageError(
            f"no such data file: {path!r} (use digits, breast_cancer or a CSV path)"
        )
    if os.path.isdir(path):
        raise UsageError(f"--data {path!r} is a directory, not a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(c.strip() for c in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read {path!r}: {exc}") from None
    if not rows:
        raise UsageError(f"{path!r} is empty: expected a header row and data rows")
    header, body = [c.strip() for c in rows[0]], rows[1:]
    if not body:
        raise UsageError(f"{path!r} has a header but no data rows")
    if target is None:
        target = "target" if "target" in header else header[-1]
    if target not in header:
        raise UsageError(
            f"unknown --target column {target!r}; the columns are: " + ", ".join(header)
        )
    if len(header) < 2:
        raise UsageError(f"{path!r} needs at least one feature column and a target")
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise UsageError(
                f"{path!r} line {line} has {len(row)} fields, the header has "
                f"{len(header)}"
            )
    t = header.index(target)
    labels = [row[t].strip() for row in body]
    missing = [i + 2 for i, v in enumerate(labels) if v.lower() in ("", "nan", "na")]
    if missing:
        raise UsageError(
            f"target column {target!r} has missing (NaN) labels on line "
            f"{missing[0]}"
            + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
        )
    features = [name for i, name in enumerate(header) if i != t]
    X = np.empty((len(body), len(features)))
    for j, (i, name) in enumerate((i, n) for i, n in enumerate(header) if i != t):
        for r, row in enumerate(body):
            try:
                X[r, j] = float(row[i])
            except ValueError:
                raise UsageError(
                    f"feature column {name!r} is not numeric (line {r + 2}: "
                    f"{row[i]!r}); encode it as numbers first"
                ) from None
    if not np.all(np.isfinite(X)):
        bad = features[int(np.argwhere(~np.isfinite(X))[0, 1])]
        raise UsageError(
            f"feature column {bad!r} has missing or infinite values; impute them first"
        )
    y = _labels(labels, target)
    return X, y, features, os.path.basename(path)


def _labels(labels, target):
    try:
        numeric = np.array([float(v) for v in labels])
    except ValueError:
        return np.array(labels)
    if not np.all(np.isfinite(numeric)):
        raise UsageError(f"target column {target!r} has infinite values")
    if np.any(numeric != np.round(numeric)):
        raise UsageError(
            f"target column {target!r} holds non-integer numbers; the recipe "
            "trains a classifier, so it needs class labels"
        )
    return numeric.astype(int)


def _check_classes(y):
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise UsageError(
            "the target has a single class; a classifier needs two or more"
        )
    return classes, counts


# -- output ------------------------------------------------------------------


def _default_out():
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"sklearn-dnn-report-{stamp}"
    candidate, k = base, 1
    while os.path.exists(candidate):
        k += 1
        candidate = f"{base}-{k}"
    return candidate


def _prepare_out(out):
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, ".write-test")
        with open(probe, "w") as handle:
            handle.write("")
        os.remove(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot write to --out {out!r}: {reason}") from None
    return out


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if callable(value) or hasattr(value, "get_params"):
        return type(value).__name__
    return str(value)


class ProgressBar:
    """A one-line text progress bar for the epochs of the current fit."""

    def __init__(self, stream, width=30):
        self.stream = stream
        self.width = width
        self.label = ""
        self.enabled = stream.isatty() if hasattr(stream, "isatty") else False

    def __call__(self, epoch, n_epochs, loss):
        if not self.enabled:
            return
        filled = int(self.width * epoch / max(n_epochs, 1))
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(
            f"\r  {self.label}[{bar}] epoch {epoch}/{n_epochs}  J={loss:.4f}"
        )
        self.stream.flush()

    def clear(self):
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 60) + "\r")
            self.stream.flush()


def _versions():
    import scipy
    import sklearn

    from . import __version__

    return {
        "sklearn_dnn": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


# -- commands ----------------------------------------------------------------


def run_recipe(args, out=None):
    """Run the course workflow and write the report; return the exit status."""
    from . import (
        BasicRecipe,
        DNNClassifier,
        InputNormalizer,
        check_same_distribution,
        suggest_split_sizes,
        train_dev_test_split,
    )
    from ._progress import report_epochs

    out = sys.stdout if out is None else out
    started = time.perf_counter()
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=out))
    if not 0.0 <= args.baseline_error < 1.0:
        raise UsageError("--baseline-error must be in [0, 1)")
    if args.max_rounds < 1:
        raise UsageError("--max-rounds must be at least 1")
    report_dir = _prepare_out(args.out or _default_out())

    X, y, feature_names, name = load_data(args.data, args.target)
    classes, counts = _check_classes(y)
    n_train, n_dev, n_test = suggest_split_sizes(X.shape[0])
    say(
        f"data: {name}, {X.shape[0]} examples, {X.shape[1]} features, "
        f"{len(classes)} classes"
    )
    stratify = y if counts.min() >= 3 else None
    X_train, X_dev, X_test, y_train, y_dev, y_test = train_dev_test_split(
        X,
        y,
        dev_size=n_dev,
        test_size=n_test,
        stratify=stratify,
        random_state=args.random_state,
    )
    say(f"split: train {len(y_train)} / dev {len(y_dev)} / test {len(y_test)}")

    check = check_same_distribution(X_dev, X_test, random_state=args.random_state)
    verdict = "same distribution" if check.same else "DIFFERENT distributions"
    say(f"dev vs test: {verdict} (domain-classifier AUC {check.auc:.3f})")

    model = _recipe_model(DNNClassifier, InputNormalizer, args)
    recipe = BasicRecipe(
        model,
        baseline_error=args.baseline_error,
        max_rounds=args.max_rounds,
        dev_size=len(y_dev),
        random_state=args.random_state,
        verbose=0 if args.quiet else 1,
    )
    bar = ProgressBar(sys.stderr)
    if args.quiet:
        bar.enabled = False
    with report_epochs(bar):
        recipe.fit(np.concatenate([X_train, X_dev]), np.concatenate([y_train, y_dev]))
    bar.clear()
    best = recipe.best_estimator_
    best_round = recipe.history_[recipe.best_index_]
    scores = {
        "best_round": recipe.best_index_ + 1,
        "best_round_train_error": float(best_round["train_error"]),
        "best_round_dev_error": float(best_round["dev_error"]),
        "refit_train_accuracy": float(best.score(X_train, y_train)),
        "test_accuracy": float(best.score(X_test, y_test)),
    }
    say(
        f"best round {scores['best_round']}: train error "
        f"{scores['best_round_train_error']:.4f}, dev error "
        f"{scores['best_round_dev_error']:.4f}; refit on train+dev"
    )
    say(f"final: test accuracy {scores['test_accuracy']:.4f}")
    figures = _write_figures(recipe, best, X_train, y_train, args, report_dir)
    report = {
        "data": {
            "name": name,
            "n_samples": int(X.shape[0]),
            "n_features": int(X.shape[1]),
            "classes": classes,
            "class_counts": counts,
            "feature_names": feature_names,
        },
        "split": {"train": len(y_train), "dev": len(y_dev), "test": len(y_test)},
        "distribution_check": {
            "same": bool(check.same),
            "auc": float(check.auc),
            "top_features": [
                feature_names[i] if isinstance(i, int | np.integer) else i
                for i in check.top_features
            ],
            "report": str(check),
        },
        "baseline_error": args.baseline_error,
        "rounds": [_round_record(r) for r in recipe.history_],
        "final_scores": scores,
        "figures": figures,
        "runtime_seconds": round(time.perf_counter() - started, 2),
        "random_state": args.random_state,
        "versions": _versions(),
    }
    with open(os.path.join(report_dir, "report.json"), "w") as handle:
        json.dump(_jsonable(report), handle, indent=2)
    say(f"report: {os.path.join(report_dir, 'report.json')}")
    for path in figures.values():
        say(f"figure: {path}")
    return EXIT_OK


def _recipe_model(DNNClassifier, InputNormalizer, args):
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        InputNormalizer(),
        DNNClassifier(
            hidden_layer_sizes=(16,),
            max_iter=50,
            random_state=args.random_state,
        ),
    )


def _round_record(entry):
    diagnosis = entry["diagnosis"]
    return {
        "params": entry["params"],
        "train_error": entry["train_error"],
        "dev_error": entry["dev_error"],
        "case": diagnosis.case,
        "avoidable_bias": diagnosis.avoidable_bias,
        "variance": diagnosis.variance,
        "action": entry["action"],
    }


def _write_figures(recipe, best, X_train, y_train, args, report_dir):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "note: matplotlib is not installed; no figures written "
            '(pip install "sklearn-dnn[plot]")',
            file=sys.stderr,
        )
        return {}
    from . import BiasVarianceDisplay, LossCurveDisplay, diagnose_gradients
    from .diagnostics._validation import unwrap_network

    network = unwrap_network(best)
    figures = {}

    fig, ax = plt.subplots(figsize=(6, 4))
    BiasVarianceDisplay.from_estimator(
        best,
        X_train,
        y_train,
        cv=3,
        baseline_error=args.baseline_error,
        ax=ax,
    )
    figures["learning_curve"] = _save(fig, report_dir, "learning_curve.png")

    fig, ax = plt.subplots(figsize=(6, 4))
    LossCurveDisplay.from_estimator(network, ax=ax)
    figures["loss_curve"] = _save(fig, report_dir, "loss_curve.png")

    fig, ax = plt.subplots(figsize=(6, 4))
    diagnose_gradients(network).plot(ax=ax)
    figures["gradient_norms"] = _save(fig, report_dir, "gradient_norms.png")
    plt.close("all")
    return figures


def _save(fig, report_dir, filename):
    path = os.path.join(report_dir, filename)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def run_gradcheck(args, out=None):
    """Gradient-check a network on the data; exit 1 on a "bug" verdict."""
    from . import DNNClassifier, gradient_check

    out = sys.stdout if out is None else out
    X, y, _, name = load_data(args.data, args.target)
    _check_classes(y)
    if args.n_samples < 1:
        raise UsageError("--n-samples must be at least 1")
    if args.n_samples < X.shape[0]:
        rng = np.random.RandomState(args.random_state)
        keep = rng.choice(X.shape[0], args.n_samples, replace=False)
        X, y = X[keep], y[keep]
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    network = DNNClassifier(
        hidden_layer_sizes=_layer_sizes(args.hidden_layer_sizes),
        activation=args.activation,
        penalty=None if args.penalty == "none" else args.penalty,
        alpha=args.alpha,
        keep_prob=args.keep_prob,
        max_iter=max(args.max_iter, 1),
        random_state=args.random_state,
    )
    if args.max_iter > 0:
        network.fit(X, y)
    result = gradient_check(
        network,
        X,
        y,
        epsilon=args.epsilon,
        n_directions=args.n_directions,
    )
    print(f"data: {name}, {X.shape[0]} examples, {X.shape[1]} features", file=out)
    print(result, file=out)
    return EXIT_BUG if result.verdict == "bug" else EXIT_OK


def _layer_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.replace(" ", "").split(",") if s)
    except ValueError:
        raise UsageError(
            f"--hidden-layer-sizes must be comma-separated integers, got {text!r}"
        ) from None
    if any(s <= 0 for s in sizes):
        raise UsageError(f"--hidden-layer-sizes must be positive, got {text!r}")
    return sizes


# -- argument parsing ----------------------------------------------------------


def _data_arguments(parser):
    parser.add_argument(
        "--data",
        default="digits",
        help="digits (default), breast_cancer, or the path of a CSV file with a "
        "header row, numeric feature columns and a label column",
    )
    parser.add_argument(
        "--target",
        default=None,
        help="label column of a CSV file (default: 'target' if present, else "
        "the last column)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the splits, initialisation and training (default: 0)",
    )


def build_parser():
    """Return the ``argparse`` parser of the ``sklearn-dnn`` command."""
    parser = argparse.ArgumentParser(
        prog="sklearn-dnn",
        description="Build and improve deep neural networks the scikit-learn way.",
        epilog="Run 'sklearn-dnn COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    recipe = commands.add_parser(
        "recipe",
        help="run the whole improve-a-network workflow and write a report",
        description=(
            "Split the data into train/dev/test with size-aware ratios, check "
            "that dev and test come from the same distribution, normalize the "
            "inputs, run the basic recipe (fix high bias first, then high "
            "variance) with a progress bar, print each round's diagnosis and "
            "the final test accuracy, and write report.json with the "
            "learning-curve, loss-curve and gradient-norm PNGs to --out."
        ),
        epilog=RECIPE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_arguments(recipe)
    recipe.add_argument(
        "--baseline-error",
        type=float,
        default=0.0,
        help="human-level (Bayes) error to measure avoidable bias against, "
        "in [0, 1) (default: 0.0)",
    )
    recipe.add_argument(
        "--max-rounds",
        type=int,
        default=6,
        help="budget of recipe rounds, each one fit (default: 6)",
    )
    recipe.add_argument(
        "--out",
        default=None,
        help="folder for report.json and the PNGs (default: a new "
        "sklearn-dnn-report-<time> folder in the current directory)",
    )
    recipe.add_argument("--quiet", action="store_true", help="print nothing but errors")
    recipe.set_defaults(run=run_recipe)

    gradcheck = commands.add_parser(
        "gradcheck",
        help="check a network's backprop gradients against numerical ones",
        description=(
            "Build a classifier network on the data (standardized, subsampled "
            "to --n-samples), optionally train it for --max-iter epochs, and "
            "compare backpropagation's gradient of the cost J (penalty "
            "included, dropout off) with two-sided differences. Prints the "
            "verdict (great <= 1e-7 < check <= 1e-3 < bug) and the relative "
            "difference of each W[l] and b[l]. Exit status: 0 for great or "
            "check, 1 for bug, 2 for bad input."
        ),
        epilog=GRADCHECK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_arguments(gradcheck)
    gradcheck.add_argument(
        "--hidden-layer-sizes",
        default="10,5",
        help="comma-separated hidden layer widths (default: 10,5)",
    )
    gradcheck.add_argument(
        "--activation",
        default="tanh",
        choices=["relu", "leaky_relu", "tanh", "logistic", "identity"],
        help="hidden activation (default: tanh)",
    )
    gradcheck.add_argument(
        "--penalty",
        default="l2",
        choices=["l2", "l1", "elasticnet", "none"],
        help="weight penalty included in J (default: l2)",
    )
    gradcheck.add_argument(
        "--alpha", type=float, default=0.1, help="penalty strength (default: 0.1)"
    )
    gradcheck.add_argument(
        "--keep-prob",
        type=float,
        default=1.0,
        help="dropout keep probability of the network; the check itself runs "
        "with dropout off, as gradient checking requires (default: 1.0)",
    )
    gradcheck.add_argument(
        "--epsilon", type=float, default=1e-7, help="step size (default: 1e-7)"
    )
    gradcheck.add_argument(
        "--n-directions",
        type=int,
        default=None,
        help="check this many random directions instead of every parameter "
        "(fast for big networks)",
    )
    gradcheck.add_argument(
        "--n-samples",
        type=int,
        default=200,
        help="examples used for the check (default: 200)",
    )
    gradcheck.add_argument(
        "--max-iter",
        type=int,
        default=0,
        help="train this many epochs before checking (default: 0, check the "
        "initial parameters)",
    )
    gradcheck.set_defaults(run=run_gradcheck)
    return parser


def main(argv=None):
    """Run the ``sklearn-dnn`` command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        with warnings.catch_warnings():
            # Running out of epochs is expected here: the recipe's "train
            # longer" step exists for it, and the report shows the curves.
            warnings.simplefilter("ignore", ConvergenceWarning)
            return args.run(args)
    except UsageError as exc:
        print(f"sklearn-dnn {args.command}: error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"sklearn-dnn {args.command}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError) as exc:
        message = " ".join(str(exc).split())
        print(f"sklearn-dnn {args.command}: error: {message}", file=sys.stderr)
    except Exception as exc:  # never a traceback for the user
        message = " ".join(str(exc).split())
        print(
            f"sklearn-dnn {args.command}: error: {type(exc).__name__}: {message}",
            file=sys.stderr,
        )
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
