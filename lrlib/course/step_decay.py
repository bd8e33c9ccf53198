"""The companion of the chapter "Step decay": everything its code cells call.

Step decay multiplies the rate by a drop factor $f$ every $s$ steps,
$\\eta_t = \\eta_0 f^{\\lfloor t/s \\rfloor}$ (:class:`lrlib.schedules.StepDecay`). This module
holds, in the chapter's order:

- **The half-life** of a step decay's envelope, :func:`exponential_half_life`.
- **The noisy bowl's panels and experiments** (:data:`lrlib.course.noise.NOISY_BOWL`):
  :func:`what_a_drop_does`, :func:`step_decay_explorer` (with its controls) and
  :func:`half_life_collapse`; :func:`rate_panel` and :func:`bowl_loss_panel` are shared with
  :mod:`lrlib.course.exponential_decay`.
- **The noise, in theory**: :func:`noise_and_decay` (with its controls) puts batch size $B$
  into the bowl's noise ($\\sigma/\\sqrt B$) and compares a constant rate with the decays of
  the theory ($1/\\sqrt t$, $1/t$) and a step decay; :func:`inverse_time` and
  :func:`inverse_sqrt_time` are those decays.
- **Step decay in Keras.** :func:`piecewise_step_decay` writes
  :class:`~lrlib.schedules.StepDecay` as Keras's ``PiecewiseConstantDecay``, and
  :func:`multi_step_decay` writes PyTorch's ``MultiStepLR`` (drops at chosen steps) the
  same way. Keras's convention is off by one from what people usually mean: value ``i``
  applies while ``step <= boundaries[i]``, so "the rate drops *at* step 100" is boundary 99.
  Keras's ``LearningRateScheduler`` callback changes the rate once per *epoch*;
  :class:`EpochStepDecay` is a per-epoch step decay for it that also says which per-step
  :class:`~lrlib.schedules.StepDecay` it equals.
- **One drop against the same run without it.** Two training runs with the same seed start
  from the same weights and see the same batches in the same order, so a step decay and a
  constant rate that agree up to step $k$ are identical up to step $k$: the constant run is
  the schedule's *counterfactual*. :func:`first_difference`, :func:`paired_loss_ratio`,
  :func:`paired_loss_ratio_curve` and :func:`plot_paired_ratios` compare the two.
- **Checkers** of the chapter's exercises (``check_*``).

Example:
    >>> from lrlib.course.step_decay import multi_step_decay
    >>> from lrlib.schedules import evaluate
    >>> schedule = multi_step_decay(0.3, milestones=[100, 200], drop_factor=0.1)
    >>> schedule.boundaries
    [99, 199]
    >>> evaluate(schedule, [99, 100, 199, 200]).round(4).tolist()
    [0.3, 0.03, 0.03, 0.003]
"""

import dataclasses
import math

import numpy as np

from lrlib import validation
from lrlib.course.check import Result, check_number
from lrlib.course.noise import NOISY_BOWL, NoisyBowl, noise_floor
from lrlib.course.plots import COLORS, PALETTE, annotate_diverged, use_style
from lrlib.course.widgets.core import experiment, int_slider, log_slider, slider
from lrlib.schedules import ExponentialDecay, StepDecay, evaluate

__all__ = [
    # the half-life
    "exponential_half_life",
    # the noisy bowl
    "rate_panel",
    "bowl_loss_panel",
    "what_a_drop_does",
    "step_decay_explorer",
    "step_decay_controls",
    "half_life_collapse",
    # the noise, in theory
    "THEORY_STEPS",
    "inverse_time",
    "inverse_sqrt_time",
    "noisy_bowl_for_batch",
    "noise_and_decay",
    "noise_and_decay_controls",
    # step decay in Keras
    "multi_step_decay",
    "piecewise_step_decay",
    "EpochStepDecay",
    # one drop against the same run without it
    "first_difference",
    "paired_loss_ratio",
    "paired_loss_ratio_curve",
    "plot_paired_ratios",
    # checkers
    "check_multistep_boundaries",
    "check_epoch_function",
    "check_drop_every_steps",
    "check_same_half_life_factor",
    "check_noise_answer",
    "check_moved_drop_answer",
]

_GREY = "0.45"


