"""Checkers for the exercises of the chapter "Choosing a schedule"."""

import math

import numpy as np

from lrlib.course.check import Result, check_function, check_number
from lrlib.course.runs import COMMON, SweepResults
from lrlib.schedules import CosineAnnealing, evaluate, for_budget, mean_rate

__all__ = ["matching_peak", "mean_rate_function", "gap_in_images", "TEST_IMAGES"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

#: Images in the digits test split (one image = 1/450 of test accuracy).
TEST_IMAGES = 450


def matching_peak(answer):
    """Exercise choosing-ex-matching-peak: the step-decay peak with constant 0.3's mean rate."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    fraction = mean_rate(for_budget("step", 1.0, COMMON.total_steps), COMMON.total_steps)
    expected = 0.3 / fraction
    result = check_number(answer, expected, name="the step-decay peak", rtol=0.03)
    if result:
        return Result(True, result.message + f" Step decay averages {fraction:.2f} of its peak "
                            "(1, 1/2, 1/4 and 1/8 for a quarter of the budget each), so it "
                            "needs a peak about twice the constant rate.")
    value = _float(answer)
    if value is not None and math.isclose(value, 0.3, rel_tol=0.03):
        return Result(False, "0.3 is the same *peak*; step decay then delivers less than half "
                             "the learning rate in all. Which peak makes its *mean* 0.3?")
    if value is not None and math.isclose(value, 0.3 * fraction, rel_tol=0.05):
        return Result(False, f"{value:g} is the mean of step decay *at* peak 0.3: you need the "
                             "peak whose mean is 0.3, so divide by the mean fraction instead.")
    return result


def mean_rate_function(mean_rate):
    """Exercise choosing-ex-mean-rate: ``mean_rate(schedule, total_steps)``."""
    if mean_rate is Ellipsis or not callable(mean_rate):
        return Result(False, "define `mean_rate(schedule, total_steps)` as a function, then "
                             "run the cell again.")
    cases = [
        (for_budget("constant", 0.3, 430), 430),
        (for_budget("cosine", 1.0, 430), 430),
        (for_budget("exponential", 1.0, 430), 430),
        (for_budget("one-cycle", 0.5, 200), 200),
        (for_budget("step", 2.0, 100), 100),
        (CosineAnnealing(0.1, decay_steps=50), 100),  # the floor after step 50 counts too
    ]

    def reference(case):
        schedule, total_steps = case
        return float(np.mean(evaluate(schedule, total_steps)))

    def learner(case):
        return mean_rate(*case)

    def describe(case):
        schedule, total_steps = case
        return f"{schedule!r} over {total_steps} steps"

    result = check_function(learner, reference, cases, name="mean_rate", rtol=1e-3,
                            describe=describe)
    if not result:
        peak_like = all(_close(_safe(learner, c), float(np.max(evaluate(c[0], c[1]))))
                        for c in cases[:3])
        if peak_like:
            return Result(False, result.message + " Your function returns the peak; the mean "
                                 "averages the rate over every step of the budget.")
    return result


def gap_in_images(answer, results):
    """Exercise choosing-ex-gap: the best-to-worst gap of the table, in test images."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    if not isinstance(results, SweepResults):
        return Result(False, "pass the sweep's results as the second argument.")
    expected, spread = _gap_and_spread(results)
    result = check_number(answer, expected, name="the gap in test images", atol=0.5)
    if result:
        verdict = ("smaller than" if expected < spread else "about the size of"
                   if expected < 1.5 * spread else "larger than")
        return Result(True, f"{result.message} The typical seed spread of one schedule is "
                            f"{spread:.1f} images: the gap is {verdict} it.")
    value = _float(answer)
    if value is not None and value < 1.0 and value > 0:
        return Result(False, f"{value:g} looks like a fraction of the test set: multiply by the "
                             f"{TEST_IMAGES} test images.")
    return result


def _gap_and_spread(results):
    """Best-minus-worst mean accuracy at each family's best rate, and the median spread,
    both in test images."""
    cells = [results.cell(f, results.best_rate(f)) for f in results.families
             if results.best_rate(f) is not None]
    means = [c.mean("accuracy") for c in cells]
    spreads = [c.spread("accuracy") for c in cells]
    return ((max(means) - min(means)) * TEST_IMAGES, float(np.median(spreads)) * TEST_IMAGES)


def _float(value):
    if isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _safe(function, case):
    try:
        return float(function(case))
    except Exception:
        return math.nan


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-3)
