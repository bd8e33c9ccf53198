"""A stand-in for lrlib.experiments.trial, shared by the tests of the sweep and its widget."""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.discovery import synthetic_trial  # noqa: E402
from lrlib.schedules import FAMILIES  # noqa: E402
from lrlib.sweep import sweep  # noqa: E402


fake_trial = synthetic_trial


def fake_results(rates=(0.1, 0.3, 1.0, 3.0)):
    """Every family at ``rates`` with three seeds, from :func:`fake_trial` (instant)."""
    return sweep(FAMILIES, rates=rates, seeds=(0, 1, 2), objective=fake_trial)
