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
import json
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
from ._report import Report, ReportFolder, atomic_open, default_out, versions

EXIT_OK, EXIT_BUG_VERDICT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

MIN_SAMPLES = 20
MIN_DEV_SAMPLES = 10  # the --dev file gives a dev and a test half
TRAIN_DEV_SHARE = 5  # the train-dev set: at most a fifth of train, at most dev's size
MIN_PER_CLASS = 5
LEARNING_CURVE_CV = 3
RECIPE_EXAMPLES = """\
examples:
  sklearn-dnn recipe
  sklearn-dnn recipe --data breast_cancer --baseline-error 0.02 --out report
  sklearn-dnn recipe --data measurements.csv --target label --max-rounds 4
  sklearn-dnn recipe --data prices.csv --target price --task regression
  sklearn-dnn recipe --data web_photos.csv --dev phone_photos.csv --target label
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

Data = namedtuple("Data", "X labels feature_names name target", defaults=[None])
Sets = namedtuple(
    "Sets",
    "X_train X_dev X_test y_train y_dev y_test task train_dev_size "
    "feature_names data_name",
)


class _Console:
    """Prints progress lines unless ``--quiet``."""

    def __init__(self, out, quiet):
        self.out = out
        self.quiet = quiet

    def say(self, text):
        # sys.stdout as it is now: while a progress bar is shown, rich's
        # stand-in prints the line above the bar.
        if not self.quiet:
            print(text, file=sys.stdout if self.out is None else self.out, flush=True)


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
    X, labels, names, target_name = read_csv(data, target, progress=progress)
    return Data(X, labels, names, os.path.basename(data), target_name)


def _load_progress(path, quiet, option="--data"):
    if quiet or (option == "--data" and path in ("digits", "breast_cancer")):
        return None
    check_regular_file(path, option)
    return LoadProgress(sys.stderr, os.path.basename(path), os.stat(path).st_size)


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
        sets = _prepare(args, console, report)
        with _progress_callbacks(args) as progress:
            recipe, watch = _run_rounds(sets, args, progress, console, report)
            model = _final_model(recipe, sets, progress)
        _final_scores(model, recipe, watch, sets, args, console, report)
        _save_model(model, folder, console, report)
        _write_figures(model, sets, args, folder, report)
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
        if report.fields.get("rounds"):
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


def _prepare(args, console, report):
    """Load, check and split the data; check the distributions; return the sets."""
    data, dev = _load_recipe_data(args)
    task, y, y_dev, reason = _decide_recipe_task(data, dev, args.task)
    check_recipe_sizes(y, task)
    if dev is not None:
        _check_dev_file(y, y_dev, task, args.dev)
    _describe_data(console, report, data, y, task, reason, dev)
    sets = _split(data, y, dev, y_dev, task, args, console, report)
    _distribution_checks(sets, args, console, report)
    return sets


def _load_recipe_data(args):
    data = load_data(
        args.data, args.target, progress=_load_progress(args.data, args.quiet)
    )
    if args.dev is None:
        return data, None
    check_regular_file(args.dev, "--dev")
    progress = _load_progress(args.dev, args.quiet, "--dev")
    try:
        X, labels, names, _ = read_csv(
            args.dev, args.target, progress=progress, option="--dev"
        )
    except UsageError as exc:
        raise UsageError(f"--dev {args.dev!r}: {exc}") from None
    if names != data.feature_names:
        raise UsageError(
            f"--dev {args.dev!r} has the feature columns {', '.join(names)}; "
            f"--data has {', '.join(data.feature_names)}: both need the same "
            "columns, in the same order"
        )
    return data, Data(X, labels, names, os.path.basename(args.dev))


def _decide_recipe_task(data, dev, task):
    """Decide the task on the labels of both files: ``(task, y, y_dev, reason)``."""
    if dev is None:
        task, y, reason = decide_task(data.labels, task)
        return task, y, None, reason
    n = len(data.labels)
    labels = np.concatenate([np.asarray(data.labels).astype(str), dev.labels])
    task, y, reason = decide_task(labels, task)
    return task, y[:n], y[n:], reason


def _check_dev_file(y, y_dev, task, path):
    if len(y_dev) < MIN_DEV_SAMPLES:
        raise UsageError(
            f"--dev {path!r} has only {len(y_dev)} examples; it needs at least "
            f"{MIN_DEV_SAMPLES} to split into dev and test sets"
        )
    if task == "classification":
        unknown = np.setdiff1d(y_dev, y)
        if len(unknown):
            raise UsageError(
                f"--dev {path!r} has class {str(unknown[0])!r}, which --data "
                "lacks: the network can only learn the classes it trains on"
            )


def _describe_data(console, report, data, y, task, reason, dev):
    n, d = data.X.shape
    classes = {}
    if task == "classification":
        values, counts = np.unique(y, return_counts=True)
        classes = {"classes": values, "class_counts": counts}
        what = f"{len(values)} classes"
    else:
        what = "a numeric target"
    console.say(f"data: {data.name}, {n} examples, {d} features, {what}")
    if data.target is not None and report.fields["options"].get("target") is None:
        console.say(f"target: column {data.target!r} (--target names another)")
    if dev is not None:
        console.say(f"dev data: {dev.name}, {dev.X.shape[0]} examples")
    console.say(f"task: {task} ({reason}; --task overrides)")
    described = {"name": data.name, "n_samples": n, "n_features": d, **classes}
    described["feature_names"] = data.feature_names
    if dev is not None:
        described["dev_file"] = {"name": dev.name, "n_samples": dev.X.shape[0]}
    report.fields.update(task=task, task_reason=reason, data=described)


def _split(data, y, dev, y_dev, task, args, console, report):
    """Train/dev/test from --data alone, or train from --data and dev/test
    from --dev; the recipe holds a train-dev set out of train."""
    from . import suggest_split_sizes, train_dev_test_split

    if dev is None:
        _, n_dev, n_test = suggest_split_sizes(data.X.shape[0])
        X_train, X_dev, X_test, y_train, y_dev, y_test = train_dev_test_split(
            data.X,
            y,
            dev_size=n_dev,
            test_size=n_test,
            stratify=y if task == "classification" else None,
            random_state=args.random_state,
        )
    else:
        X_train, y_train = data.X, y
        X_dev, X_test, y_dev, y_test = _halves(dev.X, y_dev, task, args.random_state)
    n_train_dev = max(1, min(len(y_dev), len(y_train) // TRAIN_DEV_SHARE))
    sets = Sets(
        X_train, X_dev, X_test, y_train, y_dev, y_test, task, n_train_dev,
        data.feature_names, data.name,
    )  # fmt: skip
    sizes = {"train": len(y_train) - n_train_dev, "train_dev": n_train_dev}
    sizes.update(dev=len(y_dev), test=len(y_test))
    text = f"train {sizes['train']} / train-dev {n_train_dev}"
    text += f" / dev {sizes['dev']} / test {sizes['test']}"
    if dev is not None:
        text = text.replace(" / dev", f" from {data.name}; dev", 1)
        text += f" from {dev.name}"
    console.say(f"split: {text}")
    report.fields["split"] = sizes
    return sets


def _halves(X, y, task, random_state):
    """Split the --dev file into dev and test halves, stratified when possible."""
    from sklearn.model_selection import train_test_split

    if task == "classification":
        with contextlib.suppress(ValueError):  # a class too rare to stratify
            return train_test_split(
                X, y, test_size=0.5, stratify=y, random_state=random_state
            )
    return train_test_split(X, y, test_size=0.5, random_state=random_state)


def _distribution_checks(sets, args, console, report):
    """Dev against test; with --dev, also train-dev against dev."""
    pairs = {"dev vs test": (sets.X_dev, sets.X_test)}
    if args.dev is not None:
        # The recipe's own hold-out (seeded): the rows its fit will use as train-dev.
        X_train_dev = _new_recipe(sets, args)._hold_out(sets.X_train, sets.y_train)[1]
        pairs = {"train-dev vs dev": (X_train_dev, sets.X_dev), **pairs}
    report.fields["distribution_checks"] = {
        name: _distribution_check(name, *pair, sets, args, console)
        for name, pair in pairs.items()
    }


def _distribution_check(name, X_a, X_b, sets, args, console):
    from . import check_same_distribution

    check = check_same_distribution(X_a, X_b, random_state=args.random_state)
    verdict = "same distribution" if check.same else "DIFFERENT distributions"
    console.say(f"{name}: {verdict} (domain-classifier AUC {check.auc:.3f})")
    return {
        "same": bool(check.same),
        "auc": float(check.auc),
        "top_features": [
            sets.feature_names[i] if isinstance(i, int | np.integer) else i
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
        network(hidden_layer_sizes=(16,), max_iter=50, random_state=random_state),
    )


#: The error rate at which --tolerance auto measures sampling noise: a typical
#: dev error of a network worth improving.
_TYPICAL_ERROR = 0.05


def gap_tolerance(sets, args):
    """The smallest gap between two errors that the recipe acts on.

    ``--tolerance auto``: for classification, the sampling noise of the
    difference between two error rates of 5% measured on the train-dev and
    dev sets (1.96 standard errors, at least 0.01), so that a gap between two
    sets from one distribution is not reported as high; 0.01 for regression.
    """
    if args.tolerance != "auto":
        return args.tolerance
    if sets.task != "classification":
        return 0.01
    n_a, n_b = sets.train_dev_size, len(sets.y_dev)
    noise = 1.96 * np.sqrt(_TYPICAL_ERROR * (1 - _TYPICAL_ERROR) * (1 / n_a + 1 / n_b))
    return max(0.01, round(float(noise), 4))


def _new_recipe(sets, args):
    from . import BasicRecipe

    return BasicRecipe(
        recipe_network(sets.task, args.random_state),
        baseline_error=args.baseline_error,
        tolerance=gap_tolerance(sets, args),
        max_rounds=args.max_rounds,
        dev_size=sets.train_dev_size,
        refit=False,  # _final_model refits on train, train-dev and dev instead
        random_state=args.random_state,
        verbose=0 if args.quiet else 1,
    )


def _recipe_targets(sets):
    """The train, dev and test targets the recipe's networks see.

    A regression target is standardized with the training rows' statistics
    (the final model does the same with a TransformedTargetRegressor).
    """
    targets = (sets.y_train, sets.y_dev, sets.y_test)
    if sets.task == "classification":
        return targets
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(sets.y_train.reshape(-1, 1))
    return tuple(scaler.transform(y.reshape(-1, 1)).ravel() for y in targets)


def _run_rounds(sets, args, progress, console, report):
    """Run the recipe on --data's rows with the dev set; return it and its watch."""
    recipe = _new_recipe(sets, args)
    report.fields["tolerance"] = recipe.tolerance
    console.say(f"gaps between errors count as high above {recipe.tolerance:g}")
    y_train, y_dev, _ = _recipe_targets(sets)
    # The same seeded split the recipe's fit makes: its train-dev rows.
    _, X_train_dev, _, y_train_dev = recipe._hold_out(sets.X_train, y_train)
    watch = _RoundWatch(
        (X_train_dev, y_train_dev), (sets.X_dev, y_dev), console, report
    )
    recipe.set_callbacks(watch, *progress)
    recipe.fit(sets.X_train, y_train, X_val=sets.X_dev, y_val=y_dev)
    recipe.set_callbacks()
    return recipe, watch


