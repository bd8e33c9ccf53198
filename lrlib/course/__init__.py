"""The course's code: what the chapters of *Learning Rates and Schedules* import.

Import it first in a notebook (``import lrlib.course``): it sets TensorFlow's quiet
environment (:func:`lrlib.course.reproducibility.quiet_environment`), which must happen before
TensorFlow is imported, so that no start-up log line reaches the page.

Shared modules, named for what they hold:

- :mod:`lrlib.course.landscapes`: toy loss surfaces with analytic gradients and known minimisers.
- :mod:`lrlib.course.descent`: gradient descent on those surfaces, NumPy only.
- :mod:`lrlib.course.noise`: gradient noise, the noise floor and the noisy bowl.
- :mod:`lrlib.course.basins`: which minimum gradient descent ends in: outcomes, basin maps, shares.
- :mod:`lrlib.course.curvature`: sharpness (top Hessian eigenvalue) of a Keras model's loss.
- :mod:`lrlib.course.data`: offline data sets (scikit-learn's digits, a synthetic 2-D set).
- :mod:`lrlib.course.training`: the training harness (a small network, every step recorded).
- :mod:`lrlib.course.runs`: runs on the common setup (model, budget, seeds, baseline) and every
  comparison of them: one record of a run, one summary, one table, sweeps, their figures.
- :mod:`lrlib.course.stability`, :mod:`lrlib.course.saddles`, :mod:`lrlib.course.flat_minima`,
  :mod:`lrlib.course.cyclical`, :mod:`lrlib.course.decay`, :mod:`lrlib.course.counterfactual`,
  :mod:`lrlib.course.step_size`: topic code of the chapters.
- :mod:`lrlib.course.plots`: the course's figure style (one colour-blind-safe palette).
- :mod:`lrlib.course.widgets`: experiments drawn by one pure function, static or live.
- :mod:`lrlib.course.check`: checkers that give learners feedback on exercises.
- :mod:`lrlib.course.reproducibility`: seeds, op determinism and a quiet TensorFlow.
"""

import importlib

from lrlib.course.reproducibility import quiet_environment

quiet_environment()

_SUBMODULES = (
    "basins",
    "check",
    "counterfactual",
    "curvature",
    "cyclical",
    "data",
    "decay",
    "descent",
    "flat_minima",
    "landscapes",
    "plots",
    "reproducibility",
    "runs",
    "noise",
    "saddles",
    "stability",
    "step_size",
    "training",
    "widgets",
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"lrlib.course.{name}")
    raise AttributeError(f"module 'lrlib.course' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
