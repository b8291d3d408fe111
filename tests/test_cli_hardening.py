"""The command line's second hardening (DESIGN §15): a model knows its own
columns, one run per folder, unambiguous columns, exit 3 only for bugs."""

import csv
import json
import os
import shutil
import warnings

import numpy as np
import pytest
from test_cli import one_line_error, run_cli, run_in_process, write_csv

from sklearn_dnn.cli._csv import UsageError
from sklearn_dnn.cli._data import decide_task
from sklearn_dnn.persistence import load


def test_the_saved_model_holds_its_feature_names(recipe_run):
    _, out = recipe_run
    model = load(out / "model.skops")
    assert list(model.feature_names_in_) == ["a", "b", "c"]
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.zeros((2, 3)), columns=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)  # the right names: no warning
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X.rename(columns={"a": "z"}))


def test_predict_ignores_a_report_beside_the_model(recipe_run, classes_csv, tmp_path):
    # An interrupted --force rerun can leave a new report beside the old
    # model: predict must use the model's own names, never the report's.
    _, out = recipe_run
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(out / "model.skops", folder / "model.skops")
    report = json.loads((out / "report.json").read_text())
    report["data"]["feature_names"] = ["c", "b", "a"]
    (folder / "report.json").write_text(json.dumps(report))
    outputs = []
    for model in (out / "model.skops", folder / "model.skops"):
        target = tmp_path / f"p{len(outputs)}.csv"
        result = run_in_process(
            "predict", "--model", model, "--data", classes_csv,
            "--target", "label", "--out", target,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append(target.read_text())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    "mistake, message",
    [
        (["--target", "nope"], "unknown --target column 'nope'"),
        (["--data", "missing.csv"], "no such file: --data"),
    ],
)
def test_force_checks_the_data_before_removing_the_old_model(
    classes_csv, tmp_path, mistake, message
):
    # A typo with --force removed the old model.skops and report.json.
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.skops").write_text("old model")
    (out / "report.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    result = run_in_process(
        "recipe", "--data", classes_csv, "--out", out, "--force", *mistake
    )
    one_line_error(result, message)
    assert (out / "model.skops").read_text() == "old model"
    assert (out / "report.json").read_text() == "{}"
    assert (out / "notes.txt").read_text() == "mine"


def test_text_labels_in_an_extra_column_get_the_target_hint(
    recipe_run, classes_csv, tmp_path
):
    _, out = recipe_run
    rows = list(csv.reader(open(classes_csv)))
    text = write_csv(
        tmp_path / "text.csv", rows[0], [[*r[:2], "x" + r[2], r[3]] for r in rows[1:]]
    )
    result = run_in_process(
        "predict", "--model", out / "model.skops", "--data", text,
        "--out", tmp_path / "p.csv",
    )  # fmt: skip
    one_line_error(result, "not in training ['label']", "--target")
    assert "encode it as numbers" not in result.stderr


@pytest.mark.parametrize("force", [False, True])
def test_a_second_run_into_a_folder_in_use_exits_2_at_once(
    classes_csv, tmp_path, force
):
    from sklearn_dnn.cli._report import ReportFolder

    out = tmp_path / "out"
    first = ReportFolder(str(out))
    first.write_json("report.json", {"status": "running"})
    (out / "model.skops").write_text("first run's model")
    result = run_in_process(
        "recipe", "--data", classes_csv, "--target", "label", "--out", out,
        *(["--force"] if force else []),
    )  # fmt: skip
    one_line_error(result, repr(str(out)), "in use by another run")
    assert json.loads((out / "report.json").read_text()) == {"status": "running"}
    assert (out / "model.skops").read_text() == "first run's model"
    first.release()
    assert sorted(p.name for p in out.iterdir()) == ["model.skops", "report.json"]


@pytest.mark.parametrize(
    "content, stale", [("999999999\n", True), ("", False), ("x" * 10**6, False)]
)
def test_a_lock_left_by_a_killed_run_is_named_as_stale(
    classes_csv, tmp_path, content, stale
):
    # A pid no process has: the run that wrote the lock is gone. An empty
    # or garbled lock names no process, and reads as in use.
    from sklearn_dnn.cli._report import LOCK_NAME

    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(content)
    result = run_in_process(
        "recipe", "--data", classes_csv, "--target", "label", "--out", out
    )  # fmt: skip
    expected = "no longer running" if stale else "in use by another run"
    one_line_error(result, repr(str(out)), expected)
    assert (out / LOCK_NAME).read_text() == content  # left for the user


