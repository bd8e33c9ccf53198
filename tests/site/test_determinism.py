"""Determinism: a chapter run twice prints the same numbers; every training path is seeded.

Design. CI already executes every notebook twice, each time in a fresh kernel: under nbval
(the README's test command) and in the book build. Those two runs are the two runs this
test compares, so determinism costs no execution of its own:

- During the test command, a plugin registered by ``tests/conftest.py`` keeps the outputs of
  every notebook cell nbval executes and, at the end of the session, writes the printed text
  of each completely executed chapter to ``_build/nbval/<notebook>.json`` (one file per
  notebook, so that parallel test workers never write the same file).
- The book build leaves each executed chapter in ``_build/jupyter_execute/chapters/``.
- :func:`test_chapter_prints_the_same_numbers_in_the_build_as_under_nbval` compares them,
  code cell by code cell, for **every** chapter of the toc. Without both runs it skips with
  a message saying what to run; in CI (``SITE_TESTS=required``, after the build) a missing
  run is a failure.
- What is compared: every code cell's printed text (``stdout`` and ``stderr``) and the text
  of its result (``text/plain``, ``text/markdown``): the numbers a reader sees. Memory
  addresses (``0x7f...``) are masked. Figures are not compared byte for byte: a live widget's
  first drawing lands in the cell's outputs under nbval but in the widget's state under the
  build's ``nbclient``, and the numbers a figure shows are asserted in the chapters'
  checked-claims cells, which run in both executions.
- The test is honest: if a chapter printed different numbers on its second run (an unseeded
  model, a shuffled ``set`` of strings, a time), the texts differ and it fails, showing the
  first differing cell. :func:`test_a_chapter_printing_different_numbers_is_caught` shows it
  on a notebook that prints a random number.

And, statically and dynamically, every path of ``lrlib`` that trains a model (calls
``.fit``) seeds through :func:`lrlib.course.reproducibility.seed_everything`, the one place where
seeds and op determinism are set.
"""

import ast
import pathlib
import re

import numpy as np
import pytest

from helpers.notebook_outputs import printed
from lrlib.book.exercises import toc_files

ROOT = pathlib.Path(__file__).resolve().parents[2]
LRLIB = ROOT / "lrlib"

#: Code that trains a Keras model.
TRAINS = re.compile(r"lrlib\.course\.(training|runs)\b|from lrlib\.course import[^\n]*"
                    r"\b(training|runs)\b|\.fit\(")


def toc_chapters():
    """The notebooks of the toc, in the book's order."""
    return [ROOT / f"{f}.ipynb" for f in toc_files(ROOT) if (ROOT / f"{f}.ipynb").exists()]


def code_cells(path):
    import nbformat

    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def trains_a_model(path):
    return any(TRAINS.search(cell.source) for cell in code_cells(path))


TRAINING_CHAPTERS = [p for p in toc_chapters() if trains_a_model(p)]


