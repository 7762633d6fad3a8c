"""Diagnosis driven as a person would: a zero-initialised ReLU net trains, the dead ReLUs get a
badge on the canvas and a message in the Diagnosis dock; Try the Fix trains the variant with He
initialization and opens the comparison. Check Initialization shows the spread before training."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 600_000  # hang guard only (a cold numba cache on a loaded machine compiles for minutes)


@pytest.fixture
def zeros_file(tmp_path):
    from core.gallery import load_experiment
    design = load_experiment(ROOT / "resources" / "gallery" / "02_initializers_he_vs_zeros").variant("zeros").design
    doc = design.to_dict()
    doc["training"]["epochs"] = 5
    path = tmp_path / "zeros.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_dead_relus_are_shown_on_their_blocks_and_the_fix_is_one_click(qtbot, make_window, zeros_file):
    win = make_window()
    assert win.open_path(str(zeros_file))
    assert win.install_dashboard()
    diag = win.diagnosis
    win.training.mode = "thread"
    with qtbot.waitSignal(win.lab.runsChanged, timeout=WAIT_MS):
        win.training.train_action.trigger()
    qtbot.waitUntil(lambda: not win.training.is_running, timeout=WAIT_MS)
    panel = diag.panel
    assert {"act1", "act2"} <= set(diag.badges)
    assert diag.badges["act1"].parentItem() is win.scene.node_items["act1"]
    assert "Dead ReLU" in diag.badges["act1"].toolTip()
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    row = next(i for i, t in enumerate(texts) if t.startswith("⚠ act1:"))
    panel.list.setCurrentRow(row)
    assert win.scene.selected_node_ids() == ["act1"]          # the message points at its block
    assert "he_normal" in panel.fix_label.text()
    assert panel.fix_button.isEnabled()
    with qtbot.waitSignal(win.lab.compareOpened, timeout=WAIT_MS) as opened:
        panel.fix_button.click()
    compare = opened.args[0]
    diffs = compare.differences()
    assert sorted(w for _, w, _ in diffs) == ["dense1.kernel_initializer", "dense2.kernel_initializer"]
    run_b = next(r for r in win.lab.panel.runs if r.parent)
    assert run_b.final["loss"] < win.lab.run(run_b.parent).final["loss"] - 0.05     # the fix helps


def test_check_initialization_before_training(qtbot, make_window, zeros_file):
    win = make_window()
    assert win.open_path(str(zeros_file))
    assert win.install_dashboard()
    action = next(a for a in win.training.menu.actions() if a.text().replace("&", "") == "Check Initialization")
    action.trigger()
    diag = win.diagnosis
    assert diag.dock.isVisible()
    table = diag.panel.init_table
    blocks = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert blocks[:3] == ["input", "dense1", "act1"]
    r = blocks.index("act1")
    assert table.item(r, 3).text() == "0"                 # every ReLU output is zero: no spread
    assert "act1" in diag.badges and "problem" in diag.panel.init_summary.text()
    assert win.training.model is None                    # nothing was trained
