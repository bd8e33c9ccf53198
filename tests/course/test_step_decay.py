"""lrlib.course.step_decay: the companion of the chapter "Step decay"."""

import math
import time

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.course import step_decay
from lrlib.course.noise import NOISY_BOWL, NoisyBowl
from lrlib.course.widgets import live, render, small_multiples
from lrlib.schedules import ExponentialDecay, StepDecay, evaluate


# -- the half-life ---------------------------------------------------------------------------

def test_half_life_is_the_exponential_decays():
    assert step_decay.exponential_half_life(10_000, 0.9) == pytest.approx(65_788, abs=1)
    assert step_decay.exponential_half_life(10_000, 0.9) == pytest.approx(
        ExponentialDecay(0.1, 10_000, 0.9).half_life)
    assert step_decay.exponential_half_life(86, 0.5) == pytest.approx(86)
    assert step_decay.exponential_half_life(100, 1.0) == math.inf


# -- the noisy bowl (lrlib.course.noise), as the decay chapters use it ------------------------

def test_expected_loss_settles_at_the_floor_at_a_constant_rate():
    bowl = NoisyBowl(curvatures=(1.0,), start=(2.0,), steps=400)
    run = bowl.run(0.1)
    assert run.mean_losses[-1] == pytest.approx(bowl.floor(0.1), rel=1e-6)
    assert bowl.floor(0.1) == pytest.approx(0.1 / (2 * 1.9))
    assert bowl.floor(2.0) == math.inf


def test_expected_loss_matches_the_mean_of_simulated_runs():
    schedule = StepDecay(1.0, 0.5, 50)
    exact = NOISY_BOWL.run(schedule).mean_losses
    simulated = NOISY_BOWL.simulate(schedule, runs=2000, seed=1)
    assert np.allclose(simulated[1:], exact[1:], rtol=0.15)
    assert np.mean(simulated[-50:]) == pytest.approx(np.mean(exact[-50:]), rel=0.05)


def test_without_noise_the_expected_loss_is_plain_gradient_descent():
    from lrlib.course.descent import gradient_descent

    bowl = NoisyBowl(noise=0.0, steps=50)
    run = bowl.run(0.3)
    plain = gradient_descent(bowl.landscape, list(bowl.start), 0.3, 50)
    assert np.allclose(run.mean_losses, plain.losses)


def test_divergence_is_reported_not_plotted():
    run = NOISY_BOWL.run(3.0)
    assert run.diverged and run.diverged_at == 7
    assert run.describe() == "diverged at step 7"
    assert run.final_loss() == math.inf
    assert np.all(np.isfinite(run.mean_losses)) and len(run.mean_losses) == 7


def test_a_decay_beats_the_best_constant_on_the_default_bowl():
    rate, loss = NOISY_BOWL.best_constant()
    assert 0.03 < rate < 0.2
    decayed = NOISY_BOWL.run(ExponentialDecay(1.0, 430, 0.01)).final_loss()
    assert decayed < 0.75 * loss


def test_noisy_bowl_validates():
    with pytest.raises(ValueError, match="one coordinate per curvature"):
        NoisyBowl(curvatures=(1.0, 0.1), start=(1.0,))
    with pytest.raises(ValueError, match="`curvatures`"):
        NoisyBowl(curvatures=(0.0,), start=(1.0,))
    with pytest.raises(ValueError, match="`learning_rate`"):
        NOISY_BOWL.run("fast")
    with pytest.raises(ValueError, match="`learning_rate`"):
        NOISY_BOWL.run(-0.1)
    with pytest.raises(ValueError, match="`high`"):
        NOISY_BOWL.best_constant(low=1.0, high=0.1)


# -- the experiments -------------------------------------------------------------------------

def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_step_decay_explorer_titles_say_half_life_and_final_losses():
    fig = render(step_decay.step_decay_explorer, drop_factor=0.5, drop_every=50)
    rate_ax, loss_ax = fig.axes
    assert "half-life 50 steps" in rate_ax.get_title()
    assert "final loss 0.040" in loss_ax.get_title()
    assert "best constant rate: 0.054" in loss_ax.get_title()
    assert rate_ax.get_yscale() == "log" and loss_ax.get_xlabel() == "step $t$"


@pytest.mark.parametrize("draw,params", [
    (step_decay.step_decay_explorer, {"initial_learning_rate": 3.0, "drop_factor": 0.05,
                                      "drop_every": 10}),
    (step_decay.what_a_drop_does, {"initial_learning_rate": 2.5}),
])
def test_extreme_values_say_diverged(draw, params):
    fig = render(draw, **params)
    assert any(text.startswith("diverged at step") for text in _texts(fig))


