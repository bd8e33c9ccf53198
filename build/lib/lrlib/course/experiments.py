"""The common setup of Parts II and III, so that chapters can be compared.

Every schedule chapter trains the same small network (:func:`lrlib.course.training.build_model`, one
hidden layer of 64 units) on the same data (scikit-learn's digits), with plain SGD, the same
budget (:data:`COMMON`: 10 epochs of batches of 32, that is 430 steps) and the same seeds, and
compares against the same baseline: the best constant learning rate of the convergence
chapter's sweep, :data:`BASELINE_LEARNING_RATE`.

:func:`trial` is the unit of every comparison: a plain function of (schedule family, learning
rate, seed) that returns numbers. It maps one-to-one onto a hyperparameter-search tool's
objective (an Optuna ``objective(trial)`` or a KerasTuner ``HyperModel``) when a model outgrows
one machine.

Example:
    >>> from lrlib.course.experiments import COMMON
    >>> COMMON.total_steps
    430
"""

import dataclasses
import math

import numpy as np

from lrlib import validation
from lrlib.course.data import load_digits, steps_per_epoch
from lrlib.schedules import for_budget

__all__ = [
    "Setup",
    "COMMON",
    "BASELINE_LEARNING_RATE",
    "BASELINE_GRID",
    "TARGET_ACCURACY",
    "Summary",
    "run",
    "run_seeds",
    "summarize",
    "trial",
    "plot_runs",
]


@dataclasses.dataclass(frozen=True)
class Setup:
    """A training budget: epochs, batch size, seeds, network and optimizer."""

    epochs: int = 10
    batch_size: int = 32
    seeds: tuple = (0, 1, 2)
    hidden: tuple = (64,)
    optimizer: str = "sgd"

    @property
    def steps_per_epoch(self):
        data = load_digits()
        return steps_per_epoch(len(data.x_train), self.batch_size)

    @property
    def total_steps(self):
        """The budget in optimizer steps: what a schedule's length should be."""
        return self.epochs * self.steps_per_epoch


#: The course's common setup (digits, 10 epochs of batch 32 = 430 steps, seeds 0, 1, 2).
COMMON = Setup()

#: The constant SGD rates of the convergence chapter's sweep on the common setup.
BASELINE_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)

#: The best of them by mean test accuracy over the common seeds (the convergence chapter
#: asserts that its sweep finds this value): the baseline every schedule is compared with.
BASELINE_LEARNING_RATE = 0.3

#: "Steps to reach" in the comparisons means steps to this test accuracy.
TARGET_ACCURACY = 0.95


def run(schedule, seed, setup=COMMON):
    """Train the common model with ``schedule`` (a number or any schedule) and one ``seed``."""
    from lrlib.course.training import train

    return train(schedule, optimizer=setup.optimizer, epochs=setup.epochs,
                 batch_size=setup.batch_size, seed=seed, hidden=setup.hidden)


def run_seeds(schedule, setup=COMMON):
    """:func:`run` once per seed of ``setup``; returns the list of runs."""
    return [run(schedule, seed, setup) for seed in setup.seeds]


@dataclasses.dataclass(frozen=True)
class Summary:
    """Mean and spread over seeds of what a comparison reports."""

    accuracy_mean: float
    accuracy_std: float
    loss_mean: float
    loss_std: float
    steps_to_target: float  # mean over the runs that reached it; inf if none did
    diverged: int  # how many runs diverged

    def describe(self):
        steps = "never" if math.isinf(self.steps_to_target) else f"{self.steps_to_target:.0f}"
        return (f"test accuracy {self.accuracy_mean:.3f} ± {self.accuracy_std:.3f}, "
                f"test loss {self.loss_mean:.3f} ± {self.loss_std:.3f}, "
                f"steps to {TARGET_ACCURACY:.0%}: {steps}")


