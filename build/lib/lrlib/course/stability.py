"""Stability of gradient descent: the quadratic theory, and the edge of stability of a network.

**On a quadratic** $L(x) = \\tfrac12 \\sum_i \\lambda_i x_i^2$ each step multiplies coordinate
$i$ by $1 - \\eta\\lambda_i$. :func:`regime` names what that does in one dimension (slow, fastest,
oscillating, diverging); :func:`measured_rate` measures the factor by which a run's distance
to the minimum shrinks per step, to compare with the theory
(:meth:`lrlib.course.landscapes.Quadratic.contraction`; at the best fixed rate,
$(\\kappa - 1)/(\\kappa + 1)$).

**On a network**: gradient descent with rate $\\eta$ is stable on a quadratic only while its
curvature $\\lambda_{max} < 2/\\eta$. Cohen et al. (2021) measured the *sharpness* (the top Hessian
eigenvalue of the training loss) while training real networks with full-batch gradient
descent, and found two phases: *progressive sharpening* (the sharpness rises while training
is stable) and then the *edge of stability* (it stops rising at about $2/\\eta$ and hovers
there, while the loss keeps falling, though not monotonically).

:func:`full_batch_descent` runs plain gradient descent $w_{t+1} = w_t - \\eta \\nabla L(w_t)$
on a Keras model over the whole training set and measures the sharpness every few steps by
power iteration on Hessian-vector products (each measurement warm-starts from the previous
top eigenvector, so a few iterations suffice). :func:`edge_of_stability` runs it on the
course's standard small setup (:data:`EDGE_SETUP`: two moons, a tanh network, mean squared
error), and :func:`plot_edge_of_stability` draws loss and sharpness against step.

Example:
    >>> import lrlib.course
    >>> from lrlib.course.stability import edge_of_stability
    >>> run = edge_of_stability(0.5, steps=40, measure_every=20)
    >>> run.measured_steps.tolist(), run.threshold
    ([0, 20, 40], 4.0)
"""

import dataclasses

import numpy as np

from lrlib import validation

__all__ = [
    "REGIMES",
    "regime",
    "measured_rate",
    "FullBatchRun",
    "full_batch_descent",
    "EDGE_SETUP",
    "edge_of_stability",
    "plot_edge_of_stability",
]


#: The small problem of the convergence chapter's edge-of-stability experiment.
EDGE_SETUP = {
    "examples": 400,  # two moons, of which 300 are the training set (all used: full batch)
    "noise": 0.2,
    "hidden": (32, 32),
    "activation": "tanh",
    "loss": "mse",  # on one-hot targets; Cohen et al. find the effect clearest with MSE
}


#: The regimes of gradient descent on a one-dimensional quadratic, by $\\eta\\lambda$.
REGIMES = ("slow", "fastest", "oscillating", "bouncing", "diverging")


def regime(learning_rate, curvature):
    """What gradient descent with rate $\\eta$ does on $\\tfrac12\\lambda x^2$.

    Each step multiplies $x$ by $1 - \\eta\\lambda$, so by $\\eta\\lambda$:
    ``"slow"`` below 1 (monotone), ``"fastest"`` at 1 (one step to the minimum),
    ``"oscillating"`` between 1 and 2 (flips sign, shrinking), ``"bouncing"`` at exactly 2
    (flips sign forever) and ``"diverging"`` above 2.

    Example:
        >>> [regime(eta, 4.0) for eta in (0.1, 0.25, 0.4, 0.5, 0.55)]
        ['slow', 'fastest', 'oscillating', 'bouncing', 'diverging']
    """
    product = validation.positive("learning_rate", learning_rate) * validation.positive(
        "curvature", curvature)
    if np.isclose(product, 1.0, rtol=1e-9, atol=0.0):
        return "fastest"
    if np.isclose(product, 2.0, rtol=1e-9, atol=0.0):
        return "bouncing"
    if product < 1.0:
        return "slow"
    return "oscillating" if product < 2.0 else "diverging"


def measured_rate(trajectory, landscape, start=None):
    """The measured factor by which the distance to the minimum shrinks per step.

    The geometric mean of $\\lVert x_{t+1} - x^* \\rVert / \\lVert x_t - x^* \\rVert$ from step
    ``start`` (half-way by default) to the end of ``trajectory``, where $x^*$ is
    ``landscape``'s global minimum. Above 1 means the run moves away.

    Example:
        >>> from lrlib.course.landscapes import Quadratic
        >>> from lrlib.course.descent import gradient_descent
        >>> bowl = Quadratic(curvatures=(1.0, 10.0))
        >>> run = gradient_descent(bowl, [1.0, 1.0], bowl.best_learning_rate, steps=40)
        >>> round(measured_rate(run, bowl), 4), round(9 / 11, 4)
        (0.8182, 0.8182)
    """
    offsets = np.asarray(trajectory.points - landscape.global_minimum, dtype=float)
    # A norm that does not underflow for tiny offsets (squares of 1e-170 would be 0).
    scale = np.max(np.abs(offsets), axis=-1)
    safe = np.where(scale > 0, scale, 1.0)
    distances = scale * np.linalg.norm(offsets / safe[:, None], axis=-1)
    count = len(distances) - 1
    if count < 1:
        raise ValueError("`trajectory` must have at least one step")
    start = count // 2 if start is None else validation.integer("start", start, low=0)
    if start >= count:
        raise ValueError(f"`start` must be below the number of steps ({count}), got {start}")
    first, last = distances[start], distances[-1]
    if first == 0.0:
        return 0.0
    return float((last / first) ** (1.0 / (count - start)))


