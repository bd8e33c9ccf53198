"""lrlib.range_test: the ramp, fastai's window and rules, a user's model kept as it was."""

import keras
import numpy as np
import pytest

from helpers.tiny import MOONS, small_model
from lrlib.range_test import RangeTest, _valley_index, lr_range_test, smooth_losses


def test_range_test_restores_a_users_model():
    model = small_model()
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
    model = small_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    call = {"model": model, "x": MOONS.x_train, "y": MOONS.y_train, **kwargs}
    with pytest.raises(ValueError, match=f"`{argument}`"):
        lr_range_test(**call)


def test_range_test_needs_the_data():
    model = small_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    with pytest.raises(ValueError, match="`x` and `y`"):
        lr_range_test(model, None, None)


def test_range_test_ramps_stops_restores_and_suggests():
    model = small_model(hidden=(16,))
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    result = lr_range_test(model, MOONS.x_train, MOONS.y_train, steps=120,
                           min_learning_rate=1e-3, max_learning_rate=1e4, seed=0)
    rates = result.learning_rates
    assert rates[0] == pytest.approx(1e-3, rel=1e-5)
    np.testing.assert_allclose(rates[1:] / rates[:-1], (1e7) ** (1 / 120), rtol=1e-4)
    assert result.stopped_at is not None and rates[-1] < 1e4  # the loss blew up first
    suggestions = result.suggestions
    assert set(suggestions) == {"steepest", "minimum/10", "valley"}
    assert all(1e-4 <= value <= rates[-1] for value in suggestions.values())
    with pytest.raises(ValueError, match="`rule`"):
        result.suggestion("median")


def test_range_test_leaves_the_global_random_state_alone_unless_seeded():
    model = small_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    lr_range_test(model, MOONS.x_train, MOONS.y_train, steps=5)
    assert np.random.random() == expected


def test_smoothing_is_the_bias_corrected_moving_average():
    losses = np.array([2.0, 1.0, 4.0, 3.0])
    beta = 0.9
    average, expected = 0.0, []
    for k, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        expected.append(average / (1 - beta**k))
    np.testing.assert_allclose(smooth_losses(losses, beta), expected)
    assert smooth_losses([3.0], 0.98)[0] == pytest.approx(3.0)  # no bias at the start
    with pytest.raises(ValueError, match="`beta`"):
        smooth_losses(losses, beta=1.0)


def _synthetic_range_test(smooth, planned=None, stopped_at=None):
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


def test_valley_index_is_halfway_along_the_longest_decreasing_run():
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
    model = small_model()
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    result = lr_range_test(model, MOONS.x_train, MOONS.y_train, steps=30, seed=1)
    assert result.planned_steps == 30 and len(result.learning_rates) <= 30
    history = model.fit(MOONS.x_train, MOONS.y_train, epochs=1, verbose=0)
    assert "accuracy" in history.history  # metrics survive the test
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert model.optimizer.momentum == 0.5


def test_range_test_plot_marks_the_suggestions_and_the_stop():
    steps = np.arange(60)
    smooth = 2.0 - 1.5 * np.clip((steps - 10) / 30, 0, 1)
    smooth[50:] = np.linspace(1.0, 8.0, 10)
    stopped = _synthetic_range_test(smooth, planned=60, stopped_at=59)
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    stopped.plot(ax, title="mine")
    labels = [line.get_label() for line in ax.get_lines()]
    assert sum(label.split(":")[0] in ("steepest", "minimum/10", "valley") for label in labels) == 3
    assert "stopped at 10" in labels and ax.get_title() == "mine"
    assert ax.get_xscale() == "log"
    running = _synthetic_range_test(smooth[:50], planned=60)
    _, ax = plt.subplots()
    running.plot(ax)
    assert not any(label.startswith("stopped") for label in
                   [line.get_label() for line in ax.get_lines()])
