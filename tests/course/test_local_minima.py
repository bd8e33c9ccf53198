"""lrlib.course.local_minima: the explorer draws every case (including extremes), random
Hessians and the share of them that are minima, sharpness along training and Dinh et al.'s
rescaling, and the checkers of the exercises."""

import time

import ipywidgets
import keras
import numpy as np
import re

import pytest

from lrlib.course import basins, local_minima
from lrlib.course.curvature import sharpness
from lrlib.course.data import load_digits
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import DoubleWell, MultiMinima
from lrlib.course.local_minima import (
    LOSS,
    SharpnessHistory,
    minima_explorer,
    minima_explorer_controls,
    panel_ending,
    random_hessians,
    rescaled_copy,
    share_of_minima,
    train_tracking_sharpness,
    training_loss,
)
from lrlib.course.training import build_model
from lrlib.course.widgets import live, render, small_multiples


# -- the explorer ---------------------------------------------------------------------------

def titles(fig):
    return [ax.get_title() for ax in fig.axes]


def endings(fig):
    return [panel_ending(ax) for ax in fig.axes]


@pytest.mark.parametrize("rate,well,surface", [
    (0.02, "settles in the sharp minimum", "settles in local minimum 1"),
    (0.1, "bounces, never settles", "settles in local minimum 1"),
    (0.3, "settles in the wide minimum", "bounces, never settles"),
    (0.5, "settles in the wide minimum", "settles in the global minimum"),
    (1.5, "bounces, never settles", "bounces, never settles"),
])
def test_titles_say_how_each_run_ends(rate, well, surface):
    fig = render(minima_explorer, learning_rate=rate)
    first, _, third = endings(fig)
    assert first == well and third == surface
    assert "2/\\lambda" in titles(fig)[1]
    assert f"{rate:.3g}" in fig._suptitle.get_text()


def test_noise_says_which_basin_the_run_jiggles_in():
    fig = render(minima_explorer, learning_rate=0.04, noise=4.0, start_x=-1.2, start_y=-1.2)
    assert all(t.startswith("jiggles in the basin of") or t == "wanders, in no basin"
               for t in (endings(fig)[0], endings(fig)[2]))
    assert "σ" in fig._suptitle.get_text() or "sigma" in fig._suptitle.get_text()


def test_the_slider_extremes_still_draw():
    for rate in (3e-3, 2.0):
        for noise in (0.0, 6.0):
            fig = render(minima_explorer, learning_rate=rate, noise=noise, start=5.0,
                         start_x=-3.0, start_y=3.0, seed=9)
            assert len(fig.axes) == 3 and all(titles(fig))


def test_small_multiples_and_live():
    fig = small_multiples(minima_explorer, "learning_rate", [0.02, 0.5], ncols=1)
    assert len(fig.axes) == 6
    widget = live(minima_explorer, **minima_explorer_controls())
    assert isinstance(widget, ipywidgets.VBox)
    descriptions = [c.description for row in widget.children[0].children for c in row.children]
    descriptions = [re.sub(r" \(\d+ steps\)$", "", d) for d in descriptions]  # snapped slider
    assert "learning rate η" in descriptions and "gradient noise σ" in descriptions


def test_render_is_fast_enough_for_a_slider():
    render(minima_explorer, learning_rate=0.1)
    start = time.process_time()
    render(minima_explorer, learning_rate=0.1, noise=2.0)
    assert time.process_time() - start < 3.0  # generous on a shared machine


def test_bad_arguments_of_the_explorer():
    with pytest.raises(ValueError, match="`learning_rate`"):
        render(minima_explorer, learning_rate=0.0)
    with pytest.raises(ValueError, match="`noise`"):
        render(minima_explorer, noise=-1.0)
    with pytest.raises(ValueError, match="`seed`"):
        render(minima_explorer, seed=-1)


# -- saddles: random Hessians ------------------------------------------------------------------

