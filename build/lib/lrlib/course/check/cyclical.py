"""Checkers for the exercises of the chapter "Cyclical learning rates"."""

import math

from lrlib.course.check import Result, _as_float, check_number, check_schedule
from lrlib.schedules import CyclicalLearningRate

__all__ = ["rates_at_step_500", "triangular2", "one_cycle_numbers"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def rates_at_step_500(triangular, triangular2):
    """Exercise cyclical-ex-predict: bounds 0.01 and 0.1, step size 200, at step 500."""
    if triangular is Ellipsis or triangular2 is Ellipsis:
        return _PLACEHOLDER
    result = check_number(triangular, 0.055, name="triangular", rtol=0.005)
    if not result:
        value = _as_float(triangular)
        if value is not None and math.isclose(value, 0.0325, rel_tol=0.005):
            return Result(False, "triangular: that is triangular2's value; triangular never "
                                 "shrinks its cycles.")
        return Result(False, result.message + " Step 500 is in the second cycle (steps 400 "
                                              "to 799), halfway up its rising side.")
    result = check_number(triangular2, 0.0325, name="triangular2", rtol=0.005)
    if not result:
        return Result(False, result.message + " In cycle c = 2 triangular2 halves the "
                                              "amplitude (0.1 - 0.01) once; the lower bound "
                                              "itself is not halved.")
    return Result(True, "triangular 0.055 and triangular2 0.0325: halfway up the second "
                        "cycle, whose amplitude triangular2 has halved.")


def triangular2(my_schedule):
    """Exercise cyclical-ex-formula: Smith's triangular2 with bounds 0.001, 0.006, s = 2000."""
    if my_schedule is Ellipsis:
        return _PLACEHOLDER
    reference = CyclicalLearningRate(0.001, 0.006, step_size=2000, mode="triangular2")
    steps = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000, 12345]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule", atol=1e-12)
    if result:
        return result
    try:
        at_6000 = float(my_schedule(6000))
    except Exception:
        return result
    if math.isclose(at_6000, 0.006, rel_tol=1e-3):
        return Result(False, result.message + " At step 6000 (the top of the second cycle) "
                                              "the amplitude should be halved: 0.001 + "
                                              "0.005 / 2.")
    if math.isclose(at_6000, 0.006 / 2, rel_tol=1e-3):
        return Result(False, result.message + " Halve the amplitude (upper - lower), not "
                                              "the whole rate: the lower bound stays 0.001.")
    return result


def one_cycle_numbers(peak_step, first_rate, last_rate):
    """Exercise cyclical-ex-one-cycle: PyTorch's defaults, max 0.5, 430 steps."""
    if Ellipsis in (peak_step, first_rate, last_rate):
        return _PLACEHOLDER
    value = _as_float(peak_step)
    if value is not None and math.isclose(value, 129.0):
        return Result(False, "peak step: 0.3 × 430 = 129 steps are spent rising, counted from "
                             "step 0, so the peak is at step 128 (PyTorch's 0.3 T - 1).")
    result = check_number(peak_step, 128, name="peak step", rtol=0, atol=0.5)
    if not result:
        return result
    result = check_number(first_rate, 0.5 / 25, name="first rate", rtol=1e-3)
    if not result:
        return result
    value = _as_float(last_rate)
    if value is not None and math.isclose(value, 0.5 / 1e4, rel_tol=1e-3):
        return Result(False, "last rate: final_div_factor divides the *starting* rate, "
                             "max/25, not the peak.")
    result = check_number(last_rate, 0.5 / 25 / 1e4, name="last rate", rtol=1e-3)
    if not result:
        return result
    return Result(True, "peak at step 128, from 0.02 up to 0.5 and down to 2e-06.")
