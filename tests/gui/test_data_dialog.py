"""Design → Data…: a CSV previewed, its columns given roles, checked, applied as one undo step.

Every failure must show inline in the dialog: the autouse ``no_modal_dialogs`` fixture fails the
test on any message box.
"""
from __future__ import annotations

import copy

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from core.settings import validate_data


def write_csv(path, rows=40, bad_row=None):
    """x1, x2, name (text), label (yes/no), y (numbers): the default target is the last column."""
    lines = ["x1,x2,name,label,y"]
    for i in range(rows):
        x2 = "abc" if i == bad_row else f"{(i * 7 % 11) / 10:.2f}"
        lines.append(f"{i / 10:.2f},{x2},item{i},{'yes' if i % 2 else 'no'},{i * 0.5:.1f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def choose(combo, value):
    """Pick an item as a person would (activated is what the dialog listens to)."""
    i = combo.findData(value)
    assert i >= 0, value
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


@pytest.fixture
def dialog(window):
    dlg = window.open_data_dialog()
    assert dlg is not None and dlg.isVisible()
    yield dlg
    if shiboken6.isValid(dlg) and dlg.isVisible():       # OK/Cancel delete it (WA_DeleteOnClose)
        dlg.reject()


def test_csv_preview_roles_check_ok_and_undo(window, dialog, tmp_path):
    before = copy.deepcopy(window.document.design.data)
    path = write_csv(tmp_path / "people.csv")
    choose(dialog.source_combo, "csv")
    dialog.set_path(str(path))

    model = dialog.preview_model
    assert (model.rowCount(), model.columnCount()) == (40, 5)
    assert model.data(model.index(2, 2)) == "item2"
    assert model.headerData(2, Qt.Vertical) == "4"              # file line of the third data row
    # defaults: the last column is the target, the text column is left out
    assert dialog.roles == ["feature", "feature", "ignore", "ignore", "target"]
    assert "[target]" in model.headerData(4, Qt.Horizontal)

    choose(dialog.role_boxes[3], "target")                        # classify yes/no instead
    assert dialog.roles == ["feature", "feature", "ignore", "target", "feature"]
    assert "[target]" in model.headerData(3, Qt.Horizontal)
    assert "[feature]" in model.headerData(4, Qt.Horizontal)

    choose(dialog.missing_combo, "drop")
    dialog.val_spin.setValue(0.25)
    dialog.test_spin.setValue(0.25)
    assert dialog.check(), dialog.error_label.text()
    text = dialog.result_label.text()
    assert "40 samples: 20 train · 10 validation · 10 test. 3 features." in text
    assert "2 classes (no, yes)" in text

    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert not dialog.isVisible()
    d = window.document.design.data
    assert d["source"] == "csv" and d["path"] == str(path)
    assert d["options"] == {"missing": "drop", "target": "label", "features": ["x1", "x2", "y"]}
    assert (d["validation_split"], d["test_split"]) == (0.25, 0.25)
    assert d == validate_data(d)
    assert window.document.stack.count() == 1                    # one undo step
    window.document.stack.undo()
    assert window.document.design.data == before


def test_reopening_restores_file_and_roles(window, tmp_path):
    path = write_csv(tmp_path / "d.csv")
    window.document.design.data = validate_data({"source": "csv", "path": str(path), "options": {
        "target": "label", "features": ["x1", "y"], "delimiter": ",", "header": True}})
    dlg = window.open_data_dialog()
    try:
        assert dlg.source() == "csv"
        assert dlg.roles == ["feature", "ignore", "ignore", "target", "feature"]
        assert dlg.delimiter_combo.currentData() == "," and dlg.header_combo.currentData() is True
        assert dlg.candidate()["options"] == {"missing": "error", "delimiter": ",", "header": True,
                                              "target": "label", "features": ["x1", "y"]}
    finally:
        dlg.reject()


def test_header_override_resniffs(dialog, tmp_path):
    path = write_csv(tmp_path / "d.csv", rows=10)
    choose(dialog.source_combo, "csv")
    dialog.set_path(str(path))
    choose(dialog.header_combo, False)                       # the names row becomes data
    assert dialog.info.columns == ["col0", "col1", "col2", "col3", "col4"]
    assert dialog.preview_model.rowCount() == 11
    choose(dialog.delimiter_combo, ";")                      # one column only
    assert dialog.preview_model.columnCount() == 1


def test_bad_value_is_shown_inline_naming_row_and_column(window, dialog, tmp_path):
    path = write_csv(tmp_path / "bad.csv", bad_row=4)
    before = copy.deepcopy(window.document.design.data)
    choose(dialog.source_combo, "csv")
    dialog.set_path(str(path))
    assert dialog.roles[1] == "ignore"                      # 'abc' in the preview: read as text
    choose(dialog.role_boxes[1], "feature")                 # the person insists
    assert not dialog.check()
    err = dialog.error_label.text()
    assert dialog.error_label.isVisibleTo(dialog)
    assert "bad.csv, row 6, column 'x2': 'abc' is not a number" in err
    assert "Traceback" not in err
    assert window.document.design.data == before


def test_unreadable_files_and_missing_path_are_inline(window, dialog, tmp_path):
    choose(dialog.source_combo, "csv")
    dialog.set_path(str(tmp_path / "nowhere.csv"))
    assert "file not found" in dialog.error_label.text()
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    dialog.set_path(str(empty))
    assert "the file is empty" in dialog.error_label.text()
    dialog.accept()                                          # an unreadable CSV is refused
    assert dialog.isVisible() and "the file is empty" in dialog.error_label.text()
    dialog.set_path("")
    dialog.accept()
    assert dialog.isVisible() and "Choose a data file" in dialog.error_label.text()
    assert window.document.stack.count() == 0


def test_split_error_keeps_the_dialog_open(window, dialog):
    dialog.val_spin.setValue(0.5)
    dialog.test_spin.setValue(0.5)
    dialog.accept()
    assert dialog.isVisible()
    assert "validation_split + test_split must leave data to train on" in dialog.error_label.text()
    assert window.document.stack.count() == 0


def test_builtin_data_set_and_parameters(window, dialog):
    choose(dialog.name_combo, "circles")
    dialog.params_form.fields["factor"].widget.setValue(0.3)
    choose(dialog.scaling_combo, "minmax")
    dialog.seed_spin.setValue(7)
    assert dialog.check()
    assert "200 samples" in dialog.result_label.text() and "2 classes" in dialog.result_label.text()
    dialog.accept()
    d = window.document.design.data
    assert d["name"] == "circles" and d["params"]["factor"] == 0.3
    assert d["scaling"] == "minmax" and d["seed"] == 7
    window.document.stack.undo()
    assert window.document.design.data["name"] == "xor"


def test_cancel_changes_nothing(window, dialog, tmp_path):
    before = copy.deepcopy(window.document.design.data)
    choose(dialog.source_combo, "csv")
    dialog.set_path(str(write_csv(tmp_path / "d.csv")))
    dialog.val_spin.setValue(0.4)
    dialog.buttons.button(QDialogButtonBox.Cancel).click()
    assert window.document.design.data == before
    assert window.document.stack.count() == 0


def test_settings_panel_button_and_design_menu_open_it(window):
    window.settings_panel.data_button.click()
    assert window.data_dialog.isVisible()
    window.data_dialog.reject()
    window.actions_.data.trigger()
    assert window.data_dialog.isVisible()
    window.data_dialog.reject()
