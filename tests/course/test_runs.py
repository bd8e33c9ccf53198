"""lrlib.course.runs: the common setup, one record of a run, one summary, one table, sweeps."""

import math

import numpy as np
import pytest

from lrlib.course import runs
from lrlib.course.plots import new_figure
from lrlib.course.runs import (COMMON, Entry, Record, Setup, Summary, SweepResults, Table,
                               compare, comparison_figure, plot_sweep, summarize, sweep, table,
                               trial)
from lrlib.course.training import TrainingRun
from lrlib.schedules import FAMILIES, CosineAnnealing, evaluate, for_budget, mean_rate
from helpers.sweep_fixtures import fake_results, fake_trial


def fake_run(seed, accuracy=0.97, loss=0.1, level=0.02, diverged_at=None, epochs=3, spe=4,
             rates=None):
    """A training run of ``epochs`` epochs of ``spe`` steps; ``accuracy`` is the last one."""
    rng = np.random.default_rng(seed)
    steps = epochs * spe if diverged_at is None else diverged_at + 1
    history = {"val_accuracy": np.linspace(0.8, accuracy, epochs),
               "val_loss": np.linspace(0.5, loss, epochs),
               "loss": np.linspace(1.0, level, epochs),
               "accuracy": np.linspace(0.7, 0.99, epochs)}
    losses = np.geomspace(2.0, level, steps) * (1 + 0.01 * rng.standard_normal(steps))
    if diverged_at is not None:
        losses[-1] = 500.0
    rates = np.full(steps, 0.1) if rates is None else np.asarray(rates, dtype=float)
    return TrainingRun(rates, losses, history, spe, diverged_at, seed)


@pytest.fixture(scope="module")
def results():
    return fake_results()


# --- the common setup and the trial ----------------------------------------------------------

def test_common_setup_budget():
    assert COMMON.steps_per_epoch == 43 and COMMON.total_steps == 430
    assert len(COMMON.seeds) >= 3
    assert runs.BASELINE_LEARNING_RATE in runs.BASELINE_GRID


def test_trial_is_a_plain_function_of_family_rate_and_seed():
    small = Setup(epochs=2, seeds=(0,))
    a = trial("cosine", 0.3, seed=0, setup=small)
    b = trial("cosine", 0.3, seed=0, setup=small)
    assert a == b and a.to_dict() == b.to_dict()
    assert (a.task, a.family, a.peak, a.seed, a.steps) == ("digits", "cosine", 0.3, 0, 86)
    assert set(a.metrics) == {"train", "test"}
    assert set(a.metrics["test"]) >= {"accuracy", "loss"}
    assert 0.5 < a.value("accuracy") <= 1.0 and not a.diverged and a.diverged_at is None
    assert 0.0 < a.value("train_loss") < 1.0
    assert a.value("train_loss") == a.run.final_training_loss
    assert a.mean_rate == pytest.approx(np.mean(a.run.learning_rates))
    wild = trial("constant", 50.0, seed=0, setup=small)
    assert wild.diverged and wild.diverged_at >= 0 and wild.value("train_loss") is None
    assert wild.metrics == {"train": {}, "test": {}}  # a diverged run measures nothing
    with pytest.raises(ValueError, match="`family`"):
        trial("polynomial", 0.3, seed=0, setup=small)
    with pytest.raises(ValueError, match="`setup`"):
        trial("cosine", 0.3, seed=0, setup="common")
    assert "one-cycle" in FAMILIES


# --- the record -----------------------------------------------------------------------------

def test_a_record_reads_a_training_run():
    run = fake_run(0, accuracy=0.96, loss=0.3, level=0.2, rates=[0.3] * 6 + [0.1] * 6)
    record = Record.from_run(run, family="step decay", peak=0.3)
    assert record.run is run and record.steps == 12 and record.mean_rate == pytest.approx(0.2)
    assert record.value("accuracy") == pytest.approx(0.96)   # test split
    assert record.value("loss") == pytest.approx(0.3)
    assert record.value("train_loss") == pytest.approx(0.2)  # the last epoch's loss
    assert record.value("steps_to_target") == 12             # 0.96 first at epoch 3
    assert Record.from_run(fake_run(0, accuracy=0.9), "x").value("steps_to_target") is None
    again = Record.from_dict(record.to_dict())
    assert again == record and again.run is None
    with pytest.raises(ValueError, match="`metric`"):
        record.value("speed")
    with pytest.raises(ValueError, match="lacks"):
        Record.from_dict({"family": "cosine", "peak": 0.3, "seed": 0})


