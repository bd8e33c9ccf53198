"""Turn ``bench/results.json`` into the tables of the book's Performance page.

Self-contained (the standard library and PyYAML only), so the page can load it by path at
build time and render the last benchmark's results without running anything. The same
tables are what ``bench/run.py`` prints.

Every table shows ratios measured side by side in one run, with their spread (the
interquartile range over rounds, "median (q1 to q3)"); absolute times are there to give the
scale, never alone.
"""

import json
import math
import pathlib

__all__ = [
    "find_root",
    "toc_files",
    "toc_notebooks",
    "load",
    "missing_notebooks",
    "run_summary",
    "training_table",
    "training_verdict",
    "vectorised_table",
    "widgets_table",
    "widgets_verdict",
    "descent_table",
    "notebooks_table",
    "notebooks_verdict",
    "build_summary",
    "sections",
]

RESULTS = pathlib.Path("bench") / "results.json"
#: lrlib is held to this ratio against Keras's equivalent schedule.
TARGET_RATIO = 1.05


# -- where things are ---------------------------------------------------------------------------

def find_root(start=None):
    """The repository's root: the first folder upwards from ``start`` holding ``_toc.yml``."""
    here = pathlib.Path.cwd() if start is None else pathlib.Path(start)
    for folder in [here.resolve(), *here.resolve().parents]:
        if (folder / "_toc.yml").exists():
            return folder
    raise FileNotFoundError(f"no _toc.yml in {here} or above it")


def toc_files(root):
    """Every ``file`` of ``_toc.yml``, root first, in the book's order."""
    from lrlib.book.exercises import toc_files as files

    return files(root)


def _is_text_notebook(path):
    """A MyST Markdown page that the build executes (it declares a kernel)."""
    text = path.read_text()
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1] if text.count("---") >= 2 else ""
    return "kernelspec:" in front


def toc_notebooks(root):
    """``{toc entry: path}`` for every page of the toc that the build executes."""
    root = pathlib.Path(root)
    found = {}
    for entry in toc_files(root):
        notebook, markdown = root / f"{entry}.ipynb", root / f"{entry}.md"
        if notebook.exists():
            found[entry] = notebook
        elif markdown.exists() and _is_text_notebook(markdown):
            found[entry] = markdown
    return found


def load(path):
    """The results file as a dict."""
    return json.loads(pathlib.Path(path).read_text())


def missing_notebooks(results, root):
    """The toc notebooks that have no row in the results (added after the last full run)."""
    measured = (results.get("notebooks") or {}).get("rows") or {}
    return [entry for entry in toc_notebooks(root) if entry not in measured]


# -- formatting ---------------------------------------------------------------------------------

def _number(value, digits=3):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def _spread(found, digits=3, suffix=""):
    """ "median (q1–q3)" of a spread dict."""
    if not found:
        return "n/a"
    return (f"{_number(found['median'], digits)}{suffix} "
            f"({_number(found['q1'], digits)}–{_number(found['q3'], digits)})")


def _compact(value):
    """Large counts in thousands (k) or millions (M)."""
    for scale, letter in ((1e6, " M"), (1e3, " k")):
        if abs(value) >= 10 * scale:
            return f"{_number(value / scale)}{letter}"
    return _number(value)


def _ratio(found):
    return _spread(found, 3, "×")


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _skipped(results, key, what):
    section = results.get(key)
    if section is None:
        return f"*{what}: not measured in this run.*"
    if "skipped" in section:
        return f"*{what}: not measured in this run ({section['skipped']}).*"
    return None


# -- the tables ---------------------------------------------------------------------------------

def run_summary(results):
    """Where and how the results were measured."""
    machine = results.get("machine", {})
    load_before = machine.get("load_before")
    load_after = machine.get("load_after")
    versions = ", ".join(f"{k} {v}" for k, v in machine.get("versions", {}).items())
    cpus = machine.get("cpu_count") or 0
    busiest = max((load_before or [0])[0], (load_after or [0])[0])
    busy = ("above the number of CPUs: other work was competing for them"
            if busiest > cpus else "below the number of CPUs")
    lines = [
        f"- **Run**: `{results.get('command', 'python bench/run.py')}` "
        f"({results.get('mode', 'full')} mode), {results.get('created', 'unknown date')}, "
        f"commit `{machine.get('commit', 'unknown')}`, "
        f"{_number(results.get('duration_s'), 3)} s in all.",
        f"- **Machine**: {machine.get('cpu_count', '?')} logical CPUs, "
        f"{machine.get('platform', 'unknown platform')}; load average "
        f"{_number(load_before[0], 2) if load_before else 'n/a'} before and "
        f"{_number(load_after[0], 2) if load_after else 'n/a'} after the run "
        f"({busy}).",
        f"- **Software**: {versions or 'unknown'}; TensorFlow on "
        f"{machine.get('tensorflow_threads', 'its default threads')}.",
    ]
    return "\n".join(lines)


