"""Overlap is a finding (DESIGN §15): rows shared by two sets are counted."""

import numpy as np
import scipy.sparse as sp

from sklearn_dnn import check_same_distribution
from sklearn_dnn.cli import main


def test_check_same_distribution_counts_shared_rows():
    X = np.random.RandomState(0).normal(size=(300, 3))
    result = check_same_distribution(X, X.copy(), random_state=0)
    assert result.n_shared_rows == 300
    text = str(result)
    assert "300 rows of X_b are exact duplicates" in text
    assert result.auc < 0.4 and "far below 0.5" in text
    other = np.random.RandomState(1).normal(size=(300, 3))
    fresh = check_same_distribution(X, other, random_state=0)
    assert fresh.n_shared_rows == 0 and "shared rows" not in str(fresh)
    X_b = sp.csr_matrix(np.vstack([X[:40], other[:60]]))
    assert check_same_distribution(sp.csr_matrix(X), X_b).n_shared_rows == 40


def _write(path, X, y):
    lines = ["a,b,label"] + [f"{a:.6f},{b:.6f},{t}" for (a, b), t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_recipe_warns_when_dev_rows_are_training_rows(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] > 0).astype(int)
    data = _write(tmp_path / "data.csv", X, y)
    dev = _write(tmp_path / "dev.csv", X[:40], y[:40])
    status = main(
        ["recipe", "--data", str(data), "--dev", str(dev), "--max-rounds", "1",
         "--out", str(tmp_path / "o"), "--quiet"]
    )  # fmt: skip
    assert status == 0
    assert "40 of the 40 rows of --dev" in capsys.readouterr().err


def test_a_low_auc_without_shared_rows_is_put_down_to_small_sets():
    # Two halves of one sample, no row shared: the AUC is 0.382 by chance.
    X = np.random.RandomState(5).normal(size=(120, 4))
    result = check_same_distribution(X[:60], X[60:], random_state=0)
    assert result.n_shared_rows == 0 and result.auc < 0.4
    text = str(result)
    assert "share" not in text and "far below 0.5" not in text
    assert "within sampling noise" in text and "standard error is 0.075" in text
