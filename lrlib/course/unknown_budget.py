"""The chapter *When the budget is unknown*: warmup-stable-decay, linear decay to zero,
inverse square root and schedule-free SGD against cosine, and a budget extended after the fact.

The comparisons follow the course's protocol (``lrlib.course.study``): a validation split,
selection on validation, paired seeds, 95% t intervals (:mod:`lrlib.course.stats`).

**The sweeps** (:func:`run_comparison`, :func:`run_extension`; the command is :func:`main`).
Each contender (a family of :func:`lrlib.course.runs.trial`) runs over its grid of peaks
(:data:`PEAKS`) with the selection seeds 0-2; the peak with the best mean validation
accuracy over them is selected (:func:`select`), then seeds 3-9 run at that peak, so that
10 paired seeds stand behind every verdict (the protocol of ``results/mnist1d_probe.jsonl``,
whose cosine runs the MNIST-1D comparison reuses: it selected on seeds 0-4). The results are stored tables
(``lrlib/course/results/unknown_budget_*.jsonl``), made by::

    python -m lrlib.course.unknown_budget digits             # the digits comparison
    python -m lrlib.course.unknown_budget extension          # the digits budget doubled
    python -m lrlib.course.unknown_budget mnist1d            # the MNIST-1D comparison
    python -m lrlib.course.unknown_budget mnist1d-adam       # the same with Adam
    python -m lrlib.course.unknown_budget digits-adam        # and on the digits
    python -m lrlib.course.unknown_budget extension-mnist1d  # MNIST-1D's budget doubled

(``--families inverse-sqrt`` runs only the contenders named and adds their runs to the
table: how the inverse square root joined the MNIST-1D table.)

**The extended budget** (:func:`extension_trial`). A run planned for $T_1$ steps is asked,
after the fact, for $T_2 = 2 T_1$. Three ways to get there, each at the peak selected for
$T_1$:

- ``"wsd-continued"``: warmup-stable-decay planned for $T_1$ is continued from the end of its
  stable phase (step $0.8\\,T_1$, a checkpoint) at the peak, and cooled down over the last 20%
  of $T_2$. The continued run *is* the WSD run planned for $T_2$: its first $0.8\\,T_1$ steps
  are the same steps with the same batches (the chapter checks it), so the sweep trains
  ``for_budget("wsd", peak, T2)``.
- ``"cosine-restarted"``: cosine to zero over $T_2$, trained from scratch.
- ``"cosine-rewarmed"``: the cosine run of $T_1$, continued by warming the rate back up to the
  peak and annealing again over $T_1$ more steps (an SGDR warm restart): the schedule is
  ``WarmRestarts(peak, first_cycle_steps=T1, cycle_multiplier=1)`` over $T_2$ steps, whose
  first cycle is exactly the $T_1$ cosine.
"""

import argparse
import dataclasses
import math
import pathlib
import sys
import time

import numpy as np

from lrlib import validation
from lrlib.course.runs import Record, SweepResults, run
from lrlib.course.study import RESULTS, TASK_SETUPS, read_table, run_study, stored, write_table
from lrlib.schedules import WarmRestarts, for_budget

__all__ = [
    "SETUPS", "CONTENDERS", "LABELS", "ADAM_LABELS", "PEAKS", "SELECTION_SEEDS", "MORE_SEEDS", "SEEDS",
    "EXTENSIONS", "TABLES", "select", "run_comparison", "extension_setup",
    "extension_trial", "extension_peaks", "run_extension", "selected", "comparison",
    "extension",
    "differences", "verdicts", "compute_steps", "budget_experiment",
    "budget_experiment_controls", "plot_difference_rows", "plot_differences", "plot_peaks",
    "extension_differences", "check_linear_to_zero",
    "check_extension_cost", "check_inverse_sqrt_step", "main",
]

