"""A head-to-head sweep of schedules, and the table of its results.

:func:`sweep` trains the common model (:data:`lrlib.course.experiments.COMMON`) once per
(schedule family, peak learning rate, seed) by calling :func:`lrlib.course.experiments.trial`, and
returns a :class:`SweepResults`: every trial's numbers, summarised per family and rate, with
the spread over seeds kept in view. :meth:`SweepResults.summary` and
:meth:`SweepResults.grid` give :class:`Table` objects that show themselves as HTML in a
notebook and as Markdown with :meth:`Table.to_markdown`.

The sweep is a plain loop over a plain function, so it maps one-to-one onto a
hyperparameter-search tool: each call of ``trial(family, learning_rate, seed)`` is one trial
of an Optuna study or a KerasTuner search, and :meth:`SweepResults.from_records` turns the
tool's trials back into this table.

Example:
    >>> from lrlib.course.sweep import SweepResults
    >>> results = SweepResults.from_records([
    ...     {"family": "cosine", "learning_rate": 0.3, "seed": s, "accuracy": a,
    ...      "loss": 0.1, "steps_to_target": 86, "diverged": False}
    ...     for s, a in enumerate((0.96, 0.97, 0.98))])
    >>> cell = results.cell("cosine", 0.3)
    >>> round(cell.mean("accuracy"), 3), round(cell.spread("accuracy"), 3)
    (0.97, 0.02)
"""

import dataclasses
import html
import functools
import gc
import math

import numpy as np

from lrlib import validation
from lrlib.course.experiments import COMMON, TARGET_ACCURACY, Setup, trial
from lrlib.schedules import FAMILIES

__all__ = [
    "METRICS",
    "mean_rate_fraction",
    "Metric",
    "Cell",
    "SweepResults",
    "Table",
    "Entry",
    "sweep",
]

#: The keys every trial must return (those of :func:`lrlib.course.experiments.trial`).
REQUIRED = ("accuracy", "loss", "steps_to_target", "diverged")


@dataclasses.dataclass(frozen=True)
class Metric:
    """How to read, compare and print one number that a trial reports."""

    key: str
    label: str
    higher_is_better: bool
    digits: int


#: The numbers a sweep compares, by key.
METRICS = {
    "accuracy": Metric("accuracy", "final test accuracy", True, 3),
    "loss": Metric("loss", "final test loss", False, 3),
    "steps_to_target": Metric(
        "steps_to_target", f"steps to {TARGET_ACCURACY:.0%} test accuracy", False, 0
    ),
    "train_loss": Metric("train_loss", "training loss, last epoch", False, 4),
}


def _metric(key):
    return METRICS[validation.choice("metric", key, tuple(METRICS))]


@dataclasses.dataclass(frozen=True)
class Cell:
    """The trials of one (family, learning rate) pair: one per seed."""

    family: str
    learning_rate: float
    trials: tuple

    @property
    def runs(self):
        """How many trials (seeds) the cell holds."""
        return len(self.trials)

    @property
    def diverged(self):
        """How many of them diverged."""
        return sum(bool(t["diverged"]) for t in self.trials)

    @property
    def stable(self):
        """True when no seed diverged."""
        return self.diverged == 0

    def diverged_steps(self):
        """The steps at which the diverged seeds stopped (known ones only), ascending."""
        return sorted(int(t["diverged_at"]) for t in self.trials
                      if t["diverged"] and t.get("diverged_at") is not None)

    def values(self, metric):
        """The metric of each trial that finished and measured it, as an array.

        Diverged trials are left out; so are trials that never reached the target (for
        ``"steps_to_target"``): :meth:`reached` counts those.
        """
        key = _metric(metric).key
        found = [t.get(key) for t in self.trials if not t["diverged"]]
        return np.array([float(v) for v in found if v is not None], dtype=float)

    def reached(self):
        """How many trials reached the target accuracy."""
        return sum(t["steps_to_target"] is not None and not t["diverged"] for t in self.trials)

    def mean(self, metric):
        """Mean of :meth:`values` (NaN when there is none)."""
        values = self.values(metric)
        return float(values.mean()) if values.size else math.nan

    def low(self, metric):
        """Smallest of :meth:`values` (NaN when there is none)."""
        values = self.values(metric)
        return float(values.min()) if values.size else math.nan

    def high(self, metric):
        """Largest of :meth:`values` (NaN when there is none)."""
        values = self.values(metric)
        return float(values.max()) if values.size else math.nan

    def spread(self, metric):
        """Largest minus smallest value over the seeds: the seed noise of the cell."""
        values = self.values(metric)
        return float(values.max() - values.min()) if values.size else math.nan

    def entry(self, metric="accuracy"):
        """The cell as a table :class:`Entry`: the mean, and the min–max over seeds as detail.

        ``diverged 3/3 at steps 5–8`` when every seed diverged, ``never`` when no seed reached
        the target; the detail also says how many seeds diverged or never reached it.
        """
        m = _metric(metric)
        if self.diverged == self.runs:
            return Entry(f"diverged {self.diverged}/{self.runs}", _at_steps(
                self.diverged_steps()).strip())
        values = self.values(metric)
        if values.size == 0:
            return Entry("never")
        low, high = f"{values.min():.{m.digits}f}", f"{values.max():.{m.digits}f}"
        notes = [] if low == high else [f"{low}–{high}"]
        if m.key == "steps_to_target" and self.reached() < self.runs - self.diverged:
            notes.append(f"{self.reached()}/{self.runs} reached")
        if self.diverged:
            notes.append(f"{self.diverged}/{self.runs} diverged")
        return Entry(f"{values.mean():.{m.digits}f}", ", ".join(notes))

    def describe(self, metric="accuracy"):
        """The cell in a few characters: ``0.970 (0.966–0.974)``, ``diverged 3/3 ...``."""
        return str(self.entry(metric))


