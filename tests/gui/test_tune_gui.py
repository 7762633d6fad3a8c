"""Tuning in the designer: "Search This…" on a block parameter (marked in the inspector and on the
canvas, undoable), Run → Tune… running a 3-trial random study in a worker process while the
window polls its storage, the plots, a trial's curves, and "Apply Best Trial" undone."""
from __future__ import annotations

import json
import os

import optuna  # noqa: F401,E402  (the test extra has it: missing, the test fails)

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QDialog  # noqa: E402

from core.designfile import loads  # noqa: E402
from core.search_space import SearchParam  # noqa: E402
from designer.param_form import SEARCH_MARK  # noqa: E402
from designer.tune.search_editor import SearchEditor  # noqa: E402
from tests.tune_helpers import XOR  # noqa: E402

WAIT_MS = 180_000       # a fresh worker process loads Python, Optuna and the numba kernels


def xor_design(search=None, epochs=2):
    d = json.loads(XOR.read_text())
    d["training"]["epochs"] = epochs
    if search:
        d["search"] = search
    return loads(json.dumps(d))


def test_search_this_marks_the_parameter_and_undo_removes_it(window, monkeypatch):
    window.document.replace(xor_design())
    window.scene.select_nodes(["hidden"])
    form = window.inspector.form
    assert not form.labels["units"].text().startswith(SEARCH_MARK)

    def fill_and_accept(dialog):
        assert dialog.kind.currentData() == "int"
        dialog.low.setText("2")
        dialog.high.setText("6")
        dialog.log.setChecked(False)
        dialog.accept()
        return QDialog.Accepted if dialog.result() == QDialog.Accepted else QDialog.Rejected

    monkeypatch.setattr(SearchEditor, "exec", fill_and_accept)
    form.labels["units"].customContextMenuRequested.emit(QPoint(4, 4))     # right-click the label
    assert [a.text() for a in form._menu.actions()] == ["Search This…"]
    form._menu.close()
    actions = form.context_actions("units")
    assert [a.objectName() for a in actions] == ["searchThisAction"]
    actions[0].trigger()
    assert window.document.design.search == [SearchParam("hidden", "units", "int", 2, 6)]
    assert window.inspector.form.labels["units"].text().startswith(SEARCH_MARK)
    assert window.scene.node_items["hidden"].searched() == ["Searched units: 2 … 6"]
    assert window.scene.node_items["output"].searched() == []
    assert "Searched units" in window.scene.node_items["hidden"].toolTip()
    # a value core refuses is explained in the dialog, which stays open
    refused = SearchEditor(window.document.design, "hidden", "units", parent=window)
    refused.low.setText("0")
    refused.accept()
    assert refused.result() != QDialog.Accepted and "units" in refused.error.text()
    window.document.stack.undo()
    assert window.document.design.search == []
    assert not window.inspector.form.labels["units"].text().startswith(SEARCH_MARK)
    assert window.scene.node_items["hidden"].searched() == []