#: The comparisons' setups (:data:`lrlib.course.study.TASK_SETUPS`): digits, plain SGD,
#: 10 epochs (320 steps); MNIST-1D, SGD with momentum 0.9, 40 epochs (1,880 steps); and
#: ``"mnist1d-adam"`` and ``"digits-adam"``: the same with Adam (Keras defaults, no weight
#: decay), where ``"schedule-free"`` is schedule-free AdamW (weight decay 0, as the
#: reference's default).
SETUPS = {"digits": TASK_SETUPS["digits"], "mnist1d": TASK_SETUPS["mnist1d"],
          "mnist1d-adam": dataclasses.replace(TASK_SETUPS["mnist1d"], optimizer="adam",
                                              momentum=0.0),
          "digits-adam": dataclasses.replace(TASK_SETUPS["digits"], optimizer="adam")}

#: The contenders of each task, cosine (the reference) first.
CONTENDERS = {
    "digits": ("cosine", "linear", "wsd", "wsd-sqrt", "inverse-sqrt", "schedule-free"),
    "mnist1d": ("cosine", "linear", "wsd", "inverse-sqrt", "schedule-free"),
    "mnist1d-adam": ("cosine", "schedule-free"),
    "digits-adam": ("cosine", "schedule-free"),
}

_DIGITS_GRID = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
# Schedule-free SGD's rate moves z, whose steps momentum does not amplify, and x averages
# them: its best rates sit higher (on the digits, 0.05 to 2 found its best at the top end).
_SCHEDULE_FREE_GRID = (0.5, 1.0, 2.0, 5.0, 10.0)
_ADAM_GRID = (0.001, 0.002, 0.005, 0.01, 0.02)

#: The log grid of peaks of each contender (three points per factor of 10). On MNIST-1D,
#: where a run costs 3 to 4 times a digits run, the grids are short and placed by what the probe
#: (``mnist1d_probe.jsonl``) found: cosine's is the probe's (which also ran 0.01 to 0.05 and
#: selected 0.2), linear decay's the same (the same mean rate, half the peak), WSD's one step
#: lower (it holds the peak for 80% of the run: the probe's best constant rate was 0.05).
#: Schedule-free SGD's grid is higher on both tasks (see ``_SCHEDULE_FREE_GRID``). Inverse
#: square root's is cosine's: after its 5% warmup it falls to 22% of its peak by the end, so
#: its mean rate sits near cosine's at the same peak. With Adam both grids run from 0.001 to
#: 0.02 (around Keras's Adam default, 0.001, and lrlib's ScheduleFreeAdamW default, 0.0025).
PEAKS = {
    "digits": {**{family: _DIGITS_GRID for family in CONTENDERS["digits"]},
               "schedule-free": _SCHEDULE_FREE_GRID},
    "mnist1d": {"cosine": (0.1, 0.2, 0.5), "linear": (0.1, 0.2, 0.5),
                "wsd": (0.05, 0.1, 0.2), "inverse-sqrt": (0.1, 0.2, 0.5),
                "schedule-free": _SCHEDULE_FREE_GRID},
    "mnist1d-adam": {"cosine": _ADAM_GRID, "schedule-free": _ADAM_GRID},
    # on the digits schedule-free AdamW's first grid selected its top end, 0.02: one more
    "digits-adam": {"cosine": _ADAM_GRID, "schedule-free": _ADAM_GRID + (0.05,)},
}

#: The seeds that select each contender's peak (every peak of its grid runs them).
SELECTION_SEEDS = (0, 1, 2)
#: The seeds that run at the selected peak only.
MORE_SEEDS = (3, 4, 5, 6, 7, 8, 9)
#: All ten, paired across contenders.
SEEDS = SELECTION_SEEDS + MORE_SEEDS

#: The contenders of the extended budget (see the module's docstring).
EXTENSIONS = ("wsd-continued", "cosine-restarted", "cosine-rewarmed")

