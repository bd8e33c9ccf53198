"""lrlib.book.grading, end to end with nbgrader and without Docker: generate the intro
chapter's assignment, fill one submission with right and wrong answers, autograde it, and
read the scores from the gradebook nbgrader exports."""

import csv
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from lrlib.book import grading
from lrlib.book.exercises import read_book

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytest.importorskip("nbgrader")


def nbgrader(course, *args):
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed


def test_every_open_exercise_has_a_rubric_and_points():
    hard = {e.label for c in read_book(ROOT) for e in c.exercises if e.difficulty == "hard"}
    assert hard == set(grading.RUBRICS)
    assert all(grading.rubric_points(label) >= 3 for label in hard)


def test_the_intro_assignment_is_generated_autograded_and_exported(tmp_path):
    course = tmp_path / "course"
    assert grading.write_course(ROOT, course, chapters=["intro"]) == ["intro"]
    source = json.loads((course / "source" / "intro" / "intro.ipynb").read_text())
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in source["cells"]]
    assert "intro-ex-limit-test-0" in ids and "intro-ex-open-manual" in ids
    text = json.dumps(source)
    assert "0.16" not in text and "remove-cell" not in text  # no answer, no hidden check

    nbgrader(course, "generate_assignment", "intro", "--force")
    released = course / "release" / "intro" / "intro.ipynb"
    notebook = json.loads(released.read_text())

    # A learner answers: the stability limit right, the steps to 1% wrong, the staircase
    # right; the open exercise is left for the instructor.
    answers = {
        "intro-ex-limit-answer-0": "answer = 2 / 12.5\nintro.check_stability_limit(answer)",
        "intro-ex-half-life-answer-0": "answer = 2000\nintro.check_steps_to_one_percent(answer)",
        "intro-ex-staircase-answer-0": ("def my_schedule(step):\n"
                                        "    return 0.1 * 0.96 ** (step // 100)\n\n"
                                        "intro.check_staircase_schedule(my_schedule)"),
    }
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    submitted = course / "submitted" / "learner" / "intro"
    submitted.mkdir(parents=True)
    (submitted / "intro.ipynb").write_text(json.dumps(notebook))

    nbgrader(course, "autograde", "intro", "--create", "--force")
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["student_id"] == "learner"
    # Autograded: 1 (limit, right) + 0 (half-life, wrong) + 2 (staircase, right) = 3 of 4;
    # the open exercise's 5 points wait for the instructor (max score 9).
    assert float(rows[0]["score"]) == 3.0
    assert float(rows[0]["max_score"]) == 4.0 + grading.rubric_points("intro-ex-open")

    graded = json.loads((course / "autograded" / "learner" / "intro" /
                         "intro.ipynb").read_text())
    shown = json.dumps(graded)
    assert "not yet" in shown.lower() and "0.16\\n" not in shown  # a hint, not the answer
    shutil.rmtree(course / "autograded")