# -- the half-life ---------------------------------------------------------------------------

def exponential_half_life(decay_steps, decay_rate):
    """Steps until $\\eta_0 r^{t/T}$ has halved: $T \\ln 2 / \\ln(1/r)$ (infinite for r = 1).

    A step decay with factor $f$ every $s$ steps follows the envelope $\\eta_0 f^{t/s}$, so
    its half-life is ``exponential_half_life(s, f)`` (the half-life of
    :class:`lrlib.schedules.ExponentialDecay`).

    Example:
        >>> from lrlib.course.step_decay import exponential_half_life
        >>> round(exponential_half_life(10000, 0.9))
        65788
    """
    return ExponentialDecay(1.0, decay_steps, decay_rate).half_life


# -- the noisy bowl: panels and experiments ----------------------------------------------------

def bowl_loss_panel(ax, run, bowl, label, color=COLORS[0], marks=()):
    """Expected loss of ``run`` on ``bowl`` and of the bowl's best constant rate, log scale.

    ``run`` is a :class:`lrlib.course.noise.BowlRun`; ``marks`` are steps drawn as thin
    vertical lines (the drops).
    """
    best_rate, best_loss = bowl.best_constant()
    best = bowl.run(best_rate)
    ax.plot(best.mean_losses, color=_GREY, linestyle="--", linewidth=1.4,
            label=f"best constant η = {best_rate:.2g}")
    ax.plot(run.mean_losses, color=color, label=label)
    for step in marks:
        ax.axvline(step, color=_GREY, linewidth=0.6, alpha=0.5)
    ax.set_yscale("log")
    ax.set_ylim(0.01, 20.0)
    ax.set_xlim(0, bowl.steps)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("expected loss (log scale)")
    ax.legend(loc="upper right")
    if run.diverged:
        annotate_diverged(ax, run.diverged_at, where=(0.5, 0.35))
        ax.set_title("Noisy bowl: diverged\n(the rate is above 2/λ = 2)", fontsize=10)
    else:
        ax.set_title(f"Noisy bowl: final loss {run.final_loss():.3f}\n"
                     f"(best constant rate: {best_loss:.3f})", fontsize=10)
    return ax


def rate_panel(ax, steps, rates, log=True):
    """A schedule's ``rates`` at ``steps``, on a log scale (at most six decades) or linear."""
    ax.plot(steps, rates, color=COLORS[0])
    ax.set_xlim(0, steps[-1] + 1)
    ax.set_xlabel("step $t$")
    if log:
        ax.set_yscale("log")
        # Show at most six decades: a rate a million times below the start is zero in effect.
        ax.set_ylim(max(0.7 * rates.min(), 1e-6 * rates.max()), 1.5 * rates.max())
    ax.set_ylabel("learning rate $\\eta_t$" + (" (log scale)" if log else ""))
    return ax


@experiment(figsize=(9.0, 3.2))
def what_a_drop_does(fig, drop_factor=0.5, drop_every=50, initial_learning_rate=1.0):
    """One step decay on the bowl: the expected loss of the steep and of the flat direction,
    with the noise floor of each level (dashed)."""
    schedule = StepDecay(initial_learning_rate, drop_factor, drop_every)
    bowl = NOISY_BOWL
    run = bowl.run(schedule)
    t = np.arange(bowl.steps)
    ax_steep, ax_flat = fig.subplots(1, 2, sharey=True)
    steep, flat = int(np.argmax(bowl.curvatures)), int(np.argmin(bowl.curvatures))
    for ax, axis, name in ((ax_steep, steep, "steep"), (ax_flat, flat, "flat")):
        lam = bowl.curvatures[axis]
        ax.plot(run.losses_by_direction[:, axis], color=COLORS[0], label="expected loss")
        floors = [noise_floor(float(eta), lam, bowl.noise) for eta in evaluate(schedule, t)]
        ax.plot(t, floors, color=COLORS[1], linestyle="--", linewidth=1.2,
                label="noise floor of the current rate")
        for step in range(schedule.drop_every, bowl.steps, schedule.drop_every):
            ax.axvline(step, color=_GREY, linewidth=0.6, alpha=0.5)
        ax.set_yscale("log")
        ax.set_xlim(0, bowl.steps)
        ax.set_xlabel("step $t$")
        ax.set_title(f"{name.capitalize()} direction ($\\lambda$ = {lam:g})", fontsize=10)
        if run.diverged:
            annotate_diverged(ax, run.diverged_at)
    ax_steep.set_ylabel("expected loss (log scale)")
    ax_steep.legend(loc="lower left")
    fig.suptitle(f"Step decay ×{schedule.drop_factor:g} every {schedule.drop_every} steps "
                 f"from $\\eta_0$ = {schedule.initial_learning_rate:g}", fontweight="bold")
    return fig


