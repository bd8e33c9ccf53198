"""Sharp and flat minima of a real network: measure the sharpness along training.

Keskar et al. (2017) relate *sharp* minima (a large top Hessian eigenvalue $\\lambda_{max}$)
to worse generalisation, and large learning rates are said to find *flat* ones. This module
measures it on the course's small network: :class:`SharpnessTracker` records, at the start
and at the end of every epoch (or of chosen ones), the loss on the whole training set and
its sharpness (:func:`lrlib.course.curvature.sharpness`, power iteration on Hessian-vector products);
:func:`train_tracking_sharpness` trains with :func:`lrlib.course.training.train` and returns a
:class:`SharpnessHistory`.

Dinh et al. (2017) showed that sharpness depends on the parameterisation: in a ReLU network,
multiplying one layer's weights by $\\alpha > 0$ and dividing the next layer's by $\\alpha$
leaves the function (and so every prediction and the loss) unchanged, yet changes the
Hessian. :func:`rescaled_copy` does exactly that.
"""

import dataclasses

import numpy as np

from lrlib import validation
from lrlib.tensors import to_numpy
from lrlib.course.curvature import sharpness
from lrlib.course.data import Dataset, load_digits

import keras  # noqa: E402  (lrlib's __init__ has set TensorFlow's quiet environment)

__all__ = [
    "LOSS",
    "SharpnessTracker",
    "SharpnessHistory",
    "train_tracking_sharpness",
    "training_loss",
    "rescaled_copy",
]

#: The loss of :func:`lrlib.course.training.train` (the network outputs logits).
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def training_loss(model, x, y):
    """The mean loss of ``model`` on all of ``(x, y)`` (one forward pass, no training mode)."""
    return float(np.mean(to_numpy(LOSS(y, model(x, training=False)))))


class SharpnessTracker(keras.callbacks.Callback):
    """Measure the full-batch training loss and sharpness at the start and after some epochs.

    After ``model.fit(..., callbacks=[tracker])``: ``tracker.steps`` (optimizer steps done at
    each measurement), ``tracker.train_losses`` and ``tracker.sharpness``.

    Args:
        x, y: the data both are measured on (the whole training set).
        at_epochs: measure at the end of these epochs (counted from 1); every epoch if
            ``None``.
        iterations, tolerance, seed: passed to :func:`lrlib.course.curvature.sharpness`.
    """

    def __init__(self, x, y, at_epochs=None, iterations=20, tolerance=1e-3, seed=0):
        super().__init__()
        self.x, self.y = x, y
        if at_epochs is not None:
            at_epochs = {validation.positive_integer("at_epochs", e) for e in at_epochs}
        self.at_epochs = at_epochs
        self.iterations = validation.positive_integer("iterations", iterations)
        self.tolerance = validation.positive("tolerance", tolerance)
        self.seed = validation.integer("seed", seed, low=0)
        self.steps, self.train_losses, self.sharpness = [], [], []
        self._step = 0

    def _measure(self):
        self.steps.append(self._step)
        self.train_losses.append(training_loss(self.model, self.x, self.y))
        self.sharpness.append(sharpness(self.model, self.x, self.y, loss=LOSS,
                                        iterations=self.iterations, seed=self.seed,
                                        tolerance=self.tolerance))

    def on_train_begin(self, logs=None):
        self.steps, self.train_losses, self.sharpness = [], [], []
        self._step = 0
        self._measure()

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1

    def on_epoch_end(self, epoch, logs=None):
        if self.at_epochs is None or epoch + 1 in self.at_epochs:
            self._measure()


