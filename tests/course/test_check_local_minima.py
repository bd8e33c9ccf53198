"""lrlib.course.check.local_minima: each checker accepts the reference and rejects typical mistakes."""

import numpy as np

from lrlib.course import basins
from lrlib.course.check import local_minima as check
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import DoubleWell, MultiMinima


def test_double_well_predictions():
    assert check.PREDICTION_RATES == (0.04, 0.12, 0.9)
    right = {0.04: "sharp", 0.12: "never settles", 0.9: "Never settles "}
    assert check.double_well_predictions(right)
    wrong = check.double_well_predictions({**right, 0.12: "sharp"})
    assert not wrong and "η = 0.12" in wrong.message and "barrier" in wrong.message
    escaped = check.double_well_predictions({**right, 0.9: "wide"})
    assert not escaped and "even of the wide minimum" in escaped.message
    stays = check.double_well_predictions({**right, 0.04: "never settles"})
    assert not stays and "below 2/λ" in stays.message
    assert "missing" in check.double_well_predictions({0.04: "sharp"}).message
    assert "not one of" in check.double_well_predictions({**right, 0.04: "left"}).message
    assert not check.double_well_predictions(...)
    assert "replace" in check.double_well_predictions({r: ... for r in right}).message
    assert not check.double_well_predictions(["sharp"])


def test_global_limit():
    surface = MultiMinima()
    limit = 2 / surface.sharpness(surface.global_minimum)
    assert 0.95 < limit < 1.0
    assert check.global_limit(limit) and check.global_limit(0.98)
    assert "fastest" in check.global_limit(limit / 2).message
    sharp_limit = 2 / surface.sharpness(surface.minima[1])
    assert "sharp local" in check.global_limit(sharp_limit).message
    assert not check.global_limit(...) and not check.global_limit("one")


def test_escape_rate_matches_the_runs():
    reference = check.reference_escape_rate()
    well = DoubleWell()
    starts = np.linspace(-1.6, -0.55, 50)
    for rate, escapes in ((0.97 * reference, False), (1.03 * reference, True)):
        ends = [basins.outcome(well, gradient_descent(well, [x], rate, 1500)) for x in starts]
        assert all(e == 0 for e in ends) is escapes
    assert check.escape_rate(0.16) and check.escape_rate(0.162)
    assert "stable" in check.escape_rate(2 / 44.45).message
    assert not check.escape_rate(0.3) and not check.escape_rate(...)


def test_settled_rule_accepts_the_reference_and_rejects_typical_mistakes():
    assert check.settled_rule(check.reference_settled_at)

    def only_last_point(points, minima):
        d = np.linalg.norm(minima - points[-1], axis=-1)
        return int(d.argmin()) if d.min() <= 0.05 else -1

    def no_step_test(points, minima):
        d = np.linalg.norm(points[-20:, None] - minima[None], axis=-1)
        k = d[-1].argmin()
        return int(k) if np.all(d[:, k] <= 0.05) else -1

    def off_by_one(points, minima):
        return check.reference_settled_at(points, minima, last=19)

    assert "short" in check.settled_rule(no_step_test).message
    assert not check.settled_rule(only_last_point)
    assert "every" in check.settled_rule(off_by_one).message
    assert "nothing" in check.settled_rule(lambda p, m: None).message
    assert "raised" in check.settled_rule(lambda p, m: 1 / 0).message
    assert not check.settled_rule("settled")


def test_the_reference_rule_is_the_rule_of_lrlib_basins():
    well = DoubleWell()
    for rate in (0.02, 0.1, 0.3, 1.0):
        run = gradient_descent(well, [-1.3], rate, 300)
        code = basins.outcome(well, run)
        expected = code if code >= 0 else -1
        assert check.reference_settled_at(run.points, well.minima) == expected
