"""Which minimum does gradient descent end in? Outcomes of runs, basin maps, shares.

A run of gradient descent on a toy landscape ends in one of these ways:

- it **settles** in minimum $k$ (``k >= 0``, an index into ``landscape.minima``): each of its
  last ``last`` points lies within ``tolerance`` of that minimum, and its last step is shorter
  than ``tolerance / 10`` (so a small two-cycle around the bottom does not count);
- it **bounces** (:data:`BOUNCING`): it stays bounded but never settles, as when the rate is
  too large for the minimum it is trapped in ($\\eta > 2/\\lambda$) yet too small to jump out;
- it is **still travelling** (:data:`TRAVELLING`): not settled, but over the last steps its
  loss went down and never up: the budget was too short, not the rate too large;
- it **diverged** (:data:`DIVERGED`).

:func:`outcomes` classifies the runs of an :class:`lrlib.course.descent.Ensemble`, :func:`outcome`
one :class:`lrlib.course.descent.Trajectory`; :func:`basin_map` runs
:func:`lrlib.course.descent.descend_many` (vectorised over the starts) once per learning rate of a
grid and classifies every run; :func:`orbits` runs one start at many rates at once (for
orbit diagrams); :func:`shares` counts the outcomes; :func:`settle` finishes noisy runs with
a short noise-free descent (a "quench") to say which basin they are in.
:func:`settled_minima` and :func:`basin_shares` are the short forms used by Part II (settled
in minimum ``k``, or ``-1`` for anything else); :func:`critical_points` finds minima and
saddles by Newton's method; :func:`steps_to_leave` times how long runs take to leave a point.

Example:
    >>> import numpy as np
    >>> from lrlib.course.landscapes import DoubleWell
    >>> from lrlib.course.basins import basin_map, describe
    >>> well = DoubleWell()
    >>> found = basin_map(well, np.array([[-1.3]]), rates=[0.02, 0.1, 0.3], steps=300)
    >>> [describe(well, k) for k in found.outcomes[:, 0]]   # 1 = sharp, 0 = wide
    ['settles in minimum 1', 'bounces, never settles', 'settles in minimum 0']
"""

import dataclasses

import numpy as np

from lrlib import validation
from lrlib.course.descent import LANDSCAPE_DIVERGENCE_FACTOR, Ensemble, Trajectory, descend_many
from lrlib.course.landscapes import Landscape

__all__ = [
    "BOUNCING",
    "TRAVELLING",
    "DIVERGED",
    "BasinMap",
    "outcomes",
    "outcome",
    "describe",
    "basin_map",
    "orbits",
    "shares",
    "start_grid",
    "settle",
    "noisy_outcomes",
    "outcome_colors",
    "outcome_labels",
    "orbit_period",
    "plot_basin_map",
    "plot_orbits",
    "plot_positions",
    "plot_runs",
    "settled_minima",
    "basin_shares",
    "critical_points",
    "steps_to_leave",
]

#: Bounded but never settles (the rate is too large for the minimum it is trapped in).
BOUNCING = -1
#: Not settled yet, but the loss went down, never up, over the last steps (budget too short).
TRAVELLING = -2
#: The run diverged.
DIVERGED = -3

_MINIMUM_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000")
_OTHER_COLORS = {BOUNCING: "#E69F00", TRAVELLING: "#C8C8C8", DIVERGED: "#000000"}
_OTHER_LABELS = {BOUNCING: "bounces, never settles", TRAVELLING: "still travelling",
                 DIVERGED: "diverged"}


def _check_window(last, tolerance):
    last = validation.integer("last", last, low=2)
    tolerance = validation.positive("tolerance", tolerance)
    return last, tolerance


