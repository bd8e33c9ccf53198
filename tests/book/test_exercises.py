"""lrlib.book.exercises: reading the exercises, the index and the course plan from the notebooks."""

import json
import textwrap

import pytest

from lrlib.book import exercises
from lrlib.book.exercises import directive_blocks, find_exercises, read_book

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": textwrap.dedent(text).strip("\n")}


def code(text):
    return {"cell_type": "code", "metadata": {}, "source": textwrap.dedent(text).strip("\n"),
            "outputs": [], "execution_count": None}


def nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_directive_blocks_read_fences_options_and_bodies():
    text = textwrap.dedent("""\
        Some prose.
        ````{exercise} Title with `code`
        :label: ch-ex-a
        :class: medium dropdown
        Body line.
        ```python
        x = 1
        ```
        ````
        :::{solution} ch-ex-a
        Colon fence.
        :::
        ```{solution-start} ch-ex-b
        """)
    blocks = directive_blocks(text)
    assert [(b.name, b.argument) for b in blocks] == [
        ("exercise", "Title with `code`"), ("solution", "ch-ex-a"), ("solution-start", "ch-ex-b")]
    first = blocks[0]
    assert first.options == {"label": "ch-ex-a", "class": "medium dropdown"}
    assert "x = 1" in first.body and (first.start, first.end) == (1, 8)  # the inner fence is body
    assert blocks[1].body == "Colon fence."
    assert blocks[2].end == len(text.splitlines()) - 1  # unclosed: runs to the end
    assert directive_blocks("```python\nprint(1)\n```") == []  # a code block is no directive


CHAPTER = nb(
    md("# A chapter\nText."),
    code("from lrlib.course.check import demo as check\nfrom lrlib.course import intro"),
    md("""
        ```{exercise} Predict the limit
        :label: demo-ex-limit
        :class: easy
        What is it?
        ```"""),
    code("answer = ...\ncheck.limit(answer)"),
    md("""
        ```{solution-start} demo-ex-limit
        :class: dropdown
        ```
        Two over lambda."""),
    code("check.limit(0.16)\nintro.check_stability_limit(0.16)"),
    md("""
        ```{solution-end}
        ```

        ```{exercise} Write a schedule
        :label: demo-ex-schedule
        :class: dropdown hard
        Write it.
        ```"""),
    code("check.schedule(my_schedule)\nintro.check_staircase_schedule(my_schedule)"),
    md("""
        ```{exercise} Open question
        :label: demo-ex-open
        Think.
        ```
        ```{solution-start} demo-ex-open
        ```
        An answer."""),
    md("```{solution-end}\n```"),
)


def test_find_exercises_reads_labels_difficulty_checkers_and_solutions():
    found = find_exercises(CHAPTER, "chapters/demo")
    assert [(e.label, e.title, e.difficulty, e.has_solution) for e in found] == [
        ("demo-ex-limit", "Predict the limit", "easy", True),
        ("demo-ex-schedule", "Write a schedule", "hard", False),
        ("demo-ex-open", "Open question", None, True)]
    # Only the learner's cells count, not the solution's (which also calls intro here).
    assert found[0].checkers == ("lrlib.course.check.demo.limit",)
    assert found[1].checkers == ("lrlib.course.check.demo.schedule",
                                 "lrlib.course.intro.check_staircase_schedule")
    assert found[2].checkers == ()
    assert [e.minutes for e in found] == [5, 30, 15]
    assert all(e.chapter == "chapters/demo" for e in found)


def write_book(tmp_path, toc, notebooks):
    (tmp_path / "_toc.yml").write_text(textwrap.dedent(toc))
    (tmp_path / "chapters").mkdir()
    for name, notebook in notebooks.items():
        (tmp_path / "chapters" / name).write_text(json.dumps(notebook))
    return tmp_path


TOC = """\
    format: jb-book
    root: chapters/index
    parts:
      - caption: "Part I"
        numbered: true
        chapters:
          - file: chapters/one
          - file: chapters/two
      - caption: "Part II"
        numbered: true
        chapters:
          - file: chapters/three
      - caption: "Reference"
        chapters:
          - file: chapters/notes
    """


