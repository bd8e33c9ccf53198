"""Every checker of the course teaches instead of telling: a wrong answer gets a hint that
never contains the expected value (in any common formatting), later wrong tries get
escalating hints, and the answer comes only from ``reveal`` and never in the student edition
(``LRLIB_REVEAL=0``).

The table below lists every checker the chapters call (found with
:func:`lrlib.book.exercises.find_exercises`) with a right answer and a wrong one; a new
checker fails :func:`test_the_table_covers_every_checker_of_the_chapters` until it is added.
"""

import importlib
import json
import math
import pathlib
import re

import numpy as np
import pytest

from helpers.sweep_fixtures import fake_results
from lrlib.book.exercises import find_exercises
from lrlib.course import check
from lrlib.course.check import REVEAL_VARIABLE, reveal
from lrlib.schedules import evaluate

ROOT = pathlib.Path(__file__).resolve().parents[2]
RESULTS = fake_results()


def _gap():
    from lrlib.course.choosing import _gap_and_spread

    return _gap_and_spread(RESULTS)[0]


def scaled(factor):
    """Multiply every number of a right answer by ``factor`` (a wrong answer)."""
    def wrong(*right):
        def one(x):
            if isinstance(x, list):
                return [one(v) for v in x]
            return x * factor if isinstance(x, (int, float)) and not isinstance(x, bool) else x
        return tuple(one(x) for x in right)
    return wrong


def constant(value):
    return lambda *args: value


class _Run:
    def __init__(self, accuracy):
        self.final_accuracy = accuracy


# Three seeds of two contenders (annealing-ex-noise): every seed below, yet within noise.
SEEDED = {"cosine from 1.0": [_Run(a) for a in (0.9667, 0.9733, 0.9778)],
          "constant 0.3 (baseline)": [_Run(a) for a in (0.9689, 0.9778, 0.9800)]}


def _interval():
    from lrlib.course.stats import paired_difference

    difference = paired_difference([0.9667, 0.9733, 0.9778], [0.9689, 0.9778, 0.9800])
    return difference.low, difference.high


def _paired(t):
    """A learner's paired interval with the quantile ``t`` (4.30 for three seeds is right)."""
    def paired_interval(a, b):
        d = np.asarray(a) - np.asarray(b)
        half = t * d.std(ddof=1) / np.sqrt(len(d))
        return d.mean(), d.mean() - half, d.mean() + half
    return paired_interval


def _extension_costs():
    """WSD continued and cosine restarted, T1 = 10,000 then T2 = 30,000, a 20% cooldown:
    WSD runs T1 whole, then from its last peak step (0.8 T1) to T2; cosine runs T1 + T2."""
    t1, t2 = 10_000, 30_000
    return t1 + (t2 - int(0.8 * t1)), t1 + t2


def _linear_to_zero():
    from lrlib.schedules import WarmupStableDecay

    return WarmupStableDecay(0.5, total_steps=1000, warmup_steps=0, decay_steps=1000)


