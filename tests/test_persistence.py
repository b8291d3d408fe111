"""Saving and loading fitted objects with pickle, joblib and skops.io.

Every fitted public object round-trips with identical outputs; the skops file
needs no trusted type beyond the package's own classes; a fitted object holds
no open file, thread, lock or lambda; and a truncated or tampered file fails
with the error that docs/persistence.rst tells users to expect.
"""

import copy
import hashlib
import io
import json
import pickle
import struct
import threading
import types
import warnings
import zipfile

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_dnn import (
    BasicRecipe,
    DNNClassifier,
    DNNRegressor,
    ImageAugmenter,
    InputNormalizer,
    check_same_distribution,
    diagnose_bias_variance,
    diagnose_gradients,
    gradient_check,
)
from sklearn_dnn._progress import report_epochs

skops_io = pytest.importorskip("skops.io", reason="skops is in the test extra")
from skops.io.exceptions import UntrustedTypesFoundException  # noqa: E402

#: The only types a user must trust to load any of the package's objects with
#: skops.io (docs/persistence.rst lists the same).
PACKAGE_TYPES = {
    "sklearn_dnn._multilayer.DNNClassifier",
    "sklearn_dnn.diagnostics._bias_variance.BiasVarianceDiagnosis",
    "sklearn_dnn.diagnostics._gradients.GradientDiagnosis",
    "sklearn_dnn.diagnostics._recipe.BasicRecipe",
    "sklearn_dnn.gradcheck.GradientCheckResult",
    "sklearn_dnn.model_selection.DistributionCheckResult",
    "sklearn_dnn._multilayer.DNNRegressor",
    "sklearn_dnn._optimizers.AdamOptimizer",
    "sklearn_dnn._optimizers.SGDOptimizer",
    "sklearn_dnn.augment.ImageAugmenter",
    "sklearn_dnn.preprocessing.InputNormalizer",
}

SMALL = {"hidden_layer_sizes": (6,), "max_iter": 20, "random_state": 0}


def _images(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 16)
    y = (X[:, :8].sum(axis=1) > X[:, 8:].sum(axis=1)).astype(int)
    return X, y


def _multiclass():
    X, _ = _images()
    return X, np.arange(len(X)) % 3


def _predictions(est, X):
    out = [est.predict(X)]
    if hasattr(est, "predict_proba"):
        out += [est.predict_proba(X), est.predict_log_proba(X)]
    return out


def _augment_output(aug, X):
    return [aug.augment(X, np.random.RandomState(3)), aug.transform(X)]


def _classifier_adam():
    X, y = _multiclass()
    return DNNClassifier(**SMALL).fit(X, y), X, _predictions


def _classifier_sgd_early_stopping_dropout():
    X, y = _images()
    est = DNNClassifier(
        solver="sgd", keep_prob=0.8, early_stopping=True, learning_rate_init=0.1
    )
    return est.set_params(**SMALL).fit(X, y), X, _predictions


def _classifier_lbfgs_multilabel():
    X, y = _images()
    Y = np.c_[y, 1 - y, X[:, 0] > 0.5]
    return DNNClassifier(solver="lbfgs", **SMALL).fit(X, Y), X, _predictions


def _classifier_with_augmenter_float32():
    X, y = _images()
    X = X.astype(np.float32)
    est = DNNClassifier(augment=ImageAugmenter((4, 4), max_shift=1), **SMALL)
    return est.fit(X, y), X, _predictions


def _classifier_string_labels_pandas():
    pd = pytest.importorskip("pandas")
    X, y = _images()
    frame = pd.DataFrame(X, columns=[f"pixel {i} é" for i in range(X.shape[1])])
    labels = np.array(["cat", "dog"])[y]
    return DNNClassifier(**SMALL).fit(frame, labels), frame, _predictions


def _regressor_multioutput_sparse():
    X, _ = _images()
    X[X < 0.4] = 0
    Y = np.c_[X[:, 0] - X[:, 1], X[:, 2]]
    return (
        DNNRegressor(**SMALL).fit(sp.csr_matrix(X), Y),
        sp.csr_matrix(X),
        (_predictions),
    )


def _regressor_poisson_sgd():
    X, y = _images()
    est = DNNRegressor(loss="poisson", solver="sgd", learning_rate_init=0.05)
    return est.set_params(**SMALL).fit(X, y * 3.0), X, _predictions


def _input_normalizer():
    X, _ = _images()
    norm = InputNormalizer().fit(X * 10 + 3)
    return norm, X, lambda est, X: [est.transform(X), est.inverse_transform(X)]


def _image_augmenter():
    X, _ = _images()
    aug = ImageAugmenter(
        (4, 4), horizontal_flip=True, max_shift=1, max_rotation=15.0, random_state=0
    ).fit(X)
    return aug, X, _augment_output


