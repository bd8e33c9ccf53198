"""Learning-rate schedules for Keras 3, one class per schedule.

Every schedule here is a ``keras.optimizers.schedules.LearningRateSchedule`` written with
``keras.ops``, so one definition serves three uses:

- as ``learning_rate=`` of any Keras optimizer, compiled inside ``model.fit``;
- called on a Python int, it returns that step's rate as a float;
- called on a 1-D NumPy array of steps, it returns all the rates at once (for plots).

The step ``t`` counts *optimizer steps* (batches), starting at 0, as Keras's optimizers do.
With ``n`` training examples and batch size ``b`` an epoch is ``ceil(n / b)`` steps.

Each class is registered with Keras under the package name ``lrlib``, so a model compiled
with it saves and loads with ``keras.models.load_model`` and no ``custom_objects``.

Keras 3 already has ``ExponentialDecay``, ``CosineDecay`` and ``CosineDecayRestarts``; the
versions here compute the same values (the tests check it) and share this module's
conventions. Keras 3 has no cyclical, one-cycle, general warmup, warmup-stable-decay or
inverse-square-root schedule; this module adds them.
"""

import math
import numbers

import keras
import numpy as np
from keras import ops

from lrlib import validation
from lrlib.tensors import to_float, to_numpy

__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "CosineAnnealing",
    "WarmRestarts",
    "CyclicalLearningRate",
    "OneCycle",
    "Warmup",
    "PlateauScaled",
    "WarmupStableDecay",
    "InverseSquareRoot",
    "evaluate",
    "mean_rate",
    "cosine_anneal",
    "FAMILIES",
    "BUDGET_FAMILIES",
    "for_budget",
]

_FLOAT = "float32"


def _register(cls):
    return keras.saving.register_keras_serializable(package="lrlib")(cls)


def _const(value, like):
    """``value`` as a tensor of the same float type as ``like``."""
    return ops.convert_to_tensor(value, dtype=keras.backend.standardize_dtype(like.dtype))


def cosine_anneal(start, end, fraction):
    """Half a cosine from ``start`` (at fraction 0) to ``end`` (at fraction 1).

    $$\\eta = \\eta_{end} + \\tfrac12 (\\eta_{start} - \\eta_{end}) (1 + \\cos \\pi f)$$

    The one half-cosine of lrlib: :class:`CosineAnnealing`, :class:`WarmRestarts` and
    :class:`OneCycle` are made of it. ``fraction`` is a number or a NumPy array (computed with
    NumPy) or a Keras tensor (computed with ``keras.ops``, as inside a schedule).

    Example:
        >>> from lrlib.schedules import cosine_anneal
        >>> cosine_anneal(1.0, 0.0, [0.0, 0.25, 0.5, 1.0]).round(4).tolist()
        [1.0, 0.8536, 0.5, 0.0]
    """
    if isinstance(fraction, (numbers.Real, np.ndarray, np.generic, list, tuple)):
        cos = np.cos(math.pi * np.asarray(fraction, dtype=np.float64))
    else:
        cos = ops.cos(math.pi * fraction)
    return end + (start - end) * 0.5 * (1.0 + cos)


class Schedule(keras.optimizers.schedules.LearningRateSchedule):
    """Base class: subclasses implement ``_rate(t)`` with ``keras.ops`` on a float32 tensor.

    ``__call__`` accepts what Keras passes (an integer tensor or variable, returning a tensor)
    and, for convenience, a Python or NumPy number (returning a float) or a NumPy array of
    steps (returning a float64 array of the same shape).
    """

    def _rate(self, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, step):
        if isinstance(step, (str, bytes)):
            raise ValueError(f"`step` must be a number or an array of numbers, got {step!r}")
        if isinstance(step, (numbers.Number, np.ndarray, list, tuple)):
            steps = np.asarray(step)
            if steps.dtype == bool or not np.issubdtype(steps.dtype, np.number):
                raise ValueError(f"`step` must be a number or an array of numbers, got {step!r}")
            if steps.size and (not np.all(np.isfinite(steps)) or np.min(steps) < 0):
                raise ValueError("`step` must be finite and >= 0")
            # NumPy input is computed in float64, so plotted values are exact.
            values = self._rate(ops.convert_to_tensor(steps, dtype="float64"))
            values = np.asarray(to_numpy(values), dtype=np.float64)
            return float(values) if steps.ndim == 0 else values
        return self._rate(ops.cast(step, _FLOAT))

    def get_config(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash((type(self).__name__, repr(self)))


@_register
class Constant(Schedule):
    """A constant learning rate, as a schedule.

    $$\\eta_t = \\eta$$

    Useful as a baseline that goes through the same code path as the other schedules, and
    inside :class:`Warmup`.

    Example:
        >>> from lrlib.schedules import Constant
        >>> Constant(0.1)(500)
        0.1...
    """

    def __init__(self, learning_rate):
        super().__init__()
        self.learning_rate = validation.positive("learning_rate", learning_rate)

    def _rate(self, t):
        return ops.zeros_like(t) + self.learning_rate

    def get_config(self):
        return {"learning_rate": self.learning_rate}


@_register
class StepDecay(Schedule):
    """Step decay: multiply the rate by ``drop_factor`` every ``drop_every`` steps.

    $$\\eta_t = \\eta_0 \\, f^{\\lfloor t / s \\rfloor}$$

    with $\\eta_0$ = ``initial_learning_rate``, $f$ = ``drop_factor`` and $s$ = ``drop_every``.
    Reference: PyTorch ``StepLR``; Keras's ``PiecewiseConstantDecay`` gives the same curve
    with explicit boundaries.

    Args:
        initial_learning_rate: the rate for steps ``0 .. drop_every - 1`` (> 0).
        drop_factor: the factor applied at each drop, in (0, 1].
        drop_every: steps between drops (a positive integer).

    Example:
        >>> from lrlib.schedules import StepDecay
        >>> schedule = StepDecay(0.1, drop_factor=0.5, drop_every=100)
        >>> round(schedule(250), 6)
        0.025
    """

    def __init__(self, initial_learning_rate, drop_factor, drop_every):
        super().__init__()
        self.initial_learning_rate = validation.positive(
            "initial_learning_rate", initial_learning_rate
        )
        self.drop_factor = validation.real(
            "drop_factor", drop_factor, low=0.0, high=1.0, low_open=True
        )
        self.drop_every = validation.positive_integer("drop_every", drop_every)

    def _rate(self, t):
        drops = ops.floor(t / self.drop_every)
        return self.initial_learning_rate * ops.power(_const(self.drop_factor, t), drops)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "drop_factor": self.drop_factor,
            "drop_every": self.drop_every,
        }


