"""Trainer behaviour end to end: learning, callbacks, determinism, divergence, control, events."""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from core.designfile import Design
from core.events import BatchesEnd, EpochEnd, LayerStats, Paused, Resumed, TrainEnd
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training


def mlp(layers, *, input_width, residual=False):
    """Input → [Dense → activation]* ; layers = [(units, activation or None, params), ...]."""
    g = Graph()
    prev = g.add_node("Input", {"shape": [input_width]}).id
    for units, act, params in layers:
        d = g.add_node("Dense", {"units": units, **params}).id
        g.connect(prev, d)
        prev = d
        if act:
            a = g.add_node(act).id
            g.connect(prev, a)
            prev = a
    return g


def design(g, data, **training):
    return Design(g, validate_training(training), validate_data(data))


def xor_design(**kw):
    g = mlp([(4, "Tanh", {}), (1, None, {})], input_width=2)
    t = dict(loss={"name": "binary_crossentropy", "params": {"from_logits": True}},
             optimizer={"name": "adam", "params": {"learning_rate": 0.05}},
             batch_size=8, epochs=200, metrics=["accuracy"], seed=1)
    t.update(kw)
    return design(g, {"name": "xor", "validation_split": 0.0, "params": {"n": 200, "noise": 0.0}}, **t)


def test_xor_learned_to_100_percent():
    m = Model.from_design(xor_design())
    end = m.fit(collect_stats=False)
    assert end.reason == "completed"
    d = m.data
    out = m.executor.predict(d.X_train)
    assert np.mean((out[:, 0] > 0) == (d.y_train[:, 0] > 0.5)) == 1.0


def test_digits_mlp_reaches_96_percent_in_30_epochs():
    """Mean over three seeded 80/20 splits (one split alone swings ±1.5%: sklearn's MLP too)."""
    accs = []
    for seed in range(3):
        g = mlp([(64, "ReLU", {"kernel_initializer": "he_uniform"}),
                 (64, "ReLU", {"kernel_initializer": "he_uniform"}), (10, "Softmax", {})], input_width=64)
        des = design(g, {"name": "digits", "validation_split": 0.0, "test_split": 0.2, "seed": seed},
                     loss={"name": "sparse_categorical_crossentropy"},
                     optimizer={"name": "adam", "params": {"learning_rate": 0.001}},
                     batch_size=32, epochs=30, metrics=["accuracy"], seed=seed)
        m = Model.from_design(des)
        m.fit(collect_stats=False)
        accs.append(m.evaluate("test")["accuracy"])
    assert np.mean(accs) >= 0.96 and min(accs) >= 0.94, accs


def test_residual_mlp_trains():
    g = Graph()
    i = g.add_node("Input", {"shape": [2]}).id
    d0 = g.add_node("Dense", {"units": 16, "kernel_initializer": "he_uniform"}).id
    r0 = g.add_node("ReLU").id
    d1 = g.add_node("Dense", {"units": 16, "kernel_initializer": "he_uniform"}).id
    r1 = g.add_node("ReLU").id
    add = g.add_node("Add").id
    out = g.add_node("Dense", {"units": 1}).id
    for a, b in [(i, d0), (d0, r0), (r0, d1), (d1, r1)]:
        g.connect(a, b)
    g.connect(r0, add, 0)   # skip connection: r0 feeds both d1 and the Add
    g.connect(r1, add, 1)
    g.connect(add, out)
    des = design(g, {"name": "moons", "validation_split": 0.2, "params": {"n": 400}},
                 loss={"name": "binary_crossentropy", "params": {"from_logits": True}},
                 optimizer={"name": "adam", "params": {"learning_rate": 0.01}},
                 batch_size=16, epochs=40, metrics=["accuracy"])
    m = Model.from_design(des)
    end = m.fit(collect_stats=False)
    assert end.history["loss"][-1] < 0.5 * end.history["loss"][0]
    assert end.history["val_accuracy"][-1] >= 0.95


