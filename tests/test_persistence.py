"""Saving and loading fitted objects with sklearn_dnn.persistence, pickle, joblib.

Every fitted public object round-trips with identical outputs, through
``persistence.load`` with no trust beyond ``persistence.TRUSTED_TYPES``; a
fitted object holds no open file, thread, lock or lambda; a truncated,
tampered or foreign file fails with the error docs/persistence.rst tells users
to expect; a planted foreign type never runs; a decompression bomb is refused
in bounded memory; and ``dump`` replaces a file atomically.
"""

import copy
import doctest
import functools
import hashlib
import io
import json
import os
import pickle
import shlex
import struct
import sys
import threading
import types
import warnings
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import skops.io as skops_io
from _memory import traced_peak
from sklearn.cluster import Birch
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skops.io.exceptions import UntrustedTypesFoundException

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
from sklearn_dnn.persistence import TRUSTED_TYPES, UntrustedTypesError, dump, load

PACKAGE_TYPES = set(TRUSTED_TYPES)
#: What a fitted GridSearchCV needs beyond TRUSTED_TYPES (not one of ours).
SEARCH_HELPERS = [
    "sklearn.metrics._scorer._PassthroughScorer",
    "sklearn.model_selection._split.StratifiedKFold",
]
SOLVERS = sorted(DNNClassifier._parameter_constraints["solver"][0].options)

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


def _with_solver(estimator, solver):
    X, y = _multiclass()
    if estimator is DNNRegressor:
        y = X[:, 0] - X[:, 1]
    est = estimator(solver=solver, **SMALL).fit(X, y)
    return est, X, _predictions


def _regressor_pipeline_recipe():
    model = make_pipeline(InputNormalizer(), DNNRegressor(**SMALL))
    return BasicRecipe(model, max_rounds=2, random_state=0)


def _transformed_target_regressor():
    X, _ = _images()
    ttr = TransformedTargetRegressor(
        regressor=DNNRegressor(**SMALL), transformer=StandardScaler()
    )
    return ttr.fit(X, 100 * X[:, 0] + 5), X, _predictions


def _transformed_target_recipe():
    X, _ = _images(80)
    ttr = TransformedTargetRegressor(
        regressor=_regressor_pipeline_recipe(), transformer=StandardScaler()
    )
    return ttr.fit(X, 100 * X[:, 0] + 5), X, _predictions


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
        _transformed_target_regressor,
        _transformed_target_recipe,
    ]
}
for _solver in SOLVERS:
    for _estimator in (DNNClassifier, DNNRegressor):
        FITTED[f"{_estimator.__name__}_{_solver}"] = functools.partial(
            _with_solver, _estimator, _solver
        )


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
    """Load ``obj`` back with no trust beyond TRUSTED_TYPES; also return the
    types beyond skops's defaults that its file names."""
    data = skops_io.dumps(obj)
    untrusted = skops_io.get_untrusted_types(data=data)
    return load(io.BytesIO(data)), set(untrusted)


def _round_trips(obj, name, tmp_path):
    yield "pickle", pickle.loads(pickle.dumps(obj))
    path = tmp_path / "model.joblib"
    joblib.dump(obj, path)
    yield "joblib", joblib.load(path)
    path = tmp_path / "model.skops"
    dump(obj, path)
    yield "skops", load(path, trusted=SEARCH_HELPERS if name == "grid_search" else ())


def test_round_trips_give_identical_outputs(fitted, tmp_path, request):
    obj, X, outputs = fitted
    expected = outputs(obj, X)
    for how, loaded in _round_trips(obj, request.node.callspec.id, tmp_path):
        assert type(loaded) is type(obj), how
        _assert_same_outputs(outputs(loaded, X), expected)


