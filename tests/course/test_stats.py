"""lrlib.course.stats: paired differences over seeds, their intervals, and the verdicts."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from lrlib.course.runs import Record, summarize
from lrlib.course.stats import Difference, paired_difference, verdict

A = {0: 0.71, 1: 0.74, 2: 0.69, 3: 0.73, 4: 0.72}
B = {0: 0.66, 1: 0.70, 2: 0.66, 3: 0.67, 4: 0.68}


def test_the_t_interval_is_scipys_and_the_hand_computation():
    d = np.array([A[s] - B[s] for s in sorted(A)])
    result = paired_difference(A, B)
    assert result.n == 5 and result.method == "t" and result.seeds == (0, 1, 2, 3, 4)
    assert result.mean == pytest.approx(d.mean())
    # By hand: mean ± t(0.975, 4) · s / sqrt(5), t(0.975, 4) = 2.7764451.
    half = 2.7764451052 * d.std(ddof=1) / math.sqrt(5)
    assert (result.low, result.high) == pytest.approx((d.mean() - half, d.mean() + half))
    # SciPy's paired t-test gives the same interval (and the paired test is the one-sample
    # test of the differences).
    ci = scipy_stats.ttest_rel(list(A.values()), list(B.values())).confidence_interval(0.95)
    assert (result.low, result.high) == pytest.approx((ci.low, ci.high))
    assert result.std == pytest.approx(d.std(ddof=1)) and result.excludes_zero


def test_the_bootstrap_interval_is_seeded_and_close_to_scipys():
    rng = np.random.default_rng(1)
    a = {s: 0.7 + 0.02 * rng.standard_normal() for s in range(10)}
    b = {s: a[s] - 0.01 + 0.01 * rng.standard_normal() for s in range(10)}
    one = paired_difference(a, b, method="bootstrap")
    assert one == paired_difference(a, b, method="bootstrap")  # same data, same interval
    d = np.array([a[s] - b[s] for s in range(10)])
    theirs = scipy_stats.bootstrap((d,), np.mean, method="percentile", n_resamples=10_000,
                                   random_state=0).confidence_interval
    assert one.low == pytest.approx(theirs.low, abs=0.002)
    assert one.high == pytest.approx(theirs.high, abs=0.002)
    assert one.low < one.mean < one.high


def test_records_and_summaries_pair_by_seed_and_drop_diverged_seeds():
    def records(values, diverged=()):
        return [Record.of("cosine", 0.1, seed, accuracy=v,
                          diverged_at=5 if seed in diverged else None)
                for seed, v in values.items()]

    # Order does not matter: pairs are matched by seed.
    shuffled = list(reversed(records(A)))
    assert paired_difference(shuffled, records(B), "accuracy") == paired_difference(A, B)
    result = paired_difference(summarize(records(A, diverged=(2,))), records(B), "accuracy")
    assert result.dropped == (2,) and result.n == 4 and result.seeds == (0, 1, 3, 4)
    assert "1 seed(s) left out" in verdict(result)
    with pytest.raises(ValueError, match="paired by seed"):
        paired_difference(A, {**B, 9: 0.5})
    with pytest.raises(ValueError, match="`metric`"):
        paired_difference(records(A), records(B))
    with pytest.raises(ValueError, match="at least 2 pairs"):
        paired_difference({0: 0.5}, {0: 0.4})
    with pytest.raises(ValueError, match="`method`"):
        paired_difference(A, B, method="z")


def test_sequences_of_numbers_pair_by_position():
    a, b = [A[s] for s in sorted(A)], [B[s] for s in sorted(B)]
    assert paired_difference(a, b) == paired_difference(A, B)
    assert paired_difference(np.array(a), tuple(b)) == paired_difference(A, B)
    assert paired_difference(a, [None, *b[1:]]).dropped == (0,)
    with pytest.raises(ValueError, match="paired by seed"):
        paired_difference(a, b[:3])
    with pytest.raises(ValueError, match="sequence of numbers"):
        paired_difference(["x", "y"], b[:2])
    with pytest.raises(ValueError, match="at least 2 pairs"):
        paired_difference([0.9], [0.8])


def test_verdicts_say_beats_only_when_the_interval_excludes_zero():
    win = Difference(0.031, 0.012, 0.050, 10, 0.95, "t", (), ())
    tie = Difference(0.004, -0.010, 0.018, 10, 0.95, "t", (), ())
    loss = Difference(-0.031, -0.050, -0.012, 10, 0.95, "t", (), ())
    assert verdict(win, "cosine", "constant") == (
        "cosine beats constant by 0.031 (95% t interval 0.012 to 0.050, 10 paired seeds)")
    assert verdict(tie, "cosine", "constant").startswith(
        "cosine and constant are within noise: difference 0.004 (95% t interval -0.010")
    assert verdict(loss, "cosine", "constant") == (
        "constant beats cosine by 0.031 (95% t interval 0.012 to 0.050, 10 paired seeds)")
    # For a loss lower is better: a negative difference a - b is a win for a.
    assert verdict(loss, "cosine", "constant", higher_is_better=False) == (
        "cosine beats constant by 0.031 (95% t interval 0.012 to 0.050, 10 paired seeds)")
    assert verdict(win, "cosine", "constant", higher_is_better=False).startswith(
        "constant beats cosine by 0.031 (95% t interval 0.012")
    assert "3.1 points" in verdict(win, "cosine", "constant", percent=True)
