"""Checkers for the exercises of the chapter "Exponential decay"."""

import math
import numbers

from lrlib.course.check import Result, check_number, check_schedule

__all__ = ["steps_to_adam_rate", "budget_decay", "inverse_time_schedule"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def steps_to_adam_rate(answer):
    """Exercise exponential-decay-ex-snippet: the step at which
    ``ExponentialDecay(0.1, decay_steps=10000, decay_rate=0.9)`` reaches 1e-3."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 10000 * math.log(100) / math.log(1 / 0.9)
    result = check_number(answer, expected, name="the number of steps", rtol=0.005)
    if not result and isinstance(answer, numbers.Real):
        if math.isclose(answer, 10000 * math.log(100) / math.log(2), rel_tol=0.01):
            return Result(False, "that is how long a *halving* every 10,000 steps would take; "
                                 "here the rate is multiplied by 0.9, not 0.5, per 10,000 "
                                 "steps.")
        if math.isclose(answer, 10000 * 99, rel_tol=0.01):
            return Result(False, "the decay is multiplicative, not linear: solve "
                                 "0.9 ** (t / 10000) = 0.01 for t.")
    return result


_BUDGET = 30 * 500  # 30 epochs of 500 steps
_FINAL = 1e-3


def budget_decay(decay_steps, decay_rate):
    """Exercise exponential-decay-ex-budget: any smooth ``ExponentialDecay(decay_steps,
    decay_rate)`` that is down to 0.1% of its start after 30 epochs of 500 steps."""
    if decay_steps is Ellipsis or decay_rate is Ellipsis:
        return _PLACEHOLDER
    for name, value in (("decay_steps", decay_steps), ("decay_rate", decay_rate)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or value <= 0:
            return Result(False, f"`{name}` must be a positive number, got {value!r}.")
    if decay_rate >= 1:
        return Result(False, f"a decay_rate of {decay_rate} does not decay: it must be "
                             "below 1.")
    remaining = decay_rate ** (_BUDGET / decay_steps)
    if math.isclose(remaining, _FINAL, rel_tol=0.02):
        return Result(True, f"after {_BUDGET:,} steps the rate is {remaining:.3g} of its "
                            "start, as asked. (Any pair with decay_rate ** (15000 / "
                            "decay_steps) = 0.001 works: 15000 and 0.001, or 500 and "
                            "0.794 per epoch.)")
    if math.isclose(decay_steps, 30):
        return Result(False, f"with these numbers the rate is {remaining:.3g} of its start "
                             f"after {_BUDGET:,} steps, expected 0.001. 30 is the run in "
                             "epochs; decay_steps counts optimizer steps (batches).")
    return Result(False, f"with these numbers the rate is {remaining:.3g} of its start after "
                         f"{_BUDGET:,} steps, expected 0.001.")


def inverse_time_schedule(my_schedule):
    """Exercise exponential-decay-ex-inverse-time: a plain function equal to Keras's
    ``InverseTimeDecay(0.5, decay_steps=100, decay_rate=2.0)`` (smooth)."""
    if my_schedule is Ellipsis:
        return _PLACEHOLDER

    def reference(step):
        return 0.5 / (1 + 2.0 * step / 100)

    steps = [0, 1, 25, 50, 99, 100, 101, 250, 1000, 10000]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule")
    if not result and callable(my_schedule):
        try:
            stair = all(math.isclose(float(my_schedule(s)), 0.5 / (1 + 2.0 * (s // 100)),
                                     rel_tol=1e-6) for s in steps)
        except Exception:
            stair = False
        if stair:
            return Result(False, result.message + " Your function is the staircase version; "
                                 "the smooth one uses step / 100, not step // 100.")
    return result
