"""The package's layout: four parts, imports one way, small modules."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "sklearn_dnn"

#: Which part each top-level name belongs to, lowest first: a part may import
#: only from parts at or below its own level (the shared helpers are level 0).
LEVELS = {
    "_compat": 0, "_formatting": 0, "_docstrings": 0, "_validation": 0,
    "_engine": 1,
    "_multilayer": 2,
    "preprocessing": 3, "model_selection": 3, "augment": 3, "persistence": 3,
    "diagnostics": 4, "gradcheck": 4, "_gradcheck_resolution": 4,
    "cli": 5,
}  # fmt: skip


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _part(path):
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imported_parts(path):
    """The package's top-level parts that ``path`` imports, lazily or not."""
    tree = ast.parse(path.read_text())
    package = path.relative_to(PACKAGE).parent.parts
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0:
            parts = (node.module or "").split(".")
            if parts[0] == "sklearn_dnn" and len(parts) > 1:
                yield parts[1]
            continue
        base = package[: len(package) - (node.level - 1)]
        target = [*base, *(node.module.split(".") if node.module else [])]
        if target:
            yield target[0]
        else:  # ``from .. import name`` at the top: the names are parts
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_one_way(path):
    part = _part(path)
    if part in ("__init__", "__main__"):
        return
    for imported in _imported_parts(path):
        if imported in LEVELS:
            assert LEVELS[imported] <= LEVELS[part], (
                f"{path.relative_to(PACKAGE)} ({part}) imports {imported}, a "
                "part above it"
            )


def test_engine_imports_nothing_from_the_rest_of_the_package():
    for path in (PACKAGE / "_engine").glob("*.py"):
        outside = set(_imported_parts(path)) - {"_engine"}
        assert not outside & set(LEVELS), (path.name, outside)


def test_no_module_over_800_lines():
    sizes = {p: len(p.read_text().splitlines()) for p in _modules()}
    assert max(sizes.values()) <= 800, max(sizes, key=sizes.get)


def _code_length(function):
    body = function.body
    docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    length = function.end_lineno - function.lineno + 1
    if docstring:
        length -= body[0].end_lineno - body[0].lineno + 1
    return length


def test_at_most_one_function_over_50_lines():
    long = [
        f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _code_length(node) > 50
    ]
    assert len(long) <= 1, long
