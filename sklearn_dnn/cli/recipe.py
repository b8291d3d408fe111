"""``sklearn-dnn recipe``: the whole improve-a-network workflow on a data set."""

import contextlib
import os
import shlex
import sys
import time

import numpy as np

from ._budget import REFIT_SHARE, Budget, refit_epochs
from ._common import EXIT_OK, Console, UsageError, rejected_values
from ._data import check_recipe_sizes
from ._errors import take_tags, write_error_analysis
from ._figures import write_figures
from ._html import write_report_html
from ._report import Report, ReportFolder, default_out, diagnosis_record, versions
from ._sets import (
    check_extra_file,
    decide_files_task,
    describe_split,
    distribution_checks,
    load_files,
    split,
    split_sizes,
    warn_overlap,
)


def run_recipe(args, out=None):
    """Run the course workflow, save the model and write the report.

    ``--max-time`` bounds everything after reading the data: the rounds
    (with the recipe's reference models), the refit, the learning curve and
    the figures, each sized to its share of the time left.
    """
    console = Console(out, args.quiet)
    started = time.perf_counter()
    _check_budget_options(args)
    folder = ReportFolder(args.out or default_out(), force=args.force)
    report = Report(folder, _report_header(args))
    with _keep_or_discard(folder, report):
        files, tags = take_tags(load_files(args), args.tags)
        _import_libraries()
        budget = Budget(command_time(args))
        sets = _prepare(files, args, console, report, folder)
        with _progress_callbacks(args) as progress:
            recipe, watch = _run_rounds(sets, args, budget, progress, console, report)
            model = _final_model(recipe, watch, sets, budget, progress, console, report)
        _final_scores(model, recipe, watch, sets, args, console, report)
        write_error_analysis(recipe, sets, tags, args, folder, report, console)
        _save_model(model, folder, console, report)
        write_figures(model, sets, args, folder, report, budget, console)
        _compare_diagnoses(report, console)
        report.update(
            status="complete",
            runtime_seconds=round(time.perf_counter() - started, 2),
            budget={"max_time": budget.max_time, "seconds": round(budget.elapsed(), 2)},
        )
        write_report_html(folder, report)
    console.say(f"report: {folder.file('report.json')}")
    console.say(f"page: {folder.file('report.html')}")
    for name in report.fields["figures"].values():
        console.say(f"figure: {folder.file(name)}")
    return EXIT_OK


def _check_budget_options(args):
    """An epoch budget smaller than the first round is a usage error, found
    before anything is read or removed."""
    budget = getattr(args, "max_total_epochs", None)
    first_round = recipe_network("classification", None)[-1].max_iter
    if budget is not None and budget < first_round:
        raise UsageError(
            f"--max-total-epochs {budget} is smaller than the first round's "
            f"{first_round} epochs; give at least {first_round}"
        )


def _import_libraries():
    """Import skops and matplotlib now, after the data, before the budget.

    Their import is the program's start-up, not the run's work (under load
    it took 20 s, which a --max-time of 30 s could not absorb)."""
    from .. import persistence  # noqa: F401

    with contextlib.suppress(ImportError):
        import matplotlib

        matplotlib.use("Agg")  # as write_figures sets it: files, no window
        import matplotlib.pyplot  # noqa: F401


def command_time(args):
    """The command's budget in seconds: ``--max-time``, or BasicRecipe's
    default ``max_time``."""
    if args.max_time is not None:
        return args.max_time
    from .. import BasicRecipe

    return BasicRecipe(None).max_time


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


def _prepare(files, args, console, report, folder):
    """Check and split the data read; check the distributions; return the sets.

    With ``--force``, the earlier run's model and report are removed once the
    data and the target are checked, before the report is first written.
    """
    data, dev, test = files
    task, y, y_dev, y_test, reason = decide_files_task(data, dev, test, args.task)
    check_recipe_sizes(y, task)
    for option, path, other, y_other in (
        ("--dev", args.dev, dev, y_dev),
        ("--test", args.test, test, y_test),
    ):
        if other is not None:
            halves = option == "--dev" and test is None
            check_extra_file(y, y_other, task, option, path, halves=halves)
    _remove_previous_model(folder, args.force)
    for option, path, other in (("--dev", args.dev, dev), ("--test", args.test, test)):
        if other is not None:
            warn_overlap(data, other, option, path, report)
    _describe_data(console, report, data, y, task, reason, dev, test)
    sets = split(data, y, dev, y_dev, test, y_test, task, args.random_state)
    console.say(f"split: {describe_split(sets)}")
    report.fields["split"] = split_sizes(sets)
    report.fields["distribution_checks"] = distribution_checks(
        sets, args.random_state, console
    )
    return sets