def test_random_hessians_are_symmetric_goe():
    h = random_hessians(4, 5000, seed=1)
    assert h.shape == (5000, 4, 4)
    np.testing.assert_array_equal(h, np.swapaxes(h, -1, -2))
    assert np.var(h[:, 0, 1]) == pytest.approx(1.0, rel=0.1)   # off-diagonal variance 1
    assert np.var(h[:, 2, 2]) == pytest.approx(2.0, rel=0.1)   # diagonal variance 2


def test_share_of_minima_falls_fast_with_dimension():
    shares = [share_of_minima(d, samples=20000, seed=0) for d in (1, 2, 3, 4, 6)]
    assert shares[0] == pytest.approx(0.5, abs=0.015)
    assert shares[1] == pytest.approx((2 - np.sqrt(2)) / 4, abs=0.01)  # 2x2 GOE, exactly
    assert shares == sorted(shares, reverse=True)
    assert shares[3] < 0.01 and shares[4] == 0.0


def test_share_of_minima_is_seeded_and_validated():
    assert share_of_minima(3, 2000, seed=5) == share_of_minima(3, 2000, seed=5)
    with pytest.raises(ValueError, match="`dimension`"):
        share_of_minima(0)
    with pytest.raises(ValueError, match="`samples`"):
        random_hessians(2, 0)


# -- sharp and flat minima of a network ----------------------------------------------------------

@pytest.fixture(scope="module")
def history():
    return train_tracking_sharpness(0.3, seed=0, epochs=2)


def test_history_records_the_start_and_every_epoch(history):
    assert history.steps.tolist() == [0, 43, 86]
    assert history.train_losses.shape == history.sharpness.shape == (3,)
    assert history.train_losses[-1] < history.train_losses[0]
    assert history.stability_limit == pytest.approx(2 / 0.3)
    assert len(history.run.losses) == 86 and not history.run.diverged


def test_measurements_match_a_direct_computation(history):
    data = load_digits()
    model = history.model
    direct = training_loss(model, data.x_train, data.y_train)
    assert direct == pytest.approx(history.final_train_loss, rel=1e-5)
    again = sharpness(model, data.x_train, data.y_train, loss=LOSS, iterations=20,
                      tolerance=1e-3)
    assert again == pytest.approx(history.final_sharpness, rel=1e-4)


def test_the_same_seed_gives_the_same_numbers(history):
    twin = train_tracking_sharpness(0.3, seed=0, epochs=2)
    np.testing.assert_allclose(twin.sharpness, history.sharpness, rtol=1e-6)
    np.testing.assert_allclose(twin.train_losses, history.train_losses, rtol=1e-6)


def test_sharpness_at_interpolates_in_log_log_space():
    h = SharpnessHistory(0.1, 0, np.array([0, 1, 2]), np.array([1.0, 0.1, 0.01]),
                         np.array([4.0, 2.0, 1.0]), run=None, model=None)
    assert h.sharpness_at(0.1) == pytest.approx(2.0)
    assert h.sharpness_at(np.sqrt(0.1)) == pytest.approx(np.sqrt(8.0))
    with pytest.raises(ValueError, match="`train_loss`"):
        h.sharpness_at(2.0)
    with pytest.raises(ValueError, match="`train_loss`"):
        h.sharpness_at(-1.0)


def test_rescaling_keeps_the_function_and_changes_the_sharpness(history):
    data = load_digits()
    model = history.model
    copy = rescaled_copy(model, 4.0)
    np.testing.assert_allclose(copy(data.x_test), model(data.x_test), rtol=1e-4, atol=1e-4)
    assert training_loss(copy, data.x_train, data.y_train) == pytest.approx(
        history.final_train_loss, rel=1e-4)
    sharper = sharpness(copy, data.x_train, data.y_train, loss=LOSS, iterations=20,
                        tolerance=1e-3)
    assert sharper > 2 * history.final_sharpness
    unchanged = model.get_weights()[0]
    np.testing.assert_array_equal(unchanged, history.model.get_weights()[0])
    np.testing.assert_allclose(copy.get_weights()[0], 4.0 * unchanged, rtol=1e-6)


