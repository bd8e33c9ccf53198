"""The schedule-free reference optimizers, transcribed line by line to NumPy.

Source: the ``schedulefree`` package 1.4.1 (Apache-2.0, Meta Platforms,
https://github.com/facebookresearch/schedule_free), the memory-efficient optimizers that
``import schedulefree`` exports:

- ``schedulefree/sgd_schedulefree.py``, class ``SGDScheduleFree``: ``__init__`` (defaults
  and checks), ``eval``, ``train`` and ``step`` (its ``foreach=False`` loop, which does the
  same arithmetic as its ``torch._foreach_*`` branch);
- ``schedulefree/adamw_schedulefree.py``, class ``AdamWScheduleFree``: the same four.

PyTorch's tensors become float32 NumPy arrays changed in place; the group's scalars stay
Python floats (float64), as in the reference, and multiply float32 arrays without promoting
them (NumPy 2's rules for Python scalars, like PyTorch's). One parameter group. ``lerp_`` is
PyTorch's, two-branched (ATen ``native/Lerp.h``, ``lerp``): ``self + w * (end - self)`` when
``|w| < 0.5``, else ``end - (end - self) * (1 - w)``.

Used by ``tests/product/test_optimizers.py`` to check lrlib's Keras optimizers step by step.
"""

import numpy as np


def lerp_(p, end, weight):
    """``p.lerp_(end, weight)`` in place (ATen ``Lerp.h``: two branches by ``|weight|``)."""
    if abs(weight) < 0.5:
        p += weight * (end - p)
    else:
        p[...] = end - (end - p) * (1 - weight)


class SGDScheduleFree:
    """``schedulefree.SGDScheduleFree`` on a list of NumPy arrays (``params``, in place)."""

    def __init__(self, params, lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0.0,
                 weight_lr_power=2):
        if lr < 0.0:
            raise ValueError("Invalid learning rate: {}".format(lr))
        if weight_decay < 0.0:
            raise ValueError("Invalid weight_decay value: {}".format(weight_decay))
        if momentum <= 0 or momentum >= 1:
            raise ValueError("Momentum must be between 0 and 1 exclusive: {}".format(momentum))
        self.params = params
        self.state = [dict() for _ in params]
        self.group = dict(lr=lr, momentum=momentum, r=r, k=0, warmup_steps=warmup_steps,
                          train_mode=False, weight_sum=0.0, lr_max=-1.0, scheduled_lr=0.0,
                          weight_lr_power=weight_lr_power, weight_decay=weight_decay)

    def eval(self):
        group = self.group
        train_mode = group['train_mode']
        momentum = group['momentum']
        if train_mode:
            for p, state in zip(self.params, self.state):
                if 'z' in state:
                    # Set p to x
                    lerp_(p, state['z'], 1 - 1 / momentum)
            group['train_mode'] = False

    def train(self):
        group = self.group
        train_mode = group['train_mode']
        momentum = group['momentum']
        if not train_mode:
            for p, state in zip(self.params, self.state):
                if 'z' in state:
                    # Set p to y
                    lerp_(p, state['z'], 1 - momentum)
            group['train_mode'] = True

    def step(self, grads):
        """One step with ``grads`` (one array per parameter, taken at the parameters, y)."""
        if not self.group['train_mode']:
            raise Exception("Optimizer was not in train mode when step is called.")
        group = self.group
        momentum = group['momentum']
        lr = group['lr']
        weight_decay = group['weight_decay']
        k = group['k']
        warmup_steps = group['warmup_steps']

        if k < warmup_steps:
            sched = (k + 1) / warmup_steps
        else:
            sched = 1.0
        lr = group['lr'] * sched
        group['scheduled_lr'] = lr  # For logging purposes

        weight_lr_power = group['weight_lr_power']

        r = group['r']
        lr_max = group['lr_max'] = max(lr, group['lr_max'])

        weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
        weight_sum = group['weight_sum'] = group['weight_sum'] + weight

        try:
            ckp1 = weight / weight_sum
        except ZeroDivisionError:
            ckp1 = 0

        for p, state in zip(self.params, self.state):
            if 'z' not in state:
                state['z'] = p.copy()

        for p, grad, state in zip(self.params, grads, self.state):
            y = p  # Notation to match theory
            grad = np.array(grad, dtype=p.dtype)  # p.grad (changed in place below)
            z = state['z']

            # Apply weight decay
            if weight_decay != 0:
                grad += weight_decay * y

            # These operations update y in-place,
            # without computing x explicitly.
            lerp_(y, z, ckp1)
            y += lr * (momentum * (1 - ckp1) - 1) * grad

            # SGD step
            z -= lr * grad

        group['k'] = k + 1


