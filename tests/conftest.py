"""Fixtures shared by several test modules, and how the tests are spread over
pytest-xdist's workers.

The default run spreads single tests over the workers. A fixture that runs the
whole command line once for many tests would then run once on every worker
that meets one of them: the modules whose tests share such a fixture go to one
worker whole instead (``--dist loadgroup``, with the groups below).
"""

from collections import Counter

import numpy as np
import pytest
from test_cli import BIG_LABELS, run_cli, write_csv

#: Test modules whose tests share a run of the command line, by that fixture.
SHARED_RUNS = {
    "tests/test_cli.py": "recipe_run",
    "tests/test_cli_hardening.py": "recipe_run",
    "tests/test_cli_errors.py": "tagged_run",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with each module of ``SHARED_RUNS`` in its group.

    pytest-xdist groups the tests by their ``xdist_group`` mark through their
    node id, which pytest 9 no longer lets a plugin change: the groups are
    given to the scheduler by module instead."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class SharedRunScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return SHARED_RUNS.get(module) or super()._split_scope(nodeid)

    return SharedRunScheduling(config, log)


def pytest_itemcollected(item):
    """Mark scikit-learn's array API checks ``full``: they run on torch and
    array-api-strict, and are skipped without them."""
    check = getattr(item, "callspec", None) and item.callspec.params.get("check")
    name = getattr(getattr(check, "func", check), "__name__", "")
    if name.startswith("check_array_api"):
        item.add_marker(pytest.mark.full)


# -- the fuzz cases run, printed at the end ------------------------------------

#: ``test_fuzz``'s record of the cases it ran, in this process.
_fuzz_cases = {}


@pytest.fixture(scope="session")
def fuzz_case_record(request):
    """Where ``test_fuzz`` leaves the cases it ran: on a pytest-xdist worker,
    the output the worker sends back when it ends."""
    return getattr(request.config, "workeroutput", _fuzz_cases)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Add up the fuzz cases each pytest-xdist worker ran."""
    record = getattr(node, "workeroutput", {}).get("fuzz_cases")
    if record:
        total = _fuzz_cases.setdefault(
            "fuzz_cases", {"profile": record["profile"], "cases": Counter()}
        )
        total["cases"].update(record["cases"])


def pytest_terminal_summary(terminalreporter):
    """Print how many cases each fuzz test ran."""
    record = _fuzz_cases.get("fuzz_cases")
    if not record:
        return
    cases = record["cases"]
    terminalreporter.write_line(
        f"fuzz cases run ({record['profile']} profile): {sum(cases.values())}"
    )
    for name, n in sorted(cases.items()):
        terminalreporter.write_line(f"  {name}: {n}")


# -- the command line's shared files and runs -----------------------------------


@pytest.fixture(scope="session")
def classes_csv(tmp_path_factory):
    """90 rows, 3 features and a 'label' column of two 17-digit integers."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    rows = [
        [f"{a:.4f}", f"{b:.4f}", BIG_LABELS[t], f"{c:.4f}"]
        for (a, b, c), t in zip(X, y)
    ]
    path = tmp_path_factory.mktemp("data") / "data.csv"
    return write_csv(path, ["a", "b", "label", "c"], rows)


@pytest.fixture(scope="session")
def recipe_run(classes_csv, tmp_path_factory):
    """One run of the recipe on the CSV: (result, report folder).

    Session-wide: ``test_cli`` and ``test_cli_hardening`` read the same run.
    """
    out = tmp_path_factory.mktemp("runs") / "report"
    result = run_cli(
        "recipe", "--data", classes_csv, "--target", "label", "--max-rounds", "2",
        "--out", out,
    )  # fmt: skip
    return result, out
