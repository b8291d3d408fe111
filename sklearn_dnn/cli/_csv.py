"""Private CSV reading for the command line.

A CSV file is read in chunks of lines straight into a preallocated float64
array, so the file is never held as Python strings: peak memory stays near
the size of the array. The label column is kept as text, exactly as written.
Every problem is a :class:`UsageError` naming the line and column.
"""

import csv
import itertools
import os
import stat
import time

import numpy as np

CHUNK_LINES = 20_000
# The default of --na-values: read as missing, in any case; "none" can be a
# real class. A number cell that reads as NaN ("-nan") is missing too.
NA_VALUES = ("", "nan", "na", "n/a")
MISSING = frozenset(NA_VALUES)


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


def check_regular_file(path, option="--data"):
    """Raise a UsageError unless ``path`` names a regular file (or a link to one).

    Checked with ``stat`` before opening, so a FIFO or a device is refused at
    once instead of blocking or reading forever.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        builtin = " (the built-in data sets are digits and breast_cancer)"
        raise UsageError(
            f"no such file: {option} {path!r}" + (builtin if option == "--data" else "")
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {option} {path!r}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"{option} {path!r} is a directory, not a CSV file")
    if not stat.S_ISREG(mode):
        raise UsageError(
            f"{option} {path!r} is not a regular file (a pipe, socket or device); "
            "save the data to a file first"
        )


def read_csv(
    path,
    target=None,
    *,
    progress=None,
    want_target=True,
    option="--data",
    na_values=None,
):
    """Read a numeric CSV file with a header row.

    Parameters
    ----------
    path : str
        The file.
    target : str or None
        The label column; None picks ``target`` if present, else the last
        column. Ignored when ``want_target`` is False.
    progress : callable or None
        Called as ``progress(lines_read, lines_total)`` after each chunk.
    want_target : bool
        False reads every column as a feature (for ``predict``).
    option : str
        The command-line option that named the file, for error messages.
    na_values : sequence of str or None
        The cells read as missing, in any case (``--na-values``); None for
        :data:`NA_VALUES`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    labels : ndarray of str of shape (n_samples,) or None
        The label column exactly as written (surrounding spaces removed).
    feature_names : list of str
    target : str or None
        The label column's name.
    """
    check_regular_file(path, option)
    missing = MISSING if na_values is None else {v.strip().lower() for v in na_values}
    try:
        return _read(path, target, progress, want_target, missing)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read {path!r}: {exc}") from None


def read_header(path, option="--data"):
    """Return the header row of the CSV file ``path``, names stripped."""
    check_regular_file(path, option)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return _header(handle, path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read {path!r}: {exc}") from None


def _read(path, target, progress, want_target, missing):
    n_lines = _count_rows(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = _header(handle, path)
        layout = _Layout(header, target, want_target, path)
        layout.missing = missing
        X = np.empty((n_lines, len(layout.features)))
        labels, n_rows, line_no = [], 0, 2
        while True:
            lines = list(itertools.islice(handle, CHUNK_LINES))
            if not lines:
                break
            x, y = _parse_chunk(lines, line_no, layout)
            X[n_rows : n_rows + len(x)] = x
            labels.append(y)
            n_rows += len(x)
            line_no += len(lines)
            if progress is not None:
                progress(line_no - 1, n_lines)
    if n_rows == 0:
        raise UsageError(f"{path!r} has a header but no data rows")
    y = np.concatenate(labels) if want_target else None
    names = [header[i] for i in layout.features]
    return X[:n_rows], y, names, layout.target_name


def _count_rows(path):
    """The lines that are not blank, header included, whatever the line
    endings (LF, CRLF or CR alone): the rows' buffer is sized by this."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return sum(1 for line in handle if not line.isspace())


def _header(handle, path):
    for row in csv.reader(handle):
        if any(cell.strip() for cell in row):
            return [cell.strip() for cell in row]
    raise UsageError(f"{path!r} is empty: expected a header row and data rows")


class _Layout:
    """Which columns are features and which one is the label."""

    def __init__(self, header, target, want_target, path):
        self.header = header
        self.target_given = target is not None
        self.target = None
        self.missing = MISSING
        if want_target:
            if target is None:
                target = "target" if "target" in header else header[-1]
            if target not in header:
                raise UsageError(
                    f"unknown --target column {target!r}; the columns are: "
                    + ", ".join(header)
                )
            if header.count(target) > 1:
                raise UsageError(
                    f"--target {target!r} matches {header.count(target)} columns "
                    f"of {path!r}; give each column its own name"
                )
            if len(header) < 2:
                raise UsageError(
                    f"{path!r} needs at least one feature column and a target"
                )
            self.target = header.index(target)
        _check_unique(header, path)
        self.target_name = target if want_target else None
        self.features = [i for i in range(len(header)) if i != self.target]


