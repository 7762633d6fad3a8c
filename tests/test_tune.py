"""netdesigner tune: studies over a design's search space (tiny xor designs, 2-3 epochs).

Workers sharing one study through SQLite (one killed mid-trial) and the journal file; pruning on
the per-epoch metric; grid search covering its grid; the results table and --apply-best; one-line
errors for wrong or unreachable storages."""
from __future__ import annotations

import json
import os
import re

import pytest

import optuna  # the test extra has it: a missing Optuna fails, it is not skipped
from optuna.trial import TrialState  # noqa: E402

from core.cli import main  # noqa: E402
from core.designfile import load_design  # noqa: E402
from core.pool import spawn_workers  # noqa: E402
from core.tune import TuneConfig, objective, prepare, work  # noqa: E402
from tests.tune_helpers import check_two_workers_one_killed, searched_xor, started  # noqa: E402


def test_median_pruning_stops_a_worse_trial_within_its_epochs(tmp_path):
    """The second trial learns nothing (tiny learning rate) and is worse than the first at every
    epoch: the median rule prunes it and its trainer stops early."""
    path = searched_xor(tmp_path, epochs=6)
    design = load_design(path)
    cfg = TuneConfig(design.to_dict(), metric="val_loss", epochs=6)
    study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=1))
    study.enqueue_trial({"hidden.units": 12, "training.optimizer.params.learning_rate": 0.2})
    study.enqueue_trial({"hidden.units": 2, "training.optimizer.params.learning_rate": 0.005})
    study.optimize(lambda t: objective(t, design, cfg), n_trials=2)
    good, bad = study.trials
    assert good.state == TrialState.COMPLETE and len(good.user_attrs["history"]) == 6
    assert bad.state == TrialState.PRUNED
    # Reported at epochs 0 and 1 (warm-up 1), pruned at epoch 1: training stopped after 2 epochs.
    assert sorted(bad.intermediate_values) == [0, 1]
    assert len(bad.user_attrs["history"]) == 2
    assert bad.intermediate_values[1] > good.intermediate_values[1]


