"""lrlib.course.basins: the outcome rule, basin maps over rates, shares, quench, plots."""

import matplotlib
import numpy as np
import pytest

from lrlib.course.basins import basin_shares, critical_points, settled_minima, steps_to_leave
from lrlib.course import basins
from lrlib.course.descent import descend_many, gradient_descent
from lrlib.course.landscapes import DoubleWell, MultiMinima, Quadratic
from lrlib.course.plots import new_figure

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


def test_orbits_equal_basin_map_runs_and_show_period_doubling(well):
    rates = np.array([0.03, 0.06, 0.083, 0.13, 0.17])
    orb = basins.orbits(well, [-1.3], rates, 600, keep=100)
    ref = basins.basin_map(well, np.array([[-1.3]]), rates, 600, keep=100)
    np.testing.assert_array_equal(orb.tails, ref.tails)
    np.testing.assert_array_equal(orb.outcomes, ref.outcomes)
    periods = [basins.orbit_period(tail) for tail in orb.tails[:, :, 0, 0]]
    assert periods == [1, 2, 4, 0, 1]
    assert orb.outcomes[:, 0].tolist() == [1, -1, -1, -1, 0]
    assert np.all(orb.tails[3] < -0.49)  # chaotic, yet trapped left of the barrier


def test_orbits_report_divergence_and_validate():
    bowl = Quadratic(curvatures=(10.0,))
    orb = basins.orbits(bowl, [1.0], [0.1, 0.3], 100, keep=5)
    assert orb.outcomes[:, 0].tolist() == [0, basins.DIVERGED]
    assert np.all(np.isfinite(orb.tails))
    with pytest.raises(ValueError, match="`start`"):
        basins.orbits(bowl, [1.0, 2.0], [0.1], 10)
    with pytest.raises(ValueError, match="`rates`"):
        basins.orbits(bowl, [1.0], [], 10)
    with pytest.raises(ValueError, match="`max_period`"):
        basins.orbit_period([1.0, 2.0], max_period=0)
    assert basins.orbit_period(np.arange(10.0)) == 0


def test_noisy_outcomes_repeats_each_start_with_its_own_noise():
    surface = MultiMinima()
    grid = basins.start_grid(surface, 3)
    ends = basins.noisy_outcomes(surface, grid, 0.04, 300, noise=4.0, seed=1, repeats=3)
    assert ends.shape == (3, 9)
    assert not np.array_equal(ends[0], ends[1]) or not np.array_equal(ends[1], ends[2])
    plain = basins.noisy_outcomes(surface, grid, 0.04, 300, noise=0.0, seed=1, repeats=3)
    assert plain.shape == (3, 9) and np.all(plain == plain[0])
    single = basins.noisy_outcomes(surface, grid, 0.04, 300, noise=0.0, seed=1)
    np.testing.assert_array_equal(single, plain[0])
    with pytest.raises(ValueError, match="`repeats`"):
        basins.noisy_outcomes(surface, grid, 0.04, 10, noise=1.0, seed=0, repeats=0)


def test_plot_orbits_and_positions(well):
    orb = basins.orbits(well, [-1.3], np.linspace(0.03, 0.2, 20), 200, keep=20)
    fig, axes = new_figure(1, 2, width=10)
    basins.plot_orbits(axes[0, 0], orb, well, marks={"escape": 0.16}, barrier=-0.49)
    labels = [t.get_text() for t in axes[0, 0].get_legend().get_texts()]
    assert "escape" in labels and any("barrier" in label for label in labels)
    assert axes[0, 0].get_xlim() == (0.03, 0.2)
    runs = {"a": gradient_descent(well, [-1.3], 0.02, 50),
            "b": gradient_descent(Quadratic(curvatures=(10.0,)), [1.0], 0.3, 50)}
    basins.plot_positions(axes[0, 1], well, runs)
    assert any("diverged at step" in t.get_text() for t in axes[0, 1].texts)
    with pytest.raises(ValueError, match="tails"):
        basins.plot_orbits(axes[0, 0], basins.orbits(well, [-1.3], [0.1], 50, keep=0), well)
    with pytest.raises(ValueError, match="1-D"):
        basins.plot_positions(axes[0, 1], MultiMinima(), runs)


# -- the short forms used by Part II, critical points, leaving a point -----------------

def test_settled_minima_reads_where_each_run_ends():
    well = DoubleWell()
    runs = descend_many(well, np.array([[-1.2], [1.0], [2.5]]), 0.01, steps=2000)
    assert settled_minima(well, runs).tolist() == [1, 0, 0]
    shares = basin_shares(well, runs)
    assert shares == pytest.approx({0: 2 / 3, 1: 1 / 3, -1: 0.0})
    assert sum(shares.values()) == pytest.approx(1.0)


