"""lrlib.course.cyclical: the companion of the chapter "Cyclical learning rates"."""

import math

import ipywidgets
import numpy as np
import pytest

from lrlib.course import cyclical
from lrlib.course.basins import basin_shares, settled_minima
from lrlib.course.landscapes import MultiMinima
from lrlib.course.widgets import live, render, small_multiples
from lrlib.range_test import RangeTest
from lrlib.schedules import CyclicalLearningRate, OneCycle


# -- raising the rate again, on purpose --------------------------------------------------------

def escaped(upper, mode="triangular"):
    from_sharp, _ = cyclical.cyclical_runs(upper=upper, mode=mode)
    return int(np.sum(settled_minima(MultiMinima(), from_sharp, last=cyclical.SETTLE) == 0))


def test_the_upper_bound_decides_whether_runs_leave_the_sharp_minima():
    assert escaped(0.2) == 0      # above 2/lambda of the sharp minima, but not enough to leave
    assert 0 < escaped(0.4) < 3
    assert escaped(0.7) == 3      # default: every run ends in the wide minimum
    _, grid = cyclical.cyclical_runs(upper=0.7)
    assert basin_shares(MultiMinima(), grid, last=cyclical.SETTLE)[0] == 1.0


def test_triangular2_halves_the_kick_and_keeps_more_runs_in_sharp_minima():
    landscape = MultiMinima()
    shares = {mode: basin_shares(landscape, cyclical.cyclical_runs(upper=0.4, mode=mode)[1],
                                 last=cyclical.SETTLE)[0]
              for mode in CyclicalLearningRate.MODES}
    assert shares["triangular"] > shares["triangular2"] > shares["exp_range"]


def test_the_schedule():
    schedule = cyclical.cyclical_schedule(0.02, 0.7, 50, "exp_range")
    assert schedule.gamma == cyclical.CYCLICAL_SETUP["gamma"]
    assert cyclical.cyclical_schedule(mode="triangular").gamma == 1.0
    assert schedule(50) == pytest.approx(0.02 + 0.68 * 0.995**50)


def test_small_multiples_over_the_upper_bound():
    fig = small_multiples(cyclical.cyclical_escape, "upper", [0.2, 0.7], ncols=1)
    titles = [ax.get_title() for ax in fig.axes]
    assert "0 of 3 end in the wide one" in titles[1]
    assert "3 of 3 end in the wide one" in titles[4]


@pytest.mark.parametrize("params", [
    {"lower": 0.005, "upper": 5.0, "step_size": 10, "mode": "triangular"},
    {"lower": 0.09, "upper": 0.1, "step_size": 200, "mode": "triangular2"},
    {"lower": 0.005, "upper": 5.0, "step_size": 200, "mode": "exp_range"},
])
def test_cyclical_escape_draws_at_the_slider_extremes(params):
    fig = render(cyclical.cyclical_escape, **params)
    assert len(fig.axes) == 3 and all(ax.get_title() for ax in fig.axes)


def test_live_controls_cannot_cross_the_bounds():
    controls = cyclical.cyclical_escape_controls()
    assert set(controls) == {"lower", "upper", "step_size", "mode"}
    assert 10 ** controls["lower"].max < 10 ** controls["upper"].min
    assert isinstance(live(cyclical.cyclical_escape, **controls), ipywidgets.VBox)


def test_cyclical_escape_bad_arguments():
    with pytest.raises(ValueError, match="`maximal_learning_rate`"):
        render(cyclical.cyclical_escape, lower=0.5, upper=0.2)
    with pytest.raises(ValueError, match="`mode`"):
        render(cyclical.cyclical_escape, mode="sine")


def test_grid_starts_cover_the_landscape():
    landscape = MultiMinima()
    starts = cyclical.grid_starts(landscape)
    assert starts.shape == (cyclical.CYCLICAL_SETUP["grid"] ** 2, 2)
    (x0, x1), (y0, y1) = landscape.bounds
    assert np.all((starts[:, 0] > x0) & (starts[:, 0] < x1))
    assert np.all((starts[:, 1] > y0) & (starts[:, 1] < y1))


# -- the bounds from a range test, and one-cycle as each library has it ------------------------

def synthetic_test(start_falling=0.01, lowest_at=1.0):
    """A range test whose smoothed loss is flat, falls from `start_falling`, bottoms out."""
    rates = np.geomspace(1e-4, 10.0, 101)
    u = np.log10(rates)
    a, b = math.log10(start_falling), math.log10(lowest_at)
    smooth = np.where(u < a, 2.5, 2.5 - 2.0 * ((u - a) / (b - a)))
    smooth = np.where(u > b, 0.5 + 3.0 * (u - b), smooth)
    return RangeTest(rates, smooth.copy(), smooth, stopped_at=None)


def test_range_test_bounds_follow_smiths_rule():
    lower, upper = cyclical.range_test_bounds(synthetic_test(0.01, 1.0))
    assert 0.01 < lower < 0.03          # 10% below the start, a little after it starts falling
    assert upper == pytest.approx(1.0, rel=0.15)  # where the loss stops falling
    lower_5, _ = cyclical.range_test_bounds(synthetic_test(0.01, 1.0), fall=0.05)
    assert lower_5 < lower


