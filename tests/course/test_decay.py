"""lrlib.course.decay: Keras equivalents, units, budgets, paired comparisons and the noisy bowl."""

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib import schedules
from lrlib.course import decay
from lrlib.course.decay import EpochStepDecay
from lrlib.course.noise import NOISY_BOWL, NoisyBowl
from lrlib.schedules import ExponentialDecay, StepDecay, evaluate


# -- Keras equivalents ----------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(every=st.integers(1, 200), factor=st.floats(0.05, 1.0), total=st.integers(2, 600))
def test_piecewise_step_decay_equals_step_decay_within_the_budget(every, factor, total):
    if every >= total:
        with pytest.raises(ValueError, match="`drop_every`"):
            decay.piecewise_step_decay(0.3, factor, every, total)
        return
    keras_version = decay.piecewise_step_decay(0.3, factor, every, total)
    steps = np.arange(total)
    assert np.allclose(evaluate(keras_version, steps), StepDecay(0.3, factor, every)(steps),
                       rtol=1e-6)


def test_multi_step_decay_milestone_is_the_first_step_at_the_new_rate():
    schedule = decay.multi_step_decay(1.0, milestones=[215, 323], drop_factor=0.1)
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
        decay.multi_step_decay(1.0, milestones, 0.1)


def test_multi_step_decay_rejects_bad_rates():
    with pytest.raises(ValueError, match="`initial_learning_rate`"):
        decay.multi_step_decay(0.0, [10], 0.1)
    with pytest.raises(ValueError, match="`drop_factor`"):
        decay.multi_step_decay(1.0, [10], 1.5)


def test_epoch_step_decay_is_a_pure_function_of_the_epoch_and_converts_to_steps():
    schedule = EpochStepDecay(0.3, drop_factor=0.5, every_epochs=2)
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
    scheduler = keras.callbacks.LearningRateScheduler(EpochStepDecay(0.3, 0.5, 2))
    model.fit(np.ones((8, 2)), np.ones(8), batch_size=4, epochs=4, verbose=0,
              callbacks=[logger, scheduler])
    expected = StepDecay(0.3, 0.5, drop_every=4)(np.arange(8))
    assert np.allclose(logger.learning_rates, expected, rtol=1e-6)


def test_epoch_step_decay_validates():
    with pytest.raises(ValueError, match="`every_epochs`"):
        EpochStepDecay(0.3, 0.5, 0)
    with pytest.raises(ValueError, match="`drop_factor`"):
        EpochStepDecay(0.3, 0.0, 2)
    with pytest.raises(ValueError, match="`epoch`"):
        EpochStepDecay(0.3, 0.5, 2)(-1, 0.3)
    with pytest.raises(ValueError, match="`steps_per_epoch`"):
        EpochStepDecay(0.3, 0.5, 2).in_steps(0)


# -- what a configuration does, in steps ---------------------------------------------------------

def test_half_life_and_steps_to_fraction_agree_with_the_schedule():
    assert decay.exponential_half_life(10_000, 0.9) == pytest.approx(65_788, abs=1)
    assert decay.exponential_half_life(10_000, 0.9) == pytest.approx(
        ExponentialDecay(0.1, 10_000, 0.9).half_life)
    steps = decay.exponential_steps_to_fraction(10_000, 0.9, 0.01)
    assert ExponentialDecay(0.1, 10_000, 0.9)(steps) == pytest.approx(1e-3, rel=1e-5)
    assert decay.exponential_steps_to_fraction(100, 1.0, 0.5) == math.inf
    assert decay.exponential_steps_to_fraction(100, 0.5, 1.0) == 0.0


def test_inverse_time_steps_to_fraction_matches_keras():
    steps = decay.inverse_time_steps_to_fraction(430, 9.0, 0.25)
    keras_schedule = keras.optimizers.schedules.InverseTimeDecay(1.0, 430, 9.0)
    assert evaluate(keras_schedule, [steps])[0] == pytest.approx(0.25, rel=1e-5)
    with pytest.raises(ValueError, match="`decay_rate`"):
        decay.inverse_time_steps_to_fraction(430, 0.0, 0.5)


@pytest.mark.parametrize("bad", [{"decay_rate": 0.0}, {"decay_rate": 1.5},
                                 {"decay_steps": 0}, {"fraction": 0.0}, {"fraction": 2.0}])
def test_steps_to_fraction_validates(bad):
    args = {"decay_steps": 100, "decay_rate": 0.5, "fraction": 0.5, **bad}
    with pytest.raises(ValueError, match=f"`{next(iter(bad))}`"):
        decay.exponential_steps_to_fraction(**args)


def test_exponential_for_budget_reaches_the_fraction_at_the_end_of_the_budget():
    smooth = decay.exponential_for_budget(0.3, total_steps=430, final_fraction=0.01)
    assert smooth(430) == pytest.approx(0.003, rel=1e-6)
    assert smooth(429) > 0.003
    stairs = decay.exponential_for_budget(0.3, 430, 0.01, steps_per_epoch=43)
    assert stairs.staircase and stairs.decay_steps == 43
    assert stairs(430) == pytest.approx(0.003, rel=1e-6)
    # The staircase sits on the smooth curve at each epoch boundary.
    boundaries = np.arange(0, 430, 43)
    assert np.allclose(stairs(boundaries), smooth(boundaries), rtol=1e-6)
    with pytest.raises(ValueError, match="whole number of epochs"):
        decay.exponential_for_budget(0.3, 430, 0.01, steps_per_epoch=40)
    with pytest.raises(ValueError, match="`final_fraction`"):
        decay.exponential_for_budget(0.3, 430, 0.0)


def test_mean_rate():
    assert schedules.mean_rate(0.3, 100) == pytest.approx(0.3)
    assert schedules.mean_rate(StepDecay(1.0, 0.5, 50), 100) == pytest.approx(0.75)
    # Smooth exponential to q over the budget: close to (1 - q) / ln(1/q) of the start.
    q = 0.01
    assert schedules.mean_rate(ExponentialDecay(1.0, 4300, q), 4300) == pytest.approx(
        (1 - q) / math.log(1 / q), rel=1e-3)


# -- the noisy bowl --------------------------------------------------------------------------------

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
