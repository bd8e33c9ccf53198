"""How long the notebooks and the book take, against the floor of any notebook.

Every notebook of the table of contents is executed the way the book build executes it
(``nbclient``, the ``python3`` kernel, the notebook's folder as working directory), and timed
from the kernel's start to the end of its last cell; at the end, a probe cell reads the
kernel's own CPU time. The *floor* is the same thing for a notebook whose only cell is
``import lrlib.course; import tensorflow``: starting a kernel and loading TensorFlow, the least any
chapter that trains a model can cost on this machine. It is measured several times, spread
over the run (before, between and after the notebooks), and the notebooks are reported as
multiples of its median.

The clean book build copies the repository (without ``_build``) to a temporary folder and runs
``jupyter-book build . -W -n --keep-going`` there, as CI does.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

from bench.report import toc_notebooks
from bench.timing import spread

__all__ = ["FLOOR_SOURCE", "execute", "notebooks", "book_build"]

FLOOR_SOURCE = "import lrlib.course\nimport tensorflow"

_PROBE = ("import resource as _r\n"
          "_s, _c = _r.getrusage(_r.RUSAGE_SELF), _r.getrusage(_r.RUSAGE_CHILDREN)\n"
          "print(_s.ru_utime + _s.ru_stime + _c.ru_utime + _c.ru_stime)")


def _read(path):
    path = pathlib.Path(path)
    if path.suffix == ".md":
        from myst_nb.core.read import read_myst_markdown_notebook

        return read_myst_markdown_notebook(path.read_text())
    import nbformat

    return nbformat.read(path, as_version=4)


def execute(notebook, cwd, timeout=600):
    """Execute a notebook node; return ``(wall seconds, kernel CPU seconds)``.

    Raises ``nbclient.exceptions.CellExecutionError`` if a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    start = time.perf_counter()
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own log lines
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        wall = time.perf_counter() - start
        probe = nbformat.v4.new_code_cell(_PROBE)
        notebook.cells.append(probe)
        client.execute_cell(probe, len(notebook.cells) - 1)
        notebook.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    return wall, float(text.split()[-1])


def _floor(cwd):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(FLOOR_SOURCE))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return execute(notebook, cwd)


def notebooks(root, *, floor_every=2, progress=print):
    """Execute every toc notebook once, and the floor before the first, after every
    ``floor_every`` notebooks and after the last (at least three times in all)."""
    root = pathlib.Path(root)
    entries = toc_notebooks(root)
    floors, rows = [], {}
    progress(f"  notebooks: {len(entries)} from the toc, floor every {floor_every}")
    floors.append(_floor(root / "chapters"))
    for index, (entry, path) in enumerate(entries.items()):
        progress(f"    {entry} ...")
        try:
            wall, cpu = execute(_read(path), path.parent)
            rows[entry] = {"wall_s": wall, "cpu_s": cpu, "ok": True}
        except Exception as error:  # a failing notebook is a result too: say so
            rows[entry] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
        if (index + 1) % floor_every == 0 or index == len(entries) - 1:
            floors.append(_floor(root / "chapters"))
    while len(floors) < 3:
        floors.append(_floor(root / "chapters"))
    floor_wall = spread([w for w, _ in floors])
    floor_cpu = spread([c for _, c in floors])
    for row in rows.values():
        if row["ok"]:
            row["ratio_floor_wall"] = row["wall_s"] / floor_wall.median
            row["ratio_floor_cpu"] = row["cpu_s"] / floor_cpu.median
    return {
        "floor": {"source": FLOOR_SOURCE, "wall_s": floor_wall.as_dict(),
                  "cpu_s": floor_cpu.as_dict()},
        "rows": rows,
    }


def _ignore(directory, names):
    skip = {"_build", ".git", "__pycache__", ".pytest_cache", ".hypothesis",
            ".ipynb_checkpoints", ".jupyter_cache"}
    return [name for name in names if name in skip or name.endswith(".egg-info")]


def book_build(root, progress=print):
    """Time a clean ``jupyter-book build`` of a copy of the repository."""
    root = pathlib.Path(root)
    executable = pathlib.Path(sys.executable).parent / "jupyter-book"
    command = [str(executable if executable.exists() else "jupyter-book"), "build", ".",
               "-W", "-n", "--keep-going"]
    progress("  clean book build ...")
    with tempfile.TemporaryDirectory(prefix="lrlib-book-") as folder:
        copy = pathlib.Path(folder) / "book"
        shutil.copytree(root, copy, ignore=_ignore)
        env = dict(os.environ)
        # The copy's lrlib, not whichever one the environment has installed.
        env["PYTHONPATH"] = os.pathsep.join([str(copy), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
    # MyST-NB logs one line per notebook it executes: proof that the build did the work.
    executed = [float(x) for x in re.findall(r"Executed notebook in ([\d.]+) seconds",
                                             done.stdout + done.stderr)]
    result = {"command": "jupyter-book build . -W -n --keep-going", "wall_s": wall,
              "ok": done.returncode == 0, "notebooks_executed": len(executed),
              "execution_s": sum(executed)}
    if done.returncode != 0:
        result["error"] = (done.stderr or done.stdout)[-2000:]
    return result
