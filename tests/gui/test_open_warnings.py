"""What the loader changed in a file (``Design.warnings``: a description or a label cut to its
limit) is shown after opening — status bar and a non-modal notice, never a modal dialog — and the
description editor holds no more than a design file may (MAX_DESCRIPTION_CHARS).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QFocusEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from core.designfile import MAX_DESCRIPTION_CHARS, MAX_LABEL_CHARS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "resources" / "examples" / "xor.json"


def oversized_xor(tmp_path) -> str:
    """xor.json with a description and one label longer than a design file may hold."""
    doc = json.loads(XOR.read_text())
    doc["description"] = "d" * (MAX_DESCRIPTION_CHARS + 50_000)
    doc["nodes"][1]["label"] = "L" * (MAX_LABEL_CHARS + 5)
    path = tmp_path / "oversized.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_opening_a_file_that_was_cut_says_so_without_a_modal_dialog(window, tmp_path):
    assert window.open_path(oversized_xor(tmp_path))          # a modal dialog would fail the test
    design = window.document.design
    assert design.description == "d" * MAX_DESCRIPTION_CHARS + "…" and len(design.warnings) == 2
    assert window.settings_panel.desc_edit.toPlainText() == design.description
    assert not window.settings_panel.error.isVisibleTo(window.settings_panel)
    status = window.statusBar().currentMessage()
    assert status == f"Opened oversized.json with 2 changes; the first: {design.warnings[0]}"
    assert "1,005 characters" in status
    box = window.open_warnings_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert not box.isModal() and box.windowModality() == Qt.NonModal
    details = box.informativeText()
    assert all(w in details for w in design.warnings)
    assert "label" in details and "Saving keeps the shortened text." in details
    # The window stays usable behind it: the next open replaces the notice (a clean file: none).
    assert window.open_path(str(XOR))
    assert window.open_warnings_box is None and not box.isVisible()
    assert window.statusBar().currentMessage().startswith("Opened ")
    assert "change" not in window.statusBar().currentMessage()


def test_an_example_or_a_clean_file_shows_no_notice(window):
    assert window.open_example(str(XOR))
    assert getattr(window, "open_warnings_box", None) is None
    assert window.document.design.warnings == []


def _paste(qtbot, edit, text: str) -> None:
    QApplication.clipboard().setText(text)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)


def _commit(edit) -> None:
    """Leave the editor (the panel commits the description on focus out)."""
    QApplication.sendEvent(edit, QFocusEvent(QEvent.FocusOut, Qt.TabFocusReason))


def test_the_description_editor_caps_a_paste_at_the_file_limit(window, qtbot):
    panel = window.settings_panel
    window.docks["training"].show()
    window.docks["training"].raise_()
    edit = panel.desc_edit
    edit.setPlainText("")
    edit.insertPlainText("Intro. ")
    _paste(qtbot, edit, "p" * (MAX_DESCRIPTION_CHARS + 20_000))
    text = edit.toPlainText()
    assert len(text) == MAX_DESCRIPTION_CHARS and text.startswith("Intro. ppp")
    assert panel.error.isVisibleTo(panel) and "20,007" in panel.error.text()
    assert f"{MAX_DESCRIPTION_CHARS:,}" in panel.error.text()
    _commit(edit)
    assert len(window.document.design.description) == MAX_DESCRIPTION_CHARS
    # Full: a further paste adds nothing and says how much it left out.
    _paste(qtbot, edit, "more")
    assert len(edit.toPlainText()) == MAX_DESCRIPTION_CHARS and "4 were left out" in panel.error.text()
    # A paste over a selection has the selection's room.
    edit.selectAll()
    _paste(qtbot, edit, "short")
    assert edit.toPlainText() == "short"
