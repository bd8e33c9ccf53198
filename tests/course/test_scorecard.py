"""lrlib.course.scorecard: the rows and the table of the Part II comparisons."""

import math

import numpy as np
import pytest

from lrlib.course import scorecard


def _training_run(seed, accuracy, rates=(0.3, 0.3, 0.1, 0.1), diverged_at=None):
    from lrlib.course.training import TrainingRun

    history = {"loss": np.array([1.0, 0.5]), "accuracy": np.array([0.8, 0.9]),
               "val_loss": np.array([0.6, 0.4]), "val_accuracy": np.array(accuracy)}
    return TrainingRun(np.array(rates), np.array([2.0, 1.0, 0.8, 0.6]), history, 2,
                       diverged_at, seed)


def test_compare_and_format_table():
    groups = {"constant": [_training_run(0, [0.9, 0.96]), _training_run(1, [0.95, 0.97])],
              "decayed": [_training_run(0, [0.9, 0.94], rates=(0.3, 0.2, 0.1, 0.0))]}
    rows = scorecard.compare(groups)
    assert [r.label for r in rows] == ["constant", "decayed"]
    assert rows[0].summary.accuracy_mean == pytest.approx(0.965)
    assert rows[0].summary.steps_to_target == pytest.approx(3.0)  # epoch ends 4 and 2
    assert rows[0].training_loss == pytest.approx(0.5)
    assert rows[0].mean_rate == pytest.approx(0.2) and rows[1].mean_rate == pytest.approx(0.15)
    assert math.isinf(rows[1].summary.steps_to_target)
    table = scorecard.format_table(rows).splitlines()
    assert len(table) == 3 and "to 95%" in table[0] and "mean η" in table[0]
    assert table[1].startswith("constant") and "0.965±0.005" in table[1]
    assert "never" in table[2]
    assert len({len(line) for line in table}) == 1  # the columns line up


def test_compare_with_a_diverged_run():
    rows = scorecard.compare({"wild": [_training_run(0, [0.5, 0.6], diverged_at=3)]})
    assert rows[0].summary.diverged == 1 and math.isinf(rows[0].training_loss)
