"""The recipe command's sets: the files read, their split, and the checks
that compare the files (DESIGN 13 and 19).

One file split at random has one distribution by construction: then no
train-dev set is held out and no distribution is tested. A second source
(``--dev``) brings the train-dev set and the data-mismatch diagnosis; a
distribution check runs only between files the user gave.
"""

import contextlib
import os
import sys
from collections import namedtuple

import numpy as np

from ._common import UsageError
from ._csv import check_regular_file, read_csv
from ._data import Data, decide_task, load_data, load_progress

MIN_DEV_SAMPLES = 10  # a --dev file without --test gives a dev and a test half
MIN_FILE_SAMPLES = 5  # a --dev or --test file used whole
TRAIN_DEV_SHARE = 5  # the train-dev set: at most a fifth of --data, at most dev's size

Sets = namedtuple(
    "Sets",
    "X_fit y_fit X_val y_val X_train y_train X_train_dev y_train_dev "
    "X_dev y_dev X_test y_test task hold_out_size feature_names data_name "
    "dev_name test_name dev_rows",
    defaults=[None],
)
Sets.__doc__ = """The sets of a run.

``X_fit`` is what the recipe fits (its training rows and its hold-out of
``hold_out_size`` rows); ``X_val`` the dev set passed to it (None on one
source, where the hold-out is the dev set). ``X_train``, ``X_train_dev``
(None on one source) and ``X_dev`` are the recipe's own splits, as its
rounds see them; ``dev_name`` and ``test_name`` the files they came from
(None: from --data). ``dev_rows`` are the dev set's positions among the
data rows of its file (``--dev``, else ``--data``).
"""


def load_files(args):
    """Read --data and the --dev and --test files: ``(data, dev, test)``."""
    data = load_data(
        args.data,
        args.target,
        progress=load_progress(args.data, args.quiet),
        na_values=args.na_values,
    )
    dev = _load_extra(args, "--dev", args.dev, data)
    test = _load_extra(args, "--test", getattr(args, "test", None), data)
    return data, dev, test


def _load_extra(args, option, path, data):
    if path is None:
        return None
    check_regular_file(path, option)
    progress = load_progress(path, args.quiet, option)
    try:
        X, labels, names, _ = read_csv(
            path, args.target, progress=progress, option=option,
            na_values=args.na_values,
        )  # fmt: skip
    except UsageError as exc:
        raise UsageError(f"{option} {path!r}: {exc}") from None
    if names != data.feature_names:
        raise UsageError(
            f"{option} {path!r} has the feature columns {', '.join(names)}; "
            f"--data has {', '.join(data.feature_names)}: both need the same "
            "columns, in the same order"
        )
    return Data(X, labels, names, os.path.basename(path))


def decide_files_task(data, dev, test, task):
    """Decide the task on the labels of every file: ``(task, y, y_dev, y_test,
    reason)`` (None for a file not given)."""
    files = [f for f in (data, dev, test) if f is not None]
    labels = data.labels
    if len(files) > 1:
        labels = np.concatenate([_label_text(f.labels) for f in files])
    task, y, reason = decide_task(labels, task)
    parts, start = [], 0
    for f in (data, dev, test):
        if f is None:
            parts.append(None)
            continue
        parts.append(y[start : start + len(f.labels)])
        start += len(f.labels)
    return task, *parts, reason


def _label_text(labels):
    """Labels as an array of Python strings, as the CSV reader gives them.

    Numeric labels (of a bundled data set) become their text, so that they
    compare equal to the same labels read from a file. The array holds one
    reference per label: it is not sized to the longest label, which may be
    1,000 characters long.
    """
    labels = np.asarray(labels)
    if labels.dtype != object:
        labels = labels.astype(str)  # numbers: a few characters each
    return labels.astype(object, copy=False)


def check_extra_file(y, y_file, task, option, path, *, halves):
    """A --dev or --test file: big enough, and no class --data lacks."""
    least = MIN_DEV_SAMPLES if halves else MIN_FILE_SAMPLES
    if len(y_file) < least:
        use = f"as the {option[2:]} set"
        if halves:
            use = "to split into dev and test sets"
        raise UsageError(
            f"{option} {path!r} has only {len(y_file)} examples; it needs at "
            f"least {least} {use}"
        )
    if task == "classification":
        unknown = np.setdiff1d(y_file, y)
        if len(unknown):
            raise UsageError(
                f"{option} {path!r} has class {str(unknown[0])!r}, which --data "
                "lacks: the network can only learn the classes it trains on"
            )


def warn_overlap(data, other, option, path, report):
    """Warn when rows of a --dev or --test file are also in --data (exact
    duplicates): its scores would then be measured partly on training rows."""
    from ..model_selection._distribution_check import count_shared_rows

    n_shared = count_shared_rows(data.X, other.X)
    report.fields[f"{option[2:]}_rows_in_data"] = n_shared
    if n_shared:
        print(
            f"sklearn-dnn recipe: warning: {n_shared} of the {len(other.X)} rows "
            f"of {option} {path!r} also appear in --data (exact duplicates); "
            "the scores on them are measured partly on training rows",
            file=sys.stderr,
        )


def hold_out(task, X, y, size, random_state):
    """The recipe's own split of ``X`` (``BasicRecipe._hold_out`` with its
    ``dev_size`` and seed): ``(X_train, X_held, y_train, y_held)``."""
    from .. import BasicRecipe, DNNClassifier, DNNRegressor

    network = DNNClassifier() if task == "classification" else DNNRegressor()
    recipe = BasicRecipe(network, dev_size=size, random_state=random_state)
    return recipe._hold_out(X, y)


