"""lrlib.course: every module listed and documented; no import cycle anywhere in lrlib."""

import ast
import importlib
import pathlib
import pkgutil

import pytest

import lrlib.course

ROOT = pathlib.Path(__file__).resolve().parents[2]


def course_modules():
    return {info.name for info in pkgutil.iter_modules(lrlib.course.__path__)}


def test_every_course_module_is_listed_and_documented():
    assert set(lrlib.course._SUBMODULES) == course_modules()
    for name in course_modules():
        assert f":mod:`lrlib.course.{name}`" in lrlib.course.__doc__, \
            f"lrlib.course's docstring omits {name}"


@pytest.mark.parametrize("name", sorted(course_modules()))
def test_each_course_module_loads_on_first_use_and_has_a_docstring(name):
    module = getattr(lrlib.course, name)
    assert module.__name__ == f"lrlib.course.{name}" and name in dir(lrlib.course)
    assert module.__doc__, f"lrlib.course.{name} has no module docstring"


def test_an_unknown_attribute_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'nonexistent'"):
        lrlib.course.nonexistent  # noqa: B018


def _imports():
    """``{module: set of lrlib modules it imports}`` for every module of lrlib."""
    graph = {}
    for path in (ROOT / "lrlib").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lrlib"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("lrlib"))
        graph[name] = found
    return {name: {m for m in found if m in graph and m != name} for name, found in graph.items()}


def test_no_module_imports_one_that_imports_it_back():
    graph = _imports()
    cycles = []

    def visit(name, path):
        for target in graph[name]:
            if target in path:
                cycles.append(path[path.index(target):] + [target])
            elif len(path) < 8:
                visit(target, path + [target])

    for name in graph:
        if name != "lrlib" and not name.endswith("course") and name != "lrlib.book":
            visit(name, [name])
    # A package's __init__ importing its own modules is no cycle; every other loop is.
    real = [c for c in cycles if not any(m in ("lrlib", "lrlib.course", "lrlib.book",
                                               "lrlib.course.widgets", "lrlib.course.check")
                                         for m in c)]
    assert real == []


def test_the_book_tooling_is_not_imported_by_the_course_or_the_product():
    graph = _imports()
    for name, targets in graph.items():
        if not name.startswith("lrlib.book"):
            assert not any(t.startswith("lrlib.book") for t in targets), name


def test_the_product_imports_no_course_code():
    graph = _imports()
    for name in ("lrlib.schedules", "lrlib.callbacks", "lrlib.range_test", "lrlib.validation",
                 "lrlib.tensors"):
        assert not any(t.startswith(("lrlib.course", "lrlib.book")) for t in graph[name]), name


def test_a_learners_kernel_can_import_every_course_module():
    for name in sorted(course_modules()):
        importlib.import_module(f"lrlib.course.{name}")
