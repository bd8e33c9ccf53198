"""Paired comparisons over seeds: a difference, its 95% interval, and the verdict it supports.

Two contenders A and B trained with the same seeds (same initial weights and batch order per
seed, :func:`lrlib.course.reproducibility.seed_everything`) give one difference per seed,
``a[seed] - b[seed]``. Pairing removes the seed's own luck (a lucky initialisation helps both)
from the comparison, so the interval is usually much narrower than the two contenders'
spreads side by side.

- :func:`paired_difference`: the mean of the per-seed differences, its 95% confidence
  interval, and ``n``, the number of pairs. The interval is Student's t by default
  (``mean ± t(0.975, n-1) · sd / sqrt(n)``, with ``sd`` the differences' sample standard
  deviation, ``ddof=1``), or a percentile bootstrap (``method="bootstrap"``: 10,000 resamples
  of the pairs, seeded, so the same data give the same interval).
- :func:`verdict`: ``"A beats B"`` only when the interval excludes 0, else
  ``"within noise"``, with the interval, as one line of text.

Example:
    >>> from lrlib.course.stats import paired_difference, verdict
    >>> cosine = {0: 0.71, 1: 0.74, 2: 0.69, 3: 0.73, 4: 0.72}
    >>> constant = {0: 0.66, 1: 0.70, 2: 0.66, 3: 0.67, 4: 0.68}
    >>> difference = paired_difference(cosine, constant)
    >>> round(difference.mean, 3), difference.n
    (0.044, 5)
    >>> verdict(difference, "cosine", "constant")
    'cosine beats constant by 0.044 (95% t interval 0.030 to 0.058, 5 paired seeds)'

Lists (or arrays) of numbers pair by position, one value per seed in the same seed order:

    >>> difference = paired_difference([0.97, 0.98, 0.975], [0.96, 0.975, 0.97])
    >>> round(difference.mean, 4), round(difference.low, 4), round(difference.high, 4)
    (0.0067, -0.0005, 0.0138)
"""

import dataclasses
import math
import numbers
from collections.abc import Mapping

import numpy as np

from lrlib import validation

__all__ = ["Difference", "paired_difference", "verdict", "METHODS"]

#: The kinds of interval :func:`paired_difference` computes.
METHODS = ("t", "bootstrap")

#: Resamples of the percentile bootstrap, and its seed.
BOOTSTRAP_RESAMPLES = 10_000
BOOTSTRAP_SEED = 0


@dataclasses.dataclass(frozen=True)
class Difference:
    """A paired difference ``a - b`` over seeds.

    Attributes:
        mean: the mean of the per-seed differences.
        low, high: the ends of its confidence interval.
        n: the number of pairs (seeds where both contenders measured a value).
        confidence: the interval's coverage (0.95).
        method: ``"t"`` (Student's t) or ``"bootstrap"`` (percentile bootstrap).
        differences: the per-seed differences, by ascending seed.
        seeds: those seeds.
        dropped: the seeds left out because a contender measured nothing there (say, it
            diverged), ascending.
    """

    mean: float
    low: float
    high: float
    n: int
    confidence: float
    method: str
    differences: tuple
    seeds: tuple
    dropped: tuple = ()

    @property
    def std(self):
        """The sample standard deviation of the differences (``ddof=1``; NaN for one pair)."""
        return float(np.std(self.differences, ddof=1)) if self.n > 1 else math.nan

    @property
    def excludes_zero(self):
        """Whether the interval lies entirely on one side of 0."""
        return self.low > 0 or self.high < 0

    @property
    def interval_name(self):
        """``95% t interval`` or ``95% bootstrap interval``."""
        return f"{self.confidence:.0%} {self.method} interval"


def _is_value(x):
    return x is None or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def _values(contender, metric, name):
    """A {seed: value} dict from a mapping, a Summary, an iterable of Records, or a sequence
    of numbers (one per seed, paired by position with the other contender's)."""
    from lrlib.course.runs import Record, Summary

    if isinstance(contender, Mapping):
        found = dict(contender)
    else:
        try:
            records = contender.records if isinstance(contender, Summary) else tuple(contender)
        except TypeError:
            records = None
        if records and all(_is_value(r) for r in records):
            return {seed: (None if v is None else float(v)) for seed, v in enumerate(records)}
        if records is None or not all(isinstance(r, Record) for r in records):
            raise ValueError(f"`{name}` must be a dict of seed -> value, a Summary, a list "
                             "of Records or a sequence of numbers (one per seed), got "
                             f"{contender!r}")
        if metric is None:
            raise ValueError("`metric` must name the metric to compare records on")
        found = {}
        for record in records:
            if record.seed in found:
                raise ValueError(f"`{name}` has seed {record.seed} twice")
            found[record.seed] = None if record.diverged else record.value(metric)
    if not found:
        raise ValueError(f"`{name}` must not be empty")
    return {seed: (None if v is None else float(v)) for seed, v in found.items()}


