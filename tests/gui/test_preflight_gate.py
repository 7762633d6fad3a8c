"""Train refuses a design the pre-flight finds errors in — before any thread or process starts —
and shows the problems; warnings do not block. Driven as a person would: open a file, press F5.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox  # noqa: E402

from designer.training_worker import live_threads  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIRST_RUN_MS = 600_000          # a hang guard, not a latency check: a cold numba cache on a
                                # loaded 2-core machine took over 120 s to compile the engine


def xor_file(tmp_path, name: str, chain, **training) -> str:
    """The xor example with other blocks (a chain of (type, params)) and training settings,
    written as a design file."""
    from core.designfile import load_design
    from core.graph import Graph
    design = load_design(ROOT / "resources" / "examples" / "xor.json")
    g = Graph()
    prev = None
    for type_name, params in chain:
        node = g.add_node(type_name, params)
        if prev is not None:
            g.connect(prev, node.id)
        prev = node.id
    design.graph = g
    design.training.update(training)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(design.to_dict()))
    return str(path)


def input_dense16(tmp_path) -> str:
    """Input → Dense(16) on xor: 16 output units where xor has one target column (an error)."""
    return xor_file(tmp_path, "wide_output", [("Input", {"shape": [2]}), ("Dense", {"units": 16})])


@pytest.fixture
def started(monkeypatch):
    """Every worker the controller starts (the real one runs): none may start for a refused Train."""
    from designer.dashboard import controller
    calls = []
    real = controller.start_worker

    def recording(design, **kwargs):
        calls.append(design)
        return real(design, **kwargs)

    monkeypatch.setattr(controller, "start_worker", recording)
    return calls


def press_f5(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window.view.viewport(), Qt.Key_F5)


def test_train_refuses_errors_and_shows_the_problems_panel(make_window, qtbot, tmp_path, started):
    w = make_window()
    assert w.install_dashboard()
    assert w.open_path(input_dense16(tmp_path))
    ctl = w.training
    ctl.mode = "process"
    w.docks["history"].raise_()                       # the Problems panel is behind another tab
    running = []
    ctl.runningChanged.connect(running.append)
    with qtbot.waitSignal(ctl.trainingRefused, timeout=10_000) as refused:
        press_f5(qtbot, w)
    errors = refused.args[0]
    assert len(errors) == 1 and "16 units" in str(errors[0])
    # Nothing started: no worker, no thread, no process, no lock, no "running".
    assert started == [] and running == [] and not live_threads()
    assert not ctl.is_running and ctl.train_action.isEnabled()
    assert not w.structure_locked and w.palette.isEnabled()
    # The problems are shown: the Problems panel in front, its first problem selected and
    # focused, the status bar naming it.
    dock = w.docks["problems"]
    assert dock.isVisible() and not dock.visibleRegion().isEmpty()
    assert w.problems.list.currentRow() == 0
    assert "16 units" in w.problems.list.currentItem().text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.problems.list, timeout=5000)
    status = w.statusBar().currentMessage()
    assert status.startswith("Cannot train:") and "dense" in status and "16 units" in status
    assert ctl.progress.status.text() == "Cannot train"
    assert not isinstance(ctl.message_box, QMessageBox)     # the panel shows them: no dialog


def test_a_host_without_a_problems_panel_gets_a_message_naming_the_first_and_the_count(qtbot, started):
    from core.designfile import Design
    from core.graph import Graph
    from core.settings import validate_data, validate_training
    from designer.dashboard import install_dashboard

    g = Graph()
    inp = g.add_node("Input", {"shape": [2]}).id
    g.connect(inp, g.add_node("Dense", {"units": 16}).id)
    g.add_node("Dense", {"units": 3})                  # not connected: a second error
    design = Design(g, validate_training({"loss": {"name": "binary_crossentropy", "params": {}}}),
                    validate_data({"name": "xor"}))
    win = QMainWindow()
    win.setCentralWidget(QLabel("canvas"))
    qtbot.addWidget(win)
    ctl = install_dashboard(win, lambda: design)
    ctl.mode = "thread"
    ctl.train_action.trigger()
    assert started == [] and not ctl.is_running and not live_threads()
    assert len(ctl.refused) >= 2
    box = ctl.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()        # shown, not exec()'d: no wait
    assert box.text().startswith(f"Cannot train: {len(ctl.refused)} problems; the first: ")
    box.close()


def test_warnings_do_not_block_training(make_window, qtbot, tmp_path, started):
    """xor without its Sigmoid and from_logits off: the pre-flight warns (a raw score read as a
    probability), Train still runs."""
    from core import preflight as pf
    from core.designfile import load_design

    path = xor_file(tmp_path, "raw_score", [("Input", {"shape": [2]}), ("Dense", {"units": 8}), ("Tanh", {}),
                                            ("Dense", {"units": 1})], epochs=3)
    problems = pf.preflight(load_design(path))
    assert problems and not any(pf.is_error(p) for p in problems)        # warnings only
    w = make_window()
    assert w.install_dashboard()
    assert w.open_path(path)
    ctl = w.training
    ctl.mode = "thread"
    with qtbot.waitSignal(ctl.runningChanged, timeout=FIRST_RUN_MS, check_params_cb=lambda r: not r):
        press_f5(qtbot, w)
    assert len(started) == 1 and ctl.refused == []
    assert ctl.last_error == "" and ctl.last_end.reason == "completed"
