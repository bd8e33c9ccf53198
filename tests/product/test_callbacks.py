"""lrlib.callbacks: the logger records what the optimizer used; plateau scaling follows Keras."""

import keras
import numpy as np
import pytest

from lrlib.callbacks import LearningRateLogger, ReduceScaleOnPlateau
from lrlib.schedules import CosineAnnealing, PlateauScaled


def test_logger_works_in_plain_model_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    logger = LearningRateLogger()
    model.fit(np.ones((10, 2)), np.ones(10), batch_size=5, epochs=2, verbose=0, callbacks=[logger])
    assert logger.learning_rates == pytest.approx([0.05] * 4)
    assert len(logger.losses) == 4 and logger.diverged_at is None


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


def test_reduce_scale_explains_what_is_missing():
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
    with pytest.raises(ValueError, match=f"`{argument}`"):
        ReduceScaleOnPlateau(**kwargs)