@dataclasses.dataclass(frozen=True)
class Entry:
    """One entry of a :class:`Table`: a main text and an optional detail.

    In Markdown the detail follows in brackets; in HTML it goes on a second, smaller line.
    """

    text: str
    detail: str = ""

    def __str__(self):
        return f"{self.text} ({self.detail})" if self.detail else self.text


@dataclasses.dataclass(frozen=True)
class Table:
    """A small table that shows itself as HTML in a notebook and converts to Markdown."""

    columns: tuple
    rows: tuple
    caption: str = ""

    def __post_init__(self):
        if any(len(row) != len(self.columns) for row in self.rows):
            raise ValueError("`rows` must each have one entry per column")

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

    def _numeric(self, index):
        """A column is numeric when its entries start with a digit (or say 'diverged')."""
        entries = [str(row[index]) for row in self.rows]
        words = ("diverged", "never", "none", "–")
        return bool(entries) and all(e[:1].isdigit() or e.startswith(words) for e in entries)

    def to_html(self):
        """The table as an HTML ``<table>``."""
        def cell(tag, value, index):
            align = "right" if self._numeric(index) else "left"
            style = f' style="text-align: {align}; padding: 0.25em 0.6em"'
            text = html.escape(value.text if isinstance(value, Entry) else str(value))
            if isinstance(value, Entry) and value.detail:
                text += (f"<br><span {_DETAIL_STYLE}>"
                         f"{html.escape(value.detail)}</span>")
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
        return self.to_markdown()


_DETAIL_STYLE = 'style="font-size: 80%; opacity: 0.75; white-space: nowrap"'


def _format_rate(rate):
    return f"{rate:g}"


def _at_steps(steps):
    """`` at step 5``, `` at steps 5–8`` or nothing."""
    if not steps:
        return ""
    if steps[0] == steps[-1]:
        return f" at step {steps[0]}"
    return f" at steps {steps[0]}–{steps[-1]}"


@functools.lru_cache(maxsize=64)
def mean_rate_fraction(family, total_steps):
    """The mean of ``family``'s rate over a budget, as a fraction of its peak rate.

    The area under the schedule divided by its length: 1 for a constant rate, 1/2 for cosine
    annealing to zero, about 0.22 for exponential decay to 1%.

    Example:
        >>> round(mean_rate_fraction("cosine", 430), 3)
        0.501
    """
    from lrlib.schedules import evaluate, for_budget

    total_steps = validation.integer("total_steps", total_steps, low=8)
    return float(evaluate(for_budget(family, 1.0, total_steps), total_steps).mean())


