"""lrlib: the code behind the course *Learning Rates and Schedules*.

Submodules (imported on first use, so ``import lrlib`` stays fast):

- :mod:`lrlib.schedules`: learning-rate schedules as Keras ``LearningRateSchedule`` classes.
- :mod:`lrlib.landscapes`: toy loss surfaces with analytic gradients and known minimisers.
- :mod:`lrlib.descent`: gradient descent on those surfaces, NumPy only.
- :mod:`lrlib.data`: offline data sets (scikit-learn's digits, a synthetic 2-D set).
- :mod:`lrlib.training`: train a small Keras model with any schedule and record every step;
  the learning-rate range test.
- :mod:`lrlib.experiments`: the common setup (model, budget, seeds, baseline) of Parts II-III.
- :mod:`lrlib.rate_sweep`: train at several constant rates on the common setup, compare
  (Part I's sweeps).
- :mod:`lrlib.sweep`: a head-to-head sweep of schedules (family x peak rate x seed) and its table.
- :mod:`lrlib.stability`: stability of gradient descent: the quadratic theory, and the edge
  of stability of a network.
- :mod:`lrlib.basins`: which minimum gradient descent ends in: outcomes, basin maps, shares.
- :mod:`lrlib.saddles`: why saddle points, not local minima, dominate in high dimension.
- :mod:`lrlib.flat_minima`: sharp and flat minima of a real network, measured along training.
- :mod:`lrlib.curvature`: sharpness (top Hessian eigenvalue) of a Keras model's loss.
- :mod:`lrlib.cyclical`: cyclical rates in practice: bounds from a range test, one-cycle as
  each library has it.
- :mod:`lrlib.decay`: decay schedules in practice: Keras equivalents, epochs and steps,
  budgets, and the noisy bowl where decay matters.
- :mod:`lrlib.counterfactual`: what one change to a schedule does to a run, step by step.
- :mod:`lrlib.scorecard`: the table of the Part II comparisons.
- :mod:`lrlib.comparison`: one table and one figure comparing schedules on the common setup.
- :mod:`lrlib.step_size`: how far one optimizer step moves the weights.
- :mod:`lrlib.plots`: the course's figure style and plotting helpers.
- :mod:`lrlib.widgets`: experiments drawn by one pure function, static or live.
- :mod:`lrlib.check`: checkers that give learners feedback on exercises.
- :mod:`lrlib.reproducibility`: seeds, op determinism and a quiet TensorFlow.
- :mod:`lrlib.validation` and :mod:`lrlib.tensors`: argument checks that raise ``ValueError``
  naming the argument; Keras values read as NumPy.
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
    "basins",
    "check",
    "comparison",
    "counterfactual",
    "curvature",
    "cyclical",
    "data",
    "decay",
    "descent",
    "editions",
    "exercises",
    "experiments",
    "flat_minima",
    "landscapes",
    "plots",
    "rate_sweep",
    "reproducibility",
    "saddles",
    "schedules",
    "scorecard",
    "stability",
    "step_size",
    "sweep",
    "tensors",
    "training",
    "validation",
    "widgets",
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"lrlib.{name}")
    raise AttributeError(f"module 'lrlib' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
