"""lrlib.course.check.warmup: accept the reference answers, reject the typical mistakes."""

import math

import keras
import numpy as np

from lrlib.course.check import warmup as check
from lrlib.schedules import CosineAnnealing, Warmup


def test_placeholders_ask_for_an_answer():
    for checker in (check.adam_first_step, check.linear_scaling_rate, check.warmup_steps,
                    check.keras_cosine_warmup):
        result = checker(...)
        assert not result and "replace the `...`" in result.message


def test_adam_first_step():
    assert check.adam_first_step([0.01, 0.01, 0.01])
    assert check.adam_first_step(np.array([-0.01, 0.01, 0.00999]))
    sgd = check.adam_first_step([1e-5, 0.01, 1.0])
    assert not sgd and "plain SGD" in sgd.message
    assert not check.adam_first_step([0.01, 0.01])
    assert not check.adam_first_step("small")


def test_adam_first_step_reference_is_what_keras_does():
    weights = keras.Variable(np.zeros(3, dtype="float32"))
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    optimizer.apply_gradients([(keras.ops.convert_to_tensor([0.001, 1.0, 100.0]), weights)])
    assert check.adam_first_step(np.asarray(weights.numpy()))


def test_linear_scaling_and_warmup_steps():
    assert check.linear_scaling_rate(3.2)
    square_root = check.linear_scaling_rate(0.1 * math.sqrt(32))
    assert not square_root and "square-root" in square_root.message
    assert check.warmup_steps(5 * math.ceil(1_281_167 / 8192))
    assert check.warmup_steps(782)  # 5 x 156.4, within 1%
    epochs = check.warmup_steps(5)
    assert not epochs and "optimizer steps" in epochs.message


def test_keras_cosine_warmup_accepts_lrlib_and_keras_and_explains_decay_steps():
    assert check.keras_cosine_warmup(Warmup(CosineAnnealing(0.2, 1000), 100))
    theirs = keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=0.2,
                                                    warmup_steps=100)
    assert check.keras_cosine_warmup(lambda t: float(theirs(t)))
    short = check.keras_cosine_warmup(Warmup(CosineAnnealing(0.2, 900), 100))
    assert not short
    no_warmup = check.keras_cosine_warmup(CosineAnnealing(0.2, 1100))
    assert not no_warmup and "at step 0" in no_warmup.message
    assert not check.keras_cosine_warmup(0.2)
