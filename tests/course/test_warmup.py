"""lrlib.course.warmup: the schedule, cached runs, the sweep, the figure, Adam's step sizes;
its checkers accept the reference answers and reject the typical mistakes."""

import math

import keras
import numpy as np
import pytest

from lrlib.course import warmup
from lrlib.course.runs import Setup
from lrlib.course.plots import new_figure
from lrlib.course.widgets import render, small_multiples
from lrlib.schedules import CosineAnnealing, Warmup

#: A tiny setup so the tests run fast: 2 epochs of batches of 256 (12 steps), one seed.
TINY = Setup(epochs=2, batch_size=256, seeds=(0,))


def test_warmup_schedule_keeps_the_budget():
    schedule = warmup.warmup_schedule(4.0, 30, 120)
    assert schedule == Warmup(CosineAnnealing(4.0, 90), 30)
    rates = schedule(np.arange(121))
    assert rates[0] == 0.0 and rates[15] == pytest.approx(2.0) and rates.max() == pytest.approx(4.0)
    assert rates[120] == pytest.approx(0.0, abs=1e-9)  # the cosine ends with the budget
    assert warmup.warmup_schedule(4.0, 0, 120) == CosineAnnealing(4.0, 120)


@pytest.mark.parametrize("args,argument", [
    ((0.0, 10, 100), "peak_rate"), ((1.0, -1, 100), "warmup_steps"),
    ((1.0, 100, 100), "warmup_steps"), ((1.0, 10, 1), "total_steps"),
])
def test_warmup_schedule_bad_arguments(args, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        warmup.warmup_schedule(*args)


def test_large_batch_setup():
    assert warmup.LARGE_BATCH.batch_size == 256 and warmup.LARGE_BATCH.steps_per_epoch == 6
    assert warmup.LARGE_BATCH.total_steps == 120 and warmup.LARGE_BATCH.seeds == (0, 1, 2)


def test_runs_are_cached_and_the_sweep_counts_them():
    first = warmup.warmup_runs(0.5, 4, TINY)
    again = warmup.warmup_runs(0.5, 4, TINY)
    assert first[0] is again[0] and len(first) == 1
    np.testing.assert_allclose(first[0].learning_rates[:4], [0.0, 0.125, 0.25, 0.375],
                               rtol=1e-6)
    sweep = warmup.warmup_sweep(0.5, [0, 4], TINY)
    assert sweep[4]["trained"] == 1 and sweep[4]["seeds"] == 1
    assert sweep[4]["accuracy_mean"] == pytest.approx(first[0].final_accuracy)
    with pytest.raises(ValueError, match="`setup`"):
        warmup.warmup_runs(0.5, 4, setup="large")


def test_a_huge_rate_diverges_and_the_figure_says_so():
    runs = warmup.warmup_runs(50.0, 0, TINY)
    assert runs[0].diverged
    sweep = warmup.warmup_sweep(50.0, [0], TINY)
    assert sweep[0]["trained"] == 0 and np.isnan(sweep[0]["accuracy_mean"])
    fig = render(warmup.warmup_experiment, warmup_steps=0, peak_rate=50.0, setup=TINY)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any(text.startswith("diverged at step") for text in texts)
    assert fig.axes[1].get_title() == "All 1 seeds diverge"


def test_figure_and_small_multiples_draw_what_they_say():
    fig = render(warmup.warmup_experiment, warmup_steps=4, peak_rate=0.5, setup=TINY)
    assert fig.axes[0].get_title() == "Warmup 4 steps, peak 0.5"
    assert fig.axes[1].get_title().startswith("1 of 1 seeds train")
    grid = small_multiples(warmup.warmup_experiment, "warmup_steps", [0, 4], peak_rate=0.5,
                           setup=TINY)
    assert len(grid.axes) == 4
    _, axes = new_figure(1, 2)
    warmup.plot_warmup_sweep(axes[0], warmup.warmup_sweep(0.5, [0, 4], TINY), steps_per_epoch=6)
    assert "6 steps = 1 epoch" in axes[0, 0].get_xlabel()


def test_controls():
    controls = warmup.warmup_experiment_controls()
    assert set(controls) == {"warmup_steps", "peak_rate"}
    assert controls["warmup_steps"].max == 96 and controls["warmup_steps"].step == 12
    assert controls["peak_rate"].value == pytest.approx(4.0)
    assert controls["warmup_steps"].value == 48  # a setting the chapter's sweep has cached


def test_adam_update_sizes_match_keras_adam():
    rng = np.random.default_rng(0)
    gradients = rng.normal(0.1, 1.0, size=(30, 5)) * np.array([1e-3, 1e-1, 1.0, 10.0, 1e3])
    sizes = warmup.adam_update_sizes(gradients)
    variable = keras.Variable(np.zeros(5, dtype="float32"))
    optimizer = keras.optimizers.Adam(learning_rate=1.0)
    previous = np.zeros(5)
    for t, g in enumerate(gradients):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g.astype("float32")), variable)])
        now = np.asarray(variable.numpy(), dtype=float)
        np.testing.assert_allclose(np.abs(now - previous), sizes[t], rtol=2e-3, atol=1e-6)
        previous = now
    assert np.all(sizes[0] > 0.98)  # the first step: the full rate, for every weight
    assert sizes[-1].mean() < 0.5  # noise averaged out: steps shrink


