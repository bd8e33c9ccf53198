"""A sweep as an Optuna study, and its results as a table on disk.

:func:`run_study` runs every cell of a grid, family × peak × seed, once, as the trials of an
`Optuna <https://optuna.org>`_ study with a :class:`optuna.samplers.GridSampler`. The study
lives in a *storage* that several worker processes share: a journal file
(:class:`optuna.storages.JournalStorage` on a
:class:`optuna.storages.journal.JournalFileBackend`) or SQLite on one machine, PostgreSQL or
MySQL (an ``sqlalchemy`` URL) when many machines share one study. A learner runs it on a
laptop with two worker processes; an instructor points many machines at one storage (each
runs this same function with the same grid). A progress bar shows the cells done. Each
trial's objective is :func:`lrlib.course.runs.trial` (or any function of the same
signature); its :class:`lrlib.course.runs.Record` is stored in the trial's user attributes,
and the results come back as :class:`lrlib.course.runs.SweepResults`, in the grid's order.

**Each cell exactly once.** Optuna numbers a study's trials 0, 1, 2, ... atomically in the
storage, and the grid sampler gives trial ``k < N`` (``N`` cells) grid cell ``k`` of its
(seeded, hence shared) order. A worker stops once the study has ``N`` trials; one that loses
a race and is handed trial ``N`` or later closes it as pruned without running anything. So
every cell runs in exactly one trial, whatever the number of workers, and the results do not
depend on it. Running the same grid again on the same storage resumes the study: the cells
done are read back, not trained again.

**Results as data.** :func:`write_table` writes a :class:`SweepResults` as a table with a
schema (:data:`SCHEMA`), JSON lines with one row per run and split; :func:`read_table` reads
it back, exactly (floats round-trip through JSON).

The command that makes a results table (see :func:`main`)::

    python -m lrlib.course.study --task mnist1d --workers 2 --out results/mnist1d.jsonl

**The chapters' stored runs.** The verdicts the chapters print (10 paired seeds, selection
on validation) read tables stored with the package, one per schedule family:
``lrlib/course/results/<task>-<family>.jsonl``, made by one command::

    python -m lrlib.course.study --task digits --store --families constant step

(:func:`store`: each family at :data:`STORED_PEAKS` with the task's seeds). A chapter reads
them with :func:`stored_sweep` and re-runs one stored run live, checking with
:func:`reproduces` that it agrees to a stated tolerance (not bit for bit: TensorFlow's float
results can differ in the last bits from one CPU to another).

Example (an instant stand-in objective):
    >>> import tempfile, pathlib
    >>> from lrlib.course.study import run_study
    >>> from lrlib.course.widgets.discovery import synthetic_trial
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> results = run_study(["constant", "cosine"], [0.1, 0.3], [0, 1],
    ...                     storage=folder / "study.journal", objective=synthetic_trial,
    ...                     progress=False)
    >>> len(results), results.families, results.rates
    (8, ('constant', 'cosine'), (0.1, 0.3))
"""

import argparse
import dataclasses
import hashlib
import json
import math
import os
import pathlib
import sys
import time

from lrlib import validation
from lrlib.course.runs import (COMMON, TRIAL_FAMILIES, Record, Setup, SweepResults, release,
                               trial)
from lrlib.schedules import FAMILIES

__all__ = ["SCHEMA", "TASK_SETUPS", "TASK_PEAKS", "STORED_PEAKS", "RESULTS", "make_storage",
           "run_study", "read_study", "write_table", "read_table", "stored", "stored_name",
           "store", "stored_sweep", "reproduces", "paired_verdicts", "REPRODUCTION_LOSS_RTOL",
           "setup_to_dict", "setup_from_dict", "main"]

#: Where the stored results tables live (package data: ``lrlib/course/results/*.jsonl``).
RESULTS = pathlib.Path(__file__).parent / "results"

