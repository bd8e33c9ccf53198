"""lrlib.course.annealing: the companion of the chapter "Annealing"."""

import math

import ipywidgets
import numpy as np
import pytest

from lrlib.course import annealing
from lrlib.course.basins import settled_minima
from lrlib.course.descent import descend_many
from lrlib.course.landscapes import DoubleWell
from lrlib.course.widgets import live, render, small_multiples
from lrlib.schedules import CosineAnnealing, WarmRestarts


# -- cooling a noisy double well, and warm restarts --------------------------------------------

def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_cooling_slowly_beats_quenching_and_staying_hot():
    well = DoubleWell()
    wide = {}
    for kind in annealing.COOLINGS:
        runs = annealing.cooling_runs(kind)
        wide[kind] = annealing.final_basins(well, runs)[0]
        assert not runs.diverged.any()
    assert wide["anneal"] > 1.5 * wide["hot"] > 3 * wide["quench"]


def test_cooling_schedules():
    assert annealing.cooling_schedule("hot") == annealing.COOLING_SETUP["learning_rate"]
    quench = annealing.cooling_schedule("quench")
    assert isinstance(quench, CosineAnnealing) and quench.decay_steps == 100
    assert annealing.cooling_schedule("anneal").decay_steps == 1000
    with pytest.raises(ValueError, match="`kind`"):
        annealing.cooling_schedule("slow")


def test_cooling_draws_one_titled_panel_per_kind():
    fig = small_multiples(annealing.cooling, "kind", list(annealing.COOLINGS), ncols=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.split(":")[0] for t in titles] == list(annealing.COOLINGS)
    assert all("wide" in t and "mean loss" in t for t in titles)


