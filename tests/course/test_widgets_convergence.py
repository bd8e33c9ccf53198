"""lrlib.course.widgets.convergence: the 1-D regimes and the ravine, at ordinary and extreme values."""

import time

import ipywidgets
import pytest

from lrlib.course.widgets import live, render, small_multiples
from lrlib.course.widgets import convergence as cw


@pytest.mark.parametrize("eta,name", [(0.1, "slow"), (0.25, "fastest"), (0.4, "oscillating"),
                                      (0.55, "diverging")])
def test_one_dimension_names_the_regime(eta, name):
    fig = render(cw.one_dimension, learning_rate=eta, curvature=4.0)
    top, bottom = fig.axes
    assert f": {name}" in top.get_title()
    assert bottom.get_yscale() == "log" and bottom.get_xlabel() == "step $t$"


def test_one_dimension_says_diverged_when_the_run_blows_up():
    fig = render(cw.one_dimension, learning_rate=1.0, curvature=4.0, steps=30)
    assert any("diverged at step" in t.get_text() for t in fig.axes[1].texts)


@pytest.mark.parametrize("eta,curvature,diverges", [
    (0.005, 1.0, False), (0.15, 10.0, False), (0.199, 10.0, False), (0.21, 10.0, True),
    (2.0, 100.0, True), (0.03, 100.0, True), (1.9, 1.0, False),
])
def test_ravine_draws_at_extreme_values(eta, curvature, diverges):
    fig = render(cw.ravine, learning_rate=eta, curvature=curvature, steps=200)
    ax_map, ax_loss, ax_rate = fig.axes[:3]
    assert all(ax.get_title() for ax in (ax_map, ax_loss, ax_rate))
    texts = [t.get_text() for ax in (ax_map, ax_loss) for t in ax.texts]
    assert any("diverged at step" in t for t in texts) == diverges
    assert ax_rate.get_xscale() == "log"
    limit = [t.get_text() for t in ax_rate.texts if "limit" in t.get_text()]
    assert limit and f"{2 / curvature:.3g}" in limit[0]


def test_ravine_small_multiples_and_live_controls():
    fig = small_multiples(cw.ravine, "learning_rate", [0.05, 0.18], ncols=1, scale=1.0)
    assert len(fig.subfigs) == 2
    widget = live(cw.ravine, **cw.ravine_controls())
    assert isinstance(widget, ipywidgets.VBox)
    descriptions = [c.description for row in widget.children[0].children for c in row.children]
    assert "learning rate η" in descriptions and "steep curvature λ_max" in descriptions


def test_ravine_is_fast_enough_for_a_slider():
    render(cw.ravine, learning_rate=0.1)
    start = time.perf_counter()
    render(cw.ravine, learning_rate=0.1, curvature=30.0)
    assert time.perf_counter() - start < 1.5


def test_bad_arguments():
    with pytest.raises(ValueError, match="`learning_rate`"):
        render(cw.ravine, learning_rate=-0.1)
    with pytest.raises(ValueError, match="`curvature`"):
        render(cw.ravine, curvature=0.5)
    with pytest.raises(ValueError, match="`curvature`"):
        render(cw.one_dimension, curvature=0.0)
