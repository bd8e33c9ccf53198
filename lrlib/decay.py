"""Decay schedules in practice: Keras equivalents, units, budgets, and a noisy bowl.

The chapters on step decay and exponential decay use this module for four things:

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
  :func:`inverse_time_steps_to_fraction` and :func:`mean_rate` say what a configuration
  really does, in steps.
- **Where decay matters.** :class:`NoisyBowl` is a two-dimensional quadratic with noisy
  gradients (the toy problem of Wu et al. 2018): a steep direction whose noise floor grows
  with the rate, and a flat one that needs large steps to make progress. On it, a decaying
  rate beats the best constant one.

Measuring what one drop does to a training run is in :mod:`lrlib.counterfactual`; the table
of the Part II comparisons in :mod:`lrlib.scorecard`.

Example:
    >>> from lrlib.decay import multi_step_decay
    >>> from lrlib.schedules import evaluate
    >>> schedule = multi_step_decay(0.3, milestones=[100, 200], drop_factor=0.1)
    >>> schedule.boundaries
    [99, 199]
    >>> evaluate(schedule, [99, 100, 199, 200]).round(4).tolist()
    [0.3, 0.03, 0.03, 0.003]
"""

import dataclasses
import functools
import math

import numpy as np

from lrlib import validation

__all__ = [
    "piecewise_step_decay",
    "multi_step_decay",
    "EpochStepDecay",
    "exponential_half_life",
    "exponential_steps_to_fraction",
    "inverse_time_steps_to_fraction",
    "exponential_for_budget",
    "mean_rate",
    "BowlRun",
    "NoisyBowl",
    "NOISY_BOWL",
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
        >>> from lrlib.decay import piecewise_step_decay
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
        >>> from lrlib.decay import EpochStepDecay
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
        >>> from lrlib.decay import exponential_half_life
        >>> round(exponential_half_life(10000, 0.9))
        65788
    """
    return exponential_steps_to_fraction(decay_steps, decay_rate, 0.5)


def exponential_steps_to_fraction(decay_steps, decay_rate, fraction):
    """Steps until $\\eta_0 r^{t/T}$ is down to ``fraction`` of $\\eta_0$: $T\\ln(1/q)/\\ln(1/r)$.

    Example:
        >>> from lrlib.decay import exponential_steps_to_fraction
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
        >>> from lrlib.decay import inverse_time_steps_to_fraction
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
        >>> from lrlib.decay import exponential_for_budget
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


def mean_rate(schedule, total_steps):
    """The mean learning rate over steps ``0 .. total_steps - 1`` (the area under the curve,
    divided by the budget).

    Example:
        >>> from lrlib.decay import mean_rate
        >>> from lrlib.schedules import StepDecay
        >>> round(mean_rate(StepDecay(1.0, 0.5, drop_every=100), 400), 4)
        0.4688
    """
    from lrlib.schedules import evaluate

    total = validation.positive_integer("total_steps", total_steps)
    return float(np.mean(evaluate(schedule, total)))


# -- the noisy bowl ------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class BowlRun:
    """The expected loss of gradient descent on a :class:`NoisyBowl`, step by step.

    Attributes:
        learning_rates: the rate used at each step, shape ``(steps,)``.
        losses_by_direction: the expected loss along each axis at steps ``0 .. steps``,
            shape ``(steps + 1, d)``, cut where the run diverged.
        diverged_at: the step at which the expected loss left the region, or ``None``.
    """

    learning_rates: np.ndarray
    losses_by_direction: np.ndarray
    diverged_at: int | None

    @property
    def mean_losses(self):
        """The expected loss $E[L(x_t)]$ (the mean over infinitely many runs)."""
        return self.losses_by_direction.sum(axis=1)

    @property
    def diverged(self):
        return self.diverged_at is not None

    def final_loss(self, last=20):
        """The expected loss averaged over the last ``last`` steps (infinite if diverged)."""
        last = validation.positive_integer("last", last)
        if self.diverged:
            return math.inf
        return float(np.mean(self.mean_losses[-last:]))

    def describe(self):
        if self.diverged:
            return f"diverged at step {self.diverged_at}"
        return f"final loss {self.final_loss():.3g}"


@dataclasses.dataclass(frozen=True)
class NoisyBowl:
    """A noisy quadratic where the schedule matters, with its expected loss computed exactly.

    $L(x) = \\tfrac12 \\sum_i \\lambda_i x_i^2$ with curvatures ``curvatures``, gradient
    noise of standard deviation ``noise`` (the minibatch noise of SGD, in its simplest
    model) and start ``start``. The default has a steep direction ($\\lambda = 1$), whose
    noise floor grows with the rate, and a flat one ($\\lambda = 0.05$), which needs large
    steps to make progress within ``steps`` = 430 steps (the budget of the course's digits
    runs). It is the toy problem of Wu et al. (2018).

    Along each axis, $x_{t+1} = (1 - \\eta_t\\lambda) x_t - \\eta_t\\sigma\\xi_t$, so the
    second moment obeys $m_{t+1} = (1 - \\eta_t\\lambda)^2 m_t + \\eta_t^2\\sigma^2$ exactly,
    and the expected loss is $\\sum_i \\tfrac12 \\lambda_i m_{i,t}$: what the mean over
    infinitely many runs gives (:meth:`simulate` averages real runs, to check). At a constant
    rate it settles at the floor $\\sum_i \\eta\\sigma^2 / (2(2 - \\eta\\lambda_i))$.

    Example:
        >>> from lrlib.decay import NOISY_BOWL
        >>> round(NOISY_BOWL.floor(0.1), 4)
        0.0514
        >>> NOISY_BOWL.run(0.1).describe()
        'final loss 0.0569'
    """

    curvatures: tuple = (1.0, 0.05)
    start: tuple = (2.0, 4.0)
    noise: float = 1.0
    steps: int = 430

    def __post_init__(self):
        curvatures = [validation.positive("curvatures", c) for c in self.curvatures]
        if not curvatures or len(curvatures) != len(self.start):
            raise ValueError("`start` must have one coordinate per curvature")
        for x in self.start:
            validation.real("start", x)
        validation.non_negative("noise", self.noise)
        validation.integer("steps", self.steps, low=2)

    @property
    def landscape(self):
        """The bowl as an :class:`lrlib.landscapes.Quadratic` (for :mod:`lrlib.descent`)."""
        from lrlib.landscapes import Quadratic

        return Quadratic(curvatures=self.curvatures)

    @property
    def start_loss(self):
        return float(sum(0.5 * c * x**2 for c, x in zip(self.curvatures, self.start)))

    def rates(self, learning_rate):
        """The per-step rates of ``learning_rate`` (a number or any schedule) over the budget."""
        from lrlib.schedules import evaluate

        if isinstance(learning_rate, (int, float)) and not isinstance(learning_rate, bool):
            learning_rate = validation.positive("learning_rate", learning_rate)
        elif not callable(learning_rate):
            raise ValueError("`learning_rate` must be a number or a schedule, "
                             f"got {learning_rate!r}")
        rates = evaluate(learning_rate, self.steps)
        if not np.all(np.isfinite(rates)) or np.any(rates < 0):
            raise ValueError("`learning_rate` must give finite rates >= 0 at every step")
        return rates

    def run(self, learning_rate):
        """The expected loss with ``learning_rate`` (a number or any schedule): a :class:`BowlRun`.

        The run diverges when the expected loss exceeds
        :data:`lrlib.descent.DIVERGENCE_FACTOR` times the start's (as in :mod:`lrlib.descent`).
        """
        from lrlib.descent import DIVERGENCE_FACTOR

        rates = self.rates(learning_rate)
        lam = np.asarray(self.curvatures, dtype=float)
        second = np.asarray(self.start, dtype=float) ** 2
        limit = DIVERGENCE_FACTOR * max(self.start_loss, 1.0)
        losses = np.empty((self.steps + 1, lam.size))
        losses[0] = 0.5 * lam * second
        with np.errstate(over="ignore", invalid="ignore"):
            for t, eta in enumerate(rates):
                second = (1.0 - eta * lam) ** 2 * second + (eta * self.noise) ** 2
                losses[t + 1] = 0.5 * lam * second
                total = losses[t + 1].sum()
                if not np.isfinite(total) or total > limit:
                    return BowlRun(rates, losses[: t + 1], t + 1)
        return BowlRun(rates, losses, None)

    def simulate(self, learning_rate, runs=500, seed=0):
        """The mean loss over ``runs`` simulated runs (:func:`lrlib.descent.descend_many`).

        Returns an array of shape ``(steps + 1,)``; it approaches :meth:`run`'s
        ``mean_losses`` as ``runs`` grows.
        """
        from lrlib.descent import descend_many

        runs = validation.positive_integer("runs", runs)
        starts = np.tile(np.asarray(self.start, dtype=float), (runs, 1))
        ensemble = descend_many(self.landscape, starts, self.rates(learning_rate), self.steps,
                                noise=self.noise, seed=seed)
        return ensemble.losses.mean(axis=1)

    def floor(self, learning_rate):
        """The stationary expected loss at a constant rate: $\\sum_i \\eta\\sigma^2/(2(2-\\eta\\lambda_i))$.

        Infinite when $\\eta \\ge 2/\\lambda_{max}$ (gradient descent diverges).
        """
        eta = validation.positive("learning_rate", learning_rate)
        if eta * max(self.curvatures) >= 2.0:
            return math.inf
        return float(sum(eta * self.noise**2 / (2.0 * (2.0 - eta * c))
                         for c in self.curvatures))

    def best_constant(self, low=0.01, high=1.0, count=61):
        """The constant rate (of ``count`` log-spaced ones) with the lowest final loss.

        Returns ``(rate, final_loss)``.
        """
        low, high = validation.positive("low", low), validation.positive("high", high)
        count = validation.integer("count", count, low=2)
        if high <= low:
            raise ValueError(f"`high` must be > `low`, got {high!r} <= {low!r}")
        return _best_constant(self, low, high, count)


@functools.lru_cache(maxsize=16)
def _best_constant(bowl, low, high, count):
    rates = np.geomspace(low, high, count)
    finals = [bowl.run(float(rate)).final_loss() for rate in rates]
    best = int(np.argmin(finals))
    return float(rates[best]), float(finals[best])


#: The chapters' noisy bowl (curvatures 1 and 0.05, start (2, 4), noise 1, 430 steps).
NOISY_BOWL = NoisyBowl()
