"""Numbers out of Keras tensors and variables, quietly.

``keras.ops.convert_to_numpy`` calls ``np.array(x)`` on TensorFlow tensors and Keras
variables, whose ``__array__`` predates NumPy 2's ``copy`` keyword: every call raises a
``DeprecationWarning`` (TensorFlow 2.21, NumPy 2.4). Their own ``.numpy()`` does not, so lrlib
reads values through these two functions.

Example:
    >>> import keras
    >>> from lrlib.tensors import to_float
    >>> to_float(keras.Variable(0.5))
    0.5
"""

import numpy as np

__all__ = ["to_numpy", "to_float"]


def to_numpy(value):
    """``value`` (a tensor, a Keras variable, an array or a number) as a NumPy array."""
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    return np.asarray(value)


def to_float(value):
    """A scalar ``value`` (tensor, variable, array or number) as a Python float."""
    return float(to_numpy(value))