def _pipeline():
    X, y = _multiclass()
    pipe = make_pipeline(InputNormalizer(), DNNClassifier(**SMALL)).fit(X, y)
    return pipe, X, _predictions


def _grid_search():
    X, y = _images()
    search = GridSearchCV(DNNClassifier(**SMALL), {"alpha": [1e-4, 1.0]}, cv=2)
    return search.fit(X, y), X, _predictions


def _basic_recipe():
    X, y = _images(80)
    model = make_pipeline(InputNormalizer(), DNNClassifier(**SMALL))
    recipe = BasicRecipe(
        model, max_rounds=2, augment=ImageAugmenter((4, 4)), random_state=0
    )
    return recipe.fit(X, y), X, _predictions


def _result_text(result, X):
    return [np.array(str(result)), np.array(repr(result))]


def _gradient_check_result():
    X, y = _images(10)
    est = DNNClassifier(hidden_layer_sizes=(3,), random_state=0)
    return gradient_check(est, X, y), X, _result_text


def _bias_variance_diagnosis():
    return diagnose_bias_variance(0.15, 0.3), None, _result_text


def _gradient_diagnosis():
    X, y = _images()
    return diagnose_gradients(DNNClassifier(**SMALL).fit(X, y)), X, _result_text


def _distribution_check_result():
    X, _ = _images(60)
    result = check_same_distribution(X[:30], X[30:], random_state=0)
    return result, X, _result_text


FITTED = {
    f.__name__.lstrip("_"): f
    for f in [
        _classifier_adam,
        _classifier_sgd_early_stopping_dropout,
        _classifier_lbfgs_multilabel,
        _classifier_with_augmenter_float32,
        _classifier_string_labels_pandas,
        _regressor_multioutput_sparse,
        _regressor_poisson_sgd,
        _input_normalizer,
        _image_augmenter,
        _pipeline,
        _grid_search,
        _basic_recipe,
        _gradient_check_result,
        _bias_variance_diagnosis,
        _gradient_diagnosis,
        _distribution_check_result,
    ]
}


@pytest.fixture(params=list(FITTED))
def fitted(request):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return FITTED[request.param]()


