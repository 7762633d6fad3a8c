"""Trained weights belong to the document they were trained on.

Driven as a person would: open XOR, press Train, wait; then File → New, or open another example.
Export, Evaluate and Save Trained Weights must not offer XOR's weights for the other design, and
the curves and the "Trained N epochs" status go with them. Editing the structure after training
keeps the weights (fine-tuning stays possible) but marks them stale, and Export warns.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pyqtgraph")

from designer.paths import resource  # noqa: E402
from designer.training_worker import live_threads  # noqa: E402

FIRST_RUN_MS = 600_000          # a hang guard, not a latency check: a cold numba cache on a
                                # loaded 2-core machine took over 120 s to compile the engine


@pytest.fixture
def trained_xor(make_window, qtbot, messages):
    """The main window right after training the XOR example to its end."""
    w = make_window()
    assert w.install_dashboard()
    ctl = w.training
    ctl.mode = "thread"                          # same engine loop, no process start-up
    assert w.open_example(str(resource("examples", "xor.json")))
    with qtbot.waitSignal(ctl.runningChanged, timeout=FIRST_RUN_MS, check_params_cb=lambda running: not running):
        ctl.train_action.trigger()
    assert ctl.last_error == "" and ctl.model is not None
    assert w.actions_.export_weights.isEnabled()
    assert ctl.evaluate_action.isEnabled() and ctl.save_weights_action.isEnabled()
    assert len(ctl.panels["loss"].raw) > 0
    assert "Trained" in ctl.progress.status.text()
    yield w
    ctl.shutdown(5000)
    qtbot.waitUntil(lambda: not live_threads(), timeout=5000)


def assert_nothing_trained(w, messages):
    ctl = w.training
    assert ctl.model is None
    assert not w.actions_.export_weights.isEnabled()
    assert not ctl.evaluate_action.isEnabled()
    assert not ctl.save_weights_action.isEnabled()
    loss = ctl.panels["loss"]
    assert len(loss.raw) == 0 and len(loss.train) == 0
    x, _y = loss.c_raw.getData()
    assert x is None or len(x) == 0                    # the curve on screen is empty too
    assert "Trained" not in ctl.progress.status.text()
    assert "Trained" not in w.statusBar().currentMessage()
    assert getattr(ctl.panels["results"], "model", None) is None
    # triggered anyway (a shortcut, a stale menu): nothing is written, a message says why
    before = len(messages)
    assert w.export_weights_dialog() is None
    assert len(messages) == before + 1 and "no trained weights" in messages[-1][2]
    assert ctl.evaluate() is None and ctl.save_weights("unused.npz") is False
    assert not w.weights_label.isVisible()


def test_file_new_forgets_the_trained_weights(trained_xor, messages):
    w = trained_xor
    w.actions_.new.trigger()                 # "Save the changes?" → Discard (the recorder's answer)
    assert not w.document.graph.nodes
    assert_nothing_trained(w, messages)


def test_opening_another_example_forgets_the_trained_weights(trained_xor, messages):
    w = trained_xor
    assert w.open_example(str(resource("examples", "residual_mlp.json")))
    assert "input" in w.document.graph.nodes and "stem" in w.document.graph.nodes
    assert_nothing_trained(w, messages)


def test_a_structure_edit_marks_the_weights_stale_and_export_warns(trained_xor, messages, tmp_path):
    from PySide6.QtCore import QPointF

    from designer.commands import Connect
    w = trained_xor
    ctl = w.training
    trained_hash = ctl.model.design.structure_hash()
    assert not w.weights_label.isVisible() and w.weights_warnings() == []
    doc, graph = w.document, w.document.graph
    # Tanh → ReLU, as a person would: delete the block, drop a ReLU, wire it in
    with doc.macro("Tanh to ReLU"):
        w.scene.select_nodes(["tanh"])
        w.actions_.delete.trigger()
        relu = w.editor.add_block("ReLU", QPointF(*graph.nodes["hidden"].position) + QPointF(0, 200))
        doc.push(Connect(graph, "hidden", relu))
        doc.push(Connect(graph, relu, "output"))
    assert doc.design.structure_hash() != trained_hash
    # still the trained weights (fine-tuning an edited design is allowed), but marked stale
    assert w.actions_.export_weights.isEnabled() and ctl.evaluate_action.isEnabled()
    assert w.weights_label.isVisible()
    warnings = w.weights_warnings()
    assert len(warnings) == 1 and warnings[0].startswith("warning:") and "XOR" in warnings[0]

    dialog = w.export_weights_dialog()
    assert dialog.stale.isVisible() and "warning" in dialog.stale.text()
    dialog.set_format("npz")
    dialog.path_edit.setText(str(tmp_path / "w.npz"))
    dialog.accept()
    assert (tmp_path / "w.npz").exists()
    assert "warning" in w.statusBar().currentMessage()
    with np.load(tmp_path / "w.npz", allow_pickle=False) as z:
        assert "hidden/kernel" in z.files

    doc.stack.undo()                                # back to the structure it was trained on
    assert doc.design.structure_hash() == trained_hash
    assert not w.weights_label.isVisible() and w.weights_warnings() == []
    dialog = w.export_weights_dialog()
    assert not dialog.stale.isVisible()
    dialog.reject()
