"""Tests for ImageAugmenter: each distortion, the transformer contract and
the `augment` hook."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.estimator_checks import estimator_checks_generator

from sklearn_dnn import DNNClassifier, DNNRegressor, ImageAugmenter
from sklearn_dnn.augment import _warp

EVERY_DISTORTION = {
    "horizontal_flip": True,
    "max_shift": 2,
    "max_rotation": 20.0,
    "max_zoom": 0.2,
    "elastic_alpha": 8.0,
    "elastic_sigma": 2.0,
    "noise_std": 0.1,
}


def random_images(n=12, shape=(6, 7), dtype=np.float64, seed=0):
    X = np.random.RandomState(seed).uniform(size=(n, int(np.prod(shape))))
    return X.astype(dtype)


def lit_pixel(shape, row, col, n=1):
    X = np.zeros((n, *shape))
    X[:, row, col] = 1.0
    return X.reshape(n, -1)


# --- each distortion ------------------------------------------------------


def test_horizontal_flip_mirrors_each_image_or_leaves_it_exactly():
    h, w = 5, 7
    X = random_images(n=40, shape=(h, w))
    Xt = ImageAugmenter((h, w), horizontal_flip=True, random_state=0).fit_transform(X)

    flipped = [
        np.array_equal(new, old.reshape(h, w)[:, ::-1].ravel())
        for old, new in zip(X, Xt)
    ]
    unchanged = [np.array_equal(new, old) for old, new in zip(X, Xt)]
    assert all(f or u for f, u in zip(flipped, unchanged))
    assert 10 < sum(flipped) < 30


def test_shift_moves_a_lit_pixel_by_at_most_max_shift():
    X = lit_pixel((5, 5), 2, 2, n=60)
    Xt = ImageAugmenter((5, 5), max_shift=1, random_state=0).fit_transform(X)

    offsets = set()
    for image in Xt.reshape(-1, 5, 5):
        (rows, cols) = np.nonzero(image)
        assert len(rows) == 1 and image[rows[0], cols[0]] == 1.0
        offsets.add((rows[0] - 2, cols[0] - 2))
    assert offsets == {(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)}


@pytest.mark.parametrize(
    "shift, expected", [((0, 1), (2, 3)), ((1, 0), (3, 2)), ((-1, -1), (1, 1))]
)
def test_shift_by_one_pixel_moves_content_down_and_right(shift, expected):
    image = lit_pixel((5, 5), 2, 2).reshape(1, 5, 5, 1)
    moved = _warp(image, shift=np.array([shift]))
    assert_array_equal(moved[0, ..., 0], lit_pixel((5, 5), *expected).reshape(5, 5))


def test_shift_crops_content_that_leaves_the_image():
    image = lit_pixel((4, 4), 1, 3).reshape(1, 4, 4, 1)
    assert not _warp(image, shift=np.array([(0, 1)])).any()


def test_pixel_picking_and_interpolation_agree_on_whole_pixels():
    # Flips and shifts alone pick pixels; a zero rotation sends the same map
    # through map_coordinates, which must land on the same pixels exactly.
    rng = np.random.RandomState(0)
    images = rng.uniform(size=(20, 5, 6, 2))
    flip, shift = rng.uniform(size=20) < 0.5, rng.randint(-3, 4, size=(20, 2))
    assert_array_equal(
        _warp(images, flip=flip, shift=shift),
        _warp(images, flip=flip, shift=shift, angle=np.zeros(20)),
    )


# scipy.ndimage.rotate fills with mode="constant" by default, which zeroes a
# sample as soon as it falls outside the pixel centres; the augmenter treats
# the image as zero-padded (mode="grid-constant"), so border pixels fade out
# smoothly. Same interpolation order (1), same fill: the same image.
@pytest.mark.parametrize("angle", [-35.0, 12.5, 90.0, 180.0])
@pytest.mark.parametrize("shape", [(9, 9), (8, 11)])
def test_rotation_agrees_with_scipy_rotate(angle, shape):
    image = np.random.RandomState(0).uniform(size=shape)
    rotated = _warp(image[None, ..., None], angle=np.array([angle]))[0, ..., 0]
    expected = ndimage.rotate(
        image, angle, reshape=False, order=1, mode="grid-constant"
    )
    assert_allclose(rotated, expected, atol=1e-12)


def test_zoom_scales_about_the_centre():
    image = np.random.RandomState(0).uniform(size=(9, 10))
    zoomed = _warp(image[None, ..., None], zoom=np.array([1.5]))[0, ..., 0]
    centre = (np.array(image.shape) - 1) / 2
    expected = ndimage.affine_transform(
        image,
        np.eye(2) / 1.5,
        offset=centre - centre / 1.5,
        order=1,
        mode="grid-constant",
    )
    assert_allclose(zoomed, expected, atol=1e-12)


def test_max_rotation_and_zoom_change_images_within_their_range():
    X = random_images(n=20, shape=(8, 8))
    Xt = ImageAugmenter(
        (8, 8), max_rotation=15.0, max_zoom=0.1, random_state=0
    ).fit_transform(X)
    assert not np.allclose(Xt, X)
    # Bilinear interpolation of a zero-padded image never overshoots.
    assert Xt.min() >= 0.0 and Xt.max() <= X.max()


def test_elastic_field_is_smooth_and_proportional_to_alpha():
    # Sampling the ramp image(i, j) = j at (i + dy, j + dx) gives j + dx
    # exactly, so the output minus the input is the horizontal field dx.
    h, w = 32, 32
    X = np.tile(np.arange(w, dtype=float), (10, h))

    def field(alpha, sigma):
        augmenter = ImageAugmenter(
            (h, w), elastic_alpha=alpha, elastic_sigma=sigma, random_state=0
        )
        return (augmenter.fit_transform(X) - X).reshape(-1, h, w)[:, 4:-4, 4:-4]

    dx = field(1.0, 4.0)
    assert np.abs(dx).max() > 0.05
    assert_allclose(field(2.0, 4.0), 2 * dx, atol=1e-10)

    def roughness(d):
        return np.abs(np.diff(d, axis=2)).mean() / np.abs(d).mean()

    assert roughness(dx) < 0.3 < 1.0 < roughness(field(1.0, 0.5))


def test_noise_has_the_requested_standard_deviation():
    X = np.zeros((500, 64))
    Xt = ImageAugmenter((8, 8), noise_std=0.5, random_state=0).fit_transform(X)
    assert abs(Xt.mean()) < 0.01
    assert Xt.std() == pytest.approx(0.5, rel=0.02)


# --- images, dtypes and the input ------------------------------------------


def test_channels_share_one_distortion():
    h, w = 6, 7
    base = np.random.RandomState(0).uniform(size=(30, h, w))
    X = np.stack([base, 2 * base, 3 * base], axis=-1).reshape(30, -1)
    distortion = {**EVERY_DISTORTION, "noise_std": 0.0}
    Xt = ImageAugmenter((h, w, 3), **distortion, random_state=0).fit_transform(X)

    images = Xt.reshape(30, h, w, 3)
    assert not np.allclose(images[..., 0], base)
    assert_allclose(images[..., 1], 2 * images[..., 0], atol=1e-12)
    assert_allclose(images[..., 2], 3 * images[..., 0], atol=1e-12)


def test_channels_last_layout_is_flipped_as_whole_pixels():
    h, w, c = 3, 4, 2
    X = np.arange(h * w * c, dtype=float)[None, :].repeat(20, axis=0)
    Xt = ImageAugmenter((h, w, c), horizontal_flip=True, random_state=0).fit_transform(
        X
    )
    mirrored = X[0].reshape(h, w, c)[:, ::-1, :].ravel()
    assert any(np.array_equal(row, mirrored) for row in Xt)


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64)],
)
@pytest.mark.parametrize("options", [{}, EVERY_DISTORTION], ids=["defaults", "every"])
def test_output_dtype(dtype, expected, options):
    X = (random_images(shape=(5, 5)) * 10).astype(dtype)
    augmenter = ImageAugmenter((5, 5), **options, random_state=0)
    assert augmenter.fit_transform(X).dtype == expected
    assert augmenter.augment(X, np.random.RandomState(0)).dtype == expected


@pytest.mark.parametrize("options", [{}, EVERY_DISTORTION], ids=["defaults", "every"])
def test_input_is_never_modified_nor_shared(options):
    X = random_images(shape=(5, 5))
    X.flags.writeable = False
    before = X.copy()
    augmenter = ImageAugmenter((5, 5), **options, random_state=0)
    for Xt in (augmenter.fit_transform(X), augmenter.augment(X, 0)):
        assert not np.shares_memory(Xt, X)
    assert_array_equal(X, before)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(5, 5), (5, 4, 3)])
@pytest.mark.parametrize(
    "options",
    [
        {"horizontal_flip": True},
        {"max_shift": 2},
        {"horizontal_flip": True, "max_shift": 1, "noise_std": 0.1},
        {"max_rotation": 10.0},
        {"max_zoom": 0.1},
        {"elastic_alpha": 2.0},
        {"noise_std": 0.1},
    ],
    ids=repr,
)
def test_read_only_input_of_every_path_is_never_modified(options, shape, dtype):
    X = random_images(shape=shape).astype(dtype)
    X.flags.writeable = False
    before = X.copy()
    augmenter = ImageAugmenter(shape, **options, random_state=0)
    outputs = [augmenter.fit(X).transform(X), augmenter.fit_transform(X)]
    outputs.append(augmenter.augment(X, np.random.RandomState(0)))
    for Xt in outputs:
        assert not np.shares_memory(Xt, X)
    assert_array_equal(X, before)


@pytest.mark.parametrize("shape", [(6, 7), (6, 7, 3)])
def test_defaults_return_the_batch_unchanged(shape):
    X = random_images(shape=shape)
    augmenter = ImageAugmenter(shape)
    assert_array_equal(augmenter.fit_transform(X), X)
    assert_array_equal(augmenter.augment(X, np.random.RandomState(0)), X)


@pytest.mark.parametrize("shape", [(6, 7), (6, 7, 3)])
def test_augment_accepts_an_empty_batch(shape):
    X = np.zeros((0, int(np.prod(shape))))
    assert ImageAugmenter(shape, **EVERY_DISTORTION).augment(X, 0).shape == X.shape


# --- randomness -------------------------------------------------------------


def test_int_random_state_makes_transform_reproducible():
    X = random_images()
    augmenter = ImageAugmenter((6, 7), **EVERY_DISTORTION, random_state=3)
    first = augmenter.fit_transform(X)
    assert_array_equal(augmenter.transform(X), first)
    assert_array_equal(
        ImageAugmenter((6, 7), **EVERY_DISTORTION, random_state=3).fit(X).transform(X),
        first,
    )
    other_seed = ImageAugmenter((6, 7), **EVERY_DISTORTION, random_state=4)
    assert not np.allclose(other_seed.fit_transform(X), first)


def test_random_state_instance_gives_a_new_draw_each_call():
    X = random_images()
    augmenter = ImageAugmenter(
        (6, 7), **EVERY_DISTORTION, random_state=np.random.RandomState(0)
    ).fit(X)
    assert not np.allclose(augmenter.transform(X), augmenter.transform(X))


def test_augment_uses_the_generator_it_is_given():
    X = random_images()
    augmenter = ImageAugmenter((6, 7), **EVERY_DISTORTION, random_state=123)
    first = augmenter.augment(X, np.random.RandomState(0))
    assert_array_equal(augmenter.augment(X, np.random.RandomState(0)), first)
    assert_array_equal(augmenter.augment(X, 0), first)
    rng = np.random.RandomState(0)
    assert_array_equal(augmenter.augment(X, rng), first)
    assert not np.allclose(augmenter.augment(X, rng), first)


def test_augment_needs_no_fit_and_is_not_a_fit():
    augmenter = ImageAugmenter((6, 7), max_shift=1)
    augmenter.augment(random_images(), 0)
    assert not hasattr(augmenter, "n_features_in_")
    with pytest.raises(NotFittedError):
        augmenter.transform(random_images())


def test_augment_validates_parameters_changed_between_batches():
    augmenter = ImageAugmenter((6, 7), max_shift=1)
    augmenter.augment(random_images(), 0)
    augmenter.set_params(max_shift=-1)
    with pytest.raises(ValueError, match="'max_shift' parameter"):
        augmenter.augment(random_images(), 0)
    augmenter.set_params(max_shift=1, image_shape=(7, 6, 1))
    assert augmenter.augment(random_images(), 0).shape == (12, 42)
    augmenter.set_params(image_shape=(7, 7))
    with pytest.raises(ValueError, match="image_shape"):
        augmenter.augment(random_images(), 0)


# --- validation --------------------------------------------------------------


@pytest.mark.parametrize(
    "image_shape", [(42,), (6, 7, 1, 1), (0, 42), (6, -7), (6.0, 7), (True, 42), "6x7"]
)
def test_malformed_image_shape_is_a_value_error(image_shape):
    augmenter = ImageAugmenter(image_shape)
    with pytest.raises(ValueError, match="image_shape"):
        augmenter.fit(random_images())
    with pytest.raises(ValueError, match="image_shape"):
        augmenter.augment(random_images(), 0)


@pytest.mark.parametrize(
    "image_shape, max_shift, limit",
    [((3, 3), 3, 3), ((3, 3), 2**63, 3), ((2, 8), 2, 2), ((8, 1, 3), 1, 1)],
)
def test_max_shift_not_smaller_than_the_image_is_a_value_error(
    image_shape, max_shift, limit
):
    X = np.zeros((2, int(np.prod(image_shape))))
    augmenter = ImageAugmenter(image_shape, max_shift=max_shift)
    match = (
        rf"^max_shift={max_shift} must be smaller than the image.*max_shift < {limit}"
    )
    with pytest.raises(ValueError, match=match):
        augmenter.augment(X, 0)
    with pytest.raises(ValueError, match=match):
        augmenter.fit(X)


def test_max_shift_is_checked_again_when_changed_after_fit():
    X = np.zeros((2, 9))
    augmenter = ImageAugmenter((3, 3), max_shift=1).fit(X)
    augmenter.set_params(max_shift=5)
    with pytest.raises(ValueError, match="^max_shift=5 must be smaller"):
        augmenter.transform(X)


@pytest.mark.parametrize(
    "image_shape", [(2**40, 2**40), (2**32, 2**32, 1), (2**16, 2**16, 3)]
)
def test_huge_image_shape_is_a_value_error_naming_its_true_size(image_shape):
    size = int(np.prod(np.array(image_shape, dtype=object)))
    match = rf"^image_shape=\({image_shape[0]}, .* = {size} pixel values, more than"
    for call in (
        lambda a: a.fit(np.zeros((2, 9))),
        lambda a: a.augment(np.zeros((2, 9)), 0),
    ):
        with pytest.raises(ValueError, match=match):
            call(ImageAugmenter(image_shape))


def test_image_shape_product_is_exact_in_the_mismatch_message():
    # 2**31 pixels: allowed, and reported as such, not as a wrapped-around int.
    with pytest.raises(ValueError, match=r"= 2147483648 pixel values\.$"):
        ImageAugmenter((2**16, 2**15)).fit(np.zeros((2, 9)))


def test_image_shape_not_matching_n_features_is_a_value_error():
    X = random_images(shape=(6, 7))
    match = r"X has 42 feature\(s\), but image_shape=\(6, 6\) .* 36 pixel values"
    with pytest.raises(ValueError, match=match):
        ImageAugmenter((6, 6)).fit(X)
    with pytest.raises(ValueError, match=match):
        ImageAugmenter((6, 6)).augment(X, 0)
    with pytest.raises(ValueError, match="image_shape=\\(6, 7, 3\\)"):
        ImageAugmenter((6, 7, 3)).fit(X)


def test_transform_checks_n_features_against_fit():
    augmenter = ImageAugmenter((6, 7)).fit(random_images())
    with pytest.raises(ValueError, match="42 features"):
        augmenter.transform(random_images(shape=(6, 6)))


@pytest.mark.parametrize(
    "param, value",
    [
        ("max_shift", -1),
        ("max_rotation", -5.0),
        ("max_zoom", -0.1),
        ("max_zoom", 1.0),
        ("elastic_alpha", -1.0),
        ("elastic_sigma", -1.0),
        ("noise_std", -0.1),
        ("max_shift", 1.5),
    ],
)
def test_invalid_magnitude_is_a_value_error_naming_it(param, value):
    augmenter = ImageAugmenter((6, 7), **{param: value})
    with pytest.raises(ValueError, match=f"'{param}' parameter"):
        augmenter.fit(random_images())
    with pytest.raises(ValueError, match=f"'{param}' parameter"):
        augmenter.augment(random_images(), 0)


def test_sparse_input_is_a_type_error_asking_for_dense():
    X = sp.csr_matrix(random_images())
    augmenter = ImageAugmenter((6, 7), max_shift=1)
    with pytest.raises(TypeError, match="dense"):
        augmenter.fit(X)
    with pytest.raises(TypeError, match="dense"):
        augmenter.fit(X.toarray()).transform(X)
    with pytest.raises(TypeError, match="dense"):
        augmenter.augment(X, 0)


def test_transform_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        ImageAugmenter((6, 7)).transform(random_images())


def test_pandas_output_keeps_the_column_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(random_images(shape=(2, 2)), columns=["a", "b", "c", "d"])
    augmenter = ImageAugmenter((2, 2), max_shift=1, random_state=0)
    Xt = augmenter.set_output(transform="pandas").fit_transform(X)
    assert list(Xt.columns) == ["a", "b", "c", "d"]


# --- scikit-learn's estimator checks ---------------------------------------
#
# image_shape must match the data, and each check brings its own: most use 3
# features, a few 2, 4, 5 or 10 (scikit-learn 1.9). A check not listed in
# CHECK_N_FEATURES works whatever the shape (e.g. it expects an error before
# the shape matters) and runs on the 3-feature augmenter. So, as
# parametrize_with_checks would but keeping only the checks that apply, each
# check runs on the augmenter whose image_shape fits its data (running the
# others as expected failures would only test the shape check, slowly).
# Two checks can never pass: they want each row transformed on its own,
# independently of the other rows and of their order, but the rows of a
# batch draw their distortions one after another from one generator.
CHECK_N_FEATURES = {
    "check_estimators_fit_returns_self": 2,
    "check_estimators_overwrite_params": 2,
    "check_fit_check_is_fitted": 2,
    "check_fit_idempotent": 2,
    "check_n_features_in": 2,
    "check_readonly_memmap_input": 2,
    "check_n_features_in_after_fitting": 4,
    "check_positive_only_tag_during_fit": 4,
    "check_estimators_dtypes": 5,
    "check_array_api_input": 10,
    "check_dtype_object": 10,
    "check_fit2d_1sample": 10,
}
IMAGE_SHAPES = {2: (1, 2), 3: (1, 1, 3), 4: (2, 2), 5: (5, 1), 10: (1, 5, 2)}
EXPECTED_FAILED_CHECKS = {
    "check_methods_sample_order_invariance": "distortions depend on row order",
    "check_methods_subset_invariance": "distortions depend on the other rows",
}


def check_id(check):
    """The check's name, with its keywords, as parametrize_with_checks shows."""
    keywords = ",".join(f"{k}={v}" for k, v in check.keywords.items())
    return check.func.__name__ + (f"({keywords})" if keywords else "")


