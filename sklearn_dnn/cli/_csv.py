"""Private CSV reading for the command line.

A CSV file is read in chunks of lines straight into a preallocated float64
array, so the file is never held as Python strings: peak memory stays near
the size of the array. The label column is kept as text, exactly as
written, one Python string per row: no array is sized to the longest label.
Every problem is a :class:`UsageError` naming the line and column.
"""

import csv
import itertools
import os
import stat
import time
from collections import Counter

import numpy as np

CHUNK_LINES = 20_000
#: The longest label read, in characters: a longer cell is not a label.
MAX_LABEL_CHARS = 1_000
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
    drop=None,
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
    drop : str or None
        With ``want_target`` False, a column left out unread (``predict
        --target``): its cells may hold anything.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    labels : ndarray of object of shape (n_samples,) or None
        The label column exactly as written (surrounding spaces removed), as
        Python strings of at most :data:`MAX_LABEL_CHARS` characters.
    feature_names : list of str
    target : str or None
        The label column's name.
    """
    check_regular_file(path, option)
    missing = MISSING if na_values is None else {v.strip().lower() for v in na_values}
    try:
        return _read(path, target, progress, want_target, missing, drop)
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


def _read(path, target, progress, want_target, missing, drop):
    n_lines = _count_rows(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = _header(handle, path)
        layout = _Layout(header, target, want_target, path, drop)
        layout.missing = missing
        _check_row_widths(path, n_lines, len(header))
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


def _check_row_widths(path, n_lines, n_fields):
    """Name a row with fewer fields than the header before ``X`` is sized.

    A row of ``n_fields`` fields holds at least ``n_fields - 1`` commas, so a
    file of such rows has at least ``n_lines * (n_fields - 1)`` bytes; a
    smaller file has a short row, found here by its line.
    """
    if n_lines * (n_fields - 1) <= os.stat(path).st_size:
        return
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, start=1):
            if line_no > 1 and not line.isspace() and line.count(",") < n_fields - 1:
                n_row = len(next(csv.reader([line])))
                raise UsageError(
                    f"line {line_no} has {n_row} fields, the header has {n_fields}"
                )


def _header(handle, path):
    for row in csv.reader(handle):
        if any(cell.strip() for cell in row):
            return [cell.strip() for cell in row]
    raise UsageError(f"{path!r} is empty: expected a header row and data rows")


class _Layout:
    """Which columns are features and which one is the label."""

    def __init__(self, header, target, want_target, path, drop=None):
        self.header = header
        self.target_given = target is not None
        self.target = None
        self.missing = MISSING
        if want_target:
            if target is None:
                target = "target" if "target" in header else header[-1]
            if target not in header:
                more = f" and {len(header) - 20} more" if len(header) > 20 else ""
                raise UsageError(
                    f"unknown --target column {target!r}; the columns are: "
                    + ", ".join(header[:20])
                    + more
                )
            n_matches = header.count(target)
            if n_matches > 1:
                raise UsageError(
                    f"--target {target!r} matches {n_matches} columns "
                    f"of {path!r}; give each column its own name"
                )
            if len(header) < 2:
                raise UsageError(
                    f"{path!r} needs at least one feature column and a target"
                )
            self.target = header.index(target)
        _check_unique(header, path)
        self.target_name = target if want_target else None
        left_out = self.target
        if not want_target and drop is not None:
            if drop not in header:
                raise UsageError(f"unknown --target column {drop!r}")
            left_out = header.index(drop)
        self.features = [i for i in range(len(header)) if i != left_out]


def _check_unique(header, path):
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
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
            if np.isfinite(x).all() and _plain_labels(y, layout.missing):
                return x, y
    numbered = [(first_line + k, t) for k, t in enumerate(lines) if not t.isspace()]
    return _slow_chunk(numbered, layout)


def _fast_labels(texts, layout):
    """The label cells of lines known to hold no quotes and every field."""
    t = layout.target
    if t is None:
        return np.empty(0, dtype=object)
    from_end = len(layout.header) - t  # split from the nearer end: it is faster
    if from_end <= t:
        cells = [line.rsplit(",", from_end)[-from_end] for line in texts]
    else:
        cells = [line.split(",", t + 1)[t] for line in texts]
    return _label_array([cell.strip() for cell in cells])


def _label_array(labels):
    """The labels as an array of Python strings: sized by the rows only."""
    array = np.empty(len(labels), dtype=object)
    array[:] = labels
    return array


def _plain_labels(y, missing):
    """Whether no label is missing or too long (else the slow path says which)."""
    return not any(
        len(label) > MAX_LABEL_CHARS or label.lower() in missing for label in y
    )


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
            y.append(_label(row[layout.target], line_no, layout))
    return x, _label_array(y)


def _label(cell, line_no, layout):
    label = cell.strip()
    if len(label) > MAX_LABEL_CHARS:
        raise UsageError(
            f"the label at line {line_no}, {_column(layout.target, layout)}, is "
            f"{len(label)} characters long ({label[:20]!r}...); labels are at "
            f"most {MAX_LABEL_CHARS} characters"
        )
    if label.lower() in layout.missing:
        raise _missing_label(label, line_no, layout)
    return label


def _number(cell, line_no, column, layout):
    text = cell.strip()
    if text.lower() in layout.missing:
        raise _missing(line_no, column, layout)
    try:
        value = parse_number(text)
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


def parse_number(text):
    """``float(text)`` for the cells numpy's reader reads as numbers.

    Python's ``float`` also reads digit separators (``1_000``) and non-ASCII
    digits (``١٢``); numpy's reader, which parses the clean chunks, does not,
    so neither does the row-by-row reader.

    Raises
    ------
    ValueError
        If ``text`` is not such a number.
    """
    if "_" in text or not text.isascii():
        raise ValueError(f"not a number: {text!r}")
    return float(text)


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
    shown = repr(text) if len(text) <= 40 else f"{text[:40]!r}..."
    message = (
        f"{_column(column, layout)} is not numeric (line {line_no}: {shown}); "
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
