"""The ``sklearn-dnn`` command line: the course workflow on real data.

``sklearn-dnn recipe`` runs the whole "improving deep neural networks"
workflow on bundled or CSV data and saves the best model;
``sklearn-dnn predict`` applies a saved model to new data;
``sklearn-dnn gradcheck`` checks a network's gradients.

Exit status: 0 success; 1 only for gradcheck's "bug" verdict; 2 bad input or
usage, reported in one line; 3 an internal error, reported as a bug with the
traceback's last line (the whole traceback with ``--debug``).
"""

import argparse
import contextlib
import csv
import io
import os
import shlex
import sys
import time
import traceback
import warnings
from collections import namedtuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.multiclass import type_of_target

from ._csv import LoadProgress, UsageError, check_regular_file, read_csv
from ._progress import ProgressBar, report_epochs
from ._report import Report, ReportFolder, atomic_open, default_out, versions

EXIT_OK, EXIT_BUG_VERDICT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

N_ITER_NO_CHANGE = 10  # the networks' default, quoted when a fit stops early
MIN_SAMPLES = 20
MIN_PER_CLASS = 5
LEARNING_CURVE_CV = 3
RECIPE_EXAMPLES = """\
examples:
  sklearn-dnn recipe
  sklearn-dnn recipe --data breast_cancer --baseline-error 0.02 --out report
  sklearn-dnn recipe --data measurements.csv --target label --max-rounds 4
  sklearn-dnn recipe --data prices.csv --target price --task regression
"""

GRADCHECK_EXAMPLES = """\
examples:
  sklearn-dnn gradcheck
  sklearn-dnn gradcheck --hidden-layer-sizes 16,8 --activation tanh --penalty l1
  sklearn-dnn gradcheck --data measurements.csv --target label --n-directions 20
"""

PREDICT_EXAMPLES = """\
examples:
  sklearn-dnn predict --model report/model.skops --data new.csv --out predictions.csv
  sklearn-dnn predict --model report/model.skops --data labelled.csv --target label \\
      --out predictions.csv
"""

Data = namedtuple("Data", "X labels feature_names name")
Split = namedtuple("Split", "X_train X_dev X_test y_train y_dev y_test")


class _Console:
    """Prints progress lines unless ``--quiet``."""

    def __init__(self, out, quiet):
        self.out = sys.stdout if out is None else out
        self.quiet = quiet

    def say(self, text):
        if not self.quiet:
            print(text, file=self.out, flush=True)


# -- data ----------------------------------------------------------------------


def load_data(data, target=None, *, progress=None):
    """Return a ``Data(X, labels, feature_names, name)`` for a bundled set or CSV.

    The labels of a CSV file are its text, exactly as written; ``progress``
    is called as ``progress(lines_read, lines_total)`` while reading one.
    """
    if data in ("digits", "breast_cancer"):
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{data}")()
        names = [str(n) for n in getattr(bunch, "feature_names", [])] or [
            f"x{i}" for i in range(bunch.data.shape[1])
        ]
        return Data(bunch.data.astype(float), bunch.target, names, data)
    X, labels, names, _ = read_csv(data, target, progress=progress)
    return Data(X, labels, names, os.path.basename(data))


def _load_progress(args):
    if args.quiet or args.data in ("digits", "breast_cancer"):
        return None
    check_regular_file(args.data)
    size = os.stat(args.data).st_size
    return LoadProgress(sys.stderr, os.path.basename(args.data), size)


def decide_task(labels, task="auto"):
    """Return ``(task, y, reason)`` for labels as loaded.

    Classification keeps the labels exactly: canonical integers become int64,
    anything else stays the text as written. Regression needs numbers. With
    ``task="auto"`` a numeric target is a regression target when scikit-learn's
    ``type_of_target`` says "continuous", or when it has more distinct values
    than ``max(20, n_samples // 10)``.
    """
    integers = _exact_integers(labels)
    numbers = _numbers(labels)
    if task == "auto":
        task, reason = _auto_task(labels, integers, numbers)
    else:
        reason = "--task"
    if task == "regression":
        if numbers is None:
            raise UsageError(
                "--task regression needs a numeric target; it holds text such as "
                f"{str(_first_text(labels))!r}"
            )
        return task, numbers, reason
    y = integers if integers is not None else np.asarray(labels)
    if len(np.unique(y)) < 2:
        raise UsageError(
            "the target has a single class; a classifier needs two or more"
        )
    return task, y, reason


