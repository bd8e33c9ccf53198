"""The book's exercises, read from the chapter notebooks: for instructors and the editions.

The chapters are read as data (JSON notebooks listed in ``_toc.yml``), never imported. An
exercise is a sphinx-exercise directive in a markdown cell::

    ```{exercise} Predict, then check: the speed limit
    :label: intro-ex-limit
    :class: easy
    ...
    ```

followed by the learner's code cells (which call a checker from ``lrlib.course.check.<chapter>``)
and a gated solution, from a ```` ```{solution-start} <label> ```` fence to a
```` ```{solution-end} ```` fence (the fences may share a markdown cell with other text).

**Difficulty.** Give every exercise one of the classes in :data:`DIFFICULTIES` with
``:class:`` (it can sit beside other classes: ``:class: medium dropdown``). The exercise
index of the "For instructors" page and the time estimates of its course plan use it, and the
website shows it as a badge in the exercise's title.

Example:
    >>> cells = [{"cell_type": "markdown", "source": [
    ...     "```{exercise} Predict the limit\\n", ":label: demo-ex-limit\\n",
    ...     ":class: easy\\n", "What is 2/12.5?\\n", "```\\n"]}]
    >>> [(e.label, e.title, e.difficulty) for e in find_exercises({"cells": cells})]
    [('demo-ex-limit', 'Predict the limit', 'easy')]
"""

import copy
import dataclasses
import json
import math
import pathlib
import re
import shutil

__all__ = [
    "strip_solutions",
    "RUNTIME_FILES",
    "copy_runtime_files",
    "write_edition",
    "toc_files",
    "DIFFICULTIES",
    "MINUTES",
    "Exercise",
    "Chapter",
    "Block",
    "directive_blocks",
    "find_exercises",
    "read_book",
    "exercise_index",
    "course_plan",
]

# The difficulty classes, what each means, and the minutes a learner typically needs.
DIFFICULTIES = {
    "easy": "predict, then check: one idea, a number or a line of code",
    "medium": "apply: write a schedule or a short experiment, compute and compare",
    "hard": "open-ended: design, explore or argue; no single right answer",
}
MINUTES = {"easy": 5, "medium": 15, "hard": 30, None: 15}
READING_WORDS_PER_MINUTE = 150  # technical prose with formulas and figures

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")


def _source(cell):
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


@dataclasses.dataclass(frozen=True)
class Block:
    """A MyST directive block in a markdown text: lines ``start`` to ``end`` inclusive."""

    name: str
    argument: str
    options: dict
    body: str
    start: int
    end: int


def _closes(line, fence):
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]}
            and not line.startswith("    "))


