"""The Colab edition of the notebooks: the chapters with their MyST markup in plain Markdown.

Colab renders CommonMark with GitHub's extensions, LaTeX math and raw HTML (``<details>``),
not MyST: opened there, a chapter shows its admonitions, exercises and solutions as grey code
blocks and its citations as ``{cite}`key```. From the repository's root::

    python -m lrlib.book.editions colab --output _build/colab-notebooks

writes a copy of every chapter notebook (same paths, ``chapters/*.ipynb``) in which every
markdown cell is plain Markdown (:func:`colab_markdown`); code cells, their tags and outputs
are untouched, hidden (``remove-cell``) cells included, so the notebooks run and check as the
website's do. The conversion:

- an admonition (``{admonition}``, ``{note}``, ``{tip}``...) becomes a blockquote whose first
  line is its title in bold (``> **Note: title**``); with ``:class: dropdown``, a
  ``<details>`` block;
- an exercise becomes a blockquote headed ``**Exercise 1.2 (title)** · easy``, numbered as
  the website numbers it (the chapter's number in ``_toc.yml``, then the exercise's rank in
  the chapter: :func:`exercise_numbers`);
- a solution's prose becomes a ``<details>`` block, closed, whose summary is "Solution to
  Exercise 1.2"; a ``<details>`` block cannot span cells, so the solution's code cells stay
  open after it, and a line *End of the solution to Exercise 1.2* closes them;
- ``{cite}`key``` becomes "(Author, year)" (:func:`author_year`, from ``references.bib``), and
  ``{bibliography}`` the list of the works the chapter cites;
- ``{ref}``/``{numref}`` become the target's title ("Exercise 3.2 (title)", a section's
  heading), linked to the other chapter's notebook when the target is in another chapter (to
  its page on the website when ``_config.yml`` sets ``html.baseurl``); ``{term}`` and other
  roles become their text, ``{eq}`` "(equation)";
- ``% comments``, ``(label)=`` targets and ``+++`` cell breaks are removed; figures and images
  become Markdown images with their alternative text and caption;
- a first cell says that this is the Colab copy, and where the full rendering is.

The folder is what an instructor publishes on the repository's ``colab`` branch
(:data:`COLAB_BRANCH`), the way the student notebooks go to the ``student`` branch
(``chapters/instructors.md``). lrlib reads the chapters as data (JSON) and never imports them.
"""

import codecs
import copy
import json
import pathlib
import re

from lrlib.book.exercises import (_source, _split, _toc_entries, write_edition,
                                  directive_blocks, read_book)

__all__ = ["COLAB_BRANCH", "Book", "read_bibliography", "author_year", "exercise_numbers",
           "colab_markdown", "colab_notebook", "write_colab_notebooks", "MYST_MARKUP"]

#: The branch the Colab notebooks are published on.
COLAB_BRANCH = "colab"

#: MyST markup that plain Markdown shows raw: what no Colab notebook may contain (the
#: tests read it). A directive fence, a role, a directive option line, a target, a comment.
MYST_MARKUP = {
    "directive": re.compile(r"^\s*(`{3,}|:{3,})\s*\{[\w:-]+\}", re.MULTILINE),
    "role": re.compile(r"\{[\w:-]+\}`"),
    "option": re.compile(r"^\s*:[\w-]+:(\s|$)", re.MULTILINE),
    "target": re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.MULTILINE),
    "comment": re.compile(r"^%", re.MULTILINE),
}

_ADMONITIONS = ("note", "tip", "hint", "important", "warning", "caution", "attention",
                "danger", "error", "seealso")


# --- the bibliography -------------------------------------------------------------------------

def _latex_text(text):
    """Plain text of a BibTeX field: accents decoded, braces and ``\\url`` removed."""
    import latexcodec  # noqa: F401  (registers the codec; installed with sphinxcontrib-bibtex)

    text = re.sub(r"\\url\{([^}]*)\}", r"\1", text)
    text = codecs.decode(text, "ulatex")
    return " ".join(text.replace("{", "").replace("}", "").split())


