"""The companion of the chapter "Convergence: the speed limit" (``chapters/convergence``).

- **The quadratic theory.** On $L(x) = \\tfrac12 \\sum_i \\lambda_i x_i^2$ each step multiplies
  coordinate $i$ by $1 - \\eta\\lambda_i$. :func:`regime` names what that does in one dimension
  (slow, fastest, oscillating, bouncing, diverging); :func:`measured_rate` measures the factor
  by which a run's distance to the minimum shrinks per step, to compare with the theory
  (:meth:`lrlib.course.landscapes.Quadratic.contraction`; at the best fixed rate,
  $(\\kappa - 1)/(\\kappa + 1)$).
- **Draw functions.** :func:`one_dimension`: gradient descent on $\\tfrac12\\lambda x^2$ at one
  rate, the iterates on the parabola and the loss against step, titled with the regime.
  :func:`ravine`: an ill-conditioned 2-D quadratic with curvatures $1$ and $\\lambda_{max}$:
  the path on the contour map, the loss of each direction against step, and the per-step
  factor of each direction against the rate, with $2/\\lambda_{max}$ marked; with
  :func:`ravine_controls` it is the chapter's live experiment.
- **Momentum (the heavy ball).** $x_{t+1} = x_t - \\eta \\nabla L(x_t) + \\beta (x_t - x_{t-1})$
  (Polyak 1964). On a quadratic each direction of curvature $\\lambda$ follows a two-term
  recursion; :func:`heavy_ball_factor` is its factor per step (the spectral radius of the
  2 x 2 iteration matrix, worst over the curvatures). It is below 1 iff
  $0 < \\eta < 2(1 + \\beta)/\\lambda_{max}$; with $\\eta = 4/(\\sqrt{\\lambda_{min}} +
  \\sqrt{\\lambda_{max}})^2$ and $\\beta = ((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2$ it is
  $(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)$ (:func:`tuned_heavy_ball`). :func:`best_heavy_ball_rate`
  finds the best rate for a given $\\beta$. The draw function :func:`momentum` (with
  :func:`momentum_controls`) runs plain gradient descent at its best rate and the heavy ball at
  its best rate for the chosen $\\beta$ on the ravine.
- **The edge of stability of a network.** Gradient descent with rate $\\eta$ is stable on a
  quadratic only while its curvature $\\lambda_{max} < 2/\\eta$. Cohen et al. (2021) measured
  the *sharpness* (the top Hessian eigenvalue of the training loss) while training real
  networks with full-batch gradient descent, and found two phases: *progressive sharpening*
  (the sharpness rises while training is stable) and then the *edge of stability* (it reaches
  about $2/\\eta$ and then stays at or just above it, overshooting and dropping back, while the
  loss keeps falling, though not monotonically). Minibatch SGD usually stays well below. :func:`full_batch_descent` runs plain gradient descent
  $w_{t+1} = w_t - \\eta \\nabla L(w_t)$ on a Keras model over the whole training set and
  measures the sharpness every few steps by power iteration on Hessian-vector products (each
  measurement warm-starts from the previous top eigenvector, so a few iterations suffice).
  :func:`edge_of_stability` runs it on the chapter's small setup (:data:`EDGE_SETUP`: two
  moons, a tanh network, mean squared error), and :func:`plot_edge_of_stability` draws loss
  and sharpness against step.
- **Checkers** of the chapter's exercises (``check_*``): :func:`check_regime`,
  :func:`check_ravine`, :func:`check_best_rate_formula`, :func:`check_contraction`,
  :func:`check_edge_prediction`, :func:`check_paired_interval` (its reference is the one
  paired interval of the course, :func:`lrlib.course.stats.paired_difference`),
  :func:`check_sweep_verdict`.

Example:
    >>> import lrlib.course
    >>> from lrlib.course.convergence import edge_of_stability
    >>> run = edge_of_stability(0.5, steps=40, measure_every=20)
    >>> run.measured_steps.tolist(), run.threshold
    ([0, 20, 40], 4.0)
"""

import dataclasses
import math

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from lrlib import validation
from lrlib.course.check import Result, _as_float, check_choice, check_number, tolerance_text
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import Quadratic
from lrlib.course.plots import (COLORS, PALETTE, annotate_diverged, plot_landscape, plot_trajectory,
                                use_style)
from lrlib.course.widgets.core import experiment, int_slider, log_slider, slider

__all__ = [
    "REGIMES",
    "regime",
    "measured_rate",
    "one_dimension",
    "ravine",
    "ravine_controls",
    "LINE_START",
    "RAVINE_START",
    "heavy_ball_factor",
    "best_heavy_ball_rate",
    "tuned_heavy_ball",
    "momentum",
    "momentum_controls",
    "FullBatchRun",
    "full_batch_descent",
    "EDGE_SETUP",
    "edge_of_stability",
    "plot_edge_of_stability",
    "check_regime",
    "check_ravine",
    "check_best_rate_formula",
    "check_contraction",
    "check_edge_prediction",
    "check_paired_interval",
    "check_sweep_verdict",
    "SWEEP_VERDICTS",
]


# -- the quadratic theory ---------------------------------------------------------------------

#: The regimes of gradient descent on a one-dimensional quadratic, by $\\eta\\lambda$.
REGIMES = ("slow", "fastest", "oscillating", "bouncing", "diverging")