def _exact_integers(labels):
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu":
        return labels
    try:
        ints = labels.astype(np.int64)
    except (ValueError, OverflowError):
        return None
    return ints if np.array_equal(ints.astype(str), labels) else None


def _numbers(labels):
    try:
        values = np.asarray(labels).astype(np.float64)
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None


def _first_text(labels):
    for label in labels:
        try:
            float(label)
        except ValueError:
            return label
    return labels[0]


def _auto_task(labels, integers, numbers):
    if numbers is None:
        return "classification", "text labels"
    kind = type_of_target(numbers)
    n_values, limit = len(np.unique(numbers)), max(20, len(numbers) // 10)
    if kind == "continuous":
        return "regression", "non-integer numeric target"
    if n_values > limit:
        return "regression", f"{n_values} distinct numeric values (more than {limit})"
    return "classification", f"{n_values} distinct labels"


def check_recipe_sizes(y, task):
    """Raise a UsageError when the data is too small for the recipe's steps."""
    n = len(y)
    if n < MIN_SAMPLES:
        raise UsageError(
            f"only {n} examples; the recipe needs at least {MIN_SAMPLES} for its "
            "train, dev and test splits and the cross-validated learning curve"
        )
    if task == "classification":
        classes, counts = np.unique(y, return_counts=True)
        small = int(np.argmin(counts))
        if counts[small] < MIN_PER_CLASS:
            raise UsageError(
                f"class {str(classes[small])!r} has only {counts[small]} "
                f"example(s); every class needs at least {MIN_PER_CLASS} to appear "
                "in the train, dev and test splits (drop or merge rare classes)"
            )


# -- the recipe, step by step --------------------------------------------------


def run_recipe(args, out=None):
    """Run the course workflow, save the model and write the report."""
    console = _Console(out, args.quiet)
    started = time.perf_counter()
    folder = ReportFolder(args.out or default_out(), force=args.force)
    report = Report(folder, _report_header(args))
    with _keep_or_discard(folder, report):
        data = load_data(args.data, args.target, progress=_load_progress(args))
        task, y, reason = decide_task(data.labels, args.task)
        check_recipe_sizes(y, task)
        _describe_data(console, report, data, y, task, reason)
        split = _split(data.X, y, task, args, console, report)
        _distribution_check(split, data, args, console, report)
        model, recipe = _run_rounds(split, task, args, console, report)
        _final_scores(model, recipe, split, task, console, report)
        _save_model(model, folder, console, report)
        _write_figures(model, split, data.name, args, folder, report)
        report.update(
            status="complete", runtime_seconds=round(time.perf_counter() - started, 2)
        )
    console.say(f"report: {folder.file('report.json')}")
    for name in report.fields["figures"].values():
        console.say(f"figure: {folder.file(name)}")
    return EXIT_OK


@contextlib.contextmanager
def _keep_or_discard(folder, report):
    """On failure keep what the rounds produced, or remove a folder unused."""
    try:
        yield
    except BaseException as exc:
        if report.fields.get("round_log"):
            report.failed(exc)
        else:
            folder.discard()
        raise


def _report_header(args):
    options = {k: v for k, v in vars(args).items() if k not in ("run", "command_line")}
    return {
        "command_line": shlex.join(args.command_line),
        "options": options,
        "random_state": args.random_state,
        "versions": versions(),
    }


def _describe_data(console, report, data, y, task, reason):
    n, d = data.X.shape
    classes = {}
    if task == "classification":
        values, counts = np.unique(y, return_counts=True)
        classes = {"classes": values, "class_counts": counts}
        what = f"{len(values)} classes"
    else:
        what = "a numeric target"
    console.say(f"data: {data.name}, {n} examples, {d} features, {what}")
    console.say(f"task: {task} ({reason}; --task overrides)")
    report.fields.update(
        task=task,
        task_reason=reason,
        data={
            "name": data.name,
            "n_samples": n,
            "n_features": d,
            **classes,
            "feature_names": data.feature_names,
        },
    )


def _split(X, y, task, args, console, report):
    from . import suggest_split_sizes, train_dev_test_split

    _, n_dev, n_test = suggest_split_sizes(X.shape[0])
    parts = train_dev_test_split(
        X,
        y,
        dev_size=n_dev,
        test_size=n_test,
        stratify=y if task == "classification" else None,
        random_state=args.random_state,
    )
    split = Split(*parts)
    sizes = {k: len(getattr(split, f"y_{k}")) for k in ("train", "dev", "test")}
    console.say(
        f"split: train {sizes['train']} / dev {sizes['dev']} / test {sizes['test']}"
    )
    report.fields["split"] = sizes
    return split


def _distribution_check(split, data, args, console, report):
    from . import check_same_distribution

    check = check_same_distribution(
        split.X_dev, split.X_test, random_state=args.random_state
    )
    verdict = "same distribution" if check.same else "DIFFERENT distributions"
    console.say(f"dev vs test: {verdict} (domain-classifier AUC {check.auc:.3f})")
    report.fields["distribution_check"] = {
        "same": bool(check.same),
        "auc": float(check.auc),
        "top_features": [
            data.feature_names[i] if isinstance(i, int | np.integer) else i
            for i in check.top_features
        ],
        "report": str(check),
    }


def recipe_network(task, random_state):
    """Return the pipeline the recipe starts from: normalized inputs, one layer."""
    from sklearn.pipeline import make_pipeline

    from . import DNNClassifier, DNNRegressor, InputNormalizer

    network = DNNClassifier if task == "classification" else DNNRegressor
    return make_pipeline(
        InputNormalizer(),
        network(
            hidden_layer_sizes=(16,),
            max_iter=50,
            n_iter_no_change=N_ITER_NO_CHANGE,
            random_state=random_state,
        ),
    )


def _run_rounds(split, task, args, console, report):
    """Fit the recipe on train+dev; return the final model and the recipe."""
    from sklearn.base import clone

    from . import BasicRecipe

    recipe = BasicRecipe(
        recipe_network(task, args.random_state),
        baseline_error=args.baseline_error,
        max_rounds=args.max_rounds,
        dev_size=len(split.y_dev),
        random_state=args.random_state,
        verbose=1,
    )
    model = recipe if task == "classification" else _scaled_target(recipe)
    bar = ProgressBar(sys.stderr, N_ITER_NO_CHANGE, enabled=not args.quiet)
    log = _RoundLog(console, bar, report, args.max_rounds)
    X = np.concatenate([split.X_train, split.X_dev])
    y = np.concatenate([split.y_train, split.y_dev])
    with report_epochs(bar), contextlib.redirect_stdout(log):
        model.fit(X, y)
    log.finish()
    if task == "classification":
        return recipe.best_estimator_, recipe
    # The recipe predicts with its best_estimator_: keep only that.
    recipe = model.regressor_
    model.regressor_ = recipe.best_estimator_
    model.regressor = clone(recipe.best_estimator_)
    return model, recipe


def _scaled_target(regressor):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


class _RoundLog(io.TextIOBase):
    """Stands for stdout during the rounds: each round line rewrites the report.

    The progress bar is erased before any line is printed (so it is never left
    glued to it), and a fit that stopped before its last epoch says why.
    """

    def __init__(self, console, bar, report, max_rounds):
        self.console, self.bar, self.report = console, bar, report
        self.max_rounds = max_rounds
        self.pending = ""
        self.lines = []
        self.bar.label = f"round 1/{max_rounds} "

    def write(self, text):
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            self._line(line)
        return len(text)

    def _line(self, line):
        note = self.bar.finish()
        self.console.say(line)
        if line.startswith("[BasicRecipe] round"):
            self.lines.append(line.removeprefix("[BasicRecipe] "))
            self.report.update(round_log=self.lines)
            done = len(self.lines) >= self.max_rounds or "stop:" in line
            self.bar.label = (
                "refit " if done else f"round {len(self.lines) + 1}/{self.max_rounds} "
            )
        if note:
            self.console.say(f"  {note}")

    def finish(self):
        """Erase the bar after the refit; say so if it stopped early."""
        note = self.bar.finish()
        if note:
            self.console.say(f"  refit: {note}")


def _final_scores(model, recipe, split, task, console, report):
    best = recipe.history_[recipe.best_index_]
    scores = {
        "best_round": recipe.best_index_ + 1,
        "best_round_train_error": float(best["train_error"]),
        "best_round_dev_error": float(best["dev_error"]),
    }
    console.say(
        f"best round {scores['best_round']}: train error "
        f"{scores['best_round_train_error']:.4f}, dev error "
        f"{scores['best_round_dev_error']:.4f}; refit on train+dev"
    )
    if task == "classification":
        scores["refit_train_accuracy"] = float(
            model.score(split.X_train, split.y_train)
        )
        scores["test_accuracy"] = float(model.score(split.X_test, split.y_test))
        console.say(f"final: test accuracy {scores['test_accuracy']:.4f}")
    else:
        from sklearn.metrics import r2_score, root_mean_squared_error

        predicted = model.predict(split.X_test)
        scores["test_r2"] = float(r2_score(split.y_test, predicted))
        scores["test_rmse"] = float(root_mean_squared_error(split.y_test, predicted))
        console.say(
            f"final: test R^2 {scores['test_r2']:.4f}, RMSE {scores['test_rmse']:.4g}"
        )
    report.update(
        rounds=[_round_record(r) for r in recipe.history_],
        best_params=recipe.best_params_,
        final_scores=scores,
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


def _save_model(model, folder, console, report):
    from .persistence import dump

    dump(model, folder.file("model.skops"))
    folder.written.append("model.skops")
    report.update(model="model.skops")
    console.say(f"model: {folder.file('model.skops')}")


# -- figures -------------------------------------------------------------------


def _write_figures(model, split, data_name, args, folder, report):
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
        report.update(figures={})
        return
    from .diagnostics._validation import unwrap_network

    network = unwrap_network(model)
    what = f"{_describe_network(network)} on {data_name}"
    figures = {}
    try:
        figures["learning_curve"] = _learning_curve(
            model, split, what, args, folder, report
        )
        figures["loss_curve"] = _loss_curve(network, what, folder)
        figures["gradient_norms"] = _gradient_norms(network, what, folder)
    finally:
        plt.close("all")
        report.update(figures=figures)


def _describe_network(network):
    return (
        f"{type(network).__name__}(hidden_layer_sizes="
        f"{tuple(network.hidden_layer_sizes)}, alpha={network.alpha:g})"
    )


def _learning_curve(model, split, what, args, folder, report):
    import matplotlib.pyplot as plt

    from . import BiasVarianceDisplay

    fig, ax = plt.subplots(figsize=(7, 4.5))
    display = BiasVarianceDisplay.from_estimator(
        model,
        split.X_train,
        split.y_train,
        cv=LEARNING_CURVE_CV,
        baseline_error=args.baseline_error,
        ax=ax,
    )
    ax.set_title(
        f"Learning curve: {what}\n{LEARNING_CURVE_CV}-fold cross-validation "
        "of the training split",
        fontsize=9,
    )
    diagnosis = display.diagnosis
    report.fields["learning_curve"] = {
        "cv": LEARNING_CURVE_CV,
        "data": "training split",
        "train_sizes": display.train_sizes,
        "mean_train_errors": np.mean(display.train_errors, axis=1),
        "mean_dev_errors": np.mean(display.dev_errors, axis=1),
        "case": diagnosis.case,
        "avoidable_bias": diagnosis.avoidable_bias,
        "variance": diagnosis.variance,
    }
    return folder.save_figure(fig, "learning_curve.png")


def _loss_curve(network, what, folder):
    import matplotlib.pyplot as plt

    from . import LossCurveDisplay

    fig, ax = plt.subplots(figsize=(7, 4.5))
    LossCurveDisplay.from_estimator(network, ax=ax)
    ax.set_title(
        f"Training cost J per epoch: {what}\nfinal model (train+dev)", fontsize=9
    )
    return folder.save_figure(fig, "loss_curve.png")


def _gradient_norms(network, what, folder):
    import matplotlib.pyplot as plt

    from . import diagnose_gradients

    fig, ax = plt.subplots(figsize=(7, 4.5))
    diagnose_gradients(network).plot(ax=ax)
    ax.set_title(
        f"Gradient norms per layer: {what}\nfinal model (train+dev)", fontsize=9
    )
    return folder.save_figure(fig, "gradient_norms.png")


# -- predict -------------------------------------------------------------------


def run_predict(args, out=None):
    """Predict with a model saved by ``recipe``; write the predictions CSV."""
    console = _Console(out, args.quiet)
    _check_new_file(args.out, args.force)
    check_regular_file(args.model, "--model")
    model = _load_model(args.model)
    X, names = _features_for(model, args)
    predictions = model.predict(X)
    header, columns = ["prediction"], [predictions]
    if hasattr(model, "predict_proba"):
        header += [f"proba_{c}" for c in model.classes_]
        columns += list(model.predict_proba(X).T)
    with atomic_open(args.out) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*(_csv_cells(c) for c in columns)))
    console.say(f"predictions: {len(predictions)} rows written to {args.out}")
    return EXIT_OK


