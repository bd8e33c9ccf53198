"""lrlib.course.convergence: the quadratic theory, the chapter's experiments (the 1-D regimes
and the ravine, at ordinary and extreme values), full-batch descent with measured sharpness,
and the checkers of the exercises."""

import time

import ipywidgets
import keras
import numpy as np
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.course import convergence
from lrlib.course.convergence import (FullBatchRun, edge_of_stability, full_batch_descent,
                                      measured_rate, plot_edge_of_stability, regime)
from lrlib.course.curvature import sharpness
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import Quadratic
from lrlib.course.plots import new_figure
from lrlib.course.widgets import live, render, small_multiples


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


def test_bad_arguments_of_full_batch_descent():
    model, x, y, _ = least_squares()
    with pytest.raises(ValueError, match="`learning_rate`"):
        full_batch_descent(model, x, y, 0.0, steps=5)
    with pytest.raises(ValueError, match="`steps`"):
        full_batch_descent(model, x, y, 0.1, steps=0)
    with pytest.raises(ValueError, match="`measure_every`"):
        full_batch_descent(model, x, y, 0.1, steps=5, measure_every=0)
    with pytest.raises(ValueError, match="`seed`"):
        edge_of_stability(0.1, steps=5, seed=-1)


# -- the draw functions ----------------------------------------------------------------------

@pytest.mark.parametrize("eta,name", [(0.1, "slow"), (0.25, "fastest"), (0.4, "oscillating"),
                                      (0.55, "diverging")])
def test_one_dimension_names_the_regime(eta, name):
    fig = render(convergence.one_dimension, learning_rate=eta, curvature=4.0)
    top, bottom = fig.axes
    assert f": {name}" in top.get_title()
    assert bottom.get_yscale() == "log" and bottom.get_xlabel() == "step $t$"


def test_one_dimension_says_diverged_when_the_run_blows_up():
    fig = render(convergence.one_dimension, learning_rate=1.0, curvature=4.0, steps=30)
    assert any("diverged at step" in t.get_text() for t in fig.axes[1].texts)


@pytest.mark.parametrize("eta,curvature,diverges", [
    (0.005, 1.0, False), (0.15, 10.0, False), (0.199, 10.0, False), (0.21, 10.0, True),
    (2.0, 100.0, True), (0.03, 100.0, True), (1.9, 1.0, False),
])
def test_ravine_draws_at_extreme_values(eta, curvature, diverges):
    fig = render(convergence.ravine, learning_rate=eta, curvature=curvature, steps=200)
    ax_map, ax_loss, ax_rate = fig.axes[:3]
    assert all(ax.get_title() for ax in (ax_map, ax_loss, ax_rate))
    texts = [t.get_text() for ax in (ax_map, ax_loss) for t in ax.texts]
    assert any("diverged at step" in t for t in texts) == diverges
    assert ax_rate.get_xscale() == "log"
    limit = [t.get_text() for t in ax_rate.texts if "limit" in t.get_text()]
    assert limit and f"{2 / curvature:.3g}" in limit[0]


def test_ravine_small_multiples_and_live_controls():
    fig = small_multiples(convergence.ravine, "learning_rate", [0.05, 0.18], ncols=1, scale=1.0)
    assert len(fig.subfigs) == 2
    widget = live(convergence.ravine, **convergence.ravine_controls())
    assert isinstance(widget, ipywidgets.VBox)
    descriptions = [c.description for row in widget.children[0].children for c in row.children]
    # the main slider snaps to the frames drawn ahead and says so: "learning rate η (20 steps)"
    descriptions = [re.sub(r" \(\d+ steps\)$", "", d) for d in descriptions]
    assert "learning rate η" in descriptions and "steep curvature λ_max" in descriptions


def test_ravine_is_fast_enough_for_a_slider():
    render(convergence.ravine, learning_rate=0.1)
    start = time.process_time()
    render(convergence.ravine, learning_rate=0.1, curvature=30.0)
    assert time.process_time() - start < 1.5


def test_bad_arguments_of_the_draw_functions():
    with pytest.raises(ValueError, match="`learning_rate`"):
        render(convergence.ravine, learning_rate=-0.1)
    with pytest.raises(ValueError, match="`curvature`"):
        render(convergence.ravine, curvature=0.5)
    with pytest.raises(ValueError, match="`curvature`"):
        render(convergence.one_dimension, curvature=0.0)


# -- the checkers -----------------------------------------------------------------------------

def test_placeholders_ask_for_an_answer():
    assert not convergence.check_regime(...) and "replace the `...`" in convergence.check_regime(...).message
    assert not convergence.check_ravine(..., 0.03, 0.9)
    assert not convergence.check_best_rate_formula(...)
    assert not convergence.check_contraction(...)


