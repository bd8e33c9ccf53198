"""Smith's learning-rate range test for any compiled Keras model.

:func:`lr_range_test` ramps the learning rate exponentially while your model trains, watches
the smoothed loss fall and then blow up, stops, **restores the model as it was**, and returns
a :class:`RangeTest` with the losses, three suggestion rules and a plot.

The loss is smoothed as fastai's ``lr_find`` does: an exponential moving average with bias
correction (:func:`smoothing_step`, :func:`smooth_losses`).

Keras and NumPy only; importing this module changes nothing in your process.
"""

import dataclasses
import math

import keras
import numpy as np

from lrlib import validation
from lrlib.callbacks import LearningRateLogger

__all__ = ["lr_range_test", "RangeTest", "RULES", "smooth_losses", "smoothing_step",
           "RANGE_TEST_BETA"]

#: The range test's default smoothing factor $\beta$. fastai's ``lr_find`` uses 0.98 over
#: its 100-step ramp; 0.9 averages over about 10 steps, so that a short ramp is not all
#: warm-up of the average.
RANGE_TEST_BETA = 0.9


def smoothing_step(average, loss, k, beta=RANGE_TEST_BETA):
    r"""One step of the bias-corrected moving average: ``(new average, smoothed value)``.

    $$\bar L_k = \beta \bar L_{k-1} + (1 - \beta) L_k, \qquad
    \hat L_k = \bar L_k / (1 - \beta^k)$$

    with $\bar L_0 = 0$ and $k$ counted from 1.
    """
    average = beta * average + (1 - beta) * loss
    return average, average / (1 - beta**k)