def test_a_record_of_a_run_with_a_validation_split_keeps_both_held_out_splits():
    small = Setup(epochs=1, seeds=(0,), validation=True)
    assert small.data().has_validation and small.steps_per_epoch == 32  # 1,010 images / 32
    record = trial("constant", 0.3, seed=0, setup=small)
    assert set(record.metrics) == {"train", "validation", "test"}
    assert record.value("val_accuracy") == record.run.final_validation_accuracy
    assert record.value("accuracy") == record.run.final_accuracy != record.value("val_accuracy")
    assert Record.from_dict(record.to_dict()) == record
    wild = trial("constant", 50.0, seed=0, setup=small)
    assert wild.metrics == {"train": {}, "validation": {}, "test": {}}
    with pytest.raises(ValueError, match="`task`"):
        Setup(task="cifar")


def test_selection_is_on_validation_when_the_runs_measured_it():
    # Validation prefers 0.1, test prefers 0.3: the default rule selects on validation.
    records = [Record.of("constant", peak, seed, accuracy=test, val_accuracy=val)
               for peak, val, test in ((0.1, 0.95, 0.90), (0.3, 0.90, 0.97))
               for seed in (0, 1)]
    swept = SweepResults.from_records(records)
    assert swept.selection_metric == "val_accuracy"
    assert swept.best_rate("constant") == 0.1
    assert swept.best_rate("constant", metric="accuracy") == 0.3
    plain = SweepResults.from_records([Record.of("constant", 0.1, 0, accuracy=0.9)])
    assert plain.selection_metric == "accuracy"


# --- the summary and the table --------------------------------------------------------------

def test_summarize_and_divergence():
    small = Setup(epochs=1, seeds=(0, 1))
    trained = runs.run_seeds(0.3, small) + [runs.run(50.0, 0, small)]
    summary = summarize(trained)
    assert summary.diverged == 1 and math.isfinite(summary.loss_mean)
    assert 0 < summary.accuracy_mean < 1 and "test accuracy" in summary.describe()
    assert summary.values("accuracy").size == 2  # the diverged run is left out
    with pytest.raises(ValueError, match="`runs`"):
        summarize([])


def test_compare_summarises_each_group_over_its_seeds():
    groups = {"constant": [fake_run(0, 0.96, rates=[0.3] * 12), fake_run(1, 0.97,
                                                                         rates=[0.3] * 12)],
              "decayed": [fake_run(0, 0.94, level=0.05, rates=np.linspace(0.3, 0.0, 12))]}
    rows = compare(groups)
    assert [r.label for r in rows] == ["constant", "decayed"]
    assert all(isinstance(r, Summary) for r in rows)
    assert rows[0].accuracy_mean == pytest.approx(0.965)
    assert rows[0].accuracy_std == pytest.approx(0.005)
    assert rows[0].spread("accuracy") == pytest.approx(0.01)
    assert rows[0].steps_to_target == pytest.approx(12.0)   # both reach 95% at the end
    assert rows[0].training_loss == pytest.approx(0.02)
    assert rows[0].mean_rate == pytest.approx(0.3) and rows[1].mean_rate == pytest.approx(0.15)
    assert math.isnan(rows[1].steps_to_target) and rows[1].reached() == 0
    assert rows[1].describe("steps_to_target") == "never"
    with pytest.raises(ValueError, match="`groups`"):
        compare({})
    with pytest.raises(ValueError, match="`groups`"):
        compare({"a": []})


def test_a_diverged_run_is_counted_not_averaged():
    (row,) = compare({"wild": [fake_run(0, diverged_at=3), fake_run(1, level=0.04)]})
    assert row.diverged == 1 and row.runs == 2 and not row.stable
    assert row.training_loss == pytest.approx(0.04) and row.diverged_steps() == [3]
    assert row.describe("accuracy") == "0.970 (1/2 diverged)"
    (gone,) = compare({"gone": [fake_run(0, diverged_at=3), fake_run(1, diverged_at=5)]})
    assert math.isnan(gone.training_loss) and gone.describe() == "diverged 2/2 (at steps 3–5)"


