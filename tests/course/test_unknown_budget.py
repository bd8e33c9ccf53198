"""lrlib.course.unknown_budget and the plumbing it adds: the budget families of
``for_budget``, schedule-free runs in ``trial``, the extended-budget runs, the verdicts, the
figure and the checkers (they accept the reference answers and reject the typical mistakes)."""

import dataclasses

import keras
import numpy as np
import pytest

from lrlib.course import unknown_budget as ub
from lrlib.course.check import Result
from lrlib.course.runs import (SCHEDULE_FREE, TRIAL_FAMILIES, Record, Setup, SweepResults,
                               sweep, trial)
from lrlib.course.training import make_optimizer
from lrlib.course.widgets import render, small_multiples
from lrlib.optimizers import ScheduleFreeAdamW, ScheduleFreeSGD
from lrlib.schedules import (BUDGET_FAMILIES, FAMILIES, InverseSquareRoot, WarmRestarts,
                             WarmupStableDecay, evaluate, for_budget)

#: Two epochs of digits with a validation split: 64 steps.
TINY = Setup(epochs=2, validation=True, seeds=(0,))


def test_the_seven_families_are_untouched_and_the_budget_ones_are_apart():
    assert FAMILIES == ("constant", "step", "exponential", "cosine", "restarts", "cyclical",
                        "one-cycle")
    assert BUDGET_FAMILIES == ("linear", "wsd", "wsd-sqrt", "inverse-sqrt")
    assert TRIAL_FAMILIES == FAMILIES + BUDGET_FAMILIES + (SCHEDULE_FREE,)


def test_for_budget_builds_the_budget_families():
    linear = for_budget("linear", 0.4, 320)
    assert linear == WarmupStableDecay(0.4, 320, warmup_steps=0, decay_steps=320)
    np.testing.assert_allclose(evaluate(linear, [0, 80, 160, 319, 320]),
                               [0.4, 0.3, 0.2, 0.4 / 320, 0.0], atol=1e-7)
    wsd = for_budget("wsd", 0.4, 320)
    assert wsd == WarmupStableDecay(0.4, 320, 0, 64, "linear")
    assert wsd(255) == pytest.approx(0.4) and wsd(288) == pytest.approx(0.2)
    root = for_budget("wsd-sqrt", 0.4, 320)
    assert root.decay_shape == "sqrt" and root(256 + 16) == pytest.approx(0.2)
    assert for_budget("inverse-sqrt", 0.4, 320) == InverseSquareRoot(0.4, 16)
    with pytest.raises(ValueError, match="`family`"):
        for_budget("schedule-free", 0.4, 320)  # an optimizer, not a schedule


def test_linear_to_zero_is_keras_polynomial_decay():
    keras_linear = keras.optimizers.schedules.PolynomialDecay(0.4, 320, 0.0, power=1.0)
    steps = np.arange(0, 400, 7)
    np.testing.assert_allclose(evaluate(for_budget("linear", 0.4, 320), steps),
                               evaluate(keras_linear, steps), rtol=1e-6, atol=1e-8)


def test_make_optimizer_gives_the_schedule_free_ones():
    sgd = make_optimizer("schedule-free-sgd", 0.5, momentum=0.9, warmup_steps=10)
    assert isinstance(sgd, ScheduleFreeSGD) and sgd.warmup_steps == 10 and sgd.momentum == 0.9
    assert isinstance(make_optimizer("schedule-free-adamw", 1e-3), ScheduleFreeAdamW)
    with pytest.raises(ValueError, match="`warmup_steps`"):
        make_optimizer("sgd", 0.1, warmup_steps=5)


def test_a_schedule_free_trial_records_the_average_and_is_reproducible():
    record = trial(SCHEDULE_FREE, 0.5, 0, setup=TINY)
    assert record.family == SCHEDULE_FREE and record.steps == TINY.total_steps
    assert not record.diverged and 0.5 < record.value("val_accuracy") <= 1.0
    assert 0.5 < record.value("accuracy") <= 1.0
    # Evaluated at x: the model holds x after fit, and the test accuracy is x's.
    run = record.run
    assert np.all(run.learning_rates == pytest.approx(0.5))
    again = trial(SCHEDULE_FREE, 0.5, 0, setup=TINY)
    assert again == record  # the same numbers, every split


def test_a_budget_family_runs_in_a_sweep():
    results = sweep(["wsd"], [0.5], setup=TINY)
    assert results.families == ("wsd",) and len(results.records) == 1
    assert results.mean_rate("wsd", 0.5) == pytest.approx(0.5 * (0.8 + 0.1), rel=0.02)


