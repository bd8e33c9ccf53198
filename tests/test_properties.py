"""Bad input, nothing lost: generated arguments for every schedule, gradient descent, widgets.

- Every schedule class of ``lrlib.schedules`` (found by introspection, so a class added later
  is covered or this file says what it needs) rejects every generated invalid argument with
  a ``ValueError`` naming it, and gives finite, non-negative rates no larger than its peak
  for generated valid arguments, on NumPy steps and on the float32 tensors Keras passes.
- ``gradient_descent`` and ``descend_many`` reject generated invalid arguments, never return
  NaN or infinity, never warn, and report divergence ("diverged at step k") instead of raising.
- Every experiment of ``lrlib.widgets`` (found by :mod:`bench.discovery`) draws a complete
  figure, without exceptions or warnings, at every combination of its controls' extremes.
"""

import inspect
import math
import pathlib
import re
import sys
import warnings

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lrlib import schedules as S
from lrlib.descent import descend_many, gradient_descent
from lrlib.landscapes import DoubleWell, Landscape, MultiMinima, Quadratic, Rosenbrock

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.discovery import control_settings, draw_functions  # noqa: E402

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

not_numbers = st.sampled_from([None, "0.1", [0.1], (1,), {"x": 1}, object(), 1j, b"1"])
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
negative = st.floats(-1e12, -1e-12)


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
        return st.one_of(not_numbers, non_finite, st.integers(max_value=0),
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
                                 "WarmRestarts", "CyclicalLearningRate", "OneCycle"]
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


# -- gradient descent -----------------------------------------------------------------------------

LANDSCAPES = [Quadratic((1.0,)), Quadratic((1.0, 10.0)), Quadratic((0.5, 3.0, 40.0)),
              Rosenbrock(), DoubleWell(), MultiMinima()]


def valid_call(landscape=LANDSCAPES[1]):
    return {"landscape": landscape, "x0": np.full(landscape.dim, 0.5), "learning_rate": 0.01,
            "steps": 20, "momentum": 0.0, "noise": 0.0, "seed": 0}


DESCENT_INVALID = {
    "landscape": st.one_of(not_numbers, st.just("bowl"), st.just(Landscape)),
    "x0": st.one_of(st.just(None), st.just("one"), non_finite.map(lambda v: [v, 0.0]),
                    st.lists(st.floats(-1, 1), min_size=3, max_size=4),
                    st.lists(st.floats(-1, 1), min_size=1, max_size=1),
                    st.just([[0.5, 0.5]])),
    "learning_rate": st.one_of(not_numbers.filter(lambda v: not isinstance(v, (list, tuple))),
                               non_finite, negative, st.just(0.0), st.just(True),
                               st.lists(st.floats(0.01, 1.0), min_size=1, max_size=19),
                               st.just(lambda t: -1.0), st.just(lambda t: math.nan)),
    "steps": st.one_of(not_numbers, non_finite, st.integers(max_value=0), st.booleans(),
                       st.floats(0.5, 100).filter(lambda x: not float(x).is_integer())),
    "momentum": st.one_of(not_numbers, non_finite, negative, st.floats(1.0, 1e6),
                          st.booleans()),
    "noise": st.one_of(not_numbers, non_finite, negative, st.booleans()),
    "seed": st.one_of(st.integers(max_value=-1), st.floats(0.5, 9.5), st.just("0"),
                      non_finite),
}


