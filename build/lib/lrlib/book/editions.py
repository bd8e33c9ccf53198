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

from lrlib.book.exercises import _source, _split, strip_solutions

__all__ = ["solution_texts", "solution_fingerprints",
           "build_student_edition", "main"]

_COPY_IGNORE = shutil.ignore_patterns("_build", ".git", ".pytest_cache", "__pycache__",
                                      ".hypothesis", "*.egg-info", ".ipynb_checkpoints",
                                      ".venv")


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


def build_student_edition(book=".", output="_build/student", executed=None, quiet=False):
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
    return {"output": output, "reused": reused, "executed": run}


def main(argv=None):
    """``python -m lrlib.book.editions student --output DIR [--book DIR] [--execute-all]``."""
    parser = argparse.ArgumentParser(
        prog="python -m lrlib.book.editions",
        description="Build an edition of the course's website.")
    parser.add_argument("edition", choices=["student"],
                        help="student: every exercise, no solution")
    parser.add_argument("--output", default="_build/student",
                        help="folder for the website (default: _build/student)")
    parser.add_argument("--book", default=".", help="the book's folder (default: .)")
    parser.add_argument("--execute-all", action="store_true",
                        help="execute every notebook instead of reusing the last build's "
                             "outputs")
    args = parser.parse_args(argv)
    try:
        build_student_edition(args.book, args.output,
                              executed=False if args.execute_all else None)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
