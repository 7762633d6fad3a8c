"""Duplicate as Variant: pick one thing to change in a run's design — a block parameter or a training
setting — and its new value. Seeds and the data split are not offered: both runs train on the same
data from the same start, so the one change is the only difference."""
from __future__ import annotations

import json

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout)

from core.errors import NetDesignerError
from core.runs import describe_change, make_variant

_SETTINGS = ("training.optimizer.name", "training.batch_size", "training.epochs", "training.clip_norm",
             "training.clip_value", "training.schedule.name", "training.early_stopping.enabled",
             "training.early_stopping.patience")


def change_choices(design: dict) -> list[tuple[str, dict, object]]:
    """(shown text, change without value, current value) for every change the dialog offers."""
    out = []
    t = design.get("training", {})
    for k, v in t.get("optimizer", {}).get("params", {}).items():
        out.append((f"training.optimizer.params.{k}", {"setting": f"training.optimizer.params.{k}"}, v))
    for path in _SETTINGS:
        node = design
        for key in path.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None:
            out.append((path, {"setting": path}, node))
    for n in design.get("nodes", []):
        for k, v in n.get("params", {}).items():
            out.append((f"{n['id']}.{k}  ({n['type']})", {"node": n["id"], "param": k}, v))
    return out


def parse_value(text: str):
    """JSON where it parses (0.01, 64, true, [2]), else the text itself (he_uniform)."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


class VariantDialog(QDialog):
    def __init__(self, design, parent=None):
        super().__init__(parent)
        self.setObjectName("VariantDialog")
        self.setWindowTitle(self.tr("Duplicate as Variant"))
        self.design = design
        self.choices = change_choices(design.to_dict())
        col = QVBoxLayout(self)
        col.addWidget(QLabel(self.tr("Train this run's design again with one change. The seed and the data "
                                     "split stay the same, so the change is the only difference.")))
        form = QFormLayout()
        self.what = QComboBox()
        for text, _change, _value in self.choices:
            self.what.addItem(text)
        self.what.currentIndexChanged.connect(self._fill_value)
        self.value = QLineEdit()
        form.addRow(self.tr("Change:"), self.what)
        form.addRow(self.tr("New value:"), self.value)
        col.addLayout(form)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828")
        col.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(self.tr("Train Variant"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.variant = None
        self.change: dict | None = None
        lr = self.what.findText("training.optimizer.params.learning_rate")
        self.what.setCurrentIndex(max(lr, 0))
        self._fill_value()

    def select(self, text: str) -> None:
        i = self.what.findText(text)
        if i < 0:
            i = next(k for k in range(self.what.count()) if self.what.itemText(k).startswith(text))
        self.what.setCurrentIndex(i)

    def _fill_value(self) -> None:
        i = self.what.currentIndex()
        if 0 <= i < len(self.choices):
            self.value.setText(json.dumps(self.choices[i][2]))

    def accept(self) -> None:
        _text, change, _old = self.choices[self.what.currentIndex()]
        change = {**change, "value": parse_value(self.value.text())}
        try:
            self.variant = make_variant(self.design, change)
        except NetDesignerError as e:
            self.error.setText(str(e))
            return
        self.change = change
        self.change_text = describe_change(change)
        super().accept()
