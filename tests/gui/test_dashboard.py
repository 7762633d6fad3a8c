"""The live training dashboard, driven as a person would: a QMainWindow host, Train, wait.

The first run of a session may JIT-compile the kernels (~20 s); timeouts allow for it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QObject, Signal  # noqa: E402
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox  # noqa: E402

from core.designfile import Design, load_design  # noqa: E402
from core.graph import Graph  # noqa: E402
from core.settings import validate_data, validate_training  # noqa: E402
from designer.dashboard import install_dashboard  # noqa: E402
from designer.training_worker import live_threads  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIRST_RUN_MS = 600_000          # a hang guard, not a latency check: a cold numba cache on a
                                # loaded 2-core machine took over 120 s to compile the engine
# Only guards against a hang (stop latency is counted in batches): the end of a run may load
# the inference kernels in this process, which on a cold numba cache means compiling them.
STOP_WAIT_MS = FIRST_RUN_MS


def mlp(widths, act, input_width, **dense):
    g = Graph()
    prev = g.add_node("Input", {"shape": [input_width]}).id
    for i, units in enumerate(widths):
        d = g.add_node("Dense", {"units": units, **dense}).id
        g.connect(prev, d)
        prev = d
        if act and i < len(widths) - 1:
            a = g.add_node(act).id
            g.connect(prev, a)
            prev = a
    return g


def make_design(g, data, **training) -> Design:
    return Design(g, validate_training(training), validate_data(data))


def xor_design() -> Design:
    path = ROOT / "resources" / "examples" / "xor.json"
    if path.exists():
        return load_design(path)
    return make_design(mlp([8, 8, 1], "Tanh", 2),
                       {"name": "xor", "validation_split": 0.2, "params": {"n": 200, "noise": 0.05}},
                       loss={"name": "binary_crossentropy", "params": {"from_logits": True}},
                       optimizer={"name": "adam", "params": {"learning_rate": 0.03}},
                       batch_size=16, epochs=150, metrics=["accuracy"], seed=1, stats_interval=20)


def digits_design(epochs=2000) -> Design:
    return make_design(mlp([256, 256, 10], "ReLU", 64, kernel_initializer="he_uniform"),
                       {"name": "digits", "validation_split": 0.2},
                       loss={"name": "sparse_categorical_crossentropy", "params": {"from_logits": True}},
                       batch_size=16, epochs=epochs, metrics=["accuracy"])


@pytest.fixture
def host(qtbot):
    """A QMainWindow with the dashboard; fails the test if a training thread outlives it."""
    win = QMainWindow()
    win.setCentralWidget(QLabel("canvas"))
    win.resize(1300, 800)
    state = {"design": xor_design(), "locks": []}
    ctl = install_dashboard(win, lambda: state["design"], state["locks"].append)
    qtbot.addWidget(win)
    win.show()
    ctl.state = state
    yield ctl
    ctl.shutdown(5000)
    qtbot.waitUntil(lambda: not live_threads(), timeout=5000)
    assert not live_threads(), "a training thread leaked"


def train(qtbot, ctl, timeout=FIRST_RUN_MS):
    with qtbot.waitSignal(ctl.runningChanged, timeout=timeout, check_params_cb=lambda running: not running):
        assert ctl.start()


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_xor_trains_and_every_panel_has_data(qtbot, host, tmp_path, mode):
    host.mode = mode
    train(qtbot, host)
    assert host.last_error == ""
    assert host.last_end is not None and host.last_end.reason == "completed"
    assert host.state["locks"] == [True, False]          # structural edits locked while running

    loss = host.panels["loss"]
    assert len(loss.raw) > 10 and len(loss.train) > 10
    first, last = loss.train.y[:5].mean(), loss.train.y[-5:].mean()
    assert last < first, (first, last)
    assert loss.c_raw.getData()[0] is not None and len(loss.c_raw.getData()[0]) > 0

    # Ground truth from the design and the trained plan, not from what the dashboard was told.
    design = host.state["design"]
    plan = host.model.plan
    params = {}
    for w in plan.weights:
        if not w.state:
            params[w.node_id] = params.get(w.node_id, 0) + w.size
    trainable = [n.id for n in design.graph.nodes.values() if n.type == "Dense"]
    grads = host.panels["gradients"]
    assert grads.bar_count() == len(trainable) == len(params)
    assert grads.layers == trainable
    assert np.all(np.isfinite(grads.latest_mean)) and np.all(grads.latest_mean > 0)

    weights = host.panels["weights"]
    for nid, count in params.items():
        counts, _edges = weights.latest[nid]
        assert counts.sum() == count, nid
    assert weights.bars.opts["height"].sum() == params[weights.selected()]   # the bars drawn

    acts = host.panels["activations"]
    measured = {n.id for n in design.graph.nodes.values() if n.type in ("Tanh", "Sigmoid", "ReLU")}
    assert set(acts.series) == measured and all(len(s) > 0 for s in acts.series.values())

    boundary = host.panels["boundary"]
    assert boundary.has_image() and boundary.rgba.shape[:2] == (80, 80)

    results = host.panels["results"]
    assert "accuracy" in results.summary and results.summary["accuracy"] > 0.9
    assert host.model is not None and host.evaluate_action.isEnabled()

    # An MLP: the image and sequence panels say why they are empty. Every other panel exports a
    # PNG and a CSV with data rows.
    for name in ("feature_maps", "time_gradients"):
        assert host.panels[name].empty_text(), name
    for name, panel in host.panels.items():
        if name in ("feature_maps", "time_gradients"):
            continue
        png, csv = tmp_path / f"{name}.png", tmp_path / f"{name}.csv"
        assert panel.export_png(png) and png.stat().st_size > 1000, name
        panel.export_csv(csv)
        assert len(csv.read_text().splitlines()) > 1, name


def _batches_running(host):
    end = host.progress
    return end.t_start is not None and end.steps > end.spe    # past the first epoch, mid-run


def test_stop_mid_epoch_takes_effect_within_one_batch(qtbot, host):
    """Counted in batches, not seconds (a loaded machine makes any time limit flaky; the latency
    is measured by bench/stop_latency.py): read the executor's step counter right after asking
    to stop; at most the batch in flight may still finish. Thread mode, where the counter of the
    running executor can be read."""
    host.mode = "thread"
    host.state["design"] = digits_design()
    assert host.start()
    qtbot.waitUntil(lambda: _batches_running(host), timeout=FIRST_RUN_MS)
    assert host.is_running
    trainer = host._worker.control.trainer
    ex = trainer.executor
    with qtbot.waitSignal(host.runningChanged, timeout=STOP_WAIT_MS):
        host.stop()
        requested_at = int(ex.step[0])            # after the request: batches from here on are late
    assert host.last_end.reason == "stopped"
    assert host.model is not None and host.model.executor is ex      # the weights so far are kept
    final = int(ex.step[0])
    assert requested_at <= final <= requested_at + 1
    assert host.progress.steps == final           # the events account for every batch trained
    # Responsive afterwards: a zero-delay timer fires and a new run can start.
    fired = []
    from PySide6.QtCore import QTimer
    QTimer.singleShot(0, lambda: fired.append(1))
    qtbot.waitUntil(lambda: bool(fired), timeout=STOP_WAIT_MS)
    assert host.train_action.isEnabled()


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_stop_while_paused_trains_no_further_batch(qtbot, host, mode):
    """In a child process the step counter cannot be read live, but after Paused the events have
    reported every batch: stopping then must add none (the returned model's counter agrees)."""
    host.mode = mode
    host.state["design"] = digits_design()
    assert host.start()
    qtbot.waitUntil(lambda: _batches_running(host), timeout=FIRST_RUN_MS)
    host.pause()
    qtbot.waitUntil(lambda: host.progress.paused_since is not None, timeout=STOP_WAIT_MS)
    paused_at = host.progress.steps
    with qtbot.waitSignal(host.runningChanged, timeout=STOP_WAIT_MS):
        host.stop()
    assert host.last_end.reason == "stopped"
    assert int(host.model.executor.step[0]) == paused_at == host.progress.steps
    assert paused_at > host.progress.spe


def test_stop_while_starting_and_close_while_training(qtbot, host):
    host.state["design"] = digits_design()
    with qtbot.waitSignal(host.runningChanged, timeout=FIRST_RUN_MS, check_params_cb=lambda r: not r):
        assert host.start()
        host.stop()                                   # before the worker has even built the model
    assert host.last_end.reason == "stopped" and host.last_error == ""
    assert host.start()
    qtbot.waitUntil(lambda: host.progress.steps > 0, timeout=FIRST_RUN_MS)
    host.window.close()                               # closing the window stops and joins the run
    assert not live_threads()


def test_pause_and_resume(qtbot, host):
    host.state["design"] = digits_design(epochs=50)
    assert host.start()
    qtbot.waitUntil(lambda: host.progress.t_start is not None and host.progress.steps > 5, timeout=FIRST_RUN_MS)
    host.pause()
    # The waits are hang guards (STOP_WAIT_MS), not latency checks: with 2 s, a CI run whose two
    # xdist workers shared 2 cores with a compile missed the end of the run (the stop had come).
    qtbot.waitUntil(lambda: host.progress.paused_since is not None, timeout=STOP_WAIT_MS)
    steps = host.progress.steps
    qtbot.wait(300)
    assert host.progress.steps == steps and host.resume_action.isVisible()
    host.resume()
    qtbot.waitUntil(lambda: host.progress.steps > steps, timeout=STOP_WAIT_MS)
    with qtbot.waitSignal(host.runningChanged, timeout=STOP_WAIT_MS):
        host.stop()


def test_huge_learning_rate_shows_the_divergence_message(qtbot, host):
    host.state["design"] = make_design(mlp([16, 1], "Tanh", 1), {"name": "sine"},
                                       optimizer={"name": "sgd", "params": {"learning_rate": 100.0}},
                                       epochs=50)
    train(qtbot, host)
    assert host.last_end.reason == "diverged"
    box = host.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "diverged" in box.text() and "after the last good batch" in box.text()
    assert "diverged" in host.progress.status.text()
    assert np.all(np.isfinite(host.model.executor.params))      # the last good weights
    box.close()


def test_a_design_error_is_refused_before_training(qtbot, host):
    g = mlp([4, 3], "ReLU", 5)      # 5 inputs, but XOR has 2 features
    host.state["design"] = make_design(g, {"name": "xor"})
    assert not host.start()          # the pre-flight found it: nothing starts
    assert not host.is_running and not live_threads()
    assert host.last_end is None and host.refused and "features" in str(host.refused[0])
    assert host.message_box.isVisible() and "features" in host.message_box.text()
    assert host.state["locks"] == []
    assert host.train_action.isEnabled()


def test_an_error_the_preflight_could_not_see_is_reported_not_raised(qtbot, host, monkeypatch):
    """A large data file nobody has summarised yet is not loaded on the GUI thread at Train: the
    worker's own checks stop the run and say why."""
    from designer.dashboard import controller
    monkeypatch.setattr(controller, "_quick_data_loader", lambda settings: None)
    g = mlp([4, 3], "ReLU", 5)
    host.state["design"] = make_design(g, {"name": "xor"})
    train(qtbot, host)
    assert host.last_end is None
    assert "features" in host.last_error
    assert host.message_box.isVisible()
    assert host.state["locks"] == [True, False]


def test_evaluate_runs_the_test_split(qtbot, host):
    d = xor_design()
    d.data["test_split"] = 0.2
    host.state["design"] = d
    train(qtbot, host)
    logs = host.evaluate()
    assert logs is not None and "loss" in logs
    assert host.panels["results"].split == "test"


def test_canvas_tint_colours_node_items(qtbot, host):
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene

    from designer.dashboard.canvas_tint import apply_tint

    scene = QGraphicsScene()
    nodes = host.state["design"].graph.nodes
    dense = [nid for nid, n in nodes.items() if n.type == "Dense"]
    plain = [nid for nid, n in nodes.items() if n.type == "Input"]
    items = {}
    for nid in nodes:
        it = QGraphicsRectItem(0, 0, 10, 10)
        it.node_id = nid
        it.tints = []
        it.set_tint = it.tints.append
        scene.addItem(it)
        items[nid] = it
    host.attach_scene(scene)
    host.set_tint_mode("grad_norm")
    train(qtbot, host)
    host._tick()
    assert all(isinstance(items[nid].tints[-1], QColor) for nid in dense)
    assert all(items[nid].tints[-1] is None for nid in plain)
    small, big = dense[0], dense[-1]
    assert apply_tint(scene, {small: {"grad_norm": 1e-4}, big: {"grad_norm": 1.0}}, "grad_norm") == 2
    blue, red = items[small].tints[-1], items[big].tints[-1]
    assert blue.blue() > blue.red() and red.red() > red.blue()
    apply_tint(scene, None, None)
    assert all(it.tints[-1] is None for it in items.values())


def test_canvas_tint_falls_back_to_a_colorize_effect():
    from PySide6.QtWidgets import QGraphicsColorizeEffect, QGraphicsRectItem, QGraphicsScene

    from designer.dashboard.canvas_tint import apply_tint

    scene = QGraphicsScene()
    node = QGraphicsRectItem(0, 0, 10, 10)
    node.node_id = "dense1"
    port = QGraphicsRectItem(0, 0, 2, 2, node)      # a child carrying node_id, as ports do
    port.node_id = "dense1"
    scene.addItem(node)
    assert apply_tint(scene, {"dense1": {"weight_abs_mean": 0.3}}, "weight_abs_mean") == 1
    assert isinstance(node.graphicsEffect(), QGraphicsColorizeEffect) and port.graphicsEffect() is None
    apply_tint(scene, {}, None)
    assert node.graphicsEffect() is None


def test_fold_joins_batch_and_epoch_events_in_order():
    from core.events import BatchesEnd, EpochBegin, EpochEnd, LayerStats, TrainEnd
    from designer.dashboard.engine_loop import BatchLog, fold
    evs = [EpochBegin(0), BatchesEnd(0, 0, 0, np.array([3.0, 2.0]), np.array([0.1, 0.1]), 4, 100.0),
           LayerStats(0, 2, []), BatchesEnd(0, 2, 2, np.array([1.0, 0.5]), np.array([0.1, 0.1]), 4, 200.0),
           EpochEnd(0, {"loss": 1.6}, 0.1), EpochBegin(1),
           BatchesEnd(1, 0, 4, np.array([0.4]), np.array([0.05]), 4, 300.0),
           TrainEnd("stopped", "", 2, None, {})]
    out = fold(evs)
    assert [type(e) for e in out] == [LayerStats, BatchLog, TrainEnd]
    log = out[1]
    assert log.losses.tolist() == [3.0, 2.0, 1.0, 0.5, 0.4]
    assert log.x.tolist() == [0.25, 0.5, 0.75, 1.0, 1.25]
    assert log.epoch_x.tolist() == [1.0] and log.epoch_logs == [{"loss": 1.6}]
    assert (log.epoch, log.batch, log.batches_in_epoch, log.samples_per_second) == (1, 1, 4, 300.0)


def test_series_memory_is_bounded():
    from designer.dashboard.buffers import Frames, Series
    s = Series(1000)
    for epoch in range(1000):                      # 1,000 epochs × 500 batches
        x = epoch + np.arange(500) / 500
        s.append(x, np.exp(-x / 300))
    assert len(s) <= 1000 and s.x[0] < 1 and s.x[-1] > 998
    assert np.all(np.diff(s.x) > 0)
    f = Frames(3, capacity=64)
    for t in range(10_000):
        f.append(t, [t, t, t])
    assert len(f) <= 64 and f.t[-1] > 9000


def test_training_starts_from_imported_weights(qtbot, host, tmp_path):
    """File → Import Weights… sets the window's initial_weights_path; Train starts from those."""
    from core.model import Model
    design = xor_design()
    design.training["optimizer"] = {"name": "sgd", "params": {"learning_rate": 1e-12, "momentum": 0.0,
                                                              "nesterov": False}}
    design.training["epochs"] = 1
    host.state["design"] = design
    source = Model.from_design(design)
    marked = {name: np.full_like(w, 0.125) for name, w in source.executor.get_weights().items()}
    source.executor.set_weights(marked)
    path = tmp_path / "imported.npz"
    source.save_weights(path)
    host.window.initial_weights_path = str(path)
    host.mode = "thread"
    train(qtbot, host)
    assert host.last_error == "" and host.model is not None
    for name, w in host.model.executor.get_weights().items():
        if not name.endswith(("moving_mean", "moving_variance")):
            np.testing.assert_allclose(w, 0.125, atol=1e-6, err_msg=name)


# ---- the end of a run, event by event (a scripted worker: no engine, no timing) --------------------
class ScriptedWorker(QObject):
    """Stands in for TrainingWorker: the test emits its signals; control calls are recorded."""
    events = Signal(object)
    failed = Signal(str)
    model_ready = Signal(object)

    def __init__(self):
        super().__init__()
        self.calls = []

    def pause(self):
        self.calls.append("pause")

    def resume(self):
        self.calls.append("resume")

    def request_stop(self):
        self.calls.append("stop")

    def kill(self):
        self.calls.append("kill")


@pytest.fixture
def scripted(host, monkeypatch):
    """host with start_worker replaced: each Train makes (thread, ScriptedWorker); the thread
    runs an idle event loop until the test quits it (as the real one ends after the model)."""
    from PySide6.QtCore import QThread

    from designer.dashboard import controller
    made = []

    def start_worker(design, *, mode, parent, initial_weights=""):
        made.append((QThread(parent), ScriptedWorker()))
        return made[-1]

    monkeypatch.setattr(controller, "start_worker", start_worker)
    host.made = made
    yield host
    for thread, _worker in made:
        try:
            thread.quit()
            thread.wait(5000)
        except RuntimeError:            # ended and deleted by the controller already
            pass


def _end(reason="completed", message="Trained 3 epochs."):
    from core.events import TrainEnd
    return TrainEnd(reason, message, 3, None, {})


def _finish(qtbot, ctl, thread):
    with qtbot.waitSignal(ctl.runningChanged, timeout=5000, check_params_cb=lambda running: not running):
        thread.quit()


def test_a_pause_asked_for_just_before_the_end_shows_the_end(qtbot, scripted):
    ctl = scripted
    assert ctl.start()
    thread, worker = ctl.made[0]
    ctl.pause()
    assert worker.calls == ["pause"] and ctl.progress.status.text() == "Pausing…"
    worker.events.emit([_end()])                    # the run ended before it could pause
    assert ctl.progress.status.text() == "Trained 3 epochs."
    assert not ctl.resume_action.isVisible() and not ctl.resume_action.isEnabled()
    assert ctl.pause_action.isVisible() and not ctl.pause_action.isEnabled()
    assert ctl.train_action.isEnabled() and not ctl.stop_action.isEnabled()
    _finish(qtbot, ctl, thread)
    assert ctl.progress.status.text() == "Trained 3 epochs."


def test_pause_after_the_end_changes_nothing(qtbot, scripted):
    """F6 between TrainEnd and the thread's end (the model still on its way) must not leave
    "Pausing…" on a run that has ended."""
    ctl = scripted
    assert ctl.start()
    thread, worker = ctl.made[0]
    worker.events.emit([_end("stopped", "Stopped by request during epoch 2.")])
    assert not ctl.pause_action.isEnabled()
    ctl.pause()
    assert worker.calls == [] and ctl.progress.status.text() == "Stopped by request during epoch 2."
    _finish(qtbot, ctl, thread)
    assert ctl.progress.status.text() == "Stopped by request during epoch 2."


def test_train_is_enabled_at_the_end_and_evaluate_when_the_model_arrives(qtbot, scripted):
    from types import SimpleNamespace
    ctl = scripted
    assert ctl.start()
    thread, worker = ctl.made[0]
    assert not ctl.train_action.isEnabled() and ctl.state["locks"] == [True]
    worker.events.emit([_end()])
    assert ctl.train_action.isEnabled() and ctl.state["locks"] == [True, False]
    assert ctl.is_running and not ctl.evaluate_action.isEnabled()      # the model is on its way
    model = SimpleNamespace(data=None)
    worker.model_ready.emit(model)
    assert ctl.model is model and ctl.evaluate_action.isEnabled() and ctl.save_weights_action.isEnabled()
    # Train pressed before the thread has ended: the next run starts when it has.
    assert ctl.start()
    assert len(ctl.made) == 1 and not ctl.train_action.isEnabled()
    with qtbot.waitSignal(ctl.runningChanged, timeout=5000, check_params_cb=lambda running: running):
        thread.quit()
    assert len(ctl.made) == 2 and ctl.run_active and not ctl.evaluate_action.isEnabled()
    ctl.made[1][1].events.emit([_end()])
    _finish(qtbot, ctl, ctl.made[1][0])


def test_a_model_arriving_after_the_document_was_replaced_is_dropped(qtbot, scripted):
    """Edits unlock at TrainEnd, so File → New can come before the model: it must not become
    the new document's trained model."""
    from types import SimpleNamespace
    ctl = scripted
    assert ctl.start()
    thread, worker = ctl.made[0]
    worker.events.emit([_end()])
    ctl.forget_run()                                # what the window does on New / Open
    worker.model_ready.emit(SimpleNamespace(data=None))
    assert ctl.model is None and not ctl.evaluate_action.isEnabled()
    _finish(qtbot, ctl, thread)
    assert ctl.model is None and ctl.train_action.isEnabled()


def test_process_mode_enables_train_at_the_end_before_the_model_is_back(qtbot, host):
    """The trained model comes back from the child process after TrainEnd (pickled, its inference
    kernels loaded: seconds). Train and the end state must not wait for it."""
    host.mode = "process"
    host.state["design"] = digits_design()
    seen = {}

    def at_end(end):
        seen.update(train=host.train_action.isEnabled(), stop=host.stop_action.isEnabled(),
                    model=host.model, running=host.is_running, evaluate=host.evaluate_action.isEnabled(),
                    status=host.progress.status.text(), reason=end.reason)
        host.state["design"] = xor_design()
        seen["restart"] = host.start()              # the user presses Train at once

    host.trainingFinished.connect(at_end)
    assert host.start()
    qtbot.waitUntil(lambda: _batches_running(host), timeout=FIRST_RUN_MS)
    host.stop()
    qtbot.waitUntil(lambda: bool(seen), timeout=STOP_WAIT_MS)
    assert seen["reason"] == "stopped" and seen["status"].startswith("Stopped")
    assert seen["train"] and not seen["stop"]
    assert seen["model"] is None and seen["running"] and not seen["evaluate"]   # it had not arrived
    assert seen["restart"] is True
    host.trainingFinished.disconnect(at_end)
    # The first model arrives, then the xor run starts and completes.
    qtbot.waitUntil(lambda: host.last_end is not None and host.last_end.reason == "completed"
                    and not host.is_running, timeout=FIRST_RUN_MS)
    assert host.model is not None and host.model.design.data["name"] == "xor"
    assert host.evaluate_action.isEnabled()


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_a_short_run_fills_the_gradient_history(qtbot, host, mode):
    """vanishing_sigmoid trains in about a second: its gradient heat map still gets >= 50
    samples spread over the run, through the dashboard's whole path (issue 12)."""
    host.mode = mode
    host.state["design"] = load_design(ROOT / "resources" / "examples" / "vanishing_sigmoid.json")
    counted = []
    real = host.panels["gradients"].handle
    host._routes.clear()
    host.panels["gradients"].handle = lambda ev: (counted.append(type(ev).__name__), real(ev))
    train(qtbot, host)
    assert host.last_error == "" and host.last_end.reason == "completed"
    grads = host.panels["gradients"]
    assert counted.count("LayerStats") >= 50
    assert len(grads.mean_hist) >= 50 and grads.mean_hist.rows.shape[1] == len(grads.layers) > 3
    t = grads.mean_hist.t
    assert t[-1] - t[0] > 0.8 * host.last_end.epochs_run        # spread over the whole run
