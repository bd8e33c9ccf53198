"""Decay schedules in practice: Keras equivalents, units, budgets, and a noisy bowl.

The chapters on step decay and exponential decay use this module for three things:

- **Keras equivalents.** :func:`piecewise_step_decay` writes
  :class:`lrlib.schedules.StepDecay` as Keras's ``PiecewiseConstantDecay``, and
  :func:`multi_step_decay` writes PyTorch's ``MultiStepLR`` (drops at chosen steps) the
  same way. Keras's convention is off by one from what people usually mean: value ``i``
  applies while ``step <= boundaries[i]``, so "the rate drops *at* step 100" is boundary 99.
- **Units.** Keras's ``LearningRateScheduler`` callback changes the rate once per *epoch*;
  schedules count optimizer *steps*. :class:`EpochStepDecay` is a per-epoch step decay for
  the callback that also says which per-step :class:`~lrlib.schedules.StepDecay` it equals.
- **Budgets.** :func:`exponential_for_budget` sizes an exponential decay to a run ("decay to
  1% over the run"); :func:`exponential_half_life`, :func:`exponential_steps_to_fraction`,
  :func:`inverse_time_steps_to_fraction` (and :func:`lrlib.schedules.mean_rate`) say what a configuration
  really does, in steps.
- **Where decay matters** is :mod:`lrlib.course.noise` (the noisy bowl and its noise floor).

Measuring what one drop does to a training run is in :mod:`lrlib.course.counterfactual`; the table
of the Part II comparisons in :mod:`lrlib.course.runs`.

Example:
    >>> from lrlib.course.decay import multi_step_decay
    >>> from lrlib.schedules import evaluate
    >>> schedule = multi_step_decay(0.3, milestones=[100, 200], drop_factor=0.1)
    >>> schedule.boundaries
    [99, 199]
    >>> evaluate(schedule, [99, 100, 199, 200]).round(4).tolist()
    [0.3, 0.03, 0.03, 0.003]
"""

import dataclasses
import math

from lrlib import validation

__all__ = [
    "piecewise_step_decay",
    "multi_step_decay",
    "EpochStepDecay",
    "exponential_half_life",
    "exponential_steps_to_fraction",
    "inverse_time_steps_to_fraction",
    "exponential_for_budget",
]


# -- Keras equivalents ---------------------------------------------------------------------------

def _milestones(milestones):
    if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
        raise ValueError(f"`milestones` must be a list of steps, got {milestones!r}")
    steps = [validation.positive_integer("milestones", m) for m in milestones]
    if not steps:
        raise ValueError("`milestones` must not be empty")
    if any(b <= a for a, b in zip(steps, steps[1:])):
        raise ValueError(f"`milestones` must be strictly increasing, got {steps!r}")
    return steps


def multi_step_decay(initial_learning_rate, milestones, drop_factor):
    """Drops at chosen steps, as Keras's ``PiecewiseConstantDecay``.

    The rate is ``initial_learning_rate`` until the first milestone, then multiplied by
    ``drop_factor`` at each milestone (PyTorch's ``MultiStepLR(milestones, gamma)``, counted
    in steps). A milestone is the *first step at the new rate*; Keras's boundary is the
    *last step at the old rate*, so each boundary is ``milestone - 1``.

    Args:
        initial_learning_rate: the rate before the first milestone (> 0).
        milestones: strictly increasing positive steps at which the rate drops.
        drop_factor: the factor applied at each milestone, in (0, 1].

    Returns:
        A ``keras.optimizers.schedules.PiecewiseConstantDecay``.
    """
    import keras

    initial = validation.positive("initial_learning_rate", initial_learning_rate)
    steps = _milestones(milestones)
    factor = validation.real("drop_factor", drop_factor, low=0.0, high=1.0, low_open=True)
    # Rounded to 12 significant digits, so that 1.0 * 0.1**2 prints as 0.01.
    values = [float(f"{initial * factor**i:.12g}") for i in range(len(steps) + 1)]
    return keras.optimizers.schedules.PiecewiseConstantDecay([m - 1 for m in steps], values)