class _RoundWatch:
    """A scikit-learn fit callback on the recipe: each round, as it ends.

    At the end of every ``"round"`` task it measures the round's model (the
    ``fitted_estimator``'s ``best_estimator_``) on the round's training rows
    (the task's ``X`` and ``y``), the train-dev rows and the dev set, with the
    recipe's own error and diagnosis settings; the recipe computes these
    after the task ends and does not pass them to callbacks. It rewrites
    ``report.json`` with every round so far and says why a round's training
    stopped before its ``max_iter``.

    Parameters
    ----------
    train_dev, dev : tuple of (X, y)
        The train-dev rows (the recipe's own hold-out) and the dev set.
    console : _Console
        Where a round that stopped early is reported.
    report : Report
        The report rewritten after each round.
    """

    def __init__(self, train_dev, dev, console, report):
        self.train_dev, self.dev = train_dev, dev
        self.console, self.report = console, report
        self.rounds = []

    def setup(self, estimator, context):
        """Nothing to set up."""

    def teardown(self, estimator, context):
        """Nothing to tear down."""

    def on_fit_task_begin(self, estimator, context):
        """Nothing to do before a task."""

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, fitted_estimator=None
    ):
        """Record a round's errors and diagnosis; rewrite the report."""
        if context.task_name != "round":
            return False
        from .diagnostics._validation import error_scorer, unwrap_network

        model = fitted_estimator.best_estimator_
        error = error_scorer(estimator.estimator, estimator.scoring)
        errors = {
            "train_error": error(model, X, y),
            "train_dev_error": error(model, *self.train_dev),
            "dev_error": error(model, *self.dev),
        }
        diagnosis = _recipe_diagnosis(estimator, errors)
        network = unwrap_network(model)
        stopped = why_training_stopped(network)
        number = len(self.rounds) + 1
        self.rounds.append(
            {
                "round": number,
                **errors,
                **_diagnosis_record(diagnosis),
                "epochs": network.n_iter_,
                "max_iter": network.max_iter,
                "stopped_early": stopped,
            }
        )
        self.report.update(rounds=self.rounds)
        if stopped:
            self.console.say(f"  round {number}: {stopped}")
        return False


