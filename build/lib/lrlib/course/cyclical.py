"""Cyclical learning rates in practice: bounds from a range test, and one-cycle as each library has it.

- :func:`range_test_bounds`: Smith's (2017) rule for the two bounds of a cyclical schedule,
  read off a learning-rate range test (:func:`lrlib.range_test.lr_range_test`).
- :func:`one_cycle_rates`: the one-cycle schedule as PyTorch, fastai and optax define it by
  default, and the linear shape of Smith and Topin's paper, so the differences can be plotted.
  lrlib's own :class:`lrlib.schedules.OneCycle` follows PyTorch.

Example:
    >>> from lrlib.course.cyclical import one_cycle_rates
    >>> rates = one_cycle_rates("pytorch", 0.5, total_steps=430)
    >>> f"{rates[0]:.3g}", int(rates.argmax()), f"{rates[-1]:.1e}"
    ('0.02', 128, '2.0e-06')
"""

import numpy as np

from lrlib import validation
from lrlib.range_test import RangeTest

__all__ = ["range_test_bounds", "ONE_CYCLE_SOURCES", "ONE_CYCLE_DEFAULTS", "one_cycle_rates"]


def range_test_bounds(test, fall=0.1):
    """Smith's bounds for a cyclical schedule from a range test: ``(lower, upper)``.

    Smith (2017, section 3.3) runs the rate up and notes two rates on the accuracy curve:
    where it starts to rise, the lower bound, and where it slows, turns ragged or falls, the
    upper bound. Read on the loss: where the loss *starts to fall* and where it *stops
    falling*. Here, on the test's smoothed loss:

    - ``lower``: the first rate at which the smoothed loss is ``fall`` (10%) below its start;
    - ``upper``: the rate at which the smoothed loss is lowest.

    The smoothed loss lags the raw one by a few steps, so ``upper`` errs on the high side.

    Args:
        test: a :class:`lrlib.range_test.RangeTest`.
        fall: the relative drop that counts as "starts to fall", in (0, 1).
    """
    if not isinstance(test, RangeTest):
        raise ValueError(f"`test` must be an lrlib.range_test.RangeTest, got {test!r}")
    fall = validation.real("fall", fall, low=0.0, high=1.0, low_open=True, high_open=True)
    smooth = np.asarray(test.smoothed_losses, dtype=float)
    rates = np.asarray(test.learning_rates, dtype=float)
    if smooth.size < 3:
        raise ValueError("the range test recorded fewer than 3 steps: widen the range")
    lowest = int(np.argmin(smooth))
    falling = np.flatnonzero(smooth[: lowest + 1] < (1.0 - fall) * smooth[0])
    if falling.size == 0:
        raise ValueError(
            f"the smoothed loss never fell {fall:.0%} below its start: start the range test "
            "at a smaller rate or run it longer"
        )
    return float(rates[falling[0]]), float(rates[lowest])


#: The one-cycle variants that :func:`one_cycle_rates` knows, in the order of the chapter.
ONE_CYCLE_SOURCES = ("pytorch", "fastai", "optax", "paper")

#: Their defaults: the share of steps spent rising, the start ``max / div`` and the end.
ONE_CYCLE_DEFAULTS = {
    "pytorch": {"rise": 0.3, "div": 25.0, "end": "max / (25 * 1e4)", "shape": "cosine"},
    "fastai": {"rise": 0.25, "div": 25.0, "end": "max / 1e5", "shape": "cosine"},
    "optax": {"rise": 0.3, "div": 25.0, "end": "max / (25 * 1e4)", "shape": "cosine"},
    "paper": {"rise": 0.3, "div": 25.0, "end": "max / (25 * 1e4)",
              "shape": "linear, back to the start at 85%, then annihilation"},
}


def _cosine(start, end, fraction):
    return end + (start - end) / 2.0 * (np.cos(np.pi * fraction) + 1.0)


def one_cycle_rates(source, maximal_learning_rate, total_steps):
    """The one-cycle rates of steps ``0 .. total_steps - 1`` with ``source``'s defaults.

    - ``"pytorch"``: ``torch.optim.lr_scheduler.OneCycleLR(max_lr, total_steps)``: a half
      cosine from ``max/25`` up to ``max`` at step ``0.3 T - 1``, then down to
      ``max/(25 * 1e4)`` at step ``T - 1`` (equal to :class:`lrlib.schedules.OneCycle`).
    - ``"fastai"``: ``Learner.fit_one_cycle(lr_max=max)``: cosine from ``max/25`` up to
      ``max`` at 25% of training, then down towards ``max/1e5``, as a function of the
      fraction of training done, ``t / T`` (equal to
      ``lrlib.schedules.OneCycle.fastai(max, T)``).
    - ``"optax"``: ``optax.cosine_onecycle_schedule(T, max)``: PyTorch's numbers, with the
      peak at step ``int(0.3 T)`` and the end reached at step ``T``.
    - ``"paper"``: the linear shape of Smith and Topin, as optax's
      ``linear_onecycle_schedule(T, max)`` has it: linear from ``max/25`` up to ``max`` at 30%,
      back down to ``max/25`` at 85%, then a final "annihilation" to ``max/(25 * 1e4)``.

    PyTorch and fastai also cycle the momentum (0.95 down to 0.85 and back, opposite to the
    rate); this function, like lrlib's schedules, covers the learning rate only.
    """
    source = validation.choice("source", source, ONE_CYCLE_SOURCES)
    peak = validation.positive("maximal_learning_rate", maximal_learning_rate)
    total = validation.integer("total_steps", total_steps, low=8)
    t = np.arange(total, dtype=float)
    start = peak / 25.0
    if source == "pytorch":
        top, last = 0.3 * total - 1.0, total - 1.0
        up = _cosine(start, peak, t / top)
        down = _cosine(peak, start / 1e4, (t - top) / (last - top))
        return np.where(t <= top, up, down)
    if source == "fastai":
        fraction = t / total
        up = _cosine(start, peak, fraction / 0.25)
        down = _cosine(peak, peak / 1e5, (fraction - 0.25) / 0.75)
        return np.where(fraction < 0.25, up, down)
    if source == "optax":
        top = float(int(0.3 * total))
        up = _cosine(start, peak, t / top)
        down = _cosine(peak, start / 1e4, (t - top) / (total - top))
        return np.where(t < top, up, down)
    top, back = float(int(0.3 * total)), float(int(0.85 * total))
    return np.interp(t, [0.0, top, back, float(total)], [start, peak, start, start / 1e4])