def _training(results):
    return (results.get("training_steps") or {}).get("measurements") or {}


def training_table(results, which="per_call"):
    """lrlib's schedules in a Keras training step against Keras's equivalents and a constant."""
    skipped = _skipped(results, "training_steps", "Training-step cost")
    if skipped:
        return skipped
    section = results["training_steps"]
    found = _training(results).get(which)
    if not found:
        return f"*Training-step cost ({which}): not measured in this run.*"
    unit = "µs/step" if which != "graph" else "µs/call"
    header = ["schedule", "Keras equivalent", f"lrlib, median ({unit})", "lrlib / Keras",
              "lrlib / constant rate"]
    rows = []
    for name, row in found["rows"].items():
        keras_name = section.get("keras", {}).get(name)
        rows.append([
            name,
            keras_name or "none",
            _number(row["lrlib"]["median"]),
            _ratio(row.get("ratio_keras")) if "ratio_keras" in row else "n/a",
            _ratio(row["ratio_constant"]),
        ])
    return _table(header, rows)


def training_verdict(results, which="per_call"):
    """Each schedule with a Keras equivalent: within 5%, slower, or unclear at this noise.

    A ratio is *within* the target when its median is; *slower* only when even its first
    quartile is above it; otherwise the spread straddles the target and the run cannot
    tell. The schedule-alone measurement then says what lrlib's extra work is worth: its
    extra microseconds per call over Keras's, as a share of this training step.
    """
    measurements = _training(results)
    found = measurements.get(which)
    if not found:
        return ""
    graph = (measurements.get("graph") or {}).get("rows", {})
    within, slower, unclear, shares = [], [], [], []
    for name, row in found["rows"].items():
        ratio = row.get("ratio_keras")
        if ratio is None:
            continue
        text = f"{name} ({_number(ratio['median'])}×)"
        if ratio["median"] <= TARGET_RATIO:
            within.append(text)
        elif ratio["q1"] > TARGET_RATIO:
            slower.append(text)
        else:
            unclear.append(f"{name} ({_ratio(ratio)})")
        alone = graph.get(name, {})
        if "keras" in alone:
            extra = alone["lrlib"]["median"] - alone["keras"]["median"]
            shares.append((extra / row["keras"]["median"], extra, name))
    parts = []
    if within:
        parts.append("within 5% of Keras: " + ", ".join(within))
    if slower:
        parts.append("more than 5% slower than Keras: " + ", ".join(slower))
    if unclear:
        parts.append("unclear, the spread straddles 5%: " + ", ".join(unclear))
    if not parts:
        return ""
    text = "Median of the round-by-round ratios, " + "; ".join(parts) + "."
    if shares:
        share, extra, name = max(shares)
        if extra > 0:
            text += (f" The schedule alone (below) puts lrlib's largest extra work over Keras's"
                     f" at {_number(extra)} µs per step ({name}), "
                     f"{_number(100 * share, 2)}% of this step.")
        else:
            text += " The schedule alone (below) costs no more than Keras's for any of them."
    return text


def vectorised_table(results):
    """``schedule(np.arange(n))`` against the NumPy closed form."""
    skipped = _skipped(results, "vectorised", "Vectorised evaluation")
    if skipped:
        return skipped
    section = results["vectorised"]
    header = ["schedule", "lrlib (ms)", "NumPy (ms)", "lrlib / NumPy", "largest gap / peak rate"]
    rows = []
    for name, row in section["rows"].items():
        gap = row.get("max_gap_over_peak")
        rows.append([
            name,
            _spread(row["lrlib"]),
            _spread(row.get("numpy")) if "numpy" in row else "no closed form",
            _ratio(row.get("ratio_numpy")) if "ratio_numpy" in row else "n/a",
            f"{gap:.1e}" if gap is not None else "n/a",
        ])
    return _table(header, rows)


