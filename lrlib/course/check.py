"""Checkers that give a learner feedback on an exercise, in plain words, and teach.

A checker runs the learner's value or function against the reference on several inputs and
returns a :class:`Result`: true or false, with a message that says what is wrong. In a
notebook the result shows itself.

**Feedback that teaches, not tells.** A wrong answer never shows the expected value:

1. the first wrong try says what is wrong and how close it must be ("not within 0.5% of the
   answer"), with the targeted hint when the checker recognises the misconception (1/λ for
   2/λ, a smooth decay for a staircase, epochs for steps...);
2. later wrong tries of the same checker (counted per checker, per kernel) add escalating
   hints: the direction ("too large"), then the checker's own further hints, then where to
   look;
3. the answer only when the learner asks for it: ``reveal()`` shows the answer of the last
   checker that said "not yet", ``reveal(intro.check_stability_limit)`` the answer of that
   checker (after a first try). The student edition disables it: its notebooks set the
   environment variable ``LRLIB_REVEAL=0`` (:data:`REVEAL_VARIABLE`), and the graded tests of
   :mod:`lrlib.book.grading` run with it.

The expected values are computed in the companions' code, so a determined reader of the
installed package can still find them: the grade comes from the autograder, not from secrecy.

A numeric answer is accepted within a tolerance printed as it is ("within 0.5%", "within
0.5"); an answer outside the range the question allows (a negative rate, a fraction above 1)
is rejected with a message that says so.

The generic checkers are here; each chapter's exercises have named checkers (``check_*``) in
the chapter's companion module (``lrlib.course.<chapter>``, e.g. ``lrlib.course.intro``) that
know the reference answer, so the learner never sees it in the notebook.

Example:
    >>> from lrlib.course.check import check_number, reveal
    >>> check_number(0.19, expected=0.2, name="the stability limit", rtol=0.01)
    Result(passed=False, message='the stability limit: 0.19 is not within 1% of the answer.')
    >>> print(reveal())
    The answer: the stability limit is 0.2.
"""

import dataclasses
import math
import numbers
import os
import sys

import numpy as np

__all__ = ["Result", "check_number", "check_schedule", "check_function", "check_choice",
           "reveal", "reveal_allowed", "record_answer", "record_hints", "passed", "reset_attempts", "attempts", "tolerance_text",
           "REVEAL_VARIABLE"]

#: The environment variable that disables :func:`reveal` when set to 0 (the student edition).
REVEAL_VARIABLE = "LRLIB_REVEAL"


def reveal_allowed():
    """False in the student edition (``LRLIB_REVEAL=0``): no answer is ever shown."""
    return os.environ.get(REVEAL_VARIABLE, "1").strip().lower() not in ("0", "false", "no",
                                                                         "off")


# -- the kernel's record of tries: per checker, the wrong tries, its hints and its answer ----

@dataclasses.dataclass
class _Record:
    wrong: int = 0        # wrong tries so far, in this kernel
    passed: bool = False  # the last call's verdict (the graded tests read it)
    counted: bool = False  # this call's wrong try is counted
    answers: list = dataclasses.field(default_factory=list)   # [(what, value text)]
    values: list = dataclasses.field(default_factory=list)    # expected numbers (tests)
    hints: list = dataclasses.field(default_factory=list)     # escalating hints


_RECORDS = {}
_LAST = [None]  # the name of the last checker that said "not yet"
_CURRENT = {"frame": None, "key": None}  # the call being recorded (a new call: a new try)


def _checker_frame():
    """The outermost ``check_*`` call of lrlib.course on the stack (a companion's checker,
    or a generic one called directly), or None."""
    frame, found = sys._getframe(1), None
    while frame is not None:
        if (frame.f_code.co_name.startswith("check_")
                and frame.f_globals.get("__name__", "").startswith("lrlib.course.")):
            found = frame
        frame = frame.f_back
    return found


def _record(name):
    """``(key, record)`` of the checker being run: a companion's ``check_*`` (its qualified
    name), or else a generic checker called directly (its ``name`` argument). A new call
    starts the record's answers and hints afresh."""
    frame = _checker_frame()
    if frame is not None and frame is _CURRENT["frame"]:
        return _CURRENT["key"], _RECORDS[_CURRENT["key"]]
    module = frame.f_globals["__name__"] if frame is not None else __name__
    key = (f"{module}.{frame.f_code.co_name}" if module != __name__
           else f"{__name__}:{name}")
    record = _RECORDS.setdefault(key, _Record())
    record.counted, record.answers, record.values, record.hints = False, [], [], []
    record.passed = False
    _CURRENT["frame"], _CURRENT["key"] = frame, key
    return key, record


def attempts(checker):
    """The wrong tries of ``checker`` (a function or its qualified name) in this kernel."""
    record = _RECORDS.get(_key(checker))
    return record.wrong if record else 0