def test_range_test_bounds_refuse_a_curve_that_never_falls():
    rates = np.geomspace(1e-4, 1e-2, 50)
    flat = RangeTest(rates, np.full(50, 2.3), np.full(50, 2.3), None)
    with pytest.raises(ValueError, match="never fell"):
        cyclical.range_test_bounds(flat)
    with pytest.raises(ValueError, match="`test`"):
        cyclical.range_test_bounds({"learning_rates": rates})
    with pytest.raises(ValueError, match="`fall`"):
        cyclical.range_test_bounds(synthetic_test(), fall=1.5)


@pytest.mark.parametrize("total", [100, 430, 1000])
def test_pytorch_variant_is_lrlibs_one_cycle(total):
    np.testing.assert_allclose(cyclical.one_cycle_rates("pytorch", 0.5, total),
                               OneCycle(0.5, total)(np.arange(total)), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("total", [100, 430, 1000])
def test_fastai_variant_is_lrlibs_one_cycle_fastai(total):
    np.testing.assert_allclose(cyclical.one_cycle_rates("fastai", 0.5, total),
                               OneCycle.fastai(0.5, total)(np.arange(total)), rtol=1e-9)


def test_the_variants_disagree_where_the_libraries_do():
    total, peak = 1000, 0.5
    rates = {source: cyclical.one_cycle_rates(source, peak, total) for source in cyclical.ONE_CYCLE_SOURCES}
    for source, values in rates.items():
        assert values[0] == pytest.approx(peak / 25), source  # all start at max / 25
        assert values.max() == pytest.approx(peak, rel=1e-3), source
    assert int(rates["pytorch"].argmax()) == 299    # 0.3 T - 1
    assert int(rates["optax"].argmax()) == 300      # int(0.3 T)
    assert int(rates["fastai"].argmax()) == 250     # 25%
    assert int(rates["optax-linear"].argmax()) == 300
    assert rates["pytorch"][-1] == pytest.approx(peak / 25 / 1e4)
    assert rates["fastai"][-1] < 1e-3 * peak and rates["fastai"][-1] > peak / 1e5
    # Smith's linear shape: back to the start at 85%, then the last phase far below it.
    assert rates["optax-linear"][850] == pytest.approx(peak / 25)
    assert np.all(np.diff(rates["optax-linear"][:300]) > 0)
    assert rates["optax-linear"][-1] < rates["optax-linear"][850] / 10


def test_one_cycle_rates_bad_arguments():
    with pytest.raises(ValueError, match="`source`"):
        cyclical.one_cycle_rates("keras", 0.5, 100)
    with pytest.raises(ValueError, match="`maximal_learning_rate`"):
        cyclical.one_cycle_rates("pytorch", 0.0, 100)
    with pytest.raises(ValueError, match="`total_steps`"):
        cyclical.one_cycle_rates("pytorch", 0.5, 4)


# -- checkers --------------------------------------------------------------------------------

def test_rates_at_step_500():
    assert cyclical.check_rates_at_step_500(0.055, 0.0325)
    assert not cyclical.check_rates_at_step_500(..., 0.0325)
    assert "triangular2's value" in cyclical.check_rates_at_step_500(0.0325, 0.0325).message
    assert "lower bound itself" in cyclical.check_rates_at_step_500(0.055, 0.0275).message
    assert not cyclical.check_rates_at_step_500(0.1, 0.0325)


def smith(step):
    cycle = math.floor(1 + step / 4000)
    x = abs(step / 2000 - 2 * cycle + 1)
    return 0.001 + 0.005 * max(0.0, 1 - x) / 2 ** (cycle - 1)


def test_check_triangular2_accepts_smiths_formula():
    assert cyclical.check_triangular2(smith)
    assert cyclical.check_triangular2(CyclicalLearningRate(0.001, 0.006, 2000, "triangular2"))
    assert not cyclical.check_triangular2(...)


def test_check_triangular2_explains_typical_mistakes():
    plain = cyclical.check_triangular2(CyclicalLearningRate(0.001, 0.006, 2000))
    assert not plain and "amplitude should be halved" in plain.message

    def whole_rate_halved(step):
        cycle = math.floor(1 + step / 4000)
        x = abs(step / 2000 - 2 * cycle + 1)
        return (0.001 + 0.005 * max(0.0, 1 - x)) / 2 ** (cycle - 1)

    assert "lower bound stays" in cyclical.check_triangular2(whole_rate_halved).message
    assert not cyclical.check_triangular2(lambda step: "fast")


def test_one_cycle_numbers():
    assert cyclical.check_one_cycle_numbers(128, 0.02, 2e-6)
    assert not cyclical.check_one_cycle_numbers(..., 0.02, 2e-6)
    assert "0.3 T - 1" in cyclical.check_one_cycle_numbers(129, 0.02, 2e-6).message
    assert "starting* rate" in cyclical.check_one_cycle_numbers(128, 0.02, 5e-5).message
    assert not cyclical.check_one_cycle_numbers(128, 0.5, 2e-6)