def test_same_seed_gives_identical_run():
    runs = []
    for _ in range(2):
        m = Model.from_design(xor_design(epochs=5))
        losses = [ev.losses for ev in m.trainer(collect_stats=False).run() if isinstance(ev, BatchesEnd)]
        runs.append((np.concatenate(losses), m.executor.params.copy()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    m = Model.from_design(xor_design(epochs=5, seed=2))
    m.fit(collect_stats=False)
    assert not np.array_equal(m.executor.params, runs[0][1])


def _early_stopping_run(patience, epochs=50):
    # min_delta so large that nothing after the first epoch counts as better: deterministic stop.
    des = xor_design(epochs=epochs, early_stopping={"enabled": True, "monitor": "loss", "patience": patience,
                                                     "min_delta": 1e9, "restore_best_weights": True})
    m = Model.from_design(des)
    per_epoch = []
    end = None
    for ev in m.trainer(collect_stats=False).run():
        if isinstance(ev, EpochEnd):
            per_epoch.append(m.executor.params.copy())
        end = ev
    return m, per_epoch, end


# Keras (keras/src/callbacks/early_stopping.py): each monitored epoch does wait += 1, an
# improvement resets wait to 0, and training stops when wait >= patience (and epoch > 0). Epoch 0
# is the best (inf → any value improves), so epochs 1..p raise wait to p: p + 1 epochs run; with
# patience 0 the first epoch without improvement (epoch 1) stops: 2 epochs.
@pytest.mark.parametrize("patience, keras_epochs", [(0, 2), (1, 2), (2, 3), (3, 4)])
def test_early_stopping_stops_when_keras_does(patience, keras_epochs):
    m, per_epoch, end = _early_stopping_run(patience)
    assert end.reason == "early_stopping" and end.epochs_run == keras_epochs and end.best_epoch == 0
    waited = keras_epochs - 1
    assert f"did not improve for {waited} epoch" in end.message
    np.testing.assert_array_equal(m.executor.params, per_epoch[0])      # best weights restored
    assert not np.array_equal(per_epoch[0], per_epoch[-1])


def test_best_weights_are_restored_when_training_completes():
    """Keras restores the best epoch's weights in on_train_end, also when patience never ran out."""
    m, per_epoch, end = _early_stopping_run(patience=100, epochs=4)
    assert end.reason == "completed" and end.epochs_run == 4 and end.best_epoch == 0
    np.testing.assert_array_equal(m.executor.params, per_epoch[0])
    assert "restored from epoch 1" in end.message


def test_checkpoint_reloads_to_identical_predictions(tmp_path):
    path = tmp_path / "best.npz"
    des = xor_design(epochs=6, checkpoint={"enabled": True, "path": str(path), "monitor": "loss"})
    m = Model.from_design(des)
    best = {}
    for ev in m.trainer(collect_stats=False).run():
        if isinstance(ev, EpochEnd) and ev.logs["loss"] < best.get("loss", np.inf):
            best = {"loss": ev.logs["loss"], "pred": m.executor.predict(m.data.X_train)}
    fresh = Model.from_design(des)
    meta = fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.executor.predict(m.data.X_train), best["pred"])
    assert meta["metrics"]["loss"] == pytest.approx(best["loss"])


def test_divergence_stops_with_reason_and_keeps_finite_weights():
    m = Model.from_design(xor_design(optimizer={"name": "sgd", "params": {"learning_rate": 100.0}},
                                     loss={"name": "mse"}, epochs=50))
    end = m.fit(collect_stats=False)
    assert end.reason == "diverged"
    assert "diverged" in end.message and "learning rate" in end.message
    assert np.isfinite(m.executor.params).all()


def test_stop_from_another_thread_within_a_batch():
    """Stop takes effect within one batch: at most the batch in flight when it was asked for is
    applied afterwards (counted in optimizer steps, not seconds; bench/ measures the latency)."""
    g = mlp([(256, "ReLU", {}), (256, "ReLU", {}), (10, "Softmax", {})], input_width=64)
    des = design(g, {"name": "digits", "validation_split": 0.0}, loss={"name": "sparse_categorical_crossentropy"},
                 batch_size=8, epochs=1000)
    m = Model.from_design(des)
    tr = m.trainer(collect_stats=False)
    events = []
    started = threading.Event()

    def consume():
        for ev in tr.run():
            events.append(ev)
            if isinstance(ev, BatchesEnd):
                started.set()

    th = threading.Thread(target=consume)
    th.start()
    assert started.wait(120)
    steps_when_asked = int(m.executor.step[0])
    tr.request_stop()
    th.join(120)
    assert not th.is_alive()
    assert isinstance(events[-1], TrainEnd) and events[-1].reason == "stopped"
    assert int(m.executor.step[0]) - steps_when_asked <= 1
    reported = sum(len(ev.losses) for ev in events if isinstance(ev, BatchesEnd))
    assert reported == int(m.executor.step[0])


def test_pause_and_resume():
    m = Model.from_design(xor_design(epochs=400))
    tr = m.trainer(collect_stats=False)
    kinds = []
    for ev in tr.run():
        kinds.append(type(ev))
        if isinstance(ev, BatchesEnd) and Paused not in kinds:
            tr.pause()
        if isinstance(ev, Paused):
            step = int(m.executor.step[0])
            threading.Timer(0.05, tr.resume).start()
    assert Paused in kinds and Resumed in kinds and kinds[-1] is TrainEnd
    assert int(m.executor.step[0]) > step
    assert ev.reason == "completed"


def test_events_carry_per_batch_losses_and_layer_statistics():
    des = xor_design(epochs=3)
    m = Model.from_design(des)
    tr = m.trainer(stats_samples=15)    # 75 planned steps / 15 samples: every 5 steps
    evs = list(tr.run())
    batches = [ev for ev in evs if isinstance(ev, BatchesEnd)]
    steps = sum(len(ev.losses) for ev in batches)
    assert steps == 3 * 25 and all(np.allclose(ev.lrs, 0.05) for ev in batches)
    stats = [ev for ev in evs if isinstance(ev, LayerStats)]
    assert [ev.step for ev in stats] == list(range(5, 76, 5))
    layers = {s.node_id: s for s in stats[-1].layers}
    counts = m.design.graph.param_counts()
    for nid in ("dense1", "dense2"):
        assert layers[nid].hist_counts.sum() == sum(counts[nid])
        assert layers[nid].grad_norm > 0 and layers[nid].grad_mean_abs > 0
    assert 0.0 <= layers["tanh1"].saturated_fraction <= 1.0


def test_changing_the_design_does_not_recompile():
    from core.kernels.engine import predict_chunk, train_chunk
    Model.from_design(xor_design(epochs=1)).fit(collect_stats=False)
    before = (len(train_chunk.signatures), len(predict_chunk.signatures))
    g = mlp([(7, "ReLU", {}), (5, "Tanh", {}), (3, "Softmax", {})], input_width=2)
    des = design(g, {"name": "blobs", "validation_split": 0.25}, loss={"name": "sparse_categorical_crossentropy"},
                 batch_size=13, epochs=2, metrics=["accuracy"])
    Model.from_design(des).fit()
    assert (len(train_chunk.signatures), len(predict_chunk.signatures)) == before


_CACHE_PROBE = """
import time, sys
t0 = time.perf_counter()
from core.kernels.engine import train_chunk
from tests.test_trainer import xor_design
from core.model import Model
m = Model.from_design(xor_design(epochs=1))
m.fit(collect_stats=False)
print(sum(train_chunk.stats.cache_hits.values()), sum(train_chunk.stats.cache_misses.values()))
print("seconds", time.perf_counter() - t0)
"""


def test_second_process_hits_the_kernel_cache():
    """A new process loads the fused training kernel from the on-disk cache instead of compiling
    it. The project's own cache is used (a private, empty one made this test compile the whole
    engine from scratch: a minute and a half of CI for a property the second run shows alone):
    the first process compiles only if nothing has yet (0 or 1 miss), the second must hit."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs = [subprocess.run([sys.executable, "-c", _CACHE_PROBE], env=env, cwd=root, capture_output=True,
                           text=True, timeout=300) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    (hits1, misses1), (hits2, misses2) = (map(int, r.stdout.split()[:2]) for r in runs)
    assert hits1 + misses1 == 1          # one signature: compiled here, or loaded from the cache
    assert (hits2, misses2) == (1, 0)    # second process loads the cached machine code


def test_frozen_batchnorm_keeps_its_moving_statistics():
    g = Graph()
    i = g.add_node("Input", {"shape": [2]}).id
    d = g.add_node("Dense", {"units": 4}).id
    bn = g.add_node("BatchNorm", {"trainable": False}).id
    o = g.add_node("Dense", {"units": 1}).id
    for a, b in [(i, d), (d, bn), (bn, o)]:
        g.connect(a, b)
    m = Model.from_design(design(g, {"name": "xor", "validation_split": 0.0},
                                 loss={"name": "binary_crossentropy", "params": {"from_logits": True}},
                                 batch_size=16, epochs=2))
    before = m.executor.get_weights()
    m.fit(collect_stats=False)
    after = m.executor.get_weights()
    for name in ("batchnorm1/moving_mean", "batchnorm1/moving_variance", "batchnorm1/gamma", "batchnorm1/beta"):
        np.testing.assert_array_equal(after[name], before[name])
    assert not np.array_equal(after["dense1/kernel"], before["dense1/kernel"])


def test_blas_thread_cap_bounds_the_policy(monkeypatch):
    """The cap bounds what the engine's policy asks of BLAS, and leaving it re-applies the policy
    (a cached "already set" would otherwise leave BLAS at the cap). Requests are recorded, since
    how many threads OpenBLAS can really start depends on the environment it was loaded in."""
    import threadpoolctl

    import core.threads as threads

    asked = []
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", lambda limits, user_api: asked.append(limits))
    monkeypatch.setattr(threads, "_applied", None)
    threads.apply_blas_threads(2)
    threads.apply_blas_threads(2)            # cached: nothing asked
    with threads.blas_thread_cap(1):
        threads.apply_blas_threads(2)        # what "auto" asks for a big product
    threads.apply_blas_threads(2)            # cap gone: asked again, not skipped
    assert asked == [2, 1, 2]
    monkeypatch.setattr(threads, "_applied", None)
