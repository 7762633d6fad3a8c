"""Design → Data…: the CSV decimal mark and encoding options, a relative path read from the
design's folder, and the loader's warnings (rows dropped) shown after Check."""
from __future__ import annotations

import os

import pytest
import shiboken6

from core.designfile import save_design


def choose(combo, value):
    i = combo.findData(value)
    assert i >= 0, value
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


@pytest.fixture
def dialog(window):
    dlg = window.open_data_dialog()
    yield dlg
    if shiboken6.isValid(dlg) and dlg.isVisible():
        dlg.reject()


def _european_csv(path, rows=30, missing_row=None):
    """Semicolons, decimal commas and accented names, saved as cp1252 (a typical Excel export)."""
    comma = (lambda v: f"{v:.2f}".replace(".", ","))
    lines = ["température;poids;classe"]
    for i in range(rows):
        t = "" if i == missing_row else comma(i / 4)
        lines.append(f"{t};{comma((i * 7 % 11) / 10)};{'été' if i % 2 else 'hiver'}")
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    return path


def test_decimal_comma_and_cp1252_from_the_dialog(window, dialog, tmp_path):
    path = _european_csv(tmp_path / "mesures.csv", missing_row=4)
    choose(dialog.source_combo, "csv")
    dialog.set_path(str(path))
    assert dialog.error_label.isVisible() and "cp1252" in dialog.error_label.text()   # UTF-8 fails, says why

    dialog.encoding_combo.setEditText("cp1252")
    choose(dialog.decimal_combo, ",")
    assert dialog.info is not None and dialog.info.columns == ["température", "poids", "classe"]
    assert dialog.info.kinds[:2] == ["numeric", "numeric"]
    choose(dialog.missing_combo, "drop")
    assert dialog.check(), dialog.error_label.text()
    assert "left out 1 of 30 rows" in dialog.result_label.text()

    options = dialog.validated()["options"]
    assert options["decimal"] == "," and options["encoding"] == "cp1252"
    dialog.accept()
    assert window.document.design.data["options"]["encoding"] == "cp1252"


def test_relative_path_is_read_from_the_design_folder(window, dialog, tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    _european_csv(tmp_path / "data" / "m.csv")
    window.document.save(str(tmp_path / "net.json"))
    monkeypatch.chdir(tmp_path.parent)
    choose(dialog.source_combo, "csv")
    dialog.encoding_combo.setEditText("cp1252")
    choose(dialog.decimal_combo, ",")
    dialog.set_path(os.path.join("data", "m.csv"))
    assert dialog.info is not None, dialog.error_label.text()
    assert dialog.check(), dialog.error_label.text()