def checks_that_apply():
    params = []
    for n_features, image_shape in IMAGE_SHAPES.items():
        # The largest shift these small images allow (max_shift < min(h, w)).
        distortions = {**EVERY_DISTORTION, "max_shift": min(image_shape[:2]) - 1}
        augmenter = ImageAugmenter(image_shape, **distortions, random_state=0)
        for param in estimator_checks_generator(
            augmenter,
            expected_failed_checks=EXPECTED_FAILED_CHECKS,
            mark="xfail",
            xfail_strict=True,
        ):
            # A plain (estimator, check) pair, or a pytest.param marked xfail.
            estimator, check = getattr(param, "values", param)
            if CHECK_N_FEATURES.get(check.func.__name__, 3) == n_features:
                params.append(
                    pytest.param(
                        estimator,
                        check,
                        marks=getattr(param, "marks", ()),
                        id=f"{image_shape}-{check_id(check)}",
                    )
                )
    return params


@pytest.mark.parametrize("estimator, check", checks_that_apply())
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


# --- inside the estimators ------------------------------------------------


class RecordingAugmenter(ImageAugmenter):
    """An ImageAugmenter that logs a copy of every batch it is given."""

    def augment(self, X_batch, random_state):
        self.batches.append(np.array(X_batch, copy=True))
        return super().augment(X_batch, random_state)


