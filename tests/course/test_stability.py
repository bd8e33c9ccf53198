"""lrlib.course.stability: the quadratic theory, and full-batch descent with measured sharpness."""

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.course.curvature import sharpness
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import Quadratic
from lrlib.course.plots import new_figure
from lrlib.course.stability import (FullBatchRun, edge_of_stability, full_batch_descent,
                             measured_rate, plot_edge_of_stability, regime)


# -- the quadratic theory -------------------------------------------------------------------

@pytest.mark.parametrize("eta,expected", [(0.01, "slow"), (0.0999, "slow"), (0.1, "fastest"),
                                          (0.15, "oscillating"), (0.2, "bouncing"),
                                          (0.2001, "diverging"), (5.0, "diverging")])
def test_regime_by_eta_times_lambda(eta, expected):
    assert regime(eta, 10.0) == expected


def test_regime_agrees_with_gradient_descent():
    bowl = Quadratic(curvatures=(10.0,))
    for eta in (0.05, 0.15, 0.25):
        run = gradient_descent(bowl, [1.0], eta, 100)
        x = run.points[:, 0]
        name = regime(eta, 10.0)
        assert run.diverged == (name == "diverging")
        assert bool(np.all(x[1:] * x[:-1] > 0)) == (name == "slow")


@settings(max_examples=30, deadline=None)
@given(big=st.floats(2.0, 100.0), fraction=st.floats(0.05, 0.99))
def test_measured_rate_is_the_worst_factor(big, fraction):
    bowl = Quadratic(curvatures=(1.0, big))
    eta = fraction * bowl.stability_limit
    run = gradient_descent(bowl, [1.0, 1.0], eta, steps=400)
    # Asymptotically the slowest direction dominates; both directions equal at the best rate.
    assert measured_rate(run, bowl, start=300) == pytest.approx(bowl.contraction(eta),
                                                                rel=2e-3)


def test_measured_rate_at_the_best_rate_is_kappa_formula():
    bowl = Quadratic(curvatures=(1.0, 10.0))
    run = gradient_descent(bowl, [-1.8, 1.0], bowl.best_learning_rate, steps=40)
    kappa = bowl.condition_number
    assert measured_rate(run, bowl, start=0) == pytest.approx((kappa - 1) / (kappa + 1),
                                                              rel=1e-9)


def test_measured_rate_survives_tiny_distances():
    bowl = Quadratic(curvatures=(1.0, 2.0))
    run = gradient_descent(bowl, [1.0, 1.0], 0.625, steps=400)   # reaches ~1e-170
    assert measured_rate(run, bowl, start=300) == pytest.approx(0.375, rel=1e-9)


def test_measured_rate_above_one_when_diverging_and_bad_arguments():
    bowl = Quadratic(curvatures=(1.0, 10.0))
    assert measured_rate(gradient_descent(bowl, [1.0, 1.0], 0.21, 30), bowl) > 1.0
    with pytest.raises(ValueError, match="`start`"):
        measured_rate(gradient_descent(bowl, [1.0, 1.0], 0.1, 10), bowl, start=10)
    with pytest.raises(ValueError, match="`learning_rate`"):
        regime(0.0, 1.0)
    with pytest.raises(ValueError, match="`curvature`"):
        regime(0.1, -1.0)


# -- full-batch descent on a network ----------------------------------------------------------

