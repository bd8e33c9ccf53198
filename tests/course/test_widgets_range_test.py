"""lrlib.course.widgets.range_test: cached range tests, the figure, runs at a rate, the plateau plot."""

import numpy as np
import pytest

from lrlib.course.runs import Setup
from lrlib.course.plots import new_figure
from lrlib.schedules import PlateauScaled
from lrlib.course.training import train
from lrlib.callbacks import ReduceScaleOnPlateau
from lrlib.course.widgets import render, small_multiples
from lrlib.course.widgets import range_test as rt

TINY = Setup(epochs=1, seeds=(0,))


def test_range_tests_are_cached_by_their_settings():
    first = rt.range_test(steps=20, max_learning_rate=100.0)
    assert rt.range_test(steps=20, max_learning_rate=100.0) is first
    assert rt.range_test(steps=21, max_learning_rate=100.0) is not first
    assert first.planned_steps == 20
    with pytest.raises(ValueError, match="`steps`"):
        rt.range_test(steps=2)


def test_the_figure_names_the_ramp_and_where_it_blew_up():
    fig = render(rt.range_test_experiment, steps=20, max_learning_rate=100.0)
    title = fig.axes[0].get_title()
    test = rt.range_test(steps=20, max_learning_rate=100.0)
    if test.stopped_at is None:
        assert title == "SGD, ramp of 20 steps: the loss never blew up"
    else:
        assert title == f"SGD, ramp of 20 steps: blew up at {test.divergence_rate:.2g}"
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any(label.startswith("valley: ") for label in labels)
    grid = small_multiples(rt.range_test_experiment, "steps", [20, 21], max_learning_rate=100.0)
    assert len(grid.axes) == 2


def test_a_ramp_that_stays_low_never_blows_up():
    fig = render(rt.range_test_experiment, steps=20, max_learning_rate=1e-3)
    assert fig.axes[0].get_title().endswith("the loss never blew up")


def test_controls():
    controls = rt.range_test_experiment_controls()
    assert set(controls) == {"steps", "max_learning_rate", "smoothing", "optimizer"}
    assert controls["steps"].value == 100 and controls["optimizer"].value == "sgd"


def test_runs_at_trains_once_per_seed_and_caches():
    runs = rt.runs_at(0.1, TINY)
    assert len(runs) == 1 and runs[0].steps_per_epoch == 43
    assert rt.runs_at(0.1, TINY)[0] is runs[0]
    np.testing.assert_allclose(runs[0].learning_rates, 0.1, rtol=1e-6)
    with pytest.raises(ValueError, match="`learning_rate`"):
        rt.runs_at(-1.0, TINY)
    with pytest.raises(ValueError, match="`setup`"):
        rt.runs_at(0.1, setup="common")


def test_plateau_plot_marks_each_reduction():
    schedule = PlateauScaled(0.1)
    plateau = ReduceScaleOnPlateau(schedule, monitor="loss", patience=1, min_delta=10.0)
    run = train(schedule, epochs=3, seed=0, callbacks=[plateau])
    assert len(plateau.reductions) == 2
    _, axes = new_figure(1, 2)
    rt.plot_plateau_run(axes[0], {"with plateaus": run}, plateau.reductions)
    dotted = [line for line in axes[0, 1].get_lines() if line.get_linestyle() == ":"]
    assert len(dotted) == 2
    assert axes[0, 0].get_yscale() == "log"