def passed(checker):
    """Did the last call of ``checker`` (a function or its qualified name) in this kernel
    pass? The autograder's tests (:mod:`lrlib.book.grading`) ask this after the learner's
    cell has called the checker, whatever the arguments looked like."""
    record = _RECORDS.get(_key(checker))
    return bool(record and record.passed)


def reset_attempts():
    """Forget every try (a fresh start, as in a new kernel)."""
    _RECORDS.clear()
    _LAST[0] = None


def _key(checker):
    if callable(checker):
        return f"{checker.__module__}.{checker.__name__}"
    return str(checker)


def record_answer(what, value, numbers=()):
    """Record the reference answer of the running checker, for :func:`reveal`: ``what`` (words)
    ``is`` ``value`` (text); ``numbers``, the values it contains (the tests check that no
    message gives them away). For checkers that do not call :func:`check_number`."""
    _, record = _record(what)
    if (what, value) not in record.answers:
        record.answers.append((what, value))
    record.values.extend(float(n) for n in numbers)


def record_hints(*hints):
    """Add escalating hints to the running checker: a wrong try shows one more of them than
    the try before (none on the first, whose message says what is wrong). For checkers that
    judge an answer themselves; :func:`check_number` and :func:`check_choice` take
    ``hints=``. A hint says where to look, never the expected value."""
    _note_hints("your answer", hints)


def _note_hints(what, hints):
    _, record = _record(what)
    for hint in hints:
        if hint not in record.hints:
            record.hints.append(hint)


@dataclasses.dataclass(frozen=True)
class Result:
    """The outcome of a check: ``passed`` and a plain-words ``message``.

    Shown (``str`` or in a notebook), a failed result adds the escalating hints its checker
    has earned so far (:attr:`feedback`).
    """

    passed: bool
    message: str
    checker: str = dataclasses.field(default=None, repr=False, compare=False)
    attempt: int = dataclasses.field(default=0, repr=False, compare=False)

    def __post_init__(self):
        if self.checker is not None:
            return
        key, record = _record("your answer")
        if not self.passed and not record.counted:
            record.wrong += 1
            record.counted = True
            _LAST[0] = key
        record.passed = self.passed
        object.__setattr__(self, "checker", key)
        object.__setattr__(self, "attempt", record.wrong if not self.passed else 0)

    def __bool__(self):
        return self.passed

    @property
    def hints(self):
        """The escalating hints shown with this result (none when it passed)."""
        if self.passed:
            return []
        record = _RECORDS.get(self.checker, _Record())
        shown = list(record.hints[:max(0, self.attempt - 1)])
        if self.attempt >= 3 and self.attempt - 1 >= len(record.hints):
            if reveal_allowed():
                shown.append("Still stuck? `reveal()` (from `lrlib.course.check`) shows the "
                             "answer; try once more before you look.")
            else:
                shown.append("Still stuck? Reread the exercise and the section before it, "
                             "or ask your instructor.")
        return shown

    @property
    def feedback(self):
        """The message and the hints, as shown."""
        return " ".join([self.message] + [f"Hint: {h}" for h in self.hints])

    def __str__(self):
        return ("Correct. " if self.passed else "Not yet. ") + self.feedback

    def _repr_markdown_(self):
        mark = "✅ **Correct.**" if self.passed else "❌ **Not yet.**"
        lines = [f"{mark} {self.message}"] + [f"- *Hint:* {h}" for h in self.hints]
        return "\n".join(lines[:1]) + ("\n\n" + "\n".join(lines[1:]) if lines[1:] else "")


class Revealed(str):
    """The text :func:`reveal` returns; shown as itself in a notebook."""

    def _repr_markdown_(self):
        return f"🔑 {self}"

    def __repr__(self):
        return str(self)


def reveal(checker=None):
    """The answer of ``checker`` (a companion's ``check_*`` function, or its qualified name),
    or of the last checker that said "not yet"; only after a first try, and never in the
    student edition (``LRLIB_REVEAL=0``).

    Example:
        >>> from lrlib.course import intro
        >>> from lrlib.course.check import reveal
        >>> _ = intro.check_stability_limit(0.2)
        >>> print(reveal(intro.check_stability_limit))
        The answer: the stability limit is 0.16.
    """
    if not reveal_allowed():
        return Revealed("The answers are not shown in this edition: reread the exercise, "
                        "or ask your instructor.")
    key = _LAST[0] if checker is None else _key(checker)
    record = _RECORDS.get(key) if key else None
    if record is None or not record.answers:
        return Revealed("Try the exercise first (call its checker with your answer); then "
                        "`reveal(checker)` shows the answer.")
    return Revealed("The answer: " + "; ".join(f"{what} is {value}"
                                                for what, value in record.answers) + ".")


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


