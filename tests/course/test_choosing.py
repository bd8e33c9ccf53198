"""lrlib.course.choosing: the sensitivity panel draws from computed results, fast; its
checkers accept the reference answers and reject the typical mistakes."""

import time

import ipywidgets
import numpy as np
import pytest

from helpers.sweep_fixtures import fake_results
from lrlib.course import choosing
from lrlib.course.widgets import live, render, small_multiples
from lrlib.schedules import FAMILIES, evaluate

RESULTS = fake_results()


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_one_family_is_highlighted_over_the_others_in_grey():
    fig = render(choosing.sensitivity, results=RESULTS, family="cosine", metric="accuracy")
    (ax,) = fig.axes
    assert ax.get_title() == "cosine"
    assert ax.get_xscale() == "log" and "peak learning rate" in ax.get_xlabel()
    grey = [line for line in ax.get_lines() if line.get_color() == "0.8"]
    assert len(grey) == len(FAMILIES)  # six others + the legend's entry
    # Every seed is a dot: three per swept rate that finished.
    colored = choosing.family_color("cosine")
    dots = [line for line in ax.get_lines()
            if line.get_marker() == "." and line.get_color() == colored]
    assert sum(len(line.get_xdata()) for line in dots) == 3 * 3


def test_divergence_is_marked_and_says_at_which_steps():
    fig = render(choosing.sensitivity, results=RESULTS, family="one-cycle", metric="train_loss")
    assert "diverged at\nsteps 5–7" in texts(fig)
    assert fig.axes[0].get_yscale() == "log"


def test_mean_axis_moves_the_points_to_the_mean_rate():
    fig = render(choosing.sensitivity, results=RESULTS, family="all", metric="accuracy", axis="mean")
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
    fig = render(choosing.sensitivity, results=RESULTS, family="exponential", metric="steps_to_target")
    assert "never" in texts(fig)
    assert fig.axes[0].get_ylim()[0] == 0.0


def test_small_multiples_over_families_and_the_all_panel():
    fig = small_multiples(choosing.sensitivity, "family", (*FAMILIES, "all"), ncols=4,
                          results=RESULTS, legend="all-only")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:7] == list(FAMILIES) and titles[7].startswith("All schedules")
    assert fig.axes[0].get_legend() is None and fig.axes[7].get_legend() is not None


def test_peak_versus_mean_has_two_panels_and_one_legend():
    fig = choosing.peak_versus_mean(RESULTS, metric="train_loss")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["All schedules, against the peak rate",
                                               "All schedules, against the mean rate"]
    assert all(ax.get_legend() is None for ax in axes)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [*FAMILIES, "every seed diverged"]


def test_live_has_three_dropdowns():
    widget = live(choosing.sensitivity, **choosing.sensitivity_controls(RESULTS))
    assert isinstance(widget, ipywidgets.VBox)
    controls = [c for row in widget.children[0].children for c in row.children]
    assert [c.description for c in controls] == ["schedule", "metric", "learning-rate axis"]
    assert controls[0].options[0] == "all"
    assert ("training loss, last epoch", "train_loss") in controls[1].options
    assert controls[2].options == (("peak rate", "peak"), ("mean rate", "mean"))


def test_a_redraw_is_fast():
    render(choosing.sensitivity, results=RESULTS, family="cosine")  # warm up
    times = []
    for metric in ("accuracy", "train_loss", "steps_to_target", "loss") * 2:
        start = time.process_time()
        render(choosing.sensitivity, results=RESULTS, family="step", metric=metric, axis="mean")
        times.append(time.process_time() - start)
    # About 60 ms on an idle laptop (bench/ measures the real figure, as the kernel sees it);
    # a guard against a slow regression, with room for a loaded CI machine (CI saw 120 ms).
    assert min(times) < 0.25 and sorted(times)[len(times) // 2] < 0.5


def test_bad_arguments():
    with pytest.raises(ValueError, match="`results`"):
        render(choosing.sensitivity, results=[1, 2, 3])
    with pytest.raises(ValueError, match="`family`"):
        render(choosing.sensitivity, results=RESULTS, family="linear")
    with pytest.raises(ValueError, match="`metric`"):
        render(choosing.sensitivity, results=RESULTS, metric="speed")
    with pytest.raises(ValueError, match="`axis`"):
        render(choosing.sensitivity, results=RESULTS, axis="median")
    with pytest.raises(ValueError, match="`legend`"):
        render(choosing.sensitivity, results=RESULTS, legend="outside")


@pytest.mark.parametrize("family,fraction", [("constant", 1.0), ("cosine", 0.50),
                                             ("exponential", 0.22)])
def test_schedule_area_says_the_mean_as_a_fraction_of_the_peak(family, fraction):
    fig = render(choosing.schedule_area, family=family, learning_rate=0.5, total_steps=430)
    ax = fig.axes[0]
    assert ax.get_title() == family
    assert f"mean {fraction:.2f} × peak" in texts(fig)


# -- checkers ----------------------------------------------------------------------------------

def test_matching_peak():
    assert not choosing.check_matching_peak(...)
    assert choosing.check_matching_peak(0.3 / 0.467)
    assert choosing.check_matching_peak(0.64)  # 0.3 / (15/32), the hand calculation
    assert "twice" in choosing.check_matching_peak(0.643).message
    same = choosing.check_matching_peak(0.3)
    assert not same and "same *peak*" in same.message
    product = choosing.check_matching_peak(0.14)
    assert not product and "divide" in product.message
    assert not choosing.check_matching_peak(0.6)  # cosine's answer, not step decay's
    assert not choosing.check_matching_peak("0.64 or so")


def test_mean_rate_function():
    def mean_rate(schedule, total_steps):
        return np.mean(evaluate(schedule, total_steps))

    assert choosing.check_mean_rate_function(mean_rate)
    assert not choosing.check_mean_rate_function(...)

    def peak(schedule, total_steps):
        return np.max(evaluate(schedule, total_steps))

    result = choosing.check_mean_rate_function(peak)
    assert not result and "returns the peak" in result.message

    def ends_early(schedule, total_steps):  # forgets the flat floor after a short decay
        return np.mean(evaluate(schedule, min(total_steps, 50)))

    result = choosing.check_mean_rate_function(ends_early)
    assert not result and "CosineAnnealing" in result.message

    def off_by_one(schedule, total_steps):
        return np.mean(evaluate(schedule, np.arange(1, total_steps + 1)))

    assert not choosing.check_mean_rate_function(off_by_one)
    assert not choosing.check_mean_rate_function(lambda schedule, total_steps: 1 / 0)


def test_gap_in_images():
    results = fake_results()
    expected, spread = choosing._gap_and_spread(results)
    assert expected > 0 and spread > 0
    result = choosing.check_gap_in_images(expected, results)
    assert result and "seed spread" in result.message
    assert choosing.check_gap_in_images(round(expected), results)
    assert not choosing.check_gap_in_images(expected + 3, results)
    fraction = choosing.check_gap_in_images(expected / choosing.TEST_IMAGES, results)
    assert not fraction and "multiply" in fraction.message
    assert not choosing.check_gap_in_images(..., results)
    assert not choosing.check_gap_in_images(expected, results=None)
