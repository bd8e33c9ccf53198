"""lrlib.course.widgets: one draw function serves the static figure and the live widget."""

import time

import ipywidgets
import pytest

from lrlib.schedules import FAMILIES
from lrlib.course.widgets import (live, render, schedule_explorer, schedule_explorer_controls,
                           small_multiples)
from lrlib.course import noise


def test_render_gives_a_titled_labelled_figure():
    fig = render(schedule_explorer, family="step", learning_rate=0.2, total_steps=400)
    ax = fig.axes[0]
    assert ax.get_title().startswith("step: peak 0.2")
    assert ax.get_xlabel() and ax.get_ylabel()


def test_small_multiples_draws_one_panel_per_value():
    fig = small_multiples(schedule_explorer, "family", FAMILIES, ncols=4, title="All")
    titles = [ax.get_title().split(":")[0] for ax in fig.axes]
    assert titles == list(FAMILIES)
    assert fig._suptitle.get_text() == "All"


def test_live_builds_controls_and_an_image():
    widget = live(schedule_explorer, **schedule_explorer_controls())
    assert isinstance(widget, ipywidgets.VBox)
    controls = widget.children[0]
    descriptions = [c.description for row in controls.children for c in row.children]
    assert "schedule" in descriptions and "peak rate η" in descriptions
    assert isinstance(widget.children[1], ipywidgets.Image)
    assert bytes(widget.children[1].value[:4]) == b"\x89PNG"  # the first frame, at once


def test_noise_floor_formula():
    assert noise.noise_floor(0.1) == pytest.approx(0.1 / (2 * 1.9))
    assert noise.noise_floor(2.5) == float("inf")


def test_render_is_fast_enough_for_a_slider():
    params = {"family": "one-cycle"}
    render(schedule_explorer, **params)  # warm up
    start = time.perf_counter()
    render(schedule_explorer, **params)
    assert time.perf_counter() - start < 1.0  # generous here; bench/ measures the real figure


def test_bad_arguments():
    with pytest.raises(ValueError, match="`warmup_steps`"):
        render(schedule_explorer, total_steps=100, warmup_steps=95)
    with pytest.raises(ValueError, match="`values`"):
        small_multiples(schedule_explorer, "family", [])


def test_warmup_slider_follows_the_budget():
    # Budget 100 with warmup 500 used to be reachable, and drawing it raised a ValueError.
    controls = schedule_explorer_controls()
    controls["warmup_steps"].value = 500
    controls["total_steps"].value = 100
    assert controls["warmup_steps"].max == 50 and controls["warmup_steps"].value == 50
    fig = render(schedule_explorer, **{name: c.value for name, c in controls.items()})
    assert fig.axes[0].get_title().startswith("cosine")
    controls["total_steps"].value = 5000
    assert controls["warmup_steps"].max == 500
