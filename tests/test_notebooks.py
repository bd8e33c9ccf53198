"""The chapters: listed in the toc, import lrlib, committed without outputs, well-formed.

(nbval executes every notebook of chapters/ in the same pytest run: see pyproject.toml.)
"""

import json
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part["chapters"])
    walk(toc.get("chapters", []))
    return files


def load(path):
    return json.loads(path.read_text())


def source(cell):
    return "".join(cell["source"])


def test_there_are_chapters():
    assert CHAPTERS, "no notebooks in chapters/"


def test_every_toc_entry_exists_and_every_notebook_is_in_the_toc():
    listed = toc_files()
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
