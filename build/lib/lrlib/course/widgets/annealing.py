"""The experiments of the chapter on annealing: cooling a noisy double well, and warm restarts.

- :func:`cooling`: many noisy runs on the double well, all started in its sharp minimum, under
  one of three ways to lower the rate (the "temperature"): never (``"hot"``), fast
  (``"quench"``) or slowly over the whole budget (``"anneal"``). Where the runs end shows
  what Kirkpatrick et al. (1983) found for simulated annealing: cool slowly.
- :func:`warm_restarts`: cosine annealing with warm restarts (SGDR) on the double well, with
  the decay length, the floor and the cycle multiplier as controls. A run that reaches the
  sharp minimum late, when the rate is already low, is trapped there under plain cosine
  annealing; a restart raises the rate again and throws it out.
"""

import numpy as np

from lrlib import validation
from lrlib.course.basins import basin_shares, plot_shares, settled_minima
from lrlib.course.descent import descend_many
from lrlib.course.landscapes import DoubleWell
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape
from lrlib.schedules import CosineAnnealing, WarmRestarts, evaluate
from lrlib.course.widgets.core import experiment, int_slider, slider

__all__ = [
    "COOLING_SETUP",
    "COOLINGS",
    "cooling_schedule",
    "cooling_runs",
    "cooling",
    "RESTART_SETUP",
    "restart_schedule",
    "restart_runs",
    "warm_restarts",
    "warm_restarts_controls",
]

#: The fixed settings of :func:`cooling` (the chapter quotes them).
COOLING_SETUP = {
    "learning_rate": 0.04,  # below 2/lambda of the sharp minimum (about 0.045): it is stable
    "noise": 5.0,
    "steps": 1000,
    "runs": 300,
    "start": -1.0,  # the sharp minimum
    "quench_fraction": 0.1,
    "seed": 0,
}

#: The three ways of lowering the rate that :func:`cooling` compares.
COOLINGS = ("hot", "quench", "anneal")

_COOLING_LABELS = {
    "hot": "hot: constant rate",
    "quench": "quench: cosine over 10%",
    "anneal": "anneal: cosine over 100%",
}


def cooling_schedule(kind, learning_rate=None, steps=None):
    """The schedule of one way of cooling: ``"hot"``, ``"quench"`` or ``"anneal"``."""
    kind = validation.choice("kind", kind, COOLINGS)
    s = COOLING_SETUP
    eta = s["learning_rate"] if learning_rate is None else validation.positive(
        "learning_rate", learning_rate)
    steps = s["steps"] if steps is None else validation.integer("steps", steps, low=20)
    if kind == "hot":
        return eta
    if kind == "quench":
        return CosineAnnealing(eta, max(1, int(s["quench_fraction"] * steps)))
    return CosineAnnealing(eta, steps)


def cooling_runs(kind, noise=None, seed=None):
    """The ensemble of :func:`cooling` for one way of cooling (an :class:`~lrlib.course.descent.Ensemble`)."""
    s = COOLING_SETUP
    noise = s["noise"] if noise is None else validation.non_negative("noise", noise)
    seed = s["seed"] if seed is None else validation.integer("seed", seed, low=0)
    starts = np.full((s["runs"], 1), s["start"])
    return descend_many(DoubleWell(), starts, cooling_schedule(kind), s["steps"], noise=noise,
                        seed=seed)


def _final_basins(well, runs, radius=0.3):
    """Share of runs ending within ``radius`` of the wide and of the sharp minimum."""
    final = runs.final_points[:, 0]
    wide = float(np.mean(np.abs(final - well.wide_minimum[0]) < radius))
    sharp = float(np.mean(np.abs(final - well.sharp_minimum[0]) < radius))
    return wide, sharp


@experiment(figsize=(3.5, 3.2))
def cooling(fig, kind="anneal", noise=None):
    """Where noisy runs started in the sharp minimum end, for one way of cooling."""
    well = DoubleWell()
    runs = cooling_runs(kind, noise=noise)
    ax = fig.subplots()
    plot_landscape(ax, well)
    ax.set_ylim(-1.6, 0.6)
    final = runs.final_points[:, 0]
    final = final[np.isfinite(final)]
    bins = np.linspace(*well.bounds[0], 81)
    counts, edges = np.histogram(final, bins=bins)
    height = 1.0 * counts / max(1, counts.max())
    ax.bar(edges[:-1], height, width=np.diff(edges), bottom=-1.6, align="edge",
           color=PALETTE["blue"], alpha=0.6, label="where runs end")
    wide, sharp = _final_basins(well, runs)
    mean_loss = float(np.mean(runs.final_losses))
    ax.set_title(f"{_COOLING_LABELS[kind]}\nwide {wide:.0%}, sharp {sharp:.0%}, "
                 f"mean loss {mean_loss:.2f}", fontsize=9)
    ax.legend(loc="upper center", fontsize=8)
    if runs.diverged.any():
        annotate_diverged(ax, int(runs.diverged_at[runs.diverged].min()))
    return fig


#: The fixed settings of :func:`warm_restarts` (the chapter quotes them).
RESTART_SETUP = {
    "learning_rate": 0.2,
    "budget": 420,
    "start": -3.0,  # far left: the run reaches the sharp well late
    "starts": (-3.0, 5.0, 161),  # the ensemble: 161 starts evenly spread over the window
}