# checker: (right answer as a tuple of arguments, wrong answers: functions of the right one)
NUMERIC = {
    "intro.check_stability_limit": lambda: (2 / 12.5,),
    "intro.check_steps_to_one_percent": lambda: (500 * math.log(100) / math.log(2),),
    "annealing.check_quarter_way": lambda: (0.5 * (1 + math.cos(math.pi / 4)), 0.75),
    "annealing.check_second_restart": lambda: (110,),
    "annealing.check_forbidding_floor": lambda: (_floor(),),
    "annealing.check_paired_verdict": lambda: (SEEDED, *_interval(), "within noise"),
    "choosing.check_matching_peak": lambda: (0.3 / _step_mean(),),
    "choosing.check_gap_in_images": lambda: (_gap(), RESULTS),
    "convergence.check_ravine": lambda: (2 / 50, 2 / 52, 48 / 52),
    "convergence.check_edge_prediction": lambda: (2 / 0.3,),
    "cyclical.check_rates_at_step_500": lambda: (0.055, 0.0325),
    "cyclical.check_one_cycle_numbers": lambda: (128, 0.02, 2e-6),
    "exponential_decay.check_steps_to_adam_rate":
        lambda: (10000 * math.log(100) / math.log(1 / 0.9),),
    "exponential_decay.check_budget_decay": lambda: (15000, 0.001),
    "local_minima.check_global_limit": lambda: (_global_limit(),),
    "local_minima.check_escape_rate": lambda: (_escape(),),
    "local_minima.check_saddle_escape": lambda: (math.log(1e5) / math.log(1.05),),
    "range_test.check_ramp_rate": lambda: (1e-4 * (10 / 1e-4) ** 0.5,),
    "range_test.check_plateau_factor": lambda: (0.25,),
    "step_decay.check_drop_every_steps": lambda: (129,),
    "step_decay.check_same_half_life_factor": lambda: (0.1 ** 0.25,),
    "warmup.check_linear_scaling_rate": lambda: (3.2,),
    "warmup.check_warmup_steps": lambda: (5 * math.ceil(1_281_167 / 8192),),
    "warmup.check_adam_first_step": lambda: ([0.01, 0.01, 0.01],),
    "warmup.check_noise_step":
        lambda: (math.sqrt(2 / math.pi), math.sqrt(2 / math.pi) * math.sqrt(0.1 / 1.9)),
    "unknown_budget.check_extension_cost": lambda: _extension_costs(),
    "unknown_budget.check_inverse_sqrt_step": lambda: (100 * 500,),
}
# checkers of code, lists or words: (a right answer, a wrong one)
OTHER = {
    "intro.check_staircase_schedule":
        (lambda s: 0.1 * 0.96 ** (s // 100), lambda s: 0.1 * 0.95 ** (s // 100)),
    "annealing.check_warm_restarts": (None, constant(0.0123)),
    # right for a constant schedule (whose mean is its rate, shown in the input), wrong after
    "choosing.check_mean_rate_function":
        (None, lambda schedule, steps: float(evaluate(schedule, steps)[0])),
    "convergence.check_regime": ("oscillating", "slow"),
    "convergence.check_best_rate_formula": (lambda a, b: 2 / (a + b), lambda a, b: 1.9 / (a + b)),
    "convergence.check_contraction":
        (lambda eta, lam: float(np.max(np.abs(1 - eta * np.asarray(lam)))), constant(0.5)),
    "convergence.check_paired_interval": (_paired(4.30), _paired(1.96)),
    "convergence.check_sweep_verdict":
        ({0.1: "within noise", 1.0: "within noise"}, {0.1: "better", 1.0: "within noise"}),
    "cyclical.check_triangular2": (None, constant(0.0123)),
    "exponential_decay.check_inverse_time_schedule":
        (lambda s: 0.5 / (1 + 2.0 * s / 100), lambda s: 0.5 / (1 + 2.2 * s / 100)),
    "exponential_decay.check_verdicts": (
        {"exponential 0.3 → 1%": "worse", "exponential 1.0 → 1%": "within noise",
         "exponential 2.0 → 1%": "worse"},
        {"exponential 0.3 → 1%": "worse", "exponential 1.0 → 1%": "within noise",
         "exponential 2.0 → 1%": "within noise"}),
    "local_minima.check_double_well_predictions":
        (None, {0.04: "wide", 0.12: "sharp", 0.9: "sharp"}),
    "local_minima.check_settled_rule": (None, constant(0)),
    "range_test.check_smoothed_loss": (None, lambda losses, beta: list(losses)),
    "step_decay.check_multistep_boundaries": (None, ([149, 299], [0.3, 0.06, 0.006])),
    "step_decay.check_epoch_function": (None, lambda epoch, rate: 0.3 * 0.5 ** (epoch // 2)),
    "step_decay.check_noise_answer": (True, False),
    "step_decay.check_moved_drop_answer": ("neither", 43),
    "warmup.check_keras_cosine_warmup": (None, constant(0.0123)),
    "unknown_budget.check_linear_to_zero": (_linear_to_zero(), constant(0.0123)),
}


def _floor():
    from lrlib.course.landscapes import DoubleWell

    well = DoubleWell()
    return 2.0 / float(well.sharpness(well.sharp_minimum))


def _step_mean():
    from lrlib.schedules import for_budget, mean_rate

    return mean_rate(for_budget("step", 1.0, 430), 430)


def _global_limit():
    from lrlib.course.landscapes import MultiMinima

    surface = MultiMinima()
    return 2.0 / float(surface.sharpness(surface.minima)[0])


def _escape():
    from lrlib.course.local_minima import reference_escape_rate

    return reference_escape_rate()


def checker(name):
    module, function = name.split(".")
    return getattr(importlib.import_module(f"lrlib.course.{module}"), function)


def forms(value):
    """The ways a number is commonly printed (long enough not to occur by chance)."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return set()
    found = {f"{value:.{p}g}" for p in (3, 4, 5, 6)} | {repr(value), f"{value:g}"}
    if abs(value) >= 10:
        found |= {f"{value:,.0f}", f"{round(value)}"}
    if 0 < abs(value) < 1:
        found |= {f"{value * 100:.3g}%"}
    return {f for f in found if len(f.replace("-", "").replace(".", "")) >= 2}


def _occurs(form, text):
    """``form`` in ``text`` as a whole number (not 0.04 inside 0.04808)."""
    return re.search(rf"(?<![\d.]){re.escape(form)}(?![\d]|\.\d)", text) is not None


def record(name):
    return check._RECORDS[f"lrlib.course.{name}"]


def assert_no_answer(result, name):
    shown = str(result) + "\n" + result._repr_markdown_()
    assert not result, f"{name}: a wrong answer passed"
    values = record(name).values
    for value in values:
        for form in forms(value):
            assert not _occurs(form, shown), f"{name} gives the expected value {form}: {shown}"


def test_the_table_covers_every_checker_of_the_chapters():
    called = set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for exercise in find_exercises(json.loads(path.read_text())):
            called |= {c.removeprefix("lrlib.course.") for c in exercise.checkers}
    assert called == set(NUMERIC) | set(OTHER)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.delenv(REVEAL_VARIABLE, raising=False)
    check.reset_attempts()
    yield
    check.reset_attempts()


@pytest.mark.parametrize("name", sorted(NUMERIC))
def test_a_wrong_number_gets_hints_never_the_answer(name):
    function, right = checker(name), NUMERIC[name]()
    assert function(*right), f"{name}: the right answer fails"
    for factor in (0.8, 1.25, 0.7, 1.4, 0.6):  # five tries: every hint is shown
        result = function(*scaled(factor)(*right))
        assert_no_answer(result, name)
    assert check.attempts(function) == 5
    assert "Hint" in str(result) and result.hints
    answer = reveal(function)
    assert answer.startswith("The answer:")
    values = record(name).values
    if values:
        assert any(_occurs(form, answer) for v in values for form in forms(v)), answer


@pytest.mark.parametrize("name", sorted(OTHER))
def test_a_wrong_function_or_word_gets_hints_never_the_answer(name):
    function, (right, wrong) = checker(name), OTHER[name]
    if right is not None:
        assert function(right), f"{name}: the right answer fails"
    args = wrong if isinstance(wrong, tuple) else (wrong,)
    for _ in range(4):
        result = function(*args)
        assert_no_answer(result, name)
    assert check.attempts(function) == 4 and "Hint" in str(result)
    assert reveal(function).startswith("The answer:")


def test_the_student_edition_never_reveals(monkeypatch):
    from lrlib.course import intro

    monkeypatch.setenv(REVEAL_VARIABLE, "0")
    for _ in range(4):
        result = intro.check_stability_limit(0.2)
    assert "reveal()" not in str(result) and "instructor" in str(result)
    answer = reveal(intro.check_stability_limit)
    assert "0.16" not in answer and "not shown" in answer
    monkeypatch.setenv(REVEAL_VARIABLE, "1")
    assert "0.16" in reveal(intro.check_stability_limit)


def test_hints_escalate_and_the_answer_waits_for_a_try():
    from lrlib.course import intro

    assert "Try the exercise first" in reveal(intro.check_stability_limit)
    first = intro.check_stability_limit(0.08)
    assert "fastest" in str(first) and "Hint" not in str(first)  # the targeted hint
    second = intro.check_stability_limit(0.3)
    assert "within 0.1%" in second.message and "too large" in str(second)
    third = intro.check_stability_limit(0.1)
    assert "too small" in str(third) and "reveal()" in str(third)
    assert "0.16" in reveal()  # the last checker that said "not yet"
    out = intro.check_stability_limit(-1)
    assert not out and "outside what the question allows" in out.message
    assert "positive" in out.message
    assert intro.check_stability_limit(0.16)


def test_an_estimate_is_accepted_within_the_stated_tolerance():
    from lrlib.course import local_minima

    expected = _escape()
    assert local_minima.check_escape_rate(expected * 1.07)
    result = local_minima.check_escape_rate(expected * 1.1)
    assert not result and "within 8%" in result.message
