"""Write the model files that ``tests/test_saved_models.py`` loads back.

Each run fits the same small models on iris and saves them with
``sklearn_dnn.persistence.dump``, with their predictions next to them::

    python tests/data/make_model_files.py tests/data/PREFIX

writes ``PREFIXclassifier.skops`` (an ``InputNormalizer`` and an adam
``DNNClassifier`` in a ``Pipeline``), ``PREFIXregressor.skops`` (an sgd
``DNNRegressor``) and ``PREFIXexpected.npz``. The committed files are never
rewritten: they stand for the files users saved with earlier versions.
"""

import sys

import numpy as np
from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline

from sklearn_dnn import DNNClassifier, DNNRegressor, InputNormalizer
from sklearn_dnn.persistence import dump


def iris():
    """The data the models are fitted on and predict: ``X``, ``y``."""
    return load_iris(return_X_y=True)


def fit_models():
    """The two small models, fitted on iris."""
    X, y = iris()
    classifier = make_pipeline(
        InputNormalizer(),
        DNNClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0),
    ).fit(X, y)
    regressor = DNNRegressor(
        hidden_layer_sizes=(4,), solver="sgd", max_iter=30, random_state=0
    ).fit(X[:, :3], X[:, 3])
    return classifier, regressor


def main(prefix):
    X, _ = iris()
    classifier, regressor = fit_models()
    dump(classifier, f"{prefix}classifier.skops")
    dump(regressor, f"{prefix}regressor.skops")
    np.savez(
        f"{prefix}expected.npz",
        classifier_proba=classifier.predict_proba(X),
        regressor_prediction=regressor.predict(X[:, :3]),
    )


if __name__ == "__main__":
    main(sys.argv[1])
