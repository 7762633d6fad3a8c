"""Run → Cross-validate…: folds train in a worker thread; the table fills in fold by fold, then
mean ± std — the same numbers as ``core.kfold.kfold`` (and the CLI)."""
from __future__ import annotations

import pytest

from core.designfile import Design
from core.graph import Graph
from core.kfold import kfold
from core.settings import validate_data, validate_training
from designer.kfold_dialog import live_threads

WAIT_MS = 600_000         # hang guard only: a cold numba cache compiles the kernels on the first fold


def tiny_design(epochs=4, data=None) -> Design:
    g = Graph()
    x = g.add_node("Input", {"shape": [2]}, node_id="x").id
    h = g.add_node("Dense", {"units": 4}, node_id="hidden").id
    a = g.add_node("Tanh", node_id="tanh").id
    o = g.add_node("Dense", {"units": 1}, node_id="out").id
    for s, t in ((x, h), (h, a), (a, o)):
        g.connect(s, t)
    training = validate_training({"epochs": epochs, "batch_size": 8, "metrics": ["accuracy"],
                                  "loss": {"name": "binary_crossentropy", "params": {"from_logits": True}}})
    return Design(g, training, validate_data(data or {"name": "xor", "params": {"n": 40},
                                                      "validation_split": 0.0}))


@pytest.fixture
def no_leaked_threads(qtbot):
    yield
    qtbot.waitUntil(lambda: not live_threads(), timeout=10_000)
    assert not live_threads(), "a cross-validation thread leaked"


def test_two_folds_fill_the_table_then_mean_and_std(window, qtbot, no_leaked_threads):
    design = tiny_design()
    window.document.replace(design)
    dialog = window.cross_validate_dialog()
    dialog.k_spin.setValue(2)
    dialog.seed_spin.setValue(3)
    assert dialog.start()
    assert dialog.running and not dialog.run_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert not dialog.error
    table = dialog.table
    assert table.rowCount() == 3
    heads = [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]
    assert heads == ["Fold", "Train / test", "Epochs", "loss", "accuracy"]
    assert [table.item(r, 0).text() for r in range(3)] == ["fold 1", "fold 2", "mean ± std"]
    assert table.item(0, 1).text() == "20 / 20" and table.item(0, 2).text() == "4"
    assert "±" in table.item(2, 3).text()
    # the very numbers core's kfold (and the CLI) report for the same design and seed
    ref = kfold(tiny_design(), 2, 3)
    got = dialog.result
    for row, expected in zip(got["per_fold"], ref.per_fold):
        assert row == pytest.approx(expected)
    assert got["mean"] == pytest.approx(ref.mean) and got["std"] == pytest.approx(ref.std)
    assert "2-fold cross-validation: loss" in dialog.status.text()
    dialog.close()


def test_cancel_stops_the_running_fold(window, qtbot, no_leaked_threads):
    window.document.replace(tiny_design(epochs=1_000_000))
    dialog = window.cross_validate_dialog()
    dialog.k_spin.setValue(3)
    progressed = []
    dialog.start()
    dialog._worker.progress.connect(lambda *a: progressed.append(a))
    qtbot.waitUntil(lambda: bool(progressed), timeout=WAIT_MS)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    assert dialog.result is None
    assert dialog.table.rowCount() == 0                      # the interrupted fold is dropped
    assert dialog.status.text().startswith("Stopped")
    assert dialog.run_button.isEnabled()
    dialog.close()


def test_a_data_error_is_shown_as_a_dialog(window, qtbot, messages, tmp_path, no_leaked_threads):
    window.document.replace(tiny_design(data={"source": "csv", "path": str(tmp_path / "gone.csv")}))
    dialog = window.cross_validate_dialog()
    dialog.k_spin.setValue(2)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert dialog.result is None
    kind, title, text = messages[-1]
    assert title == "Cross-validation failed" and "gone.csv: file not found" in text
    dialog.close()


def test_closing_while_running_stops_the_worker(window, qtbot, no_leaked_threads):
    window.document.replace(tiny_design(epochs=1_000_000))
    dialog = window.cross_validate_dialog()
    dialog.k_spin.setValue(2)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.progress_bar.maximum() > 0, timeout=WAIT_MS)
    dialog.close()                                           # waits for the thread to end
    assert not live_threads()


def test_closing_the_window_stops_the_worker(make_window, qtbot, no_leaked_threads):
    window = make_window()
    window.document.replace(tiny_design(epochs=1_000_000))
    dialog = window.cross_validate_dialog()
    dialog.k_spin.setValue(2)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.progress_bar.maximum() > 0, timeout=WAIT_MS)
    window.document.stack.setClean()
    window.close()
    assert not live_threads()
