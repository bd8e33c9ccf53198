"""Learning-rate sweeps on the common setup: train at several constant rates, compare.

:func:`rate_sweep` trains the course's small network (:data:`lrlib.course.experiments.COMMON`) at
each rate of a grid, once per seed, and returns a :class:`Sweep` that knows the best rate
(by mean test accuracy), which rates diverged, and how to draw itself
(:func:`plot_sweep`: loss curves on one log-scale figure, and test accuracy against rate).

The convergence chapter runs the sweep over :data:`lrlib.course.experiments.BASELINE_GRID` and
checks that its best rate is :data:`lrlib.course.experiments.BASELINE_LEARNING_RATE`, the baseline
of every comparison in Parts II and III.

Example:
    >>> import lrlib.course, dataclasses
    >>> from lrlib.course.experiments import COMMON
    >>> from lrlib.course.rate_sweep import rate_sweep
    >>> short = dataclasses.replace(COMMON, epochs=1, seeds=(0,))
    >>> sweep = rate_sweep([0.3, 30.0], setup=short)
    >>> sweep.best_rate, sweep.diverged_rates
    (0.3, [30.0])
"""

import dataclasses

import numpy as np

from lrlib import validation

__all__ = ["Sweep", "rate_sweep", "plot_sweep"]


@dataclasses.dataclass(frozen=True)
class Sweep:
    """Runs of one optimizer at several constant learning rates.

    Attributes:
        optimizer: the optimizer's name (``"sgd"``, ``"adam"``, ...).
        runs: maps each rate to its list of :class:`lrlib.course.training.TrainingRun`, one per seed.
    """

    optimizer: str
    runs: dict

    @property
    def rates(self):
        """The rates, in increasing order."""
        return sorted(self.runs)

    def accuracies(self, rate):
        """Final test accuracy of each seed's run at ``rate`` (0 for a diverged run)."""
        return np.array([run.final_accuracy for run in self.runs[rate]])

    def mean_accuracy(self, rate):
        """Mean final test accuracy over the seeds at ``rate``."""
        return float(self.accuracies(rate).mean())

    def final_training_loss(self, rate):
        """Mean over seeds of the batch loss over the last epoch (inf if any run diverged)."""
        runs = self.runs[rate]
        if any(run.diverged for run in runs):
            return float("inf")
        return float(np.mean([run.losses[-run.steps_per_epoch:].mean() for run in runs]))

    @property
    def best_rate(self):
        """The rate with the highest mean test accuracy (the smaller one on a tie)."""
        return max(self.rates, key=lambda rate: (self.mean_accuracy(rate), -rate))

    @property
    def diverged_rates(self):
        """The rates at which every run diverged."""
        return [rate for rate in self.rates if all(run.diverged for run in self.runs[rate])]

    def diverged_steps(self, rate):
        """The step at which each seed's run diverged (``None`` for a run that did not)."""
        return [run.diverged_at for run in self.runs[rate]]


def rate_sweep(rates, *, optimizer=None, seeds=None, setup=None):
    """Train the common model at each constant rate in ``rates``, once per seed.

    Args:
        rates: the learning rates (positive numbers).
        optimizer: the optimizer's name; ``setup.optimizer`` by default (plain SGD).
        seeds: the seeds; ``setup.seeds`` by default.
        setup: an :class:`lrlib.course.experiments.Setup`; :data:`lrlib.course.experiments.COMMON` by
            default.
    """
    from lrlib.course.experiments import COMMON, run

    setup = COMMON if setup is None else setup
    rates = [validation.positive("rates", rate) for rate in rates]
    if not rates:
        raise ValueError("`rates` must not be empty")
    if len(set(rates)) != len(rates):
        raise ValueError(f"`rates` must not repeat a rate, got {rates}")
    changes = {}
    if optimizer is not None:
        changes["optimizer"] = validation.choice("optimizer", optimizer,
                                                 ("sgd", "adam", "adamw", "rmsprop"))
    if seeds is not None:
        seeds = tuple(validation.integer("seeds", seed, low=0) for seed in seeds)
        if not seeds:
            raise ValueError("`seeds` must not be empty")
        changes["seeds"] = seeds
    setup = dataclasses.replace(setup, **changes)
    runs = {rate: [run(rate, seed, setup) for seed in setup.seeds] for rate in rates}
    return Sweep(optimizer=setup.optimizer, runs=runs)


