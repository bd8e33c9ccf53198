"""lrlib.course.widgets: one draw function serves the static figure and the live widget."""

import time

import ipywidgets
import pytest

import numpy as np

from lrlib import validation
from lrlib.schedules import FAMILIES, evaluate, for_budget
from lrlib.course.widgets import (dropdown, experiment, live, log_slider, render,
                                  small_multiples)
from lrlib.course import intro, noise


@experiment(figsize=(6.0, 3.4))
def one_schedule(fig, family="cosine", learning_rate=0.1, total_steps=1000):
    """A draw function for these tests: one schedule family over a budget."""
    total_steps = validation.integer("total_steps", total_steps, low=16)
    rates = evaluate(for_budget(family, learning_rate, total_steps), np.arange(total_steps))
    ax = fig.subplots()
    ax.plot(rates)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("learning rate $\\eta_t$")
    ax.set_title(f"{family}: peak {rates.max():.3g}")
    return fig


def one_schedule_controls():
    return {"family": dropdown(FAMILIES, value="cosine", description="schedule"),
            "learning_rate": log_slider(0.1, 1e-3, 1.0, description="peak rate η")}


def test_render_gives_a_titled_labelled_figure():
    fig = render(one_schedule, family="step", learning_rate=0.2, total_steps=400)
    ax = fig.axes[0]
    assert ax.get_title().startswith("step: peak 0.2")
    assert ax.get_xlabel() and ax.get_ylabel()


def test_small_multiples_draws_one_panel_per_value():
    fig = small_multiples(one_schedule, "family", FAMILIES, ncols=4, title="All")
    titles = [ax.get_title().split(":")[0] for ax in fig.axes]
    assert titles == list(FAMILIES)
    assert fig._suptitle.get_text() == "All"


def test_live_builds_controls_and_an_image():
    widget = live(one_schedule, **one_schedule_controls())
    assert isinstance(widget, ipywidgets.VBox)
    controls = widget.children[0]
    descriptions = [c.description for row in controls.children for c in row.children]
    assert "schedule" in descriptions and "peak rate η" in descriptions
    assert isinstance(widget.children[1], ipywidgets.Image)
    assert bytes(widget.children[1].value[:4]) == b"\x89PNG"  # the first frame, at once


def test_noise_floor_formula():
    assert noise.noise_floor(0.1) == pytest.approx(0.1 / (2 * 1.9))
    assert noise.noise_floor(2.5) == float("inf")


@pytest.mark.parametrize("draw,params", [
    (one_schedule, {"family": "one-cycle"}),
    (intro.three_roles, {"learning_rate": 0.1}),
])
def test_render_is_fast_enough_for_a_slider(draw, params):
    render(draw, **params)  # warm up
    start = time.process_time()
    render(draw, **params)
    assert time.process_time() - start < 1.0  # generous here; bench/ measures the real figure


def test_bad_arguments():
    with pytest.raises(ValueError, match="`total_steps`"):
        render(one_schedule, total_steps=10)
    with pytest.raises(ValueError, match="`values`"):
        small_multiples(one_schedule, "family", [])
    with pytest.raises(ValueError, match="`learning_rate`"):
        render(intro.three_roles, learning_rate=0.0)

