"""Runs on the course's common setup, and every comparison of them: one record, one table.

Every chapter that compares learning rates or schedules trains the same small network
(:func:`lrlib.course.training.build_model`, one hidden layer of 64 units) on the same data
(scikit-learn's digits) with plain SGD, the same budget (:data:`COMMON`: 10 epochs of batches
of 32, that is 430 steps) and the same seeds, against the same baseline: the best constant
rate of the convergence chapter's sweep, :data:`BASELINE_LEARNING_RATE`.

What this module holds, each idea once:

- **Running**: :func:`run` (one schedule, one seed), :func:`run_seeds` (every seed of a
  :class:`Setup`), :func:`trial` (one schedule *family* at one peak rate and seed: the unit of
  a sweep, and of a hyperparameter-search tool's objective).
- **The record of a run**, :class:`Record`: what ran (task, family, peak rate, seed), how far
  (steps, ``diverged_at``), and its metrics keyed by split (``metrics["test"]["accuracy"]``).
  It reads a :class:`lrlib.course.training.TrainingRun`, whose definitions it keeps:

  * *diverged*: ``TrainingRun.diverged``, the training logger's rule
    (:data:`lrlib.callbacks.DIVERGED_LOSS_FACTOR`); a diverged run measures nothing;
  * *final training loss*: ``TrainingRun.final_training_loss``, the training loss of the
    last epoch as Keras reports it (the mean over the epoch's examples);
  * *steps to target*: the first epoch end at which test accuracy reached
    :data:`TARGET_ACCURACY`.

- **The summary of a contender**, :class:`Summary`: the records of one schedule (one per
  seed), each metric's mean, standard deviation and min–max over the seeds that did not
  diverge, and how many diverged. :func:`summarize` makes one, :func:`compare` one per group.
- **The table**, :class:`Table`: shows itself as HTML in a notebook, and as text
  (``print``) or Markdown (:meth:`Table.to_markdown`). :func:`table` tabulates summaries.
- **A sweep**, :func:`sweep`: every (family, peak rate, seed), as :class:`SweepResults`,
  which knows the best rate (:meth:`SweepResults.best_rate`, the one rule) and gives tables.
- **Figures**: :func:`plot_runs`, :func:`comparison_figure`, :func:`plot_sweep`.

Example:
    >>> from lrlib.course.runs import COMMON, Record, summarize
    >>> COMMON.total_steps
    430
    >>> records = [Record.of("cosine", 0.3, seed, accuracy=a, train_loss=0.01)
    ...            for seed, a in enumerate((0.96, 0.97, 0.98))]
    >>> summary = summarize(records)
    >>> round(summary.mean("accuracy"), 3), summary.describe("accuracy")
    (0.97, '0.970 (0.960–0.980)')
"""

import dataclasses
import gc
import html
import math

import numpy as np

from lrlib import validation
from lrlib.course.data import TASKS, load_task, steps_per_epoch
from lrlib.schedules import BUDGET_FAMILIES, FAMILIES, Constant, for_budget, mean_rate

__all__ = [
    "Setup",
    "COMMON",
    "BASELINE_GRID",
    "BASELINE_LEARNING_RATE",
    "TARGET_ACCURACY",
    "SCHEDULE_FREE",
    "TRIAL_FAMILIES",
    "run",
    "run_seeds",
    "trial",
    "Metric",
    "METRICS",
    "Record",
    "Summary",
    "summarize",
    "compare",
    "Entry",
    "Table",
    "table",
    "SweepResults",
    "sweep",
    "release",
    "plot_runs",
    "comparison_figure",
    "plot_sweep",
]


# --- The common setup ---------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Setup:
    """A training budget: epochs, batch size, seeds, network and optimizer, and the task.

    ``task`` names the data (:func:`lrlib.course.data.load_task`: ``"digits"`` or
    ``"mnist1d"``); ``validation`` asks for a validation split carved out of its training
    split (then every run records validation and test metrics, and a sweep selects on
    validation: see :meth:`SweepResults.best_rate`). ``momentum`` is SGD's.
    """

    epochs: int = 10
    batch_size: int = 32
    seeds: tuple = (0, 1, 2)
    hidden: tuple = (64,)
    optimizer: str = "sgd"
    task: str = "digits"
    validation: bool = False
    momentum: float = 0.0

    def __post_init__(self):
        validation.choice("task", self.task, TASKS)
        if not isinstance(self.validation, bool):
            raise ValueError(f"`validation` must be True or False, got {self.validation!r}")

    def data(self):
        """The :class:`lrlib.course.data.Dataset` the runs train on (cached)."""
        return load_task(self.task, self.validation)

    @property
    def steps_per_epoch(self):
        return steps_per_epoch(len(self.data().x_train), self.batch_size)

    @property
    def total_steps(self):
        """The budget in optimizer steps: what a schedule's length should be."""
        return self.epochs * self.steps_per_epoch


#: The course's common setup (digits, 10 epochs of batch 32 = 430 steps, seeds 0, 1, 2).
COMMON = Setup()

#: The constant SGD rates of the convergence chapter's sweep on the common setup.
BASELINE_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)

#: The best of them (:meth:`SweepResults.best_rate`; the convergence chapter asserts that its
#: sweep finds this value): the baseline every schedule is compared with.
BASELINE_LEARNING_RATE = 0.3

#: "Steps to reach" in the comparisons means steps to this test accuracy.
TARGET_ACCURACY = 0.95

#: The family of :func:`trial` that is an optimizer, not a schedule: the schedule-free
#: version of the setup's optimizer (:class:`lrlib.optimizers.ScheduleFreeSGD` for SGD,
#: :class:`lrlib.optimizers.ScheduleFreeAdamW` for Adam and AdamW) at a constant rate.
SCHEDULE_FREE = "schedule-free"

