"""How far one optimizer step moves the weights: a learning rate on its optimizer's scale.

SGD moves each weight by $\\eta$ times its gradient; Adam divides each gradient entry by a
running estimate of its size, so its first step moves every weight (with a non-zero
gradient) by almost exactly $\\eta$. :func:`first_update` measures both on the course's
digits model, to set a learning rate against the size of the weights it moves.
"""

import numpy as np

from lrlib import validation

__all__ = ["first_update"]


def first_update(optimizer, learning_rate, seed=0, batch_size=32):
    """How far one optimizer step moves the weights of the course's digits model.

    Builds the common model (:func:`lrlib.course.training.build_model`) with ``seed``, takes one
    step on the first ``batch_size`` training images, and returns
    ``(weights, updates)``: two flat arrays over every kernel entry (biases, which start at
    0, are left out), the weights before the step and how much each one moved.
    Adam's first step moves every weight with a non-zero gradient by almost exactly the
    learning rate (its normalised step $\\hat m / \\sqrt{\\hat v}$ is $\\pm 1$ at step 1); SGD's
    moves it by $\\eta$ times its gradient.

    Example:
        >>> import lrlib.course
        >>> from lrlib.course.step_size import first_update
        >>> weights, updates = first_update("adam", 0.01)
        >>> weights.size, round(float(np.median(updates)), 4)
        (4736, 0.01)
    """
    import keras

    from lrlib.course.data import load_digits
    from lrlib.course.reproducibility import seed_everything
    from lrlib.course.training import build_model, make_optimizer

    seed = validation.integer("seed", seed, low=0)
    batch_size = validation.positive_integer("batch_size", batch_size)
    data = load_digits()
    seed_everything(seed)
    model = build_model(data.num_features, data.num_classes)
    model.compile(optimizer=make_optimizer(optimizer, learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    kernels = [i for i, w in enumerate(model.weights) if len(w.shape) == 2]
    before = [np.array(w) for w in model.get_weights()]
    model.train_on_batch(data.x_train[:batch_size], data.y_train[:batch_size])
    after = model.get_weights()
    weights = np.concatenate([before[i].ravel() for i in kernels])
    updates = np.concatenate([np.abs(after[i] - before[i]).ravel() for i in kernels])
    return weights, updates