@dataclasses.dataclass(frozen=True)
class SharpnessHistory:
    """One training run with its sharpness measured along the way.

    Attributes:
        learning_rate: the constant SGD rate.
        seed: the run's seed.
        steps: the optimizer steps at which the measurements were taken (0 = initial weights).
        train_losses: the mean loss on the whole training set at those steps.
        sharpness: $\\lambda_{max}$ of that loss at those steps.
        run: the :class:`lrlib.course.training.TrainingRun` (per-step losses, test accuracy, ...).
        model: the trained Keras model.
    """

    learning_rate: float
    seed: int
    steps: np.ndarray
    train_losses: np.ndarray
    sharpness: np.ndarray
    run: object
    model: object

    @property
    def final_sharpness(self):
        return float(self.sharpness[-1])

    @property
    def final_train_loss(self):
        return float(self.train_losses[-1])

    @property
    def stability_limit(self):
        """$2/\\eta$: on a quadratic, the largest sharpness this rate can settle at."""
        return 2.0 / self.learning_rate

    def sharpness_at(self, train_loss):
        """The sharpness when the training loss passed ``train_loss`` (log-log interpolation
        between measurements); ``ValueError`` outside the range the run went through."""
        value = validation.positive("train_loss", train_loss)
        order = np.argsort(self.train_losses)
        losses = np.log(self.train_losses[order])
        if not losses[0] <= np.log(value) <= losses[-1]:
            raise ValueError(
                f"`train_loss` {value:.4g} is outside the range this run went through "
                f"({self.train_losses.min():.4g} to {self.train_losses.max():.4g})"
            )
        return float(np.exp(np.interp(np.log(value), losses, np.log(self.sharpness[order]))))


def train_tracking_sharpness(learning_rate, seed=0, *, epochs=10, batch_size=32, data=None,
                             hidden=(64,), at_epochs=None, iterations=20):
    """Train the course's network with constant SGD at ``learning_rate``, tracking sharpness.

    The training is :func:`lrlib.course.training.train` (digits by default, 10 epochs of batches of
    32 and one hidden layer of 64 units: the common setup); a :class:`SharpnessTracker` measures on the whole training set at
    the start and at the end of the epochs ``at_epochs`` (all of them by default).

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.flat_minima import train_tracking_sharpness
        >>> history = train_tracking_sharpness(0.3, epochs=1)
        >>> history.steps.tolist(), bool(history.final_sharpness < history.sharpness[0])
        ([0, 43], True)
    """
    from lrlib.course.training import train

    data = load_digits() if data is None else data
    if not isinstance(data, Dataset):
        raise ValueError(f"`data` must be an lrlib.course.data.Dataset, got {data!r}")
    eta = validation.positive("learning_rate", learning_rate)
    tracker = SharpnessTracker(data.x_train, data.y_train, at_epochs=at_epochs,
                               iterations=iterations)
    run = train(eta, epochs=epochs, batch_size=batch_size, seed=seed, data=data,
                hidden=hidden, callbacks=[tracker])
    return SharpnessHistory(
        learning_rate=eta,
        seed=seed,
        steps=np.asarray(tracker.steps),
        train_losses=np.asarray(tracker.train_losses, dtype=float),
        sharpness=np.asarray(tracker.sharpness, dtype=float),
        run=run,
        model=tracker.model,
    )


def rescaled_copy(model, alpha, layer=0):
    """A copy of a ReLU network computing the same function with rescaled weights.

    Dense layer ``layer`` (its kernel and bias) is multiplied by ``alpha`` > 0 and the next
    Dense layer's kernel divided by it. Since $\\mathrm{relu}(\\alpha z) = \\alpha\\,
    \\mathrm{relu}(z)$ for $\\alpha > 0$, every output is unchanged (Dinh et al. 2017), but the
    loss's Hessian, and so its sharpness, is not.
    """
    alpha = validation.positive("alpha", alpha)
    dense = [lay for lay in model.layers if isinstance(lay, keras.layers.Dense)]
    layer = validation.integer("layer", layer, low=0)
    if layer + 1 >= len(dense):
        raise ValueError(f"`layer` must be a Dense layer followed by another, got {layer} "
                         f"(the model has {len(dense)} Dense layers)")
    if dense[layer].activation is not keras.activations.relu:
        raise ValueError(f"`layer` {layer} must have a ReLU activation for the rescaling to "
                         "leave the function unchanged")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    first, second = dense[layer], dense[layer + 1]
    index = {id(lay): i for i, lay in enumerate(model.layers)}
    copy_first = copy.layers[index[id(first)]]
    copy_second = copy.layers[index[id(second)]]
    copy_first.set_weights([w * alpha for w in first.get_weights()])
    kernel, *rest = second.get_weights()
    copy_second.set_weights([kernel / alpha, *rest])
    return copy