def read_bibliography(path):
    """``{key: entry}`` of a BibTeX file; an entry is a dict with ``names`` (the authors'
    last names, ``"others"`` kept), ``year``, ``title``, ``venue``, ``note`` and ``link``."""
    from pybtex.database import parse_file  # the book's tooling (sphinxcontrib-bibtex)

    entries = {}
    for key, entry in parse_file(str(path)).entries.items():
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_latex_text(" ".join(p.prelast_names + p.last_names)) for p in persons]
        fields = {name.lower(): value for name, value in entry.fields.items()}
        venue = next((fields[f] for f in ("journal", "booktitle", "publisher", "institution",
                                          "howpublished") if f in fields), "")
        link = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields
                                     else "")
        if not link and "\\url{" in fields.get("howpublished", ""):
            link, venue = _latex_text(fields["howpublished"]), ""
        entries[key] = {"names": names, "year": fields.get("year", "n.d."),
                        "title": _latex_text(fields.get("title", key)),
                        "venue": _latex_text(venue), "note": fields.get("note", ""),
                        "link": _latex_text(link)}
    return entries


def _authors(entry):
    names = entry["names"]
    real = [n for n in names if n.lower() != "others"]
    if not real:
        return "Anonymous"
    if len(real) == 1 and len(names) == 1:
        return real[0]
    if len(real) == 2 and len(names) == 2:
        return f"{real[0]} and {real[1]}"
    return f"{real[0]} et al."


def author_year(keys, bibliography, textual=False):
    """The author-year citation of ``keys`` (a list of BibTeX keys).

    Example:
        >>> bib = {"a": {"names": ["Robbins", "Monro"], "year": "1951"},
        ...        "b": {"names": ["Smith"], "year": "2017"},
        ...        "c": {"names": ["Cohen", "Kaur", "Li"], "year": "2021"}}
        >>> author_year(["a", "b", "c"], bib)
        '(Robbins and Monro, 1951; Smith, 2017; Cohen et al., 2021)'
        >>> author_year(["b"], bib, textual=True)
        'Smith (2017)'
    """
    missing = [key for key in keys if key not in bibliography]
    if missing:
        raise ValueError(f"cited but not in the bibliography: {', '.join(missing)}")
    if textual:
        return ", ".join(f"{_authors(bibliography[k])} ({bibliography[k]['year']})"
                         for k in keys)
    return "(" + "; ".join(f"{_authors(bibliography[k])}, {bibliography[k]['year']}"
                           for k in keys) + ")"


def _reference_list(keys, bibliography):
    lines = []
    for key in sorted(set(keys), key=lambda k: (bibliography[k]["names"][:1],
                                                bibliography[k]["year"], k)):
        entry = bibliography[key]
        line = f"- {_authors(entry)} ({entry['year']}). {entry['title']}."
        if entry["venue"]:
            line += f" *{entry['venue']}*."
        if entry["note"]:
            line += f" {entry['note'].rstrip('.')}."
        if entry["link"]:
            line += f" <{entry['link']}>"
        lines.append(line)
    return "\n".join(lines)


# --- what the book knows: numbers, titles, targets --------------------------------------------

def exercise_numbers(chapters):
    """``{label: (number, title, docname)}`` of every exercise, numbered as on the website:
    ``"<chapter>.<rank>"`` in a numbered chapter (``_toc.yml``), ``"<rank>"`` elsewhere.
    ``chapters``: :func:`lrlib.book.exercises.read_book`'s list."""
    numbers = {}
    for chapter in chapters:
        for rank, exercise in enumerate(chapter.exercises, start=1):
            number = f"{chapter.number}.{rank}" if chapter.number else str(rank)
            numbers[exercise.label] = (number, exercise.title, chapter.docname)
    return numbers


