"""Gradient descent on the toy landscapes of :mod:`lrlib.course.landscapes`, NumPy only.

:func:`gradient_descent` runs one start and records the whole trajectory;
:func:`descend_many` runs many starts at once (vectorised) for maps and success rates.
Both take the learning rate as a number, as any schedule (lrlib's or Keras's), or as an
array of per-step rates.

The update, with momentum $\\mu$ as in Keras's ``SGD`` and gradient noise of size $\\sigma$:

$$v_{t+1} = \\mu v_t - \\eta_t (\\nabla L(x_t) + \\sigma \\xi_t), \\qquad x_{t+1} = x_t + v_{t+1},
\\qquad \\xi_t \\sim \\mathcal N(0, I).$$

A run *diverges* when its loss stops being finite or its loss gap above the lowest minimum
grows past :data:`LANDSCAPE_DIVERGENCE_FACTOR` times its starting gap (or 1, whichever is larger).
A diverged run stops there and reports ``diverged_at``; nothing raises, overflows or
returns NaN.
"""

import dataclasses
import numbers

import numpy as np

from lrlib import validation
from lrlib.course.landscapes import Landscape

__all__ = ["Trajectory", "Ensemble", "gradient_descent", "descend_many",
           "LANDSCAPE_DIVERGENCE_FACTOR"]

#: Divergence on a toy landscape (here, in :mod:`lrlib.course.basins` and on the noisy bowl of
#: :mod:`lrlib.course.noise`): a run has diverged once its loss gap above the lowest minimum
#: exceeds this many times its starting gap (or 1, whichever is larger). Larger than the
#: training logger's :data:`lrlib.callbacks.DIVERGED_LOSS_FACTOR` because a toy run is cheap
#: to follow further, and an oscillation that grows slowly must not be called diverged early.
LANDSCAPE_DIVERGENCE_FACTOR = 1e4


@dataclasses.dataclass(frozen=True)
class Trajectory:
    """One run of gradient descent.

    Attributes:
        points: iterates $x_0, \\dots$, shape ``(n + 1, d)``; cut before the step where a
            diverging run left the region (so every point is finite and plottable).
        losses: $L(x_t)$ for those points, shape ``(n + 1,)``.
        learning_rates: the rate used for each step taken, shape ``(n,)``.
        diverged: whether the run diverged.
        diverged_at: the step $k$ whose iterate $x_k$ diverged, or ``None``.
    """

    points: np.ndarray
    losses: np.ndarray
    learning_rates: np.ndarray
    diverged: bool
    diverged_at: int | None

    @property
    def final_point(self):
        return self.points[-1]

    @property
    def final_loss(self):
        return float(self.losses[-1])

    @property
    def steps_taken(self):
        return len(self.learning_rates)

    def describe(self):
        """One line for a figure or a printout: "diverged at step k" or the final loss."""
        if self.diverged:
            return f"diverged at step {self.diverged_at}"
        return f"final loss {self.final_loss:.3g} after {self.steps_taken} steps"


@dataclasses.dataclass(frozen=True)
class Ensemble:
    """Many runs of gradient descent from different starts.

    Attributes:
        points: shape ``(steps + 1, n, d)``; a diverged run keeps its last good point.
        losses: shape ``(steps + 1, n)``.
        learning_rates: shape ``(steps,)``.
        diverged: shape ``(n,)``, bool.
        diverged_at: shape ``(n,)``, the step of divergence or -1.
    """

    points: np.ndarray
    losses: np.ndarray
    learning_rates: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray

    @property
    def final_points(self):
        return self.points[-1]

    @property
    def final_losses(self):
        return self.losses[-1]


def _rates(learning_rate, steps):
    """The per-step learning rates as a float array of length ``steps``."""
    if isinstance(learning_rate, numbers.Real) and not isinstance(learning_rate, bool):
        return np.full(steps, validation.positive("learning_rate", learning_rate))
    if isinstance(learning_rate, (list, tuple, np.ndarray)):
        rates = np.asarray(learning_rate, dtype=float)
        if rates.shape != (steps,):
            raise ValueError(
                f"`learning_rate` given as an array needs one rate per step ({steps}), "
                f"got shape {rates.shape}"
            )
    elif callable(learning_rate):
        from lrlib.schedules import evaluate  # imports Keras: only when a schedule is used

        rates = evaluate(learning_rate, np.arange(steps))
    else:
        raise ValueError(
            f"`learning_rate` must be a number, a schedule or an array, got {learning_rate!r}"
        )
    if not np.all(np.isfinite(rates)) or np.any(rates < 0):
        raise ValueError("`learning_rate` must give finite rates >= 0 at every step")
    return rates


def _check_common(landscape, steps, momentum, noise, seed):
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be an lrlib landscape, got {landscape!r}")
    steps = validation.positive_integer("steps", steps)
    momentum = validation.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
    noise = validation.non_negative("noise", noise)
    if seed is not None:
        seed = validation.integer("seed", seed, low=0)
    return steps, momentum, noise, seed


