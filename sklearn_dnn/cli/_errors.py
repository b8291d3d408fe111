"""The dev errors of ``sklearn-dnn recipe``: ``--tags``, ``errors.csv`` and the
ceiling table (DESIGN §22).

The errors are those of the best round's model, which trained on the
training rows only: the final model also learns from the dev set, so its
dev errors would be training errors.
"""

import csv
from collections import namedtuple

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from ._csv import UsageError

#: The tags of the dev set's source file: names and a boolean matrix, one
#: row per data row of that file.
Tags = namedtuple("Tags", "names values")

#: How errors.csv numbers a row, as report.json says it.
ROW_MEANING = (
    "row: the data row of the file the dev set came from, counted from 1 at "
    "the first row after the header (blank lines are not rows); line: that "
    "row's line in the file (the header is line 1; blank for a bundled data "
    "set, whose row is its position in scikit-learn's loader)"
)
#: The errors report.json and report.html show (errors.csv has them all).
FIRST_ERRORS = 10
MODEL_MEANING = (
    "the best round's model, trained on the training rows only (never on the "
    "dev set), predicting the dev set"
)


def add_tags_argument(parser):
    """Add ``--tags COL[,COL...]`` to the recipe's parser."""
    parser.add_argument(
        "--tags",
        type=_tag_names,
        default=None,
        metavar="COL[,COL...]",
        help="columns of the data file that tag examples with a cause of "
        "error (0 or 1 each, several per example allowed); they are not "
        "features. The report's error analysis gives each tag's share of the "
        "dev errors and its ceiling, the dev error if those errors were fixed. "
        "With --dev, the tags are read from the --dev file (--data, --dev and "
        "--test all need the columns)",
    )


def _tag_names(text):
    import argparse

    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"comma-separated column names expected, got {text!r}"
        )
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"a column is named twice in {text!r}")
    return names


def take_tags(files, names):
    """Remove the tag columns from the features of every file read.

    ``files`` is ``(data, dev, test)`` (None for a file not given); returns
    ``(files, tags)``, ``tags`` (None without ``--tags``) holding the tags of
    the file the dev set comes from: ``--dev`` when given, else ``--data``.
    """
    if names is None:
        return files, None
    data, dev, test = files
    data, tags = _split_off(data, names, "--data")
    if dev is not None:
        dev, tags = _split_off(dev, names, "--dev")
    if test is not None:
        test, _ = _split_off(test, names, "--test")
    return (data, dev, test), tags


def _split_off(data, names, option):
    if option == "--data" and data.target is None:  # a bundled data set
        raise UsageError(
            f"--tags needs a CSV file with the tag columns; --data {data.name} has none"
        )
    # The first column of each name, as list.index gives it.
    position = {n: j for j, n in reversed(list(enumerate(data.feature_names)))}
    columns = []
    for name in names:
        if name == data.target:
            raise UsageError(f"--tags {name!r} is the target column")
        if name not in position:
            n_more = len(data.feature_names) - 20
            raise UsageError(
                f"unknown --tags column {name!r} in {option} {data.name!r}; the "
                "columns are: "
                + ", ".join(data.feature_names[:20])
                + (f" and {n_more} more" if n_more > 0 else "")
            )
        columns.append(position[name])
    if len(columns) == len(data.feature_names):
        raise UsageError("--tags names every feature column: none would be left")
    values = data.X[:, columns]
    _check_boolean(values, names, option, data.name)
    tagged = set(columns)
    keep = [j for j in range(len(data.feature_names)) if j not in tagged]
    data = data._replace(
        X=np.ascontiguousarray(data.X[:, keep]),
        feature_names=[data.feature_names[j] for j in keep],
    )
    return data, Tags(list(names), values == 1.0)


def _check_boolean(values, names, option, file_name):
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise UsageError(
            f"--tags column {names[column]!r} of {option} {file_name!r} must "
            f"hold 0 or 1; data row {row + 1} holds {values[row, column]:g}"
        )


def data_row_lines(path):
    """The line number of each data row of the CSV file ``path``.

    As the reader counts them: the header is the first line with a
    non-blank cell, and each later line that is not blank is a data row.
    """
    lines = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        for row in reader:
            if any(cell.strip() for cell in row):
                break
        number = reader.line_num
        for text in handle:
            number += 1
            if not text.isspace():
                lines.append(number)
    return np.asarray(lines, dtype=np.int64)