#: The columns of a results table (one JSON object per line: one run, one split), with the
#: type of each value. ``metrics`` maps a metric's name (``accuracy``, ``loss``, ...) to its
#: value on ``split`` (``train``, ``validation`` or ``test``); a diverged run has empty
#: metrics. ``setup`` is the budget (:func:`setup_to_dict`); ``total_steps`` its length.
SCHEMA = {
    "task": "str",
    "family": "str",
    "peak": "float",
    "seed": "int",
    "split": "str",
    "metrics": "dict[str, float]",
    "diverged": "bool",
    "diverged_at": "int | null",
    "steps": "int | null",
    "mean_rate": "float | null",
    "setup": "dict",
}

_TYPES = {"str": (str,), "float": (int, float), "int": (int,), "bool": (bool,),
          "dict": (dict,), "dict[str, float]": (dict,)}

#: The protocol's setup of each task: a validation split, 10 paired seeds. Digits: the
#: chapters' network and budget (one hidden layer of 64, plain SGD, 10 epochs of 32; with the
#: validation split 1,010 training images, so 320 steps). MNIST-1D: the course guide's first
#: probe (a 40-100-100-10 MLP, SGD with momentum 0.9, batch 64, 40 epochs: 1,880 steps).
TASK_SETUPS = {
    "digits": Setup(validation=True, seeds=tuple(range(10))),
    "mnist1d": Setup(task="mnist1d", validation=True, hidden=(100, 100), momentum=0.9,
                     batch_size=64, epochs=40, seeds=tuple(range(10))),
}

#: A log grid of peak rates per task, three points per factor of 10.
TASK_PEAKS = {
    "digits": (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0),
    "mnist1d": (0.005, 0.01, 0.02, 0.05, 0.1, 0.2),
}


#: The peaks of the chapters' stored runs (:func:`store`), per task: a log grid with at
#: least two points per factor of 10 around the best constant rate, 0.3 included (the rate
#: the chapters started from).
STORED_PEAKS = {
    "digits": (0.1, 0.2, 0.3, 0.5, 1.0, 2.0),
}


# --- Setups as plain data -----------------------------------------------------------------

def setup_to_dict(setup):
    """A :class:`lrlib.course.runs.Setup` as a JSON-ready dict (with its ``total_steps``)."""
    values = dataclasses.asdict(setup)
    values["hidden"], values["seeds"] = list(setup.hidden), list(setup.seeds)
    values["total_steps"] = setup.total_steps
    return values


def setup_from_dict(values):
    """The :class:`lrlib.course.runs.Setup` of :func:`setup_to_dict`'s dict."""
    fields = {f.name for f in dataclasses.fields(Setup)}
    kept = {k: v for k, v in values.items() if k in fields}
    for key in ("hidden", "seeds"):
        if key in kept:
            kept[key] = tuple(kept[key])
    return Setup(**kept)


# --- The storage --------------------------------------------------------------------------

def make_storage(storage):
    """An Optuna storage from a path or a URL.

    A URL with a scheme (``sqlite:///study.db``, ``postgresql://...``, ``mysql://...``) gives
    an :class:`optuna.storages.RDBStorage`; a path ending in ``.db`` or ``.sqlite`` an SQLite
    one; any other path a journal file
    (``JournalStorage(JournalFileBackend(path))``), created if missing.
    """
    import optuna
    from optuna.storages.journal import JournalFileBackend

    text = os.fspath(storage)
    if "://" in text:
        return optuna.storages.RDBStorage(text)
    if text.endswith((".db", ".sqlite")):
        return optuna.storages.RDBStorage(f"sqlite:///{os.path.abspath(text)}")
    return optuna.storages.JournalStorage(JournalFileBackend(text))


def _space(families, peaks, seeds):
    return {"family": list(families), "peak": [float(p) for p in peaks],
            "seed": [int(s) for s in seeds]}


def _study_name(space, setup, objective):
    """A name that changes when the grid, the budget or the objective does: running the
    same sweep again resumes its study; another sweep on the same storage gets another."""
    key = json.dumps([space, setup_to_dict(setup),
                      f"{objective.__module__}.{objective.__qualname__}"], sort_keys=True)
    return f"{setup.task}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _quiet_optuna():
    import optuna

    # Optuna logs a line per trial; the progress bar says enough.
    optuna.logging.set_verbosity(optuna.logging.ERROR)


