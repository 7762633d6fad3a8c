""""Search this…": the editor of one searched parameter (range or choices) and the menu entries
the inspector offers on a parameter's label. Every entry is checked by core's own validation
(``core.search_space.parse_entry``), whose reason shows in the dialog; edits are undoable
(``SetSearch``)."""
from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QVBoxLayout)

from core.errors import DesignFileError
from core.search_space import SearchParam, current_value, parse_entry, searchable, target_param

from ..i18n.messages import translate_reason
from .commands import SetSearch, search_with


def tr(text: str) -> str:
    return QCoreApplication.translate("SearchEditor", text)


def _text(v) -> str:
    return json.dumps(v) if isinstance(v, (bool, str)) else (f"{v:.10g}" if isinstance(v, float) else str(v))


def parse_choices(text: str, kind: str) -> list:
    """'8, 16, 32' → [8, 16, 32]; text choices may be bare words; true/false for bool."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            value = json.loads(part)
        except ValueError:
            value = part
        if kind in ("str", "choice") and not isinstance(value, str):
            value = part if kind == "str" else value
        if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        out.append(value)
    return out


def parse_number(text: str, kind: str):
    text = text.strip()
    if not text:
        return None
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        return text      # core's validation names it


class SearchEditor(QDialog):
    """Edit how one parameter is searched. After exec() == Accepted, `entry` holds the result."""

    def __init__(self, design, node: str | None, param: str, existing: SearchParam | None = None,
                 parent=None):
        super().__init__(parent)
        self.design, self.node, self.param = design, node, param
        self.spec = target_param(design.graph, design.training, node, param)
        self.entry: SearchParam | None = None
        name = f"{node}.{param}" if node is not None else param
        self.setWindowTitle(self.tr("Search {0}").format(name))
        self.setObjectName("searchEditor")
        box = QVBoxLayout(self)
        intro = QLabel(self.tr("A study tries values of {0} in this range and keeps the best.").format(name), self)
        intro.setWordWrap(True)
        box.addWidget(intro)
        form = QFormLayout()
        box.addLayout(form)
        self.kind = QComboBox(self)
        self.kind.setObjectName("searchKind")
        labels = {"int": self.tr("Whole numbers from … to …"), "float": self.tr("Numbers from … to …"),
                  "choice": self.tr("One of these values")}
        for k in searchable(self.spec):
            self.kind.addItem(labels[k], k)
        form.addRow(self.tr("Search"), self.kind)
        self.low, self.high, self.step = (QLineEdit(self) for _ in range(3))
        self.low.setObjectName("searchLow")
        self.high.setObjectName("searchHigh")
        self.step.setObjectName("searchStep")
        self.step.setPlaceholderText(self.tr("any"))
        self.log = QCheckBox(self.tr("Logarithmic scale (for rates and sizes spanning decades)"), self)
        self.log.setObjectName("searchLog")
        self.choices = QLineEdit(self)
        self.choices.setObjectName("searchChoices")
        self.choices.setPlaceholderText(self.tr("comma-separated, e.g. 8, 16, 32"))
        form.addRow(self.tr("From"), self.low)
        form.addRow(self.tr("To"), self.high)
        form.addRow(self.tr("Step"), self.step)
        form.addRow("", self.log)
        form.addRow(self.tr("Values"), self.choices)
        self.form = form
        self.error = QLabel(self)
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        box.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._fill(existing)

    def _fill(self, existing: SearchParam | None) -> None:
        spec = self.spec
        current = current_value(self.design, SearchParam(self.node, self.param, "choice"))
        if existing is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(existing.kind)))
            if existing.kind == "choice":
                self.choices.setText(", ".join(_text(c) for c in existing.choices))
            else:
                self.low.setText(_text(existing.low))
                self.high.setText(_text(existing.high))
                self.step.setText("" if existing.step is None else _text(existing.step))
                self.log.setChecked(existing.log)
        elif spec.kind == "int":
            lo = max(int(spec.minimum) if spec.minimum is not None else 1, current // 2, 1)
            self.low.setText(str(lo))
            self.high.setText(str(max(lo + 1, current * 2)))
            self.log.setChecked(current >= 4)
        elif spec.kind == "float":
            if current > 0:
                self.low.setText(_text(current / 10))
                self.high.setText(_text(min(current * 10, spec.maximum if spec.maximum is not None else 1e15)))
                self.log.setChecked(True)
            else:
                self.low.setText(_text(float(current)))
                self.high.setText(_text(float(spec.maximum if spec.maximum is not None else 1.0)))
        else:
            values = list(spec.choices) if spec.kind == "choice" else [True, False] if spec.kind == "bool" \
                else [current]
            self.choices.setText(", ".join(_text(c) for c in values))
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        for w in (self.low, self.high, self.step, self.log):
            self.form.setRowVisible(w, kind != "choice")
        self.form.setRowVisible(self.choices, kind == "choice")
        if kind == "choice" and not self.choices.text():
            self.choices.setText(_text(current_value(self.design, SearchParam(self.node, self.param, "choice"))))

    def raw_entry(self) -> dict:
        kind = self.kind.currentData()
        entry: dict = {"node": self.node, "param": self.param} if self.node is not None else {"setting": self.param}
        entry["kind"] = kind
        if kind == "choice":
            entry["choices"] = parse_choices(self.choices.text(), self.spec.kind)
        else:
            entry["low"] = parse_number(self.low.text(), kind)
            entry["high"] = parse_number(self.high.text(), kind)
            step = parse_number(self.step.text(), kind)
            if step is not None:
                entry["step"] = step
            entry["log"] = self.log.isChecked()
        return entry

    def accept(self) -> None:
        try:
            self.entry = parse_entry(self.raw_entry(), self.design.graph, self.design.training, "search")
        except DesignFileError as e:
            field = e.path.rsplit(".", 1)[-1]
            self.error.setText(f"{field}: {translate_reason(e.reason)}" if field != "search" else
                               translate_reason(e.reason))
            self.error.show()
            return
        super().accept()


def searched_entry(design, node: str | None, param: str) -> SearchParam | None:
    name = f"{node}.{param}" if node is not None else f"training.{param}"
    return next((sp for sp in design.search if sp.name == name), None)


def edit_search(document, node: str | None, param: str, parent=None) -> bool:
    """Open the editor for one parameter; push the change. True when something changed."""
    design = document.design
    existing = searched_entry(design, node, param)
    dialog = SearchEditor(design, node, param, existing, parent)
    if dialog.exec() != QDialog.Accepted or dialog.entry is None or dialog.entry == existing:
        return False
    name = dialog.entry.name
    text = tr("Search {0}").format(name) if existing is None else tr("Change search of {0}").format(name)
    document.push(SetSearch(document, search_with(design.search, dialog.entry, name), text))
    return True


def stop_searching(document, node: str | None, param: str) -> None:
    existing = searched_entry(document.design, node, param)
    if existing is not None:
        document.push(SetSearch(document, search_with(document.design.search, None, existing.name),
                                tr("Stop searching {0}").format(existing.name)))


def search_actions(document, node: str | None, param: str, parent) -> list[QAction]:
    """The menu entries of one parameter: Search this… (or Edit search…) and Stop searching."""
    design = document.design
    try:
        spec = target_param(design.graph, design.training, node, param)
    except ValueError:
        return []
    if not searchable(spec):
        return []
    existing = searched_entry(design, node, param)
    edit = QAction(tr("Search This…") if existing is None else tr("Edit Search…"), parent)
    edit.setObjectName("searchThisAction")
    edit.setToolTip(tr("Let a hyper-parameter study (Run → Tune…) try values of this parameter"))
    edit.triggered.connect(lambda _c=False: edit_search(document, node, param, parent))
    actions = [edit]
    if existing is not None:
        stop = QAction(tr("Stop Searching"), parent)
        stop.setObjectName("stopSearchingAction")
        stop.triggered.connect(lambda _c=False: stop_searching(document, node, param))
        actions.append(stop)
    return actions


def node_marks(design, node_id: str) -> dict[str, str]:
    """{parameter: 'searched: 2 … 16 (log)'} of one node's searched parameters."""
    return {sp.param: tr("Searched: {0}").format(sp.describe()) for sp in design.search if sp.node == node_id}
