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
