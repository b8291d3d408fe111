"""The argument parser of the ``sklearn-dnn`` command line."""

import argparse

from ._errors import add_tags_argument
from .gradcheck import run_gradcheck
from .predict import run_predict
from .recipe import run_recipe

RECIPE_EXAMPLES = """\
examples:
  sklearn-dnn recipe
  sklearn-dnn recipe --data breast_cancer --baseline-error 0.02 --out report
  sklearn-dnn recipe --data measurements.csv --target label --max-rounds 4
  sklearn-dnn recipe --data prices.csv --target price --task regression
  sklearn-dnn recipe --data web_photos.csv --dev phone_photos.csv --target label
  sklearn-dnn recipe --data train.csv --test test.csv --scoring balanced_accuracy
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


def _tolerance(text):
    if text == "auto":
        return text
    return _number(float, 0.0)(text)


def _baseline(text):
    if text == "auto":
        return text
    try:
        return _number(float, 0.0, 1.0, high_open=True)(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; or 'auto'") from None


def _scorer_name(text):
    from sklearn.metrics import get_scorer_names

    if text not in get_scorer_names():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a scikit-learn scorer name (see "
            "sklearn.metrics.get_scorer_names(); e.g. accuracy, f1_macro, r2)"
        )
    return text


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


def _na_values_argument(parser):
    parser.add_argument(
        "--na-values",
        nargs="*",
        default=None,
        metavar="TEXT",
        help="the cells of a CSV file read as missing, in any case (default: "
        "'' nan na n/a); a missing value is an error. Pass the list without NA "
        "when NA is a real label, e.g. --na-values '' nan",
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
    _na_values_argument(parser)
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
            "Split a test set off the data with size-aware ratios, normalize "
            "the inputs, and run the basic recipe (fix high bias first, then "
            "high variance) against a baseline error ('auto': the best "
            "reference model's cross-validated error), with a progress bar. "
            "One file split at random has one distribution: the recipe holds "
            "its dev set out of the rest and no data mismatch is measured. With "
            "--dev (data from the distribution the model will serve: dev and "
            "test are its two halves, or --test is the test set) the recipe "
            "also holds a train-dev set out of --data, so each diagnosis "
            "separates variance (train-dev above train) from data mismatch "
            "(dev above train-dev), and the files are checked for the same "
            "distribution. It prints each round's errors and diagnosis, then "
            "the best round's errors with the test error, and refits the best "
            "round's settings on every row but the test set's for the final "
            "model and its test score (accuracy, or R^2 and RMSE for "
            "regression). --max-time bounds all of it, the refit, learning "
            "curve and figures included. Written to --out: report.json "
            "(rewritten after each step, with its status), the final model as "
            "model.skops, and the learning-curve, loss-curve and gradient-norm "
            "PNGs."
        ),
        epilog=RECIPE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_arguments(recipe)
    _source_arguments(recipe)
    _recipe_arguments(recipe)
    _budget_arguments(recipe)
    add_tags_argument(recipe)
    _output_arguments(recipe)
    recipe.set_defaults(run=run_recipe)


def _source_arguments(recipe):
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
        "--test",
        default=None,
        metavar="TEST.csv",
        help="a CSV file with the columns of --data to use as the test set, "
        "whole (without it, the test set is split off --dev, or off --data); "
        "its distribution is checked against the dev set's",
    )


def _recipe_arguments(recipe):
    recipe.add_argument(
        "--baseline-error",
        type=_baseline,
        default="auto",
        help="the error to measure avoidable bias against: 'auto' (the lowest "
        "cross-validated error of reference models that need no tuning, an "
        "upper bound of the Bayes error, reported with its source and noise), "
        "or a human-level (Bayes) error in [0, 1) (default: auto)",
    )
    recipe.add_argument(
        "--scoring",
        type=_scorer_name,
        default=None,
        metavar="SCORER",
        help="a scikit-learn scorer name (e.g. balanced_accuracy, f1_macro, r2, "
        "neg_mean_absolute_error): the recipe diagnoses on its error (1 - score, "
        "or the loss). Default: the recipe's (the error rate, 1 - R^2 for "
        "regression)",
    )
    recipe.add_argument(
        "--tolerance",
        type=_tolerance,
        default="auto",
        help="smallest gap between two errors that counts as high, >= 0, or "
        "'auto' (0.01, as BasicRecipe's tolerance='auto'); either way a gap "
        "must also exceed its sampling noise (1.96 standard errors, from the "
        "sizes of the sets it is measured on) to be high, and one within it "
        "is reported as uncertain (default: auto)",
    )


def _budget_arguments(recipe):
    recipe.add_argument(
        "--max-rounds",
        type=_number(int, 1),
        default=6,
        help="budget of recipe rounds, each one fit (default: 6)",
    )
    recipe.add_argument(
        "--max-total-epochs",
        type=_number(int, 1),
        default=None,
        help="budget of training epochs, all rounds together (default: "
        "BasicRecipe's max_total_epochs)",
    )
    recipe.add_argument(
        "--max-time",
        type=_number(float, 0, low_open=True),
        default=None,
        help="time budget of the whole command after reading the data, in "
        "seconds, > 0: the rounds (with the reference models) take at most "
        "70%% of it, and the refit, learning curve and figures are sized, or "
        "skipped, to fit what is left (default: BasicRecipe's max_time)",
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
        help="step size, > 0 and at most 1e-2 of the parameters' scale (default: 1e-7)",
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
            "the prediction, then each class's probability for a classifier. "
            "It accepts exactly the fitted models 'recipe' saves: a pipeline "
            "ending in a DNNClassifier or DNNRegressor (a regressor inside a "
            "TransformedTargetRegressor), or such an estimator alone."
        ),
        epilog=PREDICT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    predict.add_argument("--model", required=True, help="the model.skops file")
    predict.add_argument(
        "--data",
        required=True,
        help="CSV file with a header row and the model's feature columns, "
        "matched by name (in any order; a model saved without column names "
        "takes them in the order used for training)",
    )
    predict.add_argument(
        "--target",
        default=None,
        help="a label column to leave out unread, if the file has one (its "
        "cells may be text or empty, as in the file the model was trained from)",
    )
    _na_values_argument(predict)
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
    from .. import __version__

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
