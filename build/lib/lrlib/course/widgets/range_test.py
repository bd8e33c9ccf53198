"""The learning-rate range test, drawn: what the test sees, and how its settings change it.

:func:`range_test_experiment` runs :func:`lrlib.range_test.lr_range_test` on the course's
network (cached, so the static figure and the slider share tests) and draws the smoothed loss
against the rate with the three rules' suggestions. Its parameters are the test's own:
the ramp's length in steps, its top rate and the smoothing; the lesson is that the suggestion
depends on them.

:func:`runs_at` trains the common setup at a rate, once per seed (cached), to check a
suggestion; :func:`plot_plateau_run` draws a run with plateau reduction.
"""

import functools

import numpy as np

from lrlib import validation
from lrlib.course.runs import COMMON, Setup, run
from lrlib.course.plots import COLORS, PALETTE
from lrlib.course.training import range_test as course_range_test
from lrlib.course.widgets.core import dropdown, experiment, int_slider, slider

__all__ = [
    "range_test",
    "range_test_experiment",
    "range_test_experiment_controls",
    "runs_at",
    "plot_plateau_run",
]


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