@dataclasses.dataclass(frozen=True)
class FullBatchRun:
    """What :func:`full_batch_descent` recorded.

    Attributes:
        learning_rate: the fixed rate $\\eta$.
        losses: the full-batch training loss $L(w_t)$ at every step taken, $t = 0, 1, \\dots$
        measured_steps: the steps $t$ at which the sharpness was measured.
        sharpness: the top Hessian eigenvalue of $L$ at those steps.
        diverged_at: the step whose loss was not finite or too large, or ``None``.
    """

    learning_rate: float
    losses: np.ndarray
    measured_steps: np.ndarray
    sharpness: np.ndarray
    diverged_at: int | None

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def threshold(self):
        """$2/\\eta$: the largest curvature a quadratic can have for this rate to be stable."""
        return 2.0 / self.learning_rate

    def edge_reached_at(self, fraction=0.95):
        """The first measured step at which the sharpness reached ``fraction`` x $2/\\eta$
        after falling below it (so an initial sharpness above the edge does not count),
        or ``None``."""
        fraction = validation.positive("fraction", fraction)
        above = self.sharpness >= fraction * self.threshold
        below = np.flatnonzero(~above)
        if below.size == 0:
            return None
        later = np.flatnonzero(above[below[0]:])
        return int(self.measured_steps[below[0] + later[0]]) if later.size else None

    def sharpness_after(self, step):
        """The sharpness measured at steps $\\ge$ ``step`` (an array)."""
        return self.sharpness[self.measured_steps >= step]

    def loss_increases(self, start=0):
        """The fraction of steps from ``start`` on at which the loss went up."""
        changes = np.diff(self.losses[int(start):])
        return float(np.mean(changes > 0)) if changes.size else 0.0


def _loss_function(loss):
    import keras

    return keras.losses.get(loss) if isinstance(loss, str) else loss


def full_batch_descent(model, x, y, learning_rate, steps, *, loss="mse", measure_every=10,
                       power_iterations=10, seed=0):
    """Plain full-batch gradient descent on ``model``, measuring the sharpness as it goes.

    The weights of ``model`` are updated in place. Every ``measure_every`` steps (and at the
    start and the end) the sharpness of the mean loss over ``(x, y)`` is estimated by
    ``power_iterations`` steps of power iteration, warm-started from the previous
    measurement's eigenvector (the first measurement gets five times as many iterations
    from a random start). Power iteration finds the eigenvalue of largest magnitude, which
    in training is the top positive one.

    Args:
        model: a built Keras model (TensorFlow backend).
        x, y: the whole training set (one batch).
        learning_rate: the fixed rate $\\eta > 0$.
        steps: how many updates.
        loss: a Keras loss, by name or object.
        measure_every: steps between sharpness measurements.
        power_iterations: power-iteration steps per measurement.
        seed: seeds the random start vector of the first measurement.

    Returns:
        A :class:`FullBatchRun`. A diverging run stops at the step whose loss is not finite
        or exceeds :data:`lrlib.callbacks.DIVERGED_LOSS_FACTOR` times the first (the training
        logger's threshold: a training loss 100 times its start), and says so in
        ``diverged_at``.
    """
    import tensorflow as tf

    from lrlib.callbacks import DIVERGED_LOSS_FACTOR  # imports Keras: here, not at module level
    from lrlib.course.curvature import hessian_vector_product

    eta = validation.positive("learning_rate", learning_rate)
    steps = validation.positive_integer("steps", steps)
    measure_every = validation.positive_integer("measure_every", measure_every)
    power_iterations = validation.positive_integer("power_iterations", power_iterations)
    seed = validation.integer("seed", seed, low=0)
    loss_fn = _loss_function(loss)
    weights = model.trainable_weights
    if not weights:
        raise ValueError("`model` has no trainable weights: build it first")
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y)

    @tf.function
    def descend(count):
        losses = tf.TensorArray(tf.float32, size=count)
        for i in tf.range(count):
            with tf.GradientTape() as tape:
                value = tf.reduce_mean(loss_fn(y, model(x, training=False)))
            grads = tape.gradient(value, weights)
            for w, g in zip(weights, grads):
                w.assign_sub(tf.cast(eta, w.dtype) * g)
            losses = losses.write(i, tf.cast(value, tf.float32))
        return losses.stack()

    def normalise(vectors):
        norm = tf.sqrt(tf.add_n([tf.reduce_sum(v * v) for v in vectors]))
        return [v / norm for v in vectors]

    @tf.function
    def power(vectors, iterations):
        estimate = tf.constant(0.0, tf.float32)
        for _ in tf.range(iterations):
            vectors = normalise(vectors)
            hv = hessian_vector_product(model, x, y, vectors, loss_fn)
            estimate = tf.cast(tf.add_n([tf.reduce_sum(a * b) for a, b in zip(vectors, hv)]),
                               tf.float32)
            vectors = hv
        return estimate, normalise(vectors)

    @tf.function
    def current_loss():
        return tf.reduce_mean(loss_fn(y, model(x, training=False)))

    rng = np.random.default_rng(seed)
    vectors = [tf.constant(rng.standard_normal(w.shape), dtype=w.dtype) for w in weights]
    losses, measured, sharpness = [], [], []
    first_loss = None
    diverged_at = None
    done = 0
    iterations = tf.constant(5 * power_iterations)
    while True:
        estimate, vectors = power(vectors, iterations)
        iterations = tf.constant(power_iterations)
        measured.append(done)
        sharpness.append(float(estimate))
        if done >= steps:
            break
        chunk = descend(tf.constant(min(measure_every, steps - done))).numpy()
        if first_loss is None:
            first_loss = float(chunk[0])
        limit = DIVERGED_LOSS_FACTOR * max(first_loss, 1e-12)
        bad = np.flatnonzero(~np.isfinite(chunk) | (chunk > limit))
        if bad.size:
            diverged_at = done + int(bad[0])
            losses.extend(chunk[: bad[0]].tolist())
            break
        losses.extend(chunk.tolist())
        done += len(chunk)
    if diverged_at is None:
        # The loss after the last update, so that losses[t] = L(w_t) for t = 0..steps.
        losses.append(float(current_loss()))
    return FullBatchRun(
        learning_rate=eta,
        losses=np.asarray(losses, dtype=float),
        measured_steps=np.asarray(measured, dtype=int),
        sharpness=np.asarray(sharpness, dtype=float),
        diverged_at=diverged_at,
    )