@dataclasses.dataclass(frozen=True)
class SweepResults:
    """Every trial of a sweep: ``records`` holds one dict per (family, rate, seed).

    Each record has ``family``, ``learning_rate``, ``seed`` and what the trial returned
    (``accuracy``, ``loss``, ``steps_to_target``, ``diverged``, and any other numbers).
    """

    records: tuple
    target: float = TARGET_ACCURACY
    total_steps: int = COMMON.total_steps

    def __post_init__(self):
        for record in self.records:
            missing = [k for k in ("family", "learning_rate", "seed", *REQUIRED)
                       if k not in record]
            if missing:
                raise ValueError(f"`records`: a record lacks {', '.join(missing)}: {record!r}")

    @classmethod
    def from_records(cls, records, target=TARGET_ACCURACY, total_steps=COMMON.total_steps):
        """Build from any iterable of dicts (a sweep's, or a search tool's trials).

        ``total_steps`` is the training budget the trials used (for :meth:`mean_rate`).
        """
        records = tuple(dict(r) for r in records)
        if not records:
            raise ValueError("`records` must not be empty")
        return cls(records=records, target=validation.real("target", target, low=0, high=1),
                   total_steps=validation.integer("total_steps", total_steps, low=8))

    def to_records(self):
        """The records as a list of plain dicts (for JSON, pandas, a spreadsheet)."""
        return [dict(r) for r in self.records]

    @property
    def families(self):
        """The families swept, in the course's order."""
        found = {r["family"] for r in self.records}
        known = [f for f in FAMILIES if f in found]
        return tuple(known + sorted(found - set(known)))

    @property
    def rates(self):
        """The peak learning rates swept, ascending."""
        return tuple(sorted({float(r["learning_rate"]) for r in self.records}))

    @property
    def seeds(self):
        """The seeds swept, ascending."""
        return tuple(sorted({r["seed"] for r in self.records}))

    def __len__(self):
        return len(self.records)

    def cell(self, family, learning_rate):
        """The :class:`Cell` of one family at one rate."""
        validation.choice("family", family, self.families)
        rate = validation.positive("learning_rate", learning_rate)
        trials = tuple(r for r in self.records
                       if r["family"] == family and math.isclose(r["learning_rate"], rate))
        if not trials:
            rates = ", ".join(_format_rate(r) for r in self.rates)
            raise ValueError(f"`learning_rate` {rate:g} was not swept for {family!r} "
                             f"(rates: {rates})")
        return Cell(family, rate, trials)

    def cells(self, family):
        """The cells of one family, by ascending rate (rates it was swept at)."""
        validation.choice("family", family, self.families)
        rates = sorted({float(r["learning_rate"]) for r in self.records
                        if r["family"] == family})
        return [self.cell(family, rate) for rate in rates]

    def best_rate(self, family, metric="accuracy"):
        """The rate whose mean ``metric`` is best among the rates where no seed diverged.

        ``None`` when the family diverged at every rate.
        """
        m = _metric(metric)
        scored = [(c.mean(m.key), c.learning_rate) for c in self.cells(family)
                  if c.stable and not math.isnan(c.mean(m.key))]
        if not scored:
            return None
        pick = max if m.higher_is_better else min
        return pick(scored, key=lambda pair: pair[0])[1]

    def working_rates(self, family, floor=None):
        """The rates at which every seed finished with test accuracy >= ``floor``.

        ``floor`` defaults to the sweep's target accuracy. How many rates of a grid work is
        the simplest measure of how sensitive a schedule is to its peak rate.
        """
        floor = self.target if floor is None else validation.real("floor", floor, low=0, high=1)
        return tuple(c.learning_rate for c in self.cells(family)
                     if c.stable and c.low("accuracy") >= floor)

    def diverging_rates(self, family):
        """The rates at which at least one seed diverged."""
        return tuple(c.learning_rate for c in self.cells(family) if not c.stable)

    def mean_rate(self, family, learning_rate):
        """The mean rate over the budget of ``family`` peaking at ``learning_rate``.

        The area under the schedule per step: how much learning rate the schedule delivers
        in all. Compare schedules at equal mean rate, not only at equal peak rate.
        """
        rate = validation.positive("learning_rate", learning_rate)
        family = validation.choice("family", family, FAMILIES)
        return rate * mean_rate_fraction(family, self.total_steps)

    def curve(self, family, metric="accuracy"):
        """Arrays for a sensitivity plot: ``rates``, ``mean``, ``low``, ``high``, ``diverged``.

        ``mean``/``low``/``high`` are NaN where no seed gave a value; ``diverged`` counts the
        diverged seeds at each rate.
        """
        cells = self.cells(family)
        return {
            "rates": np.array([c.learning_rate for c in cells]),
            "mean_rates": np.array([self.mean_rate(family, c.learning_rate) for c in cells]),
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
                    rate = cell.learning_rate
                    keys.append((family, rate))
                    xs.append(rate if axis == "peak" else self.mean_rate(family, rate))
                    ys.append(value)
        if len(keys) < 3:
            raise ValueError("a power law needs at least 3 cells where no seed diverged")
        x, y = np.log(xs), np.log(ys)
        k, log_c = np.polyfit(x, y, 1)
        ratios = np.exp(y - (k * x + log_c))
        return float(k), float(np.exp(log_c)), dict(zip(keys, ratios.tolist()))

    def summary(self, caption=None):
        """One row per family, at its best rate, with the spread over seeds.

        Columns: the best peak rate; test accuracy, training loss (when recorded) and steps
        to the target there (mean, and min–max over seeds); the rates of the grid at which
        every seed reached the target (sensitivity); the rates at which a seed diverged, and
        at which steps (stability). :meth:`grid` shows any metric (the test loss, say) at
        every rate.
        """
        target = f"{self.target:.0%}"
        columns = ["schedule", "best peak η₀", "test accuracy", f"steps to {target}",
                   f"peak rates reaching {target}", "diverged at"]
        has_train = all("train_loss" in r for r in self.records)
        if has_train:
            columns.insert(3, "training loss")
        rows = []
        for family in self.families:
            best = self.best_rate(family)
            works = ", ".join(_format_rate(r) for r in self.working_rates(family)) or "none"
            diverging = self.diverging_rates(family)
            diverges = Entry(", ".join(_format_rate(r) for r in diverging) or "–", "; ".join(
                _at_steps(self.cell(family, r).diverged_steps()).strip() for r in diverging))
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
            swept = {c.learning_rate: c for c in self.cells(family)}
            rows.append((family, *(swept[r].entry(m.key) if r in swept else "–"
                                   for r in self.rates)))
        if caption is None:
            caption = f"{m.label}: mean over {len(self.seeds)} seeds (and min–max)"
        return Table(columns, tuple(rows), caption)

    def _repr_html_(self):
        return self.summary().to_html()


def _check_rates(rates):
    rates = tuple(validation.positive("rates", r) for r in rates)
    if not rates:
        raise ValueError("`rates` must not be empty")
    if len(set(rates)) != len(rates):
        raise ValueError(f"`rates` must not repeat a value, got {rates!r}")
    return rates


def _check_seeds(seeds):
    seeds = tuple(validation.integer("seeds", s, low=0) for s in seeds)
    if not seeds:
        raise ValueError("`seeds` must not be empty")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"`seeds` must not repeat a value, got {seeds!r}")
    return seeds


