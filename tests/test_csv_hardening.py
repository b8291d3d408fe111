"""The command line's CSV reading, second hardening (DESIGN §15): columns
are unambiguous, every line ending reads the same, messages name the real
problem."""

import contextlib
import io
import time
import tracemalloc

import numpy as np
import pytest

from sklearn_dnn import cli
from sklearn_dnn.cli._csv import UsageError, read_csv
from sklearn_dnn.cli._data import Data, decide_task
from sklearn_dnn.cli._sets import decide_files_task


def _run(*args):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = cli.main([str(a) for a in args])
    return status, err.getvalue()


def _rows(n=40):
    return [f"{i},{(i * 7) % 5},{i % 2}" for i in range(n)]


def test_duplicate_header_names_are_an_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,a,b,label\n" + "".join(f"1,2,3,{i % 2}\n" for i in range(9)))
    with pytest.raises(UsageError, match="duplicate column names: 'a'"):
        read_csv(path, "label")
    with pytest.raises(UsageError, match="duplicate column names: 'a'"):
        read_csv(path, want_target=False)
    path.write_text("a,label,label\n" + "1,0,1\n" * 3)
    with pytest.raises(UsageError, match="--target 'label' matches 2 columns"):
        read_csv(path, "label")
    status, err = _run("recipe", "--data", path, "--target", "label")
    assert status == 2 and "matches 2 columns" in err


def test_every_line_ending_reads_the_same(tmp_path):
    text = "x,y,label\n" + "\n".join(_rows()) + "\n"
    results = []
    for name, ending in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")]:
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.replace("\n", ending).encode())
        results.append(read_csv(path))
    for X, y, names, target in results[1:]:
        np.testing.assert_array_equal(X, results[0][0])
        np.testing.assert_array_equal(y, results[0][1])
        assert (names, target) == results[0][2:]


def test_blank_lines_cost_nothing(tmp_path):
    path = tmp_path / "blank.csv"
    with open(path, "w") as handle:
        handle.write("x,y,label\n1,2,0\n")
        handle.write("\n" * 2_000_000)
        handle.write("3,4,1\n")
    tracemalloc.start()
    try:
        X, y, _, _ = read_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X.shape == (2, 2) and list(y) == ["0", "1"]
    assert peak < 8 * 2**20  # was a 2,000,003 x 2 buffer: 32 MB


def test_big_integer_labels_stay_classification_labels():
    labels = np.array(["1", "99999999999999999999"] * 30)
    task, y, _ = decide_task(labels)
    assert task == "classification"
    assert sorted(map(str, np.unique(y))) == ["1", "99999999999999999999"]


def test_an_infinite_target_says_infinite_value():
    with pytest.raises(UsageError, match="infinite value"):
        decide_task(np.array(["1.5", "inf", "2.5"]), "regression")