def test_bad_arguments_of_the_sharpness_tools(history):
    with pytest.raises(ValueError, match="`alpha`"):
        rescaled_copy(history.model, 0.0)
    with pytest.raises(ValueError, match="`layer`"):
        rescaled_copy(history.model, 2.0, layer=1)
    tanh = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                             keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="ReLU"):
        rescaled_copy(tanh, 2.0)
    with pytest.raises(ValueError, match="`learning_rate`"):
        train_tracking_sharpness(0.0)
    with pytest.raises(ValueError, match="`data`"):
        train_tracking_sharpness(0.1, data="digits")
    assert build_model(64, 10).count_params() == 4810


def test_at_epochs_chooses_when_to_measure_and_options_reach_train():
    history = train_tracking_sharpness(0.1, seed=1, epochs=3, at_epochs=(1, 3),
                                       batch_size=64, hidden=(16,))
    assert history.steps.tolist() == [0, 22, 66]
    assert history.model.count_params() == 64 * 16 + 16 + 16 * 10 + 10
    assert rescaled_copy(history.model, 3.0).count_params() == history.model.count_params()
    with pytest.raises(ValueError, match="`at_epochs`"):
        train_tracking_sharpness(0.1, epochs=1, at_epochs=(0,))


# -- the checkers -------------------------------------------------------------------------------

def test_check_double_well_predictions():
    assert local_minima.PREDICTION_RATES == (0.04, 0.12, 0.9)
    right = {0.04: "sharp", 0.12: "never settles", 0.9: "Never settles "}
    assert local_minima.check_double_well_predictions(right)
    wrong = local_minima.check_double_well_predictions({**right, 0.12: "sharp"})
    assert not wrong and "η = 0.12" in wrong.message and "barrier" in wrong.message
    escaped = local_minima.check_double_well_predictions({**right, 0.9: "wide"})
    assert not escaped and "even of the wide minimum" in escaped.message
    stays = local_minima.check_double_well_predictions({**right, 0.04: "never settles"})
    assert not stays and "below 2/λ" in stays.message
    assert "missing" in local_minima.check_double_well_predictions({0.04: "sharp"}).message
    assert "not one of" in local_minima.check_double_well_predictions({**right, 0.04: "left"}).message
    assert not local_minima.check_double_well_predictions(...)
    assert "replace" in local_minima.check_double_well_predictions({r: ... for r in right}).message
    assert not local_minima.check_double_well_predictions(["sharp"])


def test_check_global_limit():
    surface = MultiMinima()
    limit = 2 / surface.sharpness(surface.global_minimum)
    assert 0.95 < limit < 1.0
    assert local_minima.check_global_limit(limit) and local_minima.check_global_limit(0.98)
    assert "fastest" in local_minima.check_global_limit(limit / 2).message
    sharp_limit = 2 / surface.sharpness(surface.minima[1])
    assert "sharp local" in local_minima.check_global_limit(sharp_limit).message
    assert not local_minima.check_global_limit(...) and not local_minima.check_global_limit("one")


def test_escape_rate_matches_the_runs():
    reference = local_minima.reference_escape_rate()
    well = DoubleWell()
    starts = np.linspace(-1.6, -0.55, 50)
    for rate, escapes in ((0.97 * reference, False), (1.03 * reference, True)):
        ends = [basins.outcome(well, gradient_descent(well, [x], rate, 1500)) for x in starts]
        assert all(e == 0 for e in ends) is escapes
    assert local_minima.check_escape_rate(0.16) and local_minima.check_escape_rate(0.162)
    assert "stable" in local_minima.check_escape_rate(2 / 44.45).message
    assert not local_minima.check_escape_rate(0.3) and not local_minima.check_escape_rate(...)


def test_settled_rule_accepts_the_reference_and_rejects_typical_mistakes():
    assert local_minima.check_settled_rule(local_minima.reference_settled_at)

    def only_last_point(points, minima):
        d = np.linalg.norm(minima - points[-1], axis=-1)
        return int(d.argmin()) if d.min() <= 0.05 else -1

    def no_step_test(points, minima):
        d = np.linalg.norm(points[-20:, None] - minima[None], axis=-1)
        k = d[-1].argmin()
        return int(k) if np.all(d[:, k] <= 0.05) else -1

    def off_by_one(points, minima):
        return local_minima.reference_settled_at(points, minima, last=19)

    assert "short" in local_minima.check_settled_rule(no_step_test).message
    assert not local_minima.check_settled_rule(only_last_point)
    assert "every" in local_minima.check_settled_rule(off_by_one).message
    assert "nothing" in local_minima.check_settled_rule(lambda p, m: None).message
    assert "raised" in local_minima.check_settled_rule(lambda p, m: 1 / 0).message
    assert not local_minima.check_settled_rule("settled")


