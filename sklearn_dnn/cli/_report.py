"""Private report writing for the command line: a folder that loses nothing.

Every file is written to a fresh temporary name in the folder and renamed
into place, so a symbolic link planted in the folder is replaced, never
followed, and a reader never sees half a file. ``report.json`` is rewritten
as the run goes, with its ``"status"``.
"""

import contextlib
import datetime
import json
import math
import os
import platform
import stat
import tempfile
import traceback

import numpy as np

from ._csv import UsageError

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def default_out():
    """Return a new ``sklearn-dnn-report-<time>`` folder name."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"sklearn-dnn-report-{stamp}"
    candidate, k = base, 1
    while os.path.lexists(candidate):
        k += 1
        candidate = f"{base}-{k}"
    return candidate


class ReportFolder:
    """The ``--out`` folder: new or empty, or replaced file by file with ``force``.

    The folder is taken for the run: created with ``os.mkdir``, and a lock
    file created with ``O_EXCL`` in it until :meth:`release` (or
    :meth:`discard`), so a second run into it stops at once.

    Parameters
    ----------
    path : str
        The folder; created (with its parents) when missing.
    force : bool
        Accept a non-empty folder. Only the files the command writes are
        replaced; nothing else in it is touched.
    """

    def __init__(self, path, *, force=False):
        self.path = path
        self.created = _make_folder(path)
        self.lock = _take_lock(path)
        if not self.created:
            try:
                _check_existing(path, force)
            except BaseException:
                self.release()
                raise
        self.written = []

    def file(self, name):
        """Return the path of ``name`` in the folder."""
        return os.path.join(self.path, name)

    @contextlib.contextmanager
    def open(self, name, mode="w"):
        """Open a temporary file for ``name``; rename it into place on success."""
        with atomic_open(self.file(name), mode) as handle:
            yield handle
        if name not in self.written:
            self.written.append(name)

    def write_json(self, name, obj):
        """Write ``obj`` as indented JSON, atomically."""
        with self.open(name) as handle:
            json.dump(jsonable(obj), handle, indent=2)
            handle.write("\n")

    def save_figure(self, fig, name):
        """Save a matplotlib figure as PNG, atomically; return ``name``.

        The saved box is the drawing's tight one: no title, label or legend
        is cut, wherever the layout put it.
        """
        with self.open(name, "wb") as handle:
            fig.savefig(handle, format="png", dpi=100, bbox_inches="tight")
        return name

    def release(self):
        """Remove the lock file: another run may now use the folder."""
        if self.lock is not None:
            with contextlib.suppress(OSError):
                os.remove(self.lock)
            self.lock = None

    def discard(self):
        """Remove the files written and the folder itself, if it was created."""
        self.release()
        for name in self.written:
            with contextlib.suppress(OSError):
                os.remove(self.file(name))
        self.written = []
        if self.created:
            with contextlib.suppress(OSError):
                os.rmdir(self.path)


LOCK_NAME = ".sklearn-dnn-run.lock"


def _make_folder(path):
    """Create ``path`` with ``os.mkdir`` (parents as needed); return whether
    this call created it. An existing folder is checked by the caller."""
    if os.path.lexists(path):
        return False
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        try:
            os.mkdir(path)
        except FileExistsError:
            return False  # created meanwhile: the lock decides
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot write to --out {path!r}: {reason}") from None
    return True


def _take_lock(path):
    """Create the folder's lock file with ``O_EXCL``; return its path.

    One run per folder: a second run finds the lock and stops at once,
    before it changes anything.
    """
    if not os.path.isdir(path) or os.path.islink(path):
        raise UsageError(f"--out {path!r} exists and is not a folder")
    lock = os.path.join(path, LOCK_NAME)
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        _check_lock_is_a_file(path, lock)
        owner = _lock_owner(lock)
        if owner is not None and not _is_running(owner):
            raise UsageError(
                f"--out {path!r} holds {LOCK_NAME} from process {owner}, which "
                "is no longer running (a run that was killed): remove that "
                "file, or choose another folder"
            ) from None
        raise UsageError(
            f"--out {path!r} is in use by another run (it holds {LOCK_NAME}); "
            "choose another folder, or wait for that run to end (if none is "
            "running, remove the lock file)"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot write to --out {path!r}: {reason}") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{os.getpid()}\n")
    return lock


def _check_lock_is_a_file(path, lock):
    """A lock that is not a regular file (a FIFO would block its reader
    forever) is named and never opened."""
    try:
        mode = os.lstat(lock).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise UsageError(
            f"--out {path!r} holds {LOCK_NAME}, which is not a regular file (a "
            "pipe, socket, device or link): remove it, or choose another folder"
        ) from None


def _lock_owner(lock):
    """The process id a lock file names, or None when it names none (the
    file is untrusted: a few bytes are read, and only digits count)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        with os.fdopen(os.open(lock, flags), "rb") as handle:
            text = handle.read(32).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def _is_running(pid):
    """Whether process ``pid`` exists on this machine (one we may not signal
    counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _check_existing(path, force):
    try:
        entries = [e for e in os.listdir(path) if e != LOCK_NAME]
    except OSError as exc:
        raise UsageError(f"cannot read --out {path!r}: {exc.strerror}") from None
    if entries and not force:
        raise UsageError(
            f"--out {path!r} is not empty ({len(entries)} entries); choose a new "
            "folder, or pass --force to replace the files this command writes"
        )


@contextlib.contextmanager
def atomic_open(path, mode="w"):
    """Write ``path`` through a temporary file in its folder, renamed on success.

    The rename replaces a symbolic link at ``path`` instead of following it,
    and a failure leaves ``path`` as it was.
    """
    folder, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 is for secrets
        with os.fdopen(fd, mode) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


class Report:
    """The contents of ``report.json``, rewritten whenever they change.

    Parameters
    ----------
    folder : ReportFolder
        Where ``report.json`` goes.
    fields : dict
        The fields known at the start (the command line, the options).
    """

    def __init__(self, folder, fields):
        self.folder = folder
        self.fields = {"status": "running", **fields}

    def update(self, **fields):
        """Record ``fields`` and rewrite ``report.json``."""
        self.fields.update(fields)
        self.folder.write_json("report.json", self.fields)

    def failed(self, exc):
        """Record the error that ended the run, keeping everything done so far."""
        line = traceback.format_exception_only(type(exc), exc)[-1].strip()
        self.update(status="failed", error=line)


def jsonable(value):
    """Return ``value`` with numpy types, tuples and non-finite floats made JSON."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if callable(value) or hasattr(value, "get_params"):
        return type(value).__name__
    return str(value)


