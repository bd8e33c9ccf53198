"""Local minima, sharp and flat: where gradient descent ends, for one rate, noise and start.

:func:`minima_explorer` runs gradient descent (optionally with gradient noise, the SGD
picture) on the double well (:class:`lrlib.course.landscapes.DoubleWell`) and on the 2-D surface
with several minima (:class:`lrlib.course.landscapes.MultiMinima`), and draws three panels: the
double well with the iterates on it, the double-well position $x_t$ against the step (where
settling, bouncing and escaping are easy to tell apart), and the path on the 2-D map. Each
title says how the run ends (see :mod:`lrlib.course.basins`).
"""

import textwrap

import numpy as np

from lrlib import validation
from lrlib.course import basins
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import DoubleWell, MultiMinima
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape
from lrlib.course.widgets.core import experiment, int_slider, log_slider, slider

__all__ = ["minima_explorer", "minima_explorer_controls", "EXPLORER_SETUP", "ending",
           "panel_ending"]

#: The fixed settings of the explorer (the chapter quotes them).
EXPLORER_SETUP = {
    "well_steps": 600,
    "surface_steps": 1000,
    # A noisy run never settles; its basin is where a noise-free descent at a rate safe for
    # every minimum (below the smallest 2/lambda) takes it.
    "well_settle_rate": 0.02,
    "surface_settle_rate": 0.05,
    "settle_steps": 1000,
}

WELL_NAMES = {0: "the wide minimum", 1: "the sharp minimum"}
SURFACE_NAMES = {0: "the global minimum", 1: "local minimum 1", 2: "local minimum 2",
                 3: "local minimum 3"}


def ending(landscape, run, noise, settle_rate, names):
    """How a run ends, in words: settled, bouncing, diverged, or (noisy) which basin it is in."""
    if run.diverged:
        return f"diverged at step {run.diverged_at}"
    if noise == 0:
        return basins.describe(landscape, basins.outcome(landscape, run), names)
    code = int(basins.settle(landscape, run.final_point, settle_rate,
                             EXPLORER_SETUP["settle_steps"])[0])
    if code >= 0:
        return f"jiggles in the basin of {names.get(code, f'minimum {code}')}"
    return "wanders, in no basin"


def panel_ending(ax):
    """How the run of a panel drawn by :func:`minima_explorer` ends: its title after the
    first line, unwrapped (for checks and tests)."""
    return " ".join(ax.get_title().split("\n")[1:])


def _title(first, ending):
    """A panel title: a first line, then how the run ends, wrapped to fit a narrow panel."""
    return first + "\n" + "\n".join(textwrap.wrap(ending, 26))


@experiment(figsize=(9.0, 3.4))
def minima_explorer(fig, learning_rate=0.1, noise=0.0, start=-1.3, start_x=-1.2,
                    start_y=1.2, seed=0):
    """Draw the three panels for one learning rate, gradient noise $\\sigma$ and start."""
    eta = validation.positive("learning_rate", learning_rate)
    sigma = validation.non_negative("noise", noise)
    start = validation.real("start", start)
    start_x = validation.real("start_x", start_x)
    start_y = validation.real("start_y", start_y)
    seed = validation.integer("seed", seed, low=0)
    s = EXPLORER_SETUP
    ax_well, ax_path, ax_map = fig.subplots(1, 3)

    well = DoubleWell()
    run = gradient_descent(well, [start], eta, s["well_steps"], noise=sigma, seed=seed)
    said = ending(well, run, sigma, s["well_settle_rate"], WELL_NAMES)
    plot_landscape(ax_well, well)
    ax_well.plot(run.points[:, 0], run.losses, "o-", color=PALETTE["vermillion"],
                 markersize=2.5, linewidth=0.6, alpha=0.8)
    ax_well.plot(run.points[0, 0], run.losses[0], "s", color=PALETTE["vermillion"],
                 markersize=6)
    ax_well.set_xlim(*well.bounds[0])
    ax_well.set_title(_title(f"Double well from $x_0$ = {start:g}", said), fontsize=9)

    steps = np.arange(len(run.points))
    for k, name in WELL_NAMES.items():
        ax_path.axhline(well.minima[k, 0], color=basins.outcome_colors(well)[k],
                        linestyle="--", linewidth=1.0, label=name.replace("the ", ""))
    ax_path.plot(steps, run.points[:, 0], color=PALETTE["vermillion"], linewidth=0.9)
    ax_path.set_ylim(*well.bounds[0])
    ax_path.set_xlim(0, s["well_steps"])
    ax_path.set_xlabel("step $t$")
    ax_path.set_ylabel("position $x_t$")
    ax_path.legend(loc="upper right", fontsize=7)
    limit = 2.0 / well.sharpness(well.sharp_minimum)
    ax_path.set_title(f"Double well, position by step\n"
                      f"sharp minimum: $2/\\lambda$ = {limit:.3f}", fontsize=9)
    if run.diverged:
        annotate_diverged(ax_well, run.diverged_at)
        annotate_diverged(ax_path, run.diverged_at)

    surface = MultiMinima()
    path = gradient_descent(surface, [start_x, start_y], eta, s["surface_steps"],
                            noise=sigma, seed=seed)
    said = ending(surface, path, sigma, s["surface_settle_rate"], SURFACE_NAMES)
    plot_landscape(ax_map, surface)
    ax_map.plot(path.points[:, 0], path.points[:, 1], color=PALETTE["vermillion"],
                linewidth=0.8)
    ax_map.plot(path.points[0, 0], path.points[0, 1], "s", color=PALETTE["vermillion"],
                markersize=6)
    ax_map.plot(path.points[-1, 0], path.points[-1, 1], "o", color="white",
                markeredgecolor="black", markersize=6, zorder=6)
    ax_map.set_title(_title(f"2-D, start ({start_x:g}, {start_y:g})", said), fontsize=9)
    if path.diverged:
        annotate_diverged(ax_map, path.diverged_at)
    noise_text = f", gradient noise $\\sigma$ = {sigma:g} (seed {seed})" if sigma else ""
    fig.suptitle(f"Learning rate $\\eta$ = {eta:.3g}{noise_text}", fontweight="bold")
    return fig


def minima_explorer_controls():
    """The ipywidgets controls for :func:`minima_explorer`, for :func:`lrlib.course.widgets.live`."""
    return {
        "learning_rate": log_slider(0.1, 3e-3, 2.0, description="learning rate η"),
        "noise": slider(0.0, 0.0, 6.0, step=0.25, description="gradient noise σ"),
        "start": slider(-1.3, -3.0, 5.0, step=0.05, description="double-well start x₀"),
        "start_x": slider(-1.2, -3.0, 3.5, step=0.05, description="2-D start x₁"),
        "start_y": slider(1.2, -3.0, 3.0, step=0.05, description="2-D start x₂"),
        "seed": int_slider(0, 0, 9, description="noise seed"),
    }
