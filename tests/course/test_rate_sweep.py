"""lrlib.course.rate_sweep: a sweep knows its best rate and its diverged rates, and draws itself."""

import dataclasses

import numpy as np
import pytest

from lrlib.course.experiments import COMMON
from lrlib.course.plots import new_figure
from lrlib.course.rate_sweep import Sweep, plot_sweep, rate_sweep
from lrlib.course.training import TrainingRun


def fake_run(accuracy, diverged_at=None, steps=20):
    losses = np.linspace(2.0, 0.1, steps if diverged_at is None else diverged_at + 1)
    if diverged_at is not None:
        losses[-1] = 500.0
    history = {key: np.full(2, accuracy) for key in ("accuracy", "val_accuracy")}
    history.update({key: np.full(2, 0.5) for key in ("loss", "val_loss")})
    return TrainingRun(np.full(losses.size, 0.1), losses, history, 10, diverged_at, 0)


def fake_sweep():
    return Sweep("sgd", {
        0.01: [fake_run(0.80), fake_run(0.82)],
        0.1: [fake_run(0.95), fake_run(0.93)],
        0.3: [fake_run(0.94), fake_run(0.94)],   # ties with 0.1 on the mean: smaller wins
        1.0: [fake_run(0.90), fake_run(0.0, diverged_at=4)],
        3.0: [fake_run(0.0, diverged_at=3), fake_run(0.0, diverged_at=5)],
    })


def test_sweep_summaries():
    sweep = fake_sweep()
    assert sweep.rates == [0.01, 0.1, 0.3, 1.0, 3.0]
    assert sweep.mean_accuracy(0.1) == pytest.approx(0.94)
    assert sweep.best_rate == 0.1
    assert sweep.diverged_rates == [3.0]           # 1.0 diverged for one seed only
    assert sweep.diverged_steps(3.0) == [3, 5]
    assert sweep.final_training_loss(1.0) == float("inf")
    assert sweep.final_training_loss(0.1) == pytest.approx(np.linspace(2, 0.1, 20)[-10:].mean())


def test_plot_sweep_marks_divergence_and_the_baseline():
    fig, axes = new_figure(1, 2)
    plot_sweep(axes[0], fake_sweep(), baseline=0.1)
    ax_loss, ax_acc = axes[0]
    labels = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert "$\\eta$ = 3: diverged at steps 3-5" in labels
    assert "$\\eta$ = 1 (1 of 2 diverged)" in labels
    assert ax_loss.get_yscale() == "log" and ax_acc.get_xscale() == "log"
    assert any(t.get_text() == "diverged" for t in ax_acc.texts)
    assert "best: $\\eta$ = 0.1" in [t.get_text() for t in ax_acc.get_legend().get_texts()]


def test_rate_sweep_trains_each_rate_and_seed():
    short = dataclasses.replace(COMMON, epochs=1)
    sweep = rate_sweep([0.3, 50.0], seeds=(0, 1), setup=short)
    assert [len(sweep.runs[rate]) for rate in sweep.rates] == [2, 2]
    assert [run.seed for run in sweep.runs[0.3]] == [0, 1]
    assert sweep.diverged_rates == [50.0] and sweep.best_rate == 0.3
    adam = rate_sweep([1e-2], optimizer="adam", seeds=(0,), setup=short)
    assert adam.optimizer == "adam" and adam.mean_accuracy(1e-2) > 0.5


def test_bad_arguments():
    with pytest.raises(ValueError, match="`rates`"):
        rate_sweep([])
    with pytest.raises(ValueError, match="`rates`"):
        rate_sweep([0.1, -1.0])
    with pytest.raises(ValueError, match="`rates`"):
        rate_sweep([0.1, 0.1])
    with pytest.raises(ValueError, match="`optimizer`"):
        rate_sweep([0.1], optimizer="lbfgs")
    with pytest.raises(ValueError, match="`seeds`"):
        rate_sweep([0.1], seeds=())
