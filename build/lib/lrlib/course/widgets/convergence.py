"""The experiments of the convergence chapter: the speed limit of gradient descent.

- :func:`one_dimension`: gradient descent on $\\tfrac12\\lambda x^2$ at one rate: the iterates
  on the parabola and the loss against step, titled with the regime.
- :func:`ravine`: an ill-conditioned 2-D quadratic with curvatures $1$ and $\\lambda_{max}$:
  the path on the contour map, the loss of each direction against step, and the
  per-step factor of each direction against the rate, with $2/\\lambda_{max}$ marked. With
  :func:`ravine_controls` it is the chapter's live experiment (rate and curvature sliders).
"""

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from lrlib import validation
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import Quadratic
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape, plot_trajectory
from lrlib.course.stability import regime
from lrlib.course.widgets.core import experiment, int_slider, log_slider

__all__ = ["one_dimension", "ravine", "ravine_controls", "RAVINE_START", "LINE_START"]

#: Where the runs on the 1-D bowl start.
LINE_START = 1.5

#: Where the runs on the ravine start (far along the flat direction, off the valley floor).
RAVINE_START = (-1.8, 1.0)

_REGIME_COLORS = {
    "slow": PALETTE["blue"],
    "fastest": PALETTE["green"],
    "oscillating": PALETTE["orange"],
    "bouncing": PALETTE["purple"],
    "diverging": PALETTE["vermillion"],
}


@experiment(figsize=(3.4, 5.2))
def one_dimension(fig, learning_rate=0.1, curvature=4.0, steps=12):
    """Gradient descent on $\\tfrac12\\lambda x^2$ from $x_0$ = :data:`LINE_START`.

    Top: the parabola with the iterates joined in order. Bottom: the loss against step
    (log scale). The title names the regime and the factor $1 - \\eta\\lambda$.
    """
    eta = validation.positive("learning_rate", learning_rate)
    lam = validation.positive("curvature", curvature)
    steps = validation.positive_integer("steps", steps)
    bowl = Quadratic(curvatures=(lam,), extent=2.2)
    run = gradient_descent(bowl, [LINE_START], eta, steps)
    name = regime(eta, lam)
    color = _REGIME_COLORS[name]
    ax_path, ax_loss = fig.subplots(2, 1, height_ratios=(1.1, 1.0))
    plot_landscape(ax_path, bowl, mark_minima=False)
    plot_trajectory(ax_path, bowl, run, color=color)
    ax_path.set_xlim(-2.2, 2.2)
    ax_path.set_ylim(-0.05 * bowl.loss([2.2]), 1.05 * bowl.loss([2.2]))
    ax_path.set_ylabel("loss $L(x)$")
    factor = 1.0 - eta * lam
    ax_path.set_title(f"$\\eta$ = {eta:g}: {name}\nfactor $1-\\eta\\lambda$ = {factor:.2g}",
                      color=color)
    losses = np.maximum(run.losses, 1e-16)
    ax_loss.plot(np.arange(losses.size), losses, "o-", color=color, markersize=3)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(1e-16, 1e3)
    ax_loss.set_xlim(-0.5, steps + 0.5)
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("loss (log scale)")
    if name == "fastest":
        ax_loss.text(0.5, 0.5, "exactly 0 after one step", transform=ax_loss.transAxes,
                     ha="center", fontsize=9, color=color)
    if run.diverged:
        annotate_diverged(ax_loss, run.diverged_at, where=(0.5, 0.3))
    return fig


def _factors(rates, curvatures):
    return np.abs(1.0 - np.outer(rates, curvatures))