def _check_new_file(path, force):
    if os.path.lexists(path) and not force:
        raise UsageError(
            f"--out {path!r} exists; choose a new name, or pass --force to replace it"
        )
    if os.path.isdir(path):
        raise UsageError(f"--out {path!r} is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write to --out {path!r}: no writable folder {folder!r}"
        )


def _load_model(path):
    from .persistence import load

    try:
        return load(path)
    except (ValueError, TypeError) as exc:
        message = " ".join(str(exc).split())
        raise UsageError(f"cannot load --model {path!r}: {message}") from None


def _features_for(model, args):
    X, _, names, _ = read_csv(args.data, want_target=False)
    if args.target is not None:
        if args.target not in names:
            raise UsageError(f"unknown --target column {args.target!r}")
        keep = [i for i, name in enumerate(names) if name != args.target]
        X, names = X[:, keep], [names[i] for i in keep]
    expected = model.n_features_in_
    if X.shape[1] != expected:
        raise UsageError(
            f"{args.data!r} has {X.shape[1]} feature columns, the model expects "
            f"{expected}"
            + ("" if args.target else "; name the label column with --target")
        )
    return X, names


def _csv_cells(values):
    if values.dtype.kind == "f":
        return [repr(float(v)) for v in values]
    return [str(v) for v in values]


