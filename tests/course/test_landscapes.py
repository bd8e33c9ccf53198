"""lrlib.course.landscapes: gradients and Hessians against finite differences, minimisers, shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.course.landscapes import DoubleWell, GaussianWells, MultiMinima, Quadratic, Rosenbrock

LANDSCAPES = [Quadratic(), Quadratic(curvatures=(3.0,)), Quadratic((1.0, 2.0, 5.0)),
              DoubleWell(), Rosenbrock(), MultiMinima()]
IDS = [repr(L) for L in LANDSCAPES]


def numerical_gradient(f, x, eps=1e-6):
    eye = np.eye(x.shape[-1])
    return np.stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in eye], axis=-1)


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=IDS)
def test_gradient_and_hessian_match_finite_differences(landscape):
    x = np.random.default_rng(1).uniform(-1.5, 1.5, size=(7, landscape.dim))
    np.testing.assert_allclose(landscape.grad(x), numerical_gradient(landscape.loss, x),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(landscape.hessian(x), numerical_gradient(landscape.grad, x),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=IDS)
def test_minima_are_stationary_local_minima(landscape):
    minima = landscape.minima
    assert minima.shape[1] == landscape.dim
    np.testing.assert_allclose(landscape.grad(minima), 0.0, atol=1e-8)
    assert np.all(np.linalg.eigvalsh(landscape.hessian(minima)) > 0)
    assert np.all(np.diff(landscape.minimum_losses) >= 0)  # global minimum first
    # No point of a fine grid over the window is lower than the global minimum.
    if landscape.dim <= 2:
        grid = landscape.grid(150)
        assert np.min(grid[-1]) >= landscape.lowest_loss - 1e-9


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=IDS)
def test_vectorised_over_leading_axes(landscape):
    x = np.zeros((2, 3, landscape.dim)) + 0.3
    assert landscape.loss(x).shape == (2, 3)
    assert landscape.grad(x).shape == (2, 3, landscape.dim)
    assert landscape.hessian(x).shape == (2, 3, landscape.dim, landscape.dim)
    np.testing.assert_allclose(landscape.loss(x)[1, 2], landscape.loss(x[1, 2]))


def test_double_well_has_a_sharp_shallow_and_a_wide_deep_minimum():
    well = DoubleWell()
    sharp, wide = well.sharp_minimum, well.wide_minimum
    assert well.loss(wide) < well.loss(sharp)
    assert well.sharpness(sharp) > 40 and well.sharpness(wide) < 3
    np.testing.assert_allclose(well.global_minimum, wide)


def test_multi_minima_has_one_wide_global_and_sharp_locals():
    surface = MultiMinima()
    assert len(surface.minima) == 4
    sharpness = surface.sharpness(surface.minima)
    assert sharpness[0] < 3 and np.all(sharpness[1:] > 10)


def test_quadratic_theory_helpers():
    bowl = Quadratic((1.0, 10.0))
    assert bowl.stability_limit == pytest.approx(0.2)
    assert bowl.best_learning_rate == pytest.approx(2 / 11)
    assert bowl.condition_number == pytest.approx(10)
    assert bowl.contraction(bowl.best_learning_rate) == pytest.approx(9 / 11)


def test_nearest_minimum():
    well = DoubleWell()
    points = np.array([[well.sharp_minimum[0] + 0.01], [well.wide_minimum[0]], [0.5]])
    assert well.nearest_minimum(points).tolist() == [1, 0, -1]


@settings(deadline=None, max_examples=30)
@given(st.lists(st.floats(0.01, 100.0), min_size=1, max_size=4))
def test_quadratic_loss_is_half_sum_of_curvature_times_square(curvatures):
    bowl = Quadratic(curvatures)
    x = np.arange(1, len(curvatures) + 1, dtype=float)
    assert bowl.loss(x) == pytest.approx(0.5 * np.sum(np.array(curvatures) * x**2))


@pytest.mark.parametrize("factory,argument", [
    (lambda: Quadratic(curvatures=(1.0, -1.0)), "curvatures"),
    (lambda: Quadratic(curvatures=()), "curvatures"),
    (lambda: Quadratic().loss([1.0, 2.0, 3.0]), "x"),
    (lambda: Rosenbrock(b=0), "b"),
    (lambda: GaussianWells([[0.0]], [1.0], [0.0]), "widths"),
    (lambda: GaussianWells([[0.0]], [1.0, 2.0], [1.0]), "depths"),
    (lambda: DoubleWell().nearest_minimum([0.0], tolerance=0), "tolerance"),
])
def test_bad_arguments(factory, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        factory()
