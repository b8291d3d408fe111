"""The figures ``sklearn-dnn recipe`` writes beside its report."""

import sys

import numpy as np

from ._report import diagnosis_record

LEARNING_CURVE_CV = 3
LEARNING_CURVE_DATA = (
    f"{LEARNING_CURVE_CV}-fold cross-validation of the training rows (train and "
    "train-dev: every row scored once), the final model's settings, each "
    "fold's model also scored on the dev set"
)


def write_figures(model, sets, args, folder, report):
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
    figures = {}
    try:
        curve = _learning_curve_or_note(model, sets, what, args, folder, report)
        if curve is not None:
            figures["learning_curve"] = curve
        figures["loss_curve"] = _loss_curve(network, what, folder)
        figures["gradient_norms"] = _gradient_norms(network, what, folder)
    finally:
        plt.close("all")
        report.update(figures=figures)


def _learning_curve_or_note(model, sets, what, args, folder, report):
    """The learning curve, or None and a note when a regression's training
    folds are too small for R^2 (it is undefined on one row): a small data
    set, not a bug."""
    try:
        return _learning_curve(model, sets, what, args, folder, report)
    except ValueError as exc:
        if sets.task != "regression" or "must be finite" not in str(exc):
            raise
    note = (
        f"no learning curve: with {len(sets.y_train)} training rows its "
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


def _learning_curve(model, sets, what, args, folder, report):
    import matplotlib.pyplot as plt

    from .. import BiasVarianceDisplay

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    display = BiasVarianceDisplay.from_estimator(
        model,
        sets.X_train,
        sets.y_train,
        X_val=sets.X_dev,
        y_val=sets.y_dev,
        cv=LEARNING_CURVE_CV,
        baseline_error=args.baseline_error,
        tolerance=report.fields["tolerance"],  # the rounds' rule and tolerance
        ax=ax,
    )
    ax.set_title(
        f"Learning curve: {what}\n{LEARNING_CURVE_CV}-fold cross-validation "
        "of the training rows (train-dev), scored on the dev set too",
        fontsize=9,
        wrap=True,
    )
    diagnosis = display.diagnosis
    report.fields["learning_curve"] = {
        "cv": LEARNING_CURVE_CV,
        "train_sizes": display.train_sizes,
        "mean_train_errors": np.mean(display.train_errors, axis=1),
        "mean_train_dev_errors": np.mean(display.train_dev_errors, axis=1),
        "mean_dev_errors": np.mean(display.dev_errors, axis=1),
        **diagnosis_record(diagnosis, LEARNING_CURVE_DATA),
    }
    return folder.save_figure(fig, "learning_curve.png")


def _loss_curve(network, what, folder):
    import matplotlib.pyplot as plt

    from .. import LossCurveDisplay

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    LossCurveDisplay.from_estimator(network, ax=ax)
    ax.set_title(
        f"Training cost J per epoch: {what}\nfinal model (train+train-dev+dev)",
        fontsize=9,
        wrap=True,
    )
    return folder.save_figure(fig, "loss_curve.png")


def _gradient_norms(network, what, folder):
    import matplotlib.pyplot as plt

    from .. import diagnose_gradients

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    diagnose_gradients(network).plot(ax=ax)
    ax.set_title(
        f"Gradient norms per layer: {what}\nfinal model (train+train-dev+dev)",
        fontsize=9,
        wrap=True,
    )
    return folder.save_figure(fig, "gradient_norms.png")


# -- predict -------------------------------------------------------------------
