"""The machinery of the course's experiments: draw functions, static grids, live controls."""

import math

import matplotlib.pyplot as plt

from lrlib import validation
from lrlib.course.plots import use_style

__all__ = [
    "experiment",
    "render",
    "small_multiples",
    "slider",
    "int_slider",
    "log_slider",
    "dropdown",
    "checkbox",
    "as_png",
]

_DEFAULT_SIZE = (7.0, 3.6)


def experiment(figsize=_DEFAULT_SIZE, title=None, scrub=None):
    """Decorator for a draw function: records its preferred figure size and a title.

    ``scrub`` names the experiment's main parameter, the one :func:`live` renders ahead and
    the website's scrubber moves (by default the first of its controls); or it is
    ``(name, values)`` to give the values too (by default they come from the control: see
    :func:`lrlib.course.widgets.live_frames.grid`).

    Example:
        >>> from lrlib.course.widgets import experiment, render
        >>> @experiment(figsize=(4, 3))
        ... def parabola(fig, a=1.0):
        ...     ax = fig.subplots()
        ...     ax.plot([-1, 0, 1], [a, 0, a])
        ...     ax.set_title(f"a = {a}")
        >>> render(parabola, a=2.0).get_size_inches().tolist()
        [4.0, 3.0]
    """

    def wrap(draw):
        draw.figsize = tuple(figsize)
        draw.title = title
        draw.scrub = scrub
        return draw

    return wrap


def _figsize(draw):
    return getattr(draw, "figsize", _DEFAULT_SIZE)


def render(draw, **params):
    """Draw one figure: ``draw(fig, **params)`` on a new figure, which is returned.

    The figure is closed in pyplot's registry (so Jupyter does not show it twice); display it
    by returning it from a cell or with ``IPython.display.display``.
    """
    use_style()
    fig = plt.figure(figsize=_figsize(draw), layout="constrained")
    draw(fig, **params)
    plt.close(fig)
    return fig


def small_multiples(draw, vary, values, *, ncols=None, title=None, scale=0.7, **fixed):
    """The static stand-in for a widget: ``draw`` once per value of parameter ``vary``.

    Each panel is a sub-figure drawn by ``draw(subfig, **fixed, vary=value)``, so it shows
    exactly what the live widget would show at that slider position.

    Args:
        draw: a draw function.
        vary: the name of the parameter that changes across panels.
        values: the values it takes, one panel each.
        ncols: panels per row (all in one row up to 4 values, by default).
        title: the figure's title.
        scale: each panel's size relative to the draw function's own figure size.
        **fixed: the other parameters, the same in every panel.
    """
    values = list(values)
    if not values:
        raise ValueError("`values` must not be empty")
    if not isinstance(vary, str) or not vary:
        raise ValueError(f"`vary` must be a parameter name, got {vary!r}")
    ncols = min(len(values), 4) if ncols is None else validation.positive_integer("ncols", ncols)
    nrows = math.ceil(len(values) / ncols)
    width, height = _figsize(draw)
    use_style()
    fig = plt.figure(
        figsize=(width * scale * ncols, height * scale * nrows + (0.4 if title else 0.0)),
        layout="constrained",
    )
    subfigs = fig.subfigures(nrows, ncols, squeeze=False)
    for index, subfig in enumerate(subfigs.flat):
        if index < len(values):
            draw(subfig, **{**fixed, vary: values[index]})
    if title:
        fig.suptitle(title, fontweight="bold")
    plt.close(fig)
    return fig


def as_png(fig, dpi=None):
    """The figure as a PNG image for display, rendered once, at its own size.

    Jupyter's inline backend renders with ``bbox_inches="tight"``, which draws the figure
    twice; the course's figures use constrained layout, which already fits them, so one
    plain render is enough: the slider responds faster (see ``bench/``).
    """
    import io

    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or fig.dpi)
    return Image(data=buffer.getvalue(), format="png")


_STYLE = {"description_width": "initial"}


def slider(value, low, high, step=None, description=""):
    """A float slider."""
    import ipywidgets as widgets

    step = (high - low) / 100 if step is None else step
    return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                               description=description, style=_STYLE, continuous_update=False)


def int_slider(value, low, high, step=1, description=""):
    """An integer slider."""
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=low, max=high, step=step,
                             description=description, style=_STYLE, continuous_update=False)


def log_slider(value, low, high, description=""):
    """A slider on a log scale between ``low`` and ``high`` (for learning rates)."""
    import ipywidgets as widgets

    low, high = validation.positive("low", low), validation.positive("high", high)
    return widgets.FloatLogSlider(value=value, base=10, min=math.log10(low),
                                  max=math.log10(high), step=0.02, description=description,
                                  style=_STYLE, continuous_update=False, readout_format=".3g")


def dropdown(options, value=None, description=""):
    """A drop-down list."""
    import ipywidgets as widgets

    options = list(options)
    return widgets.Dropdown(options=options, value=options[0] if value is None else value,
                            description=description, style=_STYLE)


def checkbox(value=False, description=""):
    """A check box."""
    import ipywidgets as widgets

    return widgets.Checkbox(value=value, description=description, style=_STYLE, indent=False)
