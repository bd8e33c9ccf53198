"""Bad input, nothing lost: generated arguments for every schedule of the product.

- Every schedule class of ``lrlib.schedules`` (found by introspection, so a class added later
  is covered or this file says what it needs) rejects every generated invalid argument with
  a ``ValueError`` naming it, and gives finite, non-negative rates no larger than its peak
  for generated valid arguments, on NumPy steps and on the float32 tensors Keras passes.

The course's generated tests (gradient descent, every experiment) are in
``tests/course/test_properties.py``.
"""

import inspect
import warnings

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers.strategies import negative, non_finite, not_numbers
from lrlib import schedules as S

SETTINGS = settings(deadline=None, max_examples=60,
                    suppress_health_check=[HealthCheck.too_slow])


# -- the schedule classes and a valid call of each ---------------------------------------------

def schedule_classes():
    """Every concrete schedule class defined in lrlib.schedules."""
    return sorted((obj for obj in vars(S).values()
                   if inspect.isclass(obj) and issubclass(obj, S.Schedule)
                   and obj is not S.Schedule and obj.__module__ == S.__name__),
                  key=lambda cls: cls.__name__)


#: Valid keyword arguments for each class: the point from which one argument at a time is
#: made invalid. A class missing here is looked up in ``for_budget``'s output.
BASELINES = {
    "Constant": {"learning_rate": 0.1},
    "StepDecay": {"initial_learning_rate": 0.1, "drop_factor": 0.5, "drop_every": 10},
    "ExponentialDecay": {"initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.5,
                         "staircase": False},
    "CosineAnnealing": {"initial_learning_rate": 0.1, "decay_steps": 100,
                        "minimum_learning_rate": 0.0},
    "WarmRestarts": {"initial_learning_rate": 0.1, "first_cycle_steps": 10,
                     "cycle_multiplier": 2.0, "peak_multiplier": 1.0,
                     "minimum_learning_rate": 0.0},
    "CyclicalLearningRate": {"initial_learning_rate": 0.01, "maximal_learning_rate": 0.1,
                             "step_size": 10, "mode": "triangular", "gamma": 1.0},
    "OneCycle": {"maximal_learning_rate": 0.1, "total_steps": 100, "warmup_fraction": 0.3,
                 "initial_divisor": 25.0, "final_divisor": 1e4},
    "Warmup": {"schedule": S.CosineAnnealing(0.1, 100), "warmup_steps": 10,
               "initial_learning_rate": 0.0},
    "PlateauScaled": {"schedule": S.CosineAnnealing(0.1, 100), "scale": 0.5},
    "WarmupStableDecay": {"peak_learning_rate": 0.1, "total_steps": 100, "warmup_steps": 10,
                          "decay_steps": 20, "decay_shape": "linear",
                          "final_learning_rate": 0.0},
    "InverseSquareRoot": {"peak_learning_rate": 0.1, "warmup_steps": 10},
}


def baseline(cls):
    if cls.__name__ in BASELINES:
        return dict(BASELINES[cls.__name__])
    for family in S.FAMILIES:
        made = S.for_budget(family, 0.1, 1000)
        if type(made) is cls:
            return made.get_config()
    return None


def parameters(cls):
    return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]


def test_every_schedule_class_has_a_valid_baseline_covering_its_arguments():
    for cls in schedule_classes():
        kwargs = baseline(cls)
        assert kwargs is not None, (
            f"{cls.__name__}: add valid keyword arguments to BASELINES in {__file__}")
        assert set(kwargs) == set(parameters(cls)), cls.__name__
        cls(**kwargs)  # valid


# -- invalid arguments: generated, for every argument of every class --------------------------

#: Arguments with an upper bound of 1 (rates of decay, multipliers, fractions).
AT_MOST_ONE = {"drop_factor", "decay_rate", "peak_multiplier", "gamma", "warmup_fraction"}
#: Arguments with a lower bound of 1 (cycle growth, divisors).
AT_LEAST_ONE = {"cycle_multiplier", "initial_divisor", "final_divisor"}
#: Integer arguments whose smallest valid value is 0, not 1 (per class: ``Warmup`` needs 1).
ZERO_ALLOWED = {("WarmupStableDecay", "warmup_steps")}



def invalid_values(cls, name, valid):
    """A strategy of values that must be rejected for argument ``name`` of ``cls``."""
    if isinstance(valid, bool):
        return st.one_of(not_numbers, non_finite, st.sampled_from([0, 1, "True", 0.0]))
    if isinstance(valid, str):
        return st.one_of(not_numbers, non_finite, st.text(max_size=12).filter(
            lambda text: text not in getattr(cls, "MODES", ())), st.integers())
    if isinstance(valid, keras.optimizers.schedules.LearningRateSchedule):
        return st.one_of(not_numbers, non_finite, negative, st.just(0.0), st.just(True),
                         st.text(max_size=8))
    if isinstance(valid, int):
        lowest = 0 if (cls.__name__, name) in ZERO_ALLOWED else 1
        return st.one_of(not_numbers, non_finite, st.integers(max_value=lowest - 1),
                         st.floats(0.01, 1e6).filter(lambda x: not float(x).is_integer()),
                         st.booleans())
    found = [not_numbers, non_finite, negative, st.booleans()]
    if name in AT_MOST_ONE:
        found.append(st.floats(1.0, 1e12, exclude_min=name != "warmup_fraction"))
    if name in AT_LEAST_ONE:
        found.append(st.floats(0.0, 1.0, exclude_max=True))
    if "learning_rate" in name and valid > 0:  # positive rates: zero is not a rate
        found.append(st.just(0.0))
    return st.one_of(*found)


ARGUMENTS = [(cls, name) for cls in schedule_classes() for name in parameters(cls)]