def _targets(notebook, docname):
    """``{label: (title, docname)}``: ``(label)=`` targets (the heading that follows) and
    the ``:name:`` of figures (their caption) in a notebook's markdown."""
    found = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell)
        lines = text.splitlines()
        for index, line in enumerate(lines):
            target = re.match(r"^\s*\(([\w:.-]+)\)=\s*$", line)
            if target:
                after = next((l for l in lines[index + 1:] if l.strip()), "")
                found[target[1]] = (after.lstrip("#").strip() or target[1], docname)
        for block in directive_blocks(text):
            name = block.options.get("name") or block.options.get("label")
            if name and block.name not in ("exercise", "exercise-start"):
                found[name] = (block.body.strip().split("\n\n")[0] or block.argument or name,
                               docname)
    return found


class Book:
    """What converting a chapter needs to know about the whole book: the website's exercise
    numbers, every cross-reference target, the bibliography, the site's address."""

    def __init__(self, root="."):
        import yaml  # the book's tooling only

        root = pathlib.Path(root)
        self.root = root
        config = yaml.safe_load((root / "_config.yml").read_text()) or {}
        self.title = config.get("title", "")
        self.baseurl = ((config.get("html") or {}).get("baseurl") or "").rstrip("/")
        self.repository = ((config.get("repository") or {}).get("url") or "").rstrip("/")
        bibfiles = (config.get("bibtex_bibfiles") or
                    ((config.get("sphinx") or {}).get("config") or {}).get("bibtex_bibfiles")
                    or [])
        self.bibliography = {}
        for name in bibfiles:
            self.bibliography.update(read_bibliography(root / name))
        self.exercises = exercise_numbers(read_book(root))
        self.targets = {}
        for docname, _, _ in _toc_entries(root):
            path = root / f"{docname}.ipynb"
            if path.exists():
                self.targets.update(_targets(json.loads(path.read_text()), docname))
        self.docnames = {d for d, _, _ in _toc_entries(root)}

    @classmethod
    def of(cls, exercises=None, targets=None, bibliography=None, baseurl="", repository="",
           title=""):
        """A book made of the given parts (for tests and for converting loose text)."""
        book = cls.__new__(cls)
        book.root, book.title, book.baseurl = None, title, baseurl.rstrip("/")
        book.repository = repository
        book.exercises, book.targets = dict(exercises or {}), dict(targets or {})
        book.bibliography, book.docnames = dict(bibliography or {}), set()
        return book

    def page(self, docname, anchor=""):
        """The website's address of a page (and anchor), or '' without ``html.baseurl``."""
        if not self.baseurl:
            return ""
        return f"{self.baseurl}/{docname}.html" + (f"#{anchor}" if anchor else "")

    def link(self, text, docname, here, anchor=""):
        """``text`` linked to another chapter: its page on the website when the site's
        address is known, else its notebook (next to this one in the Colab copy)."""
        if docname == here:
            return text
        if self.page(docname, anchor):
            return f"[{text}]({self.page(docname, anchor)})"
        if self.root is None or (self.root / f"{docname}.ipynb").exists():
            return f"[{text}]({pathlib.PurePosixPath(docname).name}.ipynb)"
        return text


# --- the conversion ---------------------------------------------------------------------------

_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`|(?P<ticks>`+)[\s\S]*?(?P=ticks)")
_EXPLICIT = re.compile(r"^(?P<text>[\s\S]*?)\s*<(?P<target>[^<>]+)>$")
_MD_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]+)\)")


def _exercise_name(number, title):
    return f"Exercise {number} ({title})" if title else f"Exercise {number}"


