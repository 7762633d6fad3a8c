"""Training that never loses good work (issue 11, "Training semantics"): divergence refused before
the update, optimizer state that carries over, a stop that cannot be lost, executor entries that
refuse what does not fit their arenas, checkpoints that never replace a better one."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from core.callbacks import OutputLock
from core.designfile import Design
from core.errors import TrainingError
from core.events import BatchesEnd, TrainEnd
from core.executor import BatchError, Executor
from core.graph import Graph
from core.kernels import opcodes as K
from core.model import Model
from core.optimizers import OPTIMIZERS
from core.plan import compile_plan
from core.settings import validate_data, validate_training
from core.weights import load_weights, save_weights


def _graph(hidden=4, act="Tanh", batchnorm=False, n_in=2, n_out=1):
    g = Graph()
    prev = g.add_node("Input", {"shape": [n_in]}).id
    for node, params in [("Dense", {"units": hidden}), ("BatchNorm", {}) if batchnorm else (None, None),
                         (act, {}), ("Dense", {"units": n_out})]:
        if node is None:
            continue
        nid = g.add_node(node, params).id
        g.connect(prev, nid)
        prev = nid
    return g


def _design(g=None, data=None, **training):
    t = dict(loss={"name": "mse"}, optimizer={"name": "sgd", "params": {"learning_rate": 0.1}},
             batch_size=8, epochs=5, seed=1)
    t.update(training)
    data = data or {"name": "xor", "validation_split": 0.0, "params": {"n": 200, "noise": 0.0}}
    return Design(g or _graph(), validate_training(t), validate_data(data))


# ---- divergence keeps the last good weights ---------------------------------------------------------
def _replay(design, n_batches):
    """A fresh model trained by hand, through the executor, on the first n_batches batches the
    trainer would give it (same seed, same per-epoch permutations, same rates)."""
    m = Model.from_design(design)
    ex, t = m.executor, design.training
    X = np.ascontiguousarray(m.data.X_train, ex.dtype)
    Y = np.ascontiguousarray(m.targets().train, ex.dtype)
    spec = OPTIMIZERS.get(t["optimizer"]["name"])
    hp = spec.hyper_vector(t["optimizer"]["params"])
    bs, n = t["batch_size"], len(X)
    spe = -(-n // bs)
    shuffle = np.random.default_rng(t["seed"])
    losses = []
    while n_batches > 0:
        order = shuffle.permutation(n).astype(np.int64)
        k = min(spe, n_batches)
        out = np.zeros(k)
        done, status = ex.train_batches(X, Y, order, 0, bs, k, np.full(k, t["optimizer"]["params"]["learning_rate"]),
                                        out, spec.code, hp)
        assert (done, status) == (k, K.STATUS_DONE)
        losses.append(out)
        n_batches -= k
    return ex, np.concatenate(losses)


def test_divergence_keeps_every_good_update_and_reports_only_those(update_path):
    """XOR, MSE, SGD at learning rate 3.0 (the issue's case): the loss explodes after a few dozen
    batches. Every reported batch must still be applied (the optimizer's step count equals the
    batches reported) and the weights must be exactly those after the last reported batch."""
    des = _design(optimizer={"name": "sgd", "params": {"learning_rate": 3.0}}, epochs=200)
    m = Model.from_design(des)
    evs = list(m.trainer(collect_stats=False).run())
    end = evs[-1]
    assert isinstance(end, TrainEnd) and end.reason == "diverged"
    reported = np.concatenate([ev.losses for ev in evs if isinstance(ev, BatchesEnd)])
    assert len(reported) > 4 and np.isfinite(reported).all()
    assert int(m.executor.step[0]) == len(reported)
    ref, ref_losses = _replay(des, len(reported))
    np.testing.assert_array_equal(reported, ref_losses)
    np.testing.assert_array_equal(m.executor.params, ref.params)
    np.testing.assert_array_equal(m.executor.opt_state, ref.opt_state)


@pytest.fixture(params=["two buffers", "checked in place"])
def update_path(request, monkeypatch):
    """Both ways the engine keeps a bad update out (small nets: a second buffer; large nets: a
    read-only check first), the large-net way forced on a small net."""
    import core.executor
    if request.param == "checked in place":
        monkeypatch.setattr(core.executor, "DOUBLE_BUFFER_MAX_PARAMS", 0)
    return request.param


@pytest.mark.parametrize("name, params", [("sgd", {}), ("sgd", {"momentum": 0.9}), ("adam", {}),
                                          ("rmsprop", {}), ("adagrad", {"initial_accumulator_value": 0.1})])
def test_an_update_that_would_overflow_is_never_written(name, params, update_path):
    """Finite loss and gradients but a rate of 1e39: the update itself would overflow float32. The
    batch is refused before anything is written: weights, optimizer slots and step unchanged."""
    ex = Executor(compile_plan(_graph(), "mse", {}), 8, np.float32)
    assert ex.in_place_updates == (update_path == "checked in place")
    ex.init_weights(3)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 2)).astype(np.float32)
    Y = rng.normal(size=(16, 1)).astype(np.float32)
    spec = OPTIMIZERS.get(name)
    hp = spec.hyper_vector(spec.params.resolve({"learning_rate": 0.01, **params}))
    losses = np.zeros(2)
    order = np.arange(16, dtype=np.int64)
    assert ex.train_batches(X, Y, order, 0, 8, 1, np.array([0.01, 0.0]), losses, spec.code, hp) == (1, K.STATUS_DONE)
    before = ex.params.copy(), ex.opt_state.copy(), int(ex.step[0])
    done, status = ex.train_batches(X, Y, order, 8, 8, 1, np.array([1e39]), losses, spec.code, hp)
    assert (done, status) == (0, K.STATUS_DIVERGED)
    assert np.isfinite(losses[0])
    np.testing.assert_array_equal(ex.params, before[0])
    np.testing.assert_array_equal(ex.opt_state, before[1])
    assert int(ex.step[0]) == before[2]


def test_a_diverging_batch_leaves_the_batchnorm_statistics_alone(update_path):
    """The forward pass updates BatchNorm's moving statistics before the loss is known; a batch
    whose loss is non-finite (an infinite feature) must leave them as the last good batch did."""
    ex = Executor(compile_plan(_graph(batchnorm=True), "mse", {}), 4, np.float64)
    ex.init_weights(0)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(8, 2))
    X[6, 1] = np.inf
    Y = rng.normal(size=(8, 1))
    spec = OPTIMIZERS.get("sgd")
    hp = spec.hyper_vector({"learning_rate": 0.1})
    order = np.arange(8, dtype=np.int64)
    good = Executor(compile_plan(_graph(batchnorm=True), "mse", {}), 4, np.float64)
    good.init_weights(0)
    good.train_batches(X, Y, order, 0, 4, 1, np.array([0.1]), np.zeros(1), spec.code, hp)
    done, status = ex.train_batches(X, Y, order, 0, 4, 2, np.array([0.1, 0.1]), np.zeros(2), spec.code, hp)
    assert (done, status) == (1, K.STATUS_DIVERGED)
    assert np.isfinite(ex.params).all()
    np.testing.assert_array_equal(ex.params, good.params)      # moving mean/variance included


# ---- Adagrad's accumulator carries over ---------------------------------------------------------------
def test_adagrad_continues_its_accumulator_when_training_continues():
    """fit() twice on one model = PyTorch's Adagrad (s += g²; p -= lr·g/(√s + eps), s starting at
    initial_accumulator_value) run over the same batches without a reset, by hand in NumPy."""
    lr, init, eps = 0.1, 0.1, 1e-10
    g = Graph()
    i = g.add_node("Input", {"shape": [2]}).id
    d = g.add_node("Dense", {"units": 1}).id
    g.connect(i, d)
    des = _design(g, optimizer={"name": "adagrad", "params": {"learning_rate": lr, "initial_accumulator_value": init,
                                                               "epsilon": eps}},
                  epochs=1, dtype="float64", data={"name": "xor", "validation_split": 0.0, "params": {"n": 40}})
    m = Model.from_design(des)
    W = m.executor.view("dense1/kernel").copy()
    b = m.executor.view("dense1/bias").copy()
    m.fit(collect_stats=False)
    m.fit(collect_stats=False)

    X, Y = m.data.X_train, m.targets().train
    s_W, s_b = np.full_like(W, init), np.full_like(b, init)
    for _fit in range(2):                        # each fit shuffles with the same seed
        order = np.random.default_rng(1).permutation(len(X))
        for lo in range(0, len(X), 8):
            rows = order[lo:lo + 8]
            err = X[rows] @ W + b - Y[rows]
            gW = 2.0 / err.size * X[rows].T @ err
            gb = 2.0 / err.size * err.sum(0)
            s_W += gW * gW
            s_b += gb * gb
            W = W - lr * gW / (np.sqrt(s_W) + eps)
            b = b - lr * gb / (np.sqrt(s_b) + eps)
    np.testing.assert_allclose(m.executor.view("dense1/kernel"), W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m.executor.view("dense1/bias"), b, rtol=1e-12, atol=1e-14)


# ---- one locked run/pause/stop state --------------------------------------------------------------------
class _HookedControl(np.ndarray):
    """The control word, with a hook that runs when someone writes 0 into it (resume's write)."""

    def __setitem__(self, key, value):
        hook = getattr(self, "hook", None)
        if hook is not None and value == 0:
            self.hook = None
            hook()
        super().__setitem__(key, value)


def test_resume_cannot_undo_a_concurrent_stop():
    """The interleaving that lost a stop: resume() has decided to clear the control word, then
    request_stop() runs in another thread, then resume() writes. Forced here by a hook on that
    write that runs request_stop() in a second thread before the write lands. With one locked state
    the second thread waits for resume() to finish and its stop wins; the join's time limit only
    keeps a locked implementation from deadlocking — the outcome does not depend on it."""
    m = Model.from_design(_design(epochs=50))
    tr = m.trainer(collect_stats=False)
    ex = m.executor
    ex.control = np.zeros(1, np.int64).view(_HookedControl)
    tr.pause()
    stopper = threading.Thread(target=tr.request_stop)

    def interleave():
        stopper.start()
        stopper.join(0.5)

    ex.control.hook = interleave
    tr.resume()
    stopper.join()
    ex.control = np.array(ex.control, np.int64)              # a plain array again for the kernels
    evs = list(tr.run())
    assert evs[-1].reason == "stopped"
    assert not any(isinstance(ev, BatchesEnd) for ev in evs)
    assert int(ex.step[0]) == 0


def test_stop_before_the_run_starts_holds_and_resume_does_not_clear_it():
    m = Model.from_design(_design(epochs=50))
    tr = m.trainer(collect_stats=False)
    tr.request_stop()
    tr.resume()
    tr.pause()
    evs = list(tr.run())
    assert evs[-1].reason == "stopped" and int(m.executor.step[0]) == 0


# ---- executor entries refuse what does not fit --------------------------------------------------------
@pytest.fixture
def small_ex():
    ex = Executor(compile_plan(_graph(n_out=3), "mse", {}), 8, np.float32)
    ex.init_weights(0)
    return ex


def test_loss_and_gradients_refuses_more_rows_than_the_arenas_hold(small_ex):
    X = np.zeros((9, 2), np.float32)
    with pytest.raises(BatchError, match="9 rows.*at most 8"):
        small_ex.loss_and_gradients(X, np.zeros((9, 3)))
    with pytest.raises(BatchError, match=r"targets shaped \(8, 2\)"):
        small_ex.loss_and_gradients(X[:8], np.zeros((8, 2)))
    assert np.isfinite(small_ex.loss_and_gradients(X[:8], np.zeros((8, 3))))


def test_sparse_labels_outside_the_classes_are_refused():
    ex = Executor(compile_plan(_graph(act="ReLU", n_out=3), "sparse_categorical_crossentropy",
                               {"from_logits": True}), 8, np.float64)
    ex.init_weights(0)
    with pytest.raises(BatchError, match=r"labels must lie in \[0, 2\]"):
        ex.loss_and_gradients(np.zeros((4, 2)), np.array([0, 1, 2, 3]))


@pytest.mark.parametrize("case, pattern", [
    ("batch", "batch size 9"), ("dtype", "float32"), ("width", "features"), ("targets", "targets shaped"),
    ("row", r"row indices must lie"), ("past", "run past"), ("lrs", "lrs must"),
])
def test_train_batches_checks_its_arguments(small_ex, case, pattern):
    X = np.zeros((20, 2), np.float32)
    Y = np.zeros((20, 3), np.float32)
    order = np.arange(20, dtype=np.int64)
    args = dict(X=X, Y=Y, order=order, start=0, batch_size=4, n_batches=2, lrs=np.full(2, 0.1),
                losses=np.zeros(2))
    if case == "batch":
        args["batch_size"] = 9
    elif case == "dtype":
        args["X"] = X.astype(np.float64)
    elif case == "width":
        args["X"] = np.zeros((20, 3), np.float32)
    elif case == "targets":
        args["Y"] = np.zeros((20, 1), np.float32)
    elif case == "row":
        args["order"] = order.copy()
        args["order"][5] = 20
    elif case == "past":
        args["start"] = 16
    elif case == "lrs":
        args["lrs"] = np.full(1, 0.1)
    before = small_ex.params.copy()
    with pytest.raises(BatchError, match=pattern):
        small_ex.train_batches(opt_code=K.OPT_SGD, opt_hp=np.zeros(8), **args)
    np.testing.assert_array_equal(small_ex.params, before)


def test_views_refuse_more_rows_than_the_arena_holds(small_ex):
    with pytest.raises(BatchError):
        small_ex.output_view(9)
    with pytest.raises(BatchError):
        small_ex.tensor_view("dense1", 9)
    assert small_ex.tensor_view("dense1", 8).shape == (8, 4)


def test_a_plan_whose_steps_point_outside_the_arenas_is_refused():
    plan = compile_plan(_graph(), "mse", {})
    from core.ops import op
    from core.ops.schema import H_OP, H_OUT
    plan.ops[-1, H_OUT] = len(plan.tensor_widths)            # a tensor that does not exist
    with pytest.raises(TrainingError, match="tensor that does not exist"):
        Executor(plan, 8)
    dense = op("dense").schema
    plan = compile_plan(_graph(), "mse", {})
    step = [s for s in range(len(plan.ops)) if plan.ops[s, H_OP] == dense.opcode][-1]
    plan.ops[step, dense.col("kernel")] = plan.n_params + 5    # weights past the parameter arena
    with pytest.raises(TrainingError, match="outside the parameter arena"):
        Executor(plan, 8)
    plan = compile_plan(_graph(), "mse", {})
    plan.ops[step, H_OP] = 999                                   # an op nobody declared
    with pytest.raises(TrainingError, match="unknown opcode 999"):
        Executor(plan, 8)


# ---- checkpoints -------------------------------------------------------------------------------------------
def _ckpt_design(path, **kw):
    return _design(checkpoint={"enabled": True, "path": str(path), "monitor": "loss"}, **kw)


def test_a_new_run_never_replaces_a_better_checkpoint(tmp_path):
    path = tmp_path / "best.npz"
    first = Model.from_design(_ckpt_design(path, epochs=30, optimizer={"name": "adam", "params": {"learning_rate": 0.05}}))
    first.fit(collect_stats=False)
    kept, meta = load_weights(path)
    assert meta["checkpoint"] == {"monitor": "loss", "value": meta["metrics"]["loss"]}
    second = Model.from_design(_ckpt_design(path, epochs=2))        # a short run: worse loss
    end = second.fit(collect_stats=False)
    again, meta2 = load_weights(path)
    assert meta2 == meta
    for name in kept:
        np.testing.assert_array_equal(again[name], kept[name])
    assert "was kept" in end.message and str(path) in end.message
    third = Model.from_design(_ckpt_design(path, epochs=60, optimizer={"name": "adam", "params": {"learning_rate": 0.05}}))
    third.fit(collect_stats=False)
    _, meta3 = load_weights(path)
    assert meta3["checkpoint"]["value"] < meta["checkpoint"]["value"]   # a better run does replace it


def test_a_checkpoint_without_a_comparable_value_is_kept_aside(tmp_path):
    path = tmp_path / "best.npz"
    save_weights(path, {"x": np.zeros(3, np.float32)}, {"note": "from somewhere else"})
    end = Model.from_design(_ckpt_design(path, epochs=2)).fit(collect_stats=False)
    backup = tmp_path / "best.previous.npz"
    assert backup.exists() and "x" in load_weights(backup)[0]
    assert load_weights(path)[1]["checkpoint"]["monitor"] == "loss"
    assert str(backup) in end.message


def test_temporary_files_of_an_interrupted_save_are_removed_at_the_next_start(tmp_path):
    path = tmp_path / "best.npz"
    stale = [tmp_path / ".~best.npzab12cd.tmp", tmp_path / ".~best.npz9x.tmp"]
    other = tmp_path / ".~other.npzab12.tmp"            # another file's: not ours to remove
    for f in stale + [other]:
        f.write_bytes(b"half a file")
    Model.from_design(_ckpt_design(path, epochs=1)).fit(collect_stats=False)
    assert not any(f.exists() for f in stale) and other.exists()
    assert path.exists() and not (tmp_path / "best.npz.lock").exists()


def test_a_second_writer_of_the_same_checkpoint_is_refused(tmp_path):
    path = tmp_path / "best.npz"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "best.npz.lock").write_text(f"{other.pid} {os.uname().nodename}\n")
        m = Model.from_design(_ckpt_design(path, epochs=1))
        with pytest.raises(TrainingError, match=rf"being written by process {other.pid}.*best\.npz\.lock"):
            m.fit(collect_stats=False)
        assert not path.exists() and int(m.executor.step[0]) == 0
    finally:
        other.kill()
        other.wait()
    # That process is gone now: its lock is stale and the next run takes it over.
    Model.from_design(_ckpt_design(path, epochs=1)).fit(collect_stats=False)
    assert path.exists() and not (tmp_path / "best.npz.lock").exists()


