"""lrlib.book.editions: removing solutions from notebooks, and building the student edition."""

import copy
import json
import pathlib
import re
import textwrap

import pytest

from lrlib.book import editions
from lrlib.book.editions import solution_fingerprints, solution_texts
from lrlib.book.exercises import strip_solutions
from lrlib.book.exercises import find_exercises

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHAPTER_NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": textwrap.dedent(text).strip("\n")}


def code(text, outputs=()):
    return {"cell_type": "code", "metadata": {}, "source": textwrap.dedent(text).strip("\n"),
            "outputs": list(outputs), "execution_count": None}


def nb(*cells):
    return {"cells": list(cells), "metadata": {"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}


def sources(notebook):
    return ["".join(c["source"]) for c in notebook["cells"]]


# The shapes found in the chapters: an exercise and its solution's start in one cell, the
# solution's end and the next exercise in one cell, solutions across several cells.
NOTEBOOK = nb(
    md("# Title"),
    md("""
        ```{exercise} First
        :label: t-ex-1
        Question one.
        ```"""),
    code("answer = ...\ncheck.first(answer)"),
    md("""
        ```{solution-start} t-ex-1
        :class: dropdown
        ```
        The secret reasoning of the first solution."""),
    code("check.first(42)  # the first solution's code"),
    {**code("assert first_solution_is_checked_here"), "metadata": {"tags": ["remove-cell"]}},
    md("""
        ```{solution-end}
        ```

        ```{exercise} Second
        :label: t-ex-2
        Question two.
        ```

        ```{solution-start} t-ex-2
        :class: dropdown
        ```
        Secret words of the second solution, with a nested block:

        ```python
        print("inside")
        ```"""),
    md("""
        ```{solution-end}
        ```
        Text after the last one."""),
    md("""
        :::{solution} t-ex-1
        An inline solution in a colon fence, also secret.
        :::
        Visible text."""),
)


def test_strip_solutions_keeps_everything_but_the_solutions():
    before = copy.deepcopy(NOTEBOOK)
    stripped = strip_solutions(NOTEBOOK)
    assert NOTEBOOK == before, "the input is not changed"
    text = "\n".join(sources(stripped))
    assert "secret" not in text.lower() and "solution" not in text
    assert sources(stripped) == [
        "# Title",
        "```{exercise} First\n:label: t-ex-1\nQuestion one.\n```",
        "answer = ...\ncheck.first(answer)",
        "```{exercise} Second\n:label: t-ex-2\nQuestion two.\n```",
        "Text after the last one.",
        "Visible text.",
    ]
    assert [e.label for e in find_exercises(stripped)] == ["t-ex-1", "t-ex-2"]
    assert stripped["metadata"] == NOTEBOOK["metadata"]


def test_solution_texts_and_fingerprints_come_from_the_solutions_only():
    texts = solution_texts(NOTEBOOK)
    assert "The secret reasoning" in texts["t-ex-1"] and "print(\"inside\")" in texts["t-ex-2"]
    prints = solution_fingerprints(NOTEBOOK)
    assert set(prints) == {"t-ex-1", "t-ex-2"}
    assert "The secret reasoning of the first solution" in prints["t-ex-1"]
    assert "check.first(42) # the first solution's code" in prints["t-ex-1"]
    assert not any("first_solution_is_checked_here" in p for p in prints["t-ex-1"])  # hidden
    assert "Secret words of the second solution, with a nested block" in prints["t-ex-2"]
    kept = " ".join(" ".join(sources(strip_solutions(NOTEBOOK))).split())
    assert not any(p in kept for found in prints.values() for p in found)


def test_an_unfinished_solution_is_an_error():
    broken = nb(md("```{solution-start} x\n```\nNo end."))
    with pytest.raises(ValueError, match="solution-end"):
        strip_solutions(broken)


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_loses_its_solutions_and_keeps_its_exercises(path):
    notebook = json.loads(path.read_text())
    stripped = strip_solutions(notebook)
    text = "\n".join(sources(stripped))
    assert not re.search(r"\{solution(-start|-end)?\}", text)
    assert [e.label for e in find_exercises(stripped)] == \
        [e.label for e in find_exercises(notebook)]
    for label, snippets in solution_fingerprints(notebook).items():
        assert snippets, f"{path.name}: solution {label} has no text of its own"


def test_the_command_rejects_a_folder_that_is_no_book(tmp_path, capsys):
    assert editions.main(["student", "--book", str(tmp_path), "--output",
                          str(tmp_path / "out")]) == 1
    assert "must be a Jupyter Book folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        editions.main(["teacher"])


CONFIG = """\
title: Tiny
only_build_toc_files: true
exclude_patterns: [_build, executed]
execute:
  execute_notebooks: cache
  stderr_output: error
sphinx:
  extra_extensions: [sphinx_exercise]
"""
TOC = """\
format: jb-book
root: chapters/index
chapters:
  - file: chapters/a
  - file: chapters/b
"""


def tiny_chapter(name):
    return nb(
        md(f"# Chapter {name}"),
        code(f"print('computed in {name}')"),
        md(f"""
            ```{{exercise}} Exercise of {name}
            :label: {name}-ex
            Question of {name}.
            ```"""),
        md(f"""
            ```{{solution-start}} {name}-ex
            :class: dropdown
            ```
            Reasoning {name} that only the solution has."""),
        code(f"print('solution output of {name}')"),
        md("```{solution-end}\n```"),
    )


def test_student_edition_of_a_small_book(tmp_path):
    """The whole command on a two-chapter book: chapter a has outputs from an earlier build
    (which the edition reuses without executing), chapter b is executed."""
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "_config.yml").write_text(CONFIG)
    (book / "_toc.yml").write_text(TOC)
    (book / "chapters" / "index.md").write_text("# Tiny\n")
    executed = tmp_path / "executed" / "chapters"
    executed.mkdir(parents=True)
    for name in ("a", "b"):
        (book / "chapters" / f"{name}.ipynb").write_text(json.dumps(tiny_chapter(name)))
    earlier = tiny_chapter("a")
    earlier["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                       "text": "output kept from the earlier build\n"}]
    earlier["cells"][4]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                       "text": "solution output of a\n"}]
    (executed / "a.ipynb").write_text(json.dumps(earlier))

    result = editions.build_student_edition(book, tmp_path / "student",
                                            executed=tmp_path / "executed", quiet=True,
                                            notebooks=tmp_path / "notebooks")
    assert (tmp_path / "notebooks" / "chapters" / "a.ipynb").exists()
    assert result["reused"] == ["chapters/a.ipynb"]
    assert result["executed"] == ["chapters/b.ipynb"]
    page_a = (tmp_path / "student" / "chapters" / "a.html").read_text()
    page_b = (tmp_path / "student" / "chapters" / "b.html").read_text()
    # Chapter a shows the earlier output, not a new one; chapter b its code and its output.
    assert "output kept from the earlier build" in page_a and page_a.count("computed in a") == 1
    assert page_b.count("computed in b") == 2
    for name, page in (("a", page_a), ("b", page_b)):
        assert f'id="{name}-ex"' in page and f"Question of {name}" in page
        assert "solution" not in page.split('<article class="bd-article">')[1].split(
            "</article>")[0].lower()
        assert f"Reasoning {name}" not in page and f"solution output of {name}" not in page
        assert "Student edition" in page
    # The book itself is untouched.
    assert json.loads((book / "chapters" / "a.ipynb").read_text()) == tiny_chapter("a")