#: The stored tables, by name.
TABLES = {"digits": "unknown_budget_digits", "mnist1d": "unknown_budget_mnist1d",
          "mnist1d-adam": "unknown_budget_mnist1d_adam",
          "digits-adam": "unknown_budget_digits_adam",
          "extension": "unknown_budget_extension_digits",
          "extension-mnist1d": "unknown_budget_extension_mnist1d"}

#: How the contenders of the Adam comparison (``"mnist1d-adam"``) are named on the page.
ADAM_LABELS = {"cosine": "cosine to 0, Adam", "schedule-free": "schedule-free AdamW"}

#: How each contender is named on the page.
LABELS = {"cosine": "cosine to 0", "linear": "linear to 0", "wsd": "WSD, linear cooldown",
          "wsd-sqrt": "WSD, 1−√ cooldown", "inverse-sqrt": "inverse square root",
          "schedule-free": "schedule-free SGD", "wsd-continued": "WSD continued",
          "cosine-restarted": "cosine restarted", "cosine-rewarmed": "cosine rewarmed"}

_JOURNALS = pathlib.Path("/tmp") / "lrlib-unknown-budget"


def _subset(results, family=None, seeds=None):
    records = [r for r in results.records
               if (family is None or r.family == family) and (seeds is None or r.seed in seeds)]
    return SweepResults.from_records(records, total_steps=results.total_steps)


def _common_seeds(results, family):
    """The seeds every peak of ``family`` ran: its selection seeds."""
    seeds = [{r.seed for r in c.records} for c in results.cells(family)]
    return tuple(sorted(set.intersection(*seeds)))


def select(results, family, seeds=None):
    """The peak of ``family`` selected on validation over ``seeds`` only, by default the seeds
    that every peak of its grid ran (:data:`SELECTION_SEEDS`; 0-4 for the MNIST-1D probe's
    cosine). The rule is :meth:`lrlib.course.runs.SweepResults.best_rate`'s: the best mean
    validation accuracy among the peaks at which no seed diverged; the smaller on a tie."""
    seeds = _common_seeds(results, family) if seeds is None else seeds
    return _subset(results, family, seeds).best_rate(family)


def _storage(name):
    _JOURNALS.mkdir(parents=True, exist_ok=True)
    return _JOURNALS / f"{name}.journal"


def run_comparison(task, families=None, *, progress=True):
    """The comparison of ``task`` (``"digits"`` or ``"mnist1d"``): every contender's grid
    with :data:`SELECTION_SEEDS`, then :data:`MORE_SEEDS` at its selected peak. On MNIST-1D
    cosine is read from the probe's table, not run again. Returns the records of the runs it
    made as :class:`lrlib.course.runs.SweepResults`."""
    task = validation.choice("task", task, tuple(CONTENDERS))
    setup = SETUPS[task]
    families = CONTENDERS[task] if families is None else tuple(families)
    # cosine on MNIST-1D: the probe's runs (selected on seeds 0-4, peak 0.2).
    if task == "mnist1d":
        families = tuple(f for f in families if f != "cosine")
    records = []
    for family in families:
        grid = run_study([family], PEAKS[task][family], SELECTION_SEEDS, setup,
                         storage=_storage(f"{task}-{family}"), progress=progress)
        best = select(grid, family)
        more = run_study([family], [best], MORE_SEEDS, setup,
                         storage=_storage(f"{task}-{family}-more"), progress=progress)
        records += list(grid.records) + list(more.records)
    return SweepResults.from_records(records, total_steps=setup.total_steps)


def extension_setup(setup=SETUPS["digits"], factor=2):
    """``setup`` with ``factor`` times its epochs: the budget $T_2$."""
    return dataclasses.replace(setup, epochs=setup.epochs * factor)


def _rewarmed(peak, first_steps, total_steps):
    del total_steps
    return WarmRestarts(peak, first_cycle_steps=first_steps, cycle_multiplier=1.0)