@_register
class ExponentialDecay(Schedule):
    """Exponential decay, the same values as ``keras.optimizers.schedules.ExponentialDecay``.

    $$\\eta_t = \\eta_0 \\, r^{t / T} \\qquad\\text{or, with staircase,}\\qquad
      \\eta_t = \\eta_0 \\, r^{\\lfloor t / T \\rfloor}$$

    with $r$ = ``decay_rate`` and $T$ = ``decay_steps``: the rate is multiplied by $r$ every
    $T$ steps. Its half-life is $T \\ln 2 / \\ln(1/r)$ steps. Reference: Keras
    ``ExponentialDecay``, optax ``exponential_decay``.

    Args:
        initial_learning_rate: the rate at step 0 (> 0).
        decay_steps: $T$, a positive integer.
        decay_rate: $r$, in (0, 1].
        staircase: if true, decay in discrete jumps every ``decay_steps`` steps.

    Example:
        >>> from lrlib.schedules import ExponentialDecay
        >>> schedule = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.5)
        >>> round(schedule(2000), 6)
        0.025
        >>> round(schedule.half_life, 1)
        1000.0
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        super().__init__()
        self.initial_learning_rate = validation.positive(
            "initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = validation.positive_integer("decay_steps", decay_steps)
        self.decay_rate = validation.real(
            "decay_rate", decay_rate, low=0.0, high=1.0, low_open=True
        )
        if not isinstance(staircase, bool):
            raise ValueError(f"`staircase` must be True or False, got {staircase!r}")
        self.staircase = staircase

    @property
    def half_life(self):
        """Steps until the rate has halved: $T \\ln 2 / \\ln(1/r)$ (infinite when $r = 1$)."""
        if self.decay_rate == 1.0:
            return math.inf
        return self.decay_steps * math.log(2.0) / math.log(1.0 / self.decay_rate)

    def _rate(self, t):
        exponent = t / self.decay_steps
        if self.staircase:
            exponent = ops.floor(exponent)
        return self.initial_learning_rate * ops.power(_const(self.decay_rate, t), exponent)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


@_register
class CosineAnnealing(Schedule):
    """Cosine annealing from ``initial_learning_rate`` down to ``minimum_learning_rate``.

    $$\\eta_t = \\eta_{min} + \\tfrac12 (\\eta_0 - \\eta_{min})
      \\left(1 + \\cos\\frac{\\pi \\min(t, T)}{T}\\right)$$

    with $T$ = ``decay_steps``; after $T$ steps the rate stays at $\\eta_{min}$. Gentle at
    first, steepest in the middle, gentle again at the end. Reference: Loshchilov and Hutter
    (2017); PyTorch ``CosineAnnealingLR``; Keras ``CosineDecay`` with
    ``alpha = minimum_learning_rate / initial_learning_rate``.

    Args:
        initial_learning_rate: the rate at step 0 (> 0).
        decay_steps: $T$, a positive integer.
        minimum_learning_rate: the floor, in [0, initial_learning_rate).

    Example:
        >>> from lrlib.schedules import CosineAnnealing
        >>> schedule = CosineAnnealing(0.1, decay_steps=1000, minimum_learning_rate=0.01)
        >>> round(schedule(500), 6)
        0.055
    """

    def __init__(self, initial_learning_rate, decay_steps, minimum_learning_rate=0.0):
        super().__init__()
        self.initial_learning_rate = validation.positive(
            "initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = validation.positive_integer("decay_steps", decay_steps)
        self.minimum_learning_rate = validation.real(
            "minimum_learning_rate",
            minimum_learning_rate,
            low=0.0,
            high=self.initial_learning_rate,
            high_open=True,
        )

    def _rate(self, t):
        fraction = ops.minimum(t, float(self.decay_steps)) / self.decay_steps
        return cosine_anneal(self.initial_learning_rate, self.minimum_learning_rate, fraction)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "minimum_learning_rate": self.minimum_learning_rate,
        }


@_register
class WarmRestarts(Schedule):
    """Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter 2017).

    Cycle $i = 0, 1, \\dots$ lasts $T_i = T_0 m^i$ steps; within it, with $t_i$ steps done,

    $$\\eta_t = \\eta_{min} + p^i (\\eta_0 - \\eta_{min}) \\cdot
      \\tfrac12 \\left(1 + \\cos\\frac{\\pi t_i}{T_i}\\right)$$

    with $T_0$ = ``first_cycle_steps``, $m$ = ``cycle_multiplier`` and $p$ =
    ``peak_multiplier``. At each restart the rate jumps back up to $\\eta_{min} + p^i(\\eta_0 -
    \\eta_{min})$. The values equal Keras's ``CosineDecayRestarts(initial_learning_rate,
    first_cycle_steps, t_mul=m, m_mul=p, alpha=minimum_learning_rate / initial_learning_rate)``;
    PyTorch's ``CosineAnnealingWarmRestarts`` is the case $p = 1$.

    Args:
        initial_learning_rate: the peak of the first cycle (> 0).
        first_cycle_steps: $T_0$, a positive integer.
        cycle_multiplier: $m \\ge 1$; each cycle is $m$ times longer than the one before.
        peak_multiplier: $p$ in (0, 1]; each peak (above the floor) is $p$ times the one before.
        minimum_learning_rate: the floor, in [0, initial_learning_rate).

    Example:
        >>> from lrlib.schedules import WarmRestarts
        >>> schedule = WarmRestarts(0.1, first_cycle_steps=100, cycle_multiplier=2.0)
        >>> [round(schedule(t), 4) for t in (0, 50, 99, 100, 300)]
        [0.1, 0.05, 0.0, 0.1, 0.1]
    """

    def __init__(
        self,
        initial_learning_rate,
        first_cycle_steps,
        cycle_multiplier=2.0,
        peak_multiplier=1.0,
        minimum_learning_rate=0.0,
    ):
        super().__init__()
        self.initial_learning_rate = validation.positive(
            "initial_learning_rate", initial_learning_rate
        )
        self.first_cycle_steps = validation.positive_integer("first_cycle_steps", first_cycle_steps)
        self.cycle_multiplier = validation.real("cycle_multiplier", cycle_multiplier, low=1.0)
        self.peak_multiplier = validation.real(
            "peak_multiplier", peak_multiplier, low=0.0, high=1.0, low_open=True
        )
        self.minimum_learning_rate = validation.real(
            "minimum_learning_rate",
            minimum_learning_rate,
            low=0.0,
            high=self.initial_learning_rate,
            high_open=True,
        )

    def cycle_starts(self, count):
        """The steps at which the first ``count`` cycles start (restart points)."""
        count = validation.positive_integer("count", count)
        lengths = self.first_cycle_steps * self.cycle_multiplier ** np.arange(count)
        return np.concatenate([[0.0], np.cumsum(lengths)[:-1]])

    def _cycle_start(self, cycle):
        """Start of cycle ``cycle``, in units of ``first_cycle_steps``."""
        m = self.cycle_multiplier
        if m == 1.0:
            return cycle
        return (ops.power(_const(m, cycle), cycle) - 1.0) / (m - 1.0)

    def _rate(self, t):
        m = self.cycle_multiplier
        progress = t / self.first_cycle_steps  # in units of the first cycle
        if m == 1.0:
            cycle = ops.floor(progress)
        else:
            cycle = ops.floor(ops.log(1.0 + progress * (m - 1.0)) / math.log(m))
            # Logarithms round: move to the neighbouring cycle where the guess is off by one.
            cycle = ops.where(progress >= self._cycle_start(cycle + 1.0), cycle + 1.0, cycle)
            cycle = ops.where(progress < self._cycle_start(cycle), cycle - 1.0, cycle)
        length = ops.power(_const(m, t), cycle)
        fraction = (progress - self._cycle_start(cycle)) / length
        peak = ops.power(_const(self.peak_multiplier, t), cycle)
        low = self.minimum_learning_rate
        return cosine_anneal(low + peak * (self.initial_learning_rate - low), low, fraction)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_cycle_steps": self.first_cycle_steps,
            "cycle_multiplier": self.cycle_multiplier,
            "peak_multiplier": self.peak_multiplier,
            "minimum_learning_rate": self.minimum_learning_rate,
        }


@_register
class CyclicalLearningRate(Schedule):
    """Cyclical learning rate (Smith 2017): a triangle wave between two bounds.

    $$c = \\left\\lfloor 1 + \\frac{t}{2s} \\right\\rfloor,\\quad
      x = \\left| \\frac{t}{s} - 2c + 1 \\right|,\\quad
      \\eta_t = \\eta_{lo} + (\\eta_{hi} - \\eta_{lo}) \\max(0, 1 - x)\\, g_t$$

    with $\\eta_{lo}$ = ``initial_learning_rate``, $\\eta_{hi}$ = ``maximal_learning_rate``,
    $s$ = ``step_size`` (half a cycle) and the amplitude scale $g_t$ set by ``mode``:
    ``"triangular"`` $g=1$; ``"triangular2"`` $g = 1/2^{c-1}$ (halved every cycle);
    ``"exp_range"`` $g = \\gamma^t$. Reference: Smith (2017), "Cyclical Learning Rates for
    Training Neural Networks"; PyTorch ``CyclicLR``; tensorflow-addons
    ``CyclicalLearningRate`` (end of life, not for Keras 3).

    Args:
        initial_learning_rate: the lower bound (> 0).
        maximal_learning_rate: the upper bound (> initial_learning_rate).
        step_size: steps from the lower to the upper bound (half a cycle), a positive integer.
            Smith suggests 2 to 10 epochs' worth of steps.
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: the per-step factor of ``"exp_range"``, in (0, 1].

    Example:
        >>> from lrlib.schedules import CyclicalLearningRate
        >>> schedule = CyclicalLearningRate(0.001, 0.006, step_size=2000)
        >>> [round(schedule(t), 4) for t in (0, 1000, 2000, 4000)]
        [0.001, 0.0035, 0.006, 0.001]
    """

    MODES = ("triangular", "triangular2", "exp_range")

    def __init__(
        self,
        initial_learning_rate,
        maximal_learning_rate,
        step_size,
        mode="triangular",
        gamma=1.0,
    ):
        super().__init__()
        self.initial_learning_rate = validation.positive(
            "initial_learning_rate", initial_learning_rate
        )
        self.maximal_learning_rate = validation.real(
            "maximal_learning_rate",
            maximal_learning_rate,
            low=self.initial_learning_rate,
            low_open=True,
        )
        self.step_size = validation.positive_integer("step_size", step_size)
        self.mode = validation.choice("mode", mode, self.MODES)
        self.gamma = validation.real("gamma", gamma, low=0.0, high=1.0, low_open=True)

    def _rate(self, t):
        s = float(self.step_size)
        cycle = ops.floor(1.0 + t / (2.0 * s))
        x = ops.abs(t / s - 2.0 * cycle + 1.0)
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1.0 / ops.power(_const(2.0, t), cycle - 1.0)
        else:
            scale = ops.power(_const(self.gamma, t), t)
        amplitude = self.maximal_learning_rate - self.initial_learning_rate
        return self.initial_learning_rate + amplitude * ops.maximum(0.0, 1.0 - x) * scale

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "maximal_learning_rate": self.maximal_learning_rate,
            "step_size": self.step_size,
            "mode": self.mode,
            "gamma": self.gamma,
        }


@_register
class OneCycle(Schedule):
    """The one-cycle policy (Smith and Topin 2019), with PyTorch ``OneCycleLR``'s defaults.

    The rate rises from $\\eta_{max}/d_0$ to $\\eta_{max}$ over the first
    ``warmup_fraction`` of ``total_steps``, then falls to $\\eta_{max}/(d_0 d_1)$ at the last
    step, both halves along a half cosine:

    $$\\eta_t = \\begin{cases}
      \\text{cos}(\\eta_{max}/d_0 \\to \\eta_{max};\\ t / t_1) & t \\le t_1 \\\\
      \\text{cos}(\\eta_{max} \\to \\eta_{max}/(d_0 d_1);\\ (t - t_1)/(t_2 - t_1)) & t > t_1
    \\end{cases}$$

    where $\\text{cos}(a \\to b; u) = b + \\tfrac12(a - b)(1 + \\cos \\pi u)$,
    $t_1 = \\text{warmup\\_fraction} \\cdot \\text{total\\_steps} - 1$ and
    $t_2 = \\text{total\\_steps} - 1$ (PyTorch's step indexing), $d_0$ = ``initial_divisor``,
    $d_1$ = ``final_divisor``. After ``total_steps`` the rate stays at its final value (PyTorch
    raises an error instead).

    The literature disagrees on the details: PyTorch starts at $\\eta_{max}/25$, peaks at 30%
    and ends at $\\eta_{max}/(25 \\cdot 10^4)$; Smith and Topin's paper uses linear ramps and
    a short last phase far below the start; fastai peaks at 25%, ends at $\\eta_{max}/10^5$ and
    indexes its steps differently.

    **fastai, exactly.** ``Learner.fit_one_cycle(n_epoch, lr_max, div=25., div_final=1e5,
    pct_start=0.25)`` (``fastai/callback/schedule.py``: ``fit_one_cycle`` builds
    ``combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final)`` from ``combine_scheds``
    and ``sched_cos``; ``ParamScheduler.before_batch`` applies it) gives iteration
    $i = 0, \\dots, N - 1$ ($N$ = ``n_epoch`` times the batches per epoch) the rate at the
    fraction of training done $p = i/N$ (``pct_train``, counted by ``TrainEvalCallback`` in
    ``fastai/callback/core.py``): a half cosine from ``lr_max/div`` up to ``lr_max`` for
    $p <$ ``pct_start``, then down towards ``lr_max/div_final``, which it would reach at
    $p = 1$, i.e. at step $N$, one past the last. In the formula above that is
    $t_1 = \\text{pct\\_start} \\cdot N$ and $t_2 = N$, so

    $$\\text{total\\_steps} = N + 1, \\quad
      \\text{warmup\\_fraction} = \\frac{\\text{pct\\_start} \\cdot N + 1}{N + 1}, \\quad
      d_0 = \\text{div}, \\quad d_1 = \\text{div\\_final} / \\text{div}$$

    reproduce fastai's rates at steps $0, \\dots, N - 1$ exactly, whether or not
    $\\text{pct\\_start} \\cdot N$ is a whole number (:meth:`fastai` builds this schedule).
    fastai peaks at step $\\text{pct\\_start} \\cdot N$, one step later than PyTorch's
    $\\text{pct\\_start} \\cdot N - 1$, and never reaches ``lr_max/div_final``. The
    PyTorch-style ``OneCycle(lr_max, N, warmup_fraction=0.25, final_divisor=1e5 / 25)`` is
    only close: its rise is one step shorter and it ends exactly at $\\eta_{max}/10^5$. (fastai
    keeps the phase boundaries in a float32 tensor, so it computes the position within a
    phase in float32; that rounding shows only on the last, smallest rates, around
    $10^{-5}$ relative for $N = 1000$.)

    Args:
        maximal_learning_rate: the peak rate (> 0).
        total_steps: the length of training in steps (an integer >= 2).
        warmup_fraction: the share of steps spent rising, in (0, 1).
        initial_divisor: $d_0 \\ge 1$, the start is $\\eta_{max}/d_0$.
        final_divisor: $d_1 \\ge 1$, the end is $\\eta_{max}/(d_0 d_1)$.

    Example:
        >>> from lrlib.schedules import OneCycle
        >>> schedule = OneCycle(0.1, total_steps=1000)
        >>> [round(schedule(t), 6) for t in (0, 299, 999)]
        [0.004, 0.1, 0.0]

        fastai's ``fit_one_cycle(lr_max=0.1)`` over 1000 iterations, and the near miss:

        >>> import math
        >>> import numpy as np
        >>> fastai = OneCycle.fastai(0.1, n_iterations=1000)
        >>> fastai.total_steps, fastai.warmup_fraction, fastai.final_divisor
        (1001, 0.25074925074925075, 4000.0)
        >>> p = 100 / 1000  # iteration 100: fastai's sched_cos(0.1/25, 0.1, p/0.25)
        >>> round(0.004 + (1 + math.cos(math.pi * (1 - p / 0.25))) * (0.1 - 0.004) / 2, 9)
        0.037167184
        >>> round(fastai(100), 9)
        0.037167184
        >>> near = OneCycle(0.1, 1000, warmup_fraction=0.25, final_divisor=1e5 / 25)
        >>> steps = np.arange(1000)
        >>> int(fastai(steps).argmax()), int(near(steps).argmax())
        (250, 249)
        >>> f"{fastai(999):.3g}", f"{near(999):.3g}"
        ('1.44e-06', '1e-06')
    """

    def __init__(
        self,
        maximal_learning_rate,
        total_steps,
        warmup_fraction=0.3,
        initial_divisor=25.0,
        final_divisor=1e4,
    ):
        super().__init__()
        self.maximal_learning_rate = validation.positive(
            "maximal_learning_rate", maximal_learning_rate
        )
        self.total_steps = validation.integer("total_steps", total_steps, low=2)
        self.warmup_fraction = validation.real(
            "warmup_fraction", warmup_fraction, low=0.0, high=1.0, low_open=True, high_open=True
        )
        self.initial_divisor = validation.real("initial_divisor", initial_divisor, low=1.0)
        self.final_divisor = validation.real("final_divisor", final_divisor, low=1.0)
        if self.peak_step <= 0:
            raise ValueError(
                "`total_steps` is too small for `warmup_fraction`: the peak would come at step "
                f"{self.peak_step:g} (warmup_fraction * total_steps - 1 must be > 0)"
            )

    @property
    def peak_step(self):
        """The step at which the rate reaches ``maximal_learning_rate``."""
        return self.warmup_fraction * self.total_steps - 1.0

    @classmethod
    def fastai(cls, lr_max, n_iterations, pct_start=0.25, div=25.0, div_final=1e5):
        """The ``OneCycle`` whose steps ``0 .. n_iterations - 1`` are fastai's one-cycle rates.

        The arguments are those of fastai's ``Learner.fit_one_cycle``, with its defaults;
        ``n_iterations`` is its number of optimizer steps, ``n_epoch`` times the batches per
        epoch. Returns an ordinary ``OneCycle`` (see the class docstring for the mapping):
        ``OneCycle(lr_max, n_iterations + 1, (pct_start * n_iterations + 1) /
        (n_iterations + 1), div, div_final / div)``.

        Args:
            lr_max: the peak rate (> 0); a single number (fastai also takes one per group).
            n_iterations: the number of training steps $N$, a positive integer.
            pct_start: the share of training spent rising, in (0, 1).
            div: the start is ``lr_max / div``; >= 1.
            div_final: fastai's end is ``lr_max / div_final``; >= ``div``.
        """
        lr_max = validation.positive("lr_max", lr_max)
        n = validation.positive_integer("n_iterations", n_iterations)
        pct_start = validation.real(
            "pct_start", pct_start, low=0.0, high=1.0, low_open=True, high_open=True
        )
        div = validation.real("div", div, low=1.0)
        div_final = validation.real("div_final", div_final, low=div)
        return cls(
            lr_max,
            total_steps=n + 1,
            warmup_fraction=(pct_start * n + 1.0) / (n + 1.0),
            initial_divisor=div,
            final_divisor=div_final / div,
        )

    @property
    def initial_learning_rate(self):
        """The rate at step 0, $\\eta_{max}/d_0$."""
        return self.maximal_learning_rate / self.initial_divisor

    @property
    def final_learning_rate(self):
        """The rate at the last step, $\\eta_{max}/(d_0 d_1)$."""
        return self.initial_learning_rate / self.final_divisor

    def _rate(self, t):
        last = float(self.total_steps - 1)
        peak = self.peak_step
        t = ops.minimum(t, last)
        rising = cosine_anneal(self.initial_learning_rate, self.maximal_learning_rate, t / peak)
        falling = cosine_anneal(
            self.maximal_learning_rate, self.final_learning_rate, (t - peak) / (last - peak)
        )
        return ops.where(t <= peak, rising, falling)

    def get_config(self):
        return {
            "maximal_learning_rate": self.maximal_learning_rate,
            "total_steps": self.total_steps,
            "warmup_fraction": self.warmup_fraction,
            "initial_divisor": self.initial_divisor,
            "final_divisor": self.final_divisor,
        }


def _wrapped(schedule):
    """The ``schedule`` argument of a wrapper: any Keras schedule, or a number (a constant)."""
    if isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):
        return Constant(validation.positive("schedule", schedule))
    if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(
            f"`schedule` must be a keras LearningRateSchedule or a number, got {schedule!r}"
        )
    return schedule


def _rate_of(schedule, t):
    """A wrapped schedule at steps ``t``, in ``t``'s float type (float64 for NumPy)."""
    if isinstance(schedule, Schedule):
        return schedule._rate(t)
    return ops.cast(schedule(t), keras.backend.standardize_dtype(t.dtype))