def _classify(landscape, points, losses, diverged, last, tolerance):
    """points (T+1, n, d), losses (T+1, n), diverged (n,) -> outcome codes (n,)."""
    if points.shape[0] <= last:
        raise ValueError(f"`last` ({last}) must be smaller than the number of steps run "
                         f"({points.shape[0] - 1})")
    tail = points[-last:]
    nearest = landscape.nearest_minimum(tail, tolerance=tolerance)  # (last, n)
    same = np.all(nearest == nearest[-1], axis=0) & (nearest[-1] >= 0)
    final_step = np.linalg.norm(points[-1] - points[-2], axis=-1)
    settled = same & (final_step <= tolerance / 10.0)
    window = losses[-last:]
    slack = 1e-12 * np.maximum(1.0, np.abs(window[1:]))  # rounding at a flat bottom
    falling = np.all(np.diff(window, axis=0) <= slack, axis=0) & (
        window[0] - window[-1] > 1e-9 * np.maximum(1.0, np.abs(window[-1])))
    result = np.where(settled, nearest[-1], np.where(falling, TRAVELLING, BOUNCING))
    return np.where(diverged, DIVERGED, result).astype(int)


def outcomes(landscape, runs, last=20, tolerance=0.05):
    """The outcome of every run of ``runs`` (an :class:`~lrlib.course.descent.Ensemble`), shape ``(n,)``.

    ``k >= 0``: settled in ``landscape.minima[k]``; :data:`BOUNCING`, :data:`TRAVELLING` or
    :data:`DIVERGED` otherwise (see the module's docstring for the rule).
    """
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be an lrlib landscape, got {landscape!r}")
    if not isinstance(runs, Ensemble):
        raise ValueError(f"`runs` must be an lrlib.course.descent.Ensemble, got {type(runs).__name__}")
    last, tolerance = _check_window(last, tolerance)
    return _classify(landscape, runs.points, runs.losses, runs.diverged, last, tolerance)


def outcome(landscape, trajectory, last=20, tolerance=0.05):
    """The outcome (an int, as in :func:`outcomes`) of one :class:`~lrlib.course.descent.Trajectory`."""
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be an lrlib landscape, got {landscape!r}")
    if not isinstance(trajectory, Trajectory):
        raise ValueError("`trajectory` must be an lrlib.course.descent.Trajectory, "
                         f"got {type(trajectory).__name__}")
    last, tolerance = _check_window(last, tolerance)
    if trajectory.diverged:
        return DIVERGED
    found = _classify(landscape, trajectory.points[:, None, :], trajectory.losses[:, None],
                      np.zeros(1, dtype=bool), last, tolerance)
    return int(found[0])


def outcome_labels(landscape, names=None):
    """``{code: label}`` for every outcome; ``names`` maps minimum indices to labels."""
    names = {} if names is None else dict(names)
    labels = {k: names.get(k, f"minimum {k}") for k in range(len(landscape.minima))}
    return {**labels, **_OTHER_LABELS}


def outcome_colors(landscape):
    """``{code: colour}``: minima in the course palette (global minimum blue), then the rest."""
    count = len(landscape.minima)
    colors = {k: _MINIMUM_COLORS[k % len(_MINIMUM_COLORS)] for k in range(count)}
    return {**colors, **_OTHER_COLORS}


def describe(landscape, code, names=None):
    """Plain words for an outcome code: "settles in the sharp minimum", "diverged", ..."""
    labels = outcome_labels(landscape, names)
    code = int(code)
    if code not in labels:
        raise ValueError(f"`code` must be one of {sorted(labels)}, got {code!r}")
    return f"settles in {labels[code]}" if code >= 0 else labels[code]


@dataclasses.dataclass(frozen=True)
class BasinMap:
    """Outcomes of gradient descent over a grid of learning rates and starts.

    Attributes:
        rates: the learning rates, shape ``(r,)``.
        starts: the starts, shape ``(n, d)``.
        outcomes: shape ``(r, n)``: the outcome of the run from each start at each rate.
        tails: the last ``keep`` points of every run, shape ``(r, keep, n, d)`` (empty if
            ``keep=0``): what the runs do at the end, e.g. for an orbit diagram.
        steps: the number of steps of every run.
    """

    rates: np.ndarray
    starts: np.ndarray
    outcomes: np.ndarray
    tails: np.ndarray
    steps: int

    def shares(self, codes):
        """The share of runs with each outcome in ``codes`` at each rate: ``{code: (r,)}``."""
        return {code: np.mean(self.outcomes == code, axis=1) for code in codes}