def test_a_run_releases_the_folder(classes_csv, tmp_path):
    out = tmp_path / "out"
    result = run_in_process(
        "recipe", "--data", classes_csv, "--target", "nope", "--out", out
    )
    one_line_error(result, "unknown --target")
    assert not out.exists()  # created by the run, removed with its lock
    out.mkdir()
    result = run_in_process(
        "recipe", "--data", classes_csv, "--target", "nope", "--out", out
    )
    one_line_error(result, "unknown --target")
    assert list(out.iterdir()) == []


def test_values_the_library_rejects_are_exit_2():
    result = run_in_process("gradcheck", "--epsilon", "1e300")
    one_line_error(result, "epsilon")


def test_a_target_too_large_to_standardize_is_exit_2(tmp_path):
    rng = np.random.RandomState(0)
    rows = [[f"{a:.4f}", f"{b * 1e308:.6g}"] for a, b in rng.rand(60, 2)]
    data = write_csv(tmp_path / "huge.csv", ["a", "y"], rows)
    result = run_in_process(
        "recipe", "--data", data, "--task", "regression", "--out", tmp_path / "o"
    )
    one_line_error(result, "too large to standardize")


def test_predict_accepts_only_the_models_recipe_saves(recipe_run, tmp_path):
    from sklearn.preprocessing import StandardScaler

    from sklearn_dnn.persistence import dump

    _, out = recipe_run
    data = write_csv(tmp_path / "x.csv", ["a", "b", "c"], [["1", "2", "3"]])
    scaler = tmp_path / "scaler.skops"
    dump(StandardScaler().fit(np.zeros((3, 3))), scaler)
    result = run_in_process(
        "predict", "--model", scaler, "--data", data, "--out", tmp_path / "p.csv"
    )
    one_line_error(result, "holds a StandardScaler", "sklearn-dnn recipe")
    model = load(out / "model.skops")
    final = model.steps[-1][1]
    final.coefs_[1] = final.coefs_[1][:-1]  # loads, cannot predict
    damaged = tmp_path / "damaged.skops"
    dump(model, damaged)
    result = run_in_process(
        "predict", "--model", damaged, "--data", data, "--out", tmp_path / "p.csv"
    )
    one_line_error(result, "cannot predict with --model")


def test_a_full_disk_is_exit_2_with_one_line(classes_csv, tmp_path, monkeypatch):
    import errno

    import sklearn_dnn.persistence

    def full(obj, file):
        raise OSError(errno.ENOSPC, "No space left on device", str(file))

    monkeypatch.setattr(sklearn_dnn.persistence, "dump", full)
    result = run_in_process(
        "recipe", "--data", classes_csv, "--target", "label", "--max-rounds", "1",
        "--out", tmp_path / "o", "--quiet",
    )  # fmt: skip
    one_line_error(result, "No space left on device", "model.skops")
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["status"] == "failed"


# -- the third hardening (DESIGN §21) ------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_lock_exits_2_at_once(classes_csv, tmp_path):
    # Its reader blocked forever, waiting for a writer.
    from sklearn_dnn.cli._report import LOCK_NAME

    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / LOCK_NAME)
    result = run_cli(
        "recipe", "--data", classes_csv, "--target", "label", "--out", out,
        timeout=60,
    )  # fmt: skip
    one_line_error(result, LOCK_NAME, "not a regular file")


