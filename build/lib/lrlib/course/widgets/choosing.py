"""The sweep's sensitivity curves: one metric against the learning rate, per schedule.

Also :func:`schedule_area`, one schedule with the area under it and its mean rate.

:func:`sensitivity` draws one panel from an already computed
:class:`lrlib.course.runs.SweepResults` (no training happens here, so a slider move redraws in
milliseconds): a metric (test accuracy, test loss, training loss, steps to the target)
against the schedule's peak rate or its mean rate over the budget, for one highlighted family
(every seed shown, the others in grey behind it) or for all families at once.
"""

import math

import numpy as np
from matplotlib import ticker, transforms

from lrlib import validation
from lrlib.course.plots import COLORS, PALETTE
from lrlib.schedules import FAMILIES, evaluate, for_budget
from lrlib.course.runs import METRICS, SweepResults
from lrlib.course.widgets.core import dropdown, experiment

__all__ = ["sensitivity", "sensitivity_controls", "peak_versus_mean", "schedule_area", "AXES",
           "family_color"]

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


@experiment(figsize=(4.0, 2.6))
def schedule_area(fig, family="cosine", learning_rate=1.0, total_steps=430):
    """One family over a budget, the area under it shaded and its mean rate dashed."""
    total_steps = validation.integer("total_steps", total_steps, low=8)
    schedule = for_budget(family, learning_rate, total_steps)
    t = np.arange(total_steps)
    rates = evaluate(schedule, t)
    mean = float(rates.mean())
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
