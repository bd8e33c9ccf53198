"""Find every experiment of the course and every position its controls can take.

A chapter's experiment is a draw function in a module of :mod:`lrlib.course` (its companion,
``lrlib.course.<chapter>``, say), decorated with :func:`lrlib.course.widgets.experiment` (which
gives it a ``figsize`` attribute); its sliders, when the module provides them, come from
``<name>_controls()``. Nothing here is listed by
hand, so an experiment added by a later chapter is benchmarked and tested too.

:func:`control_settings` turns the controls into the parameter sets a learner can reach by
moving them: every combination of each control's extremes (the ends of a slider, every
option of a drop-down, both states of a check box). The values are set on the real ipywidgets
objects and read back, so limits that one control imposes on another (a slider's maximum
that follows another slider) apply exactly as they do in the live widget.
"""

import dataclasses
import functools
import importlib
import inspect
import itertools
import math
import pkgutil

__all__ = ["Experiment", "draw_functions", "control_settings", "extremes", "example_inputs",
           "synthetic_trial"]


def synthetic_trial(family, learning_rate, seed, setup=None):
    """A stand-in for :func:`lrlib.course.runs.trial`: instant, deterministic, diverges above 2.

    It returns a real trial's :class:`lrlib.course.runs.Record` (accuracy best near a mean
    rate of 0.3, a few points of seed noise, divergence reported with its step), so a
    sweep's figures can be drawn and timed without training anything.
    """
    from lrlib.course.runs import COMMON, Record
    from lrlib.schedules import for_budget, mean_rate

    setup = COMMON if setup is None else setup
    if learning_rate > 2.0:
        return Record.of(family, learning_rate, seed, diverged_at=5 + seed)
    total = setup.total_steps
    mean = mean_rate(for_budget(family, learning_rate, total), total)
    accuracy = 0.975 - 0.03 * abs(math.log10(mean / 0.3)) + 0.002 * seed
    steps = None if accuracy < 0.95 else 43 * (1 + int(mean < 0.2))
    return Record.of(family, learning_rate, seed, accuracy=accuracy, loss=1.0 - accuracy,
                     steps_to_target=steps, train_loss=0.01 / mean)


@functools.lru_cache(maxsize=None)
def _synthetic_results(rates=(0.1, 0.3, 1.0, 3.0)):
    from lrlib.schedules import FAMILIES
    from lrlib.course.runs import sweep

    return sweep(FAMILIES, rates=rates, seeds=(0, 1, 2), objective=synthetic_trial)


def example_inputs():
    """Values for the draw functions' required data arguments, by parameter name.

    A chapter computes these at run time (``results``: a sweep of every schedule family);
    here they come from :func:`synthetic_trial`, instantly, with the real data's shape.
    """
    return {"results": _synthetic_results()}


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A draw function, the module it lives in, and its controls factory (or ``None``).

    ``inputs`` holds the data the draw function requires (its parameters without defaults,
    besides the figure), passed to it and to its controls factory.
    """

    name: str  # qualified: lrlib.course.<module>.<function>
    draw: object
    controls: object
    inputs: dict = dataclasses.field(default_factory=dict)

    @property
    def defaults(self):
        """The draw function's own default parameters, with its required inputs."""
        found = {name: p.default for name, p in inspect.signature(self.draw).parameters.items()
                 if p.default is not inspect.Parameter.empty}
        return {**self.inputs, **found}

    def make_controls(self):
        """A fresh set of the experiment's controls."""
        wanted = inspect.signature(self.controls).parameters
        return self.controls(**{name: self.inputs[name] for name in wanted})


def _required(draw, inputs, name):
    needed = [p for p in list(inspect.signature(draw).parameters.values())[1:]
              if p.default is inspect.Parameter.empty]
    missing = [p.name for p in needed if p.name not in inputs]
    if missing:
        raise ValueError(f"`inputs` lacks {missing} required by {name}: "
                         "add them to lrlib.course.widgets.discovery.example_inputs")
    return {p.name: inputs[p.name] for p in needed}


def draw_functions(inputs=None):
    """Every draw function of every module of :mod:`lrlib.course`, sorted by qualified name.

    ``inputs`` (by default :func:`example_inputs`) supplies the data arguments that some
    draw functions require.
    """
    import lrlib.course as package

    inputs = example_inputs() if inputs is None else inputs

    modules = [importlib.import_module(info.name) for info in
               pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")]
    found = {}
    for module in modules:
        for name, obj in vars(module).items():
            if (inspect.isfunction(obj) and hasattr(obj, "figsize")
                    and obj.__module__ == module.__name__):
                controls = getattr(module, f"{name}_controls", None)
                qualified = f"{module.__name__}.{name}"
                found[qualified] = Experiment(qualified, obj,
                                              controls if callable(controls) else None,
                                              _required(obj, inputs, qualified))
    return [found[name] for name in sorted(found)]


def extremes(control):
    """The values at the ends of one control's range (or all its options), or ``None``.

    ``None`` means the control has no range to explore (a fixed value, a text box).
    """
    if hasattr(control, "options") and hasattr(control, "index"):
        values = []
        for index in range(len(control.options)):
            control.index = index
            values.append(control.value)
        return values
    if hasattr(control, "base") and hasattr(control, "min"):  # log slider: exponents
        return [control.base**control.min, control.base**control.max]
    if hasattr(control, "min") and hasattr(control, "max"):
        return [control.min, control.max]
    if isinstance(getattr(control, "value", None), bool):
        return [False, True]
    return None


def _is_widget(value):
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - ipywidgets is a dependency of lrlib
        return False
    return isinstance(value, ipywidgets.ValueWidget)


def control_settings(experiment, limit=128):
    """The parameter sets to render: each combination of the controls' extremes.

    Returns a list of ``{parameter: value}`` dicts (the draw function's defaults, updated with
    every control's value). Without controls, the defaults alone. Each combination is applied
    to fresh controls in both orders (first to last, last to first), since a control's limits
    may depend on another's value. Above ``limit`` combinations, each control's extremes are
    taken one at a time (the others at their defaults), plus all-first and all-last.
    """
    if experiment.controls is None:
        return [dict(experiment.defaults)]
    probe = experiment.make_controls()
    ranges = {name: extremes(c) for name, c in probe.items() if _is_widget(c)}
    ranges = {name: values for name, values in ranges.items() if values}
    names = list(ranges)
    combos = list(itertools.product(*(ranges[n] for n in names)))
    if len(combos) > limit:
        combos = [tuple(ranges[n][0] for n in names), tuple(ranges[n][-1] for n in names)]
        for index, name in enumerate(names):
            for value in ranges[name]:
                combos.append(tuple(value if i == index else None for i in range(len(names))))
    settings, seen = [], set()
    for combo in combos:
        for order in (names, names[::-1]):
            controls = experiment.make_controls()
            for name in order:
                value = combo[names.index(name)]
                if value is not None:
                    controls[name].value = value
            params = dict(experiment.defaults)
            for name, control in controls.items():
                params[name] = control.value if _is_widget(control) else control
            key = repr(sorted(params.items()))
            if key not in seen:
                seen.add(key)
                settings.append(params)
    return settings
