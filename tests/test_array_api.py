"""Array API dispatch (DESIGN §17): InputNormalizer, DNNClassifier and
DNNRegressor train and predict in the input's namespace, on its device.

scikit-learn's dispatch needs ``SCIPY_ARRAY_API=1`` before scipy is first
imported; it is set here, before any import of scipy in this module, and the
tests are skipped where scipy was imported without it (or where neither
``array_api_strict`` nor ``torch`` is installed).
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402
from sklearn.utils.estimator_checks import check_array_api_input  # noqa: E402

from sklearn_dnn import InputNormalizer  # noqa: E402

NAMESPACES = []
for _name in ("array_api_strict", "torch"):
    try:
        __import__(_name)
    except ImportError:
        continue
    NAMESPACES.append(_name)

pytestmark = [
    pytest.mark.skipif(not NAMESPACES, reason="no array API library installed"),
    pytest.mark.skipif(
        os.environ.get("SCIPY_ARRAY_API") != "1",
        reason="SCIPY_ARRAY_API=1 was not set before scipy was imported",
    ),
]


def _namespace_and_device(name):
    if name == "torch":
        return "torch", "cpu"
    return name, None


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_input_normalizer_array_api_input(namespace, dtype_name):
    xp_name, device = _namespace_and_device(namespace)
    check_array_api_input(
        "InputNormalizer",
        InputNormalizer(),
        array_namespace=xp_name,
        device_name=device,
        dtype_name=dtype_name,
    )


def test_input_normalizer_tag():
    assert InputNormalizer().__sklearn_tags__().array_api_support