def _describe_data(console, report, data, y, task, reason, dev, test):
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
    described = {"name": data.name, "n_samples": n, "n_features": d, **classes}
    described["feature_names"] = data.feature_names
    for key, other in (("dev", dev), ("test", test)):
        if other is not None:
            console.say(f"{key} data: {other.name}, {other.X.shape[0]} examples")
            described[f"{key}_file"] = {
                "name": other.name,
                "n_samples": other.X.shape[0],
            }
    console.say(f"task: {task} ({reason}; --task overrides)")
    report.fields.update(task=task, task_reason=reason, data=described)


def recipe_network(task, random_state):
    """Return the pipeline the recipe starts from: normalized inputs, one layer.

    The layer trains the estimator's default 200 epochs, less once its
    training loss stops improving: a first round cut short reads "good fit"
    against a reference model's error on small data, where the noise hides
    its bias (on diabetes, 50 epochs left test R^2 0.02-0.09 below RidgeCV's).
    """
    from sklearn.pipeline import make_pipeline

    from .. import DNNClassifier, DNNRegressor, InputNormalizer

    network = DNNClassifier if task == "classification" else DNNRegressor
    return make_pipeline(
        InputNormalizer(),
        network(hidden_layer_sizes=(16,), random_state=random_state),
    )


def _new_recipe(sets, args, max_time=None):
    from .. import BasicRecipe

    budget = {"max_time": max_time} if max_time is not None else {}
    if args.max_total_epochs is not None:
        budget["max_total_epochs"] = args.max_total_epochs
    return BasicRecipe(
        recipe_network(sets.task, args.random_state),
        baseline_error=args.baseline_error,
        scoring=args.scoring,
        tolerance=args.tolerance,
        max_rounds=args.max_rounds,
        **budget,
        dev_size=sets.hold_out_size,
        refit=False,  # _final_model refits on every row but test's instead
        random_state=args.random_state,
        verbose=0 if args.quiet else 1,
    )


def _recipe_targets(sets):
    """The splits as the recipe's networks see them: ``{name: (X, y)}``.

    A regression target is standardized with the statistics of the rows
    the recipe fits (the final model does the same with a
    TransformedTargetRegressor). ``train_dev`` is there with --dev only.
    """
    splits = {
        "train": (sets.X_train, sets.y_train),
        "train_dev": (sets.X_train_dev, sets.y_train_dev),
        "dev": (sets.X_dev, sets.y_dev),
        "test": (sets.X_test, sets.y_test),
    }
    splits = {name: pair for name, pair in splits.items() if pair[0] is not None}
    if sets.task == "classification":
        return splits
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(sets.y_fit.reshape(-1, 1))
    return {
        name: (X, scaler.transform(y.reshape(-1, 1)).ravel())
        for name, (X, y) in splits.items()
    }


def _fit_targets(sets, splits):
    """The recipe's ``fit`` arguments: ``X_fit``, its targets, and the dev
    set as ``X_val`` with --dev."""
    y_fit = sets.y_fit
    if sets.task != "classification":
        from sklearn.preprocessing import StandardScaler

        y_fit = StandardScaler().fit_transform(y_fit.reshape(-1, 1)).ravel()
    if sets.X_val is None:
        return (sets.X_fit, y_fit), {}
    return (sets.X_fit, y_fit), {"X_val": splits["dev"][0], "y_val": splits["dev"][1]}


def _run_rounds(sets, args, budget, progress, console, report):
    """Run the recipe on the rows it fits; return it and its watch."""
    from .. import persistence  # noqa: F401 (skops: its import counts in the budget)
    from ..diagnostics._validation import error_scorer

    recipe = _new_recipe(sets, args, budget.rounds_time())
    with rejected_values("--scoring"):
        error_scorer(recipe.estimator, recipe.scoring)
    tolerance = recipe._tolerance()
    report.fields["tolerance"] = tolerance
    report.fields["confidence"] = _CONFIDENCE
    console.say(
        f"gaps between errors count as high above {tolerance:g} (and 10% of the "
        f"error they start from) and beyond {_CONFIDENCE:.0%} sampling noise: "
        "one rule for the rounds, the best round and the learning curve"
    )
    if recipe.max_time is not None:
        console.say(
            f"time budget: {budget.max_time:g} s in all (--max-time), "
            f"{budget.left():.0f} s left, the rounds {recipe.max_time:.0f} s of it"
        )
    splits = _recipe_targets(sets)
    watch = _RoundWatch(splits.get("train_dev"), splits["dev"], console, report)
    (X_fit, y_fit), dev = _fit_targets(sets, splits)
    recipe.set_callbacks(watch, *progress)
    recipe.fit(X_fit, y_fit, **dev)
    recipe.set_callbacks()
    report.update(baseline=baseline_record(recipe))
    return recipe, watch