# -- gradcheck -----------------------------------------------------------------


def run_gradcheck(args, out=None):
    """Gradient-check a network on the data; exit 1 on a "bug" verdict."""
    from sklearn.preprocessing import StandardScaler

    from . import DNNClassifier, DNNRegressor, gradient_check

    console = _Console(out, False)
    data = load_data(args.data, args.target)
    task, y, _ = decide_task(data.labels, args.task)
    X = data.X
    if args.n_samples < X.shape[0]:
        rng = np.random.RandomState(args.random_state)
        keep = rng.choice(X.shape[0], args.n_samples, replace=False)
        X, y = X[keep], y[keep]
    X = StandardScaler().fit_transform(X)
    network = (DNNClassifier if task == "classification" else DNNRegressor)(
        hidden_layer_sizes=args.hidden_layer_sizes,
        activation=args.activation,
        penalty=None if args.penalty == "none" else args.penalty,
        alpha=args.alpha,
        keep_prob=args.keep_prob,
        batch_norm=args.batch_norm,
        max_iter=max(args.max_iter, 1),
        random_state=args.random_state,
    )
    if args.max_iter > 0:
        network.fit(X, y)
    result = gradient_check(
        network, X, y, epsilon=args.epsilon, n_directions=args.n_directions
    )
    console.say(f"data: {data.name}, {X.shape[0]} examples, {X.shape[1]} features")
    console.say(str(result))
    return EXIT_BUG_VERDICT if result.verdict == "bug" else EXIT_OK


