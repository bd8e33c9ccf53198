"""The companion of the chapter "Exponential decay": everything its code cells call.

Exponential decay multiplies the rate by $r$ every $T$ steps, smoothly,
$\\eta_t = \\eta_0 r^{t/T}$, or as a staircase, $\\eta_0 r^{\\lfloor t/T \\rfloor}$
(:class:`lrlib.schedules.ExponentialDecay`, the same values as Keras's). This module holds,
in the chapter's order:

- **Budgets**: :func:`exponential_for_budget` sizes a decay to a run ("decay to 1% over the
  run"); :func:`exponential_steps_to_fraction` and :func:`inverse_time_steps_to_fraction`
  (with :func:`lrlib.schedules.mean_rate`) say what a configuration really does, in steps.
- **The experiment** on the noisy bowl, :func:`exponential_explorer` (with its controls); its
  panels are those of the step-decay chapter (:mod:`lrlib.course.step_decay`).
- **A rate on its optimizer's scale**: :func:`first_update`, how far one step of SGD or Adam
  moves the weights of the course's digits model.
- **Judging a difference against seed noise**: the chapter uses the course's one paired
  difference, :func:`lrlib.course.stats.paired_difference` (the mean paired difference of a
  metric between two groups of runs with the same seeds, and its 95% interval).
- **Checkers** of the chapter's exercises (``check_*``).

Example:
    >>> from lrlib.course.exponential_decay import exponential_for_budget
    >>> exponential_for_budget(0.3, total_steps=430, final_fraction=0.01)
    ExponentialDecay(initial_learning_rate=0.3, decay_steps=430, decay_rate=0.01, staircase=False)
"""

import math
import numbers

import numpy as np

from lrlib import validation
from lrlib.course.check import Result, check_number, check_schedule
from lrlib.course.noise import NOISY_BOWL
from lrlib.course.plots import COLORS
from lrlib.course.step_decay import bowl_loss_panel, rate_panel
from lrlib.course.widgets.core import checkbox, experiment, int_slider, log_slider
from lrlib.schedules import ExponentialDecay, evaluate

__all__ = [
    # budgets
    "exponential_steps_to_fraction",
    "inverse_time_steps_to_fraction",
    "exponential_for_budget",
    # the experiment
    "describe_steps",
    "exponential_explorer",
    "exponential_controls",
    # a rate on its optimizer's scale
    "first_update",
    # checkers
    "check_steps_to_adam_rate",
    "check_verdicts",
    "check_budget_decay",
    "check_inverse_time_schedule",
]


# -- budgets: what a configuration does, in steps ----------------------------------------------

def exponential_steps_to_fraction(decay_steps, decay_rate, fraction):
    """Steps until $\\eta_0 r^{t/T}$ is down to ``fraction`` of $\\eta_0$: $T\\ln(1/q)/\\ln(1/r)$.

    Example:
        >>> from lrlib.course.exponential_decay import exponential_steps_to_fraction
        >>> round(exponential_steps_to_fraction(430, 0.01, 0.01))
        430
    """
    steps = validation.positive("decay_steps", decay_steps)
    rate = validation.real("decay_rate", decay_rate, low=0.0, high=1.0, low_open=True)
    fraction = validation.real("fraction", fraction, low=0.0, high=1.0, low_open=True)
    if fraction == 1.0:
        return 0.0
    if rate == 1.0:
        return math.inf
    return steps * math.log(1.0 / fraction) / math.log(1.0 / rate)


def inverse_time_steps_to_fraction(decay_steps, decay_rate, fraction):
    """Steps until $\\eta_0 / (1 + r t / T)$ is down to ``fraction`` of $\\eta_0$.

    Solving $1 + r t / T = 1/q$ gives $t = T (1/q - 1) / r$ (Keras's ``InverseTimeDecay``;
    here ``decay_rate`` is any $r > 0$).

    Example:
        >>> from lrlib.course.exponential_decay import inverse_time_steps_to_fraction
        >>> inverse_time_steps_to_fraction(430, 9.0, 0.5)
        47.77...
    """
    steps = validation.positive("decay_steps", decay_steps)
    rate = validation.positive("decay_rate", decay_rate)
    fraction = validation.real("fraction", fraction, low=0.0, high=1.0, low_open=True)
    return steps * (1.0 / fraction - 1.0) / rate


