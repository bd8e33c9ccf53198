"""The benchmark's own logic (bench/): timing, references, discovery, report, the page.

Fast: nothing here times anything for real, except one end-to-end run of the smallest
section of ``bench/run.py``.
"""

import ast
import json
import pathlib
import sys

import keras
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report, run, timing
from lrlib.course.widgets import discovery  # noqa: E402
from bench.numpy_schedules import closed_form  # noqa: E402
from bench.schedules_cost import contenders, keras_equivalent  # noqa: E402

from lrlib import schedules as S  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"


# -- timing -----------------------------------------------------------------------------------

def test_interleave_runs_groups_back_to_back_in_shuffled_orders():
    log = []
    groups = {g: {c: (lambda g=g, c=c: log.append((g, c))) for c in "xyz"} for g in "AB"}
    samples = timing.interleave(groups, rounds=6, warmup=1, seed=3)
    assert log[:6] == [(g, c) for g in "AB" for c in "xyz"]  # the warmup calls
    timed = log[6:]
    assert len(timed) == 6 * 6
    for start in range(0, len(timed), 3):  # a group's contenders are never split up
        assert len({g for g, _ in timed[start:start + 3]}) == 1
    orders = {tuple(c for _, c in timed[s:s + 3]) for s in range(0, len(timed), 3)}
    assert len(orders) > 1, "the order within a group is shuffled"
    assert all(len(found) == 6 for group in samples.values() for found in group.values())
    assert all(s.wall >= 0 and s.cpu >= 0 for s in samples["A"]["x"])


