"""lrlib.course.descent: the update rule, divergence reporting, schedules, momentum, noise, bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.course.descent import LANDSCAPE_DIVERGENCE_FACTOR, descend_many, gradient_descent
from lrlib.course.landscapes import DoubleWell, MultiMinima, Quadratic, Rosenbrock
from lrlib.schedules import StepDecay


def test_one_dimensional_quadratic_follows_the_closed_form():
    bowl = Quadratic(curvatures=(10.0,))
    run = gradient_descent(bowl, [1.0], learning_rate=0.05, steps=20)
    np.testing.assert_allclose(run.points[:, 0], (1 - 0.05 * 10) ** np.arange(21))
    assert run.points.shape == (21, 1) and run.losses.shape == (21,)
    assert run.learning_rates.shape == (20,) and not run.diverged and run.diverged_at is None


@pytest.mark.parametrize("eta,converges", [(0.05, True), (0.15, True), (0.199, True),
                                           (0.201, False), (0.3, False)])
def test_stability_bound_two_over_lambda(eta, converges):
    bowl = Quadratic(curvatures=(10.0,))
    run = gradient_descent(bowl, [1.0], eta, steps=5000)
    assert run.diverged is (not converges)
    if converges:
        assert run.final_loss < 1e-6


def test_divergence_is_reported_not_raised_and_arrays_are_cut():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        run = gradient_descent(Rosenbrock(), [-1.5, 2.0], learning_rate=0.01, steps=500)
    assert run.diverged and run.diverged_at > 0
    assert len(run.points) == run.diverged_at == len(run.learning_rates) + 1
    assert np.all(np.isfinite(run.points)) and np.all(np.isfinite(run.losses))
    assert run.describe() == f"diverged at step {run.diverged_at}"


def test_divergence_threshold():
    bowl = Quadratic(curvatures=(1.0,))
    run = gradient_descent(bowl, [1.0], learning_rate=3.0, steps=100)  # |1 - 3| = 2 per step
    assert run.diverged
    assert run.losses[-1] <= LANDSCAPE_DIVERGENCE_FACTOR * 1.0 < 0.5 * (2.0 ** run.diverged_at) ** 2


def test_schedule_and_array_learning_rates():
    bowl = Quadratic(curvatures=(1.0,))
    schedule = StepDecay(0.5, drop_factor=0.5, drop_every=3)
    run = gradient_descent(bowl, [1.0], schedule, steps=9)
    np.testing.assert_allclose(run.learning_rates, [0.5] * 3 + [0.25] * 3 + [0.125] * 3)
    expected = np.prod([1 - r for r in run.learning_rates])
    assert run.final_point[0] == pytest.approx(expected)
    same = gradient_descent(bowl, [1.0], run.learning_rates, steps=9)
    np.testing.assert_allclose(same.points, run.points)


def test_momentum_matches_keras_sgd_update():
    bowl = Quadratic(curvatures=(2.0,))
    run = gradient_descent(bowl, [1.0], 0.1, steps=3, momentum=0.9)
    x, v = 1.0, 0.0
    for _ in range(3):
        v = 0.9 * v - 0.1 * 2.0 * x
        x = x + v
    assert run.final_point[0] == pytest.approx(x)


def test_noise_is_seeded_and_deterministic():
    well = DoubleWell()
    a = gradient_descent(well, [-1.0], 0.01, 100, noise=1.0, seed=3)
    b = gradient_descent(well, [-1.0], 0.01, 100, noise=1.0, seed=3)
    c = gradient_descent(well, [-1.0], 0.01, 100, noise=1.0, seed=4)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)


def test_descend_many_agrees_with_single_runs_and_freezes_diverged_runs():
    surface = MultiMinima()
    starts = np.array([[0.0, 0.0], [-1.4, 1.4], [2.5, -2.5]])
    many = descend_many(surface, starts, 0.05, steps=200)
    for i, start in enumerate(starts):
        single = gradient_descent(surface, start, 0.05, steps=200)
        np.testing.assert_allclose(many.final_points[i], single.final_point)
    bowl = Quadratic(curvatures=(1.0, 10.0))
    mixed = descend_many(bowl, np.array([[1.0, 0.0], [0.0, 1.0]]), 0.25, steps=100)
    assert mixed.diverged.tolist() == [False, True]
    assert mixed.diverged_at[0] == -1 and mixed.diverged_at[1] > 0
    assert np.all(np.isfinite(mixed.points))


@settings(deadline=None, max_examples=60)
@given(eta=st.floats(1e-4, 100.0), x0=st.floats(-50, 50), momentum=st.floats(0, 0.99),
       noise=st.floats(0, 10), curvature=st.floats(0.01, 1000.0))
def test_never_nan_never_raises(eta, x0, momentum, noise, curvature):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gradient_descent(Quadratic((curvature,)), [x0], eta, 200, momentum, noise, seed=0)
    assert np.all(np.isfinite(run.points)) and np.all(np.isfinite(run.losses))
    assert run.diverged == (run.diverged_at is not None)


@pytest.mark.parametrize("kwargs,argument", [
    ({"x0": [1.0, 2.0]}, "x0"),
    ({"x0": [float("nan")]}, "x0"),
    ({"x0": "one"}, "x0"),
    ({"learning_rate": 0.0}, "learning_rate"),
    ({"learning_rate": -0.1}, "learning_rate"),
    ({"learning_rate": [0.1, 0.1]}, "learning_rate"),
    ({"learning_rate": lambda t: -1.0}, "learning_rate"),
    ({"learning_rate": "fast"}, "learning_rate"),
    ({"steps": 0}, "steps"),
    ({"steps": 1.5}, "steps"),
    ({"momentum": 1.0}, "momentum"),
    ({"noise": -1.0}, "noise"),
    ({"seed": -2}, "seed"),
    ({"landscape": "bowl"}, "landscape"),
])
def test_bad_input_raises_value_error_naming_it(kwargs, argument):
    arguments = {"landscape": Quadratic((1.0,)), "x0": [1.0], "learning_rate": 0.1, "steps": 10}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=f"`{argument}`"):
        gradient_descent(**arguments)


def test_descend_many_needs_a_matrix_of_starts():
    with pytest.raises(ValueError, match="`starts`"):
        descend_many(Quadratic(), [1.0, 1.0], 0.1, 10)
