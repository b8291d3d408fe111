"""Save and load fitted objects as skops files, safely.

:func:`dump` writes the `skops <https://skops.readthedocs.io>`_ format
atomically: the file is complete or untouched, never half written.
:func:`load` opens a file that may come from anyone without running its
author's code or exhausting memory: it builds only the types in
:data:`TRUSTED_TYPES` (plus those the caller names in ``trusted``), and it
refuses an archive whose arrays would take more than ``max_bytes`` before
reading any of them.
"""

import copy
import io
import json
import math
import os
import re
import secrets
import tokenize
import zipfile
import zlib
from numbers import Integral

import numpy as np
import skops.io as sio
from sklearn.utils._array_api import _estimator_with_converted_arrays
from skops.io.exceptions import UntrustedTypesFoundException

from ._compat import HasMethods, Interval, validate_params
from ._engine.array_network import to_numpy

__all__ = ["TRUSTED_TYPES", "UntrustedTypesError", "dump", "load"]

#: The types, beyond those skops trusts by default (numpy arrays, scikit-learn
#: estimators such as ``Pipeline``, ``StandardScaler``,
#: ``TransformedTargetRegressor`` and ``LabelBinarizer``), that the files of the
#: package's fitted objects name. Public classes are named by their public
#: module, ``sklearn_dnn``. ``numpy.dtype`` is the ``dtype`` attribute of
#: :class:`~sklearn_dnn.GradientCheckResult`; skops rebuilds it from an array's
#: dtype, which runs no code.
TRUSTED_TYPES = (
    "numpy.dtype",
    "sklearn_dnn.BasicRecipe",
    "sklearn_dnn.BiasVarianceDiagnosis",
    "sklearn_dnn.DNNClassifier",
    "sklearn_dnn.DNNRegressor",
    "sklearn_dnn.DistributionCheckResult",
    "sklearn_dnn.GradientCheckResult",
    "sklearn_dnn.GradientDiagnosis",
    "sklearn_dnn.ImageAugmenter",
    "sklearn_dnn.InputNormalizer",
    "sklearn_dnn._engine.optimizers.AdamOptimizer",
    "sklearn_dnn._engine.optimizers.RMSpropOptimizer",
    "sklearn_dnn._engine.optimizers.SGDOptimizer",
)

_OPTIMIZERS = "sklearn_dnn._engine.optimizers"
#: The names that files written by earlier versions give the package's types,
#: and the current name of each: such a file loads as if it named the current
#: one (the same class, so trusting it trusts nothing new). Before the layout
#: in four parts, and then while files named the private modules.
_FORMER_NAMES = {
    "sklearn_dnn._distribution_check.DistributionCheckResult": (
        "sklearn_dnn.DistributionCheckResult"
    ),
    "sklearn_dnn._multilayer.DNNClassifier": "sklearn_dnn.DNNClassifier",
    "sklearn_dnn._multilayer.DNNRegressor": "sklearn_dnn.DNNRegressor",
    "sklearn_dnn._optimizers.AdamOptimizer": f"{_OPTIMIZERS}.AdamOptimizer",
    "sklearn_dnn._optimizers.RMSpropOptimizer": f"{_OPTIMIZERS}.RMSpropOptimizer",
    "sklearn_dnn._optimizers.SGDOptimizer": f"{_OPTIMIZERS}.SGDOptimizer",
    "sklearn_dnn._multilayer._classifier.DNNClassifier": "sklearn_dnn.DNNClassifier",
    "sklearn_dnn._multilayer._regressor.DNNRegressor": "sklearn_dnn.DNNRegressor",
    "sklearn_dnn.augment.ImageAugmenter": "sklearn_dnn.ImageAugmenter",
    "sklearn_dnn.diagnostics._bias_variance.BiasVarianceDiagnosis": (
        "sklearn_dnn.BiasVarianceDiagnosis"
    ),
    "sklearn_dnn.diagnostics._gradients.GradientDiagnosis": (
        "sklearn_dnn.GradientDiagnosis"
    ),
    "sklearn_dnn.diagnostics._recipe.BasicRecipe": "sklearn_dnn.BasicRecipe",
    "sklearn_dnn.gradcheck.GradientCheckResult": "sklearn_dnn.GradientCheckResult",
    "sklearn_dnn.model_selection._distribution_check.DistributionCheckResult": (
        "sklearn_dnn.DistributionCheckResult"
    ),
    "sklearn_dnn.preprocessing.InputNormalizer": "sklearn_dnn.InputNormalizer",
}

