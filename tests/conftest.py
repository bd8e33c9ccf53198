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

from helpers.notebook_outputs import NotebookOutputs  # noqa: E402
import lrlib.course  # noqa: E402,F401  (sets TensorFlow's quiet environment before Keras loads)


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