#: Every family :func:`trial` runs: the chapters' seven (:data:`lrlib.schedules.FAMILIES`),
#: those of the unknown-budget chapter (:data:`lrlib.schedules.BUDGET_FAMILIES`) and
#: :data:`SCHEDULE_FREE`.
TRIAL_FAMILIES = FAMILIES + BUDGET_FAMILIES + (SCHEDULE_FREE,)

#: The schedule-free counterpart of each optimizer of a :class:`Setup`.
_SCHEDULE_FREE_OPTIMIZERS = {"sgd": "schedule-free-sgd", "adam": "schedule-free-adamw",
                             "adamw": "schedule-free-adamw",
                             "schedule-free-sgd": "schedule-free-sgd",
                             "schedule-free-adamw": "schedule-free-adamw"}

#: The task every run of the course trains on (a record's ``task``).
TASK = "digits"


def _check_setup(setup):
    if not isinstance(setup, Setup):
        raise ValueError(f"`setup` must be an lrlib.course.runs.Setup, got {setup!r}")
    return setup


def run(schedule, seed, setup=COMMON):
    """Train the common model with ``schedule`` (a number or any schedule) and one ``seed``.

    Returns the :class:`lrlib.course.training.TrainingRun`.
    """
    from lrlib.course.training import train

    setup = _check_setup(setup)
    options = {}
    if setup.optimizer.startswith("schedule-free"):
        # The schedule-free optimizers warm up inside (as the reference does), over 5% of
        # the budget (lrlib.schedules.WARMUP_FRACTION, as "inverse-sqrt").
        from lrlib.schedules import WARMUP_FRACTION

        options["warmup_steps"] = max(1, round(WARMUP_FRACTION * setup.total_steps))
    return train(schedule, optimizer=setup.optimizer, momentum=setup.momentum,
                 epochs=setup.epochs, batch_size=setup.batch_size, seed=seed,
                 hidden=setup.hidden, data=setup.data(), **options)


def run_seeds(schedule, setup=COMMON):
    """:func:`run` once per seed of ``setup``; returns the list of runs."""
    return [run(schedule, seed, setup) for seed in _check_setup(setup).seeds]


def trial(family, peak, seed, setup=COMMON):
    """One cell of a sweep: train the common model with ``family`` peaking at ``peak``.

    A plain function of (schedule family, peak learning rate, seed) returning a
    :class:`Record`, so that a sweep is a loop (or a hyperparameter-search tool's objective).
    ``family`` is one of :data:`lrlib.schedules.FAMILIES` or
    :data:`lrlib.schedules.BUDGET_FAMILIES`, sized to the budget by
    :func:`lrlib.schedules.for_budget`, or :data:`SCHEDULE_FREE`: the schedule-free version
    of ``setup.optimizer`` at the constant rate ``peak`` (SGD's momentum 0 becomes the
    reference's default 0.9, as schedule-free SGD needs one; 5% of the budget warms up). The
    record keeps the run (``record.run``).
    """
    setup = _check_setup(setup)
    family = validation.choice("family", family, TRIAL_FAMILIES)
    if family == SCHEDULE_FREE:
        setup = dataclasses.replace(
            setup, optimizer=_SCHEDULE_FREE_OPTIMIZERS[setup.optimizer],
            momentum=(setup.momentum or 0.9) if setup.optimizer in ("sgd", "schedule-free-sgd")
            else 0.0)
        schedule = Constant(validation.positive("peak", peak))
        return Record.from_run(run(schedule, seed, setup), family=family, peak=peak,
                               task=setup.task)
    schedule = for_budget(family, peak, setup.total_steps)
    return Record.from_run(run(schedule, seed, setup), family=family, peak=peak,
                           task=setup.task)


# --- The record of a run ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Metric:
    """How to read, compare and print one number that a run reports.

    ``split`` and ``name`` say where a :class:`Record` keeps it:
    ``record.metrics[split][name]``.
    """

    key: str
    split: str
    name: str
    label: str
    higher_is_better: bool
    digits: int


#: The numbers a comparison reports, by key.
METRICS = {
    "accuracy": Metric("accuracy", "test", "accuracy", "final test accuracy", True, 3),
    "loss": Metric("loss", "test", "loss", "final test loss", False, 3),
    "val_accuracy": Metric("val_accuracy", "validation", "accuracy",
                           "final validation accuracy", True, 3),
    "val_loss": Metric("val_loss", "validation", "loss", "final validation loss", False, 3),
    "train_loss": Metric("train_loss", "train", "loss", "training loss, last epoch", False, 4),
    "steps_to_target": Metric("steps_to_target", "test", "steps_to_target",
                              f"steps to {TARGET_ACCURACY:.0%} test accuracy", False, 0),
}


def _metric(key):
    return METRICS[validation.choice("metric", key, tuple(METRICS))]


