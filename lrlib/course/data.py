"""Offline data sets: nothing here downloads anything.

- :func:`load_digits`: scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10
  classes), split and scaled deterministically; a validation split on request.
- :func:`load_mnist1d`: MNIST-1D (Greydanus, 2020), 5,000 one-dimensional signals of 40
  points in 10 classes, made by the ``mnist1d`` package's procedural generator (never its
  download path), with a validation split.
- :func:`make_two_moons`: a small synthetic 2-D classification set.
- :func:`load_task`: either task by name (``"digits"``, ``"mnist1d"``), cached.

**The splits.** A :class:`Dataset` has a training and a test split, and optionally a
validation split carved out of its training split (stratified, seeded). The protocol of the
course: rates, peaks and plateau decisions are chosen on validation, test is reported once.
"""

import dataclasses
import functools

import numpy as np

from lrlib import validation
from lrlib.validation import choice as _choice

__all__ = ["Dataset", "TASKS", "VALIDATION_FRACTION", "load_digits", "load_mnist1d",
           "load_task", "make_two_moons", "steps_per_epoch"]

#: The share of a training split that becomes the validation split when one is asked for.
VALIDATION_FRACTION = 0.25

#: The tasks :func:`load_task` knows, by name.
TASKS = ("digits", "mnist1d")


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Train, test and (optionally) validation arrays (features float32, labels int32).

    ``x_val``/``y_val`` are ``None`` when the data set has no validation split
    (:attr:`has_validation`); the validation split never overlaps the other two.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None

    def __post_init__(self):
        if (self.x_val is None) != (self.y_val is None):
            raise ValueError("`x_val` and `y_val` must be given together")

    @property
    def has_validation(self):
        """Whether the data set has a validation split."""
        return self.x_val is not None

    @property
    def num_features(self):
        return int(self.x_train.shape[1])

    @property
    def num_classes(self):
        return int(max(self.y_train.max(), self.y_test.max()) + 1)

    def split(self, name):
        """``(x, y)`` of the split ``"train"``, ``"validation"`` or ``"test"``."""
        name = validation.choice("split", name, ("train", "validation", "test"))
        if name == "validation" and not self.has_validation:
            raise ValueError(f"`split`: {self.name} has no validation split")
        x, y = {"train": (self.x_train, self.y_train), "validation": (self.x_val, self.y_val),
                "test": (self.x_test, self.y_test)}[name]
        return x, y

    def __repr__(self):
        val = f"{len(self.x_val)} validation, " if self.has_validation else ""
        return (
            f"Dataset({self.name!r}: {len(self.x_train)} train, {val}{len(self.x_test)} test, "
            f"{self.num_features} features, {self.num_classes} classes)"
        )


