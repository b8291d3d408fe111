"""Data augmentation: random distortions of flattened images.

`ImageAugmenter` turns each row of ``X`` back into an image, moves its pixels
by one random geometric distortion per image (flip, shift, rotation, zoom and
an elastic field, composed into a single map from output to input
coordinates), samples the image there with one batched
`scipy.ndimage.map_coordinates` call (flips and shifts alone just pick
pixels), and adds Gaussian noise.
"""

import math
from numbers import Integral, Real

import numpy as np
from scipy import ndimage, special
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval, _fit_context, validate_data

__all__ = ["ImageAugmenter"]

# Largest number of pixel values per image (h * w * channels) accepted: far
# beyond any image a dense network can take, and small enough that every
# array built from it has a size numpy can index.
_MAX_IMAGE_SIZE = 2**31

# Bilinear interpolation: no prefilter, and no overshoot (an output pixel lies
# between the input pixels, or 0, around it).
_ORDER = 1


class ImageAugmenter(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Random flips, shifts, rotations, zooms, elastic distortions and noise.

    Each row of ``X`` is a flattened image of shape ``image_shape``: ``(h, w)``
    for grey-scale images, ``(h, w, channels)`` for colour images (channels
    last, the layout of ``image.reshape(-1)``). Every image gets its own random
    distortion; all channels of an image share it. With every option at its
    default the images come back unchanged.

    The distortions are composed into one map from output to input pixel
    coordinates and the image is sampled once, with bilinear interpolation,
    so combining several of them blurs no more than one. Pixels that come
    from outside the image are 0, as in a zero-padded crop: scale images
    globally (e.g. ``X / 255``) rather than standardising each pixel before
    augmenting them, or the background will not be 0.

    Used as ``DNNClassifier(augment=ImageAugmenter(...))``, the estimator
    calls :meth:`augment` on each training mini-batch (never on the
    early-stopping dev set, never in ``predict``). It is also a transformer:
    :meth:`transform` returns one augmented copy of ``X``, for offline use.

    Parameters
    ----------
    image_shape : tuple of int
        ``(h, w)`` or ``(h, w, channels)``; ``h * w * channels`` must equal
        the number of features of ``X`` (and be at most ``2**31``).

    horizontal_flip : bool, default=False
        Mirror each image left-right with probability 1/2. Leave it off for
        images whose meaning changes when mirrored, such as digits.

    max_shift : int, default=0
        Shift each image by a whole number of pixels drawn uniformly from
        ``[-max_shift, max_shift]``, independently down and across (a random
        crop of the zero-padded image). Must be smaller than ``min(h, w)``,
        or whole images could be shifted out of their frame.

    max_rotation : float, default=0.0
        Rotate each image about its centre by an angle in degrees drawn
        uniformly from ``[-max_rotation, max_rotation]``. A positive angle
        turns the image the way `scipy.ndimage.rotate` does.

    max_zoom : float, default=0.0
        Scale each image about its centre by a factor drawn uniformly from
        ``[1 - max_zoom, 1 + max_zoom]``. Must be below 1.

    elastic_alpha : float, default=0.0
        Strength of the elastic distortion (Simard et al., 2003): every pixel
        moves by ``elastic_alpha`` times a random field of uniform ``[-1, 1]``
        values smoothed by a Gaussian of standard deviation
        ``elastic_sigma``. Simard et al. use ``elastic_alpha=34``,
        ``elastic_sigma=4`` on 28x28 digits. 0 switches it off.

    elastic_sigma : float, default=4.0
        Standard deviation, in pixels, of the Gaussian that smooths the
        elastic field: small values give a jittery, large values an almost
        rigid displacement. The kernel reaches ``4 * elastic_sigma`` pixels
        each way, at most the image's larger side, so a large value costs no
        more than the image size.

    noise_std : float, default=0.0
        Standard deviation of Gaussian noise added to every pixel value after
        the geometric distortion.

    random_state : int, RandomState instance or None, default=None
        Randomness of :meth:`transform`. An int makes every call of
        ``transform`` return the same copy (so ``fit_transform(X)`` equals
        ``fit(X).transform(X)``); pass a ``RandomState`` instance to get a new
        draw at each call. :meth:`augment` uses the generator it is given
        instead.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``, ``prod(image_shape)``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    scipy.ndimage.map_coordinates : The interpolation used for every warp.

    Notes
    -----
    The distortions are applied to the image content in this order: flip,
    rotation and zoom about the centre, shift, elastic field. Random numbers
    are drawn in the same order, only for the options that are switched on,
    so a fixed ``random_state`` always gives the same images.

    Input must be dense: a sparse ``X`` raises ``TypeError`` (images are
    dense, and an augmented image is no longer sparse; call ``X.toarray()``
    first). float32 input gives float32 output; other input is converted to
    float64. The input array is never modified.

    Because each row gets a random distortion, the transform of a row
    depends on the other rows in the batch and on their order.

    References
    ----------
    P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for
    convolutional neural networks applied to visual document analysis",
    ICDAR 2003.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dnn import ImageAugmenter
    >>> X = np.zeros((3, 9), dtype=np.float32)
    >>> X[:, 4] = 1.0  # one lit pixel in the middle of a 3x3 image
    >>> augmenter = ImageAugmenter((3, 3), max_shift=1, random_state=0)
    >>> Xt = augmenter.fit_transform(X)
    >>> Xt.dtype
    dtype('float32')
    >>> Xt.reshape(3, 3, 3)[0].astype(int)  # moved up by one pixel
    array([[0, 1, 0],
           [0, 0, 0],
           [0, 0, 0]])
    >>> Xt.reshape(3, 3, 3)[2].astype(int)  # moved right by one pixel
    array([[0, 0, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> float(X.sum())  # the input is left as it was
    3.0

    The same object distorts training mini-batches inside an estimator,
    which calls it with its own random generator:

    >>> rng = np.random.RandomState(0)
    >>> ImageAugmenter((3, 3), max_rotation=10.0).augment(X, rng).shape
    (3, 9)
    >>> from sklearn_dnn import DNNClassifier
    >>> augmenter = ImageAugmenter((8, 8), elastic_alpha=3.0, elastic_sigma=1.5)
    >>> model = DNNClassifier(augment=augmenter)
    >>> model.get_params()["augment__elastic_alpha"]  # searchable, e.g. in a grid
    3.0
    """

    _parameter_constraints: dict = {
        "image_shape": ["array-like"],
        "horizontal_flip": ["boolean"],
        "max_shift": [Interval(Integral, 0, None, closed="left")],
        "max_rotation": [Interval(Real, 0, 180, closed="both")],
        "max_zoom": [Interval(Real, 0, 1, closed="left")],
        "elastic_alpha": [Interval(Real, 0, None, closed="left")],
        "elastic_sigma": [Interval(Real, 0, None, closed="left")],
        "noise_std": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        image_shape,
        *,
        horizontal_flip=False,
        max_shift=0,
        max_rotation=0.0,
        max_zoom=0.0,
        elastic_alpha=0.0,
        elastic_sigma=4.0,
        noise_std=0.0,
        random_state=None,
    ):
        self.image_shape = image_shape
        self.horizontal_flip = horizontal_flip
        self.max_shift = max_shift
        self.max_rotation = max_rotation
        self.max_zoom = max_zoom
        self.elastic_alpha = elastic_alpha
        self.elastic_sigma = elastic_sigma
        self.noise_std = noise_std
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check that the rows of `X` are images of shape `image_shape`.

        Nothing is learnt: fitting only validates the parameters and records
        the number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Flattened images, ``n_features == prod(image_shape)``.

        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted augmenter.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        _check_n_features(self._image_shape(), X.shape[1])
        return self

    def transform(self, X):
        """Return one randomly distorted copy of `X`, using `random_state`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Flattened images, dense.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            The distorted images, float32 if `X` is float32, else float64.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        shape = self._image_shape()
        return self._distort(X, shape, check_random_state(self.random_state))

    def augment(self, X_batch, random_state):
        """Return a randomly distorted copy of a mini-batch.

        This is the hook a DNN estimator calls on each training mini-batch.
        It needs no :meth:`fit`; the parameters are validated here.

        Parameters
        ----------
        X_batch : array-like of shape (n_samples, n_features)
            Flattened images, dense.

        random_state : int, RandomState instance or None
            The generator to draw the distortions from, normally the
            training loop's own ``RandomState``.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            The distorted images, float32 if `X_batch` is float32, else
            float64.
        """
        shape = self._checked_image_shape()
        X = X_batch
        if not (
            isinstance(X, np.ndarray)
            and X.ndim == 2
            and X.dtype in (np.float32, np.float64)
        ):
            # The training loop passes validated float arrays; anything else
            # gets the full check (sparse input is a TypeError).
            X = check_array(X, dtype=[np.float64, np.float32], input_name="X_batch")
        _check_n_features(shape, X.shape[1])
        return self._distort(X, shape, check_random_state(random_state))

    def _checked_image_shape(self):
        """Validate the parameters and return `image_shape` as a tuple.

        `augment` runs on every mini-batch, so the (comparatively slow)
        validation runs again only when a parameter has changed.
        """
        params = tuple(
            repr(getattr(self, name)) for name in self._parameter_constraints
        )
        checked = getattr(self, "_checked_params", None)
        if checked is None or checked[0] != params:
            self._validate_params()
            checked = self._checked_params = (params, self._image_shape())
        return checked[1]

    def _image_shape(self):
        """`image_shape` as a tuple, checked on its own and against `max_shift`."""
        shape = _image_shape(self.image_shape)
        if self.max_shift >= min(shape[:2]):
            raise ValueError(
                f"max_shift={self.max_shift} must be smaller than the image: a "
                f"shift of {min(shape[:2])} pixels or more moves the whole image "
                f"out of its {shape[0]} x {shape[1]} frame (image_shape={shape}). "
                f"Use max_shift < {min(shape[:2])}."
            )
        return shape

    def _distort(self, X, shape, rng):
        """Draw one distortion per row of `X` and apply it to a copy."""
        n_samples = X.shape[0]
        h, w, channels = (*shape, 1)[:3]
        images = X.reshape(n_samples, h, w, channels)
        params = self._draw(n_samples, (h, w), rng)
        if params:
            images = _warp(images, **params)
        else:
            images = images.copy()
        if self.noise_std > 0:
            noise = rng.standard_normal(images.shape) * self.noise_std
            images += noise.astype(images.dtype, copy=False)
        return images.reshape(X.shape)

    def _draw(self, n_samples, plane_shape, rng):
        """Random parameters of `_warp` for the options switched on."""
        params = {}
        if self.horizontal_flip:
            params["flip"] = rng.random_sample(n_samples) < 0.5
        if self.max_rotation > 0:
            params["angle"] = rng.uniform(
                -self.max_rotation, self.max_rotation, size=n_samples
            )
        if self.max_zoom > 0:
            params["zoom"] = rng.uniform(
                1 - self.max_zoom, 1 + self.max_zoom, size=n_samples
            )
        if self.max_shift > 0:
            params["shift"] = rng.randint(
                -self.max_shift, self.max_shift + 1, size=(n_samples, 2)
            )
        if self.elastic_alpha > 0:
            field = rng.uniform(-1.0, 1.0, size=(2, n_samples, *plane_shape))
            sigma = (0, 0, self.elastic_sigma, self.elastic_sigma)
            params["displacement"] = self.elastic_alpha * ndimage.gaussian_filter(
                field,
                sigma=sigma,
                radius=_elastic_radius(self.elastic_sigma, plane_shape),
            )
        return params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _image_shape(image_shape):
    """`image_shape` as a tuple of positive ints, or a ValueError."""
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not all(
        isinstance(size, Integral) and not isinstance(size, bool) and size > 0
        for size in shape
    ):
        raise ValueError(
            "image_shape must be (h, w) or (h, w, channels) with positive "
            f"integer sizes; got {image_shape!r}."
        )
    shape = tuple(int(size) for size in shape)
    if math.prod(shape) > _MAX_IMAGE_SIZE:
        raise ValueError(
            f"image_shape={shape} describes images of "
            f"{' * '.join(map(str, shape))} = {math.prod(shape)} pixel values, "
            f"more than the {_MAX_IMAGE_SIZE} allowed; image_shape must be the "
            "shape of one image, whose size is the number of features of X."
        )
    return shape


def _check_n_features(shape, n_features):
    """Raise unless the rows of X have exactly ``prod(shape)`` values."""
    size = math.prod(shape)
    if n_features != size:
        raise ValueError(
            f"X has {n_features} feature(s), but image_shape={shape} describes "
            f"images of {' * '.join(map(str, shape))} = {size} pixel values."
        )


def _warp(images, *, flip=None, shift=None, angle=None, zoom=None, displacement=None):
    """Distort each image of a batch and sample it once, bilinearly.

    Parameters
    ----------
    images : ndarray of shape (n, h, w, channels)
        The batch; it is not modified.
    flip : bool array of shape (n,), optional
        Mirror these images left-right.
    shift : int array of shape (n, 2), optional
        Move the content of each image by (down, right) pixels.
    angle : float array of shape (n,), optional
        Rotate each image about its centre by this many degrees, in the
        direction of `scipy.ndimage.rotate`.
    zoom : float array of shape (n,), optional
        Scale each image about its centre by this factor.
    displacement : float array of shape (2, n, h, w), optional
        Elastic field: output pixel (i, j) takes its value from input
        position (i, j) + displacement[:, :, i, j], before the other maps.

    Returns
    -------
    warped : ndarray of the shape and dtype of `images`
        Pixels sampled from outside an image are 0.
    """
    row, col = _source_positions(images.shape, flip, shift, angle, zoom, displacement)
    if angle is None and zoom is None and displacement is None:
        return _pick_pixels(images, row, col)
    return _interpolate(images, row, col)


def _source_positions(shape, flip, shift, angle, zoom, displacement):
    """Each output pixel's (row, column) in the input image, as broadcastable
    arrays; the arguments are :func:`_warp`'s."""
    n, h, w, _ = shape
    centre_row, centre_col = (h - 1) / 2, (w - 1) / 2
    # Output pixel positions relative to the centre, as (image, row, column)
    # arrays that broadcast: they grow to (n, h, w) only where a distortion
    # makes them differ along that axis.
    row = np.arange(h, dtype=float).reshape(1, h, 1) - centre_row
    col = np.arange(w, dtype=float).reshape(1, 1, w) - centre_col
    # Invert the content's distortions one by one, from the last applied
    # (elastic) to the first (flip): each maps output to input positions.
    if displacement is not None:
        row, col = row + displacement[0], col + displacement[1]
    if shift is not None:
        row = row - shift[:, 0, None, None]
        col = col - shift[:, 1, None, None]
    if angle is not None or zoom is not None:
        angle = np.zeros(n) if angle is None else angle
        scale = 1.0 if zoom is None else 1.0 / zoom
        cos = (special.cosdg(angle) * scale)[:, None, None]
        sin = (special.sindg(angle) * scale)[:, None, None]
        # scipy.ndimage.rotate's output-to-input matrix [[c, s], [-s, c]].
        row, col = cos * row + sin * col, cos * col - sin * row
    if flip is not None:
        col = np.where(flip[:, None, None], -col, col)
    return row + centre_row, col + centre_col


def _pick_pixels(images, row, col):
    """Sample whole-pixel positions exactly; outside the image is 0."""
    n, h, w, channels = images.shape
    # Flips and whole-pixel shifts only: every position is a pixel of the
    # image or of a zero border around it, so pick pixels, no interpolation
    # (about ten times faster, and exact by construction).
    padded = np.zeros((n, h + 2, w + 2, channels), dtype=images.dtype)
    padded[:, 1:-1, 1:-1] = images
    rows = np.clip(row, -1, h).astype(np.intp) + 1
    cols = np.clip(col, -1, w).astype(np.intp) + 1
    return padded[np.arange(n)[:, None, None], rows, cols]


def _interpolate(images, row, col):
    """Sample arbitrary positions with ``_ORDER`` spline interpolation."""
    n, h, w, channels = images.shape
    # One 2-D map_coordinates call for the whole batch: the (image, channel)
    # planes are stacked vertically, with a zero row above and below each.
    # Rows are clipped into that zero border, so no sample ever reaches a
    # neighbouring plane, and columns fall off the stack's edge into
    # mode="grid-constant" zeros. This is as fast as a loop of 2-D calls on
    # large images and much faster on small ones, where a single call over
    # the (n, h, w, channels) array (interpolating along the batch and
    # channel axes too) costs 2-4 times more.
    planes = np.zeros((n, channels, h + 2, w), dtype=images.dtype)
    planes[:, :, 1:-1] = images.transpose(0, 3, 1, 2)
    top = np.arange(n * channels).reshape(n, channels, 1, 1) * (h + 2) + 1
    coordinates = np.empty((2, n, channels, h, w))
    coordinates[0] = np.clip(row, -1, h)[:, None] + top
    coordinates[1] = col[:, None]
    warped = ndimage.map_coordinates(
        planes.reshape(-1, w),
        coordinates,
        output=images.dtype,
        order=_ORDER,
        mode="grid-constant",
        cval=0.0,
    )
    return np.ascontiguousarray(warped.transpose(0, 2, 3, 1))


def _elastic_radius(sigma, plane_shape):
    """The Gaussian kernel's radius: scipy's ``4 * sigma``, at most the
    image's larger side (beyond it the field is already smoothed flat)."""
    radius = min(int(4.0 * sigma + 0.5), max(plane_shape))
    return (0, 0, radius, radius)