@dataclasses.dataclass(frozen=True)
class Record:
    """One training run as plain data: what ran, how far, and what it measured.

    Attributes:
        family: the schedule's family (one of :data:`lrlib.schedules.FAMILIES`), or the label
            of any other schedule.
        peak: its peak (largest) learning rate, or ``None`` when not known.
        seed: the run's seed.
        metrics: the measurements, keyed by split, then by name:
            ``{"train": {"loss": ...}, "test": {"accuracy": ..., "loss": ...,
            "steps_to_target": ...}}`` (see :data:`METRICS`; a target never reached is
            absent), and ``"validation": {"accuracy": ..., "loss": ...}`` when the run had a
            validation split. A diverged run measured nothing: its splits are empty.
        diverged_at: the step at which the run diverged and stopped, or ``None``.
        steps: the optimizer steps it took (``None`` when not known).
        mean_rate: the mean of the rates it used, step by step (``None`` when not known).
        task: what it trained on.
        run: the :class:`lrlib.course.training.TrainingRun` itself, when kept (not compared,
            not exported by :meth:`to_dict`).
    """

    family: str
    peak: float | None
    seed: int
    metrics: dict
    diverged_at: int | None = None
    steps: int | None = None
    mean_rate: float | None = None
    task: str = TASK
    run: object = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def diverged(self):
        """Whether the run diverged (the rule is the training logger's; see the module)."""
        return self.diverged_at is not None

    def value(self, metric):
        """The number of ``metric`` (a key of :data:`METRICS`), or ``None`` if not measured."""
        m = _metric(metric)
        return self.metrics.get(m.split, {}).get(m.name)

    @classmethod
    def of(cls, family, peak, seed, *, diverged_at=None, steps=None, mean_rate=None,
           task=TASK, validated=False, **values):
        """A record from numbers keyed as :data:`METRICS` (``accuracy=0.97``, ...).

        ``None`` values are left out; so is every value of a diverged run. ``validated``
        gives the record a (possibly empty) validation split even when no value is given.
        """
        metrics = {"train": {}, "test": {}}
        if validated:
            metrics["validation"] = {}
        for key, value in values.items():
            m = _metric(key)
            if value is not None and diverged_at is None:
                metrics.setdefault(m.split, {})[m.name] = value
        return cls(family, peak, seed, metrics, diverged_at, steps, mean_rate, task)

    @classmethod
    def from_run(cls, run, family, peak=None, target=TARGET_ACCURACY, task=TASK):
        """The record of a :class:`lrlib.course.training.TrainingRun` (which it keeps),
        with a validation split when the run had one."""
        steps = int(len(run.losses))
        record = cls.of(
            family, peak, run.seed, diverged_at=run.diverged_at, steps=steps,
            mean_rate=float(np.mean(run.learning_rates)) if steps else None, task=task,
            validated=run.has_validation,
            accuracy=run.final_accuracy, loss=run.final_loss,
            val_accuracy=run.final_validation_accuracy, val_loss=run.final_validation_loss,
            train_loss=run.final_training_loss,
            steps_to_target=run.steps_to_accuracy(target),
        )
        return dataclasses.replace(record, run=run)

    def to_dict(self):
        """The record as a plain dict (for JSON, pandas, a database), without the run."""
        return {"task": self.task, "family": self.family, "peak": self.peak,
                "seed": self.seed, "steps": self.steps, "diverged": self.diverged,
                "diverged_at": self.diverged_at, "mean_rate": self.mean_rate,
                "metrics": {split: dict(values) for split, values in self.metrics.items()}}

    @classmethod
    def from_dict(cls, values):
        """The record of :meth:`to_dict`'s dict."""
        missing = [k for k in ("family", "peak", "seed", "metrics") if k not in values]
        if missing:
            raise ValueError(f"`records`: a record lacks {', '.join(missing)}: {values!r}")
        return cls(values["family"], values["peak"], values["seed"],
                   {split: dict(v) for split, v in values["metrics"].items()},
                   values.get("diverged_at"), values.get("steps"), values.get("mean_rate"),
                   values.get("task", TASK))


def _records(runs, label):
    """Records of ``runs`` (records, or training runs labelled ``label``)."""
    runs = list(runs)
    if not runs:
        raise ValueError("`runs` must not be empty")
    return tuple(r if isinstance(r, Record) else Record.from_run(r, family=label)
                 for r in runs)


# --- The summary of a contender -----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Entry:
    """One entry of a :class:`Table`: a main text and an optional detail.

    In text and Markdown the detail follows in brackets; in HTML it goes on a second,
    smaller line.
    """

    text: str
    detail: str = ""

    def __str__(self):
        return f"{self.text} ({self.detail})" if self.detail else self.text


def _at_steps(steps):
    """``at step 5``, ``at steps 5–8`` or nothing."""
    if not steps:
        return ""
    if steps[0] == steps[-1]:
        return f"at step {steps[0]}"
    return f"at steps {steps[0]}–{steps[-1]}"


