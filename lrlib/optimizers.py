"""Schedule-free SGD and AdamW for Keras 3 (Defazio et al., 2024), as the reference computes them.

Schedule-free training keeps three points per weight: $z$, where the gradient steps go
(plain SGD or Adam steps); $x$, a weighted average of the $z$ iterates, the point to evaluate
and to keep; and $y$, an interpolation between them, where the gradient is taken:

$$y_t = (1 - \\beta)\\, z_t + \\beta\\, x_t, \\qquad
  z_{t+1} = z_t - \\gamma_t\\, g(y_t), \\qquad
  x_{t+1} = (1 - c_{t+1})\\, x_t + c_{t+1}\\, z_{t+1}, \\qquad
  c_{t+1} = \\frac{\\gamma_{max,t}^2}{\\sum_{i \\le t} \\gamma_{max,i}^2}$$

with $\\beta$ the momentum (``beta_1`` for AdamW), $\\gamma_t$ the learning rate times the
linear warmup $\\min(1, (t + 1)/W)$ and $\\gamma_{max,t}$ its running maximum. Without warmup
$c_{t+1} = 1/(t + 1)$: $x$ is the plain average of the $z$ iterates. No learning-rate
schedule is needed; a ``learning_rate`` schedule is still honoured (as the reference honours a
PyTorch scheduler changing its ``lr``).

The classes here transcribe the reference implementation, the ``schedulefree`` package 1.4.1
(Apache-2.0, https://github.com/facebookresearch/schedule_free):
``schedulefree/sgd_schedulefree.py`` (``SGDScheduleFree``) and
``schedulefree/adamw_schedulefree.py`` (``AdamWScheduleFree``), with their defaults
``r = 0`` and ``weight_lr_power = 2``, which are fixed here. As in the reference the model's
variables hold $y$ during training (the gradient is taken at the model's weights) and $x$ is
never stored: it is recovered as ``lerp(y, z, 1 - 1/beta)``. Step by step (the reference's
``step``, per parameter, with ``k`` the step count from 0):

- ``sched = (k + 1) / warmup_steps`` while ``k < warmup_steps``, else 1;
  ``lr = learning_rate * sched``; ``lr_max = max(lr, lr_max)``;
  ``weight = lr_max ** 2``; ``weight_sum += weight``; ``ckp1 = weight / weight_sum``
  (0 while ``weight_sum`` is 0). Here the sum is kept relative to the current weight,
  ``count = weight_sum / lr_max ** 2``, the same number divided by ``weight``, so that it
  grows by exactly 1 a step after the warmup (``ckp1 = 1 / count``) and float32 holds it
  exactly (to 2**24 steps).
- the state ``z`` is a copy of the parameter at its first step.
- SGD: ``grad += weight_decay * y``; AdamW: ``exp_avg_sq = beta_2 * exp_avg_sq +
  (1 - beta_2) * grad**2``, ``grad = grad / (sqrt(exp_avg_sq / (1 - beta_2 ** (k + 1))) +
  epsilon)``, then ``grad += weight_decay * y`` (decay at $y$, after the normalisation).
- ``y = lerp(y, z, ckp1) + lr * (beta * (1 - ckp1) - 1) * grad``; ``z = z - lr * grad``.
- ``eval()`` sets the parameters to $x$, ``lerp(y, z, 1 - 1/beta)``; ``train()`` back to
  $y$, ``lerp(x, z, 1 - beta)``; both do nothing before the first step.

What Keras adds, following its convention for averaged weights (``use_ema``):

- at the end of ``model.fit`` Keras calls ``finalize_variable_values``, which here puts $x$
  into the model (the reference's ``eval()``): after ``fit`` the model holds $x$, ready to
  evaluate, predict and save (:attr:`holds_x` says so, and is saved with the model).
- :class:`ScheduleFreeEval`, a callback for ``fit``, is the reference's ``train()`` and
  ``eval()`` calls: it puts $y$ back into the model when training begins (a second ``fit``,
  or a loaded model trained further) and evaluates on $x$ during training, swapping $x$ in
  around every evaluation (validation in ``fit``, ``evaluate``, ``predict``) and $y$ back.
- :meth:`swap_to_x` and :meth:`swap_to_y` do the same by hand (e.g. around a checkpoint saved
  in the middle of training: a model saved while holding $y$ is right for resuming training,
  one saved holding $x$ for using it).
- Without the callback or :meth:`swap_to_y`, a ``fit`` that starts from $x$ is still
  consistent, not exact: its first step turns the weights back into $y$ before updating them,
  but Keras has already taken that step's gradient at $x$ (the reference would raise instead,
  as it does when ``step`` is called in eval mode).

Keras 3.15 also has ``keras.optimizers.ScheduleFreeAdamW``: it averages with $1/(t + 1)$
whatever the warmup (the reference weighs warmup steps by $\\gamma_t^2$), applies Keras's
decoupled weight decay to $y$ before the step, and leaves $y$ in the model after ``fit``.

Example:
    >>> import keras, numpy as np
    >>> from lrlib.optimizers import ScheduleFreeAdamW, ScheduleFreeEval
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=ScheduleFreeAdamW(0.01, warmup_steps=5), loss="mse")
    >>> x = np.ones((8, 2), "float32")
    >>> history = model.fit(x, x[:, :1], validation_split=0.25, epochs=2, verbose=0,
    ...                     callbacks=[ScheduleFreeEval()])  # validation on x
    >>> model.optimizer.holds_x  # fit ended: the model holds the average x
    True
"""

