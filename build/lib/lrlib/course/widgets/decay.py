"""The experiments of the decay chapters, on the noisy bowl of :mod:`lrlib.course.decay`.

- :func:`step_decay_explorer`: a step decay (drop factor, drop interval, initial rate) and
  what it does to the expected loss, against the best constant rate.
- :func:`exponential_explorer`: an exponential decay (initial rate, decay rate, decay
  steps, staircase) with its half-life, and what it does to the same loss.
- :func:`what_a_drop_does`: one step decay, the loss split into the steep and the flat
  direction, with the noise floor of each level.
- :func:`half_life_collapse`: final loss against half-life for many step decays and for
  exponential decay: the half-life, more than the shape, sets the result.
"""

import math

import numpy as np

from lrlib import validation
from lrlib.course.decay import exponential_half_life
from lrlib.course.noise import NOISY_BOWL
from lrlib.course.plots import COLORS, PALETTE, annotate_diverged
from lrlib.schedules import ExponentialDecay, StepDecay, evaluate
from lrlib.course.widgets.core import checkbox, experiment, int_slider, log_slider, slider

__all__ = [
    "step_decay_explorer",
    "step_decay_controls",
    "exponential_explorer",
    "exponential_controls",
    "what_a_drop_does",
    "half_life_collapse",
    "describe_steps",
]

_GREY = "0.45"


def describe_steps(steps, steps_per_epoch=43):
    """A number of steps in words, with epochs: "65 steps (1.5 epochs)", "never"."""
    if math.isinf(steps):
        return "never"
    epochs = steps / steps_per_epoch
    return f"{steps:,.0f} steps ({epochs:.2g} epochs)" if epochs < 100 else f"{steps:,.0f} steps"


def _loss_panel(ax, run, bowl, label, color=COLORS[0], marks=()):
    """Expected loss of ``run`` and of the best constant rate, log scale."""
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


def _rate_panel(ax, steps, rates, log=True):
    ax.plot(steps, rates, color=COLORS[0])
    ax.set_xlim(0, steps[-1] + 1)
    ax.set_xlabel("step $t$")
    if log:
        ax.set_yscale("log")
        # Show at most six decades: a rate a million times below the start is zero in effect.
        ax.set_ylim(max(0.7 * rates.min(), 1e-6 * rates.max()), 1.5 * rates.max())
    ax.set_ylabel("learning rate $\\eta_t$" + (" (log scale)" if log else ""))
    return ax


@experiment(figsize=(9.0, 3.0))
def step_decay_explorer(fig, drop_factor=0.5, drop_every=50, initial_learning_rate=1.0):
    """Left: the step decay over the bowl's budget (log scale), with its exponential
    envelope. Right: the expected loss on :data:`lrlib.course.noise.NOISY_BOWL`."""
    schedule = StepDecay(initial_learning_rate, drop_factor, drop_every)
    bowl = NOISY_BOWL
    t = np.arange(bowl.steps)
    ax_rate, ax_loss = fig.subplots(1, 2)
    _rate_panel(ax_rate, t, evaluate(schedule, t))
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
    _loss_panel(ax_loss, bowl.run(schedule), bowl, "step decay", marks=marks)
    return fig


def step_decay_controls():
    """The sliders for :func:`step_decay_explorer`."""
    return {
        "drop_factor": slider(0.5, 0.05, 0.95, step=0.05, description="drop factor f"),
        "drop_every": int_slider(50, 10, 420, step=10, description="drop every s steps"),
        "initial_learning_rate": log_slider(1.0, 0.03, 3.0, description="initial rate η₀"),
    }


@experiment(figsize=(9.0, 3.0))
def exponential_explorer(fig, initial_learning_rate=1.0, decay_rate=0.01, decay_steps=430,
                         staircase=False):
    """Left: the exponential decay (linear scale) with its half-life marked. Right: the
    expected loss on :data:`lrlib.course.noise.NOISY_BOWL`."""
    schedule = ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
                                staircase=staircase)
    bowl = NOISY_BOWL
    t = np.arange(bowl.steps)
    rates = evaluate(schedule, t)
    ax_rate, ax_loss = fig.subplots(1, 2)
    _rate_panel(ax_rate, t, rates, log=False)
    eta0 = schedule.initial_learning_rate
    ax_rate.set_ylim(0.0, 1.08 * eta0)
    half_life = schedule.half_life
    halved = np.flatnonzero(rates <= 0.5 * eta0)
    if halved.size:  # where the rate is first at or below half (staircase: at a jump)
        step = int(halved[0])
        ax_rate.plot([0, step], [0.5 * eta0] * 2, color=COLORS[1], linestyle=":",
                     linewidth=1.2)
        ax_rate.plot([step, step], [0, 0.5 * eta0], color=COLORS[1], linestyle=":",
                     linewidth=1.2)
        ax_rate.plot([step], [0.5 * eta0], "o", color=COLORS[1], markersize=5)
    form = "Staircase" if schedule.staircase else "Smooth"
    life = f"half-life {describe_steps(half_life)}"
    if schedule.staircase and halved.size:
        life = f"half-life {half_life:,.0f} (envelope), halved at step {int(halved[0])}"
    ax_rate.set_title(f"{form}: $\\eta_0$ = {eta0:.3g}, r = {schedule.decay_rate:.3g} "
                      f"per {schedule.decay_steps} steps\n{life}", fontsize=10)
    _loss_panel(ax_loss, bowl.run(schedule), bowl, "exponential decay")
    return fig


def exponential_controls():
    """The controls for :func:`exponential_explorer`."""
    return {
        "initial_learning_rate": log_slider(1.0, 0.03, 3.0, description="initial rate η₀"),
        "decay_rate": log_slider(0.01, 1e-4, 1.0, description="decay rate r"),
        "decay_steps": int_slider(430, 10, 860, step=10, description="decay steps T"),
        "staircase": checkbox(False, description="staircase"),
    }


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
        floors = [float(eta) * bowl.noise**2 / (2.0 * (2.0 - float(eta) * lam))
                  for eta in evaluate(schedule, t)]
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
