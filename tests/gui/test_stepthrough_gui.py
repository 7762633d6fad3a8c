"""Step-through driven as a person would: Run ▸ Step Through Backpropagation…, Next through the
forward and backward pass and the update; the canvas shows each block's numbers and the update
formula; the design's weights are not changed."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

ROOT = Path(__file__).resolve().parents[2]


def factor(g: float) -> str:
    """How the formula writes a factor: parenthesised when negative."""
    return f"({g:.4g})" if g < 0 else f"{g:.4g}"


@pytest.fixture
def linear_file(tmp_path):
    """The course's linear regression: one Dense(1) on the sine data, plain SGD."""
    doc = json.loads((ROOT / "resources" / "examples" / "sine_regression.json").read_text(encoding="utf-8"))
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] in ("x", "y")]
    doc["edges"] = [{"source": "x", "target": "y", "port": 0}]
    doc["training"]["optimizer"] = {"name": "sgd", "params": {"learning_rate": 0.1}}
    doc["data"]["params"] = {"n": 40, "noise": 0.1}
    path = tmp_path / "linear.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def run_menu(win):
    return next(a.menu() for a in win.menuBar().actions() if a.menu() is not None
                and a.menu().objectName() == "runMenu")


def test_stepping_one_sample_through_linear_regression(qtbot, make_window, linear_file):
    win = make_window()
    assert win.open_path(str(linear_file))
    assert win.install_dashboard()
    action = next(a for a in run_menu(win).actions() if a.objectName() == "stepThroughAction")
    action.trigger()
    st = win.stepthrough
    assert st.dock.isVisible() and st.step is not None
    panel = st.panel
    # stages: forward x, y; loss; backward y (the data get no gradient); update
    assert st.stages == [("forward", "x"), ("forward", "y"), ("loss", ""), ("backward", "y"), ("update", "")]
    tag_y = st.tags["y"]
    assert not tag_y.isVisible()                    # y not reached yet
    qtbot.mouseClick(panel.next_button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.LeftButton)
    s = st.step
    x, t = float(s.x[0, 0]), float(s.y[0, 0])
    w = float(s.weights_of("y")[0].value[0, 0])
    b = float(s.weights_of("y")[1].value[0])
    yhat = w * x + b
    assert tag_y.isVisible() and tag_y.text.text().startswith("in  [")
    assert f"out [{yhat:.3g}]" in tag_y.text.text()
    assert "Forward 2/2" in panel.stage_label.text()
    panel.next_button.click()                       # the loss
    assert f"{(yhat - t) ** 2:.6g}" in panel.stage_label.text()
    panel.next_button.click()                       # backward through y: ∂L/∂ŷ = 2(ŷ − t)
    assert f"∂L/∂out [{2 * (yhat - t):.3g}]" in tag_y.text.text()
    panel.all_button.click()                        # the update
    g = 2 * (yhat - t) * x
    assert f"kernel ← {w:.4g} − 0.1·{factor(g)} = {w - 0.1 * g:.4g}" in tag_y.text.text()
    formula = f"kernel ← kernel − η·∂L/∂kernel = {w:.4g} − 0.1·{factor(g)} = {w - 0.1 * g:.4g}"
    assert formula in panel.detail.toPlainText()
    # selecting the Input block shows its numbers in the panel
    win.scene.select_nodes(["x"])
    assert "Output" in panel.detail.toPlainText() and f"{x:.4g}" in panel.detail.toPlainText()
    panel.back_button.click()
    assert "kernel ←" not in tag_y.text.text()
    # a mini-batch of 4 rows: gradients are the batch mean
    panel.rows.setValue(4)
    panel.compute_button.click()
    s4 = st.step
    assert s4.x.shape == (4, 1)
    xs, ts = s4.x[:, 0], s4.y[:, 0]
    w4 = float(s4.weights_of("y")[0].value[0, 0])
    b4 = float(s4.weights_of("y")[1].value[0])
    np.testing.assert_allclose(s4.weights_of("y")[0].grad[0, 0], np.mean(2 * (w4 * xs + b4 - ts) * xs), rtol=1e-4)
    # closing the dock removes the numbers from the canvas; the design is unchanged
    st.dock.close()
    assert st.tags == {} and st.step is None
    assert not win.document.stack.canUndo()
