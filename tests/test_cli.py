"""The sklearn-dnn command line: the main job, gradcheck and bad input."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from sklearn_dnn.cli import build_parser, main


def run_cli(*args, cwd=None):
    """Run the real command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "sklearn_dnn", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=600,
    )


@pytest.fixture
def csv_file(tmp_path):
    """A small numeric CSV with a label column named 'label'."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    lines = ["a,b,label,c"] + [
        f"{x[0]:.4f},{x[1]:.4f},{t},{x[2]:.4f}" for x, t in zip(X, y)
    ]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_recipe_on_csv_writes_report_and_figures(csv_file, tmp_path, capsys):
    out = tmp_path / "report"
    status = main(
        [
            "recipe",
            "--data",
            str(csv_file),
            "--target",
            "label",
            "--max-rounds",
            "2",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "split: train 72 / dev 24 / test 24" in printed
    assert "round 1/2" in printed
    assert "final: test accuracy" in printed
    report = json.loads((out / "report.json").read_text())
    assert report["split"] == {"train": 72, "dev": 24, "test": 24}
    assert report["data"]["n_features"] == 3
    assert report["data"]["feature_names"] == ["a", "b", "c"]
    assert 1 <= len(report["rounds"]) <= 2
    for entry in report["rounds"]:
        assert {"params", "train_error", "dev_error", "case", "action"} <= set(entry)
    assert 0.0 <= report["final_scores"]["test_accuracy"] <= 1.0
    assert isinstance(report["distribution_check"]["same"], bool)
    assert set(report["versions"]) >= {"sklearn_dnn", "numpy", "scikit-learn"}
    for name in ("learning_curve.png", "loss_curve.png", "gradient_norms.png"):
        assert (out / name).stat().st_size > 1000


def test_recipe_quiet_prints_nothing(csv_file, tmp_path, capsys):
    status = main(
        [
            "recipe",
            "--data",
            str(csv_file),
            "--target",
            "label",
            "--max-rounds",
            "1",
            "--quiet",
            "--out",
            str(tmp_path / "r"),
        ]
    )
    assert status == 0
    assert capsys.readouterr().out == ""
    assert (tmp_path / "r" / "report.json").exists()


def test_csv_target_defaults_to_last_column(tmp_path, capsys):
    rows = ["x1,x2,y"] + [f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(60)]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(rows))
    assert main(["gradcheck", "--data", str(path)]) == 0
    assert "60 examples, 2 features" in capsys.readouterr().out


def test_gradcheck_reports_verdict_and_table(capsys):
    status = main(["gradcheck", "--n-samples", "50", "--hidden-layer-sizes", "4,3"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "great" in printed
    for name in ("W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"):
        assert name in printed


def test_gradcheck_exits_1_on_a_bug(monkeypatch, capsys):
    from sklearn_dnn import _network

    original = _network.Network._backward

    def wrong_sign(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.coef_grads[0] *= -1

    monkeypatch.setattr(_network.Network, "_backward", wrong_sign)
    status = main(["gradcheck", "--n-samples", "50", "--hidden-layer-sizes", "4"])
    assert status == 1
    assert "bug" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "is empty"),
        ("a,b,label\n", "no data rows"),
        ("a,b,label\n1,x,0\n2,3,1\n", "not numeric"),
        ("a,b,label\n1,2,0\n2,3,\n", "missing (NaN) labels"),
        ("a,b,label\n1,2,0\n2,3,nan\n", "missing (NaN) labels"),
        ("a,b,label\n1,2,0\n2,,1\n", "not numeric"),
        ("a,b,label\n1,2,0\n2,3,1,4\n", "fields"),
        ("a,b,label\n1,2,0\n2,3,0\n", "single class"),
    ],
)
def test_bad_csv_gives_one_line_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = run_cli("recipe", "--data", str(path), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_missing_file_and_unknown_column(tmp_path, csv_file):
    missing = run_cli("recipe", "--data", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert "no such data file" in missing.stderr
    assert "Traceback" not in missing.stderr

    unknown = run_cli("gradcheck", "--data", str(csv_file), "--target", "colour")
    assert unknown.returncode == 2
    assert "unknown --target column 'colour'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_unwritable_out_gives_one_line_error(tmp_path, csv_file):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli(
        "recipe", "--data", str(csv_file), "--out", str(blocker / "report")
    )
    assert result.returncode == 2
    assert "cannot write to --out" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_numbers_are_rejected_by_name(capsys):
    assert main(["recipe", "--baseline-error", "1.5"]) == 2
    assert "--baseline-error" in capsys.readouterr().err
    assert main(["gradcheck", "--hidden-layer-sizes", "4,x"]) == 2
    assert "--hidden-layer-sizes" in capsys.readouterr().err
    assert main(["gradcheck", "--epsilon", "-1"]) == 2
    assert "epsilon" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["recipe", "gradcheck"])
def test_help_is_complete_with_an_example(command):
    parser = build_parser()
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
    assert "recipe" in result.stdout and "gradcheck" in result.stdout
    script = os.path.join(os.path.dirname(sys.executable), "sklearn-dnn")
    if os.path.exists(script):  # installed with pip, as the README says
        result = subprocess.run([script, "gradcheck", "--help"], capture_output=True)
        assert result.returncode == 0
        assert b"--n-directions" in result.stdout
