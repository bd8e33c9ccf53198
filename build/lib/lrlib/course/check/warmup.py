"""Checkers for the exercises of the chapter "Warmup"."""

import math

import numpy as np

from lrlib.course.check import Result, check_number, check_schedule

__all__ = ["adam_first_step", "linear_scaling_rate", "warmup_steps", "keras_cosine_warmup"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

#: Goyal et al. (2017): ImageNet's training set and their reference batch and rate.
IMAGENET_TRAIN_IMAGES = 1_281_167
REFERENCE_BATCH, REFERENCE_RATE = 256, 0.1


def adam_first_step(answer):
    """Exercise warmup-ex-adam: Adam's first step (rate 0.01) for gradients 0.001, 1, 100."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    try:
        values = np.abs(np.asarray(answer, dtype=float)).ravel()
    except (TypeError, ValueError):
        return Result(False, f"give three numbers, one per weight, got {answer!r}.")
    if values.size != 3 or not np.all(np.isfinite(values)):
        return Result(False, f"give three numbers, one per weight, got {answer!r}.")
    expected = np.full(3, 0.01)
    if np.allclose(values, expected, rtol=0.05):
        return Result(True, "every weight moves by about the learning rate, 0.01, whatever "
                            "the size of its gradient: Adam's first step is η·sign(g).")
    if np.allclose(values, 0.01 * np.array([0.001, 1.0, 100.0]), rtol=0.05):
        return Result(False, "that is plain SGD's step, η·g. Adam divides by the root of "
                             "its second-moment estimate, which at step 1 is |g| itself.")
    return Result(False, f"you gave {values.tolist()}; at step 1, m̂ = g and v̂ = g², so "
                         "each weight moves by η·g/|g|.")


def linear_scaling_rate(answer):
    """Exercise warmup-ex-goyal: the linear scaling rule's rate at batch 8192."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = REFERENCE_RATE * 8192 / REFERENCE_BATCH
    result = check_number(answer, expected, name="the learning rate at batch 8192", rtol=1e-3)
    if not result and isinstance(answer, (int, float)) and math.isclose(
            answer, REFERENCE_RATE * math.sqrt(8192 / REFERENCE_BATCH), rel_tol=1e-3):
        return Result(False, "that is the square-root scaling rule; Goyal et al. scale the "
                             "rate linearly with the batch: η = 0.1 · 8192/256.")
    return result


def warmup_steps(answer):
    """Exercise warmup-ex-goyal: five epochs of ImageNet at batch 8192, in optimizer steps."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    per_epoch = math.ceil(IMAGENET_TRAIN_IMAGES / 8192)
    expected = 5 * per_epoch
    result = check_number(answer, expected, name="the warmup length in steps", rtol=0.01)
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 5, rel_tol=0.01):
        return Result(False, "5 is the warmup in epochs; the schedule counts optimizer steps: "
                             "an epoch is ceil(1,281,167 / 8192) steps.")
    return result


def keras_cosine_warmup(my_schedule):
    """Exercise warmup-ex-keras: lrlib's equivalent of Keras's cosine decay with warmup.

    The target is ``keras.optimizers.schedules.CosineDecay(0.0, decay_steps=1000,
    warmup_target=0.2, warmup_steps=100)``: 100 steps up to 0.2, then 1000 steps of cosine.
    """
    if my_schedule is Ellipsis:
        return _PLACEHOLDER

    def reference(step):
        if step < 100:
            return 0.2 * step / 100
        return 0.1 * (1 + math.cos(math.pi * min(step - 100, 1000) / 1000))

    steps = [0, 1, 50, 99, 100, 101, 350, 600, 999, 1000, 1099, 1100, 1500]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule", rtol=1e-4,
                            atol=1e-7)
    if not result and callable(my_schedule):
        try:
            shorter = math.isclose(float(my_schedule(1000)), 0.0, abs_tol=1e-6)
        except Exception:
            shorter = False
        if shorter:
            return Result(False, result.message + " Your cosine ends at step 1000: in Keras, "
                                 "decay_steps counts the steps *after* the warmup.")
    return result
