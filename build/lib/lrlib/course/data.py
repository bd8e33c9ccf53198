"""Offline data sets: nothing here downloads anything.

- :func:`load_digits`: scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10
  classes), split and scaled deterministically.
- :func:`make_two_moons`: a small synthetic 2-D classification set.
"""

import dataclasses

import numpy as np

from lrlib import validation

__all__ = ["Dataset", "load_digits", "make_two_moons", "steps_per_epoch"]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Train and test arrays (features float32, labels int32) and a short description."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str

    @property
    def num_features(self):
        return int(self.x_train.shape[1])

    @property
    def num_classes(self):
        return int(max(self.y_train.max(), self.y_test.max()) + 1)

    def __repr__(self):
        return (
            f"Dataset({self.name!r}: {len(self.x_train)} train, {len(self.x_test)} test, "
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


def load_digits(test_fraction=0.25, seed=0):
    """scikit-learn's digits, stratified into train and test, standardised on the train set.

    Pixels (0 to 16) are centred and scaled per feature with the training set's mean and
    standard deviation (constant pixels are left at 0), so a plain SGD works at ordinary rates.

    Example:
        >>> data = load_digits()
        >>> data.x_train.shape, data.x_test.shape, data.num_classes
        ((1347, 64), (450, 64), 10)
    """
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    x_train, x_test, y_train, y_test = _split(
        digits.data, digits.target, test_fraction, seed, "digits"
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    x_train = ((x_train - mean) / std).astype(np.float32)
    x_test = ((x_test - mean) / std).astype(np.float32)
    return Dataset(x_train, y_train, x_test, y_test, "digits")


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