class _Converter:
    def __init__(self, book, docname):
        self.book, self.docname = book, docname
        self.cited = []

    # roles, links, comments, targets --------------------------------------------------------

    def role(self, name, content):
        explicit = _EXPLICIT.match(content)
        text, target = (explicit["text"], explicit["target"]) if explicit else (None, content)
        if name.startswith("cite"):
            keys = [k.strip() for k in target.split(",") if k.strip()]
            self.cited += keys
            textual = name.split(":")[-1] in ("t", "ts", "label")
            return author_year(keys, self.book.bibliography, textual=textual)
        if name in ("ref", "numref"):
            return self.reference(name, text, target.strip())
        if name == "eq":
            return "(equation)"
        if name == "doc":
            docname = str(pathlib.PurePosixPath(self.docname).parent /
                          target.strip()) if not target.startswith("/") else target.lstrip("/")
            docname = re.sub(r"[^/]+/\.\./", "", docname)
            return self.book.link(text or pathlib.PurePosixPath(docname).name, docname,
                                  self.docname)
        if name == "math":
            return f"${content}$"
        if name == "abbr":
            return re.sub(r"\s*\([^)]*\)\s*$", "", content)
        return text if text is not None else content  # term, download, sub, ...

    def reference(self, kind, text, label):
        if label in self.book.exercises:
            number, title, docname = self.book.exercises[label]
            if kind == "numref" and text:
                text = text.replace("%s", number).replace("{number}", number) \
                           .replace("{name}", title)
            elif kind == "numref":
                text = f"Exercise {number}"
            elif not text:
                text = _exercise_name(number, title)
            return self.book.link(text, docname, self.docname, label)
        if label in self.book.targets:
            title, docname = self.book.targets[label]
            return self.book.link(text or title, docname, self.docname, label)
        raise ValueError(f"{self.docname}: no target {label!r} for {{{kind}}}")

    def inline(self, text):
        """Roles, links to the website's pages, comments and targets of prose (not of code)."""
        out, prose, fence = [], [], None

        def flush():
            if prose:
                out.append(self._prose("\n".join(prose)))
                prose.clear()

        for line in text.split("\n"):
            if fence:
                out.append(line)
                if re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", line):
                    fence = None
                continue
            opening = re.match(r"^\s*(`{3,}|~{3,})", line)
            if opening:
                flush()
                fence = opening[1]
                out.append(line)
                continue
            if re.match(r"^\s*%", line) or MYST_MARKUP["target"].match(line) or \
                    re.match(r"^\+\+\+", line):
                continue
            prose.append(line)
        flush()
        return "\n".join(out)

    def _prose(self, text):
        text = _ROLE.sub(lambda m: self.role(m["role"], m["content"]) if m["role"]
                         else m[0], text)
        return _MD_LINK.sub(self._link, text)

    def _link(self, match):
        url = match["url"]
        page = re.match(r"^(?:\./)?(?P<path>[\w./-]+)\.md(?:#(?P<anchor>[\w-]+))?$", url)
        if not page:
            return match[0]  # web addresses and notebooks (.ipynb) stay
        docname = str(pathlib.PurePosixPath(self.docname).parent / page["path"])
        address = self.book.page(docname, page["anchor"] or "")
        return f"[{match['text']}]({address})" if address else match["text"]

    # directives -----------------------------------------------------------------------------

    def directive(self, block):
        name, argument = block.name, block.argument.strip()
        classes = block.options.get("class", "").split()
        if name in ("exercise", "exercise-start"):
            label = block.options.get("label", "")
            number, title, _ = self.book.exercises.get(label, ("?", argument, ""))
            level = [c for c in classes if c in ("easy", "medium", "hard")]
            head = f"**{self.inline(_exercise_name(number, title))}**"
            return _quote(head + (f" · *{level[0]}*" if level else ""),
                          self.markdown(block.body))
        if name in ("bibliography",):
            return ""  # written at the end of the cell: it needs every citation first
        if name in ("figure", "image"):
            alt = block.options.get("alt", "") or (block.body.strip().split("\n")[0]
                                                    if name == "figure" else "")
            image = f"![{alt}]({argument})"
            caption = self.markdown(block.body).strip() if name == "figure" else ""
            return image + (f"\n\n*{caption}*" if caption else "")
        if name == "math":
            return f"$$\n{block.body.strip()}\n$$"
        if name in ("code", "code-block", "code-cell", "sourcecode"):
            return f"```{argument}\n{block.body}\n```"
        if name in ("dropdown", "toggle"):
            return _details(self.inline(argument) or "Details", self.markdown(block.body))
        if name == "admonition":
            title = argument
        elif name in _ADMONITIONS:
            kind = "See also" if name == "seealso" else name.capitalize()
            title = f"{kind}: {argument}" if argument else kind
        else:  # any other directive: its title, then its text
            title = f"{name.capitalize()}: {argument}" if argument else name.capitalize()
        title = self.inline(title)
        if "dropdown" in classes:
            return _details(f"<b>{title}</b>", self.markdown(block.body))
        return _quote(f"**{title}**", self.markdown(block.body))

    def markdown(self, text):
        """Plain Markdown for MyST text outside solutions (nested directives included)."""
        lines = text.split("\n")
        out, position = [], 0
        for block in directive_blocks(text):
            out.append(self.inline("\n".join(lines[position:block.start])))
            out.append(self.directive(block))
            position = block.end + 1
        out.append(self.inline("\n".join(lines[position:])))
        return _tidy("\n\n".join(part.strip("\n") for part in out if part.strip()))


