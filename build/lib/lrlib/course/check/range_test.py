"""Checkers for the exercises of the chapter "Finding a learning rate"."""

import math

import numpy as np

from lrlib.course.check import Result, check_number

__all__ = ["ramp_rate", "smoothed_loss", "plateau_factor"]

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def ramp_rate(answer):
    """Exercise range-ex-ramp: the rate at step 50 of a ramp from 1e-4 to 10 in 100 steps."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 1e-4 * (10.0 / 1e-4) ** (50 / 100)
    result = check_number(answer, expected, name="the rate at step 50", rtol=0.01)
    if not result and isinstance(answer, (int, float)) and math.isclose(
            answer, (1e-4 + 10.0) / 2, rel_tol=0.01):
        return Result(False, "that is halfway on a linear scale; the ramp is exponential, "
                             "so halfway in steps is the geometric mean of the two ends.")
    return result


def _reference_smoothing(losses, beta):
    average, out = 0.0, []
    for k, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta**k))
    return np.array(out)


def smoothed_loss(my_smooth):
    """Exercise range-ex-smooth: the bias-corrected moving average of the range test."""
    if my_smooth is Ellipsis:
        return _PLACEHOLDER
    if not callable(my_smooth):
        return Result(False, f"my_smooth must be a function of (losses, beta), got {my_smooth!r}.")
    rng = np.random.default_rng(0)
    cases = [
        (np.full(5, 2.0), 0.9),
        (np.array([2.3, 2.1, 1.8, 1.2, 0.9, 0.8, 1.5, 4.0]), 0.9),
        (2.0 + rng.normal(0, 0.3, size=40), 0.98),
    ]
    for losses, beta in cases:
        try:
            got = my_smooth(list(losses), beta)
            got = np.asarray(np.nan if got is None else got, dtype=float)
        except Exception as error:  # the learner's code: report, do not crash
            return Result(False, f"my_smooth raised {type(error).__name__}: {error}.")
        want = _reference_smoothing(losses, beta)
        if got.ndim == 0 and not np.isfinite(got):
            return Result(False, "my_smooth returned nothing: finish the function (replace the "
                                 "`...`) and return the list of smoothed losses.")
        if got.shape != want.shape:
            return Result(False, f"for {len(losses)} losses my_smooth returned "
                                 f"{got.size} values; return one smoothed value per loss.")
        wrong = np.flatnonzero(~np.isclose(got, want, rtol=1e-6, atol=1e-9))
        if wrong.size:
            k = int(wrong[0])
            hint = ""
            raw = np.asarray(_raw_average(losses, beta))
            if np.allclose(got, raw, rtol=1e-6):
                hint = (" Your average starts at 0 and is not bias-corrected: divide step "
                        "k's average by 1 - beta**k.")
            return Result(False, f"with beta={beta}, at step {k} (counting from 0) your "
                                 f"smoothed loss is {got[k]:.6g}, expected {want[k]:.6g}.{hint}")
    return Result(True, "my_smooth matches the range test's smoothing on all test curves "
                        "(a constant loss stays constant: that is what the bias correction "
                        "is for).")


def _raw_average(losses, beta):
    average, out = 0.0, []
    for loss in losses:
        average = beta * average + (1 - beta) * loss
        out.append(average)
    return out


def plateau_factor(answer):
    """Exercise range-ex-plateau: the factor after the given val_loss history.

    ``ReduceScaleOnPlateau(factor=0.5, patience=2)`` sees the validation losses
    0.50, 0.40, 0.41, 0.40, 0.35, 0.36, 0.37, 0.38 (epochs 0 to 7).
    """
    if answer is Ellipsis:
        return _PLACEHOLDER
    # Best 0.40 at epoch 1; epochs 2, 3 do not improve -> 0.5 after epoch 3; 0.35 improves
    # at epoch 4; epochs 5, 6 do not -> 0.25 after epoch 6; epoch 7 waits (1 of 2).
    result = check_number(answer, 0.25, name="the factor s after epoch 7", rtol=1e-6)
    if not result and isinstance(answer, (int, float)):
        if math.isclose(answer, 0.125):
            return Result(False, "after the reduction at epoch 6 the count starts again: "
                                 "epoch 7 is only the first epoch without improvement.")
        if math.isclose(answer, 0.5):
            return Result(False, "0.35 at epoch 4 is a new best, so the count restarts and "
                                 "epochs 5 and 6 make a second reduction.")
    return result
