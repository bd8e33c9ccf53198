"""lrlib.training: the logger records what the optimizer used; runs are deterministic."""

import keras
import numpy as np
import pytest

from lrlib.data import make_two_moons
from lrlib.schedules import CosineAnnealing, StepDecay
from lrlib.training import LearningRateLogger, build_model, make_optimizer, train

MOONS = make_two_moons(num_examples=256, seed=0)


def test_logger_records_the_rate_used_at_every_step_and_the_batch_losses():
    schedule = StepDecay(0.1, drop_factor=0.5, drop_every=5)
    run = train(schedule, epochs=2, batch_size=32, data=MOONS, hidden=(8,), seed=0)
    assert run.steps_per_epoch == 6 and len(run.learning_rates) == 12
    np.testing.assert_allclose(run.learning_rates, schedule(np.arange(12)), rtol=1e-6)
    # The per-batch losses average (weighted by batch size) to Keras's epoch loss.
    sizes = np.array([32] * 5 + [192 - 160])
    epoch_mean = np.sum(run.losses[:6] * sizes) / sizes.sum()
    assert epoch_mean == pytest.approx(run.history["loss"][0], rel=1e-4)


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = train(0.1, epochs=2, data=MOONS, hidden=(8,), seed=3)
    b = train(0.1, epochs=2, data=MOONS, hidden=(8,), seed=3)
    c = train(0.1, epochs=2, data=MOONS, hidden=(8,), seed=4)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.history["val_accuracy"].tolist() == b.history["val_accuracy"].tolist()
    assert not np.array_equal(a.losses, c.losses)


def test_digits_trains_well_at_a_good_rate():
    run = train(CosineAnnealing(0.2, decay_steps=5 * 43), epochs=5, seed=0)
    assert run.final_accuracy > 0.93
    assert run.steps_to_accuracy(0.9) is not None
    assert run.smoothed_losses()[-1] < run.smoothed_losses()[0]


def test_divergence_stops_training_and_says_where():
    run = train(50.0, epochs=3, data=MOONS, hidden=(8,), seed=0)
    assert run.diverged and run.diverged_at < 18
    assert len(run.losses) == run.diverged_at + 1
    assert run.describe() == f"diverged at step {run.diverged_at}"
    assert run.final_accuracy == 0.0 and run.steps_to_accuracy(0.5) is None


def test_logger_works_in_plain_model_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    logger = LearningRateLogger()
    model.fit(np.ones((10, 2)), np.ones(10), batch_size=5, epochs=2, verbose=0, callbacks=[logger])
    assert logger.learning_rates == pytest.approx([0.05] * 4)
    assert len(logger.losses) == 4 and logger.diverged_at is None


def test_build_model_and_optimizers():
    assert build_model(64, 10, hidden=(32, 16)).count_params() == 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10
    assert isinstance(make_optimizer("adam", 1e-3), keras.optimizers.Adam)
    assert make_optimizer("sgd", 0.1, momentum=0.9).momentum == 0.9


