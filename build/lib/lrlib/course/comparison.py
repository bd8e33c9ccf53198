"""One table and one figure to compare schedules on the common setup of Parts II and III.

Given ``results``, a mapping from a label to the runs of :func:`lrlib.course.experiments.run_seeds`
(one per seed), :func:`summary_table` prints the numbers a chapter discusses, narrow enough
for a book page, and :func:`comparison_figure` draws the schedules above their training
curves (mean and min-max band over the seeds).

Example:
    >>> import numpy as np
    >>> from lrlib.course.training import TrainingRun
    >>> from lrlib.course.comparison import final_training_loss
    >>> history = {"val_accuracy": np.array([0.9]), "val_loss": np.array([0.3]),
    ...            "loss": np.array([0.5]), "accuracy": np.array([0.8])}
    >>> run = TrainingRun(np.full(4, 0.1), np.array([1.0, 0.5, 0.4, 0.2]), history, 2, None, 0)
    >>> round(final_training_loss([run]), 3)   # the last epoch's mean batch loss
    0.3
"""

import numpy as np

from lrlib import validation

__all__ = ["final_training_loss", "summary_table", "comparison_figure"]


def _runs(results):
    if not isinstance(results, dict) or not results:
        raise ValueError("`results` must be a non-empty dict of label -> list of runs")
    for label, runs in results.items():
        if not isinstance(label, str) or not list(runs):
            raise ValueError(f"`results` must map labels to non-empty lists of runs, "
                             f"got {label!r}")
    return results


def final_training_loss(runs):
    """Mean over the runs of the training loss at the end, smoothed over the last epoch.

    A diverged run counts as infinite.
    """
    runs = list(runs)
    if not runs:
        raise ValueError("`runs` must not be empty")
    ends = [np.inf if r.diverged else float(r.smoothed_losses()[-1]) for r in runs]
    return float(np.mean(ends))


def summary_table(results):
    """A text table: test accuracy and test loss (mean ± spread over seeds), final train loss.

    The spread is the standard deviation over the seeds. Lines stay under 72 characters
    for labels of up to 30 characters.
    """
    from lrlib.course.experiments import summarize

    results = _runs(results)
    width = max(len(label) for label in results)
    header = (f"{'':<{width}}  {'test accuracy':>13}  {'test loss':>13}  "
              f"{'train loss':>10}")
    lines = [header]
    for label, runs in results.items():
        s = summarize(runs)
        train = final_training_loss(runs)
        diverged = f"  ({s.diverged} diverged)" if s.diverged else ""
        lines.append(f"{label:<{width}}  {s.accuracy_mean:.3f} ± {s.accuracy_std:.3f}  "
                     f"{s.loss_mean:.3f} ± {s.loss_std:.3f}  {train:>10.4f}{diverged}")
    return "\n".join(lines)


def comparison_figure(schedules, results, total_steps, width=10.0, height=7.0):
    """The schedules (top) above training loss and test accuracy (bottom), in one figure.

    ``schedules`` maps the same labels as ``results`` to schedules (numbers or any schedule).
    Colours match between the panels.
    """
    import matplotlib.pyplot as plt

    from lrlib.course.experiments import plot_runs
    from lrlib.course.plots import COLORS, plot_schedule, use_style

    results = _runs(results)
    if not isinstance(schedules, dict) or list(schedules) != list(results):
        raise ValueError("`schedules` must have the same labels, in the same order, as "
                         "`results`")
    total_steps = validation.positive_integer("total_steps", total_steps)
    use_style()
    fig = plt.figure(figsize=(width, height), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[0.8, 1.0])
    ax_rate = fig.add_subplot(grid[0, :])
    ax_loss, ax_acc = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    for index, (label, schedule) in enumerate(schedules.items()):
        plot_schedule(ax_rate, schedule, total_steps, label=label,
                      color=COLORS[index % len(COLORS)])
    ax_rate.set_title("The schedules")
    ax_rate.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    plot_runs((ax_loss, ax_acc), results)
    ax_loss.get_legend().remove()
    ax_loss.set_title("Training loss (mean; band: min to max)")
    ax_acc.set_title("Test accuracy after each epoch")
    plt.close(fig)
    return fig
