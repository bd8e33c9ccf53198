"""lrlib.course.comparison: the table and figure that compare schedules on the common setup."""

import numpy as np
import pytest

from lrlib.course.comparison import comparison_figure, final_training_loss, summary_table
from lrlib.schedules import CosineAnnealing
from lrlib.course.training import TrainingRun


def fake_run(seed, accuracy=0.97, loss=0.1, level=0.02, diverged_at=None, epochs=3, spe=4):
    rng = np.random.default_rng(seed)
    steps = epochs * spe
    history = {"val_accuracy": np.linspace(0.8, accuracy, epochs),
               "val_loss": np.linspace(0.5, loss, epochs),
               "loss": np.linspace(1.0, level, epochs),
               "accuracy": np.linspace(0.7, 0.99, epochs)}
    losses = np.geomspace(2.0, level, steps) * (1 + 0.01 * rng.standard_normal(steps))
    return TrainingRun(np.full(steps, 0.1), losses, history, spe, diverged_at, seed)


def test_final_training_loss_is_the_last_epochs_mean_over_seeds():
    runs = [fake_run(0), fake_run(1)]
    expected = np.mean([r.losses[-4:].mean() for r in runs])
    assert final_training_loss(runs) == pytest.approx(expected)
    assert final_training_loss([fake_run(0, diverged_at=3)]) == np.inf
    with pytest.raises(ValueError, match="`runs`"):
        final_training_loss([])


def test_summary_table_is_narrow_and_reports_mean_and_spread():
    results = {"constant 0.3 (baseline)": [fake_run(0, 0.97), fake_run(1, 0.98)],
               "triangular (range test)": [fake_run(2, 0.96), fake_run(3, 0.96)]}
    table = summary_table(results)
    lines = table.splitlines()
    assert len(lines) == 3 and "test accuracy" in lines[0] and "train loss" in lines[0]
    assert "0.975 ± 0.005" in lines[1] and "0.960 ± 0.000" in lines[2]
    assert max(len(line) for line in lines) <= 72
    diverged = summary_table({"too high": [fake_run(0, diverged_at=2), fake_run(1)]})
    assert "(1 diverged)" in diverged


def test_comparison_figure_has_schedules_above_the_curves():
    results = {"a": [fake_run(0), fake_run(1)], "b": [fake_run(2, level=0.005)]}
    schedules = {"a": 0.3, "b": CosineAnnealing(0.3, 12)}
    fig = comparison_figure(schedules, results, total_steps=12)
    ax_rate, ax_loss, ax_acc = fig.axes
    assert ax_rate.get_title() == "The schedules" and len(ax_rate.get_lines()) == 2
    assert ax_loss.get_yscale() == "log" and ax_acc.get_ylabel() == "test accuracy"
    colors = [line.get_color() for line in ax_rate.get_lines()]
    assert colors == [line.get_color() for line in ax_loss.get_lines()][:2]


def test_bad_arguments():
    with pytest.raises(ValueError, match="`results`"):
        summary_table({})
    with pytest.raises(ValueError, match="`results`"):
        summary_table({"a": []})
    with pytest.raises(ValueError, match="`schedules`"):
        comparison_figure({"b": 0.3}, {"a": [fake_run(0)]}, 12)