def widgets_table(results):
    """Every experiment's slider move (a frame swap) against its targets, and its cache miss."""
    skipped = _skipped(results, "widgets", "Slider moves")
    if skipped:
        return skipped
    section = results["widgets"]
    budget = section.get("instant_ms", 100.0)
    target = section.get("default_target_ms", budget)
    header = ["experiment", "slider move (ms)", f"× {target:g} ms", "slowest extreme (ms)",
              "cache miss: draw + PNG (ms)", "miss × floor", "draw only (ms)"]
    rows = [["floor: one titled line", "", "", "", _spread(section["floor_ms"]), "1×", ""]]
    for name, row in section["rows"].items():
        miss = row.get("miss_ms", row.get("move_ms"))
        if row.get("has_controls") and "move_ms" in row:
            move = _spread(row["move_ms"])
            if row.get("frames"):
                move += f" ({row['frames']} frames of `{row.get('main_parameter', '?')}`)"
            ratio = f"{_number(row['move_ms']['median'] / target)}×"
            slowest = f"{_number(row['slowest_ms'])} (of {row['settings']})"
        else:
            move, ratio, slowest = "no controls (a static figure)", "", ""
        rows.append([
            f"`{name.removeprefix('lrlib.course.')}`",
            move, ratio, slowest,
            _spread(miss),
            _ratio(row["ratio_floor"]),
            _number(row["draw_ms"]["median"]),
        ])
    table = _table(header, rows)
    run = section.get("run")
    if run:  # the section re-run alone, after the rest of the results
        table += (f"\n\n*Slider moves measured on their own: `{run['command']}`, "
                  f"{run['created']}, commit `{run.get('commit')}`.*")
    return table


def widgets_verdict(results):
    """Which experiments' moves meet the targets at their defaults and at their extremes."""
    section = results.get("widgets") or {}
    if not section.get("rows"):
        return ""
    budget = section.get("instant_ms", 100.0)
    target = section.get("default_target_ms", budget)
    fast, slow, slow_extremes = [], [], []
    for name, row in section["rows"].items():
        if not row.get("has_controls", True) or "move_ms" not in row:
            continue
        short = f"`{name.removeprefix('lrlib.course.')}`"
        median = row["move_ms"]["median"]
        (fast if median <= target else slow).append(f"{short} ({_number(median)} ms)")
        if row.get("slowest_ms", 0.0) > budget:
            slow_extremes.append(f"{short} ({_number(row['slowest_ms'])} ms)")
    parts = []
    if fast:
        parts.append(f"within {target:g} ms: " + ", ".join(fast))
    if slow:
        parts.append(f"over {target:g} ms: " + ", ".join(slow))
    extremes = (f"every experiment's slowest extreme is within {budget:g} ms"
                if not slow_extremes else
                f"over {budget:g} ms at an extreme: " + ", ".join(slow_extremes))
    floor = section["floor_ms"]["median"]
    misses = [row.get("miss_ms", row.get("move_ms"))["median"]
              for row in section["rows"].values()]
    return (f"At their defaults, " + "; ".join(parts) + f"; {extremes}. A move swaps frames "
            f"rendered ahead; a frame not rendered yet (a cache miss) costs "
            f"{_number(min(misses))}–{_number(max(misses))} ms, and on this machine the floor "
            f"alone takes {_number(floor)} ms, {_number(floor / budget)}× {budget:g} ms.")


def descent_table(results):
    """Gradient descent's throughput against a bare NumPy loop; descend_many's speed-up."""
    skipped = _skipped(results, "descent", "Gradient descent")
    if skipped:
        return skipped
    section = results["descent"]
    single, many = section["gradient_descent"], section["descend_many"]
    header = ["what", "per second (median)", "compared with", "ratio"]
    rows = [
        [f"`gradient_descent`, {single['steps']:,} steps",
         _compact(single["steps_per_second"]["median"]) + " steps",
         "a bare NumPy loop, same update", "time " + _ratio(single["ratio_numpy"])],
        [f"`descend_many`, {many['starts']:,} starts × {many['steps']:,} steps",
         _compact(many["run_steps_per_second"]["median"]) + " run-steps",
         "`gradient_descent`, per run-step", "speed-up " + _ratio(many["speedup"])],
    ]
    return _table(header, rows)


