"""Design → Data…: where the design's data comes from, how it is read, split and scaled.

The dialog edits a private copy of ``design.data``; OK validates it with core
(``core.settings.validate_data``) and pushes ONE undoable command, Cancel changes nothing.

Sources: a built-in data set (its parameters form built from ``core.data.DATASET_PARAMS``), a CSV
file or a NumPy file. For a CSV the first rows are previewed (``core.dataio.sniff_csv``, which
reads only the first 64 KiB); delimiter and header can be overridden (the file is sniffed again)
and each column gets a role — feature, target or ignored. "Check" loads the data exactly as
training will (``core.model.load_design_data``) and shows samples, features and classes. Core's
errors (``DataError`` naming file, row and column) are shown inline, never as a traceback.
"""
from __future__ import annotations

import copy
import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox, QSplitter,
                               QStackedWidget, QTableView, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from core.data import DATASET_PARAMS
from core.dataio import resolve_data_path, sniff_csv
from core.errors import DataError, DesignFileError, NetDesignerError
from core.params import ParamSet
from core.settings import DATA_PARAMS, validate_data

from .commands import SetSetting
from .csv_options import CsvOptionsBar, select_data
from .csv_preview import PreviewModel
from .i18n.messages import translate_reason
from .param_form import ParamForm

PREVIEW_ROWS = 50
ROLES = ("feature", "target", "ignore")
SOURCES = ("builtin", "csv", "npz")
MISSING = ("error", "drop", "mean")
TASKS = (None, "classification", "binary", "multiclass", "regression")


class SetData(SetSetting):
    """The dialog's OK: one deliberate step, never merged with a neighbouring data edit (the
    settings panel's spin boxes merge edits made within a second)."""

    def id(self):
        return -1


