"""Run history (core/runs.py): records built from a real run's events, stored beside the design,
bounded, loaded strictly; differences between designs; variants with one change."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from core.designfile import load_design, save_design
from core.errors import DesignFileError, GraphError
from core.events import BatchesEnd, EpochEnd, TrainEnd
from core.model import Model
from core import runs
from core.runs import (RunFileError, RunRecorder, RunStore, Thinned, diff_designs, load_run, make_variant,
                       record_events)

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"


def small_xor(epochs=4):
    d = load_design(EXAMPLES / "xor.json")
    d.training["epochs"] = epochs
    d.training["stats_interval"] = 2
    return d


def trained_record(d, **kw):
    model = Model.from_design(d)
    events = list(model.trainer(collect_stats=True, stats_budget=math.inf).run())
    return record_events(d, events, **kw), events


def test_record_holds_the_runs_curves_statistics_and_settings():
    d = small_xor()
    rec, events = trained_record(d, label="A")
    end = events[-1]
    assert isinstance(end, TrainEnd) and rec.reason == end.reason == "completed"
    assert rec.epochs_run == 4 and rec.epochs == [0, 1, 2, 3]
    # per-epoch curves equal the trainer's own history
    assert np.allclose(rec.history["loss"], end.history["loss"])
    # every batch loss of this short run is kept, in step order
    batch = np.concatenate([e.losses for e in events if isinstance(e, BatchesEnd)])
    assert rec.batch_losses == pytest.approx(list(batch))
    assert rec.batch_steps == list(range(len(batch)))
    # per-layer statistics: every Dense layer has a gradient-norm series and a weight histogram
    dense = [n for n, node in d.graph.nodes.items() if node.type == "Dense"]
    for nid in dense:
        s = rec.layers[nid]
        assert s["kind"] == "weights" and len(s["grad_norm"]) >= 2
        assert sum(s["hist_counts"]) == s["weight_count"] > 0
    assert set(rec.grad_flow()) >= set(dense)
    assert rec.design_hash == d.structure_hash()
    assert rec.training["seed"] == d.training["seed"] and rec.data == d.data
    assert rec.final["loss"] == pytest.approx(end.history["loss"][-1])


def test_store_writes_beside_the_design_and_loads_back(tmp_path):
    d = small_xor(2)
    path = tmp_path / "net.json"
    save_design(d, path)
    store = RunStore(path)
    rec, _ = trained_record(d)
    store.add(rec)
    assert os.path.isdir(str(path) + ".runs")
    loaded = RunStore(path).load_all()
    assert [r.id for r in loaded] == [rec.id]
    assert loaded[0].to_dict() == json.loads(json.dumps(rec.to_dict()))
    store.remove(rec.id)
    assert RunStore(path).load_all() == []


def test_store_keeps_at_most_max_runs_oldest_dropped(tmp_path):
    d = small_xor(1)
    store = RunStore(tmp_path / "d.json", max_runs=3)
    ids = []
    for i in range(5):
        rec = RunRecorder(d, label=str(i)).record(run_id=f"2026010{i}-000000-000000-0000")
        store.add(rec)
        ids.append(rec.id)
    assert [r.id for r in store.load_all()] == ids[2:]


def test_unsaved_design_keeps_runs_in_memory_until_attached(tmp_path):
    d = small_xor(1)
    store = RunStore(None)
    rec = RunRecorder(d).record()
    store.add(rec)
    assert store.load_all()[0].id == rec.id and not os.listdir(tmp_path)
    store.attach(tmp_path / "saved.json")
    assert [r.id for r in RunStore(tmp_path / "saved.json").load_all()] == [rec.id]


def test_curves_are_thinned_to_the_cap_evenly_with_last_point():
    t = Thinned(100)
    for i in range(100_003):
        t.add(i, float(i))
    xs, ys = t.values()
    assert len(xs) <= 100 and xs[0] == 0 and xs[-1] == 100_002
    gaps = np.diff(xs)
    assert gaps.max() <= 2.5 * gaps.mean()          # evenly spread, no clump at one end


def test_a_long_run_is_bounded_in_size():
    d = small_xor(1)
    rec = RunRecorder(d)
    for e in range(2000):
        rec.handle(BatchesEnd(e, 0, e * 100, np.full(100, 0.5), np.full(100, 0.1), 100, 1.0))
        rec.handle(EpochEnd(e, {"loss": 1.0 / (e + 1), "val_loss": float("nan"), "lr": 0.1}, 0.0))
    rec.handle(TrainEnd("completed", "", 2000, None, {}))
    r = rec.record()
    assert len(r.batch_losses) <= runs.MAX_BATCH_POINTS and len(r.history["loss"]) <= runs.MAX_EPOCH_POINTS
    assert r.epochs[-1] == 1999 and r.history["loss"][-1] == pytest.approx(1 / 2000)
    assert r.history["val_loss"][0] is None                 # NaN is stored as null (valid JSON)
    assert len(runs.dumps_run(r)) < 200_000


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d.update(format="other"), "format"),
    (lambda d: d.update(version=99), "version"),
    (lambda d: d.pop("history"), "history"),
    (lambda d: d["history"].update(loss=[1.0, "x"]), "history.loss[1]"),
    (lambda d: d.update(epochs_run="3"), "epochs_run"),
    (lambda d: d.update(id="../evil"), "id"),
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d["final"].update(loss=True), "final.loss"),
    (lambda d: d["design"]["nodes"][1]["params"].update(units=-3), "design.nodes[1].params.units"),
])
def test_loading_is_strict_and_names_file_and_path(tmp_path, mutate, where):
    rec = RunRecorder(small_xor(1)).record()
    doc = rec.to_dict()
    mutate(doc)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(doc))
    with pytest.raises(RunFileError) as info:
        load_run(f)
    assert str(f) in str(info.value) and where in str(info.value)
    assert "\n" not in str(info.value)


def test_a_broken_file_is_skipped_and_reported_not_fatal(tmp_path):
    store = RunStore(tmp_path / "d.json")
    good = store.add(RunRecorder(small_xor(1)).record())
    Path(store.folder, "zz-broken.json").write_text("{not json")
    assert [r.id for r in store.load_all()] == [good.id]
    assert len(store.problems) == 1 and "zz-broken.json" in store.problems[0] and "JSON" in store.problems[0]


def test_diff_names_parameters_blocks_connections_and_settings():
    a = small_xor()
    b = make_variant(a, {"node": "hidden", "param": "units", "value": 3})
    b = make_variant(b, {"setting": "training.optimizer.params.learning_rate", "value": 0.5})
    diff = {(x.kind, x.where): (x.a, x.b) for x in diff_designs(a.to_dict(), b.to_dict())}
    assert diff[("parameter", "hidden.units")][1] == "3"
    assert diff[("setting", "training.optimizer.params.learning_rate")][1] == "0.5"
    assert len(diff) == 2                          # nothing else differs: same seed, same split
    c = a.to_dict()
    c["nodes"] = [n for n in c["nodes"] if n["id"] != "tanh"]
    c["edges"] = [e for e in c["edges"] if "tanh" not in (e["source"], e["target"])]
    kinds = {x.kind for x in diff_designs(a.to_dict(), c)}
    assert kinds == {"block", "connection"}


def test_variant_keeps_seed_and_split_and_trains_on_the_same_data():
    a = small_xor(1)
    b = make_variant(a, {"setting": "training.optimizer.params.learning_rate", "value": 0.001})
    assert b.training["seed"] == a.training["seed"] and b.data == a.data
    ma, mb = Model.from_design(a), Model.from_design(b)
    assert np.array_equal(ma.data.X_train, mb.data.X_train) and np.array_equal(ma.data.X_val, mb.data.X_val)
    wa, wb = ma.executor.get_weights(), mb.executor.get_weights()
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)       # the same starting weights
    # switching the optimizer keeps the learning rate it shares with the old one
    c = make_variant(a, {"setting": "training.optimizer.name", "value": "adam"})
    assert c.training["optimizer"]["params"]["learning_rate"] == a.training["optimizer"]["params"]["learning_rate"]


@pytest.mark.parametrize("change, error", [
    ({"node": "nope", "param": "units", "value": 2}, DesignFileError),
    ({"node": "hidden", "param": "colour", "value": 2}, DesignFileError),
    ({"node": "hidden", "param": "units", "value": -1}, (DesignFileError, GraphError)),
    ({"setting": "training.nothing", "value": 1}, DesignFileError),
    ({"setting": "weights.x", "value": 1}, DesignFileError),
    ({"value": 1}, DesignFileError),
])
def test_a_bad_change_is_a_clear_error(change, error):
    with pytest.raises(error) as info:
        make_variant(small_xor(1), change)
    assert "\n" not in str(info.value)


def test_extend_keeps_the_same_points_as_adding_one_by_one():
    a, b = Thinned(50), Thinned(50)
    rng = np.random.default_rng(0)
    x = 0
    for n in rng.integers(1, 400, 60):
        ys = rng.random(n)
        a.extend(x, ys)
        for i, y in enumerate(ys):
            b.add(x + i, y)
        x += n
    assert a.values() == b.values() and a.stride == b.stride


def test_a_record_too_large_to_keep_is_refused_with_a_clear_error(tmp_path, monkeypatch):
    store = RunStore(tmp_path / "d.json")
    rec = RunRecorder(small_xor(1)).record()
    monkeypatch.setattr(runs, "MAX_RUN_FILE_BYTES", 1000)
    with pytest.raises(RunFileError) as info:
        store.add(rec)
    assert "not kept" in str(info.value) and rec.id in str(info.value)
    assert store.load_all() == []