@experiment(figsize=(11.0, 3.9))
def ravine(fig, learning_rate=0.15, curvature=10.0, steps=40):
    """Gradient descent on $\\tfrac12(x_1^2 + \\lambda_{max} x_2^2)$ from :data:`RAVINE_START`.

    Left: the path on the contour map. Middle: the loss against step (log scale), total
    and per direction. Right: the factor $|1 - \\eta\\lambda_i|$ by which each direction
    shrinks per step, against the rate (log scale), with the best fixed rate
    $2/(\\lambda_{min} + \\lambda_{max})$, the limit $2/\\lambda_{max}$ and this rate marked.
    """
    eta = validation.positive("learning_rate", learning_rate)
    lam = validation.real("curvature", curvature, low=1.0)
    steps = validation.positive_integer("steps", steps)
    bowl = Quadratic(curvatures=(1.0, lam))
    run = gradient_descent(bowl, RAVINE_START, eta, steps)
    ax_map, ax_loss, ax_rate = fig.subplots(1, 3, width_ratios=(1.0, 1.15, 1.15))

    plot_landscape(ax_map, bowl, levels=20)
    plot_trajectory(ax_map, bowl, run, color=PALETTE["vermillion"])
    ax_map.set_title(f"Path: $\\lambda$ = 1 and {lam:.3g}", fontsize=10)

    t = np.arange(run.losses.size)
    flat = 0.5 * run.points[:, 0] ** 2
    steep = 0.5 * lam * run.points[:, 1] ** 2
    floor = 1e-12
    ax_loss.plot(t, np.maximum(run.losses, floor), color=PALETTE["black"],
                 marker="o" if t.size < 3 else None, label="total loss; worst factor")
    ax_loss.plot(t, np.maximum(flat, floor), "--", color=PALETTE["blue"],
                 label="flat direction ($\\lambda$ = 1)")
    ax_loss.plot(t, np.maximum(steep, floor), ":", color=PALETTE["vermillion"],
                 linewidth=2.0, label=f"steep direction ($\\lambda$ = {lam:.3g})")
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(floor, 1e4)
    ax_loss.set_xlim(0, steps)
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("loss (log scale)")
    if run.diverged:
        ax_loss.set_title(f"Loss: diverges ($\\eta$ > 2/{lam:.3g})", fontsize=10)
        annotate_diverged(ax_loss, run.diverged_at, where=(0.5, 0.35))
    else:
        ax_loss.set_title(f"Loss: distance to minimum ×{bowl.contraction(eta):.3f} per step",
                          fontsize=10)

    limit, best = bowl.stability_limit, bowl.best_learning_rate
    low = min(0.2 * best, eta / 2)
    high = max(3.0 * limit, eta * 2)
    rates = np.geomspace(low, high, 400)
    factors = _factors(rates, bowl.curvatures)
    ax_rate.plot(rates, factors[:, 0], "--", color=PALETTE["blue"], linewidth=1.2)
    ax_rate.plot(rates, factors[:, 1], ":", color=PALETTE["vermillion"], linewidth=2.0)
    ax_rate.plot(rates, factors.max(axis=1), color=PALETTE["black"], linewidth=1.6)
    ax_rate.axhline(1.0, color="0.5", linewidth=0.8)
    ax_rate.axvline(limit, color=PALETTE["vermillion"], linewidth=1.4)
    ax_rate.text(limit * 1.12, 1.42, f"limit $2/\\lambda_{{max}}$\n= {limit:.3g}", fontsize=8,
                 color=PALETTE["vermillion"], va="top", ha="left",
                 bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
    ax_rate.axvline(best, color=PALETTE["green"], linewidth=1.2, linestyle="--")
    ax_rate.text(best * 0.92, 0.04, f"best\n{best:.3g}", fontsize=8, color=PALETTE["green"],
                 va="bottom", ha="right",
                 bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
    current = float(_factors([eta], bowl.curvatures).max())
    ax_rate.plot([eta], [min(current, 1.5)], "o", color=PALETTE["orange"], markersize=9,
                 markeredgecolor="black", zorder=5, label=f"this rate, $\\eta$ = {eta:.3g}")
    ax_rate.set_xscale("log")
    subs = (1.0, 2.0, 5.0) if high / low < 150 else (1.0,)
    ax_rate.xaxis.set_major_locator(LogLocator(subs=subs))
    ax_rate.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax_rate.xaxis.set_minor_formatter(NullFormatter())
    ax_rate.set_ylim(0.0, 1.5)
    ax_rate.set_xlim(low, high)
    ax_rate.set_xlabel("learning rate $\\eta$ (log scale)")
    ax_rate.set_ylabel("factor per step $|1-\\eta\\lambda_i|$")
    ax_rate.set_title("Each direction's factor", fontsize=10)
    handles, _ = ax_loss.get_legend_handles_labels()
    fig.legend(handles=handles + ax_rate.lines[-1:], loc="outside lower center", ncols=4,
               fontsize=9)
    fig.suptitle(f"Gradient descent on a ravine, $\\eta$ = {eta:.3g}, "
                 f"$\\kappa$ = {bowl.condition_number:.3g}", fontweight="bold")
    return fig


def ravine_controls():
    """The sliders for :func:`ravine`: rate and curvature on log scales, and the steps."""
    return {
        "learning_rate": log_slider(0.15, 0.005, 2.0, description="learning rate η"),
        "curvature": log_slider(10.0, 1.0, 100.0, description="steep curvature λ_max"),
        "steps": int_slider(40, 10, 200, step=10, description="steps"),
    }