def _check_unique(header, path):
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise UsageError(
            f"{path!r} has duplicate column names: "
            + ", ".join(repr(name) for name in repeated)
            + "; give each column its own name"
        )


def _parse_chunk(lines, first_line, layout):
    """Parse lines quickly with numpy; on any doubt, row by row for the reason."""
    texts = [line for line in lines if not line.isspace()]
    commas = len(layout.header) - 1
    if texts and all('"' not in t and t.count(",") == commas for t in texts):
        try:
            x = np.loadtxt(
                texts, delimiter=",", usecols=layout.features, ndmin=2, comments=None
            )
            y = _fast_labels(texts, layout)
        except ValueError:
            pass
        else:
            if np.isfinite(x).all() and not _has_missing(y, layout.missing):
                return x, y
    numbered = [(first_line + k, t) for k, t in enumerate(lines) if not t.isspace()]
    return _slow_chunk(numbered, layout)


def _fast_labels(texts, layout):
    """The label cells of lines known to hold no quotes and every field."""
    t = layout.target
    if t is None:
        return np.empty(0, dtype=str)
    from_end = len(layout.header) - t  # split from the nearer end: it is faster
    if from_end <= t:
        cells = [line.rsplit(",", from_end)[-from_end] for line in texts]
    else:
        cells = [line.split(",", t + 1)[t] for line in texts]
    return np.char.strip(np.array(cells, dtype=str))


def _has_missing(y, missing):
    return any(label.lower() in missing for label in y.tolist())


def _slow_chunk(numbered, layout):
    """Parse with the csv module, row by row, raising at the first bad cell."""
    x = np.empty((len(numbered), len(layout.features)))
    y = []
    for r, (line_no, text) in enumerate(numbered):
        row = next(csv.reader([text]))
        if len(row) != len(layout.header):
            raise UsageError(
                f"line {line_no} has {len(row)} fields, the header has "
                f"{len(layout.header)}"
            )
        for j, i in enumerate(layout.features):
            x[r, j] = _number(row[i], line_no, i, layout)
        if layout.target is not None:
            label = row[layout.target].strip()
            if label.lower() in layout.missing:
                raise _missing_label(label, line_no, layout)
            y.append(label)
    return x, np.array(y, dtype=str)


def _number(cell, line_no, column, layout):
    text = cell.strip()
    if text.lower() in layout.missing:
        raise _missing(line_no, column, layout)
    try:
        value = float(text)
    except ValueError:
        raise _not_numeric(text, line_no, column, layout) from None
    if np.isnan(value):  # "-nan", or "nan" when --na-values leaves it out
        raise _missing(line_no, column, layout)
    if not np.isfinite(value):
        raise UsageError(
            f"an infinite value at line {line_no}, {_column(column, layout)}: "
            "replace or drop it"
        )
    return value


def _column(index, layout):
    return f"column {index + 1} ({layout.header[index]!r})"


def _missing(line_no, column, layout):
    return UsageError(
        f"a missing value at line {line_no}, {_column(column, layout)}: "
        "impute or drop it"
    )


def _missing_label(label, line_no, layout):
    """A missing label; it may be a real class (``NA``, a region)."""
    message = str(_missing(line_no, layout.target, layout))
    if label:
        message += (
            f"; if {label!r} is a real label, pass --na-values with the cells "
            "that mean missing (default: '' nan na n/a), leaving it out"
        )
    return UsageError(message)


def _not_numeric(text, line_no, column, layout):
    message = (
        f"{_column(column, layout)} is not numeric (line {line_no}: {text!r}); "
        "encode it as numbers first"
    )
    if column == 0 and not layout.target_given and layout.target is not None:
        message += f", or if it is the label, pass --target {layout.header[0]}"
    return UsageError(message)


class LoadProgress:
    """Report the progress of reading a large file on a text stream."""

    def __init__(self, stream, name, size, *, min_size=20 * 2**20):
        self.stream = stream
        self.name = name
        self.enabled = size >= min_size
        self.tty = stream.isatty() if hasattr(stream, "isatty") else False
        self.started = time.perf_counter()
        self.reported = -1

    def __call__(self, done, total):
        if not self.enabled:
            return
        percent = min(100, int(100 * done / max(total, 1)))
        step = 1 if self.tty else 25
        if percent // step == self.reported:
            return
        self.reported = percent // step
        end = "\r" if self.tty and percent < 100 else "\n"
        elapsed = time.perf_counter() - self.started
        self.stream.write(
            f"loading {self.name}: {percent}% of {total} lines, {elapsed:.1f} s{end}"
        )
        self.stream.flush()