def extension_trial(family, peak, seed, setup):
    """One run of the extended budget $T_2$ = ``setup.total_steps`` (twice the planned
    $T_1$): ``family`` is one of :data:`EXTENSIONS` (see the module's docstring)."""
    family = validation.choice("family", family, EXTENSIONS)
    total = setup.total_steps
    if family == "wsd-continued":
        schedule = for_budget("wsd", peak, total)
    elif family == "cosine-restarted":
        schedule = for_budget("cosine", peak, total)
    else:
        schedule = _rewarmed(peak, total // 2, total)
    return Record.from_run(run(schedule, seed, setup), family=family, peak=peak,
                           task=setup.task)


def extension_peaks(task="digits"):
    """The peaks the extension runs at: WSD's and cosine's, selected for $T_1$ in the
    stored comparison of ``task``."""
    results = comparison(task)
    peaks = {family: select(results, family) for family in ("wsd", "cosine")}
    return {"wsd-continued": peaks["wsd"], "cosine-restarted": peaks["cosine"],
            "cosine-rewarmed": peaks["cosine"]}


def run_extension(task="digits", *, progress=True):
    """Every contender of :data:`EXTENSIONS` at its $T_1$ peak, with :data:`SEEDS`, on
    ``task`` with twice its budget. Returns :class:`lrlib.course.runs.SweepResults`."""
    setup = extension_setup(SETUPS[task])
    records = []
    for family, peak in extension_peaks(task).items():
        done = run_study([family], [peak], SEEDS, setup, objective=extension_trial,
                         storage=_storage(f"{task}-extension-{family}"), progress=progress)
        records += list(done.records)
    return SweepResults.from_records(records, total_steps=setup.total_steps)


def selected(task="digits"):
    """Each contender's selected peak in the stored comparison of ``task`` (:func:`select`;
    cosine on MNIST-1D on the probe's selection seeds, 0-4)."""
    results = comparison(task)
    return {family: select(results, family) for family in CONTENDERS[task]}


def comparison(task="digits"):
    """The stored comparison of ``task`` as :class:`lrlib.course.runs.SweepResults`
    (on MNIST-1D with the probe's cosine runs)."""
    task = validation.choice("task", task, tuple(CONTENDERS))
    results = stored(TABLES[task])
    if task == "mnist1d":
        probe = [r for r in stored("mnist1d_probe").records if r.family == "cosine"]
        results = SweepResults.from_records(probe + list(results.records),
                                            total_steps=results.total_steps)
    return results


def extension(task="digits"):
    """The stored extended-budget runs of ``task`` (``"digits"`` or ``"mnist1d"``)."""
    task = validation.choice("task", task, ("digits", "mnist1d"))
    return stored(TABLES["extension" if task == "digits" else f"extension-{task}"])


# --- The verdicts ---------------------------------------------------------------------------

def _at(results, family, peak, metric):
    cell = results.cell(family, peak)
    return {r.seed: r.value(metric) for r in cell.records if r.seed in SEEDS}


def differences(results, reference="cosine", metric="accuracy", peaks=None):
    """Each contender's paired difference against ``reference`` (a
    :class:`lrlib.course.stats.Difference` of ``contender - reference`` over the 10 seeds),
    each at its peak selected on validation (:func:`select`), or at ``peaks[family]``."""
    from lrlib.course.stats import paired_difference

    peaks = dict(peaks or {})
    chosen = {f: peaks.get(f) or select(results, f) for f in results.families}
    base = _at(results, reference, chosen[reference], metric)
    return {family: paired_difference(_at(results, family, chosen[family], metric), base)
            for family in results.families if family != reference}


def verdicts(results, reference="cosine", metric="accuracy", peaks=None, labels=None):
    """The verdict of each contender against ``reference``, one line each
    (:func:`lrlib.course.stats.verdict`, accuracies in percentage points); contenders are
    named by ``labels`` (default :data:`LABELS`)."""
    from lrlib.course.stats import verdict

    names = {**LABELS, **(labels or {})}
    return {family: verdict(d, names.get(family, family), names.get(reference, reference),
                            percent=True)
            for family, d in differences(results, reference, metric, peaks).items()}


def plot_difference_rows(ax, rows, xlabel, title):
    """Paired differences as rows: ``rows`` maps a label to a
    :class:`lrlib.course.stats.Difference` (fractions, drawn in percentage points): the mean,
    its 95% interval, a line at 0. An interval that excludes 0 is drawn in blue."""
    from lrlib.course.plots import PALETTE, use_style

    use_style()
    labels = list(rows)[::-1]
    for row, label in enumerate(labels):
        d = rows[label]
        color = PALETTE["blue"] if d.excludes_zero else PALETTE["black"]
        ax.plot([100 * d.low, 100 * d.high], [row, row], color=color, linewidth=2.5)
        ax.plot([100 * d.mean], [row], "o", color=color, markersize=7)
    ax.axvline(0.0, color=PALETTE["vermillion"], linestyle="--", linewidth=1.2)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax


def plot_differences(ax, results, reference="cosine", metric="accuracy", title=None,
                     peaks=None, labels=None):
    """Each contender's paired difference against ``reference`` (percentage points): the mean
    and its 95% t interval, one row per contender, a line at 0; contenders named by
    ``labels`` (default :data:`LABELS`)."""
    names = {**LABELS, **(labels or {})}
    found = differences(results, reference, metric, peaks)
    rows = {names.get(f, f): d for f, d in found.items()}
    return plot_difference_rows(
        ax, rows, f"test accuracy − {names.get(reference, reference)} (points)",
        title or "Paired differences, 10 seeds")


def plot_peaks(ax, results, peaks, metric="val_accuracy", title=None, labels=None):
    """Each contender's mean ``metric`` over the selection seeds against its peak (log
    scale), the selected peak ringed: the selection, and whether it is inside the grid.
    Contenders are named by ``labels`` (default :data:`LABELS`)."""
    names = {**LABELS, **(labels or {})}
    from lrlib.course.plots import COLORS, log_rate_axis, use_style

    use_style()
    for index, family in enumerate(results.families):
        picked = _subset(results, family, _common_seeds(results, family))
        cells = [c for c in picked.cells(family) if c.stable]
        color = COLORS[index % len(COLORS)]
        x = [c.peak for c in cells]
        y = [100 * c.mean(metric) for c in cells]
        ax.plot(x, y, "o-", color=color, markersize=4, label=names.get(family, family))
        best = peaks[family]
        if best in x:
            ax.plot([best], [y[x.index(best)]], "o", markersize=11, markerfacecolor="none",
                    markeredgecolor=color, markeredgewidth=1.8)
    log_rate_axis(ax, label="peak learning rate (log scale)")
    ax.set_ylabel("validation accuracy (%), selection seeds")
    ax.set_title(title or "Selecting each peak on validation")
    ax.legend(fontsize=8)
    return ax


def extension_differences(task="digits", metric="accuracy"):
    """The paired differences of the extended budget (fractions), by label: WSD continued
    against cosine restarted and against cosine rewarmed (at $T_2$), and the gain of WSD's
    continuation over its $T_1$ run."""
    from lrlib.course.stats import paired_difference

    ext = extension(task)
    peaks = extension_peaks(task)

    def values(results, family, peak):
        return {r.seed: r.value(metric) for r in results.cell(family, peak).records}

    wsd2 = values(ext, "wsd-continued", peaks["wsd-continued"])
    return {
        "WSD continued − cosine restarted": paired_difference(
            wsd2, values(ext, "cosine-restarted", peaks["cosine-restarted"])),
        "WSD continued − cosine rewarmed": paired_difference(
            wsd2, values(ext, "cosine-rewarmed", peaks["cosine-rewarmed"])),
        "WSD continued − WSD at T₁": paired_difference(
            wsd2, values(comparison(task), "wsd", peaks["wsd-continued"])),
    }


# --- Compute, and the schedules over an extended budget ----------------------------------------

def compute_steps(strategy, t1, t2, cooldown=0.2):
    """The optimizer steps a ``strategy`` spends to have both a model for $T_1$ = ``t1`` and
    one for $T_2$ = ``t2`` (both planned at the start is not an option: $T_2$ is asked
    for after $T_1$ is done).

    - ``"wsd-continued"``: the $T_1$ run, then the continuation from the end of its stable
      phase: $T_1 + (T_2 - (1 - c) T_1)$ with $c$ = ``cooldown``.
    - ``"cosine-restarted"``: $T_1 + T_2$.
    - ``"cosine-rewarmed"`` and ``"inverse-sqrt"`` (which never plans an end): $T_2$.
    """
    strategy = validation.choice("strategy", strategy, EXTENSIONS + ("inverse-sqrt",))
    t1 = validation.positive_integer("t1", t1)
    t2 = validation.integer("t2", t2, low=t1)
    cooldown = validation.real("cooldown", cooldown, low=0.0, high=1.0, low_open=True)
    if strategy == "wsd-continued":
        return t1 + t2 - round((1 - cooldown) * t1)
    if strategy == "cosine-restarted":
        return t1 + t2
    return t2


def _extended_schedules(peak, t1, t2, cooldown):
    from lrlib.schedules import CosineAnnealing, InverseSquareRoot, WarmupStableDecay

    wsd1 = WarmupStableDecay(peak, t1, 0, max(1, round(cooldown * t1)))
    wsd2 = WarmupStableDecay(peak, t2, 0, max(1, round(cooldown * t2)))
    return {
        "wsd-continued": (wsd1, wsd2),
        "cosine-restarted": (CosineAnnealing(peak, t1), CosineAnnealing(peak, t2)),
        "cosine-rewarmed": (CosineAnnealing(peak, t1), CosineAnnealing(peak, max(1, t2 - t1))),
        # planned at the start, knowing only T1: its warmup is 5% of T1
        "inverse-sqrt": (None, InverseSquareRoot(peak, max(1, round(0.05 * t1)))),
    }


def _budget_experiment(fig, factor=2.0, cooldown=0.2, peak=1.0, t1=1000):
    from lrlib.course.plots import PALETTE, use_style
    from lrlib.schedules import evaluate

    use_style()
    factor = validation.real("factor", factor, low=1.0)
    t2 = round(factor * t1)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1.0]})
    ax, ax_cost = axes
    colors = {"wsd-continued": PALETTE["blue"], "cosine-restarted": PALETTE["vermillion"],
              "cosine-rewarmed": PALETTE["orange"], "inverse-sqrt": PALETTE["green"]}
    names = {**LABELS, "inverse-sqrt": "inverse square root"}
    planned = _extended_schedules(peak, t1, t2, cooldown)
    steps = np.arange(t2)  # steps 0 .. T2 - 1 are trained
    for strategy, (first, second) in planned.items():
        color = colors[strategy]
        if strategy == "wsd-continued":
            stable = round((1 - cooldown) * t1)
            ax.plot(np.arange(t1 + 1), evaluate(first, np.arange(t1 + 1)), color=color,
                    linestyle=":", linewidth=1.4, label="WSD planned for $T_1$")
            ax.plot(steps, evaluate(second, steps), color=color,
                    label="WSD continued from its stable phase (dot)")
            ax.plot([stable], [peak], "o", color=color, markersize=6)
        elif strategy == "cosine-restarted":
            ax.plot(np.arange(t1 + 1), evaluate(first, np.arange(t1 + 1)), color=color,
                    linestyle=":", linewidth=1.4, label="cosine planned for $T_1$")
            ax.plot(steps, evaluate(second, steps), color=color, linestyle="--",
                    label="cosine restarted for $T_2$")
        elif strategy == "cosine-rewarmed":
            tail = steps[steps >= t1]
            ax.plot(tail, evaluate(second, tail - t1), color=color,
                    label="cosine rewarmed after $T_1$")
        else:
            ax.plot(steps, evaluate(second, steps), color=color, linewidth=1.4,
                    label=names[strategy])
    ax.axvline(t1, color=PALETTE["black"], linewidth=0.8)
    ax.text(t1, 1.02 * peak, " $T_1$", va="bottom", fontsize=9)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"learning rate $\eta_t$ / peak")
    ax.set_ylim(0, 1.12 * peak)
    ax.set_title(f"Asked for $T_2$ = {factor:g}·$T_1$ after $T_1$ (cooldown {cooldown:.0%})")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3,
               fontsize=8)
    strategies = ["wsd-continued", "cosine-restarted", "cosine-rewarmed", "inverse-sqrt"]
    cost = [compute_steps(s, t1, t2, cooldown) / t1 for s in strategies]
    ax_cost.barh(range(4), cost, color=[colors[s] for s in strategies])
    ax_cost.set_yticks(range(4), [names[s] for s in strategies])
    ax_cost.invert_yaxis()
    for row, value in enumerate(cost):
        ax_cost.text(value, row, f" {value:.2f}", va="center", fontsize=9)
    ax_cost.set_xlim(0, 1.3 * max(cost))
    ax_cost.set_xlabel("steps for both models / $T_1$")
    ax_cost.set_title("Compute")


