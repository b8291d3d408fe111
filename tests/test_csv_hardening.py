"""The command line's CSV reading, second hardening (DESIGN §15): columns
are unambiguous, every line ending reads the same, messages name the real
problem."""

import contextlib
import io
import tracemalloc

import numpy as np
import pytest

from sklearn_dnn import cli
from sklearn_dnn.cli._csv import UsageError, read_csv
from sklearn_dnn.cli._data import decide_task


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