@_register
class Warmup(Schedule):
    """Linear warmup in front of any schedule.

    $$\\eta_t = \\begin{cases}
      \\eta_{start} + (S(0) - \\eta_{start})\\, t / W & t < W \\\\
      S(t - W) & t \\ge W
    \\end{cases}$$

    with $S$ = ``schedule``, $W$ = ``warmup_steps`` and $\\eta_{start}$ =
    ``initial_learning_rate``: the wrapped schedule starts after the warmup, from its own step
    0, so its shape is kept whole. Keras only offers warmup inside ``CosineDecay``; optax has
    ``warmup_*`` schedules; Goyal et al. (2017) use a linear warmup of 5 epochs.

    Args:
        schedule: any Keras ``LearningRateSchedule`` (lrlib's or Keras's) or a constant rate.
        warmup_steps: $W$, a positive integer.
        initial_learning_rate: the rate at step 0, in [0, S(0)]; 0 by default.

    Example:
        >>> from lrlib.schedules import CosineAnnealing, Warmup
        >>> schedule = Warmup(CosineAnnealing(0.1, decay_steps=1000), warmup_steps=100)
        >>> [round(schedule(t), 4) for t in (0, 50, 100, 1100)]
        [0.0, 0.05, 0.1, 0.0]
    """

    def __init__(self, schedule, warmup_steps, initial_learning_rate=0.0):
        super().__init__()
        self.schedule = schedule = _wrapped(schedule)
        self.warmup_steps = validation.positive_integer("warmup_steps", warmup_steps)
        target = float(evaluate(schedule, np.zeros(1))[0])
        self.initial_learning_rate = validation.real(
            "initial_learning_rate", initial_learning_rate, low=0.0, high=target
        )

    def _rate(self, t):
        target = _rate_of(self.schedule, ops.zeros_like(t))
        after = _rate_of(self.schedule, ops.maximum(t - self.warmup_steps, 0.0))
        start = self.initial_learning_rate
        ramp = start + (target - start) * (t / self.warmup_steps)
        return ops.where(t < self.warmup_steps, ramp, after)

    def get_config(self):
        return {
            "schedule": keras.saving.serialize_keras_object(self.schedule),
            "warmup_steps": self.warmup_steps,
            "initial_learning_rate": self.initial_learning_rate,
        }

    def __repr__(self):
        return (
            f"Warmup(schedule={self.schedule!r}, warmup_steps={self.warmup_steps!r}, "
            f"initial_learning_rate={self.initial_learning_rate!r})"
        )

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["schedule"] = keras.saving.deserialize_keras_object(config["schedule"])
        return cls(**config)