@dataclasses.dataclass(frozen=True)
class Summary:
    """The records of one contender (a schedule, one run per seed), summarised.

    The rule, once: a metric's statistics (:meth:`mean`, :meth:`std`, :meth:`low`,
    :meth:`high`, :meth:`spread`) are over the runs that did not diverge and measured it;
    :attr:`diverged` counts the others, and every table shows that count beside the numbers.
    """

    label: str
    records: tuple

    def __post_init__(self):
        if not self.records:
            raise ValueError("`records` must not be empty")

    @property
    def runs(self):
        """How many runs (seeds) the summary holds."""
        return len(self.records)

    @property
    def diverged(self):
        """How many of them diverged."""
        return sum(r.diverged for r in self.records)

    @property
    def stable(self):
        """True when no run diverged."""
        return self.diverged == 0

    @property
    def family(self):
        """The family of the runs (the first record's)."""
        return self.records[0].family

    @property
    def peak(self):
        """The peak rate of the runs (the first record's)."""
        return self.records[0].peak

    @property
    def mean_rate(self):
        """The mean over the runs of the mean rate each used (NaN when not recorded)."""
        rates = [r.mean_rate for r in self.records if r.mean_rate is not None]
        return float(np.mean(rates)) if rates else math.nan

    def diverged_steps(self):
        """The steps at which the diverged runs stopped, ascending."""
        return sorted(int(r.diverged_at) for r in self.records if r.diverged)

    def values(self, metric):
        """The ``metric`` of each run that did not diverge and measured it, as an array."""
        found = [r.value(metric) for r in self.records if not r.diverged]
        return np.array([float(v) for v in found if v is not None], dtype=float)

    def reached(self):
        """How many runs reached the target accuracy."""
        return self.values("steps_to_target").size

    def _stat(self, metric, function):
        values = self.values(metric)
        return float(function(values)) if values.size else math.nan

    def mean(self, metric):
        """Mean of :meth:`values` (NaN when there is none)."""
        return self._stat(metric, np.mean)

    def std(self, metric):
        """Standard deviation of :meth:`values` over the seeds (NaN when there is none)."""
        return self._stat(metric, np.std)

    def low(self, metric):
        """Smallest of :meth:`values` (NaN when there is none)."""
        return self._stat(metric, np.min)

    def high(self, metric):
        """Largest of :meth:`values` (NaN when there is none)."""
        return self._stat(metric, np.max)

    def spread(self, metric):
        """Largest minus smallest value over the seeds: the seed noise of the contender."""
        return self._stat(metric, np.ptp)

    # The numbers the chapters read most, by name.
    accuracy_mean = property(lambda self: self.mean("accuracy"), doc="Mean test accuracy.")
    accuracy_std = property(lambda self: self.std("accuracy"), doc="Its standard deviation.")
    loss_mean = property(lambda self: self.mean("loss"), doc="Mean test loss.")
    loss_std = property(lambda self: self.std("loss"), doc="Its standard deviation.")
    training_loss = property(lambda self: self.mean("train_loss"),
                             doc="Mean final training loss.")
    steps_to_target = property(lambda self: self.mean("steps_to_target"),
                               doc="Mean steps to the target, over the runs that reached it.")

    def entry(self, metric="accuracy"):
        """One metric as a table :class:`Entry`: the mean, and the min–max over seeds.

        ``diverged 3/3`` (with the steps) when every run diverged, ``never`` when no run
        reached the target; the detail also says how many runs diverged or never reached it.
        """
        m = _metric(metric)
        if self.diverged == self.runs:
            return Entry(f"diverged {self.diverged}/{self.runs}",
                         _at_steps(self.diverged_steps()))
        values = self.values(m.key)
        if values.size == 0:
            return Entry("never")
        low, high = f"{values.min():.{m.digits}f}", f"{values.max():.{m.digits}f}"
        notes = [] if low == high else [f"{low}–{high}"]
        if m.key == "steps_to_target" and self.reached() < self.runs - self.diverged:
            notes.append(f"{self.reached()}/{self.runs} reached")
        if self.diverged:
            notes.append(f"{self.diverged}/{self.runs} diverged")
        return Entry(f"{values.mean():.{m.digits}f}", ", ".join(notes))

    def describe(self, metric=None):
        """``metric`` in a few characters (``0.970 (0.966–0.974)``), or, by default, one
        line: test accuracy, test loss and steps to the target, or how the runs diverged."""
        if metric is not None:
            return str(self.entry(metric))
        if self.diverged == self.runs:
            return str(self.entry("accuracy"))
        steps = self.entry("steps_to_target")
        line = (f"test accuracy {self.entry('accuracy')}, test loss {self.entry('loss')}, "
                f"steps to {TARGET_ACCURACY:.0%}: {steps}")
        return line


def summarize(runs, label=""):
    """The :class:`Summary` of ``runs``: training runs (of one schedule, one per seed) or
    :class:`Record` objects."""
    return Summary(label, _records(runs, label))


def compare(groups):
    """A :class:`Summary` per entry of ``groups`` (a dict of label -> list of runs)."""
    if not isinstance(groups, dict) or not groups:
        raise ValueError("`groups` must be a non-empty dict of label -> list of runs")
    summaries = []
    for label, runs in groups.items():
        if not isinstance(label, str) or not list(runs):
            raise ValueError(f"`groups` must map labels to non-empty lists of runs, "
                             f"got {label!r}")
        summaries.append(summarize(runs, label))
    return tuple(summaries)


# --- The table ----------------------------------------------------------------------------

_DETAIL_STYLE = 'style="font-size: 80%; opacity: 0.75; white-space: nowrap"'