def baseline_record(recipe):
    """What the report stores of the fitted recipe's baseline: ``error``, its
    ``source`` (the reference model that set it, or "given"),
    ``standard_error`` and the reference models' errors, with the option."""
    return {"option": recipe.baseline_error, **recipe.baseline_}


class _RoundWatch:
    """A scikit-learn fit callback on the recipe: each round, as it ends.

    At the end of every ``"round"`` task it measures the round's model (the
    ``fitted_estimator``'s ``best_estimator_``) on the round's training rows
    (the task's ``X`` and ``y``), the train-dev rows (with --dev) and the dev
    set, with the recipe's own error and diagnosis settings; the recipe computes these
    after the task ends and does not pass them to callbacks. It rewrites
    ``report.json`` with every round so far and says why a round's training
    stopped before its ``max_iter``.

    Parameters
    ----------
    train_dev, dev : tuple of (X, y)
        The train-dev rows (the recipe's own hold-out; None without a
        --dev file) and the dev set.
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
        splits = {"train": (X, y), "train_dev": self.train_dev, "dev": self.dev}
        splits = {name: pair for name, pair in splits.items() if pair is not None}
        errors = {"train_dev_error": None}
        errors.update(
            (f"{name}_error", error(model, *pair)) for name, pair in splits.items()
        )
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
                **diagnosis_record(diagnosis, round_data(self.train_dev)),
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
    if n_iter < (n + 1 if network.early_stopping else 2 * n):
        # Too few epochs for either rule to have fired: the recipe's deadline.
        return (
            f"training stopped at epoch {n_iter} of {max_iter}: the time "
            "budget (max_time) ran out"
        )
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


def _final_model(recipe, watch, sets, budget, progress, console, report):
    """The best round's settings refit on every row but the test set's.

    The dev rows come from the distribution the model will serve, so the
    final model learns from them too. The refit gets ``REFIT_SHARE`` of the
    time left: its epochs are shrunk (saying so) when it would take longer.
    """
    from sklearn.base import clone

    from ..diagnostics._validation import unwrap_network

    pipeline = clone(recipe.best_estimator_)
    model = pipeline if sets.task == "classification" else _scaled_target(pipeline)
    X, y = _final_rows(sets)
    network = unwrap_network(pipeline)
    epochs, shrunk = refit_epochs(
        network.max_iter,
        _seconds_per_epoch(recipe, watch, len(y) / len(sets.y_train)),
        REFIT_SHARE * budget.left(),
    )
    index, max_iter = recipe.best_index_ + 1, network.max_iter
    text = f"refit: round {index}'s settings on {_final_sets(sets)} ({len(y)} examples)"
    if shrunk:
        network.set_params(max_iter=epochs)
        text += (
            f", {epochs} epochs instead of {max_iter} to "
            f"fit the {budget.left():.0f} s left of --max-time"
        )
    console.say(text + " ...")
    start = time.perf_counter()
    pipeline.set_callbacks(*progress)
    try:
        model.fit(X, y)
    finally:
        pipeline.set_callbacks()
    seconds = time.perf_counter() - start
    console.say(f"refit: done in {seconds:.1f} s")
    # The saved model holds no callback (a regressor's fitted pipeline is a clone).
    getattr(model, "regressor_", model).set_callbacks()
    _name_features(model, sets.feature_names)
    report.fields["refit"] = {
        "seconds": seconds,
        "n_samples": len(y),
        "epochs": unwrap_network(model).n_iter_,
        "max_iter": epochs,
        "shrunk_to_budget": shrunk,
    }
    return model


def _final_rows(sets):
    """Every row but the test set's: what the recipe fit, and a --dev dev set."""
    if sets.X_val is None:
        return sets.X_fit, sets.y_fit
    return (
        np.concatenate([sets.X_fit, sets.X_val]),
        np.concatenate([sets.y_fit, sets.y_val]),
    )


