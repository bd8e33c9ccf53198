"""The experiment of the chapter on cyclical learning rates: raising the rate again, on purpose.

:func:`cyclical_escape` runs gradient descent on :class:`lrlib.course.landscapes.MultiMinima` (one
wide global minimum, three sharp local ones) under a cyclical schedule
(:class:`lrlib.schedules.CyclicalLearningRate`, Smith 2017). Three runs start in the three
sharp minima; a grid of runs starts everywhere. While the rate is low, a sharp minimum holds
its run; when the rate climbs well above $2/\\lambda$ of that minimum, the run is thrown out,
and the wide minimum, stable up to much larger rates, catches it.
"""

import numpy as np

from lrlib.course.basins import basin_shares, plot_shares, settled_minima
from lrlib.course.descent import descend_many
from lrlib.course.landscapes import MultiMinima
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape
from lrlib.schedules import CyclicalLearningRate, evaluate
from lrlib.course.widgets.core import dropdown, experiment, int_slider, log_slider

__all__ = ["CYCLICAL_SETUP", "SETTLE", "cyclical_schedule", "cyclical_runs", "cyclical_escape",
           "cyclical_escape_controls"]

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


def _grid_starts(landscape):
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
    from_grid = descend_many(landscape, _grid_starts(landscape), schedule, steps)
    return from_sharp, from_grid


@experiment(figsize=(10.5, 3.5))
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
