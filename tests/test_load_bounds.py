"""persistence.load bounds what it builds, not only what the archive declares
(DESIGN §15): per-reference counting of array members, a bounded schema."""

import io
import json
import time
import zipfile

import numpy as np
import pytest
import skops.io as skops_io
from _memory import traced_peak

from sklearn_dnn import DNNClassifier
from sklearn_dnn._engine import prediction
from sklearn_dnn.persistence import dump, load

MiB = 2**20


def _archive(schema, members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        target.writestr("schema.json", json.dumps(schema))
        for name, content in members.items():
            target.writestr(name, content)
    return out.getvalue()


def _one_member_many_references(n_references, member_bytes):
    """A schema whose ``n_references`` array nodes all name one member."""
    arrays = [np.zeros(member_bytes // 8) for _ in range(n_references)]
    with zipfile.ZipFile(io.BytesIO(skops_io.dumps(arrays))) as source:
        schema = json.loads(source.read("schema.json"))
        first = schema["content"][0]["file"]
        content = source.read(first)
    for node in schema["content"]:
        node["file"] = first
    return _archive(schema, {first: content})


def test_a_member_counts_once_per_reference():
    # The file: 60 array nodes pointing at one member (there 50 MB,
    # here 1 MiB, read with max_bytes=16 MiB).
    data = _one_member_many_references(60, MiB)
    assert len(data) < 20_000

    def call():
        with pytest.raises(ValueError, match="refers to array members"):
            load(io.BytesIO(data), max_bytes=16 * MiB)

    assert traced_peak(call) < 4 * MiB


def _shared_node_schema(depth):
    """Each list holds the next twice; the second is a repeated ``__id__``,
    so skops would share one node between both parents and audit it 2**depth
    times."""
    node = {"__class__": "list", "__module__": "builtins", "__loader__": "ListNode"}
    schema = {**node, "content": [], "__id__": depth + 1}
    for level in range(depth, 0, -1):
        again = {**node, "content": [], "__id__": level + 1}
        schema = {**node, "content": [schema, again], "__id__": level}
    return {**schema, "protocol": 2, "_skops_version": "0.16.0"}


def test_a_repeated_object_id_is_refused_at_once():
    data = _archive(_shared_node_schema(18), {})
    started = time.perf_counter()
    with pytest.raises(ValueError, match="repeats the object id"):
        load(io.BytesIO(data))
    assert time.perf_counter() - started < 1


def _archive_raw(schema_bytes):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("schema.json", schema_bytes)
    return out.getvalue()


def test_schema_size_and_nesting_are_bounded_before_parsing():
    node = b'{"__class__": "list", "__module__": "builtins", "__loader__": "ListNode"'
    deep = node + b', "content": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    data = _archive_raw(deep)
    assert len(data) < 2_000

    def call():
        with pytest.raises(ValueError, match="nests deeper than 200"):
            load(io.BytesIO(data))

    assert traced_peak(call) < 2 * MiB
    big = _archive_raw(node + b', "content": ["' + b"x" * 4096 + b'"]}')
    with pytest.raises(ValueError, match="max_schema_bytes=1024"):
        load(io.BytesIO(big), max_schema_bytes=1024)


def test_package_models_still_load(tmp_path):
    X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    model = DNNClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    model.fit(X, y)
    dump({"a": model, "again": model}, tmp_path / "m.skops")
    loaded = load(tmp_path / "m.skops")
    assert loaded["a"] is loaded["again"]
    np.testing.assert_array_equal(loaded["a"].predict(X), model.predict(X))


def _array_file(header, member="a.npy"):
    """A skops file of one array whose member holds only the ``.npy`` header
    ``header`` (a dict of descr, fortran_order and shape), named ``member``."""
    schema = json.loads(
        zipfile.ZipFile(io.BytesIO(skops_io.dumps(np.zeros(3)))).read("schema.json")
    )
    schema["file"] = member
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, header)
    return _archive(schema, {member: npy.getvalue()})


@pytest.mark.parametrize("descr", ["<U0", "|V0", "|S0"])
def test_an_array_of_elements_without_size_is_refused(descr):
    # The file: 10**12 names of zero bytes passed the byte bound.
    header = {"descr": descr, "fortran_order": False, "shape": (10**12,)}
    with pytest.raises(ValueError, match="elements have no size"):
        load(io.BytesIO(_array_file(header)))


def test_an_array_dimension_is_bounded_whatever_its_bytes():
    header = {"descr": "<f8", "fortran_order": False, "shape": (0, 2**40)}
    with pytest.raises(ValueError, match="declares an array of shape"):
        load(io.BytesIO(_array_file(header)))


def test_a_member_not_named_npy_has_its_header_checked():
    # Was a raw MemoryError: the header of "a.bin" was not read before numpy.
    header = {"descr": "<f8", "fortran_order": False, "shape": (2**40,)}
    data = _array_file(header, member="a.bin")

    def call():
        with pytest.raises(ValueError, match="'a.bin' declares an array"):
            load(io.BytesIO(data))

    assert traced_peak(call) < 4 * MiB


def test_a_memory_error_while_loading_is_a_value_error(monkeypatch, tmp_path):
    dump(np.zeros(3), tmp_path / "a.skops")

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(skops_io, "load", out_of_memory)
    with pytest.raises(ValueError, match="needs more memory than"):
        load(tmp_path / "a.skops")


def test_a_model_too_wide_to_predict_one_batch_is_refused(monkeypatch, tmp_path):
    X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    model = DNNClassifier(hidden_layer_sizes=(200,), max_iter=2, random_state=0)
    dump(model.fit(X, y), tmp_path / "m.skops")
    load(tmp_path / "m.skops")
    # One example of 1 + 200 + 1 units, 8 bytes each, needs more than 1 KiB.
    monkeypatch.setattr(prediction, "PREDICTION_BATCH_BYTES", 1024)
    with pytest.raises(ValueError, match="layer of 200 units: predicting one"):
        load(tmp_path / "m.skops")
