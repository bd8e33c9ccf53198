"""The companion of the chapter "Choosing a schedule" (``chapters/choosing.ipynb``): the
figures of its sweep and the checkers of its exercises.

- **The sweep's figures.** :func:`sensitivity` draws one panel from an already computed
  :class:`lrlib.course.runs.SweepResults` (no training happens here, so a slider move
  redraws in milliseconds): a metric (test accuracy, test loss, training loss, steps to the
  target) against the schedule's peak rate or its mean rate over the budget, for one
  highlighted family (every seed shown, the others in grey behind it) or for all families at
  once; :func:`sensitivity_controls` gives its drop-downs. :func:`peak_versus_mean` puts the
  all-families panels against the peak and the mean rate side by side.
- **The area under a schedule.** :func:`schedule_area` draws one schedule with the area under
  it shaded and its mean rate (:func:`lrlib.schedules.mean_rate`, the one definition) dashed.
- **Checkers** of the exercises: :func:`check_matching_peak`,
  :func:`check_mean_rate_function`, :func:`check_gap_in_images`.
"""

import math

import numpy as np
from matplotlib import ticker, transforms

from lrlib import validation
from lrlib.course.check import Result, check_function, check_number
from lrlib.course.runs import COMMON, METRICS, SweepResults
from lrlib.course.plots import COLORS, PALETTE
from lrlib.course.widgets.core import dropdown, experiment
from lrlib.schedules import FAMILIES, CosineAnnealing, evaluate, for_budget, mean_rate

__all__ = [
    "AXES",
    "family_color",
    "sensitivity",
    "sensitivity_controls",
    "peak_versus_mean",
    "schedule_area",
    "TEST_IMAGES",
    "check_matching_peak",
    "check_mean_rate_function",
    "check_gap_in_images",
]

# -- the sweep's figures -----------------------------------------------------------------------

#: What the horizontal axis can show.
AXES = {
    "peak": "peak learning rate $\\eta_0$ (log scale)",
    "mean": "mean learning rate over the budget (log scale)",
}

_LOG_METRICS = ("train_loss",)


def family_color(family):
    """The colour of a family in every figure of the chapter (the course palette)."""
    index = FAMILIES.index(family) if family in FAMILIES else len(FAMILIES)
    return COLORS[index % len(COLORS)]


def _x(curve, axis):
    return curve["rates"] if axis == "peak" else curve["mean_rates"]


def _limits(results, metric, axis):
    """Axis limits shared by every panel of a metric, so that panels compare at a glance."""
    xs, ys = [], []
    for family in results.families:
        curve = results.curve(family, metric)
        xs.extend(_x(curve, axis))
        for values in curve["values"]:
            ys.extend(values)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    xlim = (xs.min() / 1.6, xs.max() * 1.6)
    if ys.size == 0:
        return xlim, None
    low, high = float(ys.min()), float(ys.max())
    if metric in _LOG_METRICS:
        return xlim, (low / 3.0, high * 1.8)
    pad = 0.08 * (high - low or abs(high) or 1.0)
    # Room at the bottom for the "diverged" markers and at the top for "never".
    bottom = 0.0 if metric == "steps_to_target" else low - 3 * pad
    return xlim, (bottom, high + 2 * pad)


def _mark_diverged(ax, x, steps, color, label_it):
    """An x at the bottom of the panel where every seed diverged, saying at which steps."""
    bottom = transforms.blended_transform_factory(ax.transData, ax.transAxes)
    ax.plot([x], [0.05], "x", color=color, markersize=9, markeredgewidth=2.2,
            transform=bottom, clip_on=False, zorder=6)
    if label_it and steps:
        where = f"step {steps[0]}" if steps[0] == steps[-1] else f"steps {steps[0]}–{steps[-1]}"
        ax.text(x, 0.11, f"diverged at\n{where}", transform=bottom, ha="right", va="bottom",
                fontsize=8, color=PALETTE["vermillion"], fontweight="bold")


