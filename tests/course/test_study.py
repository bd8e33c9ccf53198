"""lrlib.course.study: a grid sweep as an Optuna study shared by worker processes, and the
results table on disk."""

import collections
import json

import optuna
import pytest

from lrlib.course import study as module
from lrlib.course.runs import Record, Setup, SweepResults, sweep
from lrlib.course.study import (SCHEMA, make_storage, read_study, read_table, run_study,
                                setup_from_dict, setup_to_dict, write_table)
from helpers.slow_trial import slow_trial

FAMILIES = ["constant", "cosine"]
PEAKS = [0.1, 0.3, 3.0]  # 3.0 diverges in the synthetic trial
SEEDS = [0, 1]
CELLS = len(FAMILIES) * len(PEAKS) * len(SEEDS)


def _trials(storage):
    summaries = optuna.get_all_study_summaries(make_storage(storage))
    assert len(summaries) == 1
    loaded = optuna.load_study(study_name=summaries[0].study_name,
                               storage=make_storage(storage))
    return loaded.get_trials(deepcopy=False)


def test_two_workers_on_one_storage_run_every_cell_once_and_match_one_process(tmp_path):
    two = run_study(FAMILIES, PEAKS, SEEDS, storage=tmp_path / "two.journal", n_workers=2,
                    objective=slow_trial, progress=False)
    trials = _trials(tmp_path / "two.journal")
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == CELLS
    cells = collections.Counter((t.params["family"], t.params["peak"], t.params["seed"])
                                for t in complete)
    assert set(cells.values()) == {1} and len(cells) == CELLS  # every cell, exactly once
    # Nothing else ran: any other trial is a surplus one closed unrun.
    assert all(t.user_attrs.get("surplus") for t in trials if t not in complete)
    assert len({t.user_attrs["worker"] for t in complete}) == 2  # both workers took cells
    one = run_study(FAMILIES, PEAKS, SEEDS, storage=tmp_path / "one.journal", n_workers=1,
                    objective=slow_trial, progress=False)
    assert two.records == one.records
    # ... and what a plain loop gives, in the same order.
    assert one.records == sweep(FAMILIES, PEAKS, SEEDS, objective=slow_trial).records
    assert one.best_rate("cosine") == 0.3 and one.diverging_rates("cosine") == (3.0,)


def test_running_again_resumes_and_sqlite_works(tmp_path, monkeypatch):
    storage = tmp_path / "study.db"
    first = run_study(FAMILIES, PEAKS, SEEDS, storage=storage,
                      objective=module_trial, progress=False)
    monkeypatch.setattr(module, "_work", lambda *a, **k: 0)  # no worker: read back only
    again = run_study(FAMILIES, PEAKS, SEEDS, storage=storage,
                      objective=module_trial, progress=False)
    assert again.records == first.records
    assert read_study(storage, FAMILIES, PEAKS, SEEDS,
                      objective=module_trial).records == first.records
    with pytest.raises(ValueError, match="no complete trial"):
        run_study(FAMILIES, PEAKS, [0, 1, 2], storage=storage, objective=module_trial,
                  progress=False, study_name=_name(storage))


def test_a_resumed_study_runs_the_cell_a_killed_worker_left_running(tmp_path, monkeypatch):
    storage = tmp_path / "killed.journal"

    def killed_worker(storage, study_name, space, setup, objective, **options):
        # A worker takes a cell and is killed before it ends: its trial stays RUNNING.
        study = optuna.load_study(study_name=study_name, storage=make_storage(storage),
                                  sampler=optuna.samplers.GridSampler(space, seed=0))
        handle = study.ask()
        for name in ("family", "peak", "seed"):
            handle.suggest_categorical(name, space[name])
        return 0

    with monkeypatch.context() as patch:
        patch.setattr(module, "_work", killed_worker)
        with pytest.raises(ValueError, match=f"{CELLS} of {CELLS} grid cells"):
            run_study(FAMILIES, PEAKS, SEEDS, storage=storage, objective=module_trial,
                      progress=False)
    stale = [t for t in _trials(storage) if t.state == optuna.trial.TrialState.RUNNING]
    assert len(stale) == 1
    resumed = run_study(FAMILIES, PEAKS, SEEDS, storage=storage, objective=module_trial,
                        progress=False)
    assert len(resumed.records) == CELLS  # the stale cell too (it used to end a cell short)
    trials = _trials(storage)
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    cells = collections.Counter((t.params["family"], t.params["peak"], t.params["seed"])
                                for t in complete)
    assert len(cells) == CELLS and set(cells.values()) == {1}
    failed = [t for t in trials if t.state == optuna.trial.TrialState.FAIL]
    assert [t.number for t in failed] == [stale[0].number] and failed[0].user_attrs["stale"]
    assert resumed.records == sweep(FAMILIES, PEAKS, SEEDS, objective=module_trial).records