def execute(path):
    """Execute a notebook as nbval does (this environment's kernel, the notebook's folder)."""
    import subprocess

    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

    notebook = nbformat.read(path, as_version=4)
    manager = KernelManager(kernel_name=CURRENT_ENV_KERNEL_NAME,
                            kernel_spec_manager=NbvalKernelspecManager())
    client = NotebookClient(notebook, km=manager, timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel(stderr=subprocess.DEVNULL):
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    return {number: printed(cell.outputs) for number, cell in enumerate(cells)}


def first_difference(first, second):
    for number in sorted(set(first) | set(second)):
        a, b = first.get(number), second.get(number)
        if a != b:
            return number, a, b
    return None


# -- the chapters ------------------------------------------------------------------------------

def test_the_course_has_training_chapters():
    assert TRAINING_CHAPTERS, "no chapter trains a Keras model: the pattern TRAINS is stale"


CHAPTERS = toc_chapters()
NBVAL_OUTPUTS = ROOT / "_build" / "nbval"
BUILD_CACHE = ROOT / "_build" / ".jupyter_cache"


def nbval_run(path):
    """The printed text of nbval's run of ``path`` (from the test command), or ``None``."""
    import hashlib
    import json

    name = path.relative_to(ROOT).as_posix()
    saved = NBVAL_OUTPUTS / (name.replace("/", "__") + ".json")
    if not saved.exists():
        return None
    run = json.loads(saved.read_text())
    if run["notebook"] != name or run["sha256"] != hashlib.sha256(path.read_bytes()).hexdigest():
        return None  # run on another version of the notebook
    return {int(number): text for number, text in run["cells"].items()}


def build_run(path):
    """The printed text of the book build's run of ``path``, or ``None``.

    Read from the build's execution cache (``execute_notebooks: cache``), which keeps the
    outputs as the kernel sent them and answers only for the notebook's current code. (The
    copies in ``_build/jupyter_execute`` are not used: myst-nb merges their streams in place
    when it renders them.)
    """
    if not BUILD_CACHE.exists():
        return None
    from jupyter_cache import get_cache

    cache = get_cache(str(BUILD_CACHE))
    try:
        record = cache.get_cached_project_nb(str(path))
    except KeyError:  # the build never reached this notebook
        return None
    if record is None:
        return None
    cells = [c for c in cache.get_cache_bundle(record.pk).nb.cells if c.cell_type == "code"]
    return {number: printed(cell.outputs) for number, cell in enumerate(cells)}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_prints_the_same_numbers_in_the_build_as_under_nbval(path):
    from helpers.built_site import _missing

    first, second = nbval_run(path), build_run(path)
    if first is None:
        _missing(f"no nbval run of {path.name} in {NBVAL_OUTPUTS.relative_to(ROOT)}: run the "
                 "test command (python3 -m pytest) first")
    if second is None:
        _missing(f"no build run of {path.name} newer than the notebook: run "
                 "`jupyter-book build .` first")
    difference = first_difference(first, second)
    if difference is not None:
        number, a, b = difference
        pytest.fail(f"{path.name}, code cell {number}, printed differently on a second run:\n"
                    f"under nbval:\n{a}\nin the build:\n{b}")
    if path in TRAINING_CHAPTERS:
        assert any(re.search(r"\d", text) for text in first.values()), \
            f"{path.name} trains a model but prints no numbers: nothing to compare"


def test_printed_text_keeps_numbers_and_masks_addresses():
    outputs = [{"output_type": "stream", "name": "stdout", "text": "loss 0.25\n"},
               {"output_type": "stream", "name": "stdout", "text": "acc 0.9\n"},
               {"output_type": "display_data", "data": {"image/png": "abc"}},
               {"output_type": "execute_result",
                "data": {"text/plain": "<Obj at 0x7f3a2b>", "image/png": "xyz"}}]
    text = printed(outputs)
    assert "loss 0.25\nacc 0.9" in text and "0x…" in text and "abc" not in text
    changed = [dict(outputs[0], text="loss 0.26\n")] + outputs[1:]
    assert first_difference({0: text}, {0: printed(changed)})[0] == 0


def test_a_chapter_printing_different_numbers_is_caught(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import random\nprint(round(random.random(), 6))"),
                      nbformat.v4.new_code_cell("print('same every time: 42')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = tmp_path / "unseeded.ipynb"
    nbformat.write(notebook, path)
    difference = first_difference(execute(path), execute(path))
    assert difference is not None and difference[0] == 0


# -- every training path goes through seed_everything -------------------------------------------

def _functions_that_fit():
    """(module path, function name, calls seed_everything) for every function of the course's
    code calling .fit (the product, lrlib's top level, takes a compiled model and leaves the
    seeding to its caller: lrlib.course.training.range_test seeds lr_range_test)."""
    found = []
    for path in sorted((LRLIB / "course").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
            fits = any(isinstance(c.func, ast.Attribute) and c.func.attr == "fit" for c in calls)
            if fits:
                seeds = any((isinstance(c.func, ast.Name) and c.func.id == "seed_everything")
                            or (isinstance(c.func, ast.Attribute)
                                and c.func.attr == "seed_everything") for c in calls)
                found.append((path.relative_to(ROOT).as_posix(), node.name, seeds))
    return found


def test_every_function_of_lrlib_that_trains_calls_seed_everything():
    found = _functions_that_fit()
    assert ("lrlib/course/training.py", "train", True) in found
    unseeded = [f"{path}:{name}" for path, name, seeds in found if not seeds]
    assert not unseeded, f"these train without lrlib.course.reproducibility.seed_everything: {unseeded}"


def test_training_entry_points_seed_with_their_seed(monkeypatch):
    import lrlib.course.training as training
    from lrlib.course import runs
    from lrlib.course.data import make_two_moons
    from lrlib.course.reproducibility import seed_everything

    seeds = []

    def spy(seed):
        seeds.append(seed)
        seed_everything(seed)

    monkeypatch.setattr(training, "seed_everything", spy)
    moons = make_two_moons(num_examples=64, seed=0)
    training.train(0.1, epochs=1, data=moons, hidden=(4,), seed=5)
    training.range_test(data=moons, steps=5, seed=6)
    tiny = runs.Setup(epochs=1, seeds=(7,), hidden=(4,))
    monkeypatch.setattr(training, "_default_data", lambda: moons)
    runs.run_seeds(0.1, setup=tiny)
    assert seeds == [5, 6, 7]


def test_same_seed_same_numbers_in_a_fresh_process():
    """Two processes, same chapter-sized run: bit-identical losses (threads, hash seeds)."""
    import json
    import os
    import subprocess
    import sys

    code = ("import json, lrlib\n"
            "from lrlib.course.training import train\n"
            "from lrlib.schedules import for_budget\n"
            "run = train(for_budget('cosine', 0.3, 86), epochs=2, seed=1)\n"
            "print(json.dumps([run.losses.tolist(), run.history['val_accuracy'].tolist()]))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")]))
    results = []
    for hash_seed in ("1", "2"):  # different string hashing, as two kernels would have
        env["PYTHONHASHSEED"] = hash_seed
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        results.append(json.loads(done.stdout))
    assert results[0] == results[1]
    assert np.isfinite(results[0][0]).all() and len(results[0][0]) == 86
