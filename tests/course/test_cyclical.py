"""lrlib.course.cyclical: Smith's bounds from a range test; one-cycle as each library defines it."""

import math

import numpy as np
import pytest

from lrlib.course.cyclical import ONE_CYCLE_SOURCES, one_cycle_rates, range_test_bounds
from lrlib.schedules import OneCycle
from lrlib.range_test import RangeTest


def synthetic_test(start_falling=0.01, lowest_at=1.0):
    """A range test whose smoothed loss is flat, falls from `start_falling`, bottoms out."""
    rates = np.geomspace(1e-4, 10.0, 101)
    u = np.log10(rates)
    a, b = math.log10(start_falling), math.log10(lowest_at)
    smooth = np.where(u < a, 2.5, 2.5 - 2.0 * ((u - a) / (b - a)))
    smooth = np.where(u > b, 0.5 + 3.0 * (u - b), smooth)
    return RangeTest(rates, smooth.copy(), smooth, stopped_at=None)


def test_range_test_bounds_follow_smiths_rule():
    lower, upper = range_test_bounds(synthetic_test(0.01, 1.0))
    assert 0.01 < lower < 0.03          # 10% below the start, a little after it starts falling
    assert upper == pytest.approx(1.0, rel=0.15)  # where the loss stops falling
    lower_5, _ = range_test_bounds(synthetic_test(0.01, 1.0), fall=0.05)
    assert lower_5 < lower


def test_range_test_bounds_refuse_a_curve_that_never_falls():
    rates = np.geomspace(1e-4, 1e-2, 50)
    flat = RangeTest(rates, np.full(50, 2.3), np.full(50, 2.3), None)
    with pytest.raises(ValueError, match="never fell"):
        range_test_bounds(flat)
    with pytest.raises(ValueError, match="`test`"):
        range_test_bounds({"learning_rates": rates})
    with pytest.raises(ValueError, match="`fall`"):
        range_test_bounds(synthetic_test(), fall=1.5)


@pytest.mark.parametrize("total", [100, 430, 1000])
def test_pytorch_variant_is_lrlibs_one_cycle(total):
    np.testing.assert_allclose(one_cycle_rates("pytorch", 0.5, total),
                               OneCycle(0.5, total)(np.arange(total)), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("total", [100, 430, 1000])
def test_fastai_variant_is_lrlibs_one_cycle_fastai(total):
    np.testing.assert_allclose(one_cycle_rates("fastai", 0.5, total),
                               OneCycle.fastai(0.5, total)(np.arange(total)), rtol=1e-9)


def test_the_variants_disagree_where_the_libraries_do():
    total, peak = 1000, 0.5
    rates = {source: one_cycle_rates(source, peak, total) for source in ONE_CYCLE_SOURCES}
    for source, values in rates.items():
        assert values[0] == pytest.approx(peak / 25), source  # all start at max / 25
        assert values.max() == pytest.approx(peak, rel=1e-3), source
    assert int(rates["pytorch"].argmax()) == 299    # 0.3 T - 1
    assert int(rates["optax"].argmax()) == 300      # int(0.3 T)
    assert int(rates["fastai"].argmax()) == 250     # 25%
    assert int(rates["paper"].argmax()) == 300
    assert rates["pytorch"][-1] == pytest.approx(peak / 25 / 1e4)
    assert rates["fastai"][-1] < 1e-3 * peak and rates["fastai"][-1] > peak / 1e5
    # Smith's linear shape: back to the start at 85%, then the annihilation phase.
    assert rates["paper"][850] == pytest.approx(peak / 25)
    assert np.all(np.diff(rates["paper"][:300]) > 0)
    assert rates["paper"][-1] < rates["paper"][850] / 10


def test_one_cycle_rates_bad_arguments():
    with pytest.raises(ValueError, match="`source`"):
        one_cycle_rates("keras", 0.5, 100)
    with pytest.raises(ValueError, match="`maximal_learning_rate`"):
        one_cycle_rates("pytorch", 0.0, 100)
    with pytest.raises(ValueError, match="`total_steps`"):
        one_cycle_rates("pytorch", 0.5, 4)
