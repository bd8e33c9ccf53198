"""One style for every figure of the course, and the plots the chapters share.

The palette is Okabe and Ito's (2008), readable with every common colour-vision deficiency.
Call :func:`use_style` once per notebook (the plotting helpers call it too).

Helpers draw into a Matplotlib ``Axes`` that you pass, so they compose into any layout:

- :func:`plot_schedule` / :func:`plot_schedules`: learning rate against step.
- :func:`plot_losses`: training curves, log scale.
- :func:`plot_landscape` and :func:`plot_trajectory`: a 1-D curve or 2-D contour map with
  gradient-descent paths on it; a diverged path says "diverged at step k".
- :func:`log_rate_axis`: a log-scale learning-rate axis with a proper label.
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from lrlib import validation

__all__ = [
    "PALETTE",
    "COLORS",
    "use_style",
    "accuracy_label",
    "new_figure",
    "log_rate_axis",
    "plot_schedule",
    "plot_schedules",
    "plot_losses",
    "plot_landscape",
    "plot_trajectory",
    "annotate_diverged",
]

#: Okabe-Ito colours by name.
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: The order in which lines take colours (yellow last: it is faint on white).
COLORS = [PALETTE[name] for name in
          ("blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow")]

_STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=COLORS),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.constrained_layout.use": True,
    "image.cmap": "viridis",
    "lines.linewidth": 1.8,
}


def use_style():
    """Apply the course style to Matplotlib (idempotent)."""
    plt.rcParams.update(_STYLE)


def new_figure(nrows=1, ncols=1, width=None, height=None, **kwargs):
    """``plt.subplots`` in the course style: returns ``(fig, axes)`` with a 2-D ``axes``.

    The size defaults to 3.6 x 3 inches a panel. The figure is detached from pyplot, so
    Jupyter shows it once, where the cell ends with ``fig`` (not a second time by itself).
    """
    use_style()
    nrows = validation.positive_integer("nrows", nrows)
    ncols = validation.positive_integer("ncols", ncols)
    width = 3.6 * ncols if width is None else width
    height = 3.0 * nrows if height is None else height
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, **kwargs)
    plt.close(fig)
    return fig, axes


def accuracy_label(metric, suffix=""):
    """The y label of a mean accuracy: ``"val_accuracy"`` -> ``"mean validation accuracy
    (%)"``, ``"accuracy"`` (the test split's) -> ``"mean test accuracy (%)"``."""
    split = "validation" if metric.startswith("val") else "test"
    return f"mean {split} accuracy (%){suffix}"


def log_rate_axis(ax, axis="x", label="learning rate $\\eta$ (log scale)"):
    """Put the learning rate on a log-scale axis of ``ax``."""
    validation.choice("axis", axis, ("x", "y"))
    if axis == "x":
        ax.set_xscale("log")
        ax.set_xlabel(label)
    else:
        ax.set_yscale("log")
        ax.set_ylabel(label)
    return ax


def plot_schedule(ax, schedule, steps, label=None, log=False, **kwargs):
    """Plot ``schedule`` (a number, any schedule or callable) over ``range(steps)`` on ``ax``."""
    from lrlib.schedules import evaluate

    use_style()
    steps = validation.positive_integer("steps", steps)
    t = np.arange(steps)
    ax.plot(t, evaluate(schedule, t), label=label, **kwargs)
    ax.set_xlabel("step $t$ (optimizer steps)")
    ax.set_ylabel("learning rate $\\eta_t$" + (" (log scale)" if log else ""))
    if log:
        ax.set_yscale("log")
    return ax


def plot_schedules(schedules, steps, ax=None, log=False, title="Learning-rate schedules"):
    """Plot a ``{label: schedule}`` mapping on one axes; returns the figure."""
    if ax is None:
        _, axes = new_figure(width=7.0, height=3.6)
        ax = axes[0, 0]
    for label, schedule in schedules.items():
        plot_schedule(ax, schedule, steps, label=label, log=log)
    ax.set_title(title)
    if len(schedules) > 1:
        ax.legend()
    return ax.figure


