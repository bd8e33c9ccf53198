"""Counterfactual runs: what one change to a schedule does, measured step by step.

Two training runs with the same seed start from the same weights and see the same batches
in the same order. A step decay and a constant rate that agree up to step $k$ are therefore
identical up to step $k$: the constant run is the schedule's *counterfactual*, the same run
without the drop. After the drop, the ratio of their batch losses at each step cancels out
how hard each batch is and keeps only the effect of the drop.

- :func:`first_difference`: the first step at which two runs' losses differ.
- :func:`paired_loss_ratio`: the geometric mean of the step-by-step loss ratio over a window.
- :func:`paired_loss_ratio_curve` and :func:`plot_paired_ratios`: the same, at every step.

Example:
    >>> import numpy as np
    >>> from types import SimpleNamespace as Run
    >>> from lrlib.course.counterfactual import first_difference, paired_loss_ratio
    >>> schedule = Run(losses=np.array([2.0, 1.0, 0.5, 0.4]))
    >>> constant = Run(losses=np.array([2.0, 1.0, 0.8, 0.8]))
    >>> first_difference(schedule, constant)
    2
    >>> round(paired_loss_ratio(schedule, constant, 2, 4), 3)
    0.559
"""

import numpy as np

from lrlib import validation

__all__ = ["first_difference", "paired_loss_ratio", "paired_loss_ratio_curve",
           "plot_paired_ratios"]


def _losses(run, name):
    losses = getattr(run, "losses", None)
    if losses is None:
        raise ValueError(f"`{name}` must be a training run with `losses`, got {run!r}")
    return np.asarray(losses, dtype=float)


def first_difference(run, reference):
    """The first step at which two runs' batch losses differ (``None`` if they never do).

    Two runs with the same seed see the same batches in the same order and start from the
    same weights, so a schedule and a constant rate that agree up to step $k$ give exactly
    the same losses up to step $k$: the constant run is the schedule's counterfactual.
    """
    a, b = _losses(run, "run"), _losses(reference, "reference")
    n = min(a.size, b.size)
    differ = np.flatnonzero(a[:n] != b[:n])
    if differ.size:
        return int(differ[0])
    return None if a.size == b.size else n


def paired_loss_ratio(run, reference, start, stop):
    """How much lower (< 1) or higher (> 1) ``run``'s loss is than ``reference``'s.

    The geometric mean over steps ``start .. stop - 1`` of the ratio of the two runs' batch
    losses, step by step. With the same seed both runs see the same batch at each step, so
    the ratio cancels how hard each batch is and keeps only the effect of the schedule.
    """
    a, b = _losses(run, "run"), _losses(reference, "reference")
    start = validation.integer("start", start, low=0)
    stop = validation.integer("stop", stop, low=start + 1)
    if stop > min(a.size, b.size):
        raise ValueError(f"`stop` ({stop}) is past the end of a run "
                         f"({min(a.size, b.size)} steps)")
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(a[start:stop]) - np.log(b[start:stop])
    if not np.all(np.isfinite(logs)):
        raise ValueError("the losses must be positive and finite over the window")
    return float(np.exp(np.mean(logs)))


def paired_loss_ratio_curve(run, reference, window=10):
    """:func:`paired_loss_ratio` at every step, over a trailing window (for plots)."""
    a, b = _losses(run, "run"), _losses(reference, "reference")
    window = validation.positive_integer("window", window)
    n = min(a.size, b.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(a[:n]) - np.log(b[:n])
    logs = np.where(np.isfinite(logs), logs, np.nan)
    cumulative = np.concatenate([[0.0], np.nancumsum(logs)])
    counts = np.minimum(np.arange(1, n + 1), window)
    starts = np.arange(1, n + 1) - counts
    return np.exp((cumulative[1:] - cumulative[starts]) / counts)


def plot_paired_ratios(ax, runs, references, marks=(), window=10, title=None):
    """Plot :func:`paired_loss_ratio_curve` for pairs of runs (one line per seed).

    ``runs`` and ``references`` are lists of runs paired by seed; ``marks`` are steps to
    draw as vertical lines (the drops). Below 1: the run's loss is lower than the
    reference's on the same batches.
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    from lrlib.course.plots import COLORS, PALETTE, use_style

    use_style()
    if len(runs) != len(references) or not runs:
        raise ValueError("`runs` and `references` must be non-empty lists of equal length")
    for index, (run, reference) in enumerate(zip(runs, references)):
        curve = paired_loss_ratio_curve(run, reference, window)
        ax.plot(curve, color=COLORS[index % len(COLORS)], linewidth=1.2,
                label=f"seed {getattr(run, 'seed', index)}")
    ax.axhline(1.0, color=PALETTE["black"], linewidth=1.0)
    for step in marks:
        ax.axvline(step, color="0.45", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    # Plain tick labels (0.5, 1, 2) rather than powers of ten: the ratios span little.
    ax.yaxis.set_major_locator(FixedLocator([0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("step $t$")
    ax.set_ylabel(f"loss ratio, mean of {window} steps (log)")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left")
    return ax
