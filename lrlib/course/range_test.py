"""The companion of the chapter "Finding a learning rate" (``chapters/range_test.ipynb``):
the chapter's experiment, its runs and the checkers of its exercises.

Not to be confused with :mod:`lrlib.range_test`, **the product**: Smith's range test for any
compiled Keras model (:func:`lrlib.range_test.lr_range_test`) and its smoothing
(:func:`lrlib.range_test.smooth_losses`). This module is the course's code around it; a
notebook imports it under another name (``from lrlib.course import range_test as chapter``).

- **The experiment.** :func:`range_test_experiment` runs the product on the course's network
  (:func:`range_test`, cached, so the static figure and the slider share tests) and draws the
  smoothed loss against the rate with the three rules' suggestions. Its controls
  (:func:`range_test_experiment_controls`) are the test's own settings: the ramp's length in
  steps, its top rate, the smoothing and the optimizer; the lesson is that the suggestion
  depends on them.
- **Checking a suggestion.** :func:`runs_at` trains the common setup at a rate, once per seed
  (cached); :func:`plot_plateau_run` draws a run with plateau reduction.
- **Checkers** of the exercises: :func:`check_ramp_rate`, :func:`check_smoothed_loss`,
  :func:`check_plateau_factor`.
"""

import functools
import math

import numpy as np

from lrlib import validation
from lrlib.course.check import Result, check_number
from lrlib.course.runs import COMMON, Setup, run
from lrlib.course.plots import COLORS, PALETTE
from lrlib.course.training import range_test as course_range_test
from lrlib.course.widgets.core import dropdown, experiment, int_slider, slider
from lrlib.range_test import smooth_losses

__all__ = [
    "range_test",
    "range_test_experiment",
    "range_test_experiment_controls",
    "runs_at",
    "plot_plateau_run",
    "check_ramp_rate",
    "check_smoothed_loss",
    "check_plateau_factor",
]

# -- the experiment ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _range_test(steps, max_learning_rate, smoothing, optimizer, seed, min_learning_rate):
    return course_range_test(steps=steps, min_learning_rate=min_learning_rate,
                             max_learning_rate=max_learning_rate, smoothing=smoothing,
                             optimizer=optimizer, seed=seed)


def range_test(steps=100, max_learning_rate=10.0, smoothing=0.9, optimizer="sgd", seed=0,
               min_learning_rate=1e-4):
    """:func:`lrlib.range_test.lr_range_test` on the course's network, cached by its settings."""
    steps = validation.integer("steps", steps, low=3)
    return _range_test(steps, float(max_learning_rate), float(smoothing), optimizer,
                       validation.integer("seed", seed, low=0), float(min_learning_rate))


@experiment(figsize=(6.4, 3.6))
def range_test_experiment(fig, steps=100, max_learning_rate=10.0, smoothing=0.9,
                          optimizer="sgd"):
    """One range test on the digits network: smoothed loss against rate, rules marked."""
    test = range_test(steps, max_learning_rate, smoothing, optimizer)
    ax = fig.subplots()
    if test.stopped_at is None:
        stop = "the loss never blew up"
    else:
        stop = f"blew up at {test.divergence_rate:.2g}"
    test.plot(ax, title=f"{optimizer.upper()}, ramp of {steps} steps: {stop}")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def range_test_experiment_controls():
    """The controls for :func:`range_test_experiment`."""
    return {
        "steps": int_slider(100, 20, 400, step=10, description="ramp length (steps)"),
        "max_learning_rate": dropdown([1.0, 10.0, 100.0], value=10.0,
                                      description="top of the ramp"),
        "smoothing": slider(0.9, 0.0, 0.98, step=0.02, description="smoothing β"),
        "optimizer": dropdown(["sgd", "adam"], value="sgd", description="optimizer"),
    }


# -- checking a suggestion ---------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _runs_at(rate, setup):
    return tuple(run(rate, seed, setup) for seed in setup.seeds)


def runs_at(learning_rate, setup=COMMON):
    """The common setup trained at a constant ``learning_rate``, once per seed (cached)."""
    learning_rate = validation.positive("learning_rate", learning_rate)
    if not isinstance(setup, Setup):
        raise ValueError(f"`setup` must be an lrlib.course.runs.Setup, got {setup!r}")
    return list(_runs_at(learning_rate, setup))