def _final_sets(sets):
    return "train and dev" if sets.X_val is None else "train, train-dev and dev"


def _seconds_per_epoch(recipe, watch, scale):
    """The best round's seconds per epoch, times ``scale`` (more rows)."""
    entry = recipe.history_[recipe.best_index_]
    epochs = watch.rounds[recipe.best_index_]["epochs"] if watch.rounds else 0
    if not epochs or entry.get("fit_time") is None:
        return 0.0
    return entry["fit_time"] / epochs * scale


def _remove_previous_model(folder, force):
    """With ``--force``, remove an earlier run's model and report.

    Called once the data is checked (a typo loses nothing) and before the
    report is first written: a run that stops later leaves no old model
    beside a new report.
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
    """Print and record the best round's errors and the final test score."""
    from ..diagnostics._validation import error_scorer

    best = _best_round(recipe, sets)
    diagnosis = best.pop("diagnosis")
    error = error_scorer(recipe.estimator, recipe.scoring)
    show = error_format(sets.task) if args.scoring is None else error.format
    unit = "" if error.name == "1 - accuracy" else f" (errors as {error.name})"
    folds = recipe.history_[recipe.best_index_].get("n_folds")
    if folds:
        unit += f" ({folds}-fold cross-validated train and dev errors)"
    console.say(
        f"best round {recipe.best_index_ + 1}{unit}: "
        + ", ".join(f"{_words(k)} {show(v)}" for k, v in best.items() if v is not None)
    )
    console.say(f"diagnosis{unit}: {diagnosis_line(diagnosis, show)}")
    scores = _test_scores(model, sets, args.scoring)
    n_final = report.fields["refit"]["n_samples"]
    console.say(
        f"final: round {recipe.best_index_ + 1}'s settings refit on "
        f"{_final_sets(sets)} ({n_final} examples): "
        + ", ".join(f"{_words(k)} {v:.4g}" for k, v in scores.items())
    )
    folds = recipe.history_[recipe.best_index_].get("n_folds")
    data = round_data(sets.X_train_dev, folds) + ", and the test set"
    report.update(
        rounds=[
            {
                **fit,
                **_round_record(
                    entry, round_data(sets.X_train_dev, entry.get("n_folds"))
                ),
            }
            for fit, entry in zip(watch.rounds, recipe.history_)
        ],
        best_round={"round": recipe.best_index_ + 1, **best},
        diagnosis=diagnosis_record(diagnosis, data),
        best_params=recipe.best_params_,
        final_model={
            "trained_on": _final_sets(sets).replace(", ", "+").replace(" and ", "+"),
            "n_samples": n_final,
        },
        final_scores=scores,
    )


def _compare_diagnoses(report, console):
    """Where the best round and the learning curve differ, say which to believe.

    Both use one rule and tolerance; they differ in the data. The learning
    curve scores every training row once (cross-validation) where the round
    scores one held-out split, so its bias and variance rest on more
    examples; only the round has the test set (dev overfitting).
    """
    best, curve = report.fields.get("diagnosis"), report.fields.get("learning_curve")
    if not best or not curve:
        return
    if (best["case"], best["uncertain"]) == (curve["case"], curve["uncertain"]):
        return
    if "fold cross-validation" in best.get("data", ""):
        note = (
            f"the learning curve says {_verdict_text(curve)}, the best round "
            f"{_verdict_text(best)}: both rest on cross-validation over the "
            "same rows; believe the best round, whose folds train the settings "
            "shipped for all their epochs, where the learning curve fits "
            "within its share of the time. Dev overfitting only the best "
            "round measures (the test set)."
        )
    else:
        note = _split_against_curve(best, curve)
    console.say(f"note: {note}")
    report.update(diagnoses_differ=note)


