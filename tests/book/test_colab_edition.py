"""lrlib.book.colab: the Colab edition, the chapters' markdown in plain Markdown."""

import json
import pathlib
import re
import textwrap

import pytest

from lrlib.book import colab, editions
from lrlib.book.colab import MYST_MARKUP, Book, colab_markdown, colab_notebook
from lrlib.book.exercises import _source, _toc_entries, find_exercises

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHAPTERS = [d for d, _, _ in _toc_entries(ROOT) if (ROOT / f"{d}.ipynb").exists()]


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": textwrap.dedent(text).strip("\n")}


def code(text, tags=()):
    return {"cell_type": "code", "metadata": {"tags": list(tags)} if tags else {},
            "source": textwrap.dedent(text).strip("\n"), "outputs": [], "execution_count": None}


def nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


BIB = {"robbins1951": {"names": ["Robbins", "Monro"], "year": "1951", "title": "A Method",
                       "venue": "Annals", "note": "", "link": "https://doi.org/10.1/x"},
       "cohen2021": {"names": ["Cohen", "Kaur", "Li"], "year": "2021", "title": "Edge",
                     "venue": "", "note": "", "link": ""},
       "chollet2015": {"names": ["Chollet", "others"], "year": "2015", "title": "Keras",
                       "venue": "", "note": "", "link": ""}}
BOOK = Book.of(exercises={"t-ex-1": ("2.1", "First", "chapters/t"),
                          "t-ex-2": ("2.2", "Second", "chapters/t"),
                          "o-ex-1": ("3.1", "Elsewhere", "chapters/other")},
               targets={"sec-x": ("A section", "chapters/t")},
               bibliography=BIB, repository="https://github.com/o/r", title="The Book")


def no_myst(text):
    return {kind: pattern.findall(text) for kind, pattern in MYST_MARKUP.items()
            if pattern.search(text)}


def test_admonitions_become_blockquotes_with_a_bold_title():
    text = textwrap.dedent("""\
        ```{admonition} Learning objectives
        :class: tip
        1. one $\\eta$
        2. two
        ```

        :::{note} Careful
        Text.
        :::

        ```{warning}
        Bare.
        ```

        ```{admonition} More
        :class: dropdown
        Hidden.
        ```""")
    out = colab_markdown(text, BOOK, "chapters/t")
    assert "> **Learning objectives**\n>\n> 1. one $\\eta$\n> 2. two" in out
    assert "> **Note: Careful**\n>\n> Text." in out
    assert "> **Warning**\n>\n> Bare." in out
    assert "<details>\n<summary><b>More</b></summary>\n\nHidden.\n\n</details>" in out
    assert not no_myst(out)


def test_roles_targets_comments_and_links():
    text = textwrap.dedent("""\
        (sec-x)=
        ## A section
        % a comment the reader never sees
        As {cite}`robbins1951` and {cite:t}`cohen2021` show, and {cite}`chollet2015,cohen2021`.
        See {ref}`t-ex-1`, {ref}`the second <t-ex-2>`, {numref}`t-ex-2`, {ref}`o-ex-1`,
        {ref}`sec-x`, a {term}`glossary <annealing>` {term}`word`, {eq}`eq-1`, {math}`x^2`.
        The [next chapter](other.ipynb), the [glossary](glossary.md), <https://a.b>.

        ```python
        # {cite}`untouched` in code
        % not a comment in code
        ```""")
    out = colab_markdown(text, BOOK, "chapters/t")
    assert out.startswith("## A section\nAs (Robbins and Monro, 1951) and Cohen et al. (2021)")
    assert "(Chollet et al., 2015; Cohen et al., 2021)" in out
    assert "See Exercise 2.1 (First), the second, Exercise 2.2, " in out
    assert "[Exercise 3.1 (Elsewhere)](other.ipynb)" in out  # another chapter's notebook
    assert "A section, a glossary word, (equation), $x^2$." in out
    assert "The [next chapter](other.ipynb), the glossary, <https://a.b>." in out
    assert "# {cite}`untouched` in code\n% not a comment in code" in out
    assert "comment the reader" not in out and "(sec-x)=" not in out