import numbers

import keras
from keras import ops

from lrlib import validation
from lrlib.tensors import to_float

__all__ = ["ScheduleFreeSGD", "ScheduleFreeAdamW", "ScheduleFreeEval"]

_FLOAT = "float32"


def _register(cls):
    return keras.saving.register_keras_serializable(package="lrlib")(cls)


def _learning_rate(value):
    """A positive number, a Keras ``LearningRateSchedule`` or a callable, as Keras takes it."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return validation.positive("learning_rate", value)
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule) or callable(value):
        return value
    raise ValueError(
        "`learning_rate` must be a positive number, a keras LearningRateSchedule or a "
        f"callable, got {value!r}"
    )


class _ScheduleFree(keras.optimizers.Optimizer):
    """What schedule-free SGD and AdamW share: the average's weights, the point swaps.

    Subclasses set ``self._beta`` (the interpolation between $z$ and $x$), build their own
    slots in ``_build_slots`` and implement ``_direction(gradient, y, index)``, the step
    direction applied to both $y$ and $z$.
    """

    def __init__(self, learning_rate, warmup_steps, weight_decay, use_ema=False, **kwargs):
        if use_ema:
            raise ValueError(
                "`use_ema` must be False: a schedule-free optimizer keeps its own average "
                "(the point x), which the model holds after `fit`"
            )
        learning_rate = _learning_rate(learning_rate)
        warmup_steps = validation.integer("warmup_steps", warmup_steps, low=0)
        weight_decay = validation.non_negative("weight_decay", weight_decay)
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.warmup_steps = warmup_steps

    # -- state ---------------------------------------------------------------------------

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        # z: the SGD/Adam iterates (the reference's state['z']), a copy of each variable.
        self._z = self.add_optimizer_variables(var_list, "z")
        for z, variable in zip(self._z, var_list):
            if z is not None:
                self.assign(z, variable)
        self._build_slots(var_list)
        # The reference's group['lr_max'], group['weight_sum'] / lr_max**2, and whether the
        # model's variables hold x (the reference's group['train_mode'] == False).
        self._lr_max = self.add_variable((), dtype=_FLOAT, name="lr_max")
        self._count = self.add_variable((), dtype=_FLOAT, name="average_count")
        self._holds_x = self.add_variable((), dtype=_FLOAT, name="model_holds_x")

    def _build_slots(self, var_list):
        pass

    def _apply_weight_decay(self, variables):
        """No decoupled decay by Keras: the reference decays at y inside the step."""

    def _scalars(self, learning_rate):
        """This step's ``(lr, ckp1, lr_max, count)``, in float32 (the reference's ``step``)."""
        k = ops.cast(self.iterations, _FLOAT)
        lr = ops.cast(learning_rate, _FLOAT)
        if self.warmup_steps:
            lr = lr * ops.minimum((k + 1.0) / self.warmup_steps, 1.0)
        lr_max = ops.maximum(lr, self._lr_max)
        weight, previous = ops.square(lr_max), ops.square(self._lr_max)
        positive = weight > 0.0
        safe = ops.where(positive, weight, 1.0)
        count = ops.where(positive, self._count * (previous / safe) + 1.0, 0.0)
        ckp1 = ops.where(positive, 1.0 / ops.where(positive, count, 1.0), 0.0)
        return lr, ckp1, lr_max, count

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        super()._backend_update_step(grads, trainable_variables, learning_rate)
        # Once per step, after every variable's update read the old values.
        _, _, lr_max, count = self._scalars(learning_rate)
        self.assign(self._lr_max, lr_max)
        self.assign(self._count, count)
        self.assign(self._holds_x, ops.zeros_like(self._holds_x))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr, ckp1, _, _ = self._scalars(learning_rate)
        lr, ckp1 = ops.cast(lr, dtype), ops.cast(ckp1, dtype)
        index = self._get_variable_index(variable)
        z_variable = self._z[index]
        z = ops.where(ops.equal(self.iterations, 0), variable, z_variable)
        # The model holds x after fit (or a swap): y = lerp(x, z, 1 - beta), the reference's
        # train(); otherwise it holds y already.
        y = variable + ops.cast(self._holds_x, dtype) * (1.0 - self._beta) * (z - variable)
        direction = self._direction(ops.cast(gradient, dtype), y, index)
        self.assign(variable, y + ckp1 * (z - y) + lr * (self._beta * (1.0 - ckp1) - 1.0)
                    * direction)
        self.assign(z_variable, z - lr * direction)

    def _decayed(self, direction, y, index):
        if self.weight_decay and self._use_weight_decay(self._trainable_variables[index]):
            return direction + self.weight_decay * y
        return direction

    # -- the two points --------------------------------------------------------------------

    @property
    def holds_x(self):
        """Whether the model's variables hold the average $x$ (else $y$, as in training)."""
        return self.built and to_float(self._holds_x) > 0.5

    def swap_to_x(self):
        """Put $x$ into the model's variables (the reference's ``eval()``); idempotent."""
        self._swap(to_x=True)

    def swap_to_y(self):
        """Put $y$ back into the model's variables (the reference's ``train()``); idempotent."""
        self._swap(to_x=False)

    def _swap(self, to_x):
        if not self.built or self.holds_x == to_x:
            return
        if int(to_float(self.iterations)) > 0:  # before the first step x = y = z
            weight = 1.0 - 1.0 / self._beta if to_x else 1.0 - self._beta
            for variable, z in zip(self._trainable_variables, self._z):
                if z is not None:
                    variable.assign(variable + weight * (z - variable))
        self._holds_x.assign(1.0 if to_x else 0.0)

    def finalize_variable_values(self, var_list):
        """Called by Keras at the end of ``fit``: put $x$ into the model."""
        self.swap_to_x()

    def get_config(self):
        config = super().get_config()
        config["warmup_steps"] = self.warmup_steps
        return config


