"""Checkers for the exercises of the chapter "Local minima, sharp and flat"."""

import math

import numpy as np

from lrlib.course import basins
from lrlib.course.check import Result, check_number
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import DoubleWell, MultiMinima

__all__ = [
    "double_well_predictions",
    "global_limit",
    "escape_rate",
    "reference_escape_rate",
    "settled_rule",
    "reference_settled_at",
    "PREDICTION_RATES",
    "PREDICTION_START",
]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

#: The rates and the start of exercise local-minima-ex-predict.
PREDICTION_RATES = (0.04, 0.12, 0.9)
PREDICTION_START = -1.3
_PREDICTION_STEPS = 300

_WORDS = {
    "sharp": 1, "sharp minimum": 1, "the sharp minimum": 1, "shallow": 1,
    "wide": 0, "wide minimum": 0, "the wide minimum": 0, "deep": 0, "flat": 0,
    "bounces": basins.BOUNCING, "never settles": basins.BOUNCING, "bouncing": basins.BOUNCING,
    "neither": basins.BOUNCING, "none": basins.BOUNCING,
}
_SAY = {1: "settles in the sharp minimum", 0: "settles in the wide minimum",
        basins.BOUNCING: "bounces and never settles"}


def _outcome_at(rate):
    well = DoubleWell()
    run = gradient_descent(well, [PREDICTION_START], rate, _PREDICTION_STEPS)
    return basins.outcome(well, run)


def _why(rate, truth):
    well = DoubleWell()
    wide_limit, sharp_limit = 2.0 / well.sharpness(well.minima)
    if truth == 1:
        return (f"{rate} is below 2/λ ≈ {sharp_limit:.3f} of the sharp minimum, so it can "
                "settle there, and the run starts in that valley.")
    if truth == 0:
        return (f"{rate} is too large for the narrow valley and large enough to jump out of "
                f"it, yet below 2/λ ≈ {wide_limit:.2f} of the wide minimum.")
    if rate > wide_limit:
        return (f"{rate} is above 2/λ ≈ {wide_limit:.2f} even of the wide minimum: the run "
                "leaves the sharp valley but can settle nowhere.")
    return (f"{rate} is above 2/λ ≈ {sharp_limit:.3f}, so the sharp minimum is unstable, "
            "yet the steps are too short to clear the barrier (that takes about 0.16).")


def double_well_predictions(answers):
    """Exercise local-minima-ex-predict: where does the run from $x_0 = -1.3$ end at each rate?

    ``answers`` maps each rate of :data:`PREDICTION_RATES` to ``"sharp"``, ``"wide"`` or
    ``"never settles"``. The truth is computed by running gradient descent.
    """
    if answers is Ellipsis:
        return _PLACEHOLDER
    if not isinstance(answers, dict):
        return Result(False, "give a dict {rate: prediction}, e.g. {0.04: 'sharp', ...}.")
    keys = {float(k): v for k, v in answers.items() if isinstance(k, (int, float))}
    missing = [r for r in PREDICTION_RATES if r not in keys]
    if missing:
        return Result(False, f"predict for every rate: {missing} missing from your dict.")
    if any(keys[r] is Ellipsis for r in PREDICTION_RATES):
        return _PLACEHOLDER
    for rate in PREDICTION_RATES:
        said = keys[rate]
        word = said.strip().lower() if isinstance(said, str) else said
        if word not in _WORDS:
            return Result(False, f"at η = {rate}: {said!r} is not one of 'sharp', 'wide', "
                                 "'never settles'.")
        truth = _outcome_at(rate)
        if _WORDS[word] != truth:
            return Result(False, f"at η = {rate} you predicted {said!r}, but the run "
                                 f"{_SAY[truth]}: {_why(rate, truth)}")
    return Result(True, "all three predictions match the runs: a run settles only where "
                        "η < 2/λ, and leaves a valley only when one step can clear its "
                        "barrier.")