def test_the_comparison_table_as_text_markdown_and_html():
    groups = {"constant 0.3 (baseline)": [fake_run(0, 0.97), fake_run(1, 0.98)],
              "triangular (range test)": [fake_run(2, 0.96), fake_run(3, 0.96)]}
    shown = table(compare(groups))
    assert isinstance(shown, Table) and shown.columns[1:4] == (
        "test accuracy", "test loss", "training loss")
    lines = str(shown).splitlines()
    assert lines[0].startswith("Mean over 2 seeds") and len(lines) == 4
    assert "0.975 (0.970–0.980)" in lines[2] and "0.960" in lines[3]
    assert "diverged" not in shown.columns
    diverged = table(compare({"too high": [fake_run(0, diverged_at=2), fake_run(1)]}))
    assert diverged.columns[-1] == "diverged" and diverged.rows[0][-1] == "1/2"
    assert "<table>" in shown._repr_html_() and "| :--- |" in shown.to_markdown()
    with pytest.raises(ValueError, match="`summaries`"):
        table([])


def test_tables_render_as_markdown_and_html():
    shown = Table(("name", "value"), (("a|b", "0.5"), ("<c>", Entry("diverged 3/3", "at <5>"))),
                  caption="Cap")
    markdown = shown.to_markdown()
    assert markdown.splitlines()[2] == "| name | value |"
    assert "| :--- | ---: |" in markdown and "a\\|b" in markdown
    html = shown._repr_html_()
    assert html.startswith("<table><caption>Cap</caption>") and "&lt;c&gt;" in html
    assert "text-align: right; padding" in html
    assert "diverged 3/3<br><span" in html and "at &lt;5&gt;</span>" in html
    assert "| <c> | diverged 3/3 (at <5>) |" in markdown
    assert str(shown).splitlines() == ["Cap", "name                  value",
                                       "a|b                     0.5",
                                       "<c>   diverged 3/3 (at <5>)"]
    with pytest.raises(ValueError, match="`rows`"):
        Table(("a", "b"), (("only one",),))


# --- figures of runs ------------------------------------------------------------------------

def test_comparison_figure_has_schedules_above_the_curves():
    results = {"a": [fake_run(0), fake_run(1)], "b": [fake_run(2, level=0.005)]}
    schedules = {"a": 0.3, "b": CosineAnnealing(0.3, 12)}
    fig = comparison_figure(schedules, results, total_steps=12)
    ax_rate, ax_loss, ax_acc = fig.axes
    assert ax_rate.get_title() == "The schedules" and len(ax_rate.get_lines()) == 2
    assert ax_loss.get_yscale() == "log" and ax_acc.get_ylabel() == "test accuracy"
    colors = [line.get_color() for line in ax_rate.get_lines()]
    assert colors == [line.get_color() for line in ax_loss.get_lines()][:2]
    with pytest.raises(ValueError, match="`results`"):
        comparison_figure({}, {}, 12)
    with pytest.raises(ValueError, match="`results`"):
        comparison_figure({"a": 0.3}, {"a": []}, 12)
    with pytest.raises(ValueError, match="`schedules`"):
        comparison_figure({"b": 0.3}, {"a": [fake_run(0)]}, 12)


def _kept(family, peak, run):
    return Record.from_run(run, family=family, peak=peak)


def rate_results():
    """A constant-rate sweep of fake runs: 0.1 and 0.3 tie, 1.0 loses a seed, 3.0 all."""
    found = {0.01: [fake_run(0, 0.80), fake_run(1, 0.82)],
             0.1: [fake_run(0, 0.95), fake_run(1, 0.93)],
             0.3: [fake_run(0, 0.94), fake_run(1, 0.94)],
             1.0: [fake_run(0, 0.90), fake_run(1, diverged_at=4)],
             3.0: [fake_run(0, diverged_at=3), fake_run(1, diverged_at=5)]}
    return SweepResults.from_records(
        [_kept("constant", rate, run) for rate, found_runs in found.items() for run in found_runs],
        total_steps=12)


def test_the_best_rate_rule_ties_to_the_smaller_rate_and_skips_any_divergence():
    swept = rate_results()
    assert swept.rates == (0.01, 0.1, 0.3, 1.0, 3.0)
    assert swept.cell("constant", 0.1).mean("accuracy") == pytest.approx(0.94)
    assert swept.best_rate("constant") == 0.1                 # ties with 0.3: smaller wins
    assert swept.diverging_rates("constant") == (1.0, 3.0)    # one diverged seed is enough
    assert swept.cell("constant", 3.0).diverged_steps() == [3, 5]
    assert math.isnan(swept.cell("constant", 3.0).training_loss)
    assert swept.cell("constant", 0.1).training_loss == pytest.approx(0.02)
    assert [r.seed for r in swept.runs("constant", 0.3)] == [0, 1]


