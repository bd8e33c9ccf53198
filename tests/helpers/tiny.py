"""A tiny data set and model for the product's tests: NumPy and Keras only, no course code."""

import types

import keras
import numpy as np


def _moons(num_examples=256, seed=0):
    """Two interleaved half circles with noise, split 3:1 into train and test."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, num_examples)
    label = rng.integers(0, 2, num_examples)
    x = np.stack([np.cos(t) + label, np.sin(t) * (1 - 2 * label) + 0.5 * label], axis=1)
    x = (x + rng.normal(0, 0.1, x.shape)).astype("float32")
    split = num_examples * 3 // 4
    return types.SimpleNamespace(x_train=x[:split], y_train=label[:split].astype("int32"),
                                 x_test=x[split:], y_test=label[split:].astype("int32"))


#: 192 training and 64 test points of two classes in the plane.
MOONS = _moons()


def small_model(hidden=(4,), seed=0):
    """A small MLP with 2 inputs and 2 output logits (not compiled)."""
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((2,))] + [keras.layers.Dense(h, activation="relu") for h in hidden]
    return keras.Sequential(layers + [keras.layers.Dense(2)])