@_register
class PlateauScaled(Schedule):
    """Any schedule times a factor that a callback can lower: schedules with plateau reduction.

    $$\\eta_t = s \\cdot S(t)$$

    with $S$ = ``schedule`` and $s$ = ``scale``, a factor held in a Keras variable (1 at
    first). The optimizer reads $s$ at every step, so lowering it (with
    :class:`lrlib.callbacks.ReduceScaleOnPlateau`, or :meth:`set_scale`) scales the whole
    rest of the schedule down while keeping its shape. Keras's ``ReduceLROnPlateau`` cannot
    do this: it sets ``optimizer.learning_rate``, which raises a ``TypeError`` when the
    optimizer was built with a schedule.

    The current factor is part of the configuration, so a model saved after two reductions
    loads with $s = 1/4$ (for a factor of 1/2).

    Args:
        schedule: any Keras ``LearningRateSchedule`` (lrlib's or Keras's) or a constant rate.
        scale: the starting factor $s$, > 0; 1 by default.

    Example:
        >>> from lrlib.schedules import CosineAnnealing, PlateauScaled
        >>> schedule = PlateauScaled(CosineAnnealing(0.1, decay_steps=1000))
        >>> round(schedule(500), 6)
        0.05
        >>> schedule.set_scale(0.5)
        >>> round(schedule(500), 6), schedule.scale
        (0.025, 0.5)
    """

    def __init__(self, schedule, scale=1.0):
        super().__init__()
        self.schedule = _wrapped(schedule)
        scale = validation.positive("scale", scale)
        self.scale_variable = keras.Variable(
            scale, dtype=_FLOAT, trainable=False, name="plateau_scale"
        )

    @property
    def scale(self):
        """The current factor $s$, as a float."""
        return to_float(self.scale_variable)

    def set_scale(self, scale):
        """Set the factor $s$ (> 0); the optimizer uses it from its next step on."""
        self.scale_variable.assign(validation.positive("scale", scale))

    def _rate(self, t):
        dtype = keras.backend.standardize_dtype(t.dtype)
        return ops.cast(self.scale_variable, dtype) * _rate_of(self.schedule, t)

    def get_config(self):
        return {
            "schedule": keras.saving.serialize_keras_object(self.schedule),
            "scale": self.scale,
        }

    def __repr__(self):
        return f"PlateauScaled(schedule={self.schedule!r}, scale={self.scale!r})"

    def __hash__(self):  # the scale changes during training: hash what does not
        return hash(("PlateauScaled", repr(self.schedule)))

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["schedule"] = keras.saving.deserialize_keras_object(config["schedule"])
        return cls(**config)


