"""The Problems panel: every problem core's validation finds; clicking one selects its node."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from . import icons

NODE_ROLE = Qt.UserRole + 1


def tr(text: str) -> str:
    return QCoreApplication.translate("ProblemsPanel", text)


class ProblemsPanel(QWidget):
    nodeRequested = Signal(str)      # the user picked a problem that belongs to this node
    countChanged = Signal(int)

    def __init__(self, scene, parent=None):
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(False)
        self.ok = QLabel(tr("✓  No problems: the design is ready to train."), self)
        self.ok.setProperty("role", "muted")
        self.ok.setContentsMargins(12, 8, 12, 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ok)
        layout.addWidget(self.list, 1)
        self.filler = layout.addStretch(0)
        self.list.itemClicked.connect(self._picked)
        self.list.itemActivated.connect(self._picked)
        scene.problemsChanged.connect(self.show_problems)
        self.show_problems(scene.problems)

    def show_problems(self, problems: list) -> None:
        self.list.clear()
        icon = icons.tool_icon("problems", "error")
        for p in problems:
            if p.node_id is None:
                text = p.reason
            else:
                name = p.node_id if not p.label or p.label == p.node_id else f"{p.label} ({p.node_id})"
                text = f"{name}: {p.reason}"
            item = QListWidgetItem(icon, text)
            item.setData(NODE_ROLE, p.node_id)
            item.setToolTip(str(p))
            self.list.addItem(item)
        self.ok.setVisible(not problems)
        self.list.setVisible(bool(problems))
        self.layout().setStretch(2, 0 if problems else 1)   # keep the "no problems" line on top
        self.countChanged.emit(len(problems))

    def _picked(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id:
            self.nodeRequested.emit(node_id)
