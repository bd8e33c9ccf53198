"""Grading the exercises with nbgrader: the assignments, generated from the chapters.

nbgrader (https://nbgrader.readthedocs.io) is the grader of Jupyter's own project: it runs in
the JupyterHub the course already links to (its formgrader and assignment list are hub
extensions), and on a laptop from the command line, without Docker. From the chapters,
:func:`write_course` writes an nbgrader course folder::

    python -m lrlib.book.grading --output _build/grading [--chapters intro convergence]

with ``source/<chapter>/<chapter>.ipynb`` for each chapter: its exercises (the exercise text
in a locked cell), the learner's answer cells as nbgrader ``solution`` cells (the chapter's
own ``...`` stays what the learner replaces), one autograded test cell per checker the
exercise calls, worth the exercise's points (:data:`POINTS`, from its difficulty), and for
every open (hard) exercise a manually graded answer cell with its rubric
(:data:`RUBRICS`). Only what the exercises need runs: the chapter's import cells and the
cells that define names the exercises use, so autograding takes seconds, not the chapter's
minutes. Then, from that folder, nbgrader's usual steps::

    nbgrader generate_assignment intro     # release/intro/intro.ipynb, for the learners
    nbgrader autograde intro               # submitted/<student>/intro/ -> autograded/
    nbgrader export                        # grades.csv, the gradebook

A test cell asks the checker's record whether the learner's own call passed
(:func:`lrlib.course.check.passed`), with ``reveal`` off, so it grades what the learner ran,
whatever the shape of the call, and never prints an answer.
"""

import argparse
import copy
import json
import pathlib
import re
import sys

from lrlib.book.editions import STUDENT_CELL, student_notebook
from lrlib.book.exercises import _source, directive_blocks, find_exercises, read_book

__all__ = ["POINTS", "RUBRICS", "rubric_points", "assignment_notebook", "write_course",
           "main"]

#: Points per checker of an exercise, by difficulty (an open exercise: its rubric's total).
POINTS = {"easy": 1, "medium": 2, "hard": 0, None: 1}

#: The rubric of every open (hard) exercise: (criterion, points). Graded by hand in
#: nbgrader's formgrader; shown on the instructors' page.
RUBRICS = {
    "intro-ex-open": [
        ("finds the range of fixed rates that converge on the bowl and end in the wide "
         "minimum, with the runs that show it", 2),
        ("gives the noise floor across that range, from the formula or the widget", 1),
        ("designs a schedule that ends in the wide minimum with a floor below 0.01 within "
         "400 steps, and shows both", 2),
    ],
    "convergence-ex-open": [
        ("a sequence of rates that reaches the thousandfold shrink in fewer than 35 steps, "
         "measured", 2),
        ("explains it with what a step at 1/λ does to each direction", 1),
        ("tests its fragility (steep curvature 11 instead of 10) and says what breaks", 1),
        ("argues what carries over to many curvatures spread over a range", 1),
    ],
    "local-minima-ex-open": [
        ("a fair budget (same epochs or same steps), chosen and justified before running", 1),
        ("sharpness compared at the end and at equal training loss, three seeds each", 2),
        ("test accuracy compared with the spread over seeds", 1),
        ("the wider network tried, and the conclusion stated with its limits", 1),
    ],
    "step-decay-ex-open": [
        ("searches the placements of two drops by 10 on the noisy bowl (430 steps)", 2),
        ("compares the best pair with the ResNet placement and with ×0.7 every 25 steps", 1),
        ("explains what decides whether drops by 10 work (noise floor, time to settle)", 2),
    ],
    "step-decay-ex-moved-drop": [
        ("trains seed 0 with a single halving at step 43 and at step 258, and computes each "
         "one's paired loss ratio to constant 1.0 over the epoch after the drop and over the "
         "last epoch", 2),
        ("answers from the last-epoch ratios (neither drop ends ahead), with the numbers", 1),
        ("explains why: the early drop helps for an epoch, then costs; the loss is limited "
         "by progress, so the later the drop the less it costs; tries another seed", 2),
    ],
    "exponential-decay-ex-open": [
        ("final fractions from 10% to 0.01% for both budgets, with the best constant rate", 2),
        ("says whether 'decay to 1%' stays best for the longer run", 1),
        ("explains why, from the noise floor and the budget", 2),
    ],
    "annealing-ex-metropolis": [
        ("a correct Metropolis walk (proposal, acceptance, 300 walkers, 1,000 steps)", 2),
        ("compares constant, quench and slow cooling from T = 0.5, with the shares", 2),
        ("says which method uses the gradient and which does not", 1),
    ],
    "cyclical-ex-momentum": [
        ("a callback that sets the momentum at the start of every batch", 1),
        ("a one-weight test computed by hand that shows whether it changes training", 2),
        ("a way that makes it work (e.g. a variable the compiled step reads), shown", 2),
    ],
    "warmup-ex-open": [
        ("the shortest warmup that trains all three seeds at peak 5 and at peak 3", 2),
        ("says whether the warmup needed grows with the peak, with the evidence", 1),
        ("tries a warmup before a constant peak and compares with the cosine", 2),
    ],
    "range-ex-open": [
        ("runs the Adam range test on the deeper network and reports the three suggestions", 1),
        ("trains five epochs at the valley suggestion and at ten times the steepest", 2),
        ("says which rule to trust for this network, and why", 2),
    ],
    "choosing-ex-equal-area": [
        ("compares the five cells at peak 0.1: training loss, accuracy, steps to 95%", 2),
        ("says what equal area makes equal and what still differs, and why", 1),
        ("designs a sweep at exactly equal mean rate, and how to run it", 2),
    ],
}


