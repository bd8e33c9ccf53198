"""The companion of the chapter "The learning rate" (``chapters/intro``): its code, in one place.

- **Draw functions**: :func:`three_roles` draws the three roles of the learning rate side by
  side, for one rate (with :func:`three_roles_controls`, its slider):

  1. *Convergence*: gradient descent on a bowl of curvature $\\lambda$ converges only for
     $\\eta < 2/\\lambda$.
  2. *Final quality*: with noisy gradients (the SGD picture) the loss does not reach zero but
     hovers at a floor that grows with $\\eta$: on $\\tfrac12 \\lambda x^2$ with noise of standard
     deviation $\\sigma$ the stationary mean loss is $\\eta \\sigma^2 / (2 (2 - \\eta\\lambda))$.
  3. *Escaping local minima*: in the double well, a small rate settles in the sharp minimum
     where it starts; a larger one cannot, and ends in the wide, deep one.

- **Checkers** of the chapter's exercises (``check_*``): :func:`check_stability_limit`,
  :func:`check_steps_to_one_percent`, :func:`check_staircase_schedule`.
- **Helpers**: :data:`ROLES_SETUP` (the fixed settings the chapter quotes) and
  :func:`settled_minimum` (which minimum a run settled in).

Example:
    >>> from lrlib.course import intro
    >>> print(intro.check_stability_limit(0.16))
    Correct. the stability limit: 0.16 matches 0.16.
"""

import math

import numpy as np

from lrlib import validation
from lrlib.course import basins
from lrlib.course.check import Result, check_number, check_schedule
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import DoubleWell, Quadratic
from lrlib.course.noise import noise_floor
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape, plot_trajectory
from lrlib.course.widgets.core import experiment, log_slider

__all__ = [
    "three_roles",
    "three_roles_controls",
    "ROLES_SETUP",
    "settled_minimum",
    "check_stability_limit",
    "check_steps_to_one_percent",
    "check_staircase_schedule",
]


# -- the three roles: setup and helper ------------------------------------------------------

#: The fixed settings of the experiment (the chapter quotes them).
ROLES_SETUP = {
    "bowl_curvature": 8.0,
    "bowl_start": 2.0,
    "bowl_steps": 40,
    "noise": 1.0,
    "noise_steps": 400,
    "well_start": -1.3,
    "well_steps": 300,
}


def settled_minimum(landscape, trajectory, last=20, tolerance=0.05):
    """Index of the minimum the run settled in, or -1 (bounces, travels or diverged).

    The settling rule is :func:`lrlib.course.basins.outcome`'s.
    """
    found = basins.outcome(landscape, trajectory, last=last, tolerance=tolerance)
    return found if found >= 0 else -1


# -- draw function and its controls ---------------------------------------------------------