def test_plot_sweep_marks_divergence_and_the_baseline():
    fig, axes = new_figure(1, 2)
    plot_sweep(axes[0], rate_results(), baseline=0.1, title="SGD")
    ax_loss, ax_acc = axes[0]
    labels = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert "$\\eta$ = 3: diverged at steps 3-5" in labels
    assert "$\\eta$ = 1 (1 of 2 diverged)" in labels
    assert ax_loss.get_yscale() == "log" and ax_acc.get_xscale() == "log"
    assert ax_loss.get_title() == "SGD: training loss at each rate"
    assert [t.get_text() for t in ax_acc.texts] == ["diverged"]   # only where all diverged
    assert "best: $\\eta$ = 0.1" in [t.get_text() for t in ax_acc.get_legend().get_texts()]


# --- a sweep of schedules -------------------------------------------------------------------

def test_one_record_per_family_rate_and_seed_in_loop_order(results):
    assert len(results) == 7 * 4 * 3
    first = results.records[0]
    assert (first.family, first.peak, first.seed) == ("constant", 0.1, 0)
    assert results.families == FAMILIES and results.rates == (0.1, 0.3, 1.0, 3.0)
    assert results.seeds == (0, 1, 2) and results.total_steps == COMMON.total_steps
    assert results.metrics == ("accuracy", "loss", "train_loss", "steps_to_target")


def test_cells_summarise_seeds_and_leave_diverged_runs_out(results):
    cell = results.cell("constant", 0.3)
    assert cell.runs == 3 and cell.stable and (cell.family, cell.peak) == ("constant", 0.3)
    assert cell.mean("accuracy") == pytest.approx(0.975 + 0.002)
    assert cell.spread("accuracy") == pytest.approx(0.004)
    assert cell.describe("accuracy") == "0.977 (0.975–0.979)"
    wild = results.cell("cosine", 3.0)
    assert wild.diverged == 3 and not wild.stable and wild.diverged_steps() == [5, 6, 7]
    assert wild.values("accuracy").size == 0 and math.isnan(wild.mean("accuracy"))
    assert wild.describe("accuracy") == "diverged 3/3 (at steps 5–7)"
    slow = results.cell("exponential", 0.1)
    assert slow.reached() == 0 and slow.describe("steps_to_target") == "never"


def test_best_working_and_diverging_rates(results):
    # The fake accuracy peaks where the mean rate is 0.3: constant at 0.3, cosine at 1.0.
    assert results.best_rate("constant") == 0.3
    assert results.best_rate("cosine") == 1.0
    assert results.best_rate("cosine", metric="train_loss") == 1.0
    assert results.working_rates("constant") == (0.1, 0.3, 1.0)
    assert results.working_rates("exponential") == (0.3, 1.0)
    assert results.diverging_rates("one-cycle") == (3.0,)
    with pytest.raises(ValueError, match="`peak`"):
        results.cell("constant", 0.5)
    with pytest.raises(ValueError, match="`family`"):
        results.cell("linear", 0.3)
    with pytest.raises(ValueError, match="`metric`"):
        results.best_rate("constant", metric="speed")


def test_mean_rate_is_the_products_mean_rate(results):
    expected = evaluate(for_budget("exponential", 1.0, 430), 430).mean()
    assert 0.2 < expected < 0.23  # decay to 1%: (1 - 0.01) / ln(100) in the continuum
    assert results.mean_rate("exponential", 1.0) == pytest.approx(expected)
    assert results.mean_rate("constant", 0.3) == pytest.approx(0.3)
    assert results.mean_rate("cosine", 1.0) == pytest.approx(0.5, abs=0.005)
    step = mean_rate(for_budget("step", 1.0, 430), 430)
    assert results.mean_rate("step", 2.0) == pytest.approx(2 * step)
    curve = results.curve("cosine")
    fraction = mean_rate(for_budget("cosine", 1.0, 430), 430)
    assert curve["mean_rates"] == pytest.approx(curve["rates"] * fraction)
    assert curve["diverged"].tolist() == [0, 0, 0, 3]