def _check_runs(rates, steps, last, tolerance, keep):
    """Validate the arguments shared by :func:`basin_map` and :func:`orbits`."""
    eta = np.asarray(rates, dtype=float)
    if eta.ndim != 1 or eta.size == 0 or not np.all(np.isfinite(eta)) or np.any(eta <= 0):
        raise ValueError(f"`rates` must be a non-empty list of positive numbers, got {rates!r}")
    steps = validation.positive_integer("steps", steps)
    last, tolerance = _check_window(last, tolerance)
    keep = validation.integer("keep", keep, low=0)
    if keep > steps + 1:
        raise ValueError(f"`keep` must be at most steps + 1 = {steps + 1}, got {keep}")
    return eta, steps, last, tolerance, keep


def basin_map(landscape, starts, rates, steps, *, last=20, tolerance=0.05, keep=0,
              momentum=0.0):
    """Run :func:`lrlib.course.descent.descend_many` from all ``starts`` at each of ``rates``.

    Args:
        landscape: an lrlib landscape.
        starts: shape ``(n, d)``.
        rates: the fixed learning rates to try (positive numbers).
        steps: steps per run.
        last, tolerance: the settling rule (see :func:`outcomes`).
        keep: also keep each run's last ``keep`` points (for orbit diagrams).
        momentum: heavy-ball momentum, as in :func:`lrlib.course.descent.descend_many`.

    Returns:
        A :class:`BasinMap`.
    """
    rates, steps, last, tolerance, keep = _check_runs(rates, steps, last, tolerance, keep)
    found, tails = [], []
    for rate in rates:
        runs = descend_many(landscape, starts, float(rate), steps, momentum=momentum)
        found.append(outcomes(landscape, runs, last=last, tolerance=tolerance))
        if keep:
            tails.append(runs.points[-keep:])
    points = np.asarray(runs.points[0])
    tails = np.array(tails) if keep else np.empty((len(rates), 0) + points.shape)
    return BasinMap(rates, points, np.array(found), tails, steps)


def orbits(landscape, start, rates, steps, *, keep=100, last=20, tolerance=0.05):
    """Plain gradient descent from one ``start`` at many fixed ``rates`` at once.

    The runs of an orbit diagram: where a run from the same start ends up, rate by rate.
    Vectorised over the rates (many rates cost about as much as one), with the update and
    the divergence rule of :func:`lrlib.course.descent.descend_many` (no momentum, no noise).
    Returns a :class:`BasinMap` with one start: ``outcomes`` of shape ``(r, 1)`` and
    ``tails`` of shape ``(r, keep, 1, d)``.
    """
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be an lrlib landscape, got {landscape!r}")
    x = np.asarray(start, dtype=float).reshape(-1)
    if x.shape != (landscape.dim,) or not np.all(np.isfinite(x)):
        raise ValueError(f"`start` must be {landscape.dim} finite numbers, got {start!r}")
    eta, steps, last, tolerance, keep = _check_runs(rates, steps, last, tolerance, keep)
    x = np.repeat(x[None, :], eta.size, axis=0)
    points = np.empty((steps + 1, eta.size, landscape.dim))
    losses = np.empty((steps + 1, eta.size))
    with np.errstate(all="ignore"):
        loss = landscape.loss(x)
        limit = LANDSCAPE_DIVERGENCE_FACTOR * np.maximum(loss - landscape.lowest_loss, 1.0)
        points[0], losses[0] = x, loss
        active = np.ones(eta.size, dtype=bool)
        for t in range(steps):
            new_x = x - eta[:, None] * landscape.grad(x)
            new_loss = landscape.loss(new_x)
            bad = active & ~(np.all(np.isfinite(new_x), axis=-1) & np.isfinite(new_loss)
                             & (new_loss - landscape.lowest_loss <= limit))
            active &= ~bad
            x = np.where(active[:, None], new_x, x)
            loss = np.where(active, new_loss, loss)
            points[t + 1], losses[t + 1] = x, loss
    found = _classify(landscape, points, losses, ~active, last, tolerance)
    tails = points[points.shape[0] - keep:, :, None, :] if keep else np.empty(
        (0, eta.size, 1, landscape.dim))
    return BasinMap(eta, points[0, :1].copy(), found[:, None],
                    np.swapaxes(tails, 0, 1), steps)


