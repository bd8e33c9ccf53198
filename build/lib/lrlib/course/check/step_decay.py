"""Checkers for the exercises of the chapter "Step decay"."""

import math

import numpy as np

from lrlib.course.check import Result, check_number

__all__ = ["multistep_boundaries", "epoch_function", "drop_every_steps",
           "same_half_life_factor"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

# Exercise step-decay-ex-boundaries: MultiStepLR(milestones=[150, 300], gamma=0.1) from 0.3.
_MILESTONES = (150, 300)
_VALUES = (0.3, 0.03, 0.003)


def _reference_multistep(step):
    return _VALUES[sum(step >= m for m in _MILESTONES)]


def _numbers(value, name):
    """``value`` as a list of floats, or a Result saying what is wrong."""
    if value is Ellipsis:
        return _PLACEHOLDER
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return Result(False, f"`{name}` must be a list of numbers, got {value!r}.")
    try:
        return [float(v) for v in value]
    except (TypeError, ValueError):
        return Result(False, f"`{name}` must be a list of numbers, got {value!r}.")


def multistep_boundaries(boundaries, values):
    """Exercise step-decay-ex-boundaries: ``PiecewiseConstantDecay(boundaries, values)`` equal to
    PyTorch's ``MultiStepLR(milestones=[150, 300], gamma=0.1)`` from 0.3, counted in steps."""
    import keras

    from lrlib.schedules import evaluate

    bounds = _numbers(boundaries, "boundaries")
    if isinstance(bounds, Result):
        return bounds
    vals = _numbers(values, "values")
    if isinstance(vals, Result):
        return vals
    if len(vals) != len(bounds) + 1:
        return Result(False, f"`values` needs one more entry than `boundaries` (one rate per "
                             f"interval): you gave {len(bounds)} boundaries and {len(vals)} "
                             "values.")
    try:
        schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
            [int(b) if float(b).is_integer() else b for b in bounds], vals)
    except Exception as error:  # the learner's lists: report, do not crash
        return Result(False, f"Keras refused these lists: {error}")
    steps = [0, 148, 149, 150, 151, 298, 299, 300, 301, 429]
    got = evaluate(schedule, steps)
    for step, value in zip(steps, got):
        want = _reference_multistep(step)
        if not math.isclose(value, want, rel_tol=1e-5):
            if [round(b) for b in bounds] == list(_MILESTONES):
                return Result(False, f"at step {step} your schedule gives {value:.4g}, "
                                     f"expected {want:.4g}. Keras keeps values[i] while "
                                     "step <= boundaries[i]: a boundary is the *last* step at "
                                     "the old rate, one less than the milestone.")
            return Result(False, f"at step {step} your schedule gives {value:.4g}, "
                                 f"expected {want:.4g}.")
    return Result(True, "boundaries [149, 299] with values [0.3, 0.03, 0.003]: the rate is "
                        "0.3 up to step 149 and 0.03 from step 150, as MultiStepLR's "
                        "milestones say.")


def _reference_epoch(epoch):
    return 0.3 * 0.5 ** (epoch // 3)


def _call_like_keras(function, epoch, rate):
    """Call a ``LearningRateScheduler`` function as Keras 3 does: ``function(epoch, rate)``,
    falling back to the old one-argument form ``function(epoch)`` on a TypeError."""
    try:
        return function(epoch, rate)
    except TypeError:
        return function(epoch)


def epoch_function(function):
    """Exercise step-decay-ex-epochs: a ``LearningRateScheduler`` function that starts at 0.3
    and halves every 3 epochs (epochs counted from 0, as Keras does)."""
    if function is Ellipsis:
        return _PLACEHOLDER
    if not callable(function):
        return Result(False, f"give a function of (epoch, learning_rate), got {function!r}.")
    rate = 0.3  # what Keras would pass: the optimizer's current rate
    for epoch in range(12):
        try:
            got = _call_like_keras(function, epoch, rate)
        except Exception as error:
            return Result(False, f"your function raised {type(error).__name__}: {error} "
                                 f"at epoch {epoch}.")
        if not isinstance(got, (float, np.floating)):
            return Result(False, f"at epoch {epoch} your function returned {got!r}; Keras's "
                                 "callback needs a Python float.")
        want = _reference_epoch(epoch)
        if not math.isclose(got, want, rel_tol=1e-6):
            late = math.isclose(got, 0.3 * 0.5 ** ((epoch + 1) // 3), rel_tol=1e-6)
            hint = (" Epochs count from 0: the first drop is at the start of epoch 3."
                    if late else "")
            return Result(False, f"at epoch {epoch} your function gives {got:.4g}, expected "
                                 f"{want:.4g}.{hint}")
        rate = got
    # Does it depend on the rate it is given (state), or on the epoch only?
    try:
        resumed = _call_like_keras(function, 7, 0.3)
    except Exception:
        resumed = None
    if not (isinstance(resumed, (float, np.floating)) and math.isclose(resumed, _reference_epoch(7),
                                                        rel_tol=1e-6)):
        return Result(True, "right in one uninterrupted fit. But your function depends on the "
                            "rate it is handed: resume training at epoch 7 with a fresh "
                            "optimizer and it gives the wrong rate. A function of the epoch "
                            "alone is safer.")
    return Result(True, "0.3 for epochs 0-2, 0.15 for 3-5, 0.075 for 6-8, and it depends on "
                        "the epoch alone, so resuming training gives the right rate too.")


def drop_every_steps(answer):
    """Exercise step-decay-ex-epochs: ``drop_every`` (in steps) of the equivalent StepDecay,
    with 43 steps per epoch."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    result = check_number(answer, 3 * 43, name="drop_every", rtol=0, atol=0.5)
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 3):
        return Result(False, "3 is the interval in epochs; StepDecay counts optimizer steps "
                             "(batches): multiply by the steps per epoch.")
    return result


def same_half_life_factor(answer):
    """Exercise step-decay-ex-half-life: the drop factor every 25 steps with the same
    half-life (and the same rate at every multiple of 100 steps) as x0.1 every 100 steps."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 0.1 ** (25 / 100)
    result = check_number(answer, expected, name="the drop factor", rtol=2e-3)
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 0.025):
        return Result(False, "0.1 / 4 = 0.025 divides the factor; but four drops of f "
                             "multiply the rate by f**4, which must equal 0.1.")
    return result
