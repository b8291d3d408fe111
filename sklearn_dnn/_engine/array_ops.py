"""The few operations that let one formula serve numpy and the array API.

The numpy engine computes in place into buffers it owns, through the ``out=``
argument of numpy's ufuncs; the array API standard has no ``out=``, so other
namespaces (torch, cupy, ...) return a new array.  A formula written with
``into(out, xp.f, *args)`` and the in-place operators (``a *= b``, which
every namespace has) therefore runs unchanged on both: in place on numpy,
one new array per result elsewhere.
"""

import numpy as np

# The engine imports nothing from the rest of the package; scikit-learn
# vendors array_api_compat, the namespace lookup its own dispatch uses.
from sklearn.externals.array_api_compat import array_namespace


def namespace(array):
    """numpy for a numpy array, else the array API namespace of ``array``."""
    if isinstance(array, np.ndarray):
        return np
    return array_namespace(array)


def into(out, function, *args):
    """Return ``function(*args)``, written into ``out`` when ``out`` is a numpy
    array (``function`` is then a numpy or scipy ufunc).

    ``out`` may be one of ``args`` (an update in place), or None for a new
    array.  Callers always use the returned array: outside numpy it is a new
    one, and ``out`` is left as it was.
    """
    if isinstance(out, np.ndarray):
        return function(*args, out=out)
    return function(*args)


def scalar(value, like, xp):
    """``value`` as a 0-d array of ``like``'s dtype and device, for the
    functions of the standard that take arrays only (``where``, torch's
    ``maximum``)."""
    return xp.asarray(value, dtype=like.dtype, device=like.device)


def indicator(condition, dtype, xp):
    """The 0/1 factor of a boolean ``condition``, to multiply by.

    numpy casts a boolean operand inside the ufunc's loop, so the boolean
    array itself serves (no float copy); the standard does not mix booleans
    and floats in arithmetic, so other namespaces get a cast.
    """
    if xp is np:
        return condition
    return xp.astype(condition, dtype)
