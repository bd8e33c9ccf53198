"""lrlib.course.check.exponential_decay: accept the reference answers, reject the typical mistakes."""

import math

from lrlib.course.check import exponential_decay as check


def test_steps_to_adam_rate():
    assert check.steps_to_adam_rate(10000 * math.log(100) / math.log(1 / 0.9))
    assert check.steps_to_adam_rate(437_000)
    halving = check.steps_to_adam_rate(10000 * math.log(100) / math.log(2))
    assert not halving and "halving" in halving.message
    linear = check.steps_to_adam_rate(990_000)
    assert not linear and "multiplicative" in linear.message
    assert not check.steps_to_adam_rate(...)


def test_budget_decay_accepts_every_right_pair():
    assert check.budget_decay(15_000, 0.001)
    assert check.budget_decay(500, 0.001 ** (1 / 30))
    assert check.budget_decay(1_000, 0.001 ** (1 / 15))
    epochs = check.budget_decay(30, 0.001)
    assert not epochs and "optimizer steps" in epochs.message
    assert not check.budget_decay(500, 0.001)
    assert "below 1" in check.budget_decay(500, 1.5).message
    assert not check.budget_decay(-5, 0.5)
    assert not check.budget_decay(..., 0.5)


def test_inverse_time_schedule():
    assert check.inverse_time_schedule(lambda step: 0.5 / (1 + 2.0 * step / 100))
    stairs = check.inverse_time_schedule(lambda step: 0.5 / (1 + 2.0 * (step // 100)))
    assert not stairs and "staircase" in stairs.message
    assert not check.inverse_time_schedule(lambda step: 0.5 * 2.0 ** (-step / 100))
    assert not check.inverse_time_schedule(lambda step: None)
    assert not check.inverse_time_schedule(...)
