"""lrlib.optimizers: schedule-free SGD and AdamW against the reference, step by step, in Keras.

The reference is the ``schedulefree`` package 1.4.1, transcribed to NumPy in
``tests/helpers/schedulefree_reference.py`` (no PyTorch needed here). That transcription was
checked once against the real package (PyTorch 2.13 CPU, ``foreach`` on and off) on the
problem of ``test_agreement_with_the_reference_step_by_step``, 50 steps with two
``eval()``/``train()`` round trips: the largest difference was 2.4e-7 (parameters of size
about 2), one or two float32 roundings.

Tolerance, Keras against the transcription: ``rtol=1e-5, atol=1e-6`` on every variable at
every step (both compute in float32, in different orders; the Keras optimizer keeps the
average's weights relative to the last one, the reference their sum in float64).
"""

import keras
import numpy as np
import pytest

from helpers import schedulefree_reference as R
from lrlib import schedules as S
from lrlib.optimizers import ScheduleFreeAdamW, ScheduleFreeEval, ScheduleFreeSGD
from lrlib.tensors import to_numpy

RTOL, ATOL = 1e-5, 1e-6
SHAPES = [(3, 4), (4,), (1,), (50,)]


def problem(seed=0):
    """Initial values, and a gradient that depends on the point (sum a p^2/2 + sin(3p)/3)."""
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s).astype("float32") for s in SHAPES]
    scales = [rng.uniform(0.5, 2.0, size=s).astype("float32") for s in SHAPES]

    def gradient(params):
        return [(a * p + np.cos(3 * p)).astype("float32") for a, p in zip(scales, params)]

    return init, gradient


def pair(kind, learning_rate, warmup_steps=0, weight_decay=0.0, params=None):
    """The Keras optimizer and the reference (in train mode) with the same arguments."""
    if kind == "sgd":
        ours = ScheduleFreeSGD(learning_rate, warmup_steps=warmup_steps,
                               weight_decay=weight_decay)
        reference = R.SGDScheduleFree(params, lr=learning_rate, warmup_steps=warmup_steps,
                                      weight_decay=weight_decay)
    else:
        ours = ScheduleFreeAdamW(learning_rate, warmup_steps=warmup_steps,
                                 weight_decay=weight_decay)
        reference = R.AdamWScheduleFree(params, lr=learning_rate, warmup_steps=warmup_steps,
                                        weight_decay=weight_decay)
    reference.train()
    return ours, reference


def assert_same(variables, arrays):
    for variable, array in zip(variables, arrays):
        np.testing.assert_allclose(to_numpy(variable), array, rtol=RTOL, atol=ATOL)


CASES = [("sgd", 0.1, 0, 0.0), ("sgd", 0.1, 10, 0.0), ("sgd", 0.1, 10, 0.01),
         ("sgd", 1.0, 0, 0.0), ("adamw", 0.01, 0, 0.0), ("adamw", 0.01, 10, 0.0),
         ("adamw", 0.01, 10, 0.01), ("adamw", 0.0025, 60, 0.1)]


@pytest.mark.parametrize("kind,learning_rate,warmup_steps,weight_decay", CASES)
def test_agreement_with_the_reference_step_by_step(kind, learning_rate, warmup_steps,
                                                   weight_decay):
    init, gradient = problem()
    params = [p.copy() for p in init]
    ours, reference = pair(kind, learning_rate, warmup_steps, weight_decay, params)
    variables = [keras.Variable(p.copy()) for p in init]
    for step in range(50):
        # Each side takes the gradient at its own point: differences would compound.
        reference.step(gradient(params))
        ours.apply(gradient([to_numpy(v) for v in variables]), variables)
        assert_same(variables, params)  # y
        if step in (20, 35):  # evaluation on x in the middle of training, and back
            reference.eval()
            ours.swap_to_x()
            assert ours.holds_x
            assert_same(variables, params)  # x
            reference.train()
            ours.swap_to_y()
            assert_same(variables, params)  # y again
    reference.eval()
    ours.swap_to_x()
    assert_same(variables, params)


