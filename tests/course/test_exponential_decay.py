"""lrlib.course.exponential_decay: the companion of the chapter "Exponential decay"."""

import math
import time

import keras
import numpy as np
import re

import pytest

from lrlib import schedules
from lrlib.course import exponential_decay
from lrlib.course.widgets import live, render
from lrlib.schedules import ExponentialDecay, StepDecay, evaluate


# -- budgets: what a configuration does, in steps ---------------------------------------------------------

def test_steps_to_fraction_agree_with_the_schedule():
    steps = exponential_decay.exponential_steps_to_fraction(10_000, 0.9, 0.01)
    assert ExponentialDecay(0.1, 10_000, 0.9)(steps) == pytest.approx(1e-3, rel=1e-5)
    assert exponential_decay.exponential_steps_to_fraction(100, 1.0, 0.5) == math.inf
    assert exponential_decay.exponential_steps_to_fraction(100, 0.5, 1.0) == 0.0


def test_inverse_time_steps_to_fraction_matches_keras():
    steps = exponential_decay.inverse_time_steps_to_fraction(430, 9.0, 0.25)
    keras_schedule = keras.optimizers.schedules.InverseTimeDecay(1.0, 430, 9.0)
    assert evaluate(keras_schedule, [steps])[0] == pytest.approx(0.25, rel=1e-5)
    with pytest.raises(ValueError, match="`decay_rate`"):
        exponential_decay.inverse_time_steps_to_fraction(430, 0.0, 0.5)


@pytest.mark.parametrize("bad", [{"decay_rate": 0.0}, {"decay_rate": 1.5},
                                 {"decay_steps": 0}, {"fraction": 0.0}, {"fraction": 2.0}])
def test_steps_to_fraction_validates(bad):
    args = {"decay_steps": 100, "decay_rate": 0.5, "fraction": 0.5, **bad}
    with pytest.raises(ValueError, match=f"`{next(iter(bad))}`"):
        exponential_decay.exponential_steps_to_fraction(**args)


def test_exponential_for_budget_reaches_the_fraction_at_the_end_of_the_budget():
    smooth = exponential_decay.exponential_for_budget(0.3, total_steps=430, final_fraction=0.01)
    assert smooth(430) == pytest.approx(0.003, rel=1e-6)
    assert smooth(429) > 0.003
    stairs = exponential_decay.exponential_for_budget(0.3, 430, 0.01, steps_per_epoch=43)
    assert stairs.staircase and stairs.decay_steps == 43
    assert stairs(430) == pytest.approx(0.003, rel=1e-6)
    # The staircase sits on the smooth curve at each epoch boundary.
    boundaries = np.arange(0, 430, 43)
    assert np.allclose(stairs(boundaries), smooth(boundaries), rtol=1e-6)
    with pytest.raises(ValueError, match="whole number of epochs"):
        exponential_decay.exponential_for_budget(0.3, 430, 0.01, steps_per_epoch=40)
    with pytest.raises(ValueError, match="`final_fraction`"):
        exponential_decay.exponential_for_budget(0.3, 430, 0.0)


def test_mean_rate():
    assert schedules.mean_rate(0.3, 100) == pytest.approx(0.3)
    assert schedules.mean_rate(StepDecay(1.0, 0.5, 50), 100) == pytest.approx(0.75)
    # Smooth exponential to q over the budget: close to (1 - q) / ln(1/q) of the start.
    q = 0.01
    assert schedules.mean_rate(ExponentialDecay(1.0, 4300, q), 4300) == pytest.approx(
        (1 - q) / math.log(1 / q), rel=1e-3)


# -- the experiment --------------------------------------------------------------------------

def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_exponential_explorer_says_the_half_life_live():
    fig = render(exponential_decay.exponential_explorer, initial_learning_rate=1.0,
                 decay_rate=0.01, decay_steps=430)
    assert "half-life 65 steps (1.5 epochs)" in fig.axes[0].get_title()
    stairs = render(exponential_decay.exponential_explorer, decay_rate=0.5, decay_steps=43,
                    staircase=True)
    assert "halved at step 43" in stairs.axes[0].get_title()
    flat = render(exponential_decay.exponential_explorer, decay_rate=1.0)
    assert "half-life never" in flat.axes[0].get_title()


def test_extreme_values_say_diverged():
    fig = render(exponential_decay.exponential_explorer, initial_learning_rate=3.0,
                 decay_rate=1e-4, decay_steps=10, staircase=True)
    assert any(text.startswith("diverged at step") for text in _texts(fig))


def test_gentle_extremes_draw_without_divergence():
    fig = render(exponential_decay.exponential_explorer, initial_learning_rate=0.03,
                 decay_rate=1e-4, decay_steps=10)
    assert not any("diverged" in text for text in _texts(fig))
    assert all(ax.get_title() for ax in fig.axes)


