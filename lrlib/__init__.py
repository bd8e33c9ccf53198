"""lrlib: the code behind the course *Learning Rates and Schedules*.

Submodules (imported on first use, so ``import lrlib`` stays fast):

- :mod:`lrlib.schedules`: learning-rate schedules as Keras ``LearningRateSchedule`` classes.
- :mod:`lrlib.landscapes`: toy loss surfaces with analytic gradients and known minimisers.
- :mod:`lrlib.descent`: gradient descent on those surfaces, NumPy only.
- :mod:`lrlib.data`: offline data sets (scikit-learn's digits, a synthetic 2-D set).
- :mod:`lrlib.training`: train a small Keras model with any schedule and record every step;
  the learning-rate range test.
- :mod:`lrlib.experiments`: the common setup (model, budget, seeds, baseline) of Parts II-III.
- :mod:`lrlib.sweep`: a head-to-head sweep of schedules (family x peak rate x seed) and its table.
- :mod:`lrlib.curvature`: sharpness (top Hessian eigenvalue) of a Keras model's loss.
- :mod:`lrlib.decay`: decay schedules in practice: Keras equivalents, epochs and steps,
  budgets, and the noisy bowl where decay matters.
- :mod:`lrlib.counterfactual`: what one change to a schedule does to a run, step by step.
- :mod:`lrlib.scorecard`: the table of the Part II comparisons.
- :mod:`lrlib.step_size`: how far one optimizer step moves the weights.
- :mod:`lrlib.plots`: the course's figure style and plotting helpers.
- :mod:`lrlib.widgets`: experiments drawn by one pure function, static or live.
- :mod:`lrlib.check`: checkers that give learners feedback on exercises.
- :mod:`lrlib.reproducibility`: seeds, op determinism and a quiet TensorFlow.
- :mod:`lrlib.exercises` and :mod:`lrlib.editions`: the exercise index for instructors and
  the solution-free (student) edition of the website.
- ``lrlib.website``: the book's Sphinx extension (loaded by the build, not by notebooks).

Importing lrlib first silences TensorFlow's start-up log lines (they must be set before
TensorFlow is imported), so import lrlib before keras or tensorflow.
"""

import importlib

from lrlib.reproducibility import quiet_environment

quiet_environment()

__version__ = "0.1.0"

_SUBMODULES = (
    "check",
    "counterfactual",
    "curvature",
    "data",
    "decay",
    "descent",
    "editions",
    "exercises",
    "experiments",
    "landscapes",
    "plots",
    "reproducibility",
    "schedules",
    "scorecard",
    "step_size",
    "sweep",
    "tensors",
    "training",
    "widgets",
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"lrlib.{name}")
    raise AttributeError(f"module 'lrlib' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