def summarize(runs, target=TARGET_ACCURACY):
    """A :class:`Summary` of a list of :class:`lrlib.course.training.TrainingRun`."""
    runs = list(runs)
    if not runs:
        raise ValueError("`runs` must not be empty")
    target = validation.real("target", target, low=0.0, high=1.0)
    accuracy = np.array([r.final_accuracy for r in runs])
    loss = np.array([r.final_loss for r in runs])
    finite = loss[np.isfinite(loss)]
    reached = [r.steps_to_accuracy(target) for r in runs]
    reached = [s for s in reached if s is not None]
    return Summary(
        accuracy_mean=float(accuracy.mean()),
        accuracy_std=float(accuracy.std()),
        loss_mean=float(finite.mean()) if finite.size else math.inf,
        loss_std=float(finite.std()) if finite.size else 0.0,
        steps_to_target=float(np.mean(reached)) if reached else math.inf,
        diverged=sum(r.diverged for r in runs),
    )


def trial(family, learning_rate, seed, setup=COMMON):
    """One cell of a sweep: train the common model with ``family`` at ``learning_rate``.

    A plain function of (schedule family, peak learning rate, seed), returning plain numbers,
    so that a sweep is a loop (or a hyperparameter-search tool's objective). ``family`` is one
    of :data:`lrlib.schedules.FAMILIES`, sized to the budget by
    :func:`lrlib.schedules.for_budget`.

    Returns a dict with ``accuracy``, ``loss`` (test), ``steps_to_target`` (``None`` if not
    reached), ``diverged``, ``diverged_at`` (the step, or ``None``) and ``train_loss`` (the
    mean training loss over the last epoch, ``None`` for a diverged run).
    """
    schedule = for_budget(family, learning_rate, setup.total_steps)
    result = run(schedule, seed, setup)
    return {
        "accuracy": result.final_accuracy,
        "loss": result.final_loss,
        "steps_to_target": result.steps_to_accuracy(TARGET_ACCURACY),
        "diverged": result.diverged,
        "diverged_at": result.diverged_at,
        "train_loss": None if result.diverged else float(result.history["loss"][-1]),
    }


def plot_runs(axes, groups, smooth=True):
    """Compare groups of runs: mean and min-max band of training loss, and test accuracy.

    ``axes`` is a pair of Matplotlib axes; ``groups`` maps a label to a list of runs (one per
    seed). Left: batch training loss (smoothed over an epoch) against step, log scale.
    Right: test accuracy at the end of each epoch, against step.
    """
    from lrlib.course.plots import COLORS, use_style

    use_style()
    ax_loss, ax_acc = axes
    for index, (label, runs) in enumerate(groups.items()):
        color = COLORS[index % len(COLORS)]
        finished = [r for r in runs if not r.diverged]
        if not finished:
            ax_loss.plot([], [], color=color, label=f"{label} (diverged)")
            continue
        curves = np.array([r.smoothed_losses() if smooth else r.losses for r in finished])
        steps = np.arange(curves.shape[1])
        ax_loss.plot(steps, curves.mean(axis=0), color=color, label=label)
        ax_loss.fill_between(steps, curves.min(axis=0), curves.max(axis=0), color=color,
                             alpha=0.2, linewidth=0)
        accuracy = np.array([r.history["val_accuracy"] for r in finished])
        ends = finished[0].epoch_end_steps
        ax_acc.plot(ends, accuracy.mean(axis=0), "o-", color=color, markersize=3, label=label)
        ax_acc.fill_between(ends, accuracy.min(axis=0), accuracy.max(axis=0), color=color,
                            alpha=0.2, linewidth=0)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("training loss (log scale)")
    ax_loss.set_title("Training loss (mean, band: min to max over seeds)")
    ax_acc.set_xlabel("step $t$")
    ax_acc.set_ylabel("test accuracy")
    ax_acc.set_title("Test accuracy at the end of each epoch")
    ax_loss.legend()
    return axes
