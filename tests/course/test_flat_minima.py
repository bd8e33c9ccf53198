"""lrlib.course.flat_minima: sharpness along training, interpolation, Dinh et al.'s rescaling."""

import keras
import numpy as np
import pytest

from lrlib.course.curvature import sharpness
from lrlib.course.data import load_digits
from lrlib.course.flat_minima import (
    LOSS,
    SharpnessHistory,
    rescaled_copy,
    train_tracking_sharpness,
    training_loss,
)
from lrlib.course.training import build_model


@pytest.fixture(scope="module")
def history():
    return train_tracking_sharpness(0.3, seed=0, epochs=2)


def test_history_records_the_start_and_every_epoch(history):
    assert history.steps.tolist() == [0, 43, 86]
    assert history.train_losses.shape == history.sharpness.shape == (3,)
    assert history.train_losses[-1] < history.train_losses[0]
    assert history.stability_limit == pytest.approx(2 / 0.3)
    assert len(history.run.losses) == 86 and not history.run.diverged


def test_measurements_match_a_direct_computation(history):
    data = load_digits()
    model = history.model
    direct = training_loss(model, data.x_train, data.y_train)
    assert direct == pytest.approx(history.final_train_loss, rel=1e-5)
    again = sharpness(model, data.x_train, data.y_train, loss=LOSS, iterations=20,
                      tolerance=1e-3)
    assert again == pytest.approx(history.final_sharpness, rel=1e-4)


def test_the_same_seed_gives_the_same_numbers(history):
    twin = train_tracking_sharpness(0.3, seed=0, epochs=2)
    np.testing.assert_allclose(twin.sharpness, history.sharpness, rtol=1e-6)
    np.testing.assert_allclose(twin.train_losses, history.train_losses, rtol=1e-6)


def test_sharpness_at_interpolates_in_log_log_space():
    h = SharpnessHistory(0.1, 0, np.array([0, 1, 2]), np.array([1.0, 0.1, 0.01]),
                         np.array([4.0, 2.0, 1.0]), run=None, model=None)
    assert h.sharpness_at(0.1) == pytest.approx(2.0)
    assert h.sharpness_at(np.sqrt(0.1)) == pytest.approx(np.sqrt(8.0))
    with pytest.raises(ValueError, match="`train_loss`"):
        h.sharpness_at(2.0)
    with pytest.raises(ValueError, match="`train_loss`"):
        h.sharpness_at(-1.0)


def test_rescaling_keeps_the_function_and_changes_the_sharpness(history):
    data = load_digits()
    model = history.model
    copy = rescaled_copy(model, 4.0)
    np.testing.assert_allclose(copy(data.x_test), model(data.x_test), rtol=1e-4, atol=1e-4)
    assert training_loss(copy, data.x_train, data.y_train) == pytest.approx(
        history.final_train_loss, rel=1e-4)
    sharper = sharpness(copy, data.x_train, data.y_train, loss=LOSS, iterations=20,
                        tolerance=1e-3)
    assert sharper > 2 * history.final_sharpness
    unchanged = model.get_weights()[0]
    np.testing.assert_array_equal(unchanged, history.model.get_weights()[0])
    np.testing.assert_allclose(copy.get_weights()[0], 4.0 * unchanged, rtol=1e-6)


def test_bad_arguments(history):
    with pytest.raises(ValueError, match="`alpha`"):
        rescaled_copy(history.model, 0.0)
    with pytest.raises(ValueError, match="`layer`"):
        rescaled_copy(history.model, 2.0, layer=1)
    tanh = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                             keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="ReLU"):
        rescaled_copy(tanh, 2.0)
    with pytest.raises(ValueError, match="`learning_rate`"):
        train_tracking_sharpness(0.0)
    with pytest.raises(ValueError, match="`data`"):
        train_tracking_sharpness(0.1, data="digits")
    assert build_model(64, 10).count_params() == 4810


def test_at_epochs_chooses_when_to_measure_and_options_reach_train():
    history = train_tracking_sharpness(0.1, seed=1, epochs=3, at_epochs=(1, 3),
                                       batch_size=64, hidden=(16,))
    assert history.steps.tolist() == [0, 22, 66]
    assert history.model.count_params() == 64 * 16 + 16 + 16 * 10 + 10
    assert rescaled_copy(history.model, 3.0).count_params() == history.model.count_params()
    with pytest.raises(ValueError, match="`at_epochs`"):
        train_tracking_sharpness(0.1, epochs=1, at_epochs=(0,))