def recording_augmenter(**options):
    augmenter = RecordingAugmenter((4, 4), **options)
    augmenter.batches = []
    return augmenter


def tagged_images(n=50, seed=0):
    """Images whose first pixel is the row number, to tell rows apart."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(n, 16))
    X[:, 0] = np.arange(n)
    y = (X[:, 5] > 0.5).astype(int)
    return X, y


def rows_seen(augmenter):
    return [batch[:, 0].astype(int) for batch in augmenter.batches]


def test_training_batches_only_are_augmented_never_the_dev_set():
    X, y = tagged_images(n=50)
    augmenter = recording_augmenter()
    clf = DNNClassifier(
        hidden_layer_sizes=(5,),
        augment=augmenter,
        early_stopping=True,
        validation_fraction=0.2,
        batch_size=16,
        max_iter=3,
        n_iter_no_change=100,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)

    # 40 training rows per epoch, in batches of 16, 16 and 8.
    batches = rows_seen(augmenter)
    assert [len(rows) for rows in batches] == [16, 16, 8] * 3
    epochs = [np.concatenate(batches[i : i + 3]) for i in range(0, 9, 3)]
    training_rows = set(epochs[0])
    assert len(training_rows) == 40
    assert all(sorted(rows) == sorted(training_rows) for rows in epochs)
    # The 10 dev rows were never given to the augmenter.
    assert len(set(range(50)) - training_rows) == 10


def test_predict_and_score_never_augment():
    X, y = tagged_images()
    augmenter = recording_augmenter(noise_std=0.1)
    clf = DNNClassifier(
        hidden_layer_sizes=(5,), augment=augmenter, max_iter=2, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    augmenter.batches.clear()
    clf.predict(X), clf.predict_proba(X), clf.score(X, y)
    assert augmenter.batches == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_augmenter_at_defaults_trains_like_no_augmenter(dtype):
    # It draws no random numbers and returns the batch unchanged, so the
    # training run is bit-identical; a distorting one changes it.
    X, y = tagged_images()
    X = X.astype(dtype)
    params = {"hidden_layer_sizes": (5,), "max_iter": 3, "random_state": 0}
    fits = {}
    for name, augment in [
        ("none", None),
        ("defaults", ImageAugmenter((4, 4))),
        ("shift", ImageAugmenter((4, 4), max_shift=1)),
    ]:
        with pytest.warns(ConvergenceWarning):
            fits[name] = DNNRegressor(**params, augment=augment).fit(X, y)
    for a, b in zip(fits["none"].coefs_, fits["defaults"].coefs_):
        assert a.dtype == dtype
        assert_array_equal(a, b)
    assert not np.array_equal(fits["none"].coefs_[0], fits["shift"].coefs_[0])


def test_partial_fit_augments_the_batch_it_is_given():
    X, y = tagged_images(n=30)
    augmenter = recording_augmenter()
    clf = DNNClassifier(hidden_layer_sizes=(5,), augment=augmenter, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    assert sorted(np.concatenate(rows_seen(augmenter))) == list(range(30))


def test_augmenter_parameters_are_searchable_through_the_estimator():
    clf = DNNClassifier(augment=ImageAugmenter((8, 8), max_shift=1))
    clf.set_params(augment__max_rotation=10.0)
    copy = clone(clf)
    assert copy.augment is not clf.augment
    assert copy.get_params()["augment__max_rotation"] == 10.0
