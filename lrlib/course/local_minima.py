"""The companion of the chapter "Local minima, sharp and flat" (``chapters/local_minima``).

- **Draw functions.** :func:`minima_explorer` (with :func:`minima_explorer_controls`) runs
  gradient descent, optionally with gradient noise (the SGD picture), on the double well
  (:class:`lrlib.course.landscapes.DoubleWell`) and on the 2-D surface with several minima
  (:class:`lrlib.course.landscapes.MultiMinima`), and draws three panels: the double well with
  the iterates on it, the double-well position $x_t$ against the step (where settling,
  bouncing and escaping are easy to tell apart), and the path on the 2-D map. Each title says
  how the run ends (:func:`ending`, with the rules of :mod:`lrlib.course.basins`).
- **Saddles in high dimension.** At a critical point the Hessian decides what it is: a minimum
  if all its eigenvalues are positive, a saddle if some are negative. If the Hessian at a
  critical point of a $d$-dimensional loss were a random symmetric matrix (from the Gaussian
  orthogonal ensemble, GOE), the chance that *all* $d$ eigenvalues are positive would fall
  like $e^{-\\theta d^2}$ with $\\theta = \\ln 3 / 4$ (Dean and Majumdar 2006). Dauphin et al.
  (2014) build on this picture: critical points with a high loss are overwhelmingly saddles.
  :func:`share_of_minima` estimates that chance by sampling (:func:`random_hessians`).
- **Escaping a saddle.** :class:`Saddle` is $L = \\tfrac12 x^2 - \\tfrac12\\mu y^2 +
  \\tfrac14 y^4$: a saddle at the origin with negative curvature $-\\mu$ along $y$ (and two
  minima at $y = \\pm\\sqrt\\mu$). Near it gradient descent multiplies the offset $y$ by
  $1 + \\eta\\mu$ per step, so leaving a neighbourhood of radius $r$ from an offset $r_0$
  takes about $\\ln(r/r_0)/\\ln(1 + \\eta\\mu)$ steps (:func:`predicted_escape_steps`); with
  gradient noise $\\sigma$ the kicks build an offset of about
  $\\eta\\sigma/\\sqrt{(1+\\eta\\mu)^2 - 1}$. :func:`escape_steps` measures it;
  :func:`saddle_escape` (with :func:`saddle_escape_controls`) draws it.
- **Sharp and flat minima of a real network.** Keskar et al. (2017) relate *sharp* minima (a
  large top Hessian eigenvalue $\\lambda_{max}$) to worse generalisation, and large learning
  rates are said to find *flat* ones. :class:`SharpnessTracker` records the loss on the whole
  training set (:func:`training_loss`) and its sharpness
  (:func:`lrlib.course.curvature.sharpness`) along training; :func:`train_tracking_sharpness`
  trains with :func:`lrlib.course.training.train` and returns a :class:`SharpnessHistory`.
  Dinh et al. (2017) showed that sharpness depends on the parameterisation: in a ReLU
  network, multiplying one layer's weights by $\\alpha > 0$ and dividing the next layer's by
  $\\alpha$ leaves the function unchanged, yet changes the Hessian. :func:`rescaled_copy` does
  exactly that.
- **Checkers** of the chapter's exercises (``check_*``): :func:`check_double_well_predictions`,
  :func:`check_global_limit`, :func:`check_escape_rate`, :func:`check_settled_rule`,
  :func:`check_saddle_escape`, with
  their references :func:`reference_escape_rate` and :func:`reference_settled_at`.

Example:
    >>> from lrlib.course.local_minima import share_of_minima
    >>> round(share_of_minima(1, samples=20000), 2)    # one dimension: a coin flip
    0.5
"""

import dataclasses
import math
import textwrap

import numpy as np

from lrlib import validation
from lrlib.course import basins
from lrlib.course.check import Result, check_number
from lrlib.course.curvature import sharpness
from lrlib.course.data import Dataset, load_digits
from lrlib.course.descent import descend_many, gradient_descent
from lrlib.course.landscapes import DoubleWell, Landscape, MultiMinima
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape
from lrlib.course.widgets.core import experiment, int_slider, log_slider, slider
from lrlib.tensors import to_numpy

import keras  # noqa: E402  (lrlib.course has set TensorFlow's quiet environment)