@experiment(figsize=(9.0, 3.0), scrub="drop_every")
def step_decay_explorer(fig, drop_factor=0.5, drop_every=50, initial_learning_rate=1.0):
    """Left: the step decay over the bowl's budget (log scale), with its exponential
    envelope. Right: the expected loss on :data:`lrlib.course.noise.NOISY_BOWL`."""
    schedule = StepDecay(initial_learning_rate, drop_factor, drop_every)
    bowl = NOISY_BOWL
    t = np.arange(bowl.steps)
    ax_rate, ax_loss = fig.subplots(1, 2)
    rate_panel(ax_rate, t, evaluate(schedule, t))
    envelope = ExponentialDecay(schedule.initial_learning_rate, schedule.drop_every,
                                schedule.drop_factor)
    ax_rate.plot(t, evaluate(envelope, t), color=COLORS[1], linestyle=":", linewidth=1.4,
                 label="envelope $\\eta_0 f^{t/s}$")
    ax_rate.legend(loc="lower left")
    half_life = exponential_half_life(schedule.drop_every, schedule.drop_factor)
    final = float(schedule(bowl.steps - 1))
    ax_rate.set_title(f"Step decay: ×{schedule.drop_factor:g} every {schedule.drop_every} "
                      f"steps\nhalf-life {half_life:.0f} steps, last rate {final:.2g}",
                      fontsize=10)
    drops = range(schedule.drop_every, bowl.steps, schedule.drop_every)
    marks = drops if len(drops) <= 12 else ()
    bowl_loss_panel(ax_loss, bowl.run(schedule), bowl, "step decay", marks=marks)
    return fig


def step_decay_controls():
    """The sliders for :func:`step_decay_explorer`."""
    return {
        "drop_factor": slider(0.5, 0.05, 0.95, step=0.05, description="drop factor f"),
        "drop_every": int_slider(50, 10, 420, step=10, description="drop every s steps"),
        "initial_learning_rate": log_slider(1.0, 0.03, 3.0, description="initial rate η₀"),
    }


#: The controls of :func:`step_decay_explorer`, under the name that
#: lrlib.course.widgets (live, scrubber, discovery) looks for.
step_decay_explorer_controls = step_decay_controls