def test_spread_and_paired_ratios():
    found = timing.spread([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (found.median, found.q1, found.q3, found.n) == (3.0, 2.0, 4.0, 5)
    a = [timing.Sample(wall=2.0 * k, cpu=1.0 * k) for k in (1, 2, 3)]
    b = [timing.Sample(wall=1.0 * k, cpu=2.0 * k) for k in (1, 2, 3)]
    assert timing.paired_ratios(a, b, "wall").median == 2.0
    assert timing.paired_ratios(a, b, "cpu").median == 0.5
    assert timing.summarize(a, "cpu", unit=1e3).median == 2000.0
    with pytest.raises(ValueError, match="`clock`"):
        a[0].get("gpu")
    with pytest.raises(ValueError):
        timing.paired_ratios(a, b[:2])
    with pytest.raises(ValueError):
        timing.spread([1.0, float("nan")])
    with pytest.raises(ValueError, match="`rounds`"):
        timing.interleave({"g": {"c": lambda: None}}, rounds=0)


# -- what the benchmark compares: the same rates -----------------------------------------------

def test_contenders_cover_every_family_and_warmup():
    found = contenders()
    assert set(S.FAMILIES) < set(found) and "warmup + cosine" in found


@pytest.mark.parametrize("name", list(contenders()))
def test_numpy_closed_forms_equal_lrlib(name):
    schedule = contenders()[name]
    steps = np.unique(np.concatenate([np.arange(0, 1200, 7), [99, 100, 101, 299, 300, 999]]))
    form = closed_form(schedule)
    assert form is not None, f"add a NumPy closed form for {type(schedule).__name__}"
    np.testing.assert_allclose(form(schedule, steps.astype(float)), schedule(steps),
                               rtol=1e-12, atol=1e-18)


def test_no_closed_form_for_an_unknown_schedule():
    class Unknown(S.Constant):
        pass

    assert closed_form(Unknown(0.1)) is None
    assert closed_form(S.Warmup(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5),
                                5)) is None


@pytest.mark.parametrize("name", list(contenders()))
def test_keras_equivalents_give_the_same_rates(name):
    schedule = contenders()[name]
    theirs = keras_equivalent(schedule)
    if theirs is None:
        assert type(schedule) in (S.Constant, S.CyclicalLearningRate, S.OneCycle)
        return
    steps = np.arange(0, 1200, 3)
    if isinstance(schedule, S.WarmRestarts):  # Keras's float32 logarithm at restart points
        steps = steps[~np.isin(steps, np.round(schedule.cycle_starts(8)).astype(int))]
    np.testing.assert_allclose(S.evaluate(theirs, steps), schedule(steps), rtol=2e-4,
                               atol=1e-7)


# -- discovery --------------------------------------------------------------------------------

def test_discovery_finds_every_draw_function_once_with_its_controls():
    found = {e.name: e for e in discovery.draw_functions()}
    warmup = found["lrlib.course.warmup.warmup_experiment"]  # a chapter's companion module
    assert warmup.controls is not None and warmup.defaults["warmup_steps"] == 30
    assert "lrlib.course.intro.three_roles" in found
    assert not any(name.startswith("lrlib.course.widgets.core") for name in found)
    assert len(found) == len({id(e.draw) for e in found.values()})


def _budget_and_warmup_controls():
    """Two linked sliders: the warmup's maximum follows the budget (at most half of it)."""
    from lrlib.course import widgets

    controls = {
        "family": widgets.dropdown(S.FAMILIES, value="cosine", description="schedule"),
        "learning_rate": widgets.log_slider(0.1, 1e-3, 1.0, description="peak rate"),
        "total_steps": widgets.int_slider(1000, 100, 5000, step=100, description="budget"),
        "warmup_steps": widgets.int_slider(0, 0, 500, step=10, description="warmup"),
    }
    budget, warmup = controls["total_steps"], controls["warmup_steps"]

    def follow_budget(change=None):
        warmup.max = min(500, budget.value // 2)  # lowers the value if needed

    budget.observe(follow_budget, names="value")
    follow_budget()
    return controls


def _draw_schedule(fig, family="cosine", learning_rate=0.1, total_steps=1000, warmup_steps=0,
                   log_scale=False):
    return fig


def test_control_settings_reach_every_extreme_within_linked_limits():
    linked = discovery.Experiment("test.linked", _draw_schedule, _budget_and_warmup_controls)
    settings = discovery.control_settings(linked)
    assert {p["family"] for p in settings} == set(S.FAMILIES)
    assert {p["total_steps"] for p in settings} == {100, 5000}
    assert min(p["learning_rate"] for p in settings) == pytest.approx(1e-3)
    assert max(p["learning_rate"] for p in settings) == pytest.approx(1.0)
    assert {p["warmup_steps"] for p in settings} == {0, 50, 500}  # 500 capped to 50 at 100
    assert all(p["warmup_steps"] <= p["total_steps"] // 2 for p in settings)
    assert all(p["log_scale"] is False for p in settings)  # not a control: its default


def test_extremes_of_each_kind_of_control():
    from lrlib.course import widgets

    assert discovery.extremes(widgets.log_slider(0.1, 1e-3, 1.0)) == pytest.approx([1e-3, 1.0])
    assert discovery.extremes(widgets.slider(0.5, 0.0, 2.0)) == [0.0, 2.0]
    assert discovery.extremes(widgets.int_slider(5, 1, 9)) == [1, 9]
    assert discovery.extremes(widgets.dropdown(["a", "b", "c"])) == ["a", "b", "c"]
    assert discovery.extremes(widgets.checkbox()) == [False, True]
    assert discovery.extremes(0.3) is None


# -- the report and the page ------------------------------------------------------------------

def synthetic_results(notebooks=("chapters/intro",)):
    spread = {"median": 1.01, "q1": 0.99, "q3": 1.03, "n": 5}
    row = {"lrlib": spread, "constant": spread, "ratio_constant": spread, "keras": spread,
           "ratio_keras": spread}
    return {
        "mode": "full", "command": "python bench/run.py", "created": "today",
        "duration_s": 100.0,
        "machine": {"cpu_count": 2, "platform": "Linux", "load_before": [1.0, 1, 1],
                    "load_after": [1.2, 1, 1], "commit": "abc", "versions": {"keras": "3"}},
        "training_steps": {"keras": {"cosine": "CosineDecay"}, "measurements": {
            "per_call": {"rows": {
                "cosine": row,
                "slow": dict(row, ratio_keras=dict(spread, median=1.2, q1=1.1, q3=1.3)),
                "noisy": dict(row, ratio_keras=dict(spread, median=1.07, q1=0.98, q3=1.2))}},
            "graph": {"rows": {"cosine": dict(row, lrlib=dict(spread, median=5.0),
                                              keras=dict(spread, median=4.0))}}}},
        "vectorised": {"rows": {"cosine": {"lrlib": spread, "numpy": spread,
                                           "ratio_numpy": spread, "max_gap_over_peak": 0.0}}},
        "widgets": {"instant_ms": 100.0, "default_target_ms": 50.0, "floor_ms": spread, "rows": {
            "lrlib.course.x.draw": {"draw_ms": spread, "move_ms": spread,
                                            "miss_ms": spread, "ratio_floor": spread,
                                            "slowest_ms": 2.0, "settings": 3, "frames": 20,
                                            "main_parameter": "rate", "has_controls": True},
            "lrlib.course.y.still": {"draw_ms": spread, "miss_ms": spread, "ratio_floor": spread,
                                     "has_controls": False}}},
        "descent": {"gradient_descent": {"steps": 10, "steps_per_second": spread,
                                         "ratio_numpy": spread},
                    "descend_many": {"starts": 2, "steps": 5, "run_steps_per_second": spread,
                                     "speedup": spread}},
        "notebooks": {"floor": {"wall_s": spread, "cpu_s": spread}, "rows": {
            name: {"ok": True, "wall_s": 3.0, "cpu_s": 2.0, "ratio_floor_wall": 3.0,
                   "ratio_floor_cpu": 2.0} for name in notebooks}},
        "book_build": {"skipped": "`--quick` skips it"},
    }


def test_toc_notebooks_include_the_chapters_and_this_page():
    found = report.toc_notebooks(ROOT)
    assert "chapters/intro" in found and "chapters/performance" in found
    assert "chapters/index" not in found  # a plain Markdown page: nothing to execute


def test_report_renders_every_section_and_judges_the_target():
    tables = report.sections(synthetic_results(), ROOT)
    assert "| cosine | CosineDecay | 1.01 | 1.01× (0.990–1.03) |" \
        in tables["training (per call)"]
    verdict = tables["training verdict"]
    assert "within 5% of Keras: cosine (1.01×)" in verdict
    assert "more than 5% slower than Keras: slow (1.20×)" in verdict
    assert "unclear, the spread straddles 5%: noisy (1.07× (0.980–1.20))" in verdict
    assert "1.00 µs per step (cosine), 99% of this step" in verdict
    assert "not measured" in tables["training (compiled loop)"]
    assert "not measured in this run (`--quick` skips it)" in tables["book build"]
    assert "(below the number of CPUs)" in tables["run"]
    assert "`x.draw`" in tables["slider moves"]
    assert "(20 frames of `rate`)" in tables["slider moves"]
    assert "no controls (a static figure)" in tables["slider moves"]
    assert "within 50 ms: `x.draw` (1.01 ms)" in tables["slider verdict"]
    assert "every experiment's slowest extreme is within 100 ms" in tables["slider verdict"]
    assert "`y.still`" not in tables["slider verdict"]
    assert "Every notebook ran within" in tables["notebooks verdict"]


def test_notebooks_table_names_the_notebooks_missing_from_the_results():
    text = report.notebooks_table(synthetic_results(notebooks=()), ROOT)
    assert "**Missing from the results**" in text
    for entry in report.toc_notebooks(ROOT):
        assert f"`{entry}`" in text.split("**Missing from the results**")[1]
    complete = synthetic_results(notebooks=tuple(report.toc_notebooks(ROOT)))
    assert "Missing" not in report.notebooks_table(complete, ROOT)


def page_outputs(monkeypatch):
    """Execute the Performance page's code cells as the build would; return their Markdown."""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook((ROOT / "chapters" / "performance.md").read_text())
    monkeypatch.chdir(ROOT / "chapters")
    namespace, shown = {}, []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<page>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<page>", "eval"), namespace)
            shown.append(getattr(value, "data", value))
    return shown, notebook


def test_the_page_renders_the_committed_results_and_covers_every_toc_notebook(monkeypatch):
    shown, notebook = page_outputs(monkeypatch)
    assert all(isinstance(text, str) and text for text in shown)
    notebooks = next(text for text in shown
                     if text.startswith(("| notebook |", "*Notebook execution")))
    missing = report.missing_notebooks(report.load(RESULTS), ROOT)
    for entry in report.toc_notebooks(ROOT):
        assert f"`{entry}`" in notebooks, f"the page does not mention {entry}"
        if entry in missing:
            assert f"`{entry}`" in notebooks.split("**Missing from the results**")[1]
    for cell in notebook.cells:  # the tables are shown, the code is not
        if cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            assert "remove-input" in tags or "remove-cell" in tags


def test_committed_results_are_a_complete_full_run():
    results = report.load(RESULTS)
    assert results["mode"] == "full" and results["command"] == "python bench/run.py"
    for section in run.SECTIONS:
        assert section in results and "skipped" not in results[section], section
    assert results["book_build"]["ok"]
    rows = results["notebooks"]["rows"]
    assert all(row["ok"] for row in rows.values())
    assert results["book_build"]["notebooks_executed"] == len(rows)  # a real, clean build


def test_run_writes_results_the_report_can_read(tmp_path):
    output = tmp_path / "results.json"
    lines = []
    results = run.run("quick", ["descent"], output, progress=lines.append)
    assert json.loads(output.read_text())["descent"] == json.loads(json.dumps(
        results["descent"]))
    assert results["training_steps"] == {"skipped": "not selected with `--only`"}
    assert results["notebooks"]["skipped"]
    text = "\n".join(lines)
    assert "`gradient_descent`" in text and f"wrote {output}" in text
    assert report.sections(results, ROOT)["gradient descent"].startswith("| what |")
    assert " k steps" in report.sections(results, ROOT)["gradient descent"]
