"""lrlib.course.noise: minibatch gradient noise measured on a Keras model."""

import numpy as np
import pytest

import lrlib.course  # noqa: F401  (quiet TensorFlow before it is imported)
from lrlib.course import noise
from lrlib.course.data import load_digits
from lrlib.course.training import build_model, train


def _toy(n=96, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 5)).astype("float32"), rng.integers(0, 3, n)


def test_noise_is_the_spread_of_the_batch_gradients_around_the_full_gradient():
    import keras
    import tensorflow as tf

    x, y = _toy()
    keras.utils.set_random_seed(0)
    model = build_model(5, 3, hidden=(8,))
    measured = noise.minibatch_noise(model, x, y, batch_size=32, seed=3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def grad(index):
        with tf.GradientTape() as tape:
            loss = loss_fn(y[index], model(x[index]))
        return np.concatenate([g.numpy().ravel() for g in
                               tape.gradient(loss, model.trainable_variables)]), float(loss)

    full, loss = grad(np.arange(96))
    order = np.random.default_rng(3).permutation(96)
    spread = np.mean([np.sum((grad(order[i:i + 32])[0] - full) ** 2) for i in (0, 32, 64)])
    assert measured.loss == pytest.approx(loss, rel=1e-5)
    assert measured.gradient == pytest.approx(full @ full, rel=1e-4)
    assert measured.noise == pytest.approx(spread, rel=1e-4)
    assert measured.noise_to_signal == pytest.approx(spread / (full @ full), rel=1e-3)


def test_larger_batches_are_less_noisy():
    import keras

    x, y = _toy(n=256)
    keras.utils.set_random_seed(1)
    model = build_model(5, 3, hidden=(8,))
    small = noise.minibatch_noise(model, x, y, batch_size=8).noise
    large = noise.minibatch_noise(model, x, y, batch_size=64).noise
    # Sampling without replacement: the variance shrinks as (1/B)(1 - B/n)/(1 - 1/n).
    assert 4 < small / large < 20


def test_a_batch_larger_than_the_data_is_refused():
    x, y = _toy(n=16)
    with pytest.raises(ValueError, match="batch_size"):
        noise.minibatch_noise(build_model(5, 3), x, y, batch_size=32)


def test_the_callback_records_and_leaves_the_run_unchanged():
    digits = load_digits()
    plain = train(0.3, epochs=2, seed=4)
    recorder = noise.noise_callback(digits.x_train, digits.y_train, at_epochs=(0, 2))
    measured = train(0.3, epochs=2, seed=4, callbacks=[recorder])
    np.testing.assert_array_equal(plain.losses, measured.losses)
    assert sorted(recorder.records) == [0, 2]
    first, last = recorder.records[0], recorder.records[2]
    assert last.loss < first.loss and last.noise < first.noise
    assert first.batch_size == 32
