"""Argument checks shared by lrlib: each raises ``ValueError`` naming the argument."""

import math
import numbers


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def real(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float after checking it is a finite real number in a range.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` say otherwise.
    """
    if not _is_real(value) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number, got {value!r}")
    value = float(value)
    if low is not None and (value < low or (low_open and value == low)):
        bound = f"> {low}" if low_open else f">= {low}"
        raise ValueError(f"`{name}` must be {bound}, got {value!r}")
    if high is not None and (value > high or (high_open and value == high)):
        bound = f"< {high}" if high_open else f"<= {high}"
        raise ValueError(f"`{name}` must be {bound}, got {value!r}")
    return value


def positive(name, value):
    """A finite number > 0, as a float."""
    return real(name, value, low=0.0, low_open=True)


def non_negative(name, value):
    """A finite number >= 0, as a float."""
    return real(name, value, low=0.0)


def integer(name, value, *, low=None):
    """An integer (Python or NumPy, not bool) >= ``low``, as an int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"`{name}` must be an integer, got {value!r}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"`{name}` must be >= {low}, got {value!r}")
    return value


def positive_integer(name, value):
    """An integer >= 1, as an int."""
    return integer(name, value, low=1)


def choice(name, value, options):
    """One of ``options``."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"`{name}` must be one of {listed}, got {value!r}")
    return value
