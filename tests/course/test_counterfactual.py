"""lrlib.course.counterfactual: comparing two runs step by step on the same batches."""

import math

import numpy as np
import pytest

from lrlib.course import counterfactual


class _Run:
    def __init__(self, losses):
        self.losses = np.asarray(losses, dtype=float)


def test_first_difference():
    a = _Run([3.0, 2.0, 1.0, 0.5])
    assert counterfactual.first_difference(a, _Run([3.0, 2.0, 1.0, 0.5])) is None
    assert counterfactual.first_difference(a, _Run([3.0, 2.0, 1.1, 0.5])) == 2
    assert counterfactual.first_difference(a, _Run([3.0, 2.0])) == 2
    with pytest.raises(ValueError, match="`run`"):
        counterfactual.first_difference([1.0], a)


def test_paired_loss_ratio_is_a_geometric_mean_of_step_ratios():
    run, reference = _Run([1.0, 1.0, 2.0, 0.5]), _Run([1.0, 1.0, 1.0, 1.0])
    assert counterfactual.paired_loss_ratio(run, reference, 2, 4) == pytest.approx(1.0)
    assert counterfactual.paired_loss_ratio(run, reference, 2, 3) == pytest.approx(2.0)
    curve = counterfactual.paired_loss_ratio_curve(run, reference, window=2)
    assert curve == pytest.approx([1.0, 1.0, math.sqrt(2.0), 1.0])
    with pytest.raises(ValueError, match="`stop`"):
        counterfactual.paired_loss_ratio(run, reference, 2, 9)
    with pytest.raises(ValueError, match="`stop`"):
        counterfactual.paired_loss_ratio(run, reference, 2, 2)
    with pytest.raises(ValueError, match="positive and finite"):
        counterfactual.paired_loss_ratio(_Run([0.0, 1.0]), _Run([1.0, 1.0]), 0, 2)


def test_plot_paired_ratios_draws_one_line_per_pair_and_marks():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    runs = [_Run([1.0, 0.5, 0.5, 0.5]), _Run([1.0, 1.0, 2.0, 2.0])]
    references = [_Run([1.0, 1.0, 1.0, 1.0])] * 2
    counterfactual.plot_paired_ratios(ax, runs, references, marks=[1], window=1, title="t")
    assert len(ax.lines) == 2 + 1 + 1  # two ratios, the line at 1, one mark
    assert ax.lines[0].get_ydata() == pytest.approx([1.0, 0.5, 0.5, 0.5])
    assert ax.get_title() == "t" and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="equal length"):
        counterfactual.plot_paired_ratios(ax, runs, references[:1])
    plt.close(fig)
