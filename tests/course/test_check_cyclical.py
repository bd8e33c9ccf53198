"""lrlib.course.check.cyclical: each checker accepts the solution and rejects typical mistakes."""

import math

from lrlib.course.check import cyclical as check
from lrlib.schedules import CyclicalLearningRate


def test_rates_at_step_500():
    assert check.rates_at_step_500(0.055, 0.0325)
    assert not check.rates_at_step_500(..., 0.0325)
    assert "triangular2's value" in check.rates_at_step_500(0.0325, 0.0325).message
    assert "lower bound itself" in check.rates_at_step_500(0.055, 0.0275).message
    assert not check.rates_at_step_500(0.1, 0.0325)


def smith(step):
    cycle = math.floor(1 + step / 4000)
    x = abs(step / 2000 - 2 * cycle + 1)
    return 0.001 + 0.005 * max(0.0, 1 - x) / 2 ** (cycle - 1)


def test_triangular2_accepts_smiths_formula():
    assert check.triangular2(smith)
    assert check.triangular2(CyclicalLearningRate(0.001, 0.006, 2000, "triangular2"))
    assert not check.triangular2(...)


def test_triangular2_explains_typical_mistakes():
    plain = check.triangular2(CyclicalLearningRate(0.001, 0.006, 2000))
    assert not plain and "amplitude should be halved" in plain.message

    def whole_rate_halved(step):
        cycle = math.floor(1 + step / 4000)
        x = abs(step / 2000 - 2 * cycle + 1)
        return (0.001 + 0.005 * max(0.0, 1 - x)) / 2 ** (cycle - 1)

    assert "lower bound stays" in check.triangular2(whole_rate_halved).message
    assert not check.triangular2(lambda step: "fast")


def test_one_cycle_numbers():
    assert check.one_cycle_numbers(128, 0.02, 2e-6)
    assert not check.one_cycle_numbers(..., 0.02, 2e-6)
    assert "0.3 T - 1" in check.one_cycle_numbers(129, 0.02, 2e-6).message
    assert "starting* rate" in check.one_cycle_numbers(128, 0.02, 5e-5).message
    assert not check.one_cycle_numbers(128, 0.5, 2e-6)