def test_adam_update_sizes_bad_arguments():
    with pytest.raises(ValueError, match="`gradients`"):
        warmup.adam_update_sizes(np.ones(3))
    with pytest.raises(ValueError, match="`beta_2`"):
        warmup.adam_update_sizes(np.ones((2, 2)), beta_2=1.0)


# -- checkers ----------------------------------------------------------------------------------

def test_placeholders_ask_for_an_answer():
    for checker in (warmup.check_adam_first_step, warmup.check_linear_scaling_rate, warmup.check_warmup_steps,
                    warmup.check_keras_cosine_warmup):
        result = checker(...)
        assert not result and "replace the `...`" in result.message


def test_noise_step():
    plain, averaged = np.sqrt(2 / np.pi), np.sqrt(2 / np.pi) * np.sqrt(0.1 / 1.9)
    assert warmup.check_noise_step(beta_1_0=0.8, beta_1_09=0.18)
    assert warmup.check_noise_step(beta_1_0=plain, beta_1_09=averaged)
    first = warmup.check_noise_step(beta_1_0=1.0, beta_1_09=averaged)
    assert not first and "first step" in first.message
    assert not warmup.check_noise_step(beta_1_0=plain, beta_1_09=0.08)
    sd = warmup.check_noise_step(beta_1_0=plain, beta_1_09=0.229)  # the running mean's sd
    assert not sd and "standard deviation" in sd.message and "0.18" not in sd.message
    assert "outside what the question allows" in warmup.check_noise_step(-0.8, 0.18).message
    assert not warmup.check_noise_step(beta_1_0=..., beta_1_09=0.18)
    # The predictions are what Adam does, measured.
    noise = np.random.default_rng(0).normal(size=(600, 500))
    for beta_1, expected in ((0.0, plain), (0.9, averaged)):
        measured = warmup.adam_update_sizes(noise, beta_1=beta_1).mean(axis=1)[300:].mean()
        assert abs(measured / expected - 1) < 0.05


def test_adam_first_step():
    assert warmup.check_adam_first_step([0.01, 0.01, 0.01])
    assert warmup.check_adam_first_step(np.array([-0.01, 0.01, 0.00999]))
    sgd = warmup.check_adam_first_step([1e-5, 0.01, 1.0])
    assert not sgd and "plain SGD" in sgd.message
    assert not warmup.check_adam_first_step([0.01, 0.01])
    assert not warmup.check_adam_first_step("small")


def test_adam_first_step_reference_is_what_keras_does():
    weights = keras.Variable(np.zeros(3, dtype="float32"))
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    optimizer.apply_gradients([(keras.ops.convert_to_tensor([0.001, 1.0, 100.0]), weights)])
    assert warmup.check_adam_first_step(np.asarray(weights.numpy()))


def test_linear_scaling_and_warmup_steps():
    assert warmup.check_linear_scaling_rate(3.2)
    square_root = warmup.check_linear_scaling_rate(0.1 * math.sqrt(32))
    assert not square_root and "square-root" in square_root.message
    assert warmup.check_warmup_steps(5 * math.ceil(1_281_167 / 8192))
    assert warmup.check_warmup_steps(782)  # 5 x 156.4, within 1%
    epochs = warmup.check_warmup_steps(5)
    assert not epochs and "optimizer steps" in epochs.message


def test_keras_cosine_warmup_accepts_lrlib_and_keras_and_explains_decay_steps():
    assert warmup.check_keras_cosine_warmup(Warmup(CosineAnnealing(0.2, 1000), 100))
    theirs = keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=0.2,
                                                    warmup_steps=100)
    assert warmup.check_keras_cosine_warmup(lambda t: float(theirs(t)))
    short = warmup.check_keras_cosine_warmup(Warmup(CosineAnnealing(0.2, 900), 100))
    assert not short
    no_warmup = warmup.check_keras_cosine_warmup(CosineAnnealing(0.2, 1100))
    assert not no_warmup and "at step 0" in no_warmup.message
    assert not warmup.check_keras_cosine_warmup(0.2)