def versions():
    """Return the versions of the package, its dependencies and Python."""
    import scipy
    import sklearn

    from .. import __version__

    return {
        "sklearn_dnn": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def diagnosis_record(diagnosis, data=None):
    """What a report stores of a ``BiasVarianceDiagnosis`` (DESIGN §14).

    The errors and their sizes and standard errors, each gap with its
    standard error, the flags, ``case``, ``uncertain`` and, as ``data``,
    the examples the diagnosis rests on.
    """
    fields = ("case", "avoidable_bias", "variance", "data_mismatch")
    fields += ("dev_overfitting", "high_bias", "high_variance")
    fields += ("high_data_mismatch", "high_dev_overfitting")
    record = {name: getattr(diagnosis, name) for name in fields}
    splits = ("train", "train_dev", "dev", "test")
    record["uncertain"] = list(diagnosis.uncertain)
    record["confidence"] = diagnosis.confidence
    record["errors"] = {
        split: getattr(diagnosis, f"{split}_error")
        for split in splits
        if getattr(diagnosis, f"{split}_error") is not None
    }
    record["n_samples"] = diagnosis.n_samples
    record["error_standard_errors"] = {
        split: se for split, se in diagnosis.error_standard_errors.items() if se
    }
    record["gap_standard_errors"] = {
        gap.replace(" ", "_"): se for gap, se in diagnosis.standard_errors.items()
    }
    if data is not None:
        record["data"] = data
    return record
