"""The product: what `pip install lrlib` gives a Keras user, and what importing it does not do."""

import ast
import os
import pathlib
import subprocess
import sys
import textwrap
import tomllib

import pytest

import lrlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PRODUCT_FILES = sorted(p for p in (ROOT / "lrlib").glob("*.py") if p.name != "__init__.py")


def test_the_product_modules_are_listed_and_documented():
    assert set(lrlib.PRODUCT) == {p.stem for p in PRODUCT_FILES}
    for name in lrlib.PRODUCT:
        assert f":mod:`lrlib.{name}`" in lrlib.__doc__, f"lrlib's docstring omits {name}"
        source = (ROOT / "lrlib" / f"{name}.py").read_text()
        assert ast.get_docstring(ast.parse(source)), f"lrlib.{name} has no module docstring"


@pytest.mark.parametrize("path", PRODUCT_FILES + [ROOT / "lrlib" / "__init__.py"],
                         ids=lambda p: p.name)
def test_the_product_imports_only_keras_numpy_and_itself(path):
    allowed = {"keras", "numpy", "lrlib", "math", "numbers", "dataclasses", "functools"}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
            assert not name.startswith(("lrlib.course", "lrlib.book")), f"{path.name}: {name}"


def test_importing_the_product_changes_nothing_in_the_process():
    # In a fresh interpreter: import Keras first (what it does to the process is Keras's),
    # then the product, and compare the environment, the loaded modules, logging and the
    # warning filters before and after.
    script = textwrap.dedent("""
        import json, logging, os, sys, warnings
        import keras, numpy
        env = dict(os.environ)
        modules = set(sys.modules)
        filters = list(warnings.filters)
        levels = {name: logging.getLogger(name).level
                  for name in ("", "tensorflow", "absl", "keras")}
        import lrlib, lrlib.schedules, lrlib.callbacks, lrlib.range_test, lrlib.optimizers
        new = sorted(set(sys.modules) - modules)
        print(json.dumps({
            "env": sorted(k for k in set(env) | set(os.environ) if env.get(k) != os.environ.get(k)),
            "new": new,
            "filters": warnings.filters == filters,
            "levels": levels == {name: logging.getLogger(name).level for name in levels},
        }))
    """)
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=environment, cwd=ROOT, check=True)
    import json

    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["env"] == []
    assert found["filters"] and found["levels"]
    loaded = [m for m in found["new"] if m.split(".")[0] in ("matplotlib", "sklearn",
                                                            "ipywidgets", "IPython")
              or m.startswith(("lrlib.course", "lrlib.book"))]
    assert loaded == []
    assert {m for m in found["new"] if m.startswith("lrlib")} == {
        "lrlib", "lrlib.schedules", "lrlib.callbacks", "lrlib.range_test", "lrlib.optimizers",
        "lrlib.validation", "lrlib.tensors"}


def test_the_plain_install_requires_only_keras_a_backend_and_numpy():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {requirement.split(">")[0].split("=")[0].split(";")[0].strip()
             for requirement in project["dependencies"]}
    assert names == {"keras", "numpy", "tensorflow", "tensorflow-cpu"}
    course = {r.split(">")[0].strip() for r in project["optional-dependencies"]["course"]}
    assert {"matplotlib", "scikit-learn", "ipywidgets"} <= course
    assert "-e .[course]" in (ROOT / "requirements.txt").read_text().splitlines()
