"""A stand-in objective for the tests of the Optuna sweep: the synthetic trial, slowed down so
that two worker processes interleave (module-level, so spawned workers can import it)."""

import time

from lrlib.course.widgets.discovery import synthetic_trial


def slow_trial(family, learning_rate, seed, setup=None):
    time.sleep(0.3)
    return synthetic_trial(family, learning_rate, seed, setup=setup)
