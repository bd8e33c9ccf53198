"""Train a small Keras model with any learning rate or schedule and record every step.

:func:`train` builds a small network, trains it with ``model.fit`` and returns a
:class:`TrainingRun` holding, per optimizer step, the learning rate used and the batch's loss,
and per epoch the training and test metrics. The same seed gives the same numbers.

:class:`LearningRateLogger` is the callback behind it, usable on its own with any
``model.fit``: it records the rate the optimizer uses at every step (Keras 3 optimizers have
``optimizer.learning_rate``, not the ``lr`` of old tutorials) and the loss of every batch
(Keras reports a running mean over the epoch in ``logs["loss"]``), and stops a diverging run,
saying at which step.
"""

import dataclasses
import functools
import math

import numpy as np

from lrlib import validation
from lrlib.data import Dataset, load_digits
from lrlib.reproducibility import seed_everything

import keras  # noqa: E402  (lrlib's __init__ has set TensorFlow's quiet environment)
from keras import ops  # noqa: E402

__all__ = [
    "LearningRateLogger",
    "TrainingRun",
    "build_model",
    "make_optimizer",
    "train",
    "DIVERGENCE_FACTOR",
]

#: A run diverges when a batch loss is not finite or exceeds this many times the first one.
DIVERGENCE_FACTOR = 100.0

_OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "rmsprop": keras.optimizers.RMSprop,
}


class LearningRateLogger(keras.callbacks.Callback):
    """Record the learning rate and loss of every training step; stop when training diverges.

    After ``model.fit(..., callbacks=[logger])``: ``logger.learning_rates[k]`` is the rate
    the optimizer used for step ``k`` (read before the step, from
    ``model.optimizer.learning_rate``), and ``logger.losses[k]`` is that step's batch loss.
    If a batch loss is not finite or exceeds ``divergence_factor`` times the first one,
    training stops and ``logger.diverged_at`` holds the step (otherwise ``None``).

    Example:
        >>> import lrlib, keras, numpy as np
        >>> from lrlib.training import LearningRateLogger
        >>> from lrlib.schedules import StepDecay
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(keras.optimizers.SGD(StepDecay(0.1, 0.5, drop_every=2)), "mse")
        >>> logger = LearningRateLogger()
        >>> _ = model.fit(np.ones((8, 2)), np.ones(8), batch_size=2, verbose=0, callbacks=[logger])
        >>> [round(r, 3) for r in logger.learning_rates]
        [0.1, 0.1, 0.05, 0.05]
    """

    def __init__(self, divergence_factor=DIVERGENCE_FACTOR):
        super().__init__()
        self.divergence_factor = validation.real("divergence_factor", divergence_factor, low=1.0)
        self.learning_rates = []
        self.losses = []
        self.diverged_at = None

    def _loss_metric(self):
        for metric in self.model.metrics:
            if metric.name == "loss":
                return metric
        raise RuntimeError("the model has no loss metric: compile it with a loss first")

    def _totals(self):
        metric = self._loss_metric()
        return float(ops.convert_to_numpy(metric.total)), float(ops.convert_to_numpy(metric.count))

    def on_train_begin(self, logs=None):
        self.learning_rates, self.losses, self.diverged_at = [], [], None

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = (0.0, 0.0)  # Keras resets the loss metric at each epoch

    def on_train_batch_begin(self, batch, logs=None):
        rate = self.model.optimizer.learning_rate
        self.learning_rates.append(float(ops.convert_to_numpy(rate)))

    def on_train_batch_end(self, batch, logs=None):
        total, count = self._totals()
        before_total, before_count = self._previous
        self._previous = (total, count)
        # The metric holds the sum of (batch loss x batch size) and the count of examples.
        loss = (total - before_total) / max(count - before_count, 1.0)
        self.losses.append(loss)
        limit = self.divergence_factor * max(self.losses[0], 1.0)
        if self.diverged_at is None and (not math.isfinite(loss) or loss > limit):
            self.diverged_at = len(self.losses) - 1
            self.model.stop_training = True


