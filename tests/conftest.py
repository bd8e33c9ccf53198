"""Shared test setup: a headless Matplotlib and lrlib imported before Keras.

Also registers the recorder behind ``tests/test_determinism.py``: it keeps the outputs of
every notebook cell nbval executes in this session and, when the session ends, writes the
printed text of every completely executed notebook to ``_build/nbval/outputs.json``, which
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
        runs = {}
        for path in self._cells:
            cells = self.outputs_of(path)
            if cells is not None:
                runs[path.relative_to(root).as_posix()] = {
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "cells": cells}
        if not runs:
            return
        target = root / "_build" / "nbval" / "outputs.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(target.read_text()) if target.exists() else {}
        previous.update(runs)
        target.write_text(json.dumps(previous, indent=1, sort_keys=True))


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("lrlib_notebook_outputs"):
        config.pluginmanager.register(NotebookOutputs(), "lrlib_notebook_outputs")