def _rate_ticks(ax, results, axis):
    """Plain-number ticks: the swept rates on the peak axis, decades and halves otherwise."""
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    if axis == "peak":
        ax.xaxis.set_major_locator(ticker.FixedLocator(results.rates))
    else:
        ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 3.0)))
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


@experiment(figsize=(5.6, 3.8))
def sensitivity(fig, results, family="cosine", metric="accuracy", axis="peak", legend=True):
    """Draw ``metric`` against the learning rate for ``family`` (or ``"all"`` families).

    ``axis`` is ``"peak"`` (the schedule's largest rate, what you set) or ``"mean"`` (its
    average over the budget, what the network receives in all). With one family, the other
    families' means are drawn in grey behind it, each seed is a dot and a bar spans the
    seeds; where every seed diverged, an x at the bottom says at which steps. ``legend``:
    ``True`` (every panel has one), ``False`` (none) or ``"all-only"`` (only the
    all-families panel names its colours: for small multiples, whose caption explains the
    rest).
    """
    if not isinstance(results, SweepResults):
        raise ValueError(f"`results` must be an lrlib.course.runs.SweepResults, got {results!r}")
    family = validation.choice("family", family, ("all", *results.families))
    metric = validation.choice("metric", metric, tuple(METRICS))
    axis = validation.choice("axis", axis, tuple(AXES))
    legend = validation.choice("legend", legend, (True, False, "all-only"))
    if metric not in results.metrics:
        raise ValueError(f"`metric` {metric!r} was not recorded by this sweep")
    spec = METRICS[metric]
    ax = fig.subplots()
    xlim, ylim = _limits(results, metric, axis)
    shown = results.families if family == "all" else (family,)
    if family != "all":  # the others, in grey, behind
        for other in results.families:
            if other != family:
                curve = results.curve(other, metric)
                mean = np.asarray(curve["mean"], dtype=float)
                kept = np.isfinite(mean)
                ax.plot(np.asarray(_x(curve, axis))[kept], mean[kept], "-", color="0.8",
                        linewidth=1.2, zorder=1)
        ax.plot([], [], "-", color="0.8", label="the other schedules")
    for name in shown:
        curve = results.curve(name, metric)
        x = _x(curve, axis)
        color = family_color(name)
        mean = np.asarray(curve["mean"], dtype=float)
        kept = np.isfinite(mean)  # rates where every seed diverged get an x below instead
        ax.plot(np.asarray(x)[kept], mean[kept], "o-", color=color, markersize=4, zorder=4,
                label=name if family == "all" else f"{name}: mean over seeds")
        if family != "all":
            for xi, values in zip(x, curve["values"]):
                ax.plot(np.full(values.size, xi), values, ".", color=color, alpha=0.55,
                        markersize=7, zorder=3)
            ax.vlines(x, curve["low"], curve["high"], color=color, linewidth=1.0, zorder=3)
            ax.plot([], [], ".", color=color, alpha=0.55, label="one seed each")
        for xi, count, runs, steps in zip(x, curve["diverged"], curve["runs"],
                                          curve["diverged_steps"]):
            if count == runs:
                _mark_diverged(ax, xi, steps, color, label_it=family != "all")
        if metric == "steps_to_target":
            for xi, mean, count, runs in zip(x, curve["mean"], curve["diverged"],
                                             curve["runs"]):
                if math.isnan(mean) and count < runs:
                    top = transforms.blended_transform_factory(ax.transData, ax.transAxes)
                    ax.text(xi, 0.96, "never", transform=top, ha="center", va="top",
                            fontsize=8, color=color)
    if metric == "accuracy":
        ax.axhline(results.target, color=PALETTE["black"], linestyle=":", linewidth=1.0,
                   zorder=2)
    ax.set_xscale("log")
    _rate_ticks(ax, results, axis)
    ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if metric in _LOG_METRICS:
        ax.set_yscale("log")
    ax.set_xlabel(AXES[axis])
    ax.set_ylabel(spec.label + (" (log scale)" if metric in _LOG_METRICS else ""))
    against = "peak" if axis == "peak" else "mean"
    if family == "all":
        ax.set_title(f"All schedules, against the {against} rate", fontsize=10)
    else:
        ax.set_title(family, fontsize=10)
    if family == "all" and any(results.diverging_rates(name) for name in shown):
        ax.plot([], [], "x", color="0.3", markersize=7, markeredgewidth=2,
                label="every seed diverged")
    if family == "all" and legend in (True, "all-only"):
        ax.legend(fontsize=7.5, loc="center left", bbox_to_anchor=(1.0, 0.5))
    elif family != "all" and legend is True:
        ax.legend(fontsize=7.5, loc="best")
    return fig