def steps_per_epoch(num_examples, batch_size):
    """Optimizer steps in one epoch: ``ceil(num_examples / batch_size)``.

    Example:
        >>> steps_per_epoch(1347, 32)
        43
    """
    num_examples = validation.positive_integer("num_examples", num_examples)
    batch_size = validation.positive_integer("batch_size", batch_size)
    return -(-num_examples // batch_size)


def _split(x, y, test_fraction, seed, name):
    from sklearn.model_selection import train_test_split

    test_fraction = validation.real(
        "test_fraction", test_fraction, low=0.0, high=1.0, low_open=True, high_open=True
    )
    seed = validation.integer("seed", seed, low=0)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return x_train, x_test, y_train.astype(np.int32), y_test.astype(np.int32)


def _carve_validation(x_train, y_train, validation_fraction, seed):
    """Split a training split into (train, validation), stratified and seeded."""
    from sklearn.model_selection import train_test_split

    fraction = validation.real("validation_fraction", validation_fraction, low=0.0, high=1.0,
                               low_open=True, high_open=True)
    x_train, x_val, y_train, y_val = train_test_split(
        x_train, y_train, test_size=fraction, random_state=seed, stratify=y_train
    )
    return x_train, x_val, y_train.astype(np.int32), y_val.astype(np.int32)


def _validation_fraction(validation_fraction):
    if validation_fraction is None or validation_fraction == 0:
        return None
    return validation.real("validation_fraction", validation_fraction, low=0.0, high=1.0,
                           low_open=True, high_open=True)


def load_digits(test_fraction=0.25, seed=0, validation_fraction=None):
    """scikit-learn's digits, stratified into train and test (and validation on request),
    standardised on the training split.

    The test split is the same 450 images whatever ``validation_fraction`` is (it is cut
    first, with ``seed``). Without a validation split (the default, what the chapters use)
    the training split has the other 1,347 images. With ``validation_fraction=0.25``
    (:data:`VALIDATION_FRACTION`) a stratified quarter of those, 337 images, becomes the
    validation split and 1,010 remain for training: 1,010 / 337 / 450.

    Pixels (0 to 16) are centred and scaled per feature with the training split's mean and
    standard deviation (constant pixels are left at 0), so a plain SGD works at ordinary rates.

    Example:
        >>> data = load_digits()
        >>> data.x_train.shape, data.x_test.shape, data.num_classes
        ((1347, 64), (450, 64), 10)
        >>> load_digits(validation_fraction=0.25)
        Dataset('digits': 1010 train, 337 validation, 450 test, 64 features, 10 classes)
    """
    from sklearn.datasets import load_digits as sklearn_digits

    fraction = _validation_fraction(validation_fraction)
    digits = sklearn_digits()
    x_train, x_test, y_train, y_test = _split(
        digits.data, digits.target, test_fraction, seed, "digits"
    )
    x_val = y_val = None
    if fraction is not None:
        x_train, x_val, y_train, y_val = _carve_validation(x_train, y_train, fraction, seed)
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0

    def scale(x):
        return None if x is None else ((x - mean) / std).astype(np.float32)

    return Dataset(scale(x_train), y_train, scale(x_test), y_test, "digits",
                   scale(x_val), y_val)


@functools.lru_cache(maxsize=4)
def _mnist1d_arrays(seed):
    """The package's ``make_dataset`` with its default arguments but ``seed``.

    ``make_dataset`` seeds NumPy's and Python's global generators (``set_seed``); their
    states are restored afterwards, so loading the data changes no other random numbers.
    It only computes (NumPy and SciPy); it never reads, writes or downloads a file (that is
    ``get_dataset``, not called here).
    """
    import random

    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.seed = seed
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    arrays = (data["x"], data["y"], data["x_test"], data["y_test"])
    arrays = tuple(np.asarray(a, dtype=np.float32 if i % 2 == 0 else np.int32)
                   for i, a in enumerate(arrays))
    for a in arrays:
        a.setflags(write=False)
    return arrays


def load_mnist1d(seed=42, validation_fraction=VALIDATION_FRACTION, split_seed=0):
    """MNIST-1D, generated offline by the ``mnist1d`` package's procedural generator.

    ``mnist1d.data.make_dataset`` with the package's default arguments
    (``get_dataset_args()``: 5,000 signals of 40 points, 10 classes, the first 4,000 for
    training and the last 1,000 for test, centred and scaled as the package does) and
    ``seed`` (42, the package's default, gives the published data set). Nothing is downloaded
    or written. Generated once per ``seed`` and kept in memory (about two seconds).

    A stratified ``validation_fraction`` of the 4,000 training signals (chosen with
    ``split_seed``) becomes the validation split: with the default 0.25 (:data:`VALIDATION_FRACTION`),
    3,000 train / 1,000 validation / 1,000 test. ``validation_fraction=None`` keeps the
    package's 4,000 / 1,000 split.

    Example:
        >>> load_mnist1d()
        Dataset('mnist1d': 3000 train, 1000 validation, 1000 test, 40 features, 10 classes)
    """
    seed = validation.integer("seed", seed, low=0)
    split_seed = validation.integer("split_seed", split_seed, low=0)
    fraction = _validation_fraction(validation_fraction)
    x_train, y_train, x_test, y_test = _mnist1d_arrays(seed)
    x_val = y_val = None
    if fraction is not None:
        x_train, x_val, y_train, y_val = _carve_validation(x_train, y_train, fraction,
                                                           split_seed)
    return Dataset(x_train, y_train, x_test, y_test, "mnist1d", x_val, y_val)


@functools.lru_cache(maxsize=8)
def load_task(task="digits", validation=False):
    """The data of a task by name (:data:`TASKS`), cached: the default of each loader, with
    a validation split (:data:`VALIDATION_FRACTION` of the training split) when
    ``validation`` is true, without one otherwise.

    ``load_task("digits")`` is :func:`load_digits` ``()``, the chapters' data.
    """
    task = _choice("task", task, TASKS)
    if not isinstance(validation, bool):
        raise ValueError(f"`validation` must be True or False, got {validation!r}")
    fraction = VALIDATION_FRACTION if validation else None
    if task == "digits":
        return load_digits(validation_fraction=fraction)
    return load_mnist1d(validation_fraction=fraction)


def make_two_moons(num_examples=400, noise=0.2, test_fraction=0.25, seed=0):
    """Two interleaving half circles in 2-D (scikit-learn's ``make_moons``), split.

    Example:
        >>> make_two_moons(num_examples=200).x_train.shape
        (150, 2)
    """
    from sklearn.datasets import make_moons

    num_examples = validation.integer("num_examples", num_examples, low=8)
    noise = validation.non_negative("noise", noise)
    seed = validation.integer("seed", seed, low=0)
    x, y = make_moons(n_samples=num_examples, noise=noise, random_state=seed)
    x_train, x_test, y_train, y_test = _split(x, y, test_fraction, seed, "two moons")
    return Dataset(
        x_train.astype(np.float32), y_train, x_test.astype(np.float32), y_test, "two moons"
    )