def smooth_losses(losses, beta=RANGE_TEST_BETA):
    """The bias-corrected exponential moving average of ``losses`` (see :func:`smoothing_step`).

    Example:
        >>> from lrlib.range_test import smooth_losses
        >>> smooth_losses([1.0, 0.0], beta=0.5).round(3).tolist()
        [1.0, 0.333]
    """
    beta = validation.real("beta", beta, low=0.0, high=1.0, high_open=True)
    average, smoothed = 0.0, []
    for k, loss in enumerate(np.asarray(losses, dtype=float), start=1):
        average, value = smoothing_step(average, float(loss), k, beta)
        smoothed.append(value)
    return np.asarray(smoothed)


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
        - ``"valley"``: fastai's default rule since 2021 (``valley`` in
          ``fastai/callback/schedule.py``): halfway along the longest decreasing subsequence
          of the smoothed loss.
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
        """Smoothed loss against learning rate (log scale), suggestions marked.

        Colours come from Matplotlib's colour cycle (``"C0"``, ``"C1"``, ...): set your style
        before drawing to change them.
        """
        ax.plot(self.learning_rates, self.losses, color="0.75", linewidth=0.8, label="batch loss")
        ax.plot(self.learning_rates, self.smoothed_losses, color="C0", label="smoothed")
        for index, rule in enumerate(rules, start=1):
            color = f"C{index}"
            rate = self.suggestion(rule)
            ax.axvline(rate, color=color, linestyle="--", linewidth=1.2,
                       label=f"{rule}: {rate:.2g}")
        if self.stopped_at is not None:
            ax.plot(self.divergence_rate, self.smoothed_losses[self.stopped_at], "x",
                    color="black", markersize=8,
                    label=f"stopped at {self.divergence_rate:.2g}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")
        finite = self.smoothed_losses[np.isfinite(self.smoothed_losses)]
        head = finite[: max(1, len(finite) // 3)]
        ax.set_ylim(0.0, 2.0 * float(np.max(head)) if head.size else 1.0)
        ax.set_title(title)
        ax.legend()
        return ax


def _valley_index(losses):
    """fastai's valley rule: the index halfway along the longest decreasing subsequence.

    A transcription of fastai's ``valley`` (``fastai/callback/schedule.py``): the
    subsequence runs from ``start`` to ``end``; the index is
    ``start + int((end - start) / 3) + int((end - start) / 6)``, about halfway.
    """
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
        self._average, value = smoothing_step(self._average, loss, k, self.smoothing)
        self.smoothed.append(value)
        blown = not math.isfinite(value) or value > self.stop_factor * min(self.smoothed)
        if blown and k > 1:
            self.stopped_at = k - 1
            self.model.stop_training = True
        elif k >= self.steps:
            self.model.stop_training = True


def lr_range_test(model, x, y, *, min_learning_rate=1e-4, max_learning_rate=10.0, steps=100,
                  batch_size=32, seed=None, smoothing=RANGE_TEST_BETA, stop_factor=4.0):
    """Smith's learning-rate range test for Keras: ramp the rate up, watch the loss.

    The rate grows exponentially from ``min_learning_rate`` to ``max_learning_rate`` over
    ``steps`` optimizer steps while the model trains; the smoothed batch loss first falls,
    then blows up. The test stops once the smoothed loss exceeds ``stop_factor`` times its
    lowest value, and **restores the model** afterwards: its weights, and its compiled
    optimizer, loss and metrics, so the model is as it was (the ramp uses an optimizer of
    its own, of your optimizer's class and settings; yours keeps its state).

    Args:
        model: a compiled ``keras.Model``.
        x, y: its training data.
        min_learning_rate, max_learning_rate: the ends of the ramp.
        steps: the length of the ramp in optimizer steps (at least 3).
        batch_size: examples per step.
        seed: if given, seeds Keras's random generators (the shuffling) first; by default
            the global random state is left as it is.
        smoothing: $\beta$ of the moving average of the loss (:func:`smoothing_step`).
        stop_factor: stop when the smoothed loss exceeds this many times its minimum.

    Returns:
        A :class:`RangeTest`, with ``suggestion(rule)``, ``suggestions`` and ``plot(ax)``.

    Example:
        >>> import keras, numpy as np
        >>> from lrlib.range_test import lr_range_test
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(256, 4)); y = (x[:, 0] > 0).astype("int32")
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> model.compile(keras.optimizers.SGD(0.1),
        ...               keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        >>> before = [w.copy() for w in model.get_weights()]
        >>> test = lr_range_test(model, x, y, steps=60, min_learning_rate=1e-3,
        ...                      max_learning_rate=1e3, seed=0)
        >>> test.stopped_at is not None, sorted(test.suggestions)
        (True, ['minimum/10', 'steepest', 'valley'])
        >>> all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
        True
    """
    low = validation.positive("min_learning_rate", min_learning_rate)
    high = validation.positive("max_learning_rate", max_learning_rate)
    if high <= low:
        raise ValueError("`max_learning_rate` must be > `min_learning_rate`, "
                         f"got {high!r} <= {low!r}")
    steps = validation.integer("steps", steps, low=3)
    batch_size = validation.positive_integer("batch_size", batch_size)
    if seed is not None:
        seed = validation.integer("seed", seed, low=0)
    smoothing = validation.real("smoothing", smoothing, low=0.0, high=1.0, high_open=True)
    stop_factor = validation.real("stop_factor", stop_factor, low=1.0, low_open=True)
    if not isinstance(model, keras.Model) or model.optimizer is None:
        raise ValueError(f"`model` must be a compiled keras.Model, got {model!r}")
    if x is None or y is None:
        raise ValueError("`x` and `y`: the model's training data are needed")
    # Grows by max/min over `steps` steps: ExponentialDecay with a "decay" rate above 1.
    ramp = keras.optimizers.schedules.ExponentialDecay(low, decay_steps=steps,
                                                       decay_rate=high / low)
    if seed is not None:
        keras.utils.set_random_seed(seed)
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
        model.compile(**original)
    count = len(monitor.smoothed)
    return RangeTest(
        learning_rates=np.asarray(logger.learning_rates[:count], dtype=float),
        losses=np.asarray(logger.losses[:count], dtype=float),
        smoothed_losses=np.asarray(monitor.smoothed, dtype=float),
        stopped_at=monitor.stopped_at,
        planned_steps=steps,
    )