def _cell(trial):
    """The grid cell ``(family, peak, seed)`` a trial ran or runs (``None`` before it has
    suggested all three)."""
    params = trial.params
    if not all(key in params for key in ("family", "peak", "seed")):
        return None
    return params["family"], params["peak"], params["seed"]


def _taken(study, number=None):
    """The cells that have a complete trial, or a running one (numbered below ``number``
    when given: of two trials racing for one cell, the lower number keeps it)."""
    from optuna.trial import TrialState

    taken = set()
    for trial in study._storage.get_all_trials(
            study._study_id, deepcopy=False, states=(TrialState.COMPLETE, TrialState.RUNNING)):
        if trial.state == TrialState.RUNNING and (number is None or trial.number >= number):
            continue
        if (cell := _cell(trial)) is not None:
            taken.add(cell)
    return taken


def _waiting(study):
    from optuna.trial import TrialState

    return study._storage.get_all_trials(study._study_id, deepcopy=False,
                                         states=(TrialState.WAITING,))


def _retry_stale(study, space):
    """Before a run resumes a study: a trial still RUNNING was left by a worker that was
    killed (this process has started none yet); mark it failed. Then every grid cell with
    no complete trial whose cell a failed trial holds (the grid sampler counts a failed
    cell as visited and would never give it again) is queued to run again
    (``study.enqueue_trial``). Returns the number of cells queued."""
    from optuna.trial import TrialState

    trials = study._storage.get_all_trials(study._study_id, deepcopy=False)
    for trial in trials:
        if trial.state == TrialState.RUNNING:
            study._storage.set_trial_user_attr(trial._trial_id, "stale", True)
            study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
    trials = study._storage.get_all_trials(study._study_id, deepcopy=False)
    done = {_cell(t) for t in trials if t.state == TrialState.COMPLETE}
    queued = {tuple(t.system_attrs.get("fixed_params", {}).get(k) for k in
                    ("family", "peak", "seed")) for t in _waiting(study)}
    grid = {(f, p, s) for f in space["family"] for p in space["peak"] for s in space["seed"]}
    retry = sorted({_cell(t) for t in trials if t.state == TrialState.FAIL} & grid
                   - done - queued, key=str)
    for family, peak, seed in retry:
        study.enqueue_trial({"family": family, "peak": peak, "seed": seed})
    return len(retry)


def _complete(study):
    from optuna.trial import TrialState

    return study._storage.get_all_trials(study._study_id, deepcopy=False,
                                         states=(TrialState.COMPLETE,))


def _objective_value(record):
    """What Optuna records as the trial's value: the selection metric (validation accuracy
    when measured, else test accuracy), 0 for a diverged run (as
    :attr:`lrlib.course.training.TrainingRun.final_accuracy`)."""
    for key in ("val_accuracy", "accuracy"):
        value = record.value(key)
        if value is not None:
            return float(value)
    return 0.0


def _tell(study, handle, value=None, state=None):
    """``study.tell``, past the grid sampler's end-of-grid signal: after the last cell the
    sampler calls ``study.stop()``, which raises outside ``study.optimize`` (Optuna's
    documented ask-and-tell caveat, optuna/optuna#4121); the trial is stored before that."""
    try:
        study.tell(handle, value, state=state)
    except RuntimeError as error:
        if "Study.stop" not in str(error):
            raise