def shares(codes_found, codes):
    """The share of ``codes_found`` (any shape) equal to each of ``codes``: ``{code: share}``."""
    codes_found = np.asarray(codes_found)
    if codes_found.size == 0:
        raise ValueError("`codes_found` must not be empty")
    return {code: float(np.mean(codes_found == code)) for code in codes}


def start_grid(landscape, per_axis, margin=0.25):
    """A regular grid of starts over the landscape's plotting window, shape ``(n, d)``.

    ``per_axis`` points along each axis (an int, or one int per axis), kept ``margin`` inside
    the window's edges.
    """
    counts = np.broadcast_to(np.asarray(per_axis), (landscape.dim,))
    counts = [validation.integer("per_axis", int(c), low=1) for c in counts]
    margin = validation.non_negative("margin", margin)
    axes = []
    for (low, high), count in zip(landscape.bounds, counts):
        if high - low <= 2 * margin:
            raise ValueError(f"`margin` {margin} leaves no room in the window {(low, high)}")
        axes.append(np.linspace(low + margin, high - margin, count))
    mesh = np.meshgrid(*axes)
    return np.stack([m.ravel() for m in mesh], axis=-1)


def settle(landscape, points, learning_rate=0.02, steps=500, last=20, tolerance=0.05):
    """Finish runs with a noise-free descent (a "quench") from ``points``; their outcomes.

    Noisy runs never settle by the rule of :func:`outcomes` (the noise keeps them moving).
    Which basin a noisy run is in is where it settles once the noise stops, at a rate small
    enough for every minimum: this is what the end of an annealing schedule does.
    """
    points = np.atleast_2d(np.asarray(points, dtype=float))
    runs = descend_many(landscape, points, learning_rate, steps)
    return outcomes(landscape, runs, last=last, tolerance=tolerance)