def _quote(head, body):
    body = body.strip("\n")
    lines = [head] + ([""] + body.split("\n") if body else [])
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def _details(summary, body):
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"


def _tidy(text):
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def colab_markdown(text, book, docname=""):
    """Plain Markdown for one markdown text with no solution fence (see the module's doc).

    Example:
        >>> book = Book.of(exercises={"t-ex": ("2.1", "Limit", "chapters/t")},
        ...                bibliography={"smith2017": {"names": ["Smith"], "year": "2017"}})
        >>> print(colab_markdown("```{admonition} Key takeaways\\n:class: tip\\n"
        ...                      "Decay {cite}`smith2017`; see {ref}`t-ex`.\\n```",
        ...                      book, "chapters/t"))
        > **Key takeaways**
        >
        > Decay (Smith, 2017); see Exercise 2.1 (Limit).
    """
    return _Converter(book, docname).markdown(text)


def _solution_has_code(parts):
    return any(kind == "code" and text.strip() for kind, text in parts)


_BIBLIOGRAPHY = "\0bibliography\0"  # where a {bibliography} goes, once every citation is read


def _solution_prose(converter, label, lines, continued, has_code):
    """A solution's prose in one cell: a closed ``<details>`` block."""
    prose = converter.markdown("\n".join(lines)) if lines else ""
    number = converter.book.exercises.get(label, ("?",))[0]
    if not prose.strip():
        return "" if continued else (f"**Solution to Exercise {number}** (try the exercise "
                                     "first): its code is in the cells below.")
    summary = (f"<b>Solution to Exercise {number}</b>"
               + (", continued" if continued else " (try the exercise first)"))
    if has_code and not continued:
        summary += ": the reasoning; the code follows"
    return _details(summary, prose)


def _markdown_cell(converter, text, inside, has_code):
    """Plain Markdown for one markdown cell, and the label of the gated solution still open
    after it (``inside``: the one open before it, or None)."""
    lines = text.split("\n")
    out, position, pending = [], 0, []
    continued = inside is not None
    for block in directive_blocks(text):
        chunk = lines[position:block.start]
        if inside is None:
            out.append(converter.markdown("\n".join(chunk)))
        else:
            pending.extend(chunk)
        position = block.end + 1
        if inside is None and block.name == "solution-start":
            inside, continued = block.argument.strip(), False
        elif inside is None and block.name == "solution":
            number = converter.book.exercises.get(block.argument.strip(), ("?",))[0]
            out.append(_details(f"<b>Solution to Exercise {number}</b> (try the exercise "
                                "first)", converter.markdown(block.body)))
        elif inside is not None and block.name == "solution-end":
            out.append(_solution_prose(converter, inside, pending, continued, has_code(inside)))
            pending = []
            if has_code(inside):
                number = converter.book.exercises.get(inside, ("?",))[0]
                out.append(f"*End of the solution to Exercise {number}.*")
            inside = None
        elif inside is None and block.name == "bibliography":
            out.append(_BIBLIOGRAPHY)
        elif inside is None:
            out.append(converter.directive(block))
        else:
            pending.extend(lines[block.start:block.end + 1])
    rest = lines[position:]
    if inside is None:
        out.append(converter.markdown("\n".join(rest)))
    else:
        out.append(_solution_prose(converter, inside, pending + rest, continued,
                                   has_code(inside)))
    return _tidy("\n\n".join(part.strip("\n") for part in out if part.strip())), inside


