"""The documentation as a new user meets it: complete and runnable."""

import re
from pathlib import Path

import sklearn_dnn

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_api_reference_lists_every_public_name():
    listed = set(re.findall(r"^   (\w+)$", (DOCS / "api.rst").read_text(), re.M))
    public = {name for name in sklearn_dnn.__all__ if not name.startswith("__")}
    assert public - listed == set()


def test_every_user_guide_snippet_is_a_doctest():
    # A literal block of code ("::" then indented lines) is never run; a
    # doctest (">>>") is, by the test collection (pyproject's testpaths).
    for page in sorted((DOCS / "user_guide").glob("*.rst")):
        blocks = re.findall(r"::\n\n((?: {4}.*\n|\n)+)", page.read_text())
        for block in blocks:
            if "import " in block or "(" in block:
                assert ">>>" in block, f"{page.name}: a snippet that never runs"