def test_live_controls():
    widget = live(exponential_decay.exponential_explorer,
                  **exponential_decay.exponential_controls())
    descriptions = [re.sub(r" \(\d+ steps\)$", "", c.description)  # the snapped main slider
                    for row in widget.children[0].children for c in row.children]
    assert descriptions == ["initial rate η₀", "decay rate r", "decay steps T", "staircase"]


def test_fast_enough_for_a_slider():
    render(exponential_decay.exponential_explorer)  # warm up (the best constant rate is cached)
    start = time.process_time()
    render(exponential_decay.exponential_explorer)
    assert time.process_time() - start < 1.5


def test_describe_steps():
    assert exponential_decay.describe_steps(float("inf")) == "never"
    assert exponential_decay.describe_steps(86) == "86 steps (2 epochs)"
    assert exponential_decay.describe_steps(65788) == "65,788 steps"


def test_bad_arguments():
    with pytest.raises(ValueError, match="`decay_rate`"):
        render(exponential_decay.exponential_explorer, decay_rate=2.0)


# -- a rate on its optimizer's scale ---------------------------------------------------------

def test_first_update_adam_moves_every_weight_by_about_the_rate():
    weights, updates = exponential_decay.first_update("adam", 0.1, seed=0)
    assert weights.shape == updates.shape == (64 * 64 + 64 * 10,)
    moved = updates[updates > 0]
    assert moved.size > 0.8 * updates.size  # a few inputs are always 0: their weights stay
    assert np.median(moved) == pytest.approx(0.1, rel=0.01)
    _, sgd = exponential_decay.first_update("sgd", 0.1, seed=0)
    assert np.median(sgd) < 0.01  # SGD moves by eta times the gradient, far less here


# -- checkers --------------------------------------------------------------------------------

def test_steps_to_adam_rate():
    assert exponential_decay.check_steps_to_adam_rate(10000 * math.log(100) / math.log(1 / 0.9))
    assert exponential_decay.check_steps_to_adam_rate(437_000)
    halving = exponential_decay.check_steps_to_adam_rate(10000 * math.log(100) / math.log(2))
    assert not halving and "halving" in halving.message
    linear = exponential_decay.check_steps_to_adam_rate(990_000)
    assert not linear and "multiplicative" in linear.message
    assert not exponential_decay.check_steps_to_adam_rate(...)


def test_budget_decay_accepts_every_right_pair():
    assert exponential_decay.check_budget_decay(15_000, 0.001)
    assert exponential_decay.check_budget_decay(500, 0.001 ** (1 / 30))
    assert exponential_decay.check_budget_decay(1_000, 0.001 ** (1 / 15))
    epochs = exponential_decay.check_budget_decay(30, 0.001)
    assert not epochs and "optimizer steps" in epochs.message
    assert not exponential_decay.check_budget_decay(500, 0.001)
    assert "below 1" in exponential_decay.check_budget_decay(500, 1.5).message
    assert not exponential_decay.check_budget_decay(-5, 0.5)
    assert not exponential_decay.check_budget_decay(..., 0.5)


def test_inverse_time_schedule():
    assert exponential_decay.check_inverse_time_schedule(lambda step: 0.5 / (1 + 2.0 * step / 100))
    stairs = exponential_decay.check_inverse_time_schedule(lambda step: 0.5 / (1 + 2.0 * (step // 100)))
    assert not stairs and "staircase" in stairs.message
    assert not exponential_decay.check_inverse_time_schedule(lambda step: 0.5 * 2.0 ** (-step / 100))
    assert not exponential_decay.check_inverse_time_schedule(lambda step: None)
    assert not exponential_decay.check_inverse_time_schedule(...)


# -- judging a difference against seed noise ---------------------------------------------------

def test_the_chapter_uses_the_one_paired_difference():
    # One definition, lrlib.course.stats: the chapter and its checker do not keep their own.
    assert not hasattr(exponential_decay, "paired_difference")
    assert not hasattr(exponential_decay, "PairedDifference")


def test_check_verdicts():
    right = {"exponential 0.3 → 1%": "worse", "exponential 1.0 → 1%": "within noise",
             "exponential 2.0 → 1%": "worse"}
    assert exponential_decay.check_verdicts(right)
    assert not exponential_decay.check_verdicts(...)
    assert "replace" in exponential_decay.check_verdicts(dict.fromkeys(right, ...)).message
    assert not exponential_decay.check_verdicts({"a": "worse"})
    wrong = dict(right, **{"exponential 1.0 → 1%": "worse"})
    message = exponential_decay.check_verdicts(wrong).message
    assert "below 0: does it?" in message and "1 of the 3" in message
    wrong = dict(right, **{"exponential 0.3 → 1%": "within noise"})
    assert "contains 0: does it?" in exponential_decay.check_verdicts(wrong).message
    wrong = dict(right, **{"exponential 2.0 → 1%": "within noise"})  # its interval is below 0
    assert "contains 0: does it?" in exponential_decay.check_verdicts(wrong).message
    assert "not one of" in exponential_decay.check_verdicts(dict(right, **{
        "exponential 0.3 → 1%": "lower"})).message