def _work(storage, study_name, space, setup, objective, ready=None, progress=None):
    """One worker: take trials until the study has one per grid cell, run each cell's
    ``objective`` and store its record. Returns the number of cells this worker ran."""
    import optuna
    from optuna.trial import TrialState

    _quiet_optuna()
    size = math.prod(len(v) for v in space.values())
    study = optuna.load_study(study_name=study_name, storage=make_storage(storage),
                              sampler=optuna.samplers.GridSampler(space, seed=0))
    if ready is not None:
        ready.wait()  # every worker is loaded: start together
    ran = 0
    while len(_taken(study)) < size:
        handle = study.ask()
        family = handle.suggest_categorical("family", space["family"])
        peak = handle.suggest_categorical("peak", space["peak"])
        seed = handle.suggest_categorical("seed", space["seed"])
        if (family, peak, seed) in _taken(study, number=handle.number):
            # A race lost: the sampler gives a cell that is taken only once every cell is
            # (it then hands out running ones). Close this surplus trial unrun.
            handle.set_user_attr("surplus", True)
            _tell(study, handle, state=TrialState.PRUNED)
            break
        try:
            record = objective(family, peak, seed, setup=setup)
            if not isinstance(record, Record):
                raise ValueError(f"`objective` must return a Record, got {record!r}")
        except BaseException:
            _tell(study, handle, state=TrialState.FAIL)
            raise
        handle.set_user_attr("record", record.to_dict())
        handle.set_user_attr("worker", os.getpid())
        _tell(study, handle, _objective_value(record))
        ran += 1
        release(record)  # free this trial's model now (lrlib.course.runs.release)
        if progress is not None:
            progress.update(1)
    return ran


def _worker_main(storage, study_name, space, setup, objective, ready):
    _work(storage, study_name, space, setup, objective, ready)


def _family_name(name, family):
    if not isinstance(family, str) or not family:
        raise ValueError(f"`{name}` must hold non-empty strings, got {family!r}")
    return family


def _check_grid(families, peaks, seeds, setup, objective=trial):
    """The grid, checked. The families must be :func:`lrlib.course.runs.trial`'s
    (:data:`lrlib.course.runs.TRIAL_FAMILIES`) when it is the objective; another objective
    may name its own (any non-empty strings)."""
    from lrlib.course.runs import _check_distinct, _check_setup

    if isinstance(families, str):
        raise ValueError(f"`families` must be a list of families, got {families!r}")
    if objective is trial:
        check = lambda name, f: validation.choice(name, f, TRIAL_FAMILIES)  # noqa: E731
    else:
        check = _family_name
    families = _check_distinct("families", families, check)
    peaks = _check_distinct("peaks", peaks, validation.positive)
    seeds = _check_distinct("seeds", seeds, lambda name, s: validation.integer(name, s, low=0))
    return families, peaks, seeds, _check_setup(setup)


def read_study(storage, families, peaks, seeds, setup=COMMON, *, objective=trial,
               study_name=None):
    """The results of :func:`run_study`'s study on ``storage``, as :class:`SweepResults`.

    One record per grid cell, in the grid's order (families, then peaks, then seeds, as
    given). Raises ``ValueError`` when a cell has no complete trial, or more than one.
    """
    import optuna

    families, peaks, seeds, setup = _check_grid(families, peaks, seeds, setup, objective)
    space = _space(families, peaks, seeds)
    name = study_name or _study_name(space, setup, objective)
    _quiet_optuna()
    study = optuna.load_study(study_name=name, storage=make_storage(storage))
    return _results(study, space, setup)


def _results(study, space, setup):
    size = math.prod(len(v) for v in space.values())
    found = {}
    for frozen in _complete(study):
        if "record" not in frozen.user_attrs:
            continue
        record = Record.from_dict(frozen.user_attrs["record"])
        key = (record.family, record.peak, record.seed)
        if key in found:
            raise ValueError(f"grid cell {key} ran more than once")
        found[key] = record
    order = [(f, p, s) for f in space["family"] for p in space["peak"] for s in space["seed"]]
    missing = [key for key in order if key not in found]
    if missing:
        raise ValueError(f"{len(missing)} of {size} grid cells have no complete trial, "
                         f"the first {missing[0]}")
    return SweepResults.from_records([found[key] for key in order],
                                     total_steps=setup.total_steps)