def why_training_stopped(network):
    """Say why a fitted network trained fewer than ``max_iter`` epochs, or None."""
    n_iter, max_iter = network.n_iter_, network.max_iter
    if n_iter >= max_iter or getattr(network, "solver", None) == "lbfgs":
        return None
    n, tol = network.n_iter_no_change, network.tol
    if network.early_stopping:
        rule = (
            f"the dev score did not improve by tol={tol:g} for {n} consecutive "
            "epochs (early_stopping)"
        )
    else:
        rule = (
            f"the mean cost J of the last {n} epochs was not below the mean of "
            f"the {n} before by tol={tol:g} (n_iter_no_change)"
        )
    return f"training stopped at epoch {n_iter} of {max_iter}: {rule}"


def _diagnosis_record(diagnosis):
    fields = ("case", "avoidable_bias", "variance", "data_mismatch")
    fields += ("dev_overfitting", "high_bias", "high_variance")
    fields += ("high_data_mismatch", "high_dev_overfitting")
    return {name: getattr(diagnosis, name) for name in fields}


def _scaled_target(regressor):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def _final_model(recipe, sets, progress):
    """The best round's settings refit on train, train-dev and dev together.

    Only the test set is left out: the dev rows come from the distribution
    the model will serve, so the final model learns from them too.
    """
    from sklearn.base import clone

    pipeline = clone(recipe.best_estimator_)
    model = pipeline if sets.task == "classification" else _scaled_target(pipeline)
    pipeline.set_callbacks(*progress)
    try:
        model.fit(
            np.concatenate([sets.X_train, sets.X_dev]),
            np.concatenate([sets.y_train, sets.y_dev]),
        )
    finally:
        pipeline.set_callbacks()
    # The saved model holds no callback (a regressor's fitted pipeline is a clone).
    getattr(model, "regressor_", model).set_callbacks()
    return model