def regime(learning_rate, curvature):
    """What gradient descent with rate $\\eta$ does on $\\tfrac12\\lambda x^2$.

    Each step multiplies $x$ by $1 - \\eta\\lambda$, so by $\\eta\\lambda$:
    ``"slow"`` below 1 (monotone), ``"fastest"`` at 1 (one step to the minimum),
    ``"oscillating"`` between 1 and 2 (flips sign, shrinking), ``"bouncing"`` at exactly 2
    (flips sign forever) and ``"diverging"`` above 2.

    Example:
        >>> [regime(eta, 4.0) for eta in (0.1, 0.25, 0.4, 0.5, 0.55)]
        ['slow', 'fastest', 'oscillating', 'bouncing', 'diverging']
    """
    product = validation.positive("learning_rate", learning_rate) * validation.positive(
        "curvature", curvature)
    if np.isclose(product, 1.0, rtol=1e-9, atol=0.0):
        return "fastest"
    if np.isclose(product, 2.0, rtol=1e-9, atol=0.0):
        return "bouncing"
    if product < 1.0:
        return "slow"
    return "oscillating" if product < 2.0 else "diverging"


def measured_rate(trajectory, landscape, start=None):
    """The measured factor by which the distance to the minimum shrinks per step.

    The geometric mean of $\\lVert x_{t+1} - x^* \\rVert / \\lVert x_t - x^* \\rVert$ from step
    ``start`` (half-way by default) to the end of ``trajectory``, where $x^*$ is
    ``landscape``'s global minimum. Above 1 means the run moves away.

    Example:
        >>> from lrlib.course.landscapes import Quadratic
        >>> from lrlib.course.descent import gradient_descent
        >>> bowl = Quadratic(curvatures=(1.0, 10.0))
        >>> run = gradient_descent(bowl, [1.0, 1.0], bowl.best_learning_rate, steps=40)
        >>> round(measured_rate(run, bowl), 4), round(9 / 11, 4)
        (0.8182, 0.8182)
    """
    offsets = np.asarray(trajectory.points - landscape.global_minimum, dtype=float)
    # A norm that does not underflow for tiny offsets (squares of 1e-170 would be 0).
    scale = np.max(np.abs(offsets), axis=-1)
    safe = np.where(scale > 0, scale, 1.0)
    distances = scale * np.linalg.norm(offsets / safe[:, None], axis=-1)
    count = len(distances) - 1
    if count < 1:
        raise ValueError("`trajectory` must have at least one step")
    start = count // 2 if start is None else validation.integer("start", start, low=0)
    if start >= count:
        raise ValueError(f"`start` must be below the number of steps ({count}), got {start}")
    first, last = distances[start], distances[-1]
    if first == 0.0:
        return 0.0
    return float((last / first) ** (1.0 / (count - start)))


# -- draw functions and their controls -------------------------------------------------------

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


# -- momentum -----------------------------------------------------------------------------------

def heavy_ball_factor(learning_rate, momentum, curvatures):
    """The factor per step of the heavy ball on $\\tfrac12\\sum_i\\lambda_i x_i^2$.

    Along a direction of curvature $\\lambda$ the heavy ball
    $x_{t+1} = x_t - \\eta\\lambda x_t + \\beta(x_t - x_{t-1})$ is a two-term recursion whose
    iteration matrix $\\begin{pmatrix}1+\\beta-\\eta\\lambda & -\\beta\\\\ 1 & 0\\end{pmatrix}$
    has eigenvalues the roots of $z^2 - (1+\\beta-\\eta\\lambda)z + \\beta = 0$. The factor is
    the largest root in size, worst over the curvatures (with $\\beta = 0$, $\\max_i
    |1 - \\eta\\lambda_i|$). Below 1 iff $0 < \\eta\\lambda_i < 2(1 + \\beta)$ for every $i$.

    Example:
        >>> round(heavy_ball_factor(2 / 11, 0.0, [1.0, 10.0]), 4)     # plain GD, best rate
        0.8182
        >>> round(heavy_ball_factor(*tuned_heavy_ball([1.0, 10.0]), [1.0, 10.0]), 4)
        0.5195
    """
    eta = validation.non_negative("learning_rate", learning_rate)
    beta = validation.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
    return float(np.max(_heavy_ball_roots(eta, beta, curvatures)))