def rubric_points(label):
    """The points of an open exercise: its rubric's total (0 without a rubric)."""
    return sum(points for _, points in RUBRICS.get(label, ()))


def _nbgrader(cell, grade_id, *, solution=False, grade=False, locked=False, points=None,
              task=False):
    cell = copy.deepcopy(cell)
    meta = {"schema_version": 3, "grade_id": grade_id, "grade": grade, "solution": solution,
            "locked": locked, "task": task}
    if points is not None:
        meta["points"] = points
    cell.setdefault("metadata", {})["nbgrader"] = meta
    return cell


def _code(source):
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None}


def _markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


_IMPORT = re.compile(r"^\s*(import\s|from\s\S+\s+import\s|#|$)")
_SETUP_CALL = re.compile(r"^[A-Za-z_][\w.]*\(\)\s*(#.*)?$")  # plots.use_style()


def _defines(source):
    names = set(re.findall(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=(?!=)", source,
                           re.M))
    found = {n.strip() for group in names for n in group.split(",")}
    found |= set(re.findall(r"^def\s+(\w+)", source, re.M))
    return found


def _uses(source):
    return set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)", source))


def assignment_notebook(notebook, docname=""):
    """The nbgrader source notebook of one chapter (a dict as read from JSON)."""
    student = student_notebook(notebook)
    cells = student["cells"]
    exercises = find_exercises(student, docname)
    if not exercises:
        return None
    first = exercises[0].cell
    setup = [c for c in cells[:first] if c["cell_type"] == "code"
             and "remove-cell" not in c["metadata"].get("tags", [])
             and "student-edition" not in c["metadata"].get("tags", [])]
    exercise_code = "\n".join(_source(c) for c in cells[first:] if c["cell_type"] == "code")
    needed = _uses(exercise_code)
    kept = []
    for cell in setup:
        source = _source(cell)
        imports = [line for line in source.splitlines()
                   if _IMPORT.match(line) or _SETUP_CALL.match(line)]
        if any(line.strip().startswith(("import ", "from ")) for line in imports):
            kept.append({**cell, "source": "\n".join(imports).strip("\n")})
        elif _defines(source) & needed and "widgets." not in source:
            kept.append(cell)
    title = next((_source(c) for c in cells if c["cell_type"] == "markdown"), "# Exercises")
    heading = title.splitlines()[0] if title else "# Exercises"
    out = [_nbgrader(_markdown(f"{heading}: exercises\n\nAnswer in the cells that hold "
                               "`...`, run each checker for hints, and save. The tests "
                               "after each exercise grade it."), "intro", locked=True),
           _nbgrader(_code(STUDENT_CELL), "setup-student", locked=True)]
    out += [_nbgrader(c, f"setup-{i}", locked=True) for i, c in enumerate(kept)]
    bounds = [e.cell for e in exercises] + [len(cells)]
    for n, exercise in enumerate(exercises):
        block = cells[bounds[n]:bounds[n + 1]]
        text = "\n".join(
            f"```{{{b.name}}} {b.argument}\n{b.body}\n```"
            for b in directive_blocks(_source(block[0])) if b.name == "exercise")
        points = POINTS[exercise.difficulty]
        out.append(_nbgrader(_markdown(f"## {exercise.title}\n\n{text}\n\n"
                                       f"*{exercise.difficulty or 'unrated'}, "
                                       f"{_worth(exercise)}*"),
                             f"{exercise.label}-question", locked=True))
        answers = [c for c in block[1:] if c["cell_type"] == "code"]
        for i, cell in enumerate(answers):
            out.append(_nbgrader(cell, f"{exercise.label}-answer-{i}", solution=True))
        for k, checker in enumerate(exercise.checkers):
            module, function = checker.rsplit(".", 1)
            test = (f"# Graded: {points} point{'s' if points != 1 else ''}.\n"
                    f"import {module}\n"
                    "from lrlib.course.check import passed\n\n"
                    f"assert passed({module}.{function}), (\"{function}: not yet; run the "
                    "checker above for hints\")")
            out.append(_nbgrader(_code(test), f"{exercise.label}-test-{k}", grade=True,
                                 locked=True, points=points))
        if exercise.difficulty == "hard" or not exercise.checkers:
            rubric = RUBRICS.get(exercise.label, [])
            lines = [f"- {criterion} ({p} point{'s' if p != 1 else ''})"
                     for criterion, p in rubric]
            out.append(_nbgrader(_markdown("**Your answer** (code above, words here). "
                                           "Graded by hand with this rubric:\n\n"
                                           + "\n".join(lines) + "\n\nYOUR ANSWER HERE"),
                                 f"{exercise.label}-manual", solution=True, grade=True,
                                 points=rubric_points(exercise.label) or 1))
    return {"cells": out, "metadata": student["metadata"], "nbformat": 4, "nbformat_minor": 5}


