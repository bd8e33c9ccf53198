"""lrlib.course.intro: the three roles drawn at every rate, and the checkers of the exercises."""

import math
import time

import pytest

from lrlib.course import intro
from lrlib.course.widgets import render


# -- the three roles ------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [1e-3, 0.01, 0.1, 0.3, 1.0])
def test_three_roles_at_extreme_rates_still_draws_and_says_diverged(rate):
    fig = render(intro.three_roles, learning_rate=rate)
    assert len(fig.axes) == 3 and all(ax.get_title() for ax in fig.axes)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("diverged at step" in t for t in texts) == (rate > 0.25)


def test_three_roles_is_fast_enough_for_a_slider():
    render(intro.three_roles, learning_rate=0.1)  # warm up
    start = time.process_time()
    render(intro.three_roles, learning_rate=0.1)
    assert time.process_time() - start < 1.0  # generous here; bench/ measures the real figure


def test_bad_arguments():
    with pytest.raises(ValueError, match="`learning_rate`"):
        render(intro.three_roles, learning_rate=0.0)


# -- the checkers ---------------------------------------------------------------------------

def test_intro_checkers_accept_the_solutions_and_reject_mistakes():
    assert intro.check_stability_limit(0.16)
    assert not intro.check_stability_limit(...)
    assert "fastest" in intro.check_stability_limit(0.08).message
    assert intro.check_steps_to_one_percent(500 * math.log(100) / math.log(2))
    assert not intro.check_steps_to_one_percent(500 * 100)
    assert intro.check_staircase_schedule(lambda step: 0.1 * 0.96 ** (step // 100))
    smooth = intro.check_staircase_schedule(lambda step: 0.1 * 0.96 ** (step / 100))
    assert not smooth and "staircase" in smooth.message
    assert not intro.check_staircase_schedule(lambda step: None)