def test_trusted_types_are_exactly_what_the_fitted_objects_need():
    # TRUSTED_TYPES is derived from these files: each type is needed by one
    # of the package's objects, and every object needs no other.
    needed = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, factory in FITTED.items():
            if name != "grid_search":
                data = skops_io.dumps(factory()[0])
                needed |= set(skops_io.get_untrusted_types(data=data))
    assert needed == PACKAGE_TYPES
    assert list(TRUSTED_TYPES) == sorted(TRUSTED_TYPES)


def test_file_of_a_search_loads_only_with_its_helpers_named(tmp_path):
    # docs/persistence.rst: save search.best_estimator_, not the search, or
    # name the two scikit-learn helpers in trusted after auditing them.
    search, X, _ = _grid_search()
    helpers = SEARCH_HELPERS
    path = tmp_path / "search.skops"
    dump(search, path)
    with pytest.raises(UntrustedTypesError, match="StratifiedKFold") as info:
        load(path)
    assert info.value.types == helpers
    assert set(skops_io.get_untrusted_types(file=path)) - PACKAGE_TYPES == set(helpers)
    _assert_same_outputs(
        _predictions(load(path, trusted=helpers), X), _predictions(search, X)
    )
    dump(search.best_estimator_, path)
    assert type(load(path)) is DNNClassifier


def test_plain_skops_refuses_the_package_types():
    # Why load() exists: skops trusts scikit-learn's types, not ours.
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


def test_fit_under_a_propagated_progress_bar_keeps_no_reference_to_it():
    from sklearn.callback import ProgressBar

    X, y = _images()
    pipeline = make_pipeline(StandardScaler(), DNNClassifier(**SMALL))
    pipeline.set_callbacks(ProgressBar(max_propagation_depth=None))
    pipeline.fit(X, y)
    est = pipeline[-1]
    assert not hasattr(est, "_skl_callbacks")
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
def test_truncated_skops_file_raises_value_error(tmp_path, fraction):
    obj, _, _ = _classifier_adam()
    path = tmp_path / "model.skops"
    dump(obj, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match="not a valid skops file.*BadZipFile"):
        load(path)


def test_flipped_byte_in_skops_file_fails_the_crc_check():
    obj, _, _ = _classifier_adam()
    data = bytearray(skops_io.dumps(obj))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("schema.json")
    # Inside the stored member's bytes, past its local header.
    position = info.header_offset + 30 + len(info.filename) + 10
    data[position] ^= 0x20
    with pytest.raises(ValueError, match="CRC"):
        load(io.BytesIO(bytes(data)))


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "BadZipFile"),
        (b"not a zip archive at all", "BadZipFile"),
        (pickle.dumps({"a": 1}), "BadZipFile"),
        (b"PK\x05\x06" + bytes(18), "without a skops schema.json"),
    ],
)
def test_a_file_that_is_not_a_skops_archive_raises_value_error(
    tmp_path, content, match
):
    path = tmp_path / "model.skops"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load(path)


def test_an_archive_with_bzip2_members_is_refused():
    # bzip2 and lzma expand one read without bound, so no size check can run.
    obj, _, _ = _input_normalizer()
    data = skops_io.dumps(obj, compression=zipfile.ZIP_BZIP2)
    with pytest.raises(ValueError, match="compression method 12"):
        load(io.BytesIO(data))
    assert type(load(io.BytesIO(skops_io.dumps(obj)))) is InputNormalizer


@pytest.mark.parametrize(
    "offset, value, match",
    [(8, 1 << 6, "strong encryption"), (8, 1 << 5, "patched data"), (6, 64, "6.4")],
)
def test_unsupported_zip_features_raise_value_error(offset, value, match):
    # Found by tests/test_fuzz.py: zipfile's NotImplementedError escaped.
    data = bytearray(skops_io.dumps(_input_normalizer()[0]))
    entry = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, entry + offset, value)
    with pytest.raises(ValueError, match=match):
        load(io.BytesIO(bytes(data)))


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