def plot_plateau_run(axes, runs, reductions=()):
    """Left: the rate each run used, per step; right: its validation loss, per epoch.

    ``runs`` maps a label to a :class:`lrlib.course.training.TrainingRun`; ``reductions`` are the
    ``(epoch, scale)`` pairs of a :class:`lrlib.callbacks.ReduceScaleOnPlateau`, marked on
    the right.
    """
    ax_rate, ax_loss = axes
    for color, (label, result) in zip(COLORS, runs.items()):
        ax_rate.plot(result.steps, result.learning_rates, color=color, label=label)
        ax_loss.plot(np.arange(1, len(result.history["val_loss"]) + 1),
                     result.history["val_loss"], "o-", markersize=3, color=color, label=label)
    for index, (epoch, scale) in enumerate(reductions):
        ax_loss.axvline(epoch + 1, color=PALETTE["vermillion"], linestyle=":", linewidth=1,
                        label="plateau: rate × 1/2" if index == 0 else None)
    ax_rate.set_yscale("log")
    ax_rate.set_xlabel("step $t$")
    ax_rate.set_ylabel("learning rate $\\eta_t$ (log scale)")
    ax_rate.set_title("The rate the optimizer used")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("validation loss")
    ax_loss.set_title("Validation loss at the end of each epoch")
    ax_rate.legend()
    ax_loss.legend()
    return axes


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def check_ramp_rate(answer):
    """Exercise range-ex-ramp: the rate at step 50 of a ramp from 1e-4 to 10 in 100 steps.

    Example:
        >>> from lrlib.course.range_test import check_ramp_rate
        >>> print(check_ramp_rate(1e-4 * (10 / 1e-4) ** 0.5))
        Correct. the rate at step 50: 0.03162 matches 0.03162.
    """
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 1e-4 * (10.0 / 1e-4) ** (50 / 100)
    result = check_number(answer, expected, name="the rate at step 50", rtol=0.01, low=1e-4,
                          high=10, allowed="the ramp runs from 1e-4 to 10")
    if not result and isinstance(answer, (int, float)) and math.isclose(
            answer, (1e-4 + 10.0) / 2, rel_tol=0.01):
        return Result(False, "that is halfway on a linear scale; the ramp is exponential, "
                             "so halfway in steps is the geometric mean of the two ends.")
    return result


def check_smoothed_loss(my_smooth):
    """Exercise range-ex-smooth: the bias-corrected moving average of the range test.

    The reference is the product's own smoothing, :func:`lrlib.range_test.smooth_losses`.
    """
    if my_smooth is Ellipsis:
        return _PLACEHOLDER
    if not callable(my_smooth):
        return Result(False, f"my_smooth must be a function of (losses, beta), got {my_smooth!r}.")
    from lrlib.course.check import record_answer

    record_answer("the reference", "`lrlib.range_test.smooth_losses(losses, beta)`")
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
        want = smooth_losses(losses, beta)
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
            # The usual mistake, recognised on purpose: the average without the bias
            # correction (the product's smoothing times 1 - beta**k), which starts near 0.
            uncorrected = want * (1 - beta ** np.arange(1, want.size + 1))
            if np.allclose(got, uncorrected, rtol=1e-6):
                hint = (" Your average starts at 0 and is not bias-corrected: divide step "
                        "k's average by 1 - beta**k.")
            return Result(False, f"with beta={beta}, at step {k} (counting from 0) your "
                                 f"smoothed loss is {got[k]:.6g}, which is not the range test's "
                                 f"(within 1e-6).{hint}")
    return Result(True, "my_smooth matches the range test's smoothing on all test curves "
                        "(a constant loss stays constant: that is what the bias correction "
                        "is for).")


def check_plateau_factor(answer):
    """Exercise range-ex-plateau: the factor after the given val_loss history.

    ``ReduceScaleOnPlateau(factor=0.5, patience=2)`` sees the validation losses
    0.50, 0.40, 0.41, 0.40, 0.35, 0.36, 0.37, 0.38 (epochs 0 to 7).
    """
    if answer is Ellipsis:
        return _PLACEHOLDER
    # Best 0.40 at epoch 1; epochs 2, 3 do not improve -> 0.5 after epoch 3; 0.35 improves
    # at epoch 4; epochs 5, 6 do not -> 0.25 after epoch 6; epoch 7 waits (1 of 2).
    result = check_number(answer, 0.25, name="the factor s after epoch 7", rtol=1e-6, low=0,
                          high=1, allowed="the factor only ever shrinks from 1")
    if not result and isinstance(answer, (int, float)):
        if math.isclose(answer, 0.125):
            return Result(False, "after the reduction at epoch 6 the count starts again: "
                                 "epoch 7 is only the first epoch without improvement.")
        if math.isclose(answer, 0.5):
            return Result(False, "0.35 at epoch 4 is a new best, so the count restarts and "
                                 "epochs 5 and 6 make a second reduction.")
    return result