def test_minus_nan_is_a_missing_value(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("x,y,label\n1,-nan,0\n2,3,1\n")
    with pytest.raises(UsageError, match="a missing value at line 2") as info:
        read_csv(path)
    assert "infinite" not in str(info.value)


def test_a_real_na_class_is_named_with_na_values(tmp_path):
    path = tmp_path / "regions.csv"
    rows = [f"{i},{i % 3},{['EU', 'NA', 'AS'][i % 3]}" for i in range(60)]
    path.write_text("x,y,region\n" + "\n".join(rows) + "\n")
    with pytest.raises(UsageError, match="--na-values") as info:
        read_csv(path)
    assert "'NA' is a real label" in str(info.value)
    _, y, _, _ = read_csv(path, na_values=["", "nan"])
    assert set(y) == {"EU", "NA", "AS"}
    status, err = _run(
        "recipe", "--data", path, "--out", path.parent / "o", "--max-rounds", "1",
        "--na-values", "", "nan", "--quiet",
    )  # fmt: skip
    assert status == 0, err


# -- the third hardening (DESIGN §21) ------------------------------------------


def _traced(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_label_longer_than_the_bound_is_refused_by_its_line(tmp_path):
    # One 30,000-character label among 2,000 rows: the chunk's label array
    # was 2,001 x 30,000 characters (240 MB), and the error echoed it whole.
    path = tmp_path / "long.csv"
    rows = [f"{i},{i % 7},{i % 2}" for i in range(2_000)]
    rows[1_500] = "1,2," + "x" * 30_000
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")

    def call():
        with pytest.raises(UsageError, match="label at line 1502") as info:
            read_csv(path)
        return str(info.value)

    message, peak = _traced(call)
    assert "30000 characters long" in message and len(message) < 300
    assert peak < 16 * 2**20


def test_labels_are_not_sized_to_the_longest_label(tmp_path):
    # 20,000 labels, one of 1,000 characters: was a 20,000 x 1,000 array (80 MB).
    path = tmp_path / "labels.csv"
    rows = [f"{i},{i % 7},c{i % 2}" for i in range(20_000)]
    rows[7] = "1,2," + "y" * 1_000
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    (X, y, _, _), peak = _traced(lambda: read_csv(path))
    assert y[7] == "y" * 1_000 and y[8] == "c0" and X.shape == (20_000, 2)
    assert peak < 16 * 2**20


def test_duplicates_in_a_wide_header_are_found_in_linear_time(tmp_path):
    # 100,000 columns took 4 min 41 s (list.count per name).
    path = tmp_path / "wide.csv"
    names = [f"c{i}" for i in range(100_000)] + ["c5", "label"]
    path.write_text(",".join(names) + "\n" + ",".join(["1"] * len(names)) + "\n")
    started = time.perf_counter()
    with pytest.raises(UsageError, match="duplicate column names: 'c5'"):
        read_csv(path)
    assert time.perf_counter() - started < 20


def test_a_short_row_is_named_before_sizing_by_the_header(tmp_path):
    # 10,000 header columns and 10**6 one-field rows asked for 74.5 GiB.
    path = tmp_path / "short.csv"
    with open(path, "w") as handle:
        handle.write(",".join(f"c{i}" for i in range(10_000)) + "\n")
        handle.write("1\n" * 1_000_000)

    def call():
        with pytest.raises(UsageError, match="line 2 has 1 fields, the header has"):
            read_csv(path)

    _, peak = _traced(call)
    assert peak < 16 * 2**20


@pytest.mark.parametrize("cell", ["1_000", "3_5", "١٢", "１２"])
def test_cells_read_as_numbers_only_as_numpy_reads_them(tmp_path, cell):
    path = tmp_path / "cells.csv"
    path.write_text(f"a,b,label\n1,{cell},0\n2,3,1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="column 2 \\('b'\\) is not numeric"):
        read_csv(path)


def _text_labels(n, long_row):
    labels = np.empty(n, dtype=object)
    labels[:] = [f"c{i % 2}" for i in range(n)]
    labels[long_row] = "y" * 1_000
    return labels


def test_labels_of_several_files_are_not_sized_to_the_longest_label():
    # --data and --dev of 20,000 labels each, one of 1,000 characters: the
    # labels were joined as 40,000 x 1,000 characters (305 MiB traced, 3 s).
    X = np.zeros((20_000, 2))
    data = Data(X, _text_labels(20_000, 5), ["a", "b"], "data.csv", "label")
    dev = Data(X, _text_labels(20_000, 7), ["a", "b"], "dev.csv", "label")
    (task, y, y_dev, y_test, _), peak = _traced(
        lambda: decide_files_task(data, dev, None, "auto")
    )
    assert task == "classification" and y_test is None
    assert y.dtype == y_dev.dtype == object
    assert y_dev[7] == "y" * 1_000 and y_dev[8] == "c0" and y[5] == "y" * 1_000
    assert peak < 16 * 2**20


def test_numeric_labels_join_the_same_labels_read_as_text():
    labels = np.arange(60) % 3
    data = Data(np.zeros((60, 2)), labels, ["a", "b"], "digits", None)
    dev = Data(np.zeros((60, 2)), labels.astype(str).astype(object), [], "d", "y")
    task, y, y_dev, _, _ = decide_files_task(data, dev, None, "auto")
    assert task == "classification"
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_array_equal(y_dev, labels)
