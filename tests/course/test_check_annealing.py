"""lrlib.course.check.annealing: each checker accepts the solution and rejects typical mistakes."""

import math

from lrlib.course.check import annealing as check
from lrlib.course.landscapes import DoubleWell
from lrlib.schedules import WarmRestarts


def test_quarter_way():
    assert check.quarter_way(0.5 * (1 + math.cos(math.pi / 4)), 0.75)
    assert not check.quarter_way(..., 0.75)
    assert "½(1 + cos" in check.quarter_way(math.cos(math.pi / 4), 0.75).message
    assert not check.quarter_way(0.854, 0.25)
    assert not check.quarter_way("high", 0.75)


def test_second_restart():
    assert check.second_restart(110)
    assert not check.second_restart(...)
    assert "add the first two" in check.second_restart(100).message
    assert not check.second_restart(111)


def sgdr(step):
    start, length, peak = 0, 100, 0.1
    while step >= start + length:
        start, length, peak = start + length, 2 * length, peak / 2
    return peak * 0.5 * (1 + math.cos(math.pi * (step - start) / length))


def test_warm_restarts_accepts_a_plain_python_solution_and_the_lrlib_class():
    assert check.warm_restarts(sgdr)
    assert check.warm_restarts(WarmRestarts(0.1, 100, 2.0, 0.5))
    assert not check.warm_restarts(...)


def test_warm_restarts_explains_typical_mistakes():
    every_100 = check.warm_restarts(WarmRestarts(0.1, 100, 1.0, 0.5))
    assert not every_100 and "100 + 200 = 300" in every_100.message
    same_peaks = check.warm_restarts(WarmRestarts(0.1, 100, 2.0, 1.0))
    assert not same_peaks and "half the one before" in same_peaks.message
    assert not check.warm_restarts(lambda step: 1 / 0)
    assert not check.warm_restarts(0.1)


def test_forbidding_floor():
    well = DoubleWell()
    limit = 2 / float(well.sharpness(well.sharp_minimum))
    assert check.forbidding_floor(limit) and check.forbidding_floor(0.045)
    assert "2/λ" in check.forbidding_floor(limit / 2).message
    assert not check.forbidding_floor(0.2)
    assert not check.forbidding_floor(...)