def budget_experiment(fig, factor=2.0, cooldown=0.2, peak=1.0, t1=1000):
    """The schedules when a run planned for $T_1$ = ``t1`` steps is asked, after the fact, for
    $T_2$ = ``factor`` $T_1$ (left), and the steps each way spends to have both models
    (right, :func:`compute_steps`). WSD (blue) keeps its stable phase: the dot marks the
    checkpoint it continues from; the dotted curves are the plans for $T_1$."""
    _budget_experiment(fig, factor, cooldown, peak, t1)


budget_experiment.figsize = (10.0, 4.2)
budget_experiment.title = "The budget extended"
budget_experiment.scrub = "factor"


def budget_experiment_controls():
    """The sliders of :func:`budget_experiment`."""
    from lrlib.course.widgets import slider

    return {"factor": slider(2.0, 1.0, 4.0, step=0.5, description="T₂ / T₁"),
            "cooldown": slider(0.2, 0.1, 0.5, step=0.1, description="cooldown share")}


# --- Checkers of the exercises -----------------------------------------------------------------

def _placeholder():
    from lrlib.course.check import Result

    return Result(False, "replace the `...` with your answer, then run the cell again.")


def check_linear_to_zero(my_schedule):
    r"""Exercise unknown-budget-ex-linear: an existing lrlib class giving
    $\eta_t = 0.5\,(1 - t/1000)$, then 0."""
    from lrlib.course.check import Result, check_schedule, record_hints
    from lrlib.schedules import Schedule

    if my_schedule is Ellipsis:
        return _placeholder()

    def reference(step):
        return 0.5 * max(0.0, 1.0 - step / 1000)

    steps = [0, 1, 100, 250, 500, 799, 800, 999, 1000, 1500]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule", rtol=1e-4,
                            atol=1e-7)
    if not result:
        record_hints("which lrlib schedule can hold a rate and then fall in a straight line "
                     "to 0? Make the part that holds the rate as short as it can be.",
                     "its decay can take the whole budget.")
        return result
    if not isinstance(my_schedule, Schedule):
        return Result(True, result.message + " It is not an lrlib schedule, though: the "
                                             "exercise asks which lrlib class gives it.")
    return Result(True, result.message + " Linear decay to zero is warmup-stable-decay with "
                                         "no warmup and no stable phase: no new class.")


