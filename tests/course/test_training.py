"""lrlib.course.training: the harness records what the optimizer used; runs are deterministic."""

import keras
import numpy as np
import pytest

from lrlib.course.data import make_two_moons
from lrlib.schedules import CosineAnnealing, StepDecay
from lrlib.course.training import build_model, make_optimizer, range_test, train
from lrlib.callbacks import LearningRateLogger

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
    # The final training loss is the last epoch's, weighted the same way.
    last_epoch = np.sum(run.losses[6:] * sizes) / sizes.sum()
    assert run.final_training_loss == pytest.approx(last_epoch, rel=1e-4)


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
    assert run.final_training_loss == float("inf") and run.final_loss == float("inf")


def test_build_model_and_optimizers():
    assert build_model(64, 10, hidden=(32, 16)).count_params() == 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10
    assert isinstance(make_optimizer("adam", 1e-3), keras.optimizers.Adam)
    assert make_optimizer("sgd", 0.1, momentum=0.9).momentum == 0.9


def test_the_schedule_free_optimizers_take_their_own_warmup():
    from lrlib.optimizers import ScheduleFreeAdamW, ScheduleFreeSGD

    adamw = make_optimizer("schedule-free-adamw", 0.0025, warmup_steps=94)
    assert isinstance(adamw, ScheduleFreeAdamW) and adamw.warmup_steps == 94
    sgd = make_optimizer("schedule-free-sgd", 1.0, momentum=0.9, warmup_steps=10)
    assert isinstance(sgd, ScheduleFreeSGD) and sgd.warmup_steps == 10
    with pytest.raises(ValueError, match="`warmup_steps`"):
        make_optimizer("adam", 1e-3, warmup_steps=10)
    with pytest.raises(ValueError, match="`momentum`"):
        make_optimizer("schedule-free-adamw", 1e-3, momentum=0.9)


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
    result = range_test(steps=120, min_learning_rate=1e-3, max_learning_rate=100.0)
    rates = result.learning_rates
    assert rates[0] == pytest.approx(1e-3, rel=1e-5)
    np.testing.assert_allclose(rates[1:] / rates[:-1], (1e5) ** (1 / 120), rtol=1e-4)
    assert result.stopped_at is not None and rates[-1] < 100.0  # the loss blew up first
    suggestions = result.suggestions
    assert set(suggestions) == {"steepest", "minimum/10", "valley"}
    assert all(1e-3 <= value <= rates[-1] for value in suggestions.values())
    with pytest.raises(ValueError, match="`rule`"):
        result.suggestion("median")


def test_reduce_scale_lowers_the_rate_in_real_training():
    from lrlib.schedules import Constant, PlateauScaled
    from lrlib.callbacks import ReduceScaleOnPlateau

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


def test_range_test_builds_the_network_it_is_asked_for():
    shallow = range_test(data=MOONS, hidden=(8,), steps=20, max_learning_rate=1.0)
    deep = range_test(data=MOONS, hidden=(8, 8, 8), steps=20, max_learning_rate=1.0)
    assert not np.array_equal(shallow.losses, deep.losses)




def test_with_a_validation_split_val_is_validation_and_test_is_recorded_apart():
    from lrlib.course.data import Dataset

    x_val, y_val = MOONS.x_train[:40], MOONS.y_train[:40]
    data = Dataset(MOONS.x_train[40:], MOONS.y_train[40:], MOONS.x_test, MOONS.y_test,
                   "moons", x_val, y_val)
    run = train(0.1, epochs=2, data=data, hidden=(8,), seed=0)
    assert run.has_validation
    assert {"val_loss", "val_accuracy", "test_loss", "test_accuracy"} <= set(run.history)
    # Per epoch; the test accuracy is a count over the 64 test points.
    assert len(run.curve("test", "accuracy")) == 2 == len(run.curve("validation", "loss"))
    assert (run.curve("test", "accuracy") * len(MOONS.y_test)) == pytest.approx(
        np.round(run.curve("test", "accuracy") * len(MOONS.y_test)))
    assert run.final_accuracy == run.history["test_accuracy"][-1]
    assert run.final_validation_accuracy == run.history["val_accuracy"][-1]
    assert run.final_loss == run.history["test_loss"][-1]
    # Without a validation split, today's behaviour: val_* is the test split.
    plain = train(0.1, epochs=2, data=MOONS, hidden=(8,), seed=0)
    assert not plain.has_validation and "test_accuracy" not in plain.history
    assert plain.final_validation_accuracy is None
    np.testing.assert_array_equal(plain.curve("test", "accuracy"), plain.history["val_accuracy"])
    with pytest.raises(ValueError, match="`split`"):
        plain.curve("validation", "accuracy")


def test_the_test_metrics_match_keras_evaluate():
    from lrlib.course.training import _TestMetrics

    model = build_model(2, 2, hidden=(8,))
    model.compile(optimizer="sgd", metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    logs = {}
    callback = _TestMetrics(MOONS.x_test, MOONS.y_test)
    callback.set_model(model)
    callback.on_epoch_end(0, logs)
    theirs = model.evaluate(MOONS.x_test, MOONS.y_test, verbose=0, return_dict=True)
    assert logs["test_loss"] == pytest.approx(theirs["loss"], rel=1e-5)
    assert logs["test_accuracy"] == pytest.approx(theirs["accuracy"], abs=1e-6)
