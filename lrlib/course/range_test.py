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
- **Plateaus.** :func:`plot_plateau_run` draws a run with plateau reduction.
- **The protocol's runs** (stored): :func:`protocol_test` is the range test on the
  training split of the course's protocol (:data:`lrlib.course.study.TASK_SETUPS`'s
  ``"digits"``: 1,010 of the images, never the validation or test images);
  :func:`protocol_rates` the rates it suggests (each rule's, and 10 times the steepest and
  the valley suggestions), to two significant digits; :func:`main` (``python -m
  lrlib.course.range_test``) trains the protocol's setup at each with 10 seeds and stores
  the runs in ``lrlib/course/results/range_test_digits.jsonl`` (:func:`protocol_results`).
- **Checkers** of the exercises: :func:`check_ramp_rate`, :func:`check_smoothed_loss`,
  :func:`check_plateau_factor`.
"""

import functools
import math
import sys

import numpy as np

from lrlib import validation
from lrlib.course.check import Result, check_number
from lrlib.course.plots import COLORS, PALETTE
from lrlib.course.training import range_test as course_range_test
from lrlib.course.widgets.core import dropdown, experiment, int_slider, slider
from lrlib.range_test import smooth_losses

__all__ = [
    "PROTOCOL_RULES",
    "protocol_test",
    "protocol_rates",
    "protocol_results",
    "plot_suggestions",
    "main",
    "range_test",
    "range_test_experiment",
    "range_test_experiment_controls",
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


# -- the protocol's runs (stored) ---------------------------------------------------------------

#: The rules whose suggestions the stored runs check, and the two rates 10 times above.
PROTOCOL_RULES = ("steepest", "minimum/10", "valley", "10 x steepest", "10 x valley")

#: The stored table's name (``lrlib/course/results/range_test_digits.jsonl``).
TABLE = "range_test_digits"


@functools.lru_cache(maxsize=1)
def protocol_test():
    """The range test (SGD, $10^{-4}$ to 10 in 100 steps, seed 0) on the protocol's
    training split of the digits: 1,010 images, none of the validation or test images."""
    from lrlib.course.study import TASK_SETUPS

    return course_range_test(data=TASK_SETUPS["digits"].data())


def protocol_rates(test=None):
    """The rates of :data:`PROTOCOL_RULES` from ``test`` (:func:`protocol_test` by
    default), each to two significant digits, as the stored runs ran them."""
    test = protocol_test() if test is None else test
    rates = {}
    for rule in PROTOCOL_RULES:
        factor, name = (10.0, rule.split(" x ", 1)[1]) if " x " in rule else (1.0, rule)
        rates[rule] = float(f"{factor * test.suggestion(name):.2g}")
    return rates


def protocol_results():
    """The stored runs: the protocol's setup (``TASK_SETUPS["digits"]``, 320 steps) at a
    constant rate, each of :func:`protocol_rates`, seeds 0-9; a
    :class:`lrlib.course.runs.SweepResults` of family ``"constant"``."""
    from lrlib.course.study import stored

    return stored(TABLE)


def plot_suggestions(ax, grid, runs, rates, metric="val_accuracy"):
    """Mean ``metric`` over the seeds against a constant rate (log scale): the stored
    constant grid ``grid`` (a line; a cross on the axis where some seed diverged) and the
    runs at the suggested ``rates`` (``{rule: rate}``, dots labelled by rule, from
    ``runs``)."""
    from lrlib.course.plots import accuracy_label, log_rate_axis

    cells = grid.cells("constant")
    stable = [c for c in cells if c.stable]
    ax.plot([c.peak for c in stable], [100 * c.mean(metric) for c in stable], "o-",
            color=PALETTE["black"], markersize=4, label="constant-rate grid, 10 seeds")
    low = min(100 * c.mean(metric) for c in stable)
    for c in cells:
        if not c.stable:
            ax.plot([c.peak], [low], "x", color=PALETTE["vermillion"], markersize=9,
                    label="some seeds diverge")
    for index, (rule, rate) in enumerate(rates.items()):
        cell = runs.cell("constant", rate)
        color = COLORS[(index + 1) % len(COLORS)]
        if cell.stable:
            ax.plot([rate], [100 * cell.mean(metric)], "D", color=color, markersize=7,
                    label=f"{rule}: {rate:g}")
        else:
            ax.plot([rate], [low], "X", color=color, markersize=9,
                    label=f"{rule}: {rate:g} (diverges)")
    log_rate_axis(ax, label="constant learning rate (log scale)")
    ax.set(ylabel=accuracy_label(metric),
           title="The range test's suggestions, trained with 10 seeds")
    ax.legend(fontsize=7, loc="lower center")
    return ax


def main(argv=None):
    """``python -m lrlib.course.range_test``: run the protocol's range test, train at its
    rates (one worker, resumable), write ``lrlib/course/results/range_test_digits.jsonl``
    and print the time it took (:func:`lrlib.course.study.table_command`)."""
    from lrlib.course.study import TASK_SETUPS, table_command

    def grid():
        rates = protocol_rates()
        print("rates:", rates)
        return ["constant"], sorted(set(rates.values())), TASK_SETUPS["digits"], {}

    return table_command("python -m lrlib.course.range_test", TABLE, grid, argv)


# -- plateaus ----------------------------------------------------------------------------------

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


if __name__ == "__main__":
    sys.exit(main())