def test_without_warmup_the_average_is_the_plain_mean_of_the_z_iterates():
    init, gradient = problem(1)
    variables = [keras.Variable(p.copy()) for p in init]
    optimizer = ScheduleFreeSGD(0.05)
    zs = []
    for _ in range(30):
        optimizer.apply(gradient([to_numpy(v) for v in variables]), variables)
        zs.append([to_numpy(z).copy() for z in optimizer._z])
    optimizer.swap_to_x()
    # x_T = (x_0 + z_1 + ... + z_T) / (T + 1) with c_1 = 1: x_1 = z_1, then the plain mean.
    for index, variable in enumerate(variables):
        mean = np.mean([z[index] for z in zs], axis=0)
        np.testing.assert_allclose(to_numpy(variable), mean, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", ["sgd", "adamw"])
def test_a_learning_rate_schedule_is_honoured_as_the_reference_honours_a_scheduler(kind):
    init, gradient = problem(2)
    schedule = S.CosineAnnealing(0.05, decay_steps=40, minimum_learning_rate=0.005)
    params = [p.copy() for p in init]
    _, reference = pair(kind, 0.05, warmup_steps=5, params=params)
    cls = ScheduleFreeSGD if kind == "sgd" else ScheduleFreeAdamW
    ours = cls(schedule, warmup_steps=5)
    variables = [keras.Variable(p.copy()) for p in init]
    for step in range(50):
        reference.group["lr"] = schedule(step)  # what a PyTorch scheduler does before step()
        reference.step(gradient(params))
        ours.apply(gradient([to_numpy(v) for v in variables]), variables)
        assert_same(variables, params)
    reference.eval()
    ours.swap_to_x()
    assert_same(variables, params)


def test_before_the_first_step_x_y_and_z_are_the_initial_point():
    variables = [keras.Variable(np.ones(3, "float32"))]
    optimizer = ScheduleFreeSGD()
    optimizer.build(variables)
    optimizer.swap_to_x()  # the reference's eval() before any step changes nothing
    np.testing.assert_array_equal(to_numpy(variables[0]), np.ones(3))
    optimizer.apply([np.full(3, 0.5, "float32")], variables)  # holds "x" = y: still right
    params = [np.ones(3, "float32")]
    reference = R.SGDScheduleFree(params)
    reference.eval()
    reference.train()
    reference.step([np.full(3, 0.5, "float32")])
    assert_same(variables, params)


# -- in Keras: fit, validation on x, save and load --------------------------------------------

DATA = np.random.default_rng(3).normal(size=(16, 3)).astype("float32")
TARGET = (DATA @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")


def linear_model(optimizer, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def mse_and_gradient(params):
    kernel, bias = params
    error = DATA @ kernel + bias - TARGET
    loss = float(np.mean(error**2))
    return loss, [(2.0 / len(DATA) * DATA.T @ error).astype("float32"),
                  (2.0 / len(DATA) * error.sum(axis=0)).astype("float32")]


def reference_run(kind, model, epochs, evaluate_on_x=False, **arguments):
    """The reference on the model's problem, full batch: final x, losses, validation losses."""
    params = [to_numpy(w).copy() for w in model.trainable_weights]
    _, reference = pair(kind, params=params, **arguments)
    losses, validation = [], []
    for _ in range(epochs):
        loss, gradient = mse_and_gradient(params)
        losses.append(loss)
        reference.step(gradient)
        if evaluate_on_x:
            reference.eval()
        validation.append(mse_and_gradient(params)[0])
        reference.train()
    reference.eval()
    return params, losses, validation


@pytest.mark.parametrize("kind,arguments", [
    ("sgd", dict(learning_rate=0.05, warmup_steps=3, weight_decay=0.01)),
    ("adamw", dict(learning_rate=0.05, warmup_steps=3, weight_decay=0.01)),
])
def test_fit_agrees_with_the_reference_and_leaves_x_in_the_model(kind, arguments):
    cls = ScheduleFreeSGD if kind == "sgd" else ScheduleFreeAdamW
    model = linear_model(cls(**arguments))
    expected, losses, on_y = reference_run(kind, model, 12, **arguments)
    history = model.fit(DATA, TARGET, batch_size=len(DATA), epochs=12, shuffle=False,
                        validation_data=(DATA, TARGET), verbose=0)
    assert model.optimizer.holds_x
    assert_same(model.trainable_weights, expected)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-4)
    np.testing.assert_allclose(history.history["val_loss"], on_y, rtol=1e-4)  # no callback: y
    assert model.evaluate(DATA, TARGET, verbose=0) == pytest.approx(
        mse_and_gradient(expected)[0], rel=1e-4)


@pytest.mark.parametrize("kind", ["sgd", "adamw"])
def test_the_callback_validates_on_x_and_training_goes_on_from_y(kind):
    cls = ScheduleFreeSGD if kind == "sgd" else ScheduleFreeAdamW
    arguments = dict(learning_rate=0.05, warmup_steps=3)
    model = linear_model(cls(**arguments))
    expected, losses, on_x = reference_run(kind, model, 12, evaluate_on_x=True, **arguments)
    _, _, on_y = reference_run(kind, model, 12, **arguments)
    history = model.fit(DATA, TARGET, batch_size=len(DATA), epochs=12, shuffle=False,
                        validation_data=(DATA, TARGET), callbacks=[ScheduleFreeEval()],
                        verbose=0)
    np.testing.assert_allclose(history.history["val_loss"], on_x, rtol=1e-4)
    assert not np.allclose(on_x, on_y, rtol=1e-3)  # x and y differ: the test can tell
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-4)
    assert_same(model.trainable_weights, expected)
    # After fit the model holds x: evaluating with the callback keeps it there.
    before = [to_numpy(w).copy() for w in model.trainable_weights]
    model.evaluate(DATA, TARGET, callbacks=[ScheduleFreeEval()], verbose=0)
    model.predict(DATA, callbacks=[ScheduleFreeEval()], verbose=0)
    assert model.optimizer.holds_x
    for weight, value in zip(model.trainable_weights, before):
        np.testing.assert_array_equal(to_numpy(weight), value)


@pytest.mark.parametrize("cls", [ScheduleFreeSGD, ScheduleFreeAdamW])
@pytest.mark.parametrize("how", ["callback", "by hand"])
def test_fit_again_goes_on_from_y(cls, how):
    once = linear_model(cls(0.05, warmup_steps=3))
    once.fit(DATA, TARGET, batch_size=4, epochs=4, shuffle=False, verbose=0)
    twice = linear_model(cls(0.05, warmup_steps=3))
    callbacks = [ScheduleFreeEval()] if how == "callback" else []
    twice.fit(DATA, TARGET, batch_size=4, epochs=2, shuffle=False, verbose=0,
              callbacks=callbacks)
    assert twice.optimizer.holds_x
    if how == "by hand":
        twice.optimizer.swap_to_y()  # the reference's train()
    twice.fit(DATA, TARGET, batch_size=4, epochs=2, shuffle=False, verbose=0,
              callbacks=callbacks)
    assert_same(twice.trainable_weights, [to_numpy(w) for w in once.trainable_weights])


def test_fit_again_without_the_callback_is_consistent_but_takes_one_gradient_at_x():
    model = linear_model(ScheduleFreeSGD(0.05))
    model.fit(DATA, TARGET, batch_size=len(DATA), epochs=3, shuffle=False, verbose=0)
    params = [to_numpy(w).copy() for w in model.trainable_weights]  # x
    _, reference = pair("sgd", 0.05, params=params)
    reference.group["k"] = 3
    reference.group["lr_max"], reference.group["weight_sum"] = 0.05, 3 * 0.05**2
    reference.state = [{"z": to_numpy(z).copy()} for z in model.optimizer._z]
    gradient_at_x = mse_and_gradient(params)[1]
    reference.group["train_mode"] = False  # it holds x
    reference.train()  # now y
    reference.step(gradient_at_x)
    model.fit(DATA, TARGET, batch_size=len(DATA), epochs=1, shuffle=False, verbose=0)
    reference.eval()
    assert_same(model.trainable_weights, params)


@pytest.mark.parametrize("optimizer", [
    ScheduleFreeSGD(0.05, momentum=0.8, warmup_steps=3, weight_decay=0.01),
    ScheduleFreeAdamW(0.05, beta_1=0.85, beta_2=0.99, epsilon=1e-6, warmup_steps=3,
                      weight_decay=0.01, clipnorm=10.0),
    ScheduleFreeAdamW(S.WarmupStableDecay(0.05, 20, 0, 5)),
], ids=["sgd", "adamw", "adamw-schedule"])
def test_a_model_saves_and_loads_with_x_and_trains_on(optimizer, tmp_path):
    model = linear_model(optimizer)
    model.fit(DATA, TARGET, batch_size=4, epochs=2, shuffle=False, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # no custom_objects
    assert type(loaded.optimizer) is type(optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.holds_x
    assert_same(loaded.trainable_weights, [to_numpy(w) for w in model.trainable_weights])
    for ours, theirs in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(to_numpy(ours), to_numpy(theirs))
    for trained in (model, loaded):
        trained.fit(DATA, TARGET, batch_size=4, epochs=2, shuffle=False, verbose=0,
                    callbacks=[ScheduleFreeEval()])
    assert_same(loaded.trainable_weights, [to_numpy(w) for w in model.trainable_weights])


@pytest.mark.parametrize("optimizer", [
    ScheduleFreeSGD(), ScheduleFreeAdamW(),
    ScheduleFreeSGD(0.3, momentum=0.5, warmup_steps=7, weight_decay=1e-4, name="sf"),
    ScheduleFreeAdamW(S.InverseSquareRoot(0.01, 100), 0.8, 0.99, 1e-7, 10, 0.05),
], ids=["sgd", "adamw", "sgd-arguments", "adamw-schedule"])
def test_config_round_trip(optimizer):
    config = optimizer.get_config()
    clone = type(optimizer).from_config(dict(config))  # Keras's from_config changes its dict
    assert clone.get_config() == config
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert type(restored) is type(optimizer) and restored.get_config() == config


def test_defaults_are_the_references():
    sgd, adamw = ScheduleFreeSGD().get_config(), ScheduleFreeAdamW().get_config()
    assert (sgd["learning_rate"], sgd["momentum"], sgd["warmup_steps"], sgd["weight_decay"]) \
        == (1.0, 0.9, 0, 0.0)
    assert (adamw["learning_rate"], adamw["beta_1"], adamw["beta_2"], adamw["epsilon"],
            adamw["warmup_steps"], adamw["weight_decay"]) == (
        pytest.approx(0.0025), 0.9, 0.999, 1e-8, 0, 0.0)


@pytest.mark.parametrize("factory,argument", [
    (lambda: ScheduleFreeSGD(0.0), "learning_rate"),
    (lambda: ScheduleFreeSGD(-1.0), "learning_rate"),
    (lambda: ScheduleFreeSGD("fast"), "learning_rate"),
    (lambda: ScheduleFreeSGD(momentum=0.0), "momentum"),
    (lambda: ScheduleFreeSGD(momentum=1.0), "momentum"),
    (lambda: ScheduleFreeSGD(warmup_steps=-1), "warmup_steps"),
    (lambda: ScheduleFreeSGD(warmup_steps=2.5), "warmup_steps"),
    (lambda: ScheduleFreeSGD(warmup_steps=True), "warmup_steps"),
    (lambda: ScheduleFreeSGD(weight_decay=-0.1), "weight_decay"),
    (lambda: ScheduleFreeSGD(use_ema=True), "use_ema"),
    (lambda: ScheduleFreeAdamW(float("nan")), "learning_rate"),
    (lambda: ScheduleFreeAdamW(beta_1=0.0), "beta_1"),
    (lambda: ScheduleFreeAdamW(beta_1=1.5), "beta_1"),
    (lambda: ScheduleFreeAdamW(beta_2=1.0), "beta_2"),
    (lambda: ScheduleFreeAdamW(beta_2=-0.1), "beta_2"),
    (lambda: ScheduleFreeAdamW(epsilon=0.0), "epsilon"),
    (lambda: ScheduleFreeAdamW(weight_decay=float("inf")), "weight_decay"),
    (lambda: ScheduleFreeAdamW(use_ema=True), "use_ema"),
])
def test_bad_arguments_raise_value_error_naming_them(factory, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        factory()


def test_the_callback_needs_a_schedule_free_optimizer():
    model = linear_model(keras.optimizers.SGD(0.01))
    with pytest.raises(ValueError, match="ScheduleFreeEval"):
        model.fit(DATA, TARGET, epochs=1, verbose=0, callbacks=[ScheduleFreeEval()])
