"""Checkers for the exercises of the chapter "The learning rate"."""

import math

from lrlib.course.check import Result, check_number, check_schedule

__all__ = ["stability_limit", "steps_to_one_percent", "staircase_schedule"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def stability_limit(answer):
    """Exercise intro-ex-limit: the largest convergent rate on a bowl of curvature 12.5."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    result = check_number(answer, 2 / 12.5, name="the stability limit", rtol=1e-3)
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 1 / 12.5):
        return Result(False, "1/λ = 0.08 is the *fastest* rate (one step to the bottom), not "
                             "the largest one that still converges.")
    return result


def steps_to_one_percent(answer):
    """Exercise intro-ex-half-life: steps until ExponentialDecay(0.05, 500, 0.5) is at 1%."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 500 * math.log(100) / math.log(2)
    return check_number(answer, expected, name="the number of steps", rtol=0.005)


def staircase_schedule(my_schedule):
    """Exercise intro-ex-staircase: ExponentialDecay(0.1, 100, 0.96, staircase=True)."""

    def reference(step):
        return 0.1 * 0.96 ** (step // 100)

    steps = [0, 1, 99, 100, 101, 250, 999, 1000, 5000]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule")
    if not result:
        smooth = all(
            math.isclose(_safe(my_schedule, s), 0.1 * 0.96 ** (s / 100), rel_tol=1e-6)
            for s in steps
        )
        if smooth:
            return Result(False, result.message + " Your function decays smoothly; staircase "
                                 "means the exponent is a whole number, step // 100.")
    return result


def _safe(function, step):
    try:
        return float(function(step))
    except Exception:
        return math.nan