def exponential_for_budget(initial_learning_rate, total_steps, final_fraction,
                           steps_per_epoch=None):
    """An exponential decay sized to a budget: down to ``final_fraction`` after it.

    "Decay to 1% over the run" is ``decay_steps = total_steps`` and ``decay_rate = 0.01``:
    the rate is $\\eta_0 q^{t/N}$ and reaches $q\\,\\eta_0$ at step $N$, just after the last
    step ($N - 1$). With ``steps_per_epoch`` the decay is a staircase, once per epoch, with
    the same envelope: ``decay_steps = steps_per_epoch`` and
    ``decay_rate = q ** (steps_per_epoch / total_steps)`` (what PyTorch's ``ExponentialLR``
    does when stepped once per epoch).

    Returns:
        An :class:`lrlib.schedules.ExponentialDecay` (the same values as Keras's).

    Example:
        >>> from lrlib.course.exponential_decay import exponential_for_budget
        >>> per_epoch = exponential_for_budget(0.3, 430, 0.01, steps_per_epoch=43)
        >>> round(per_epoch.decay_rate, 4), per_epoch.staircase
        (0.631, True)
    """
    initial = validation.positive("initial_learning_rate", initial_learning_rate)
    total = validation.positive_integer("total_steps", total_steps)
    fraction = validation.real("final_fraction", final_fraction, low=0.0, high=1.0,
                               low_open=True)
    if steps_per_epoch is None:
        return ExponentialDecay(initial, decay_steps=total, decay_rate=fraction)
    per_epoch = validation.positive_integer("steps_per_epoch", steps_per_epoch)
    if total % per_epoch:
        raise ValueError(f"`total_steps` ({total}) must be a whole number of epochs of "
                         f"`steps_per_epoch` ({per_epoch}) steps")
    return ExponentialDecay(initial, decay_steps=per_epoch,
                            decay_rate=fraction ** (per_epoch / total), staircase=True)


# -- the experiment on the noisy bowl ----------------------------------------------------------

def describe_steps(steps, steps_per_epoch=43):
    """A number of steps in words, with epochs: "65 steps (1.5 epochs)", "never".

    Example:
        >>> from lrlib.course.exponential_decay import describe_steps
        >>> describe_steps(86)
        '86 steps (2 epochs)'
    """
    if math.isinf(steps):
        return "never"
    epochs = steps / steps_per_epoch
    return f"{steps:,.0f} steps ({epochs:.2g} epochs)" if epochs < 100 else f"{steps:,.0f} steps"


@experiment(figsize=(9.0, 3.0), scrub="decay_rate")
def exponential_explorer(fig, initial_learning_rate=1.0, decay_rate=0.01, decay_steps=430,
                         staircase=False):
    """Left: the exponential decay (linear scale) with its half-life marked. Right: the
    expected loss on :data:`lrlib.course.noise.NOISY_BOWL`."""
    schedule = ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
                                staircase=staircase)
    bowl = NOISY_BOWL
    t = np.arange(bowl.steps)
    rates = evaluate(schedule, t)
    ax_rate, ax_loss = fig.subplots(1, 2)
    rate_panel(ax_rate, t, rates, log=False)
    eta0 = schedule.initial_learning_rate
    ax_rate.set_ylim(0.0, 1.08 * eta0)
    half_life = schedule.half_life
    halved = np.flatnonzero(rates <= 0.5 * eta0)
    if halved.size:  # where the rate is first at or below half (staircase: at a jump)
        step = int(halved[0])
        ax_rate.plot([0, step], [0.5 * eta0] * 2, color=COLORS[1], linestyle=":",
                     linewidth=1.2)
        ax_rate.plot([step, step], [0, 0.5 * eta0], color=COLORS[1], linestyle=":",
                     linewidth=1.2)
        ax_rate.plot([step], [0.5 * eta0], "o", color=COLORS[1], markersize=5)
    form = "Staircase" if schedule.staircase else "Smooth"
    life = f"half-life {describe_steps(half_life)}"
    if schedule.staircase and halved.size:
        life = f"half-life {half_life:,.0f} (envelope), halved at step {int(halved[0])}"
    ax_rate.set_title(f"{form}: $\\eta_0$ = {eta0:.3g}, r = {schedule.decay_rate:.3g} "
                      f"per {schedule.decay_steps} steps\n{life}", fontsize=10)
    bowl_loss_panel(ax_loss, bowl.run(schedule), bowl, "exponential decay")
    return fig


