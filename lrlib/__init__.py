"""lrlib: learning-rate schedules, callbacks and the LR range test for Keras 3.

The package has three parts:

- **The product** (this top level; Keras and NumPy only, importing it changes nothing in
  your process: no environment variables, no logging or warning filters, no other imports):

  - :mod:`lrlib.schedules`: learning-rate schedules as Keras ``LearningRateSchedule``
    classes (step, exponential, cosine, warm restarts, cyclical, one-cycle, warmup around any
    schedule, plateau scaling, warmup-stable-decay, inverse square root).
  - :mod:`lrlib.callbacks`: ``LearningRateLogger`` (the rate and loss of every step) and
    ``ReduceScaleOnPlateau`` (plateau reduction that works with a schedule).
  - :mod:`lrlib.range_test`: Smith's learning-rate range test for any compiled model.
  - :mod:`lrlib.optimizers`: schedule-free SGD and AdamW (Defazio et al., 2024) as the
    reference ``schedulefree`` package computes them, and ``ScheduleFreeEval``, the callback
    that evaluates on their average.
  - :mod:`lrlib.validation` and :mod:`lrlib.tensors`: argument checks that raise
    ``ValueError`` naming the argument; Keras values read as NumPy.

- **The course's code**, :mod:`lrlib.course` (``pip install lrlib[course]``): one companion
  module per chapter and a few shared modules. Importing it sets up the chapters' quiet,
  deterministic TensorFlow.

- **The book's tooling**, :mod:`lrlib.book`: the exercise index, the student edition and the
  Sphinx extension, used by the build, never by a learner's kernel.

Example:
    >>> import keras
    >>> from lrlib.schedules import OneCycle
    >>> optimizer = keras.optimizers.SGD(learning_rate=OneCycle(0.5, total_steps=1000))
"""

__version__ = "0.1.0"

#: The product's modules (the course's and the book's are subpackages).
PRODUCT = ("schedules", "callbacks", "range_test", "optimizers", "validation", "tensors")

__all__ = list(PRODUCT)