def run_study(families=FAMILIES, peaks=(0.1, 0.3, 1.0), seeds=None, setup=COMMON, *,
              storage, n_workers=1, objective=trial, study_name=None, progress=True,
              retry_stale=True):
    """Run every cell of ``families`` × ``peaks`` × ``seeds`` once, as an Optuna study.

    Args:
        families: schedule families (:data:`lrlib.course.runs.TRIAL_FAMILIES`, or the names
            ``objective`` understands).
        peaks: peak learning rates.
        seeds: the seeds; ``setup.seeds`` by default.
        setup: the budget, network, optimizer and task, a :class:`lrlib.course.runs.Setup`.
        storage: where the study lives, shared by the workers: a journal file's path, an
            SQLite file (``.db``), or a database URL (:func:`make_storage`).
        n_workers: worker processes (1: this process runs the trials itself). Workers are
            started with ``spawn``, each imports TensorFlow afresh.
        objective: the function of one cell, ``objective(family, peak, seed, setup=setup)``
            returning a :class:`lrlib.course.runs.Record` (:func:`lrlib.course.runs.trial` by
            default); for several workers it must be importable (a module-level function).
        study_name: the study's name; by default one derived from the grid, the setup and
            the objective, so that running the same sweep again resumes it.
        progress: show a progress bar (tqdm) of the cells done.
        retry_stale: on resuming, run again the cells whose trial a killed worker left
            running or a failed objective left failed (:func:`_retry_stale`). Pass
            ``False`` while workers on other machines are running the same study: their
            running trials are not stale.

    Returns:
        :class:`lrlib.course.runs.SweepResults`, one record per cell in the grid's order:
        the same whatever ``n_workers`` (each cell is seeded by its own seed).
    """
    import optuna

    families, peaks, seeds, setup = _check_grid(families, peaks,
                                                setup.seeds if seeds is None else seeds,
                                                setup, objective)
    n_workers = validation.positive_integer("n_workers", n_workers)
    if not callable(objective):
        raise ValueError(f"`objective` must be a function, got {objective!r}")
    space = _space(families, peaks, seeds)
    size = math.prod(len(v) for v in space.values())
    name = study_name or _study_name(space, setup, objective)
    _quiet_optuna()
    study = optuna.create_study(study_name=name, storage=make_storage(storage),
                                direction="maximize", load_if_exists=True,
                                sampler=optuna.samplers.GridSampler(space, seed=0))
    study.set_user_attr("setup", setup_to_dict(setup))
    study.set_user_attr("grid", space)
    if retry_stale:
        _retry_stale(study, space)
    bar = _progress_bar(size, len(_complete(study)), progress, name)
    try:
        if n_workers == 1:
            _work(storage, name, space, setup, objective, progress=bar)
        else:
            _run_processes(storage, name, space, setup, objective, n_workers, study, bar)
    finally:
        if bar is not None:
            bar.close()
    return _results(study, space, setup)


def _progress_bar(total, done, progress, name):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc=f"study {name}", unit="cell")


def _run_processes(storage, name, space, setup, objective, n_workers, study, bar):
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork of a process holding TensorFlow
    ready = context.Barrier(n_workers)
    workers = [context.Process(target=_worker_main,
                               args=(os.fspath(storage), name, space, setup, objective, ready))
               for _ in range(n_workers)]
    for worker in workers:
        worker.start()
    try:
        while any(worker.is_alive() for worker in workers):
            time.sleep(0.5)
            if bar is not None:
                bar.update(len(_complete(study)) - bar.n)
        if bar is not None:
            bar.update(len(_complete(study)) - bar.n)
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    failed = [w.exitcode for w in workers if w.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} of {n_workers} workers failed (exit codes {failed})")


# --- The results table --------------------------------------------------------------------

def write_table(results, path, setup=None):
    """Write ``results`` (:class:`lrlib.course.runs.SweepResults`) as a results table.

    JSON lines, one row per run and split with the columns of :data:`SCHEMA`; ``setup``
    (the :class:`lrlib.course.runs.Setup` the runs used) is written into every row. Creates
    the folder. Returns the path.
    """
    if not isinstance(results, SweepResults):
        raise ValueError(f"`results` must be SweepResults, got {results!r}")
    setup_values = None if setup is None else setup_to_dict(setup)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for record in results.records:
        splits = record.metrics or {None: {}}
        for split, values in splits.items():
            row = {"task": record.task, "family": record.family, "peak": record.peak,
                   "seed": record.seed, "split": split, "metrics": dict(values),
                   "diverged": record.diverged, "diverged_at": record.diverged_at,
                   "steps": record.steps, "mean_rate": record.mean_rate,
                   "setup": setup_values}
            lines.append(json.dumps(row, sort_keys=False))
    path.write_text("\n".join(lines) + "\n")
    return path