def test_extension_trial_builds_the_three_ways():
    setup = ub.extension_setup(TINY)
    assert setup.epochs == 4 and setup.total_steps == 2 * TINY.total_steps
    record = ub.extension_trial("cosine-rewarmed", 0.5, 0, setup)
    rates = record.run.learning_rates
    half = TINY.total_steps
    np.testing.assert_allclose(rates, evaluate(WarmRestarts(0.5, half, 1.0), len(rates)),
                               rtol=1e-5, atol=1e-7)
    assert rates[half] == pytest.approx(0.5)  # the rewarm
    with pytest.raises(ValueError, match="`family`"):
        ub.extension_trial("cosine", 0.5, 0, setup)


def test_the_continued_wsd_run_shares_its_stable_phase_with_the_planned_one():
    planned = trial("wsd", 0.5, 0, setup=TINY).run
    continued = ub.extension_trial("wsd-continued", 0.5, 0, ub.extension_setup(TINY)).run
    stable = round(0.8 * TINY.total_steps)
    np.testing.assert_array_equal(planned.losses[:stable], continued.losses[:stable])
    assert not np.array_equal(planned.losses, continued.losses[:TINY.total_steps])


def test_compute_steps():
    assert ub.compute_steps("wsd-continued", 320, 640) == 704
    assert ub.compute_steps("cosine-restarted", 320, 640) == 960
    assert ub.compute_steps("cosine-rewarmed", 320, 640) == 640
    assert ub.compute_steps("inverse-sqrt", 320, 640) == 640
    assert ub.compute_steps("wsd-continued", 10_000, 30_000, cooldown=0.1) == 31_000
    with pytest.raises(ValueError, match="`t2`"):
        ub.compute_steps("wsd-continued", 320, 100)


def _fake_results():
    rng = np.random.default_rng(0)
    records = []
    for family, shift in (("cosine", 0.0), ("linear", 0.02), ("wsd", 0.0)):
        for peak in (0.1, 0.2, 0.5):
            seeds = ub.SEEDS if peak == 0.2 else ub.SELECTION_SEEDS
            for seed in seeds:
                value = 0.9 + shift - abs(np.log(peak / 0.2)) / 10 + 0.001 * seed
                noise = rng.normal(0, 0.002) if family == "wsd" else 0.0
                records.append(Record.of(family, peak, seed, accuracy=value + noise,
                                         val_accuracy=value))
    return SweepResults.from_records(records, total_steps=320)


def test_selection_differences_and_verdicts():
    results = _fake_results()
    assert ub.select(results, "linear") == 0.2
    found = ub.differences(results)
    assert set(found) == {"linear", "wsd"} and found["linear"].n == 10
    assert found["linear"].mean == pytest.approx(0.02)
    said = ub.verdicts(results)
    assert said["linear"].startswith("linear to 0 beats cosine to 0 by 2.0 points")
    assert "within noise" in said["wsd"]


def test_figures_draw():
    fig = render(ub.budget_experiment, factor=3.0, cooldown=0.3)
    ax, ax_cost = fig.axes[:2]
    assert "3·" in ax.get_title() and "30%" in ax.get_title()
    assert [t.get_text() for t in ax_cost.get_yticklabels()][0] == "WSD continued"
    grid = small_multiples(ub.budget_experiment, "factor", [1.5, 2.0], ncols=1)
    assert len(grid.axes) >= 4
    controls = ub.budget_experiment_controls()
    assert set(controls) == {"factor", "cooldown"} and controls["factor"].value == 2.0
    import matplotlib.pyplot as plt

    fig, axis = plt.subplots()
    ub.plot_differences(axis, _fake_results(), title="fake")
    assert axis.get_title() == "fake" and len(axis.get_yticklabels()) == 2
    plt.close(fig)


def test_placeholders_ask_for_an_answer():
    for result in (ub.check_linear_to_zero(...), ub.check_extension_cost(..., 1),
                   ub.check_inverse_sqrt_step(...)):
        assert isinstance(result, Result) and not result and "`...`" in result.message


def test_check_linear_to_zero():
    assert ub.check_linear_to_zero(WarmupStableDecay(0.5, 1000, 0, 1000))
    keras_linear = keras.optimizers.schedules.PolynomialDecay(0.5, 1000, 0.0, power=1.0)
    result = ub.check_linear_to_zero(keras_linear)
    assert result and "not an lrlib schedule" in result.message
    assert not ub.check_linear_to_zero(WarmupStableDecay(0.5, 1000, 0, 200))
    assert not ub.check_linear_to_zero(for_budget("cosine", 0.5, 1000))


