"""The sklearn-dnn command line, run as a user runs it: in a subprocess."""

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from collections import namedtuple
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from sklearn_dnn import BasicRecipe, DNNClassifier, cli
from sklearn_dnn.cli import _data as cli_data
from sklearn_dnn.cli import recipe as cli_recipe
from sklearn_dnn.cli._budget import Budget
from sklearn_dnn.cli._common import Console
from sklearn_dnn.cli._csv import LoadProgress
from sklearn_dnn.cli._sets import Sets

SETS = ("train", "train_dev", "dev", "test")
ROUND_KEYS = (
    "round", "params", "train_error", "train_dev_error", "dev_error", "case",
    "data_mismatch", "high_data_mismatch", "epochs", "max_iter", "stopped_early",
    "action",
)  # fmt: skip

# Two labels that a float round trip merges into one.
BIG_LABELS = ("12345678901234567", "12345678901234568")


def run_cli(*args, cwd=None, timeout=300):
    """Run the real command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "sklearn_dnn", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=timeout,
    )


Outcome = namedtuple("Outcome", "returncode stdout stderr")


def run_in_process(*args):
    """Run ``main`` here: the same code as the command, without a new process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main([str(a) for a in args])
    return Outcome(status, out.getvalue(), err.getvalue())


def one_line_error(result, *parts):
    """Assert exit 2 with a one-line message holding every part."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0]


def write_csv(path, header, rows):
    path.write_text("\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n")
    return path


def test_recipe_writes_report_model_and_figures(recipe_run):
    result, out = recipe_run
    assert result.returncode == 0, result.stderr
    # One file: no train-dev set; the recipe holds its dev set out of the rest.
    assert "split: train 54 / dev 18 / test 18 from data.csv" in result.stdout
    assert "round 1/2" in result.stdout
    assert "test error" in result.stdout
    assert "and dev (72 examples): test accuracy" in result.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["status"] == "complete"
    assert report["task"] == "classification"
    assert report["split"] == {"train": 54, "dev": 18, "test": 18}
    assert report["data"]["feature_names"] == ["a", "b", "c"]
    assert report["options"]["max_rounds"] == 2
    assert report["options"]["target"] == "label"
    assert report["command_line"].startswith("sklearn-dnn recipe --data ")
    assert 1 <= len(report["rounds"]) <= 2
    for entry in report["rounds"]:
        assert set(ROUND_KEYS) <= set(entry)
    best = report["best_round"]
    assert set(best) == {"round", *(f"{s}_error" for s in SETS)}
    assert report["diagnosis"]["dev_overfitting"] == pytest.approx(
        best["test_error"] - best["dev_error"]
    )
    assert report["final_model"] == {"trained_on": "train+dev", "n_samples": 72}
    (check,) = report["distribution_checks"].values()
    assert check["tested"] is False  # one file split at random: not tested
    assert 0.0 <= report["final_scores"]["test_accuracy"] <= 1.0
    assert report["model"] == "model.skops"
    assert (out / "model.skops").stat().st_size > 1000
    figures = report["figures"]
    assert set(figures) == {"learning_curve", "loss_curve", "gradient_norms"}
    for name in figures.values():
        assert os.sep not in name  # relative to the report folder
        assert (out / name).stat().st_size > 1000
    # The learning-curve plot prints these very numbers.
    curve = report["learning_curve"]
    assert curve["cv"] == 3
    assert curve["variance"] == pytest.approx(
        curve["mean_dev_errors"][-1] - curve["mean_train_errors"][-1]
    )
    assert curve["data_mismatch"] is None and curve["mean_train_dev_errors"] is None
    written = ["report.json", "model.skops", "errors.csv", "report.html"]
    assert sorted(os.listdir(out)) == sorted(
        [*figures.values(), report["error_analysis"]["figure"], *written]
    )


def test_predict_matches_columns_by_name(recipe_run, classes_csv, tmp_path):
    _, out = recipe_run
    rows = list(csv.reader(open(classes_csv)))
    order = [3, 2, 0, 1]  # c, label, a, b
    reordered = write_csv(
        tmp_path / "reordered.csv",
        [rows[0][i] for i in order],
        [[r[i] for i in order] for r in rows[1:]],
    )
    outputs = []
    for data in (classes_csv, reordered):
        target = tmp_path / f"predictions-{len(outputs)}.csv"
        result = run_in_process(
            "predict", "--model", out / "model.skops", "--data", data,
            "--target", "label", "--out", target,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append(target.read_text())
    assert outputs[0] == outputs[1]
    missing = write_csv(
        tmp_path / "missing.csv",
        ["a", "label", "c"],
        [[r[0], r[2], r[3]] for r in rows[1:]],
    )
    result = run_in_process(
        "predict", "--model", out / "model.skops", "--data", missing,
        "--target", "label", "--out", tmp_path / "never.csv",
    )  # fmt: skip
    assert result.returncode == 2
    assert "missing ['b']" in result.stderr
    assert "--target" not in result.stderr.split("missing")[1]


def test_the_guessed_target_column_is_named(capsys, tmp_path):
    rows = [[f"{i}", f"{i % 3}", f"{(i * 7) % 5}"] for i in range(60)]
    data = write_csv(tmp_path / "guess.csv", ["x", "y", "last"], rows)
    cli.main(
        [
            "recipe",
            "--data",
            str(data),
            "--max-rounds",
            "1",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert "target: column 'last'" in capsys.readouterr().out


def test_a_mistyped_builtin_name_lists_the_builtin_sets(capsys):
    assert cli.main(["recipe", "--data", "breast_cance"]) == 2
    assert "digits and breast_cancer" in capsys.readouterr().err


def test_labels_are_kept_exactly_as_written(recipe_run):
    _, out = recipe_run
    report = json.loads((out / "report.json").read_text())
    assert [str(c) for c in report["data"]["classes"]] == list(BIG_LABELS)


def test_predict_with_the_saved_model(recipe_run, classes_csv, tmp_path):
    _, out = recipe_run
    predictions = tmp_path / "predictions.csv"
    result = run_cli(
        "predict", "--model", out / "model.skops", "--data", classes_csv,
        "--target", "label", "--out", predictions,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(predictions.open()))
    assert rows[0] == ["prediction", *(f"proba_{c}" for c in BIG_LABELS)]
    assert len(rows) == 91
    assert {r[0] for r in rows[1:]} <= set(BIG_LABELS)
    for r in rows[1:]:
        assert sum(map(float, r[1:])) == pytest.approx(1.0)


def test_predict_refuses_to_overwrite_and_wrong_columns(
    recipe_run, classes_csv, tmp_path
):
    model = str(recipe_run[1] / "model.skops")
    existing = tmp_path / "predictions.csv"
    existing.write_text("mine")
    again = run_in_process(
        "predict", "--model", model, "--data", classes_csv, "--target", "label",
        "--out", existing,
    )  # fmt: skip
    one_line_error(again, "exists", "--force")
    assert existing.read_text() == "mine"
    wrong = run_in_process(
        "predict", "--model", model, "--data", classes_csv, "--out", tmp_path / "p.csv"
    )
    one_line_error(wrong, "not in training ['label']", "--target")


def test_predict_refuses_a_file_that_is_not_a_model(classes_csv, tmp_path):
    result = run_in_process(
        "predict", "--model", classes_csv, "--data", classes_csv,
        "--out", tmp_path / "p.csv",
    )  # fmt: skip
    one_line_error(result, "cannot load --model")
    assert not (tmp_path / "p.csv").exists()


def test_regression_on_diabetes(tmp_path):
    X, y = load_diabetes(return_X_y=True)
    rows = [[f"{v:.6g}" for v in x] + [str(int(t))] for x, t in zip(X, y)]
    data = write_csv(
        tmp_path / "diabetes.csv", [f"x{i}" for i in range(10)] + ["y"], rows
    )
    out = tmp_path / "report"
    result = run_in_process(
        "recipe", "--data", data, "--max-rounds", "2", "--out", out, "--quiet"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    report = json.loads((out / "report.json").read_text())
    assert report["task"] == "regression"
    scores = report["final_scores"]
    assert scores["test_r2"] > 0.1  # not "test accuracy 0.0000" over 214 classes
    assert 30 < scores["test_rmse"] < 80  # in the target's units
    # The worst-predicted dev examples, their errors in the target's units.
    errors = list(csv.DictReader((out / "errors.csv").open()))
    assert list(errors[0]) == ["row", "line", "true", "predicted", "abs_error"]
    for error in errors:
        true, predicted = float(error["true"]), float(error["predicted"])
        assert float(error["abs_error"]) == pytest.approx(abs(true - predicted), 1e-5)
        assert float(error["true"]) == y[int(error["row"]) - 1]
    assert report["error_analysis"]["n_errors"] == len(errors) > 0
    predictions = tmp_path / "p.csv"
    result = run_in_process(
        "predict", "--model", out / "model.skops", "--data", data, "--target", "y",
        "--out", predictions,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(predictions.open()))
    assert rows[0] == ["prediction"]
    values = np.array([float(r[0]) for r in rows[1:]])
    assert 50 < values.mean() < 250
    forced = run_in_process(
        "recipe", "--data", data, "--task", "classification", "--out", tmp_path / "c"
    )
    one_line_error(forced, "only 1 example", "every class needs at least")


def test_out_folder_is_never_destroyed(classes_csv, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "report.json").symlink_to(victim)
    (out / ".write-test").symlink_to(victim)
    (out / "notes.txt").write_text("mine")
    refused = run_in_process("recipe", "--data", classes_csv, "--out", out)
    one_line_error(refused, "is not empty", "--force")
    assert (out / "report.json").is_symlink()

    result = run_in_process(
        "recipe", "--data", classes_csv, "--target", "label", "--max-rounds", "1",
        "--out", out, "--force", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "keep me"
    assert not (out / "report.json").is_symlink()
    assert json.loads((out / "report.json").read_text())["status"] == "complete"
    assert (out / "notes.txt").read_text() == "mine"
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "is empty"),
        ("a,b,label\n", "no data rows"),
        ("a,b,label\n1,x,0\n2,3,1\n", "column 2 ('b') is not numeric (line 2: 'x')"),
        ("a,b,label\n1,2,0\n2,3,\n", "a missing value at line 3, column 3 ('label')"),
        ("a,b,label\n1,2,0\n2,3,nan\n", "a missing value at line 3, column 3"),
        (
            "a,b,label\n1,2,0\n2,,1\n",
            "a missing value at line 3, column 2 ('b'): impute",
        ),
        ("a,b,label\n1,2,0\n\n2,nan,1\n", "a missing value at line 4, column 2"),
        ("a,b,label\n1,2,0\n2,inf,1\n", "an infinite value at line 3"),
        ("a,b,label\n1,2,0\n2,3,1,4\n", "line 3 has 4 fields, the header has 3"),
        ("a,b,label\n" + "1,2,0\n" * 30, "single class"),
        ("name,b,c\nx,1,0\ny,2,1\n", "pass --target name"),
        ("a,b,label\n" + "1,2,0\n2,3,1\n" * 4, "only 8 examples"),
        ("a,b,label\n" + "1,2,0\n" * 30 + "2,3,1\n", "class '1' has only 1 example"),
    ],
)
def test_bad_csv_gives_one_line_error_and_no_folder(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = run_in_process("recipe", "--data", path, "--out", tmp_path / "o")
    one_line_error(result, message)
    assert not (tmp_path / "o").exists()


def test_a_missing_value_from_the_real_command(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,label\n1,2,0\n2,,1\n")
    result = run_cli("recipe", "--data", path, "--out", tmp_path / "o")
    one_line_error(
        result, "a missing value at line 3, column 2 ('b'): impute or drop it"
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_input_must_be_a_regular_file(tmp_path, kind):
    path = {"device": "/dev/zero", "directory": str(tmp_path)}.get(kind)
    if kind == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    result = run_cli("recipe", "--data", path, "--out", tmp_path / "o", timeout=60)
    one_line_error(result, "--data")
    assert not (tmp_path / "o").exists()


def test_missing_file_and_unknown_column(tmp_path, classes_csv):
    one_line_error(run_cli("recipe", "--data", tmp_path / "nope.csv"), "no such file")
    unknown = run_in_process("gradcheck", "--data", classes_csv, "--target", "colour")
    one_line_error(unknown, "unknown --target column 'colour'")


def test_unwritable_out_gives_one_line_error(tmp_path, classes_csv):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("recipe", "--data", classes_csv, "--out", blocker / "report")
    one_line_error(result, "cannot write to --out")


@pytest.mark.parametrize(
    "args, option",
    [
        (["gradcheck", "--alpha", "-1"], "--alpha"),
        (["gradcheck", "--keep-prob", "0"], "--keep-prob"),
        (["gradcheck", "--epsilon", "-1"], "--epsilon"),
        (["gradcheck", "--n-directions", "0"], "--n-directions"),
        (["gradcheck", "--hidden-layer-sizes", "4,x"], "--hidden-layer-sizes"),
        (["recipe", "--baseline-error", "1.5"], "--baseline-error"),
        (["recipe", "--max-rounds", "0"], "--max-rounds"),
    ],
)
def test_bad_numbers_are_rejected_at_parse_time(args, option, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(args)
    assert stop.value.code == 2
    assert f"argument {option}:" in capsys.readouterr().err.strip().splitlines()[-1]


def test_negative_max_iter_from_the_real_command():
    result = run_cli("gradcheck", "--max-iter", "-5")
    assert result.returncode == 2
    assert "argument --max-iter: -5 is not in [0, inf]" in result.stderr


def test_penalty_none_is_the_apis_none():
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    from sklearn_dnn import DNNClassifier, gradient_check

    result = run_in_process(
        "gradcheck", "--n-samples", "40", "--hidden-layer-sizes", "3",
        "--penalty", "none",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    X, y = load_digits(return_X_y=True)
    keep = np.random.RandomState(0).choice(len(y), 40, replace=False)
    network = DNNClassifier(
        hidden_layer_sizes=(3,), activation="tanh", penalty=None, random_state=0
    )
    expected = gradient_check(network, StandardScaler().fit_transform(X[keep]), y[keep])
    assert str(expected) in result.stdout


def test_version():
    from sklearn_dnn import __version__

    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sklearn-dnn {__version__}"


def test_gradcheck_reports_verdict_and_table(capsys):
    status = cli.main(["gradcheck", "--n-samples", "50", "--hidden-layer-sizes", "4,3"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "great" in printed
    for name in ("W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"):
        assert name in printed


def test_gradcheck_checks_batch_norm_parameters(capsys):
    argv = ["gradcheck", "--n-samples", "50", "--hidden-layer-sizes", "4,3"]
    status = cli.main([*argv, "--batch-norm"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "great" in printed
    for name in ("gamma[1]", "beta[1]", "gamma[2]", "beta[2]"):
        assert name in printed


def test_gradcheck_overall_verdict_and_exit_code_are_the_worst_blocks(capsys):
    # Before, --epsilon 1e-12 printed "bug" overall, every block "great", exit 1.
    argv = ["gradcheck", "--n-samples", "50", "--hidden-layer-sizes", "4,3"]
    status = cli.main([*argv, "--epsilon", "1e-12"])
    printed = capsys.readouterr().out
    table = printed.split("verdict\n", 1)[1].split("\n\n", 1)[0]
    verdicts = [line.split()[-1] for line in table.splitlines()]
    worst = max(verdicts, key=["great", "unresolved", "check", "bug"].index)
    assert f"->  {worst} (the worst block's verdict)" in printed
    assert status == (1 if worst == "bug" else 0)
    assert worst != "bug"


def test_gradcheck_exits_1_on_a_bug(monkeypatch, capsys):
    from sklearn_dnn._engine import network as _network

    original = _network.Network._backward

    def wrong_sign(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.coef_grads[0] *= -1

    monkeypatch.setattr(_network.Network, "_backward", wrong_sign)
    status = cli.main(["gradcheck", "--n-samples", "50", "--hidden-layer-sizes", "4"])
    assert status == 1
    assert "bug" in capsys.readouterr().out


def boom(*args, **kwargs):
    raise RuntimeError("boom")


def test_a_late_failure_keeps_the_rounds_and_exits_3(
    classes_csv, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(cli_recipe, "write_figures", boom)
    out = tmp_path / "r"
    argv = ["recipe", "--data", str(classes_csv), "--target", "label"]
    argv += ["--max-rounds", "1", "--out", str(out)]
    assert cli.main(argv) == 3
    err = capsys.readouterr().err
    assert "a bug in sklearn_dnn: RuntimeError: boom" in err
    assert "Traceback" not in err
    report = json.loads((out / "report.json").read_text())
    assert report["status"] == "failed"
    assert report["error"] == "RuntimeError: boom"
    assert len(report["rounds"]) == 1
    assert "test_accuracy" in report["final_scores"]
    assert (out / "model.skops").exists()


def test_a_failure_after_the_rounds_keeps_what_the_round_callback_wrote(
    classes_csv, tmp_path, monkeypatch
):
    monkeypatch.setattr(cli_recipe, "_final_scores", boom)
    out = tmp_path / "r"
    argv = ["recipe", "--data", str(classes_csv), "--target", "label"]
    argv += ["--max-rounds", "1", "--out", str(out)]
    assert cli.main(argv + ["--quiet"]) == 3
    report = json.loads((out / "report.json").read_text())
    assert report["status"] == "failed"
    # Written by the round callback as the round ended.
    (entry,) = report["rounds"]
    assert entry["round"] == 1 and 1 <= entry["epochs"] <= entry["max_iter"]
    assert entry["variance"] == pytest.approx(entry["dev_error"] - entry["train_error"])
    assert entry["data_mismatch"] is None and entry["train_dev_error"] is None
    assert "action" not in entry  # the recipe's own history never arrived


def test_debug_prints_the_traceback(classes_csv, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_recipe, "load_files", boom)
    argv = ["recipe", "--data", str(classes_csv), "--out", str(tmp_path / "r")]
    assert cli.main([*argv, "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()  # failed before any round


def test_loading_a_large_file_shows_progress(classes_csv):
    stream = io.StringIO()
    progress = LoadProgress(stream, "data.csv", size=0, min_size=0)
    cli_data.load_data(str(classes_csv), "label", progress=progress)
    lines = stream.getvalue().splitlines()
    assert lines[-1].startswith("loading data.csv: 100% of 91 lines")


@pytest.mark.parametrize("command", ["recipe", "gradcheck", "predict"])
def test_help_is_complete_with_an_example(command):
    parser = cli.build_parser()
    sub = parser._subparsers._group_actions[0].choices[command]
    text = sub.format_help()
    assert "examples:" in text
    assert f"sklearn-dnn {command}" in text
    for action in sub._actions:
        if action.dest != "help":
            assert action.help, action.dest


def test_console_script_and_module_entry_points():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("recipe", "gradcheck", "predict"):
        assert command in result.stdout
    script = os.path.join(os.path.dirname(sys.executable), "sklearn-dnn")
    if os.path.exists(script):  # installed with pip, as the README says
        result = subprocess.run([script, "gradcheck", "--help"], capture_output=True)
        assert result.returncode == 0
        assert b"--n-directions" in result.stdout


# -- an explicit dev set (--dev) and the train-dev diagnosis --------------------


def digits_csv(path, X, y):
    header = [f"p{i}" for i in range(X.shape[1])] + ["label"]
    rows = [[f"{v:g}" for v in x] + [str(t)] for x, t in zip(X, y)]
    return write_csv(path, header, rows)


@pytest.fixture(scope="module")
def shifted_digits(tmp_path_factory):
    """Digits for training, and a dev file of other digits with thicker strokes."""
    from scipy.ndimage import grey_dilation
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(y))
    train, dev = order[:400], order[400:560]
    thick = np.array(
        [grey_dilation(x.reshape(8, 8), size=(2, 2)).ravel() for x in X[dev]]
    )
    folder = tmp_path_factory.mktemp("shifted")
    return (
        digits_csv(folder / "train.csv", X[train], y[train]),
        digits_csv(folder / "dev.csv", thick, y[dev]),
    )


def test_dev_file_gives_four_errors_and_the_mismatch_diagnosis(
    shifted_digits, tmp_path
):
    train, dev = shifted_digits
    out = tmp_path / "report"
    result = run_in_process(
        "recipe", "--data", train, "--dev", dev, "--target", "label",
        "--max-rounds", "1", "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    printed = result.stdout
    assert "split: train 320 / train-dev 80 from train.csv; dev 80 / test 80" in printed
    assert "train-dev vs dev: DIFFERENT distributions" in printed
    # The two halves of dev.csv: one distribution by construction, not tested.
    assert "dev and test: a random split of dev.csv, the same distribution" in printed
    assert "train-dev error" in printed and "high data mismatch" in printed
    report = json.loads((out / "report.json").read_text())
    assert report["split"] == {"train": 320, "train_dev": 80, "dev": 80, "test": 80}
    assert report["data"]["dev_file"] == {"name": "dev.csv", "n_samples": 160}
    checks = report["distribution_checks"]
    assert not checks["train-dev vs dev"]["same"]
    assert checks["dev and test"]["tested"] is False
    best, diagnosis = report["best_round"], report["diagnosis"]
    assert best["dev_error"] > best["train_dev_error"] + 0.2  # thick strokes
    assert diagnosis["high_data_mismatch"]
    assert "high data mismatch" in diagnosis["case"]
    assert diagnosis["data_mismatch"] == pytest.approx(
        best["dev_error"] - best["train_dev_error"]
    )
    assert diagnosis["dev_overfitting"] == pytest.approx(
        best["test_error"] - best["dev_error"]
    )
    (entry,) = report["rounds"]
    assert entry["train_dev_error"] == best["train_dev_error"]
    assert report["final_model"]["n_samples"] == 480  # train, train-dev and dev
    # The dev rows teach the final model the thick strokes.
    assert report["final_scores"]["test_accuracy"] > 1 - best["test_error"]


@pytest.mark.parametrize(
    "dev_content, message",
    [
        ("q,b,label\n" + "1,2,0\n2,3,1\n" * 6, "both need the same columns"),
        ("a,b,label\n" + "1,2,0\n2,3,2\n" * 6, "has class '2', which --data lacks"),
        ("a,b,label\n" + "1,2,0\n2,3,1\n" * 2, "only 4 examples"),
        ("a,b,label\n1,2,0\n2,,1\n", "--dev '"),
    ],
)
def test_bad_dev_file_is_a_one_line_error(tmp_path, dev_content, message):
    data = write_csv(
        tmp_path / "d.csv", ["a", "b", "label"], [["1", "2", "0"], ["2", "3", "1"]] * 15
    )
    dev = tmp_path / "dev.csv"
    dev.write_text(dev_content)
    result = run_in_process(
        "recipe", "--data", data, "--dev", dev, "--out", tmp_path / "o"
    )
    one_line_error(result, message)
    assert not (tmp_path / "o").exists()
    missing = run_in_process("recipe", "--data", data, "--dev", tmp_path / "no.csv")
    one_line_error(missing, "no such file: --dev")


def small_recipe(**params):
    from sklearn_dnn import BasicRecipe

    return BasicRecipe(
        cli_recipe.recipe_network("classification", 0).set_params(
            dnnclassifier__max_iter=5
        ),
        max_rounds=2, dev_size=30, refit=False, baseline_error=0.0,
        random_state=0, **params,
    )  # fmt: skip


class _Report:
    def __init__(self):
        self.fields = {}

    def update(self, **fields):
        self.fields.update(fields)


def test_round_callback_reports_the_recipes_own_errors_as_each_round_ends():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X_train, y_train, X_dev, y_dev = X[:200], y[:200], X[200:260], y[200:260]
    recipe = small_recipe()
    _, X_held, _, y_held = recipe._hold_out(X_train, y_train)
    out = io.StringIO()
    report = _Report()
    watch = cli_recipe._RoundWatch(
        (X_held, y_held), (X_dev, y_dev), Console(out, False), report
    )
    recipe.set_callbacks(watch)
    recipe.fit(X_train, y_train, X_val=X_dev, y_val=y_dev)
    assert report.fields["rounds"] is watch.rounds
    assert len(watch.rounds) == len(recipe.history_) == 2
    for mine, entry in zip(watch.rounds, recipe.history_):
        for key in ("train_error", "train_dev_error", "dev_error"):
            assert mine[key] == entry[key]
        assert mine["case"] == entry["diagnosis"].case
    assert watch.rounds[0]["epochs"] == 5 and watch.rounds[0]["stopped_early"] is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_why_training_stopped_names_the_rule_that_fired():
    from sklearn.datasets import load_digits

    from sklearn_dnn import DNNClassifier

    X, y = load_digits(return_X_y=True)
    X = X[:150] / 16
    y = y[:150]
    ran_out = DNNClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(
        X, y
    )
    assert cli_recipe.why_training_stopped(ran_out) is None
    plateau = DNNClassifier(
        hidden_layer_sizes=(4,),
        max_iter=200,
        tol=10.0,
        n_iter_no_change=2,
        random_state=0,
    ).fit(X, y)
    assert plateau.n_iter_ < 200
    text = cli_recipe.why_training_stopped(plateau)
    assert text.startswith(f"training stopped at epoch {plateau.n_iter_} of 200")
    assert "mean cost J of the last 2 epochs" in text
    early = plateau.set_params(early_stopping=True).fit(X, y)
    assert "the dev score did not improve" in cli_recipe.why_training_stopped(early)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar_only_on_terminals_and_never_saved(monkeypatch, tmp_path):
    import rich
    from sklearn.callback import ProgressBar

    from sklearn_dnn.diagnostics._validation import unwrap_network

    quiet = cli.build_parser().parse_args(["recipe", "--quiet"])
    loud = cli.build_parser().parse_args(["recipe"])
    with cli_recipe._progress_callbacks(loud) as callbacks:
        assert callbacks == ()  # pytest's stdout is no terminal
    monkeypatch.setattr(sys, "stdout", FakeTerminal())
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    with cli_recipe._progress_callbacks(quiet) as callbacks:
        assert callbacks == ()
    with cli_recipe._progress_callbacks(loud) as callbacks:
        (bar,) = callbacks
        assert isinstance(bar, ProgressBar)
        assert rich.get_console().file is sys.stderr
    assert rich.get_console().file is sys.stdout
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    recipe = small_recipe().fit(X[:120], y[:120])
    sets = Sets(
        X[:120], y[:120], None, None, X[:100], y[:100], None, None, X[100:120],
        y[100:120], X[120:140], y[120:140], "classification", 20, None,
        "digits", None, None,
    )  # fmt: skip
    watch = SimpleNamespace(rounds=[{"epochs": 5}] * len(recipe.history_))
    report = _Report()
    model = cli_recipe._final_model(
        recipe, watch, sets, Budget(None), (ProgressBar(),), Console(None, True),
        report,
    )  # fmt: skip
    assert report.fields["refit"]["n_samples"] == 120
    assert model.n_features_in_ == 64
    assert not hasattr(model, "_skl_callbacks")
    assert not hasattr(unwrap_network(model), "_skl_callbacks")


def test_tolerance_auto_and_the_epoch_budget_reach_the_recipe():
    sets = SimpleNamespace(task="classification", hold_out_size=215)
    args = SimpleNamespace(
        tolerance="auto",
        baseline_error=0.0,
        scoring=None,
        max_rounds=3,
        max_total_epochs=123,
        random_state=0,
        quiet=True,
    )
    recipe = cli_recipe._new_recipe(sets, args)
    assert recipe.tolerance == "auto" and recipe._tolerance() == 0.01
    assert recipe.max_total_epochs == 123 and recipe.max_rounds == 3
    assert not hasattr(cli_recipe, "gap_tolerance")  # one rule, the recipe's
    args.max_total_epochs = None
    default = BasicRecipe(DNNClassifier()).max_total_epochs
    assert cli_recipe._new_recipe(sets, args).max_total_epochs == default
    assert cli_recipe._new_recipe(sets, args).max_time == 180.0
    assert cli_recipe._new_recipe(sets, args, 12.5).max_time == 12.5


@pytest.mark.parametrize("value", ["0", "-1", "nan", "soon"])
def test_max_time_must_be_a_positive_number(value, capsys):
    from sklearn_dnn.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["recipe", "--max-time", value])
    assert exit_info.value.code == 2
    assert "--max-time" in capsys.readouterr().err


def test_one_run_one_story_in_report_and_console(recipe_run):
    result, out = recipe_run
    report = json.loads((out / "report.json").read_text())
    # A dev split of 18 rows: the rounds are judged on 5 folds of the 72
    # training and dev rows, each row dev once; the test set is its own.
    sizes = {"train": 72, "dev": 72, "test": 18}
    diagnosis = report["diagnosis"]
    assert diagnosis["n_samples"] == sizes
    assert diagnosis["data"].startswith("5-fold cross-validation")
    measured = {k: v for k, v in diagnosis["gap_standard_errors"].items() if v}
    assert set(measured) == {"bias", "variance", "dev_overfitting"}
    assert all(se > 0 for se in measured.values())
    assert "test set" in diagnosis["data"]
    for record in [*report["rounds"], report["learning_curve"]]:
        assert {"case", "uncertain", "errors", "n_samples", "data"} <= set(record)
        assert record["gap_standard_errors"]["variance"] > 0
    assert "cross-validation" in report["learning_curve"]["data"]
    assert report["tolerance"] == 0.01 and report["confidence"] == 0.95
    assert "±" in result.stdout
    assert "count as high above 0.01 " in result.stdout  # not a 5% heuristic
    # Two random parts of one file cannot mismatch: it is not measured.
    assert diagnosis["data_mismatch"] is None
    assert not diagnosis["high_data_mismatch"]


def test_tolerance_option_rejects_a_negative_number(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["recipe", "--tolerance", "-0.1"])
    assert exit_info.value.code == 2
    assert "--tolerance" in capsys.readouterr().err
