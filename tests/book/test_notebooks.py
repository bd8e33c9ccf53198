"""The chapters: listed in the toc, import lrlib, committed without outputs, well-formed.

(nbval executes every notebook of chapters/ in the same pytest run: see pyproject.toml.)
"""

import json
import pathlib
import re

import pytest

from lrlib.book.exercises import toc_files

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text())


def source(cell):
    return "".join(cell["source"])


def test_there_are_chapters():
    assert CHAPTERS, "no notebooks in chapters/"


def test_every_toc_entry_exists_and_every_notebook_is_in_the_toc():
    listed = toc_files(ROOT)
    for entry in listed:
        matches = [p for p in (ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md") if p.exists()]
        assert matches, f"{entry} is in _toc.yml but no such .ipynb or .md exists"
    for notebook in CHAPTERS:
        assert f"chapters/{notebook.stem}" in listed, f"{notebook.name} is not in _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_clean_and_uses_lrlib(path):
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), \
        f"{path.name} has stored outputs: strip them before committing"
    text = "\n".join(source(c) for c in code)
    assert "import lrlib" in text
    assert "sys.path" not in text and "keras.datasets" not in text
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_follows_the_chapter_shape(path):
    nb = load(path)
    markdown = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert markdown.lstrip().startswith("# "), "a chapter starts with its title"
    assert "Learning objectives" in markdown
    assert "Key takeaways" in markdown
    exercises = re.findall(r"```\{exercise\}", markdown)
    assert len(exercises) >= 3, "at least three exercises"
    starts = re.findall(r"```\{solution-start\} (\S+)", markdown)
    ends = re.findall(r"```\{solution-end\}", markdown)
    labels = re.findall(r":label: (\S+)", markdown)
    assert len(starts) == len(ends) == len(exercises), "each exercise has one solution"
    assert set(starts) <= set(labels)
    assert "{bibliography}" in markdown
    # Experiments: a live widget (output removed on the site) and a checked-claims cell.
    tags = [set(c["metadata"].get("tags", [])) for c in code_cells]
    assert any("widgets.live(" in source(c) and "remove-output" in t
               for c, t in zip(code_cells, tags)), "a live widget whose output the site removes"
    assert any("remove-cell" in t and "assert" in source(c) for c, t in zip(code_cells, tags)), \
        "numbers in the prose are checked in a remove-cell cell"
    # Every figure-producing cell that declares a figure has alt text and a caption.
    for cell in code_cells:
        mystnb = cell["metadata"].get("mystnb", {})
        if "figure" in mystnb:
            assert mystnb["figure"].get("caption") and mystnb["figure"].get("name")
            assert len(mystnb.get("image", {}).get("alt", "")) > 40, "real alt text"


def test_exercise_labels_are_unique_across_the_book():
    labels = []
    for path in CHAPTERS:
        markdown = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")
        labels += re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", markdown)
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_install_cell_comes_first(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    first = source(code[0])
    assert 'find_spec("lrlib") is None' in first and "%pip install" in first
    assert "remove-cell" in code[0]["metadata"].get("tags", [])
    others = "\n".join(source(c) for c in code[1:])
    assert "pip install" not in others, "only the first cell installs anything"


# -- Added with the readers' and instructors' work (issue 6) ---------------------------------

# File I/O in a chapter: writing (or reading back) files would let one notebook depend on
# another's leftovers. Each chapter must run alone, in any order, in a fresh kernel.
FILE_IO = [
    r"\bopen\(", r"\.savefig\(", r"\bnp\.save[z]?\(", r"\bnp\.load\(", r"\.to_csv\(",
    r"\bread_csv\(", r"\bjson\.dump\(", r"\bpickle\.(dump|load)\(", r"\.write_(text|bytes)\(",
    r"\.read_(text|bytes)\(", r"%%writefile", r"%store", r"%run\b", r"\bos\.(makedirs|mkdir)\(",
    r"\bshutil\.", r"\bload_model\(", r"\bmodel\.save\(", r"\.save_weights\(",
    r"\.load_weights\(", r"^\s*(from|import)\s+chapters\b",
]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_stands_alone(path):
    """No file is written or read by a chapter's code, so no chapter can depend on what
    another one left behind (nbval runs each notebook in its own kernel; the build runs them
    in toc order, nbval alphabetically)."""
    for cell in load(path)["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        for pattern in FILE_IO:
            assert not re.search(pattern, text, flags=re.M), \
                f"{path.name}: file input/output ({pattern!r}) in:\n{text}"


def _blocks(path):
    """The directive blocks of the notebook's markdown cells, in order."""
    from lrlib.book.exercises import directive_blocks

    return [block for cell in load(path)["cells"] if cell["cell_type"] == "markdown"
            for block in directive_blocks(source(cell))]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_solutions_are_dropdowns_right_after_their_exercise(path):
    blocks = [b for b in _blocks(path) if b.name in ("exercise", "solution-start", "solution")]
    current = None
    for block in blocks:
        if block.name == "exercise":
            current = block.options.get("label")
            assert current, f"{path.name}: exercise {block.argument!r} has no :label:"
            classes = block.options.get("class", "").split()
            levels = [c for c in classes if c in ("easy", "medium", "hard")]
            assert len(levels) <= 1, f"{path.name}: {current} has two difficulties {levels}"
        else:
            label = block.argument.strip()
            assert label == current, \
                f"{path.name}: the solution of {label} does not follow its exercise"
            assert "dropdown" in block.options.get("class", "").split(), \
                f"{path.name}: the solution of {label} is not a dropdown (:class: dropdown)"
            current = None


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_each_chapter_bibliography_lists_its_own_citations(path):
    bibliographies = [b for b in _blocks(path) if b.name == "bibliography"]
    assert bibliographies, f"{path.name}: no bibliography"
    for block in bibliographies:
        assert block.options.get("filter") == "docname in docnames", \
            f"{path.name}: use `:filter: docname in docnames` (the full list is its own page)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_live_widgets_say_how_to_make_them_live(path):
    """The website has no kernel: before each live widget the reader learns how to run it."""
    cells = load(path)["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "widgets.live(" in source(cell):
            before = [source(c) for c in cells[max(0, index - 3):index]
                      if c["cell_type"] == "markdown"]
            text = "\n".join(before)
            assert re.search(r"\blive\b", text, flags=re.I) and \
                re.search(r"Binder|Colab", text), \
                f"{path.name}: no note on how to make the widget live before:\n{source(cell)}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_code_that_checks_claims_is_hidden(path):
    """Cells that assert the prose's numbers are for the authors, not the reader: the site
    removes them (tag remove-cell)."""
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code" and re.search(r"^assert\b", source(cell), flags=re.M):
            assert "remove-cell" in cell["metadata"].get("tags", []), \
                f"{path.name}: a cell that checks claims is shown:\n{source(cell)[:300]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_figures_come_from_lrlib_in_the_shared_style(path):
    """Figures are drawn by lrlib.course.plots / lrlib.course.widgets (the course's style and palette, and
    detached from pyplot so that each is shown once), not by pyplot directly."""
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            text = source(cell)
            for call in ("plt.subplots(", "plt.figure(", "plt.show(", "plt.style.use(",
                         "plt.rcParams", "%matplotlib"):
                assert call not in text, f"{path.name}: {call} (use lrlib.course.plots) in:\n{text}"