@contextlib.contextmanager
def _progress_callbacks(args):
    """Yield scikit-learn's ``ProgressBar`` when it can be shown, else nothing.

    The bar is drawn on stderr, and only when both stdout and stderr are
    terminals (and not ``--quiet``): while it is shown, rich prints what goes
    to stdout above it, which would take those lines out of a redirected
    stdout. It needs rich (the ``plot`` extra).
    """
    shown = not args.quiet and sys.stderr.isatty() and sys.stdout.isatty()
    try:
        import rich
        from sklearn.callback import ProgressBar
    except ImportError:
        shown = False
    if not shown:
        yield ()
        return
    rich.reconfigure(stderr=True)
    try:
        yield (ProgressBar(max_propagation_depth=None),)
    finally:
        rich.reconfigure()


def _final_scores(model, recipe, watch, sets, args, console, report):
    """Print and record the best round's four errors and the final test score."""
    best = _best_round(recipe, sets)
    diagnosis = best.pop("diagnosis")
    console.say(
        f"best round {recipe.best_index_ + 1}: "
        + ", ".join(f"{_words(k)} {v:.4f}" for k, v in best.items())
    )
    gaps = ("avoidable_bias", "variance", "data_mismatch", "dev_overfitting")
    console.say(
        f"diagnosis: {diagnosis.case} ("
        + ", ".join(f"{_words(g)} {getattr(diagnosis, g):.4f}" for g in gaps)
        + ")"
    )
    n_final = len(sets.y_train) + len(sets.y_dev)
    scores = _test_scores(model, sets)
    console.say(
        f"final: round {recipe.best_index_ + 1}'s settings refit on train, "
        f"train-dev and dev ({n_final} examples): "
        + ", ".join(f"{_words(k)} {v:.4g}" for k, v in scores.items())
    )
    report.update(
        rounds=[
            {**fit, **_round_record(entry)}
            for fit, entry in zip(watch.rounds, recipe.history_)
        ],
        best_round={"round": recipe.best_index_ + 1, **best},
        diagnosis=_diagnosis_record(diagnosis),
        best_params=recipe.best_params_,
        final_model={"trained_on": "train+train-dev+dev", "n_samples": n_final},
        final_scores=scores,
    )