# Only these two can be read with a bound on the decompressed output per read;
# bzip2 and lzma expand one read of compressed input without limit.
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_CHUNK = 1 << 20
# schema.json is parsed only when its nesting and its number of nodes (JSON
# objects) are within these: a package file nests about 40 deep.
_MAX_SCHEMA_DEPTH = 200
_MAX_SCHEMA_NODES = 2**18
_PER_OCCURRENCE = ("__id__", "file")
_SCHEMA_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# What a damaged archive makes zipfile, numpy or skops raise while loading.
_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    AttributeError,
    TypeError,
    ValueError,
    OverflowError,
    RecursionError,
    NotImplementedError,  # zipfile, on zip features it does not support
    tokenize.TokenError,  # numpy, on a .npy header cut inside a bracket
)


class _Refusal(ValueError):
    """A size or format check failed; the message says which."""


class UntrustedTypesError(UntrustedTypesFoundException):
    """A file names types that :func:`load` was not told to trust.

    Nothing from the file has been built when this is raised.

    Parameters
    ----------
    types : iterable of str
        The fully qualified names of the untrusted types.
    source : str
        The file, as named in the message.

    Attributes
    ----------
    types : list of str
        The untrusted types, sorted.
    """

    def __init__(self, types, source):
        self.types = sorted(types)
        # Bypass skops's message: ours names the remedy for this loader.
        TypeError.__init__(
            self,
            f"{source} names types that are not trusted: {self.types}. Nothing "
            "was loaded. Only if you know where the file comes from and have "
            "audited each of these types (that loading and using it runs no "
            "code you do not want), load it with "
            f"sklearn_dnn.persistence.load(file, trusted={self.types!r}).",
        )


