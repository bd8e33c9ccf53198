"""lrlib.course.check.choosing: accept the reference answers, reject the typical mistakes."""

import numpy as np

from lrlib.course.check import choosing
from lrlib.schedules import evaluate
from helpers.sweep_fixtures import fake_results


def test_matching_peak():
    assert not choosing.matching_peak(...)
    assert choosing.matching_peak(0.3 / 0.467)
    assert choosing.matching_peak(0.64)  # 0.3 / (15/32), the hand calculation
    assert "twice" in choosing.matching_peak(0.643).message
    same = choosing.matching_peak(0.3)
    assert not same and "same *peak*" in same.message
    product = choosing.matching_peak(0.14)
    assert not product and "divide" in product.message
    assert not choosing.matching_peak(0.6)  # cosine's answer, not step decay's
    assert not choosing.matching_peak("0.64 or so")


def test_mean_rate_function():
    def mean_rate(schedule, total_steps):
        return np.mean(evaluate(schedule, total_steps))

    assert choosing.mean_rate_function(mean_rate)
    assert not choosing.mean_rate_function(...)

    def peak(schedule, total_steps):
        return np.max(evaluate(schedule, total_steps))

    result = choosing.mean_rate_function(peak)
    assert not result and "returns the peak" in result.message

    def ends_early(schedule, total_steps):  # forgets the flat floor after a short decay
        return np.mean(evaluate(schedule, min(total_steps, 50)))

    result = choosing.mean_rate_function(ends_early)
    assert not result and "CosineAnnealing" in result.message

    def off_by_one(schedule, total_steps):
        return np.mean(evaluate(schedule, np.arange(1, total_steps + 1)))

    assert not choosing.mean_rate_function(off_by_one)
    assert not choosing.mean_rate_function(lambda schedule, total_steps: 1 / 0)


def test_gap_in_images():
    results = fake_results()
    expected, spread = choosing._gap_and_spread(results)
    assert expected > 0 and spread > 0
    result = choosing.gap_in_images(expected, results)
    assert result and "seed spread" in result.message
    assert choosing.gap_in_images(round(expected), results)
    assert not choosing.gap_in_images(expected + 3, results)
    fraction = choosing.gap_in_images(expected / choosing.TEST_IMAGES, results)
    assert not fraction and "multiply" in fraction.message
    assert not choosing.gap_in_images(..., results)
    assert not choosing.gap_in_images(expected, results=None)