__all__ = [
    "minima_explorer",
    "minima_explorer_controls",
    "EXPLORER_SETUP",
    "WELL_NAMES",
    "SURFACE_NAMES",
    "ending",
    "panel_ending",
    "random_hessians",
    "share_of_minima",
    "Saddle",
    "SADDLE_SETUP",
    "escape_steps",
    "predicted_escape_steps",
    "saddle_escape",
    "saddle_escape_controls",
    "check_saddle_escape",
    "LOSS",
    "training_loss",
    "SharpnessTracker",
    "SharpnessHistory",
    "train_tracking_sharpness",
    "rescaled_copy",
    "check_double_well_predictions",
    "check_global_limit",
    "check_escape_rate",
    "check_settled_rule",
    "reference_escape_rate",
    "reference_settled_at",
    "PREDICTION_RATES",
    "PREDICTION_START",
]


# -- draw function and its controls -----------------------------------------------------------

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


# -- saddles in high dimension: random Hessians ----------------------------------------------

def random_hessians(dimension, samples, seed=0):
    """``samples`` random symmetric ``dimension x dimension`` matrices from the GOE.

    Each is $(G + G^T)/\\sqrt 2$ with $G$ standard normal: off-diagonal entries have
    variance 1, diagonal ones variance 2. Shape ``(samples, dimension, dimension)``.
    """
    dimension = validation.positive_integer("dimension", dimension)
    samples = validation.positive_integer("samples", samples)
    seed = validation.integer("seed", seed, low=0)
    g = np.random.default_rng(seed).standard_normal((samples, dimension, dimension))
    return (g + np.swapaxes(g, -1, -2)) / np.sqrt(2.0)


def share_of_minima(dimension, samples=20000, seed=0):
    """The share of random (GOE) Hessians whose eigenvalues are all positive.

    That is the chance that a critical point with such a Hessian is a minimum rather than a
    saddle (or a maximum).
    """
    hessians = random_hessians(dimension, samples, seed)
    smallest = np.linalg.eigvalsh(hessians)[:, 0]
    return float(np.mean(smallest > 0))

# -- escaping a saddle ---------------------------------------------------------------------------

