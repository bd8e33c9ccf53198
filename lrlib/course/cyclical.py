"""The companion of the chapter "Cyclical learning rates": everything its code cells call.

A cyclical rate moves linearly between two bounds, over and over (Smith 2017,
:class:`lrlib.schedules.CyclicalLearningRate`); one-cycle does it once
(:class:`lrlib.schedules.OneCycle`). This module holds, in the chapter's order:

- **Raising the rate again, on purpose**: :func:`cyclical_escape` runs gradient descent on
  :class:`lrlib.course.landscapes.MultiMinima` (one wide global minimum, three sharp local
  ones) under a cyclical schedule. Three runs start in the three sharp minima; a grid of runs
  (:func:`grid_starts`) starts everywhere. While the rate is low, a sharp minimum holds its
  run; when the rate climbs well above $2/\\lambda$ of that minimum, the run is thrown out,
  and the wide minimum, stable up to much larger rates, catches it.
- **The bounds from a range test**: :func:`range_test_bounds`, Smith's rule for the two
  bounds, read off a learning-rate range test (:func:`lrlib.range_test.lr_range_test`).
- **One-cycle as each library has it**: :func:`one_cycle_rates`, the one-cycle schedule as
  PyTorch, fastai and optax (two variants, cosine and linear) define it by default, so the
  differences can be plotted. None of them is exactly Smith and Topin's shape (one linear
  cycle up and down in two equal steps, then a long final phase far below the start). lrlib's own :class:`lrlib.schedules.OneCycle`
  follows PyTorch.
- **Checkers** of the chapter's exercises (``check_*``).

Example:
    >>> from lrlib.course.cyclical import one_cycle_rates
    >>> rates = one_cycle_rates("pytorch", 0.5, total_steps=430)
    >>> f"{rates[0]:.3g}", int(rates.argmax()), f"{rates[-1]:.1e}"
    ('0.02', 128, '2.0e-06')
"""

import math

import numpy as np

from lrlib import validation
from lrlib.course.basins import basin_shares, plot_shares, settled_minima
from lrlib.course.check import Result, _as_float, check_number, check_schedule
from lrlib.course.descent import descend_many
from lrlib.course.landscapes import MultiMinima
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape
from lrlib.course.widgets.core import dropdown, experiment, int_slider, log_slider
from lrlib.range_test import RangeTest
from lrlib.schedules import CyclicalLearningRate, cosine_anneal, evaluate

__all__ = [
    # raising the rate again, on purpose
    "CYCLICAL_SETUP",
    "SETTLE",
    "cyclical_schedule",
    "grid_starts",
    "cyclical_runs",
    "cyclical_escape",
    "cyclical_escape_controls",
    # the bounds from a range test
    "range_test_bounds",
    # one-cycle as each library has it
    "ONE_CYCLE_SOURCES",
    "ONE_CYCLE_DEFAULTS",
    "one_cycle_rates",
    # checkers
    "check_rates_at_step_500",
    "check_triangular2",
    "check_one_cycle_numbers",
]


# -- raising the rate again, on purpose --------------------------------------------------------

#: The fixed settings of :func:`cyclical_escape` (the chapter quotes them).
CYCLICAL_SETUP = {
    "steps": 400,
    "gamma": 0.995,  # per-step factor of "exp_range"
    "offset": 1e-3,  # the three runs start this far from their sharp minima
    "grid": 25,  # the grid of starts is grid x grid
}

#: A run has settled when its last SETTLE points sit at one minimum (the rate is low for only
#: a few steps at the end of a cycle).
SETTLE = 10


def cyclical_schedule(lower=0.02, upper=0.7, step_size=50, mode="triangular"):
    """The schedule of :func:`cyclical_escape`."""
    gamma = CYCLICAL_SETUP["gamma"] if mode == "exp_range" else 1.0
    return CyclicalLearningRate(lower, upper, step_size, mode=mode, gamma=gamma)


def grid_starts(landscape):
    """The ``grid`` x ``grid`` starts of :func:`cyclical_escape`, spread over ``landscape``.

    Example:
        >>> from lrlib.course.cyclical import grid_starts
        >>> from lrlib.course.landscapes import MultiMinima
        >>> grid_starts(MultiMinima()).shape
        (625, 2)
    """
    n = CYCLICAL_SETUP["grid"]
    (x0, x1), (y0, y1) = landscape.bounds
    xs, ys = np.meshgrid(np.linspace(x0 + 0.2, x1 - 0.3, n), np.linspace(y0 + 0.2, y1 - 0.2, n))
    return np.stack([xs.ravel(), ys.ravel()], axis=-1)


def cyclical_runs(lower=0.02, upper=0.7, step_size=50, mode="triangular"):
    """``(from_sharp, from_grid)``: runs from the three sharp minima and from a grid of starts."""
    landscape = MultiMinima()
    schedule = cyclical_schedule(lower, upper, step_size, mode)
    steps = CYCLICAL_SETUP["steps"]
    sharp = landscape.minima[1:] + CYCLICAL_SETUP["offset"]
    from_sharp = descend_many(landscape, sharp, schedule, steps)
    from_grid = descend_many(landscape, grid_starts(landscape), schedule, steps)
    return from_sharp, from_grid


