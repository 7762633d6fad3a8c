"""File → Export Trained Weights… / Import Weights… and freezing blocks from the canvas menu.

Each exported file is read back by its real consumer (np.load, safetensors, onnxruntime) and its
predictions compared with the trained model's.
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QPainter

from core.designfile import Design
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training
from core.weights import META_KEY

TOL = 1e-5


def tiny_design(hidden=4, epochs=3) -> Design:
    g = Graph()
    x = g.add_node("Input", {"shape": [2]}, node_id="x").id
    h = g.add_node("Dense", {"units": hidden}, node_id="hidden").id
    a = g.add_node("Tanh", node_id="tanh").id
    o = g.add_node("Dense", {"units": 1}, node_id="out").id
    for s, t in ((x, h), (h, a), (a, o)):
        g.connect(s, t)
    for i, nid in enumerate((x, h, a, o)):
        g.set_position(nid, (i * 220.0, 0.0))
    training = validate_training({"epochs": epochs, "batch_size": 16, "metrics": ["accuracy"],
                                  "loss": {"name": "binary_crossentropy", "params": {"from_logits": True}}})
    return Design(g, training, validate_data({"name": "xor", "params": {"n": 40}}))


@pytest.fixture(scope="module")
def trained():
    model = Model.from_design(tiny_design())
    model.fit(collect_stats=False)
    return model


@pytest.fixture
def with_model(window, trained):
    """The window as after a training run: the dashboard controller holds the trained model."""
    window.document.replace(tiny_design())
    assert not window.actions_.export_weights.isEnabled()
    window.training = SimpleNamespace(model=trained, is_running=False)
    window._weights_changed("trained")
    assert window.actions_.export_weights.isEnabled()
    return window


def export(window, fmt, path):
    dialog = window.export_weights_dialog()
    dialog.set_format(fmt)
    dialog.path_edit.setText(str(path))
    dialog.accept()
    return dialog


def test_export_npz_and_read_it_back(with_model, trained, tmp_path):
    path = tmp_path / "w.npz"
    dialog = export(with_model, "npz", path)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    expected = trained.executor.get_weights()
    with np.load(path, allow_pickle=False) as z:
        assert META_KEY in z.files
        for name, value in expected.items():
            np.testing.assert_array_equal(z[name], value)
    again = Model(tiny_design())
    again.load_weights(path)
    X = np.random.default_rng(0).normal(size=(16, 2))
    np.testing.assert_allclose(again.predict(X), trained.predict(X), atol=TOL)


def test_export_safetensors_and_read_it_back(with_model, trained, tmp_path):
    from safetensors.numpy import load_file
    path = tmp_path / "w.safetensors"
    export(with_model, "safetensors", path)
    arrays = load_file(str(path))
    for name, value in trained.executor.get_weights().items():
        np.testing.assert_array_equal(arrays[name], value)
    again = Model(tiny_design())
    again.load_weights(path)
    X = np.random.default_rng(1).normal(size=(16, 2))
    np.testing.assert_allclose(again.predict(X), trained.predict(X), atol=TOL)


def test_export_onnx_runs_in_onnxruntime(with_model, trained, tmp_path):
    import onnxruntime as ort
    path = tmp_path / "w.onnx"
    dialog = export(with_model, "onnx", path)
    assert str(path) == dialog.written
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X = np.random.default_rng(2).normal(size=(16, 2))
    (out,) = session.run(None, {"input": X.astype(np.float32)})   # the scaler is folded in
    np.testing.assert_allclose(out, trained.predict(X), atol=TOL)


def test_format_choice_sets_the_extension(with_model, tmp_path):
    dialog = with_model.export_weights_dialog()
    dialog.path_edit.setText(str(tmp_path / "net.npz"))
    dialog.set_format("onnx")
    assert dialog.path_edit.text().endswith("net.onnx") and dialog.opset_spin.isVisibleTo(dialog)
    dialog.set_format("safetensors")
    assert dialog.path_edit.text().endswith("net.safetensors") and not dialog.opset_spin.isVisibleTo(dialog)
    dialog.reject()


def test_missing_extra_names_the_extra(with_model, tmp_path, messages, monkeypatch):
    for name in ("safetensors", "safetensors.numpy"):
        monkeypatch.setitem(sys.modules, name, None)        # import fails as if not installed
    dialog = with_model.export_weights_dialog()
    dialog.set_format("safetensors")
    assert "pip install 'netdesigner[export]'" in dialog.note.text()
    dialog.path_edit.setText(str(tmp_path / "w.safetensors"))
    dialog.accept()
    assert dialog.isVisible()                               # nothing written: it stays open
    assert not (tmp_path / "w.safetensors").exists()
    kind, title, text = messages[-1]
    assert kind == "warning" and "'safetensors' package" in text and "netdesigner[export]" in text
    dialog.reject()


def test_export_without_weights_is_disabled(window):
    assert not window.actions_.export_weights.isEnabled()


# ---- import -----------------------------------------------------------------------------------
def test_import_lists_loaded_and_mismatched_weights(window, trained, tmp_path):
    path = tmp_path / "pre.npz"
    trained.save_weights(path)
    window.document.replace(tiny_design(hidden=6))          # a wider hidden layer
    report = window.import_weights_dialog(str(path))
    assert sorted(report.loaded) == ["out/bias"]
    assert [m.split(":")[0] for m in report.mismatched] == ["hidden/kernel", "hidden/bias", "out/kernel"]
    assert "file has shape (2, 4), design needs (2, 6)" in report.mismatched[0]
    dialog = window.import_report_dialog
    assert dialog.items("loaded") == ["out/bias"]
    assert len(dialog.items("mismatched")) == 3 and dialog.items("unexpected") == []
    # the hook the training engine reads, and Export now has weights to write
    assert window.initial_weights_path == str(path)
    assert window.actions_.export_weights.isEnabled() and window.actions_.forget_weights.isEnabled()
    imported = window.imported_model
    np.testing.assert_array_equal(imported.executor.view("out/bias"), trained.executor.view("out/bias"))
    assert imported.scaler is not None                     # the file's scaler, for export
    dialog.accept()
    window.forget_imported_weights()
    assert window.initial_weights_path == "" and not window.actions_.export_weights.isEnabled()


def test_imported_weights_export_unchanged(window, trained, tmp_path):
    src = tmp_path / "pre.safetensors"
    from core.export import export_safetensors
    export_safetensors(trained, src)
    window.document.replace(tiny_design())
    report = window.import_weights_dialog(str(src))
    assert not report.skipped and not report.unexpected
    window.import_report_dialog.accept()
    out = tmp_path / "again.npz"
    export(window, "npz", out)
    with np.load(out, allow_pickle=False) as z:
        for name, value in trained.executor.get_weights().items():
            np.testing.assert_array_equal(z[name], value)


def test_opening_another_design_forgets_the_import(window, trained, tmp_path):
    path = tmp_path / "pre.npz"
    trained.save_weights(path)
    window.document.replace(tiny_design())
    window.import_weights_dialog(str(path))
    window.import_report_dialog.accept()
    window.document.new()
    assert window.initial_weights_path == "" and window.imported_model is None


def test_import_failures_show_cores_message(window, trained, tmp_path, messages):
    g = Graph()
    g.connect(g.add_node("Input", {"shape": [3]}).id, g.add_node("Dense", {"units": 2}, node_id="other").id)
    window.document.replace(Design(g, validate_training({}), validate_data({})))
    path = tmp_path / "pre.npz"
    trained.save_weights(path)
    assert window.import_weights_dialog(str(path)) is None
    assert "no weight of the file matches this design" in messages[-1][2]
    (tmp_path / "w.onnx").write_bytes(b"\x08\x07")      # an existing file, of the wrong kind
    assert window.import_weights_dialog(str(tmp_path / "w.onnx")) is None
    assert "ONNX files are an export format only" in messages[-1][2]
    assert window.initial_weights_path == ""


# ---- freeze -----------------------------------------------------------------------------------
def menu_action(window, name):
    menu = window.canvas_menu(None, QPointF())
    found = [a for a in menu.actions() if a.objectName() == name]
    return found[0] if found else None


def test_freeze_from_the_canvas_menu_is_undoable(window):
    window.document.replace(tiny_design())
    graph, scene = window.document.graph, window.scene
    scene.select_nodes(["tanh"])
    assert menu_action(window, "freezeAction") is None          # nothing to freeze on a Tanh
    scene.select_nodes(["hidden"])
    menu_action(window, "freezeAction").trigger()
    assert graph.nodes["hidden"].params["trainable"] is False
    item = scene.node_items["hidden"]
    assert item.frozen and "Frozen" in item.toolTip()
    image = QImage(400, 300, QImage.Format_ARGB32)            # the badge paints without error
    painter = QPainter(image)
    scene.render(painter)
    painter.end()
    assert menu_action(window, "unfreezeAction") is not None
    window.document.stack.undo()
    assert graph.nodes["hidden"].params["trainable"] is True and not item.frozen
    window.document.stack.redo()
    assert graph.nodes["hidden"].params["trainable"] is False


def test_freeze_several_blocks_is_one_step(window):
    window.document.replace(tiny_design())
    window.scene.select_nodes(["hidden", "out", "tanh"])
    menu_action(window, "freezeAction").trigger()
    graph = window.document.graph
    assert not graph.nodes["hidden"].params["trainable"] and not graph.nodes["out"].params["trainable"]
    assert window.document.stack.count() == 1
    window.document.stack.undo()
    assert graph.nodes["hidden"].params["trainable"] and graph.nodes["out"].params["trainable"]


def test_the_dashboard_hooks_export_and_cross_validate(window, trained):
    pytest.importorskip("pyqtgraph")
    assert window.install_dashboard()
    ctl = window.training
    assert window.actions_.cross_validate in ctl.menu.actions()
    assert not window.actions_.export_weights.isEnabled()
    ctl.model = trained                       # as the controller does when a run ends
    ctl.modelTrained.emit(trained)
    assert window.actions_.export_weights.isEnabled() and window.weights_source == "trained"