def test_gentle_extremes_draw_without_divergence():
    fig = render(step_decay.step_decay_explorer, drop_factor=0.95, drop_every=420,
                 initial_learning_rate=0.03)
    assert not any("diverged" in text for text in _texts(fig))
    assert all(ax.get_title() for ax in fig.axes)


def test_what_a_drop_does_shows_both_directions_and_their_floors():
    fig = render(step_decay.what_a_drop_does)
    steep, flat = fig.axes
    assert "Steep" in steep.get_title() and "Flat" in flat.get_title()
    assert len(steep.lines) >= 2 and steep.get_legend() is not None


def test_half_life_collapse_has_one_series_per_drop_factor():
    fig = render(step_decay.half_life_collapse, drop_factors=(0.1, 0.5),
                 drop_everys=(25, 50))
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert "exponential decay (smooth)" in labels
    assert "step decay, f = 0.1" in labels and "step decay, f = 0.5" in labels


def test_small_multiples_and_live_controls():
    fig = small_multiples(step_decay.step_decay_explorer, "drop_every", [25, 200],
                          ncols=1)
    assert len(fig.axes) == 4
    widget = live(step_decay.step_decay_explorer, **step_decay.step_decay_controls())
    assert len(widget.children[0].children[0].children) == 3


def test_fast_enough_for_a_slider():
    render(step_decay.step_decay_explorer)  # warm up (the best constant rate is cached)
    start = time.process_time()
    render(step_decay.step_decay_explorer)
    assert time.process_time() - start < 1.5


def test_bad_arguments():
    with pytest.raises(ValueError, match="`drop_every`"):
        render(step_decay.step_decay_explorer, drop_every=0)
    with pytest.raises(ValueError, match="`initial_learning_rate`"):
        render(step_decay.half_life_collapse, initial_learning_rate=0.0)


# -- step decay in Keras ---------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(every=st.integers(1, 200), factor=st.floats(0.05, 1.0), total=st.integers(2, 600))
def test_piecewise_step_decay_equals_step_decay_within_the_budget(every, factor, total):
    if every >= total:
        with pytest.raises(ValueError, match="`drop_every`"):
            step_decay.piecewise_step_decay(0.3, factor, every, total)
        return
    keras_version = step_decay.piecewise_step_decay(0.3, factor, every, total)
    steps = np.arange(total)
    assert np.allclose(evaluate(keras_version, steps), StepDecay(0.3, factor, every)(steps),
                       rtol=1e-6)


def test_multi_step_decay_milestone_is_the_first_step_at_the_new_rate():
    schedule = step_decay.multi_step_decay(1.0, milestones=[215, 323], drop_factor=0.1)
    assert isinstance(schedule, keras.optimizers.schedules.PiecewiseConstantDecay)
    assert schedule.boundaries == [214, 322]
    rates = evaluate(schedule, [0, 214, 215, 322, 323, 10_000])
    assert np.allclose(rates, [1.0, 1.0, 0.1, 0.1, 0.01, 0.01])


def test_keras_boundary_convention_is_what_the_module_says():
    # Keras keeps values[i] while step <= boundaries[i]: a naive boundary is one step late.
    naive = keras.optimizers.schedules.PiecewiseConstantDecay([100], [1.0, 0.5])
    assert evaluate(naive, [100, 101]).tolist() == [1.0, 0.5]


@pytest.mark.parametrize("milestones", [[], [100, 100], [200, 100], [0, 10], "100", 100])
def test_multi_step_decay_rejects_bad_milestones(milestones):
    with pytest.raises(ValueError, match="`milestones`"):
        step_decay.multi_step_decay(1.0, milestones, 0.1)


def test_multi_step_decay_rejects_bad_rates():
    with pytest.raises(ValueError, match="`initial_learning_rate`"):
        step_decay.multi_step_decay(0.0, [10], 0.1)
    with pytest.raises(ValueError, match="`drop_factor`"):
        step_decay.multi_step_decay(1.0, [10], 1.5)


def test_epoch_step_decay_is_a_pure_function_of_the_epoch_and_converts_to_steps():
    schedule = step_decay.EpochStepDecay(0.3, drop_factor=0.5, every_epochs=2)
    rates = [schedule(epoch, 123.0) for epoch in range(6)]
    assert rates == [0.3, 0.3, 0.15, 0.15, 0.075, 0.075]
    assert all(type(rate) is float for rate in rates)  # what Keras's callback requires
    per_step = schedule.in_steps(43)
    assert per_step == StepDecay(0.3, 0.5, 86)
    for epoch in range(6):  # every step of an epoch has the epoch's rate
        steps = np.arange(43 * epoch, 43 * (epoch + 1))
        assert np.allclose(per_step(steps), schedule(epoch))


