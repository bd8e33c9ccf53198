"""A stand-in for lrlib.experiments.trial, shared by the tests of the sweep and its widget."""

import math

from lrlib.experiments import COMMON
from lrlib.schedules import FAMILIES
from lrlib.sweep import mean_rate_fraction, sweep


def fake_trial(family, learning_rate, seed, setup=COMMON):
    """A stand-in for lrlib.experiments.trial: instant, deterministic, diverges above 2."""
    if learning_rate > 2.0:
        return {"accuracy": 0.0, "loss": math.inf, "steps_to_target": None, "diverged": True,
                "diverged_at": 5 + seed, "train_loss": None}
    mean = learning_rate * mean_rate_fraction(family, setup.total_steps)
    accuracy = 0.975 - 0.03 * abs(math.log10(mean / 0.3)) + 0.002 * seed
    steps = None if accuracy < 0.95 else 43 * (1 + int(mean < 0.2))
    return {"accuracy": accuracy, "loss": 1.0 - accuracy, "steps_to_target": steps,
            "diverged": False, "diverged_at": None, "train_loss": 0.01 / mean}


def fake_results(rates=(0.1, 0.3, 1.0, 3.0)):
    """Every family at ``rates`` with three seeds, from :func:`fake_trial` (instant)."""
    return sweep(FAMILIES, rates=rates, seeds=(0, 1, 2), objective=fake_trial)