def noisy_outcomes(landscape, starts, learning_rate, steps, noise, seed, settle_steps=500,
                   settle_rate=None, repeats=1):
    """Noisy gradient descent from ``starts``, then :func:`settle`: the outcome of each run.

    Each run draws its own noise from one generator seeded by ``seed``; ``settle_rate``
    defaults to ``learning_rate``. With ``repeats > 1`` every start is run that many times
    (each run with its own noise) and the result has shape ``(repeats, n)``; otherwise
    ``(n,)``. With ``noise=0`` the runs are deterministic, so they are run once and the
    outcomes repeated.
    """
    repeats = validation.positive_integer("repeats", repeats)
    noise = validation.non_negative("noise", noise)
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    copies = repeats if noise else 1
    runs = descend_many(landscape, np.tile(starts, (copies, 1)), learning_rate, steps,
                        noise=noise, seed=seed)
    rate = learning_rate if settle_rate is None else settle_rate
    found = settle(landscape, runs.final_points, rate, settle_steps)
    found = np.where(runs.diverged, DIVERGED, found).reshape(copies, len(starts))
    found = np.repeat(found, repeats // copies, axis=0)
    return found if repeats > 1 else found[0]


def orbit_period(tail, max_period=32, tolerance=1e-6):
    """The period of the orbit a run ends on: 1 for a fixed point, 2 for a two-cycle, ...

    ``tail`` holds the run's last points, shape ``(k,)`` or ``(k, d)``. Returns the smallest
    ``p <= max_period`` with every point equal (within ``tolerance``) to the one ``p``
    steps later, or 0 if there is none (no short cycle: a long or chaotic orbit).

    Example:
        >>> orbit_period([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
        2
    """
    tail = np.asarray(tail, dtype=float)
    tail = tail.reshape(len(tail), -1)
    max_period = validation.positive_integer("max_period", max_period)
    tolerance = validation.positive("tolerance", tolerance)
    for p in range(1, min(max_period, len(tail) - 1) + 1):
        if np.max(np.abs(tail[p:] - tail[:-p])) <= tolerance:
            return p
    return 0


def plot_basin_map(ax, found, landscape, names=None, stability_lines=True, legend=True):
    """Draw a 1-D landscape's :class:`BasinMap`: start $x_0$ across, learning rate up (log).

    Each cell is coloured by its run's outcome. With ``stability_lines``, a dashed line marks
    $2/\\lambda$ for each minimum: above it, a fixed rate cannot settle there.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    from lrlib.course.plots import log_rate_axis, use_style

    use_style()
    if landscape.dim != 1:
        raise ValueError(f"`landscape` must be 1-D for a basin map, got dim={landscape.dim}")
    if not isinstance(found, BasinMap):
        raise ValueError(f"`found` must be a BasinMap, got {type(found).__name__}")
    colors = outcome_colors(landscape)
    labels = outcome_labels(landscape, names)
    codes = sorted(colors)
    index = {code: i for i, code in enumerate(codes)}
    cells = np.vectorize(index.get)(found.outcomes)
    cmap = ListedColormap([colors[c] for c in codes])
    norm = BoundaryNorm(np.arange(len(codes) + 1) - 0.5, len(codes))
    x = found.starts[:, 0]
    ax.pcolormesh(_edges(x, log=False), _edges(found.rates, log=True), cells, cmap=cmap,
                  norm=norm, shading="flat", rasterized=True)
    log_rate_axis(ax, axis="y")
    ax.set_xlabel("start $x_0$")
    ax.set_ylim(_edges(found.rates, log=True)[[0, -1]])
    ax.grid(False)
    if stability_lines:
        for k, curvature in enumerate(landscape.sharpness(landscape.minima)):
            limit = 2.0 / curvature
            if found.rates[0] <= limit <= found.rates[-1]:
                ax.axhline(limit, color="white", linestyle="--", linewidth=1.2)
                ax.text(x[-1], limit, f"$2/\\lambda$ of {labels[k]} ({limit:.3g}) ",
                        ha="right", va="bottom", fontsize=8, color="white",
                        fontweight="bold")
    if legend:
        order = [c for c in codes if c >= 0] + [c for c in codes if c < 0][::-1]
        present = [c for c in order if np.any(found.outcomes == c)]
        handles = [Patch(color=colors[c], label=labels[c]) for c in present]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False)
    return ax


def _edges(centres, log):
    """Cell edges around sorted centres (geometric midpoints on a log axis)."""
    centres = np.asarray(centres, dtype=float)
    if centres.size == 1:
        return np.array([centres[0] * 0.9, centres[0] * 1.1]) if log else centres + [-0.5, 0.5]
    values = np.log(centres) if log else centres
    middle = (values[1:] + values[:-1]) / 2
    edges = np.concatenate([[2 * values[0] - middle[0]], middle, [2 * values[-1] - middle[-1]]])
    return np.exp(edges) if log else edges


def plot_runs(ax, landscape, runs, found, names=None, legend=True, linewidth=0.8):
    """Draw the paths of an :class:`~lrlib.course.descent.Ensemble` on a 2-D landscape's map,
    each coloured by its outcome (``found``, from :func:`outcomes`), starts as dots."""
    from matplotlib.lines import Line2D

    from lrlib.course.plots import use_style

    use_style()
    if landscape.dim != 2:
        raise ValueError(f"`landscape` must be 2-D to draw paths, got dim={landscape.dim}")
    found = np.asarray(found)
    if found.shape != runs.diverged.shape:
        raise ValueError(f"`found` must have one outcome per run ({runs.diverged.size}), "
                         f"got shape {found.shape}")
    X, Y, Z = landscape.grid(200)
    ax.contourf(X, Y, Z, levels=16, cmap="Greys_r", alpha=0.55)
    ax.contour(X, Y, Z, levels=16, colors="white", linewidths=0.4)
    ax.set_xlim(*landscape.bounds[0])
    ax.set_ylim(*landscape.bounds[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    colors = outcome_colors(landscape)
    labels = outcome_labels(landscape, names)
    for i, code in enumerate(found):
        path = runs.points[:, i]
        ax.plot(path[:, 0], path[:, 1], color=colors[int(code)], linewidth=linewidth,
                alpha=0.85)
        ax.plot(path[0, 0], path[0, 1], "o", color=colors[int(code)], markersize=2.5)
    ax.plot(landscape.minima[:, 0], landscape.minima[:, 1], "*", color="#F0E442",
            markeredgecolor="black", markersize=12, zorder=5)
    if legend:
        order = [c for c in sorted(colors) if c >= 0] + [c for c in sorted(colors) if c < 0][::-1]
        present = [c for c in order if np.any(found == c)]
        handles = [Line2D([], [], color=colors[c], label=labels[c]) for c in present]
        ax.legend(handles=handles, loc="lower center", fontsize=8, frameon=True,
                  framealpha=0.85)
    return ax


def plot_orbits(ax, found, landscape, names=None, marks=None, barrier=None):
    """An orbit diagram: the last points of runs from one start (from :func:`orbits`)
    against the learning rate. ``marks`` maps labels to rates drawn as dashed lines;
    ``barrier`` (a position) is drawn as a grey dashed line."""
    from lrlib.course.plots import COLORS, use_style

    use_style()
    if landscape.dim != 1:
        raise ValueError(f"`landscape` must be 1-D for an orbit diagram, got dim={landscape.dim}")
    if not isinstance(found, BasinMap) or found.tails.shape[1] == 0:
        raise ValueError("`found` must be a BasinMap with tails (orbits(..., keep > 0))")
    tails = found.tails[:, :, 0, 0]
    rates = np.repeat(found.rates[:, None], tails.shape[1], axis=1)
    ax.plot(rates.ravel(), tails.ravel(), ",", color=COLORS[0], alpha=0.6)
    labels = outcome_labels(landscape, names)
    colors = outcome_colors(landscape)
    for k, point in enumerate(landscape.minima[:, 0]):
        ax.axhline(point, color=colors[k], linestyle=":", linewidth=1.0, label=labels[k])
    if barrier is not None:
        ax.axhline(barrier, color="0.5", linestyle="--", linewidth=1.0,
                   label=f"the barrier ($x$ = {barrier:.2f})")
    for i, (label, rate) in enumerate((marks or {}).items()):
        ax.axvline(rate, color=COLORS[(i + 1) % len(COLORS)], linestyle="--", linewidth=1.2,
                   label=label)
    ax.set_xlabel("learning rate $\\eta$")
    ax.set_ylabel("where the run is at the end ($x_t$, last steps)")
    ax.set_xlim(found.rates[0], found.rates[-1])
    ax.legend(loc="center left", fontsize=8, frameon=True, framealpha=0.9)
    return ax


def plot_positions(ax, landscape, runs, names=None):
    """1-D runs' positions $x_t$ against the step, minima as dotted lines.

    ``runs`` maps a label to a :class:`lrlib.course.descent.Trajectory`; runs take the palette's
    colours from the third on (the first two mark the minima).
    """
    from lrlib.course.plots import COLORS, annotate_diverged, use_style

    use_style()
    if landscape.dim != 1:
        raise ValueError(f"`landscape` must be 1-D, got dim={landscape.dim}")
    labels = outcome_labels(landscape, names)
    colors = outcome_colors(landscape)
    for k, point in enumerate(landscape.minima[:, 0]):
        ax.axhline(point, color=colors[k], linestyle=":", linewidth=1.0, label=labels[k])
    for i, (label, run) in enumerate(runs.items()):
        ax.plot(np.arange(len(run.points)), run.points[:, 0], color=COLORS[(i + 2) % 8],
                linewidth=1.2, label=label)
        if run.diverged:
            annotate_diverged(ax, run.diverged_at)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("position $x_t$")
    ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.9)
    return ax


def plot_shares(ax, wide, sharp, none, ensemble, title):
    """Bars of the share of runs ending in the wide minimum, a sharp one, or in none.

    Shares are fractions (of :func:`basin_shares`); a run of ``ensemble`` that diverged is
    marked with the first step at which one did.
    """
    from lrlib.course.plots import PALETTE, annotate_diverged

    values = [wide, sharp, none]
    bars = ax.bar(["wide", "sharp", "none"], values,
                  color=[PALETTE["green"], PALETTE["purple"], "0.6"])
    for bar, value in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, value + 0.02, f"{value:.0%}",
                ha="center", fontsize=9)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("share of runs")
    ax.set_title(title, fontsize=10)
    if ensemble.diverged.any():
        annotate_diverged(ax, int(ensemble.diverged_at[ensemble.diverged].min()))
    return ax


def settled_minima(landscape, ensemble, last=20, tolerance=0.05):
    """For each run, the index of the minimum it settled in, or -1 (anything else).

    The settling rule is that of :func:`outcomes`; bouncing, still-travelling and diverged
    runs all count as -1 here.
    """
    found = outcomes(landscape, ensemble, last=last, tolerance=tolerance)
    return np.where(found >= 0, found, -1)


def basin_shares(landscape, ensemble, last=20, tolerance=0.05):
    """The share of runs that settled in each minimum, keyed by its index, and ``-1``: nowhere.

    The shares add up to 1. Keys follow ``landscape.minima`` (0 is the global minimum).

    Example:
        >>> import numpy as np
        >>> from lrlib.course.landscapes import DoubleWell
        >>> from lrlib.course.descent import descend_many
        >>> well = DoubleWell()
        >>> runs = descend_many(well, np.array([[-1.2], [1.0], [2.5]]), 0.01, steps=2000)
        >>> basin_shares(well, runs)   # 0 = the wide (global) minimum, 1 = the sharp one
        {0: 0.6666666666666666, 1: 0.3333333333333333, -1: 0.0}
    """
    found = settled_minima(landscape, ensemble, last=last, tolerance=tolerance)
    return shares(found, list(range(len(landscape.minima))) + [-1])


def critical_points(landscape, starts, iterations=60, tolerance=1e-9):
    """Critical points (zero gradient) found by Newton's method from each of ``starts``.

    Newton's method $x \\leftarrow x - H^{-1} \\nabla L$ converges to the nearest critical point
    of any kind: minimum, maximum or saddle. Returns a dict with ``"minima"`` and
    ``"saddles"`` (a saddle has Hessian eigenvalues of both signs), each an array of distinct
    points of shape ``(k, d)``, and ``"saddle_curvatures"``: each saddle's most negative
    Hessian eigenvalue.
    """
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be an lrlib landscape, got {landscape!r}")
    x = np.atleast_2d(np.asarray(starts, dtype=float))
    if x.shape[-1] != landscape.dim:
        raise ValueError(f"`starts` must have shape (n, {landscape.dim}), got {x.shape}")
    iterations = validation.positive_integer("iterations", iterations)
    tolerance = validation.positive("tolerance", tolerance)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            g, h = landscape.grad(x), landscape.hessian(x)
            singular = np.abs(np.linalg.det(h)) < 1e-12
            h = np.where(singular[:, None, None], np.eye(landscape.dim), h)
            x = x - np.linalg.solve(h, g[..., None])[..., 0]
            x = np.where(np.isfinite(x), x, np.nan)
    ok = np.all(np.isfinite(x), axis=-1)
    x = x[ok]
    x = x[np.linalg.norm(landscape.grad(x), axis=-1) < tolerance]
    distinct = []
    for point in x:
        if all(np.linalg.norm(point - other) > 1e-6 for other in distinct):
            distinct.append(point)
    points = np.array(distinct).reshape(-1, landscape.dim)
    eigenvalues = np.linalg.eigvalsh(landscape.hessian(points)) if len(points) else np.zeros((0, 1))
    minima = points[np.all(eigenvalues > 0, axis=-1)]
    mixed = (eigenvalues.min(axis=-1) < 0) & (eigenvalues.max(axis=-1) > 0) if len(points) else []
    return {
        "minima": minima,
        "saddles": points[mixed],
        "saddle_curvatures": eigenvalues[mixed, 0] if len(points) else np.zeros(0),
    }


def steps_to_leave(ensemble, point, radius):
    """For each run, the first step at which it is farther than ``radius`` from ``point``.

    Returns an int array (one entry per run); a run that never leaves gets ``-1``.
    """
    if not isinstance(ensemble, Ensemble):
        raise ValueError(f"`ensemble` must be an lrlib.course.descent.Ensemble, got {ensemble!r}")
    radius = validation.positive("radius", radius)
    point = np.asarray(point, dtype=float)
    distance = np.linalg.norm(ensemble.points - point, axis=-1)  # (steps + 1, n)
    away = distance > radius
    first = np.argmax(away, axis=0)
    return np.where(away.any(axis=0), first, -1)