def restart_schedule(first_cycle_steps, minimum_learning_rate=0.0, cycle_multiplier=1.0,
                     learning_rate=None):
    """The schedule of :func:`warm_restarts` (plain cosine if the first cycle fills the budget)."""
    s = RESTART_SETUP
    eta = s["learning_rate"] if learning_rate is None else validation.positive(
        "learning_rate", learning_rate)
    first_cycle_steps = validation.positive_integer("first_cycle_steps", first_cycle_steps)
    if first_cycle_steps >= s["budget"]:
        return CosineAnnealing(eta, s["budget"], minimum_learning_rate=minimum_learning_rate)
    return WarmRestarts(eta, first_cycle_steps, cycle_multiplier=cycle_multiplier,
                        minimum_learning_rate=minimum_learning_rate)


def restart_runs(first_cycle_steps, minimum_learning_rate=0.0, cycle_multiplier=1.0,
                 learning_rate=None):
    """``(single, ensemble)``: the highlighted run and the runs from spread starts."""
    s = RESTART_SETUP
    schedule = restart_schedule(first_cycle_steps, minimum_learning_rate, cycle_multiplier,
                                learning_rate)
    well = DoubleWell()
    lo, hi, n = s["starts"]
    single = descend_many(well, np.array([[s["start"]]]), schedule, s["budget"])
    spread = descend_many(well, np.linspace(lo, hi, n)[:, None], schedule, s["budget"])
    return single, spread


_WHERE = {0: "the wide minimum", 1: "the sharp minimum", -1: "no minimum (still moving)"}


@experiment(figsize=(11.0, 3.4))
def warm_restarts(fig, first_cycle_steps=210, minimum_learning_rate=0.0, cycle_multiplier=1.0,
                  learning_rate=None):
    """Schedule, one run's position and where 161 runs end, for one warm-restart setting."""
    s = RESTART_SETUP
    minimum_learning_rate = validation.real("minimum_learning_rate", minimum_learning_rate,
                                            low=0.0)
    eta = s["learning_rate"] if learning_rate is None else learning_rate
    schedule = restart_schedule(first_cycle_steps, minimum_learning_rate, cycle_multiplier, eta)
    single, spread = restart_runs(first_cycle_steps, minimum_learning_rate, cycle_multiplier,
                                  eta)
    well = DoubleWell()
    sharp_limit = 2.0 / float(well.sharpness(well.sharp_minimum))
    t = np.arange(s["budget"])
    rates = evaluate(schedule, t)
    restarts = np.flatnonzero(np.diff(rates) > 0) + 1
    ax_rate, ax_path, ax_share = fig.subplots(1, 3, width_ratios=[1.2, 1.2, 0.8])

    ax_rate.plot(t, rates, color=PALETTE["blue"])
    ax_rate.axhline(sharp_limit, color=PALETTE["vermillion"], linestyle="--", linewidth=1.2,
                    label=f"$2/\\lambda$ of the sharp minimum ({sharp_limit:.3f})")
    for step in restarts:
        ax_rate.axvline(step, color="0.6", linestyle=":", linewidth=1)
    ax_rate.set_ylim(0.0, 1.15 * max(rates.max(), sharp_limit))
    ax_rate.set_xlabel("step $t$")
    ax_rate.set_ylabel("learning rate $\\eta_t$")
    what = (f"{len(restarts)} restart{'s' if len(restarts) != 1 else ''}" if len(restarts)
            else "no restart: plain cosine")
    ax_rate.set_title(f"Schedule: {what}\nfloor {minimum_learning_rate:g}, "
                      f"multiplier {cycle_multiplier:g}", fontsize=10)
    ax_rate.legend(loc="upper right", fontsize=8)

    x = single.points[:, 0, 0]
    ax_path.plot(np.arange(len(x)), x, color=PALETTE["vermillion"], linewidth=1.2)
    for index, name, color in ((0, "wide", PALETTE["green"]), (1, "sharp", PALETTE["purple"])):
        ax_path.axhline(well.minima[index, 0], color=color, linestyle="--", linewidth=1,
                        label=f"{name} minimum")
    for step in restarts:
        ax_path.axvline(step, color="0.6", linestyle=":", linewidth=1)
    ax_path.set_ylim(*well.bounds[0])
    ax_path.set_xlabel("step $t$")
    ax_path.set_ylabel("position $x_t$")
    end = int(settled_minima(well, single)[0])
    ax_path.set_title(f"One run from $x_0$ = {s['start']:g}\nends in {_WHERE[end]}",
                      fontsize=10)
    ax_path.legend(loc="lower right", fontsize=8)
    if single.diverged[0]:
        annotate_diverged(ax_path, int(single.diverged_at[0]))

    shares = basin_shares(well, spread)
    plot_shares(ax_share, shares[0], shares[1], shares[-1], spread,
                f"Where {s['starts'][2]} runs end\n(starts from "
                f"{s['starts'][0]:g} to {s['starts'][1]:g})")
    return fig


def warm_restarts_controls():
    """The sliders for :func:`warm_restarts`: decay length, floor and cycle multiplier."""
    return {
        "first_cycle_steps": int_slider(210, 20, 420, step=10,
                                        description="decay length T₀ (steps)"),
        "minimum_learning_rate": slider(0.0, 0.0, 0.1, step=0.005, description="floor η_min"),
        "cycle_multiplier": slider(1.0, 1.0, 3.0, step=0.25, description="multiplier m"),
    }