def check_extension_cost(wsd, cosine):
    """Exercise unknown-budget-ex-cost: the steps to have models for $T_1$ = 10,000 and, asked
    for afterwards, $T_2$ = 30,000, with a 20% WSD cooldown and with cosine restarted."""
    from lrlib.course.check import Result, check_number

    if wsd is Ellipsis or cosine is Ellipsis:
        return _placeholder()
    t1, t2 = 10_000, 30_000
    first = check_number(wsd, compute_steps("wsd-continued", t1, t2), name="WSD's steps",
                         rtol=1e-3, low=t2, allowed="at least T₂ steps are needed for the "
                         "T₂ model",
                         hints=["WSD restarts from a checkpoint: which step of the T₁ run "
                                "still has the peak rate?",
                                "count the T₁ run whole, then the steps from that "
                                "checkpoint to T₂."])
    if not first:
        return first
    second = check_number(cosine, compute_steps("cosine-restarted", t1, t2),
                          name="cosine's steps", rtol=1e-3, low=t2,
                          hints=["cosine planned for T₁ is at rate 0 by then: no step of it "
                                 "can be reused for a cosine planned for T₂."])
    if not second:
        return second
    return Result(True, f"WSD spends {wsd:,.0f} steps and cosine {cosine:,.0f}: WSD reuses "
                        "the stable phase of the first run and pays only for its cooldown "
                        "twice.")