@dataclasses.dataclass(frozen=True)
class TrainingRun:
    """What :func:`train` recorded.

    Attributes:
        learning_rates: the rate used at each optimizer step.
        losses: each step's batch loss (training mode).
        history: per-epoch metrics: ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``
            (the test split), as arrays.
        steps_per_epoch: optimizer steps in one epoch.
        diverged_at: the step at which training diverged and stopped, or ``None``.
        seed: the seed of the run.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    history: dict
    steps_per_epoch: int
    diverged_at: int | None
    seed: int

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def steps(self):
        return np.arange(len(self.losses))

    @property
    def epoch_end_steps(self):
        """The step count at the end of each recorded epoch (for plotting per-epoch metrics)."""
        return self.steps_per_epoch * np.arange(1, len(self.history["loss"]) + 1)

    @property
    def final_accuracy(self):
        """Test accuracy after the last epoch (0 for a diverged run)."""
        if self.diverged or len(self.history["val_accuracy"]) == 0:
            return 0.0
        return float(self.history["val_accuracy"][-1])

    @property
    def final_loss(self):
        """Test loss after the last epoch (infinite for a diverged run)."""
        if self.diverged or len(self.history["val_loss"]) == 0:
            return math.inf
        return float(self.history["val_loss"][-1])

    def steps_to_accuracy(self, target):
        """The first epoch-end step at which test accuracy reached ``target``, or ``None``."""
        target = validation.real("target", target, low=0.0, high=1.0)
        reached = np.flatnonzero(np.asarray(self.history["val_accuracy"]) >= target)
        if self.diverged or reached.size == 0:
            return None
        return int(self.epoch_end_steps[reached[0]])

    def smoothed_losses(self, window=None):
        """Batch losses averaged over a trailing window (an epoch by default), for plots."""
        window = self.steps_per_epoch if window is None else validation.positive_integer(
            "window", window
        )
        losses = np.asarray(self.losses, dtype=float)
        if losses.size == 0:
            return losses
        cumulative = np.cumsum(np.insert(losses, 0, 0.0))
        counts = np.minimum(np.arange(1, losses.size + 1), window)
        starts = np.arange(1, losses.size + 1) - counts
        return (cumulative[1:] - cumulative[starts]) / counts

    def describe(self):
        """One line: "diverged at step k" or the final test accuracy."""
        if self.diverged:
            return f"diverged at step {self.diverged_at}"
        return f"test accuracy {self.final_accuracy:.3f} after {len(self.losses)} steps"


def build_model(num_features, num_classes, hidden=(64,), activation="relu"):
    """A small multilayer perceptron that outputs logits.

    Example:
        >>> import lrlib
        >>> from lrlib.training import build_model
        >>> build_model(64, 10).count_params()
        4810
    """
    num_features = validation.positive_integer("num_features", num_features)
    num_classes = validation.integer("num_classes", num_classes, low=2)
    hidden = tuple(validation.positive_integer("hidden", h) for h in hidden)
    layers = [keras.Input((num_features,))]
    layers += [keras.layers.Dense(width, activation=activation) for width in hidden]
    layers.append(keras.layers.Dense(num_classes))
    return keras.Sequential(layers)


def make_optimizer(name, learning_rate, momentum=0.0):
    """A Keras optimizer by name (``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``).

    ``learning_rate`` is a number or any ``LearningRateSchedule``; ``momentum`` applies to SGD.
    """
    name = validation.choice("optimizer", name, tuple(_OPTIMIZERS))
    if isinstance(learning_rate, (int, float)) and not isinstance(learning_rate, bool):
        learning_rate = validation.positive("learning_rate", learning_rate)
    elif not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(
            f"`learning_rate` must be a number or a LearningRateSchedule, got {learning_rate!r}"
        )
    if name == "sgd":
        momentum = validation.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    if momentum:
        raise ValueError(f"`momentum` applies to 'sgd' only, not to {name!r}")
    return _OPTIMIZERS[name](learning_rate=learning_rate)


@functools.lru_cache(maxsize=4)
def _default_data():
    return load_digits()


def train(
    learning_rate,
    *,
    optimizer="sgd",
    momentum=0.0,
    epochs=10,
    batch_size=32,
    seed=0,
    data=None,
    hidden=(64,),
    callbacks=(),
):
    """Train a small MLP on ``data`` (the digits by default) and record every step.

    Args:
        learning_rate: a number or any Keras ``LearningRateSchedule`` (step = optimizer step).
        optimizer: ``"sgd"``, ``"adam"``, ``"adamw"`` or ``"rmsprop"``.
        momentum: SGD's momentum.
        epochs: passes over the training set.
        batch_size: examples per step.
        seed: seeds the weights, the shuffling and every random op.
        data: an :class:`lrlib.data.Dataset`; scikit-learn's digits by default.
        hidden: widths of the hidden layers.
        callbacks: more Keras callbacks.

    Returns:
        A :class:`TrainingRun`; a diverging run stops early and says at which step.

    Example:
        >>> import lrlib
        >>> from lrlib.training import train
        >>> run = train(0.1, epochs=2, seed=0)
        >>> len(run.learning_rates), run.steps_per_epoch, run.diverged
        (86, 43, False)
    """
    epochs = validation.positive_integer("epochs", epochs)
    batch_size = validation.positive_integer("batch_size", batch_size)
    seed = validation.integer("seed", seed, low=0)
    data = _default_data() if data is None else data
    if not isinstance(data, Dataset):
        raise ValueError(f"`data` must be an lrlib.data.Dataset, got {data!r}")
    seed_everything(seed)
    model = build_model(data.num_features, data.num_classes, hidden=hidden)
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate, momentum),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    logger = LearningRateLogger()
    history = model.fit(
        data.x_train,
        data.y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(data.x_test, data.y_test),
        shuffle=True,
        verbose=0,
        callbacks=[logger, *callbacks],
    )
    record = {key: np.asarray(values, dtype=float) for key, values in history.history.items()}
    return TrainingRun(
        learning_rates=np.asarray(logger.learning_rates, dtype=float),
        losses=np.asarray(logger.losses, dtype=float),
        history=record,
        steps_per_epoch=-(-len(data.x_train) // batch_size),
        diverged_at=logger.diverged_at,
        seed=seed,
    )
