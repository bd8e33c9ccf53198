"""The companion of the chapter "Choosing a schedule" (``chapters/choosing.ipynb``): the
head-to-head of its stored sweeps, their figures and the checkers of its exercises.

- **The head-to-head, to the course's protocol.** The chapter reads stored results tables
  (:func:`lrlib.course.study.stored`: ``"digits"``, ``"mnist1d"``). Each family's peak is
  selected on validation accuracy by the one rule, :meth:`lrlib.course.runs.SweepResults.best_rate`;
  :func:`interior` says whether that peak lies inside the grid (not at either end);
  :func:`difference` is the paired difference of test accuracy between two contenders at
  their selected peaks (or at given peaks) over the same seeds, with a 95% t interval
  (:func:`lrlib.course.stats.paired_difference`); :func:`head_to_head` tabulates every
  family against a reference (cosine) with its verdict: "beats" or "loses to" only where the
  interval excludes 0, "within noise" otherwise.
- **The sweep's figures.** :func:`sensitivity` draws one panel from an already computed
  :class:`lrlib.course.runs.SweepResults` (no training happens here, so a slider move
  redraws in milliseconds): a metric (test accuracy, test loss, training loss, steps to the
  target) against the schedule's peak rate or its mean rate over the budget, for one
  highlighted family (every seed shown, the others in grey behind it) or for all families at
  once; :func:`sensitivity_controls` gives its drop-downs. :func:`peak_versus_mean` puts the
  all-families panels against the peak and the mean rate side by side.
- **The area under a schedule.** :func:`schedule_area` draws one schedule with the area under
  it shaded and its mean rate (:func:`lrlib.schedules.mean_rate`, the one definition) dashed.
- **The noise floor, live.** :func:`noise_floor` draws re-run records (which keep their
  runs): the rate each schedule used and its training loss, step by step.
- **Checkers** of the exercises: :func:`check_matching_peak`,
  :func:`check_mean_rate_function`, :func:`check_gap_in_images`.
"""

import math

import numpy as np
from matplotlib import ticker, transforms

from lrlib import validation
from lrlib.course.check import Result, check_function, check_number
from lrlib.course.runs import COMMON, METRICS, Entry, SweepResults, Table
from lrlib.course.plots import COLORS, PALETTE
from lrlib.course.widgets.core import dropdown, experiment
from lrlib.schedules import FAMILIES, CosineAnnealing, evaluate, for_budget, mean_rate