def _check_row(row, number):
    missing = [k for k in ("task", "family", "peak", "seed", "split", "metrics", "diverged",
                           "steps") if k not in row]
    if missing:
        raise ValueError(f"results table, line {number}: no {', '.join(missing)}")
    for key, kind in SCHEMA.items():
        value = row.get(key)
        if value is None and ("null" in kind or key in ("split", "setup")):
            continue
        types = _TYPES[kind.split(" |")[0]]
        if not isinstance(value, types) or (kind.startswith(("int", "float"))
                                            and isinstance(value, bool)):
            raise ValueError(f"results table, line {number}: `{key}` must be {kind}, "
                             f"got {value!r}")


def read_table(path):
    """Read a results table (:func:`write_table`) back as
    :class:`lrlib.course.runs.SweepResults`, each row checked against :data:`SCHEMA`.

    The budget (``total_steps``) comes from the rows' ``setup`` when written.
    """
    records, order, total_steps = {}, [], None
    for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        _check_row(row, number)
        key = (row["task"], row["family"], row["peak"], row["seed"])
        if key not in records:
            order.append(key)
            records[key] = {"task": row["task"], "family": row["family"], "peak": row["peak"],
                            "seed": row["seed"], "diverged_at": row.get("diverged_at"),
                            "steps": row["steps"], "mean_rate": row.get("mean_rate"),
                            "metrics": {}}
        if row["split"] is not None:
            records[key]["metrics"][row["split"]] = dict(row["metrics"])
        if row.get("setup"):
            total_steps = row["setup"]["total_steps"]
    if not order:
        raise ValueError(f"results table {path} is empty")
    options = {} if total_steps is None else {"total_steps": total_steps}
    return SweepResults.from_records([records[key] for key in order], **options)


def stored(name):
    """A stored results table by name (``"mnist1d_probe"``: ``RESULTS / "mnist1d_probe.jsonl"``),
    read with :func:`read_table`."""
    path = RESULTS / f"{name}.jsonl"
    if not path.exists():
        found = ", ".join(sorted(p.stem for p in RESULTS.glob("*.jsonl"))) or "none"
        raise ValueError(f"`name`: no stored results table {name!r} (stored: {found})")
    return read_table(path)


# --- The chapters' stored runs -----------------------------------------------------------

#: How closely a live re-run must reproduce a stored run (:func:`reproduces`): losses to
#: this relative tolerance, accuracies to one example of their split. TensorFlow's float
#: results can differ in the last bits from one CPU to another, and SGD carries such
#: differences along, so a stored run is reproduced to a tolerance, not bit for bit.
REPRODUCTION_LOSS_RTOL = 1e-3


def stored_name(task, family):
    """The name of the stored table of one family on one task: ``"digits-cosine"``."""
    return f"{task}-{family}"


def store(task, families, peaks=None, setup=None, *, results=RESULTS, storage=None,
          progress=True):
    """Run each family at ``peaks`` (default :data:`STORED_PEAKS`) with the task's seeds
    (:data:`TASK_SETUPS`) in this process, and write one table per family,
    ``results / "<task>-<family>.jsonl"``. A family already stored is skipped (delete
    its file to run it again). Returns the paths written."""
    setup = TASK_SETUPS[task] if setup is None else setup
    peaks = STORED_PEAKS[task] if peaks is None else tuple(peaks)
    written = []
    for family in families:
        path = pathlib.Path(results) / f"{stored_name(task, family)}.jsonl"
        if path.exists():
            continue
        journal = storage or path.with_suffix(".journal")
        found = run_study([family], peaks, setup.seeds, setup, storage=journal,
                          progress=progress)
        write_table(found, path, setup)
        if storage is None:
            pathlib.Path(journal).unlink(missing_ok=True)
        written.append(path)
    return written


