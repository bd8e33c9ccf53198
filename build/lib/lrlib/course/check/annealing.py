"""Checkers for the exercises of the chapter "Annealing"."""

import math

from lrlib.course.check import Result, _as_float, check_number, check_schedule
from lrlib.schedules import WarmRestarts

__all__ = ["quarter_way", "second_restart", "warm_restarts", "forbidding_floor"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def quarter_way(cosine, linear):
    """Exercise annealing-ex-quarter: the fraction of eta_0 left at t = T/4 (floor 0)."""
    if cosine is Ellipsis or linear is Ellipsis:
        return _PLACEHOLDER
    expected_cosine = 0.5 * (1 + math.cos(math.pi / 4))
    value = _as_float(cosine)
    if value is not None and math.isclose(value, math.cos(math.pi / 4), rel_tol=1e-3):
        return Result(False, "cosine: cos(π/4) ≈ 0.707 is the cosine itself; the schedule is "
                             "½(1 + cos(π t/T)), which starts at 1 and ends at 0.")
    result = check_number(cosine, expected_cosine, name="cosine", rtol=0.005)
    if not result:
        return result
    result = check_number(linear, 0.75, name="linear", rtol=0.005)
    if not result:
        return result
    return Result(True, f"cosine keeps {expected_cosine:.3f} of η₀ a quarter of the way in, "
                        "linear 0.75: cosine annealing is gentler at first.")


def second_restart(answer):
    """Exercise annealing-ex-keras: the step of the second restart for T0 = 50, m = 1.2."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    value = _as_float(answer)
    if value is not None and value in (100.0, 120.0):
        return Result(False, f"{value:g} would be right if every cycle lasted as long as the "
                             "first (or the second). Cycle i lasts 50 · 1.2^i steps: add the "
                             "first two lengths.")
    return check_number(answer, 110, name="the step of the second restart", rtol=0, atol=0.5)


def warm_restarts(my_schedule):
    """Exercise annealing-ex-sgdr: SGDR with eta_0 = 0.1, T_0 = 100, m = 2, peaks halved."""
    if my_schedule is Ellipsis:
        return _PLACEHOLDER
    reference = WarmRestarts(0.1, first_cycle_steps=100, cycle_multiplier=2.0,
                             peak_multiplier=0.5)
    steps = [0, 50, 99, 100, 101, 200, 299, 300, 500, 699, 700, 1000]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule", atol=1e-9)
    if result:
        return result
    try:
        at_199, at_200 = float(my_schedule(199)), float(my_schedule(200))
        at_300 = float(my_schedule(300))
    except Exception:
        return result
    if at_200 > at_199 + 1e-6:
        return Result(False, result.message + " Your schedule restarts at step 200: with m = 2 "
                                              "the second cycle lasts 200 steps, so the next "
                                              "restart is at 100 + 200 = 300.")
    if math.isclose(at_300, 0.1, rel_tol=1e-3):
        return Result(False, result.message + " The restart at step 300 is in the right place, "
                                              "but each peak should be half the one before "
                                              "(0.1, 0.05, 0.025, ...).")
    return result


def forbidding_floor(answer):
    """Exercise annealing-ex-floor: the smallest floor that forbids the sharp minimum."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    from lrlib.course.landscapes import DoubleWell

    well = DoubleWell()
    limit = 2.0 / float(well.sharpness(well.sharp_minimum))
    value = _as_float(answer)
    if value is not None and math.isclose(value, limit / 2, rel_tol=0.05):
        return Result(False, "1/λ is the rate that reaches the bottom in one step; a rate "
                             "between 1/λ and 2/λ still converges (oscillating). The bound is "
                             "2/λ.")
    return check_number(answer, limit, name="the floor", rtol=0.05)