def edge_of_stability(learning_rate, steps=1500, *, seed=0, measure_every=10,
                      power_iterations=10):
    """:func:`full_batch_descent` on the setup of :data:`EDGE_SETUP`.

    The training set of :func:`lrlib.course.data.make_two_moons` (300 points), targets one-hot, a
    network with two tanh layers of 32 units (weights seeded by ``seed``), mean squared error
    (Keras's ``"mse"`` averages over the two outputs, so it is
    $\\frac{1}{n}\\sum_i \\tfrac12 \\lVert f(x_i) - y_i \\rVert^2$, Cohen et al.'s loss).
    """
    import keras

    from lrlib.course.data import make_two_moons
    from lrlib.course.reproducibility import seed_everything
    from lrlib.course.training import build_model

    seed = validation.integer("seed", seed, low=0)
    data = make_two_moons(num_examples=EDGE_SETUP["examples"], noise=EDGE_SETUP["noise"])
    targets = keras.utils.to_categorical(data.y_train, data.num_classes).astype("float32")
    seed_everything(seed)
    model = build_model(data.num_features, data.num_classes, hidden=EDGE_SETUP["hidden"],
                        activation=EDGE_SETUP["activation"])
    return full_batch_descent(model, data.x_train, targets, learning_rate, steps,
                              loss=EDGE_SETUP["loss"], measure_every=measure_every,
                              power_iterations=power_iterations, seed=seed)


def plot_edge_of_stability(axes, runs):
    """Loss (top) and sharpness with its $2/\\eta$ line (bottom) against step.

    ``axes`` is a pair of Matplotlib axes; ``runs`` a list of :class:`FullBatchRun`.
    """
    from lrlib.course.plots import COLORS, annotate_diverged, use_style

    use_style()
    ax_loss, ax_sharp = axes
    for index, run in enumerate(runs):
        color = COLORS[index % len(COLORS)]
        label = f"$\\eta$ = {run.learning_rate:g}"
        ax_loss.plot(np.arange(run.losses.size), run.losses, color=color, linewidth=1.2,
                     label=label)
        ax_sharp.plot(run.measured_steps, run.sharpness, color=color, linewidth=1.4,
                      label=label)
        ax_sharp.axhline(run.threshold, color=color, linestyle="--", linewidth=1.2,
                         label=f"$2/\\eta$ = {run.threshold:.3g}")
        if run.diverged:
            annotate_diverged(ax_loss, run.diverged_at, where=(0.5, 0.8 - 0.15 * index))
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("training loss (log scale)")
    ax_loss.set_title("Full-batch loss: falling, but not monotonically")
    ax_loss.legend(loc="upper right")
    ax_sharp.set_xlabel("step $t$ (full batch: one step = one epoch)")
    ax_sharp.set_ylabel("sharpness $\\lambda_{max}$")
    ax_sharp.set_title("Sharpness rises to $2/\\eta$ and hovers there")
    ax_sharp.set_ylim(bottom=0.0)
    ax_sharp.legend(loc="lower right", ncols=2)
    return axes
