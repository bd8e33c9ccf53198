"""Curvature of a real network's loss: Hessian-vector products and the sharpness.

The *sharpness* of a loss at the current weights is the largest eigenvalue $\\lambda_{max}$ of
its Hessian. On a quadratic, gradient descent with rate $\\eta$ is stable only while
$\\lambda_{max} < 2/\\eta$; Cohen et al. (2021) found that full-batch training of real networks
drives $\\lambda_{max}$ up until it hovers at $2/\\eta$ (the edge of stability), and Keskar et
al. (2017) relate sharp minima to worse generalisation.

:func:`sharpness` estimates $\\lambda_{max}$ by power iteration on Hessian-vector products
(double backpropagation with TensorFlow), never forming the Hessian.

Example:
    >>> import lrlib.course, keras, numpy as np
    >>> from lrlib.course.curvature import sharpness
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    >>> model.set_weights([np.zeros((2, 1), "float32")])
    >>> x = np.array([[1.0, 0.0], [0.0, 3.0]], "float32"); y = np.zeros((2, 1), "float32")
    >>> # mean squared error: Hessian = 2/n * X^T X = diag(1, 9)
    >>> round(sharpness(model, x, y, loss="mse"), 3)
    9.0
"""

import numpy as np

from lrlib import validation

__all__ = ["hessian_vector_product", "sharpness"]


def _loss_function(model, loss):
    import keras

    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise ValueError("`loss` is needed: the model is not compiled with one")
    return keras.losses.get(loss) if isinstance(loss, str) else loss


def hessian_vector_product(model, x, y, vectors, loss=None):
    """$H v$ for the mean loss over ``(x, y)``, $v$ given per trainable weight."""
    import tensorflow as tf

    loss_fn = _loss_function(model, loss)
    weights = model.trainable_weights
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            value = tf.reduce_mean(loss_fn(y, model(x, training=False)))
        grads = inner.gradient(value, weights)
        dot = tf.add_n([tf.reduce_sum(g * v) for g, v in zip(grads, vectors)])
    return outer.gradient(dot, weights)


def sharpness(model, x, y, loss=None, iterations=30, seed=0, tolerance=1e-4):
    """The largest Hessian eigenvalue of the mean loss over ``(x, y)``, by power iteration.

    Args:
        model: a built Keras model (TensorFlow backend).
        x, y: the data the loss is averaged over (full batch: the whole training set).
        loss: a Keras loss (name or object); the model's compiled loss by default.
        iterations: at most this many power-iteration steps.
        seed: seeds the random start vector.
        tolerance: stop when the estimate changes by less than this fraction.

    Returns:
        The estimate of $\\lambda_{max}$ (a float). Power iteration finds the eigenvalue of
        largest magnitude; near a minimum that is the largest positive one.
    """
    import tensorflow as tf

    iterations = validation.positive_integer("iterations", iterations)
    seed = validation.integer("seed", seed, low=0)
    tolerance = validation.positive("tolerance", tolerance)
    loss_fn = _loss_function(model, loss)
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y)
    weights = model.trainable_weights

    @tf.function(reduce_retracing=True)
    def product(vectors):
        return hessian_vector_product(model, x, y, vectors, loss_fn)

    rng = np.random.default_rng(seed)
    vectors = [tf.constant(rng.standard_normal(w.shape), dtype=w.dtype) for w in weights]
    estimate = 0.0
    for _ in range(iterations):
        norm = tf.sqrt(tf.add_n([tf.reduce_sum(v * v) for v in vectors]))
        vectors = [v / norm for v in vectors]
        hv = product(vectors)
        new = float(tf.add_n([tf.reduce_sum(a * b) for a, b in zip(vectors, hv)]))
        vectors = hv
        converged = abs(new - estimate) <= tolerance * max(abs(new), 1e-12)
        estimate = new
        if converged:
            break
    return estimate