def test_restart_schedule_is_plain_cosine_when_the_first_cycle_fills_the_budget():
    budget = annealing.RESTART_SETUP["budget"]
    assert isinstance(annealing.restart_schedule(budget), CosineAnnealing)
    assert isinstance(annealing.restart_schedule(budget // 2), WarmRestarts)


def test_a_restart_throws_the_late_run_out_of_the_sharp_minimum():
    well = DoubleWell()
    budget = annealing.RESTART_SETUP["budget"]
    plain, plain_spread = annealing.restart_runs(budget)
    restarted, restarted_spread = annealing.restart_runs(budget // 2)
    assert settled_minima(well, plain).tolist() == [1]       # trapped in the sharp minimum
    assert settled_minima(well, restarted).tolist() == [0]   # escaped to the wide one
    before_restart = restarted.points[budget // 2 - 1, 0]
    assert well.nearest_minimum(before_restart).tolist() == 1
    assert np.sum(settled_minima(well, plain_spread) == 1) > 0
    assert np.sum(settled_minima(well, restarted_spread) == 1) == 0


def test_a_floor_above_two_over_lambda_forbids_the_sharp_minimum():
    well = DoubleWell()
    limit = 2 / float(well.sharpness(well.sharp_minimum))
    single, spread = annealing.restart_runs(annealing.RESTART_SETUP["budget"],
                                            minimum_learning_rate=1.1 * limit)
    assert np.sum(settled_minima(well, spread) == 1) == 0
    assert settled_minima(well, single).tolist() == [0]


@pytest.mark.parametrize("params", [
    {"first_cycle_steps": 20, "minimum_learning_rate": 0.0, "cycle_multiplier": 1.0},
    {"first_cycle_steps": 20, "minimum_learning_rate": 0.1, "cycle_multiplier": 3.0},
    {"first_cycle_steps": 420, "minimum_learning_rate": 0.1, "cycle_multiplier": 3.0},
    {"first_cycle_steps": 150, "minimum_learning_rate": 0.05, "cycle_multiplier": 1.75},
])
def test_warm_restarts_draws_at_the_slider_extremes(params):
    fig = render(annealing.warm_restarts, **params)
    assert len(fig.axes) == 3 and all(ax.get_title() for ax in fig.axes)
    assert not any("diverged" in t for t in texts(fig))


def test_warm_restarts_says_when_it_diverges():
    fig = render(annealing.warm_restarts, first_cycle_steps=100, learning_rate=60.0)
    assert any("diverged at step" in t for t in texts(fig))


def test_warm_restarts_live_controls():
    controls = annealing.warm_restarts_controls()
    assert set(controls) == {"first_cycle_steps", "minimum_learning_rate", "cycle_multiplier"}
    assert controls["minimum_learning_rate"].max < annealing.RESTART_SETUP["learning_rate"]
    widget = live(annealing.warm_restarts, **controls)
    assert isinstance(widget, ipywidgets.VBox)


def test_warm_restarts_bad_arguments():
    with pytest.raises(ValueError, match="`first_cycle_steps`"):
        render(annealing.warm_restarts, first_cycle_steps=0)
    with pytest.raises(ValueError, match="`minimum_learning_rate`"):
        render(annealing.warm_restarts, minimum_learning_rate=-0.1)
    with pytest.raises(ValueError, match="`cycle_multiplier`"):
        render(annealing.warm_restarts, first_cycle_steps=100, cycle_multiplier=0.5)


# -- checkers --------------------------------------------------------------------------------

def test_quarter_way():
    assert annealing.check_quarter_way(0.5 * (1 + math.cos(math.pi / 4)), 0.75)
    assert not annealing.check_quarter_way(..., 0.75)
    assert "½(1 + cos" in annealing.check_quarter_way(math.cos(math.pi / 4), 0.75).message
    assert not annealing.check_quarter_way(0.854, 0.25)
    assert not annealing.check_quarter_way("high", 0.75)


def test_second_restart():
    assert annealing.check_second_restart(110)
    assert not annealing.check_second_restart(...)
    assert "add the first two" in annealing.check_second_restart(100).message
    assert not annealing.check_second_restart(111)


def sgdr(step):
    start, length, peak = 0, 100, 0.1
    while step >= start + length:
        start, length, peak = start + length, 2 * length, peak / 2
    return peak * 0.5 * (1 + math.cos(math.pi * (step - start) / length))


def test_check_warm_restarts_accepts_a_plain_python_solution_and_the_lrlib_class():
    assert annealing.check_warm_restarts(sgdr)
    assert annealing.check_warm_restarts(WarmRestarts(0.1, 100, 2.0, 0.5))
    assert not annealing.check_warm_restarts(...)


def test_check_warm_restarts_explains_typical_mistakes():
    every_100 = annealing.check_warm_restarts(WarmRestarts(0.1, 100, 1.0, 0.5))
    assert not every_100 and "100 + 200 = 300" in every_100.message
    same_peaks = annealing.check_warm_restarts(WarmRestarts(0.1, 100, 2.0, 1.0))
    assert not same_peaks and "half the one before" in same_peaks.message
    assert not annealing.check_warm_restarts(lambda step: 1 / 0)
    assert not annealing.check_warm_restarts(0.1)


def test_forbidding_floor():
    well = DoubleWell()
    limit = 2 / float(well.sharpness(well.sharp_minimum))
    assert annealing.check_forbidding_floor(limit) and annealing.check_forbidding_floor(0.045)
    assert "2/λ" in annealing.check_forbidding_floor(limit / 2).message
    assert not annealing.check_forbidding_floor(0.2)
    assert not annealing.check_forbidding_floor(...)
    # Just below 2/λ the sharp minimum still holds runs: not accepted, and said why.
    below = annealing.check_forbidding_floor(0.98 * limit)
    assert not below and "just below" in below.message
    assert not annealing.check_forbidding_floor(0.0449)
    assert "smallest" in annealing.check_forbidding_floor(1.2 * limit).message


def test_constant_rates_either_side_of_two_over_lambda_settle_or_not():
    well = DoubleWell()
    start = well.sharp_minimum[None, :] + 0.01
    settles = {eta: int(settled_minima(well, descend_many(well, start, eta, 3000))[0])
               for eta in (0.0449, 0.0451, 0.05)}
    assert settles == {0.0449: 1, 0.0451: -1, 0.05: -1}


def test_cooling_shapes_same_peak_same_budget():
    eta, steps = annealing.COOLING_SETUP["learning_rate"], annealing.COOLING_SETUP["steps"]
    for shape in annealing.COOLING_SHAPES:
        rates = annealing.shape_rates(shape)
        assert rates.shape == (steps,) and rates[0] == pytest.approx(eta)
        assert np.all(np.diff(rates) <= 1e-15)                   # never rises
    assert np.allclose(annealing.shape_rates("cosine"),
                       CosineAnnealing(eta, steps)(np.arange(steps)))
    late = annealing.shape_rates("step ÷10 at 50% and 75%")
    assert np.sum(late >= eta / 2) == 500 and late[-1] == pytest.approx(eta / 100)
    with pytest.raises(ValueError, match="`shape`"):
        annealing.shape_rates("gentle")


def test_time_at_a_high_rate_not_a_gentle_start_decides():
    table = annealing.shape_table(["cosine", "exponential to 1%", "step ÷10 at 50% and 75%"],
                                  seeds=(0,))
    late, cosine = table["step ÷10 at 50% and 75%"], table["cosine"]
    assert abs(late["wide_mean"] - cosine["wide_mean"]) < 0.05
    assert table["exponential to 1%"]["wide_mean"] < cosine["wide_mean"] - 0.2
    assert table["exponential to 1%"]["hot_steps"] < late["hot_steps"]


def test_cooling_shape_draws_rates_and_ends():
    fig = render(annealing.cooling_shape, shape="exponential to 1%")
    assert len(fig.axes) == 2 and "151 steps" in fig.axes[0].get_title()
    assert all(ax.get_xlabel() for ax in fig.axes)
    assert isinstance(live(annealing.cooling_shape, **annealing.cooling_shape_controls()),
                      ipywidgets.VBox)


class _Run:
    def __init__(self, accuracy):
        self.final_accuracy = accuracy


def test_the_verdict_checker_uses_the_one_paired_interval():
    from lrlib.course.stats import paired_difference

    assert not hasattr(annealing, "paired_interval")  # one definition: lrlib.course.stats
    results = {"cosine from 1.0": [_Run(a) for a in (0.9667, 0.9733, 0.9778)],
               "constant 0.3 (baseline)": [_Run(a) for a in (0.9689, 0.9778, 0.9800)]}
    d = paired_difference([0.9667, 0.9733, 0.9778], [0.9689, 0.9778, 0.9800])
    lo, hi = d.low, d.high
    assert lo < 0 < hi
    assert annealing.check_paired_verdict(results, lo, hi, "within noise")
    # The exercise's t = 4.30 (for 4.3027) is within the tolerance.
    half = 4.30 * d.std / np.sqrt(3)
    assert annealing.check_paired_verdict(results, d.mean - half, d.mean + half, "Within noise")
    wrong = annealing.check_paired_verdict(results, lo, hi, "worse")
    assert not wrong and "one side of 0" in wrong.message and "verdict is not" in wrong.message
    normal = 1.96 * d.std / np.sqrt(3)
    assert "Student" in annealing.check_paired_verdict(
        results, d.mean - normal, d.mean + normal, "within noise").message
    assert "ddof=1" in annealing.check_paired_verdict(
        results, d.mean - half * np.sqrt(2 / 3), d.mean + half * np.sqrt(2 / 3), "x").message
    outside = annealing.check_paired_verdict(results, hi, lo, "within noise")
    assert not outside and "outside what the question allows" in outside.message
    assert not annealing.check_paired_verdict(results, ..., ..., ...)
