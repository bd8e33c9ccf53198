"""lrlib.course.saddles: random symmetric Hessians and the share of them that are minima."""

import numpy as np
import pytest

from lrlib.course.saddles import random_hessians, share_of_minima


def test_random_hessians_are_symmetric_goe():
    h = random_hessians(4, 5000, seed=1)
    assert h.shape == (5000, 4, 4)
    np.testing.assert_array_equal(h, np.swapaxes(h, -1, -2))
    assert np.var(h[:, 0, 1]) == pytest.approx(1.0, rel=0.1)   # off-diagonal variance 1
    assert np.var(h[:, 2, 2]) == pytest.approx(2.0, rel=0.1)   # diagonal variance 2


def test_share_of_minima_falls_fast_with_dimension():
    shares = [share_of_minima(d, samples=20000, seed=0) for d in (1, 2, 3, 4, 6)]
    assert shares[0] == pytest.approx(0.5, abs=0.015)
    assert shares[1] == pytest.approx((2 - np.sqrt(2)) / 4, abs=0.01)  # 2x2 GOE, exactly
    assert shares == sorted(shares, reverse=True)
    assert shares[3] < 0.01 and shares[4] == 0.0


def test_seeded_and_validated():
    assert share_of_minima(3, 2000, seed=5) == share_of_minima(3, 2000, seed=5)
    with pytest.raises(ValueError, match="`dimension`"):
        share_of_minima(0)
    with pytest.raises(ValueError, match="`samples`"):
        random_hessians(2, 0)