# -- the protocol's stored grid ------------------------------------------------------------------

def test_protocol_setup_keeps_the_chapters_120_steps_on_the_validation_split():
    assert warmup.PROTOCOL.validation and warmup.PROTOCOL.seeds == tuple(range(10))
    assert warmup.PROTOCOL.steps_per_epoch == 4 and warmup.PROTOCOL.total_steps == 120
    assert warmup.PROTOCOL.total_steps == warmup.LARGE_BATCH.total_steps
    assert max(warmup.PROTOCOL_LENGTHS) < warmup.PROTOCOL.total_steps


def test_protocol_family_names_round_trip_and_bad_names_raise():
    assert warmup.protocol_family(48) == "warmup-48"
    assert warmup.protocol_length("warmup-48") == 48
    with pytest.raises(ValueError, match="`family`"):
        warmup.protocol_length("cosine")
    with pytest.raises(ValueError, match="`warmup_steps`"):
        warmup.protocol_family(-1)


def test_protocol_trial_trains_the_warmup_schedule_on_the_validation_split():
    tiny = Setup(epochs=2, batch_size=256, seeds=(0,), validation=True)
    record = warmup.protocol_trial("warmup-4", 0.5, 0, setup=tiny)
    assert (record.family, record.peak, record.seed) == ("warmup-4", 0.5, 0)
    assert record.run.learning_rates[:4].tolist() == pytest.approx([0.0, 0.125, 0.25, 0.375])
    assert record.value("val_accuracy") is not None and record.value("accuracy") is not None


def _grid_records():
    from lrlib.course.runs import Record

    accuracy = {("warmup-0", 1.0): 0.90, ("warmup-12", 1.0): 0.95, ("warmup-24", 1.0): 0.95,
                ("warmup-0", 4.0): None, ("warmup-12", 4.0): 0.97, ("warmup-24", 4.0): 0.96}
    records = []
    for (family, peak), value in accuracy.items():
        for seed in (0, 1):
            if value is None:
                records.append(Record.of(family, peak, seed, diverged_at=3, steps=4,
                                         validated=True))
            else:
                records.append(Record.of(family, peak, seed, accuracy=value,
                                         val_accuracy=value, steps=120))
    return records


def test_selected_takes_the_best_validation_cell_that_trained_and_the_shorter_on_a_tie():
    from lrlib.course.runs import SweepResults

    results = SweepResults.from_records(_grid_records(), total_steps=120)
    assert warmup.selected(results) == (12, 4.0)
    assert warmup.selected(results, peak=1.0) == (12, 1.0)  # 12 and 24 tie: the shorter
    with pytest.raises(ValueError, match="no cell"):
        warmup.selected(results, peak=2.0)
    fig, axes = new_figure()
    warmup.plot_protocol(axes[0, 0], results)
    labels = [t.get_text() for t in axes[0, 0].get_legend().get_texts()]
    assert labels == ["peak 1", "peak 4", "seeds that diverge (of 10)"]


def test_the_stored_grid_follows_the_protocol():
    results = warmup.protocol_results()
    assert set(results.families) == {warmup.protocol_family(w) for w in warmup.PROTOCOL_LENGTHS}
    assert results.rates == warmup.PROTOCOL_PEAKS
    for family in results.families:
        for cell in results.cells(family):
            assert cell.runs == 10


def test_the_command_runs_the_grid_and_writes_the_table(tmp_path, monkeypatch):
    from lrlib.course import study
    from lrlib.course.runs import SweepResults

    calls = {}

    def fake_run_study(families, peaks, seeds, setup, **options):
        calls.update(families=families, peaks=peaks, seeds=seeds, setup=setup, **options)
        return SweepResults.from_records(_grid_records(), total_steps=120)

    monkeypatch.setattr(study, "run_study", fake_run_study)
    out = tmp_path / "warmup.jsonl"
    assert warmup.main(["--out", str(out), "--journal", str(tmp_path / "j"),
                        "--no-progress"]) == 0
    assert calls["objective"] is warmup.protocol_trial and calls["setup"] == warmup.PROTOCOL
    assert calls["families"] == [f"warmup-{w}" for w in warmup.PROTOCOL_LENGTHS]
    assert len(study.read_table(out).records) == 12