def colab_notebook(notebook, book, docname):
    """The Colab copy of a chapter notebook (a dict as read from JSON): every markdown cell
    in plain Markdown, every code cell as it is, and a first cell about the copy."""
    converter = _Converter(book, docname)
    solutions = {}
    for label, parts in _split(notebook)[1]:
        solutions.setdefault(label, []).extend(parts)

    def has_code(label):
        return _solution_has_code(solutions.get(label, []))

    cells, inside = [], None  # inside: the label of the open gated solution
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            cells.append(copy.deepcopy(cell))
            continue
        text, inside = _markdown_cell(converter, _source(cell), inside, has_code)
        if text.strip():  # a cell that held only a fence is dropped: it would be a blank box
            cells.append({**copy.deepcopy(cell), "source": text})
    works = _reference_list(converter.cited, book.bibliography) if converter.cited else ""
    for cell in cells:
        if cell["cell_type"] == "markdown":
            text = cell["source"].replace(_BIBLIOGRAPHY, works).strip("\n")
            cell["source"] = text.splitlines(keepends=True)
    first = {"cell_type": "markdown", "metadata": {"tags": ["colab-edition"]},
             "source": _first_cell(book, docname).splitlines(keepends=True)}
    if any("id" in c for c in cells):
        first["id"] = "colab-edition"
    result = copy.deepcopy({key: value for key, value in notebook.items() if key != "cells"})
    result["cells"] = [first, *cells]
    return result


def _first_cell(book, docname):
    shows = "shows the full rendering (boxes, dropdown solutions, linked references)"
    page = book.page(docname)
    if page:
        website = f"The website {shows}: [this chapter on the website]({page})."
    elif book.repository:
        website = (f"The course's website {shows}; build it from [the repository]"
                   f"({book.repository}) as its README says.")
    else:
        website = f"The course's website {shows}."
    title = f"*{book.title}*" if book.title else "the course"
    return (f"> **The Colab copy.** This notebook is a chapter of {title} with its markup "
            "written in plain Markdown, which Colab shows: boxes as quotes, exercises numbered "
            "as on the website, citations as (author, year). Each solution is folded under its "
            "exercise (click *Solution to Exercise ...*); the solution's code cells follow it, "
            f"open, down to *End of the solution*. {website} Run the cells in order "
            "(*Runtime → Run all*); the first one installs the course's package.")


def write_colab_notebooks(book=".", output="_build/colab-notebooks", runtime=True):
    """Write the Colab copy of every chapter notebook of ``book`` (same paths) to ``output``,
    with the files they need to run when ``runtime`` (as the student notebooks); returns the
    notebooks' paths. ``output`` is replaced."""
    knowledge = Book(pathlib.Path(book).resolve())
    return write_edition(
        book, output,
        lambda notebook, docname: colab_notebook(notebook, knowledge, docname),
        "# Learning Rates and Schedules: the Colab notebooks\n\n"
        "The chapters' notebooks with their markup in plain Markdown, for reading in "
        "Google Colab (File → Open notebook → GitHub, this branch). Generated by "
        "`python -m lrlib.book.editions colab`; do not edit here.\n", runtime)