def test_sha256_recipe_detects_any_changed_byte(tmp_path):
    # docs/persistence.rst: keep a SHA-256 next to the file and check it
    # before loading, which catches tampering that keeps the format valid.
    obj, X, _ = _classifier_adam()
    path = tmp_path / "model.skops"
    dump(obj, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert hashlib.sha256(path.read_bytes()).hexdigest() != digest


# -- planted foreign types -----------------------------------------------------


def _without_ids(state):
    if isinstance(state, dict):
        return {k: _without_ids(v) for k, v in state.items() if k != "__id__"}
    if isinstance(state, list):
        return [_without_ids(v) for v in state]
    return state


def _state_of(value):
    """The schema skops writes for ``value`` (a JSON-able value, no arrays).

    Without the ``__id__`` memo keys: they are addresses of this process's
    objects and could clash with those of the file the state is planted in.
    """
    with zipfile.ZipFile(io.BytesIO(skops_io.dumps(value))) as archive:
        schema = json.loads(archive.read("schema.json"))
    del schema["protocol"], schema["_skops_version"]
    return _without_ids(schema)


def _call(module, name, *args):
    """A schema node that makes skops call ``module.name(*args)`` to load it."""
    return {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": _state_of(args),
    }


def _create_file_code(marker):
    return f"open({str(marker)!r}, 'w').close()"


def _shell_command(marker):
    return shlex.join([sys.executable, "-c", _create_file_code(marker)])


def _plant_os_system(marker):
    return _call("os", "system", _shell_command(marker))


def _plant_posix_system(marker):
    return _call("posix", "system", _shell_command(marker))


def _plant_eval(marker):
    return _call("builtins", "eval", _create_file_code(marker))


def _plant_popen(marker):
    return _call(
        "subprocess", "Popen", [sys.executable, "-c", _create_file_code(marker)]
    )


def _file_with_plant(plant, marker, nested):
    """A skops file that runs ``plant`` when loaded: the whole file, or one
    parameter inside an otherwise valid DNNClassifier file."""
    obj, _, _ = _classifier_adam()

    def edit(schema):
        if not nested:
            return {**plant(marker), "protocol": schema["protocol"]}
        schema["content"]["content"]["hidden_layer_sizes"] = plant(marker)
        return schema

    return _rewrite_schema(skops_io.dumps(obj), edit)


PLANTS = {
    "os.system": _plant_os_system,
    "posix.system": _plant_posix_system,
    "builtins.eval": _plant_eval,
    "subprocess.Popen": _plant_popen,
}


@pytest.mark.parametrize("nested", [False, True], ids=["whole file", "nested"])
@pytest.mark.parametrize("planted", list(PLANTS))
def test_planted_foreign_type_is_refused_and_never_runs(tmp_path, planted, nested):
    if planted == "posix.system" and os.name != "posix":
        pytest.skip("posix only")
    marker = tmp_path / "planted-code-ran"
    path = tmp_path / "model.skops"
    path.write_bytes(_file_with_plant(PLANTS[planted], marker, nested))
    assert planted in skops_io.get_untrusted_types(file=path)
    with pytest.raises(UntrustedTypesError, match=planted) as info:
        load(path)
    assert info.value.types == [planted]
    assert "Nothing was loaded" in str(info.value)
    assert f"trusted=[{planted!r}]" in str(info.value)
    # Neither trusting something else nor a large budget lets it through.
    with pytest.raises(UntrustedTypesFoundException, match=planted):
        load(path, trusted=["os.exec", "builtins.exec"], max_bytes=2**40)
    assert not marker.exists()

    # The only way in: naming the type. Then the plant runs, which shows that
    # the file was a working exploit.
    loaded = load(path, trusted=[planted])
    if planted == "subprocess.Popen":
        (loaded.hidden_layer_sizes if nested else loaded).wait()
    assert marker.exists()


# -- decompression bombs -------------------------------------------------------

MiB = 2**20


def _npy_header(shape, dtype="<f8"):
    buffer = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def _skops_array_file(header, n_zero_bytes, declared_size=None):
    """A skops file of one array whose .npy member is ``header`` followed by
    ``n_zero_bytes`` zeros, deflated; its directory entry may declare
    ``declared_size`` bytes instead of the real size."""
    template = skops_io.dumps(np.zeros(1))
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        schema = source.read("schema.json")
        (name,) = [n for n in source.namelist() if n.endswith(".npy")]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        target.writestr("schema.json", schema)
        with target.open(name, "w") as member:
            member.write(header)
            zeros = bytes(MiB)
            for start in range(0, n_zero_bytes, MiB):
                member.write(zeros[: min(MiB, n_zero_bytes - start)])
    data = out.getvalue()
    if declared_size is not None:
        data = _declare_size(data, name, declared_size)
    return data


def _declare_size(data, name, size):
    """Rewrite the uncompressed size in ``name``'s central-directory entry."""
    data = bytearray(data)
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, size)
    return bytes(data)