def _starts(landscape, x0, name, batched):
    try:
        starts = np.asarray(x0, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`{name}` must be numbers, got {x0!r}") from error
    if not batched and landscape.dim == 1 and starts.ndim == 0:
        starts = starts[None]
    shape = "(n, d)" if batched else "(d,)"
    if starts.ndim != (2 if batched else 1) or starts.shape[-1] != landscape.dim:
        raise ValueError(
            f"`{name}` must have shape {shape} with d={landscape.dim}, got shape {starts.shape}"
        )
    if not np.all(np.isfinite(starts)):
        raise ValueError(f"`{name}` must be finite, got {x0!r}")
    return np.atleast_2d(starts)


def _run(landscape, starts, rates, momentum, noise, seed):
    """Vectorised core: returns points (steps+1, n, d), losses, diverged_at (n,) with -1."""
    rng = np.random.default_rng(seed)
    n, d = starts.shape
    steps = len(rates)
    points = np.empty((steps + 1, n, d))
    losses = np.empty((steps + 1, n))
    x = starts.copy()
    velocity = np.zeros_like(x)
    with np.errstate(all="ignore"):
        loss = landscape.loss(x)
        limit = LANDSCAPE_DIVERGENCE_FACTOR * np.maximum(loss - landscape.lowest_loss, 1.0)
        points[0], losses[0] = x, loss
        diverged_at = np.full(n, -1)
        active = np.ones(n, dtype=bool)
        for t, eta in enumerate(rates):
            g = landscape.grad(x)
            if noise:
                g = g + noise * rng.standard_normal(g.shape)
            new_velocity = momentum * velocity - eta * g
            new_x = x + new_velocity
            new_loss = landscape.loss(new_x)
            bad = active & ~(
                np.all(np.isfinite(new_x), axis=-1)
                & np.isfinite(new_loss)
                & (new_loss - landscape.lowest_loss <= limit)
            )
            diverged_at[bad] = t + 1
            active &= ~bad
            x = np.where(active[:, None], new_x, x)
            velocity = np.where(active[:, None], new_velocity, velocity)
            loss = np.where(active, new_loss, loss)
            points[t + 1], losses[t + 1] = x, loss
    return points, losses, diverged_at


def gradient_descent(landscape, x0, learning_rate, steps, momentum=0.0, noise=0.0, seed=None):
    """Run gradient descent from ``x0`` and return its :class:`Trajectory`.

    Args:
        landscape: an :class:`lrlib.course.landscapes.Landscape`.
        x0: the start, shape ``(d,)`` (a number for 1-D landscapes).
        learning_rate: a number > 0, a schedule (any callable of the step, such as an lrlib
            or Keras schedule), or an array of ``steps`` rates.
        steps: how many updates (a positive integer).
        momentum: heavy-ball momentum $\\mu$ in [0, 1), as in Keras's ``SGD``.
        noise: standard deviation $\\sigma$ of Gaussian noise added to each gradient (the
            minibatch noise of SGD, in its simplest model).
        seed: seed for the noise.

    Example:
        >>> from lrlib.course.landscapes import Quadratic
        >>> from lrlib.course.descent import gradient_descent
        >>> run = gradient_descent(Quadratic(curvatures=(10.0,)), x0=[1.0], learning_rate=0.1, steps=5)
        >>> run.final_loss          # eta = 1/lambda: one step to the minimum
        0.0
        >>> gradient_descent(Quadratic(curvatures=(10.0,)), [1.0], 0.3, steps=50).describe()
        'diverged at step 7'
    """
    steps, momentum, noise, seed = _check_common(landscape, steps, momentum, noise, seed)
    starts = _starts(landscape, x0, "x0", batched=False)
    rates = _rates(learning_rate, steps)
    points, losses, diverged_at = _run(landscape, starts, rates, momentum, noise, seed)
    k = int(diverged_at[0])
    if k < 0:
        return Trajectory(points[:, 0], losses[:, 0], rates, False, None)
    return Trajectory(points[:k, 0], losses[:k, 0], rates[: k - 1], True, k)


def descend_many(landscape, starts, learning_rate, steps, momentum=0.0, noise=0.0, seed=None):
    """Run gradient descent from every row of ``starts`` at once; returns an :class:`Ensemble`.

    Same arguments as :func:`gradient_descent`, with ``starts`` of shape ``(n, d)``. With
    noise, each run draws its own noise from one generator seeded by ``seed``.

    Example:
        >>> import numpy as np
        >>> from lrlib.course.landscapes import DoubleWell
        >>> from lrlib.course.descent import descend_many
        >>> well = DoubleWell()
        >>> runs = descend_many(well, np.array([[-1.2], [1.0]]), learning_rate=0.01, steps=2000)
        >>> well.nearest_minimum(runs.final_points).tolist()   # 1 = the sharp minimum
        [1, 0]
    """
    steps, momentum, noise, seed = _check_common(landscape, steps, momentum, noise, seed)
    starts = _starts(landscape, starts, "starts", batched=True)
    rates = _rates(learning_rate, steps)
    points, losses, diverged_at = _run(landscape, starts, rates, momentum, noise, seed)
    return Ensemble(points, losses, rates, diverged_at >= 0, diverged_at)
