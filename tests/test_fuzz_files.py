"""Fuzzing the two readers of outside files: the command line's CSV reader
and ``persistence.load`` (DESIGN §15).

The properties: reading a CSV file gives finite float64 features and one
label per row, or a ``UsageError``, whatever its cells, names and line
endings, and every line ending reads the same; loading a damaged or edited
skops file gives an object or a ``ValueError``/``TypeError``, never another
exception, and its memory stays bounded. Derandomized, a bounded number of
cases, so the module runs in well under a minute.
"""

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest
import skops.io as skops_io
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_dnn import DNNClassifier
from sklearn_dnn.cli._csv import UsageError, read_csv
from sklearn_dnn.cli._data import decide_task
from sklearn_dnn.persistence import load

FUZZ = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

CELLS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.integers(-(10**25), 10**25).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "nan",
            "-nan",
            "NaN",
            "inf",
            "-inf",
            "NA",
            "n/a",
            "None",
            "1e400",
            "0x10",
            "1_000",
            '"1"',
            '"a,b"',
            "abc",
            "é",
            "\t2\t",
        ]
    ),  # fmt: skip
)
NAMES = st.sampled_from(["a", "b", "c", "label", "target", "", " a ", "é"])


@st.composite
def csv_files(draw):
    n_columns = draw(st.integers(1, 4))
    header = draw(st.lists(NAMES, min_size=n_columns, max_size=n_columns))
    n_rows = draw(st.integers(0, 6))
    rows = [
        draw(st.lists(CELLS, min_size=n_columns, max_size=n_columns + (i == 0)))
        for i in range(n_rows)
    ]
    lines = [",".join(header)] + [",".join(r) for r in rows]
    blanks = draw(st.lists(st.integers(0, len(lines)), max_size=3))
    for position in sorted(blanks, reverse=True):
        lines.insert(position, draw(st.sampled_from(["", "  "])))
    return lines


def _read(path, text):
    path.write_bytes(text.encode("utf-8"))
    try:
        X, y, names, target = read_csv(path)
    except UsageError as exc:
        return ("error", str(exc).replace(str(path), "PATH"))
    assert X.dtype == np.float64 and np.isfinite(X).all()
    assert X.shape == (len(y), len(names)) and len(y) > 0
    try:
        decide_task(y)
    except UsageError:
        pass
    return ("ok", X.tobytes(), tuple(y), tuple(names), target)


@FUZZ
@given(lines=csv_files())
def test_the_csv_reader_reads_or_says_why(lines, tmp_path):
    outcomes = {
        ending: _read(tmp_path / "f.csv", ending.join(lines) + ending)
        for ending in ("\n", "\r\n", "\r")
    }
    assert len(set(outcomes.values())) == 1, outcomes


def _model_bytes():
    X, y = [[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]], [0, 0, 1, 1]
    model = DNNClassifier(hidden_layer_sizes=(3,), solver="lbfgs", random_state=0)
    return skops_io.dumps(model.fit(X, y))


MODEL = None


def _template():
    global MODEL
    if MODEL is None:
        MODEL = _model_bytes()
    return MODEL


def _rezip(data, edit):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "schema.json":
                content = edit(content)
            target.writestr(name, content)
    return out.getvalue()


def _nodes(value):
    stack, found = [value], []
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def damaged_files(draw):
    data = _template()
    kind = draw(st.sampled_from(["bytes", "truncate", "schema"]))
    if kind == "bytes":
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    schema = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("schema.json"))
    nodes = _nodes(schema)
    node = nodes[draw(st.integers(0, len(nodes) - 1))]
    key = draw(st.sampled_from(sorted(node)))
    action = draw(st.sampled_from(["value", "delete", "file", "id"]))
    if action == "value":
        node[key] = draw(JSON)
    elif action == "delete":
        del node[key]
    elif action == "file":
        files = [n["file"] for n in nodes if "file" in n]
        for other in nodes:
            if "file" in other:
                other["file"] = files[0]
    else:
        ids = [n["__id__"] for n in nodes if "__id__" in n]
        node["__id__"] = ids[draw(st.integers(0, len(ids) - 1))]
    return _rezip(data, lambda _: json.dumps(schema).encode())


@FUZZ
@given(data=damaged_files())
def test_load_builds_an_object_or_says_why(data):
    tracemalloc.start()
    try:
        load(io.BytesIO(data), max_bytes=2**20)
    except (ValueError, TypeError):
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 32 * 2**20


def test_the_template_loads():
    assert load(io.BytesIO(_template())).predict([[0.0, 1.0]]).shape == (1,)


pytest.importorskip("hypothesis")