def split(data, y, dev, y_dev, test, y_test, task, random_state):
    """The sets of a run, from the files given (see :class:`Sets`)."""
    from .. import suggest_split_sizes, train_dev_test_split

    stratify = y if task == "classification" else None
    if dev is None and test is None:
        # Test only is split off; the recipe holds out dev from the rest.
        _, n_dev, n_test = suggest_split_sizes(data.X.shape[0])
        X_a, X_b, X_test, y_a, y_b, y_test, rows_a, rows_b, _ = train_dev_test_split(
            data.X, y, np.arange(len(y)), dev_size=n_dev, test_size=n_test,
            stratify=stratify, random_state=random_state,
        )  # fmt: skip
        X_fit, y_fit = np.concatenate([X_a, X_b]), np.concatenate([y_a, y_b])
        fit_rows = np.concatenate([rows_a, rows_b])
    elif dev is None:
        X_fit, y_fit, X_test = data.X, y, test.X
        n_dev = suggest_split_sizes(data.X.shape[0])[1]
        fit_rows = np.arange(len(y))
    else:
        X_fit, y_fit = data.X, y
        if test is None:
            X_dev, X_test, y_dev, y_test, dev_rows, _ = _halves(
                dev.X, y_dev, task, random_state
            )
        else:
            X_dev, X_test, dev_rows = dev.X, test.X, np.arange(len(y_dev))
        n_dev = max(1, min(len(y_dev), len(y_fit) // TRAIN_DEV_SHARE))
    X_train, X_held, y_train, y_held = hold_out(task, X_fit, y_fit, n_dev, random_state)
    if dev is None:
        X_val = y_val = X_train_dev = y_train_dev = None
        X_dev, y_dev = X_held, y_held
        # The hold-out depends on the labels and the seed only: the same
        # split of the rows' positions gives the dev set's rows.
        dev_rows = hold_out(task, fit_rows, y_fit, n_dev, random_state)[1]
    else:
        X_val, y_val, X_train_dev, y_train_dev = X_dev, y_dev, X_held, y_held
    return Sets(
        X_fit, y_fit, X_val, y_val, X_train, y_train, X_train_dev, y_train_dev,
        X_dev, y_dev, X_test, y_test, task, n_dev, data.feature_names,
        data.name, dev and dev.name, test and test.name, dev_rows,
    )  # fmt: skip


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


def split_sizes(sets):
    """The sizes of the sets, as the report stores them (no train-dev key on
    one source)."""
    sizes = {"train": len(sets.y_train)}
    if sets.y_train_dev is not None:
        sizes["train_dev"] = len(sets.y_train_dev)
    sizes.update(dev=len(sets.y_dev), test=len(sets.y_test))
    return sizes


def describe_split(sets):
    """The console's split line: the sizes, grouped by the file they came
    from (``train 320 / train-dev 80 from a.csv; dev 80 / test 80 from b.csv``)."""
    sources = {
        "train": sets.data_name,
        "train_dev": sets.data_name,
        "dev": sets.dev_name or sets.data_name,
        "test": sets.test_name or sets.dev_name or sets.data_name,
    }
    groups = []
    for name, size in split_sizes(sets).items():
        text = f"{name.replace('_', '-')} {size}"
        if groups and groups[-1][0] == sources[name]:
            groups[-1][1].append(text)
        else:
            groups.append((sources[name], [text]))
    return "; ".join(f"{' / '.join(texts)} from {source}" for source, texts in groups)


def distribution_checks(sets, random_state, console):
    """Test only pairs of sets from different files; say which are one
    distribution by construction. Returns the report's record."""
    tested, same = {}, []
    if sets.dev_name is not None:
        tested["train-dev vs dev"] = (sets.X_train_dev, sets.X_dev)
    if sets.test_name is not None:
        tested["dev vs test"] = (sets.X_dev, sets.X_test)
    data_parts = ["train"] + (["dev"] if sets.dev_name is None else [])
    data_parts += ["test"] if sets.test_name is None and sets.dev_name is None else []
    if len(data_parts) > 1:
        same.append((data_parts, sets.data_name))
    if sets.dev_name is not None and sets.test_name is None:
        same.append((["dev", "test"], sets.dev_name))
    record = {}
    for parts, name in same:
        key = " and ".join([", ".join(parts[:-1]), parts[-1]])
        why = (
            f"{key}: a random split of {name}, the same distribution by "
            "construction (not tested)"
        )
        console.say(why)
        record[key] = {"tested": False, "same_by_construction": True, "note": why}
    for key, pair in tested.items():
        record[key] = _distribution_check(key, *pair, sets, random_state, console)
    return record


def _distribution_check(name, X_a, X_b, sets, random_state, console):
    from .. import check_same_distribution

    check = check_same_distribution(X_a, X_b, random_state=random_state)
    verdict = "same distribution" if check.same else "DIFFERENT distributions"
    console.say(f"{name}: {verdict} (domain-classifier AUC {check.auc:.3f})")
    return {
        "tested": True,
        "same": bool(check.same),
        "auc": float(check.auc),
        "top_features": [
            sets.feature_names[i] if isinstance(i, int | np.integer) else i
            for i in check.top_features
        ],
        "report": str(check),
    }
