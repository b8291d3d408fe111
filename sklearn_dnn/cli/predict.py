"""``sklearn-dnn predict``: apply a saved model to a CSV file."""

import contextlib
import csv
import os
import warnings

from ._common import EXIT_OK, Console, UsageError
from ._csv import check_regular_file, read_csv, read_header
from ._report import atomic_open


def run_predict(args, out=None):
    """Predict with a model saved by ``recipe``; write the predictions CSV."""
    console = Console(out, args.quiet)
    _check_new_file(args.out, args.force)
    check_regular_file(args.model, "--model")
    model = _load_model(args.model)
    _check_saved_model(model, args.model)
    X, names = _features_for(model, args)
    with warnings.catch_warnings(), _cannot_predict(args.model):
        # X holds the columns in the model's order, as an array.
        warnings.filterwarnings("ignore", "X does not have valid feature names")
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
    from ..persistence import load

    try:
        return load(path)
    except (ValueError, TypeError) as exc:
        message = " ".join(str(exc).split())
        raise UsageError(f"cannot load --model {path!r}: {message}") from None


def _check_saved_model(model, path):
    """Accept exactly the fitted models ``recipe`` saves: a pipeline ending
    in a DNNClassifier or DNNRegressor (in a TransformedTargetRegressor for
    regression), or such an estimator alone."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline

    from .. import DNNClassifier, DNNRegressor

    pipeline = model
    if isinstance(model, TransformedTargetRegressor):
        pipeline = getattr(model, "regressor_", None)
    final = pipeline.steps[-1][1] if isinstance(pipeline, Pipeline) else pipeline
    if not (
        isinstance(final, DNNClassifier | DNNRegressor) and hasattr(final, "coefs_")
    ):
        raise UsageError(
            f"--model {path!r} holds a {type(model).__name__}, not a fitted model "
            "saved by 'sklearn-dnn recipe' (a pipeline ending in a DNNClassifier "
            "or DNNRegressor)"
        )


@contextlib.contextmanager
def _cannot_predict(path):
    """A model that loads but cannot predict (a damaged or edited file)."""
    try:
        yield
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        message = " ".join(str(exc).split())
        raise UsageError(f"cannot predict with --model {path!r}: {message}") from None


def _features_for(model, args):
    trained = _model_feature_names(model)
    if trained is not None:
        # Checked on the header first: a text label column then gets the
        # --target hint, not "encode it as numbers".
        header = [n for n in read_header(args.data) if n != args.target]
        _columns_in_training_order(header, trained, args)
    # The --target column is left unread: its labels may be text or empty.
    X, _, names, _ = read_csv(
        args.data, want_target=False, na_values=args.na_values, drop=args.target
    )
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


def _model_feature_names(model):
    """The columns the model was trained on, from its own ``feature_names_in_``
    (None for a model saved without them): never from a file beside it."""
    names = getattr(model, "feature_names_in_", None)
    return None if names is None else [str(name) for name in names]


def _columns_in_training_order(names, trained, args):
    """Indices that put ``names`` in the training order, or a usage error.

    Names are looked up in a dict and a set: linear in the number of
    columns, which may be hundreds of thousands.
    """
    # The first column of each name, as list.index gives it.
    position = {name: j for j, name in reversed(list(enumerate(names)))}
    known = set(trained)
    missing = [name for name in trained if name not in position]
    extra = [name for name in names if name not in known]
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
    return [position[name] for name in trained]


def _csv_cells(values):
    if values.dtype.kind == "f":
        return [repr(float(v)) for v in values]
    return [str(v) for v in values]


# -- gradcheck -----------------------------------------------------------------
