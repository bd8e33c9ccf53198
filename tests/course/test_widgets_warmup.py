"""lrlib.course.widgets.warmup: the schedule, cached runs, the sweep, the figure, Adam's step sizes."""

import keras
import numpy as np
import pytest

from lrlib.course.data import load_digits
from lrlib.course.runs import Setup
from lrlib.schedules import CosineAnnealing, Warmup
from lrlib.course.widgets import render, small_multiples
from lrlib.course.widgets import warmup as W

#: A tiny setup so the tests run fast: 2 epochs of batches of 256 (12 steps), one seed.
TINY = Setup(epochs=2, batch_size=256, seeds=(0,))


def test_warmup_schedule_keeps_the_budget():
    schedule = W.warmup_schedule(4.0, 30, 120)
    assert schedule == Warmup(CosineAnnealing(4.0, 90), 30)
    rates = schedule(np.arange(121))
    assert rates[0] == 0.0 and rates[15] == pytest.approx(2.0) and rates.max() == pytest.approx(4.0)
    assert rates[120] == pytest.approx(0.0, abs=1e-9)  # the cosine ends with the budget
    assert W.warmup_schedule(4.0, 0, 120) == CosineAnnealing(4.0, 120)


@pytest.mark.parametrize("args,argument", [
    ((0.0, 10, 100), "peak_rate"), ((1.0, -1, 100), "warmup_steps"),
    ((1.0, 100, 100), "warmup_steps"), ((1.0, 10, 1), "total_steps"),
])
def test_warmup_schedule_bad_arguments(args, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        W.warmup_schedule(*args)


def test_large_batch_setup():
    assert W.LARGE_BATCH.batch_size == 256 and W.LARGE_BATCH.steps_per_epoch == 6
    assert W.LARGE_BATCH.total_steps == 120 and W.LARGE_BATCH.seeds == (0, 1, 2)


def test_runs_are_cached_and_the_sweep_counts_them():
    first = W.warmup_runs(0.5, 4, TINY)
    again = W.warmup_runs(0.5, 4, TINY)
    assert first[0] is again[0] and len(first) == 1
    np.testing.assert_allclose(first[0].learning_rates[:4], [0.0, 0.125, 0.25, 0.375],
                               rtol=1e-6)
    sweep = W.warmup_sweep(0.5, [0, 4], TINY)
    assert sweep[4]["trained"] == 1 and sweep[4]["seeds"] == 1
    assert sweep[4]["accuracy_mean"] == pytest.approx(first[0].final_accuracy)
    with pytest.raises(ValueError, match="`setup`"):
        W.warmup_runs(0.5, 4, setup="large")


def test_a_huge_rate_diverges_and_the_figure_says_so():
    runs = W.warmup_runs(50.0, 0, TINY)
    assert runs[0].diverged
    sweep = W.warmup_sweep(50.0, [0], TINY)
    assert sweep[0]["trained"] == 0 and np.isnan(sweep[0]["accuracy_mean"])
    fig = render(W.warmup_experiment, warmup_steps=0, peak_rate=50.0, setup=TINY)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any(text.startswith("diverged at step") for text in texts)
    assert fig.axes[1].get_title() == "All 1 seeds diverge"


def test_figure_and_small_multiples_draw_what_they_say():
    fig = render(W.warmup_experiment, warmup_steps=4, peak_rate=0.5, setup=TINY)
    assert fig.axes[0].get_title() == "Warmup 4 steps, peak 0.5"
    assert fig.axes[1].get_title().startswith("1 of 1 seeds train")
    grid = small_multiples(W.warmup_experiment, "warmup_steps", [0, 4], peak_rate=0.5,
                           setup=TINY)
    assert len(grid.axes) == 4
    _, axes = __import__("lrlib.course.plots").course.plots.new_figure(1, 2)
    W.plot_warmup_sweep(axes[0], W.warmup_sweep(0.5, [0, 4], TINY), steps_per_epoch=6)
    assert "6 steps = 1 epoch" in axes[0, 0].get_xlabel()


def test_controls():
    controls = W.warmup_experiment_controls()
    assert set(controls) == {"warmup_steps", "peak_rate"}
    assert controls["warmup_steps"].max == 90 and controls["peak_rate"].value == pytest.approx(4.0)
    assert controls["warmup_steps"].value == 48  # a setting the chapter's sweep has cached


def test_adam_update_sizes_match_keras_adam():
    rng = np.random.default_rng(0)
    gradients = rng.normal(0.1, 1.0, size=(30, 5)) * np.array([1e-3, 1e-1, 1.0, 10.0, 1e3])
    sizes = W.adam_update_sizes(gradients)
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
        W.adam_update_sizes(np.ones(3))
    with pytest.raises(ValueError, match="`beta_2`"):
        W.adam_update_sizes(np.ones((2, 2)), beta_2=1.0)