def test_a_run_still_moving_or_diverged_has_settled_nowhere():
    well = DoubleWell()
    moving = descend_many(well, np.array([[-2.5]]), 0.001, steps=30)  # far from any minimum
    assert settled_minima(well, moving).tolist() == [-1]
    bowl = Quadratic(curvatures=(10.0,))
    blown = descend_many(bowl, np.array([[1.0]]), 0.5, steps=50)
    assert blown.diverged[0] and settled_minima(bowl, blown).tolist() == [-1]
    assert basin_shares(bowl, blown) == {0: 0.0, -1: 1.0}


def test_settled_needs_the_last_points_in_one_place():
    well = DoubleWell()
    # 0.1 is above 2/lambda of the sharp minimum: the run bounces around it without settling.
    bouncing = descend_many(well, np.array([[-1.3]]), 0.1, steps=300)
    assert settled_minima(well, bouncing).tolist() == [-1]
    assert well.nearest_minimum(bouncing.final_points, tolerance=2.0).tolist() == [1]


def test_critical_points_of_the_double_well_and_multi_minima():
    well = DoubleWell()
    found = critical_points(well, np.linspace(-3, 5, 81)[:, None])
    assert len(found["minima"]) == 2 and len(found["saddles"]) == 0  # 1-D: maxima, no saddles
    np.testing.assert_allclose(np.sort(found["minima"][:, 0]), np.sort(well.minima[:, 0]),
                               atol=1e-8)
    landscape = MultiMinima()
    grid = np.stack(np.meshgrid(np.linspace(-2.8, 3.2, 15), np.linspace(-2.8, 2.8, 15)),
                    axis=-1).reshape(-1, 2)
    found = critical_points(landscape, grid)
    assert len(found["minima"]) == len(landscape.minima) == 4
    assert len(found["saddles"]) == 3
    for saddle, curvature in zip(found["saddles"], found["saddle_curvatures"]):
        eigenvalues = np.linalg.eigvalsh(landscape.hessian(saddle))
        assert eigenvalues[0] == pytest.approx(curvature) and eigenvalues[0] < 0 < eigenvalues[1]
        assert np.linalg.norm(landscape.grad(saddle)) < 1e-9


def test_steps_to_leave_a_saddle_shrink_with_the_rate():
    landscape = MultiMinima()
    grid = np.stack(np.meshgrid(np.linspace(-2.8, 3.2, 15), np.linspace(-2.8, 2.8, 15)),
                    axis=-1).reshape(-1, 2)
    found = critical_points(landscape, grid)
    saddle = found["saddles"][np.argmin(found["saddle_curvatures"])]
    start = (saddle + [1e-4, 0.0])[None]
    slow = steps_to_leave(descend_many(landscape, start, 0.02, 300), saddle, 0.3)[0]
    fast = steps_to_leave(descend_many(landscape, start, 0.2, 300), saddle, 0.3)[0]
    assert 0 < fast < slow / 4
    stay = steps_to_leave(descend_many(landscape, start, 0.02, 10), saddle, 0.3)
    assert stay.tolist() == [-1]


def test_bad_arguments_of_the_short_forms():
    well = DoubleWell()
    runs = descend_many(well, np.array([[-1.0]]), 0.01, steps=5)
    with pytest.raises(ValueError, match="`landscape`"):
        settled_minima("well", runs)
    with pytest.raises(ValueError, match="`runs`"):
        basin_shares(well, [1, 2])
    with pytest.raises(ValueError, match="`last`"):
        settled_minima(well, runs, last=0)
    with pytest.raises(ValueError, match="`starts`"):
        critical_points(well, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="`radius`"):
        steps_to_leave(runs, [0.0], radius=0.0)


def test_plot_shares_draws_the_three_shares_and_marks_divergence():
    well = DoubleWell()
    starts = np.linspace(-1.5, 1.5, 20)[:, None]
    calm = descend_many(well, starts, 0.05, 300)
    shares = basin_shares(well, calm)
    ax = new_figure()[1][0, 0]
    basins.plot_shares(ax, shares[0], shares[1], shares[-1], calm, "calm")
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == pytest.approx([shares[0], shares[1], shares[-1]])
    assert ax.get_title() == "calm" and not any("diverged" in t.get_text() for t in ax.texts)
    bowl = Quadratic(curvatures=(1.0, 10.0))  # 0.5 > 2/10: every run diverges
    wild = descend_many(bowl, np.ones((4, 2)), 0.5, 200)
    assert wild.diverged.any()
    ax = new_figure()[1][0, 0]
    basins.plot_shares(ax, 0.0, 0.0, 1.0, wild, "wild")
    first = int(wild.diverged_at[wild.diverged].min())
    assert f"diverged at step {first}" in [t.get_text() for t in ax.texts]
