"""lrlib.basins: which minimum each run settles in, critical points, leaving a point."""

import numpy as np
import pytest

from lrlib.basins import basin_shares, critical_points, settled_minima, steps_to_leave
from lrlib.descent import descend_many
from lrlib.landscapes import DoubleWell, MultiMinima, Quadratic


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
    assert settled_minima(well, bouncing, last=1, tolerance=2.0).tolist() == [1]


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


def test_bad_arguments():
    well = DoubleWell()
    runs = descend_many(well, np.array([[-1.0]]), 0.01, steps=5)
    with pytest.raises(ValueError, match="`landscape`"):
        settled_minima("well", runs)
    with pytest.raises(ValueError, match="`ensemble`"):
        basin_shares(well, [1, 2])
    with pytest.raises(ValueError, match="`last`"):
        settled_minima(well, runs, last=0)
    with pytest.raises(ValueError, match="`starts`"):
        critical_points(well, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="`radius`"):
        steps_to_leave(runs, [0.0], radius=0.0)