def test_a_resumed_study_runs_again_a_cell_whose_objective_failed(tmp_path):
    storage = tmp_path / "failed.journal"
    with pytest.raises(RuntimeError, match="flaky"):
        run_study(FAMILIES, PEAKS, SEEDS, storage=storage, objective=flaky_trial,
                  progress=False)
    resumed = run_study(FAMILIES, PEAKS, SEEDS, storage=storage, objective=flaky_trial,
                        progress=False, study_name=_name(storage))
    assert len(resumed.records) == CELLS


_FLAKY = {"failed": False}


def flaky_trial(family, learning_rate, seed, setup=None):
    """The synthetic trial, failing once (the first time it meets cosine 0.3, seed 1)."""
    if (family, learning_rate, seed) == ("cosine", 0.3, 1) and not _FLAKY["failed"]:
        _FLAKY["failed"] = True
        raise RuntimeError("flaky: the first try fails")
    return module_trial(family, learning_rate, seed, setup=setup)


def module_trial(family, learning_rate, seed, setup=None):
    from lrlib.course.widgets.discovery import synthetic_trial

    return synthetic_trial(family, learning_rate, seed, setup=setup)


def _name(storage):
    return optuna.get_all_study_summaries(make_storage(storage))[0].study_name


def test_the_results_table_has_its_schema_and_round_trips_exactly(tmp_path):
    setup = Setup(epochs=2, seeds=(0, 1), validation=True)
    records = [Record.of("cosine", 0.3, 0, accuracy=0.9123456789, val_accuracy=0.9,
                         loss=0.25, train_loss=0.01, steps=64, mean_rate=0.15),
               Record.of("cosine", 0.3, 1, diverged_at=7, steps=8, validated=True),
               Record.of("constant", 0.1, 0, accuracy=0.8, steps=64, task="mnist1d")]
    results = SweepResults.from_records(records, total_steps=setup.total_steps)
    path = write_table(results, tmp_path / "sub" / "results.jsonl", setup)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert all(set(row) == set(SCHEMA) for row in rows)
    assert [(r["family"], r["seed"], r["split"]) for r in rows][:3] == [
        ("cosine", 0, "train"), ("cosine", 0, "test"), ("cosine", 0, "validation")]
    assert rows[0]["setup"]["total_steps"] == setup.total_steps == 64
    back = read_table(path)
    assert back.records == results.records and back.total_steps == 64
    assert back.records[1].diverged and back.records[1].metrics["validation"] == {}
    assert setup_from_dict(setup_to_dict(setup)) == setup
    rows[0]["peak"] = "high"
    (tmp_path / "bad.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    with pytest.raises(ValueError, match="`peak` must be float"):
        read_table(tmp_path / "bad.jsonl")


def test_the_command_writes_the_table(tmp_path, monkeypatch):
    calls = {}

    def fake_run_study(families, peaks, seeds, setup, **options):
        calls.update(families=families, peaks=peaks, seeds=seeds, setup=setup, **options)
        return sweep(families, peaks, seeds, setup, objective=module_trial)

    monkeypatch.setattr(module, "run_study", fake_run_study)
    out = tmp_path / "digits.jsonl"
    assert module.main(["--task", "mnist1d", "--workers", "2", "--out", str(out),
                        "--families", "constant", "cosine", "--peaks", "0.1", "0.3",
                        "--seeds", "3", "--no-progress"]) == 0
    assert calls["n_workers"] == 2 and calls["storage"] == f"{out}.journal"
    assert calls["setup"].task == "mnist1d" and calls["seeds"] == (0, 1, 2)
    assert len(read_table(out)) == 2 * 2 * 3


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="`families`"):
        run_study("cosine", PEAKS, SEEDS, storage=tmp_path / "s.journal")
    with pytest.raises(ValueError, match="`peaks`"):
        run_study(FAMILIES, [0.1, 0.1], SEEDS, storage=tmp_path / "s.journal")
    with pytest.raises(ValueError, match="`n_workers`"):
        run_study(FAMILIES, PEAKS, SEEDS, storage=tmp_path / "s.journal", n_workers=0)


def test_the_stored_mnist1d_probe_supports_its_claims():
    from lrlib.course.stats import paired_difference

    results = module.stored("mnist1d_probe")
    assert len(results) == 65 and {r.task for r in results.records} == {"mnist1d"}
    assert results.total_steps == 1880
    first = SweepResults.from_records([r for r in results.records if r.seed < 5],
                                      total_steps=results.total_steps)
    assert first.selection_metric == "val_accuracy"
    assert first.best_rate("constant") == 0.05 and first.best_rate("cosine") == 0.2
    assert first.rates[0] < 0.05 < 0.2 < first.rates[-1]  # both inside the grid
    cosine, constant = results.cell("cosine", 0.2), results.cell("constant", 0.05)
    assert cosine.runs == constant.runs == 10
    test = paired_difference(cosine, constant, "accuracy")
    assert test.n == 10 and test.low > 0.02 and 0.035 < test.mean < 0.045
    with pytest.raises(ValueError, match="no stored results table"):
        module.stored("nothing")


