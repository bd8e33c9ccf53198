"""NumPy closed forms of lrlib's schedules: what a vectorised evaluation is timed against.

Each function takes an lrlib schedule and an array of steps and returns the rates in
float64, written the shortest way NumPy allows (the formulas of ``lrlib.schedules``'
docstrings). ``closed_form(schedule)`` returns ``None`` for a schedule with no form here (a
schedule added after this file was written): the benchmark then says so instead of guessing.
"""

import numpy as np

from lrlib import schedules as S

__all__ = ["closed_form"]


def _cosine(start, end, fraction):
    return end + (start - end) * 0.5 * (1.0 + np.cos(np.pi * fraction))


def constant(s, t):
    return np.full(t.shape, s.learning_rate)


def step_decay(s, t):
    return s.initial_learning_rate * s.drop_factor ** np.floor(t / s.drop_every)


def exponential(s, t):
    exponent = t / s.decay_steps
    if s.staircase:
        exponent = np.floor(exponent)
    return s.initial_learning_rate * s.decay_rate**exponent


def cosine(s, t):
    fraction = np.minimum(t, s.decay_steps) / s.decay_steps
    return _cosine(s.initial_learning_rate, s.minimum_learning_rate, fraction)


def warm_restarts(s, t):
    m, progress = s.cycle_multiplier, t / s.first_cycle_steps

    def start(cycle):
        return cycle if m == 1.0 else (m**cycle - 1.0) / (m - 1.0)

    if m == 1.0:
        cycle = np.floor(progress)
    else:
        cycle = np.floor(np.log1p(progress * (m - 1.0)) / np.log(m))
        cycle = np.where(progress >= start(cycle + 1.0), cycle + 1.0, cycle)
        cycle = np.where(progress < start(cycle), cycle - 1.0, cycle)
    fraction = (progress - start(cycle)) / m**cycle
    low = s.minimum_learning_rate
    peak = s.peak_multiplier**cycle * (s.initial_learning_rate - low)
    return low + peak * 0.5 * (1.0 + np.cos(np.pi * fraction))


def cyclical(s, t):
    size = float(s.step_size)
    cycle = np.floor(1.0 + t / (2.0 * size))
    x = np.abs(t / size - 2.0 * cycle + 1.0)
    scale = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1.0),
             "exp_range": s.gamma**t}[s.mode]
    amplitude = s.maximal_learning_rate - s.initial_learning_rate
    return s.initial_learning_rate + amplitude * np.maximum(0.0, 1.0 - x) * scale


def one_cycle(s, t):
    last, peak = float(s.total_steps - 1), s.peak_step
    t = np.minimum(t, last)
    rising = _cosine(s.initial_learning_rate, s.maximal_learning_rate, t / peak)
    falling = _cosine(s.maximal_learning_rate, s.final_learning_rate, (t - peak) / (last - peak))
    return np.where(t <= peak, rising, falling)


def warmup(s, t):
    inner = closed_form(s.schedule)
    if inner is None:
        return None
    target = inner(s.schedule, np.zeros(1))[0]
    after = inner(s.schedule, np.maximum(t - s.warmup_steps, 0.0))
    ramp = s.initial_learning_rate + (target - s.initial_learning_rate) * t / s.warmup_steps
    return np.where(t < s.warmup_steps, ramp, after)


_FORMS = {
    S.Constant: constant,
    S.StepDecay: step_decay,
    S.ExponentialDecay: exponential,
    S.CosineAnnealing: cosine,
    S.WarmRestarts: warm_restarts,
    S.CyclicalLearningRate: cyclical,
    S.OneCycle: one_cycle,
    S.Warmup: warmup,
}


def closed_form(schedule):
    """The NumPy function ``f(schedule, steps)`` for ``schedule``'s class, or ``None``."""
    form = _FORMS.get(type(schedule))
    if form is warmup:
        return warmup if closed_form(schedule.schedule) is not None else None
    return form
