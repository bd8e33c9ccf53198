"""lrlib.course.check.step_decay: accept the reference answers, reject the typical mistakes."""

import numpy as np

from lrlib.course.check import step_decay as check


def test_multistep_boundaries():
    assert check.multistep_boundaries([149, 299], [0.3, 0.03, 0.003])
    assert not check.multistep_boundaries(..., [0.3, 0.03, 0.003])
    off_by_one = check.multistep_boundaries([150, 300], [0.3, 0.03, 0.003])
    assert not off_by_one and "last* step at the old rate" in off_by_one.message
    assert "step 150" in off_by_one.message
    wrong_values = check.multistep_boundaries([149, 299], [0.3, 0.003, 0.0003])
    assert not wrong_values and "expected 0.03" in wrong_values.message
    assert "one more entry" in check.multistep_boundaries([149, 299], [0.3, 0.03]).message
    assert not check.multistep_boundaries("149, 299", [0.3, 0.03, 0.003])
    assert not check.multistep_boundaries([299, 149], [0.3, 0.03, 0.003])


def test_epoch_function():
    assert check.epoch_function(lambda epoch, lr: 0.3 * 0.5 ** (epoch // 3))
    assert check.epoch_function(lambda epoch, lr: np.float32(0.3) * np.float32(0.5) **
                                 (epoch // 3))
    stateful = check.epoch_function(lambda epoch, lr: lr * 0.5 if epoch and epoch % 3 == 0
                                    else lr)
    assert stateful and "depends on the rate" in stateful.message
    late = check.epoch_function(lambda epoch, lr: 0.3 * 0.5 ** ((epoch + 1) // 3))
    assert not late and "first drop is at the start of epoch 3" in late.message
    assert "Python float" in check.epoch_function(lambda epoch, lr: 1).message
    assert check.epoch_function(lambda epoch: 0.3 * 0.5 ** (epoch // 3))  # Keras's old form
    constant = check.epoch_function(lambda epoch: 0.3)
    assert not constant and "at epoch 3" in constant.message
    crashing = check.epoch_function(lambda epoch, lr, extra: 0.3)
    assert not crashing and "TypeError" in crashing.message
    assert not check.epoch_function(...)
    assert not check.epoch_function(0.3)


def test_drop_every_steps():
    assert check.drop_every_steps(129)
    assert "multiply by the steps per epoch" in check.drop_every_steps(3).message
    assert not check.drop_every_steps(86)
    assert not check.drop_every_steps(...)


def test_same_half_life_factor():
    assert check.same_half_life_factor(0.1 ** 0.25)
    assert check.same_half_life_factor(0.5623)
    assert "f**4" in check.same_half_life_factor(0.025).message
    assert not check.same_half_life_factor(0.5)
    assert not check.same_half_life_factor(...)