def plot_losses(ax, curves, log=True, xlabel="step $t$", ylabel="training loss", title=None):
    """Plot ``{label: losses}`` (arrays, or objects with ``losses``) on ``ax``.

    A curve that diverged (an object whose ``diverged_at`` is set) ends with an ``x`` marker
    and says "diverged at step k" in its legend label.
    """
    use_style()
    for label, curve in curves.items():
        losses = np.asarray(getattr(curve, "losses", curve), dtype=float)
        diverged_at = getattr(curve, "diverged_at", None)
        text = label if diverged_at is None else f"{label} (diverged at step {diverged_at})"
        (line,) = ax.plot(np.arange(losses.size), losses, label=text)
        if diverged_at is not None and losses.size:
            ax.plot(losses.size - 1, losses[-1], "x", color=line.get_color(), markersize=8)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel + (" (log scale)" if log else ""))
    if title:
        ax.set_title(title)
    if curves:
        ax.legend()
    return ax


def plot_landscape(ax, landscape, levels=30, resolution=200, mark_minima=True):
    """Draw a 1-D landscape as a curve or a 2-D one as filled contours, minima marked."""
    use_style()
    if landscape.dim == 1:
        x, loss = landscape.grid(resolution)
        ax.plot(x, loss, color=PALETTE["black"], linewidth=1.4)
        ax.set_xlabel("$x$")
        ax.set_ylabel("loss $L(x)$")
        if mark_minima:
            ax.plot(landscape.minima[:, 0], landscape.minimum_losses, "*",
                    color=PALETTE["yellow"], markeredgecolor="black", markersize=12, zorder=5)
    elif landscape.dim == 2:
        X, Y, Z = landscape.grid(resolution)
        shifted = Z - Z.min() + 1e-3
        ax.contourf(X, Y, np.log10(shifted), levels=levels, cmap="viridis", alpha=0.85)
        ax.contour(X, Y, np.log10(shifted), levels=levels, colors="white", linewidths=0.3,
                   alpha=0.6)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_xlim(*landscape.bounds[0])
        ax.set_ylim(*landscape.bounds[1])
        if mark_minima:
            ax.plot(landscape.minima[:, 0], landscape.minima[:, 1], "*",
                    color=PALETTE["yellow"], markeredgecolor="black", markersize=12, zorder=5)
    else:
        raise ValueError(f"`landscape` must be 1-D or 2-D to plot, got dim={landscape.dim}")
    return ax


def annotate_diverged(ax, step, where=(0.5, 0.5)):
    """Write "diverged at step k" across ``ax`` (axes coordinates)."""
    ax.text(*where, f"diverged at step {step}", transform=ax.transAxes, ha="center",
            va="center", fontsize=11, fontweight="bold", color=PALETTE["vermillion"],
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": PALETTE["vermillion"]})
    return ax


def plot_trajectory(ax, landscape, trajectory, label=None, color=None, markers=True):
    """Draw a :class:`lrlib.course.descent.Trajectory` on a landscape already drawn on ``ax``.

    1-D: the iterates on the loss curve. 2-D: the path on the contour map. A diverged run is
    drawn up to its last finite point and labelled "diverged at step k".
    """
    use_style()
    color = PALETTE["vermillion"] if color is None else color
    points = trajectory.points
    style = {"color": color, "linewidth": 1.2, "label": label}
    if markers:
        style.update(marker="o", markersize=3)
    if landscape.dim == 1:
        ax.plot(points[:, 0], trajectory.losses, **style)
    else:
        ax.plot(points[:, 0], points[:, 1], **style)
        ax.plot(points[0, 0], points[0, 1], "s", color=color, markersize=6)
    if trajectory.diverged:
        annotate_diverged(ax, trajectory.diverged_at)
    return ax