def test_the_reference_rule_is_the_rule_of_lrlib_basins():
    well = DoubleWell()
    for rate in (0.02, 0.1, 0.3, 1.0):
        run = gradient_descent(well, [-1.3], rate, 300)
        code = basins.outcome(well, run)
        expected = code if code >= 0 else -1
        assert local_minima.reference_settled_at(run.points, well.minima) == expected


# -- escaping a saddle ---------------------------------------------------------------------------

def test_saddle_landscape_gradient_hessian_and_minima():
    saddle = local_minima.Saddle(negative=2.0)
    point = np.array([0.3, -0.4])
    eps = 1e-6
    numeric = [(saddle.loss(point + eps * e) - saddle.loss(point - eps * e)) / (2 * eps)
               for e in np.eye(2)]
    np.testing.assert_allclose(saddle.grad(point), numeric, rtol=1e-6)
    np.testing.assert_allclose(saddle.hessian([0.0, 0.0]), [[1.0, 0.0], [0.0, -2.0]])
    np.testing.assert_allclose(np.abs(saddle.minima[:, 1]), np.sqrt(2.0))
    assert saddle.lowest_loss == pytest.approx(-1.0)


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.1, 0.3])
def test_escape_steps_without_noise_follow_the_formula(rate):
    measured = int(local_minima.escape_steps(rate)[0])
    assert 0 <= measured - local_minima.predicted_escape_steps(rate) < 1.5  # ceil, and the y^3 term
    assert local_minima.predicted_escape_steps(rate) == pytest.approx(
        np.log(0.1 / 1e-6) / np.log(1 + rate))


def test_escape_steps_with_noise_and_on_the_ridge():
    for sigma in (1e-3, 0.1):
        median = np.median(local_minima.escape_steps(0.1, sigma, runs=100))
        predicted = local_minima.predicted_escape_steps(0.1, sigma)
        assert abs(median - predicted) <= max(0.1 * predicted, 1.0)
    assert local_minima.escape_steps(0.1, offset=0.0, max_steps=500).tolist() == [-1]
    again = local_minima.escape_steps(0.1, 0.1, runs=5, seed=3)
    assert np.array_equal(again, local_minima.escape_steps(0.1, 0.1, runs=5, seed=3))


def test_saddle_escape_draws_and_is_fast_enough():
    for rate, sigma in ((0.01, 0.0), (0.5, 1.0), (0.1, 1e-6)):
        fig = render(local_minima.saddle_escape, learning_rate=rate, noise=sigma)
        assert len(fig.axes) == 3 and fig._suptitle is not None
        assert fig.axes[2].get_xscale() == "log" and fig.axes[1].get_yscale() == "log"
    start = time.process_time()
    render(local_minima.saddle_escape, learning_rate=0.1, noise=1e-3)
    assert time.process_time() - start < 3.0
    widget = live(local_minima.saddle_escape, **local_minima.saddle_escape_controls())
    assert isinstance(widget, ipywidgets.VBox)
    with pytest.raises(ValueError, match="`learning_rate`"):
        render(local_minima.saddle_escape, learning_rate=0.0)


def test_check_saddle_escape():
    assert local_minima.check_saddle_escape(...).passed is False
    assert local_minima.check_saddle_escape(236)
    assert local_minima.check_saddle_escape(230)           # ln(1e5)/0.05, the approximation
    assert "1e5" in local_minima.check_saddle_escape(283).message
    assert "1.05" in local_minima.check_saddle_escape(5).message
    assert not local_minima.check_saddle_escape("many")
    assert "outside what the question allows" in local_minima.check_saddle_escape(-236).message