class Saddle(Landscape):
    """$L(x, y) = \\tfrac12 x^2 - \\tfrac12\\mu y^2 + \\tfrac14 y^4$: a saddle at the origin.

    Curvature $+1$ along $x$ and $-\\mu$ along $y$ at the saddle; the quartic term bounds it
    below, with minima at $(0, \\pm\\sqrt\\mu)$.

    Example:
        >>> saddle = Saddle()
        >>> saddle.hessian([0.0, 0.0]).tolist()
        [[1.0, 0.0], [0.0, -1.0]]
    """

    dim = 2
    name = "saddle"

    def __init__(self, negative=1.0):
        self.mu = validation.positive("negative", negative)
        edge = 1.5 * max(1.0, math.sqrt(self.mu))
        super().__init__(((-1.5, 1.5), (-edge, edge)))

    def _loss(self, p):
        x, y = p[..., 0], p[..., 1]
        return 0.5 * x ** 2 - 0.5 * self.mu * y ** 2 + 0.25 * y ** 4

    def _grad(self, p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([x, -self.mu * y + y ** 3], axis=-1)

    def _hessian(self, p):
        y = p[..., 1]
        h = np.zeros(p.shape[:-1] + (2, 2))
        h[..., 0, 0] = 1.0
        h[..., 1, 1] = -self.mu + 3 * y ** 2
        return h

    def _minima(self):
        root = math.sqrt(self.mu)
        return [[0.0, root], [0.0, -root]]

    def _describe(self):
        return f"negative={self.mu:g}"


_MEDIAN_ABS_NORMAL = 0.6745

#: The chapter's saddle experiment: start at (1, offset), leave |y| < radius.
SADDLE_SETUP = {"start_x": 1.0, "offset": 1e-6, "radius": 0.1, "negative": 1.0}


def predicted_escape_steps(learning_rate, noise=0.0, *, offset=1e-6, radius=0.1, negative=1.0):
    """$\\ln(r/r_0)/\\ln(1 + \\eta\\mu)$: the steps to grow the offset along the saddle's
    negative direction from $r_0$ to $r$. With noise $\\sigma$, $r_0$ is
    $\\sqrt{\\text{offset}^2 + (m\\eta\\sigma)^2/((1+\\eta\\mu)^2 - 1)}$, the typical size the
    kicks build up ($m \\approx 0.674$, the median of $|\\xi|$ for $\\xi \\sim \\mathcal N(0, 1)$).

    Example:
        >>> round(predicted_escape_steps(0.1), 1)          # ln(1e5) / ln(1.1)
        120.8
    """
    eta = validation.positive("learning_rate", learning_rate)
    sigma = validation.non_negative("noise", noise)
    growth = 1.0 + eta * validation.positive("negative", negative)
    start = math.sqrt(offset ** 2 + (_MEDIAN_ABS_NORMAL * eta * sigma) ** 2 / (growth ** 2 - 1.0))
    return math.log(validation.positive("radius", radius) / start) / math.log(growth)


def escape_steps(learning_rate, noise=0.0, *, runs=1, seed=0, offset=1e-6, radius=0.1,
                 negative=1.0, start_x=1.0, max_steps=None):
    """Measured: the first step $t$ at which $|y_t| \\ge$ ``radius``, for ``runs`` runs of
    gradient descent on :class:`Saddle` from (``start_x``, ``offset``), each with its own
    seeded noise. An int array (-1 for a run that has not left by ``max_steps``; by default
    three times the steps predicted without noise, plus 100).

    Example:
        >>> escape_steps(0.1).tolist()          # about ln(1e5)/ln(1.1) = 120.8
        [121]
    """
    runs = validation.positive_integer("runs", runs)
    if max_steps is None:
        plain = predicted_escape_steps(learning_rate, offset=offset, radius=radius,
                                       negative=negative)
        max_steps = int(3 * max(plain, 0.0)) + 100
    saddle = Saddle(negative)
    starts = np.tile([[float(start_x), float(offset)]], (runs, 1))
    ensemble = descend_many(saddle, starts, learning_rate, max_steps, noise=noise, seed=seed)
    out = np.abs(ensemble.points[:, :, 1]) >= radius
    first = np.argmax(out, axis=0)
    return np.where(out.any(axis=0), first, -1)


_ESCAPE_GRID = np.geomspace(0.01, 0.5, 12)


@experiment(figsize=(11.0, 3.9), scrub="noise")
def saddle_escape(fig, learning_rate=0.1, noise=0.0, runs=20):
    """Gradient descent leaving the saddle of :class:`Saddle` (:data:`SADDLE_SETUP`).

    Left: the path on the contour map (with noise, the first of ``runs`` runs). Middle: the
    offset $|y_t|$ against step (log scale) for every run, with the prediction
    $r_0(1 + \\eta\\mu)^t$ and the radius. Right: the steps to leave against the rate, the
    prediction $\\ln(r/r_0)/\\ln(1+\\eta\\mu)$ as a line and the measured median as dots, this
    rate marked.
    """
    eta = validation.positive("learning_rate", learning_rate)
    sigma = validation.non_negative("noise", noise)
    runs = validation.positive_integer("runs", runs)
    setup = SADDLE_SETUP
    saddle = Saddle(setup["negative"])
    count = runs if sigma > 0 else 1
    keys = {"offset": setup["offset"], "radius": setup["radius"], "negative": setup["negative"]}
    predicted = predicted_escape_steps(eta, sigma, **keys)
    steps = int(min(max(1.5 * predicted, 20), 4000))
    starts = np.tile([[setup["start_x"], setup["offset"]]], (count, 1))
    ensemble = descend_many(saddle, starts, eta, steps, noise=sigma, seed=0)
    measured = escape_steps(eta, sigma, runs=count, **keys)
    median = float(np.median(measured)) if np.all(measured >= 0) else math.nan
    blue, red, black = PALETTE["blue"], PALETTE["vermillion"], PALETTE["black"]
    ax_map, ax_y, ax_rate = fig.subplots(1, 3, width_ratios=(1.0, 1.15, 1.15))

    plot_landscape(ax_map, saddle, levels=20)
    ax_map.plot([0.0], [0.0], "X", color="white", markeredgecolor="black", markersize=10,
                zorder=6)
    first = ensemble.points[:, 0, :]
    ax_map.plot(first[:, 0], first[:, 1], "o-", color=red, markersize=2, linewidth=1.0)
    ax_map.plot(first[0, 0], first[0, 1], "s", color=red, markersize=6)
    ax_map.set_title("Path near the saddle (×)", fontsize=10)

    t = np.arange(steps + 1)
    for k in range(count):
        ax_y.plot(t, np.maximum(np.abs(ensemble.points[:, k, 1]), 1e-12), color=red,
                  linewidth=0.8, alpha=0.5 if count > 1 else 1.0,
                  label="measured $|y_t|$" if k == 0 else None)
    growth = 1.0 + eta * setup["negative"]
    ax_y.plot(t, setup["radius"] * growth ** (t - predicted), "--", color=black,
              linewidth=1.4, label="$r_0(1+\\eta\\mu)^t$")
    ax_y.axhline(setup["radius"], color=blue, linewidth=1.0, linestyle=":",
                 label=f"radius {setup['radius']:g}")
    ax_y.set_yscale("log")
    ax_y.set_ylim(1e-9, 10.0)
    ax_y.set_xlim(0, steps)
    ax_y.set_xlabel("step $t$")
    ax_y.set_ylabel("offset $|y_t|$ (log scale)")
    ax_y.set_title(f"Leaves at step {median:.0f} (predicted {predicted:.0f})", fontsize=10)
    ax_y.legend(loc="lower right", fontsize=8)

    grid = _ESCAPE_GRID
    ax_rate.plot(grid, [predicted_escape_steps(r, sigma, **keys) for r in grid], color=black,
                 linewidth=1.4, label="$\\ln(r/r_0)/\\ln(1+\\eta\\mu)$")
    dots = [float(np.median(escape_steps(r, sigma, runs=count, **keys))) for r in grid]
    ax_rate.plot(grid, dots, "o", color=red, markersize=5, label="measured (median)")
    ax_rate.plot([eta], [median], "s", color=PALETTE["orange"], markeredgecolor="black",
                 markersize=9, zorder=5, label=f"this rate, $\\eta$ = {eta:g}")
    ax_rate.set_xscale("log")
    ax_rate.set_yscale("log")
    ax_rate.set_xlabel("learning rate $\\eta$ (log scale)")
    ax_rate.set_ylabel("steps to leave (log scale)")
    ax_rate.set_title("Steps to leave vs rate", fontsize=10)
    ax_rate.legend(loc="upper right", fontsize=8)
    where = "no noise" if sigma == 0 else f"noise $\\sigma$ = {sigma:g}, {count} runs"
    fig.suptitle(f"Leaving a saddle, $\\eta$ = {eta:g}, {where}", fontweight="bold")
    return fig


def saddle_escape_controls():
    """The sliders for :func:`saddle_escape`: the rate and the noise, on log scales."""
    return {
        "learning_rate": log_slider(0.1, 0.01, 0.5, description="learning rate η"),
        "noise": log_slider(1e-3, 1e-6, 1.0, description="noise σ"),
    }



# -- sharp and flat minima of a network ------------------------------------------------------

#: The loss of :func:`lrlib.course.training.train` (the network outputs logits).
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def training_loss(model, x, y):
    """The mean loss of ``model`` on all of ``(x, y)`` (one forward pass, no training mode)."""
    return float(np.mean(to_numpy(LOSS(y, model(x, training=False)))))


class SharpnessTracker(keras.callbacks.Callback):
    """Measure the full-batch training loss and sharpness at the start and after some epochs.

    After ``model.fit(..., callbacks=[tracker])``: ``tracker.steps`` (optimizer steps done at
    each measurement), ``tracker.train_losses`` and ``tracker.sharpness``.

    Args:
        x, y: the data both are measured on (the whole training set).
        at_epochs: measure at the end of these epochs (counted from 1); every epoch if
            ``None``.
        iterations, tolerance, seed: passed to :func:`lrlib.course.curvature.sharpness`.
    """

    def __init__(self, x, y, at_epochs=None, iterations=20, tolerance=1e-3, seed=0):
        super().__init__()
        self.x, self.y = x, y
        if at_epochs is not None:
            at_epochs = {validation.positive_integer("at_epochs", e) for e in at_epochs}
        self.at_epochs = at_epochs
        self.iterations = validation.positive_integer("iterations", iterations)
        self.tolerance = validation.positive("tolerance", tolerance)
        self.seed = validation.integer("seed", seed, low=0)
        self.steps, self.train_losses, self.sharpness = [], [], []
        self._step = 0

    def _measure(self):
        self.steps.append(self._step)
        self.train_losses.append(training_loss(self.model, self.x, self.y))
        self.sharpness.append(sharpness(self.model, self.x, self.y, loss=LOSS,
                                        iterations=self.iterations, seed=self.seed,
                                        tolerance=self.tolerance))

    def on_train_begin(self, logs=None):
        self.steps, self.train_losses, self.sharpness = [], [], []
        self._step = 0
        self._measure()

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1

    def on_epoch_end(self, epoch, logs=None):
        if self.at_epochs is None or epoch + 1 in self.at_epochs:
            self._measure()


@dataclasses.dataclass(frozen=True)
class SharpnessHistory:
    """One training run with its sharpness measured along the way.

    Attributes:
        learning_rate: the constant SGD rate.
        seed: the run's seed.
        steps: the optimizer steps at which the measurements were taken (0 = initial weights).
        train_losses: the mean loss on the whole training set at those steps.
        sharpness: $\\lambda_{max}$ of that loss at those steps.
        run: the :class:`lrlib.course.training.TrainingRun` (per-step losses, test accuracy, ...).
        model: the trained Keras model.
    """

    learning_rate: float
    seed: int
    steps: np.ndarray
    train_losses: np.ndarray
    sharpness: np.ndarray
    run: object
    model: object

    @property
    def final_sharpness(self):
        return float(self.sharpness[-1])

    @property
    def final_train_loss(self):
        return float(self.train_losses[-1])

    @property
    def stability_limit(self):
        """$2/\\eta$: on a quadratic, the largest sharpness this rate can settle at."""
        return 2.0 / self.learning_rate

    def sharpness_at(self, train_loss):
        """The sharpness when the training loss passed ``train_loss`` (log-log interpolation
        between measurements); ``ValueError`` outside the range the run went through."""
        value = validation.positive("train_loss", train_loss)
        order = np.argsort(self.train_losses)
        losses = np.log(self.train_losses[order])
        if not losses[0] <= np.log(value) <= losses[-1]:
            raise ValueError(
                f"`train_loss` {value:.4g} is outside the range this run went through "
                f"({self.train_losses.min():.4g} to {self.train_losses.max():.4g})"
            )
        return float(np.exp(np.interp(np.log(value), losses, np.log(self.sharpness[order]))))


def train_tracking_sharpness(learning_rate, seed=0, *, epochs=10, batch_size=32, data=None,
                             hidden=(64,), at_epochs=None, iterations=20):
    """Train the course's network with constant SGD at ``learning_rate``, tracking sharpness.

    The training is :func:`lrlib.course.training.train` (digits by default, 10 epochs of batches of
    32 and one hidden layer of 64 units: the common setup); a :class:`SharpnessTracker` measures on the whole training set at
    the start and at the end of the epochs ``at_epochs`` (all of them by default).

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.local_minima import train_tracking_sharpness
        >>> history = train_tracking_sharpness(0.3, epochs=1)
        >>> history.steps.tolist(), bool(history.final_sharpness < history.sharpness[0])
        ([0, 43], True)
    """
    from lrlib.course.training import train

    data = load_digits() if data is None else data
    if not isinstance(data, Dataset):
        raise ValueError(f"`data` must be an lrlib.course.data.Dataset, got {data!r}")
    eta = validation.positive("learning_rate", learning_rate)
    tracker = SharpnessTracker(data.x_train, data.y_train, at_epochs=at_epochs,
                               iterations=iterations)
    run = train(eta, epochs=epochs, batch_size=batch_size, seed=seed, data=data,
                hidden=hidden, callbacks=[tracker])
    return SharpnessHistory(
        learning_rate=eta,
        seed=seed,
        steps=np.asarray(tracker.steps),
        train_losses=np.asarray(tracker.train_losses, dtype=float),
        sharpness=np.asarray(tracker.sharpness, dtype=float),
        run=run,
        model=tracker.model,
    )


def rescaled_copy(model, alpha, layer=0):
    """A copy of a ReLU network computing the same function with rescaled weights.

    Dense layer ``layer`` (its kernel and bias) is multiplied by ``alpha`` > 0 and the next
    Dense layer's kernel divided by it. Since $\\mathrm{relu}(\\alpha z) = \\alpha\\,
    \\mathrm{relu}(z)$ for $\\alpha > 0$, every output is unchanged (Dinh et al. 2017), but the
    loss's Hessian, and so its sharpness, is not.
    """
    alpha = validation.positive("alpha", alpha)
    dense = [lay for lay in model.layers if isinstance(lay, keras.layers.Dense)]
    layer = validation.integer("layer", layer, low=0)
    if layer + 1 >= len(dense):
        raise ValueError(f"`layer` must be a Dense layer followed by another, got {layer} "
                         f"(the model has {len(dense)} Dense layers)")
    if dense[layer].activation is not keras.activations.relu:
        raise ValueError(f"`layer` {layer} must have a ReLU activation for the rescaling to "
                         "leave the function unchanged")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    first, second = dense[layer], dense[layer + 1]
    index = {id(lay): i for i, lay in enumerate(model.layers)}
    copy_first = copy.layers[index[id(first)]]
    copy_second = copy.layers[index[id(second)]]
    copy_first.set_weights([w * alpha for w in first.get_weights()])
    kernel, *rest = second.get_weights()
    copy_second.set_weights([kernel / alpha, *rest])
    return copy


# -- checkers of the exercises ---------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

#: The rates and the start of exercise local-minima-ex-predict.
PREDICTION_RATES = (0.04, 0.12, 0.9)
PREDICTION_START = -1.3
_PREDICTION_STEPS = 300

_WORDS = {
    "sharp": 1, "sharp minimum": 1, "the sharp minimum": 1, "shallow": 1,
    "wide": 0, "wide minimum": 0, "the wide minimum": 0, "deep": 0, "flat": 0,
    "bounces": basins.BOUNCING, "never settles": basins.BOUNCING, "bouncing": basins.BOUNCING,
    "neither": basins.BOUNCING, "none": basins.BOUNCING,
}
_SAY = {1: "settles in the sharp minimum", 0: "settles in the wide minimum",
        basins.BOUNCING: "bounces and never settles"}


def _outcome_at(rate):
    well = DoubleWell()
    run = gradient_descent(well, [PREDICTION_START], rate, _PREDICTION_STEPS)
    return basins.outcome(well, run)


def _why(rate, truth):
    well = DoubleWell()
    wide_limit, sharp_limit = 2.0 / well.sharpness(well.minima)
    if truth == 1:
        return (f"{rate} is below 2/λ ≈ {sharp_limit:.3f} of the sharp minimum, so it can "
                "settle there, and the run starts in that valley.")
    if truth == 0:
        return (f"{rate} is too large for the narrow valley and large enough to jump out of "
                f"it, yet below 2/λ ≈ {wide_limit:.2f} of the wide minimum.")
    if rate > wide_limit:
        return (f"{rate} is above 2/λ ≈ {wide_limit:.2f} even of the wide minimum: the run "
                "leaves the sharp valley but can settle nowhere.")
    return (f"{rate} is above 2/λ ≈ {sharp_limit:.3f}, so the sharp minimum is unstable, "
            "yet the steps are too short to clear the barrier (that takes about 0.16).")


def check_double_well_predictions(answers):
    """Exercise local-minima-ex-predict: where does the run from $x_0 = -1.3$ end at each rate?

    ``answers`` maps each rate of :data:`PREDICTION_RATES` to ``"sharp"``, ``"wide"`` or
    ``"never settles"``. The truth is computed by running gradient descent.
    """
    if answers is Ellipsis:
        return _PLACEHOLDER
    if not isinstance(answers, dict):
        return Result(False, "give a dict {rate: prediction}, e.g. {0.04: 'sharp', ...}.")
    keys = {float(k): v for k, v in answers.items() if isinstance(k, (int, float))}
    missing = [r for r in PREDICTION_RATES if r not in keys]
    if missing:
        return Result(False, f"predict for every rate: {missing} missing from your dict.")
    if any(keys[r] is Ellipsis for r in PREDICTION_RATES):
        return _PLACEHOLDER
    from lrlib.course.check import record_answer

    record_answer("where the runs end", ", ".join(
        f"η = {r}: {_SAY[_outcome_at(r)]}" for r in PREDICTION_RATES))
    for rate in PREDICTION_RATES:
        said = keys[rate]
        word = said.strip().lower() if isinstance(said, str) else said
        if word not in _WORDS:
            return Result(False, f"at η = {rate}: {said!r} is not one of 'sharp', 'wide', "
                                 "'never settles'.")
        truth = _outcome_at(rate)
        if _WORDS[word] != truth:
            return Result(False, f"at η = {rate} you predicted {said!r}, but the run "
                                 f"{_SAY[truth]}: {_why(rate, truth)}")
    return Result(True, "all three predictions match the runs: a run settles only where "
                        "η < 2/λ, and leaves a valley only when one step can clear its "
                        "barrier.")


def check_global_limit(answer):
    """Exercise local-minima-ex-limit: the largest fixed rate that can settle in the global
    minimum of :class:`lrlib.course.landscapes.MultiMinima`, from its curvature there."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    surface = MultiMinima()
    curvatures = surface.sharpness(surface.minima)
    expected = 2.0 / float(curvatures[0])
    result = check_number(answer, expected, name="the largest rate", rtol=0.02,
                          low=0, allowed="a learning rate is positive")
    value = _number(answer)
    if not result and value is not None:
        if math.isclose(value, expected / 2, rel_tol=0.02):
            return Result(False, "1/λ is the rate that reaches the bottom fastest; the "
                                 "largest that still converges is twice that.")
        if any(math.isclose(value, 2.0 / c, rel_tol=0.02) for c in curvatures[1:]):
            return Result(False, "that is 2/λ of one of the sharp local minima; the question "
                                 "is about the global (wide) one.")
    return result


def reference_escape_rate(resolution=4001):
    """The smallest rate at which one step from somewhere in the sharp well of the default
    :class:`lrlib.course.landscapes.DoubleWell` lands beyond the barrier: $\\max_x (x - \\eta L'(x))$
    over the well equals the barrier's position."""
    well = DoubleWell()
    sharp, wide = well.sharp_minimum[0], well.wide_minimum[0]
    between = np.linspace(sharp, wide, resolution)
    barrier = between[np.argmax(well.loss(between[:, None]))]
    x = np.linspace(sharp - 4 * well.sharp[2], barrier, resolution)
    slope = well.grad(x[:, None])[:, 0]
    low, high = 1e-4, 1.0
    for _ in range(60):
        eta = (low + high) / 2
        if np.max(x - eta * slope) > barrier:
            high = eta
        else:
            low = eta
    return high


def check_escape_rate(answer):
    """Exercise local-minima-ex-escape: the rate above which one step can jump out of the
    sharp well (an estimate; within 8% of :func:`reference_escape_rate` passes)."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = reference_escape_rate()
    result = check_number(answer, expected, name="the escape rate", rtol=0.08, low=0, allowed="a learning rate is positive")
    value = _number(answer)
    if not result and value is not None:
        well = DoubleWell()
        limit = 2.0 / float(well.sharpness(well.sharp_minimum))
        if math.isclose(value, limit, rel_tol=0.1):
            return Result(False, "2/λ ≈ 0.045 is where the sharp minimum stops being stable; "
                                 "above it the run bounces inside the well. Escaping needs a "
                                 "step long enough to clear the barrier: use the steepest "
                                 "slope of the well and the distance to the barrier.")
    return result


def check_saddle_escape(answer):
    """Exercise local-minima-ex-saddle: the steps gradient descent at $\\eta = 0.05$ needs to
    leave $|y| < 0.1$ from an offset $10^{-6}$ on :class:`Saddle` ($\\mu = 1$): about
    $\\ln(10^5)/\\ln(1.05) \\approx 236$ (within 3% passes)."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = predicted_escape_steps(0.05)
    result = check_number(answer, expected, name="the number of steps", rtol=0.03, low=0,
                          allowed="a number of steps",
                          hints=["near the saddle the gradient along y is −μy: each step "
                                 "multiplies the offset by the same factor, 1 + ημ.",
                                 "the offset must grow from 1e-6 to 0.1: solve "
                                 "(1 + ημ)^t = 0.1 / 1e-6 for t, with logarithms."])
    value = _number(answer)
    if result:
        return Result(True, f"right: ln(0.1/1e-6)/ln(1.05) ≈ {expected:.0f}. The measured run "
                            f"leaves at step {int(escape_steps(0.05)[0])}.")
    if value is not None:
        if math.isclose(value, math.log(1e6) / math.log(1.05), rel_tol=0.03):
            return Result(False, result.message + " The offset must grow from 1e-6 to the "
                                                   "radius 0.1, a factor 1e5, not 1e6.")
        if 0 <= value < 20:
            return Result(False, result.message + " Far too few: each step multiplies the "
                                                   "offset by only 1 + ημ = 1.05, and it must "
                                                   "grow a hundred-thousandfold.")
    return result



def reference_settled_at(points, minima, tolerance=0.05, last=20):
    """The rule of exercise local-minima-ex-settled (and of :mod:`lrlib.course.basins`).."""
    points = np.asarray(points, dtype=float)
    minima = np.asarray(minima, dtype=float)
    tail = points[-last:]
    distances = np.linalg.norm(tail[:, None, :] - minima[None, :, :], axis=-1)
    nearest = np.argmin(distances[-1])
    close = np.all(distances[:, nearest] <= tolerance)
    still = np.linalg.norm(points[-1] - points[-2]) <= tolerance / 10
    return int(nearest) if close and still else -1


def _cases():
    """Trajectories (points, minima, what they show) the learner's rule must classify."""
    surface = MultiMinima()
    minima = surface.minima
    well_minima = DoubleWell().minima
    t = np.arange(60)[:, None]
    cases = []
    start = np.array([0.0, 0.0])
    cases.append((minima[1] + (start - minima[1]) * 0.8**t, minima, "a run converging to "
                  "minimum 1"))
    cases.append((minima[0] + (start - minima[0]) * 0.7**t, minima, "a run converging to "
                  "minimum 0"))
    swing = np.where(t % 2 == 0, 0.02, -0.02) * np.array([1.0, 0.0])
    cases.append((minima[0] + swing, minima, "a run that keeps jumping between two points "
                  "0.02 either side of minimum 0 (close, but not settled: its last step is "
                  "0.04 long)"))
    passing = np.concatenate([minima[0] + (start - minima[0]) * 0.5**t[:30],
                              minima[0] + np.linspace(0, 2.0, 30)[:, None] * [1.0, 0.0]])
    cases.append((passing, minima, "a run that passes through minimum 0 and then leaves"))
    late = minima[2] + np.zeros((40, 2))
    late[-20] = minima[2] + [0.06, 0.0]
    cases.append((late, minima, "a run whose 20th point from the end is 0.06 away from "
                  "minimum 2 (not all of the last 20 are within 0.05)"))
    late_ok = minima[2] + np.zeros((40, 2))
    late_ok[-21] = minima[2] + [0.06, 0.0]
    cases.append((late_ok, minima, "a run whose last 20 points all sit at minimum 2 (only the "
                  "21st from the end is away)"))
    cases.append((np.full((30, 2), [3.0, -2.5]), minima, "a run stuck far from every minimum"))
    one_d = well_minima[1] + (np.array([-1.3]) - well_minima[1]) * 0.5**t
    cases.append((one_d, well_minima, "a 1-D run converging to the double well's sharp "
                  "minimum"))
    return cases


def check_settled_rule(settled_at):
    """Exercise local-minima-ex-settled: the learner's ``settled_at(points, minima)``."""
    if not callable(settled_at):
        return Result(False, f"settled_at must be a function, got {settled_at!r}.")
    from lrlib.course.check import record_answer

    record_answer("the rule", "`lrlib.course.local_minima.reference_settled_at`")
    for points, minima, what in _cases():
        expected = reference_settled_at(points, minima)
        try:
            got = settled_at(points.copy(), minima.copy())
        except Exception as error:  # the learner's code: report, do not crash
            return Result(False, f"settled_at raised {type(error).__name__}: {error} on "
                                 f"{what}.")
        if got is None or got is Ellipsis:
            return Result(False, "settled_at returned nothing: finish the function (return an "
                                 "index or -1).")
        try:
            value = int(got)
        except (TypeError, ValueError):
            return Result(False, f"settled_at returned {got!r} on {what}; expected an int.")
        if value != expected:
            hint = ""
            if "jumping" in what:
                hint = " Being close is not enough: also require the last step to be short."
            elif "20th" in what or "passes" in what:
                hint = " Check *every* one of the last 20 points, not only the final one."
            return Result(False, f"on {what}, settled_at gives {value}, which is not "
                                 f"what the rule says.{hint}")
    return Result(True, f"settled_at classifies all {len(_cases())} test runs correctly.")


def _number(answer):
    if isinstance(answer, bool):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
