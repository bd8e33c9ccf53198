"""The schedule explorer: every schedule family of the course on one training budget."""

import numpy as np

from lrlib import validation
from lrlib.course.plots import PALETTE
from lrlib.schedules import FAMILIES, Warmup, evaluate, for_budget
from lrlib.course.widgets.core import dropdown, experiment, int_slider, log_slider

__all__ = ["schedule_explorer", "schedule_explorer_controls"]


@experiment(figsize=(6.0, 3.4))
def schedule_explorer(fig, family="cosine", learning_rate=0.1, total_steps=1000,
                      warmup_steps=0, log_scale=False):
    """Draw one schedule family (see :func:`lrlib.schedules.for_budget`) over a budget.

    ``warmup_steps > 0`` puts a linear warmup (:class:`lrlib.schedules.Warmup`) in front,
    the budget staying ``total_steps`` in all.
    """
    total_steps = validation.integer("total_steps", total_steps, low=16)
    warmup_steps = validation.integer("warmup_steps", warmup_steps, low=0)
    if warmup_steps >= total_steps - 8:
        raise ValueError("`warmup_steps` must leave at least 8 steps of the budget")
    schedule = for_budget(family, learning_rate, total_steps - warmup_steps)
    if warmup_steps:
        schedule = Warmup(schedule, warmup_steps)
    t = np.arange(total_steps)
    rates = evaluate(schedule, t)
    ax = fig.subplots()
    ax.plot(t, rates, color=PALETTE["blue"])
    if warmup_steps:
        ax.axvspan(0, warmup_steps, color=PALETTE["orange"], alpha=0.2, label="warmup")
        ax.legend(loc="upper right")
    if log_scale:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0.0, 1.1 * rates.max())
    ax.set_xlabel("step $t$ (optimizer steps)")
    ax.set_ylabel("learning rate $\\eta_t$" + (" (log scale)" if log_scale else ""))
    ax.set_title(f"{family}: peak {rates.max():.3g}, final {rates[-1]:.3g}")
    return fig


#: The warmup slider's largest value; it never exceeds half the budget.
MAX_WARMUP_STEPS = 500


def schedule_explorer_controls():
    """The ipywidgets controls for :func:`schedule_explorer`, for :func:`lrlib.course.widgets.live`.

    The warmup slider's maximum follows the budget (at most half of it), so no combination
    of the sliders asks for a warmup longer than the budget allows.
    """
    controls = {
        "family": dropdown(FAMILIES, value="cosine", description="schedule"),
        "learning_rate": log_slider(0.1, 1e-3, 1.0, description="peak rate η"),
        "total_steps": int_slider(1000, 100, 5000, step=100, description="budget (steps)"),
        "warmup_steps": int_slider(0, 0, MAX_WARMUP_STEPS, step=10, description="warmup steps"),
    }
    budget, warmup = controls["total_steps"], controls["warmup_steps"]

    def follow_budget(change=None):
        warmup.max = min(MAX_WARMUP_STEPS, budget.value // 2)  # lowers the value if needed

    budget.observe(follow_budget, names="value")
    follow_budget()
    return controls
