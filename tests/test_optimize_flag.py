"""The package imports and works under ``python -OO`` (docstrings stripped)."""

import subprocess
import sys
import textwrap


def test_import_fit_and_predict_with_docstrings_stripped():
    code = textwrap.dedent(
        """
        import numpy as np
        import sklearn_dnn
        from sklearn_dnn import DNNClassifier, DNNRegressor

        assert DNNClassifier.__doc__ is None  # -OO is in effect
        X = np.random.RandomState(0).normal(size=(20, 3))
        y = (X[:, 0] > 0).astype(int)
        model = DNNClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        predictions = model.fit(X, y).predict(X)
        assert predictions.shape == (20,) and set(predictions) <= {0, 1}
        DNNRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X, X[:, 0]).predict(X)
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-OO", "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
