"""lrlib.course.experiments: the common setup and the trial function."""

import math

import pytest

from lrlib.course import experiments
from lrlib.course.experiments import COMMON, Setup, summarize, trial
from lrlib.schedules import FAMILIES


def test_common_setup_budget():
    assert COMMON.steps_per_epoch == 43 and COMMON.total_steps == 430
    assert len(COMMON.seeds) >= 3
    assert experiments.BASELINE_LEARNING_RATE in experiments.BASELINE_GRID


def test_trial_is_a_plain_function_of_family_rate_and_seed():
    small = Setup(epochs=2, seeds=(0,))
    a = trial("cosine", 0.3, seed=0, setup=small)
    b = trial("cosine", 0.3, seed=0, setup=small)
    assert a == b
    assert set(a) == {"accuracy", "loss", "steps_to_target", "diverged", "diverged_at",
                      "train_loss"}
    assert 0.5 < a["accuracy"] <= 1.0 and not a["diverged"] and a["diverged_at"] is None
    assert 0.0 < a["train_loss"] < 1.0
    wild = trial("constant", 50.0, seed=0, setup=small)
    assert wild["diverged"] and wild["diverged_at"] >= 0 and wild["train_loss"] is None
    with pytest.raises(ValueError, match="`family`"):
        trial("linear", 0.3, seed=0, setup=small)
    assert "one-cycle" in FAMILIES


def test_summarize_and_divergence():
    small = Setup(epochs=1, seeds=(0, 1))
    runs = experiments.run_seeds(0.3, small) + [experiments.run(50.0, 0, small)]
    summary = summarize(runs)
    assert summary.diverged == 1 and math.isfinite(summary.loss_mean)
    assert 0 < summary.accuracy_mean < 1 and "test accuracy" in summary.describe()
    with pytest.raises(ValueError, match="`runs`"):
        summarize([])
