"""The companion of the chapter "Annealing": everything its code cells call.

Cosine annealing lowers the rate along half a cosine,
$\\eta_t = \\eta_{min} + \\tfrac12(\\eta_0 - \\eta_{min})(1 + \\cos(\\pi t/T))$
(:class:`lrlib.schedules.CosineAnnealing`, made of :func:`lrlib.schedules.cosine_anneal`);
warm restarts (SGDR) start it again and again (:class:`lrlib.schedules.WarmRestarts`). This
module holds, in the chapter's order:

- **Cooling a noisy double well**: :func:`cooling` runs many noisy runs on the double well,
  all started in its sharp minimum, under one of three ways to lower the rate (the
  "temperature"): never (``"hot"``), fast (``"quench"``) or slowly over the whole budget
  (``"anneal"``). Where the runs end (:func:`final_basins`) shows what Kirkpatrick et al.
  (1983) found for simulated annealing: cool slowly.
- **The shape does not decide, the time at a high rate does**: :func:`cooling_shape` runs
  the same noisy runs under other ways of going from the same rate to almost 0 in the same
  budget (:data:`COOLING_SHAPES`: linear, quadratic, exponential to 1%, step decays with late
  or early drops, ...); :func:`shape_table` gives, per shape, the share ending in the wide
  minimum next to the mean rate and the steps spent above half the peak.
- **Warm restarts**: :func:`warm_restarts` runs SGDR on the double well, with the decay
  length, the floor and the cycle multiplier as controls. A run that reaches the sharp
  minimum late, when the rate is already low, is trapped there under plain cosine
  annealing; a restart raises the rate again and throws it out.
- **Checkers** of the chapter's exercises (``check_*``); the one asking for the 95% interval
  of a paired difference over seeds compares with the course's one definition of it,
  :func:`lrlib.course.stats.paired_difference`.

Example:
    >>> from lrlib.course.annealing import cooling_schedule
    >>> cooling_schedule("quench")
    CosineAnnealing(initial_learning_rate=0.04, decay_steps=100, minimum_learning_rate=0.0)
"""

import math

import numpy as np

from lrlib import validation
from lrlib.course.basins import basin_shares, plot_shares, settled_minima
from lrlib.course.check import (Result, _as_float, check_number, check_schedule,
                                tolerance_text)
from lrlib.course.descent import descend_many
from lrlib.course.landscapes import DoubleWell
from lrlib.course.plots import PALETTE, annotate_diverged, plot_landscape
from lrlib.course.widgets.core import dropdown, experiment, int_slider, slider
from lrlib.schedules import CosineAnnealing, WarmRestarts, evaluate

__all__ = [
    # cooling a noisy double well
    "COOLING_SETUP",
    "COOLINGS",
    "cooling_schedule",
    "cooling_runs",
    "final_basins",
    "cooling",
    # the shape of the cooling
    "COOLING_SHAPES",
    "shape_rates",
    "shape_runs",
    "shape_table",
    "cooling_shape",
    "cooling_shape_controls",
    # warm restarts
    "RESTART_SETUP",
    "restart_schedule",
    "restart_runs",
    "warm_restarts",
    "warm_restarts_controls",
    # checkers
    "check_quarter_way",
    "check_second_restart",
    "check_warm_restarts",
    "check_forbidding_floor",
    "check_paired_verdict",
]


# -- cooling a noisy double well ---------------------------------------------------------------

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


def final_basins(well, runs, radius=0.3):
    """``(wide, sharp)``: the shares of ``runs`` ending within ``radius`` of each minimum.

    ``well`` is a :class:`lrlib.course.landscapes.DoubleWell`, ``runs`` an
    :class:`~lrlib.course.descent.Ensemble` on it. Runs in between (still moving) count in
    neither share.

    Example:
        >>> from lrlib.course.annealing import cooling_runs, final_basins
        >>> from lrlib.course.landscapes import DoubleWell
        >>> [round(share, 2) for share in final_basins(DoubleWell(), cooling_runs("anneal"))]
        [0.6, 0.23]
    """
    final = runs.final_points[:, 0]
    wide = float(np.mean(np.abs(final - well.wide_minimum[0]) < radius))
    sharp = float(np.mean(np.abs(final - well.sharp_minimum[0]) < radius))
    return wide, sharp