def _heavy_ball_roots(rates, beta, curvatures):
    """The largest root in size of $z^2 - (1+\\beta-\\eta\\lambda)z + \\beta$, for every
    (rate, curvature) pair: shape ``rates.shape + (len(curvatures),)``."""
    lam = np.atleast_1d(np.asarray(curvatures, dtype=float))
    trace = 1.0 + beta - np.multiply.outer(np.asarray(rates, dtype=float), lam)
    disc = trace ** 2 - 4.0 * beta
    real = (np.abs(trace) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    return np.where(disc < 0.0, math.sqrt(beta), real)


def best_heavy_ball_rate(momentum, curvatures, resolution=4001):
    """The rate that minimises :func:`heavy_ball_factor` for this momentum: a fine log grid
    below the limit $2(1+\\beta)/\\lambda_{max}$, refined by golden-section search. Where a
    whole range of rates reaches the smallest factor, $\\sqrt\\beta$ (large $\\beta$), the
    middle of that range on a log scale."""
    beta = validation.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
    lam = np.atleast_1d(np.asarray(curvatures, dtype=float))
    limit = 2.0 * (1.0 + beta) / lam.max()
    rates = np.geomspace(limit * 1e-4, limit * (1 - 1e-9), resolution)
    factors = _heavy_ball_roots(rates, beta, lam).max(axis=-1)
    best = factors.min()
    # On a plateau (every rate there gives sqrt(beta)) take its middle on a log scale.
    flat = rates[factors <= best * (1 + 1e-9)]
    if flat.size > 1:
        return float(np.sqrt(flat[0] * flat[-1]))
    k = int(np.argmin(factors))
    low, high = rates[max(k - 1, 0)], rates[min(k + 1, resolution - 1)]
    for _ in range(80):  # golden-section search on the bracket
        a = high - 0.618 * (high - low)
        b = low + 0.618 * (high - low)
        if heavy_ball_factor(a, beta, lam) <= heavy_ball_factor(b, beta, lam):
            high = b
        else:
            low = a
    return float((low + high) / 2)


def tuned_heavy_ball(curvatures):
    """Polyak's tuned heavy ball for curvatures in $[\\lambda_{min}, \\lambda_{max}]$:
    $(\\eta, \\beta) = (4/(\\sqrt{\\lambda_{min}} + \\sqrt{\\lambda_{max}})^2,
    ((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2)$, whose factor is
    $(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)$."""
    lam = np.atleast_1d(np.asarray(curvatures, dtype=float))
    if np.any(lam <= 0):
        raise ValueError("`curvatures` must be positive")
    low, high = float(lam.min()), float(lam.max())
    root = math.sqrt(high / low)
    return 4.0 / (math.sqrt(low) + math.sqrt(high)) ** 2, ((root - 1.0) / (root + 1.0)) ** 2


@experiment(figsize=(11.0, 3.9))
def momentum(fig, momentum=0.5, curvature=10.0, steps=40):
    """Plain gradient descent and the heavy ball on $\\tfrac12(x_1^2 + \\lambda_{max} x_2^2)$.

    Both start at :data:`RAVINE_START`, each at its own best fixed rate (plain: $2/(1 +
    \\lambda_{max})$; heavy ball: :func:`best_heavy_ball_rate` for this $\\beta$). Left: the
    two paths on the contour map. Middle: the loss against step (log scale). Right: the
    factor per step against the rate for this $\\beta$ and for $\\beta = 0$, with the limits
    $2/\\lambda_{max}$ and $2(1+\\beta)/\\lambda_{max}$ and the two rates marked.
    """
    beta = validation.real("momentum", momentum, low=0.0, high=0.99)
    lam = validation.real("curvature", curvature, low=1.0)
    steps = validation.positive_integer("steps", steps)
    bowl = Quadratic(curvatures=(1.0, lam))
    plain_rate = bowl.best_learning_rate
    ball_rate = best_heavy_ball_rate(beta, bowl.curvatures)
    plain = gradient_descent(bowl, RAVINE_START, plain_rate, steps)
    ball = gradient_descent(bowl, RAVINE_START, ball_rate, steps, momentum=beta)
    plain_factor = heavy_ball_factor(plain_rate, 0.0, bowl.curvatures)
    ball_factor = heavy_ball_factor(ball_rate, beta, bowl.curvatures)
    blue, red = PALETTE["blue"], PALETTE["vermillion"]
    ax_map, ax_loss, ax_rate = fig.subplots(1, 3, width_ratios=(1.0, 1.15, 1.15))

    plot_landscape(ax_map, bowl, levels=20)
    plot_trajectory(ax_map, bowl, plain, color=blue)
    plot_trajectory(ax_map, bowl, ball, color=red)
    ax_map.set_title(f"Paths: $\\lambda$ = 1 and {lam:.3g}", fontsize=10)

    floor = 1e-12
    ax_loss.plot(np.arange(plain.losses.size), np.maximum(plain.losses, floor), color=blue,
                 label=f"plain GD, $\\eta$ = {plain_rate:.3g}: ×{plain_factor:.3f} per step")
    ax_loss.plot(np.arange(ball.losses.size), np.maximum(ball.losses, floor), color=red,
                 linestyle="--", linewidth=1.8,
                 label=f"heavy ball $\\beta$ = {beta:.2g}, $\\eta$ = {ball_rate:.3g}: "
                       f"×{ball_factor:.3f} per step")
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(floor, 1e2)
    ax_loss.set_xlim(0, steps)
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("loss (log scale)")
    ax_loss.set_title("Loss against step, each at its best rate", fontsize=10)

    limit, ball_limit = 2.0 / lam, 2.0 * (1.0 + beta) / lam
    rates = np.geomspace(0.02 * limit, 1.5 * ball_limit, 300)
    ax_rate.plot(rates, [heavy_ball_factor(r, 0.0, bowl.curvatures) for r in rates], color=blue,
                 linewidth=1.4)
    ax_rate.plot(rates, [heavy_ball_factor(r, beta, bowl.curvatures) for r in rates], color=red,
                 linestyle="--", linewidth=1.8)
    ax_rate.axhline(1.0, color="0.5", linewidth=0.8)
    ax_rate.axvline(limit, color=blue, linewidth=1.0, linestyle=":")
    ax_rate.axvline(ball_limit, color=red, linewidth=1.0, linestyle=":")
    ax_rate.text(ball_limit * 0.97, 1.45, f"$2(1+\\beta)/\\lambda_{{max}}$\n= {ball_limit:.3g}",
                 fontsize=8, color=red, va="top", ha="right",
                 bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
    ax_rate.plot([plain_rate], [plain_factor], "o", color=blue, markeredgecolor="black",
                 markersize=8, zorder=5)
    ax_rate.plot([ball_rate], [ball_factor], "s", color=red, markeredgecolor="black",
                 markersize=8, zorder=5)
    ax_rate.set_xscale("log")
    ax_rate.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax_rate.xaxis.set_minor_formatter(NullFormatter())
    ax_rate.set_ylim(0.0, 1.5)
    ax_rate.set_xlim(rates[0], rates[-1])
    ax_rate.set_xlabel("learning rate $\\eta$ (log scale)")
    ax_rate.set_ylabel("factor per step")
    ax_rate.set_title("Factor per step vs rate", fontsize=10)
    handles, _ = ax_loss.get_legend_handles_labels()
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=9)
    fig.suptitle(f"Momentum on a ravine, $\\beta$ = {beta:.2g}, "
                 f"$\\kappa$ = {bowl.condition_number:.3g}", fontweight="bold")
    return fig


def momentum_controls():
    """The sliders for :func:`momentum`: $\\beta$, the steep curvature, the steps."""
    return {
        "momentum": slider(0.5, 0.0, 0.95, step=0.01, description="momentum β"),
        "curvature": log_slider(10.0, 1.0, 100.0, description="steep curvature λ_max"),
        "steps": int_slider(40, 10, 200, step=10, description="steps"),
    }


# -- the edge of stability of a network ------------------------------------------------------

#: The small problem of the convergence chapter's edge-of-stability experiment.
EDGE_SETUP = {
    "examples": 400,  # two moons, of which 300 are the training set (all used: full batch)
    "noise": 0.2,
    "hidden": (32, 32),
    "activation": "tanh",
    "loss": "mse",  # on one-hot targets; Cohen et al. find the effect clearest with MSE
}


@dataclasses.dataclass(frozen=True)
class FullBatchRun:
    """What :func:`full_batch_descent` recorded.

    Attributes:
        learning_rate: the fixed rate $\\eta$.
        losses: the full-batch training loss $L(w_t)$ at every step taken, $t = 0, 1, \\dots$
        measured_steps: the steps $t$ at which the sharpness was measured.
        sharpness: the top Hessian eigenvalue of $L$ at those steps.
        diverged_at: the step whose loss was not finite or too large, or ``None``.
    """

    learning_rate: float
    losses: np.ndarray
    measured_steps: np.ndarray
    sharpness: np.ndarray
    diverged_at: int | None

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def threshold(self):
        """$2/\\eta$: the largest curvature a quadratic can have for this rate to be stable."""
        return 2.0 / self.learning_rate

    def edge_reached_at(self, fraction=0.95):
        """The first measured step at which the sharpness reached ``fraction`` x $2/\\eta$
        after falling below it (so an initial sharpness above the edge does not count),
        or ``None``."""
        fraction = validation.positive("fraction", fraction)
        above = self.sharpness >= fraction * self.threshold
        below = np.flatnonzero(~above)
        if below.size == 0:
            return None
        later = np.flatnonzero(above[below[0]:])
        return int(self.measured_steps[below[0] + later[0]]) if later.size else None

    def sharpness_after(self, step):
        """The sharpness measured at steps $\\ge$ ``step`` (an array)."""
        return self.sharpness[self.measured_steps >= step]

    def loss_increases(self, start=0):
        """The fraction of steps from ``start`` on at which the loss went up."""
        changes = np.diff(self.losses[int(start):])
        return float(np.mean(changes > 0)) if changes.size else 0.0


def _loss_function(loss):
    import keras

    return keras.losses.get(loss) if isinstance(loss, str) else loss


def full_batch_descent(model, x, y, learning_rate, steps, *, loss="mse", measure_every=10,
                       power_iterations=10, seed=0):
    """Plain full-batch gradient descent on ``model``, measuring the sharpness as it goes.

    The weights of ``model`` are updated in place. Every ``measure_every`` steps (and at the
    start and the end) the sharpness of the mean loss over ``(x, y)`` is estimated by
    ``power_iterations`` steps of power iteration, warm-started from the previous
    measurement's eigenvector (the first measurement gets five times as many iterations
    from a random start). Power iteration finds the eigenvalue of largest magnitude, which
    in training is the top positive one.

    Args:
        model: a built Keras model (TensorFlow backend).
        x, y: the whole training set (one batch).
        learning_rate: the fixed rate $\\eta > 0$.
        steps: how many updates.
        loss: a Keras loss, by name or object.
        measure_every: steps between sharpness measurements.
        power_iterations: power-iteration steps per measurement.
        seed: seeds the random start vector of the first measurement.

    Returns:
        A :class:`FullBatchRun`. A diverging run stops at the step whose loss is not finite
        or exceeds :data:`lrlib.callbacks.DIVERGED_LOSS_FACTOR` (100) times the first, and
        says so in ``diverged_at``.
    """
    import tensorflow as tf

    from lrlib.callbacks import DIVERGED_LOSS_FACTOR
    from lrlib.course.curvature import hessian_vector_product

    eta = validation.positive("learning_rate", learning_rate)
    steps = validation.positive_integer("steps", steps)
    measure_every = validation.positive_integer("measure_every", measure_every)
    power_iterations = validation.positive_integer("power_iterations", power_iterations)
    seed = validation.integer("seed", seed, low=0)
    loss_fn = _loss_function(loss)
    weights = model.trainable_weights
    if not weights:
        raise ValueError("`model` has no trainable weights: build it first")
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y)

    @tf.function
    def descend(count):
        losses = tf.TensorArray(tf.float32, size=count)
        for i in tf.range(count):
            with tf.GradientTape() as tape:
                value = tf.reduce_mean(loss_fn(y, model(x, training=False)))
            grads = tape.gradient(value, weights)
            for w, g in zip(weights, grads):
                w.assign_sub(tf.cast(eta, w.dtype) * g)
            losses = losses.write(i, tf.cast(value, tf.float32))
        return losses.stack()

    def normalise(vectors):
        norm = tf.sqrt(tf.add_n([tf.reduce_sum(v * v) for v in vectors]))
        return [v / norm for v in vectors]

    @tf.function
    def power(vectors, iterations):
        estimate = tf.constant(0.0, tf.float32)
        for _ in tf.range(iterations):
            vectors = normalise(vectors)
            hv = hessian_vector_product(model, x, y, vectors, loss_fn)
            estimate = tf.cast(tf.add_n([tf.reduce_sum(a * b) for a, b in zip(vectors, hv)]),
                               tf.float32)
            vectors = hv
        return estimate, normalise(vectors)

    @tf.function
    def current_loss():
        return tf.reduce_mean(loss_fn(y, model(x, training=False)))

    rng = np.random.default_rng(seed)
    vectors = [tf.constant(rng.standard_normal(w.shape), dtype=w.dtype) for w in weights]
    losses, measured, sharpness = [], [], []
    first_loss = None
    diverged_at = None
    done = 0
    iterations = tf.constant(5 * power_iterations)
    while True:
        estimate, vectors = power(vectors, iterations)
        iterations = tf.constant(power_iterations)
        measured.append(done)
        sharpness.append(float(estimate))
        if done >= steps:
            break
        chunk = descend(tf.constant(min(measure_every, steps - done))).numpy()
        if first_loss is None:
            first_loss = float(chunk[0])
        limit = DIVERGED_LOSS_FACTOR * max(first_loss, 1e-12)
        bad = np.flatnonzero(~np.isfinite(chunk) | (chunk > limit))
        if bad.size:
            diverged_at = done + int(bad[0])
            losses.extend(chunk[: bad[0]].tolist())
            break
        losses.extend(chunk.tolist())
        done += len(chunk)
    if diverged_at is None:
        # The loss after the last update, so that losses[t] = L(w_t) for t = 0..steps.
        losses.append(float(current_loss()))
    return FullBatchRun(
        learning_rate=eta,
        losses=np.asarray(losses, dtype=float),
        measured_steps=np.asarray(measured, dtype=int),
        sharpness=np.asarray(sharpness, dtype=float),
        diverged_at=diverged_at,
    )


