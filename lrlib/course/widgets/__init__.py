"""Experiments drawn by one pure function: a static figure on the website, sliders in Jupyter.

Every experiment of the course is a *draw function* ``draw(fig, **params)`` that fills a
Matplotlib figure (or sub-figure) from its parameters and nothing else. The same function
then serves both audiences:

- :func:`render` draws one figure (``render(draw, **params) -> Figure``);
- :func:`small_multiples` draws a grid over a parameter's range: the static figure that the
  website shows in place of the widget, telling the same story;
- :func:`live` wires the draw function to ipywidgets controls in a running kernel: one image
  whose frames, rendered ahead, are swapped on a move;
- :func:`scrubber` shows the same frames on the website under a range input, no kernel needed.

The experiments themselves live in the chapters' companion modules (``lrlib.course.warmup``,
say); :mod:`lrlib.course.widgets.core` holds the machinery and
:mod:`lrlib.course.widgets.discovery` finds every experiment of the course.

Example:
    >>> from lrlib.course.widgets import render
    >>> from lrlib.course.choosing import schedule_area
    >>> fig = render(schedule_area, family="cosine", learning_rate=0.5)
    >>> fig.axes[0].get_title()
    'cosine'
"""

from lrlib.course.widgets.core import (
    checkbox,
    dropdown,
    experiment,
    int_slider,
    log_slider,
    render,
    slider,
    small_multiples,
)
from lrlib.course.widgets.live_frames import frames, live, scrubber

__all__ = [
    "experiment",
    "render",
    "small_multiples",
    "live",
    "frames",
    "scrubber",
    "slider",
    "int_slider",
    "log_slider",
    "dropdown",
    "checkbox",
]