@_register
class WarmupStableDecay(Schedule):
    """Warmup, stable, decay (WSD): a linear warmup, a long plateau at the peak, a short decay.

    $$\\eta_t = \\begin{cases}
      \\eta_{max}\\, t / W & t < W \\\\
      \\eta_{max} & W \\le t < S \\\\
      \\eta_{end} + (\\eta_{max} - \\eta_{end})\\, f\\!\\left(\\frac{t - S}{D}\\right)
        & S \\le t < T \\\\
      \\eta_{end} & t \\ge T
    \\end{cases}
    \\qquad S = T - D$$

    with $\\eta_{max}$ = ``peak_learning_rate``, $T$ = ``total_steps``, $W$ =
    ``warmup_steps``, $D$ = ``decay_steps``, $\\eta_{end}$ = ``final_learning_rate`` and the
    decay shape $f(p)$ = $1 - p$ (``"linear"``), $\\tfrac12(1 + \\cos \\pi p)$
    (``"cosine"``) or $1 - \\sqrt{p}$ (``"sqrt"``). Steps count from 0, as Keras's optimizer
    iterations do: the warmup starts at 0 and reaches the peak at step $W$; the decay starts
    from the peak at step $S$ and reaches $\\eta_{end}$ at step $T$, where it stays. With
    $W = 0$ there is no warmup and step 0 already has the peak. Reference: Hu et al. (2024),
    *MiniCPM*; Hägele et al. (2024), *Scaling laws and compute-optimal training beyond fixed
    training durations* (the ``"sqrt"`` cooldown).

    Linear decay to zero over the whole budget is ``WarmupStableDecay(peak, T,
    warmup_steps=0, decay_steps=T)``: $\\eta_t = \\eta_{max}(1 - t/T)$, exactly Keras's
    ``PolynomialDecay(peak, T, end_learning_rate=0.0, power=1.0)`` (no other lrlib schedule
    gives it: :class:`CyclicalLearningRate` never reaches 0).

    Args:
        peak_learning_rate: $\\eta_{max}$, the plateau's rate (> 0).
        total_steps: $T$, a positive integer, at least ``warmup_steps + decay_steps``.
        warmup_steps: $W$, an integer >= 0 (0: no warmup).
        decay_steps: $D$, a positive integer.
        decay_shape: ``"linear"``, ``"cosine"`` or ``"sqrt"``.
        final_learning_rate: $\\eta_{end}$, in [0, peak_learning_rate]; 0 by default.

    Example:
        >>> import keras
        >>> from lrlib.schedules import WarmupStableDecay, evaluate
        >>> schedule = WarmupStableDecay(0.1, 1000, warmup_steps=100, decay_steps=200)
        >>> [round(schedule(t), 4) for t in (0, 50, 100, 799, 800, 900, 1000, 5000)]
        [0.0, 0.05, 0.1, 0.1, 0.1, 0.05, 0.0, 0.0]
        >>> linear = WarmupStableDecay(0.1, 1000, warmup_steps=0, decay_steps=1000)
        >>> keras_linear = keras.optimizers.schedules.PolynomialDecay(0.1, 1000, 0.0, power=1.0)
        >>> steps = [0, 1, 250, 999, 1000, 1500]
        >>> [round(x, 6) for x in evaluate(linear, steps)] == [
        ...     round(x, 6) for x in evaluate(keras_linear, steps)]
        True
    """

    MODES = ("linear", "cosine", "sqrt")

    def __init__(
        self,
        peak_learning_rate,
        total_steps,
        warmup_steps,
        decay_steps,
        decay_shape="linear",
        final_learning_rate=0.0,
    ):
        super().__init__()
        self.peak_learning_rate = validation.positive("peak_learning_rate", peak_learning_rate)
        self.total_steps = validation.positive_integer("total_steps", total_steps)
        self.warmup_steps = validation.integer("warmup_steps", warmup_steps, low=0)
        self.decay_steps = validation.positive_integer("decay_steps", decay_steps)
        self.decay_shape = validation.choice("decay_shape", decay_shape, self.MODES)
        self.final_learning_rate = validation.real(
            "final_learning_rate", final_learning_rate, low=0.0, high=self.peak_learning_rate
        )
        if self.warmup_steps + self.decay_steps > self.total_steps:
            raise ValueError(
                "`warmup_steps` + `decay_steps` must be <= `total_steps`, got "
                f"{self.warmup_steps} + {self.decay_steps} > {self.total_steps}"
            )

    @property
    def decay_start(self):
        """$S = T - D$, the first step of the decay."""
        return self.total_steps - self.decay_steps

    def _rate(self, t):
        peak, final = self.peak_learning_rate, self.final_learning_rate
        fraction = ops.clip((t - float(self.decay_start)) / float(self.decay_steps), 0.0, 1.0)
        if self.decay_shape == "linear":
            shape = 1.0 - fraction
        elif self.decay_shape == "cosine":
            shape = 0.5 * (1.0 + ops.cos(math.pi * fraction))
        else:
            shape = 1.0 - ops.sqrt(fraction)
        rate = ops.where(t < float(self.decay_start), peak, final + (peak - final) * shape)
        if self.warmup_steps:
            rate = ops.where(t < float(self.warmup_steps), peak * t / self.warmup_steps, rate)
        return rate

    def get_config(self):
        return {
            "peak_learning_rate": self.peak_learning_rate,
            "total_steps": self.total_steps,
            "warmup_steps": self.warmup_steps,
            "decay_steps": self.decay_steps,
            "decay_shape": self.decay_shape,
            "final_learning_rate": self.final_learning_rate,
        }