def test_grid_search_tries_every_point_once(tmp_path, capsys):
    path = searched_xor(tmp_path, search=[
        {"node": "hidden", "param": "units", "kind": "choice", "choices": [2, 6]},
        {"setting": "optimizer.params.learning_rate", "kind": "choice", "choices": [0.01, 0.1]}])
    assert main(["tune", str(path), "--trials", "10", "--sampler", "grid", "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    head = out[0].split()
    assert head[:4] == ["trial", "state", "value", "seconds"]
    rows = [line.split() for line in out[1:5]]
    assert all(r[1] == "COMPLETE" for r in rows)
    assert sorted((int(r[4]), float(r[5])) for r in rows) == [(2, 0.01), (2, 0.1), (6, 0.01), (6, 0.1)]
    assert out[5].startswith("best: trial ")            # the grid (4 points) caps --trials 10


def test_table_best_and_apply_best(tmp_path, capsys):
    path = searched_xor(tmp_path, epochs=2)
    out_path = tmp_path / "best.json"
    assert main(["tune", str(path), "--trials", "3", "--sampler", "random", "--seed", "4", "--quiet",
                 "--apply-best", str(out_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines[1:4]]
    assert [r[1] for r in rows] == ["COMPLETE"] * 3
    best_row = min(rows, key=lambda r: float(r[2]))     # val_loss is minimised
    m = re.match(r"best: trial (\d+), val_loss (\S+):", lines[4])
    assert m and int(m.group(1)) == int(best_row[0]) and m.group(2) == best_row[2]
    best = load_design(out_path)
    assert best.graph.nodes["hidden"].params["units"] == int(best_row[4])
    assert best.training["optimizer"]["params"]["learning_rate"] == pytest.approx(float(best_row[5]), rel=1e-3)
    assert [sp.name for sp in best.search] == [sp.name for sp in load_design(path).search]


def test_two_workers_on_sqlite_one_killed_mid_trial(tmp_path):
    check_two_workers_one_killed(searched_xor(tmp_path), f"sqlite:///{tmp_path / 'study.db'}")


def test_two_local_workers_on_a_journal_file(tmp_path, capfd):
    """--jobs 2 spawns two worker processes that share the study through a journal file (as
    workers on two machines would through a shared folder): every trial is run by exactly one of
    them, the table lists them all, and the study holds at least the 4 requested."""
    design = searched_xor(tmp_path, epochs=2)
    log = tmp_path / "study.log"
    assert main(["tune", str(design), "--trials", "4", "--sampler", "tpe", "--jobs", "2",
                 "--storage", f"journal://{log}", "--study", "s"]) == 0
    lines = capfd.readouterr().out.splitlines()
    study = optuna.load_study(study_name="s", storage=optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(log))))
    numbers = sorted(t.number for t in study.trials)
    ran = started(lines)
    assert sorted(ran) == numbers                               # each trial started exactly once
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert len(complete) >= 4 and len(numbers) == len(complete)
    rows = [line.split() for line in lines if line[:1].isdigit()]
    assert sorted(int(r[0]) for r in rows) == numbers
    workers = {t.user_attrs["worker"] for t in study.trials}    # spawned processes, not this one
    assert 1 <= len(workers) <= 2 and not any(w.endswith(f":{os.getpid()}") for w in workers)


@pytest.mark.parametrize("url, words", [
    ("foo://bar", "unsupported storage URL 'foo://bar'"),
    ("sqlite:////no/such/folder/x.db", "unable to open database file"),
    ("journal:///no/such/folder/x.log", "the folder /no/such/folder does not exist"),
    ("postgresql+psycopg://nd:secret@/db?host=/no/such/socket&port=1", "connection"),
])
def test_a_bad_storage_is_one_line_and_exit_2(tmp_path, capsys, url, words):
    path = searched_xor(tmp_path)
    assert main(["tune", str(path), "--trials", "1", "--storage", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("netdesigner tune: ")
    assert words in err[0] and "Traceback" not in err[0] and "secret" not in err[0]


def test_nothing_searched_and_bad_metric_are_clear(tmp_path, capsys):
    path = searched_xor(tmp_path)
    d = json.loads(path.read_text())
    del d["search"]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(d))
    assert main(["tune", str(bare), "--trials", "1"]) == 2
    assert "searches no parameter" in capsys.readouterr().err
    assert main(["tune", str(path), "--trials", "1", "--metric", "val_auc"]) == 2
    assert "does not compute 'auc'" in capsys.readouterr().err


def test_work_reaches_the_requested_count_in_memory(tmp_path):
    design = load_design(searched_xor(tmp_path, epochs=2))
    cfg = TuneConfig(design.to_dict(), trials=3, method="random", seed=1, quiet=True)
    _, study = prepare(cfg)
    assert cfg.metric == "val_loss"
    mine = work(cfg, study=study)
    assert mine == [0, 1, 2] and [t.state for t in study.trials] == [TrialState.COMPLETE] * 3


def test_kfold_per_trial_reports_the_mean_of_the_held_out_folds(tmp_path):
    design = load_design(searched_xor(tmp_path, epochs=2))
    cfg = TuneConfig(design.to_dict(), trials=2, method="random", seed=2, kfold=3, quiet=True)
    _, study = prepare(cfg)
    work(cfg, study=study)
    for t in study.trials:
        folds = t.user_attrs["folds"]
        assert t.state == TrialState.COMPLETE and len(folds) == 3
        assert t.value == pytest.approx(sum(folds) / 3)
        assert sorted(t.intermediate_values) == [0, 1, 2]      # reported after every fold


def _thread_probe(path):
    from core import threads
    with open(path, "w") as f:
        json.dump({"numba": os.environ.get("NUMBA_NUM_THREADS"), "cap": threads._cap}, f)


def test_spawned_workers_get_their_share_of_the_cores(tmp_path):
    paths = [str(tmp_path / f"w{i}.json") for i in range(2)]
    before = os.environ.get("NUMBA_NUM_THREADS")
    procs = spawn_workers(_thread_probe, [(p,) for p in paths], cores=4)
    assert os.environ.get("NUMBA_NUM_THREADS") == before        # only the children's changed
    for p in procs:
        p.join()
    assert [p.exitcode for p in procs] == [0, 0]
    assert [json.loads(open(p).read()) for p in paths] == [{"numba": "2", "cap": 2}] * 2


def test_a_trial_that_cannot_train_fails_alone_and_failing_ends(tmp_path, monkeypatch, capsys):
    """A NetDesignerError in one trial fails that trial (one line, its message kept); when every
    trial fails the worker gives up after trials + 3 failures instead of looping forever."""
    import core.tune as tune
    from core.errors import DataError

    def broken(trial, design, values, cfg):
        raise DataError("the data set has no column 'y'")

    monkeypatch.setattr(tune, "train_trial", broken)
    design = load_design(searched_xor(tmp_path))
    cfg = TuneConfig(design.to_dict(), trials=2, method="random", seed=0)
    _, study = prepare(cfg)
    assert work(cfg, study=study) == [0, 1, 2, 3, 4]
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 5
    assert study.trials[0].user_attrs["error"] == "the data set has no column 'y'"
    out = capsys.readouterr().out
    assert "trial 0 failed: the data set has no column 'y'" in out and "stopping: 5 trials failed" in out
    assert "Traceback" not in out


def test_joining_a_study_that_optimises_the_other_way_is_refused(tmp_path, capsys):
    path = searched_xor(tmp_path)
    url = f"sqlite:///{tmp_path / 'dir.db'}"
    optuna.create_study(storage=url, study_name="s", direction="minimize")
    assert main(["tune", str(path), "--trials", "1", "--storage", url, "--study", "s",
                 "--metric", "val_accuracy"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["netdesigner tune: study 's' already exists and it minimizes; this run would maximize "
                   "(use another --study name)"]