@_register
class ScheduleFreeSGD(_ScheduleFree):
    """Schedule-free SGD: the reference's ``SGDScheduleFree``, step by step, for Keras 3.

    $$y_t = (1 - \\beta) z_t + \\beta x_t, \\quad g_t = \\nabla f(y_t) + \\lambda y_t, \\quad
      z_{t+1} = z_t - \\gamma_t g_t, \\quad x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}$$

    with $\\beta$ = ``momentum``, $\\lambda$ = ``weight_decay`` and $\\gamma_t$ and
    $c_{t+1}$ as in the module's docstring. The model holds $y$ during training and $x$ after
    ``fit``; :class:`ScheduleFreeEval` evaluates on $x$ during training.
    Reference: ``schedulefree/sgd_schedulefree.py``, ``SGDScheduleFree.step``, ``eval``,
    ``train`` (schedulefree 1.4.1); Defazio et al. (2024), *The road less scheduled*.

    Args:
        learning_rate: $\\gamma$ (> 0), or a Keras ``LearningRateSchedule``; 1.0 by default.
        momentum: $\\beta$, in (0, 1); 0.9 by default.
        warmup_steps: linear warmup over this many steps (an integer >= 0).
        weight_decay: $\\lambda$ (>= 0), an L2 term added to the gradient at $y$.
        **kwargs: Keras's optimizer arguments (``clipnorm``, ``name``...) except ``use_ema``.

    Example:
        >>> from lrlib.optimizers import ScheduleFreeSGD
        >>> optimizer = ScheduleFreeSGD(0.5, warmup_steps=100)
        >>> optimizer.get_config()["momentum"], optimizer.get_config()["warmup_steps"]
        (0.9, 100)
    """

    def __init__(self, learning_rate=1.0, momentum=0.9, warmup_steps=0, weight_decay=0.0,
                 **kwargs):
        momentum = validation.real(
            "momentum", momentum, low=0.0, high=1.0, low_open=True, high_open=True
        )
        super().__init__(learning_rate, warmup_steps, weight_decay, **kwargs)
        self.momentum = momentum

    @property
    def _beta(self):
        return self.momentum

    def _direction(self, gradient, y, index):
        return self._decayed(gradient, y, index)

    def get_config(self):
        config = super().get_config()
        config["momentum"] = self.momentum
        return config


