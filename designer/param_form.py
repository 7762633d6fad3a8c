"""A form built from core ``Param`` declarations: one fitting widget per parameter.

int → spin box with the declared range, float → a spin box that reads and writes 1e-8 as well
as 0.25, bool → check box, choice → combo box, shape → "8, 8" text field, str → text field.
Typed text is checked with ``Param.validate`` on every keystroke: the field turns red and the
reason (core's words) shows under it; only valid values are emitted. Values live in the model —
the form only shows them (``set_values``) and reports edits (``edited``).
"""
from __future__ import annotations

import math
import re
from typing import Any, Sequence

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from core.params import Param

from .i18n import core_text
from .i18n.messages import translate_reason

INT_LIMIT = 2**31 - 1
LABEL_WIDTH = 96
FLOAT_LIMIT = 1e15
SEARCH_MARK = "◆ "      # before the label of a parameter a study searches (designer/tune)


def tr(text: str) -> str:
    return QCoreApplication.translate("ParamForm", text)


def pretty(name: str) -> str:
    return name.replace("_", " ").capitalize()


def parse_shape(text: str) -> list[int]:
    parts = [p for p in re.split(r"[\s,x×*]+", text.strip()) if p]
    return [int(p) for p in parts]   # ValueError for non-integers


class FloatSpinBox(QDoubleSpinBox):
    """Shows 0.001 and 1e-08 alike (%g), accepts scientific input, steps by a tenth of the value's
    order of magnitude."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(15)

    def textFromValue(self, value: float) -> str:
        return f"{value:.10g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = text.strip()
        try:
            v = float(t)
        except ValueError:
            ok = re.fullmatch(r"[-+]?(\d*\.?\d*([eE][-+]?\d*)?)?", t) is not None
            return (QValidator.Intermediate if ok else QValidator.Invalid), text, pos
        if not (self.minimum() <= v <= self.maximum()):
            return QValidator.Intermediate, text, pos
        return QValidator.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:
        v = self.value()
        mag = 10 ** math.floor(math.log10(abs(v))) if v else 0.1
        self.setValue(v + steps * mag / 10 if abs(v) < 1 else v + steps * max(mag / 10, 0.1))


class _Field(QObject):
    """One parameter's widget, its validation and its error label."""

    changed = Signal(object)

    def __init__(self, param: Param, parent: QWidget):
        super().__init__(parent)
        self.param = param
        self.value: Any = param.default
        self.error = QLabel(parent)
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.widget = self._make(parent)
        tip = core_text(param.doc)
        if param.convention:
            tip += "\n" + tr("Convention") + ": " + core_text(param.convention)
        self.widget.setToolTip(tip)
        if param.kind != "bool":
            self.widget.setMinimumWidth(64)   # below its size hint: a narrow dock must not clip
        self.widget.setObjectName(f"param_{param.name}")

    # -- per kind
    def _make(self, parent) -> QWidget:
        p = self.param
        if p.kind == "bool":
            w = QCheckBox(parent)
            w.toggled.connect(self._emit)
            return w
        if p.kind == "choice":
            w = QComboBox(parent)
            # long choices ("sparse_categorical_crossentropy") must not widen the whole panel
            w.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(8)
            docs = {}
            if p.name.endswith("initializer"):
                from core.initializers import INITIALIZER_DOCS
                docs = INITIALIZER_DOCS
            for i, c in enumerate(p.choices):
                w.addItem(str(c), c)
                if c in docs:
                    w.setItemData(i, core_text(docs[c]), Qt.ToolTipRole)
            w.activated.connect(lambda i: self._emit(w.itemData(i)))
            return w
        if p.kind in ("int", "float"):
            w = QSpinBox(parent) if p.kind == "int" else FloatSpinBox(parent)
            limit = INT_LIMIT if p.kind == "int" else FLOAT_LIMIT
            lo = p.minimum if p.minimum is not None else -limit
            hi = p.maximum if p.maximum is not None else limit
            if p.kind == "int":
                lo, hi = int(max(lo, -limit)), int(min(hi, limit))
                lo += 1 if p.min_exclusive else 0
            w.setRange(lo, hi)
            w.setKeyboardTracking(False)   # commit on Enter, focus-out or arrows, not per keystroke
            w.setAccelerated(True)
            w.valueChanged.connect(self._emit)
            w.lineEdit().textEdited.connect(self._check_text)
            return w
        w = QLineEdit(parent)
        w.textEdited.connect(self._check_text)
        w.editingFinished.connect(self._commit_text)
        return w

    def _parse(self, text: str):
        kind = self.param.kind
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "shape":
            return parse_shape(text)
        return text

    def _check_text(self, text: str) -> bool:
        """Validate as typed; show core's reason under the field."""
        try:
            self.param.validate(self._parse(text))
        except ValueError as e:
            msg = translate_reason(str(e)) if self.param.kind not in ("int", "float") or _is_number(text) else \
                tr("expects a number")
            self._show_error(msg)
            return False
        self._show_error("")
        return True

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.widget.setProperty("invalid", bool(message))
        self.widget.style().unpolish(self.widget)
        self.widget.style().polish(self.widget)

    def _commit_text(self) -> None:
        text = self.widget.text()
        if self._check_text(text):
            self._emit(self._parse(text))

    def _emit(self, value) -> None:
        try:
            value = self.param.validate(value)
        except ValueError as e:
            self._show_error(str(e))
            return
        self._show_error("")
        if value != self.value:
            self.value = value
            self.changed.emit(value)

    def set_value(self, value) -> None:
        self.value = value
        w = self.widget
        w.blockSignals(True)
        try:
            kind = self.param.kind
            if kind == "bool":
                w.setChecked(bool(value))
            elif kind == "choice":
                w.setCurrentIndex(max(0, w.findData(value)))
            elif kind in ("int", "float"):
                w.setValue(value)
            elif kind == "shape":
                w.setText(", ".join(str(v) for v in value))
            else:
                w.setText(str(value))
        finally:
            w.blockSignals(False)
        self._show_error("")


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


