"""Shared pytest configuration: stable doctest output and a headless backend.

scikit-learn's array API dispatch (and its array API common checks, which it
skips otherwise) needs ``SCIPY_ARRAY_API=1`` before scipy is first imported:
it is set here, before anything imports scipy.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="session")
def _single_threaded_blas():
    """Run BLAS on one thread: the test networks are tiny, and threads fighting
    over a busy machine's cores make them many times slower, not faster."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(autouse=True)
def _stable_numpy_printing(doctest_namespace):
    np.set_printoptions(precision=4, suppress=True, legacy="1.25")
    doctest_namespace["np"] = np
    yield


@pytest.fixture
def pyplot():
    """Give tests matplotlib.pyplot and close every figure afterwards."""
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")