def paired_difference(a, b, metric=None, *, confidence=0.95, method="t"):
    """The paired difference ``a - b`` over the seeds both contenders ran.

    Args:
        a, b: each a dict of seed -> value, a :class:`lrlib.course.runs.Summary`, a list of
            :class:`lrlib.course.runs.Record` (one per seed; then ``metric`` names the value,
            a key of :data:`lrlib.course.runs.METRICS` such as ``"accuracy"``), or a
            sequence of numbers, one per seed in the same seed order for both (a list or an
            array: value ``i`` is paired with the other's value ``i``).
        metric: see above.
        confidence: the interval's coverage, 0.95 by default.
        method: ``"t"`` (Student's t, the default) or ``"bootstrap"`` (percentile bootstrap
            of the mean difference, :data:`BOOTSTRAP_RESAMPLES` resamples, seeded).

    Returns:
        A :class:`Difference`. Both contenders must have run the same seeds; a seed where
        either measured nothing (a diverged run, ``None``) is left out and listed in
        ``dropped``.

    Raises:
        ValueError: when the seeds differ, fewer than two pairs remain, or a value is
            not finite.
    """
    confidence = validation.real("confidence", confidence, low=0.0, high=1.0, low_open=True,
                                 high_open=True)
    method = validation.choice("method", method, METHODS)
    a, b = _values(a, metric, "a"), _values(b, metric, "b")
    if set(a) != set(b):
        raise ValueError(f"`a` and `b` must be paired by seed: seeds {sorted(a)} and "
                         f"{sorted(b)}")
    seeds = tuple(s for s in sorted(a) if a[s] is not None and b[s] is not None)
    dropped = tuple(s for s in sorted(a) if s not in seeds)
    if len(seeds) < 2:
        raise ValueError(f"a paired difference needs at least 2 pairs, got {len(seeds)}")
    d = np.array([a[s] - b[s] for s in seeds], dtype=float)
    if not np.all(np.isfinite(d)):
        raise ValueError("`a` and `b` must hold finite values")
    mean, n = float(d.mean()), d.size
    if method == "t":
        from scipy import stats

        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
        low, high = mean - half, mean + half
    else:
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        means = d[rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))].mean(axis=1)
        tail = (1 - confidence) / 2
        low, high = (float(q) for q in np.quantile(means, [tail, 1 - tail]))
    return Difference(mean, float(low), float(high), int(n), confidence, method,
                      tuple(float(x) for x in d), seeds, dropped)


def _number(value, digits, percent):
    return f"{100 * value:.{max(digits - 2, 0)}f} points" if percent else f"{value:.{digits}f}"


def verdict(difference, a="A", b="B", *, higher_is_better=True, digits=3, percent=False):
    """The verdict a :class:`Difference` of ``a - b`` supports, as one line of text.

    ``"a beats b by ..."`` only when the interval excludes 0 (``b beats a`` when it excludes
    0 on ``b``'s side; with ``higher_is_better=False``, as for a loss, the lower wins),
    with the winner's mean advantage and the interval of that advantage (so both positive);
    ``"a and b are within noise"`` otherwise, with the difference ``a - b`` and its
    interval. Each names the interval's kind and the number of pairs. ``percent=True`` writes accuracies
    as percentage points (``digits`` then counts the digits of the fraction).

    Example:
        >>> from lrlib.course.stats import Difference, verdict
        >>> tie = Difference(0.004, -0.01, 0.018, 10, 0.95, "t", (), ())
        >>> verdict(tie, "cosine", "constant")
        'cosine and constant are within noise: difference 0.004 (95% t interval -0.010 to 0.018, 10 paired seeds)'
        >>> win = Difference(0.031, 0.012, 0.05, 10, 0.95, "bootstrap", (), ())
        >>> verdict(win, "cosine", "constant", percent=True, digits=3)
        'cosine beats constant by 3.1 points (95% bootstrap interval 1.2 to 5.0 points, 10 paired seeds)'
    """
    if not isinstance(difference, Difference):
        raise ValueError(f"`difference` must be a Difference, got {difference!r}")
    digits = validation.integer("digits", digits, low=0)
    if percent:
        digits = max(digits, 2)

    def show(value):
        return _number(value, digits, percent)

    def interval(low, high):
        text = (f"{difference.interval_name} {show(low).removesuffix(' points')} to "
                f"{show(high)}, {difference.n} paired seeds")
        if difference.dropped:
            text += f"; {len(difference.dropped)} seed(s) left out: a run measured nothing"
        return text

    if not difference.excludes_zero:
        return (f"{a} and {b} are within noise: difference {show(difference.mean)} "
                f"({interval(difference.low, difference.high)})")
    # The winner's advantage (a - b, or its negative), and the interval of that advantage.
    sign = 1.0 if higher_is_better else -1.0
    if sign * difference.mean < 0:
        a, b, sign = b, a, -sign
    low, high = sorted((sign * difference.low, sign * difference.high))
    return f"{a} beats {b} by {show(sign * difference.mean)} ({interval(low, high)})"