def edge_of_stability(learning_rate, steps=1500, *, seed=0, measure_every=10,
                      power_iterations=10):
    """:func:`full_batch_descent` on the setup of :data:`EDGE_SETUP`.

    The training set of :func:`lrlib.course.data.make_two_moons` (300 points), targets one-hot, a
    network with two tanh layers of 32 units (weights seeded by ``seed``), mean squared error
    (Keras's ``"mse"`` averages over the two outputs, so it is
    $\\frac{1}{n}\\sum_i \\tfrac12 \\lVert f(x_i) - y_i \\rVert^2$, Cohen et al.'s loss).
    """
    import keras

    from lrlib.course.data import make_two_moons
    from lrlib.course.reproducibility import seed_everything
    from lrlib.course.training import build_model

    seed = validation.integer("seed", seed, low=0)
    data = make_two_moons(num_examples=EDGE_SETUP["examples"], noise=EDGE_SETUP["noise"])
    targets = keras.utils.to_categorical(data.y_train, data.num_classes).astype("float32")
    seed_everything(seed)
    model = build_model(data.num_features, data.num_classes, hidden=EDGE_SETUP["hidden"],
                        activation=EDGE_SETUP["activation"])
    return full_batch_descent(model, data.x_train, targets, learning_rate, steps,
                              loss=EDGE_SETUP["loss"], measure_every=measure_every,
                              power_iterations=power_iterations, seed=seed)


