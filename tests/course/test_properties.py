"""Bad input, nothing lost, in the course's code: generated arguments and every experiment.

- ``gradient_descent`` and ``descend_many`` reject generated invalid arguments, never return
  NaN or infinity, never warn, and report divergence ("diverged at step k") instead of raising.
- Every experiment of :mod:`lrlib.course` (found by :mod:`lrlib.course.widgets.discovery`)
  draws a complete figure, without exceptions or warnings, at every combination of its
  controls' extremes.
"""

import inspect
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.strategies import negative, non_finite, not_numbers
from lrlib import schedules as S
from lrlib.course.descent import descend_many, gradient_descent
from lrlib.course.landscapes import DoubleWell, Landscape, MultiMinima, Quadratic, Rosenbrock
from lrlib.course.widgets.discovery import control_settings, draw_functions

SETTINGS = settings(deadline=None, max_examples=60,
                    suppress_health_check=[HealthCheck.too_slow])


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
    assert "lrlib.course.warmup.warmup_experiment" in names
    assert "lrlib.course.intro.three_roles" in names


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

    from lrlib.course.widgets import render

    for params in control_settings(experiment):
        where = f"{experiment.name}({params})"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = render(experiment.draw, **params)
            print_figure(fig, "png")  # draws it, as the live widget's display does
        _check_figure(fig, where)
