"""lrlib.basins: the outcome rule, basin maps over rates, shares, quench, plots."""

import matplotlib
import numpy as np
import pytest

from lrlib import basins
from lrlib.descent import descend_many, gradient_descent
from lrlib.landscapes import DoubleWell, MultiMinima, Quadratic
from lrlib.plots import new_figure

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def well():
    return DoubleWell()


def test_outcome_settles_bounces_escapes_on_the_double_well(well):
    ends = {rate: basins.outcome(well, gradient_descent(well, [-1.3], rate, 300))
            for rate in (0.02, 0.1, 0.3)}
    assert ends == {0.02: 1, 0.1: basins.BOUNCING, 0.3: 0}


def test_a_run_that_has_not_arrived_is_travelling_not_bouncing(well):
    run = gradient_descent(well, [-2.5], 0.005, 300)  # the faint bowl: slow going
    assert basins.outcome(well, run) == basins.TRAVELLING
    longer = gradient_descent(well, [-2.5], 0.005, 20000)
    assert basins.outcome(well, longer) == 1


def test_a_small_two_cycle_inside_the_tolerance_is_not_settled():
    bowl = Quadratic(curvatures=(10.0,))
    # eta = 2/lambda exactly: x flips sign forever, 0.02 either side of the minimum.
    run = gradient_descent(bowl, [0.02], 0.2, 100)
    assert np.all(np.abs(run.points) <= 0.05)
    assert basins.outcome(bowl, run) == basins.BOUNCING
    assert basins.outcome(bowl, gradient_descent(bowl, [0.02], 0.05, 100)) == 0


def test_diverged_runs_are_reported(well):
    bowl = Quadratic(curvatures=(10.0,))
    runs = descend_many(bowl, np.array([[1.0], [0.5]]), 0.3, 100)
    assert basins.outcomes(bowl, runs).tolist() == [basins.DIVERGED] * 2
    assert basins.outcome(bowl, gradient_descent(bowl, [1.0], 0.3, 100)) == basins.DIVERGED


def test_outcomes_agree_with_outcome_run_by_run(well):
    starts = np.linspace(-2.5, 4.5, 15)[:, None]
    for rate in (0.01, 0.05, 0.2, 1.0):
        runs = descend_many(well, starts, rate, 400)
        singles = [basins.outcome(well, gradient_descent(well, s, rate, 400)) for s in starts]
        assert basins.outcomes(well, runs).tolist() == singles


def test_basin_map_matches_the_stability_limits(well):
    starts = np.linspace(-2.0, 4.0, 61)[:, None]
    found = basins.basin_map(well, starts, [0.03, 0.06, 0.12, 0.2, 0.5, 1.0], 600, keep=10)
    assert found.outcomes.shape == (6, 61) and found.tails.shape == (6, 10, 61, 1)
    sharp_basin = starts[:, 0] < -0.45  # the barrier is at about -0.49
    limits = 2.0 / well.sharpness(well.minima)  # wide ~0.84, sharp ~0.045
    assert limits[1] < 0.06 and 0.5 < limits[0] < 1.0
    assert np.all(found.outcomes[0, sharp_basin] == 1)          # below 2/lambda: settles
    assert np.all(found.outcomes[1:3, sharp_basin] == basins.BOUNCING)  # trapped, bouncing
    assert np.all(found.outcomes[3:5] == 0)                     # escapes: all end wide
    assert np.all(found.outcomes[5] == basins.BOUNCING)         # above both limits
    shares = found.shares([0, 1])
    assert shares[0][4] == 1.0 and shares[1][0] == pytest.approx(sharp_basin.mean())


def test_shares_and_start_grid():
    assert basins.shares([0, 0, 1, -1], [0, 1, -1, 2]) == {0: 0.5, 1: 0.25, -1: 0.25, 2: 0.0}
    grid = basins.start_grid(MultiMinima(), (4, 3), margin=0.5)
    assert grid.shape == (12, 2)
    assert grid[:, 0].min() == -2.5 and grid[:, 0].max() == 3.0
    assert len(np.unique(grid[:, 1])) == 3
    assert basins.start_grid(DoubleWell(), 5).shape == (5, 1)


def test_noise_helps_at_the_right_dose_on_the_multi_minima_surface():
    surface = MultiMinima()
    grid = basins.start_grid(surface, 6)
    plain = basins.noisy_outcomes(surface, grid, 0.04, 1500, noise=0.0, seed=0)
    noisy = basins.noisy_outcomes(surface, grid, 0.04, 1500, noise=4.0, seed=0)
    assert np.mean(noisy == 0) > np.mean(plain == 0) + 0.15
    again = basins.noisy_outcomes(surface, grid, 0.04, 1500, noise=4.0, seed=0)
    np.testing.assert_array_equal(noisy, again)  # seeded


def test_settle_finds_the_basin_of_each_point():
    surface = MultiMinima()
    near = surface.minima + 0.1
    assert basins.settle(surface, near).tolist() == [0, 1, 2, 3]


def test_describe_and_labels(well):
    names = {0: "the wide minimum", 1: "the sharp minimum"}
    assert basins.describe(well, 1, names) == "settles in the sharp minimum"
    assert basins.describe(well, basins.BOUNCING) == "bounces, never settles"
    assert basins.describe(well, basins.DIVERGED) == "diverged"
    assert set(basins.outcome_colors(well)) == set(basins.outcome_labels(well))


def test_plots_draw(well):
    found = basins.basin_map(well, np.linspace(-2, 4, 20)[:, None], [0.02, 0.1, 0.3], 200)
    fig, axes = new_figure(1, 2, width=10)
    basins.plot_basin_map(axes[0, 0], found, well, names={1: "the sharp minimum"})
    ax = axes[0, 0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "start $x_0$"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "the sharp minimum" in labels and "bounces, never settles" in labels
    assert any("2/\\lambda" in t.get_text() for t in ax.texts)
    surface = MultiMinima()
    runs = descend_many(surface, basins.start_grid(surface, 3), 0.02, 300)
    basins.plot_runs(axes[0, 1], surface, runs, basins.outcomes(surface, runs))
    assert len(axes[0, 1].lines) >= 2 * 9


def test_bad_arguments(well):
    runs = descend_many(well, np.array([[0.0]]), 0.1, 10)
    with pytest.raises(ValueError, match="`last`"):
        basins.outcomes(well, runs, last=50)
    with pytest.raises(ValueError, match="`runs`"):
        basins.outcomes(well, "runs")
    with pytest.raises(ValueError, match="`landscape`"):
        basins.outcomes("well", runs)
    with pytest.raises(ValueError, match="`tolerance`"):
        basins.outcomes(well, runs, last=5, tolerance=0)
    with pytest.raises(ValueError, match="`rates`"):
        basins.basin_map(well, np.array([[0.0]]), [0.1, -1.0], 50)
    with pytest.raises(ValueError, match="`keep`"):
        basins.basin_map(well, np.array([[0.0]]), [0.1], 50, keep=100)
    with pytest.raises(ValueError, match="`code`"):
        basins.describe(well, 7)
    with pytest.raises(ValueError, match="`codes_found`"):
        basins.shares([], [0])
    with pytest.raises(ValueError, match="`margin`"):
        basins.start_grid(well, 3, margin=10)
    fig, axes = new_figure()
    with pytest.raises(ValueError, match="1-D"):
        basins.plot_basin_map(axes[0, 0], None, MultiMinima())
