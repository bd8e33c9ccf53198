"""Checkers that give a learner feedback on an exercise, in plain words.

A checker runs the learner's value or function against the reference on several inputs and
returns a :class:`Result`: true or false, with a message that says what is wrong ("at step
250 your schedule gives 0.05, expected 0.025"). In a notebook the result shows itself.

The generic checkers are here; each chapter's exercises have named checkers (``check_*``) in
the chapter's companion module (``lrlib.course.<chapter>``, e.g. ``lrlib.course.intro``) that
know the reference answer, so the learner never sees it in the notebook.

Example:
    >>> from lrlib.course.check import check_number
    >>> check_number(0.19, expected=0.2, name="the stability limit", rtol=0.01)
    Result(passed=False, message='the stability limit: you gave 0.19, expected 0.2 (within 1%).')
"""

import dataclasses
import math
import numbers

import numpy as np

__all__ = ["Result", "check_number", "check_schedule", "check_function", "check_choice"]


@dataclasses.dataclass(frozen=True)
class Result:
    """The outcome of a check: ``passed`` and a plain-words ``message``."""

    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def __str__(self):
        return ("Correct. " if self.passed else "Not yet. ") + self.message

    def _repr_markdown_(self):
        mark = "✅ **Correct.**" if self.passed else "❌ **Not yet.**"
        return f"{mark} {self.message}"


def _close(value, expected, rtol, atol):
    return math.isclose(value, expected, rel_tol=rtol, abs_tol=atol)


def _as_float(value):
    if isinstance(value, bool):
        return None
    try:
        value = float(np.asarray(value))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def check_number(answer, expected, *, name="your answer", rtol=1e-3, atol=0.0):
    """Is ``answer`` within a relative ``rtol`` (or absolute ``atol``) of ``expected``?"""
    value = _as_float(answer)
    tolerance = f"within {rtol:.0%}" if rtol and not atol else f"within {atol:g}"
    if value is None:
        return Result(False, f"{name}: expected a finite number, got {answer!r}.")
    if _close(value, expected, rtol, atol):
        return Result(True, f"{name}: {value:.4g} matches {expected:.4g}.")
    return Result(False, f"{name}: you gave {value:.4g}, expected {expected:.4g} ({tolerance}).")


def check_choice(answer, expected, *, name="your answer", options=None):
    """Is ``answer`` equal to ``expected`` (case-insensitive for strings)?"""
    def norm(x):
        return x.strip().lower() if isinstance(x, str) else x

    if options is not None and norm(answer) not in [norm(o) for o in options]:
        listed = ", ".join(repr(o) for o in options)
        return Result(False, f"{name}: {answer!r} is not one of {listed}.")
    if norm(answer) == norm(expected):
        return Result(True, f"{name}: {answer!r} is right.")
    return Result(False, f"{name}: {answer!r} is not it; think again about the reasoning.")


def check_function(function, reference, inputs, *, name="your function", rtol=1e-4,
                   atol=1e-12, describe=repr):
    """Call ``function`` and ``reference`` on each input; report the first disagreement."""
    if not callable(function):
        return Result(False, f"{name} must be a function, got {function!r}.")
    for x in inputs:
        try:
            got = function(x)
        except Exception as error:  # the learner's code: report, do not crash
            return Result(False, f"{name} raised {type(error).__name__}: {error} "
                                 f"for input {describe(x)}.")
        want = reference(x)
        got_value = _as_float(got)
        if got_value is None:
            return Result(False, f"for input {describe(x)} {name} returned {got!r}, "
                                 "not a finite number.")
        if not _close(got_value, float(want), rtol, atol):
            return Result(False, f"for input {describe(x)} {name} gives {got_value:.6g}, "
                                 f"expected {float(want):.6g}.")
    return Result(True, f"{name} agrees with the reference on {len(list(inputs))} inputs.")


def check_schedule(schedule, reference, steps, *, name="your schedule", rtol=1e-4, atol=1e-12):
    """Compare a learner's schedule (any callable of the step) with a reference at ``steps``.

    Example:
        >>> from lrlib.course.check import check_schedule
        >>> from lrlib.schedules import StepDecay
        >>> reference = StepDecay(0.1, drop_factor=0.5, drop_every=100)
        >>> wrong = lambda t: 0.1 * 0.5 ** (t // 50)
        >>> print(check_schedule(wrong, reference, steps=[0, 99, 100, 250]))
        Not yet. at step 99 your schedule gives 0.05, expected 0.1.
    """
    steps = [int(s) for s in steps]
    if not callable(schedule):
        return Result(False, f"{name} must be callable as schedule(step), got {schedule!r}.")
    for step in steps:
        try:
            got = schedule(step)
        except Exception as error:
            return Result(False, f"{name} raised {type(error).__name__}: {error} at step {step}.")
        got_value = _as_float(got)
        want = _as_float(reference(step))
        if got_value is None:
            return Result(False, f"at step {step} {name} returned {got!r}, not a finite number.")
        if not _close(got_value, want, rtol, atol):
            return Result(False, f"at step {step} {name} gives {got_value:.6g}, "
                                 f"expected {want:.6g}.")
    return Result(True, f"{name} matches the reference at all {len(steps)} steps checked.")


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)