def _load_error(data, max_bytes):
    """Load ``data``; return the ValueError's message and the traced peak."""
    errors = []

    def call():
        with pytest.raises(ValueError) as info:
            load(io.BytesIO(data), max_bytes=max_bytes)
        errors.append(str(info.value))

    peak = traced_peak(call)
    return errors[0], peak


def test_bomb_declaring_its_size_is_refused_before_decompressing():
    n = 64 * MiB
    data = _skops_array_file(_npy_header((n // 8,)), n)
    assert len(data) < n / 500
    message, peak = _load_error(data, max_bytes=MiB)
    assert "directory declares" in message and "max_bytes=1048576" in message
    assert peak < MiB / 4


def test_bomb_hiding_its_size_is_caught_by_a_bounded_read():
    # The directory and the .npy header both claim 800 bytes of data; the
    # deflated stream holds 64 MiB. zipfile's own read() (what skops calls)
    # would inflate all of it at once before truncating.
    n = 64 * MiB
    header = _npy_header((100,))
    data = _skops_array_file(header, n, declared_size=len(header) + 800)
    message, peak = _load_error(data, max_bytes=2**31)
    assert "holds more data than" in message
    assert peak < 4 * MiB

    def read_like_skops():
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith(".npy")]
            with pytest.raises(zipfile.BadZipFile, match="CRC"):
                archive.read(name)

    assert traced_peak(read_like_skops) > n


@pytest.mark.parametrize(
    "shape, dtype", [((2**40,), "<f8"), ((2**20, 2**20), "<f4"), ((3, 2**61), "|u1")]
)
def test_npy_header_claiming_a_huge_shape_is_refused_before_reading(shape, dtype):
    # numpy allocates what the header says, whatever the zip entry declares.
    header = _npy_header(shape, dtype)
    data = _skops_array_file(header, 64)
    message, peak = _load_error(data, max_bytes=MiB)
    assert f"declares an array of shape {shape}" in message
    assert peak < MiB / 4


def test_npy_header_disagreeing_with_the_directory_is_refused():
    data = _skops_array_file(_npy_header((100,)), 80)
    with pytest.raises(ValueError, match="header declares 800 bytes"):
        load(io.BytesIO(data))


def test_npy_header_cut_inside_a_bracket_raises_value_error():
    # Found by tests/test_fuzz.py: numpy's header parser raised
    # tokenize.TokenError, which escaped load().
    header = _npy_header((100,))
    broken = header.replace(b"'shape': (100,)", b"'shape)        ")
    data = _skops_array_file(broken, 800)
    with pytest.raises(ValueError, match="TokenError"):
        load(io.BytesIO(data))


def test_max_bytes_counts_the_content_of_sparse_matrices():
    matrix = sp.random(200, 200, density=0.05, format="csr", random_state=0)
    trusted = ["scipy.sparse._csr.csr_matrix"]
    data = skops_io.dumps(matrix)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        outer = sum(info.file_size for info in archive.infolist())
    # The .npz member is itself a compressed archive: its content counts too.
    with pytest.raises(ValueError, match="max_bytes"):
        load(io.BytesIO(data), trusted=trusted, max_bytes=outer)
    loaded = load(io.BytesIO(data), trusted=trusted, max_bytes=3 * outer)
    assert (loaded != matrix).nnz == 0


def test_max_bytes_is_inclusive():
    obj, X, outputs = _input_normalizer()
    data = skops_io.dumps(obj)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        size = sum(info.file_size for info in archive.infolist())
    _assert_same_outputs(
        outputs(load(io.BytesIO(data), max_bytes=size), X), outputs(obj, X)
    )
    with pytest.raises(ValueError, match=f"declares {size} bytes"):
        load(io.BytesIO(data), max_bytes=size - 1)


# -- atomic dump ---------------------------------------------------------------


def _previous_file(tmp_path):
    path = tmp_path / "model.skops"
    dump(_input_normalizer()[0], path)
    return path, path.read_bytes()


def test_dump_replaces_a_symbolic_link_instead_of_following_it(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("do not overwrite")
    link = tmp_path / "model.skops"
    link.symlink_to(target)
    obj, X, outputs = _input_normalizer()
    dump(obj, link)
    assert not link.is_symlink()
    assert target.read_text() == "do not overwrite"
    _assert_same_outputs(outputs(load(link), X), outputs(obj, X))


def test_failed_serialization_leaves_the_previous_file(tmp_path):
    path, before = _previous_file(tmp_path)
    with pytest.raises(TypeError, match="Birch"):
        dump([1.0, Birch()], path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.skops"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_leaves_the_previous_file(tmp_path, monkeypatch, failing):
    path, before = _previous_file(tmp_path)

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        dump(_classifier_adam()[0], path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.skops"]


def test_dump_gives_the_permissions_of_a_plain_open(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    dump(_input_normalizer()[0], tmp_path / "model.skops")
    mode = os.stat(tmp_path / "model.skops").st_mode
    assert mode & 0o777 == os.stat(plain).st_mode & 0o777


def test_dump_into_a_missing_folder_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        dump(_input_normalizer()[0], tmp_path / "missing" / "model.skops")
    assert os.listdir(tmp_path) == []


# -- arguments -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"trusted": "os.system"}, ValueError, "'trusted' parameter"),
        ({"trusted": None}, ValueError, "'trusted' parameter"),
        ({"trusted": [os.system]}, TypeError, "trusted must hold .* strings"),
        ({"trusted": ["a.B", 3]}, TypeError, "got 3 of type int"),
        ({"max_bytes": 0}, ValueError, "'max_bytes' parameter"),
        ({"max_bytes": 1.5e9}, ValueError, "'max_bytes' parameter"),
        ({"max_bytes": "2GB"}, ValueError, "'max_bytes' parameter"),
    ],
)
def test_load_validates_its_arguments(tmp_path, kwargs, error, match):
    path, _ = _previous_file(tmp_path)
    with pytest.raises(error, match=match):
        load(path, **kwargs)


@pytest.mark.parametrize("file", [3, None, b"model.skops"])
def test_load_and_dump_validate_file(file):
    with pytest.raises(ValueError, match="'file' parameter"):
        load(file)
    with pytest.raises(ValueError, match="'file' parameter"):
        dump(1.0, file)


def test_load_reads_an_open_binary_file_and_leaves_it_open(tmp_path):
    path, _ = _previous_file(tmp_path)
    with open(path, "rb") as handle:
        assert type(load(handle)) is InputNormalizer
        assert not handle.closed


# -- documentation -------------------------------------------------------------


def test_persistence_page_examples_run(tmp_path, monkeypatch):
    # docs/ outside the user guide is not collected by pytest; run it here.
    page = Path(__file__).parents[1] / "docs" / "persistence.rst"
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = doctest.testfile(
            str(page),
            module_relative=False,
            optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        )
    assert result.attempted >= 20
    assert result.failed == 0
