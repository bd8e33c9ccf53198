"""lrlib.course.range_test (the chapter's companion, not the product's lrlib.range_test):
cached range tests, the figure, runs at a rate, the plateau plot; its checkers accept the
reference answers and reject the typical mistakes."""

import numpy as np
import pytest

from lrlib.callbacks import ReduceScaleOnPlateau
from lrlib.course import range_test as chapter
from lrlib.course.plots import new_figure
from lrlib.course.training import train
from lrlib.course.widgets import render, small_multiples
from lrlib.range_test import smooth_losses
from lrlib.schedules import PlateauScaled



def test_range_tests_are_cached_by_their_settings():
    first = chapter.range_test(steps=20, max_learning_rate=100.0)
    assert chapter.range_test(steps=20, max_learning_rate=100.0) is first
    assert chapter.range_test(steps=21, max_learning_rate=100.0) is not first
    assert first.planned_steps == 20
    with pytest.raises(ValueError, match="`steps`"):
        chapter.range_test(steps=2)


def test_the_figure_names_the_ramp_and_where_it_blew_up():
    fig = render(chapter.range_test_experiment, steps=20, max_learning_rate=100.0)
    title = fig.axes[0].get_title()
    test = chapter.range_test(steps=20, max_learning_rate=100.0)
    if test.stopped_at is None:
        assert title == "SGD, ramp of 20 steps: the loss never blew up"
    else:
        assert title == f"SGD, ramp of 20 steps: blew up at {test.divergence_rate:.2g}"
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any(label.startswith("valley: ") for label in labels)
    grid = small_multiples(chapter.range_test_experiment, "steps", [20, 21], max_learning_rate=100.0)
    assert len(grid.axes) == 2


def test_a_ramp_that_stays_low_never_blows_up():
    fig = render(chapter.range_test_experiment, steps=20, max_learning_rate=1e-3)
    assert fig.axes[0].get_title().endswith("the loss never blew up")


def test_controls():
    controls = chapter.range_test_experiment_controls()
    assert set(controls) == {"steps", "max_learning_rate", "smoothing", "optimizer"}
    assert controls["steps"].value == 100 and controls["optimizer"].value == "sgd"


def test_plateau_plot_marks_each_reduction():
    schedule = PlateauScaled(0.1)
    plateau = ReduceScaleOnPlateau(schedule, monitor="loss", patience=1, min_delta=10.0)
    run = train(schedule, epochs=3, seed=0, callbacks=[plateau])
    assert len(plateau.reductions) == 2
    _, axes = new_figure(1, 2)
    chapter.plot_plateau_run(axes[0], {"with plateaus": run}, plateau.reductions)
    dotted = [line for line in axes[0, 1].get_lines() if line.get_linestyle() == ":"]
    assert len(dotted) == 2
    assert axes[0, 0].get_yscale() == "log"


# -- checkers ----------------------------------------------------------------------------------

def test_placeholders_ask_for_an_answer():
    for checker in (chapter.check_ramp_rate, chapter.check_smoothed_loss, chapter.check_plateau_factor):
        result = checker(...)
        assert not result and "replace the `...`" in result.message


def test_ramp_rate():
    assert chapter.check_ramp_rate(np.sqrt(1e-4 * 10.0))
    linear = chapter.check_ramp_rate(5.00005)
    assert not linear and "geometric mean" in linear.message
    assert not chapter.check_ramp_rate(0.1)


def _reference(losses, beta):
    average, out = 0.0, []
    for k, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta**k))
    return out


def test_smoothed_loss_accepts_the_bias_corrected_average_and_explains_the_raw_one():
    assert chapter.check_smoothed_loss(_reference)

    def raw(losses, beta):
        average, out = 0.0, []
        for loss in losses:
            average = beta * average + (1 - beta) * loss
            out.append(average)
        return out

    result = chapter.check_smoothed_loss(raw)
    assert not result and "bias-corrected" in result.message
    assert not chapter.check_smoothed_loss(lambda losses, beta: losses[:-1])
    assert not chapter.check_smoothed_loss(lambda losses, beta: 1 / 0)
    unfinished = chapter.check_smoothed_loss(lambda losses, beta: None)
    assert not unfinished and "returned nothing" in unfinished.message
    assert not chapter.check_smoothed_loss(0.9)


