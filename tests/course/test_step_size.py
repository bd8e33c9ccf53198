"""lrlib.course.step_size: how far one optimizer step moves the weights."""

import numpy as np
import pytest

from lrlib.course.step_size import first_update


def test_first_update_adam_moves_every_weight_by_about_the_rate():
    weights, updates = first_update("adam", 0.1, seed=0)
    assert weights.shape == updates.shape == (64 * 64 + 64 * 10,)
    moved = updates[updates > 0]
    assert moved.size > 0.8 * updates.size  # a few inputs are always 0: their weights stay
    assert np.median(moved) == pytest.approx(0.1, rel=0.01)
    _, sgd = first_update("sgd", 0.1, seed=0)
    assert np.median(sgd) < 0.01  # SGD moves by eta times the gradient, far less here
