"""Measure the course's speed claims side by side and write ``bench/results.json``.

Usage, from the repository's root::

    python bench/run.py            # everything (tens of minutes): writes bench/results.json
    python bench/run.py --quick    # about a minute: no notebooks, no book build;
                                   # writes bench/results-quick.json (not committed)
    python bench/run.py --only widgets descent   # some sections (see --help)

Each section prints its table as soon as it is measured; the book's Performance page
(``chapters/performance.md``) renders the same tables from ``bench/results.json`` at build
time, without running anything. See ``bench/README.md``.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # as a script: `bench` and this checkout's `lrlib` importable
    sys.path.insert(0, str(ROOT))
# Kernels started for the notebooks inherit this: they import this checkout's lrlib too.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
os.environ.setdefault("MPLBACKEND", "Agg")

import lrlib.course  # noqa: E402,F401  (quiet TensorFlow before anything imports it)

from bench import report  # noqa: E402

SECTIONS = ("training_steps", "vectorised", "widgets", "descent", "notebooks", "book_build")

#: Repetitions and sizes: full (the committed results) and quick (a smoke run).
PLANS = {
    "full": {"rounds": 15, "steps": 512, "compiled_steps": 2048, "graph_calls": 20_000,
             "vector_rounds": 9, "widget_rounds": 9, "position_rounds": 3,
             "max_settings": None, "descent_rounds": 9, "descent_steps": 10_000,
             "descent_starts": 1_000},
    "quick": {"rounds": 3, "steps": 128, "compiled_steps": None, "graph_calls": 5_000,
              "vector_rounds": 3, "widget_rounds": 3, "position_rounds": 1,
              "max_settings": 6, "descent_rounds": 3, "descent_steps": 2_000,
              "descent_starts": 200},
}


def _machine():
    def version(module):
        try:
            return __import__(module).__version__
        except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
            return "not installed"

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        commit += "+uncommitted changes" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu_count": os.cpu_count(),
        "platform": f"{platform.system()} {platform.machine()}, Python "
                    f"{platform.python_version()}",
        "load_before": list(os.getloadavg()),
        "commit": commit,
        "versions": {name: version(name) for name in
                     ("tensorflow", "keras", "numpy", "matplotlib", "lrlib")},
    }


def _one_thread():
    """TensorFlow on one thread for the whole run, as NumPy and Matplotlib are.

    Schedules are scalar operations and a tiny model's step has nothing to parallelise, so
    one thread changes little but steadies the measurements on a shared machine; and the
    vectorised evaluation then compares one thread (TensorFlow) with one thread (NumPy).
    Returns what was set, or why nothing was (TensorFlow already running in this process).
    """
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError as error:  # already initialised (run() called twice in a process)
        return f"unchanged ({error})"
    return "1 intra-op and 1 inter-op thread"


def run(mode, only, output, progress=print):
    """Run the chosen sections; return the results dict (also written to ``output``)."""
    from bench import notebooks_cost, schedules_cost, widgets_cost

    plan = PLANS[mode]
    threads = _one_thread()
    started = time.perf_counter()
    command = "python bench/run.py" + (" --quick" if mode == "quick" else "")
    if only:
        command += " --only " + " ".join(only)
    results = {
        "schema": 1,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": mode,
        "command": command,
        "machine": dict(_machine(), tensorflow_threads=threads),
    }
    chosen = [s for s in SECTIONS if not only or s in only]

    def show(*names):
        tables = report.sections(results, ROOT)
        for name in names:
            if tables.get(name):
                progress(f"\n{tables[name]}\n")

    for section in SECTIONS:
        if section not in chosen:
            results[section] = {"skipped": "not selected with `--only`"}
            continue
        if mode == "quick" and section in ("notebooks", "book_build"):
            results[section] = {"skipped": "`--quick` skips it: run the full benchmark"}
            continue
        progress(f"[{section}]")
        section_started = time.perf_counter()
        if section == "training_steps":
            results[section] = schedules_cost.training_steps(
                plan["rounds"], plan["steps"], compiled_steps=plan["compiled_steps"],
                graph_calls=plan["graph_calls"], progress=progress)
            show("training (per call)", "training verdict", "training (compiled loop)",
                 "training verdict (compiled loop)", "schedule alone")
        elif section == "vectorised":
            results[section] = schedules_cost.vectorised(plan["vector_rounds"],
                                                         progress=progress)
            show("vectorised")
        elif section == "widgets":
            results[section] = widgets_cost.slider_moves(
                plan["widget_rounds"], positions_rounds=plan["position_rounds"],
                max_settings=plan["max_settings"], progress=progress)
            show("slider moves", "slider verdict")
        elif section == "descent":
            results[section] = widgets_cost.descent_speed(
                plan["descent_rounds"], steps=plan["descent_steps"],
                starts=plan["descent_starts"], progress=progress)
            show("gradient descent")
        elif section == "notebooks":
            results[section] = notebooks_cost.notebooks(ROOT, progress=progress)
            show("notebooks", "notebooks verdict")
        elif section == "book_build":
            results[section] = notebooks_cost.book_build(ROOT, progress=progress)
            show("book build")
        results[section]["duration_s"] = time.perf_counter() - section_started
        progress(f"  ({results[section]['duration_s']:.0f} s)")
    results["machine"]["load_after"] = list(os.getloadavg())
    results["duration_s"] = time.perf_counter() - started
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
    progress(f"\n{report.run_summary(results)}\n\nwrote {output}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="about a minute: fewer rounds, no notebooks, no book build")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                        help=f"run only these sections: {', '.join(SECTIONS)}")
    parser.add_argument("--output", type=pathlib.Path,
                        help="where to write the results (default: bench/results.json, "
                             "or bench/results-quick.json with --quick)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    default = "results-quick.json" if args.quick else "results.json"
    output = args.output or ROOT / "bench" / default

    def progress(text):
        print(text, flush=True)

    run(mode, args.only, output, progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