@_register
class InverseSquareRoot(Schedule):
    """A linear warmup, then decay with the inverse square root of the step.

    $$\\eta_t = \\begin{cases}
      \\eta_{max}\\, t / W & t < W \\\\
      \\eta_{max} \\sqrt{W / t} & t \\ge W
    \\end{cases}$$

    with $\\eta_{max}$ = ``peak_learning_rate`` and $W$ = ``warmup_steps``. Steps count from 0:
    step 0 has rate 0 (the warmup's start), step $W$ the peak, step $4W$ half the peak. The
    warmup is required ($W \\ge 1$): without it, $\\sqrt{W/t}$ has no value at $t = 0$.
    Reference: Vaswani et al. (2017), *Attention is all you need*, Eq. 3 (whose rate is
    $d^{-1/2} \\min(t^{-1/2}, t\\, W^{-3/2})$: $\\eta_{max} = (d W)^{-1/2}$ here); fairseq's
    ``inverse_sqrt``.

    Args:
        peak_learning_rate: $\\eta_{max}$, the rate at step $W$ (> 0).
        warmup_steps: $W$, a positive integer.

    Example:
        >>> from lrlib.schedules import InverseSquareRoot
        >>> schedule = InverseSquareRoot(0.1, warmup_steps=100)
        >>> [round(schedule(t), 4) for t in (0, 50, 100, 400, 10000)]
        [0.0, 0.05, 0.1, 0.05, 0.01]
    """

    def __init__(self, peak_learning_rate, warmup_steps):
        super().__init__()
        self.peak_learning_rate = validation.positive("peak_learning_rate", peak_learning_rate)
        self.warmup_steps = validation.positive_integer("warmup_steps", warmup_steps)

    def _rate(self, t):
        warmup = float(self.warmup_steps)
        ramp = self.peak_learning_rate * t / warmup
        decay = self.peak_learning_rate * ops.sqrt(warmup / ops.maximum(t, warmup))
        return ops.where(t < warmup, ramp, decay)

    def get_config(self):
        return {
            "peak_learning_rate": self.peak_learning_rate,
            "warmup_steps": self.warmup_steps,
        }