@experiment(figsize=(10.5, 3.5), scrub="upper")
def cyclical_escape(fig, lower=0.02, upper=0.7, step_size=50, mode="triangular"):
    """Schedule, paths from the three sharp minima, and where a grid of runs ends."""
    landscape = MultiMinima()
    schedule = cyclical_schedule(lower, upper, step_size, mode)
    from_sharp, from_grid = cyclical_runs(lower, upper, step_size, mode)
    steps = CYCLICAL_SETUP["steps"]
    t = np.arange(steps)
    rates = evaluate(schedule, t)
    limits = 2.0 / landscape.sharpness(landscape.minima)
    ax_rate, ax_map, ax_share = fig.subplots(1, 3, width_ratios=[1.2, 1.0, 0.75])

    ax_rate.plot(t, rates, color=PALETTE["blue"])
    ax_rate.axhspan(limits[1:].min(), limits[1:].max(), color=PALETTE["vermillion"], alpha=0.2,
                    label="$2/\\lambda$ of the sharp minima")
    ax_rate.axhline(limits[0], color=PALETTE["green"], linestyle="--", linewidth=1.2,
                    label=f"$2/\\lambda$ of the wide one ({limits[0]:.2f})")
    ax_rate.set_yscale("log")
    ax_rate.set_ylim(0.5 * min(rates.min(), limits.min()), 2.0 * max(rates.max(), limits.max()))
    ax_rate.set_xlabel("step $t$")
    ax_rate.set_ylabel("learning rate $\\eta_t$ (log scale)")
    ax_rate.set_title(f"{mode}: {lower:g} to {upper:g},\nstep size {step_size}", fontsize=10)
    ax_rate.legend(loc="lower right", fontsize=8)

    plot_landscape(ax_map, landscape, levels=20, resolution=120)
    colors = [PALETTE["vermillion"], PALETTE["orange"], PALETTE["sky"]]
    for run, color in zip(range(from_sharp.points.shape[1]), colors):
        path = from_sharp.points[:, run]
        ax_map.plot(path[:, 0], path[:, 1], color=color, linewidth=0.9)
        ax_map.plot(path[0, 0], path[0, 1], "s", color=color, markersize=5)
        ax_map.plot(path[-1, 0], path[-1, 1], "o", color=color, markeredgecolor="black",
                    markersize=6)
    escaped = int(np.sum(settled_minima(landscape, from_sharp, last=SETTLE) == 0))
    ax_map.set_title(f"From the 3 sharp minima:\n{escaped} of 3 end in the wide one",
                     fontsize=10)
    if from_sharp.diverged.any():
        annotate_diverged(ax_map, int(from_sharp.diverged_at[from_sharp.diverged].min()))

    shares = basin_shares(landscape, from_grid, last=SETTLE)
    local = sum(value for key, value in shares.items() if key > 0)
    plot_shares(ax_share, shares[0], local, shares[-1], from_grid,
                f"Where {len(from_grid.diverged)} runs\nfrom a grid end")
    return fig


def cyclical_escape_controls():
    """The controls for :func:`cyclical_escape`: bounds, step size and mode."""
    return {
        "lower": log_slider(0.02, 0.005, 0.09, description="lower bound"),
        "upper": log_slider(0.7, 0.1, 5.0, description="upper bound"),
        "step_size": int_slider(50, 10, 200, step=10, description="step size (steps)"),
        "mode": dropdown(CyclicalLearningRate.MODES, value="triangular", description="mode"),
    }


# -- the bounds from a range test --------------------------------------------------------------

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


# -- one-cycle as each library has it ----------------------------------------------------------

#: The one-cycle variants that :func:`one_cycle_rates` knows, in the order of the chapter.
ONE_CYCLE_SOURCES = ("pytorch", "fastai", "optax", "optax-linear")