def global_limit(answer):
    """Exercise local-minima-ex-limit: the largest fixed rate that can settle in the global
    minimum of :class:`lrlib.course.landscapes.MultiMinima`, from its curvature there."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    surface = MultiMinima()
    curvatures = surface.sharpness(surface.minima)
    expected = 2.0 / float(curvatures[0])
    result = check_number(answer, expected, name="the largest rate", rtol=0.02)
    value = _number(answer)
    if not result and value is not None:
        if math.isclose(value, expected / 2, rel_tol=0.02):
            return Result(False, "1/λ is the rate that reaches the bottom fastest; the "
                                 "largest that still converges is twice that.")
        if any(math.isclose(value, 2.0 / c, rel_tol=0.02) for c in curvatures[1:]):
            return Result(False, "that is 2/λ of one of the sharp local minima; the question "
                                 "is about the global (wide) one.")
    return result


def reference_escape_rate(resolution=4001):
    """The smallest rate at which one step from somewhere in the sharp well of the default
    :class:`lrlib.course.landscapes.DoubleWell` lands beyond the barrier: $\\max_x (x - \\eta L'(x))$
    over the well equals the barrier's position."""
    well = DoubleWell()
    sharp, wide = well.sharp_minimum[0], well.wide_minimum[0]
    between = np.linspace(sharp, wide, resolution)
    barrier = between[np.argmax(well.loss(between[:, None]))]
    x = np.linspace(sharp - 4 * well.sharp[2], barrier, resolution)
    slope = well.grad(x[:, None])[:, 0]
    low, high = 1e-4, 1.0
    for _ in range(60):
        eta = (low + high) / 2
        if np.max(x - eta * slope) > barrier:
            high = eta
        else:
            low = eta
    return high


def escape_rate(answer):
    """Exercise local-minima-ex-escape: the rate above which one step can jump out of the
    sharp well (an estimate; within 8% of :func:`reference_escape_rate` passes)."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = reference_escape_rate()
    result = check_number(answer, expected, name="the escape rate", rtol=0.08)
    value = _number(answer)
    if not result and value is not None:
        well = DoubleWell()
        limit = 2.0 / float(well.sharpness(well.sharp_minimum))
        if math.isclose(value, limit, rel_tol=0.1):
            return Result(False, "2/λ ≈ 0.045 is where the sharp minimum stops being stable; "
                                 "above it the run bounces inside the well. Escaping needs a "
                                 "step long enough to clear the barrier: use the steepest "
                                 "slope of the well and the distance to the barrier.")
    return result


def reference_settled_at(points, minima, tolerance=0.05, last=20):
    """The rule of exercise local-minima-ex-settled (and of :mod:`lrlib.course.basins`)."""
    points = np.asarray(points, dtype=float)
    minima = np.asarray(minima, dtype=float)
    tail = points[-last:]
    distances = np.linalg.norm(tail[:, None, :] - minima[None, :, :], axis=-1)
    nearest = np.argmin(distances[-1])
    close = np.all(distances[:, nearest] <= tolerance)
    still = np.linalg.norm(points[-1] - points[-2]) <= tolerance / 10
    return int(nearest) if close and still else -1


def _cases():
    """Trajectories (points, minima, what they show) the learner's rule must classify."""
    surface = MultiMinima()
    minima = surface.minima
    well_minima = DoubleWell().minima
    t = np.arange(60)[:, None]
    cases = []
    start = np.array([0.0, 0.0])
    cases.append((minima[1] + (start - minima[1]) * 0.8**t, minima, "a run converging to "
                  "minimum 1"))
    cases.append((minima[0] + (start - minima[0]) * 0.7**t, minima, "a run converging to "
                  "minimum 0"))
    swing = np.where(t % 2 == 0, 0.02, -0.02) * np.array([1.0, 0.0])
    cases.append((minima[0] + swing, minima, "a run that keeps jumping between two points "
                  "0.02 either side of minimum 0 (close, but not settled: its last step is "
                  "0.04 long)"))
    passing = np.concatenate([minima[0] + (start - minima[0]) * 0.5**t[:30],
                              minima[0] + np.linspace(0, 2.0, 30)[:, None] * [1.0, 0.0]])
    cases.append((passing, minima, "a run that passes through minimum 0 and then leaves"))
    late = minima[2] + np.zeros((40, 2))
    late[-20] = minima[2] + [0.06, 0.0]
    cases.append((late, minima, "a run whose 20th point from the end is 0.06 away from "
                  "minimum 2 (not all of the last 20 are within 0.05)"))
    late_ok = minima[2] + np.zeros((40, 2))
    late_ok[-21] = minima[2] + [0.06, 0.0]
    cases.append((late_ok, minima, "a run whose last 20 points all sit at minimum 2 (only the "
                  "21st from the end is away)"))
    cases.append((np.full((30, 2), [3.0, -2.5]), minima, "a run stuck far from every minimum"))
    one_d = well_minima[1] + (np.array([-1.3]) - well_minima[1]) * 0.5**t
    cases.append((one_d, well_minima, "a 1-D run converging to the double well's sharp "
                  "minimum"))
    return cases


def settled_rule(settled_at):
    """Exercise local-minima-ex-settled: the learner's ``settled_at(points, minima)``."""
    if not callable(settled_at):
        return Result(False, f"settled_at must be a function, got {settled_at!r}.")
    for points, minima, what in _cases():
        expected = reference_settled_at(points, minima)
        try:
            got = settled_at(points.copy(), minima.copy())
        except Exception as error:  # the learner's code: report, do not crash
            return Result(False, f"settled_at raised {type(error).__name__}: {error} on "
                                 f"{what}.")
        if got is None or got is Ellipsis:
            return Result(False, "settled_at returned nothing: finish the function (return an "
                                 "index or -1).")
        try:
            value = int(got)
        except (TypeError, ValueError):
            return Result(False, f"settled_at returned {got!r} on {what}; expected an int.")
        if value != expected:
            hint = ""
            if "jumping" in what:
                hint = " Being close is not enough: also require the last step to be short."
            elif "20th" in what or "passes" in what:
                hint = " Check *every* one of the last 20 points, not only the final one."
            return Result(False, f"on {what}, settled_at gives {value}, expected "
                                 f"{expected}.{hint}")
    return Result(True, f"settled_at classifies all {len(_cases())} test runs correctly.")


def _number(answer):
    if isinstance(answer, bool):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