# -- the student notebooks ---------------------------------------------------------------------

def _lines(text, length=16):
    return {" ".join(line.split()) for line in text.splitlines() if len(line.strip()) >= length}


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=lambda p: p.name)
def test_a_student_notebook_holds_no_solution_text_anywhere(path):
    notebook = json.loads(path.read_text())
    student = editions.student_notebook(notebook)
    whole = " ".join(json.dumps(student, ensure_ascii=False).replace("\\n", "\n").split())
    for label, snippets in solution_fingerprints(notebook).items():
        for snippet in snippets:
            assert snippet not in whole, f"{path.name}: solution {label} leaks {snippet!r}"
    kept = " ".join(" ".join(sources(strip_solutions(notebook))).split())
    for label, text in solution_texts(notebook).items():
        for line in _lines(text):  # every line of every solution, hidden cells included
            if line not in kept:
                assert line not in whole, f"{path.name}: solution {label} leaks {line!r}"
    code_cells = [c for c in student["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code_cells)
    assert all(set(c["metadata"]) <= {"tags"} for c in student["cells"])
    assert 'os.environ["LRLIB_REVEAL"] = "0"' in "".join(code_cells[0]["source"])
    exercises = find_exercises(student)
    assert [e.label for e in exercises] == [e.label for e in find_exercises(notebook)]
    assert [e.checkers for e in exercises] == [e.checkers for e in find_exercises(notebook)]
    # No hidden cell that checks an answer: none from the first exercise on, none calling a
    # checker (the installation cell stays).
    first = exercises[0].cell if exercises else len(student["cells"])
    for index, cell in enumerate(student["cells"]):
        if "remove-cell" in cell["metadata"].get("tags", []):
            assert index < first and ".check_" not in "".join(cell["source"])


def test_the_hidden_checks_of_the_answers_are_gone():
    notebook = nb(
        md("# T"),
        {**code("assert claim_of_the_prose"), "metadata": {"tags": ["remove-cell"]}},
        {**code("# install the course's package\npass"), "metadata": {"tags": ["remove-cell"]}},
        md("```{exercise} E\n:label: t-ex\nQ.\n```"),
        code("answer = ...\nmod.check_answer(answer)", outputs=[{"output_type": "stream",
                                                                "name": "stdout",
                                                                "text": "Not yet."}]),
        {**code("assert mod.check_answer(42)"), "metadata": {"tags": ["remove-cell"]}},
        {**code("assert open_answer_found == 3"), "metadata": {"tags": ["remove-cell"]}},
    )
    student = editions.student_notebook(notebook)
    text = "\n".join(sources(student))
    assert "claim_of_the_prose" in text and "install the course" in text
    assert "42" not in text and "open_answer_found" not in text and "Not yet" not in text
    assert sources(student)[1] == editions.STUDENT_CELL


def test_the_student_notebooks_folder_runs_as_a_repository(tmp_path):
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "_config.yml").write_text(CONFIG)
    (book / "requirements.txt").write_text("numpy\n")
    (book / "chapters" / "a.ipynb").write_text(json.dumps(tiny_chapter("a")))
    written = editions.write_student_notebooks(book, tmp_path / "out")
    assert [p.name for p in written] == ["a.ipynb"]
    assert (tmp_path / "out" / "requirements.txt").exists()
    assert "Reasoning a" not in (tmp_path / "out" / "chapters" / "a.ipynb").read_text()
    assert editions.main(["student", "--book", str(book), "--notebooks-only",
                          "--notebooks", "again"]) == 0
    assert (book / "again" / "chapters" / "a.ipynb").exists()


def test_nbgitpuller_links_open_the_student_branch():
    link = editions.nbgitpuller_link("https://hub.uni.edu/", "https://github.com/o/course",
                                     "chapters/intro.ipynb")
    assert link.startswith("https://hub.uni.edu/hub/user-redirect/git-pull?repo=")
    assert "branch=student" in link and "chapters%2Fintro.ipynb" in link