def _fsync_folder(folder):
    """Make a rename in ``folder`` durable, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temporary(path):
    """Create a new file next to ``path``; return its name and descriptor.

    ``os.open`` applies the umask, so the final file gets the permissions a
    plain ``open(path, "wb")`` would give it.
    """
    folder, name = os.path.split(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue


@validate_params(
    {"obj": "no_validation", "file": [str, os.PathLike]},
    prefer_skip_nested_validation=True,
)
def dump(obj, file):
    """Save ``obj`` to ``file`` in the skops format, atomically.

    The archive is written to a temporary file in the same folder, flushed
    and synced to disk, then renamed onto ``file``: readers see the old file
    or the new one, never a partial one. A symbolic link at ``file`` is
    replaced by the new file, never followed. If anything fails, ``file`` is
    unchanged and no temporary file is left behind.

    An estimator fitted on arrays of another namespace (torch tensors under
    ``array_api_dispatch``) is saved as a numpy host copy: loading it gives
    a numpy model, and a later ``partial_fit`` starts a fresh optimizer.

    Parameters
    ----------
    obj : object
        The object to save, e.g. a fitted estimator.
    file : str or path-like
        Where to save it; conventionally ending in ``.skops``.

    See Also
    --------
    load : Load the object back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_dnn import InputNormalizer
    >>> from sklearn_dnn.persistence import dump, load
    >>> normalizer = InputNormalizer().fit([[0.0], [2.0]])
    >>> path = os.path.join(tempfile.mkdtemp(), "normalizer.skops")
    >>> dump(normalizer, path)
    >>> load(path).transform([[4.0]])
    array([[3.]])
    """
    path = os.fspath(file)
    if hasattr(obj, "get_params"):
        obj = _estimator_with_converted_arrays(obj, _host_array)
    temporary, fd = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            sio.dump(obj, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(os.path.dirname(os.path.abspath(path)))


def _host_array(array):
    """A numpy copy of a device array; numpy arrays and scalars as they are."""
    return array if isinstance(array, (np.ndarray, np.generic)) else to_numpy(array)


def _source_name(file):
    if isinstance(file, (str, os.PathLike)):
        return repr(os.fspath(file))
    name = getattr(file, "name", None)
    return "the file object" if name is None else repr(name)


def _too_large(what, n_bytes, max_bytes):
    return _Refusal(
        f"{what} {n_bytes} bytes uncompressed, more than max_bytes={max_bytes}. "
        "Nothing was loaded; if you expect a model this large, pass a larger "
        "max_bytes."
    )


def _open_member(archive, info):
    """Open a member so that reading may run one byte past its declared size.

    zipfile stops at the declared size, which hides extra data; one more byte
    reveals it. The checksum is left to the load that follows: checked here,
    it would fail on the truncated data first and hide the reason.
    """
    if info.flag_bits & 0x1:
        raise _Refusal(f"member {info.filename!r} is encrypted")
    if info.compress_type not in _COMPRESSIONS:
        raise _Refusal(
            f"member {info.filename!r} uses zip compression method "
            f"{info.compress_type}; only stored and deflated members can be "
            "checked for their size before decompressing"
        )
    probe = copy.copy(info)
    probe.file_size += 1
    probe.CRC = None
    return archive.open(probe)


def _read_bounded(member, info, keep=False):
    """Read ``member`` in chunks; raise if it holds more than it declares.

    Returns the content if ``keep``, else nothing is held in memory.
    """
    chunks, n_read = [], member.tell()
    while chunk := member.read(_CHUNK):
        n_read += len(chunk)
        if n_read > info.file_size:
            raise _Refusal(
                f"member {info.filename!r} holds more data than the "
                f"{info.file_size} bytes its directory entry declares"
            )
        if keep:
            chunks.append(chunk)
    return b"".join(chunks)


def _npy_array_bytes(member, info, max_bytes):
    """Read the ``.npy`` header of ``member``; return the bytes numpy allocates.

    Every member is read as an array when skops's schema names it, whatever
    its file name, so every member that starts with the ``.npy`` magic string
    is checked here. An array whose dtype has no size (``<U0``, ``V0``) is
    refused: its byte count says nothing of the work its elements cause, so
    its element count is bounded as if each took a byte.
    """
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise _Refusal(f"member {info.filename!r}: unsupported .npy version")
    if dtype.hasobject:
        raise _Refusal(f"member {info.filename!r} holds Python objects")
    if dtype.itemsize == 0:
        raise _Refusal(
            f"member {info.filename!r} declares an array of dtype {dtype.str}, "
            "whose elements have no size"
        )
    n_elements = math.prod(shape)
    n_bytes = n_elements * dtype.itemsize
    if n_bytes > max_bytes or max(shape, default=0) > max_bytes:
        raise _too_large(
            f"the header of {info.filename!r} declares an array of shape "
            f"{shape} and dtype {dtype}:",
            n_bytes,
            max_bytes,
        )
    if member.tell() + n_bytes != info.file_size:
        raise _Refusal(
            f"member {info.filename!r}: its header declares {n_bytes} bytes of "
            f"array data, its directory entry {info.file_size - member.tell()}"
        )
    return n_bytes


def _is_npy(member):
    """Whether ``member`` starts with the ``.npy`` magic string; it is rewound."""
    start = member.read(len(np.lib.format.MAGIC_PREFIX))
    member.seek(0)
    return start == np.lib.format.MAGIC_PREFIX


def _check_member(archive, info, max_bytes, spare, nested):
    """Check one member; return the bytes it adds beyond its declared size.

    ``spare`` is what ``max_bytes`` leaves for the content of a nested archive.
    """
    with _open_member(archive, info) as member:
        if info.filename.endswith(".npy") or _is_npy(member):
            _npy_array_bytes(member, info, max_bytes)
        if info.filename.endswith(".npz") and not nested:
            # A sparse matrix: an archive of .npy members, unpacked by scipy.
            content = io.BytesIO(_read_bounded(member, info, keep=True))
            return _check_archive(content, spare, nested=True)
        _read_bounded(member, info)
    return 0


def _check_archive(handle, max_bytes, nested=False, max_schema_bytes=None):
    """Check every member's sizes; return the archive's total uncompressed size.

    Raises a ValueError, before any array is read, when the declared sizes or
    an array header exceed ``max_bytes``, when a member holds more data than
    it declares, or (for the outer archive) when ``schema.json`` is too large
    or too deep, or makes the loader build more than ``max_bytes``.
    """
    with zipfile.ZipFile(handle) as archive:
        infos = archive.infolist()
        if not nested and "schema.json" not in archive.namelist():
            raise _Refusal("it is a zip archive without a skops schema.json")
        total = sum(info.file_size for info in infos)
        if total > max_bytes:
            raise _too_large("the archive's directory declares", total, max_bytes)
        built = {}
        for info in infos:
            spare = max_bytes - total
            extra = _check_member(archive, info, max_bytes, spare, nested)
            total += extra
            built[info.filename] = info.file_size + extra
        if not nested:
            schema = _read_schema(archive, min(max_schema_bytes, max_bytes))
            _check_references(schema, built, max_bytes)
    return total


def _read_schema(archive, max_schema_bytes):
    """Return ``schema.json`` parsed, after bounding its size, depth and nodes."""
    info = archive.getinfo("schema.json")
    if info.file_size > max_schema_bytes:
        raise _Refusal(
            f"its schema.json is {info.file_size} bytes, more than "
            f"max_schema_bytes={max_schema_bytes}"
        )
    with _open_member(archive, info) as member:
        text = _read_bounded(member, info, keep=True)
    depth = n_nodes = 0
    for token in _SCHEMA_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in (b"{", b"["):
            depth += 1
            n_nodes += bracket == b"{"
            if depth > _MAX_SCHEMA_DEPTH or n_nodes > _MAX_SCHEMA_NODES:
                raise _Refusal(
                    "its schema.json nests deeper than "
                    f"{_MAX_SCHEMA_DEPTH} levels or holds more than "
                    f"{_MAX_SCHEMA_NODES} objects"
                )
        elif bracket in (b"}", b"]"):
            depth -= 1
    return json.loads(text)


def _node_digests(schema):
    """Yield each JSON object in ``schema`` with a digest of its whole content.

    The digest leaves out what skops writes differently for each occurrence
    of an object (the ids of temporaries, and the members they name).
    Post-order and without recursion; equal digests mean equal content (the
    hash of strings is salted per process, so a file cannot aim at a clash).
    """
    digests = {}
    stack = [(schema, False)]
    while stack:
        value, expanded = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if isinstance(value, dict):
            keys = [k for k in value if k not in _PER_OCCURRENCE]
            children = [value[k] for k in keys]
        else:
            keys, children = None, value
        if not expanded:
            stack.append((value, True))
            stack.extend((child, False) for child in children)
            continue
        parts = tuple(
            digests[id(c)] if isinstance(c, dict | list) else (type(c), c)
            for c in children
        )
        digests[id(value)] = hash((keys is None, tuple(keys or ()), parts))
        if keys is not None:
            yield value, digests[id(value)]


def _check_references(schema, built, max_bytes):
    """Bound what loading builds: each reference to a member builds it again.

    skops builds one node per occurrence in the schema, except that an
    occurrence whose ``__id__`` was seen before stands for the node built
    first (its content in the file is then not read). skops writes every
    occurrence of an object in full; a repeated ``__id__`` with other content
    would let one node be shared, and audited again, by any number of
    parents, so it is refused.
    """
    first, total = {}, 0
    for node, digest in _node_digests(schema):
        saved_id = node.get("__id__")
        if saved_id and node.get("__loader__") != "CachedNode":
            if saved_id in first:
                if first[saved_id] != digest:
                    raise _Refusal(
                        f"its schema.json repeats the object id {saved_id!r} "
                        "with other content"
                    )
                continue  # counted already: skops builds it once
            first[saved_id] = digest
        member = node.get("file")
        if isinstance(member, str) and member in built:
            total += built[member]
            if total > max_bytes:
                raise _too_large(
                    "its schema.json refers to array members that would take",
                    total,
                    max_bytes,
                )


def _reason(exc):
    if isinstance(exc, _Refusal):
        return str(exc)
    return f"it is not a valid skops file ({type(exc).__name__}: {exc})"


def _rename_former_types(schema):
    """Rename, in place, the nodes of ``schema`` that name a former type name.

    Returns whether any was renamed. Without recursion: the schema may nest
    deeply.
    """
    renamed, stack = False, [schema]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            former = f"{value.get('__module__')}.{value.get('__class__')}"
            if former in _FORMER_NAMES:
                module, _, name = _FORMER_NAMES[former].rpartition(".")
                value["__module__"], value["__class__"] = module, name
                renamed = True
            stack.extend(value.values())
    return renamed


def _with_current_names(handle):
    """Return ``handle``, or a copy of its archive that names current types.

    The copy, in memory, is made only for a file that names a former type
    (:data:`_FORMER_NAMES`); call this after the size checks.
    """
    with zipfile.ZipFile(handle) as archive:
        schema = json.loads(archive.read("schema.json"))
        if not _rename_former_types(schema):
            handle.seek(0)
            return handle
        current = io.BytesIO()
        with zipfile.ZipFile(current, "w") as renamed:
            for info in archive.infolist():
                if info.filename == "schema.json":
                    renamed.writestr(info, json.dumps(schema))
                else:
                    renamed.writestr(info, archive.read(info))
    current.seek(0)
    return current


def _fitted_networks(obj):
    """Yield the fitted networks in ``obj``: itself, or the steps of a
    pipeline, or the regressor of a ``TransformedTargetRegressor``."""
    from ._multilayer._base import BaseDNN

    pending, seen = [obj], set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, BaseDNN):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif hasattr(item, "get_params") and hasattr(item, "__dict__"):
            pending.extend(vars(item).values())


def _check_prediction_memory(obj):
    """Refuse a model whose layers need more memory per example to predict
    than one batch of prediction may take."""
    for network in _fitted_networks(obj):
        if hasattr(network, "coefs_"):
            try:
                network._prediction_batches(1)
            except ValueError as exc:
                raise _Refusal(str(exc)) from None


def _load_checked(handle, source, allowed):
    """Load a size-checked archive, building only the ``allowed`` types."""
    try:
        return sio.load(handle, trusted=allowed)
    except UntrustedTypesFoundException:
        handle.seek(0)
        untrusted = set(sio.get_untrusted_types(file=handle)) - set(allowed)
        raise UntrustedTypesError(untrusted, source) from None


@validate_params(
    {
        "file": [str, os.PathLike, HasMethods(["read", "seek"])],
        "trusted": [list, tuple, set, frozenset],
        "max_bytes": [Interval(Integral, 1, None, closed="left")],
        "max_schema_bytes": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def load(file, *, trusted=(), max_bytes=2**31, max_schema_bytes=2**24):
    """Load an object saved with :func:`dump` (or ``skops.io.dump``).

    Loading a file from someone else runs none of their code: the file is
    loaded only if every type it names is in :data:`TRUSTED_TYPES`, in
    ``trusted``, or trusted by skops by default (numpy arrays, scikit-learn's
    estimators, Python's built-in containers); otherwise
    :class:`UntrustedTypesError` is raised before anything is built. Nor can a
    small file exhaust memory: the sizes the archive declares, the shape and
    dtype of each array it holds, and what its schema would build (an array
    member counts once for each node that refers to it) are checked against
    ``max_bytes`` before any array is read, and ``schema.json`` is checked for
    its size, nesting and number of nodes before it is parsed.

    Parameters
    ----------
    file : str, path-like or binary file object
        The skops file.
    trusted : list, tuple or set of str, default=()
        Fully qualified names of further types to build, such as
        ``"sklearn.metrics._scorer._PassthroughScorer"``. Name a type here
        only after auditing the file: ``skops.io.get_untrusted_types(file=...)``
        lists what it needs, and each entry must be a class you expect and
        whose construction and use runs no code you do not want.
    max_bytes : int, default=2**31
        The largest uncompressed size, in bytes, of the archive's content,
        and of the arrays that loading it builds.
    max_schema_bytes : int, default=2**24
        The largest size, in bytes, of the archive's ``schema.json`` (16 MiB
        by default; never more than ``max_bytes``). Its nesting is bounded to
        200 levels and its number of JSON objects to 262,144.

    Returns
    -------
    obj : object
        The loaded object.

    Raises
    ------
    UntrustedTypesError
        If the file names a type that is not trusted (a subclass of
        ``skops.io.exceptions.UntrustedTypesFoundException`` and of
        ``TypeError``).
    ValueError
        If the file is not a skops archive, is damaged, is larger than
        ``max_bytes`` uncompressed or would build more than that, or its
        schema is larger than ``max_schema_bytes`` or too deep.

    See Also
    --------
    dump : Save an object atomically.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_dnn import DNNClassifier
    >>> from sklearn_dnn.persistence import dump, load
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> model = DNNClassifier(hidden_layer_sizes=(3,), solver="lbfgs",
    ...                       random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skops")
    >>> dump(model, path)
    >>> loaded = load(path)
    >>> bool((loaded.predict_proba(X) == model.predict_proba(X)).all())
    True
    """
    for name in trusted:
        if not isinstance(name, str):
            raise TypeError(
                "trusted must hold fully qualified type names as strings, such "
                f"as 'module.Class'; got {name!r} of type {type(name).__name__}."
            )
    allowed = sorted({*TRUSTED_TYPES, *trusted})
    source = _source_name(file)
    opened = isinstance(file, (str, os.PathLike))
    handle = open(file, "rb") if opened else file
    try:
        _check_archive(handle, max_bytes, max_schema_bytes=max_schema_bytes)
        handle.seek(0)
        obj = _load_checked(_with_current_names(handle), source, allowed)
        _check_prediction_memory(obj)
        return obj
    except UntrustedTypesFoundException:
        raise
    except _DAMAGE as exc:
        raise ValueError(f"Cannot load {source}: {_reason(exc)}") from exc
    except MemoryError:
        raise ValueError(
            f"Cannot load {source}: building it needs more memory than this "
            "machine has free; nothing was loaded"
        ) from None
    finally:
        if opened:
            handle.close()
