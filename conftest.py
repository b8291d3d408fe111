"""Shared pytest configuration: stable doctest output, a headless backend, and
property-based tests at a tenth of their cases unless the slow tests run.

scikit-learn's array API dispatch (and its array API common checks, which it
skips otherwise) needs ``SCIPY_ARRAY_API=1`` before scipy is first imported:
it is set here, before anything imports scipy.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import is_hypothesis_test, settings  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="session")
def _single_threaded_blas():
    """Run BLAS and OpenMP on one thread: the test networks are tiny, and
    pytest-xdist already runs one test process per core. More threads fight
    over the cores (OpenMP's idle threads spin: 40% of the CPU time of a run
    without this limit), making the tests slower, not faster."""
    with threadpool_limits(limits=1):
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


#: The default run draws this share of each property-based test's examples.
QUICK_SHARE = 10
QUICK_MIN_EXAMPLES = 10


def pytest_generate_tests(metafunc):
    """Run each property-based test twice: quickly, and in full as slow."""
    if is_hypothesis_test(metafunc.function):
        metafunc.parametrize(
            "_examples",
            ["quick", pytest.param("full", marks=pytest.mark.slow)],
            indirect=True,
        )


@pytest.fixture(autouse=True)
def _examples(request):
    """Draw a tenth of a property-based test's examples in its quick run.

    hypothesis reads a test's settings from this attribute when the test is
    called; no public API changes them after ``@settings`` has been applied.
    """
    if getattr(request, "param", "full") == "full":
        yield
        return
    test = request.function
    full = test._hypothesis_internal_use_settings
    examples = max(full.max_examples // QUICK_SHARE, QUICK_MIN_EXAMPLES)
    test._hypothesis_internal_use_settings = settings(
        full, max_examples=min(examples, full.max_examples)
    )
    try:
        yield
    finally:
        test._hypothesis_internal_use_settings = full