def _words(name):
    """A report key as printed: ``train_dev_error`` -> ``train-dev error``."""
    return name.replace("train_dev", "train-dev").replace("_", " ")


def _best_round(recipe, sets):
    """The best round's four errors and its diagnosis with the test error."""
    from .diagnostics._validation import error_scorer

    entry = recipe.history_[recipe.best_index_]
    y_test = _recipe_targets(sets)[2]
    error = error_scorer(recipe.estimator, recipe.scoring)
    test_error = error(recipe.best_estimator_, sets.X_test, y_test)
    errors = {k: entry[k] for k in ("train_error", "train_dev_error", "dev_error")}
    diagnosis = _recipe_diagnosis(recipe, errors, test_error)
    return {**errors, "test_error": test_error, "diagnosis": diagnosis}


def _recipe_diagnosis(recipe, errors, test_error=None):
    """The recipe's diagnosis of ``errors``, with its baseline and tolerances."""
    from . import diagnose_bias_variance

    return diagnose_bias_variance(
        errors["train_error"],
        errors["dev_error"],
        recipe.baseline_error,
        recipe.tolerance,
        rel_tolerance=recipe.rel_tolerance,
        train_dev_error=errors["train_dev_error"],
        test_error=test_error,
    )


def _test_scores(model, sets):
    if sets.task == "classification":
        return {"test_accuracy": float(model.score(sets.X_test, sets.y_test))}
    from sklearn.metrics import r2_score, root_mean_squared_error

    predicted = model.predict(sets.X_test)
    return {
        "test_r2": float(r2_score(sets.y_test, predicted)),
        "test_rmse": float(root_mean_squared_error(sets.y_test, predicted)),
    }


def _round_record(entry):
    return {
        "params": entry["params"],
        "train_error": entry["train_error"],
        "train_dev_error": entry["train_dev_error"],
        "dev_error": entry["dev_error"],
        **_diagnosis_record(entry["diagnosis"]),
        "action": entry["action"],
    }


def _save_model(model, folder, console, report):
    from .persistence import dump

    dump(model, folder.file("model.skops"))
    folder.written.append("model.skops")
    report.update(model="model.skops")
    console.say(f"model: {folder.file('model.skops')}")


# -- figures -------------------------------------------------------------------


