"""The course's training harness: a small network, trained with any rate, every step recorded.

:func:`train` builds a small network (:func:`build_model`), trains it with ``model.fit`` and
returns a :class:`TrainingRun` holding, per optimizer step, the learning rate used and the
batch's loss (recorded by :class:`lrlib.callbacks.LearningRateLogger`, whose divergence rule
it keeps), and per epoch the training and test metrics, and the validation metrics when the
data set has a validation split. The same seed gives the same numbers. A run
defines, once for the course, when it *diverged* (the logger's rule), its *final training
loss* and the *smoothing* of its loss curve for plots.
:func:`range_test` runs the product's :func:`lrlib.range_test.lr_range_test` on that network.
"""

import dataclasses
import functools
import math

import numpy as np

from lrlib import validation
from lrlib.callbacks import LearningRateLogger
from lrlib.course.data import Dataset, load_digits
from lrlib.course.reproducibility import seed_everything
from lrlib.range_test import RANGE_TEST_BETA, lr_range_test

import keras  # noqa: E402  (lrlib.course has set TensorFlow's quiet environment)

__all__ = [
    "TrainingRun",
    "build_model",
    "make_optimizer",
    "train",
    "range_test",
]

_OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "rmsprop": keras.optimizers.RMSprop,
}


@dataclasses.dataclass(frozen=True)
class TrainingRun:
    """What :func:`train` recorded.

    Attributes:
        learning_rates: the rate used at each optimizer step.
        losses: each step's batch loss (training mode).
        history: per-epoch metrics as arrays, Keras's names: ``loss`` and ``accuracy`` (the
            training split), ``val_loss`` and ``val_accuracy`` (the data passed to Keras as
            ``validation_data``, so the split that callbacks such as
            :class:`lrlib.callbacks.ReduceScaleOnPlateau` decide on). Which split that is
            depends on :attr:`has_validation`:

            * ``False`` (a data set without a validation split, as the chapters use today):
              ``val_*`` is the **test** split, and there is no ``test_*``;
            * ``True``: ``val_*`` is the **validation** split, and ``test_loss`` and
              ``test_accuracy`` hold the test split's.

            :meth:`curve` reads any split by its name, whichever the case.
        steps_per_epoch: optimizer steps in one epoch.
        diverged_at: the step at which training diverged and stopped, or ``None``.
        seed: the seed of the run.
        has_validation: whether the data had a validation split (see ``history``).
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    history: dict
    steps_per_epoch: int
    diverged_at: int | None
    seed: int
    has_validation: bool = False

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

    def curve(self, split, name):
        """Per-epoch ``name`` (``"loss"`` or ``"accuracy"``) on ``split`` (``"train"``,
        ``"validation"`` or ``"test"``), as an array.

        Example:
            >>> import numpy as np
            >>> history = {"loss": np.array([2.0]), "val_loss": np.array([1.5]),
            ...            "accuracy": np.array([0.5]), "val_accuracy": np.array([0.6])}
            >>> run = TrainingRun(np.full(4, 0.1), np.ones(4), history, 4, None, 0)
            >>> run.curve("test", "accuracy").tolist()  # no validation split: val_* is test
            [0.6]
        """
        split = validation.choice("split", split, ("train", "validation", "test"))
        name = validation.choice("name", name, ("loss", "accuracy"))
        if split == "train":
            key = name
        elif split == "validation":
            if not self.has_validation:
                raise ValueError("`split`: this run had no validation split")
            key = f"val_{name}"
        else:
            key = f"test_{name}" if self.has_validation else f"val_{name}"
        return np.asarray(self.history[key], dtype=float)

    def _final(self, split, name, diverged_value):
        if split == "validation" and not self.has_validation:
            return None
        values = self.curve(split, name)
        if self.diverged or values.size == 0:
            return diverged_value
        return float(values[-1])

    @property
    def final_accuracy(self):
        """Test accuracy after the last epoch (0 for a diverged run)."""
        return self._final("test", "accuracy", 0.0)

    @property
    def final_loss(self):
        """Test loss after the last epoch (infinite for a diverged run)."""
        return self._final("test", "loss", math.inf)

    @property
    def final_validation_accuracy(self):
        """Validation accuracy after the last epoch (0 for a diverged run; ``None`` without
        a validation split)."""
        return self._final("validation", "accuracy", 0.0)

    @property
    def final_validation_loss(self):
        """Validation loss after the last epoch (infinite for a diverged run; ``None``
        without a validation split)."""
        return self._final("validation", "loss", math.inf)

    @property
    def final_training_loss(self):
        """The course's one "final training loss": the training loss of the last epoch, as
        Keras reports it (the mean of the batch losses weighted by batch size, that is the
        mean over the epoch's examples); infinite for a diverged run."""
        if self.diverged or len(self.history["loss"]) == 0:
            return math.inf
        return float(self.history["loss"][-1])

    def steps_to_accuracy(self, target, split="test"):
        """The first epoch-end step at which ``split``'s accuracy (test by default) reached
        ``target``, or ``None``."""
        target = validation.real("target", target, low=0.0, high=1.0)
        reached = np.flatnonzero(self.curve(split, "accuracy") >= target)
        if self.diverged or reached.size == 0:
            return None
        return int(self.epoch_end_steps[reached[0]])

    def smoothed_losses(self, window=None):
        """The course's one smoothing of a training-loss curve, for plots: each step's batch
        loss averaged over a trailing window (an epoch by default; fewer steps at the start).

        Example:
            >>> import numpy as np
            >>> history = {"loss": np.array([2.0]), "val_loss": np.array([2.0]),
            ...            "accuracy": np.array([0.5]), "val_accuracy": np.array([0.5])}
            >>> run = TrainingRun(np.full(4, 0.1), np.array([4.0, 2.0, 3.0, 1.0]), history,
            ...                   2, None, 0)
            >>> run.smoothed_losses().tolist()
            [4.0, 3.0, 2.5, 2.0]
        """
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


class _TestMetrics(keras.callbacks.Callback):
    """Adds the test split's loss and accuracy to each epoch's logs (``test_loss``,
    ``test_accuracy``), so that ``History`` records them beside the validation split's.

    The network is called once on the whole split in inference mode; the loss is the mean
    sparse categorical cross-entropy of its logits (as Keras computes it, in float64), the
    accuracy the share of argmax hits. Cheaper than ``model.evaluate`` (about 15 ms against
    200 ms on MNIST-1D's 1,000 test signals), which matters at one call per epoch.
    """

    def __init__(self, x, y):
        super().__init__()
        self._x, self._y = x, np.asarray(y, dtype=np.int64)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        optimizer = self.model.optimizer
        swap = getattr(optimizer, "holds_x", True) is False  # schedule-free, holding y
        if swap:
            optimizer.swap_to_x()  # evaluate the average x, as ScheduleFreeEval does
        try:
            logits = np.asarray(self.model(self._x, training=False), dtype=np.float64)
        finally:
            if swap:
                optimizer.swap_to_y()
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        logs["test_loss"] = float(-log_probs[np.arange(len(self._y)), self._y].mean())
        logs["test_accuracy"] = float(np.mean(logits.argmax(axis=1) == self._y))


def build_model(num_features, num_classes, hidden=(64,), activation="relu"):
    """A small multilayer perceptron that outputs logits.

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.training import build_model
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


_SCHEDULE_FREE = ("schedule-free-sgd", "schedule-free-adamw")


def make_optimizer(name, learning_rate, momentum=0.0, warmup_steps=0):
    """A Keras optimizer by name (``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``), or a
    schedule-free one (``"schedule-free-sgd"``, ``"schedule-free-adamw"``:
    :class:`lrlib.optimizers.ScheduleFreeSGD`, :class:`lrlib.optimizers.ScheduleFreeAdamW`).

    ``learning_rate`` is a number or any ``LearningRateSchedule``; ``momentum`` applies to SGD
    (schedule-free SGD's $\beta$, in (0, 1)); ``warmup_steps`` to the schedule-free ones (their
    own linear warmup).
    """
    name = validation.choice("optimizer", name, tuple(_OPTIMIZERS) + _SCHEDULE_FREE)
    if isinstance(learning_rate, (int, float)) and not isinstance(learning_rate, bool):
        learning_rate = validation.positive("learning_rate", learning_rate)
    elif not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(
            f"`learning_rate` must be a number or a LearningRateSchedule, got {learning_rate!r}"
        )
    if name == "schedule-free-sgd":
        from lrlib.optimizers import ScheduleFreeSGD

        return ScheduleFreeSGD(learning_rate, momentum=momentum, warmup_steps=warmup_steps)
    if momentum and name != "sgd":
        raise ValueError(f"`momentum` applies to 'sgd' only, not to {name!r}")
    if name == "schedule-free-adamw":
        from lrlib.optimizers import ScheduleFreeAdamW

        return ScheduleFreeAdamW(learning_rate, warmup_steps=warmup_steps)
    if warmup_steps:
        raise ValueError(f"`warmup_steps` applies to schedule-free optimizers only, not to "
                         f"{name!r}")
    if name == "sgd":
        momentum = validation.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
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
    warmup_steps=0,
):
    """Train a small MLP on ``data`` (the digits by default) and record every step.

    Each epoch ends with the metrics of the held-out splits: on a data set without a
    validation split, the test split's, as ``val_loss``/``val_accuracy`` (what the chapters
    read today); on one with a validation split, the validation split's as ``val_*`` (so a
    callback monitoring ``val_loss`` decides on validation) and the test split's as
    ``test_loss``/``test_accuracy``. See :class:`TrainingRun`.

    Args:
        learning_rate: a number or any Keras ``LearningRateSchedule`` (step = optimizer step).
        optimizer: ``"sgd"``, ``"adam"``, ``"adamw"`` or ``"rmsprop"``, or
            ``"schedule-free-sgd"`` or ``"schedule-free-adamw"`` (:func:`make_optimizer`):
            then every evaluation (validation, test) is of the average $x$
            (:class:`lrlib.optimizers.ScheduleFreeEval`), and training of $y$.
        momentum: SGD's momentum.
        epochs: passes over the training set.
        batch_size: examples per step.
        seed: seeds the weights, the shuffling and every random op.
        data: an :class:`lrlib.course.data.Dataset`; scikit-learn's digits by default
            (:func:`lrlib.course.data.load_digits`, no validation split).
        hidden: widths of the hidden layers.
        callbacks: more Keras callbacks.
        warmup_steps: a schedule-free optimizer's own warmup.

    Returns:
        A :class:`TrainingRun`; a diverging run stops early and says at which step.

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.training import train
        >>> run = train(0.1, epochs=2, seed=0)
        >>> len(run.learning_rates), run.steps_per_epoch, run.diverged
        (86, 43, False)
    """
    epochs = validation.positive_integer("epochs", epochs)
    batch_size = validation.positive_integer("batch_size", batch_size)
    seed = validation.integer("seed", seed, low=0)
    data = _default_data() if data is None else data
    if not isinstance(data, Dataset):
        raise ValueError(f"`data` must be an lrlib.course.data.Dataset, got {data!r}")
    seed_everything(seed)
    model = build_model(data.num_features, data.num_classes, hidden=hidden)
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate, momentum, warmup_steps),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    logger = LearningRateLogger()
    held_out = data.split("validation" if data.has_validation else "test")
    extra = [_TestMetrics(data.x_test, data.y_test)] if data.has_validation else []
    if optimizer in _SCHEDULE_FREE:
        from lrlib.optimizers import ScheduleFreeEval

        extra.insert(0, ScheduleFreeEval())
    history = model.fit(
        data.x_train,
        data.y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=held_out,
        validation_batch_size=len(held_out[0]),  # one batch: same numbers, less overhead
        shuffle=True,
        verbose=0,
        callbacks=[logger, *extra, *callbacks],
    )
    record = {key: np.asarray(values, dtype=float) for key, values in history.history.items()}
    return TrainingRun(
        learning_rates=np.asarray(logger.learning_rates, dtype=float),
        losses=np.asarray(logger.losses, dtype=float),
        history=record,
        steps_per_epoch=-(-len(data.x_train) // batch_size),
        diverged_at=logger.diverged_at,
        seed=seed,
        has_validation=data.has_validation,
    )




def range_test(*, data=None, optimizer="sgd", hidden=(64,), seed=0, batch_size=32,
               smoothing=RANGE_TEST_BETA, **options):
    """:func:`lrlib.range_test.lr_range_test` on the course's small network.

    Seeds everything with ``seed``, builds :func:`build_model` for ``data`` (the digits by
    default) with ``hidden`` layers, compiles it with ``optimizer`` and runs the range test on
    its training split. ``options`` go to :func:`lrlib.range_test.lr_range_test`
    (``min_learning_rate``, ``max_learning_rate``, ``steps``, ``stop_factor``).

    Example:
        >>> from lrlib.course.training import range_test
        >>> test = range_test(steps=60, min_learning_rate=1e-3, max_learning_rate=100.0)
        >>> test.stopped_at is not None, sorted(test.suggestions)
        (True, ['minimum/10', 'steepest', 'valley'])
    """
    data = _default_data() if data is None else data
    if not isinstance(data, Dataset):
        raise ValueError(f"`data` must be an lrlib.course.data.Dataset, got {data!r}")
    seed = validation.integer("seed", seed, low=0)
    seed_everything(seed)
    model = build_model(data.num_features, data.num_classes, hidden=hidden)
    model.compile(optimizer=make_optimizer(optimizer, 1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return lr_range_test(model, data.x_train, data.y_train, batch_size=batch_size,
                         smoothing=smoothing, **options)
