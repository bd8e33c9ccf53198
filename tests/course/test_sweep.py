"""lrlib.course.sweep: the sweep calls one trial per (family, rate, seed); the table tells the truth."""

import math

import pytest

from lrlib.course.experiments import COMMON, Setup
from lrlib.schedules import FAMILIES, evaluate, for_budget
from lrlib.course.sweep import Entry, SweepResults, Table, mean_rate_fraction, sweep
from helpers.sweep_fixtures import fake_results, fake_trial


@pytest.fixture(scope="module")
def results():
    return fake_results()


def test_one_record_per_family_rate_and_seed_in_loop_order(results):
    assert len(results) == 7 * 4 * 3
    first = results.records[0]
    assert (first["family"], first["learning_rate"], first["seed"]) == ("constant", 0.1, 0)
    assert results.families == FAMILIES and results.rates == (0.1, 0.3, 1.0, 3.0)
    assert results.seeds == (0, 1, 2) and results.total_steps == COMMON.total_steps


def test_cells_summarise_seeds_and_leave_diverged_runs_out(results):
    cell = results.cell("constant", 0.3)
    assert cell.runs == 3 and cell.stable
    assert cell.mean("accuracy") == pytest.approx(0.975 + 0.002)
    assert cell.spread("accuracy") == pytest.approx(0.004)
    assert cell.describe("accuracy") == "0.977 (0.975–0.979)"
    wild = results.cell("cosine", 3.0)
    assert wild.diverged == 3 and not wild.stable and wild.diverged_steps() == [5, 6, 7]
    assert wild.values("accuracy").size == 0 and math.isnan(wild.mean("accuracy"))
    assert wild.describe() == "diverged 3/3 (at steps 5–7)"
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
    with pytest.raises(ValueError, match="`learning_rate`"):
        results.cell("constant", 0.5)
    with pytest.raises(ValueError, match="`family`"):
        results.cell("linear", 0.3)
    with pytest.raises(ValueError, match="`metric`"):
        results.best_rate("constant", metric="speed")


def test_mean_rate_is_the_area_under_the_schedule(results):
    assert mean_rate_fraction("constant", 430) == pytest.approx(1.0)
    assert mean_rate_fraction("cosine", 430) == pytest.approx(0.5, abs=0.005)
    expected = evaluate(for_budget("exponential", 1.0, 430), 430).mean()
    assert mean_rate_fraction("exponential", 430) == pytest.approx(expected)
    assert 0.2 < expected < 0.23  # decay to 1%: (1 - 0.01) / ln(100) in the continuum
    assert results.mean_rate("step", 1.0) == pytest.approx(mean_rate_fraction("step", 430))
    curve = results.curve("cosine")
    assert curve["mean_rates"] == pytest.approx(curve["rates"] * mean_rate_fraction("cosine", 430))
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


def test_tables_render_as_markdown_and_html():
    table = Table(("name", "value"), (("a|b", "0.5"), ("<c>", Entry("diverged 3/3", "at <5>"))),
                  caption="Cap")
    markdown = table.to_markdown()
    assert markdown.splitlines()[2] == "| name | value |"
    assert "| :--- | ---: |" in markdown and "a\\|b" in markdown
    html = table._repr_html_()
    assert html.startswith("<table><caption>Cap</caption>") and "&lt;c&gt;" in html
    assert "text-align: right; padding" in html
    assert "diverged 3/3<br><span" in html and "at &lt;5&gt;</span>" in html
    assert "| <c> | diverged 3/3 (at <5>) |" in markdown
    with pytest.raises(ValueError, match="`rows`"):
        Table(("a", "b"), (("only one",),))


def test_records_round_trip_and_are_validated(results):
    again = SweepResults.from_records(results.to_records())
    assert again == results
    with pytest.raises(ValueError, match="`records`"):
        SweepResults.from_records([])
    with pytest.raises(ValueError, match="lacks"):
        SweepResults.from_records([{"family": "cosine", "learning_rate": 0.3, "seed": 0}])


def test_sweep_validates_its_arguments_before_training():
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        return fake_trial(*args, **kwargs)

    with pytest.raises(ValueError, match="`families`"):
        sweep(("cosine", "linear"), objective=spy)
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


def test_the_sweep_collects_each_trials_garbage(monkeypatch):
    import gc

    calls = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(args) or 0)
    sweep(("cosine", "step"), rates=(0.3,), seeds=(0, 1), objective=fake_trial)
    assert len(calls) == 4


def test_a_real_sweep_trains_and_reports_divergence():
    small = Setup(epochs=1, seeds=(0,))
    results = sweep(("constant", "one-cycle"), rates=(0.3, 50.0), setup=small)
    assert len(results) == 4 and results.total_steps == 43
    assert results.cell("constant", 0.3).stable
    assert 0.5 < results.cell("constant", 0.3).mean("accuracy") <= 1.0
    assert results.diverging_rates("constant") == (50.0,)
    # One-cycle starts at 50/25 = 2 and ramps up: it diverges later than the constant rate.
    first = results.cell("constant", 50.0).diverged_steps()[0]
    assert results.cell("one-cycle", 50.0).diverged_steps()[0] > first


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