def _split_against_curve(best, curve):
    """The note when the best round rests on one held-out split."""
    held = "train_dev" if "train_dev" in (best["n_samples"] or {}) else "dev"
    n_round = (best["n_samples"] or {}).get(held)
    n_curve = (curve["n_samples"] or {}).get(held)
    sizes = ""
    if n_round and n_curve:
        sizes = f" ({n_curve} {_words(held)} examples against {n_round})"
    gaps = (
        "bias, variance and data mismatch"
        if held == "train_dev"
        else ("bias and variance")
    )
    return (
        f"the learning curve says {_verdict_text(curve)}, the best round "
        f"{_verdict_text(best)}: believe the learning curve for {gaps}, "
        f"measured on every training row by cross-validation{sizes}; the "
        "round's split is smaller and noisier. Dev overfitting only the best "
        "round measures (the test set)."
    )


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
    """The best round's errors and its diagnosis with the test error."""
    from ..diagnostics._noise import split_noise
    from ..diagnostics._validation import error_scorer

    entry = recipe.history_[recipe.best_index_]
    splits = _recipe_targets(sets)
    error = error_scorer(recipe.estimator, recipe.scoring)
    model = recipe.best_estimator_
    test_error = error(model, *splits["test"])
    errors = {k: entry[k] for k in ("train_error", "train_dev_error", "dev_error")}
    noise = split_noise(error, model, splits)
    if entry.get("n_folds"):
        noise = _folds_noise(entry["diagnosis"], noise)
    diagnosis = _recipe_diagnosis(recipe, errors, noise, test_error)
    return {**errors, "test_error": test_error, "diagnosis": diagnosis}


def _folds_noise(diagnosis, noise):
    """The noise of a round judged on k folds: its train and dev errors' own
    (the folds' sizes or spread), the test error's from the test set."""
    if "n_samples" in noise and diagnosis.n_samples:
        return {"n_samples": {**noise["n_samples"], **diagnosis.n_samples}}
    standard_errors = diagnosis.error_standard_errors
    if "standard_errors" in noise and standard_errors:
        kept = {k: standard_errors[k] for k in ("train", "dev") if k in standard_errors}
        return {"standard_errors": {**noise["standard_errors"], **kept}}
    return noise


#: The confidence of the noise rule, the same for every diagnosis of a run.
_CONFIDENCE = 0.95


def round_data(train_dev, n_folds=None):
    """What a round's diagnosis rests on, as report.json says it."""
    if n_folds:
        return (
            f"{n_folds}-fold cross-validation over the training and dev rows the "
            "recipe holds out of --data, each row dev once (one source: no "
            "train-dev set, no data mismatch)"
        )
    if train_dev is None:
        return (
            "one split: the round's training rows and the dev rows the recipe "
            "held out of --data (one source: no train-dev set, no data mismatch)"
        )
    return (
        "one split: the round's training rows, the train-dev rows held out of "
        "--data, and the dev set"
    )


def _recipe_diagnosis(recipe, errors, noise, test_error=None):
    """The recipe's diagnosis of ``errors``: its baseline (with the
    baseline's standard error in the bias gap), tolerances and noise."""
    from .. import diagnose_bias_variance
    from ..diagnostics._recipe_baseline import baseline_terms

    # During the fit (a round's callback) the baseline is the fit's own.
    fitting = getattr(recipe, "_fitting", None)
    baseline = fitting["baseline"] if fitting else recipe.baseline_
    return diagnose_bias_variance(
        errors["train_error"],
        errors["dev_error"],
        tolerance=recipe._tolerance(),
        rel_tolerance=recipe.rel_tolerance,
        train_dev_error=errors["train_dev_error"],
        test_error=test_error,
        confidence=_CONFIDENCE,
        **baseline_terms(baseline, noise),
    )


def _test_scores(model, sets, scoring=None):
    if sets.task == "classification":
        scores = {"test_accuracy": float(model.score(sets.X_test, sets.y_test))}
    else:
        from sklearn.metrics import r2_score, root_mean_squared_error

        predicted = model.predict(sets.X_test)
        scores = {
            "test_r2": float(r2_score(sets.y_test, predicted)),
            "test_rmse": float(root_mean_squared_error(sets.y_test, predicted)),
        }
    if scoring is not None and f"test_{scoring}" not in scores:
        from sklearn.metrics import get_scorer

        score = get_scorer(scoring)(model, sets.X_test, sets.y_test)
        scores[f"test_{scoring}"] = float(score)
    return scores


def _round_record(entry, data):
    return {
        "params": entry["params"],
        "train_error": entry["train_error"],
        "train_dev_error": entry["train_dev_error"],
        "dev_error": entry["dev_error"],
        **diagnosis_record(entry["diagnosis"], data),
        "action": entry["action"],
        "cut_by_max_time": entry.get("cut"),
    }


def _save_model(model, folder, console, report):
    from ..persistence import dump

    dump(model, folder.file("model.skops"))
    folder.written.append("model.skops")
    report.update(model="model.skops")
    console.say(f"model: {folder.file('model.skops')}")


# -- figures -------------------------------------------------------------------