@pytest.mark.parametrize("cls,name", ARGUMENTS, ids=lambda x: getattr(x, "__name__", x))
@SETTINGS
@given(data=st.data())
def test_every_invalid_argument_raises_value_error_naming_it(cls, name, data):
    kwargs = baseline(cls)
    bad = data.draw(invalid_values(cls, name, kwargs[name]), label=name)
    kwargs[name] = bad
    with pytest.raises(ValueError, match=f"`{name}`"):
        cls(**kwargs)


@pytest.mark.parametrize("make,name", [
    (lambda: S.CosineAnnealing(0.1, 100, minimum_learning_rate=0.1), "minimum_learning_rate"),
    (lambda: S.WarmRestarts(0.1, 10, minimum_learning_rate=0.2), "minimum_learning_rate"),
    (lambda: S.CyclicalLearningRate(0.1, 0.1, 10), "maximal_learning_rate"),
    (lambda: S.OneCycle(0.1, 10, warmup_fraction=0.05), "total_steps"),
    (lambda: S.Warmup(S.Constant(0.1), 10, initial_learning_rate=0.2), "initial_learning_rate"),
    (lambda: S.WarmupStableDecay(0.1, 100, 81, 20), "total_steps"),
    (lambda: S.WarmupStableDecay(0.1, 100, 10, 20, final_learning_rate=0.11),
     "final_learning_rate"),
    (lambda: S.Warmup(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5), 10,
                      initial_learning_rate=0.5), "initial_learning_rate"),
])
def test_arguments_that_contradict_each_other_are_named(make, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        make()


def test_warmup_computes_numpy_steps_in_float64_like_every_schedule():
    # It used to call the wrapped schedule on a tensor, which computes in float32.
    rate = 131072.7109375 + 1e-9
    assert S.Warmup(S.Constant(rate), 10)(np.array([5, 20])).tolist() == [rate / 2, rate]
    assert S.Warmup(S.CosineAnnealing(0.1, 100), 10)(np.array([10]))[0] == 0.1


# -- valid arguments: finite rates, never above the peak, on both code paths ------------------

rates = st.floats(1e-12, 1e6)
steps_counts = st.integers(1, 10**6)
fractions = st.floats(0.0, 0.999)


@st.composite
def valid_schedules(draw, depth=0):
    """``(schedule, peak)``: any schedule of lrlib with generated valid arguments."""
    kind = draw(st.sampled_from(["Constant", "StepDecay", "ExponentialDecay", "CosineAnnealing",
                                 "WarmRestarts", "CyclicalLearningRate", "OneCycle",
                                 "WarmupStableDecay", "InverseSquareRoot"]
                                + (["Warmup"] if depth == 0 else [])))
    eta = draw(rates)
    if kind == "Constant":
        return S.Constant(eta), eta
    if kind == "StepDecay":
        return S.StepDecay(eta, draw(st.floats(1e-9, 1.0)), draw(steps_counts)), eta
    if kind == "ExponentialDecay":
        return S.ExponentialDecay(eta, draw(steps_counts), draw(st.floats(1e-9, 1.0)),
                                  staircase=draw(st.booleans())), eta
    if kind == "CosineAnnealing":
        return S.CosineAnnealing(eta, draw(steps_counts), eta * draw(fractions)), eta
    if kind == "WarmRestarts":
        return S.WarmRestarts(eta, draw(st.integers(1, 10**5)), draw(st.floats(1.0, 4.0)),
                              draw(st.floats(1e-3, 1.0)), eta * draw(fractions)), eta
    if kind == "CyclicalLearningRate":
        high = eta * draw(st.floats(1.001, 1e3))
        mode = draw(st.sampled_from(S.CyclicalLearningRate.MODES))
        return S.CyclicalLearningRate(eta, high, draw(st.integers(1, 10**5)), mode,
                                      draw(st.floats(1e-3, 1.0))), high
    if kind == "OneCycle":
        total = draw(st.integers(2, 10**6))
        fraction = draw(st.floats(0.01, 0.99))
        assume(fraction * total - 1 > 0)
        return S.OneCycle(eta, total, fraction, draw(st.floats(1.0, 1e3)),
                          draw(st.floats(1.0, 1e6))), eta
    if kind == "WarmupStableDecay":
        total = draw(st.integers(1, 10**6))
        decay = draw(st.integers(1, total))
        warmup = draw(st.integers(0, total - decay))
        shape = draw(st.sampled_from(S.WarmupStableDecay.MODES))
        return S.WarmupStableDecay(eta, total, warmup, decay, shape, eta * draw(fractions)), eta
    if kind == "InverseSquareRoot":
        return S.InverseSquareRoot(eta, draw(st.integers(1, 10**5))), eta
    inner, peak = draw(valid_schedules(depth=1))
    start = peak * draw(st.floats(0.0, 1.0))
    start = min(start, inner(0))
    return S.Warmup(inner, draw(st.integers(1, 10**5)), start), peak


step_arrays = st.lists(st.integers(0, 10**9), min_size=1, max_size=30).map(np.array)


@SETTINGS
@given(made=valid_schedules(), steps=step_arrays)
def test_valid_arguments_never_give_nan_or_infinity(made, steps):
    schedule, peak = made
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = schedule(steps)  # float64, for plots
        tensor = keras.ops.convert_to_numpy(  # float32, as inside model.fit
            schedule(keras.ops.convert_to_tensor(steps.astype("int64"))))
    for found, tolerance in ((values, 1e-9), (tensor.astype(float), 1e-5)):
        assert np.all(np.isfinite(found)), (schedule, steps[~np.isfinite(found)])
        assert np.all(found >= 0.0), schedule
        assert np.all(found <= peak * (1 + tolerance)), schedule
