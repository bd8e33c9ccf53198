"""A scorecard for the comparisons of Part II: one row per schedule, over the seeds.

:func:`compare` turns groups of runs (a label, and one run per seed of
:func:`lrlib.course.experiments.run_seeds`) into :class:`Row` objects holding what a chapter
discusses: test accuracy and test loss with their spread over seeds, steps to the target
accuracy (:func:`lrlib.course.experiments.summarize`), the final training loss, and the mean
learning rate the runs used (the area under the schedule, divided by the steps: on a short,
progress-limited run it predicts the training loss well). :func:`format_table` prints them
narrow enough for a book page.

Example:
    >>> import numpy as np
    >>> from lrlib.course.training import TrainingRun
    >>> from lrlib.course.scorecard import compare
    >>> history = {"val_accuracy": np.array([0.96]), "val_loss": np.array([0.3]),
    ...            "loss": np.array([0.2]), "accuracy": np.array([0.9])}
    >>> run = TrainingRun(np.array([0.3, 0.1]), np.array([1.0, 0.5]), history, 2, None, 0)
    >>> row, = compare({"step decay": [run]})
    >>> row.training_loss, round(row.mean_rate, 2)
    (0.2, 0.2)
"""

import dataclasses
import math

import numpy as np

__all__ = ["Row", "compare", "format_table"]


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a comparison: a label, the seeds' summary, and two more numbers.

    Attributes:
        label: the group's name.
        summary: an :class:`lrlib.course.experiments.Summary` (test accuracy, test loss, steps to
            the target accuracy).
        training_loss: the mean over seeds of the last epoch's training loss.
        mean_rate: the mean learning rate the runs used (the area under the schedule,
            divided by the steps).
    """

    label: str
    summary: object
    training_loss: float
    mean_rate: float


def compare(groups):
    """A :class:`Row` per entry of ``groups`` (a mapping of label to a list of runs)."""
    from lrlib.course.experiments import summarize

    rows = []
    for label, runs in groups.items():
        runs = list(runs)
        finished = [r for r in runs if not r.diverged]
        losses = [float(r.history["loss"][-1]) for r in finished]
        rates = [float(np.mean(r.learning_rates)) for r in runs]
        rows.append(Row(label, summarize(runs),
                        float(np.mean(losses)) if losses else math.inf,
                        float(np.mean(rates))))
    return rows


def format_table(rows):
    """The rows of :func:`compare` as a plain-text table: test accuracy and test loss (mean
    ± standard deviation over seeds), training loss, steps to the target accuracy, mean
    rate."""
    from lrlib.course.experiments import TARGET_ACCURACY

    width = max(len(row.label) for row in rows)
    target = f"to {TARGET_ACCURACY:.0%}"
    lines = [f"{'':{width}} {'test acc.':11} {'test loss':11} {'train':6} {target:>6} "
             f"{'mean η':>6}"]
    for row in rows:
        s = row.summary
        steps = "never" if math.isinf(s.steps_to_target) else f"{s.steps_to_target:.0f}"
        lines.append(f"{row.label:{width}} {s.accuracy_mean:.3f}±{s.accuracy_std:.3f} "
                     f"{s.loss_mean:.3f}±{s.loss_std:.3f} {row.training_loss:.4f} "
                     f"{steps:>6} {row.mean_rate:6.3f}")
    return "\n".join(lines)
