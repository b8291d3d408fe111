"""``sklearn-dnn recipe``: the whole improve-a-network workflow on a data set."""

import contextlib
import os
import shlex
import sys
import time
from collections import namedtuple

import numpy as np

from ._common import EXIT_OK, Console, UsageError
from ._csv import check_regular_file, read_csv
from ._data import Data, check_recipe_sizes, decide_task, load_data, load_progress
from ._errors import take_tags, write_error_analysis
from ._figures import write_figures
from ._html import write_report_html
from ._report import Report, ReportFolder, default_out, diagnosis_record, versions

MIN_DEV_SAMPLES = 10  # the --dev file gives a dev and a test half
TRAIN_DEV_SHARE = 5  # the train-dev set: at most a fifth of train, at most dev's size

Sets = namedtuple(
    "Sets",
    "X_train X_dev X_test y_train y_dev y_test task train_dev_size "
    "feature_names data_name dev_rows",
    defaults=[None],  # dev_rows: the dev set's rows in its source file
)


def run_recipe(args, out=None):
    """Run the course workflow, save the model and write the report."""
    console = Console(out, args.quiet)
    started = time.perf_counter()
    folder = ReportFolder(args.out or default_out(), force=args.force)
    report = Report(folder, _report_header(args))
    with _keep_or_discard(folder, report):
        _remove_previous_model(folder, args.force)
        sets, tags = _prepare(args, console, report)
        with _progress_callbacks(args) as progress:
            recipe, watch = _run_rounds(sets, args, progress, console, report)
            model = _final_model(recipe, sets, progress)
        _final_scores(model, recipe, watch, sets, args, console, report)
        write_error_analysis(recipe, sets, tags, args, folder, report, console)
        _save_model(model, folder, console, report)
        write_figures(model, sets, args, folder, report)
        _compare_diagnoses(report, console)
        report.update(
            status="complete", runtime_seconds=round(time.perf_counter() - started, 2)
        )
        write_report_html(folder, report)
    console.say(f"report: {folder.file('report.json')}")
    console.say(f"page: {folder.file('report.html')}")
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
    finally:
        folder.release()


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
    data, dev, tags = take_tags(*_load_recipe_data(args), args.tags)
    task, y, y_dev, reason = _decide_recipe_task(data, dev, args.task)
    check_recipe_sizes(y, task)
    if dev is not None:
        _check_dev_file(y, y_dev, task, args.dev)
        _warn_dev_overlap(data, dev, args, report)
    _describe_data(console, report, data, y, task, reason, dev)
    sets = _split(data, y, dev, y_dev, task, args, console, report)
    _distribution_checks(sets, args, console, report)
    return sets, tags


