"""Editions of the book: the website without any solution, for assigning the exercises.

From the repository's root, after building the website once (``jupyter-book build .``)::

    python -m lrlib.book.editions student --output _build/student

writes the *student edition* to ``_build/student`` (open ``_build/student/index.html``):
the same website with every exercise and no solution. It copies the book to a temporary
folder, removes every solution from every notebook (from the ```` ```{solution-start} ````
fence to the end of the ```` ```{solution-end} ```` fence, and any ```` ```{solution} ````
block) and builds that copy with warnings as errors. (sphinx-exercise's own
``hide_solutions`` option crashes on gated solutions, hence this route.)

The chapters are not executed again when they need not be: a notebook whose cells are
unchanged since the last build takes its outputs from that build
(``_build/jupyter_execute``); any other notebook is executed. Without a previous build the
command executes every chapter, as the website's build does.

**The student notebooks.** The same command writes a student version of every chapter
notebook (default ``_build/student-notebooks``, see :func:`write_student_notebooks`): no
solution (markdown, code, outputs), no hidden cell that checks an exercise's answer, no
output, no cell metadata but the tags, and a first cell that turns the checkers' ``reveal``
off (``LRLIB_REVEAL=0``). The folder is what an instructor pushes to the repository's
``student`` branch (:data:`STUDENT_BRANCH`), with the files the notebooks need to run
(``lrlib``, ``requirements.txt``...); the student website's launch buttons (Binder, Colab,
JupyterHub through nbgitpuller) open that branch. ``chapters/instructors.md`` says how.

**The Colab notebooks.** ``python -m lrlib.book.editions colab --output
_build/colab-notebooks`` writes every chapter with its MyST markup in plain Markdown, for
Colab, to publish on the ``colab`` branch: :mod:`lrlib.book.colab`.

lrlib reads the chapters as data (JSON) and never imports them.
"""

import argparse
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

from lrlib.book.exercises import (_COPY_IGNORE, RUNTIME_FILES, _source, _split,  # noqa: F401
                                  copy_runtime_files, strip_solutions, write_edition)

__all__ = ["solution_texts", "solution_fingerprints", "student_notebook",
           "write_student_notebooks", "copy_runtime_files", "nbgitpuller_link",
           "STUDENT_BRANCH", "build_student_edition", "main"]

#: The branch the student notebooks are published on (the student website's buttons open it).
STUDENT_BRANCH = "student"

#: The first cell of every student notebook.
STUDENT_CELL = ("# Student edition: the checkers give hints, never the answers.\n"
                "import os\n\n"
                "os.environ[\"LRLIB_REVEAL\"] = \"0\"")

_INSTALL_MARK = "install the course's package"


def _by_label(solutions):
    grouped = {}
    for label, parts in solutions:
        grouped.setdefault(label, []).extend(parts)
    return grouped


def solution_texts(notebook):
    """``{label: text}``: the markdown and code of the solutions of each exercise."""
    return {label: "\n".join(text for _, text in parts)
            for label, parts in _by_label(_split(notebook)[1]).items()}


_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|\\\(.*?\\\)", re.S)


def _normal(text):
    return " ".join(text.split())


def solution_fingerprints(notebook, count=3):
    """``{label: [snippet, ...]}``: for each solution, up to ``count`` pieces of its text
    (lines of its code, runs of plain words of its prose) that occur nowhere else in the
    notebook.

    They prove that an edition has no solution: each must appear on the full website and
    none on the student edition. Whitespace is collapsed (compare with the text of the HTML,
    collapsed the same way).
    """
    kept, solutions = _split(notebook)
    elsewhere = _normal("\n".join(_source(cell) for cell in kept))
    found = {}
    for label, parts in _by_label(solutions).items():
        candidates = []
        for kind, text in parts:
            if kind == "code":  # shown verbatim on the page
                candidates += [_normal(line) for line in text.splitlines()
                               if len(line.strip()) >= 16]
                continue
            prose = re.sub(r"\n(?!\s*\n)", " ", _MATH.sub(" | ", text))
            for run in re.split(r"[`$*_{}\[\]()\\'\"#|<>\n:;]|--|\.\.\.", prose):
                run = _normal(run).strip(" ,.")
                if len(run.split()) >= 5:
                    candidates.append(run)
        unique = []
        for candidate in sorted(set(candidates), key=lambda c: (-len(c), c)):
            if candidate not in elsewhere and all(candidate not in u for u in unique):
                unique.append(candidate)
        found[label] = unique[:count]
    return found


def _checks_an_answer(cell, labels):
    text = _source(cell)
    return ".check_" in text or any(label in text for label in labels)


