r"""Gradient noise and the noise floor: why a decaying learning rate helps.

With noisy gradients, gradient descent at a constant rate does not settle at the minimum: it
hovers at a *noise floor* whose height grows with the rate. On the quadratic
$L(x) = \tfrac12\lambda x^2$ with gradient noise of standard deviation $\sigma$,

$$x_{t+1} = (1 - \eta\lambda)\,x_t - \eta\sigma\xi_t, \qquad
E[x_{t+1}^2] = (1 - \eta\lambda)^2 E[x_t^2] + \eta^2\sigma^2,$$

whose fixed point gives :func:`noise_floor`. :class:`NoisyBowl` is a two-dimensional quadratic
with noisy gradients (the toy problem of Wu et al. 2018): a steep direction whose noise floor
grows with the rate, and a flat one that needs large steps to make progress. On it, a
decaying rate beats the best constant one.

Real minibatch noise is not of fixed size. :func:`minibatch_noise` measures it on a Keras
model: the spread of the batch gradients $g_B$ around the full gradient $g$,
$E\|g_B - g\|^2$, which shrinks as $1/B$ with the batch size $B$ and, for a network that
can fit every training example, shrinks as the loss does (Ma et al. 2018).
:func:`noise_callback` records it during ``fit``.

Example:
    >>> from lrlib.course.noise import noise_floor
    >>> round(noise_floor(0.1), 4)
    0.0263
"""

import dataclasses
import functools
import math

import numpy as np

from lrlib import validation

__all__ = ["noise_floor", "BowlRun", "NoisyBowl", "NOISY_BOWL", "GradientNoise",
           "minibatch_noise", "noise_callback"]


