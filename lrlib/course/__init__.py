"""The course's code: what the chapters of *Learning Rates and Schedules* import.

Import it first in a notebook (``import lrlib.course``): it sets TensorFlow's quiet
environment (:func:`lrlib.course.reproducibility.quiet_environment`), which must happen before
TensorFlow is imported, so that no start-up log line reaches the page.

**One companion module per chapter**, named as the chapter's notebook: its draw functions
and their controls, its checkers (``check_*``) and its chapter-only helpers.

- Part I: :mod:`lrlib.course.intro`, :mod:`lrlib.course.convergence`,
  :mod:`lrlib.course.local_minima`.
- Part II: :mod:`lrlib.course.step_decay`, :mod:`lrlib.course.exponential_decay`,
  :mod:`lrlib.course.annealing`, :mod:`lrlib.course.cyclical`.
- Part III: :mod:`lrlib.course.warmup`, :mod:`lrlib.course.range_test`,
  :mod:`lrlib.course.choosing`.
- Part IV: :mod:`lrlib.course.unknown_budget`.

**Shared modules**, named for what they hold:

- :mod:`lrlib.course.landscapes`: toy loss surfaces with analytic gradients and known minimisers.
- :mod:`lrlib.course.descent`: gradient descent on those surfaces, NumPy only.
- :mod:`lrlib.course.basins`: which minimum gradient descent ends in: outcomes, basin maps, shares.
- :mod:`lrlib.course.noise`: gradient noise, the noise floor and the noisy bowl.
- :mod:`lrlib.course.curvature`: sharpness (top Hessian eigenvalue) of a Keras model's loss.
- :mod:`lrlib.course.data`: offline data sets (scikit-learn's digits, MNIST-1D from its
  generator, a synthetic 2-D set), with train / validation / test splits.
- :mod:`lrlib.course.training`: the training harness (a small network, every step recorded).
- :mod:`lrlib.course.runs`: the common setup of Parts II-III, the one record of a run, one
  summary, one table, one sweep (family x peak x seed) and one best-rate rule.
- :mod:`lrlib.course.stats`: paired differences over seeds, their 95% intervals, verdicts.
- :mod:`lrlib.course.study`: a sweep as an Optuna study shared by worker processes, and
  results tables on disk (stored ones in ``lrlib/course/results/``).
- :mod:`lrlib.course.plots`: the course's figure style (one colour-blind-safe palette).
- :mod:`lrlib.course.widgets`: experiments drawn by one pure function, static or live.
- :mod:`lrlib.course.check`: the machinery of the checkers that give learners feedback.
- :mod:`lrlib.course.reproducibility`: seeds, op determinism and a quiet TensorFlow.
"""

import importlib
import pkgutil

from lrlib.course.reproducibility import quiet_environment

quiet_environment()

#: Every module of the course's code, found on disk (companions and shared modules).
_SUBMODULES = tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)))

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"lrlib.course.{name}")
    raise AttributeError(f"module 'lrlib.course' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
