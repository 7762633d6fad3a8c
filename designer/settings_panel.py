"""Training settings stored in the design: data set, loss, optimizer, LR schedule, batch size,
epochs, metrics, early stopping, checkpoint, seed — every form built from core's Params.

An edit builds the candidate settings, lets core validate them (``validate_training`` /
``validate_data``, whose one-line reason is shown when they refuse) and pushes one undoable
``SetSetting`` with the normalised value.
"""
from __future__ import annotations

import copy

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from core.data import DATASET_PARAMS
from core.designfile import MAX_DESCRIPTION_CHARS
from core.errors import DesignFileError
from core.losses import LOSSES
from core.metrics import CLASSIFICATION_METRICS, METRIC_NAMES
from core.optimizers import OPTIMIZERS
from core.params import Param
from core.schedules import SCHEDULES
from core.settings import (CHECKPOINT_PARAMS, DATA_PARAMS, EARLY_STOPPING_PARAMS, TRAINING_PARAMS,
                           validate_data, validate_training)

from .commands import SetSetting
from .i18n import core_text
from .i18n.messages import translate_reason
from .param_form import ParamForm

# A schedule's initial rate is the optimizer's learning rate (core.settings hides it the same way).
SCHEDULE_INITIAL = ("lr", "learning_rate", "initial_learning_rate", "initial", "initial_lr")


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsPanel", text)


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n\n")[0].replace("\n", " ")


class NamedSection(QGroupBox):
    """A registry choice (loss, optimizer, schedule, data set) and the form of its parameters."""

    def __init__(self, title: str, names, params_of, doc_of, on_name, on_param, parent=None):
        super().__init__(title, parent)
        self.params_of, self.doc_of = params_of, doc_of
        self.on_param = on_param
        self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        for n in names:
            self.combo.addItem(n, n)
            self.combo.setItemData(self.combo.count() - 1, doc_of(n), Qt.ToolTipRole)
        self.combo.activated.connect(lambda i: on_name(self.combo.itemData(i)))
        self.doc = QLabel(self)
        self.doc.setWordWrap(True)
        self.doc.setProperty("role", "muted")
        self.box = QVBoxLayout(self)
        self.box.setSpacing(6)
        self.box.addWidget(self.combo)
        self.box.addWidget(self.doc)
        self.form: ParamForm | None = None
        self.current: str | None = None

    def show_value(self, name: str, values: dict) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(name)))
        self.doc.setText(self.doc_of(name))
        if name != self.current:
            if self.form is not None:
                self.form.setParent(None)
                self.form.deleteLater()
                self.form = None
            params = self.params_of(name)
            if params:
                self.form = ParamForm(params, self)
                self.form.edited.connect(self.on_param)
                self.box.addWidget(self.form)
            self.current = name
        if self.form is not None:
            self.form.set_values(values)


class DescriptionEdit(QPlainTextEdit):
    """The design's description, capped at core.designfile.MAX_DESCRIPTION_CHARS — what a design
    file may hold (the loader cuts a longer one). A paste or drop is cut to the room left, at the
    cursor, and `capped` says how much was left out; typing past the cap is undone at the end."""

    capped = Signal(int)          # characters that were left out

    def __init__(self, parent=None, limit: int = MAX_DESCRIPTION_CHARS):
        super().__init__(parent)
        self.limit = limit
        self._showing = False
        self.textChanged.connect(self._enforce)

    def show_text(self, text: str) -> None:
        """Show the design's description as it is (a loaded one cut to the limit ends in "…")."""
        self._showing = True
        try:
            self.setPlainText(text)
        finally:
            self._showing = False

    def length(self) -> int:
        return max(self.document().characterCount() - 1, 0)    # characterCount counts a final ¶

    def insertFromMimeData(self, source) -> None:
        text = source.text() if source is not None and source.hasText() else ""
        if not text:
            return super().insertFromMimeData(source)
        selected = len(self.textCursor().selectedText())
        room = max(self.limit - (self.length() - selected), 0)
        if len(text) > room:
            self.textCursor().insertText(text[:room])
            self.ensureCursorVisible()
            self.capped.emit(len(text) - room)
            return
        super().insertFromMimeData(source)

    def _enforce(self) -> None:
        extra = self.length() - self.limit
        if extra <= 0 or self._showing:
            return
        cursor = self.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.movePosition(cursor.MoveOperation.Left, cursor.MoveMode.KeepAnchor, extra)
        self.blockSignals(True)
        cursor.removeSelectedText()
        self.blockSignals(False)
        self.capped.emit(extra)