def _worth(exercise):
    if exercise.difficulty == "hard" or not exercise.checkers:
        return f"{rubric_points(exercise.label) or 1} points, graded by hand"
    total = POINTS[exercise.difficulty] * len(exercise.checkers)
    return f"{total} point{'s' if total != 1 else ''}, autograded"


NBGRADER_CONFIG = '''\
c = get_config()  # noqa: F821 (nbgrader's configuration)
c.CourseDirectory.course_id = "learning-rates"
c.CourseDirectory.root = "."
# The chapters' checkers need lrlib: autograde in the course's own environment.
c.ExecutePreprocessor.timeout = 600
'''


def write_course(root=".", output="_build/grading", chapters=None):
    """Write an nbgrader course folder: ``nbgrader_config.py`` and ``source/<stem>/<stem>.ipynb``
    for each chapter with exercises (or the ``chapters`` given, by stem). Returns the
    assignments' names."""
    root, output = pathlib.Path(root), pathlib.Path(output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    names = []
    for chapter in read_book(root):
        stem = pathlib.PurePosixPath(chapter.docname).name
        if chapters is not None and stem not in chapters:
            continue
        notebook = assignment_notebook(
            json.loads((root / f"{chapter.docname}.ipynb").read_text()), chapter.docname)
        if notebook is None:
            continue
        target = output / "source" / stem / f"{stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        names.append(stem)
    return names


def main(argv=None):
    """``python -m lrlib.book.grading [--book .] [--output DIR] [--chapters NAME ...]``."""
    parser = argparse.ArgumentParser(prog="python -m lrlib.book.grading",
                                     description="Write the nbgrader course of the chapters.")
    parser.add_argument("--book", default=".")
    parser.add_argument("--output", default="_build/grading")
    parser.add_argument("--chapters", nargs="*", default=None)
    args = parser.parse_args(argv)
    names = write_course(args.book, args.output, args.chapters)
    print(f"nbgrader course written to {args.output}: {', '.join(names)}. Next, from there: "
          "nbgrader generate_assignment <name>; collect into submitted/<student>/<name>/; "
          "nbgrader autograde <name>; nbgrader export.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
