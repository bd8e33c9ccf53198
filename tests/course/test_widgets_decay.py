"""lrlib.course.widgets.decay: the decay chapters' experiments draw, say "diverged", stay fast."""

import time

import pytest

from lrlib.course.widgets import live, render, small_multiples
from lrlib.course.widgets import decay as decay_widgets


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_step_decay_explorer_titles_say_half_life_and_final_losses():
    fig = render(decay_widgets.step_decay_explorer, drop_factor=0.5, drop_every=50)
    rate_ax, loss_ax = fig.axes
    assert "half-life 50 steps" in rate_ax.get_title()
    assert "final loss 0.040" in loss_ax.get_title()
    assert "best constant rate: 0.054" in loss_ax.get_title()
    assert rate_ax.get_yscale() == "log" and loss_ax.get_xlabel() == "step $t$"


def test_exponential_explorer_says_the_half_life_live():
    fig = render(decay_widgets.exponential_explorer, initial_learning_rate=1.0,
                 decay_rate=0.01, decay_steps=430)
    assert "half-life 65 steps (1.5 epochs)" in fig.axes[0].get_title()
    stairs = render(decay_widgets.exponential_explorer, decay_rate=0.5, decay_steps=43,
                    staircase=True)
    assert "halved at step 43" in stairs.axes[0].get_title()
    flat = render(decay_widgets.exponential_explorer, decay_rate=1.0)
    assert "half-life never" in flat.axes[0].get_title()


@pytest.mark.parametrize("draw,params", [
    (decay_widgets.step_decay_explorer, {"initial_learning_rate": 3.0, "drop_factor": 0.05,
                                         "drop_every": 10}),
    (decay_widgets.exponential_explorer, {"initial_learning_rate": 3.0, "decay_rate": 1e-4,
                                          "decay_steps": 10, "staircase": True}),
    (decay_widgets.what_a_drop_does, {"initial_learning_rate": 2.5}),
])
def test_extreme_values_say_diverged(draw, params):
    fig = render(draw, **params)
    assert any(text.startswith("diverged at step") for text in _texts(fig))


@pytest.mark.parametrize("draw,params", [
    (decay_widgets.step_decay_explorer, {"drop_factor": 0.95, "drop_every": 420,
                                         "initial_learning_rate": 0.03}),
    (decay_widgets.exponential_explorer, {"initial_learning_rate": 0.03, "decay_rate": 1e-4,
                                          "decay_steps": 10}),
])
def test_gentle_extremes_draw_without_divergence(draw, params):
    fig = render(draw, **params)
    assert not any("diverged" in text for text in _texts(fig))
    assert all(ax.get_title() for ax in fig.axes)


def test_what_a_drop_does_shows_both_directions_and_their_floors():
    fig = render(decay_widgets.what_a_drop_does)
    steep, flat = fig.axes
    assert "Steep" in steep.get_title() and "Flat" in flat.get_title()
    assert len(steep.lines) >= 2 and steep.get_legend() is not None


def test_half_life_collapse_has_one_series_per_drop_factor():
    fig = render(decay_widgets.half_life_collapse, drop_factors=(0.1, 0.5),
                 drop_everys=(25, 50))
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert "exponential decay (smooth)" in labels
    assert "step decay, f = 0.1" in labels and "step decay, f = 0.5" in labels


def test_small_multiples_and_live_controls():
    fig = small_multiples(decay_widgets.step_decay_explorer, "drop_every", [25, 200],
                          ncols=1)
    assert len(fig.axes) == 4
    widget = live(decay_widgets.exponential_explorer, **decay_widgets.exponential_controls())
    descriptions = [c.description for row in widget.children[0].children for c in row.children]
    assert descriptions == ["initial rate η₀", "decay rate r", "decay steps T", "staircase"]
    widget = live(decay_widgets.step_decay_explorer, **decay_widgets.step_decay_controls())
    assert len(widget.children[0].children[0].children) == 3


@pytest.mark.parametrize("draw", [decay_widgets.step_decay_explorer,
                                  decay_widgets.exponential_explorer])
def test_fast_enough_for_a_slider(draw):
    render(draw)  # warm up (the best constant rate is cached)
    start = time.perf_counter()
    render(draw)
    assert time.perf_counter() - start < 1.5


def test_describe_steps():
    assert decay_widgets.describe_steps(float("inf")) == "never"
    assert decay_widgets.describe_steps(86) == "86 steps (2 epochs)"
    assert decay_widgets.describe_steps(65788) == "65,788 steps"


def test_bad_arguments():
    with pytest.raises(ValueError, match="`drop_every`"):
        render(decay_widgets.step_decay_explorer, drop_every=0)
    with pytest.raises(ValueError, match="`decay_rate`"):
        render(decay_widgets.exponential_explorer, decay_rate=2.0)
    with pytest.raises(ValueError, match="`initial_learning_rate`"):
        render(decay_widgets.half_life_collapse, initial_learning_rate=0.0)