def student_notebook(notebook):
    """The student version of a chapter notebook (a dict as read from JSON).

    Removes every solution (:func:`lrlib.book.exercises.strip_solutions`); every hidden
    (``remove-cell``) code cell from the first exercise on, and any hidden cell that calls a
    checker or names an exercise (they assert the answers), keeping the installation cell;
    every output and execution count; every cell metadata but its tags; and puts
    :data:`STUDENT_CELL` first.
    """
    from lrlib.book.exercises import find_exercises

    stripped = strip_solutions(notebook)
    exercises = find_exercises(stripped)
    labels = [e.label for e in exercises]
    first = exercises[0].cell if exercises else len(stripped["cells"])
    cells = []
    for index, cell in enumerate(stripped["cells"]):
        tags = list(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "code" and "remove-cell" in tags and \
                _INSTALL_MARK not in _source(cell) and \
                (index >= first or _checks_an_answer(cell, labels)):
            continue
        new = {"cell_type": cell["cell_type"], "metadata": {"tags": tags} if tags else {},
               "source": cell["source"]}
        if cell["cell_type"] == "code":
            new.update(outputs=[], execution_count=None)
        if "id" in cell:
            new["id"] = cell["id"]
        cells.append(new)
    first_cell = {"cell_type": "code", "metadata": {"tags": ["student-edition"]},
                  "source": STUDENT_CELL.splitlines(keepends=True), "outputs": [],
                  "execution_count": None}
    if any("id" in c for c in cells):
        first_cell["id"] = "student-edition"
    at = 1 if cells and cells[0]["cell_type"] == "markdown" else 0  # after the title
    cells.insert(at, first_cell)
    metadata = {key: value for key, value in notebook.get("metadata", {}).items()
                if key in ("kernelspec", "language_info")}
    return {"cells": cells, "metadata": metadata, "nbformat": notebook.get("nbformat", 4),
            "nbformat_minor": notebook.get("nbformat_minor", 5)}


def write_student_notebooks(book=".", output="_build/student-notebooks", runtime=True):
    """Write the student version of every notebook of ``book`` (same paths) to ``output``,
    with the files they need to run (:data:`RUNTIME_FILES`) when ``runtime``; returns the
    notebooks' paths. ``output`` is replaced."""
    return write_edition(
        book, output, lambda notebook, docname: student_notebook(notebook),
        "# Learning Rates and Schedules: the student notebooks\n\n"
        "The chapters' notebooks with every exercise and no solution. Generated by "
        "`python -m lrlib.book.editions student`; do not edit here.\n", runtime)


def nbgitpuller_link(hub, repository, path, branch=STUDENT_BRANCH, interface="lab"):
    """A JupyterHub link that pulls ``repository``'s ``branch`` (nbgitpuller) and opens
    ``path`` (e.g. ``chapters/intro.ipynb``).

    Example:
        >>> nbgitpuller_link("https://hub.uni.edu", "https://github.com/o/r", "chapters/intro.ipynb")
        'https://hub.uni.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fo%2Fr&branch=student&urlpath=lab%2Ftree%2Fr%2Fchapters%2Fintro.ipynb'
    """
    from urllib.parse import quote

    folder = repository.rstrip("/").rsplit("/", 1)[-1]
    urlpath = f"{interface}/tree/{folder}/{path}"
    return (f"{hub.rstrip('/')}/hub/user-redirect/git-pull?repo={quote(repository, safe='')}"
            f"&branch={quote(branch, safe='')}&urlpath={quote(urlpath, safe='')}")


def _same_cells(source, executed):
    def cells(notebook):
        return [(c["cell_type"], _source(c)) for c in notebook["cells"]]

    return cells(source) == cells(executed)


def _run_jupyter_book(book_dir):
    command = [sys.executable, "-c",
               "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
               "build", str(book_dir), "-W", "-n", "--keep-going"]
    completed = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-40:])
        raise RuntimeError(f"the student edition's build failed:\n{tail}")


