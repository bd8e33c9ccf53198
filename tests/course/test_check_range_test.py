"""lrlib.course.check.range_test: accept the reference answers, reject the typical mistakes."""

import numpy as np

from lrlib.course.check import range_test as check


def test_placeholders_ask_for_an_answer():
    for checker in (check.ramp_rate, check.smoothed_loss, check.plateau_factor):
        result = checker(...)
        assert not result and "replace the `...`" in result.message


def test_ramp_rate():
    assert check.ramp_rate(np.sqrt(1e-4 * 10.0))
    linear = check.ramp_rate(5.00005)
    assert not linear and "geometric mean" in linear.message
    assert not check.ramp_rate(0.1)


def _reference(losses, beta):
    average, out = 0.0, []
    for k, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta**k))
    return out


def test_smoothed_loss_accepts_the_bias_corrected_average_and_explains_the_raw_one():
    assert check.smoothed_loss(_reference)

    def raw(losses, beta):
        average, out = 0.0, []
        for loss in losses:
            average = beta * average + (1 - beta) * loss
            out.append(average)
        return out

    result = check.smoothed_loss(raw)
    assert not result and "bias-corrected" in result.message
    assert not check.smoothed_loss(lambda losses, beta: losses[:-1])
    assert not check.smoothed_loss(lambda losses, beta: 1 / 0)
    unfinished = check.smoothed_loss(lambda losses, beta: None)
    assert not unfinished and "returned nothing" in unfinished.message
    assert not check.smoothed_loss(0.9)


def test_smoothed_loss_reference_is_the_range_test_smoothing():
    """The checker's reference is what lr_range_test computes (on its recorded losses)."""
    from lrlib.course.data import make_two_moons
    from lrlib.course.training import range_test

    test = range_test(data=make_two_moons(num_examples=256), hidden=(8,), steps=20,
                         smoothing=0.9)
    np.testing.assert_allclose(_reference(test.losses, 0.9), test.smoothed_losses, rtol=1e-6)


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
    assert check.plateau_factor(schedule.scale)
    assert not check.plateau_factor(0.125) and not check.plateau_factor(0.5)
    assert "new best" in check.plateau_factor(0.5).message