@pytest.mark.parametrize("call,argument", [
    (lambda: make_optimizer("lamb", 0.1), "optimizer"),
    (lambda: make_optimizer("sgd", -0.1), "learning_rate"),
    (lambda: make_optimizer("sgd", "fast"), "learning_rate"),
    (lambda: make_optimizer("adam", 0.1, momentum=0.9), "momentum"),
    (lambda: train(0.1, epochs=0), "epochs"),
    (lambda: train(0.1, batch_size=0), "batch_size"),
    (lambda: train(0.1, data=(1, 2)), "data"),
    (lambda: LearningRateLogger(divergence_factor=0.5), "divergence_factor"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        call()


def test_range_test_ramps_stops_restores_and_suggests():
    from lrlib.training import lr_range_test

    result = lr_range_test(steps=120, min_learning_rate=1e-3, max_learning_rate=100.0)
    rates = result.learning_rates
    assert rates[0] == pytest.approx(1e-3, rel=1e-5)
    np.testing.assert_allclose(rates[1:] / rates[:-1], (1e5) ** (1 / 120), rtol=1e-4)
    assert result.stopped_at is not None and rates[-1] < 100.0  # the loss blew up first
    suggestions = result.suggestions
    assert set(suggestions) == {"steepest", "minimum/10", "valley"}
    assert all(1e-3 <= value <= rates[-1] for value in suggestions.values())
    with pytest.raises(ValueError, match="`rule`"):
        result.suggestion("median")


def test_range_test_restores_a_users_model():
    from lrlib.training import lr_range_test

    model = build_model(2, 2, hidden=(4,))
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = [w.copy() for w in model.get_weights()]
    optimizer = model.optimizer
    lr_range_test(model, MOONS.x_train, MOONS.y_train, steps=20)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer is optimizer


@pytest.mark.parametrize("kwargs,argument", [
    ({"min_learning_rate": 0.0}, "min_learning_rate"),
    ({"max_learning_rate": 1e-6}, "max_learning_rate"),
    ({"steps": 2}, "steps"),
    ({"smoothing": 1.0}, "smoothing"),
    ({"stop_factor": 1.0}, "stop_factor"),
    ({"model": "net"}, "model"),
])
def test_range_test_bad_arguments(kwargs, argument):
    from lrlib.training import lr_range_test

    with pytest.raises(ValueError, match=f"`{argument}`"):
        lr_range_test(**kwargs)


# -- ReduceScaleOnPlateau: plateau reduction for schedules ------------------------------------

def _compiled(schedule):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    return model


def _feed(callback, values, key="val_loss"):
    callback.on_train_begin()
    scales = []
    for epoch, value in enumerate(values):
        logs = {key: value}
        callback.on_epoch_end(epoch, logs)
        scales.append(callback._target().scale)
    return scales


def test_reduce_scale_after_patience_epochs_without_improvement():
    from lrlib.schedules import CosineAnnealing, PlateauScaled
    from lrlib.training import ReduceScaleOnPlateau

    schedule = PlateauScaled(CosineAnnealing(0.1, 1000))
    callback = ReduceScaleOnPlateau(factor=0.5, patience=2)  # finds the optimizer's schedule
    callback.set_model(_compiled(schedule))
    #         best   better  worse  same   -> 2 bad epochs: halve; better; 2 bad: halve
    losses = [1.0,   0.9,    0.95,  0.9,   0.8,  0.85, 0.81]
    scales = _feed(callback, losses)
    assert scales == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    assert callback.reductions == [(3, 0.5), (6, 0.25)]
    np.testing.assert_allclose(schedule(np.arange(0, 1000, 50)),
                               0.25 * CosineAnnealing(0.1, 1000)(np.arange(0, 1000, 50)),
                               rtol=1e-6, atol=1e-12)


def test_reduce_scale_min_delta_cooldown_min_scale_and_mode():
    from lrlib.schedules import PlateauScaled
    from lrlib.training import ReduceScaleOnPlateau

    schedule = PlateauScaled(0.1)
    model = _compiled(schedule)
    # Improvements smaller than min_delta do not count.
    tiny = ReduceScaleOnPlateau(schedule, factor=0.5, patience=2, min_delta=0.01)
    tiny.set_model(model)
    assert _feed(tiny, [1.0, 0.995, 0.991])[-1] == 0.5
    # Cooldown: after a reduction, wait that many epochs before counting again.
    schedule.set_scale(1.0)
    cool = ReduceScaleOnPlateau(schedule, factor=0.5, patience=1, cooldown=2)
    cool.set_model(model)
    assert _feed(cool, [1.0, 1.0, 1.0, 1.0, 1.0]) == [1.0, 0.5, 0.5, 0.25, 0.25]  # as Keras
    # The factor never goes below min_scale.
    schedule.set_scale(1.0)
    floor = ReduceScaleOnPlateau(schedule, factor=0.1, patience=1, min_scale=0.05)
    floor.set_model(model)
    assert _feed(floor, [1.0, 1.0, 1.0, 1.0]) == pytest.approx([1.0, 0.1, 0.05, 0.05])
    # Accuracy improves upwards ("auto" guesses it from the name).
    schedule.set_scale(1.0)
    accuracy = ReduceScaleOnPlateau(schedule, monitor="val_accuracy", patience=1)
    accuracy.set_model(model)
    assert accuracy.higher_is_better
    assert _feed(accuracy, [0.5, 0.6, 0.7, 0.65], key="val_accuracy") == [1.0, 1.0, 1.0, 0.5]


@pytest.mark.parametrize("patience,cooldown,min_delta,mode,seed", [
    (1, 0, 0.0, "min", 0), (2, 0, 1e-4, "min", 1), (3, 1, 0.05, "min", 2), (2, 2, 0.0, "max", 3),
    (1, 3, 0.01, "max", 4),
])
def test_reduce_scale_follows_keras_reduce_lr_on_plateau(patience, cooldown, min_delta, mode,
                                                         seed):
    """Same rule as Keras: the factor follows the rate ReduceLROnPlateau sets on a float rate."""
    from lrlib.schedules import PlateauScaled
    from lrlib.training import ReduceScaleOnPlateau

    values = np.round(np.random.default_rng(seed).uniform(0.0, 1.0, size=30), 2).tolist()
    keras_model = _compiled(1.0)
    theirs = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, mode=mode,
                                               patience=patience, cooldown=cooldown,
                                               min_delta=min_delta)
    theirs.set_model(keras_model)
    theirs.on_train_begin()
    rates = []
    for epoch, value in enumerate(values):
        theirs.on_epoch_end(epoch, {"val_loss": value})
        rates.append(float(keras_model.optimizer.learning_rate))
    ours = ReduceScaleOnPlateau(factor=0.5, mode=mode, patience=patience, cooldown=cooldown,
                                min_delta=min_delta)
    ours.set_model(_compiled(PlateauScaled(1.0)))
    assert _feed(ours, values) == rates
    assert len(ours.reductions) >= 2


def test_reduce_scale_lowers_the_rate_in_real_training():
    from lrlib.schedules import Constant, PlateauScaled
    from lrlib.training import ReduceScaleOnPlateau

    schedule = PlateauScaled(Constant(0.5))
    plateau = ReduceScaleOnPlateau(schedule, monitor="loss", factor=0.5, patience=1,
                                   min_delta=1.0)  # nothing counts as progress: halve each epoch
    run = train(schedule, epochs=3, batch_size=64, data=MOONS, hidden=(8,), seed=0,
                callbacks=[plateau])
    assert plateau.reductions == [(1, 0.5), (2, 0.25)]
    steps = run.steps_per_epoch
    np.testing.assert_allclose(run.learning_rates[:2 * steps], 0.5, rtol=1e-6)
    np.testing.assert_allclose(run.learning_rates[2 * steps:], 0.25, rtol=1e-6)
    assert run.history["scale"].tolist() == [1.0, 1.0, 0.5]  # logged before each reduction


def test_reduce_scale_explains_what_is_missing():
    from lrlib.schedules import PlateauScaled
    from lrlib.training import ReduceScaleOnPlateau

    plain = _compiled(0.1)
    callback = ReduceScaleOnPlateau()
    callback.set_model(plain)
    with pytest.raises(ValueError, match="`schedule`.*PlateauScaled"):
        callback.on_train_begin()
    callback = ReduceScaleOnPlateau(monitor="val_loss")
    callback.set_model(_compiled(PlateauScaled(0.1)))
    callback.on_train_begin()
    with pytest.raises(ValueError, match="`monitor`.*available: loss"):
        callback.on_epoch_end(0, {"loss": 1.0})


@pytest.mark.parametrize("kwargs,argument", [
    ({"schedule": 0.1}, "schedule"),
    ({"monitor": ""}, "monitor"),
    ({"factor": 1.0}, "factor"),
    ({"factor": 0.0}, "factor"),
    ({"patience": 0}, "patience"),
    ({"mode": "lowest"}, "mode"),
    ({"min_delta": -0.1}, "min_delta"),
    ({"cooldown": -1}, "cooldown"),
    ({"min_scale": -1.0}, "min_scale"),
])
def test_reduce_scale_bad_arguments(kwargs, argument):
    from lrlib.training import ReduceScaleOnPlateau

    with pytest.raises(ValueError, match=f"`{argument}`"):
        ReduceScaleOnPlateau(**kwargs)


# -- the range test: fastai's window and rules, a user's model kept as it was ------------------

def _synthetic_range_test(smooth, planned=None, stopped_at=None):
    from lrlib.training import RangeTest

    smooth = np.asarray(smooth, dtype=float)
    rates = np.geomspace(1e-3, 10.0, smooth.size)
    return RangeTest(rates, smooth, smooth, stopped_at, planned)


def test_range_test_rules_on_a_known_curve():
    # Flat, then a fall from 2.0 to 0.2 between steps 40 and 70, flat again, then a blow-up.
    steps = np.arange(100)
    fall = np.clip((steps - 40) / 30, 0, 1)
    smooth = 2.0 - 1.8 * (0.5 - 0.5 * np.cos(np.pi * fall))
    smooth[85:] = 0.2 + 0.5 * (steps[85:] - 84)
    smooth[80:85] = [0.19, 0.185, 0.18, 0.185, 0.19]  # the lowest point: step 82
    test = _synthetic_range_test(smooth, planned=100, stopped_at=99)
    rates = test.learning_rates
    assert test.window == slice(10, 95)
    assert test.suggestion("minimum/10") == pytest.approx(rates[82] / 10)
    # The cosine falls fastest at its middle, step 55 (the moving average keeps it there).
    assert test.suggestion("steepest") == pytest.approx(rates[55], rel=0.1)
    # The longest decreasing subsequence: one step of the flat start, the 30 steps of the
    # fall (41-70), then 80, 81, 82: 34 steps ending at 82. fastai takes its start as the
    # end minus the length, 82 - 34 = 48, and goes 11 + 5 steps in: step 64.
    assert test.suggestion("valley") == pytest.approx(rates[64])
    assert test.divergence_rate == pytest.approx(10.0)


def test_valley_index_is_two_thirds_down_the_longest_decreasing_run():
    from lrlib.training import _valley_index

    # Decreasing from index 2 to 11 (the longest run), preceded by a bump.
    losses = [1.0, 1.5, 3.0, 2.9, 2.8, 2.7, 2.6, 2.5, 2.4, 2.3, 2.2, 2.1, 2.5, 3.0]
    # fastai: the run ends at 11, starts at 11 - 10 = 1; thirds of 10: 1 + 3 + 1 = 5.
    assert _valley_index(losses) == 5
    # All decreasing: the run ends at 9 with length 10, so fastai's start is 9 - 10 = -1
    # (one before the first index, as in fastai's code): -1 + 3 + 1 = 3.
    assert _valley_index(list(range(10, 0, -1))) == 3


def test_range_test_window_falls_back_on_short_records():
    test = _synthetic_range_test([3.0, 2.0, 1.0, 5.0], planned=100)
    assert test.window == slice(0, 4)
    assert test.suggestion("minimum/10") == pytest.approx(test.learning_rates[2] / 10)
    assert test.divergence_rate is None


def test_range_test_gives_back_a_users_compiled_model_with_its_metrics():
    from lrlib.training import lr_range_test

    model = build_model(2, 2, hidden=(4,))
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    result = lr_range_test(model, MOONS.x_train, MOONS.y_train, steps=30, seed=1)
    assert result.planned_steps == 30 and len(result.learning_rates) <= 30
    history = model.fit(MOONS.x_train, MOONS.y_train, epochs=1, verbose=0)
    assert "accuracy" in history.history  # metrics survive the test
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert model.optimizer.momentum == 0.5


def test_range_test_builds_the_network_it_is_asked_for():
    from lrlib.training import lr_range_test

    shallow = lr_range_test(data=MOONS, hidden=(8,), steps=20, max_learning_rate=1.0)
    deep = lr_range_test(data=MOONS, hidden=(8, 8, 8), steps=20, max_learning_rate=1.0)
    assert not np.array_equal(shallow.losses, deep.losses)


def test_range_test_plot_marks_the_suggestions_and_the_stop():
    from lrlib.plots import new_figure

    steps = np.arange(60)
    smooth = 2.0 - 1.5 * np.clip((steps - 10) / 30, 0, 1)
    smooth[50:] = np.linspace(1.0, 8.0, 10)
    stopped = _synthetic_range_test(smooth, planned=60, stopped_at=59)
    _, axes = new_figure()
    stopped.plot(axes[0, 0], title="mine")
    labels = [line.get_label() for line in axes[0, 0].get_lines()]
    assert sum(label.split(":")[0] in ("steepest", "minimum/10", "valley") for label in labels) == 3
    assert "stopped at 10" in labels and axes[0, 0].get_title() == "mine"
    running = _synthetic_range_test(smooth[:50], planned=60)
    _, axes = new_figure()
    running.plot(axes[0, 0])
    assert not any(label.startswith("stopped") for label in
                   [line.get_label() for line in axes[0, 0].get_lines()])