def sweep(families=FAMILIES, rates=(0.1, 0.3, 1.0), seeds=None, setup=COMMON, *,
          objective=trial):
    """Run ``objective(family, rate, seed, setup=setup)`` for every combination.

    Args:
        families: schedule families, from :data:`lrlib.schedules.FAMILIES`.
        rates: peak learning rates (each family is sized to the budget by
            :func:`lrlib.schedules.for_budget` with this as its largest rate).
        seeds: the seeds; ``setup.seeds`` by default.
        setup: the budget, an :class:`lrlib.course.experiments.Setup`.
        objective: the function of one trial; :func:`lrlib.course.experiments.trial` by default.
            It must return a dict with ``accuracy``, ``loss``, ``steps_to_target`` and
            ``diverged`` (more numbers are kept).

    Returns:
        A :class:`SweepResults`, one record per trial, in the loop's order.

    Each trial's garbage is collected before the next trial starts (see the code).
    """
    if isinstance(families, str):
        raise ValueError(f"`families` must be a list of families, got {families!r}")
    families = tuple(validation.choice("families", f, FAMILIES) for f in families)
    if not families or len(set(families)) != len(families):
        raise ValueError(f"`families` must be non-empty without repeats, got {families!r}")
    rates = _check_rates(rates)
    if not isinstance(setup, Setup):
        raise ValueError(f"`setup` must be an lrlib.course.experiments.Setup, got {setup!r}")
    seeds = _check_seeds(setup.seeds if seeds is None else seeds)
    if not callable(objective):
        raise ValueError(f"`objective` must be a function, got {objective!r}")
    records = []
    for family in families:
        for rate in rates:
            for seed in seeds:
                outcome = objective(family, rate, seed, setup=setup)
                # Free this trial's model now: Keras models sit in reference cycles, and
                # dozens of them left to Python's occasional full collection make that one
                # collection stall for many seconds, in whatever cell happens to trigger it.
                gc.collect()
                if not isinstance(outcome, dict):
                    raise ValueError(f"`objective` must return a dict, got {outcome!r}")
                records.append({"family": family, "learning_rate": rate, "seed": seed,
                                **outcome})
    return SweepResults.from_records(records, total_steps=setup.total_steps)