def test_tune_three_random_trials_then_apply_best_and_undo(window, qtbot):
    window.document.replace(xor_design([
        {"node": "hidden", "param": "units", "kind": "choice", "choices": [2, 4, 12]},
        {"setting": "optimizer.params.learning_rate", "kind": "float", "low": 0.005, "high": 0.2, "log": True}]))
    window.install_dashboard()          # normally just after the first paint; idempotent
    run_menu = next(a.menu() for a in window.menuBar().actions() if a.menu() and a.text() == "&Run")
    assert window.actions_.tune in run_menu.actions()
    window.actions_.tune.trigger()
    dialog = window._tune_dialog
    assert dialog.table.rowCount() == 2
    dialog.method.setCurrentIndex(dialog.method.findData("random"))
    dialog.trials.setValue(3)
    dialog.jobs.setValue(1)
    dialog.epochs.setValue(2)
    assert dialog.metric_box.currentData() == "val_loss"
    dialog.start_button.click()
    assert dialog.error.isHidden(), dialog.error.text()
    study = dialog.study_window
    assert study is not None and study.running()
    qtbot.waitUntil(lambda: study.model.finished, timeout=WAIT_MS)
    model = study.model
    assert model.rowCount() == 3
    assert [model.data(model.index(r, 1)) for r in range(3)] == ["complete"] * 3
    assert study.error.isHidden(), study.error.text()
    assert set(study.importances) == {"hidden.units", "training.optimizer.params.learning_rate"}
    best = min(model.trials, key=lambda t: t.value)
    assert study.best().number == best.number
    curves = study.show_curves(best.number)
    assert curves.keys == ["loss", "accuracy", "val_loss", "val_accuracy"]      # 2 epochs each
    assert all(len(item.xData) == 2 for item in curves.plot.getPlotItem().listDataItems())

    before_units = window.document.graph.nodes["hidden"].params["units"]
    before_lr = window.document.design.training["optimizer"]["params"]["learning_rate"]
    assert study.apply_button.isEnabled()
    study.apply_button.click()
    assert window.document.graph.nodes["hidden"].params["units"] == best.params["hidden.units"]
    assert window.document.design.training["optimizer"]["params"]["learning_rate"] == \
        best.params["training.optimizer.params.learning_rate"]
    window.document.stack.undo()                 # one undo step restores both
    assert window.document.graph.nodes["hidden"].params["units"] == before_units
    assert window.document.design.training["optimizer"]["params"]["learning_rate"] == before_lr
    folder = study.cfg.temporary_folder           # the journal file the worker and window shared
    assert folder and os.path.isfile(os.path.join(folder, "study.log"))
    study.close()
    assert not os.path.exists(folder)


def test_training_settings_are_added_and_removed_in_the_tune_dialog(window, monkeypatch):
    window.document.replace(xor_design())
    dialog = window.tune_dialog()
    assert dialog.table.rowCount() == 0 and not dialog.start_button.isEnabled()

    def choices_and_accept(editor):
        assert editor.windowTitle().endswith("optimizer.params.learning_rate")
        editor.kind.setCurrentIndex(editor.kind.findData("choice"))
        editor.choices.setText("0.01, 0.1")
        editor.accept()
        return editor.result()

    monkeypatch.setattr(SearchEditor, "exec", choices_and_accept)
    dialog._fill_add_menu()
    offered = {a.text(): a for a in dialog.add_menu.actions()}
    assert {"optimizer.params.learning_rate", "batch_size", "epochs"} <= set(offered)
    assert "optimizer.params.momentum" not in offered          # Adam has no momentum
    offered["optimizer.params.learning_rate"].trigger()
    assert window.document.design.search == [
        SearchParam(None, "optimizer.params.learning_rate", "choice", choices=(0.01, 0.1))]
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "{0.01, 0.1}"
    assert dialog.start_button.isEnabled()
    dialog._fill_add_menu()
    assert "optimizer.params.learning_rate" not in {a.text() for a in dialog.add_menu.actions()}
    # a storage that cannot be opened: one line in the dialog, no study window
    dialog.storage.setText("foo://nowhere")
    dialog.start_button.click()
    assert not dialog.error.isHidden() and "unsupported storage URL" in dialog.error.text()
    assert dialog.study_window is None
    dialog.remove_button.click()
    assert window.document.design.search == [] and dialog.table.rowCount() == 0
    window.document.stack.undo()
    assert len(window.document.design.search) == 1 and dialog.table.rowCount() == 1
    # a searched block deleted from the design is no longer listed (nor saved)
    window.document.replace(xor_design([{"node": "hidden", "param": "units", "kind": "int", "low": 2, "high": 4}]))
    window.document.graph.remove_node("hidden")
    dialog.refresh()
    assert dialog.table.rowCount() == 0 and "search" not in json.loads(window.document.text())
    dialog.close()