def test_epoch_step_decay_in_a_real_fit_sets_the_rate_at_each_epoch():
    from lrlib.callbacks import LearningRateLogger

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.3), "mse")
    logger = LearningRateLogger()
    scheduler = keras.callbacks.LearningRateScheduler(step_decay.EpochStepDecay(0.3, 0.5, 2))
    model.fit(np.ones((8, 2)), np.ones(8), batch_size=4, epochs=4, verbose=0,
              callbacks=[logger, scheduler])
    expected = StepDecay(0.3, 0.5, drop_every=4)(np.arange(8))
    assert np.allclose(logger.learning_rates, expected, rtol=1e-6)


def test_epoch_step_decay_validates():
    with pytest.raises(ValueError, match="`every_epochs`"):
        step_decay.EpochStepDecay(0.3, 0.5, 0)
    with pytest.raises(ValueError, match="`drop_factor`"):
        step_decay.EpochStepDecay(0.3, 0.0, 2)
    with pytest.raises(ValueError, match="`epoch`"):
        step_decay.EpochStepDecay(0.3, 0.5, 2)(-1, 0.3)
    with pytest.raises(ValueError, match="`steps_per_epoch`"):
        step_decay.EpochStepDecay(0.3, 0.5, 2).in_steps(0)


# -- one drop against the same run without it ------------------------------------------------

class _Run:
    def __init__(self, losses):
        self.losses = np.asarray(losses, dtype=float)


def test_first_difference():
    a = _Run([3.0, 2.0, 1.0, 0.5])
    assert step_decay.first_difference(a, _Run([3.0, 2.0, 1.0, 0.5])) is None
    assert step_decay.first_difference(a, _Run([3.0, 2.0, 1.1, 0.5])) == 2
    assert step_decay.first_difference(a, _Run([3.0, 2.0])) == 2
    with pytest.raises(ValueError, match="`run`"):
        step_decay.first_difference([1.0], a)


def test_paired_loss_ratio_is_a_geometric_mean_of_step_ratios():
    run, reference = _Run([1.0, 1.0, 2.0, 0.5]), _Run([1.0, 1.0, 1.0, 1.0])
    assert step_decay.paired_loss_ratio(run, reference, 2, 4) == pytest.approx(1.0)
    assert step_decay.paired_loss_ratio(run, reference, 2, 3) == pytest.approx(2.0)
    curve = step_decay.paired_loss_ratio_curve(run, reference, window=2)
    assert curve == pytest.approx([1.0, 1.0, math.sqrt(2.0), 1.0])
    with pytest.raises(ValueError, match="`stop`"):
        step_decay.paired_loss_ratio(run, reference, 2, 9)
    with pytest.raises(ValueError, match="`stop`"):
        step_decay.paired_loss_ratio(run, reference, 2, 2)
    with pytest.raises(ValueError, match="positive and finite"):
        step_decay.paired_loss_ratio(_Run([0.0, 1.0]), _Run([1.0, 1.0]), 0, 2)


def test_plot_paired_ratios_draws_one_line_per_pair_and_marks():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    runs = [_Run([1.0, 0.5, 0.5, 0.5]), _Run([1.0, 1.0, 2.0, 2.0])]
    references = [_Run([1.0, 1.0, 1.0, 1.0])] * 2
    step_decay.plot_paired_ratios(ax, runs, references, marks=[1], window=1, title="t")
    assert len(ax.lines) == 2 + 1 + 1  # two ratios, the line at 1, one mark
    assert ax.lines[0].get_ydata() == pytest.approx([1.0, 0.5, 0.5, 0.5])
    assert ax.get_title() == "t" and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="equal length"):
        step_decay.plot_paired_ratios(ax, runs, references[:1])
    plt.close(fig)


# -- checkers --------------------------------------------------------------------------------

def test_multistep_boundaries():
    assert step_decay.check_multistep_boundaries([149, 299], [0.3, 0.03, 0.003])
    assert not step_decay.check_multistep_boundaries(..., [0.3, 0.03, 0.003])
    off_by_one = step_decay.check_multistep_boundaries([150, 300], [0.3, 0.03, 0.003])
    assert not off_by_one and "last* step at the old rate" in off_by_one.message
    assert "step 150" in off_by_one.message
    wrong_values = step_decay.check_multistep_boundaries([149, 299], [0.3, 0.003, 0.0003])
    assert not wrong_values and "too small" in wrong_values.message
    assert "one more entry" in step_decay.check_multistep_boundaries([149, 299], [0.3, 0.03]).message
    assert not step_decay.check_multistep_boundaries("149, 299", [0.3, 0.03, 0.003])
    assert not step_decay.check_multistep_boundaries([299, 149], [0.3, 0.03, 0.003])