def stored_sweep(task, families):
    """The stored runs of ``families`` on ``task`` (:func:`store`) as one
    :class:`lrlib.course.runs.SweepResults` (the families' records in the order given)."""
    if isinstance(families, str):
        raise ValueError(f"`families` must be a list of families, got {families!r}")
    records, total_steps = [], None
    for family in families:
        found = stored(stored_name(task, family))
        records += found.records
        total_steps = found.total_steps
    return SweepResults.from_records(records, total_steps=total_steps)


def reproduces(stored_record, live_record, rtol=REPRODUCTION_LOSS_RTOL):
    """Whether ``live_record`` reproduces ``stored_record`` (two :class:`Record` of the same
    family, peak and seed): both diverged at the same step, or every loss they both
    measured agrees to ``rtol`` (relative) and every accuracy to one example of its split
    (:func:`lrlib.course.data.load_task`). Raises ``AssertionError`` naming the first
    mismatch; returns True otherwise."""
    from lrlib.course.data import load_task

    key = lambda r: (r.family, r.peak, r.seed)  # noqa: E731
    assert key(stored_record) == key(live_record), (key(stored_record), key(live_record))
    assert stored_record.diverged_at == live_record.diverged_at, (
        f"diverged at {stored_record.diverged_at} (stored) vs {live_record.diverged_at}")
    data = load_task(stored_record.task, "validation" in stored_record.metrics)
    for split, values in stored_record.metrics.items():
        for name, value in values.items():
            live = live_record.metrics.get(split, {}).get(name)
            assert live is not None, f"{split} {name}: not measured live"
            if name == "accuracy":
                one = 1.0 / len(data.split(split)[1])
                assert abs(live - value) <= one + 1e-9, f"{split} accuracy {live} vs {value}"
            elif name == "loss":
                assert math.isclose(live, value, rel_tol=rtol), f"{split} loss {live} vs {value}"
    return True


def paired_verdicts(results, pairs, metric="accuracy"):
    """The paired comparisons of ``pairs`` on ``results`` (:class:`SweepResults`), as a table.

    ``pairs`` maps a label to ``((family_a, peak_a), (family_b, peak_b))``: contender A
    against contender B, paired by seed. For each, :func:`lrlib.course.stats.paired_difference`
    of ``metric`` (A − B, 95% t interval) and its :func:`lrlib.course.stats.verdict`.
    Returns ``(table, differences)``: a :class:`lrlib.course.runs.Table` (one row per pair:
    the mean rates, each contender's mean, the difference with its interval, the verdict)
    and a dict of label -> :class:`lrlib.course.stats.Difference`.
    """
    from lrlib.course.runs import METRICS, Table
    from lrlib.course.stats import paired_difference, verdict

    m = METRICS[validation.choice("metric", metric, tuple(METRICS))]
    rows, differences = [], {}
    for label, (a, b) in pairs.items():
        cell_a, cell_b = results.cell(*a), results.cell(*b)
        d = paired_difference(cell_a.records, cell_b.records, m.key)
        differences[label] = d
        name_a, name_b = (f"{family} {peak:g}" for family, peak in (a, b))
        text = verdict(d, name_a, name_b, higher_is_better=m.higher_is_better,
                       digits=m.digits + 1)
        word = "within noise" if not d.excludes_zero else text.split(" by ")[0]
        rows.append((label, f"{cell_a.mean_rate:.3f} / {cell_b.mean_rate:.3f}",
                     f"{cell_a.mean(m.key):.{m.digits}f}", f"{cell_b.mean(m.key):.{m.digits}f}",
                     f"{d.mean:+.{m.digits + 1}f} ({d.low:+.{m.digits + 1}f} to "
                     f"{d.high:+.{m.digits + 1}f})", word))
    n = max(d.n for d in differences.values())
    caption = (f"{m.label[0].upper()}{m.label[1:]}, A − B paired by seed: mean and 95% t "
               f"interval over {n} seeds.")
    columns = ("A vs B", "mean rate A / B", "A", "B", "A − B (95% t interval)", "verdict")
    return Table(columns, tuple(rows), caption), differences