def noise_floor(learning_rate, curvature=1.0, noise=1.0):
    """Stationary mean loss of noisy gradient descent on $\\tfrac12\\lambda x^2$ (one dimension).

    From $x_{t+1} = (1 - \\eta\\lambda) x_t - \\eta\\sigma\\xi_t$:
    $E[x^2] = \\eta\\sigma^2 / (\\lambda(2 - \\eta\\lambda))$, so
    $E[L] = \\eta\\sigma^2 / (2(2 - \\eta\\lambda))$, for $0 < \\eta < 2/\\lambda$.

    Infinite for $\\eta \\ge 2/\\lambda$ (gradient descent diverges).

    Example:
        >>> round(noise_floor(0.1), 4)
        0.0263
    """
    eta = validation.positive("learning_rate", learning_rate)
    lam = validation.positive("curvature", curvature)
    sigma = validation.non_negative("noise", noise)
    if eta * lam >= 2.0:
        return float("inf")
    return eta * sigma**2 / (2.0 * (2.0 - eta * lam))



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
        >>> from lrlib.course.noise import NOISY_BOWL
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
        """The bowl as an :class:`lrlib.course.landscapes.Quadratic` (for :mod:`lrlib.course.descent`)."""
        from lrlib.course.landscapes import Quadratic

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
        :data:`lrlib.course.descent.LANDSCAPE_DIVERGENCE_FACTOR` times the start's (as in :mod:`lrlib.course.descent`).
        """
        from lrlib.course.descent import LANDSCAPE_DIVERGENCE_FACTOR

        rates = self.rates(learning_rate)
        lam = np.asarray(self.curvatures, dtype=float)
        second = np.asarray(self.start, dtype=float) ** 2
        limit = LANDSCAPE_DIVERGENCE_FACTOR * max(self.start_loss, 1.0)
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
        """The mean loss over ``runs`` simulated runs (:func:`lrlib.course.descent.descend_many`).

        Returns an array of shape ``(steps + 1,)``; it approaches :meth:`run`'s
        ``mean_losses`` as ``runs`` grows.
        """
        from lrlib.course.descent import descend_many

        runs = validation.positive_integer("runs", runs)
        starts = np.tile(np.asarray(self.start, dtype=float), (runs, 1))
        ensemble = descend_many(self.landscape, starts, self.rates(learning_rate), self.steps,
                                noise=self.noise, seed=seed)
        return ensemble.losses.mean(axis=1)

    def floor(self, learning_rate):
        """The stationary expected loss at a constant rate: $\\sum_i \\eta\\sigma^2/(2(2-\\eta\\lambda_i))$.

        Infinite when $\\eta \\ge 2/\\lambda_{max}$ (gradient descent diverges).
        """
        return float(sum(noise_floor(learning_rate, c, self.noise) for c in self.curvatures))

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


# -- minibatch gradient noise, measured on a Keras model ---------------------------------------

@dataclasses.dataclass(frozen=True)
class GradientNoise:
    """One measurement of minibatch gradient noise.

    Attributes:
        loss: the training loss over the whole training set.
        gradient: $\\|g\\|^2$, the squared norm of the full-batch gradient $g$.
        noise: $E\\|g_B - g\\|^2$, the mean squared distance of the batch gradients $g_B$
            (one random partition into batches of ``batch_size``) from $g$.
        batch_size: $B$.
    """

    loss: float
    gradient: float
    noise: float
    batch_size: int

    @property
    def noise_to_signal(self):
        """$E\\|g_B - g\\|^2 / \\|g\\|^2$: how much larger the noise is than the signal."""
        return self.noise / self.gradient if self.gradient > 0 else math.inf


def minibatch_noise(model, x, y, batch_size=32, seed=0):
    """Measure the minibatch gradient noise of ``model`` (logits, sparse labels) on ``(x, y)``.

    Computes the full-batch gradient $g$ of the mean cross-entropy and the gradients $g_B$ of
    the ``len(x) // batch_size`` batches of one random partition (``seed``), in inference mode;
    nothing of the model changes. Returns a :class:`GradientNoise`.

    Example:
        >>> import lrlib.course
        >>> import numpy as np
        >>> from lrlib.course.training import build_model
        >>> from lrlib.course.noise import minibatch_noise
        >>> model = build_model(4, 3)
        >>> rng = np.random.default_rng(0)
        >>> x, y = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)
        >>> m = minibatch_noise(model, x, y, batch_size=16)
        >>> m.batch_size, m.noise > 0, m.gradient > 0
        (16, True, True)
    """
    import keras
    import tensorflow as tf

    batch_size = validation.positive_integer("batch_size", batch_size)
    seed = validation.integer("seed", seed, low=0)
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    y = tf.convert_to_tensor(np.asarray(y))
    n = int(x.shape[0])
    if batch_size > n:
        raise ValueError(f"`batch_size` must be at most the {n} examples, got {batch_size}")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    variables = model.trainable_variables

    @tf.function
    def gradient(index):
        with tf.GradientTape() as tape:
            loss = loss_fn(tf.gather(y, index), model(tf.gather(x, index), training=False))
        grads = tape.gradient(loss, variables)
        return tf.concat([tf.reshape(g, [-1]) for g in grads], axis=0), loss

    full, loss = gradient(tf.range(n))
    full = full.numpy().astype(np.float64)
    order = np.random.default_rng(seed).permutation(n)
    batches = [order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]
    spread = np.mean([np.sum((gradient(tf.constant(b, dtype=tf.int32))[0].numpy() - full) ** 2)
                      for b in batches])
    loss = float(loss)
    return GradientNoise(loss=loss, gradient=float(full @ full), noise=float(spread),
                         batch_size=batch_size)


def noise_callback(x, y, at_epochs=(0, 2, 5, 10), batch_size=32, seed=0):
    """A Keras callback that records :func:`minibatch_noise` during ``fit``.

    It measures before training (epoch 0) and at the end of each epoch in ``at_epochs``
    (counted from 1); ``callback.records`` maps the epoch to its :class:`GradientNoise`.
    Measuring changes nothing of the training run (no random draws from Keras or NumPy's
    global state).

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.data import load_digits
        >>> from lrlib.course.training import train
        >>> from lrlib.course.noise import noise_callback
        >>> digits = load_digits()
        >>> recorder = noise_callback(digits.x_train, digits.y_train, at_epochs=(0, 1))
        >>> _ = train(0.3, epochs=1, callbacks=[recorder])
        >>> sorted(recorder.records)
        [0, 1]
    """
    import keras

    at_epochs = tuple(sorted({validation.integer("at_epochs", e, low=0) for e in at_epochs}))
    batch_size = validation.positive_integer("batch_size", batch_size)

    class NoiseRecorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.records = {}

        def _measure(self, epoch):
            if epoch in at_epochs:
                self.records[epoch] = minibatch_noise(self.model, x, y, batch_size, seed)

        def on_train_begin(self, logs=None):
            self._measure(0)

        def on_epoch_end(self, epoch, logs=None):
            self._measure(epoch + 1)

    return NoiseRecorder()