@experiment(figsize=(3.5, 3.2))
def cooling(fig, kind="anneal", noise=None):
    """Where noisy runs started in the sharp minimum end, for one way of cooling."""
    well = DoubleWell()
    runs = cooling_runs(kind, noise=noise)
    _plot_ends(fig.subplots(), well, runs, _COOLING_LABELS[kind])
    return fig


def _plot_ends(ax, well, runs, label):
    """The double well with a histogram of where ``runs`` end, titled with the shares."""
    plot_landscape(ax, well)
    ax.set_ylim(-1.6, 0.6)
    final = runs.final_points[:, 0]
    final = final[np.isfinite(final)]
    bins = np.linspace(*well.bounds[0], 81)
    counts, edges = np.histogram(final, bins=bins)
    height = 1.0 * counts / max(1, counts.max())
    ax.bar(edges[:-1], height, width=np.diff(edges), bottom=-1.6, align="edge",
           color=PALETTE["blue"], alpha=0.6, label="where runs end")
    wide, sharp = final_basins(well, runs)
    mean_loss = float(np.mean(runs.final_losses))
    ax.set_title(f"{label}\nwide {wide:.0%}, sharp {sharp:.0%}, "
                 f"mean loss {mean_loss:.2f}", fontsize=9)
    ax.legend(loc="upper center", fontsize=8)
    if runs.diverged.any():
        annotate_diverged(ax, int(runs.diverged_at[runs.diverged].min()))


# -- the shape of the cooling ------------------------------------------------------------------

#: Ways of going from the cooling rate to (almost) 0 in the same budget, for
#: :func:`cooling_shape`. The first two are :data:`COOLINGS`' hot and quench; ``"cosine"`` is
#: its anneal.
COOLING_SHAPES = (
    "hot",
    "quench",
    "cosine",
    "linear",
    "quadratic",
    "exponential to 1%",
    "step ÷10 at 50% and 75%",
    "step ÷2 every quarter",
    "step ÷10 at 10% and 30%",
)