__all__ = [
    "REFERENCE",
    "selected_peaks",
    "interior",
    "difference",
    "verdict_word",
    "head_to_head",
    "noise_floor",
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

# -- the head-to-head, to the protocol ---------------------------------------------------------

#: The contender every family is compared with: cosine annealing to zero, the usual default
#: (Google's tuning playbook names linear or cosine decay).
REFERENCE = "cosine"


def _check_results(results):
    if not isinstance(results, SweepResults):
        raise ValueError(f"`results` must be an lrlib.course.runs.SweepResults, got {results!r}")
    return results


def selected_peaks(results):
    """Each family's peak selected on validation: ``{family: peak}`` by
    :meth:`lrlib.course.runs.SweepResults.best_rate` (the highest mean validation accuracy
    among the peaks where no seed diverged; ``None`` when a seed diverged at every peak)."""
    results = _check_results(results)
    return {family: results.best_rate(family) for family in results.families}


def interior(results, family):
    """Whether ``family``'s selected peak lies inside its grid: a swept peak below it and one
    above it, so that the grid brackets the optimum (not at either end)."""
    results = _check_results(results)
    best = results.best_rate(family)
    rates = [cell.peak for cell in results.cells(family)]
    return best is not None and rates[0] < best < rates[-1]


def difference(results, a, b=REFERENCE, metric="accuracy", *, peak_a=None, peak_b=None):
    """The paired difference ``a - b`` of ``metric`` (test accuracy by default) over the seeds,
    each family at its peak selected on validation (or at ``peak_a``/``peak_b``), with a 95%
    t interval: a :class:`lrlib.course.stats.Difference`."""
    from lrlib.course.stats import paired_difference

    results = _check_results(results)
    peak_a = results.best_rate(a) if peak_a is None else peak_a
    peak_b = results.best_rate(b) if peak_b is None else peak_b
    if peak_a is None or peak_b is None:
        raise ValueError(f"no peak without a diverged seed for {a if peak_a is None else b!r}")
    return paired_difference(results.cell(a, peak_a).records, results.cell(b, peak_b).records,
                             metric, method="t")


def verdict_word(diff, higher_is_better=True):
    """``"beats"`` or ``"loses to"`` when the interval of ``a - b`` excludes 0 (on the
    winning or the losing side), ``"within noise"`` otherwise."""
    if not diff.excludes_zero:
        return "within noise"
    return "beats" if (diff.mean > 0) == higher_is_better else "loses to"


def _points(value):
    return f"{100 * value:+.1f}"


def head_to_head(results, reference=REFERENCE, metric="accuracy", caption=None):
    """The head-to-head :class:`lrlib.course.runs.Table`: one row per family at its peak
    selected on validation (with whether that peak is inside the grid), its validation and
    test accuracy (mean, and min–max over the seeds), and the paired difference of test
    accuracy with ``reference`` in percentage points with its 95% t interval and verdict."""
    results = _check_results(results)
    reference = validation.choice("reference", reference, results.families)
    columns = ("schedule", "peak selected on validation", "validation accuracy",
               "test accuracy", f"test: minus {reference} (points)", "verdict")
    rows = []
    for family in results.families:
        best = results.best_rate(family)
        if best is None:
            rows.append((family, "–", "diverged", "diverged", "–", "–"))
            continue
        cell = results.cell(family, best)
        where = "inside the grid" if interior(results, family) else "at the grid's edge"
        if family == reference:
            gap, word = Entry("–"), "the reference"
        else:
            d = difference(results, family, reference, metric)
            gap = Entry(_points(d.mean), f"95% t interval {_points(d.low)} to "
                                         f"{_points(d.high)}, {d.n} seeds")
            word = verdict_word(d, METRICS[metric].higher_is_better)
            word = word if word == "within noise" else f"{word} {reference}"
        rows.append((family, Entry(f"{best:g}", where), cell.entry("val_accuracy"),
                     cell.entry(metric), gap, word))
    if caption is None:
        caption = (f"{len(results.families)} schedules × {len(results.rates)} peaks × "
                   f"{len(results.seeds)} paired seeds: each schedule at the peak of the highest "
                   "mean validation accuracy; test accuracy reported once (mean, min–max).")
    return Table(columns, tuple(rows), caption)


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
        if len(results.rates) > 5:  # a dense grid: label the decades only, tick every peak
            ax.xaxis.set_major_formatter(ticker.FuncFormatter(
                lambda value, _: f"{value:g}" if np.isclose(np.log10(value) % 1, 0, atol=1e-9)
                or np.isclose(np.log10(value) % 1, 1, atol=1e-9) else ""))
            ax.xaxis.set_minor_formatter(ticker.NullFormatter())
            return
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
        best = results.best_rate(name)
        if family != "all" and best is not None and not math.isnan(
                results.cell(name, best).mean(metric)):
            where = best if axis == "peak" else results.mean_rate(name, best)
            ax.plot([where], [results.cell(name, best).mean(metric)], "*", color=color,
                    markersize=14, markeredgecolor=PALETTE["black"], zorder=7,
                    label=f"peak selected on validation ({best:g})")
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


def _shown_metrics(results):
    """The metrics a figure of the whole grid may show: with a validation split, validation
    and training metrics only (test is reported once, in the head-to-head); else every one."""
    keys = [key for key in METRICS if key in results.metrics]
    if "val_accuracy" in keys:
        keys = [key for key in keys if METRICS[key].split != "test"]
    return keys


def sensitivity_controls(results):
    """The drop-downs for :func:`sensitivity` (``results`` is passed through unchanged). With
    a validation split the metrics are validation and training ones (test stays for the
    head-to-head), and validation accuracy comes first."""
    keys = _shown_metrics(results)
    metrics = [(METRICS[key].label, key) for key in keys]
    return {
        "results": results,
        "family": dropdown(("all", *results.families), value=results.families[0],
                           description="schedule"),
        "metric": dropdown(metrics, value=results.selection_metric, description="metric"),
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


def noise_floor(records, figsize=(8.0, 3.4)):
    """Re-run records side by side (``records``: label -> a :class:`lrlib.course.runs.Record`
    that keeps its run, as :func:`lrlib.course.runs.trial` returns it): left, the rate each
    used, step by step; right, its training loss (the trailing mean over an epoch,
    ``TrainingRun.smoothed_losses``), log scale. Returns a figure (detached from pyplot)."""
    import matplotlib.pyplot as plt

    from lrlib.course.plots import use_style

    if not isinstance(records, dict) or not records or any(
            getattr(r, "run", None) is None for r in records.values()):
        raise ValueError("`records` must be a non-empty dict of label -> Record that keeps "
                         "its run (lrlib.course.runs.trial's)")
    use_style()
    fig, (ax_rate, ax_loss) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    for index, (label, record) in enumerate(records.items()):
        color = COLORS[index % len(COLORS)]
        run = record.run
        steps = np.arange(len(run.learning_rates))
        ax_rate.plot(steps, run.learning_rates, color=color, label=label)
        ax_loss.plot(np.arange(len(run.losses)), run.smoothed_losses(), color=color,
                     label=label)
    ax_rate.set_xlabel("step $t$")
    ax_rate.set_ylabel("$\\eta_t$")
    ax_rate.set_title("The rate", fontsize=10)
    ax_rate.legend(fontsize=8)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("training loss, mean of an epoch (log)")
    ax_loss.set_title("The training loss", fontsize=10)
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
    """Exercise choosing-ex-gap: the gap between the best and the worst schedule of a stored
    sweep, in test images: each family at its peak selected on validation
    (:meth:`lrlib.course.runs.SweepResults.best_rate`), the largest minus the smallest mean
    test accuracy, times the :data:`TEST_IMAGES` test images of the digits."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    if not isinstance(results, SweepResults):
        return Result(False, "pass the sweep's results as the second argument.")
    expected, spread = _gap_and_spread(results)
    result = check_number(answer, expected, name="the gap in test images", atol=0.5,
                          low=0, high=TEST_IMAGES, allowed="a number of the 450 test "
                          "images")
    if result:
        best, worst = _extremes(results)
        message = (f"{result.message} The typical seed spread (max − min) of one schedule is "
                   f"{spread:.1f} images.")
        if best != worst:
            d = difference(results, best, worst)
            images = [TEST_IMAGES * v for v in (d.mean, d.low, d.high)]
            word = ("so even this largest gap is within noise" if not d.excludes_zero
                    else f"so {best} beats {worst}")
            message += (f" Paired over the {d.n} seeds, {best} minus {worst} is "
                        f"{images[0]:.1f} images (95% t interval {images[1]:.1f} to "
                        f"{images[2]:.1f}): {word}.")
        return Result(True, message)
    value = _float(answer)
    if value is not None and 0 < value < 1.0:
        return Result(False, f"{value:g} looks like a fraction of the test set: multiply by the "
                             f"{TEST_IMAGES} test images.")
    on_test = _gap_and_spread(results, "accuracy")[0]
    if value is not None and not math.isclose(on_test, expected, abs_tol=0.5) and math.isclose(
            value, on_test, abs_tol=0.5):
        return Result(False, "you chose each schedule's peak on its test accuracy. The protocol "
                             "selects on validation (`results.best_rate(family)` does) and "
                             "only reads the test accuracy at the selected peak.")
    return result


def _extremes(results, metric=None):
    """The families with the highest and the lowest mean test accuracy at their peaks
    selected on ``metric`` (validation accuracy by default)."""
    means = {f: results.cell(f, results.best_rate(f, metric)).mean("accuracy")
             for f in results.families if results.best_rate(f, metric) is not None}
    return max(means, key=means.get), min(means, key=means.get)


def _gap_and_spread(results, metric=None):
    """Best-minus-worst mean test accuracy at each family's peak selected on ``metric``
    (validation accuracy by default: :meth:`SweepResults.best_rate`), and the median
    seed spread there, both in test images."""
    cells = [results.cell(f, results.best_rate(f, metric)) for f in results.families
             if results.best_rate(f, metric) is not None]
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