def test_predict_target_leaves_text_and_empty_labels_unread(recipe_run, tmp_path):
    # The file the model was trained from, its labels now text or empty:
    # "column 3 ('label') is not numeric" before.
    _, out = recipe_run
    rows = [["a", "b", "label", "c"]]
    rows += [[f"{i / 10:.1f}", "0.5", ["cat", "", "dog"][i % 3], "1"] for i in range(9)]
    data = write_csv(tmp_path / "text.csv", rows[0], rows[1:])
    result = run_in_process(
        "predict", "--model", out / "model.skops", "--data", data,
        "--target", "label", "--out", tmp_path / "p.csv",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 10


def test_features_whose_squares_overflow_are_exit_2_without_warnings(tmp_path):
    # 1e200: the normalizer's overflow was exit 3, with RuntimeWarnings printed
    # under --quiet; 1e308 made gradcheck say "Input X contains NaN".
    rng = np.random.RandomState(0)
    for scale in (1e200, 1e308):
        rows = [
            [repr(scale * rng.uniform(-1, 1)), "0.5", str(i % 2)] for i in range(40)
        ]
        data = write_csv(tmp_path / "big.csv", ["a", "b", "label"], rows)
        for command in (["recipe", "--quiet"], ["gradcheck"]):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                result = run_in_process(
                    *command, "--data", data, "--target", "label",
                    *(["--out", tmp_path / "o"] if command[0] == "recipe" else []),
                )  # fmt: skip
            one_line_error(result, "feature 'a' are too large to standardize")
            assert "NaN" not in result.stderr


@pytest.mark.parametrize(
    "values, message",
    [
        (["3.5"] * 30, "the target is constant"),
        ([f"{1 + i / 30:.3f}e-300" for i in range(30)], "too close together"),
    ],
)
def test_a_constant_or_vanishing_target_is_exit_2(values, message):
    # Both ended the whole run with "standard_errors['dev'] ... Got inf".
    with pytest.raises(UsageError, match=message):
        decide_task(np.array(values), "regression")


def test_max_total_epochs_below_one_round_is_exit_2_at_once(classes_csv, tmp_path):
    result = run_in_process(
        "recipe", "--data", classes_csv, "--target", "label",
        "--out", tmp_path / "o", "--max-total-epochs", "1",
    )  # fmt: skip
    one_line_error(result, "--max-total-epochs 1 is smaller than the first round")
    assert not (tmp_path / "o").exists()


def test_a_small_regression_file_with_dollars_in_its_name_runs(tmp_path):
    # 24 rows: NaN R^2 in the learning curve's smallest folds (exit 3); a "$"
    # in the name started matplotlib's mathtext in the titles (exit 3).
    rng = np.random.RandomState(0)
    rows = [[f"{v:.4f}" for v in rng.rand(3)] for _ in range(24)]
    data = write_csv(tmp_path / "sales_$2020_$2021.csv", ["a", "b", "y"], rows)
    out = tmp_path / "out"
    result = run_in_process(
        "recipe", "--data", data, "--target", "y", "--out", out,
        "--max-rounds", "1", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (out / "model.skops").exists() and (out / "loss_curve.png").exists()


# -- the third hardening (DESIGN §21) ------------------------------------------


def test_predict_matches_a_wide_header_in_linear_time():
    # 20,000 columns took 9 s (list.index and `in` on lists: quadratic), so
    # 200,000 would have taken about 15 minutes.
    import argparse
    import time

    from sklearn_dnn.cli import predict

    trained = [f"c{i}" for i in range(200_000)]
    args = argparse.Namespace(data="wide.csv", target="label")
    started = time.perf_counter()
    order = predict._columns_in_training_order(trained[::-1], trained, args)
    assert time.perf_counter() - started < 30
    assert order == list(range(199_999, -1, -1))
    with pytest.raises(UsageError, match=r"missing \['c0'\]; not in training \['x'"):
        predict._columns_in_training_order(trained[:0:-1] + ["x"], trained, args)


def test_tags_are_taken_from_a_wide_file_in_linear_time():
    # 2,000 tag columns among 100,000 took 9 s (`in` on lists: quadratic);
    # 10,000 among 200,000 took about 90 s.
    import time

    from sklearn_dnn.cli._data import Data
    from sklearn_dnn.cli._errors import take_tags

    names = [f"c{i}" for i in range(200_000)]
    X = np.zeros((4, 200_000))
    X[:2, -10_000:] = 1.0
    data = Data(X, np.array(["a", "b"] * 2, dtype=object), names, "wide.csv", "y")
    started = time.perf_counter()
    (kept, _, _), tags = take_tags((data, None, None), names[-10_000:])
    assert time.perf_counter() - started < 30
    assert kept.feature_names == names[:-10_000] and not kept.X.any()
    assert tags.values.shape == (4, 10_000) and tags.values[:2].all()
    shown = "the columns are: c0, .*, c19 and 199980 more"
    with pytest.raises(UsageError, match=shown):
        take_tags((data, None, None), ["nope"])