def _span(steps):
    steps = sorted(steps)
    return f"step {steps[0]}" if steps[0] == steps[-1] else f"steps {steps[0]}-{steps[-1]}"


def plot_sweep(axes, sweep, window=10, baseline=None):
    """Draw a :class:`Sweep` on a pair of axes.

    Left: the training loss against step, one curve per rate (mean over seeds of the batch
    loss averaged over a trailing ``window`` of steps), log scale; a diverged run is drawn
    unsmoothed up to its last step, ending in a cross. Right: final test accuracy against
    rate (log scale), one dot per seed, the mean joined by a line; diverged rates are
    marked at the bottom. ``baseline`` (a rate) gets a star and a label.
    """
    from lrlib.course.plots import COLORS, PALETTE, log_rate_axis, use_style

    use_style()
    window = validation.positive_integer("window", window)
    ax_loss, ax_acc = axes
    steps_per_epoch = None
    for index, rate in enumerate(sweep.rates):
        color = COLORS[index % len(COLORS)]
        runs = sweep.runs[rate]
        steps_per_epoch = runs[0].steps_per_epoch
        diverged = [run for run in runs if run.diverged]
        finished = [run for run in runs if not run.diverged]
        if finished:
            curves = np.array([run.smoothed_losses(window) for run in finished])
            label = f"$\\eta$ = {rate:g}"
            if diverged:
                label += f" ({len(diverged)} of {len(runs)} diverged)"
            ax_loss.plot(np.arange(curves.shape[1]), curves.mean(axis=0), color=color,
                         label=label)
        for k, run in enumerate(diverged):
            label = None
            if k == 0 and not finished:
                label = (f"$\\eta$ = {rate:g}: diverged at "
                         f"{_span([r.diverged_at for r in diverged])}")
            ax_loss.plot(np.arange(run.losses.size), run.losses, color=color, linewidth=1.0,
                         label=label)
            ax_loss.plot(run.losses.size - 1, run.losses[-1], "x", color=color, markersize=8)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step $t$ (optimizer steps)")
    ax_loss.set_ylabel(f"training loss, mean of {window} steps (log)")
    ax_loss.set_title(f"{sweep.optimizer.upper()}: training loss at each rate")
    ax_loss.legend(loc="upper right", fontsize=8)
    if steps_per_epoch:
        top = ax_loss.secondary_xaxis("top", functions=(lambda s: s / steps_per_epoch,
                                                        lambda e: e * steps_per_epoch))
        top.set_xlabel(f"epoch ({steps_per_epoch} steps each)", fontsize=9)

    good = [rate for rate in sweep.rates if rate not in sweep.diverged_rates]
    for rate in good:
        acc = sweep.accuracies(rate)
        ax_acc.plot(np.full(acc.size, rate), acc, "o", color=PALETTE["sky"], markersize=4,
                    alpha=0.8, zorder=2)
    ax_acc.plot(good, [sweep.mean_accuracy(rate) for rate in good], "-",
                color=PALETTE["blue"], label="mean over seeds" if len(sweep.runs[good[0]]) > 1
                else "one seed", zorder=3)
    if baseline is not None and baseline in sweep.runs:
        ax_acc.plot([baseline], [sweep.mean_accuracy(baseline)], "*", markersize=16,
                    color=PALETTE["orange"], markeredgecolor="black", zorder=4,
                    label=f"best: $\\eta$ = {baseline:g}")
    for rate in sweep.diverged_rates:
        ax_acc.plot([rate], [0.02], "x", color=PALETTE["vermillion"], markersize=10,
                    markeredgewidth=2, transform=ax_acc.get_xaxis_transform(), clip_on=False)
        ax_acc.text(rate, 0.08, "diverged", color=PALETTE["vermillion"], ha="center",
                    fontsize=9, fontweight="bold", transform=ax_acc.get_xaxis_transform())
    log_rate_axis(ax_acc)
    span = np.log10(sweep.rates[-1] / sweep.rates[0])
    ax_acc.set_xlim(sweep.rates[0] / 10 ** (0.08 * span), sweep.rates[-1] * 10 ** (0.08 * span))
    low = min(float(sweep.accuracies(rate).min()) for rate in good)
    ax_acc.set_ylim(max(0.0, low - 0.25 * (1.0 - low)), 1.0)
    ax_acc.set_ylabel("test accuracy after the budget")
    ax_acc.set_title("Final test accuracy against rate")
    ax_acc.legend(loc="lower center")
    return axes
