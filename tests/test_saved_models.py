"""Model files saved by this and earlier versions keep loading.

``tests/data`` holds files written by ``tests/data/make_model_files.py``:
with this version (``classifier.skops``, ``regressor.skops``), before the
layout in four parts (``pre_layout_*``, written by commit 5d8295e) and after
it, while files named the private modules (``private_modules_*``, commit
f25a25e). They are never rewritten: a move of a private module that breaks
them breaks the files users keep.
"""

import json
import pathlib
import zipfile

import numpy as np
import pytest
import skops.io as skops_io
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris

import sklearn_dnn
from sklearn_dnn import DNNClassifier, DNNRegressor, InputNormalizer
from sklearn_dnn.persistence import TRUSTED_TYPES, UntrustedTypesError, dump, load

DATA = pathlib.Path(__file__).resolve().parent / "data"
VERSIONS = ["", "pre_layout_", "private_modules_"]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v or "this_version")
def test_saved_models_load_and_predict_as_when_saved(version, iris):
    X, y = iris
    expected = np.load(DATA / f"{version}expected.npz")
    classifier = load(DATA / f"{version}classifier.skops")
    regressor = load(DATA / f"{version}regressor.skops")
    assert isinstance(classifier[0], InputNormalizer)
    assert isinstance(classifier[-1], DNNClassifier)
    assert isinstance(regressor, DNNRegressor)
    assert_allclose(classifier.predict_proba(X), expected["classifier_proba"])
    assert_allclose(regressor.predict(X[:, :3]), expected["regressor_prediction"])
    # The optimizer's state came back too: training goes on from it.
    regressor.partial_fit(X[:, :3], X[:, 3])
    classifier.fit(X, y)


def test_files_name_the_public_module_of_each_class(tmp_path, iris):
    X, y = iris
    model = DNNClassifier(hidden_layer_sizes=(2,), max_iter=2, random_state=0)
    path = tmp_path / "model.skops"
    dump(model.fit(X, y), path)
    assert "sklearn_dnn.DNNClassifier" in skops_io.get_untrusted_types(file=path)


def test_every_public_class_lives_in_the_public_module():
    for name in sklearn_dnn.__all__:
        obj = getattr(sklearn_dnn, name)
        if isinstance(obj, type):
            assert obj.__module__ == "sklearn_dnn", name


def test_trusted_types_name_importable_classes():
    for qualified in TRUSTED_TYPES:
        module, _, name = qualified.rpartition(".")
        if module.startswith("sklearn_dnn"):
            assert isinstance(getattr(__import__(module, fromlist=[name]), name), type)


def test_a_file_with_former_names_still_refuses_other_types(tmp_path):
    # A former name stands for its current class only: another type that the
    # same file names is refused, and nothing is built.
    path = tmp_path / "planted.skops"
    with (
        zipfile.ZipFile(DATA / "pre_layout_regressor.skops") as old,
        zipfile.ZipFile(path, "w") as new,
    ):
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "schema.json":
                schema = json.loads(data)
                schema["content"]["content"]["activation"] = {
                    "__class__": "eval",
                    "__module__": "builtins",
                    "__loader__": "TypeNode",
                    "__id__": 987654321,
                }
                data = json.dumps(schema)
            new.writestr(info, data)
    with pytest.raises(UntrustedTypesError, match="builtins.eval"):
        load(path)