def test_check_regime():
    assert convergence.check_regime("oscillating") and convergence.check_regime(" Oscillating ")
    for wrong, hint in [("slow", "negative"), ("diverging", "2/λ = 0.2"), ("fastest", "1/λ")]:
        result = convergence.check_regime(wrong)
        assert not result and hint in result.message
    assert "not one of" in convergence.check_regime("chaotic").message


def test_check_ravine():
    assert convergence.check_ravine(0.04, 2 / 52, 48 / 52)
    assert convergence.check_ravine(0.04, 0.0385, 0.923)
    result = convergence.check_ravine(0.02, 2 / 52, 48 / 52)
    assert not result and "twice" in result.message
    result = convergence.check_ravine(0.04, 2 / 52, (48 / 52) ** 2)
    assert not result and "square root" in result.message
    result = convergence.check_ravine(1.0, 0.04, 1.0)
    assert not result and "largest" in result.message and "balances" in result.message


def test_check_best_rate_formula():
    assert convergence.check_best_rate_formula(lambda a, b: 2 / (a + b))
    result = convergence.check_best_rate_formula(lambda a, b: 2 / b)
    assert not result and "2/λ_max" in result.message
    result = convergence.check_best_rate_formula(lambda a, b: 1 / (a + b))
    assert not result and "1/(λ_min + λ_max)" in result.message
    assert "raised ZeroDivisionError" in convergence.check_best_rate_formula(lambda a, b: 1 / 0).message
    assert "finite" in convergence.check_best_rate_formula(lambda a, b: None).message
    assert not convergence.check_best_rate_formula(0.18)


def reference(eta, curvatures):
    return np.max(np.abs(1 - eta * np.asarray(curvatures)))


def test_check_contraction_accepts_the_reference_in_several_styles():
    assert convergence.check_contraction(reference)
    assert convergence.check_contraction(lambda eta, c: max(abs(1 - eta * lam) for lam in c))


@pytest.mark.parametrize("mistake,hint", [
    (lambda eta, c: np.max(1 - eta * np.asarray(c)), "absolute value"),
    (lambda eta, c: abs(1 - eta * max(c)), "flat"),
    (lambda eta, c: np.min(np.abs(1 - eta * np.asarray(c))), "maximum"),
    (lambda eta, c: 1 - eta * min(c), "not the worst factor"),
])
def test_check_contraction_rejects_typical_mistakes(mistake, hint):
    result = convergence.check_contraction(mistake)
    assert not result and hint in result.message


def test_check_contraction_reports_errors_without_crashing():
    result = convergence.check_contraction(lambda eta, c: eta * c)  # a list times a float
    assert not result and "raised TypeError" in result.message
    assert not convergence.check_contraction("max |1 - eta lambda|")


# -- momentum -----------------------------------------------------------------------------------

def test_heavy_ball_factor_is_the_plain_factor_without_momentum():
    for eta in (0.01, 0.1, 0.18, 0.21):
        assert convergence.heavy_ball_factor(eta, 0.0, [1.0, 10.0]) == pytest.approx(
            Quadratic(curvatures=(1.0, 10.0)).contraction(eta), rel=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.5, 0.9])
def test_heavy_ball_limit_is_two_times_one_plus_beta_over_lambda(beta):
    limit = 2 * (1 + beta) / 10.0
    assert convergence.heavy_ball_factor(0.999 * limit, beta, [10.0]) < 1
    assert convergence.heavy_ball_factor(1.001 * limit, beta, [10.0]) > 1
    bowl = Quadratic(curvatures=(10.0,))
    assert not gradient_descent(bowl, [1.0], 0.99 * limit, 3000, momentum=beta).diverged
    assert gradient_descent(bowl, [1.0], 1.01 * limit, 3000, momentum=beta).diverged


@pytest.mark.parametrize("kappa", [4.0, 10.0, 100.0])
def test_tuned_heavy_ball_reaches_the_sqrt_kappa_factor_and_is_the_best(kappa):
    root = np.sqrt(kappa)
    eta, beta = convergence.tuned_heavy_ball([1.0, kappa])
    assert convergence.heavy_ball_factor(eta, beta, [1.0, kappa]) == pytest.approx(
        (root - 1) / (root + 1), rel=1e-6)
    assert convergence.best_heavy_ball_rate(beta, [1.0, kappa]) == pytest.approx(eta, rel=1e-3)
    run = gradient_descent(Quadratic(curvatures=(1.0, kappa)), convergence.RAVINE_START, eta, 300,
                           momentum=beta)
    assert measured_rate(run, Quadratic(curvatures=(1.0, kappa)), start=30) == pytest.approx(
        (root - 1) / (root + 1), rel=0.03)
    for other in (0.0, beta / 2, min(0.95, beta * 1.5 + 0.05)):
        best = convergence.best_heavy_ball_rate(other, [1.0, kappa])
        assert convergence.heavy_ball_factor(best, other, [1.0, kappa]) >= (root - 1) / (root + 1) - 1e-9