def sensitivity_controls(results):
    """The drop-downs for :func:`sensitivity` (``results`` is passed through unchanged)."""
    metrics = [(spec.label, key) for key, spec in METRICS.items() if key in results.metrics]
    return {
        "results": results,
        "family": dropdown(("all", *results.families), value=results.families[0],
                           description="schedule"),
        "metric": dropdown(metrics, value="accuracy", description="metric"),
        "axis": dropdown([("peak rate", "peak"), ("mean rate", "mean")], value="peak",
                         description="learning-rate axis"),
    }


def peak_versus_mean(results, metric="train_loss", figsize=(8.0, 3.6)):
    """Two :func:`sensitivity` panels of all families, against the peak and the mean rate,
    with one legend below them for both. Returns a figure (detached from pyplot)."""
    import matplotlib.pyplot as plt

    from lrlib.course.plots import use_style

    use_style()
    fig = plt.figure(figsize=figsize, layout="constrained")
    for subfig, axis in zip(fig.subfigures(1, 2), ("peak", "mean")):
        sensitivity(subfig, results, family="all", metric=metric, axis=axis, legend=False)
    handles, labels = fig.subfigs[0].axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8)
    plt.close(fig)
    return fig


# -- the area under a schedule -----------------------------------------------------------------

@experiment(figsize=(4.0, 2.6))
def schedule_area(fig, family="cosine", learning_rate=1.0, total_steps=430):
    """One family over a budget, the area under it shaded and its mean rate dashed."""
    total_steps = validation.integer("total_steps", total_steps, low=8)
    schedule = for_budget(family, learning_rate, total_steps)
    t = np.arange(total_steps)
    rates = evaluate(schedule, t)
    mean = mean_rate(schedule, total_steps)
    color = family_color(family)
    ax = fig.subplots()
    ax.fill_between(t, rates, color=color, alpha=0.25, linewidth=0)
    ax.plot(t, rates, color=color)
    ax.axhline(mean, color=PALETTE["black"], linestyle="--", linewidth=1.1)
    ax.text(total_steps * 0.98, mean, f"mean {mean / learning_rate:.2f} × peak", ha="right",
            va="bottom", fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.0})
    ax.set_ylim(0.0, 1.12 * learning_rate)
    ax.set_xlim(0, total_steps)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("$\\eta_t$")
    ax.set_title(family, fontsize=10)
    return fig


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

#: Images in the digits test split (one image = 1/450 of test accuracy).
TEST_IMAGES = 450