def plot_edge_of_stability(axes, runs):
    """Loss (top) and sharpness with its $2/\\eta$ line (bottom) against step.

    ``axes`` is a pair of Matplotlib axes; ``runs`` a list of :class:`FullBatchRun`.
    """
    use_style()
    ax_loss, ax_sharp = axes
    for index, run in enumerate(runs):
        color = COLORS[index % len(COLORS)]
        label = f"$\\eta$ = {run.learning_rate:g}"
        ax_loss.plot(np.arange(run.losses.size), run.losses, color=color, linewidth=1.2,
                     label=label)
        ax_sharp.plot(run.measured_steps, run.sharpness, color=color, linewidth=1.4,
                      label=label)
        ax_sharp.axhline(run.threshold, color=color, linestyle="--", linewidth=1.2,
                         label=f"$2/\\eta$ = {run.threshold:.3g}")
        if run.diverged:
            annotate_diverged(ax_loss, run.diverged_at, where=(0.5, 0.8 - 0.15 * index))
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("training loss (log scale)")
    ax_loss.set_title("Full-batch loss: falling, but not monotonically")
    ax_loss.legend(loc="upper right")
    ax_sharp.set_xlabel("step $t$ (full batch: one step = one epoch)")
    ax_sharp.set_ylabel("sharpness $\\lambda_{max}$")
    ax_sharp.set_title("Sharpness rises to $2/\\eta$ and hovers there")
    ax_sharp.set_ylim(bottom=0.0)
    ax_sharp.legend(loc="lower right", ncols=2)
    return axes