def shape_rates(shape, learning_rate=None, steps=None):
    """The rates, one per step, of one way of cooling in :data:`COOLING_SHAPES`.

    Example:
        >>> from lrlib.course.annealing import shape_rates
        >>> r = shape_rates("step ÷10 at 50% and 75%")
        >>> [float(round(r[t], 4)) for t in (0, 499, 500, 750)]
        [0.04, 0.04, 0.004, 0.0004]
    """
    shape = validation.choice("shape", shape, COOLING_SHAPES)
    s = COOLING_SETUP
    eta = s["learning_rate"] if learning_rate is None else validation.positive(
        "learning_rate", learning_rate)
    steps = s["steps"] if steps is None else validation.integer("steps", steps, low=20)
    t = np.arange(steps)
    if shape in ("hot", "quench", "cosine"):
        kind = "anneal" if shape == "cosine" else shape
        return evaluate(cooling_schedule(kind, eta, steps), t) * np.ones(steps)
    left = 1.0 - t / steps
    if shape == "linear":
        return eta * left
    if shape == "quadratic":
        return eta * left**2
    if shape == "exponential to 1%":
        return eta * 0.01 ** (t / steps)
    if shape == "step ÷2 every quarter":
        return eta * 0.5 ** (t // (steps // 4))
    first, second = (0.5, 0.75) if shape == "step ÷10 at 50% and 75%" else (0.1, 0.3)
    return eta * np.where(t < first * steps, 1.0, np.where(t < second * steps, 0.1, 0.01))


def shape_runs(shape, seed=None):
    """The noisy runs of :func:`cooling_runs` under one shape of :data:`COOLING_SHAPES`."""
    s = COOLING_SETUP
    seed = s["seed"] if seed is None else validation.integer("seed", seed, low=0)
    starts = np.full((s["runs"], 1), s["start"])
    return descend_many(DoubleWell(), starts, shape_rates(shape), s["steps"], noise=s["noise"],
                        seed=seed)


def shape_table(shapes=COOLING_SHAPES, seeds=(0, 1, 2)):
    """Per shape: its mean rate and steps above half the peak, and where the runs end.

    Returns a dict ``{shape: row}``; each row has ``mean_rate`` (as a fraction of the peak),
    ``hot_steps`` (steps at or above half the peak), ``wide`` and ``sharp`` (the shares per
    seed, as :func:`final_basins` counts them) and their means ``wide_mean``, ``sharp_mean``.
    """
    eta = COOLING_SETUP["learning_rate"]
    well = DoubleWell()
    table = {}
    for shape in shapes:
        rates = shape_rates(shape)
        ends = [final_basins(well, shape_runs(shape, seed)) for seed in seeds]
        wide, sharp = [e[0] for e in ends], [e[1] for e in ends]
        table[shape] = {"mean_rate": float(rates.mean() / eta),
                        "hot_steps": int(np.sum(rates >= eta / 2)),
                        "wide": wide, "sharp": sharp,
                        "wide_mean": float(np.mean(wide)), "sharp_mean": float(np.mean(sharp))}
    return table


@experiment(figsize=(8.0, 3.2))
def cooling_shape(fig, shape="step ÷10 at 50% and 75%", seed=0):
    """One way of cooling from 0.04 in 1,000 steps: its rates, and where the noisy runs end."""
    well = DoubleWell()
    eta = COOLING_SETUP["learning_rate"]
    rates = shape_rates(shape)
    runs = shape_runs(shape, seed)
    ax_rate, ax_ends = fig.subplots(1, 2, width_ratios=[1.0, 1.0])
    ax_rate.plot(np.arange(len(rates)), rates, color=PALETTE["blue"], label=shape)
    ax_rate.axhline(eta / 2, color=PALETTE["vermillion"], linestyle="--", linewidth=1.2,
                    label="half the peak")
    ax_rate.set_ylim(0.0, 1.15 * eta)
    ax_rate.set_xlabel("step $t$")
    ax_rate.set_ylabel("learning rate $\\eta_t$")
    ax_rate.set_title(f"{shape}\n{int(np.sum(rates >= eta / 2))} steps above half the peak; "
                      f"mean {rates.mean() / eta:.2f}·peak", fontsize=9)
    ax_rate.legend(loc="upper right", fontsize=8)
    _plot_ends(ax_ends, well, runs, f"where the runs end (noise seed {seed})")
    return fig


def cooling_shape_controls():
    """The controls of :func:`cooling_shape`: the shape and the noise seed."""
    return {"shape": dropdown(COOLING_SHAPES, value="step ÷10 at 50% and 75%",
                              description="cooling"),
            "seed": int_slider(0, 0, 4, description="noise seed")}


# -- warm restarts -----------------------------------------------------------------------------

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


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def check_quarter_way(cosine, linear):
    """Exercise annealing-ex-quarter: the fraction of eta_0 left at t = T/4 (floor 0)."""
    if cosine is Ellipsis or linear is Ellipsis:
        return _PLACEHOLDER
    expected_cosine = 0.5 * (1 + math.cos(math.pi / 4))
    value = _as_float(cosine)
    if value is not None and math.isclose(value, math.cos(math.pi / 4), rel_tol=1e-3):
        return Result(False, "cosine: cos(π/4) ≈ 0.707 is the cosine itself; the schedule is "
                             "½(1 + cos(π t/T)), which starts at 1 and ends at 0.")
    result = check_number(cosine, expected_cosine, name="cosine", rtol=0.005, low=0, high=1,
                          allowed="a fraction of η₀")
    if not result:
        return result
    result = check_number(linear, 0.75, name="linear", rtol=0.005, low=0, high=1,
                          allowed="a fraction of η₀")
    if not result:
        return result
    return Result(True, f"cosine keeps {expected_cosine:.3f} of η₀ a quarter of the way in, "
                        "linear 0.75: cosine annealing is gentler at first.")


def check_second_restart(answer):
    """Exercise annealing-ex-keras: the step of the second restart for T0 = 50, m = 1.2."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    value = _as_float(answer)
    if value is not None and value in (100.0, 120.0):
        return Result(False, f"{value:g} would be right if every cycle lasted as long as the "
                             "first (or the second). Cycle i lasts 50 · 1.2^i steps: add the "
                             "first two lengths.")
    return check_number(answer, 110, name="the step of the second restart", rtol=0, atol=0.5,
                        low=0, allowed="a step")


def check_warm_restarts(my_schedule):
    """Exercise annealing-ex-sgdr: SGDR with eta_0 = 0.1, T_0 = 100, m = 2, peaks halved."""
    if my_schedule is Ellipsis:
        return _PLACEHOLDER
    reference = WarmRestarts(0.1, first_cycle_steps=100, cycle_multiplier=2.0,
                             peak_multiplier=0.5)
    steps = [0, 50, 99, 100, 101, 200, 299, 300, 500, 699, 700, 1000]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule", atol=1e-9)
    if result:
        return result
    try:
        at_199, at_200 = float(my_schedule(199)), float(my_schedule(200))
        at_300 = float(my_schedule(300))
    except Exception:
        return result
    if at_200 > at_199 + 1e-6:
        return Result(False, result.message + " Your schedule restarts at step 200: with m = 2 "
                                              "the second cycle lasts 200 steps, so the next "
                                              "restart is at 100 + 200 = 300.")
    if math.isclose(at_300, 0.1, rel_tol=1e-3):
        return Result(False, result.message + " The restart at step 300 is in the right place, "
                                              "but each peak should be half the one before "
                                              "(0.1, 0.05, 0.025, ...).")
    return result


def check_forbidding_floor(answer):
    """Exercise annealing-ex-floor: the smallest floor that forbids the sharp minimum."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    well = DoubleWell()
    limit = 2.0 / float(well.sharpness(well.sharp_minimum))
    value = _as_float(answer)
    if value is not None and math.isclose(value, limit / 2, rel_tol=0.05):
        return Result(False, "1/λ is the rate that reaches the bottom in one step; a rate "
                             "between 1/λ and 2/λ still converges (oscillating). The bound is "
                             "2/λ.")
    if value is not None and 0.9 * limit <= value < limit:
        return Result(False, f"{value:.4g} is just below 2/λ ≈ {limit:.4g}: there the sharp "
                             "minimum is still stable, |1 − ηλ| < 1, so a run in it settles. "
                             "The floor has to reach 2/λ.")
    if value is not None and limit <= value <= 1.05 * limit:
        return Result(True, f"the floor: {value:.4g} reaches 2/λ ≈ {limit:.4g} of the sharp "
                            "minimum: at every step the rate is too large for a run to settle "
                            "there.")
    if value is not None and value > 1.05 * limit:
        return Result(False, f"a floor of {value:.4g} forbids settling in the sharp minimum "
                             "too, but it is not the smallest one: which rate makes "
                             "|1 − ηλ| reach 1?")
    return check_number(answer, limit, name="the floor (at least 2/λ, within 5% above it)",
                        rtol=0.05)


_VERDICTS = ("beats", "within noise", "worse")

#: How close the learner's ends must be: a fraction of the interval's width (t = 4.30 for
#: t(0.975, 2) = 4.3027 passes; a normal quantile or ddof=0 do not).
_END_TOLERANCE = 0.01


def check_paired_verdict(results, low, high, verdict):
    """Exercise annealing-ex-noise: cosine from 1.0 against the baseline, in test accuracy.

    ``results`` is the chapter's dict of runs per contender; ``low`` and ``high`` the learner's
    95% interval of the paired difference (cosine minus baseline), each end within 1% of the
    interval's width of :func:`lrlib.course.stats.paired_difference`'s; ``verdict`` one of
    ``"beats"``, ``"within noise"``, ``"worse"``.
    """
    from lrlib.course.check import record_answer, record_hints
    from lrlib.course.stats import paired_difference

    if Ellipsis in (low, high, verdict):
        return _PLACEHOLDER
    first = [r.final_accuracy for r in results["cosine from 1.0"]]
    second = [r.final_accuracy for r in results["constant 0.3 (baseline)"]]
    difference = paired_difference(first, second)
    lo, hi, n = difference.low, difference.high, difference.n
    expected = "within noise" if lo <= 0 <= hi else ("beats" if lo > 0 else "worse")
    record_answer("the 95% interval", f"[{lo:.6g}, {hi:.6g}]", [lo, hi])
    record_answer("the verdict", repr(expected))
    record_hints(f"take the {n} differences seed by seed (cosine minus baseline), their mean "
                 f"and sample standard deviation s (ddof=1); the interval is mean ± t · s/√{n}.",
                 f"t is Student's quantile for {n - 1} degrees of freedom, t(0.975, {n - 1}); "
                 "the exercise gives it.")
    values = [_as_float(low), _as_float(high)]
    if None in values:
        return Result(False, "`low` and `high` must be numbers: the ends of the interval.")
    got_low, got_high = values
    if not -1 <= got_low <= got_high <= 1:
        return Result(False, f"[{got_low:.4g}, {got_high:.4g}] is outside what the question "
                             "allows: a difference of accuracies lies between -1 and 1, and "
                             "`low` is at most `high`.")
    tolerance = _END_TOLERANCE * (hi - lo)
    if not (abs(got_low - lo) <= tolerance and abs(got_high - hi) <= tolerance):
        d = np.subtract(first, second)
        t = (hi - difference.mean) / (difference.std / math.sqrt(n))
        normal = 1.96 * difference.std / math.sqrt(n)
        unpaired = t * math.sqrt((np.var(first, ddof=1) + np.var(second, ddof=1)) / n)
        message = (f"the interval: your ends are not {tolerance_text(_END_TOLERANCE)} of the "
                   "interval's width from the reference's.")
        width = got_high - got_low
        if math.isclose(width, 2 * normal, rel_tol=0.01):
            return Result(False, f"{message} Your interval uses 1.96, the normal quantile; with "
                                 f"{n} seeds the standard deviation is itself uncertain: use "
                                 f"Student's t with {n - 1} degrees of freedom.")
        if math.isclose(width, 2 * unpaired, rel_tol=0.01):
            return Result(False, f"{message} Your interval treats the two contenders as "
                                 "independent. The seeds are paired (same initial weights, same "
                                 "batches): take the difference seed by seed first, then its "
                                 "spread.")
        if math.isclose(width, 2 * t * float(np.std(d)) / math.sqrt(n), rel_tol=0.01):
            return Result(False, f"{message} Use the sample standard deviation of the "
                                 "differences (ddof=1), not ddof=0.")
        centre = (got_low + got_high) / 2
        if not math.isclose(centre, difference.mean, abs_tol=tolerance):
            return Result(False, f"{message} Its centre is not the mean difference: "
                                 "cosine minus baseline, seed by seed.")
        return Result(False, message)
    if not isinstance(verdict, str) or verdict.strip().lower() not in _VERDICTS:
        return Result(False, f"`verdict` must be one of {', '.join(map(repr, _VERDICTS))}.")
    if verdict.strip().lower() != expected:
        said = verdict.strip().lower()
        why = ("'within noise' means the interval contains 0: does yours?"
               if said == "within noise" else
               f"'{said}' needs the whole interval on one side of 0, whatever the sign of the "
               "mean or of each seed's difference: is it?")
        return Result(False, f"the interval is right, the verdict is not: {why}")
    return Result(True, f"mean difference {difference.mean:+.4f}, 95% interval [{lo:.4f}, "
                        f"{hi:.4f}]: {expected}. One test image is {1 / 450:.4f} of accuracy.")