class AdamWScheduleFree:
    """``schedulefree.AdamWScheduleFree`` on a list of NumPy arrays (``params``, in place)."""

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0):
        self.params = params
        self.state = [dict() for _ in params]
        self.group = dict(lr=lr, betas=betas, eps=eps, r=r, k=0, warmup_steps=warmup_steps,
                          train_mode=False, weight_sum=0.0, lr_max=-1.0, scheduled_lr=0.0,
                          weight_lr_power=weight_lr_power, weight_decay=weight_decay)

    def eval(self):
        group = self.group
        train_mode = group['train_mode']
        beta1, _ = group['betas']
        if train_mode:
            for p, state in zip(self.params, self.state):
                if 'z' in state:
                    # Set p to x
                    lerp_(p, state['z'], 1 - 1 / beta1)
            group['train_mode'] = False

    def train(self):
        group = self.group
        train_mode = group['train_mode']
        beta1, _ = group['betas']
        if not train_mode:
            for p, state in zip(self.params, self.state):
                if 'z' in state:
                    # Set p to y
                    lerp_(p, state['z'], 1 - beta1)
            group['train_mode'] = True

    def step(self, grads):
        """One step with ``grads`` (one array per parameter, taken at the parameters, y)."""
        if not self.group['train_mode']:
            raise Exception("Optimizer was not in train mode when step is called.")
        group = self.group
        eps = group['eps']
        beta1, beta2 = group['betas']
        decay = group['weight_decay']
        k = group['k']
        r = group['r']
        warmup_steps = group['warmup_steps']
        weight_lr_power = group['weight_lr_power']

        if k < warmup_steps:
            sched = (k + 1) / warmup_steps
        else:
            sched = 1.0

        bias_correction2 = 1 - beta2 ** (k + 1)
        lr = group['lr'] * sched
        group['scheduled_lr'] = lr  # For logging purposes

        lr_max = group['lr_max'] = max(lr, group['lr_max'])

        weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
        weight_sum = group['weight_sum'] = group['weight_sum'] + weight

        try:
            ckp1 = weight / weight_sum
        except ZeroDivisionError:
            ckp1 = 0

        for p, state in zip(self.params, self.state):
            if 'z' not in state:
                state['z'] = p.copy()
                state['exp_avg_sq'] = np.zeros_like(p)

        for p, grad, state in zip(self.params, grads, self.state):
            y = p  # Notation to match theory
            grad = np.array(grad, dtype=p.dtype)  # p.grad (changed in place below)

            z = state['z']
            exp_avg_sq = state['exp_avg_sq']

            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * grad * grad  # addcmul_(grad, grad, value=1-beta2)
            denom = np.sqrt(exp_avg_sq / bias_correction2) + eps  # .div().sqrt_().add_(eps)

            # Reuse grad buffer for memory efficiency
            grad_normalized = grad
            grad_normalized /= denom

            # Weight decay calculated at y
            if decay != 0:
                grad_normalized += decay * y

            # These operations update y in-place,
            # without computing x explicitly.
            lerp_(y, z, ckp1)
            y += lr * (beta1 * (1 - ckp1) - 1) * grad_normalized

            # z step
            z -= lr * grad_normalized

        group['k'] = k + 1