def check_inverse_sqrt_step(answer):
    r"""Exercise unknown-budget-ex-isqrt: the step at which inverse square root with a
    500-step warmup is down to a tenth of its peak ($t = 100\,W$)."""
    from lrlib.course.check import Result, check_number

    if answer is Ellipsis:
        return _placeholder()
    result = check_number(answer, 50_000, name="the step", rtol=1e-3, low=500,
                          allowed="the rate only falls after the warmup",
                          hints=["after the warmup the rate is η_peak·√(W/t): set it to "
                                 "η_peak/10 and solve for t."])
    if not result:
        value = None
        try:
            value = float(answer)
        except (TypeError, ValueError):
            pass
        if value is not None and math.isclose(value, 5_000, rel_tol=1e-3):
            return Result(False, result.message + " That is where √(W/t) = 1/√10: the rate "
                                                   "falls with the square root of t, so a "
                                                   "tenth needs t/W = 100.")
        return result
    return Result(True, "at step 50,000, 100 times the warmup: the rate falls slowly, and "
                        "never reaches 0, so an inverse-square-root run ends without the "
                        "final cooldown that WSD and cosine give.")


def main(argv=None):
    """``python -m lrlib.course.unknown_budget {digits,mnist1d,mnist1d-adam,extension,
    extension-mnist1d}``: run one sweep
    (one worker; resumable: the studies' journals live in ``/tmp/lrlib-unknown-budget``),
    write its table into ``lrlib/course/results/`` and print the time it took."""
    parser = argparse.ArgumentParser(prog="python -m lrlib.course.unknown_budget")
    parser.add_argument("sweep", choices=("digits", "mnist1d", "digits-adam", "mnist1d-adam",
                                          "extension", "extension-mnist1d"))
    parser.add_argument("--families", nargs="+",
                        help="run these contenders only and put their runs into the table "
                             "(in place of their old runs)")
    parser.add_argument("--out", help="the table (default: lrlib/course/results/...)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    start, cpu = time.perf_counter(), time.process_time()
    if args.sweep.startswith("extension"):
        task = "digits" if args.sweep == "extension" else args.sweep.split("-", 1)[1]
        results = run_extension(task, progress=not args.no_progress)
        setup = extension_setup(SETUPS[task])
    else:
        results = run_comparison(args.sweep, args.families, progress=not args.no_progress)
        setup = SETUPS[args.sweep]
    out = args.out or RESULTS / f"{TABLES[args.sweep]}.jsonl"
    if args.families and pathlib.Path(out).exists():
        kept = [r for r in read_table(out).records if r.family not in args.families]
        results = SweepResults.from_records(kept + list(results.records),
                                            total_steps=results.total_steps)
    write_table(results, out, setup)
    print(f"{len(results.records)} runs on {args.sweep}: {time.perf_counter() - start:.0f} s "
          f"wall, {time.process_time() - cpu:.0f} s CPU; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