def _write_figures(model, sets, args, folder, report):
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
    what = f"{_describe_network(network)} on {sets.data_name}"
    figures = {}
    try:
        figures["learning_curve"] = _learning_curve(
            model, sets, what, args, folder, report
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


def _learning_curve(model, sets, what, args, folder, report):
    import matplotlib.pyplot as plt

    from . import BiasVarianceDisplay

    fig, ax = plt.subplots(figsize=(7, 4.5))
    display = BiasVarianceDisplay.from_estimator(
        model,
        sets.X_train,
        sets.y_train,
        X_val=sets.X_dev,
        y_val=sets.y_dev,
        cv=LEARNING_CURVE_CV,
        baseline_error=args.baseline_error,
        ax=ax,
    )
    ax.set_title(
        f"Learning curve: {what}\n{LEARNING_CURVE_CV}-fold cross-validation "
        "of the training rows (train-dev), scored on the dev set too",
        fontsize=9,
    )
    diagnosis = display.diagnosis
    report.fields["learning_curve"] = {
        "cv": LEARNING_CURVE_CV,
        "data": "training rows (train and train-dev); dev set",
        "train_sizes": display.train_sizes,
        "mean_train_errors": np.mean(display.train_errors, axis=1),
        "mean_train_dev_errors": np.mean(display.train_dev_errors, axis=1),
        "mean_dev_errors": np.mean(display.dev_errors, axis=1),
        **_diagnosis_record(diagnosis),
    }
    return folder.save_figure(fig, "learning_curve.png")


def _loss_curve(network, what, folder):
    import matplotlib.pyplot as plt

    from . import LossCurveDisplay

    fig, ax = plt.subplots(figsize=(7, 4.5))
    LossCurveDisplay.from_estimator(network, ax=ax)
    ax.set_title(
        f"Training cost J per epoch: {what}\nfinal model (train+train-dev+dev)",
        fontsize=9,
    )
    return folder.save_figure(fig, "loss_curve.png")


def _gradient_norms(network, what, folder):
    import matplotlib.pyplot as plt

    from . import diagnose_gradients

    fig, ax = plt.subplots(figsize=(7, 4.5))
    diagnose_gradients(network).plot(ax=ax)
    ax.set_title(
        f"Gradient norms per layer: {what}\nfinal model (train+train-dev+dev)",
        fontsize=9,
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
    trained = _training_feature_names(args.model)
    if trained is not None and names != trained:
        X = X[:, _columns_in_training_order(names, trained, args)]
        names = trained
    expected = model.n_features_in_
    if X.shape[1] != expected:
        hint = ""
        if X.shape[1] == expected + 1 and args.target is None:
            hint = "; name the label column with --target"
        raise UsageError(
            f"{args.data!r} has {X.shape[1]} feature columns, the model expects "
            f"{expected}{hint}"
        )
    return X, names


def _training_feature_names(model_path):
    """The feature columns the model was trained on, from the report.json
    that ``recipe`` wrote beside it (None when there is none to read)."""
    report = os.path.join(os.path.dirname(os.path.abspath(model_path)), "report.json")
    try:
        with open(report, encoding="utf-8") as handle:
            names = json.load(handle)["data"]["feature_names"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return names if isinstance(names, list) else None


def _columns_in_training_order(names, trained, args):
    """Indices that put ``names`` in the training order, or a usage error."""
    missing = [name for name in trained if name not in names]
    extra = [name for name in names if name not in trained]
    if missing or extra:
        raise UsageError(
            f"{args.data!r} does not have the training columns: "
            + (f"missing {missing[:5]}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"not in training {extra[:5]}" if extra else "")
            + (
                ""
                if args.target or not extra
                else "; name the label column with --target"
            )
        )
    return [names.index(name) for name in trained]


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


def _tolerance(text):
    if text == "auto":
        return text
    return _number(float, 0.0)(text)


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
            "Split the data into train/dev/test with size-aware ratios (with "
            "--dev: train from --data, dev and test from the --dev file), check "
            "that dev and test come from the same distribution, normalize the "
            "inputs, and run the basic recipe (fix high bias first, then high "
            "variance) with a progress bar. The recipe holds a train-dev set out "
            "of train, so each round's diagnosis separates variance (train-dev "
            "above train) from data mismatch (dev above train-dev). It prints "
            "each round's errors and diagnosis, then the best round's train, "
            "train-dev, dev and test errors, and refits the best round's "
            "settings on train, train-dev and dev together (only test is left "
            "out) for the final model and its test score (accuracy, or R^2 and "
            "RMSE for regression). Written to --out: report.json (rewritten "
            "after each round, with its status), the final model as "
            "model.skops, and the learning-curve, loss-curve and gradient-norm "
            "PNGs."
        ),
        epilog=RECIPE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_arguments(recipe)
    _recipe_arguments(recipe)
    _output_arguments(recipe)
    recipe.set_defaults(run=run_recipe)


def _recipe_arguments(recipe):
    recipe.add_argument(
        "--dev",
        default=None,
        metavar="DEV.csv",
        help="a CSV file from the distribution the model will serve, with the "
        "columns of --data: the dev and test sets are its two halves, and "
        "--data is all training data (the recipe holds a train-dev set out of "
        "it to measure data mismatch)",
    )
    recipe.add_argument(
        "--baseline-error",
        type=_number(float, 0.0, 1.0, high_open=True),
        default=0.0,
        help="human-level (Bayes) error to measure avoidable bias against, "
        "in [0, 1) (default: 0.0)",
    )
    recipe.add_argument(
        "--tolerance",
        type=_tolerance,
        default="auto",
        help="smallest gap between two errors that counts as high, >= 0, or "
        "'auto': the sampling noise of a 5%% error on the train-dev and dev "
        "sets (1.96 standard errors, at least 0.01; 0.01 for regression) "
        "(default: auto)",
    )
    recipe.add_argument(
        "--max-rounds",
        type=_number(int, 1),
        default=6,
        help="budget of recipe rounds, each one fit (default: 6)",
    )


def _output_arguments(recipe):
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
    recipe.add_argument(
        "--quiet",
        action="store_true",
        help="print nothing but errors (and no progress bar, which is shown "
        "only when stdout and stderr are terminals)",
    )


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
    _network_arguments(gradcheck)
    _check_arguments(gradcheck)
    gradcheck.set_defaults(run=run_gradcheck)


def _network_arguments(gradcheck):
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


def _check_arguments(gradcheck):
    add = gradcheck.add_argument
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