def test_epoch_function():
    assert step_decay.check_epoch_function(lambda epoch, lr: 0.3 * 0.5 ** (epoch // 3))
    assert step_decay.check_epoch_function(lambda epoch, lr: np.float32(0.3) * np.float32(0.5) **
                                 (epoch // 3))
    stateful = step_decay.check_epoch_function(lambda epoch, lr: lr * 0.5 if epoch and epoch % 3 == 0
                                    else lr)
    assert stateful and "depends on the rate" in stateful.message
    late = step_decay.check_epoch_function(lambda epoch, lr: 0.3 * 0.5 ** ((epoch + 1) // 3))
    assert not late and "first drop is at the start of epoch 3" in late.message
    assert "Python float" in step_decay.check_epoch_function(lambda epoch, lr: 1).message
    assert step_decay.check_epoch_function(lambda epoch: 0.3 * 0.5 ** (epoch // 3))  # Keras's old form
    constant = step_decay.check_epoch_function(lambda epoch: 0.3)
    assert not constant and "at epoch 3" in constant.message
    crashing = step_decay.check_epoch_function(lambda epoch, lr, extra: 0.3)
    assert not crashing and "TypeError" in crashing.message
    assert not step_decay.check_epoch_function(...)
    assert not step_decay.check_epoch_function(0.3)


def test_drop_every_steps():
    assert step_decay.check_drop_every_steps(129)
    assert "multiply by the steps per epoch" in step_decay.check_drop_every_steps(3).message
    assert not step_decay.check_drop_every_steps(86)
    assert not step_decay.check_drop_every_steps(...)


def test_same_half_life_factor():
    assert step_decay.check_same_half_life_factor(0.1 ** 0.25)
    assert step_decay.check_same_half_life_factor(0.5623)
    assert "f**4" in step_decay.check_same_half_life_factor(0.025).message
    assert not step_decay.check_same_half_life_factor(0.5)
    assert not step_decay.check_same_half_life_factor(...)


# -- the noise, in theory ---------------------------------------------------------------------

def test_theory_decays_are_the_formulas():
    t = np.arange(0, 1000, 7)
    assert np.allclose(step_decay.inverse_time(0.5, 100)(t), 0.5 / (1 + t / 100))
    assert np.allclose(step_decay.inverse_sqrt_time(0.5, 100)(t), 0.5 / np.sqrt(1 + t / 100))


def test_a_batch_divides_the_noise_variance():
    bowl = step_decay.noisy_bowl_for_batch(16)
    assert bowl.noise == pytest.approx(0.25) and step_decay.bowl_batch(bowl) == 16
    assert bowl.curvatures == NOISY_BOWL.curvatures and bowl.steps == step_decay.THEORY_STEPS
    # The floor is proportional to the noise variance: 16 times lower.
    assert bowl.floor(0.1) == pytest.approx(step_decay.noisy_bowl_for_batch(1).floor(0.1) / 16)


def test_the_decays_of_the_theory_keep_falling_while_a_constant_rate_stalls():
    bowl = step_decay.noisy_bowl_for_batch(1)
    constant = bowl.run(0.5).mean_losses
    inverse = bowl.run(step_decay.inverse_time(0.5)).mean_losses
    assert constant[-1] == pytest.approx(bowl.floor(0.5), rel=1e-3)
    assert 1.8 < inverse[1000] / inverse[2000] < 2.05   # 1/t


def test_noise_and_decay_draws_static_and_live():
    fig = render(step_decay.noise_and_decay, batch_size=4, initial_learning_rate=0.5)
    titles = [ax.get_title() for ax in fig.axes]
    assert "batch of 4" in titles[0] and "batch of 4" in titles[1]
    assert small_multiples(step_decay.noise_and_decay, "batch_size", [1, 16], ncols=1)
    assert render(step_decay.noise_and_decay, initial_learning_rate=2.5)  # diverges, still draws
    assert live(step_decay.noise_and_decay, **step_decay.noise_and_decay_controls())


def test_noise_and_moved_drop_checkers_give_feedback():
    assert not step_decay.check_noise_answer(...)
    assert step_decay.check_noise_answer(True)
    assert not step_decay.check_noise_answer(False)
    assert not step_decay.check_noise_answer("yes")
    assert not step_decay.check_moved_drop_answer(...)
    assert step_decay.check_moved_drop_answer(None)
    assert not step_decay.check_moved_drop_answer(43)
    assert not step_decay.check_moved_drop_answer(7)
    assert step_decay.check_moved_drop_answer("neither")
    assert "below 1" in step_decay.check_moved_drop_answer(258).message
    assert "fell with the loss" not in step_decay.check_noise_answer(False).message  # a hint, later
