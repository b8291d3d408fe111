"""The figures ``sklearn-dnn recipe`` writes beside its report."""

import sys
import time

import numpy as np

from ._budget import CURVE_SHARE, FIGURES_SECONDS, plan_learning_curve
from ._report import diagnosis_record


def curve_data(plan, one_source):
    """What the learning curve's diagnosis rests on, as report.json says it."""
    if one_source:
        return (
            f"{plan.cv}-fold cross-validation of train and dev (every row the "
            "recipe fit scored once as dev; the test set left out), the final "
            "model's settings"
        )
    return (
        f"{plan.cv}-fold cross-validation of the training rows (train and "
        "train-dev: every row scored once), the final model's settings, each "
        "fold's model also scored on the dev set"
    )


def write_figures(model, sets, args, folder, report, budget, console):
    """Write the learning curve (sized to the time left), the loss curve and
    the gradient norms; record them in the report."""
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
    from ..diagnostics._validation import unwrap_network

    network = unwrap_network(model)
    # A "$" in a file name would start matplotlib's mathtext in the titles.
    what = f"{_describe_network(network)} on {sets.data_name}".replace("$", r"\$")
    trained_on = report.fields["final_model"]["trained_on"]
    figures = {}
    try:
        plan = _plan_curve(sets, report, budget, console)
        if plan is not None:
            curve = _learning_curve_or_note(
                model, sets, what, args, folder, report, plan, console
            )
            if curve is not None:
                figures["learning_curve"] = curve
        if budget.left() > 0:
            figures["loss_curve"] = _loss_curve(network, what, trained_on, folder)
            figures["gradient_norms"] = _gradient_norms(
                network, what, trained_on, folder
            )
        else:
            console.say("figures: loss curve and gradient norms skipped: no time left")
    finally:
        plt.close("all")
        report.update(figures=figures)


def _learning_curve_or_note(model, sets, what, args, folder, report, *plan):
    """The learning curve, or None and a note when a regression's training
    folds are too small for R^2 (it is undefined on one row): a small data
    set, not a bug."""
    try:
        return _learning_curve(model, sets, what, args, folder, report, *plan)
    except ValueError as exc:
        if sets.task != "regression" or "must be finite" not in str(exc):
            raise
    note = (
        f"no learning curve: with {len(sets.y_fit)} training rows its "
        "smallest folds are too small for R^2"
    )
    print(f"note: {note}", file=sys.stderr)
    report.fields["learning_curve_skipped"] = note
    return None


def _describe_network(network):
    return (
        f"{type(network).__name__}(hidden_layer_sizes="
        f"{tuple(network.hidden_layer_sizes)}, alpha={network.alpha:g})"
    )


def _plan_curve(sets, report, budget, console):
    """The learning curve's shape for the time left, or None (skipped, said)."""
    refit = report.fields["refit"]
    per_example_epoch = refit["seconds"] / max(1, refit["n_samples"] * refit["epochs"])
    seconds = CURVE_SHARE * (budget.left() - FIGURES_SECONDS)
    plan = plan_learning_curve(
        len(sets.y_fit), refit["epochs"], per_example_epoch, seconds
    )
    if plan is None:
        why = (
            f"learning curve: skipped: even its smallest shape would take more "
            f"than its {max(0.0, seconds):.0f} s of --max-time"
        )
        console.say(why)
        report.update(learning_curve=None, learning_curve_skipped=why)
        return None
    text = (
        f"learning curve: {len(plan.train_sizes)} training sizes x {plan.cv} "
        f"folds, {plan.max_iter} epochs at most, about {plan.seconds:.0f} s"
    )
    if plan.shrunk:
        text += f" (made smaller to fit its {seconds:.0f} s of --max-time)"
    console.say(text + " ...")
    return plan


def _curve_model(model, max_iter):
    """A clone of ``model`` whose network trains at most ``max_iter`` epochs."""
    from sklearn.base import clone

    curve_model = clone(model)
    inner = getattr(curve_model, "regressor", curve_model)
    network = inner.steps[-1][1] if hasattr(inner, "steps") else inner
    if max_iter < network.max_iter:
        network.set_params(max_iter=max_iter)
    return curve_model


def _learning_curve(model, sets, what, args, folder, report, plan, console):
    import matplotlib.pyplot as plt

    from .. import BiasVarianceDisplay

    one_source = sets.X_val is None
    dev = {} if one_source else {"X_val": sets.X_val, "y_val": sets.y_val}
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    start = time.perf_counter()
    display = BiasVarianceDisplay.from_estimator(
        _curve_model(model, plan.max_iter),
        sets.X_fit,
        sets.y_fit,
        **dev,
        train_sizes=plan.train_sizes,
        cv=plan.cv,
        scoring=args.scoring,
        baseline_error=report.fields["baseline"]["error"],
        tolerance=report.fields["tolerance"],  # the rounds' rule and tolerance
        ax=ax,
    )
    seconds = time.perf_counter() - start
    console.say(f"learning curve: done in {seconds:.1f} s")
    scored = "scored on the dev set too" if not one_source else "the test set left out"
    ax.set_title(
        f"Learning curve: {what}\n{plan.cv}-fold cross-validation "
        f"of the rows the recipe fit, {scored}",
        fontsize=9,
        wrap=True,
    )
    diagnosis = display.diagnosis
    report.fields["learning_curve"] = {
        "cv": plan.cv,
        "train_sizes": display.train_sizes,
        "max_iter": plan.max_iter,
        "sized_to_budget": plan.shrunk,
        "seconds": seconds,
        "mean_train_errors": np.mean(display.train_errors, axis=1),
        "mean_train_dev_errors": None
        if one_source
        else np.mean(display.train_dev_errors, axis=1),
        "mean_dev_errors": np.mean(display.dev_errors, axis=1),
        **diagnosis_record(diagnosis, curve_data(plan, one_source)),
    }
    return folder.save_figure(fig, "learning_curve.png")


def _loss_curve(network, what, trained_on, folder):
    import matplotlib.pyplot as plt

    from .. import LossCurveDisplay

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    LossCurveDisplay.from_estimator(network, ax=ax)
    ax.set_title(
        f"Training cost J per epoch: {what}\nfinal model ({trained_on})",
        fontsize=9,
        wrap=True,
    )
    return folder.save_figure(fig, "loss_curve.png")


def _gradient_norms(network, what, trained_on, folder):
    import matplotlib.pyplot as plt

    from .. import diagnose_gradients

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    diagnose_gradients(network).plot(ax=ax)
    ax.set_title(
        f"Gradient norms per layer: {what}\nfinal model ({trained_on})",
        fontsize=9,
        wrap=True,
    )
    return folder.save_figure(fig, "gradient_norms.png")


# -- predict -------------------------------------------------------------------