class SettingsPanel(QScrollArea):
    dataDialogRequested = Signal()     # "Data…": the main window opens designer.data_dialog

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        body = QWidget(self)
        self.setWidget(body)
        box = QVBoxLayout(body)
        box.setContentsMargins(10, 8, 10, 10)
        box.setSpacing(4)
        self.error = QLabel(body)
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        box.addWidget(self.error)

        # design name and description
        design = QGroupBox(tr("Design"), body)
        grid = QVBoxLayout(design)
        self.name_edit = QLineEdit(design)
        self.name_edit.setPlaceholderText(tr("Name"))
        self.name_edit.editingFinished.connect(
            lambda: self._set_top("name", self.name_edit.text().strip()))
        self.desc_edit = DescriptionEdit(design)
        self.desc_edit.setPlaceholderText(tr("What this design shows (shown when it is opened)"))
        self.desc_edit.capped.connect(self._description_capped)
        self.desc_edit.setFixedHeight(84)
        self.desc_edit.installEventFilter(self)
        grid.addWidget(self.name_edit)
        grid.addWidget(self.desc_edit)
        box.addWidget(design)

        # data
        data_params = [Param("name", "choice", "xor", choices=tuple(DATASET_PARAMS), doc=p.doc)
                       if p.name == "name" else p for p in DATA_PARAMS]
        self.data_group = QGroupBox(tr("Data"), body)
        dbox = QVBoxLayout(self.data_group)
        self.data_form = ParamForm(data_params, self.data_group, labels={"name": tr("Data set")})
        self.data_form.edited.connect(self._data_edited)
        dbox.addWidget(self.data_form)
        self.browse = QPushButton(tr("Choose data file…"), self.data_group)
        self.browse.setToolTip(tr("A CSV file (features, then the target in the last column) or "
                                  "an NPZ file with arrays X and y"))
        self.browse.clicked.connect(self._browse_data)
        self.data_button = QPushButton(tr("Data…"), self.data_group)
        self.data_button.setToolTip(tr("Preview the data, choose its columns, scaling and splits"))
        self.data_button.clicked.connect(lambda: self.dataDialogRequested.emit())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.data_button)
        buttons.addWidget(self.browse)
        dbox.addLayout(buttons)
        self.dataset_form: ParamForm | None = None
        self.dataset_name: str | None = None
        self.dbox = dbox
        box.addWidget(self.data_group)

        self.loss = NamedSection(tr("Loss"), LOSSES.names(), lambda n: list(LOSSES.get(n).params),
                                 lambda n: core_text(LOSSES.get(n).doc),
                                 lambda n: self._set_named("loss", n),
                                 lambda k, v: self._set_named_param("loss", k, v), body)
        self.optimizer = NamedSection(tr("Optimizer"), OPTIMIZERS.names(),
                                      lambda n: list(OPTIMIZERS.get(n).params),
                                      lambda n: core_text(OPTIMIZERS.get(n).doc),
                                      lambda n: self._set_named("optimizer", n),
                                      lambda k, v: self._set_named_param("optimizer", k, v), body)
        self.schedule = NamedSection(
            tr("Learning-rate schedule"), list(SCHEDULES),
            lambda n: [p for p in SCHEDULES[n].params if p.name not in SCHEDULE_INITIAL],
            lambda n: core_text(_first_line(SCHEDULES[n].__doc__)) + " " + tr("Starts from the optimizer's rate."),
            lambda n: self._set_named("schedule", n),
            lambda k, v: self._set_named_param("schedule", k, v), body)
        for section in (self.loss, self.optimizer, self.schedule):
            box.addWidget(section)

        self.training_group = QGroupBox(tr("Training"), body)
        tbox = QVBoxLayout(self.training_group)
        self.training_form = ParamForm(list(TRAINING_PARAMS), self.training_group)
        self.training_form.edited.connect(lambda k, v: self._set_training(k, v))
        tbox.addWidget(self.training_form)
        box.addWidget(self.training_group)

        self.metrics_group = QGroupBox(tr("Metrics"), body)
        mgrid = QGridLayout(self.metrics_group)
        self.metric_boxes: dict[str, QCheckBox] = {}
        for i, name in enumerate(METRIC_NAMES):
            cb = QCheckBox(name, self.metrics_group)
            cb.setToolTip(tr("classification") if name in CLASSIFICATION_METRICS else tr("regression"))
            cb.toggled.connect(self._metrics_edited)
            self.metric_boxes[name] = cb
            mgrid.addWidget(cb, i // 2, i % 2)
        box.addWidget(self.metrics_group)

        self.sub_forms: dict[str, ParamForm] = {}
        for key, title, spec in (("early_stopping", tr("Early stopping"), EARLY_STOPPING_PARAMS),
                                 ("checkpoint", tr("Checkpoint"), CHECKPOINT_PARAMS)):
            group = QGroupBox(title, body)
            gbox = QVBoxLayout(group)
            form = ParamForm(list(spec), group)
            form.edited.connect(lambda k, v, key=key: self._set_sub(key, k, v))
            gbox.addWidget(form)
            self.sub_forms[key] = form
            box.addWidget(group)
        box.addStretch(1)

        document.settingsChanged.connect(lambda _s: self.refresh())
        document.designReplaced.connect(self.refresh)
        self.refresh()

    # ---- model → widgets ------------------------------------------------------------------------
    def refresh(self) -> None:
        design = self.document.design
        t, d = design.training, design.data
        if not self.name_edit.hasFocus():
            self.name_edit.setText(design.name)
        if not self.desc_edit.hasFocus() and self.desc_edit.toPlainText() != design.description:
            self.desc_edit.show_text(design.description)
        self.data_form.set_values(d)
        self._show_dataset(d)
        self.loss.show_value(t["loss"]["name"], t["loss"]["params"])
        self.optimizer.show_value(t["optimizer"]["name"], t["optimizer"]["params"])
        self.schedule.show_value(t["schedule"]["name"], t["schedule"]["params"])
        self.training_form.set_values(t)
        for name, cb in self.metric_boxes.items():
            cb.blockSignals(True)
            cb.setChecked(name in t.get("metrics", []))
            cb.blockSignals(False)
        for key, form in self.sub_forms.items():
            form.set_values(t.get(key, {}))
        builtin = d.get("source") == "builtin"
        self.data_form.set_row_visible("name", builtin)
        self.data_form.set_row_visible("path", not builtin)
        self.browse.setVisible(not builtin)

    def _show_dataset(self, d: dict) -> None:
        name = d.get("name") if d.get("source") == "builtin" else None
        if name != self.dataset_name:
            if self.dataset_form is not None:
                self.dataset_form.setParent(None)
                self.dataset_form.deleteLater()
                self.dataset_form = None
            params = DATASET_PARAMS.get(name, []) if name else []
            if params:
                self.dataset_form = ParamForm(list(params), self.data_group)
                self.dataset_form.edited.connect(self._dataset_param_edited)
                self.dbox.insertWidget(1, self.dataset_form)     # above the Data… row
            self.dataset_name = name
        if self.dataset_form is not None:
            self.dataset_form.set_values(d.get("params", {}))

    # ---- widgets → commands ---------------------------------------------------------------------
    def _push(self, section: str, key: str | None, candidate: dict, text: str) -> None:
        """Validate the candidate section with core; push the normalised `key` (None: all of it)."""
        validate = validate_training if section == "training" else validate_data
        try:
            normalised = validate(candidate, section)
        except DesignFileError as e:
            self.error.setText(f"⚠ {translate_reason(e.reason)}" + (f"  ({e.path})" if e.path else ""))
            self.error.show()
            self.refresh()
            return
        self.error.hide()
        current = getattr(self.document.design, section)
        if key is None:
            if normalised != current:
                self.document.push(SetSetting(self.document, (section,), normalised, text))
        elif normalised[key] != current.get(key):
            self.document.push(SetSetting(self.document, (section, key), normalised[key], text))

    def _training(self) -> dict:
        return copy.deepcopy(self.document.design.training)

    def _set_training(self, key: str, value) -> None:
        t = self._training()
        t[key] = value
        self._push("training", key, t, tr("Set {0}").format(key))

    def _set_named(self, section: str, name: str) -> None:
        t = self._training()
        old = t[section]
        if old["name"] == name:
            return
        params = {}
        if section == "optimizer" and "learning_rate" in old["params"]:
            if "learning_rate" in OPTIMIZERS.get(name).params.names():   # keep the chosen rate
                params["learning_rate"] = old["params"]["learning_rate"]
        t[section] = {"name": name, "params": params}
        self._push("training", section, t, tr("Set {0} to {1}").format(section, name))

    def _set_named_param(self, section: str, key: str, value) -> None:
        t = self._training()
        t[section]["params"][key] = value
        self._push("training", section, t, tr("Set {0} {1}").format(section, key))

    def _set_sub(self, section: str, key: str, value) -> None:
        t = self._training()
        t[section][key] = value
        self._push("training", section, t, tr("Set {0} {1}").format(section, key))

    def _metrics_edited(self) -> None:
        t = self._training()
        t["metrics"] = [n for n in METRIC_NAMES if self.metric_boxes[n].isChecked()]
        self._push("training", "metrics", t, tr("Set metrics"))

    def _data_edited(self, key: str, value) -> None:
        d = copy.deepcopy(self.document.design.data)
        d[key] = value
        if key in ("name", "source"):
            d["params"] = {}       # another data set: its own parameters, at their defaults
        self._push("data", None, d, tr("Set data {0}").format(key))

    def _browse_data(self) -> None:
        d = self.document.design.data
        kind = d.get("source", "csv")
        pattern = tr("CSV files (*.csv)") if kind == "csv" else tr("NumPy archives (*.npz)")
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose data file"), d.get("path", ""),
                                              pattern + ";;" + tr("All files (*)"))
        if path:
            self._data_edited("path", path)

    def _dataset_param_edited(self, key: str, value) -> None:
        d = copy.deepcopy(self.document.design.data)
        d.setdefault("params", {})[key] = value
        self._push("data", None, d, tr("Set data {0}").format(key))

    def _set_top(self, key: str, value: str) -> None:
        if getattr(self.document.design, key) != value:
            self.document.push(SetSetting(self.document, (key,), value, tr("Edit {0}").format(key)))

    def _description_capped(self, left_out: int) -> None:
        self.error.setText("⚠ " + tr("A description holds at most {0:,} characters; {1:,} were left out.").format(
            MAX_DESCRIPTION_CHARS, left_out))
        self.error.show()

    def eventFilter(self, obj, event):
        if event.type() == QEvent.FocusOut and obj is getattr(self, "desc_edit", None):
            self._set_top("description", self.desc_edit.toPlainText()[:MAX_DESCRIPTION_CHARS].strip())
        return super().eventFilter(obj, event)