# -- argument parsing ----------------------------------------------------------


def _number(kind, low=None, high=None, *, low_open=False, high_open=False):
    """An argparse type: a number of ``kind`` within the given bounds."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not a {kind.__name__}: {text!r}"
            ) from None
        below = low is not None and (value <= low if low_open else value < low)
        above = high is not None and (value >= high if high_open else value > high)
        if below or above or value != value:
            left = "(" if low_open else "["
            right = ")" if high_open else "]"
            span = f"{left}{'-inf' if low is None else low}, "
            span += f"{'inf' if high is None else high}{right}"
            raise argparse.ArgumentTypeError(f"{text} is not in {span}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _layer_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.replace(" ", "").split(",") if s)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"comma-separated integers expected, got {text!r}"
        ) from None
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"positive widths expected, got {text!r}")
    return sizes


def _common_arguments(parser):
    parser.add_argument(
        "--debug",
        action="store_true",
        help="print the full traceback of an internal error",
    )


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
        "--task",
        default="auto",
        choices=["auto", "classification", "regression"],
        help="auto (default) picks regression for a numeric target that is "
        "continuous or has more than max(20, n_samples/10) distinct values",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the splits, initialisation and training (default: 0)",
    )
    _common_arguments(parser)


def _recipe_parser(commands):
    recipe = commands.add_parser(
        "recipe",
        help="run the whole improve-a-network workflow and write a report",
        description=(
            "Split the data into train/dev/test with size-aware ratios, check "
            "that dev and test come from the same distribution, normalize the "
            "inputs, run the basic recipe (fix high bias first, then high "
            "variance) with a progress bar, print each round's diagnosis and "
            "the final test score (accuracy, or R^2 and RMSE for regression), "
            "and write to --out: report.json (rewritten after each round, with "
            "its status), the best model as model.skops, and the learning-curve, "
            "loss-curve and gradient-norm PNGs."
        ),
        epilog=RECIPE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_arguments(recipe)
    recipe.add_argument(
        "--baseline-error",
        type=_number(float, 0.0, 1.0, high_open=True),
        default=0.0,
        help="human-level (Bayes) error to measure avoidable bias against, "
        "in [0, 1) (default: 0.0)",
    )
    recipe.add_argument(
        "--max-rounds",
        type=_number(int, 1),
        default=6,
        help="budget of recipe rounds, each one fit (default: 6)",
    )
    recipe.add_argument(
        "--out",
        default=None,
        help="a new or empty folder for the report, the model and the PNGs "
        "(default: a new sklearn-dnn-report-<time> folder here)",
    )
    recipe.add_argument(
        "--force",
        action="store_true",
        help="accept a non-empty --out folder; only the files this command "
        "writes are replaced",
    )
    recipe.add_argument("--quiet", action="store_true", help="print nothing but errors")
    recipe.set_defaults(run=run_recipe)


def _gradcheck_parser(commands):
    gradcheck = commands.add_parser(
        "gradcheck",
        help="check a network's backprop gradients against numerical ones",
        description=(
            "Build a network on the data (standardized, subsampled to "
            "--n-samples), optionally train it for --max-iter epochs, and "
            "compare backpropagation's gradient of the cost J (penalty "
            "included, dropout off) with two-sided differences. Prints the "
            "verdict (great <= 1e-7 < check <= 1e-3 < bug) and the relative "
            "difference of each W[l] and b[l]. Exit status: 0 for great or "
            "check, 1 for bug, 2 for bad input, 3 for an internal error."
        ),
        epilog=GRADCHECK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_arguments(gradcheck)
    add = gradcheck.add_argument
    add(
        "--hidden-layer-sizes",
        type=_layer_sizes,
        default=(10, 5),
        help="comma-separated hidden layer widths (default: 10,5)",
    )
    add(
        "--activation",
        default="tanh",
        choices=["relu", "leaky_relu", "tanh", "logistic", "identity"],
        help="hidden activation (default: tanh)",
    )
    add(
        "--penalty",
        default="l2",
        choices=["l2", "l1", "elasticnet", "none"],
        help="weight penalty included in J; none is the API's penalty=None "
        "(default: l2)",
    )
    add(
        "--alpha",
        type=_number(float, 0.0),
        default=0.1,
        help="penalty strength, >= 0 (default: 0.1)",
    )
    add(
        "--keep-prob",
        type=_number(float, 0.0, 1.0, low_open=True),
        default=1.0,
        help="dropout keep probability in (0, 1]; the check itself runs "
        "with dropout off, as gradient checking requires (default: 1.0)",
    )
    add(
        "--batch-norm",
        action="store_true",
        help="batch-normalize the hidden layers; gamma[l] and beta[l] are checked too",
    )
    add(
        "--epsilon",
        type=_number(float, 0.0, low_open=True),
        default=1e-7,
        help="step size, > 0 (default: 1e-7)",
    )
    add(
        "--n-directions",
        type=_number(int, 1),
        default=None,
        help="check this many random directions instead of every parameter "
        "(fast for big networks)",
    )
    add(
        "--n-samples",
        type=_number(int, 1),
        default=200,
        help="examples used for the check (default: 200)",
    )
    add(
        "--max-iter",
        type=_number(int, 0),
        default=0,
        help="train this many epochs before checking (default: 0, check the "
        "initial parameters)",
    )
    gradcheck.set_defaults(run=run_gradcheck)


def _predict_parser(commands):
    predict = commands.add_parser(
        "predict",
        help="predict with a model saved by 'recipe' and write a CSV",
        description=(
            "Load a model.skops written by 'sklearn-dnn recipe' (safely: only "
            "the types such a model holds are accepted), apply it to the "
            "feature columns of a CSV file, and write one row per example: "
            "the prediction, then each class's probability for a classifier."
        ),
        epilog=PREDICT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    predict.add_argument("--model", required=True, help="the model.skops file")
    predict.add_argument(
        "--data",
        required=True,
        help="CSV file with a header row and the model's feature columns, in "
        "the order used for training",
    )
    predict.add_argument(
        "--target",
        default=None,
        help="a label column to ignore, if the file has one",
    )
    predict.add_argument(
        "--out", required=True, help="the predictions CSV file to write (must be new)"
    )
    predict.add_argument(
        "--force", action="store_true", help="replace --out if it exists"
    )
    predict.add_argument(
        "--quiet", action="store_true", help="print nothing but errors"
    )
    _common_arguments(predict)
    predict.set_defaults(run=run_predict)


def build_parser():
    """Return the ``argparse`` parser of the ``sklearn-dnn`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="sklearn-dnn",
        description="Build and improve deep neural networks the scikit-learn way.",
        epilog="Run 'sklearn-dnn COMMAND --help' for a command's options. Exit "
        "status: 0 success, 1 gradcheck's 'bug' verdict, 2 bad input or usage, "
        "3 an internal error (a bug in sklearn_dnn).",
    )
    parser.add_argument(
        "--version", action="version", version=f"sklearn-dnn {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _recipe_parser(commands)
    _gradcheck_parser(commands)
    _predict_parser(commands)
    return parser


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
            return args.run(args)
    except (UsageError, InvalidParameterError) as exc:
        message = " ".join(str(exc).split())
        print(f"{prefix}: error: {message}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