def _load_recipe_data(args):
    data = load_data(
        args.data,
        args.target,
        progress=load_progress(args.data, args.quiet),
        na_values=args.na_values,
    )
    if args.dev is None:
        return data, None
    check_regular_file(args.dev, "--dev")
    progress = load_progress(args.dev, args.quiet, "--dev")
    try:
        X, labels, names, _ = read_csv(
            args.dev,
            args.target,
            progress=progress,
            option="--dev",
            na_values=args.na_values,
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


def _warn_dev_overlap(data, dev, args, report):
    """Warn when rows of the --dev file are also in --data (exact duplicates):
    the dev and test scores would then be measured partly on training rows."""
    from ..model_selection._distribution_check import count_shared_rows

    n_shared = count_shared_rows(data.X, dev.X)
    report.fields["dev_rows_in_data"] = n_shared
    if n_shared:
        print(
            f"sklearn-dnn recipe: warning: {n_shared} of the {len(dev.X)} rows of "
            f"--dev {args.dev!r} also appear in --data (exact duplicates); the "
            "dev and test scores are measured partly on training rows",
            file=sys.stderr,
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
    from .. import suggest_split_sizes, train_dev_test_split

    if dev is None:
        _, n_dev, n_test = suggest_split_sizes(data.X.shape[0])
        splits = train_dev_test_split(
            data.X,
            y,
            np.arange(len(y)),
            dev_size=n_dev,
            test_size=n_test,
            stratify=y if task == "classification" else None,
            random_state=args.random_state,
        )
        X_train, X_dev, X_test, y_train, y_dev, y_test, _, dev_rows, _ = splits
    else:
        X_train, y_train = data.X, y
        X_dev, X_test, y_dev, y_test, dev_rows, _ = _halves(
            dev.X, y_dev, task, args.random_state
        )
    n_train_dev = max(1, min(len(y_dev), len(y_train) // TRAIN_DEV_SHARE))
    sets = Sets(
        X_train, X_dev, X_test, y_train, y_dev, y_test, task, n_train_dev,
        data.feature_names, data.name, dev_rows,
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
    """Split the --dev file into dev and test halves, stratified when possible;
    the halves' row positions in the file come last."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    if task == "classification":
        with contextlib.suppress(ValueError):  # a class too rare to stratify
            return train_test_split(
                X, y, rows, test_size=0.5, stratify=y, random_state=random_state
            )
    return train_test_split(X, y, rows, test_size=0.5, random_state=random_state)


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
    from .. import check_same_distribution

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

    from .. import DNNClassifier, DNNRegressor, InputNormalizer

    network = DNNClassifier if task == "classification" else DNNRegressor
    return make_pipeline(
        InputNormalizer(),
        network(hidden_layer_sizes=(16,), max_iter=50, random_state=random_state),
    )


def _new_recipe(sets, args):
    from .. import BasicRecipe

    budget = {
        name: getattr(args, name)
        for name in ("max_total_epochs", "max_time")
        if getattr(args, name, None) is not None
    }
    return BasicRecipe(
        recipe_network(sets.task, args.random_state),
        baseline_error=args.baseline_error,
        tolerance=args.tolerance,
        max_rounds=args.max_rounds,
        **budget,
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
    tolerance = recipe._tolerance()
    report.fields["tolerance"] = tolerance
    report.fields["confidence"] = _CONFIDENCE
    console.say(
        f"gaps between errors count as high above {tolerance:g} (and 10% of the "
        f"error they start from) and beyond {_CONFIDENCE:.0%} sampling noise: "
        "one rule for the rounds, the best round and the learning curve"
    )
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
        from ..diagnostics._noise import split_noise
        from ..diagnostics._validation import error_scorer, unwrap_network

        model = fitted_estimator.best_estimator_
        error = error_scorer(estimator.estimator, estimator.scoring)
        errors = {
            "train_error": error(model, X, y),
            "train_dev_error": error(model, *self.train_dev),
            "dev_error": error(model, *self.dev),
        }
        splits = {"train": (X, y), "train_dev": self.train_dev, "dev": self.dev}
        diagnosis = _recipe_diagnosis(
            estimator, errors, split_noise(error, model, splits)
        )
        network = unwrap_network(model)
        stopped = why_training_stopped(network)
        number = len(self.rounds) + 1
        self.rounds.append(
            {
                "round": number,
                **errors,
                **diagnosis_record(diagnosis, ROUND_DATA),
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
    _name_features(model, sets.feature_names)
    return model


def _remove_previous_model(folder, force):
    """With ``--force``, remove an earlier run's model and report at once.

    A run that stops early then leaves no old model beside a new report.
    """
    if not force:
        return
    for name in ("model.skops", "report.json", "report.html", "errors.csv"):
        try:
            os.remove(folder.file(name))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise UsageError(
                f"cannot replace {folder.file(name)!r}: {exc.strerror}"
            ) from None


def _name_features(model, names):
    """Record the data's column names as the model's ``feature_names_in_``.

    The pipeline was fitted on an array; its first step and the model (as
    scikit-learn's fit on a DataFrame would) now hold the names, so the
    saved model checks a DataFrame's columns and ``predict`` matches a CSV
    file's columns by the model's own names.
    """
    if names is None:
        return
    names = np.asarray([str(name) for name in names], dtype=object)
    pipeline = getattr(model, "regressor_", model)
    first = pipeline.steps[0][1] if hasattr(pipeline, "steps") else pipeline
    first.feature_names_in_ = names
    if pipeline is not model:
        model.feature_names_in_ = names


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
    show = error_format(sets.task)
    unit = "" if sets.task == "classification" else " (errors as 1 - R^2)"
    console.say(
        f"best round {recipe.best_index_ + 1}{unit}: "
        + ", ".join(f"{_words(k)} {show(v)}" for k, v in best.items())
    )
    console.say(f"diagnosis{unit}: {diagnosis_line(diagnosis, show)}")
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
        diagnosis=diagnosis_record(diagnosis, BEST_ROUND_DATA),
        best_params=recipe.best_params_,
        final_model={"trained_on": "train+train-dev+dev", "n_samples": n_final},
        final_scores=scores,
    )


def _compare_diagnoses(report, console):
    """Where the best round and the learning curve differ, say which to believe.

    Both use one rule and tolerance; they differ in the data. The learning
    curve scores every training row once (cross-validation) where the round
    scores one train-dev split, so its bias and variance rest on more
    examples; only the round has the test set (dev overfitting).
    """
    best, curve = report.fields.get("diagnosis"), report.fields.get("learning_curve")
    if (
        not best
        or not curve
        or (best["case"], best["uncertain"])
        == (
            curve["case"],
            curve["uncertain"],
        )
    ):
        return
    n_round = (best["n_samples"] or {}).get("train_dev")
    n_curve = (curve["n_samples"] or {}).get("train_dev")
    sizes = ""
    if n_round and n_curve:
        sizes = f" ({n_curve} train-dev examples against {n_round})"
    note = (
        f"the learning curve says {_verdict_text(curve)}, the best round "
        f"{_verdict_text(best)}: believe the learning curve for bias, variance "
        f"and data mismatch, measured on every training row by cross-validation"
        f"{sizes}; the round's split is smaller and noisier. Dev overfitting "
        "only the best round measures (the test set)."
    )
    console.say(f"note: {note}")
    report.update(diagnoses_differ=note)


def _verdict_text(record):
    uncertain = ", ".join(record["uncertain"])
    return record["case"] + (f" (uncertain: {uncertain})" if uncertain else "")


def error_format(task):
    """How errors print: a percentage of 1 - accuracy, else 1 - R^2 as a number."""
    from .._formatting import percent

    if task == "classification":
        return percent
    return lambda error: f"{error:.4f}"


def diagnosis_line(diagnosis, show):
    """The verdict and each gap with its ± z standard errors, on one line."""
    from ..diagnostics._bias_variance import verdict
    from ..diagnostics._noise import z_value

    z = z_value(diagnosis.confidence)
    gaps = []
    for gap, value in (
        ("bias", diagnosis.avoidable_bias),
        ("variance", diagnosis.variance),
        ("data mismatch", diagnosis.data_mismatch),
        ("dev overfitting", diagnosis.dev_overfitting),
    ):
        if value is None:
            continue
        se = diagnosis.standard_errors[gap]
        noise = "" if se is None else f" ± {show(z * se)}"
        gaps.append(
            f"{'avoidable bias' if gap == 'bias' else gap} {show(value)}{noise}"
        )
    return f"{verdict(diagnosis)} ({', '.join(gaps)})"


def _words(name):
    """A report key as printed: ``train_dev_error`` -> ``train-dev error``."""
    return name.replace("train_dev", "train-dev").replace("_", " ")


def _best_round(recipe, sets):
    """The best round's four errors and its diagnosis with the test error."""
    from ..diagnostics._noise import split_noise
    from ..diagnostics._validation import error_scorer

    entry = recipe.history_[recipe.best_index_]
    y_train, y_dev, y_test = _recipe_targets(sets)
    error = error_scorer(recipe.estimator, recipe.scoring)
    model = recipe.best_estimator_
    test_error = error(model, sets.X_test, y_test)
    errors = {k: entry[k] for k in ("train_error", "train_dev_error", "dev_error")}
    X_train, X_train_dev, y_fit, y_train_dev = recipe._hold_out(sets.X_train, y_train)
    splits = {
        "train": (X_train, y_fit),
        "train_dev": (X_train_dev, y_train_dev),
        "dev": (sets.X_dev, y_dev),
        "test": (sets.X_test, y_test),
    }
    noise = split_noise(error, model, splits)
    diagnosis = _recipe_diagnosis(recipe, errors, noise, test_error)
    return {**errors, "test_error": test_error, "diagnosis": diagnosis}


#: The confidence of the noise rule, the same for every diagnosis of a run.
_CONFIDENCE = 0.95

#: What each diagnosis of a run rests on, as report.json says it.
ROUND_DATA = (
    "one split: the round's training rows, the train-dev rows held out of "
    "--data, and the dev set"
)
BEST_ROUND_DATA = ROUND_DATA + ", and the test set"


def _recipe_diagnosis(recipe, errors, noise, test_error=None):
    """The recipe's diagnosis of ``errors``: its baseline, tolerances and noise."""
    from .. import diagnose_bias_variance

    return diagnose_bias_variance(
        errors["train_error"],
        errors["dev_error"],
        recipe.baseline_error,
        recipe._tolerance(),
        rel_tolerance=recipe.rel_tolerance,
        train_dev_error=errors["train_dev_error"],
        test_error=test_error,
        confidence=_CONFIDENCE,
        **noise,
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
        **diagnosis_record(entry["diagnosis"], ROUND_DATA),
        "action": entry["action"],
    }


def _save_model(model, folder, console, report):
    from ..persistence import dump

    dump(model, folder.file("model.skops"))
    folder.written.append("model.skops")
    report.update(model="model.skops")
    console.say(f"model: {folder.file('model.skops')}")


# -- figures -------------------------------------------------------------------