def piecewise_step_decay(initial_learning_rate, drop_factor, drop_every, total_steps):
    """:class:`lrlib.schedules.StepDecay` over a budget, as Keras's ``PiecewiseConstantDecay``.

    The drops happen at steps ``drop_every, 2 * drop_every, ...`` below ``total_steps``, so
    the two schedules agree on every step of the budget. (After the budget the Keras version
    stays at its last value while :class:`~lrlib.schedules.StepDecay` keeps dropping.)

    Example:
        >>> from lrlib.course.decay import piecewise_step_decay
        >>> piecewise_step_decay(0.3, 0.5, drop_every=100, total_steps=430).boundaries
        [99, 199, 299, 399]
    """
    every = validation.positive_integer("drop_every", drop_every)
    total = validation.positive_integer("total_steps", total_steps)
    if every >= total:
        raise ValueError(f"`drop_every` ({every}) must be < `total_steps` ({total}): "
                         "no drop would happen within the budget")
    milestones = list(range(every, total, every))
    return multi_step_decay(initial_learning_rate, milestones, drop_factor)


@dataclasses.dataclass(frozen=True)
class EpochStepDecay:
    """Step decay counted in epochs, for Keras's ``LearningRateScheduler`` callback.

    ``keras.callbacks.LearningRateScheduler(EpochStepDecay(0.3, 0.5, every_epochs=2))``
    sets the rate at the start of each epoch to
    $\\eta_0 f^{\\lfloor \\text{epoch} / e \\rfloor}$. The callback calls it as
    ``schedule(epoch, current_rate)``; the result depends on the epoch only, so resuming
    training at any epoch gives the right rate. With ``steps_per_epoch`` optimizer steps
    per epoch it is the per-step :class:`lrlib.schedules.StepDecay` of :meth:`in_steps`.

    Example:
        >>> from lrlib.course.decay import EpochStepDecay
        >>> schedule = EpochStepDecay(0.3, drop_factor=0.5, every_epochs=2)
        >>> [schedule(epoch, 0.3) for epoch in range(5)]
        [0.3, 0.3, 0.15, 0.15, 0.075]
        >>> schedule.in_steps(steps_per_epoch=43)
        StepDecay(initial_learning_rate=0.3, drop_factor=0.5, drop_every=86)
    """

    initial_learning_rate: float
    drop_factor: float
    every_epochs: int

    def __post_init__(self):
        validation.positive("initial_learning_rate", self.initial_learning_rate)
        validation.real("drop_factor", self.drop_factor, low=0.0, high=1.0, low_open=True)
        validation.positive_integer("every_epochs", self.every_epochs)

    def __call__(self, epoch, learning_rate=None):
        epoch = validation.integer("epoch", epoch, low=0)
        return float(self.initial_learning_rate
                     * self.drop_factor ** (epoch // self.every_epochs))

    def in_steps(self, steps_per_epoch):
        """The per-step :class:`lrlib.schedules.StepDecay` that gives the same rates."""
        from lrlib.schedules import StepDecay

        steps_per_epoch = validation.positive_integer("steps_per_epoch", steps_per_epoch)
        return StepDecay(self.initial_learning_rate, self.drop_factor,
                         self.every_epochs * steps_per_epoch)


# -- what a configuration does, in steps -------------------------------------------------------

def _decay(decay_steps, decay_rate):
    steps = validation.positive("decay_steps", decay_steps)
    rate = validation.real("decay_rate", decay_rate, low=0.0, high=1.0, low_open=True)
    return steps, rate


def exponential_half_life(decay_steps, decay_rate):
    """Steps until $\\eta_0 r^{t/T}$ has halved: $T \\ln 2 / \\ln(1/r)$ (infinite for r = 1).

    Example:
        >>> from lrlib.course.decay import exponential_half_life
        >>> round(exponential_half_life(10000, 0.9))
        65788
    """
    return exponential_steps_to_fraction(decay_steps, decay_rate, 0.5)


def exponential_steps_to_fraction(decay_steps, decay_rate, fraction):
    """Steps until $\\eta_0 r^{t/T}$ is down to ``fraction`` of $\\eta_0$: $T\\ln(1/q)/\\ln(1/r)$.

    Example:
        >>> from lrlib.course.decay import exponential_steps_to_fraction
        >>> round(exponential_steps_to_fraction(430, 0.01, 0.01))
        430
    """
    steps, rate = _decay(decay_steps, decay_rate)
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
        >>> from lrlib.course.decay import inverse_time_steps_to_fraction
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
        >>> from lrlib.course.decay import exponential_for_budget
        >>> exponential_for_budget(0.3, total_steps=430, final_fraction=0.01)
        ExponentialDecay(initial_learning_rate=0.3, decay_steps=430, decay_rate=0.01, staircase=False)
        >>> per_epoch = exponential_for_budget(0.3, 430, 0.01, steps_per_epoch=43)
        >>> round(per_epoch.decay_rate, 4), per_epoch.staircase
        (0.631, True)
    """
    from lrlib.schedules import ExponentialDecay

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
