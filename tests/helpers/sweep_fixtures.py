"""A stand-in for lrlib.course.runs.trial, shared by the tests of the sweep and its widget."""

from lrlib.course.runs import sweep
from lrlib.course.widgets.discovery import synthetic_trial
from lrlib.schedules import FAMILIES

fake_trial = synthetic_trial


def fake_results(rates=(0.1, 0.3, 1.0, 3.0)):
    """Every family at ``rates`` with three seeds, from :func:`fake_trial` (instant)."""
    return sweep(FAMILIES, rates=rates, seeds=(0, 1, 2), objective=fake_trial)
