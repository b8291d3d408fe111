"""``sklearn-dnn recipe``: one source or several, the scoring, the baseline
and the time budget of the whole command (DESIGN 19)."""

import argparse
import json

import numpy as np
import pytest
from test_cli import one_line_error, run_in_process, write_csv

from sklearn_dnn.cli import _budget
from sklearn_dnn.cli._parser import build_parser


def _rows(X, y):
    return [[f"{v:.4f}" for v in x] + [str(t)] for x, t in zip(X, y)]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Three files of one problem: data (150 rows), other (60), test (40)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(250, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    folder = tmp_path_factory.mktemp("sources")
    header = ["a", "b", "c", "label"]
    return {
        "data": write_csv(folder / "data.csv", header, _rows(X[:150], y[:150])),
        "dev": write_csv(folder / "dev.csv", header, _rows(X[150:210], y[150:210])),
        "test": write_csv(folder / "test.csv", header, _rows(X[210:], y[210:])),
    }


def _recipe(out, *args):
    result = run_in_process(
        "recipe", "--target", "label", "--max-rounds", "2", "--baseline-error", "0",
        "--max-time", "60", "--out", out, *args,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads((out / "report.json").read_text())


def _mismatch_anywhere(report):
    records = [report["diagnosis"], *report["rounds"]]
    if report.get("learning_curve"):
        records.append(report["learning_curve"])
    return [r for r in records if r["data_mismatch"] is not None]


def test_one_file_has_no_train_dev_no_mismatch_and_no_distribution_test(
    files, tmp_path
):
    printed, report = _recipe(tmp_path / "r", "--data", files["data"])
    assert "split: train 90 / dev 30 / test 30 from data.csv" in printed
    assert "train-dev" not in printed and "mismatch" not in printed
    assert "the same distribution by construction (not tested)" in printed
    assert report["split"] == {"train": 90, "dev": 30, "test": 30}
    (check,) = report["distribution_checks"].values()
    assert check["tested"] is False and check["same_by_construction"] is True
    assert _mismatch_anywhere(report) == []
    assert all(r["train_dev_error"] is None for r in report["rounds"])
    assert "train_dev" not in report["diagnosis"]["n_samples"]
    assert report["final_model"] == {"trained_on": "train+dev", "n_samples": 120}
    assert report["status"] == "complete"


def test_a_dev_file_keeps_the_train_dev_set_and_tests_only_across_files(
    files, tmp_path
):
    printed, report = _recipe(
        tmp_path / "r", "--data", files["data"], "--dev", files["dev"]
    )
    assert "split: train 120 / train-dev 30 from data.csv; dev 30 / test 30" in printed
    checks = report["distribution_checks"]
    assert checks["train-dev vs dev"]["tested"] is True
    # The two halves of dev.csv: one file, not tested.
    assert checks["dev and test"] == {
        "tested": False,
        "same_by_construction": True,
        "note": checks["dev and test"]["note"],
    }
    assert "dev.csv" in checks["dev and test"]["note"]
    assert report["diagnosis"]["data_mismatch"] is not None
    assert report["final_model"]["trained_on"] == "train+train-dev+dev"


def test_a_test_file_is_the_test_set_and_is_checked_against_dev(files, tmp_path):
    printed, report = _recipe(
        tmp_path / "r", "--data", files["data"], "--test", files["test"]
    )
    assert "split: train 120 / dev 30 from data.csv; test 40 from test.csv" in printed
    assert report["split"] == {"train": 120, "dev": 30, "test": 40}
    checks = report["distribution_checks"]
    assert checks["dev vs test"]["tested"] is True
    assert "dev vs test: same distribution" in printed
    assert checks["train and dev"]["tested"] is False
    assert _mismatch_anywhere(report) == []
    assert report["data"]["test_file"] == {"name": "test.csv", "n_samples": 40}


def test_dev_and_test_files_are_used_whole(files, tmp_path):
    printed, report = _recipe(
        tmp_path / "r",
        "--data", files["data"], "--dev", files["dev"], "--test", files["test"],
    )  # fmt: skip
    assert report["split"] == {"train": 120, "train_dev": 30, "dev": 60, "test": 40}
    checks = report["distribution_checks"]
    assert {k for k, v in checks.items() if v["tested"]} == {
        "train-dev vs dev",
        "dev vs test",
    }


def test_a_bad_test_file_is_a_one_line_error(files, tmp_path):
    bad = write_csv(tmp_path / "t.csv", ["a", "b", "label"], [["1", "2", "0"]] * 9)
    result = run_in_process(
        "recipe", "--data", files["data"], "--target", "label", "--test", bad,
        "--out", tmp_path / "r",
    )  # fmt: skip
    one_line_error(result, "--test", "same columns")
    assert not (tmp_path / "r").exists()


def _parse(*args):
    return build_parser().parse_args(["recipe", *args])


def test_baseline_error_is_auto_by_default_or_a_number():
    assert _parse().baseline_error == "auto"
    assert _parse("--baseline-error", "auto").baseline_error == "auto"
    assert _parse("--baseline-error", "0.05").baseline_error == 0.05


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--baseline-error", "bad", "or 'auto'"),
        ("--baseline-error", "1.5", "not in [0.0, 1.0)"),
        ("--scoring", "acuracy", "not a scikit-learn scorer name"),
    ],
)
def test_bad_baseline_or_scoring_exits_2(option, value, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        _parse(option, value)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_scoring_reaches_the_recipe_and_the_final_scores(files, tmp_path):
    printed, report = _recipe(
        tmp_path / "r", "--data", files["data"], "--scoring", "balanced_accuracy"
    )
    assert report["options"]["scoring"] == "balanced_accuracy"
    assert "errors as 1 - balanced_accuracy" in printed
    assert 0 <= report["final_scores"]["test_balanced_accuracy"] <= 1


def test_a_scorer_without_an_error_is_a_one_line_error(files, tmp_path):
    result = run_in_process(
        "recipe", "--data", files["data"], "--target", "label",
        "--scoring", "mutual_info_score", "--out", tmp_path / "r",
    )  # fmt: skip
    one_line_error(result, "--scoring", "meaningful error")


def test_the_whole_command_stays_in_its_budget(files, tmp_path):
    """A small --max-time bounds the rounds, refit, learning curve and
    figures (a generous bound: the machine may be loaded)."""
    out = tmp_path / "r"
    result = run_in_process(
        "recipe", "--data", files["data"], "--target", "label",
        "--baseline-error", "0", "--max-time", "3", "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["status"] == "complete"
    assert report["budget"]["max_time"] == 3
    assert report["budget"]["seconds"] < 3 * 3 + 10
    assert "refit:" in result.stdout and "learning curve:" in result.stdout


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_budget_counts_from_its_start_and_never_goes_below_zero():
    clock = FakeClock()
    budget = _budget.Budget(30, clock=clock)
    clock.now += 12
    assert budget.elapsed() == 12 and budget.left() == 18
    assert budget.rounds_time() == pytest.approx(_budget.ROUNDS_SHARE * 18)
    clock.now += 100
    assert budget.left() == 0
    assert budget.rounds_time() == _budget.MIN_ROUNDS_SECONDS
    assert _budget.Budget(None, clock=clock).rounds_time() is None


def test_refit_epochs_shrink_to_the_time_and_never_below_the_minimum():
    assert _budget.refit_epochs(200, 0.01, 100.0) == (200, False)
    epochs, shrunk = _budget.refit_epochs(200, 0.1, 6.0)
    assert shrunk and epochs * 0.1 * _budget.SAFETY <= 6.0
    assert _budget.refit_epochs(200, 1.0, 0.0) == (_budget.MIN_EPOCHS, True)
    assert _budget.refit_epochs(5, 1.0, 0.0) == (5, False)


@pytest.mark.parametrize("seconds", [1000.0, 20.0, 5.0, 3.0])
def test_the_learning_curve_is_sized_to_its_time(seconds):
    plan = _budget.plan_learning_curve(1000, 100, 1e-4, seconds)
    assert plan is not None
    assert plan.seconds <= seconds
    # Examples times epochs of every fit, as the estimate counts them.
    work = plan.cv * sum(plan.train_sizes) * 1000 * (plan.cv - 1) / plan.cv
    assert work * plan.max_iter * 1e-4 * _budget.SAFETY == pytest.approx(plan.seconds)
    assert plan.shrunk == (seconds < 1000.0)


def test_a_learning_curve_that_cannot_fit_is_skipped():
    assert _budget.plan_learning_curve(1000, 100, 1e-4, 0.5) is None
    assert _budget.plan_learning_curve(1000, 100, 1e-4, 0.0) is None


def test_help_names_the_new_options():
    text = build_parser()._subparsers._group_actions[0].choices["recipe"]
    help_text = text.format_help()
    for option in ("--test", "--scoring", "--baseline-error", "--max-time"):
        assert option in help_text
    assert isinstance(text, argparse.ArgumentParser)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_round_cut_by_the_deadline_is_not_blamed_on_a_stopping_rule():
    from sklearn.datasets import load_digits

    from sklearn_dnn import DNNClassifier
    from sklearn_dnn.cli import recipe as cli_recipe

    X, y = load_digits(return_X_y=True)
    network = DNNClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    network.fit(X[:100] / 16, y[:100]).set_params(max_iter=200)
    text = cli_recipe.why_training_stopped(network)  # 3 epochs: no rule fired
    assert text == (
        "training stopped at epoch 3 of 200: the time budget (max_time) ran out"
    )
