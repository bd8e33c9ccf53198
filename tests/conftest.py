"""Shared test setup: a headless Matplotlib and lrlib imported before Keras.

Registers a plugin that closes every figure after each test, and the recorder behind ``tests/test_determinism.py``: it keeps the outputs of
every notebook cell nbval executes in this session and, when the session ends, writes the
printed text of every completely executed notebook to ``_build/nbval/<notebook>.json``, which
the determinism test compares with the book build's run of the same chapters.
"""

import os
import pathlib

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import lrlib  # noqa: E402,F401  (sets TensorFlow's quiet environment before Keras loads)


class NotebookOutputs:
    """The outputs of the notebook cells nbval ran, by notebook and code-cell number."""

    def __init__(self):
        self._cells = {}
        self._failed = set()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        number = getattr(item, "cell_num", None)  # only nbval's notebook cells have one
        if report.when == "call" and number is not None:
            path = pathlib.Path(item.path).resolve()
            outputs = getattr(item, "test_outputs", None)
            if report.passed and outputs is not None:
                self._cells.setdefault(path, {})[number] = list(outputs)
            else:
                self._failed.add(path)
        return report

    def outputs_of(self, path):
        """``{code cell number: printed text}`` if nbval ran every code cell, else ``None``."""
        from test_determinism import printed

        path = pathlib.Path(path).resolve()
        cells = self._cells.get(path)
        if not cells or path in self._failed:
            return None
        import nbformat

        expected = sum(c.cell_type == "code" for c in nbformat.read(path, as_version=4).cells)
        if len(cells) != expected:
            return None
        return {number: printed(outputs) for number, outputs in cells.items()}

    def pytest_sessionfinish(self, session):
        """Write what nbval printed, per complete notebook, for the determinism test."""
        import hashlib
        import json

        root = pathlib.Path(__file__).resolve().parents[1]
        for path in self._cells:
            cells = self.outputs_of(path)
            if cells is None:
                continue
            name = path.relative_to(root).as_posix()
            run = {"notebook": name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                   "cells": cells}
            # One file per notebook: under pytest-xdist each worker writes its own.
            target = root / "_build" / "nbval" / (name.replace("/", "__") + ".json")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(run, indent=1, sort_keys=True))


class CloseFigures:
    """Close every Matplotlib figure after each test, docstring examples included.

    A test that renders figures and fails (or forgets) to close them would otherwise leave
    them open for the tests after it, and past 20 open figures Matplotlib's RuntimeWarning
    (an error here) fails whichever test opens the next one.
    """

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item):
        import sys

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("lrlib_notebook_outputs"):
        config.pluginmanager.register(NotebookOutputs(), "lrlib_notebook_outputs")
    if not config.pluginmanager.has_plugin("lrlib_close_figures"):
        config.pluginmanager.register(CloseFigures(), "lrlib_close_figures")