def test_check_extension_cost():
    assert ub.check_extension_cost(32_000, 40_000)
    wrong = ub.check_extension_cost(30_000 + 10_000, 40_000)  # forgot the reuse
    assert not wrong and "32" not in wrong.message
    assert not ub.check_extension_cost(32_000, 30_000)
    assert not ub.check_extension_cost(20_000, 40_000)  # below T2: not allowed


def test_check_inverse_sqrt_step():
    assert ub.check_inverse_sqrt_step(50_000)
    wrong = ub.check_inverse_sqrt_step(5_000)
    assert not wrong and "t/W = 100" in wrong.message
    assert not ub.check_inverse_sqrt_step(100)


def test_stored_tables_when_present():
    """The stored tables follow the protocol: 10 paired seeds at each selected peak, the
    selected peak inside its grid (skipped until the sweeps have written them)."""
    for task in ("digits", "mnist1d", "mnist1d-adam", "digits-adam"):
        if not (ub.RESULTS / f"{ub.TABLES[task]}.jsonl").exists():
            continue
        results, peaks = ub.comparison(task), ub.selected(task)
        for family in ub.CONTENDERS[task]:
            best = peaks[family]
            grid = ub.PEAKS[task][family]
            assert grid[0] < best < grid[-1], (task, family, best)
            assert results.cell(family, best).runs == 10


def test_selection_uses_the_seeds_every_peak_ran_and_the_peaks_figure_rings_it():
    import matplotlib.pyplot as plt

    results = _fake_results()
    assert ub._common_seeds(results, "cosine") == ub.SELECTION_SEEDS
    assert ub.select(results, "cosine", seeds=(9,)) == 0.2
    fig, axis = plt.subplots()
    ub.plot_peaks(axis, results, {f: 0.2 for f in results.families}, title="peaks")
    assert axis.get_title() == "peaks" and axis.get_xscale() == "log"
    assert [t.get_text() for t in axis.get_legend().get_texts()] == [
        "cosine to 0", "linear to 0", "WSD, linear cooldown"]
    plt.close(fig)


def test_the_adam_comparison_names_its_contenders_as_adam_on_the_page():
    import matplotlib.pyplot as plt

    results = _fake_results()
    peaks = {f: 0.2 for f in results.families}
    fig, (left, right) = plt.subplots(1, 2)
    ub.plot_peaks(left, results, peaks, labels={"linear": "linear, Adam"})
    assert "linear, Adam" in [t.get_text() for t in left.get_legend().get_texts()]
    ub.plot_differences(right, results, peaks=peaks, labels={"cosine": "cosine, Adam"})
    assert right.get_xlabel() == "test accuracy − cosine, Adam (points)"
    lines = ub.verdicts(results, peaks=peaks, labels={"cosine": "cosine, Adam"})
    assert all("cosine, Adam" in line for line in lines.values())
    plt.close(fig)
    assert ub.SETUPS["mnist1d-adam"].optimizer == "adam"
    assert ub.SETUPS["mnist1d-adam"].total_steps == ub.SETUPS["mnist1d"].total_steps
    assert set(ub.ADAM_LABELS) == set(ub.CONTENDERS["mnist1d-adam"])


def test_the_command_adds_the_named_contenders_to_the_table(tmp_path, monkeypatch):
    from lrlib.course.runs import Record, SweepResults
    from lrlib.course.study import read_table, write_table

    old = SweepResults.from_records(
        [Record.of(f, 0.2, s, accuracy=0.9, val_accuracy=0.9, steps=1880)
         for f in ("linear", "inverse-sqrt") for s in (0, 1)], total_steps=1880)
    out = tmp_path / "table.jsonl"
    write_table(old, out, ub.SETUPS["mnist1d"])
    new = SweepResults.from_records(
        [Record.of("inverse-sqrt", 0.5, s, accuracy=0.8, val_accuracy=0.8, steps=1880)
         for s in (0, 1)], total_steps=1880)
    seen = {}
    monkeypatch.setattr(ub, "run_comparison",
                        lambda task, families, progress: seen.update(f=families) or new)
    assert ub.main(["mnist1d", "--families", "inverse-sqrt", "--out", str(out),
                    "--no-progress"]) == 0
    assert seen["f"] == ["inverse-sqrt"]
    records = read_table(out).records
    assert [(r.family, r.peak) for r in records] == [
        ("linear", 0.2), ("linear", 0.2), ("inverse-sqrt", 0.5), ("inverse-sqrt", 0.5)]