@pytest.mark.parametrize("function", [gradient_descent, descend_many],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", list(DESCENT_INVALID))
@SETTINGS
@given(data=st.data())
def test_descent_rejects_invalid_arguments_naming_them(function, name, data):
    kwargs = valid_call()
    if function is descend_many:
        kwargs["starts"] = np.atleast_2d(kwargs.pop("x0"))
    bad = data.draw(DESCENT_INVALID[name], label=name)
    argument = "starts" if function is descend_many and name == "x0" else name
    if argument == "starts" and isinstance(bad, list):
        bad = [bad]  # one more dimension: still a wrong shape, or a non-finite start
    kwargs[argument] = bad
    with pytest.raises(ValueError, match=f"`{argument}`"):
        function(**kwargs)


def test_descent_invalid_arguments_cover_the_signature():
    names = set(inspect.signature(gradient_descent).parameters)
    assert names == set(DESCENT_INVALID), "generate invalid values for every argument"


@st.composite
def descent_calls(draw):
    landscape = draw(st.sampled_from(LANDSCAPES))
    x0 = [draw(st.floats(lo - 1.0, hi + 1.0)) for lo, hi in landscape.bounds]
    kind = draw(st.sampled_from(["number", "schedule", "array"]))
    steps = draw(st.integers(1, 300))
    if kind == "number":
        rate = draw(st.floats(1e-6, 1e4))
    elif kind == "schedule":
        rate = S.for_budget(draw(st.sampled_from(S.FAMILIES)), draw(st.floats(1e-6, 1e4)),
                            max(steps, 8))
    else:
        rate = np.array(draw(st.lists(st.floats(0.0, 1e4), min_size=steps, max_size=steps)))
    return {"landscape": landscape, "x0": x0, "learning_rate": rate, "steps": steps,
            "momentum": draw(st.sampled_from([0.0, draw(st.floats(0.0, 0.999))])),
            "noise": draw(st.sampled_from([0.0, draw(st.floats(0.0, 100.0))])),
            "seed": draw(st.integers(0, 2**32))}


def _silently(function, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(**kwargs)


@SETTINGS
@given(call=descent_calls())
def test_gradient_descent_never_gives_nan_and_reports_divergence(call):
    run = _silently(gradient_descent, **call)
    assert np.all(np.isfinite(run.points)) and np.all(np.isfinite(run.losses))
    assert run.diverged == (run.diverged_at is not None)
    if run.diverged:
        assert 1 <= run.diverged_at <= call["steps"]
        assert run.describe() == f"diverged at step {run.diverged_at}"
        assert len(run.points) == run.diverged_at
    else:
        assert len(run.points) == call["steps"] + 1
        assert run.describe().startswith("final loss ")


@SETTINGS
@given(call=descent_calls(), extra=st.integers(1, 5))
def test_descend_many_never_gives_nan_and_reports_divergence(call, extra):
    landscape = call["landscape"]
    rng = np.random.default_rng(0)
    lows, highs = np.array(landscape.bounds).T
    starts = np.vstack([call.pop("x0"), rng.uniform(lows, highs, size=(extra, landscape.dim))])
    runs = _silently(descend_many, starts=starts, **call)
    assert np.all(np.isfinite(runs.points)) and np.all(np.isfinite(runs.losses))
    assert np.array_equal(runs.diverged, runs.diverged_at >= 0)
    assert np.all(runs.diverged_at[runs.diverged] <= call["steps"])


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=repr)
@pytest.mark.parametrize("rate", [1e2, 1e6, 1e300])
def test_huge_rates_diverge_quietly(landscape, rate):
    x0 = [hi * 0.5 + lo * 0.5 + 0.3 for lo, hi in landscape.bounds]
    run = _silently(gradient_descent, landscape=landscape, x0=x0, learning_rate=rate,
                    steps=100, momentum=0.9)
    assert run.diverged and run.describe() == f"diverged at step {run.diverged_at}"
    assert np.all(np.isfinite(run.points))


# -- widgets at the extremes of their controls ------------------------------------------------

EXPERIMENTS = draw_functions()


def test_experiments_are_discovered():
    names = [e.name for e in EXPERIMENTS]
    assert "lrlib.widgets.schedules.schedule_explorer" in names
    assert "lrlib.widgets.roles.three_roles" in names


def _data_artists(ax):
    return (ax.lines + ax.collections + ax.images + ax.patches + ax.texts
            + [c for c in ax.containers])


def _check_figure(fig, where):
    axes = fig.axes
    assert axes, f"{where}: the figure has no axes"
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    assert suptitle or any(ax.get_title() for ax in axes), f"{where}: the figure has no title"
    for ax in axes:
        # A panel is titled, or labelled (a row of panels under a titled one, say).
        name = ax.get_title() or ax.get_ylabel() or ax.get_xlabel()
        assert name, f"{where}: an axes has neither a title nor axis labels"
        assert _data_artists(ax), f"{where}: the axes {name!r} is empty"
        for line in ax.lines:
            data = np.asarray(line.get_xydata(), dtype=float)
            assert np.all(np.isfinite(data)), f"{where}: a line has NaN or infinite points"
        assert all(np.isfinite(ax.get_xlim())) and all(np.isfinite(ax.get_ylim())), where
    texts = [t.get_text() for ax in axes for t in ax.texts]
    for text in texts:
        if "diverged" in text:
            # one run: "diverged at step k"; seeds that diverged at different steps:
            # "diverged at steps j–k"
            assert re.fullmatch(r"diverged at\s+(step \d+|steps \d+–\d+)", text), \
                f"{where}: {text!r}"


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda e: e.name)
def test_experiments_draw_complete_figures_at_every_extreme(experiment):
    from IPython.core.pylabtools import print_figure

    from lrlib.widgets import render

    for params in control_settings(experiment):
        where = f"{experiment.name}({params})"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = render(experiment.draw, **params)
            print_figure(fig, "png")  # draws it, as the live widget's display does
        _check_figure(fig, where)