@_register
class ScheduleFreeAdamW(_ScheduleFree):
    """Schedule-free AdamW: the reference's ``AdamWScheduleFree``, step by step, for Keras 3.

    $$v_t = \\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2, \\quad
      d_t = \\frac{g_t}{\\sqrt{v_t / (1 - \\beta_2^{t+1})} + \\epsilon} + \\lambda y_t, \\quad
      z_{t+1} = z_t - \\gamma_t d_t, \\quad x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}$$

    with $g_t = \\nabla f(y_t)$, $y_t = (1 - \\beta_1) z_t + \\beta_1 x_t$, $\\lambda$ =
    ``weight_decay`` (applied at $y$, after the normalisation; no first moment: $\\beta_1$ is
    the interpolation) and $\\gamma_t$, $c_{t+1}$ as in the module's docstring. The model
    holds $y$ during training and $x$ after ``fit``; :class:`ScheduleFreeEval` evaluates on
    $x$ during training. Reference: ``schedulefree/adamw_schedulefree.py``,
    ``AdamWScheduleFree.step``, ``eval``, ``train`` (schedulefree 1.4.1).

    Args:
        learning_rate: $\\gamma$ (> 0), or a Keras ``LearningRateSchedule``; 0.0025 by default.
        beta_1: $\\beta_1$, the interpolation between $z$ and $x$, in (0, 1).
        beta_2: $\\beta_2$, the second moment's decay, in [0, 1).
        epsilon: added to the denominator (> 0).
        warmup_steps: linear warmup over this many steps (an integer >= 0).
        weight_decay: $\\lambda$ (>= 0).
        **kwargs: Keras's optimizer arguments (``clipnorm``, ``name``...) except ``use_ema``.

    Example:
        >>> from lrlib.optimizers import ScheduleFreeAdamW
        >>> optimizer = ScheduleFreeAdamW(warmup_steps=1000, weight_decay=0.01)
        >>> round(float(optimizer.learning_rate), 4), optimizer.beta_1
        (0.0025, 0.9)
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, weight_decay=0.0, **kwargs):
        beta_1 = validation.real("beta_1", beta_1, low=0.0, high=1.0, low_open=True,
                                 high_open=True)
        beta_2 = validation.real("beta_2", beta_2, low=0.0, high=1.0, high_open=True)
        epsilon = validation.positive("epsilon", epsilon)
        super().__init__(learning_rate, warmup_steps, weight_decay, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    @property
    def _beta(self):
        return self.beta_1

    def _build_slots(self, var_list):
        # The reference's state['exp_avg_sq'].
        self._exp_avg_sq = self.add_optimizer_variables(var_list, "exp_avg_sq")

    def _direction(self, gradient, y, index):
        exp_avg_sq = self._exp_avg_sq[index]
        dtype = exp_avg_sq.dtype
        k = ops.cast(self.iterations, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        average = exp_avg_sq * beta_2 + (1.0 - beta_2) * ops.square(gradient)
        self.assign(exp_avg_sq, average)
        bias_correction2 = 1.0 - ops.power(beta_2, k + 1.0)
        denominator = ops.sqrt(average / bias_correction2) + self.epsilon
        return self._decayed(gradient / denominator, y, index)

    def get_config(self):
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config


class ScheduleFreeEval(keras.callbacks.Callback):
    """Train a schedule-free optimizer's model on $y$, evaluate it on its average $x$.

    When training begins the model's variables are set to $y$ (they hold $x$ after an
    earlier ``fit`` or when loaded from such a model). Around every evaluation (``fit``'s
    validation, ``evaluate``, ``predict``) they are swapped to $x$ and, if they held $y$,
    back to $y$ after it, so training goes on from where it was. At the end of ``fit`` the
    optimizer leaves $x$ in the model. These are the reference's ``optimizer.train()`` and
    ``optimizer.eval()`` calls, which it asks for before training and evaluating.

    Example:
        >>> from lrlib.optimizers import ScheduleFreeEval
        >>> callbacks = [ScheduleFreeEval()]  # model.fit(..., callbacks=callbacks)
    """

    def __init__(self):
        super().__init__()
        self._swapped = False

    def _optimizer(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        if not isinstance(optimizer, _ScheduleFree):
            raise ValueError(
                "`ScheduleFreeEval` needs a model compiled with ScheduleFreeSGD or "
                f"ScheduleFreeAdamW, got {type(optimizer).__name__}"
            )
        return optimizer

    def _to_x(self):
        optimizer = self._optimizer()
        self._swapped = not optimizer.holds_x
        optimizer.swap_to_x()

    def _back(self):
        if self._swapped:
            self._optimizer().swap_to_y()
            self._swapped = False

    def on_train_begin(self, logs=None):
        self._optimizer().swap_to_y()

    def on_test_begin(self, logs=None):
        self._to_x()

    def on_test_end(self, logs=None):
        self._back()

    def on_predict_begin(self, logs=None):
        self._to_x()

    def on_predict_end(self, logs=None):
        self._back()
