"""Seeds, op determinism and a quiet TensorFlow, set in one place.

TensorFlow prints an absl preamble and a oneDNN notice on import unless two environment
variables are set *before* it is imported; :func:`quiet_environment` sets them (``import lrlib``
calls it). :func:`seed_everything` seeds Python, NumPy and the Keras backend and turns on
TensorFlow's op determinism, so a run repeated with the same seed gives the same numbers.
"""

import os
import random

import numpy as np

#: Environment variables that keep TensorFlow quiet and its CPU results reproducible.
QUIET_ENVIRONMENT = {
    # 3 = errors only: no INFO/WARNING lines from the C++ runtime.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # oneDNN reorders float operations (results vary run to run) and announces itself.
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
}


def quiet_environment():
    """Set the variables in :data:`QUIET_ENVIRONMENT` unless the user already chose a value."""
    for key, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def seed_everything(seed):
    """Seed Python, NumPy and Keras/TensorFlow, and make TensorFlow ops deterministic.

    Args:
        seed: a non-negative integer.

    Example:
        >>> from lrlib.course.reproducibility import seed_everything
        >>> seed_everything(0)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    _silence_python_loggers()


def _silence_python_loggers():
    """Silence the Python-side loggers of TensorFlow and absl (warnings about retracing etc.)."""
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:  # pragma: no cover - absl ships with TensorFlow
        pass