# -- checkers of the exercises ---------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

_REGIME_ANSWERS = ("slow", "fastest", "oscillating", "diverging")


def check_regime(answer):
    """Exercise convergence-ex-regime: the regime of eta = 0.15 on a bowl with lambda = 10."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    result = check_choice(answer, "oscillating", name="the regime", options=_REGIME_ANSWERS)
    if result or not isinstance(answer, str):
        return result
    hints = {
        "slow": "ηλ = 1.5 is above 1, so the factor 1 − ηλ = −0.5 is negative: each step "
                "overshoots the minimum.",
        "fastest": "the fastest rate is exactly 1/λ = 0.1; 0.15 is past it.",
        "diverging": "the limit is 2/λ = 0.2 and 0.15 is below it: |1 − ηλ| = 0.5 < 1, so "
                     "the run converges.",
    }
    hint = hints.get(answer.strip().lower())
    return Result(False, result.message + (" " + hint if hint else ""))


def check_ravine(limit, best, factor):
    """Exercise convergence-ex-ravine: curvatures 2 and 50; the limit, best rate and factor."""
    if limit is Ellipsis or best is Ellipsis or factor is Ellipsis:
        return _PLACEHOLDER
    checks = [
        check_number(limit, 2 / 50, name="the largest stable rate", rtol=0.01, low=0,
                     allowed="a learning rate is positive"),
        check_number(best, 2 / 52, name="the best fixed rate", rtol=0.01, low=0,
                     allowed="a learning rate is positive"),
        check_number(factor, 48 / 52, name="the factor per step", rtol=0.005, low=0,
                     allowed="a factor is a size, |1 − ηλ|"),
    ]
    failed = [c for c in checks if not c]
    if not failed:
        return Result(True, "all three right: limit 2/50 = 0.04, best rate 2/52 ≈ 0.0385, "
                            "factor 48/52 ≈ 0.923 per step.")
    hints = []
    if _is_close(limit, 1 / 50):
        hints.append("1/λ_max = 0.02 is the rate that clears the steep direction in one step; "
                     "the limit is twice that.")
    if _is_close(limit, 2 / 2):
        hints.append("the *largest* curvature sets the limit, not the smallest.")
    if _is_close(best, 1 / 50) or _is_close(best, 2 / 50):
        hints.append("the best fixed rate balances both directions: "
                     "|1 − ηλ_min| = |1 − ηλ_max|.")
    if _is_close(factor, (48 / 52) ** 2):
        hints.append("that is the factor of the loss; the distance to the minimum shrinks by "
                     "its square root.")
    if _is_close(factor, 1.0) or _is_close(factor, 1 - 2 / 50):
        hints.append("evaluate the factor at the best rate: max_i |1 − ηλ_i| with η = 2/52.")
    message = " ".join(c.message for c in failed)
    return Result(False, message + (" " + " ".join(hints) if hints else ""))


def check_best_rate_formula(best_rate):
    """Exercise convergence-ex-derive: ``best_rate(lam_min, lam_max)`` = 2/(lam_min + lam_max)."""
    if best_rate is Ellipsis:
        return _PLACEHOLDER
    if not callable(best_rate):
        return Result(False, f"`best_rate` must be a function of (lam_min, lam_max), "
                             f"got {best_rate!r}.")
    from lrlib.course.check import record_answer

    record_answer("the best rate", "2 / (lam_min + lam_max)")
    cases = [(1.0, 10.0), (2.0, 50.0), (0.5, 0.5), (3.0, 7.0), (0.01, 100.0)]
    wrong = {
        "1/λ_max": lambda a, b: 1 / b,
        "2/λ_max": lambda a, b: 2 / b,
        "1/(λ_min + λ_max)": lambda a, b: 1 / (a + b),
        "2/λ_min": lambda a, b: 2 / a,
        "1/sqrt(λ_min λ_max)": lambda a, b: 1 / math.sqrt(a * b),
    }
    for lam_min, lam_max in cases:
        expected = 2 / (lam_min + lam_max)
        got = _call(best_rate, lam_min, lam_max)
        if isinstance(got, str):
            return Result(False, f"best_rate({lam_min:g}, {lam_max:g}) raised {got}.")
        if got is None:
            return Result(False, f"best_rate({lam_min:g}, {lam_max:g}) did not return a "
                                 "finite number.")
        if not math.isclose(got, expected, rel_tol=1e-6):
            message = (f"best_rate({lam_min:g}, {lam_max:g}) gives {got:.6g}, which is not "
                       "the best rate (within 1e-6).")
            for name, formula in wrong.items():
                if all(_is_close(_call(best_rate, a, b), formula(a, b)) for a, b in cases):
                    message += (f" Your formula is {name}; at the best rate the two directions"
                                " shrink equally fast: 1 − ηλ_min = −(1 − ηλ_max).")
                    break
            return Result(False, message)
    return Result(True, f"best_rate agrees with 2/(λ_min + λ_max) on {len(cases)} cases.")


def check_contraction(my_contraction):
    """Exercise convergence-ex-contraction: ``contraction(learning_rate, curvatures)``."""
    if my_contraction is Ellipsis:
        return _PLACEHOLDER
    if not callable(my_contraction):
        return Result(False, "`contraction` must be a function of (learning_rate, curvatures), "
                             f"got {my_contraction!r}.")

    def reference(eta, curvatures):
        return float(np.max(np.abs(1.0 - eta * np.asarray(curvatures, dtype=float))))

    from lrlib.course.check import record_answer

    record_answer("the factor", "max(abs(1 - learning_rate * np.asarray(curvatures)))")

    cases = [
        (0.05, [1.0, 10.0]),    # slow: the flat direction is the worst
        (0.18, [1.0, 10.0]),    # near the best rate
        (0.19, [1.0, 10.0]),    # the steep direction overshoots: needs the absolute value
        (0.3, [1.0, 10.0]),     # beyond the limit: factor above 1
        (0.1, [4.0]),           # one dimension
        (0.01, [2.0, 5.0, 50.0]),
        (0.03, np.array([2.0, 5.0, 50.0])),
    ]
    mistakes = [
        (lambda eta, lam: float(np.max(1.0 - eta * lam)),
         " Take the absolute value: a factor of −1.5 grows the error as surely as +1.5 does."),
        (lambda eta, lam: abs(1.0 - eta * lam.max()),
         " At small rates the *flat* direction is the slow one: take the worst over every "
         "curvature."),
        (lambda eta, lam: float(np.min(np.abs(1.0 - eta * lam))),
         " The run is as slow as its slowest direction: take the maximum."),
    ]
    for eta, curvatures in cases:
        expected = reference(eta, curvatures)
        got = _call(my_contraction, eta, curvatures)
        listed = ", ".join(f"{c:g}" for c in np.asarray(curvatures, dtype=float))
        shown = f"contraction({eta:g}, [{listed}])"
        if isinstance(got, str):
            return Result(False, f"{shown} raised {got}.")
        if got is None:
            return Result(False, f"{shown} did not return a finite number.")
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-12):
            message = (f"{shown} gives {got:.6g}, which is not the worst factor max |1 − ηλ_i| "
                       "(within 1e-6).")
            for mistake, hint in mistakes:
                if all(_is_close(_call(my_contraction, e, c),
                                 mistake(e, np.asarray(c, dtype=float))) for e, c in cases):
                    message += hint
                    break
            return Result(False, message)
    return Result(True, f"your contraction agrees with max |1 − ηλ_i| on {len(cases)} cases.")


def check_edge_prediction(answer):
    """Exercise convergence-ex-edge: the sharpness that full-batch training at $\\eta = 0.3$
    hovers around, predicted before running it ($2/\\eta$; within 5% passes)."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    result = check_number(answer, 2 / 0.3, name="the predicted sharpness", rtol=0.05, low=0,
                          allowed="a sharpness is a curvature, positive",
                          hints=["gradient descent at rate η is stable on a curvature λ only "
                                 "while λ < 2/η (the chapter's speed limit); the network's "
                                 "sharpness is its largest curvature.",
                                 "turn the speed limit around: at a fixed η, which curvature "
                                 "is the largest the run can keep?"])
    if result:
        return Result(True, "right: 2/η = 2/0.3 ≈ 6.67. Now run it and see how closely, and "
                            "how, the network keeps to it.")
    if _is_close(answer, 1 / 0.3):
        return Result(False, result.message + " 1/η is the curvature one step clears exactly; "
                                               "the limit of stability is twice that.")
    if _is_close(answer, 0.3 / 2) or _is_close(answer, 0.3):
        return Result(False, result.message + " The limit is on the curvature, and it is "
                                               "inversely proportional to the rate: a number "
                                               "above 1 here.")
    value = _call(lambda: float(answer))
    if isinstance(value, float) and 7.5 < value < 8.3:
        return Result(False, result.message + " That is where the sharpness starts (7.9): the "
                                               "network does not stay there.")
    return result


