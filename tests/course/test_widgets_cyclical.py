"""lrlib.course.widgets.cyclical: a cyclical rate throws runs out of sharp minima."""

import ipywidgets
import numpy as np
import pytest

from lrlib.course.basins import basin_shares, settled_minima
from lrlib.course.landscapes import MultiMinima
from lrlib.schedules import CyclicalLearningRate
from lrlib.course.widgets import live, render, small_multiples
from lrlib.course.widgets import cyclical
from lrlib.course.widgets.cyclical import SETTLE


def escaped(upper, mode="triangular"):
    from_sharp, _ = cyclical.cyclical_runs(upper=upper, mode=mode)
    return int(np.sum(settled_minima(MultiMinima(), from_sharp, last=SETTLE) == 0))


def test_the_upper_bound_decides_whether_runs_leave_the_sharp_minima():
    assert escaped(0.2) == 0      # above 2/lambda of the sharp minima, but not enough to leave
    assert 0 < escaped(0.4) < 3
    assert escaped(0.7) == 3      # default: every run ends in the wide minimum
    _, grid = cyclical.cyclical_runs(upper=0.7)
    assert basin_shares(MultiMinima(), grid, last=SETTLE)[0] == 1.0


def test_triangular2_halves_the_kick_and_keeps_more_runs_in_sharp_minima():
    landscape = MultiMinima()
    shares = {mode: basin_shares(landscape, cyclical.cyclical_runs(upper=0.4, mode=mode)[1],
                                 last=SETTLE)[0]
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


def test_bad_arguments():
    with pytest.raises(ValueError, match="`maximal_learning_rate`"):
        render(cyclical.cyclical_escape, lower=0.5, upper=0.2)
    with pytest.raises(ValueError, match="`mode`"):
        render(cyclical.cyclical_escape, mode="sine")
