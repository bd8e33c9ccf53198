"""Checkers for the exercises of the chapter "Convergence: the speed limit"."""

import math

import numpy as np

from lrlib.course.check import Result, check_choice, check_number

__all__ = ["regime", "ravine", "best_rate_formula", "contraction"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

_REGIMES = ("slow", "fastest", "oscillating", "diverging")


def regime(answer):
    """Exercise convergence-ex-regime: the regime of eta = 0.15 on a bowl with lambda = 10."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    result = check_choice(answer, "oscillating", name="the regime", options=_REGIMES)
    if result or not isinstance(answer, str):
        return result
    hints = {
        "slow": "ηλ = 1.5 is above 1, so the factor 1 − ηλ = −0.5 is negative: each step "
                "overshoots the minimum.",
        "fastest": "the fastest rate is exactly 1/λ = 0.1; 0.15 is past it.",
        "diverging": "the limit is 2/λ = 0.2 and 0.15 is below it: |1 − ηλ| = 0.5 < 1, so "
                     "the run converges.",
    }
    hint = hints.get(answer.strip().lower())
    return Result(False, result.message + (" " + hint if hint else ""))


def ravine(limit, best, factor):
    """Exercise convergence-ex-ravine: curvatures 2 and 50; the limit, best rate and factor."""
    if limit is Ellipsis or best is Ellipsis or factor is Ellipsis:
        return _PLACEHOLDER
    checks = [
        check_number(limit, 2 / 50, name="the largest stable rate", rtol=0.01),
        check_number(best, 2 / 52, name="the best fixed rate", rtol=0.01),
        check_number(factor, 48 / 52, name="the factor per step", rtol=0.005),
    ]
    failed = [c for c in checks if not c]
    if not failed:
        return Result(True, "all three right: limit 2/50 = 0.04, best rate 2/52 ≈ 0.0385, "
                            "factor 48/52 ≈ 0.923 per step.")
    hints = []
    if _is_close(limit, 1 / 50):
        hints.append("1/λ_max = 0.02 is the rate that clears the steep direction in one step; "
                     "the limit is twice that.")
    if _is_close(limit, 2 / 2):
        hints.append("the *largest* curvature sets the limit, not the smallest.")
    if _is_close(best, 1 / 50) or _is_close(best, 2 / 50):
        hints.append("the best fixed rate balances both directions: "
                     "|1 − ηλ_min| = |1 − ηλ_max|.")
    if _is_close(factor, (48 / 52) ** 2):
        hints.append("that is the factor of the loss; the distance to the minimum shrinks by "
                     "its square root.")
    if _is_close(factor, 1.0) or _is_close(factor, 1 - 2 / 50):
        hints.append("evaluate the factor at the best rate: max_i |1 − ηλ_i| with η = 2/52.")
    message = " ".join(c.message for c in failed)
    return Result(False, message + (" " + " ".join(hints) if hints else ""))


def best_rate_formula(best_rate):
    """Exercise convergence-ex-derive: ``best_rate(lam_min, lam_max)`` = 2/(lam_min + lam_max)."""
    if best_rate is Ellipsis:
        return _PLACEHOLDER
    if not callable(best_rate):
        return Result(False, f"`best_rate` must be a function of (lam_min, lam_max), "
                             f"got {best_rate!r}.")
    cases = [(1.0, 10.0), (2.0, 50.0), (0.5, 0.5), (3.0, 7.0), (0.01, 100.0)]
    wrong = {
        "1/λ_max": lambda a, b: 1 / b,
        "2/λ_max": lambda a, b: 2 / b,
        "1/(λ_min + λ_max)": lambda a, b: 1 / (a + b),
        "2/λ_min": lambda a, b: 2 / a,
        "1/sqrt(λ_min λ_max)": lambda a, b: 1 / math.sqrt(a * b),
    }
    for lam_min, lam_max in cases:
        expected = 2 / (lam_min + lam_max)
        got = _call(best_rate, lam_min, lam_max)
        if isinstance(got, str):
            return Result(False, f"best_rate({lam_min:g}, {lam_max:g}) raised {got}.")
        if got is None:
            return Result(False, f"best_rate({lam_min:g}, {lam_max:g}) did not return a "
                                 "finite number.")
        if not math.isclose(got, expected, rel_tol=1e-6):
            message = (f"best_rate({lam_min:g}, {lam_max:g}) gives {got:.6g}, expected "
                       f"{expected:.6g}.")
            for name, formula in wrong.items():
                if all(_is_close(_call(best_rate, a, b), formula(a, b)) for a, b in cases):
                    message += (f" Your formula is {name}; at the best rate the two directions"
                                " shrink equally fast: 1 − ηλ_min = −(1 − ηλ_max).")
                    break
            return Result(False, message)
    return Result(True, f"best_rate agrees with 2/(λ_min + λ_max) on {len(cases)} cases.")


def contraction(my_contraction):
    """Exercise convergence-ex-contraction: ``contraction(learning_rate, curvatures)``."""
    if my_contraction is Ellipsis:
        return _PLACEHOLDER
    if not callable(my_contraction):
        return Result(False, "`contraction` must be a function of (learning_rate, curvatures), "
                             f"got {my_contraction!r}.")

    def reference(eta, curvatures):
        return float(np.max(np.abs(1.0 - eta * np.asarray(curvatures, dtype=float))))

    cases = [
        (0.05, [1.0, 10.0]),    # slow: the flat direction is the worst
        (0.18, [1.0, 10.0]),    # near the best rate
        (0.19, [1.0, 10.0]),    # the steep direction overshoots: needs the absolute value
        (0.3, [1.0, 10.0]),     # beyond the limit: factor above 1
        (0.1, [4.0]),           # one dimension
        (0.01, [2.0, 5.0, 50.0]),
        (0.03, np.array([2.0, 5.0, 50.0])),
    ]
    mistakes = [
        (lambda eta, lam: float(np.max(1.0 - eta * lam)),
         " Take the absolute value: a factor of −1.5 grows the error as surely as +1.5 does."),
        (lambda eta, lam: abs(1.0 - eta * lam.max()),
         " At small rates the *flat* direction is the slow one: take the worst over every "
         "curvature."),
        (lambda eta, lam: float(np.min(np.abs(1.0 - eta * lam))),
         " The run is as slow as its slowest direction: take the maximum."),
    ]
    for eta, curvatures in cases:
        expected = reference(eta, curvatures)
        got = _call(my_contraction, eta, curvatures)
        listed = ", ".join(f"{c:g}" for c in np.asarray(curvatures, dtype=float))
        shown = f"contraction({eta:g}, [{listed}])"
        if isinstance(got, str):
            return Result(False, f"{shown} raised {got}.")
        if got is None:
            return Result(False, f"{shown} did not return a finite number.")
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-12):
            message = f"{shown} gives {got:.6g}, expected {expected:.6g}."
            for mistake, hint in mistakes:
                if all(_is_close(_call(my_contraction, e, c),
                                 mistake(e, np.asarray(c, dtype=float))) for e, c in cases):
                    message += hint
                    break
            return Result(False, message)
    return Result(True, f"your contraction agrees with max |1 − ηλ_i| on {len(cases)} cases.")


def _call(function, *args):
    """``function(*args)`` as a finite float, ``None`` if not one, or the error's text."""
    try:
        value = function(*args)
    except Exception as error:  # the learner's code: report, do not crash
        return f"{type(error).__name__}: {error}"
    if isinstance(value, bool):
        return None
    try:
        value = float(np.asarray(value))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _is_close(value, target):
    if value is None or isinstance(value, (str, bool)):
        return False
    try:
        return math.isclose(float(value), target, rel_tol=1e-3)
    except (TypeError, ValueError):
        return False
