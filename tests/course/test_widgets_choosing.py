"""lrlib.course.widgets.choosing: the sensitivity panel draws from computed results, fast."""

import time

import ipywidgets
import pytest

from lrlib.schedules import FAMILIES
from lrlib.course.widgets import live, render, small_multiples
from lrlib.course.widgets import choosing as cw
from helpers.sweep_fixtures import fake_results

RESULTS = fake_results()


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_one_family_is_highlighted_over_the_others_in_grey():
    fig = render(cw.sensitivity, results=RESULTS, family="cosine", metric="accuracy")
    (ax,) = fig.axes
    assert ax.get_title() == "cosine"
    assert ax.get_xscale() == "log" and "peak learning rate" in ax.get_xlabel()
    grey = [line for line in ax.get_lines() if line.get_color() == "0.8"]
    assert len(grey) == len(FAMILIES)  # six others + the legend's entry
    # Every seed is a dot: three per swept rate that finished.
    colored = cw.family_color("cosine")
    dots = [line for line in ax.get_lines()
            if line.get_marker() == "." and line.get_color() == colored]
    assert sum(len(line.get_xdata()) for line in dots) == 3 * 3


def test_divergence_is_marked_and_says_at_which_steps():
    fig = render(cw.sensitivity, results=RESULTS, family="one-cycle", metric="train_loss")
    assert "diverged at\nsteps 5–7" in texts(fig)
    assert fig.axes[0].get_yscale() == "log"


def test_mean_axis_moves_the_points_by_the_mean_rate_fraction():
    fig = render(cw.sensitivity, results=RESULTS, family="all", metric="accuracy", axis="mean")
    ax = fig.axes[0]
    assert "mean learning rate" in ax.get_xlabel() and "mean rate" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [*FAMILIES, "every seed diverged"]
    exponential = next(l for l in ax.get_lines() if l.get_label() == "exponential")
    curve = RESULTS.curve("exponential")
    finite = [rate for rate, mean in zip(curve["mean_rates"], curve["mean"])
              if mean == mean]  # where every seed diverged, an x instead of a point
    assert len(finite) == len(curve["mean"]) - 1
    assert list(exponential.get_xdata()) == pytest.approx(finite)


def test_steps_metric_says_never_where_no_seed_reached_the_target():
    fig = render(cw.sensitivity, results=RESULTS, family="exponential", metric="steps_to_target")
    assert "never" in texts(fig)
    assert fig.axes[0].get_ylim()[0] == 0.0


def test_small_multiples_over_families_and_the_all_panel():
    fig = small_multiples(cw.sensitivity, "family", (*FAMILIES, "all"), ncols=4,
                          results=RESULTS, legend="all-only")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:7] == list(FAMILIES) and titles[7].startswith("All schedules")
    assert fig.axes[0].get_legend() is None and fig.axes[7].get_legend() is not None


def test_peak_versus_mean_has_two_panels_and_one_legend():
    fig = cw.peak_versus_mean(RESULTS, metric="train_loss")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["All schedules, against the peak rate",
                                               "All schedules, against the mean rate"]
    assert all(ax.get_legend() is None for ax in axes)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [*FAMILIES, "every seed diverged"]


def test_live_has_three_dropdowns():
    widget = live(cw.sensitivity, **cw.sensitivity_controls(RESULTS))
    assert isinstance(widget, ipywidgets.VBox)
    controls = [c for row in widget.children[0].children for c in row.children]
    assert [c.description for c in controls] == ["schedule", "metric", "learning-rate axis"]
    assert controls[0].options[0] == "all"
    assert ("training loss, last epoch", "train_loss") in controls[1].options
    assert controls[2].options == (("peak rate", "peak"), ("mean rate", "mean"))


def test_a_redraw_takes_well_under_100_ms():
    render(cw.sensitivity, results=RESULTS, family="cosine")  # warm up
    times = []
    for metric in ("accuracy", "train_loss", "steps_to_target", "loss"):
        start = time.perf_counter()
        render(cw.sensitivity, results=RESULTS, family="step", metric=metric, axis="mean")
        times.append(time.perf_counter() - start)
    # < 100 ms on an idle laptop; the margin covers a loaded CI machine.
    assert min(times) < 0.1 and sorted(times)[1] < 0.25


def test_bad_arguments():
    with pytest.raises(ValueError, match="`results`"):
        render(cw.sensitivity, results=[1, 2, 3])
    with pytest.raises(ValueError, match="`family`"):
        render(cw.sensitivity, results=RESULTS, family="linear")
    with pytest.raises(ValueError, match="`metric`"):
        render(cw.sensitivity, results=RESULTS, metric="speed")
    with pytest.raises(ValueError, match="`axis`"):
        render(cw.sensitivity, results=RESULTS, axis="median")
    with pytest.raises(ValueError, match="`legend`"):
        render(cw.sensitivity, results=RESULTS, legend="outside")


@pytest.mark.parametrize("family,fraction", [("constant", 1.0), ("cosine", 0.50),
                                             ("exponential", 0.22)])
def test_schedule_area_says_the_mean_as_a_fraction_of_the_peak(family, fraction):
    fig = render(cw.schedule_area, family=family, learning_rate=0.5, total_steps=430)
    ax = fig.axes[0]
    assert ax.get_title() == family
    assert f"mean {fraction:.2f} × peak" in texts(fig)