@experiment(figsize=(7.0, 3.8))
def half_life_collapse(fig, drop_factors=(0.1, 0.3, 0.5, 0.7),
                       drop_everys=(10, 25, 50, 100, 200), initial_learning_rate=1.0):
    """Final expected loss on the bowl against half-life, for step decays (markers, one
    colour per drop factor) and smooth exponential decays (line)."""
    bowl = NOISY_BOWL
    eta0 = validation.positive("initial_learning_rate", initial_learning_rate)
    ax = fig.subplots()
    half_lives = np.geomspace(5, 500, 41)
    smooth = [bowl.run(ExponentialDecay(eta0, bowl.steps, 0.5 ** (bowl.steps / h)))
              .final_loss() for h in half_lives]
    ax.plot(half_lives, smooth, color=PALETTE["black"], linewidth=1.4,
            label="exponential decay (smooth)")
    markers = "osD^v<>"
    for index, factor in enumerate(drop_factors):
        points = [(exponential_half_life(every, factor),
                   bowl.run(StepDecay(eta0, factor, every)).final_loss())
                  for every in drop_everys]
        x, y = zip(*points)
        ax.plot(x, y, markers[index % len(markers)], color=COLORS[(index + 1) % len(COLORS)],
                markersize=6, label=f"step decay, f = {factor:g}")
    best_rate, best_loss = bowl.best_constant()
    ax.axhline(best_loss, color=_GREY, linestyle="--", linewidth=1.2,
               label=f"best constant rate ({best_rate:.2g})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("half-life (steps, log scale)")
    ax.set_ylabel("final expected loss (log scale)")
    ax.set_title(f"Noisy bowl, {bowl.steps} steps from $\\eta_0$ = {eta0:g}: "
                 "the half-life sets the result")
    ax.legend(fontsize=8, loc="upper right", ncols=2)
    return fig


# -- the noise, in theory ----------------------------------------------------------------------

#: The length of the theory experiment's runs: longer than the budget, so that the decays of the
#: theory have time to show their rates.
THEORY_STEPS = 2000


def inverse_time(initial_learning_rate, time_scale=100.0):
    """$\\eta_t = \\eta_0 / (1 + t/\\tau)$: the $1/t$ decay of stochastic approximation.

    Example:
        >>> inverse_time(0.5, 100)([0, 100, 300]).tolist()
        [0.5, 0.25, 0.125]
    """
    eta0 = validation.positive("initial_learning_rate", initial_learning_rate)
    tau = validation.positive("time_scale", time_scale)
    return lambda t: eta0 / (1.0 + np.asarray(t, dtype=float) / tau)


def inverse_sqrt_time(initial_learning_rate, time_scale=100.0):
    """$\\eta_t = \\eta_0 / \\sqrt{1 + t/\\tau}$: the $1/\\sqrt t$ decay of convex SGD theory.

    Example:
        >>> inverse_sqrt_time(0.5, 100)([0, 300]).tolist()
        [0.5, 0.25]
    """
    eta0 = validation.positive("initial_learning_rate", initial_learning_rate)
    tau = validation.positive("time_scale", time_scale)
    return lambda t: eta0 / np.sqrt(1.0 + np.asarray(t, dtype=float) / tau)


def noisy_bowl_for_batch(batch_size, steps=THEORY_STEPS):
    """The chapter's noisy bowl with batches of ``batch_size``: noise $\\sigma/\\sqrt B$.

    The bowl's noise of standard deviation 1 stands for the gradient of one example; a batch
    averages ``batch_size`` independent ones.

    Example:
        >>> round(noisy_bowl_for_batch(4).noise, 3)
        0.5
    """
    batch_size = validation.positive_integer("batch_size", batch_size)
    return NoisyBowl(curvatures=NOISY_BOWL.curvatures, start=NOISY_BOWL.start,
                     noise=NOISY_BOWL.noise / math.sqrt(batch_size), steps=steps)


@experiment(figsize=(10.0, 3.4))
def noise_and_decay(fig, batch_size=1, initial_learning_rate=0.5):
    """Left: the bowl's noise floor against a constant rate, for batches of ``batch_size``
    and of 1. Right: the expected loss over :data:`THEORY_STEPS` steps of a constant rate, a
    step decay (halving every quarter), $1/\\sqrt t$ and $1/t$ decays, all from
    ``initial_learning_rate``."""
    bowl = noisy_bowl_for_batch(batch_size)
    eta0 = validation.positive("initial_learning_rate", initial_learning_rate)
    ax_floor, ax_loss = fig.subplots(1, 2)
    rates = np.geomspace(0.005, 1.99, 200)
    single = noisy_bowl_for_batch(1)
    ax_floor.plot(rates, [single.floor(r) for r in rates], color=_GREY, linestyle="--",
                  label="batch of 1")
    ax_floor.plot(rates, [bowl.floor(r) for r in rates], color=COLORS[0],
                  label=f"batch of {bowl_batch(bowl)}")
    if eta0 < 2.0:
        ax_floor.plot([eta0], [bowl.floor(eta0)], "o", color=COLORS[1],
                      label=f"$\\eta_0$ = {eta0:g}")
    ax_floor.set(xscale="log", yscale="log", xlabel="constant rate $\\eta$ (log scale)",
                 ylabel="noise floor (log scale)")
    ax_floor.set_title(f"Noise floor, batch of {bowl_batch(bowl)}: about\n"
                       "$\\eta\\sigma^2/(4B)$ per direction at small $\\eta$", fontsize=10)
    ax_floor.legend(loc="upper left", fontsize=8)
    quarter = math.ceil(bowl.steps / 4)
    contenders = {
        f"constant {eta0:g}": eta0,
        f"step: halve every {quarter}": StepDecay(eta0, 0.5, quarter),
        "$1/\\sqrt{t}$ decay": inverse_sqrt_time(eta0),
        "$1/t$ decay": inverse_time(eta0),
    }
    for index, (label, schedule) in enumerate(contenders.items()):
        run = bowl.run(schedule)
        ax_loss.plot(run.mean_losses, color=COLORS[index], label=label)
        if run.diverged:
            annotate_diverged(ax_loss, run.diverged_at)
    if eta0 < 2.0:
        ax_loss.axhline(bowl.floor(eta0), color=_GREY, linestyle="--", linewidth=1.0,
                        label=f"floor of {eta0:g}")
    ax_loss.set(xscale="log", yscale="log", xlim=(1, bowl.steps),
                xlabel="step $t$ (log scale)", ylabel="expected loss (log scale)")
    ax_loss.set_title(f"Noisy bowl, batch of {bowl_batch(bowl)}:\n"
                      "only the decays keep falling", fontsize=10)
    ax_loss.legend(loc="lower left", fontsize=8)
    return fig


def bowl_batch(bowl):
    """The batch size a :func:`noisy_bowl_for_batch` bowl stands for."""
    return int(round((NOISY_BOWL.noise / bowl.noise) ** 2))


def noise_and_decay_controls():
    """The sliders for :func:`noise_and_decay`."""
    return {
        "batch_size": int_slider(1, 1, 64, description="batch size B"),
        "initial_learning_rate": log_slider(0.5, 0.01, 3.0, description="initial rate η₀"),
    }


# -- step decay in Keras -----------------------------------------------------------------------

def _milestones(milestones):
    if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
        raise ValueError(f"`milestones` must be a list of steps, got {milestones!r}")
    steps = [validation.positive_integer("milestones", m) for m in milestones]
    if not steps:
        raise ValueError("`milestones` must not be empty")
    if any(b <= a for a, b in zip(steps, steps[1:])):
        raise ValueError(f"`milestones` must be strictly increasing, got {steps!r}")
    return steps


def multi_step_decay(initial_learning_rate, milestones, drop_factor):
    """Drops at chosen steps, as Keras's ``PiecewiseConstantDecay``.

    The rate is ``initial_learning_rate`` until the first milestone, then multiplied by
    ``drop_factor`` at each milestone (PyTorch's ``MultiStepLR(milestones, gamma)``, counted
    in steps). A milestone is the *first step at the new rate*; Keras's boundary is the
    *last step at the old rate*, so each boundary is ``milestone - 1``.

    Args:
        initial_learning_rate: the rate before the first milestone (> 0).
        milestones: strictly increasing positive steps at which the rate drops.
        drop_factor: the factor applied at each milestone, in (0, 1].

    Returns:
        A ``keras.optimizers.schedules.PiecewiseConstantDecay``.
    """
    import keras

    initial = validation.positive("initial_learning_rate", initial_learning_rate)
    steps = _milestones(milestones)
    factor = validation.real("drop_factor", drop_factor, low=0.0, high=1.0, low_open=True)
    # Rounded to 12 significant digits, so that 1.0 * 0.1**2 prints as 0.01.
    values = [float(f"{initial * factor**i:.12g}") for i in range(len(steps) + 1)]
    return keras.optimizers.schedules.PiecewiseConstantDecay([m - 1 for m in steps], values)


def piecewise_step_decay(initial_learning_rate, drop_factor, drop_every, total_steps):
    """:class:`lrlib.schedules.StepDecay` over a budget, as Keras's ``PiecewiseConstantDecay``.

    The drops happen at steps ``drop_every, 2 * drop_every, ...`` below ``total_steps``, so
    the two schedules agree on every step of the budget. (After the budget the Keras version
    stays at its last value while :class:`~lrlib.schedules.StepDecay` keeps dropping.)

    Example:
        >>> from lrlib.course.step_decay import piecewise_step_decay
        >>> piecewise_step_decay(0.3, 0.5, drop_every=100, total_steps=430).boundaries
        [99, 199, 299, 399]
    """
    every = validation.positive_integer("drop_every", drop_every)
    total = validation.positive_integer("total_steps", total_steps)
    if every >= total:
        raise ValueError(f"`drop_every` ({every}) must be < `total_steps` ({total}): "
                         "no drop would happen within the budget")
    milestones = list(range(every, total, every))
    return multi_step_decay(initial_learning_rate, milestones, drop_factor)


@dataclasses.dataclass(frozen=True)
class EpochStepDecay:
    """Step decay counted in epochs, for Keras's ``LearningRateScheduler`` callback.

    ``keras.callbacks.LearningRateScheduler(EpochStepDecay(0.3, 0.5, every_epochs=2))``
    sets the rate at the start of each epoch to
    $\\eta_0 f^{\\lfloor \\text{epoch} / e \\rfloor}$. The callback calls it as
    ``schedule(epoch, current_rate)``; the result depends on the epoch only, so resuming
    training at any epoch gives the right rate. With ``steps_per_epoch`` optimizer steps
    per epoch it is the per-step :class:`lrlib.schedules.StepDecay` of :meth:`in_steps`.

    Example:
        >>> from lrlib.course.step_decay import EpochStepDecay
        >>> schedule = EpochStepDecay(0.3, drop_factor=0.5, every_epochs=2)
        >>> [schedule(epoch, 0.3) for epoch in range(5)]
        [0.3, 0.3, 0.15, 0.15, 0.075]
        >>> schedule.in_steps(steps_per_epoch=43)
        StepDecay(initial_learning_rate=0.3, drop_factor=0.5, drop_every=86)
    """

    initial_learning_rate: float
    drop_factor: float
    every_epochs: int

    def __post_init__(self):
        validation.positive("initial_learning_rate", self.initial_learning_rate)
        validation.real("drop_factor", self.drop_factor, low=0.0, high=1.0, low_open=True)
        validation.positive_integer("every_epochs", self.every_epochs)

    def __call__(self, epoch, learning_rate=None):
        epoch = validation.integer("epoch", epoch, low=0)
        return float(self.initial_learning_rate
                     * self.drop_factor ** (epoch // self.every_epochs))

    def in_steps(self, steps_per_epoch):
        """The per-step :class:`lrlib.schedules.StepDecay` that gives the same rates."""
        steps_per_epoch = validation.positive_integer("steps_per_epoch", steps_per_epoch)
        return StepDecay(self.initial_learning_rate, self.drop_factor,
                         self.every_epochs * steps_per_epoch)


# -- one drop against the same run without it (the counterfactual) -----------------------------

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

    Example:
        >>> from types import SimpleNamespace as Run
        >>> from lrlib.course.step_decay import first_difference
        >>> first_difference(Run(losses=[2.0, 1.0, 0.5]), Run(losses=[2.0, 1.0, 0.8]))
        2
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

    Example:
        >>> from types import SimpleNamespace as Run
        >>> from lrlib.course.step_decay import paired_loss_ratio
        >>> schedule = Run(losses=[2.0, 1.0, 0.5, 0.4])
        >>> constant = Run(losses=[2.0, 1.0, 0.8, 0.8])
        >>> round(paired_loss_ratio(schedule, constant, 2, 4), 3)
        0.559
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


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

# Exercise step-decay-ex-boundaries: MultiStepLR(milestones=[150, 300], gamma=0.1) from 0.3.
_MILESTONES = (150, 300)
_VALUES = (0.3, 0.03, 0.003)


def _reference_multistep(step):
    return _VALUES[sum(step >= m for m in _MILESTONES)]


def _numbers(value, name):
    """``value`` as a list of floats, or a Result saying what is wrong."""
    if value is Ellipsis:
        return _PLACEHOLDER
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return Result(False, f"`{name}` must be a list of numbers, got {value!r}.")
    try:
        return [float(v) for v in value]
    except (TypeError, ValueError):
        return Result(False, f"`{name}` must be a list of numbers, got {value!r}.")


def check_multistep_boundaries(boundaries, values):
    """Exercise step-decay-ex-boundaries: ``PiecewiseConstantDecay(boundaries, values)`` equal to
    PyTorch's ``MultiStepLR(milestones=[150, 300], gamma=0.1)`` from 0.3, counted in steps."""
    import keras

    bounds = _numbers(boundaries, "boundaries")
    if isinstance(bounds, Result):
        return bounds
    vals = _numbers(values, "values")
    if isinstance(vals, Result):
        return vals
    if len(vals) != len(bounds) + 1:
        return Result(False, f"`values` needs one more entry than `boundaries` (one rate per "
                             f"interval): you gave {len(bounds)} boundaries and {len(vals)} "
                             "values.")
    try:
        schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
            [int(b) if float(b).is_integer() else b for b in bounds], vals)
    except Exception as error:  # the learner's lists: report, do not crash
        return Result(False, f"Keras refused these lists: {error}")
    from lrlib.course.check import record_answer

    record_answer("boundaries and values", "[149, 299] and [0.3, 0.03, 0.003]",
                  [149, 299, 0.03, 0.003])
    steps = [0, 148, 149, 150, 151, 298, 299, 300, 301, 429]
    got = evaluate(schedule, steps)
    for step, value in zip(steps, got):
        want = _reference_multistep(step)
        if not math.isclose(value, want, rel_tol=1e-5):
            if [round(b) for b in bounds] == list(_MILESTONES):
                return Result(False, f"at step {step} your schedule gives {value:.4g}, "
                                     "not MultiStepLR's rate. Keras keeps values[i] while "
                                     "step <= boundaries[i]: a boundary is the *last* step at "
                                     "the old rate, one less than the milestone.")
            return Result(False, f"at step {step} your schedule gives {value:.4g}, "
                                 f"which is too {'large' if value > want else 'small'}.")
    return Result(True, "boundaries [149, 299] with values [0.3, 0.03, 0.003]: the rate is "
                        "0.3 up to step 149 and 0.03 from step 150, as MultiStepLR's "
                        "milestones say.")


def _reference_epoch(epoch):
    return 0.3 * 0.5 ** (epoch // 3)


def _call_like_keras(function, epoch, rate):
    """Call a ``LearningRateScheduler`` function as Keras 3 does: ``function(epoch, rate)``,
    falling back to the old one-argument form ``function(epoch)`` on a TypeError."""
    try:
        return function(epoch, rate)
    except TypeError:
        return function(epoch)


def check_epoch_function(function):
    """Exercise step-decay-ex-epochs: a ``LearningRateScheduler`` function that starts at 0.3
    and halves every 3 epochs (epochs counted from 0, as Keras does)."""
    if function is Ellipsis:
        return _PLACEHOLDER
    if not callable(function):
        return Result(False, f"give a function of (epoch, learning_rate), got {function!r}.")
    from lrlib.course.check import record_answer

    record_answer("the function", "`lambda epoch, learning_rate: 0.3 * 0.5 ** (epoch // 3)`")
    rate = 0.3  # what Keras would pass: the optimizer's current rate
    for epoch in range(12):
        try:
            got = _call_like_keras(function, epoch, rate)
        except Exception as error:
            return Result(False, f"your function raised {type(error).__name__}: {error} "
                                 f"at epoch {epoch}.")
        if not isinstance(got, (float, np.floating)):
            return Result(False, f"at epoch {epoch} your function returned {got!r}; Keras's "
                                 "callback needs a Python float.")
        want = _reference_epoch(epoch)
        if not math.isclose(got, want, rel_tol=1e-6):
            late = math.isclose(got, 0.3 * 0.5 ** ((epoch + 1) // 3), rel_tol=1e-6)
            hint = (" Epochs count from 0: the first drop is at the start of epoch 3."
                    if late else "")
            return Result(False, f"at epoch {epoch} your function gives {got:.4g}, which "
                                 f"is too {'large' if got > want else 'small'}.{hint}")
        rate = got
    # Does it depend on the rate it is given (state), or on the epoch only?
    try:
        resumed = _call_like_keras(function, 7, 0.3)
    except Exception:
        resumed = None
    if not (isinstance(resumed, (float, np.floating)) and math.isclose(resumed, _reference_epoch(7),
                                                        rel_tol=1e-6)):
        return Result(True, "right in one uninterrupted fit. But your function depends on the "
                            "rate it is handed: resume training at epoch 7 with a fresh "
                            "optimizer and it gives the wrong rate. A function of the epoch "
                            "alone is safer.")
    return Result(True, "0.3 for epochs 0-2, 0.15 for 3-5, 0.075 for 6-8, and it depends on "
                        "the epoch alone, so resuming training gives the right rate too.")


def check_drop_every_steps(answer):
    """Exercise step-decay-ex-epochs: ``drop_every`` (in steps) of the equivalent StepDecay,
    with 43 steps per epoch."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    result = check_number(answer, 3 * 43, name="drop_every", rtol=0, atol=0.5, low=1,
                          allowed="at least one step")
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 3):
        return Result(False, "3 is the interval in epochs; StepDecay counts optimizer steps "
                             "(batches): multiply by the steps per epoch.")
    return result


def check_same_half_life_factor(answer):
    """Exercise step-decay-ex-half-life: the drop factor every 25 steps with the same
    half-life (and the same rate at every multiple of 100 steps) as x0.1 every 100 steps."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 0.1 ** (25 / 100)
    result = check_number(answer, expected, name="the drop factor", rtol=2e-3, low=0, high=1,
                          allowed="a drop factor is between 0 and 1")
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 0.025):
        return Result(False, "0.1 / 4 = 0.025 divides the factor; but four drops of f "
                             "multiply the rate by f**4, which must equal 0.1.")
    return result


def check_noise_answer(shrinks_with_loss):
    """Exercise step-decay-ex-noise: at a rate of 1.0 too, does the minibatch noise shrink in
    step with the training loss (``True``) or stay at a fixed size (``False``)? The chapter
    asserts the measurement (by more than a thousandfold over the run)."""
    from lrlib.course.check import record_answer, record_hints

    if shrinks_with_loss is Ellipsis:
        return _PLACEHOLDER
    record_answer("the answer", "True: at 1.0 the noise falls by more than a thousandfold "
                  "over the run, faster than the training loss")
    if not isinstance(shrinks_with_loss, (bool, np.bool_)):
        return Result(False, "answer True (the noise shrinks with the loss) or False (it "
                             f"keeps a fixed size), got {shrinks_with_loss!r}.")
    if shrinks_with_loss:
        return Result(True, "at 1.0 the noise falls even further than at 0.3, by more than a "
                            "thousandfold, and faster than the training loss. This network "
                            "fits its training set, so the noise has no fixed size and sets "
                            "no fixed floor.")
    record_hints("the noise at 0.3 (the baseline's records above) fell with the loss; a "
                 "larger rate fits the training set further in the same 430 steps.",
                 "the noise is measured around the full-batch gradient: where every example "
                 "is fitted, every example's gradient is small, and so is their spread.")
    return Result(False, "not what the records say: compare the noise E|g_B − g|² of the first "
                         "and the last epoch, and the training loss of both. Does the noise "
                         "keep one size while the loss falls?")


_MOVED_DROP_STEPS = (43, 258)


def check_moved_drop_answer(answer):
    """Exercise step-decay-ex-moved-drop: which single halving (at step ``43`` or ``258``)
    leaves the run ahead of constant 1.0 over the last epoch? ``None`` if neither (the
    chapter asserts the ratios: about 2.6 and 1.2, both above 1)."""
    from lrlib.course.check import record_answer, record_hints

    if answer is Ellipsis:
        return _PLACEHOLDER
    record_answer("the answer", "None: neither halving ends ahead of constant 1.0 (both "
                  "last-epoch ratios are above 1)")
    neither = answer is None or (isinstance(answer, str)
                                 and answer.strip().lower() in ("none", "neither"))
    if neither:
        return Result(True, "neither: both halvings help for a few steps after the drop and "
                            "leave the run behind the constant rate over the last epoch. "
                            "Here the loss is limited by progress, and any drop costs it.")
    value = None if isinstance(answer, (bool, str)) else _as_number(answer)
    if value not in _MOVED_DROP_STEPS:
        return Result(False, f"answer 43, 258 or None (neither), got {answer!r}.")
    record_hints("a paired loss ratio below 1 means the run with the drop has the lower "
                 "loss; 'ahead at the end' is about the last epoch only, not the epoch after "
                 "the drop.",
                 "read both drops' last-epoch ratios, not only the one you chose, and "
                 "answer from the two together.")
    return Result(False, f"look again at the last-epoch ratio of the drop at {value:g}: is "
                         "it below 1? A ratio above 1 means the run with the drop ends higher "
                         "than constant 1.0.")


def _as_number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