def test_read_book_follows_the_toc_numbers_chapters_and_finds_links(tmp_path):
    two = nb(md("# Two\nSee {doc}`the first <one>` and {numref}`fig-three-curve`, and "
                "[this](./three.ipynb). A formula $x^2 + y^2$ is one word."),
             *CHAPTER["cells"][2:])
    book = write_book(tmp_path, TOC, {
        "one.ipynb": nb(md("# One\n" + "word " * 300)),
        "two.ipynb": two,
        "three.ipynb": nb(md("# Three\nSee {ref}`one-ex-x` and {ref}`demo-ex-limit`.")),
        "notes.ipynb": nb(md("# Notes")),
    })
    (book / "chapters" / "index.md").write_text("# Home")
    chapters = read_book(book)
    assert [(c.docname, c.title, c.number, c.part) for c in chapters] == [
        ("chapters/one", "One", 1, "Part I"), ("chapters/two", "Two", 2, "Part I"),
        ("chapters/three", "Three", 3, "Part II"), ("chapters/notes", "Notes", None, "Reference")]
    one, two, three, _ = chapters
    assert one.reading_words == 301 and one.reading_minutes == 5
    assert two.links_to == ("chapters/one", "chapters/three")
    assert three.links_to == ("chapters/one",)  # demo is not a chapter of this book
    # Prose outside the solutions only ("Two over lambda" and "An answer" do not count):
    # "Two See the first and [reference] and this A formula [formula] is one word" (14) and
    # the exercises' titles and bodies (14).
    assert two.reading_words == 28
    assert len(two.exercises) == 3 and two.exercise_minutes == 50


def test_index_and_plan_are_myst_tables_of_the_current_chapters(tmp_path):
    book = write_book(tmp_path, TOC, {
        "one.ipynb": nb(md("# One\n" + "word " * 2999)),
        "two.ipynb": nb(md("# Two"), *CHAPTER["cells"][1:]),
        "three.ipynb": nb(md("# Three")),
    })
    index = exercises.exercise_index(book)
    assert "{doc}`2. Two </chapters/two>`" in index
    assert "(3 exercises: 1 easy, 1 hard, 1 not rated)" in index
    assert "| {ref}`Predict the limit <demo-ex-limit>` (`demo-ex-limit`) | easy | " \
           "`lrlib.course.check.demo.limit` |" in index
    assert "| not rated | none (open) |" in index
    assert "One" not in index  # no exercises, no table
    plan = exercises.course_plan(book, session_minutes=90)
    rows = [line for line in plan.splitlines() if line.startswith("| ") and "---" not in line][1:]
    # One takes 20 min of reading; Two 5 + 50; Three starts a new part, so a new session.
    assert [row.split(" | ")[0] for row in rows] == ["| 1", "| 1", "| 2"]
    assert "20 min" in rows[0] and "3 (50 min)" in rows[1]
    assert exercises.course_plan(book, session_minutes=30).count("| 2 |") == 1
    # Two needs 25 min in class: in sessions of 20 min its reading and easy exercise fill
    # session 2 and its unrated one continues in session 3; Three starts session 4.
    short = exercises.course_plan(book, session_minutes=20)
    rows = [line for line in short.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[0] for row in rows] == ["| 1", "| 2", "| 3", "| 4"]
    assert "10 min (+15 min in session 3)" in rows[1] and "Two </chapters/two>`, continued" in rows[2]
    assert "4 sessions of at most 20 minutes" in short


def test_an_empty_book_says_so(tmp_path):
    book = write_book(tmp_path, "format: jb-book\nroot: chapters/index\n", {})
    assert "No chapter" in exercises.exercise_index(book)
    assert "No chapters" in exercises.course_plan(book)


def test_the_real_book_every_exercise_is_indexed_with_a_difficulty():
    index = exercises.exercise_index(ROOT)
    chapters = read_book(ROOT)
    assert chapters, "the toc lists no chapter"
    for chapter in chapters:
        for exercise in chapter.exercises:
            assert f"<{exercise.label}>`" in index
            # Instructors plan with it: the course plan's times and the badges come from it.
            assert exercise.difficulty in exercises.DIFFICULTIES, (
                f"{exercise.label}: add `:class: easy`, `medium` or `hard`")
    assert "not rated" not in index


@pytest.mark.parametrize("level", list(exercises.DIFFICULTIES))
def test_difficulty_levels_have_times_and_badges(level):
    assert exercises.MINUTES[level] > 0
    css = (ROOT / "lrlib" / "book" / "website_static" / "website.css").read_text()
    assert f'content: "{level}"' in css and f"div.exercise.{level}" in css


def test_the_real_plan_adds_up():
    """Every session of the real book's plan fits its minutes in class, as its table says."""
    plan = exercises.course_plan(ROOT, session_minutes=90)
    rows = [line.split(" | ") for line in plan.splitlines()
            if line.startswith("| ") and "---" not in line][1:]
    in_class = {}
    for row in rows:
        in_class.setdefault(row[0], []).append(int(row[4].split()[0]))
    assert all(sum(minutes) <= 90 for minutes in in_class.values()), in_class
    assert f"{len(in_class)} sessions of at most 90 minutes" in plan