def table_command(prog, table, grid, argv=None):
    """A chapter's command that makes one stored table (``python -m lrlib.course.warmup``):
    options ``--out`` (default ``RESULTS / "<table>.jsonl"``), ``--journal`` (the study's
    journal, default ``/tmp/lrlib-<table>.journal``: run it again to resume) and
    ``--no-progress``. ``grid()`` returns ``(families, peaks, setup, options)``, the
    arguments of :func:`run_study` (``options``: say, its ``objective``); the seeds are the
    setup's. Runs the study in this process, writes the table, prints the time it took and
    returns 0."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--out", default=str(RESULTS / f"{table}.jsonl"))
    parser.add_argument("--journal", default=f"/tmp/lrlib-{table}.journal")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    start, cpu = time.perf_counter(), time.process_time()
    families, peaks, setup, options = grid()
    results = run_study(families, peaks, setup.seeds, setup, storage=args.journal,
                        progress=not args.no_progress, **options)
    write_table(results, args.out, setup)
    print(f"{len(results.records)} runs: {time.perf_counter() - start:.0f} s wall, "
          f"{time.process_time() - cpu:.0f} s CPU; results in {args.out}")
    return 0


# --- The command --------------------------------------------------------------------------

def main(argv=None):
    """``python -m lrlib.course.study --task TASK --workers N --out FILE``.

    Runs the task's sweep (:data:`TASK_SETUPS`, :data:`TASK_PEAKS`; ``--families``,
    ``--peaks``, ``--seeds``, ``--epochs`` override) as an Optuna study in ``--storage``
    (by default ``FILE`` with ``.journal`` added: run the command again to resume), and
    writes the results table to ``FILE``. Prints the time it took.
    """
    parser = argparse.ArgumentParser(prog="python -m lrlib.course.study",
                                     description="A sweep family x peak x seed on Optuna.")
    parser.add_argument("--task", choices=sorted(TASK_SETUPS), default="digits")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", help="the results table (JSON lines)")
    parser.add_argument("--store", action="store_true",
                        help="store each family's table in the package (lrlib/course/results/"
                             "<task>-<family>.jsonl) at the stored peaks; see store()")
    parser.add_argument("--storage", help="journal file, .db file or database URL")
    parser.add_argument("--families", nargs="+", default=list(FAMILIES))
    parser.add_argument("--peaks", nargs="+", type=float)
    parser.add_argument("--seeds", type=int, help="seeds 0 .. N-1 (default: the setup's)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.store:
        for family in args.families:
            start = time.process_time(), time.perf_counter()
            paths = store(args.task, [family], args.peaks, progress=not args.no_progress)
            print(f"{stored_name(args.task, family)}: "
                  + (f"stored in {paths[0]}, CPU {time.process_time() - start[0]:.0f} s, "
                     f"wall {time.perf_counter() - start[1]:.0f} s" if paths
                     else "stored already"), flush=True)
        return 0
    if not args.out:
        parser.error("--out is required (or --store)")
    setup = TASK_SETUPS[args.task]
    if args.epochs:
        setup = dataclasses.replace(setup, epochs=args.epochs)
    if args.seeds:
        setup = dataclasses.replace(setup, seeds=tuple(range(args.seeds)))
    peaks = tuple(args.peaks) if args.peaks else TASK_PEAKS[args.task]
    storage = args.storage or f"{args.out}.journal"
    start = time.perf_counter()
    results = run_study(args.families, peaks, setup.seeds, setup, storage=storage,
                        n_workers=args.workers, progress=not args.no_progress)
    write_table(results, args.out, setup)
    seconds = time.perf_counter() - start
    print(f"{len(results)} runs ({len(results.families)} families x {len(results.rates)} "
          f"peaks x {len(results.seeds)} seeds) on {args.task} with {args.workers} "
          f"worker(s): {seconds:.0f} s; results in {args.out}, study in {storage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