def evaluate(schedule, steps):
    """The rates of any schedule at the given steps, as a float64 NumPy array.

    ``schedule`` may be a number (a constant rate), an lrlib schedule, a Keras built-in
    schedule, or any callable of the step. ``steps`` is an int (meaning ``range(steps)``) or
    an array of steps.

    Example:
        >>> import keras
        >>> from lrlib.schedules import evaluate
        >>> evaluate(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5), [0, 10]).round(3)
        array([0.1 , 0.05])
    """
    if isinstance(steps, numbers.Integral) and not isinstance(steps, bool):
        steps = np.arange(validation.integer("steps", steps, low=0))
    steps = np.asarray(steps)
    if steps.dtype == bool or not np.issubdtype(steps.dtype, np.number):
        raise ValueError(f"`steps` must be an int or an array of step numbers, got {steps!r}")
    if isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):
        return np.full(steps.shape, validation.positive("schedule", schedule), dtype=np.float64)
    if isinstance(schedule, Schedule):
        return np.asarray(schedule(steps), dtype=np.float64)
    if not callable(schedule):
        raise ValueError(f"`schedule` must be a number or a callable of the step, got {schedule!r}")
    try:  # Keras's built-in schedules are written with keras.ops and take arrays...
        values = np.asarray(to_numpy(schedule(steps)), dtype=np.float64)
        if values.shape == steps.shape:
            return values
    except Exception:  # ...but some (CosineDecay with warmup) branch with ops.cond.
        pass
    flat = [to_float(schedule(int(s))) for s in steps.ravel()]
    return np.asarray(flat, dtype=np.float64).reshape(steps.shape)