@experiment(figsize=(10.5, 3.3))
def three_roles(fig, learning_rate=0.1):
    """Draw the three panels for one ``learning_rate``."""
    eta = validation.positive("learning_rate", learning_rate)
    s = ROLES_SETUP
    ax_bowl, ax_noise, ax_well = fig.subplots(1, 3)

    bowl = Quadratic(curvatures=(s["bowl_curvature"],))
    run = gradient_descent(bowl, [s["bowl_start"]], eta, s["bowl_steps"])
    ax_bowl.plot(np.arange(len(run.losses)), run.losses, "o-", markersize=3,
                 color=PALETTE["blue"])
    ax_bowl.set_yscale("log")
    ax_bowl.set_ylim(bottom=max(1e-12, float(run.losses.min()) / 2))
    ax_bowl.set_xlim(0, s["bowl_steps"])
    ax_bowl.set_xlabel("step $t$")
    ax_bowl.set_ylabel("loss (log scale)")
    limit = bowl.stability_limit
    verdict = "converges" if eta < limit else "diverges"
    ax_bowl.set_title(f"1. Convergence: {verdict}\n"
                      f"bowl λ={s['bowl_curvature']:g}, limit 2/λ={limit:g}",
                      fontsize=10)
    if run.diverged:
        annotate_diverged(ax_bowl, run.diverged_at, where=(0.5, 0.25))

    noisy = Quadratic(curvatures=(1.0,))
    run = gradient_descent(noisy, [s["bowl_start"]], eta, s["noise_steps"],
                           noise=s["noise"], seed=0)
    window = 20
    smooth = np.convolve(run.losses, np.ones(window) / window, mode="valid")
    ax_noise.plot(np.arange(len(run.losses)), run.losses, color=PALETTE["green"],
                  linewidth=0.6, alpha=0.35)
    ax_noise.plot(np.arange(window - 1, len(run.losses)), smooth, color=PALETTE["green"],
                  label=f"mean of {window} steps")
    floor = noise_floor(eta, 1.0, s["noise"])
    if np.isfinite(floor):
        ax_noise.axhline(floor, color=PALETTE["black"], linestyle="--", linewidth=1.2,
                         label=f"floor {floor:.2g}")
    ax_noise.legend(loc="upper right")
    ax_noise.set_yscale("log")
    ax_noise.set_ylim(1e-4, 10.0)
    ax_noise.set_xlabel("step $t$")
    ax_noise.set_ylabel("loss (log scale)")
    ax_noise.set_title(f"2. Final quality: floor {floor:.2g}\n"
                       f"bowl λ=1, gradient noise σ={s['noise']:g}", fontsize=10)
    if run.diverged:
        annotate_diverged(ax_noise, run.diverged_at)

    well = DoubleWell()
    run = gradient_descent(well, [s["well_start"]], eta, s["well_steps"])
    plot_landscape(ax_well, well)
    plot_trajectory(ax_well, well, run, color=PALETTE["vermillion"])
    ending = {0: "ends in the wide minimum", 1: "stays in the sharp one"}.get(
        settled_minimum(well, run), "never settles")
    ax_well.set_title(f"3. Local minima\nfrom x₀={s['well_start']:g}: {ending}",
                      fontsize=10)
    # Plain Unicode, not mathtext, in text that changes with the slider: mathtext is parsed
    # anew for every new string and would dominate the redraw time.
    fig.suptitle(f"One learning rate, three roles: η = {eta:.3g}", fontweight="bold")
    return fig


def three_roles_controls():
    """The slider for :func:`three_roles`."""
    return {"learning_rate": log_slider(0.1, 1e-3, 1.0, description="learning rate η")}


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def check_stability_limit(answer):
    """Exercise intro-ex-limit: the stability limit (the supremum of the convergent rates, not
    itself a convergent rate) on a bowl of curvature 12.5: 2/12.5 = 0.16."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    result = check_number(answer, 2 / 12.5, name="the stability limit", rtol=1e-3,
                          low=0, allowed="a learning rate is positive")
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 1 / 12.5):
        return Result(False, "1/λ = 0.08 is the *fastest* rate (one step to the bottom), not "
                             "the limit below which it converges.")
    return result


def check_steps_to_one_percent(answer):
    """Exercise intro-ex-half-life: steps until ExponentialDecay(0.05, 500, 0.5) is at 1%."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 500 * math.log(100) / math.log(2)
    return check_number(answer, expected, name="the number of steps", rtol=0.005,
                          low=0, allowed="a number of steps",
                          hints=["write the rate after t steps as 0.05 · 0.5 ** (t / 500) and "
                                 "solve for the t where it is 1% of 0.05; logarithms help."])


def check_staircase_schedule(my_schedule):
    """Exercise intro-ex-staircase: ExponentialDecay(0.1, 100, 0.96, staircase=True)."""

    def reference(step):
        return 0.1 * 0.96 ** (step // 100)

    steps = [0, 1, 99, 100, 101, 250, 999, 1000, 5000]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule")
    if not result:
        smooth = all(
            math.isclose(_safe(my_schedule, s), 0.1 * 0.96 ** (s / 100), rel_tol=1e-6)
            for s in steps
        )
        if smooth:
            return Result(False, result.message + " Your function decays smoothly; staircase "
                                 "means the exponent is a whole number, step // 100.")
    return result


def _safe(function, step):
    try:
        return float(function(step))
    except Exception:
        return math.nan