#: The cases of exercise convergence-ex-seeds: three seeds, as in the chapter's sweep.
_PAIRED_CASES = (([0.9689, 0.9778, 0.9800], [0.9622, 0.9756, 0.9711]),
                 ([0.5, 0.7, 0.6], [0.4, 0.75, 0.5]),
                 ([1.0, 2.0, 3.0], [1.5, 1.5, 2.0]))

#: How close the learner's ends must be: a fraction of the reference's half-width (t = 4.30
#: or 4.303 for t(0.975, 2) = 4.3027 both pass; a normal quantile or ddof=0 do not).
_END_TOLERANCE = 0.005


def check_paired_interval(my_interval):
    """Exercise convergence-ex-seeds: ``my_interval(a, b)`` returns (mean, low, high) of the
    paired differences ``a - b`` (three seeds) with a 95% t-interval, as
    :func:`lrlib.course.stats.paired_difference` computes it: the mean within 1e-6, each end
    within 0.5% of the interval's half-width."""
    from lrlib.course.check import record_answer, record_hints
    from lrlib.course.stats import paired_difference

    if my_interval is Ellipsis:
        return _PLACEHOLDER
    record_answer("paired_interval(a, b)", "(d.mean(), d.mean() - half, d.mean() + half) "
                  "with d = a - b and half = t(0.975, n - 1) * d.std(ddof=1) / sqrt(n), "
                  "as `stats.paired_difference(a, b)` computes it")
    if not callable(my_interval):
        return Result(False, f"`paired_interval` must be a function of (a, b), got {my_interval!r}.")
    record_hints("the interval is mean ± t · s / √n: s the sample standard deviation of the n "
                 "differences (ddof=1), t Student's quantile t(0.975, n − 1) (4.30 for three "
                 "seeds), √n because the interval is for their mean.",
                 "take the differences seed by seed first, d = a − b; everything else is "
                 "computed from d alone.")
    for a, b in _PAIRED_CASES:
        reference = paired_difference(a, b)
        expected = (reference.mean, reference.low, reference.high)
        record_answer(f"paired_interval({a}, {b})",
                      "({:.6g}, {:.6g}, {:.6g})".format(*expected), expected)
        shown = f"for a = {a}, b = {b}"
        try:
            returned = my_interval(np.array(a), np.array(b))
        except Exception as error:  # the learner's code: report, do not crash
            return Result(False, f"paired_interval raised {type(error).__name__}: {error} "
                                 f"{shown}.")
        if returned is None:
            return Result(False, "paired_interval returned nothing: finish the function "
                                 "(return mean, low, high).")
        try:
            got = tuple(float(v) for v in returned)
        except (TypeError, ValueError):
            got = ()
        if len(got) != 3 or not all(math.isfinite(v) for v in got):
            return Result(False, f"{shown} paired_interval must return three finite numbers, "
                                 "(mean, low, high).")
        mean, low, high = got
        if low > high:
            return Result(False, f"{shown} your low end is above your high end: return "
                                 "(mean, low, high), low first.")
        half = reference.high - reference.mean
        mean_right = math.isclose(mean, reference.mean, rel_tol=1e-6, abs_tol=1e-12)
        if not mean_right:
            if math.isclose(mean, -reference.mean, rel_tol=1e-6, abs_tol=1e-12):
                return Result(False, f"{shown} your mean has the wrong sign: the differences "
                                     "are a − b, the first argument minus the second.")
            return Result(False, f"{shown} your mean is not the mean of the differences "
                                 "a − b (within 1e-6).")
        tolerance = _END_TOLERANCE * half
        if abs(low - reference.low) <= tolerance and abs(high - reference.high) <= tolerance:
            continue
        d = np.asarray(a) - np.asarray(b)
        n = d.size
        t = half / (reference.std / math.sqrt(n))
        misconceptions = {
            ("you used 1.96, the normal quantile; with three seeds the standard deviation is "
             "itself uncertain: use Student's t with n − 1 = 2 degrees of freedom"):
                1.96 * d.std(ddof=1) / math.sqrt(n),
            "use the sample standard deviation of the differences (ddof=1), not ddof=0":
                t * d.std() / math.sqrt(n),
            "pair the seeds: the spread of the differences, not of each group":
                t * math.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / n),
            "divide the standard deviation by √n (the interval is for the mean)":
                t * d.std(ddof=1),
        }
        width = "too wide" if high - low > 2 * half else "too narrow"
        message = (f"{shown} your mean is right, but your interval is {width}: its ends are "
                   f"not {tolerance_text(_END_TOLERANCE)} of the interval's half-width from "
                   "the reference's.")
        for hint, wrong_half in misconceptions.items():
            if math.isclose(high - low, 2 * wrong_half, rel_tol=1e-3):
                return Result(False, f"{message} It looks as if {hint}.")
        return Result(False, message)
    return Result(True, "your interval agrees with the paired t-interval "
                        f"(`stats.paired_difference`) on {len(_PAIRED_CASES)} cases.")