def directive_blocks(text):
    """Every top-level MyST directive block (backtick or colon fence) of a markdown text.

    A block whose closing fence is missing runs to the end of the text.

    Example:
        >>> [(b.name, b.argument) for b in directive_blocks(
        ...     "Intro\\n```{solution-start} ex-1\\n:class: dropdown\\n```\\nText")]
        [('solution-start', 'ex-1')]
    """
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, start = match["fence"], i
        j = i + 1
        options = {}
        while j < len(lines) and (option := _OPTION.match(lines[j])) and not _closes(lines[j], fence):
            options[option["key"]] = option["value"]
            j += 1
        body_start = j
        while j < len(lines) and not _closes(lines[j], fence):
            j += 1
        end = min(j, len(lines) - 1)
        blocks.append(Block(match["name"], match["arg"], options,
                            "\n".join(lines[body_start:j]), start, end))
        i = end + 1
    return blocks


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: where it is, what it is called, how hard it is, how it is checked."""

    chapter: str          # the chapter's docname, e.g. "chapters/intro"
    label: str
    title: str
    difficulty: str | None  # one of DIFFICULTIES, or None when the author gave none
    checkers: tuple       # qualified names of the lrlib.course.check functions its cells call
    has_solution: bool
    cell: int             # index of its markdown cell in the notebook

    @property
    def minutes(self):
        """The typical time a learner needs, from the difficulty."""
        return MINUTES[self.difficulty]


def _check_modules(code):
    """Map the names under which a notebook imports checker modules to the modules.

    A checker module is a module of :mod:`lrlib.course` imported under a name: ``from
    lrlib.course import intro`` (a chapter's companion module, whose checkers are named
    ``check_*``) or ``from lrlib.course.check import <chapter> as check``.
    """
    names = {}
    for match in re.finditer(r"from\s+(lrlib\.course(?:\.\w+)*)\s+import\s+([\w\s,]+?)(?:\n|$)",
                             code):
        for item in match[2].split(","):
            parts = item.split()
            if len(parts) == 3 and parts[1] == "as":
                names[parts[2]] = f"{match[1]}.{parts[0]}"
            elif len(parts) == 1:
                names[parts[0]] = f"{match[1]}.{parts[0]}"
    for match in re.finditer(r"import\s+(lrlib\.course(?:\.\w+)+)(?:\s+as\s+(\w+))?", code):
        names[match[2] or match[1]] = match[1]
    return names


def _is_checker(module, function):
    """A function of a checker module (``lrlib.course.check.*``) or a ``check_*`` function."""
    return ".check." in f"{module}." or function.startswith("check_")


def find_exercises(notebook, chapter=""):
    """The exercises of a notebook (a dict as read from JSON), in order."""
    cells = notebook["cells"]
    code = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
    modules = _check_modules(code)
    solved = set()
    found = []  # (exercise fields, index of the cell)
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for block in directive_blocks(_source(cell)):
            if block.name in ("exercise", "exercise-start"):
                classes = block.options.get("class", "").split()
                level = [c for c in classes if c in DIFFICULTIES]
                found.append((block.options.get("label", ""), block.argument.strip(),
                              level[0] if level else None, index))
            elif block.name in ("solution", "solution-start"):
                solved.add(block.argument.strip())
    in_solutions = _solution_cells(cells)
    exercises = []
    for n, (label, title, difficulty, index) in enumerate(found):
        stop = found[n + 1][3] if n + 1 < len(found) else len(cells)
        learner = "\n".join(_source(c) for c in cells[index + 1:stop]
                            if c["cell_type"] == "code" and id(c) not in in_solutions)
        checkers = []
        for alias, module in sorted(modules.items(), key=lambda item: -len(item[0])):
            for function in re.findall(rf"(?<![\w.]){re.escape(alias)}\.(\w+)\(", learner):
                if not _is_checker(module, function):
                    continue
                name = f"{module}.{function}"
                if name not in checkers:
                    checkers.append(name)
        exercises.append(Exercise(chapter, label, title, difficulty, tuple(checkers),
                                  label in solved, index))
    return exercises


def _solution_cells(cells):
    """The ids (``id()``) of the code cells that lie inside a gated solution."""
    inside, ids = False, set()
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for block in directive_blocks(_source(cell)):
                if block.name == "solution-start":
                    inside = True
                elif block.name == "solution-end":
                    inside = False
        elif inside:
            ids.add(id(cell))
    return ids


@dataclasses.dataclass(frozen=True)
class Chapter:
    """A chapter of the book as listed in the table of contents."""

    docname: str
    title: str
    number: int | None     # its number on the website, None in unnumbered parts
    part: str
    exercises: tuple
    reading_words: int     # words of prose, outside solutions
    links_to: tuple        # docnames of other chapters it refers to

    @property
    def reading_minutes(self):
        """Reading time rounded up to 5 minutes."""
        return 5 * math.ceil(self.reading_words / READING_WORDS_PER_MINUTE / 5)

    @property
    def exercise_minutes(self):
        return sum(exercise.minutes for exercise in self.exercises)


def toc_files(root="."):
    """Every ``file`` of the book's ``_toc.yml``, the root page first, in the book's order.

    Example:
        >>> import pathlib, lrlib
        >>> toc_files(pathlib.Path(lrlib.__file__).parents[1])[:2]
        ['chapters/index', 'chapters/intro']
    """
    root = pathlib.Path(root)
    return [_root_file(root)] + [file for file, _, _ in _toc_entries(root)]


def _root_file(root):
    import yaml

    return yaml.safe_load((root / "_toc.yml").read_text())["root"]


def _toc_entries(root):
    import yaml  # the book's tooling only; not needed by the rest of lrlib

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    entries, number = [], 0

    def walk(items, part, numbered):
        nonlocal number
        for item in items:
            if "file" in item:
                if numbered:
                    number += 1
                entries.append((item["file"], part, number if numbered else None))
            walk(item.get("sections", []), part, False)

    for part in toc.get("parts", []):
        walk(part.get("chapters", []), part.get("caption", ""), part.get("numbered", False))
    walk(toc.get("chapters", []), "", False)
    return entries


def _words(markdown):
    """Words of prose: directive titles and bodies count, code blocks and options do not,
    a formula counts as one word."""
    markdown = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " formula ", markdown, flags=re.S)
    markdown = re.sub(r"\{[\w:-]+\}`([^`<]*?)\s*<[^`>]*>`", r"\1", markdown)  # {doc}`text <x>`
    markdown = re.sub(r"\{[\w:-]+\}`[^`]*`", " reference ", markdown)  # {numref}`fig-x`
    markdown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # [text](url)
    words, code_fence, directives = 0, None, []
    for line in markdown.splitlines():
        if code_fence:
            if _closes(line, code_fence):
                code_fence = None
            continue
        fence = re.match(r"^ {0,3}(`{3,}|:{3,})\s*(.*)$", line)
        if fence:
            marks, info = fence.groups()
            if info.startswith("{"):
                directives.append(marks)
                line = re.sub(r"^\{[\w:-]+\}", "", info)
            elif not info and directives and _closes(line, directives[-1]):
                directives.pop()
                continue
            else:
                code_fence = marks
                continue
        elif _OPTION.match(line):
            continue
        words += len(re.findall(r"[A-Za-z][\w'-]*", line))
    return words


def _split(notebook):
    """Walk the cells, separating what lies outside solutions from what lies inside.

    Returns ``(kept_cells, solutions)``: the cells with every solution removed (markdown
    cells keep the text outside the solution fences), and for each gated or inline solution
    its label and the list of its texts (markdown and code) in order.
    """
    kept, solutions, inside = [], [], None
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            if inside is None:
                kept.append(cell)
            else:
                tags = set(cell.get("metadata", {}).get("tags", []))
                hidden = tags & {"remove-cell", "remove-input"}  # not on the website
                inside[1].append(("hidden" if hidden else cell["cell_type"], _source(cell)))
            continue
        lines = _source(cell).splitlines(keepends=True)
        out, position = [], 0
        for block in directive_blocks(_source(cell)):
            before = "".join(lines[position:block.start])
            if inside is None:
                out.append(before)
            else:
                inside[1].append(("markdown", before))
            name = block.name
            if inside is None and name == "solution-start":
                inside = (block.argument.strip(), [])
                solutions.append(inside)
            elif inside is None and name == "solution":
                solutions.append((block.argument.strip(), [("markdown", block.body)]))
            elif inside is not None and name == "solution-end":
                inside = None
            elif inside is None:
                out.append("".join(lines[block.start:block.end + 1]))
            else:
                inside[1].append(("markdown", "".join(lines[block.start:block.end + 1])))
            position = block.end + 1
        rest = "".join(lines[position:])
        if inside is None:
            out.append(rest)
        else:
            inside[1].append(("markdown", rest))
        text = "".join(out)
        if text.strip():
            new = copy.deepcopy(cell)
            new["source"] = text.strip("\n").splitlines(keepends=True)
            kept.append(new)
    if inside is not None:
        raise ValueError(f"solution {inside[0]!r} has a {{solution-start}} and no "
                         "{solution-end}")
    return kept, solutions


def strip_solutions(notebook):
    """A copy of ``notebook`` (a dict as read from JSON) without any solution.

    Example:
        >>> md = lambda text: {"cell_type": "markdown", "metadata": {}, "source": text}
        >>> code = lambda text: {"cell_type": "code", "metadata": {}, "source": text,
        ...                      "outputs": [], "execution_count": None}
        >>> notebook = {"cells": [
        ...     md("```{exercise} Add\\n:label: ex-add\\nWhat is 1 + 1?\\n```"),
        ...     code("answer = ..."),
        ...     md("```{solution-start} ex-add\\n:class: dropdown\\n```\\nTwo."),
        ...     code("answer = 2"),
        ...     md("```{solution-end}\\n```\\nThe end.")]}
        >>> [_source(cell) for cell in strip_solutions(notebook)["cells"]]
        ['```{exercise} Add\\n:label: ex-add\\nWhat is 1 + 1?\\n```', 'answer = ...', 'The end.']
    """
    result = copy.deepcopy({key: value for key, value in notebook.items() if key != "cells"})
    result["cells"] = copy.deepcopy(_split(notebook)[0])
    return result


def _prose_outside_solutions(cells):
    kept = strip_solutions({"cells": cells, "metadata": {}, "nbformat": 4,
                            "nbformat_minor": 5})["cells"]
    return "\n".join(_source(c) for c in kept if c["cell_type"] == "markdown")


def read_book(root="."):
    """The chapters (notebooks) of the book at ``root``, in the order of ``_toc.yml``."""
    root = pathlib.Path(root)
    entries = [(d, p, n) for d, p, n in _toc_entries(root) if (root / f"{d}.ipynb").exists()]
    chapters = []
    stems = {pathlib.PurePosixPath(d).name: d for d, _, _ in entries}
    for docname, part, number in entries:
        notebook = json.loads((root / f"{docname}.ipynb").read_text())
        cells = notebook["cells"]
        markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
        title = next((line[2:].strip() for line in markdown.splitlines()
                      if line.startswith("# ")), pathlib.PurePosixPath(docname).name)
        chapters.append(Chapter(
            docname=docname, title=title, number=number, part=part,
            exercises=tuple(find_exercises(notebook, docname)),
            reading_words=_words(_prose_outside_solutions(cells)),
            links_to=_links(markdown, docname, stems)))
    return chapters


def _links(markdown, docname, stems):
    """The other chapters this markdown refers to: {doc} links, links to their notebooks or
    pages, and {ref}/{numref} targets named by the course's convention (fig-<chapter>-...,
    <chapter>-ex-...)."""
    found = set()
    for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", markdown):
        found.add(pathlib.PurePosixPath(target).name)
    for target in re.findall(r"\]\((?:\./)?([\w-]+)\.(?:ipynb|md|html)", markdown):
        found.add(target)
    for target in re.findall(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`", markdown):
        match = re.match(r"(?:fig|eq|tab|sec)-([a-z0-9_]+)-|([a-z0-9_]+)-ex-", target)
        if match:
            found.add(match[1] or match[2])
    own = pathlib.PurePosixPath(docname).name
    return tuple(stems[name] for name in sorted(found) if name in stems and name != own)


def _chapter_name(chapter):
    return f"{chapter.number}. {chapter.title}" if chapter.number else chapter.title


def exercise_index(root="."):
    """A MyST table of every exercise of the book, by chapter, with difficulty and checker.

    Each exercise links to itself (``{ref}``), so the page stays current as chapters are
    added: build it from the notebooks, do not type it.
    """
    chapters = [c for c in read_book(root) if c.exercises]
    if not chapters:
        return "*No chapter has exercises yet.*\n"
    lines = []
    for chapter in chapters:
        counts = {level: sum(e.difficulty == level for e in chapter.exercises)
                  for level in DIFFICULTIES}
        summary = ", ".join(f"{n} {level}" for level, n in counts.items() if n)
        unrated = sum(e.difficulty is None for e in chapter.exercises)
        if unrated:
            summary += (", " if summary else "") + f"{unrated} not rated"
        lines += [f"**{{doc}}`{_chapter_name(chapter)} </{chapter.docname}>`** "
                  f"({len(chapter.exercises)} exercises: {summary})", "",
                  "| exercise | difficulty | checker | time | points |",
                  "| --- | --- | --- | --- | --- |"]
        for exercise in chapter.exercises:
            checker = ", ".join(f"`{name}`" for name in exercise.checkers) or "none (open)"
            level = exercise.difficulty or "not rated"
            title = exercise.title.replace("`", "").replace("<", "").replace(">", "")
            lines.append(f"| {{ref}}`{title} <{exercise.label}>` (`{exercise.label}`) | "
                         f"{level} | {checker} | {exercise.minutes} min | "
                         f"{_points(exercise)} |")
        lines.append("")
    return "\n".join(lines)


def _points(exercise):
    from lrlib.book.rubrics import POINTS, rubric_points  # the grader's points

    if exercise.difficulty == "hard" or not exercise.checkers:
        return f"{rubric_points(exercise.label) or 1} (rubric, by hand)"
    return f"{POINTS[exercise.difficulty] * len(exercise.checkers)} (autograded)"


def _in_class_minutes(chapter):
    """Reading plus the exercises done in class: all but the open (hard) ones."""
    return chapter.reading_minutes + sum(e.minutes for e in chapter.exercises
                                         if e.difficulty != "hard")


def _in_class_pieces(chapter, session_minutes):
    """The chapter's work in class, split into sessions: ``[(minutes, exercises)]``.

    The reading comes first, then the easy and medium exercises in the chapter's order. A
    chapter that fits a session is one piece; otherwise each piece fills a session with as
    many of the exercises, in order, as fit, and the rest continue in the next session (an
    exercise longer than a session has one to itself).
    """
    pieces, minutes, done = [], chapter.reading_minutes, []
    for exercise in (e for e in chapter.exercises if e.difficulty != "hard"):
        if minutes and minutes + exercise.minutes > session_minutes:
            pieces.append((minutes, done))
            minutes, done = 0, []
        minutes += exercise.minutes
        done.append(exercise)
    pieces.append((minutes, done))
    return pieces


def course_plan(root=".", session_minutes=90):
    """A MyST table: each chapter's reading and exercise time, the part done in class (the
    reading and every exercise but the open ones) and the homework (the open exercises),
    what it builds on (the earlier chapters it links to), and the session it belongs to.

    Sessions of ``session_minutes`` group consecutive chapters of a part by their time in
    class: a chapter joins the session before it when both fit, and starts a new one
    otherwise (and at each new part). A chapter whose time in class exceeds a session is
    split at an exercise: the reading and the exercises that fit, in the chapter's order,
    fill its first session, and the rest continue at the start of the next one (on a row of
    their own, "continued"), which the next chapter of the part joins when it fits. The open
    exercises are homework, after the session.
    """
    chapters = read_book(root)
    if not chapters:
        return "*No chapters yet.*\n"
    names = {c.docname: _chapter_name(c) for c in chapters}
    order = {c.docname: index for index, c in enumerate(chapters)}
    lines = ["| session | chapter | reading | exercises | in class | homework | builds on |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    session, used, part = 0, session_minutes, None
    for chapter in chapters:
        total = _in_class_minutes(chapter)
        homework = chapter.exercise_minutes + chapter.reading_minutes - total
        if chapter.part != part or used + total > session_minutes:
            session, used, part = session + 1, 0, chapter.part
        pieces = _in_class_pieces(chapter, session_minutes)
        earlier = sorted((d for d in chapter.links_to
                          if d in names and order[d] < order[chapter.docname]), key=order.get)
        builds_on = ", ".join(f"{{doc}}`{names[d]} </{d}>`" for d in earlier) or "—"
        link = f"{{doc}}`{names[chapter.docname]} </{chapter.docname}>`"
        first = pieces[0][0]
        later = (f" (+{total - first} min in session {session + 1}"
                 f"{f' to {session + len(pieces) - 1}' if len(pieces) > 2 else ''})"
                 if len(pieces) > 1 else "")
        lines.append(f"| {session} | {link} | {chapter.reading_minutes} min | "
                     f"{len(chapter.exercises)} ({chapter.exercise_minutes} min) | "
                     f"{first} min{later} | {homework} min | {builds_on} |")
        used += first
        for minutes, rest in pieces[1:]:
            session, used = session + 1, minutes
            count = f"{len(rest)} exercise{'s' if len(rest) != 1 else ''}"
            lines.append(f"| {session} | {link}, continued | — | {count} ({minutes} min) | "
                         f"{minutes} min | — | — |")
    lines.append("")
    lines.append(f"{session} sessions of at most {session_minutes} minutes in class, and "
                 f"{sum(c.exercise_minutes + c.reading_minutes - _in_class_minutes(c) for c in chapters)}"
                 " minutes of open exercises as homework.")
    return "\n".join(lines) + "\n"


# --- What a published copy of the notebooks needs (the student and Colab editions) ------

#: What a copy of the notebooks needs to run, besides the chapters (copied next to them).
RUNTIME_FILES = ("lrlib", "requirements.txt", "runtime.txt", "pyproject.toml", "LICENSE",
                 "chapters/img")

_COPY_IGNORE = shutil.ignore_patterns("_build", ".git", ".pytest_cache", "__pycache__",
                                      ".hypothesis", "*.egg-info", ".ipynb_checkpoints",
                                      ".venv")


def copy_runtime_files(book, output):
    """Copy what the notebooks need to run (:data:`RUNTIME_FILES`) from ``book`` to
    ``output``, so that ``output`` runs as a repository of its own (a published branch)."""
    book, output = pathlib.Path(book), pathlib.Path(output)
    for name in RUNTIME_FILES:
        source = book / name
        if source.is_dir():
            shutil.copytree(source, output / name, ignore=_COPY_IGNORE)
        elif source.exists():
            (output / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, output / name)


def write_edition(book, output, transform, readme, runtime=True):
    """Write an edition of every chapter notebook of ``book`` to ``output`` (same paths):
    each notebook ``transform(notebook, docname)`` (``docname`` like ``"chapters/intro"``),
    and, when ``runtime``, the files the notebooks need to run (:func:`copy_runtime_files`)
    and ``readme`` as ``README.md``. ``output`` is replaced. Returns the notebooks' paths."""
    book, output = pathlib.Path(book).resolve(), pathlib.Path(output).resolve()
    if output.exists():
        shutil.rmtree(output)
    written = []
    for path in sorted(book.glob("chapters/*.ipynb")):
        target = output / path.relative_to(book)
        target.parent.mkdir(parents=True, exist_ok=True)
        docname = path.relative_to(book).with_suffix("").as_posix()
        notebook = transform(json.loads(path.read_text()), docname)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        written.append(target)
    if runtime:
        copy_runtime_files(book, output)
        (output / "README.md").write_text(readme)
    return written