def _assert_same_outputs(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape
        assert x.tobytes() == y.tobytes()


def _skops_round_trip(obj):
    data = skops_io.dumps(obj)
    untrusted = skops_io.get_untrusted_types(data=data)
    return skops_io.loads(data, trusted=untrusted), set(untrusted)


def _round_trips(obj, tmp_path):
    yield "pickle", pickle.loads(pickle.dumps(obj))
    path = tmp_path / "model.joblib"
    joblib.dump(obj, path)
    yield "joblib", joblib.load(path)
    path = tmp_path / "model.skops"
    skops_io.dump(obj, path)
    untrusted = skops_io.get_untrusted_types(file=path)
    yield "skops", skops_io.load(path, trusted=untrusted)


def test_round_trips_give_identical_outputs(fitted, tmp_path):
    obj, X, outputs = fitted
    expected = outputs(obj, X)
    for how, loaded in _round_trips(obj, tmp_path):
        assert type(loaded) is type(obj), how
        _assert_same_outputs(outputs(loaded, X), expected)


@pytest.mark.parametrize("name", [name for name in FITTED if name != "grid_search"])
def test_skops_needs_no_trust_beyond_the_package_types(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        obj, _, _ = FITTED[name]()
    _, untrusted = _skops_round_trip(obj)
    # GradientCheckResult.dtype is a numpy.dtype (documented in
    # docs/persistence.rst): the one foreign type, and it runs no code.
    allowed = PACKAGE_TYPES | (
        {"numpy.dtype"} if name == "gradient_check_result" else set()
    )
    assert untrusted <= allowed, untrusted - allowed


def test_skops_file_of_a_search_also_names_scikit_learn_helpers():
    # docs/persistence.rst: save search.best_estimator_, not the search, to
    # trust only the package's types.
    search, _, _ = _grid_search()
    _, untrusted = _skops_round_trip(search)
    assert untrusted - PACKAGE_TYPES == {
        "sklearn.metrics._scorer._PassthroughScorer",
        "sklearn.model_selection._split.StratifiedKFold",
    }
    _, untrusted = _skops_round_trip(search.best_estimator_)
    assert untrusted <= PACKAGE_TYPES


def test_skops_refuses_to_load_without_trusting_the_package_types():
    obj, _, _ = _classifier_adam()
    data = skops_io.dumps(obj)
    with pytest.raises(UntrustedTypesFoundException, match="DNNClassifier"):
        skops_io.loads(data)


@pytest.mark.parametrize(
    "factory",
    [_classifier_adam, _classifier_sgd_early_stopping_dropout, _regressor_poisson_sgd],
)
def test_loaded_model_continues_partial_fit_exactly(factory):
    # The optimizer moments, the step counter t_ and the random state survive
    # the round trip, so training resumes as if the model had never left.
    obj, X, _ = factory()
    y = obj.predict(X)
    copies = [obj, pickle.loads(pickle.dumps(obj)), _skops_round_trip(obj)[0]]
    for est in copies:
        est.partial_fit(X, y)
    for est in copies[1:]:
        for W_ref, W in zip(copies[0].coefs_, est.coefs_):
            assert W_ref.tobytes() == W.tobytes()


_FORBIDDEN = (
    io.IOBase,
    threading.Thread,
    type(threading.Lock()),
    type(threading.RLock()),
    types.GeneratorType,
    types.LambdaType,
    types.FrameType,
)


def _forbidden_members(obj, path="obj", seen=None):
    """Yield the paths of open files, threads, locks and functions in ``obj``."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (str, bytes, int, float, np.ndarray)):
        return
    seen.add(id(obj))
    if isinstance(obj, _FORBIDDEN):
        yield f"{path}: {type(obj).__name__}"
        return
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = enumerate(obj)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        items = vars(obj).items()
    else:
        return
    for key, value in items:
        yield from _forbidden_members(value, f"{path}.{key}", seen)


def test_fitted_objects_hold_no_files_threads_locks_or_lambdas(fitted):
    obj, _, _ = fitted
    assert list(_forbidden_members(obj)) == []
    pickle.loads(pickle.dumps(obj))
    copy.deepcopy(obj)


def test_forbidden_member_search_finds_a_lambda_and_a_lock():
    est = DNNClassifier()
    est._callback = [lambda: None]
    est._lock = threading.Lock()
    assert sorted(_forbidden_members(est)) == [
        "obj._callback.0: function",
        "obj._lock: lock",
    ]


def test_fit_under_a_progress_callback_keeps_no_reference_to_it():
    X, y = _images()
    with report_epochs(lambda *args: None):
        est = DNNClassifier(**SMALL).fit(X, y)
    assert list(_forbidden_members(est)) == []
    pickle.dumps(est)


# -- damaged files -----------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_pickle_raises_unpickling_error(fraction):
    obj, _, _ = _classifier_adam()
    data = pickle.dumps(obj)
    with pytest.raises((pickle.UnpicklingError, EOFError)):
        pickle.loads(data[: int(len(data) * fraction)])


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_joblib_file_raises(tmp_path, fraction):
    obj, _, _ = _classifier_adam()
    path = tmp_path / "model.joblib"
    joblib.dump(obj, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    # joblib has no checksum: the unpickler fails where the data runs out.
    errors = (pickle.UnpicklingError, EOFError, ValueError, IndexError, struct.error)
    with pytest.raises(errors):
        joblib.load(path)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_truncated_skops_file_raises_bad_zip_file(tmp_path, fraction):
    obj, _, _ = _classifier_adam()
    path = tmp_path / "model.skops"
    skops_io.dump(obj, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(zipfile.BadZipFile):
        skops_io.get_untrusted_types(file=path)
    with pytest.raises(zipfile.BadZipFile):
        skops_io.load(path, trusted=sorted(PACKAGE_TYPES))


def test_flipped_byte_in_skops_file_fails_the_crc_check():
    obj, _, _ = _classifier_adam()
    data = bytearray(skops_io.dumps(obj))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("schema.json")
    # Inside the stored member's bytes, past its local header.
    position = info.header_offset + 30 + len(info.filename) + 10
    data[position] ^= 0x20
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        skops_io.loads(bytes(data), trusted=sorted(PACKAGE_TYPES))


def _rewrite_schema(data, edit):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "schema.json":
                content = json.dumps(edit(json.loads(content))).encode()
            target.writestr(name, content)
    return out.getvalue()


def test_tampered_skops_file_naming_another_type_is_refused():
    # An attacker rewrites the archive (with valid checksums) so that loading
    # would build another object: skops reports the type and refuses it.
    obj, _, _ = _classifier_adam()

    def swap_class(schema):
        schema["__module__"], schema["__class__"] = "os", "system"
        return schema

    data = _rewrite_schema(skops_io.dumps(obj), swap_class)
    assert "os.system" in skops_io.get_untrusted_types(data=data)
    with pytest.raises(UntrustedTypesFoundException, match="os.system"):
        skops_io.loads(data, trusted=sorted(PACKAGE_TYPES))


def test_sha256_recipe_detects_any_changed_byte(tmp_path):
    # docs/persistence.rst: keep a SHA-256 next to the file and check it
    # before loading, which catches tampering that keeps the format valid.
    obj, X, _ = _classifier_adam()
    path = tmp_path / "model.skops"
    skops_io.dump(obj, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert hashlib.sha256(path.read_bytes()).hexdigest() != digest
