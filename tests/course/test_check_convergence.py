"""lrlib.course.check.convergence: accept the reference answers, reject the typical mistakes."""

import numpy as np
import pytest

from lrlib.course.check import convergence as check


def test_placeholders_ask_for_an_answer():
    assert not check.regime(...) and "replace the `...`" in check.regime(...).message
    assert not check.ravine(..., 0.03, 0.9)
    assert not check.best_rate_formula(...)
    assert not check.contraction(...)


def test_regime():
    assert check.regime("oscillating") and check.regime(" Oscillating ")
    for wrong, hint in [("slow", "negative"), ("diverging", "2/λ = 0.2"), ("fastest", "1/λ")]:
        result = check.regime(wrong)
        assert not result and hint in result.message
    assert "not one of" in check.regime("chaotic").message


def test_ravine():
    assert check.ravine(0.04, 2 / 52, 48 / 52)
    assert check.ravine(0.04, 0.0385, 0.923)
    result = check.ravine(0.02, 2 / 52, 48 / 52)
    assert not result and "twice" in result.message
    result = check.ravine(0.04, 2 / 52, (48 / 52) ** 2)
    assert not result and "square root" in result.message
    result = check.ravine(1.0, 0.04, 1.0)
    assert not result and "largest" in result.message and "balances" in result.message


def test_best_rate_formula():
    assert check.best_rate_formula(lambda a, b: 2 / (a + b))
    result = check.best_rate_formula(lambda a, b: 2 / b)
    assert not result and "2/λ_max" in result.message
    result = check.best_rate_formula(lambda a, b: 1 / (a + b))
    assert not result and "1/(λ_min + λ_max)" in result.message
    assert "raised ZeroDivisionError" in check.best_rate_formula(lambda a, b: 1 / 0).message
    assert "finite" in check.best_rate_formula(lambda a, b: None).message
    assert not check.best_rate_formula(0.18)


def reference(eta, curvatures):
    return np.max(np.abs(1 - eta * np.asarray(curvatures)))


def test_contraction_accepts_the_reference_in_several_styles():
    assert check.contraction(reference)
    assert check.contraction(lambda eta, c: max(abs(1 - eta * lam) for lam in c))


@pytest.mark.parametrize("mistake,hint", [
    (lambda eta, c: np.max(1 - eta * np.asarray(c)), "absolute value"),
    (lambda eta, c: abs(1 - eta * max(c)), "flat"),
    (lambda eta, c: np.min(np.abs(1 - eta * np.asarray(c))), "maximum"),
    (lambda eta, c: 1 - eta * min(c), "expected"),
])
def test_contraction_rejects_typical_mistakes(mistake, hint):
    result = check.contraction(mistake)
    assert not result and hint in result.message


def test_contraction_reports_errors_without_crashing():
    result = check.contraction(lambda eta, c: eta * c)  # a list times a float
    assert not result and "raised TypeError" in result.message
    assert not check.contraction("max |1 - eta lambda|")