class ParamForm(QWidget):
    """Rows of fields for a sequence of Params. ``edited(name, value)`` carries validated values."""

    edited = Signal(str, object)

    def __init__(self, params: Sequence[Param], parent=None, labels: dict | None = None):
        super().__init__(parent)
        self.fields: dict[str, _Field] = {}
        self.labels: dict[str, QLabel] = {}
        self.rows: dict[str, int] = {}
        # Extra entries of a parameter label's context menu: name → [QAction] (the inspector
        # offers "Search This…" there: designer/tune). None: no menu.
        self.context_actions = None
        self.marks: dict[str, str] = {}
        self.form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        form.setLabelAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        for p in params:
            field = _Field(p, self)
            self.fields[p.name] = field
            field.changed.connect(lambda v, name=p.name: self.edited.emit(name, v))
            label = QLabel((labels or {}).get(p.name, core_text(pretty(p.name))), self)
            label.setToolTip(core_text(p.doc))
            label.setMinimumWidth(LABEL_WIDTH)   # forms stacked in one panel line up
            self.labels[p.name] = label
            label.setContextMenuPolicy(Qt.CustomContextMenu)
            label.customContextMenuRequested.connect(lambda pos, name=p.name: self._label_menu(name, pos))
            cell = QWidget(self)
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            row = QHBoxLayout()
            row.setSpacing(6)
            row.addWidget(field.widget, 1)
            if p.convention:
                badge = QLabel(_convention_tag(p.convention), cell)
                badge.setProperty("role", "badge")
                badge.setToolTip(core_text(p.convention))
                row.addWidget(badge)
            box.addLayout(row)
            box.addWidget(field.error)
            self.rows[p.name] = form.rowCount()
            form.addRow(label, cell)

    def widget(self, name: str) -> QWidget:
        return self.fields[name].widget

    def set_row_visible(self, name: str, visible: bool) -> None:
        self.form.setRowVisible(self.rows[name], visible)

    def error_text(self, name: str) -> str:
        f = self.fields[name]
        return f.error.text() if f.error.isVisibleTo(self) else ""

    def _label_menu(self, name: str, pos) -> None:
        actions = self.context_actions(name) if self.context_actions is not None else []
        if not actions:
            return
        from PySide6.QtWidgets import QMenu
        menu = QMenu(self)
        menu.addActions(actions)
        for act in actions:
            act.setParent(menu)
        self._menu = menu           # kept for tests; replaced by the next one
        menu.popup(self.labels[name].mapToGlobal(pos))

    def set_marks(self, marks: dict[str, str]) -> None:
        """Mark parameters (a searched one: ◆ before the label, `marks[name]` in its tool tip)."""
        self.marks = dict(marks)
        for name, label in self.labels.items():
            base = label.text().removeprefix(SEARCH_MARK)
            label.setText((SEARCH_MARK if name in self.marks else "") + base)
            self._label_tip(name, False)

    def _label_tip(self, name: str, mixed: bool) -> None:
        label = self.labels[name]
        tip = (tr("The selected blocks have different values; editing sets them all.") if mixed
               else core_text(self.fields[name].param.doc))
        if name in self.marks:
            tip += "\n" + self.marks[name]
        label.setToolTip(tip)

    def set_values(self, values: dict, mixed: set | frozenset = frozenset()) -> None:
        for name, field in self.fields.items():
            if name in values:
                field.set_value(values[name])
            label = self.labels[name]
            base = label.text().removesuffix(" ≠")
            label.setText(base + (" ≠" if name in mixed else ""))
            self._label_tip(name, name in mixed)


def _convention_tag(text: str) -> str:
    for name in ("Keras", "PyTorch"):
        if text.startswith(name):
            return name
    return tr("convention")