def least_squares(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = rng.normal(size=(40, 1)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    model.set_weights([np.zeros((3, 1), "float32")])
    top = float(np.linalg.eigvalsh(2 * x.T.astype(float) @ x / len(x))[-1])
    return model, x, y, top


def test_full_batch_descent_on_least_squares_is_gradient_descent_on_a_quadratic():
    model, x, y, top = least_squares()
    eta = 0.5 / top
    run = full_batch_descent(model, x, y, eta, steps=30, measure_every=10)
    # The same iteration by hand, in float64.
    w = np.zeros((3, 1))
    expected = []
    for _ in range(31):
        residual = x @ w - y
        expected.append(float(np.mean(residual**2)))
        w = w - eta * 2 * x.T @ residual / len(x)
    np.testing.assert_allclose(run.losses, expected, rtol=1e-4)
    assert run.measured_steps.tolist() == [0, 10, 20, 30]
    np.testing.assert_allclose(run.sharpness, top, rtol=1e-3)  # a quadratic: constant
    assert not run.diverged and run.threshold == pytest.approx(2 / eta)


def test_full_batch_descent_reports_divergence_above_two_over_lambda():
    model, x, y, top = least_squares()
    run = full_batch_descent(model, x, y, 2.3 / top, steps=200, measure_every=50)
    assert run.diverged and 0 < run.diverged_at < 200
    assert len(run.losses) == run.diverged_at and np.all(np.isfinite(run.losses))
    model, x, y, top = least_squares()
    assert not full_batch_descent(model, x, y, 1.9 / top, steps=200, measure_every=50).diverged


def test_warm_started_sharpness_agrees_with_a_cold_power_iteration():
    import lrlib.course.data
    from lrlib.course.training import build_model

    data = lrlib.course.data.make_two_moons(num_examples=200)
    targets = keras.utils.to_categorical(data.y_train, 2).astype("float32")
    keras.utils.set_random_seed(0)
    model = build_model(2, 2, hidden=(16,), activation="tanh")
    run = full_batch_descent(model, data.x_train, targets, 0.3, steps=60, measure_every=20)
    cold = sharpness(model, data.x_train, targets, loss="mse", iterations=300,
                     tolerance=1e-7)
    assert run.sharpness[-1] == pytest.approx(cold, rel=0.02)


def test_edge_of_stability_is_reproducible_and_shows_the_effect():
    a = edge_of_stability(0.5, steps=700, seed=0)
    b = edge_of_stability(0.5, steps=700, seed=0)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.sharpness, b.sharpness)
    # Progressive sharpening up to 2/eta, then hovering there with a non-monotone loss.
    reached = a.edge_reached_at()
    assert reached is not None and a.sharpness.min() < 0.8 * a.threshold
    later = a.sharpness_after(reached + 100) / a.threshold
    assert 0.8 < later.min() and later.max() < 1.25 and abs(np.median(later) - 1) < 0.05
    assert a.loss_increases(reached) > 0.02 and a.losses[-1] < a.losses[reached]


def test_full_batch_run_helpers():
    run = FullBatchRun(0.5, np.array([3.0, 2.0, 2.5, 1.0, 1.2]), np.arange(0, 50, 10),
                       np.array([5.0, 2.0, 3.0, 3.9, 4.1]), None)
    assert run.threshold == 4.0
    assert run.edge_reached_at() == 30          # 3.9 >= 0.95 * 4, after falling below
    assert run.edge_reached_at(fraction=1.0) == 40
    assert run.edge_reached_at(fraction=2.0) is None
    assert run.sharpness_after(25).tolist() == [3.9, 4.1]
    assert run.loss_increases() == 0.5 and run.loss_increases(3) == 1.0
    never_below = FullBatchRun(0.5, np.ones(3), np.arange(3), np.full(3, 9.0), None)
    assert never_below.edge_reached_at() is None


def test_plot_edge_of_stability_draws_each_run_and_its_threshold():
    runs = [FullBatchRun(eta, np.linspace(1, 0.1, 11), np.array([0, 5, 10]),
                         np.array([1.0, 2.0, 2.0 / eta]), None) for eta in (0.5, 1.0)]
    fig, axes = new_figure(2, 1)
    plot_edge_of_stability(axes[:, 0], runs)
    ax_loss, ax_sharp = axes[:, 0]
    assert len(ax_loss.lines) == 2 and ax_loss.get_yscale() == "log"
    labels = [t.get_text() for t in ax_sharp.get_legend().get_texts()]
    assert "$2/\\eta$ = 4" in labels and "$2/\\eta$ = 2" in labels


def test_bad_arguments():
    model, x, y, _ = least_squares()
    with pytest.raises(ValueError, match="`learning_rate`"):
        full_batch_descent(model, x, y, 0.0, steps=5)
    with pytest.raises(ValueError, match="`steps`"):
        full_batch_descent(model, x, y, 0.1, steps=0)
    with pytest.raises(ValueError, match="`measure_every`"):
        full_batch_descent(model, x, y, 0.1, steps=5, measure_every=0)
    with pytest.raises(ValueError, match="`seed`"):
        edge_of_stability(0.1, steps=5, seed=-1)