def tolerance_text(rtol, atol=0.0):
    """The tolerance as it is: ``within 0.5%``, ``within 0.5``, ``within 1% or 0.01``.

    Example:
        >>> tolerance_text(0.005), tolerance_text(0, 0.5), tolerance_text(1e-3, 1e-6)
        ('within 0.5%', 'within 0.5', 'within 0.1% or 1e-06')
    """
    parts = ([f"{rtol * 100:.10g}%"] if rtol else []) + ([f"{atol:g}"] if atol else [])
    return "within " + " or ".join(parts) if parts else "exactly"


def _shown(value):
    return f"{value:.6g}"


def check_number(answer, expected, *, name="your answer", rtol=1e-3, atol=0.0, low=None,
                 high=None, allowed="", hints=()):
    """Is ``answer`` within a relative ``rtol`` (or absolute ``atol``) of ``expected``?

    ``low``/``high``: the range the question allows (inclusive); an answer outside it is
    rejected and ``allowed`` says why ("a learning rate is positive"). ``hints``: further
    hints, shown one more on each later wrong try. The message of a wrong answer never
    contains ``expected``; :func:`reveal` shows it.
    """
    record_answer(name, _shown(expected), [expected])
    value = _as_float(answer)
    if value is None:
        return Result(False, f"{name}: give a finite number, got {answer!r}.")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (f"between {low:g} and {high:g}" if low is not None and high is not None
                  else f"at least {low:g}" if low is not None else f"at most {high:g}")
        why = f" ({allowed})" if allowed else ""
        return Result(False, f"{name}: {value:.4g} is outside what the question allows: "
                             f"the answer is {bounds}{why}.")
    if _close(value, expected, rtol, atol):
        return Result(True, f"{name}: {value:.4g} matches {expected:.4g}.")
    direction = "large" if value > expected else "small"
    _note_hints(name, [f"{name}: your answer is too {direction}."] + list(hints))
    return Result(False, f"{name}: {value:.4g} is not {tolerance_text(rtol, atol)} of the "
                         "answer.")


def check_choice(answer, expected, *, name="your answer", options=None, hints=()):
    """Is ``answer`` equal to ``expected`` (case-insensitive for strings)?"""
    def norm(x):
        return x.strip().lower() if isinstance(x, str) else x

    record_answer(name, repr(expected))
    if options is not None and norm(answer) not in [norm(o) for o in options]:
        listed = ", ".join(repr(o) for o in options)
        return Result(False, f"{name}: {answer!r} is not one of {listed}.")
    if norm(answer) == norm(expected):
        return Result(True, f"{name}: {answer!r} is right.")
    _note_hints(name, hints)
    return Result(False, f"{name}: {answer!r} is not it; think again about the reasoning.")


def _compare(got, want, what, name, rtol):
    """A failed comparison, in words that do not give the reference's value."""
    direction = "too large" if got > want else "too small"
    record_answer(f"the reference {what}", _shown(want), [want])
    _note_hints(name, [f"{what}, {name}'s value is {direction}; the sign and size of the "
                       "error point at the part of your formula that is off."])
    return Result(False, f"{what} {name} gives {got:.6g}, which is not the reference's value "
                         f"({tolerance_text(rtol, 0)}).")


def check_function(function, reference, inputs, *, name="your function", rtol=1e-4,
                   atol=1e-12, describe=repr):
    """Call ``function`` and ``reference`` on each input; report the first disagreement
    (where, and how: never the reference's value; :func:`reveal` shows it)."""
    if not callable(function):
        return Result(False, f"{name} must be a function, got {function!r}.")
    inputs = list(inputs)
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
            return _compare(got_value, float(want), f"for input {describe(x)}", name, rtol)
    return Result(True, f"{name} agrees with the reference on {len(inputs)} inputs.")


def check_schedule(schedule, reference, steps, *, name="your schedule", rtol=1e-4, atol=1e-12):
    """Compare a learner's schedule (any callable of the step) with a reference at ``steps``:
    where it first goes wrong, and how (never the reference's value; :func:`reveal` shows it).

    Example:
        >>> from lrlib.course.check import check_schedule
        >>> from lrlib.schedules import StepDecay
        >>> reference = StepDecay(0.1, drop_factor=0.5, drop_every=100)
        >>> wrong = lambda t: 0.1 * 0.5 ** (t // 50)
        >>> print(check_schedule(wrong, reference, steps=[0, 99, 100, 250]))
        Not yet. at step 99 your schedule gives 0.05, which is not the reference's value (within 0.01%).
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
            return _compare(got_value, want, f"at step {step}", name, rtol)
    return Result(True, f"{name} matches the reference at all {len(steps)} steps checked.")


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)
