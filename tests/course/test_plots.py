"""lrlib.course.plots: the shared style, labelled axes, diverged runs marked."""

import matplotlib.colors as mcolors
import numpy as np
import pytest

from lrlib.course import plots
from lrlib.course.descent import gradient_descent
from lrlib.course.landscapes import DoubleWell, MultiMinima, Quadratic
from lrlib.schedules import CosineAnnealing, StepDecay


def _luminance(hex_colour):
    r, g, b = mcolors.to_rgb(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_is_okabe_ito_and_drives_the_colour_cycle():
    assert set(plots.PALETTE.values()) == {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                           "#CC79A7", "#56B4E9", "#F0E442", "#000000"}
    plots.use_style()
    import matplotlib.pyplot as plt

    cycle = [c["color"] for c in plt.rcParams["axes.prop_cycle"]]
    assert cycle[:3] == [plots.PALETTE["blue"], plots.PALETTE["vermillion"], plots.PALETTE["green"]]
    assert _luminance(cycle[-1]) > 0.8  # the faint yellow comes last


def test_plot_schedules_labels_axes_and_title():
    fig = plots.plot_schedules({"step": StepDecay(0.1, 0.5, 50), "cosine": CosineAnnealing(0.1, 200)},
                               steps=200, log=True)
    ax = fig.axes[0]
    assert ax.get_title() and "step" in ax.get_xlabel() and "learning rate" in ax.get_ylabel()
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata()[:2], [0.1, 0.1])


def test_plot_losses_marks_diverged_runs():
    bowl = Quadratic((10.0,))
    runs = {"ok": gradient_descent(bowl, [1.0], 0.1, 20), "bad": gradient_descent(bowl, [1.0], 0.3, 20)}
    _, axes = plots.new_figure()
    ax = plots.plot_losses(axes[0, 0], runs)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[1] == f"bad (diverged at step {runs['bad'].diverged_at})"


@pytest.mark.parametrize("landscape", [DoubleWell(), MultiMinima()])
def test_landscape_and_trajectory(landscape):
    _, axes = plots.new_figure()
    ax = axes[0, 0]
    plots.plot_landscape(ax, landscape)
    x0 = landscape.minima[-1] + 0.2
    plots.plot_trajectory(ax, landscape, gradient_descent(landscape, x0, 0.01, 50))
    assert ax.get_xlabel() and ax.get_ylabel()
    diverged = gradient_descent(Quadratic((10.0,)), [1.0], 0.5, 50)
    plots.plot_trajectory(ax, Quadratic((10.0,)), diverged)
    assert any("diverged at step" in t.get_text() for t in ax.texts)


def test_log_rate_axis():
    _, axes = plots.new_figure()
    ax = plots.log_rate_axis(axes[0, 0])
    assert ax.get_xscale() == "log" and "learning rate" in ax.get_xlabel()
    with pytest.raises(ValueError, match="`axis`"):
        plots.log_rate_axis(ax, axis="z")