#: The verdicts of exercise convergence-ex-seeds on the chapter's sweep (asserted in the chapter).
SWEEP_VERDICTS = {0.1: "within noise", 1.0: "within noise"}
_SWEEP_OPTIONS = ("better", "within noise", "worse")


def check_sweep_verdict(answers):
    """Exercise convergence-ex-seeds: is 0.3 better than 0.1, and than 1.0? A dict
    ``{0.1: verdict, 1.0: verdict}`` with each verdict "better", "within noise" or "worse"."""
    if answers is Ellipsis or (isinstance(answers, dict)
                               and any(v is Ellipsis for v in answers.values())):
        return _PLACEHOLDER
    if not isinstance(answers, dict) or set(answers) != set(SWEEP_VERDICTS):
        return Result(False, "give a dict with one verdict per rate: {0.1: ..., 1.0: ...}.")
    hints = ["compute each interval with your paired_interval, (accuracy at 0.3) − (accuracy "
             "at the other rate), over the three seeds of the sweep, paired by seed.",
             "'better' needs the whole interval above 0, 'worse' the whole interval below "
             "0; an interval that contains 0 cannot tell the two rates apart, whatever the "
             "sign of its mean."]
    wrong = []
    for rate, expected in SWEEP_VERDICTS.items():
        given = answers[rate]
        result = check_choice(given, expected, name=f"0.3 against {rate:g}",
                              options=_SWEEP_OPTIONS, hints=hints)
        if not result:
            wrong.append(result.message)
    if not wrong:
        return Result(True, "right: both intervals contain 0. With three seeds, 0.3 is the best "
                            "of the sweep only on average: against 0.1 and 1.0 it is within noise.")
    return Result(False, " ".join(wrong) + " Say 'better' or 'worse' only when the whole "
                                          "interval of (accuracy at 0.3 − accuracy at the "
                                          "other rate) is on one side of 0.")


def _call(function, *args):
    """``function(*args)`` as a finite float, ``None`` if not one, or the error's text."""
    try:
        value = function(*args)
    except Exception as error:  # the learner's code: report, do not crash
        return f"{type(error).__name__}: {error}"
    return _as_float(value)


def _is_close(value, target):
    if value is None or isinstance(value, (str, bool)):
        return False
    try:
        return math.isclose(float(value), target, rel_tol=1e-3)
    except (TypeError, ValueError):
        return False
