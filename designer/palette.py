"""The block palette, built from core's registry: groups from ``GROUPS`` and each block's
``group``, explanations from ``block_docs()``. Drag a block onto the canvas, or double-click it
to add it next to the selection (connected to it)."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, QSize, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from core.blocks import BLOCKS, GROUPS, block_docs

from . import icons
from .canvas.view import BLOCK_MIME

TYPE_ROLE = Qt.UserRole + 1
SEARCH_ROLE = Qt.UserRole + 2


def tr(text: str) -> str:
    return QCoreApplication.translate("Palette", text)


def block_tooltip(type_name: str, docs: dict | None = None) -> str:
    doc = (docs or block_docs()).get(type_name, {})
    parts = [f"<b>{type_name}</b>"]
    if doc.get("summary"):
        parts.append(doc["summary"])
    if doc.get("tip"):
        parts.append(f"<i>{doc['tip']}</i>")
    return "<p style='white-space:normal; max-width:320px'>" + "<br>".join(parts) + "</p>"


class PaletteTree(QTreeWidget):
    enterPressed = Signal(QTreeWidgetItem)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.currentItem() is not None:
            self.enterPressed.emit(self.currentItem())
            return
        super().keyPressEvent(event)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(10)
        self.setIconSize(QSize(22, 22))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setAnimated(True)
        self.setUniformRowHeights(True)

    def mimeTypes(self):
        return [BLOCK_MIME]

    def mimeData(self, items):
        types = [it.data(0, TYPE_ROLE) for it in items if it.data(0, TYPE_ROLE)]
        if not types:
            return None
        data = QMimeData()
        data.setData(BLOCK_MIME, QByteArray(types[0].encode("utf-8")))
        data.setText(types[0])
        return data


class Palette(QWidget):
    blockActivated = Signal(str)   # double-click or Enter on a block

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(self.tr("Filter blocks…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip(self.tr("Type part of a name or of what a block does, e.g. “norm”"))
        self.tree = PaletteTree(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        self.hint = QLabel(self.tr("Drag a block onto the canvas, or double-click it to add it "
                                   "after the selected block."), self)
        self.hint.setWordWrap(True)
        self.hint.setProperty("role", "muted")
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.hint)
        self.group_items: dict[str, QTreeWidgetItem] = {}
        self.block_items: dict[str, QTreeWidgetItem] = {}
        self._populate()
        self.filter.textChanged.connect(self.apply_filter)
        # not itemActivated: with single-click activation (a KDE setting) a click would add blocks
        self.tree.itemDoubleClicked.connect(self._activated)
        self.tree.enterPressed.connect(lambda item: self._activated(item, 0))

    def _populate(self) -> None:
        docs = block_docs()
        groups = list(GROUPS) + sorted({BLOCKS.get(n).group for n in BLOCKS} - set(GROUPS))
        font = self.tree.font()
        font.setBold(True)
        for group in groups:
            members = [n for n in BLOCKS if BLOCKS.get(n).group == group]
            if not members:
                continue
            head = QTreeWidgetItem(self.tree, [self.tr(group)])
            head.setIcon(0, icons.group_icon(group))
            head.setFont(0, font)
            head.setFlags(Qt.ItemIsEnabled)
            head.setToolTip(0, self.tr("{0} blocks").format(self.tr(group)))
            self.group_items[group] = head
            for name in members:
                item = QTreeWidgetItem(head, [name])
                item.setIcon(0, icons.block_icon(name))
                item.setData(0, TYPE_ROLE, name)
                doc = docs.get(name, {})
                # the tip mentions other blocks ("pair with ReLU"): search names and summaries only
                item.setData(0, SEARCH_ROLE, " ".join([name, group, doc.get("summary", "")]).lower())
                item.setToolTip(0, block_tooltip(name, docs))
                item.setStatusTip(0, doc.get("summary", ""))
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                self.block_items[name] = item
            head.setExpanded(True)

    def apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for head in self.group_items.values():
            visible = 0
            for i in range(head.childCount()):
                child = head.child(i)
                hay = child.data(0, SEARCH_ROLE)
                name = child.data(0, TYPE_ROLE).lower()
                show = all(w in hay for w in words)
                # a name match ranks a block in even when the summary would not
                show = show or (len(words) == 1 and words[0] in name)
                child.setHidden(not show)
                visible += show
            head.setHidden(visible == 0)
            head.setExpanded(True)

    def visible_blocks(self) -> list[str]:
        return [n for n, it in self.block_items.items() if not it.isHidden() and not it.parent().isHidden()]

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, TYPE_ROLE)
        if name:
            self.blockActivated.emit(name)
