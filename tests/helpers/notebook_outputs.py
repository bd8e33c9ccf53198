"""What the notebooks printed under nbval, kept for the determinism test.

:class:`NotebookOutputs` (a pytest plugin registered by ``tests/conftest.py``) keeps the
outputs of every notebook cell nbval executes in a session and, when the session ends, writes
the printed text (:func:`printed`) of every completely executed notebook to
``_build/nbval/<notebook>.json``, which ``tests/site/test_determinism.py`` compares with the
book build's run of the same chapters.
"""

import pathlib
import re

import pytest


def printed(outputs):
    """The text a reader sees in one cell's outputs: streams and results' text."""
    parts = []
    streams = {}
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            streams[output["name"]] = streams.get(output["name"], "") + output["text"]
        elif kind == "execute_result":
            data = output.get("data", {})
            parts += [f"[{mime}] {data[mime]}" for mime in ("text/plain", "text/markdown")
                      if mime in data]
        elif kind == "error":
            parts.append(f"[error] {output.get('ename')}: {output.get('evalue')}")
    parts = [f"[{name}] {text}" for name, text in sorted(streams.items())] + parts
    return re.sub(r"0x[0-9a-fA-F]+", "0x…", "\n".join(parts))



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

        root = pathlib.Path(__file__).resolve().parents[2]
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
