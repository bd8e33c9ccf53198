"""lrlib.course.data: offline, deterministic, well-formed."""

import numpy as np
import pytest

from lrlib.course.data import load_digits, make_two_moons, steps_per_epoch


def test_digits_split_scaled_and_deterministic():
    a, b = load_digits(), load_digits()
    assert a.x_train.shape == (1347, 64) and a.x_test.shape == (450, 64)
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int32
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_allclose(a.x_train.mean(axis=0), 0.0, atol=1e-5)
    assert set(np.unique(a.y_test)) == set(range(10))  # stratified: every class in the test set
    assert not np.array_equal(load_digits(seed=1).y_train, a.y_train)


def test_two_moons():
    data = make_two_moons(num_examples=200, seed=0)
    assert data.x_train.shape == (150, 2) and data.num_classes == 2
    np.testing.assert_array_equal(data.x_test, make_two_moons(num_examples=200, seed=0).x_test)


def test_steps_per_epoch_rounds_up():
    assert steps_per_epoch(1347, 32) == 43 and steps_per_epoch(64, 32) == 2


@pytest.mark.parametrize("call,argument", [
    (lambda: load_digits(test_fraction=1.0), "test_fraction"),
    (lambda: load_digits(seed=-1), "seed"),
    (lambda: make_two_moons(noise=-0.1), "noise"),
    (lambda: steps_per_epoch(100, 0), "batch_size"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        call()