def test_with_the_sites_address_references_elsewhere_link_to_the_website():
    book = Book.of(exercises=BOOK.exercises, baseurl="https://site.org/book/")
    out = colab_markdown("{ref}`o-ex-1`, the [glossary](glossary.md#term-a).", book,
                         "chapters/t")
    assert out == ("[Exercise 3.1 (Elsewhere)](https://site.org/book/chapters/other.html#o-ex-1)"
                   ", the [glossary](https://site.org/book/chapters/glossary.html#term-a).")
    assert book.page("chapters/t") in _source(colab_notebook(nb(md("# T")), book,
                                                             "chapters/t")["cells"][0])


def test_unknown_citations_and_targets_are_errors():
    with pytest.raises(ValueError, match="nobody2000"):
        colab_markdown("{cite}`nobody2000`", BOOK, "chapters/t")
    with pytest.raises(ValueError, match="no-such-label"):
        colab_markdown("{ref}`no-such-label`", BOOK, "chapters/t")


def test_figures_and_images_become_markdown_images():
    text = textwrap.dedent("""\
        ```{figure} img/curve.png
        :alt: A loss curve
        :name: fig-t-curve
        :width: 80%
        The loss falls.
        ```

        ```{image} img/b.png
        :alt: B
        ```""")
    out = colab_markdown(text, BOOK, "chapters/t")
    assert out == "![A loss curve](img/curve.png)\n\n*The loss falls.*\n\n![B](img/b.png)"


# An exercise and its solution's start in one cell, a solution across cells with a hidden
# check, a solution's end and the next exercise in one cell, an inline solution, references.
NOTEBOOK = nb(
    md("# Title\n\nIntro {cite}`robbins1951`."),
    code("%pip install something", tags=["remove-cell"]),
    md("""
        ## Exercises

        ````{exercise} First
        :label: t-ex-1
        :class: easy
        Question one, nested:

        ```{note}
        A hint.
        ```
        ````"""),
    code("answer = ...\ncheck.first(answer)", tags=["remove-output"]),
    md("""
        ```{solution-start} t-ex-1
        :class: dropdown
        ```
        The reasoning of the first solution."""),
    code("check.first(42)"),
    code("assert checked", tags=["remove-cell"]),
    md("More reasoning, in a cell of its own."),
    code("print('more')"),
    md("""
        ```{solution-end}
        ```

        ```{exercise} Second
        :label: t-ex-2
        Question two.
        ```

        :::{solution} t-ex-2
        Only words {cite}`cohen2021`.
        :::

        ## References

        ```{bibliography}
        :filter: docname in docnames
        ```"""),
)


def test_a_notebook_keeps_its_code_and_turns_its_markup_into_markdown():
    out = colab_notebook(NOTEBOOK, BOOK, "chapters/t")
    cells = out["cells"]
    assert [c for c in cells if c["cell_type"] == "code"] == \
        [c for c in NOTEBOOK["cells"] if c["cell_type"] == "code"]
    texts = [_source(c) for c in cells]
    assert texts[0].startswith("> **The Colab copy.**") and "https://github.com/o/r" in texts[0]
    assert cells[0]["metadata"]["tags"] == ["colab-edition"]
    assert texts[1] == "# Title\n\nIntro (Robbins and Monro, 1951)."
    assert "## Exercises\n\n> **Exercise 2.1 (First)** · *easy*\n>\n> Question one, nested:\n>\n" \
           "> > **Note**\n> >\n> > A hint." == texts[3]
    assert texts[5] == ("<details>\n<summary><b>Solution to Exercise 2.1</b> (try the exercise "
                        "first): the reasoning; the code follows</summary>\n\nThe reasoning of "
                        "the first solution.\n\n</details>")
    assert texts[8] == ("<details>\n<summary><b>Solution to Exercise 2.1</b>, continued"
                        "</summary>\n\nMore reasoning, in a cell of its own.\n\n</details>")
    last = texts[10]
    assert last.startswith("*End of the solution to Exercise 2.1.*\n\n"
                           "> **Exercise 2.2 (Second)**\n>\n> Question two.\n\n<details>\n"
                           "<summary><b>Solution to Exercise 2.2</b> (try the exercise first)"
                           "</summary>\n\nOnly words (Cohen et al., 2021).\n\n</details>")
    assert last.endswith("## References\n\n- Cohen et al. (2021). Edge.\n"
                         "- Robbins and Monro (1951). A Method. *Annals*. <https://doi.org/10.1/x>")
    for cell in cells:
        if cell["cell_type"] == "markdown":
            assert not no_myst(_source(cell)), _source(cell)
    assert isinstance(cells[1]["source"], list)  # as the chapters store it


