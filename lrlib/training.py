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
from lrlib.tensors import to_float
from lrlib.data import Dataset, load_digits
from lrlib.reproducibility import seed_everything
from lrlib.schedules import PlateauScaled

import keras  # noqa: E402  (lrlib's __init__ has set TensorFlow's quiet environment)
from keras import ops  # noqa: E402

__all__ = [
    "LearningRateLogger",
    "TrainingRun",
    "build_model",
    "make_optimizer",
    "train",
    "RangeTest",
    "RULES",
    "lr_range_test",
    "ReduceScaleOnPlateau",
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
        return to_float(metric.total), to_float(metric.count)

    def on_train_begin(self, logs=None):
        self.learning_rates, self.losses, self.diverged_at = [], [], None

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = (0.0, 0.0)  # Keras resets the loss metric at each epoch

    def on_train_batch_begin(self, batch, logs=None):
        rate = self.model.optimizer.learning_rate
        self.learning_rates.append(to_float(rate))

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
        validation_batch_size=len(data.x_test),  # one batch: same numbers, less overhead
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


# -- the learning-rate range test (Smith 2017) ---------------------------------------------------

#: The suggestion rules of :meth:`RangeTest.suggestion`.
RULES = ("steepest", "minimum/10", "valley")


@dataclasses.dataclass(frozen=True)
class RangeTest:
    """What :func:`lr_range_test` measured.

    Attributes:
        learning_rates: the rate of each step of the exponential ramp.
        losses: each step's batch loss.
        smoothed_losses: the exponentially smoothed, bias-corrected loss the test watches.
        stopped_at: the step at which the smoothed loss blew up and the test stopped, or
            ``None`` if it ran to ``max_learning_rate``.
        planned_steps: the length of the ramp the test was asked for (``steps``); the
            number of recorded steps when not given.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    stopped_at: int | None
    planned_steps: int | None = None

    @property
    def window(self):
        """The steps the rules look at, as a slice: fastai's ``lr_find`` window.

        The first 10% of the planned ramp (where the moving average is still settling) and
        the last 5 recorded steps (the blow-up) are left out, as fastai does; when that
        leaves fewer than 3 steps, all of them.
        """
        count = len(self.learning_rates)
        planned = count if self.planned_steps is None else self.planned_steps
        start, stop = planned // 10, count - 5
        if stop - start < 3:
            return slice(0, count)
        return slice(start, stop)

    @property
    def divergence_rate(self):
        """The rate at which the smoothed loss blew up and the test stopped, or ``None``."""
        if self.stopped_at is None:
            return None
        return float(self.learning_rates[self.stopped_at])

    def suggestion(self, rule="valley"):
        """A learning rate suggested by one of the usual rules.

        All three look at the smoothed loss inside :attr:`window`:

        - ``"steepest"``: where the smoothed loss falls fastest against $\\log \\eta$
          (after a moving average over 5% of the steps; fastai's ``steep`` takes the
          steepest single step instead).
        - ``"minimum/10"``: a tenth of the rate at the lowest smoothed loss (fastai's
          ``minimum``; Smith's advice is to stay below the minimum).
        - ``"valley"``: fastai's default rule: about two thirds of the way down the longest
          stretch over which the smoothed loss keeps decreasing.
        """
        rule = validation.choice("rule", rule, RULES)
        if len(self.learning_rates) < 3:
            raise ValueError("the range test recorded fewer than 3 steps: widen the range")
        rates = self.learning_rates[self.window]
        smooth = self.smoothed_losses[self.window]
        if rule == "minimum/10":
            return float(rates[int(np.argmin(smooth))] / 10.0)
        if rule == "steepest":
            # Slope against log(rate) after a moving average over 5% of the steps, up to
            # the lowest point (the steepest fall of interest comes before it).
            width = max(3, len(self.learning_rates) // 20)
            padded = np.pad(smooth, width // 2, mode="edge")
            flat = np.convolve(padded, np.ones(width) / width, mode="valid")[: len(smooth)]
            slope = np.gradient(flat, np.log(rates))
            lowest = int(np.argmin(smooth)) + 1
            usable = slope[:lowest] if lowest >= 2 else slope
            return float(rates[int(np.argmin(usable))])
        return float(rates[_valley_index(smooth)])

    @property
    def suggestions(self):
        """All three rules' suggestions, by name."""
        return {rule: self.suggestion(rule) for rule in RULES}

    def plot(self, ax, rules=RULES, title="Learning-rate range test"):
        """Smoothed loss against learning rate (log scale), suggestions marked."""
        from lrlib.plots import COLORS, PALETTE, log_rate_axis, use_style

        use_style()
        ax.plot(self.learning_rates, self.losses, color="0.75", linewidth=0.8, label="batch loss")
        ax.plot(self.learning_rates, self.smoothed_losses, color=COLORS[0], label="smoothed")
        for color, rule in zip(COLORS[1:], rules):
            rate = self.suggestion(rule)
            ax.axvline(rate, color=color, linestyle="--", linewidth=1.2,
                       label=f"{rule}: {rate:.2g}")
        if self.stopped_at is not None:
            ax.plot(self.divergence_rate, self.smoothed_losses[self.stopped_at], "x",
                    color=PALETTE["black"], markersize=8,
                    label=f"stopped at {self.divergence_rate:.2g}")
        log_rate_axis(ax)
        ax.set_ylabel("training loss")
        finite = self.smoothed_losses[np.isfinite(self.smoothed_losses)]
        head = finite[: max(1, len(finite) // 3)]
        ax.set_ylim(0.0, 2.0 * float(np.max(head)) if head.size else 1.0)
        ax.set_title(title)
        ax.legend()
        return ax


def _valley_index(losses):
    """fastai's valley rule: index two thirds down the longest decreasing subsequence."""
    n = len(losses)
    longest = [1] * n
    best_start, best_end = 0, 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and longest[i] < longest[j] + 1:
                longest[i] = longest[j] + 1
        if longest[best_end] < longest[i]:
            best_end = i
            best_start = best_end - longest[best_end]
    sections = (best_end - best_start) / 3
    return int(min(n - 1, best_start + int(sections) + int(sections / 2)))


class _RangeTestMonitor(keras.callbacks.Callback):
    """Smooths the batch loss and stops when it exceeds ``stop_factor`` x its minimum."""

    def __init__(self, logger, steps, smoothing, stop_factor):
        super().__init__()
        self.logger, self.steps = logger, steps
        self.smoothing, self.stop_factor = smoothing, stop_factor
        self.smoothed, self.stopped_at = [], None
        self._average = 0.0

    def on_train_batch_end(self, batch, logs=None):
        loss = self.logger.losses[-1]
        k = len(self.logger.losses)
        beta = self.smoothing
        self._average = beta * self._average + (1 - beta) * loss
        value = self._average / (1 - beta**k)
        self.smoothed.append(value)
        blown = not math.isfinite(value) or value > self.stop_factor * min(self.smoothed)
        if blown and k > 1:
            self.stopped_at = k - 1
            self.model.stop_training = True
        elif k >= self.steps:
            self.model.stop_training = True


def lr_range_test(model=None, x=None, y=None, *, data=None, min_learning_rate=1e-4,
                  max_learning_rate=10.0, steps=100, batch_size=32, optimizer="sgd",
                  seed=0, smoothing=0.9, stop_factor=4.0, hidden=(64,)):
    """Smith's learning-rate range test for Keras: ramp the rate up, watch the loss.

    The rate grows exponentially from ``min_learning_rate`` to ``max_learning_rate`` over
    ``steps`` optimizer steps while the model trains; the smoothed batch loss first falls,
    then blows up. The test stops once the smoothed loss exceeds ``stop_factor`` times its
    lowest value, and **restores the model** afterwards: its weights, and its compiled
    optimizer, loss and metrics, so the model is as it was (the ramp uses an optimizer of
    its own; yours keeps its state).

    The loss is smoothed as fastai's ``lr_find`` does, with bias correction:
    $\\bar L_k = \\beta \\bar L_{k-1} + (1 - \\beta) L_k$, shown as
    $\\bar L_k / (1 - \\beta^k)$ (fastai uses $\\beta = 0.98$, for longer ramps).

    Args:
        model: a compiled Keras model (its optimizer's class and settings are reused with
            the ramp as learning rate), with ``x`` and ``y``. If ``None``, the course's small
            network on ``data`` (the digits by default), trained with ``optimizer``.
        x, y: training data for ``model``.
        data: an :class:`lrlib.data.Dataset` when ``model`` is ``None``.
        min_learning_rate, max_learning_rate: the ends of the ramp.
        steps: the length of the ramp in optimizer steps.
        batch_size: examples per step.
        optimizer: the optimizer's name when ``model`` is ``None``.
        seed: seeds the model (when built here) and the shuffling.
        smoothing: $\\beta$ of the exponential moving average of the loss.
        stop_factor: stop when the smoothed loss exceeds this many times its minimum.
        hidden: the widths of the hidden layers of the course's network (when ``model`` is
            ``None``).

    Returns:
        A :class:`RangeTest`, with ``suggestion(rule)`` and ``plot(ax)``.

    Example:
        >>> import lrlib
        >>> from lrlib.training import lr_range_test
        >>> test = lr_range_test(steps=60, min_learning_rate=1e-3, max_learning_rate=100.0)
        >>> test.stopped_at is not None, sorted(test.suggestions)
        (True, ['minimum/10', 'steepest', 'valley'])
    """
    low = validation.positive("min_learning_rate", min_learning_rate)
    high = validation.positive("max_learning_rate", max_learning_rate)
    if high <= low:
        raise ValueError("`max_learning_rate` must be > `min_learning_rate`, "
                         f"got {high!r} <= {low!r}")
    steps = validation.integer("steps", steps, low=3)
    batch_size = validation.positive_integer("batch_size", batch_size)
    seed = validation.integer("seed", seed, low=0)
    smoothing = validation.real("smoothing", smoothing, low=0.0, high=1.0, high_open=True)
    stop_factor = validation.real("stop_factor", stop_factor, low=1.0, low_open=True)
    # Grows by max/min over `steps` steps: ExponentialDecay with a "decay" rate above 1.
    ramp = keras.optimizers.schedules.ExponentialDecay(low, decay_steps=steps,
                                                       decay_rate=high / low)
    seed_everything(seed)
    if model is None:
        data = _default_data() if data is None else data
        if not isinstance(data, Dataset):
            raise ValueError(f"`data` must be an lrlib.data.Dataset, got {data!r}")
        x, y = data.x_train, data.y_train
        model = build_model(data.num_features, data.num_classes, hidden=hidden)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        ramp_optimizer = make_optimizer(optimizer, ramp)
        original = None
    else:
        if not isinstance(model, keras.Model) or model.optimizer is None:
            raise ValueError("`model` must be a compiled keras.Model")
        if x is None or y is None:
            raise ValueError("`x` and `y` are needed with `model`")
        loss = model.loss
        config = model.optimizer.get_config()
        config["learning_rate"] = ramp
        ramp_optimizer = type(model.optimizer).from_config(config)
        # Keras 3 keeps the arguments of the last compile(); recompile with them afterwards,
        # so metrics and the optimizer (with its state) come back.
        compiled = getattr(model, "_compile_config", None)
        original = dict(compiled.config) if compiled is not None else {}
        original.setdefault("optimizer", model.optimizer)
        original.setdefault("loss", loss)
    weights = model.get_weights()
    model.compile(optimizer=ramp_optimizer, loss=loss)
    logger = LearningRateLogger(divergence_factor=1e12)  # the monitor decides when to stop
    monitor = _RangeTestMonitor(logger, steps, smoothing, stop_factor)
    epochs = math.ceil(steps / math.ceil(len(x) / batch_size))
    try:
        model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0,
                  callbacks=[logger, monitor])
    finally:
        model.set_weights(weights)
        if original is not None:
            model.compile(**original)
    count = len(monitor.smoothed)
    return RangeTest(
        learning_rates=np.asarray(logger.learning_rates[:count], dtype=float),
        losses=np.asarray(logger.losses[:count], dtype=float),
        smoothed_losses=np.asarray(monitor.smoothed, dtype=float),
        stopped_at=monitor.stopped_at,
        planned_steps=steps,
    )


# -- plateau reduction that works with schedules ----------------------------------------------

_HIGHER_IS_BETTER = ("accuracy", "acc", "auc", "precision", "recall")


class ReduceScaleOnPlateau(keras.callbacks.Callback):
    """Keras's ``ReduceLROnPlateau`` for an optimizer driven by a schedule.

    Keras's ``ReduceLROnPlateau`` assigns a new number to ``optimizer.learning_rate``, which
    raises a ``TypeError`` when the optimizer was built with a ``LearningRateSchedule``. This
    callback lowers the factor $s$ of a :class:`lrlib.schedules.PlateauScaled` schedule
    instead, so the rate becomes $\\eta_t = s \\cdot S(t)$: the schedule keeps its shape and
    the plateau rule scales it down.

    The rule is Keras's: at the end of each epoch, if ``monitor`` has not improved by more
    than ``min_delta`` on its best value for ``patience`` epochs in a row, then
    $s \\leftarrow \\max(f s, s_{min})$ with $f$ = ``factor``; after a reduction, the count
    starts again after ``cooldown`` epochs.

    Args:
        schedule: the :class:`lrlib.schedules.PlateauScaled` to act on; by default the one
            the model's optimizer was built with.
        monitor: the quantity in the epoch logs, ``"val_loss"`` by default.
        factor: $f$ in (0, 1).
        patience: epochs without improvement before a reduction (a positive integer).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (``"max"`` for accuracy-like names).
        min_delta: the smallest change that counts as an improvement (>= 0).
        cooldown: epochs to wait after a reduction before counting again (>= 0).
        min_scale: $s_{min}$, the lowest factor (>= 0).

    Attributes:
        reductions: ``(epoch, new scale)`` for each reduction, epochs counted from 0.

    Example:
        >>> import lrlib
        >>> from lrlib.schedules import CosineAnnealing, PlateauScaled
        >>> from lrlib.training import ReduceScaleOnPlateau, train
        >>> schedule = PlateauScaled(CosineAnnealing(0.3, decay_steps=430))
        >>> plateau = ReduceScaleOnPlateau(schedule, factor=0.5, patience=1)
        >>> run = train(schedule, epochs=10, seed=0, callbacks=[plateau])
        >>> schedule.scale < 1.0, plateau.reductions[0][1]
        (True, 0.5)
    """

    def __init__(self, schedule=None, *, monitor="val_loss", factor=0.5, patience=2,
                 mode="auto", min_delta=1e-4, cooldown=0, min_scale=0.0):
        super().__init__()
        if schedule is not None and not isinstance(schedule, PlateauScaled):
            raise ValueError("`schedule` must be an lrlib.schedules.PlateauScaled (or None, "
                             f"to use the optimizer's), got {schedule!r}")
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"`monitor` must be the name of a logged quantity, got {monitor!r}")
        self.schedule = schedule
        self.monitor = monitor
        self.factor = validation.real("factor", factor, low=0.0, high=1.0,
                                      low_open=True, high_open=True)
        self.patience = validation.positive_integer("patience", patience)
        self.mode = validation.choice("mode", mode, ("auto", "min", "max"))
        self.min_delta = validation.non_negative("min_delta", min_delta)
        self.cooldown = validation.integer("cooldown", cooldown, low=0)
        self.min_scale = validation.non_negative("min_scale", min_scale)
        self.reductions = []
        self._reset()

    def _reset(self):
        self.best, self.wait, self.cooldown_counter = None, 0, 0

    @property
    def higher_is_better(self):
        """Whether ``monitor`` improves upwards (from ``mode``, or guessed from its name)."""
        if self.mode != "auto":
            return self.mode == "max"
        name = self.monitor.removeprefix("val_")
        return name.endswith(_HIGHER_IS_BETTER)

    def _improved(self, current):
        if self.best is None:
            return True
        if self.higher_is_better:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def _target(self):
        if self.schedule is not None:
            return self.schedule
        # Keras 3 keeps the schedule an optimizer was built with in `_learning_rate`
        # (`optimizer.learning_rate` returns its current value instead).
        found = getattr(self.model.optimizer, "_learning_rate", None)
        if not isinstance(found, PlateauScaled):
            raise ValueError(
                "`schedule`: the model's optimizer was not built with an "
                "lrlib.schedules.PlateauScaled learning rate; wrap your schedule in one, "
                f"or pass it to ReduceScaleOnPlateau (found {found!r})"
            )
        return found

    def on_train_begin(self, logs=None):
        self._reset()
        self.reductions = []
        self._target()  # fail early, before the first epoch

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            available = ", ".join(sorted(logs)) or "none"
            raise ValueError(f"`monitor`: {self.monitor!r} is not in the epoch logs "
                             f"(available: {available}); pass validation data for 'val_*'")
        current = float(logs[self.monitor])
        schedule = self._target()
        logs["scale"] = schedule.scale
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best, self.wait = current, 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience and schedule.scale > self.min_scale:
            new = max(schedule.scale * self.factor, self.min_scale)
            schedule.set_scale(new)
            self.reductions.append((int(epoch), schedule.scale))
            self.cooldown_counter, self.wait = self.cooldown, 0