def test_summary_and_grid_tables(results):
    summary = results.summary()
    assert isinstance(summary, Table) and len(summary.rows) == 7
    constant = dict(zip(summary.columns, summary.rows[0]))
    assert constant["schedule"] == "constant" and constant["best peak η₀"] == "0.3"
    assert constant["peak rates reaching 95%"] == "0.1, 0.3, 1"
    assert str(constant["diverged at"]) == "3 (at steps 5–7)"
    assert str(constant["training loss"]).startswith("0.0333")
    assert "test loss" not in summary.columns  # in grid("loss") and the widget instead
    grid = results.grid("accuracy")
    assert grid.columns == ("schedule", "η₀ = 0.1", "η₀ = 0.3", "η₀ = 1", "η₀ = 3")
    assert str(grid.rows[0][-1]) == "diverged 3/3 (at steps 5–7)"
    # Equal values over the seeds print once, without a range.
    assert str(results.cell("constant", 0.3).entry("steps_to_target")) == "43"
    assert "<br><span" in summary.to_html() and "(0.975–0.979)" in summary.to_markdown()


def test_records_round_trip_and_are_validated(results):
    again = SweepResults.from_records(results.to_records())
    assert again == results
    assert results.to_records()[0]["metrics"]["test"]["accuracy"] == pytest.approx(
        0.975 - 0.03 * math.log10(3))
    with pytest.raises(ValueError, match="`records`"):
        SweepResults.from_records([])
    with pytest.raises(ValueError, match="lacks"):
        SweepResults.from_records([{"family": "cosine", "peak": 0.3, "seed": 0}])


def test_sweep_validates_its_arguments_before_training():
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        return fake_trial(*args, **kwargs)

    with pytest.raises(ValueError, match="`families`"):
        sweep(("cosine", "polynomial"), objective=spy)
    with pytest.raises(ValueError, match="`families`"):
        sweep("cosine", objective=spy)
    with pytest.raises(ValueError, match="`rates`"):
        sweep(("cosine",), rates=(0.3, -1.0), objective=spy)
    with pytest.raises(ValueError, match="`rates`"):
        sweep(("cosine",), rates=(0.3, 0.3), objective=spy)
    with pytest.raises(ValueError, match="`seeds`"):
        sweep(("cosine",), seeds=(), objective=spy)
    with pytest.raises(ValueError, match="`setup`"):
        sweep(("cosine",), setup="common", objective=spy)
    assert calls == []
    with pytest.raises(ValueError, match="`objective`"):
        sweep(("cosine",), rates=(0.3,), seeds=(0,), objective=lambda *a, **k: 0.97)


def test_the_sweep_collects_the_garbage_of_each_trial_that_trained(monkeypatch):
    import dataclasses
    import gc

    calls = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(args) or 0)
    sweep(("cosine", "step"), rates=(0.3,), seeds=(0, 1), objective=fake_trial)
    assert calls == []  # synthetic records hold no model: no 0.2 s collection each

    def trained(*args, **options):
        return dataclasses.replace(fake_trial(*args, **options), run=object())

    sweep(("cosine", "step"), rates=(0.3,), seeds=(0, 1), objective=trained)
    assert len(calls) == 4


def test_a_real_sweep_trains_and_reports_divergence():
    small = Setup(epochs=1, seeds=(0,))
    found = sweep(("constant", "one-cycle"), rates=(0.3, 50.0), setup=small)
    assert len(found) == 4 and found.total_steps == 43
    assert found.cell("constant", 0.3).stable
    assert 0.5 < found.cell("constant", 0.3).mean("accuracy") <= 1.0
    assert found.diverging_rates("constant") == (50.0,)
    # One-cycle starts at 50/25 = 2 and ramps up: it diverges later than the constant rate.
    first = found.cell("constant", 50.0).diverged_steps()[0]
    assert found.cell("one-cycle", 50.0).diverged_steps()[0] > first
    adam = sweep(["constant"], [1e-2], setup=Setup(epochs=1, seeds=(0,), optimizer="adam"))
    assert adam.runs("constant", 1e-2)[0].final_accuracy > 0.5


def test_power_law_finds_the_exponent_and_who_sits_off_the_line(results):
    # The fake training loss is exactly 0.01 / mean rate: one line, slope -1, no scatter.
    k, c, factors = results.power_law("train_loss", axis="mean")
    assert k == pytest.approx(-1.0) and c == pytest.approx(0.01)
    assert max(factors.values()) == pytest.approx(1.0) and len(factors) == 7 * 3
    assert ("constant", 3.0) not in factors  # diverged cells are left out
    # Against the peak rate the families no longer share one line.
    _, _, by_peak = results.power_law("train_loss", axis="peak")
    assert max(by_peak.values()) > 1.5 and min(by_peak.values()) < 1 / 1.5
    with pytest.raises(ValueError, match="`axis`"):
        results.power_law(axis="median")