def check_matching_peak(answer):
    """Exercise choosing-ex-matching-peak: the step-decay peak with constant 0.3's mean rate."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    total = COMMON.total_steps
    fraction = mean_rate(for_budget("step", 1.0, total), total)  # of the peak
    expected = 0.3 / fraction
    result = check_number(answer, expected, name="the step-decay peak", rtol=0.03,
                          low=0, allowed="a learning rate is positive")
    if result:
        return Result(True, result.message + f" Step decay averages {fraction:.2f} of its peak "
                            "(1, 1/2, 1/4 and 1/8 for a quarter of the budget each), so it "
                            "needs a peak about twice the constant rate.")
    value = _float(answer)
    if value is not None and math.isclose(value, 0.3, rel_tol=0.03):
        return Result(False, "0.3 is the same *peak*; step decay then delivers less than half "
                             "the learning rate in all. Which peak makes its *mean* 0.3?")
    if value is not None and math.isclose(value, 0.3 * fraction, rel_tol=0.05):
        return Result(False, f"{value:g} is the mean of step decay *at* peak 0.3: you need the "
                             "peak whose mean is 0.3, so divide by the mean fraction instead.")
    return result


def check_mean_rate_function(my_mean_rate):
    """Exercise choosing-ex-mean-rate: the learner's ``mean_rate(schedule, total_steps)``,
    against the one definition, :func:`lrlib.schedules.mean_rate`.

    Example:
        >>> from lrlib.course.choosing import check_mean_rate_function
        >>> from lrlib.schedules import evaluate
        >>> print(check_mean_rate_function(lambda schedule, steps: evaluate(schedule, steps).max()))
        Not yet. ... Your function returns the peak; the mean averages the rate over every step of the budget....
    """
    if my_mean_rate is Ellipsis or not callable(my_mean_rate):
        return Result(False, "define `mean_rate(schedule, total_steps)` as a function, then "
                             "run the cell again.")
    cases = [
        (for_budget("constant", 0.3, 430), 430),
        (for_budget("cosine", 1.0, 430), 430),
        (for_budget("exponential", 1.0, 430), 430),
        (for_budget("one-cycle", 0.5, 200), 200),
        (for_budget("step", 2.0, 100), 100),
        (CosineAnnealing(0.1, decay_steps=50), 100),  # the floor after step 50 counts too
    ]

    def reference(case):
        return mean_rate(*case)

    def learner(case):
        return my_mean_rate(*case)

    def describe(case):
        schedule, total_steps = case
        return f"{schedule!r} over {total_steps} steps"

    result = check_function(learner, reference, cases, name="mean_rate", rtol=1e-3,
                            describe=describe)
    if not result:
        peak_like = all(_close(_safe(learner, c), float(np.max(evaluate(c[0], c[1]))))
                        for c in cases[:3])
        if peak_like:
            return Result(False, result.message + " Your function returns the peak; the mean "
                                 "averages the rate over every step of the budget.")
    return result


def check_gap_in_images(answer, results):
    """Exercise choosing-ex-gap: the best-to-worst gap of the table, in test images."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    if not isinstance(results, SweepResults):
        return Result(False, "pass the sweep's results as the second argument.")
    expected, spread = _gap_and_spread(results)
    result = check_number(answer, expected, name="the gap in test images", atol=0.5,
                          low=0, high=TEST_IMAGES, allowed="a number of the 450 test "
                          "images")
    if result:
        verdict = ("smaller than" if expected < spread else "about the size of"
                   if expected < 1.5 * spread else "larger than")
        return Result(True, f"{result.message} The typical seed spread of one schedule is "
                            f"{spread:.1f} images: the gap is {verdict} it.")
    value = _float(answer)
    if value is not None and value < 1.0 and value > 0:
        return Result(False, f"{value:g} looks like a fraction of the test set: multiply by the "
                             f"{TEST_IMAGES} test images.")
    return result


def _gap_and_spread(results):
    """Best-minus-worst mean accuracy at each family's best rate, and the median spread,
    both in test images."""
    cells = [results.cell(f, results.best_rate(f)) for f in results.families
             if results.best_rate(f) is not None]
    means = [c.mean("accuracy") for c in cells]
    spreads = [c.spread("accuracy") for c in cells]
    return ((max(means) - min(means)) * TEST_IMAGES, float(np.median(spreads)) * TEST_IMAGES)


def _float(value):
    if isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _safe(function, case):
    try:
        return float(function(case))
    except Exception:
        return math.nan


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-3)
