"""lrlib.course.check: the generic checkers accept the reference answer and reject mistakes."""


from lrlib.course.check import Result, check_choice, check_function, check_number, check_schedule
from lrlib.schedules import StepDecay


def test_result_is_truthy_and_shows_itself():
    assert Result(True, "ok") and not Result(False, "no")
    assert str(Result(False, "no")).startswith("Not yet")
    assert "Correct" in Result(True, "fine")._repr_markdown_()


def test_check_number():
    assert check_number(0.2, 0.2)
    result = check_number(0.3, 0.2, name="the limit", rtol=0.01)
    assert not result and result.message == "the limit: 0.3 is not within 1% of the answer."
    assert "0.2" not in str(result)
    assert not check_number("abc", 0.2) and not check_number(float("nan"), 0.2)
    assert "within 0.5%" in check_number(1.0, 2.0, rtol=0.005).message
    assert "within 0.5" in check_number(1.0, 2.0, rtol=0, atol=0.5).message
    outside = check_number(1.5, 0.5, name="the fraction", low=0, high=1, allowed="a fraction")
    assert not outside and "between 0 and 1 (a fraction)" in outside.message


def test_check_schedule_says_where_it_goes_wrong():
    reference = StepDecay(0.1, 0.5, 100)
    assert check_schedule(reference, reference, [0, 100, 250])
    result = check_schedule(lambda t: 0.05 if t >= 200 else 0.1, reference, [0, 100, 250])
    assert not result and "at step 100" in result.message and "0.05" not in result.message
    assert not check_schedule(lambda t: 1 / 0, reference, [0])
    assert not check_schedule(lambda t: None, reference, [0])
    assert not check_schedule(0.1, reference, [0])


def test_check_function_and_choice():
    assert check_function(lambda x: 2 * x, lambda x: 2.0 * x, [1, 2, 3])
    assert not check_function(lambda x: x, lambda x: 2.0 * x, [1])
    assert check_choice("Oscillating ", "oscillating")
    assert not check_choice("slow", "oscillating", options=["slow", "oscillating"])
    assert "not one of" in check_choice("fast", "slow", options=["slow"]).message