@dataclasses.dataclass(frozen=True)
class Table:
    """A small table that shows itself as HTML in a notebook, as text when printed, and
    converts to Markdown."""

    columns: tuple
    rows: tuple
    caption: str = ""

    def __post_init__(self):
        if any(len(row) != len(self.columns) for row in self.rows):
            raise ValueError("`rows` must each have one entry per column")

    def _numeric(self, index):
        """A column is numeric when its entries start with a digit (or say 'diverged')."""
        entries = [str(row[index]) for row in self.rows]
        words = ("diverged", "never", "none", "–")
        return bool(entries) and all(e[:1].isdigit() or e.startswith(words) for e in entries)

    def to_text(self):
        """The table as aligned plain text (numbers right-aligned)."""
        cells = [[str(c) for c in self.columns]] + [[str(c) for c in row] for row in self.rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(self.columns))]
        lines = ["  ".join(c.rjust(w) if self._numeric(i) else c.ljust(w)
                           for i, (c, w) in enumerate(zip(line, widths))).rstrip()
                 for line in cells]
        return "\n".join(([self.caption] if self.caption else []) + lines)

    def to_markdown(self):
        """The table in GitHub-flavoured Markdown (numbers right-aligned)."""

        def line(cells):
            return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

        align = ["---:" if self._numeric(i) else ":---" for i in range(len(self.columns))]
        lines = [line(self.columns), "| " + " | ".join(align) + " |"]
        lines += [line(row) for row in self.rows]
        if self.caption:
            lines = [self.caption, ""] + lines
        return "\n".join(lines)

    def to_html(self):
        """The table as an HTML ``<table>``."""
        def cell(tag, value, index):
            align = "right" if self._numeric(index) else "left"
            style = f' style="text-align: {align}; padding: 0.25em 0.6em"'
            text = html.escape(value.text if isinstance(value, Entry) else str(value))
            if isinstance(value, Entry) and value.detail:
                text += f"<br><span {_DETAIL_STYLE}>{html.escape(value.detail)}</span>"
            return f"<{tag}{style}>{text}</{tag}>"

        parts = ["<table>"]
        if self.caption:
            parts.append(f"<caption>{html.escape(self.caption)}</caption>")
        parts.append("<thead><tr>" + "".join(cell("th", c, i) for i, c in
                                             enumerate(self.columns)) + "</tr></thead>")
        parts.append("<tbody>")
        for row in self.rows:
            parts.append("<tr>" + "".join(cell("td", c, i) for i, c in enumerate(row)) + "</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)

    def _repr_html_(self):
        return self.to_html()

    def __str__(self):
        return self.to_text()


def table(summaries, caption=None):
    """The table of a comparison: one row per :class:`Summary` (see :func:`compare`).

    Columns: test accuracy, test loss, final training loss and steps to the target (each the
    mean over the seeds, with the min–max), the mean rate the runs used, and, when a run
    diverged, how many.
    """
    summaries = tuple(summaries)
    if not summaries or not all(isinstance(s, Summary) for s in summaries):
        raise ValueError("`summaries` must be a non-empty list of Summary")
    keys = ("accuracy", "loss", "train_loss", "steps_to_target")
    columns = ["", "test accuracy", "test loss", "training loss",
               f"steps to {TARGET_ACCURACY:.0%}", "mean rate"]
    diverged = any(s.diverged for s in summaries)
    if diverged:
        columns.append("diverged")
    rows = []
    for s in summaries:
        row = [s.label, *(s.entry(k) for k in keys),
               "–" if math.isnan(s.mean_rate) else f"{s.mean_rate:.3f}"]
        if diverged:
            row.append(f"{s.diverged}/{s.runs}")
        rows.append(tuple(row))
    if caption is None:
        seeds = max(s.runs for s in summaries)
        caption = f"Mean over {seeds} seeds (and min–max)."
    return Table(tuple(columns), tuple(rows), caption)


# --- A sweep ------------------------------------------------------------------------------

def _format_rate(rate):
    return f"{rate:g}"


@dataclasses.dataclass(frozen=True)
class SweepResults:
    """Every run of a sweep: ``records`` holds one :class:`Record` per (family, peak, seed).

    ``total_steps`` is the budget the runs used (for :meth:`mean_rate`), ``target`` the
    accuracy that :meth:`working_rates` asks of every seed.
    """

    records: tuple
    target: float = TARGET_ACCURACY
    total_steps: int = COMMON.total_steps

    @classmethod
    def from_records(cls, records, target=TARGET_ACCURACY, total_steps=COMMON.total_steps):
        """Build from :class:`Record` objects or their dicts (:meth:`Record.to_dict`): a
        sweep's, or a search tool's trials."""
        records = tuple(r if isinstance(r, Record) else Record.from_dict(r) for r in records)
        if not records:
            raise ValueError("`records` must not be empty")
        return cls(records=records, target=validation.real("target", target, low=0, high=1),
                   total_steps=validation.integer("total_steps", total_steps, low=8))

    def to_records(self):
        """The records as a list of plain dicts (for JSON, pandas, a spreadsheet)."""
        return [r.to_dict() for r in self.records]

    @property
    def families(self):
        """The families swept, in the course's order."""
        found = {r.family for r in self.records}
        known = [f for f in TRIAL_FAMILIES if f in found]
        return tuple(known + sorted(found - set(known)))

    @property
    def rates(self):
        """The peak learning rates swept, ascending."""
        return tuple(sorted({float(r.peak) for r in self.records}))

    @property
    def seeds(self):
        """The seeds swept, ascending."""
        return tuple(sorted({r.seed for r in self.records}))

    @property
    def metrics(self):
        """The keys of :data:`METRICS` that some run measured."""
        return tuple(k for k in METRICS if any(r.value(k) is not None for r in self.records))

    def __len__(self):
        return len(self.records)

    def cell(self, family, peak):
        """The :class:`Summary` of one family at one peak rate."""
        validation.choice("family", family, self.families)
        peak = validation.positive("peak", peak)
        found = tuple(r for r in self.records
                      if r.family == family and math.isclose(r.peak, peak))
        if not found:
            rates = ", ".join(_format_rate(r) for r in self.rates)
            raise ValueError(f"`peak` {peak:g} was not swept for {family!r} (rates: {rates})")
        return Summary(f"{family}, η₀ = {peak:g}", found)

    def cells(self, family):
        """The summaries of one family, by ascending peak rate."""
        validation.choice("family", family, self.families)
        rates = sorted({float(r.peak) for r in self.records if r.family == family})
        return [self.cell(family, rate) for rate in rates]

    def runs(self, family, peak):
        """The training runs the records of one cell kept, one per seed."""
        return [r.run for r in self.cell(family, peak).records if r.run is not None]

    @property
    def selection_metric(self):
        """The metric :meth:`best_rate` selects on by default: validation accuracy when the
        runs measured it (the protocol: select on validation, report test), test accuracy
        otherwise (runs without a validation split)."""
        return "val_accuracy" if "val_accuracy" in self.metrics else "accuracy"

    def best_rate(self, family, metric=None):
        """THE best-rate rule of the course: among the peak rates at which no seed diverged,
        the one with the best mean ``metric`` (by default :attr:`selection_metric`: the
        highest validation accuracy when the runs had a validation split, else the highest
        test accuracy); a tie goes to the smaller rate. ``None`` when a seed diverged at
        every rate.
        """
        m = _metric(self.selection_metric if metric is None else metric)
        scored = [(c.mean(m.key), c.peak) for c in self.cells(family)
                  if c.stable and not math.isnan(c.mean(m.key))]
        if not scored:
            return None
        pick = max if m.higher_is_better else min
        return pick(scored, key=lambda pair: pair[0])[1]  # the first (smaller) on a tie

    def working_rates(self, family, floor=None):
        """The peak rates at which every seed finished with test accuracy >= ``floor``.

        ``floor`` defaults to the sweep's target accuracy. How many rates of a grid work is
        the simplest measure of how sensitive a schedule is to its peak rate.
        """
        floor = self.target if floor is None else validation.real("floor", floor, low=0, high=1)
        return tuple(c.peak for c in self.cells(family)
                     if c.stable and c.low("accuracy") >= floor)

    def diverging_rates(self, family):
        """The peak rates at which at least one seed diverged."""
        return tuple(c.peak for c in self.cells(family) if not c.stable)

    def mean_rate(self, family, peak):
        """The mean rate over the budget of ``family`` peaking at ``peak``
        (:func:`lrlib.schedules.mean_rate`): how much learning rate it delivers in all."""
        peak = validation.positive("peak", peak)
        family = validation.choice("family", family, TRIAL_FAMILIES)
        if family == SCHEDULE_FREE:
            return peak
        return mean_rate(for_budget(family, peak, self.total_steps), self.total_steps)

    def curve(self, family, metric="accuracy"):
        """Arrays for a sensitivity plot: ``rates``, ``mean``, ``low``, ``high``, ``diverged``.

        ``mean``/``low``/``high`` are NaN where no seed gave a value; ``diverged`` counts the
        diverged seeds at each rate.
        """
        cells = self.cells(family)
        return {
            "rates": np.array([c.peak for c in cells]),
            "mean_rates": np.array([self.mean_rate(family, c.peak) for c in cells]),
            "mean": np.array([c.mean(metric) for c in cells]),
            "low": np.array([c.low(metric) for c in cells]),
            "high": np.array([c.high(metric) for c in cells]),
            "values": [c.values(metric) for c in cells],
            "diverged": np.array([c.diverged for c in cells]),
            "diverged_steps": [c.diverged_steps() for c in cells],
            "runs": np.array([c.runs for c in cells]),
        }

    def power_law(self, metric="train_loss", axis="mean"):
        """Fit ``metric ≈ c · x**k`` through every cell where no seed diverged.

        ``x`` is the peak rate (``axis="peak"``) or the mean rate over the budget
        (``axis="mean"``). Returns ``(k, c, factors)``: ``factors`` maps each (family, rate)
        to how far its mean sits off the line, as a ratio (above 1: above the line). If one
        line fits every family, the families differ only through ``x``.
        """
        validation.choice("axis", axis, ("peak", "mean"))
        m = _metric(metric)
        keys, xs, ys = [], [], []
        for family in self.families:
            for cell in self.cells(family):
                value = cell.mean(m.key)
                if cell.stable and value > 0:
                    keys.append((family, cell.peak))
                    xs.append(cell.peak if axis == "peak" else self.mean_rate(family, cell.peak))
                    ys.append(value)
        if len(keys) < 3:
            raise ValueError("a power law needs at least 3 cells where no seed diverged")
        x, y = np.log(xs), np.log(ys)
        k, log_c = np.polyfit(x, y, 1)
        ratios = np.exp(y - (k * x + log_c))
        return float(k), float(np.exp(log_c)), dict(zip(keys, ratios.tolist()))

    def summary(self, caption=None):
        """One row per family, at its :meth:`best_rate`, with the spread over seeds.

        Columns: the best peak rate; test accuracy, training loss (when recorded) and steps
        to the target there (mean, and min–max over seeds); the rates of the grid at which
        every seed reached the target (sensitivity); the rates at which a seed diverged, and
        at which steps (stability). :meth:`grid` shows any metric at every rate.
        """
        target = f"{self.target:.0%}"
        columns = ["schedule", "best peak η₀", "test accuracy", f"steps to {target}",
                   f"peak rates reaching {target}", "diverged at"]
        has_train = "train_loss" in self.metrics
        if has_train:
            columns.insert(3, "training loss")
        rows = []
        for family in self.families:
            best = self.best_rate(family)
            works = ", ".join(_format_rate(r) for r in self.working_rates(family)) or "none"
            diverging = self.diverging_rates(family)
            diverges = Entry(", ".join(_format_rate(r) for r in diverging) or "–", "; ".join(
                _at_steps(self.cell(family, r).diverged_steps()) for r in diverging))
            if best is None:
                row = [family, "–", "diverged", "–", works, diverges]
                if has_train:
                    row.insert(3, "diverged")
            else:
                cell = self.cell(family, best)
                row = [family, _format_rate(best), cell.entry("accuracy"),
                       cell.entry("steps_to_target"), works, diverges]
                if has_train:
                    row.insert(3, cell.entry("train_loss"))
            rows.append(tuple(row))
        if caption is None:
            caption = (f"{len(self.families)} schedules × {len(self.rates)} peak rates × "
                       f"{len(self.seeds)} seeds: mean over the seeds (and min–max) at each "
                       "schedule's best peak rate.")
        return Table(tuple(columns), tuple(rows), caption)

    def grid(self, metric="accuracy", caption=None):
        """Families (rows) by rates (columns): the ``metric`` of each cell, with its spread."""
        m = _metric(metric)
        columns = ("schedule", *(f"η₀ = {_format_rate(r)}" for r in self.rates))
        rows = []
        for family in self.families:
            swept = {c.peak: c for c in self.cells(family)}
            rows.append((family, *(swept[r].entry(m.key) if r in swept else "–"
                                   for r in self.rates)))
        if caption is None:
            caption = f"{m.label}: mean over {len(self.seeds)} seeds (and min–max)"
        return Table(columns, tuple(rows), caption)

    def _repr_html_(self):
        return self.summary().to_html()


def _check_distinct(name, values, check):
    values = tuple(check(name, v) for v in values)
    if not values:
        raise ValueError(f"`{name}` must not be empty")
    if len(set(values)) != len(values):
        raise ValueError(f"`{name}` must not repeat a value, got {values!r}")
    return values


def release(record):
    """Free the model of a trial that trained one (``record.run`` is set): Keras models sit
    in reference cycles, and dozens of them left to Python's occasional full collection make
    that one collection stall for many seconds, in whatever cell happens to trigger it. A
    full collection costs about 0.2 s with TensorFlow loaded, so a record without a run (a
    synthetic trial's) is not worth one."""
    if record.run is not None:
        gc.collect()


def sweep(families=FAMILIES, rates=(0.1, 0.3, 1.0), seeds=None, setup=COMMON, *,
          objective=trial):
    """Run ``objective(family, rate, seed, setup=setup)`` for every combination.

    Args:
        families: schedule families, from :data:`lrlib.schedules.FAMILIES`.
        rates: peak learning rates (each family is sized to the budget by
            :func:`lrlib.schedules.for_budget` with this as its largest rate).
        seeds: the seeds; ``setup.seeds`` by default.
        setup: the budget and the optimizer, a :class:`Setup`.
        objective: the function of one trial, returning a :class:`Record`; :func:`trial` by
            default.

    Returns:
        A :class:`SweepResults`, one record per trial, in the loop's order.

    Each trial's garbage is collected before the next trial starts (see the code).

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.runs import Setup, sweep
        >>> short = sweep(["constant"], [0.3, 30.0], setup=Setup(epochs=1, seeds=(0,)))
        >>> short.best_rate("constant"), short.diverging_rates("constant")
        (0.3, (30.0,))
    """
    if isinstance(families, str):
        raise ValueError(f"`families` must be a list of families, got {families!r}")
    families = tuple(validation.choice("families", f, TRIAL_FAMILIES) for f in families)
    if not families or len(set(families)) != len(families):
        raise ValueError(f"`families` must be non-empty without repeats, got {families!r}")
    rates = _check_distinct("rates", rates, validation.positive)
    setup = _check_setup(setup)
    seeds = _check_distinct("seeds", setup.seeds if seeds is None else seeds,
                            lambda name, s: validation.integer(name, s, low=0))
    if not callable(objective):
        raise ValueError(f"`objective` must be a function, got {objective!r}")
    records = []
    for family in families:
        for rate in rates:
            for seed in seeds:
                outcome = objective(family, rate, seed, setup=setup)
                if not isinstance(outcome, Record):
                    raise ValueError(f"`objective` must return a Record, got {outcome!r}")
                release(outcome)
                records.append(outcome)
    return SweepResults.from_records(records, total_steps=setup.total_steps)


# --- Figures ------------------------------------------------------------------------------

def plot_runs(axes, groups, smooth=True):
    """Compare groups of runs: mean and min-max band of training loss, and test accuracy.

    ``axes`` is a pair of Matplotlib axes; ``groups`` maps a label to a list of runs (one per
    seed). Left: batch training loss (``TrainingRun.smoothed_losses``, the trailing mean over
    an epoch) against step, log scale. Right: test accuracy at the end of each epoch.
    """
    from lrlib.course.plots import COLORS, use_style

    use_style()
    ax_loss, ax_acc = axes
    for index, (label, runs) in enumerate(groups.items()):
        color = COLORS[index % len(COLORS)]
        finished = [r for r in runs if not r.diverged]
        if not finished:
            ax_loss.plot([], [], color=color, label=f"{label} (diverged)")
            continue
        curves = np.array([r.smoothed_losses() if smooth else r.losses for r in finished])
        steps = np.arange(curves.shape[1])
        ax_loss.plot(steps, curves.mean(axis=0), color=color, label=label)
        ax_loss.fill_between(steps, curves.min(axis=0), curves.max(axis=0), color=color,
                             alpha=0.2, linewidth=0)
        accuracy = np.array([r.history["val_accuracy"] for r in finished])
        ends = finished[0].epoch_end_steps
        ax_acc.plot(ends, accuracy.mean(axis=0), "o-", color=color, markersize=3, label=label)
        ax_acc.fill_between(ends, accuracy.min(axis=0), accuracy.max(axis=0), color=color,
                            alpha=0.2, linewidth=0)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("training loss (log scale)")
    ax_loss.set_title("Training loss (mean, band: min to max over seeds)")
    ax_acc.set_xlabel("step $t$")
    ax_acc.set_ylabel("test accuracy")
    ax_acc.set_title("Test accuracy at the end of each epoch")
    ax_loss.legend()
    return axes


def comparison_figure(schedules, results, total_steps, width=10.0, height=7.0):
    """The schedules (top) above training loss and test accuracy (bottom), in one figure.

    ``results`` maps a label to a list of runs (one per seed); ``schedules`` maps the same
    labels to schedules (numbers or any schedule). Colours match between the panels.
    """
    import matplotlib.pyplot as plt

    from lrlib.course.plots import COLORS, plot_schedule, use_style

    if not isinstance(results, dict) or not results or not all(list(r) for r in
                                                               results.values()):
        raise ValueError("`results` must be a non-empty dict of label -> list of runs")
    if not isinstance(schedules, dict) or list(schedules) != list(results):
        raise ValueError("`schedules` must have the same labels, in the same order, as "
                         "`results`")
    total_steps = validation.positive_integer("total_steps", total_steps)
    use_style()
    fig = plt.figure(figsize=(width, height), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[0.8, 1.0])
    ax_rate = fig.add_subplot(grid[0, :])
    ax_loss, ax_acc = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    for index, (label, schedule) in enumerate(schedules.items()):
        plot_schedule(ax_rate, schedule, total_steps, label=label,
                      color=COLORS[index % len(COLORS)])
    ax_rate.set_title("The schedules")
    ax_rate.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    plot_runs((ax_loss, ax_acc), results)
    ax_loss.get_legend().remove()
    ax_loss.set_title("Training loss (mean; band: min to max)")
    ax_acc.set_title("Test accuracy after each epoch")
    plt.close(fig)
    return fig


def _span(steps):
    return f"step {steps[0]}" if steps[0] == steps[-1] else f"steps {steps[0]}-{steps[-1]}"


def plot_sweep(axes, results, family="constant", baseline=None, title=None):
    """Draw one family of a :class:`SweepResults` (its records must keep their runs).

    Left: the training loss against step, one curve per rate (mean over the seeds that did
    not diverge of ``TrainingRun.smoothed_losses``), log scale; a diverged run is drawn
    unsmoothed up to its last step, ending in a cross. Right: final test accuracy against
    rate (log scale), one dot per seed, the mean joined by a line; rates at which every seed
    diverged are marked at the bottom. ``baseline`` (a rate) gets a star and a label;
    ``title`` (say, the optimizer's name) heads the loss panel.
    """
    from lrlib.course.plots import COLORS, PALETTE, log_rate_axis, use_style

    use_style()
    ax_loss, ax_acc = axes
    cells = results.cells(family)
    rates = [c.peak for c in cells]
    steps_per_epoch = None
    for index, cell in enumerate(cells):
        color = COLORS[index % len(COLORS)]
        runs = results.runs(family, cell.peak)
        steps_per_epoch = runs[0].steps_per_epoch
        diverged = [run for run in runs if run.diverged]
        finished = [run for run in runs if not run.diverged]
        if finished:
            curves = np.array([run.smoothed_losses() for run in finished])
            label = f"$\\eta$ = {cell.peak:g}"
            if diverged:
                label += f" ({len(diverged)} of {len(runs)} diverged)"
            ax_loss.plot(np.arange(curves.shape[1]), curves.mean(axis=0), color=color,
                         label=label)
        for k, run in enumerate(diverged):
            label = None
            if k == 0 and not finished:
                label = f"$\\eta$ = {cell.peak:g}: diverged at {_span(cell.diverged_steps())}"
            ax_loss.plot(np.arange(run.losses.size), run.losses, color=color, linewidth=1.0,
                         label=label)
            ax_loss.plot(run.losses.size - 1, run.losses[-1], "x", color=color, markersize=8)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step $t$ (optimizer steps)")
    ax_loss.set_ylabel("training loss, mean of an epoch (log)")
    ax_loss.set_title(f"{title}: training loss at each rate" if title
                      else "Training loss at each rate")
    ax_loss.legend(loc="upper right", fontsize=8)
    if steps_per_epoch:
        top = ax_loss.secondary_xaxis("top", functions=(lambda s: s / steps_per_epoch,
                                                        lambda e: e * steps_per_epoch))
        top.set_xlabel(f"epoch ({steps_per_epoch} steps each)", fontsize=9)

    good = [c for c in cells if c.diverged < c.runs]
    for cell in good:
        acc = cell.values("accuracy")
        ax_acc.plot(np.full(acc.size, cell.peak), acc, "o", color=PALETTE["sky"], markersize=4,
                    alpha=0.8, zorder=2)
    ax_acc.plot([c.peak for c in good], [c.mean("accuracy") for c in good], "-",
                color=PALETTE["blue"], label="mean over seeds" if good and good[0].runs > 1
                else "one seed", zorder=3)
    if baseline is not None and baseline in rates:
        ax_acc.plot([baseline], [results.cell(family, baseline).mean("accuracy")], "*",
                    markersize=16, color=PALETTE["orange"], markeredgecolor="black", zorder=4,
                    label=f"best: $\\eta$ = {baseline:g}")
    for cell in cells:
        if cell.diverged < cell.runs:
            continue
        ax_acc.plot([cell.peak], [0.02], "x", color=PALETTE["vermillion"], markersize=10,
                    markeredgewidth=2, transform=ax_acc.get_xaxis_transform(), clip_on=False)
        ax_acc.text(cell.peak, 0.08, "diverged", color=PALETTE["vermillion"], ha="center",
                    fontsize=9, fontweight="bold", transform=ax_acc.get_xaxis_transform())
    log_rate_axis(ax_acc)
    span = np.log10(rates[-1] / rates[0]) if len(rates) > 1 else 1.0
    ax_acc.set_xlim(rates[0] / 10 ** (0.08 * span), rates[-1] * 10 ** (0.08 * span))
    low = min((c.low("accuracy") for c in good), default=0.0)
    ax_acc.set_ylim(max(0.0, low - 0.25 * (1.0 - low)), 1.0)
    ax_acc.set_ylabel("test accuracy after the budget")
    ax_acc.set_title("Final test accuracy against rate")
    ax_acc.legend(loc="lower center")
    return axes