def build_student_edition(book=".", output="_build/student", executed=None, quiet=False,
                          notebooks="_build/student-notebooks"):
    """Build the website of ``book`` without solutions into ``output``.

    ``executed``: a folder of executed notebooks (default ``<book>/_build/jupyter_execute``)
    whose outputs are reused for the notebooks whose cells are unchanged; ``False`` executes
    every notebook. Returns ``{"output": path, "reused": [...], "executed": [...]}``.
    """
    import yaml  # the book's tooling only

    book = pathlib.Path(book).resolve()
    output = pathlib.Path(output).resolve()
    if not (book / "_config.yml").exists() or not (book / "_toc.yml").exists():
        raise ValueError(f"`book` must be a Jupyter Book folder (with _config.yml and "
                         f"_toc.yml), got {str(book)!r}")
    if executed is None:
        executed = book / "_build" / "jupyter_execute"
    executed = pathlib.Path(executed) if executed else None
    say = (lambda *args: None) if quiet else print
    if notebooks:
        notebooks = pathlib.Path(notebooks)
        notebooks = notebooks if notebooks.is_absolute() else book / notebooks
        count = len(write_student_notebooks(book, notebooks))
        say(f"student notebooks: {count} written to {notebooks} (publish them on the "
            f"'{STUDENT_BRANCH}' branch: chapters/instructors.md)")
    reused, run = [], []
    with tempfile.TemporaryDirectory(prefix="student-edition-") as temporary:
        copy_dir = pathlib.Path(temporary) / book.name
        shutil.copytree(book, copy_dir, ignore=_COPY_IGNORE)
        for path in sorted(copy_dir.rglob("*.ipynb")):
            relative = path.relative_to(copy_dir).as_posix()
            notebook = json.loads(path.read_text())
            previous = executed / relative if executed else None
            if previous is not None and previous.exists():
                done = json.loads(previous.read_text())
                if _same_cells(notebook, done):
                    notebook = done
                    reused.append(relative)
            if relative not in reused:
                run.append(relative)
            path.write_text(json.dumps(strip_solutions(notebook), indent=1,
                                       ensure_ascii=False) + "\n")
        config_path = copy_dir / "_config.yml"
        config = yaml.safe_load(config_path.read_text())
        execute = config.setdefault("execute", {})
        execute["exclude_patterns"] = list(execute.get("exclude_patterns", [])) + reused
        repository = config.setdefault("repository", {})
        repository["branch"] = STUDENT_BRANCH  # the launch buttons open the student notebooks
        html = config.setdefault("html", {})
        html["announcement"] = ("Student edition: the exercises without their solutions.")
        config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
        say(f"student edition: {len(reused)} notebooks keep the outputs of the last build, "
            f"{len(run)} are executed")
        _run_jupyter_book(copy_dir)
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(copy_dir / "_build" / "html", output)
    say(f"student edition written to {output} (open {output / 'index.html'})")
    return {"output": output, "reused": reused, "executed": run, "notebooks": notebooks}


def main(argv=None):
    """``python -m lrlib.book.editions student --output DIR [--book DIR] [--execute-all]``,
    or ``python -m lrlib.book.editions colab --output DIR [--book DIR]`` (the Colab
    notebooks: :mod:`lrlib.book.colab`)."""
    parser = argparse.ArgumentParser(
        prog="python -m lrlib.book.editions",
        description="Build an edition of the course's website.")
    parser.add_argument("edition", choices=["student", "colab"],
                        help="student: every exercise, no solution; colab: the notebooks "
                             "in plain Markdown, for Colab")
    parser.add_argument("--output", default=None,
                        help="folder for the website (default: _build/student), or for the "
                             "Colab notebooks (default: _build/colab-notebooks)")
    parser.add_argument("--book", default=".", help="the book's folder (default: .)")
    parser.add_argument("--notebooks", default="_build/student-notebooks",
                        help="folder for the student notebooks, relative to the book "
                             "(default: _build/student-notebooks)")
    parser.add_argument("--notebooks-only", action="store_true",
                        help="write the student notebooks only, not the website")
    parser.add_argument("--execute-all", action="store_true",
                        help="execute every notebook instead of reusing the last build's "
                             "outputs")
    args = parser.parse_args(argv)
    try:
        if args.edition == "colab":
            from lrlib.book.colab import COLAB_BRANCH, write_colab_notebooks

            book = pathlib.Path(args.book)
            if not (book / "_config.yml").exists() or not (book / "_toc.yml").exists():
                raise ValueError(f"`book` must be a Jupyter Book folder (with _config.yml and "
                                 f"_toc.yml), got {str(book)!r}")
            output = pathlib.Path(args.output or "_build/colab-notebooks")
            written = write_colab_notebooks(book, output)
            print(f"Colab notebooks: {len(written)} written to {output} (publish them on the "
                  f"'{COLAB_BRANCH}' branch: chapters/instructors.md)")
            return 0
        if args.output is None:
            args.output = "_build/student"
        if args.notebooks_only:
            book = pathlib.Path(args.book)
            if not (book / "_config.yml").exists():
                raise ValueError(f"`book` must be a Jupyter Book folder (with _config.yml and "
                                 f"_toc.yml), got {str(book)!r}")
            written = write_student_notebooks(book, book / args.notebooks)
            print(f"student notebooks: {len(written)} written to {book / args.notebooks}")
            return 0
        build_student_edition(args.book, args.output,
                              executed=False if args.execute_all else None,
                              notebooks=args.notebooks)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