#: Their defaults: the share of steps spent rising, the start ``max / div`` and the end.
ONE_CYCLE_DEFAULTS = {
    "pytorch": {"rise": 0.3, "div": 25.0, "end": "max / (25 * 1e4)", "shape": "cosine"},
    "fastai": {"rise": 0.25, "div": 25.0, "end": "max / 1e5", "shape": "cosine"},
    "optax": {"rise": 0.3, "div": 25.0, "end": "max / (25 * 1e4)", "shape": "cosine"},
    "optax-linear": {"rise": 0.3, "div": 25.0, "end": "max / (25 * 1e4)",
              "shape": "linear, back to the start at 85%, then far below it"},
}


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
    - ``"optax-linear"``: optax's ``linear_onecycle_schedule(T, max)`` with its defaults
      (``pct_start=0.3, pct_final=0.85, div_factor=25, final_div_factor=1e4``), a linear
      variant that cites Smith and Topin but fixes its own numbers: linear from ``max/25`` up
      to ``max`` at 30%, back down to ``max/25`` at 85%, then a final drop to
      ``max/(25 * 1e4)``. Smith and Topin's own cycle rises and falls in two equal steps and
      has no fixed 25 or 1e4.

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
        up = cosine_anneal(start, peak, t / top)
        down = cosine_anneal(peak, start / 1e4, (t - top) / (last - top))
        return np.where(t <= top, up, down)
    if source == "fastai":
        fraction = t / total
        up = cosine_anneal(start, peak, fraction / 0.25)
        down = cosine_anneal(peak, peak / 1e5, (fraction - 0.25) / 0.75)
        return np.where(fraction < 0.25, up, down)
    if source == "optax":
        top = float(int(0.3 * total))
        up = cosine_anneal(start, peak, t / top)
        down = cosine_anneal(peak, start / 1e4, (t - top) / (total - top))
        return np.where(t < top, up, down)
    top, back = float(int(0.3 * total)), float(int(0.85 * total))
    return np.interp(t, [0.0, top, back, float(total)], [start, peak, start, start / 1e4])


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def check_rates_at_step_500(triangular, triangular2):
    """Exercise cyclical-ex-predict: bounds 0.01 and 0.1, step size 200, at step 500."""
    if triangular is Ellipsis or triangular2 is Ellipsis:
        return _PLACEHOLDER
    result = check_number(triangular, 0.055, name="triangular", rtol=0.005, low=0.01, high=0.1,
                          allowed="the rate stays between the bounds 0.01 and 0.1")
    if not result:
        value = _as_float(triangular)
        if value is not None and math.isclose(value, 0.0325, rel_tol=0.005):
            return Result(False, "triangular: that is triangular2's value; triangular never "
                                 "shrinks its cycles.")
        return Result(False, result.message + " Step 500 is in the second cycle (steps 400 "
                                              "to 799), halfway up its rising side.")
    result = check_number(triangular2, 0.0325, name="triangular2", rtol=0.005, low=0.01,
                          high=0.1, allowed="the rate stays between the bounds 0.01 and 0.1")
    if not result:
        return Result(False, result.message + " In cycle c = 2 triangular2 halves the "
                                              "amplitude (0.1 - 0.01) once; the lower bound "
                                              "itself is not halved.")
    return Result(True, "triangular 0.055 and triangular2 0.0325: halfway up the second "
                        "cycle, whose amplitude triangular2 has halved.")


def check_triangular2(my_schedule):
    """Exercise cyclical-ex-formula: Smith's triangular2 with bounds 0.001, 0.006, s = 2000."""
    if my_schedule is Ellipsis:
        return _PLACEHOLDER
    reference = CyclicalLearningRate(0.001, 0.006, step_size=2000, mode="triangular2")
    steps = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000, 12345]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule", atol=1e-12)
    if result:
        return result
    try:
        at_6000 = float(my_schedule(6000))
    except Exception:
        return result
    if math.isclose(at_6000, 0.006, rel_tol=1e-3):
        return Result(False, result.message + " At step 6000 (the top of the second cycle) "
                                              "the amplitude should be halved: 0.001 + "
                                              "0.005 / 2.")
    if math.isclose(at_6000, 0.006 / 2, rel_tol=1e-3):
        return Result(False, result.message + " Halve the amplitude (upper - lower), not "
                                              "the whole rate: the lower bound stays 0.001.")
    return result


def check_one_cycle_numbers(peak_step, first_rate, last_rate):
    """Exercise cyclical-ex-one-cycle: PyTorch's defaults, max 0.5, 430 steps."""
    if Ellipsis in (peak_step, first_rate, last_rate):
        return _PLACEHOLDER
    value = _as_float(peak_step)
    if value is not None and math.isclose(value, 129.0):
        return Result(False, "peak step: 0.3 × 430 = 129 steps are spent rising, counted from "
                             "step 0, so the peak is at step 128 (PyTorch's 0.3 T - 1).")
    result = check_number(peak_step, 128, name="peak step", rtol=0, atol=0.5, low=0, high=429,
                          allowed="a step of the 430, counted from 0")
    if not result:
        return result
    result = check_number(first_rate, 0.5 / 25, name="first rate", rtol=1e-3, low=0, high=0.5,
                          allowed="positive, at most the peak 0.5")
    if not result:
        return result
    value = _as_float(last_rate)
    if value is not None and math.isclose(value, 0.5 / 1e4, rel_tol=1e-3):
        return Result(False, "last rate: final_div_factor divides the *starting* rate, "
                             "max/25, not the peak.")
    result = check_number(last_rate, 0.5 / 25 / 1e4, name="last rate", rtol=1e-3, low=0,
                          high=0.5, allowed="positive, at most the peak 0.5")
    if not result:
        return result
    return Result(True, "peak at step 128, from 0.02 up to 0.5 and down to 2e-06.")
