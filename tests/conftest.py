"""Shared test setup: a headless Matplotlib and lrlib imported before Keras."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import lrlib  # noqa: E402,F401  (sets TensorFlow's quiet environment before Keras loads)