def mean_rate(schedule, total_steps):
    r"""The mean learning rate over steps ``0 .. total_steps - 1``: the area under the
    schedule divided by the budget, $\bar\eta = \frac1T \sum_{t<T} \eta_t$.

    Two schedules with the same peak can deliver very different amounts of learning rate:
    compare them at equal mean rate too.

    Example:
        >>> from lrlib.schedules import StepDecay, mean_rate
        >>> round(mean_rate(StepDecay(1.0, 0.5, drop_every=100), 400), 4)
        0.4688
    """
    total = validation.positive_integer("total_steps", total_steps)
    return float(np.mean(evaluate(schedule, total)))


#: The schedule families of the course, in the order the chapters introduce them.
FAMILIES = ("constant", "step", "exponential", "cosine", "restarts", "cyclical", "one-cycle")

#: The families of the chapter on an unknown budget, apart from :data:`FAMILIES` (which the
#: other chapters iterate over): linear decay to zero, warmup-stable-decay with a linear and
#: a $1-\sqrt{p}$ cooldown, inverse square root with warmup.
BUDGET_FAMILIES = ("linear", "wsd", "wsd-sqrt", "inverse-sqrt")

#: The share of the budget that :func:`for_budget`'s ``"wsd"`` and ``"wsd-sqrt"`` cool down
#: over (Hägele et al. 2024 find 20% enough to match cosine), and the warmup of
#: ``"inverse-sqrt"``.
COOLDOWN_FRACTION = 0.2
WARMUP_FRACTION = 0.05


def for_budget(family, learning_rate, total_steps):
    r"""A schedule of ``family`` sized to a training budget of ``total_steps`` steps.

    ``learning_rate`` is the schedule's largest rate. The shapes are the usual defaults:

    - ``"constant"``: :class:`Constant`.
    - ``"step"``: :class:`StepDecay` halving every ``total_steps // 4`` steps. When
      ``total_steps`` is a multiple of 4 it drops three times and ends at 1/8; otherwise a
      fourth drop comes at step ``4 * (total_steps // 4)``, and the last
      ``total_steps % 4`` steps run at 1/16 (for 430 steps: drops at 107, 214, 321 and 428).
    - ``"exponential"``: smooth decay to 1% at the end of the budget.
    - ``"cosine"``: :class:`CosineAnnealing` to 0 over the budget.
    - ``"restarts"``: :class:`WarmRestarts` with three cycles (1, 2 and 4 sevenths).
    - ``"cyclical"``: four triangular cycles between ``learning_rate / 10`` and ``learning_rate``.
    - ``"one-cycle"``: :class:`OneCycle` with PyTorch's defaults.

    and those of :data:`BUDGET_FAMILIES`:

    - ``"linear"``: linear decay to 0 over the budget, $\eta_t = \eta_0 (1 - t/T)$:
      :class:`WarmupStableDecay` with no warmup and the whole budget as its decay.
    - ``"wsd"``, ``"wsd-sqrt"``: :class:`WarmupStableDecay` with no warmup, holding the peak
      and cooling down to 0 over the last :data:`COOLDOWN_FRACTION` (20%) of the budget,
      linearly or as $1 - \sqrt{p}$.
    - ``"inverse-sqrt"``: :class:`InverseSquareRoot` warming up over
      :data:`WARMUP_FRACTION` (5%) of the budget (the budget sets only its warmup).

    Example:
        >>> from lrlib.schedules import for_budget
        >>> for_budget("step", 0.1, total_steps=400)
        StepDecay(initial_learning_rate=0.1, drop_factor=0.5, drop_every=100)
    """
    family = validation.choice("family", family, FAMILIES + BUDGET_FAMILIES)
    learning_rate = validation.positive("learning_rate", learning_rate)
    total_steps = validation.integer("total_steps", total_steps, low=8)
    if family == "linear":
        return WarmupStableDecay(learning_rate, total_steps, warmup_steps=0,
                                 decay_steps=total_steps)
    if family in ("wsd", "wsd-sqrt"):
        return WarmupStableDecay(learning_rate, total_steps, warmup_steps=0,
                                 decay_steps=max(1, round(COOLDOWN_FRACTION * total_steps)),
                                 decay_shape="linear" if family == "wsd" else "sqrt")
    if family == "inverse-sqrt":
        return InverseSquareRoot(learning_rate,
                                 warmup_steps=max(1, round(WARMUP_FRACTION * total_steps)))
    if family == "constant":
        return Constant(learning_rate)
    if family == "step":
        return StepDecay(learning_rate, drop_factor=0.5, drop_every=total_steps // 4)
    if family == "exponential":
        return ExponentialDecay(learning_rate, decay_steps=total_steps, decay_rate=0.01)
    if family == "cosine":
        return CosineAnnealing(learning_rate, decay_steps=total_steps)
    if family == "restarts":
        return WarmRestarts(learning_rate, first_cycle_steps=math.ceil(total_steps / 7))
    if family == "cyclical":
        return CyclicalLearningRate(learning_rate / 10, learning_rate, step_size=total_steps // 8)
    return OneCycle(learning_rate, total_steps=total_steps)
