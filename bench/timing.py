"""Side-by-side timing: interleaved repetitions, medians, spreads and paired ratios.

On a shared machine the load changes from second to second, so a benchmark that times A for
a minute and then B for a minute measures the load as much as A and B. Here every
*round* runs each contender once, back to back, in a shuffled order, and ratios are taken
within a round (A's time in round i over B's time in round i): the load both saw was nearly
the same. A benchmark reports the median over rounds and the spread (the interquartile
range), never one time alone.

Each measurement records two clocks: wall time (``time.perf_counter``) and this process's
CPU time (``time.process_time``, all threads). On a busy machine the CPU time is the steadier
measure of how much work a piece of code does; on an idle one the two agree for
single-threaded work.
"""

import dataclasses
import math
import random
import statistics
import time

__all__ = ["Sample", "Spread", "measure", "interleave", "spread", "paired_ratios", "summarize"]

CLOCKS = ("cpu", "wall")


@dataclasses.dataclass(frozen=True)
class Sample:
    """One timed call: seconds of wall time and of CPU time, divided by ``per``."""

    wall: float
    cpu: float

    def get(self, clock):
        if clock not in CLOCKS:
            raise ValueError(f"`clock` must be one of {CLOCKS}, got {clock!r}")
        return self.wall if clock == "wall" else self.cpu


@dataclasses.dataclass(frozen=True)
class Spread:
    """Median and quartiles of repeated measurements."""

    median: float
    q1: float
    q3: float
    n: int

    def as_dict(self):
        return {"median": self.median, "q1": self.q1, "q3": self.q3, "n": self.n}

    def scaled(self, factor):
        return Spread(self.median * factor, self.q1 * factor, self.q3 * factor, self.n)


def measure(function, per=1):
    """Call ``function()`` once; return a :class:`Sample` in seconds per ``per`` units."""
    if per <= 0:
        raise ValueError(f"`per` must be > 0, got {per!r}")
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return Sample((time.perf_counter() - wall) / per, (time.process_time() - cpu) / per)


def interleave(groups, rounds, *, per=1, seed=0, warmup=1):
    """Time every contender once per round, each group's contenders back to back.

    Args:
        groups: a mapping from a group name to a mapping from a contender's name to a
            function of no arguments. The contenders of a group are the ones compared with
            each other: they run one right after the other, in a shuffled order, so a ratio
            between them is taken under nearly the same load. Groups run in a shuffled
            order too.
        rounds: how many rounds (each contender is timed this many times).
        per: divide each time by this (for example the number of steps a call runs).
        seed: seeds the shuffling, so a run is repeatable.
        warmup: untimed calls of each contender before the first round (tracing, caches).

    Returns:
        ``{group: {contender: [Sample, ...]}}``, one :class:`Sample` per round, in order.
    """
    if not groups or not all(groups.values()):
        raise ValueError("`groups` must be a non-empty mapping of non-empty mappings")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"`rounds` must be a positive integer, got {rounds!r}")
    for contenders in groups.values():
        for function in contenders.values():
            for _ in range(warmup):
                function()
    rng = random.Random(seed)
    samples = {group: {name: [] for name in contenders} for group, contenders in groups.items()}
    for _ in range(rounds):
        group_order = list(groups)
        rng.shuffle(group_order)
        for group in group_order:
            order = list(groups[group])
            rng.shuffle(order)
            for name in order:
                samples[group][name].append(measure(groups[group][name], per=per))
    return samples


def _quartiles(values):
    values = sorted(values)
    if len(values) == 1:
        return values[0], values[0]
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


def spread(values):
    """The :class:`Spread` of a list of numbers (NaN and infinities are not allowed)."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("`values` must not be empty")
    if not all(math.isfinite(v) for v in values):
        raise ValueError("`values` must be finite")
    q1, q3 = _quartiles(values)
    return Spread(statistics.median(values), q1, q3, len(values))


def paired_ratios(numerator, denominator, clock="cpu"):
    """Round-by-round ratios of two contenders' samples (same rounds), as a :class:`Spread`."""
    if len(numerator) != len(denominator) or not numerator:
        raise ValueError("the two lists of samples must be non-empty and of equal length")
    ratios = []
    for a, b in zip(numerator, denominator):
        a, b = a.get(clock), b.get(clock)
        if b <= 0:
            raise ValueError("a denominator time is not positive: the clock is too coarse")
        ratios.append(a / b)
    return spread(ratios)


def summarize(samples, clock="cpu", unit=1.0):
    """:func:`spread` of one contender's samples on ``clock``, multiplied by ``unit``."""
    return spread([s.get(clock) for s in samples]).scaled(unit)