def exponential_controls():
    """The controls for :func:`exponential_explorer`."""
    return {
        "initial_learning_rate": log_slider(1.0, 0.03, 3.0, description="initial rate η₀"),
        "decay_rate": log_slider(0.01, 1e-4, 1.0, description="decay rate r"),
        "decay_steps": int_slider(430, 10, 860, step=10, description="decay steps T"),
        "staircase": checkbox(False, description="staircase"),
    }


#: The controls of :func:`exponential_explorer`, under the name that
#: lrlib.course.widgets (live, scrubber, discovery) looks for.
exponential_explorer_controls = exponential_controls


# -- a rate on its optimizer's scale -----------------------------------------------------------

def first_update(optimizer, learning_rate, seed=0, batch_size=32):
    """How far one optimizer step moves the weights of the course's digits model.

    Builds the common model (:func:`lrlib.course.training.build_model`) with ``seed``, takes one
    step on the first ``batch_size`` training images, and returns
    ``(weights, updates)``: two flat arrays over every kernel entry (biases, which start at
    0, are left out), the weights before the step and how much each one moved.
    Adam's first step moves every weight with a non-zero gradient by almost exactly the
    learning rate (its normalised step $\\hat m / \\sqrt{\\hat v}$ is $\\pm 1$ at step 1); SGD's
    moves it by $\\eta$ times its gradient.

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.exponential_decay import first_update
        >>> weights, updates = first_update("adam", 0.01)
        >>> weights.size, round(float(np.median(updates)), 4)
        (4736, 0.01)
    """
    import keras

    from lrlib.course.data import load_digits
    from lrlib.course.reproducibility import seed_everything
    from lrlib.course.training import build_model, make_optimizer

    seed = validation.integer("seed", seed, low=0)
    batch_size = validation.positive_integer("batch_size", batch_size)
    data = load_digits()
    seed_everything(seed)
    model = build_model(data.num_features, data.num_classes)
    model.compile(optimizer=make_optimizer(optimizer, learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    kernels = [i for i, w in enumerate(model.weights) if len(w.shape) == 2]
    before = [np.array(w) for w in model.get_weights()]
    model.train_on_batch(data.x_train[:batch_size], data.y_train[:batch_size])
    after = model.get_weights()
    weights = np.concatenate([before[i].ravel() for i in kernels])
    updates = np.concatenate([np.abs(after[i] - before[i]).ravel() for i in kernels])
    return weights, updates


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")


def check_steps_to_adam_rate(answer):
    """Exercise exponential-decay-ex-snippet: the step at which
    ``ExponentialDecay(0.1, decay_steps=10000, decay_rate=0.9)`` reaches 1e-3."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = 10000 * math.log(100) / math.log(1 / 0.9)
    result = check_number(answer, expected, name="the number of steps", rtol=0.005,
                          low=0, allowed="a number of steps",
                          hints=["solve 0.1 · 0.9 ** (t / 10000) = 0.001: t = 10000 · "
                                 "ln(100) / ln(1 / 0.9)."])
    if not result and isinstance(answer, numbers.Real):
        if math.isclose(answer, 10000 * math.log(100) / math.log(2), rel_tol=0.01):
            return Result(False, "that is how long a *halving* every 10,000 steps would take; "
                                 "here the rate is multiplied by 0.9, not 0.5, per 10,000 "
                                 "steps.")
        if math.isclose(answer, 10000 * 99, rel_tol=0.01):
            return Result(False, "the decay is multiplicative, not linear: solve "
                                 "0.9 ** (t / 10000) = 0.01 for t.")
    return result


_BUDGET = 30 * 500  # 30 epochs of 500 steps
_FINAL = 1e-3


def check_budget_decay(decay_steps, decay_rate):
    """Exercise exponential-decay-ex-budget: any smooth ``ExponentialDecay(decay_steps,
    decay_rate)`` that is down to 0.1% of its start after 30 epochs of 500 steps."""
    if decay_steps is Ellipsis or decay_rate is Ellipsis:
        return _PLACEHOLDER
    for name, value in (("decay_steps", decay_steps), ("decay_rate", decay_rate)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or value <= 0:
            return Result(False, f"`{name}` must be a positive number, got {value!r}.")
    if decay_rate >= 1:
        return Result(False, f"a decay_rate of {decay_rate} does not decay: it must be "
                             "below 1.")
    from lrlib.course.check import record_answer

    record_answer("one answer", "decay_steps = 15000 with decay_rate = 0.001 (any pair with "
                  "decay_rate ** (15000 / decay_steps) = 0.001)")
    remaining = decay_rate ** (_BUDGET / decay_steps)
    if math.isclose(remaining, _FINAL, rel_tol=0.02):
        return Result(True, f"after {_BUDGET:,} steps the rate is {remaining:.3g} of its "
                            "start, as asked. (Any pair with decay_rate ** (15000 / "
                            "decay_steps) = 0.001 works: 15000 and 0.001, or 500 and "
                            "0.794 per epoch.)")
    if math.isclose(decay_steps, 30):
        return Result(False, f"with these numbers the rate is {remaining:.3g} of its start "
                             f"after {_BUDGET:,} steps; the question asks for 0.001. 30 is the run in "
                             "epochs; decay_steps counts optimizer steps (batches).")
    return Result(False, f"with these numbers the rate is {remaining:.3g} of its start after "
                         f"{_BUDGET:,} steps; the question asks for 0.001 (within 2%).")


def check_inverse_time_schedule(my_schedule):
    """Exercise exponential-decay-ex-inverse-time: a plain function equal to Keras's
    ``InverseTimeDecay(0.5, decay_steps=100, decay_rate=2.0)`` (smooth)."""
    if my_schedule is Ellipsis:
        return _PLACEHOLDER

    def reference(step):
        return 0.5 / (1 + 2.0 * step / 100)

    steps = [0, 1, 25, 50, 99, 100, 101, 250, 1000, 10000]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule")
    if not result and callable(my_schedule):
        try:
            stair = all(math.isclose(float(my_schedule(s)), 0.5 / (1 + 2.0 * (s // 100)),
                                     rel_tol=1e-6) for s in steps)
        except Exception:
            stair = False
        if stair:
            return Result(False, result.message + " Your function is the staircase version; "
                                 "the smooth one uses step / 100, not step // 100.")
    return result


_VERDICTS = {"exponential 0.3 → 1%": "worse", "exponential 1.0 → 1%": "within noise",
             "exponential 2.0 → 1%": "worse"}
_VERDICT_WORDS = ("better", "worse", "within noise")


def check_verdicts(verdicts):
    """Exercise exponential-decay-ex-verdicts: for each stored decay to 1% (from 0.3, 1.0
    and 2.0), ``"better"``, ``"worse"`` or ``"within noise"`` against the baseline (the
    constant rate chosen on validation), from the paired 95% t interval of the test
    accuracy over the ten stored seeds (:func:`lrlib.course.stats.paired_difference`;
    the chapter asserts the verdicts)."""
    from lrlib.course.check import record_answer, record_hints

    if verdicts is Ellipsis or (isinstance(verdicts, dict)
                                and any(v is Ellipsis for v in verdicts.values())):
        return _PLACEHOLDER
    record_answer("the verdicts", ", ".join(f"{name}: {verdict!r}"
                                            for name, verdict in _VERDICTS.items()))
    if not isinstance(verdicts, dict) or set(verdicts) != set(_VERDICTS):
        return Result(False, "give a dict with one verdict per decay, keyed by the names of "
                             f"the decays: {sorted(_VERDICTS)}.")
    record_hints("for each decay: the ten differences seed by seed (decay minus baseline), "
                 "their mean and sample standard deviation s_d, and mean ± 2.26 · s_d/√10.",
                 "a verdict other than 'within noise' needs the whole interval on one side of "
                 "0, whatever the sign of the mean.")
    said = {name: v.strip().lower() if isinstance(v, str) else v
            for name, v in verdicts.items()}
    for name, verdict in said.items():
        if verdict not in _VERDICT_WORDS:
            return Result(False, f"{name}: {verdicts[name]!r} is not one of "
                                 f"{', '.join(map(repr, _VERDICT_WORDS))}.")
    wrong = [name for name, verdict in _VERDICTS.items() if said[name] != verdict]
    if not wrong:
        return Result(True, "the decays from 0.3 and from 2.0 are worse: their intervals lie "
                            "below 0. The decay from 1.0 has an interval that contains 0, "
                            "so it is within noise: ten seeds cannot tell it from the "
                            "baseline.")
    count = f"{len(wrong)} of the 3 verdicts {'is' if len(wrong) == 1 else 'are'} not right"
    name = wrong[0]
    if said[name] == "within noise":
        why = "'within noise' means its interval contains 0: does it?"
    else:
        side = "above" if said[name] == "better" else "below"
        why = (f"{said[name]!r} means its whole interval lies {side} 0: does it? The sign of "
               "the mean alone does not decide.")
    return Result(False, f"{count}. {name}: {verdicts[name]!r} is not it; {why}")