def test_a_cell_that_held_only_a_fence_is_dropped():
    notebook = nb(md("```{exercise} E\n:label: t-ex-1\nQ.\n```"),
                  md("```{solution-start} t-ex-1\n```"), code("x = 1"),
                  md("```{solution-end}\n```"))
    texts = [_source(c) for c in colab_notebook(notebook, BOOK, "chapters/t")["cells"]]
    opening = ("**Solution to Exercise 2.1** (try the exercise first): its code is in the "
               "cells below.")
    assert texts[2:] == [opening, "x = 1", "*End of the solution to Exercise 2.1.*"]


@pytest.fixture(scope="module")
def the_book():
    return Book(ROOT)


@pytest.mark.parametrize("docname", CHAPTERS, ids=lambda d: d.rsplit("/", 1)[-1])
def test_every_chapter_reads_as_plain_markdown_in_colab(docname, the_book):
    source = json.loads((ROOT / f"{docname}.ipynb").read_text())
    out = colab_notebook(source, the_book, docname)
    markdown = "\n\n".join(_source(c) for c in out["cells"] if c["cell_type"] == "markdown")
    assert not no_myst(markdown)
    # Code cells (tags, outputs, hidden checks) exactly as in the chapter, in order.
    assert [c for c in out["cells"] if c["cell_type"] == "code"] == \
        [c for c in source["cells"] if c["cell_type"] == "code"]
    # Every exercise of the website, numbered as the website numbers it, with its solution.
    exercises = find_exercises(source, docname)
    assert exercises
    for exercise in exercises:
        number, title, _ = the_book.exercises[exercise.label]
        assert f"**Exercise {number} ({title})**" in markdown
        assert markdown.count(f"Solution to Exercise {number}") >= 1
    assert len(re.findall(r"^> \*\*Exercise \d+\.\d+ \(", markdown, re.MULTILINE)) == len(exercises)
    # Every citation became an author-year, and the chapter lists what it cites.
    original = "\n".join(_source(c) for c in source["cells"] if c["cell_type"] == "markdown")
    for match in re.finditer(r"\{cite(?::\w+)?\}`([^`]*)`", original):
        cited = colab.author_year(match[1].split(","), the_book.bibliography)
        assert cited in markdown
    if "{bibliography}" in original:
        for key in set(re.findall(r"\{cite(?::\w+)?\}`([^`]*)`", original)):
            for one in key.split(","):
                assert the_book.bibliography[one.strip()]["title"] in markdown


def test_the_numbers_follow_the_toc_and_the_books_own_wording(the_book):
    # The intro writes "Exercise 1.4" for its open exercise: the website's number.
    assert the_book.exercises["intro-ex-open"][0] == "1.4"
    assert the_book.exercises["local-minima-ex-escape"][0].startswith("3.")


def test_the_command_writes_every_chapter_and_leaves_the_student_edition_alone(tmp_path):
    output = tmp_path / "colab"
    assert editions.main(["colab", "--output", str(output), "--book", str(ROOT)]) == 0
    written = sorted(p.name for p in (output / "chapters").glob("*.ipynb"))
    assert written == sorted(pathlib.PurePosixPath(d).name + ".ipynb" for d in CHAPTERS)
    assert (output / "lrlib" / "book" / "colab.py").exists()  # it runs as a branch of its own
    assert "python -m lrlib.book.editions colab" in (output / "README.md").read_text()
    assert editions.main(["colab", "--book", str(tmp_path / "nothing")]) == 1