class _Unscaled(RegressorMixin, BaseEstimator):
    """A recipe regressor's predictions in the target's own units.

    The recipe's networks learn a standardized target; this predicts with
    the fitted pipeline and undoes the standardization.
    """

    def __init__(self, model, scaler):
        self.model = model
        self.scaler = scaler

    def __sklearn_is_fitted__(self):
        return True

    def fit(self, X, y=None):
        """Never fitted: it wraps a fitted pipeline and a fitted scaler."""
        raise NotImplementedError("_Unscaled wraps fitted estimators only")

    def predict(self, X):
        """Predict with the pipeline, in the target's units."""
        scaled = self.model.predict(X).reshape(-1, 1)
        return self.scaler.inverse_transform(scaled).ravel()


class _NamedTags:
    """A tag matrix with its column names, as ``error_analysis`` reads a
    DataFrame's."""

    def __init__(self, names, values):
        self.columns = names
        self.values = values
        self.shape = values.shape

    def __len__(self):
        return len(self.values)

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)


def dev_errors(recipe, sets, tags):
    """The error analysis of the best round's model on the dev set."""
    from ..diagnostics import error_analysis

    model = recipe.best_estimator_
    if sets.task == "regression":
        from sklearn.preprocessing import StandardScaler

        # The recipe standardizes the target with the rows it fits.
        scaler = StandardScaler().fit(sets.y_fit.reshape(-1, 1))
        model = _Unscaled(model, scaler)
    dev_tags = None
    if tags is not None:
        dev_tags = _NamedTags(tags.names, tags.values[sets.dev_rows])
    return error_analysis(model, sets.X_dev, sets.y_dev, tags=dev_tags)


def write_error_analysis(recipe, sets, tags, args, folder, report, console):
    """Write errors.csv, record the ceiling table and print it."""
    analysis = dev_errors(recipe, sets, tags)
    rows, lines = _file_rows(sets, args)
    first = _write_errors_csv(analysis, rows, lines, folder)
    record = error_record(analysis)
    record["first_errors"] = first
    record["figure"] = _ceiling_figure(analysis, folder)
    report.update(error_analysis=record)
    console.say(str(analysis))
    console.say(f"errors: {folder.file('errors.csv')}")
    return analysis


def _file_rows(sets, args):
    """Each dev example's row (1-based) and line in its source file."""
    if sets.dev_rows is None:
        return None, None
    rows = sets.dev_rows + 1
    source = args.dev if args.dev is not None else args.data
    if source in ("digits", "breast_cancer") and args.dev is None:
        return rows, None
    return rows, data_row_lines(source)[sets.dev_rows]


def _write_errors_csv(analysis, rows, lines, folder):
    order = analysis.error_indices
    if analysis.task == "classification" and rows is not None:
        order = order[np.argsort(rows[order], kind="stable")]
    position = {i: k for k, i in enumerate(analysis.error_indices)}
    last = "confidence" if analysis.task == "classification" else "abs_error"
    values = analysis.confidence if last == "confidence" else analysis.abs_errors
    header = ["row", "line", "true", "predicted", last]
    records = []
    with folder.open("errors.csv") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for i in order:
            k = position[i]
            cells = [
                "" if rows is None else int(rows[i]),
                "" if lines is None else int(lines[i]),
                _cell(analysis.y_true[k]),
                _cell(analysis.y_pred[k]),
                "" if values is None else f"{values[k]:.6g}",
            ]
            writer.writerow(cells)
            if len(records) < FIRST_ERRORS:
                records.append(dict(zip(header, cells)))
    return records


def _ceiling_figure(analysis, folder):
    """Save the ceilings' bar chart as error_analysis.png; its name, or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    if not analysis.table():  # a regressor without tags: nothing to draw
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    try:
        analysis.plot(ax=ax)
        return folder.save_figure(fig, "error_analysis.png")
    finally:
        plt.close(fig)


def _cell(value):
    """A label as a CSV cell, as written in the data (numbers in full)."""
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def error_record(analysis):
    """What report.json stores of an ``ErrorAnalysis``."""
    return {
        "model": MODEL_MEANING,
        "task": analysis.task,
        "dev_error": analysis.dev_error,
        "n_dev": analysis.n_samples,
        "n_errors": analysis.n_errors,
        "errors_file": "errors.csv",
        "rows": ROW_MEANING,
        "ceiling": "the dev error if every error of that tag or class were fixed",
        "by_tag": _sorted(analysis.by_tag),
        "by_class": _sorted(analysis.by_class),
        "table": str(analysis),
    }


def _sorted(records):
    ordered = sorted(records.items(), key=lambda item: item[1]["ceiling"])
    return {str(name): record for name, record in ordered}
