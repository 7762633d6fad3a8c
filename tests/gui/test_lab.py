"""The learning lab driven as a person would: train with F5 and find the run in View ▸ Run History;
Duplicate as Variant… with one change; Compare two runs; Help ▸ Gallery… ▸ Run Comparison."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from core.runs import RunStore

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 600_000          # hang guard only: a cold numba cache compiles the kernels on the first run


@pytest.fixture
def xor_file(tmp_path):
    doc = json.loads((ROOT / "resources" / "examples" / "xor.json").read_text(encoding="utf-8"))
    doc["training"]["epochs"] = 12
    doc["training"]["stats_interval"] = 3
    path = tmp_path / "xor.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def menu_action(menu, text):
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def train_once(qtbot, win):
    assert win.install_dashboard()
    win.training.mode = "thread"
    with qtbot.waitSignal(win.lab.runsChanged, timeout=WAIT_MS):
        win.training.train_action.trigger()
    qtbot.waitUntil(lambda: not win.training.is_running, timeout=WAIT_MS)


def test_a_run_lands_in_the_history_beside_the_design_and_a_variant_compares_with_it(qtbot, make_window,
                                                                                      xor_file):
    win = make_window()
    assert win.open_path(str(xor_file))
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    menu_action(view, "Run History").trigger()
    assert win.docks["runs"].isVisible()
    train_once(qtbot, win)

    panel = win.lab.panel
    assert len(panel.runs) == 1
    run_a = panel.runs[0]
    assert run_a.epochs_run == 12 and len(run_a.history["loss"]) == 12
    assert run_a.layers["hidden"]["grad_norm"]                 # per-layer statistics were recorded
    assert os.path.isfile(Path(str(xor_file) + ".runs") / f"{run_a.id}.json")   # beside the design
    assert [r.id for r in RunStore(xor_file).load_all()] == [run_a.id]

    # Duplicate as Variant…: select the run, change the learning rate, train
    panel.tree.setCurrentItem(panel.items()[0])
    assert panel.variant_button.isEnabled()

    def fill(dialog):
        dialog.select("training.optimizer.params.learning_rate")
        dialog.value.setText("0.001")
        dialog.accept()
        assert dialog.result() == QDialog.Accepted, dialog.error.text()

    with qtbot.waitSignal(win.lab.compareOpened, timeout=WAIT_MS) as opened:
        assert win.lab.duplicate_as_variant(panel.selected_id(), dialog_hook=fill)
    compare = opened.args[0]
    assert len(panel.runs) == 2
    run_b = next(r for r in panel.runs if r.id != run_a.id)
    assert run_b.parent == run_a.id and "learning_rate" in run_b.change
    # the one change is the only difference: same seed, same data split
    diffs = compare.differences()
    assert [(k, w) for k, w, _ in diffs] == [("setting", "training.optimizer.params.learning_rate")]
    assert diffs[0][2][1] == "0.001"
    assert compare.diff_table.rowCount() == 1
    # overlaid curves: one per run, and they differ (a 30× smaller rate learns more slowly)
    compare.curve_choice.setCurrentIndex(compare.curve_choice.findData("loss"))
    (xa, ya), (xb, yb) = compare.curve_data("loss")
    assert len(compare.curve_items) == 2 and len(ya) == len(yb) == 12
    assert yb[-1] > ya[-1]
    # gradient flow side by side: one bar plot per run over the same layers
    assert len(compare.grad_plots) == 2
    assert set(compare.grad_plots[0][1]) == set(compare.grad_plots[1][1]) == {"hidden", "output"}
    compare.close()

    # Compare from the panel: tick both and press the button
    panel.set_checked([run_a.id, run_b.id])
    assert panel.compare_button.isEnabled()
    with qtbot.waitSignal(win.lab.compareOpened, timeout=5000) as opened:
        qtbot.mouseClick(panel.compare_button, Qt.LeftButton)
    assert [r.id for r in opened.args[0].runs] == [run_a.id, run_b.id]
    opened.args[0].close()

    # Delete removes the files too
    panel.set_checked([run_b.id])
    qtbot.mouseClick(panel.delete_button, Qt.LeftButton)
    assert [r.id for r in RunStore(xor_file).load_all()] == [run_a.id]


def test_a_bad_variant_value_is_shown_in_the_dialog_not_raised(qtbot, make_window, xor_file):
    from core.designfile import load_design
    from designer.lab.variant_dialog import VariantDialog
    win = make_window()
    dialog = VariantDialog(load_design(xor_file), win)
    dialog.select("hidden.units")
    dialog.value.setText("-4")
    dialog.accept()
    assert dialog.result() != QDialog.Accepted and "units" in dialog.error.text()
    dialog.value.setText("6")
    dialog.accept()
    assert dialog.result() == QDialog.Accepted
    assert dialog.variant.graph.nodes["hidden"].params["units"] == 6


def test_the_gallery_opens_an_experiment_as_a_checked_comparison(qtbot, make_window):
    win = make_window()
    menu_action(win.help_menu, "Gallery…").trigger()
    gallery = win.lab.gallery
    assert gallery.isVisible() and gallery.tree.topLevelItemCount() >= 15
    gallery.select("02_initializers_he_vs_zeros")
    assert "He" in gallery.text.toPlainText()
    with qtbot.waitSignal(win.lab.compareOpened, timeout=WAIT_MS) as opened:
        qtbot.mouseClick(gallery.run_button, Qt.LeftButton)
    compare = opened.args[0]
    assert compare.windowTitle() == "Initialisation: He versus all zeros"
    assert [r.label for r in compare.runs] == ["He uniform", "All zeros"]
    # the claims were checked on these very runs, and hold
    table = compare.claims_table
    assert table.rowCount() == 2
    assert all(table.item(i, 0).text() == "holds" for i in range(2))
    he, zeros = compare.curve_data("loss")
    assert he[1][-1] < 0.5 * zeros[1][-1]
    # the zero-initialised hidden layers get no gradient at all: no bar to draw in the gradient flow
    zero_flow = compare.grad_plots[1][1]
    assert not np.isfinite(zero_flow["dense1"]) or zero_flow["dense1"] == 0 or zero_flow["dense1"] < 1e-12
    assert compare.diff_table.rowCount() == 3            # three kernel initialisers, nothing else
    compare.close()
    gallery.close()


def test_an_unsaved_designs_runs_follow_it_to_its_file_and_another_document_has_its_own(qtbot, make_window,
                                                                                        xor_file, tmp_path):
    win = make_window()
    assert win.open_example(str(xor_file))          # an untitled copy: runs are kept in memory
    assert win.document.path == ""
    train_once(qtbot, win)
    assert len(win.lab.panel.runs) == 1
    assert not os.path.exists(str(xor_file) + ".runs")            # nothing written beside the source
    saved = tmp_path / "mine.json"
    win.document.save(str(saved))                                  # File ▸ Save
    assert [r.id for r in RunStore(saved).load_all()] == [win.lab.panel.runs[0].id]
    other = tmp_path / "other.json"
    other.write_text(xor_file.read_text(encoding="utf-8"), encoding="utf-8")
    # an untitled document's runs do not leak into the next file opened
    assert win.open_example(str(xor_file))
    assert win.lab.panel.runs == []
    train_once(qtbot, win)
    assert len(win.lab.panel.runs) == 1
    win.document._forced_dirty = False               # "discard changes"
    win.document.stack.setClean()
    assert win.open_path(str(other))
    assert win.lab.panel.runs == []                                # the other design's (empty) history
    assert not os.path.exists(str(other) + ".runs")
    assert win.open_path(str(saved))
    assert len(win.lab.panel.runs) == 1


def test_the_gallery_speaks_korean_when_the_window_does(qtbot, make_window, monkeypatch):
    import designer.i18n as i18n
    from designer.lab.gallery_dialog import GalleryDialog
    win = make_window()
    monkeypatch.setattr(i18n, "_current", "ko")
    dialog = GalleryDialog(win)
    dialog.select("02_initializers_he_vs_zeros")
    text = dialog.text.toPlainText()
    assert "초기화: He 초기화와 0 초기화" in text and "기울기" in text
    dialog.close()


def test_a_gallery_design_opens_on_the_canvas_as_an_untitled_copy(qtbot, make_window):
    win = make_window()
    gallery = win.lab.open_gallery()
    gallery.select("02_initializers_he_vs_zeros")
    names = [a.text() for a in gallery.open_menu.actions()]
    assert names == ["He uniform", "All zeros"]
    gallery.open_menu.actions()[1].trigger()
    design = win.document.design
    assert win.document.path == "" and win.document.is_modified()
    assert design.graph.nodes["dense1"].params["kernel_initializer"] == "zeros"
    assert "dense1" in win.scene.node_items
    gallery.close()
