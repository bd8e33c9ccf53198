"""lrlib/__init__.py: every submodule is listed, documented and reachable as ``lrlib.<name>``."""

import ast
import pathlib
import pkgutil

import pytest

import lrlib

#: Not for notebooks: the book's Sphinx extension, loaded by the build.
BUILD_ONLY = {"website"}


def submodules():
    return {info.name for info in pkgutil.iter_modules(lrlib.__path__)} - BUILD_ONLY


def test_every_submodule_is_listed_and_documented():
    assert set(lrlib._SUBMODULES) == submodules()
    assert set(lrlib.__all__) == submodules()
    for name in submodules():
        assert f":mod:`lrlib.{name}`" in lrlib.__doc__, f"lrlib's docstring omits {name}"


@pytest.mark.parametrize("name", sorted(submodules()))
def test_each_submodule_loads_on_first_use_and_has_a_docstring(name):
    module = getattr(lrlib, name)
    assert module.__name__ == f"lrlib.{name}" and name in dir(lrlib)
    source = pathlib.Path(module.__file__).read_text()
    assert ast.get_docstring(ast.parse(source)), f"lrlib.{name} has no module docstring"


def test_an_unknown_attribute_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'nonexistent'"):
        lrlib.nonexistent  # noqa: B018