def notebooks_table(results, root):
    """Every toc notebook's execution time as a multiple of the floor; missing ones named."""
    missing = missing_notebooks(results, root)
    note = ""
    if missing:
        listed = ", ".join(f"`{m}`" for m in missing)
        note = (f"\n\n**Missing from the results** (in the table of contents, not in "
                f"`bench/results.json`: added after the last full run, or the run skipped "
                f"the notebooks): {listed}. Run `python bench/run.py` to measure them.")
    section = results.get("notebooks") or {}
    if not section.get("rows"):
        reason = section.get("skipped", "not measured in this run")
        return f"*Notebook execution: {reason}.*" + note
    floor = section["floor"]
    header = ["notebook", "wall (s)", "× floor", "kernel CPU (s)", "× floor (CPU)"]
    rows = [["floor: kernel start + `import lrlib, tensorflow`",
             _spread(floor["wall_s"]), "1×", _spread(floor["cpu_s"]), "1×"]]
    for entry in toc_notebooks(root):
        row = section["rows"].get(entry)
        if row is None:
            rows.append([f"`{entry}`", "not measured", "", "", ""])
        elif not row.get("ok"):
            rows.append([f"`{entry}`", "failed: " + row.get("error", "")[:80], "", "", ""])
        else:
            rows.append([f"`{entry}`", _number(row["wall_s"]),
                         f"{_number(row['ratio_floor_wall'])}×", _number(row["cpu_s"]),
                         f"{_number(row['ratio_floor_cpu'])}×"])
    return _table(header, rows) + note


#: A chapter should execute in about this many seconds on an idle machine (the guide's rule).
CHAPTER_SECONDS = 60.0


def notebooks_verdict(results):
    """The slowest notebook, and any over the chapters' time budget."""
    rows = {name: row for name, row in ((results.get("notebooks") or {}).get("rows") or {})
            .items() if row.get("ok")}
    if not rows:
        return ""
    slowest = max(rows, key=lambda name: rows[name]["wall_s"])
    over = [f"`{name}`" for name, row in rows.items() if row["wall_s"] > CHAPTER_SECONDS]
    text = (f"The slowest notebook is `{slowest}`: {_number(rows[slowest]['wall_s'])} s, "
            f"{_number(rows[slowest]['ratio_floor_wall'])}× the floor. ")
    if over:
        return text + (f"Over the chapters' budget of about {CHAPTER_SECONDS:g} s: "
                       + ", ".join(over) + ".")
    return text + f"Every notebook ran within the chapters' budget of {CHAPTER_SECONDS:g} s."


def build_summary(results):
    """The clean book build, in seconds and as a multiple of the notebooks' total."""
    skipped = _skipped(results, "book_build", "Clean book build")
    if skipped:
        return skipped
    build = results["book_build"]
    if not build.get("ok"):
        return f"*The clean book build failed in this run:* `{build.get('error', '')[-300:]}`"
    rows = (results.get("notebooks") or {}).get("rows") or {}
    total = sum(r["wall_s"] for r in rows.values() if r.get("ok"))
    floor = ((results.get("notebooks") or {}).get("floor") or {}).get("wall_s")
    text = (f"A clean build (`{build['command']}`) took {_number(build['wall_s'])} s, "
            f"{_number(build.get('execution_s'))} s of it executing "
            f"{build.get('notebooks_executed', '?')} notebooks")
    if total:
        text += (f", {_number(build['wall_s'] / total)}× the sum of the notebooks' "
                 f"execution times ({_number(total)} s)")
    if floor:
        text += f" and {_number(build['wall_s'] / floor['median'])}× the floor"
    return text + "."


def sections(results, root):
    """Every table, by name: what the page shows and what ``run.py`` prints."""
    return {
        "run": run_summary(results),
        "training (per call)": training_table(results, "per_call"),
        "training verdict": training_verdict(results, "per_call"),
        "training (compiled loop)": training_table(results, "compiled"),
        "training verdict (compiled loop)": training_verdict(results, "compiled"),
        "schedule alone": training_table(results, "graph"),
        "vectorised": vectorised_table(results),
        "slider moves": widgets_table(results),
        "slider verdict": widgets_verdict(results),
        "gradient descent": descent_table(results),
        "notebooks": notebooks_table(results, root),
        "notebooks verdict": notebooks_verdict(results),
        "book build": build_summary(results),
    }
