"""lrlib.course.widgets.minima: the local-minima explorer draws every case, including extremes."""

import time

import ipywidgets
import pytest

from lrlib.course.widgets import live, render, small_multiples
from lrlib.course.widgets.minima import minima_explorer, minima_explorer_controls, panel_ending


def titles(fig):
    return [ax.get_title() for ax in fig.axes]


def endings(fig):
    return [panel_ending(ax) for ax in fig.axes]


@pytest.mark.parametrize("rate,well,surface", [
    (0.02, "settles in the sharp minimum", "settles in local minimum 1"),
    (0.1, "bounces, never settles", "settles in local minimum 1"),
    (0.3, "settles in the wide minimum", "bounces, never settles"),
    (0.5, "settles in the wide minimum", "settles in the global minimum"),
    (1.5, "bounces, never settles", "bounces, never settles"),
])
def test_titles_say_how_each_run_ends(rate, well, surface):
    fig = render(minima_explorer, learning_rate=rate)
    first, _, third = endings(fig)
    assert first == well and third == surface
    assert "2/\\lambda" in titles(fig)[1]
    assert f"{rate:.3g}" in fig._suptitle.get_text()


def test_noise_says_which_basin_the_run_jiggles_in():
    fig = render(minima_explorer, learning_rate=0.04, noise=4.0, start_x=-1.2, start_y=-1.2)
    assert all(t.startswith("jiggles in the basin of") or t == "wanders, in no basin"
               for t in (endings(fig)[0], endings(fig)[2]))
    assert "σ" in fig._suptitle.get_text() or "sigma" in fig._suptitle.get_text()


def test_the_slider_extremes_still_draw():
    for rate in (3e-3, 2.0):
        for noise in (0.0, 6.0):
            fig = render(minima_explorer, learning_rate=rate, noise=noise, start=5.0,
                         start_x=-3.0, start_y=3.0, seed=9)
            assert len(fig.axes) == 3 and all(titles(fig))


def test_small_multiples_and_live():
    fig = small_multiples(minima_explorer, "learning_rate", [0.02, 0.5], ncols=1)
    assert len(fig.axes) == 6
    widget = live(minima_explorer, **minima_explorer_controls())
    assert isinstance(widget, ipywidgets.VBox)
    descriptions = [c.description for row in widget.children[0].children for c in row.children]
    assert "learning rate η" in descriptions and "gradient noise σ" in descriptions


def test_render_is_fast_enough_for_a_slider():
    render(minima_explorer, learning_rate=0.1)
    start = time.perf_counter()
    render(minima_explorer, learning_rate=0.1, noise=2.0)
    assert time.perf_counter() - start < 3.0  # generous on a shared machine


def test_bad_arguments():
    with pytest.raises(ValueError, match="`learning_rate`"):
        render(minima_explorer, learning_rate=0.0)
    with pytest.raises(ValueError, match="`noise`"):
        render(minima_explorer, noise=-1.0)
    with pytest.raises(ValueError, match="`seed`"):
        render(minima_explorer, seed=-1)