def test_two_runs_in_one_process_cannot_share_a_checkpoint(tmp_path):
    path = tmp_path / "best.npz"
    first = Model.from_design(_ckpt_design(path, epochs=3)).trainer(collect_stats=False)
    it = first.run()
    for ev in it:
        if type(ev).__name__ == "EpochBegin":
            break                                   # the first run holds the lock now
    second = Model.from_design(_ckpt_design(path, epochs=1))
    with pytest.raises(TrainingError, match="another training run in this process"):
        second.fit(collect_stats=False)
    it.close()                                      # abandoning a run releases its lock
    assert not (tmp_path / "best.npz.lock").exists()
    with OutputLock(path) as lock:
        assert lock.held


# ---- the CUDA executor keeps the same promise (run on the CUDA simulator) -----------------------------
_CUDA_DIVERGENCE = r"""
import numpy as np
from core.graph import Graph
from core.plan import compile_plan
from core.cuda_backend import CudaExecutor
from core.optimizers import OPTIMIZERS
from core.kernels import opcodes as K

g = Graph()
i = g.add_node("Input", {"shape": [3]}).id
d = g.add_node("Dense", {"units": 4}).id
bn = g.add_node("BatchNorm", {"momentum": 0.5}).id
t = g.add_node("Tanh").id
o = g.add_node("Dense", {"units": 1}).id
for a, b in [(i, d), (d, bn), (bn, t), (t, o)]:
    g.connect(a, b)
plan = compile_plan(g, "mse", {})
rng = np.random.default_rng(0)
X = rng.normal(size=(16, 3)).astype(np.float32)
Y = rng.normal(size=(16, 1)).astype(np.float32)
order = np.arange(16, dtype=np.int64)
spec = OPTIMIZERS.get("adam")
hp = spec.hyper_vector(spec.params.resolve({}))
ex = CudaExecutor(plan, 4); ex.init_weights(1)
losses = np.zeros(4)
done, status = ex.train_batches(X, Y, order, 0, 4, 4, np.array([0.01, 0.01, 1e39, 0.01]), losses, spec.code, hp)
assert (done, status) == (2, K.STATUS_DIVERGED), (done, status)
assert int(ex.step[0]) == 2 and np.isfinite(ex.params).all() and np.isfinite(losses[:2]).all()
ref = CudaExecutor(plan, 4); ref.init_weights(1)
ref_losses = np.zeros(2)
assert ref.train_batches(X, Y, order, 0, 4, 2, np.array([0.01, 0.01]), ref_losses, spec.code, hp) == (2, K.STATUS_DONE)
np.testing.assert_array_equal(ex.params, ref.params)
np.testing.assert_array_equal(ex.opt_state, ref.opt_state)
np.testing.assert_array_equal(losses[:2], ref_losses)
print("ok")
"""


def test_cuda_executor_reports_only_applied_batches_on_divergence():
    """The third batch's update overflows (rate 1e39): two batches reported, step 2, and the
    weights (moving statistics included) exactly those of a run of just the two good batches."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    r = subprocess.run([sys.executable, "-c", _CUDA_DIVERGENCE], env=env, cwd=root, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