def test_store_writes_one_table_per_family_and_skips_stored_ones(tmp_path, monkeypatch):
    from lrlib.course.widgets.discovery import synthetic_trial

    calls = []

    def fake_run_study(families, peaks, seeds, setup, **options):
        calls.append(families)
        return run_study(families, peaks, seeds, setup, storage=options["storage"],
                         objective=synthetic_trial, progress=False)

    monkeypatch.setattr(module, "run_study", fake_run_study)
    paths = module.store("digits", ["constant", "cosine"], peaks=[0.1, 0.3],
                         results=tmp_path, progress=False)
    assert [p.name for p in paths] == ["digits-constant.jsonl", "digits-cosine.jsonl"]
    assert not list(tmp_path.glob("*.journal"))  # the study's journal is removed
    assert module.store("digits", ["constant"], results=tmp_path, progress=False) == []
    assert calls == [["constant"], ["cosine"]]
    monkeypatch.setattr(module, "RESULTS", tmp_path)
    both = module.stored_sweep("digits", ["constant", "cosine"])
    assert both.families == ("constant", "cosine") and len(both) == 2 * 2 * 10
    with pytest.raises(ValueError, match="`families`"):
        module.stored_sweep("digits", "constant")


def test_reproduces_allows_one_example_and_a_relative_loss_tolerance():
    from lrlib.course.data import load_task

    images = len(load_task("digits", True).y_test)
    stored = Record.of("step", 1.0, 0, validated=True, accuracy=0.97, loss=0.1,
                       val_accuracy=0.96, val_loss=0.12, train_loss=0.01)
    near = Record.of("step", 1.0, 0, validated=True, accuracy=0.97 + 1 / images,
                     loss=0.1 * (1 + 5e-4), val_accuracy=0.96, val_loss=0.12,
                     train_loss=0.01)
    assert module.reproduces(stored, near)
    for change in ({"accuracy": 0.97 + 2 / images}, {"loss": 0.1 * (1 + 2e-3)},
                   {"train_loss": 0.02}):
        values = dict(dict(accuracy=0.97, loss=0.1, val_accuracy=0.96, val_loss=0.12,
                           train_loss=0.01), **change)
        with pytest.raises(AssertionError):
            module.reproduces(stored, Record.of("step", 1.0, 0, validated=True, **values))
    with pytest.raises(AssertionError):
        module.reproduces(stored, Record.of("step", 1.0, 1, validated=True, accuracy=0.97))


def test_paired_verdicts_tabulates_each_pair_with_its_interval():
    records = []
    for seed in range(10):
        records.append(Record.of("cosine", 1.0, seed, accuracy=0.97 + 0.001 * (seed % 3)))
        records.append(Record.of("constant", 1.0, seed, accuracy=0.96 + 0.001 * (seed % 2)))
        records.append(Record.of("constant", 0.3, seed, accuracy=0.97 + 0.002 * (seed % 2)
                                 - 0.001 * (seed % 3 == 1)))
    results = SweepResults.from_records(records)
    table, differences = module.paired_verdicts(results, {
        "win": (("cosine", 1.0), ("constant", 1.0)),
        "tie": (("cosine", 1.0), ("constant", 0.3)),
    })
    assert differences["win"].n == 10 and differences["win"].low > 0
    assert not differences["tie"].excludes_zero
    assert [row[-1] for row in table.rows] == ["cosine 1 beats constant 1", "within noise"]
    assert "95% t interval over 10 seeds" in table.caption


def test_the_stored_digits_tables_follow_the_protocol():
    families = [p.stem.split("-", 1)[1] for p in sorted(module.RESULTS.glob("digits-*.jsonl"))]
    assert "constant" in families
    results = module.stored_sweep("digits", families)
    protocol = module.TASK_SETUPS["digits"]
    assert results.total_steps == protocol.total_steps == 320
    assert results.selection_metric == "val_accuracy"
    for family in families:
        for cell in results.cells(family):
            assert cell.runs == 10 and [r.seed for r in cell.records] == list(protocol.seeds)


def test_stored_tables_agree_wherever_they_hold_the_same_run():
    """Two stored tables may hold the same run (same setup, family, peak, seed: the digits'
    constant rates are in ``digits.jsonl``, ``digits-constant.jsonl`` and
    ``range_test_digits.jsonl``); each such run has the same numbers in every table."""
    seen, shared = {}, 0
    for path in sorted(module.RESULTS.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            setup = dict(row["setup"] or {})
            setup.pop("seeds", None)  # which seeds a table ran is not part of a run's setup
            key = (json.dumps(setup, sort_keys=True), row["family"], row["peak"], row["seed"],
                   row["split"])
            value = (row["metrics"], row["diverged"], row["diverged_at"], row["steps"])
            if key in seen and seen[key][1] != path.name:
                shared += 1
                assert seen[key][0] == value, (key[1:], seen[key][1], path.name)
            seen.setdefault(key, (value, path.name))
    assert shared > 100  # the overlaps exist: the assertion above was exercised