def test_best_heavy_ball_rate_on_a_plateau_gives_sqrt_beta():
    rate = convergence.best_heavy_ball_rate(0.9, [1.0, 10.0])
    assert convergence.heavy_ball_factor(rate, 0.9, [1.0, 10.0]) == pytest.approx(np.sqrt(0.9))
    assert convergence.best_heavy_ball_rate(0.0, [1.0, 10.0]) == pytest.approx(2 / 11, rel=1e-6)


def test_momentum_draws_at_extreme_values_and_is_fast():
    for beta, curvature in ((0.0, 1.0), (0.27, 10.0), (0.95, 100.0)):
        fig = render(convergence.momentum, momentum=beta, curvature=curvature, steps=200)
        assert len(fig.axes) == 3 and fig.axes[2].get_xscale() == "log"
        assert fig.axes[0].get_title() and fig.axes[1].get_ylabel() and fig._suptitle
    start = time.process_time()
    render(convergence.momentum, momentum=0.5)
    assert time.process_time() - start < 1.5
    widget = live(convergence.momentum, **convergence.momentum_controls())
    descriptions = [c.description for row in widget.children[0].children for c in row.children]
    descriptions = [re.sub(r" \(\d+ steps\)$", "", d) for d in descriptions]
    assert "momentum β" in descriptions
    with pytest.raises(ValueError, match="`momentum`"):
        render(convergence.momentum, momentum=1.0)
    with pytest.raises(ValueError, match="`curvatures`"):
        convergence.tuned_heavy_ball([0.0, 1.0])


def test_check_edge_prediction():
    assert convergence.check_edge_prediction(...).passed is False
    assert convergence.check_edge_prediction(2 / 0.3)
    assert convergence.check_edge_prediction(6.5)
    assert "1/η" in convergence.check_edge_prediction(1 / 0.3).message
    assert "starts" in convergence.check_edge_prediction(7.9).message
    assert not convergence.check_edge_prediction("six")


def test_the_paired_interval_checker_compares_with_stats():
    from lrlib.course.stats import paired_difference

    assert not hasattr(convergence, "paired_interval")  # one definition: lrlib.course.stats

    def reference(a, b):
        d = paired_difference(a, b)
        return d.mean, d.low, d.high

    def with_t(t, ddof=1):
        def interval(a, b):
            d = np.asarray(a) - np.asarray(b)
            half = t * d.std(ddof=ddof) / np.sqrt(len(d))
            return d.mean(), d.mean() - half, d.mean() + half
        return interval

    def unpaired(a, b):
        d = np.asarray(a) - np.asarray(b)
        half = 4.303 * np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / len(d))
        return d.mean(), d.mean() - half, d.mean() + half

    assert convergence.check_paired_interval(reference)
    assert convergence.check_paired_interval(with_t(4.30))   # the exercise's t, rounded
    assert convergence.check_paired_interval(with_t(4.303))  # the chapter's solution
    assert convergence.check_paired_interval(...).passed is False
    assert "1.96" in convergence.check_paired_interval(with_t(1.96)).message
    assert "ddof=1" in convergence.check_paired_interval(with_t(4.303, ddof=0)).message
    assert "pair the seeds" in convergence.check_paired_interval(unpaired).message
    flipped = convergence.check_paired_interval(lambda a, b: reference(b, a))
    assert "wrong sign" in flipped.message
    assert "raised" in convergence.check_paired_interval(lambda a, b: 1 / 0).message
    assert "returned nothing" in convergence.check_paired_interval(lambda a, b: None).message
    backwards = convergence.check_paired_interval(
        lambda a, b: (lambda m, lo, hi: (m, hi, lo))(*reference(a, b)))
    assert not backwards and "low end is above" in backwards.message


def test_check_sweep_verdict():
    assert convergence.check_sweep_verdict(...).passed is False
    assert convergence.check_sweep_verdict({0.1: ..., 1.0: ...}).passed is False
    assert convergence.check_sweep_verdict({0.1: "within noise", 1.0: "Within noise"})
    wrong = convergence.check_sweep_verdict({0.1: "better", 1.0: "within noise"})
    assert not wrong and "interval" in wrong.message
