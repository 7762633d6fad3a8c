"""The Run History panel: every run of the open design (core.runs.RunStore), newest first, with
check boxes to pick runs to compare, "Duplicate as Variant…" and Delete."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from core.runs import RunRecord


def _num(v) -> str:
    return "—" if v is None else f"{v:.4g}"


class RunHistoryPanel(QWidget):
    """Signals: compareRequested(list of run ids), variantRequested(run id), deleteRequested(ids)."""

    compareRequested = Signal(list)
    variantRequested = Signal(str)
    deleteRequested = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("RunHistoryPanel")
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 4, 4, 4)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setHeaderLabels([self.tr("Run"), self.tr("When"), self.tr("Ended"), self.tr("Epochs"),
                                   self.tr("Loss"), self.tr("Val. loss"), self.tr("Change")])
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.itemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        col.addWidget(self.tree, 1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        col.addWidget(self.note)
        row = QHBoxLayout()
        self.compare_button = QPushButton(self.tr("Compare"))
        self.compare_button.setToolTip(self.tr("Overlay the curves of the ticked runs (two or more)"))
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit(self.checked_ids()))
        self.variant_button = QPushButton(self.tr("Duplicate as Variant…"))
        self.variant_button.setToolTip(self.tr("Train the selected run again with one change: same data "
                                               "split, same seed"))
        self.variant_button.clicked.connect(self._variant)
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.setToolTip(self.tr("Delete the ticked runs from the history"))
        self.delete_button.clicked.connect(lambda: self.deleteRequested.emit(self.checked_ids()))
        for b in (self.compare_button, self.variant_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        col.addLayout(row)
        self.runs: list[RunRecord] = []
        self.set_runs([])

    def set_runs(self, runs: list[RunRecord], problems: list[str] = ()) -> None:
        checked = set(self.checked_ids())
        self.runs = list(runs)
        self.tree.blockSignals(True)
        self.tree.clear()
        for r in reversed(self.runs):                     # newest first
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created))
            item = QTreeWidgetItem([r.label or r.id, when, r.reason, str(r.epochs_run),
                                    _num(r.final.get("loss")), _num(r.final.get("val_loss")), r.change])
            item.setData(0, Qt.UserRole, r.id)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(0, Qt.Checked if r.id in checked else Qt.Unchecked)
            item.setToolTip(0, r.message)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        if problems:
            self.note.setText(self.tr("{0} run files could not be read: {1}").format(len(problems), problems[0]))
        elif not self.runs:
            self.note.setText(self.tr("No runs yet: press Train (F5), or open Help ▸ Gallery."))
        else:
            self.note.setText(self.tr("Tick two or more runs and press Compare."))
        self._update_buttons()

    def items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def checked_ids(self) -> list[str]:
        ids = [it.data(0, Qt.UserRole) for it in self.items() if it.checkState(0) == Qt.Checked]
        order = {r.id: i for i, r in enumerate(self.runs)}
        return sorted(ids, key=lambda i: order.get(i, 0))     # oldest first: run A before run B

    def set_checked(self, ids) -> None:
        ids = set(ids)
        for it in self.items():
            it.setCheckState(0, Qt.Checked if it.data(0, Qt.UserRole) in ids else Qt.Unchecked)

    def selected_id(self) -> str | None:
        sel = self.tree.selectedItems()
        if sel:
            return sel[0].data(0, Qt.UserRole)
        checked = self.checked_ids()
        return checked[-1] if len(checked) == 1 else None

    def _variant(self) -> None:
        rid = self.selected_id()
        if rid:
            self.variantRequested.emit(rid)

    def _update_buttons(self) -> None:
        n = len(self.checked_ids())
        self.compare_button.setEnabled(n >= 2)
        self.delete_button.setEnabled(n >= 1)
        self.variant_button.setEnabled(self.selected_id() is not None)
