"""Keras callbacks: log the learning rate of every step; cut any schedule on a plateau.

- :class:`LearningRateLogger` records, at every optimizer step, the rate the optimizer used
  (Keras 3 optimizers have ``optimizer.learning_rate``, not the ``lr`` of old tutorials) and
  the batch's own loss (Keras reports a running mean over the epoch in ``logs["loss"]``), and
  stops a diverging run, saying at which step.
- :class:`ReduceScaleOnPlateau` is Keras's ``ReduceLROnPlateau`` for an optimizer built with a
  schedule: it scales a :class:`lrlib.schedules.PlateauScaled` down instead of assigning a
  number (which raises a ``TypeError`` in Keras 3).

Keras and NumPy only; importing this module changes nothing in your process.
"""

import math

import keras

from lrlib import validation
from lrlib.schedules import PlateauScaled
from lrlib.tensors import to_float

__all__ = ["LearningRateLogger", "ReduceScaleOnPlateau", "DIVERGED_LOSS_FACTOR"]

#: :class:`LearningRateLogger`'s divergence rule: a batch loss above this many times the
#: larger of the first batch's loss and 1 (or not finite) means the run diverged.
DIVERGED_LOSS_FACTOR = 100.0


class LearningRateLogger(keras.callbacks.Callback):
    """Record the learning rate and loss of every training step; stop when training diverges.

    After ``model.fit(..., callbacks=[logger])``: ``logger.learning_rates[k]`` is the rate
    the optimizer used for step ``k`` (read before the step, from
    ``model.optimizer.learning_rate``), and ``logger.losses[k]`` is that step's batch loss.
    The divergence rule: if a batch loss is not finite, or exceeds ``divergence_factor``
    times the larger of the first batch's loss and 1, training stops and
    ``logger.diverged_at`` holds that step (otherwise it stays ``None``).

    Example:
        >>> import keras, numpy as np
        >>> from lrlib.callbacks import LearningRateLogger
        >>> from lrlib.schedules import StepDecay
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(keras.optimizers.SGD(StepDecay(0.1, 0.5, drop_every=2)), "mse")
        >>> logger = LearningRateLogger()
        >>> _ = model.fit(np.ones((8, 2)), np.ones(8), batch_size=2, verbose=0, callbacks=[logger])
        >>> [round(r, 3) for r in logger.learning_rates]
        [0.1, 0.1, 0.05, 0.05]
    """

    def __init__(self, divergence_factor=DIVERGED_LOSS_FACTOR):
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
        >>> import keras, numpy as np
        >>> from lrlib.callbacks import ReduceScaleOnPlateau
        >>> from lrlib.schedules import CosineAnnealing, PlateauScaled
        >>> schedule = PlateauScaled(CosineAnnealing(0.1, decay_steps=100))
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(keras.optimizers.SGD(schedule), "mse")
        >>> x, y = np.ones((8, 2)), np.ones(8)
        >>> plateau = ReduceScaleOnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
        >>> _ = model.fit(x, y, epochs=3, verbose=0, callbacks=[plateau])
        >>> plateau.reductions  # no epoch improved by 10 on the first: a cut after epochs 1, 2
        [(1, 0.5), (2, 0.25)]
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