def test_smoothed_loss_reference_is_the_range_test_smoothing():
    """The checker's reference is what lr_range_test computes (on its recorded losses)."""
    from lrlib.course.data import make_two_moons
    from lrlib.course.training import range_test

    test = range_test(data=make_two_moons(num_examples=256), hidden=(8,), steps=20,
                         smoothing=0.9)
    np.testing.assert_allclose(_reference(test.losses, 0.9), test.smoothed_losses, rtol=1e-6)
    np.testing.assert_allclose(smooth_losses(test.losses, 0.9), test.smoothed_losses, rtol=1e-6)


def test_plateau_factor_matches_the_callback():
    import keras

    from lrlib.schedules import PlateauScaled
    from lrlib.callbacks import ReduceScaleOnPlateau

    schedule = PlateauScaled(0.1)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    callback = ReduceScaleOnPlateau(factor=0.5, patience=2)
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, value in enumerate([0.50, 0.40, 0.41, 0.40, 0.35, 0.36, 0.37, 0.38]):
        callback.on_epoch_end(epoch, {"val_loss": value})
    assert chapter.check_plateau_factor(schedule.scale)
    assert not chapter.check_plateau_factor(0.125) and not chapter.check_plateau_factor(0.5)
    assert "new best" in chapter.check_plateau_factor(0.5).message


# -- the protocol's stored runs ------------------------------------------------------------------

class _FakeTest:
    suggestions = {"steepest": 0.50119, "minimum/10": 0.22387, "valley": 0.0794328}

    def suggestion(self, rule):
        return self.suggestions[rule]


def test_protocol_rates_are_each_rule_and_ten_times_two_to_two_digits():
    assert chapter.protocol_rates(_FakeTest()) == {
        "steepest": 0.5, "minimum/10": 0.22, "valley": 0.079, "10 x steepest": 5.0,
        "10 x valley": 0.79}


def test_the_stored_runs_are_at_the_protocol_tests_rates_with_ten_seeds():
    runs = chapter.protocol_results()
    rates = chapter.protocol_rates()  # the range test on the protocol's training split
    assert runs.families == ("constant",)
    assert runs.rates == tuple(sorted(set(rates.values())))
    assert all(cell.runs == 10 for cell in runs.cells("constant"))


def test_the_suggestions_figure_marks_each_rate_and_the_diverging_ones():
    from lrlib.course.study import stored

    runs = chapter.protocol_results()
    rates = chapter.protocol_rates(_FakeTest())
    fig, axes = new_figure()
    chapter.plot_suggestions(axes[0, 0], stored("digits"), runs, rates)
    labels = [t.get_text() for t in axes[0, 0].get_legend().get_texts()]
    assert "10 x steepest: 5 (diverges)" in labels and "valley: 0.079" in labels
    assert "some seeds diverge" in labels and axes[0, 0].get_xscale() == "log"


def test_the_command_trains_at_the_rates_and_writes_the_table(tmp_path, monkeypatch):
    from lrlib.course import study
    from lrlib.course.runs import Record, SweepResults

    calls = {}

    def fake_run_study(families, peaks, seeds, setup, **options):
        calls.update(families=families, peaks=peaks, seeds=seeds, setup=setup, **options)
        return SweepResults.from_records(
            [Record.of("constant", p, s, accuracy=0.9, val_accuracy=0.9, steps=320)
             for p in peaks for s in seeds], total_steps=320)

    monkeypatch.setattr(study, "run_study", fake_run_study)
    monkeypatch.setattr(chapter, "protocol_test", lambda: _FakeTest())
    out = tmp_path / "range.jsonl"
    assert chapter.main(["--out", str(out), "--journal", str(tmp_path / "j"),
                         "--no-progress"]) == 0
    assert calls["families"] == ["constant"] and calls["peaks"] == [0.079, 0.22, 0.5, 0.79, 5.0]
    assert calls["setup"] == study.TASK_SETUPS["digits"]
    assert len(study.read_table(out).records) == 50
