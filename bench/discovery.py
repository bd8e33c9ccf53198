"""Find every experiment of the course and every position its controls can take.

A chapter's experiment is a draw function in a module ``lrlib.widgets.<topic>``, decorated
with :func:`lrlib.widgets.experiment` (which gives it a ``figsize`` attribute); its sliders,
when the module provides them, come from ``<name>_controls()``. Nothing here is listed by
hand, so an experiment added by a later chapter is benchmarked and tested too.

:func:`control_settings` turns the controls into the parameter sets a learner can reach by
moving them: every combination of each control's extremes (the ends of a slider, every
option of a drop-down, both states of a check box). The values are set on the real ipywidgets
objects and read back, so limits that one control imposes on another (a slider's maximum
that follows another slider) apply exactly as they do in the live widget.
"""

import dataclasses
import importlib
import inspect
import itertools
import pkgutil

__all__ = ["Experiment", "draw_functions", "control_settings", "extremes"]


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A draw function, the module it lives in, and its controls factory (or ``None``)."""

    name: str  # qualified: lrlib.widgets.<topic>.<function>
    draw: object
    controls: object

    @property
    def defaults(self):
        """The draw function's own default parameters."""
        return {name: p.default for name, p in inspect.signature(self.draw).parameters.items()
                if p.default is not inspect.Parameter.empty}


def draw_functions():
    """Every draw function of every ``lrlib.widgets`` module, sorted by qualified name."""
    import lrlib.widgets as package

    modules = [package] + [importlib.import_module(f"{package.__name__}.{info.name}")
                           for info in pkgutil.iter_modules(package.__path__)]
    found = {}
    for module in modules:
        for name, obj in vars(module).items():
            if (inspect.isfunction(obj) and hasattr(obj, "figsize")
                    and obj.__module__ == module.__name__):
                controls = getattr(module, f"{name}_controls", None)
                qualified = f"{module.__name__}.{name}"
                found[qualified] = Experiment(qualified, obj,
                                              controls if callable(controls) else None)
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
    probe = experiment.controls()
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
            controls = experiment.controls()
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