class DataDialog(QDialog):
    """Edit ``design.data`` of `document` with a preview; see the module docstring."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.original = copy.deepcopy(document.design.data)
        self.info = None                  # the CsvInfo of the previewed file
        self.roles: list[str] = []
        self.role_boxes: list[QComboBox] = []
        self.builtin_params: dict = {}
        self.params_form: ParamForm | None = None
        self.prepared = None              # what the last Check loaded
        self.sniff_error = ""
        self.setWindowTitle(self.tr("Data"))
        self.setObjectName("dataDialog")
        self._build()
        self._load(self.original)
        self.resize(960, 680)

    # ---- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        box = QVBoxLayout(self)
        top = QFormLayout()
        self.source_combo = QComboBox(self)
        for source, text in zip(SOURCES, (self.tr("Built-in data set"), self.tr("CSV file"),
                                          self.tr("NumPy file (.npz / .npy)"))):
            self.source_combo.addItem(text, source)
        self.source_combo.activated.connect(lambda _i: self._source_changed())
        top.addRow(self.tr("Source"), self.source_combo)
        box.addLayout(top)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_builtin_page())
        self.pages.addWidget(self._build_file_page())
        box.addWidget(self.pages, 1)

        common = QGroupBox(self.tr("Split and scaling"), self)
        grid = QGridLayout(common)
        spec = {p.name: p for p in DATA_PARAMS}
        self.scaling_combo = QComboBox(common)
        for kind, text in (("standard", self.tr("Standardise (mean 0, std 1)")),
                           ("minmax", self.tr("Min–max to [0, 1]")), ("none", self.tr("None"))):
            self.scaling_combo.addItem(text, kind)
        self.scaling_combo.setToolTip(spec["scaling"].doc)
        self.val_spin = self._fraction_spin(spec["validation_split"], common)
        self.test_spin = self._fraction_spin(spec["test_split"], common)
        self.seed_spin = QSpinBox(common)
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip(spec["seed"].doc)
        for i, (text, widget) in enumerate(((self.tr("Scaling"), self.scaling_combo),
                                            (self.tr("Seed"), self.seed_spin),
                                            (self.tr("Validation fraction"), self.val_spin),
                                            (self.tr("Test fraction"), self.test_spin))):
            grid.addWidget(QLabel(text, common), i // 2, 2 * (i % 2))
            grid.addWidget(widget, i // 2, 2 * (i % 2) + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        box.addWidget(common)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("dataCheckResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("dataError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label.hide()
        box.addWidget(self.result_label)
        box.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.check_button = self.buttons.addButton(self.tr("Check"), QDialogButtonBox.ActionRole)
        self.check_button.setToolTip(self.tr("Load the data as training will and show what it holds"))
        self.check_button.clicked.connect(self.check)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)

    def _fraction_spin(self, param, parent) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(parent)
        spin.setRange(param.minimum, param.maximum)
        spin.setDecimals(3)
        spin.setSingleStep(0.05)
        spin.setToolTip(param.doc)
        return spin

    def _build_builtin_page(self) -> QWidget:
        page = QWidget(self)
        self.builtin_box = QVBoxLayout(page)
        form = QFormLayout()
        self.name_combo = QComboBox(page)
        for name in DATASET_PARAMS:
            self.name_combo.addItem(name, name)
        self.name_combo.activated.connect(lambda _i: self._dataset_changed(self.name_combo.currentData()))
        form.addRow(self.tr("Data set"), self.name_combo)
        self.builtin_box.addLayout(form)
        self.builtin_box.addStretch(1)
        return page

    def _build_file_page(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.path_edit = QLineEdit(page)
        self.path_edit.setPlaceholderText(self.tr("Choose a file…"))
        self.path_edit.editingFinished.connect(lambda: self.set_path(self.path_edit.text().strip()))
        self.browse_button = QPushButton(self.tr("Browse…"), page)
        self.browse_button.clicked.connect(self.browse)
        row.addWidget(QLabel(self.tr("File"), page))
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        box.addLayout(row)

        # CSV: reading options, preview, column roles
        self.csv_box = QWidget(page)
        cbox = QVBoxLayout(self.csv_box)
        cbox.setContentsMargins(0, 0, 0, 0)
        self.csv_options = CsvOptionsBar(self.csv_box)
        self.csv_options.changed.connect(lambda: self.resniff())
        # the option combos by their old names (the tests and the code below reach them here)
        self.delimiter_combo = self.csv_options.delimiter_combo
        self.header_combo = self.csv_options.header_combo
        self.decimal_combo = self.csv_options.decimal_combo
        self.encoding_combo = self.csv_options.encoding_combo
        cbox.addWidget(self.csv_options)
        split = QSplitter(Qt.Horizontal, self.csv_box)
        self.preview_model = PreviewModel(self)
        self.preview = QTableView(split)
        self.preview.setObjectName("dataPreview")
        self.preview.setModel(self.preview_model)
        self.preview.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.preview.setAlternatingRowColors(True)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        self.columns_table = QTableWidget(0, 3, split)
        self.columns_table.setObjectName("dataColumns")
        self.columns_table.setHorizontalHeaderLabels([self.tr("Column"), self.tr("Values"), self.tr("Role")])
        self.columns_table.verticalHeader().hide()
        self.columns_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.columns_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        split.addWidget(self.preview)
        split.addWidget(self.columns_table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        cbox.addWidget(split, 1)
        self.notes_label = QLabel(self.csv_box)
        self.notes_label.setProperty("role", "muted")
        self.notes_label.setWordWrap(True)
        cbox.addWidget(self.notes_label)
        box.addWidget(self.csv_box, 1)

        # NumPy: array names
        self.npz_box = QWidget(page)
        nform = QFormLayout(self.npz_box)
        self.x_key_edit = QLineEdit("X", self.npz_box)
        self.y_key_edit = QLineEdit("y", self.npz_box)
        self.x_key_edit.setToolTip(self.tr("Name of the features array in an .npz archive"))
        self.y_key_edit.setToolTip(self.tr("Name of the targets array in an .npz archive"))
        nform.addRow(self.tr("Features array"), self.x_key_edit)
        nform.addRow(self.tr("Targets array"), self.y_key_edit)
        box.addWidget(self.npz_box)

        # both file kinds
        self.missing_combo = QComboBox(page)
        for value, text in zip(MISSING, (self.tr("Stop with an error"), self.tr("Drop the row"),
                                         self.tr("Fill in the column mean"))):
            self.missing_combo.addItem(text, value)
        self.missing_combo.setToolTip(self.tr("Empty fields and NA, NaN, N/A, null, none, ? are missing values"))
        self.task_combo = QComboBox(page)
        for value, text in zip(TASKS, (self.tr("Detect"), self.tr("Classification"), self.tr("Binary"),
                                       self.tr("Multiclass"), self.tr("Regression"))):
            self.task_combo.addItem(text, value)
        self.task_combo.setToolTip(self.tr("Detect: text or a few integer values are classes, else regression"))
        both = QHBoxLayout()
        both.addWidget(QLabel(self.tr("Missing values"), page))
        both.addWidget(self.missing_combo)
        both.addSpacing(12)
        both.addWidget(QLabel(self.tr("Task"), page))
        both.addWidget(self.task_combo)
        both.addStretch(1)
        box.addLayout(both)
        return page

    # ---- model → widgets ------------------------------------------------------------------------
    def _load(self, d: dict) -> None:
        self._select(self.source_combo, d.get("source", "builtin"))
        self._select(self.scaling_combo, d.get("scaling", "standard"))
        self.val_spin.setValue(float(d.get("validation_split", 0.2)))
        self.test_spin.setValue(float(d.get("test_split", 0.0)))
        self.seed_spin.setValue(int(d.get("seed", 0)))
        name = d.get("name") if d.get("name") in DATASET_PARAMS else "xor"
        self._select(self.name_combo, name)
        self._dataset_changed(name, d.get("params", {}) if d.get("source") == "builtin" else None)
        opts = d.get("options") or {}
        self.csv_options.load(opts)
        self._select(self.missing_combo, opts.get("missing", "error"))
        self._select(self.task_combo, None if opts.get("task") == "auto" else opts.get("task"))
        self.x_key_edit.setText(str(opts.get("x_key", "X")))
        self.y_key_edit.setText(str(opts.get("y_key", "y")))
        self.path_edit.setText(d.get("path", ""))
        self._source_changed(sniff=False)
        if d.get("source") == "csv" and d.get("path"):
            self.resniff(options=opts)

    _select = staticmethod(select_data)

    def source(self) -> str:
        return self.source_combo.currentData()

    def _source_changed(self, sniff: bool = True) -> None:
        source = self.source()
        self.pages.setCurrentIndex(0 if source == "builtin" else 1)
        self.csv_box.setVisible(source == "csv")
        self.npz_box.setVisible(source == "npz")
        self.prepared = None
        self.result_label.clear()
        self._clear_error()
        if sniff and source == "csv" and self.path_edit.text().strip() and self.info is None:
            self.resniff()

    def _dataset_changed(self, name: str, values: dict | None = None) -> None:
        """Show `name`'s parameters form, with `values` (None: the data set's defaults)."""
        spec = ParamSet(tuple(DATASET_PARAMS[name]))
        try:
            self.builtin_params = spec.resolve(dict(values or {}))
        except (KeyError, ValueError):
            self.builtin_params = spec.defaults()
        if self.params_form is not None:
            self.params_form.setParent(None)
            self.params_form.deleteLater()
            self.params_form = None
        if DATASET_PARAMS[name]:
            self.params_form = ParamForm(list(DATASET_PARAMS[name]), self.pages.widget(0))
            self.params_form.set_values(self.builtin_params)
            self.params_form.edited.connect(self._param_edited)
            self.builtin_box.insertWidget(1, self.params_form)
        self.prepared = None

    def _param_edited(self, key: str, value) -> None:
        self.builtin_params[key] = value

    # ---- files ----------------------------------------------------------------------------------
    def browse(self) -> None:
        source = self.source()
        pattern = (self.tr("CSV files (*.csv *.tsv *.txt)") if source == "csv"
                   else self.tr("NumPy files (*.npz *.npy)"))
        start = self.path_edit.text().strip() or os.path.dirname(self.document.path or "")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose data file"), start,
                                              pattern + ";;" + self.tr("All files (*)"))
        if path:
            self.set_path(path)

    def set_path(self, path: str) -> None:
        """A file was chosen (or typed): for a CSV, read its first rows again."""
        if path == self.path_edit.text() and self.info is not None and self.info.path == path:
            return
        self.path_edit.setText(path)
        self.prepared = None
        self.result_label.clear()
        self._clear_error()
        if self.source() == "csv":
            self.resniff()

    def base_dir(self) -> str | None:
        """The design file's folder: a relative data path is read from there, as training reads it."""
        return os.path.dirname(self.document.path) if self.document.path else None

    def resniff(self, options: dict | None = None) -> bool:
        """Sniff the CSV with the chosen delimiter and header. Roles: from `options` (the design's,
        when the dialog opens), else kept by column name, else the defaults (the suggested target;
        text columns are ignored, since a feature must be numeric)."""
        path = self.path_edit.text().strip()
        old = dict(zip(self.info.columns, self.roles)) if self.info is not None else {}
        self.info = None
        self.prepared = None
        if not path:
            self._show_columns([])
            return False
        try:
            info = sniff_csv(resolve_data_path(path, self.base_dir()), preview_rows=PREVIEW_ROWS,
                             **self.csv_options.sniff_arguments())
        except (NetDesignerError, OSError) as e:
            self._show_columns([])
            self.sniff_error = _message(e)
            self.show_error(self.sniff_error)
            return False
        self._clear_error()
        self.info = info
        if options is not None:
            roles = self._roles_from_options(info, options)
        elif old and set(old) == set(info.columns):
            roles = [old[c] for c in info.columns]
        else:
            roles = self._default_roles(info)
        self._show_columns(roles)
        notes = list(info.notes)
        if info.target:
            notes.insert(0, self.tr("Suggested target: {0} ({1})").format(info.target, info.task))
        self.notes_label.setText(" · ".join(notes))
        return True

    @staticmethod
    def _default_roles(info) -> list[str]:
        roles = ["ignore" if k == "categorical" else "feature" for k in info.kinds]
        if info.columns:
            j = info.columns.index(info.target) if info.target in info.columns else len(info.columns) - 1
            roles[j] = "target"
        return roles

    def _roles_from_options(self, info, options: dict) -> list[str]:
        cols = info.columns

        def index(spec):
            if isinstance(spec, bool):
                return None
            if isinstance(spec, int):
                return spec % len(cols) if -len(cols) <= spec < len(cols) else None
            return cols.index(spec) if spec in cols else None

        target = options.get("target")
        targets = [target] if target is None or isinstance(target, (str, int)) else list(target)
        tidx = [len(cols) - 1 if t is None else index(t) for t in targets]
        if not cols or any(j is None for j in tidx):
            return self._default_roles(info)
        features = options.get("features")
        if features is None:
            fidx = [j for j in range(len(cols)) if j not in tidx]
        else:
            fidx = [index(f) for f in features]
            if any(j is None for j in fidx):
                return self._default_roles(info)
        return ["target" if j in tidx else "feature" if j in fidx else "ignore" for j in range(len(cols))]

    def _show_columns(self, roles: list[str]) -> None:
        info = self.info
        self.roles = list(roles)
        self.preview_model.set_preview(info, self.roles)
        self.role_boxes = []
        table = self.columns_table
        table.setRowCount(0 if info is None else len(info.columns))
        if info is None:
            self.notes_label.clear()
            return
        for j, name in enumerate(info.columns):
            table.setItem(j, 0, QTableWidgetItem(name))
            kind = {"numeric": self.tr("numbers"), "categorical": self.tr("text"),
                    "empty": self.tr("empty")}.get(info.kinds[j], info.kinds[j])
            item = QTableWidgetItem(kind)
            if info.kinds[j] == "categorical":
                item.setToolTip(self.tr("Text values can only be the target (class names)"))
            table.setItem(j, 1, item)
            combo = QComboBox(table)
            for role in ROLES:
                combo.addItem(self.preview_model.role_text(role), role)
            self._select(combo, self.roles[j])
            combo.activated.connect(lambda _i, col=j, c=combo: self.set_role(col, c.currentData()))
            table.setCellWidget(j, 2, combo)
            self.role_boxes.append(combo)
        table.resizeColumnToContents(1)
        table.resizeColumnToContents(2)

    def set_role(self, column: int, role: str) -> None:
        """Give column `column` a role. One target: choosing a new one makes the old a feature."""
        if role not in ROLES or not 0 <= column < len(self.roles):
            return
        if role == "target":
            for j, r in enumerate(self.roles):
                if r == "target" and j != column:
                    self.roles[j] = "feature"
        self.roles[column] = role
        for j, combo in enumerate(self.role_boxes):
            combo.blockSignals(True)
            self._select(combo, self.roles[j])
            combo.blockSignals(False)
        self.preview_model.set_roles(self.roles)
        self.prepared = None
        self._clear_error()

    # ---- widgets → settings ---------------------------------------------------------------------
    def candidate(self) -> dict:
        """The data settings the dialog shows (not yet validated)."""
        d = copy.deepcopy(self.original)
        source = self.source()
        d.update(source=source, path=self.path_edit.text().strip(), scaling=self.scaling_combo.currentData(),
                 validation_split=round(self.val_spin.value(), 6), test_split=round(self.test_spin.value(), 6),
                 seed=self.seed_spin.value())
        if source == "builtin":
            d["name"] = self.name_combo.currentData()
            d["params"] = dict(self.builtin_params)
            d["options"] = {}
            return d
        options: dict = {"missing": self.missing_combo.currentData()}
        if self.task_combo.currentData() is not None:
            options["task"] = self.task_combo.currentData()
        if source == "csv":
            options.update(self.csv_options.options())
            if self.info is not None:
                options.update(self._column_options())
        else:
            x_key, y_key = self.x_key_edit.text().strip() or "X", self.y_key_edit.text().strip() or "y"
            if x_key != "X":
                options["x_key"] = x_key
            if y_key != "y":
                options["y_key"] = y_key
        d["options"] = options
        return d

    def _column_options(self) -> dict:
        cols = self.info.columns
        unique = len(set(cols)) == len(cols)
        ref = (lambda j: cols[j]) if unique else (lambda j: j)     # a repeated name: by index
        targets = [j for j, r in enumerate(self.roles) if r == "target"]
        features = [j for j, r in enumerate(self.roles) if r == "feature"]
        out: dict = {"target": ref(targets[0]) if len(targets) == 1 else [ref(j) for j in targets]}
        if "ignore" in self.roles or not features:
            out["features"] = [ref(j) for j in features]
        return out

    def validated(self) -> dict:
        """The candidate, normalised by core; raises DesignFileError / DataError with the reason."""
        source, path = self.source(), self.path_edit.text().strip()
        if source != "builtin" and not path:
            raise DataError(self.tr("Choose a data file (or a built-in data set)"))
        if source == "csv":
            if self.info is None or self.info.path != resolve_data_path(path, self.base_dir()):
                if not self.resniff():                # unreadable: OK stays refused, with why
                    raise DataError(self.sniff_error)
            if "target" not in self.roles:
                raise DataError(self.tr("Choose a target column (its role: target)"))
            if "feature" not in self.roles:
                raise DataError(self.tr("Choose at least one feature column"))
        return validate_data(self.candidate())

    def check(self) -> bool:
        """Load the data as training will; show samples, features and classes (or the error)."""
        from core.model import load_design_data
        self.prepared = None
        self.result_label.clear()
        try:
            d = self.validated()
            self.setCursor(Qt.WaitCursor)
            try:
                p = load_design_data(d, self.base_dir())
            finally:
                self.unsetCursor()
        except (NetDesignerError, OSError) as e:
            self.show_error(_message(e))
            return False
        self._clear_error()
        self.prepared = p
        n = [0 if X is None else len(X) for X in (p.X_train, p.X_val, p.X_test)]
        text = self.tr("{0} samples: {1} train · {2} validation · {3} test. {4} features.").format(
            sum(n), *n, p.X_train.shape[1])
        if p.task == "regression":
            text += " " + self.tr("Regression, {0} target value(s).").format(p.y_train.shape[1])
        else:
            names = ", ".join(p.class_names or [str(i) for i in range(p.n_classes)])
            if len(names) > 200:
                names = names[:200] + "…"
            text += " " + self.tr("{0}: {1} classes ({2}).").format(
                self.tr("Binary") if p.task == "binary" else self.tr("Multiclass"), p.n_classes, names)
        for warning in p.warnings:                 # rows dropped, an ID-like feature column (core's text)
            text += "\n⚠ " + warning
        self.result_label.setText("✓ " + text)
        return True

    def show_error(self, text: str) -> None:
        self.error_label.setText("⚠ " + text)
        self.error_label.show()

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def accept(self) -> None:
        """Validate; push one undoable command if anything changed; close. An error stays inline."""
        try:
            d = self.validated()
        except (NetDesignerError, OSError) as e:
            self.show_error(_message(e))
            return
        if d != self.document.design.data:
            self.document.push(SetData(self.document, ("data",), d, self.tr("Set data")))
        super().accept()


def _message(e: BaseException) -> str:
    if isinstance(e, DesignFileError):
        return translate_reason(e.reason) + (f"  ({e.path})" if e.path else "")
    if isinstance(e, OSError):
        return (e.strerror or str(e)) + (f" ({e.filename})" if e.filename else "")
    return translate_reason(str(e))          # core's English in the UI's language


def open_data_dialog(window) -> DataDialog:
    """Open the dialog for `window`'s document (window-modal, not blocking)."""
    dialog = DataDialog(window.document, window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    return dialog
