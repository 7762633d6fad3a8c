"""Run → Tune…: the search space of the open design and the options of a study, then Start.

The study runs in worker processes (core.tune), never on the GUI thread; StudyWindow watches it.
Training settings are marked as searched here (Add Setting…); block parameters from the Block
panel (right-click a parameter's name → Search This…)."""
from __future__ import annotations

import copy
import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from core.errors import NetDesignerError
from core.search_space import searchable, target_param

from ..i18n.messages import translate_reason
from .commands import SetSearch, search_with
from .search_editor import edit_search

# Training settings offered by "Add Setting…" (those a study commonly varies).
SETTINGS = ("optimizer.params.learning_rate", "batch_size", "epochs", "optimizer.params.weight_decay",
            "optimizer.params.momentum", "clip_norm", "early_stopping.patience", "seed")


class TuneDialog(QDialog):
    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.study_window = None
        self.setObjectName("tuneDialog")
        self.setWindowTitle(self.tr("Tune Hyper-parameters"))
        self.resize(640, 560)
        box = QVBoxLayout(self)

        space = QGroupBox(self.tr("Search space"), self)
        sbox = QVBoxLayout(space)
        hint = QLabel(self.tr("Right-click a parameter's name in the Block panel and choose "
                              "Search This… to search a block parameter; add training settings here."), space)
        hint.setWordWrap(True)
        hint.setProperty("role", "muted")
        sbox.addWidget(hint)
        self.table = QTableWidget(0, 2, space)
        self.table.setObjectName("searchTable")
        self.table.setHorizontalHeaderLabels([self.tr("Parameter"), self.tr("Values tried")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _i: self._edit())
        sbox.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add Setting…"), space)
        self.add_button.setObjectName("addSetting")
        self.add_menu = QMenu(self.add_button)
        self.add_button.setMenu(self.add_menu)
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        self.edit_button = QPushButton(self.tr("Edit…"), space)
        self.edit_button.clicked.connect(self._edit)
        self.remove_button = QPushButton(self.tr("Remove"), space)
        self.remove_button.setObjectName("removeSearch")
        self.remove_button.clicked.connect(self._remove)
        for b in (self.add_button, self.edit_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        sbox.addLayout(row)
        box.addWidget(space)

        options = QGroupBox(self.tr("Study"), self)
        form = QFormLayout(options)
        self.method = QComboBox(options)
        self.method.setObjectName("tuneMethod")
        for key, text in (("tpe", self.tr("Bayesian (TPE): learns where good values lie")),
                          ("random", self.tr("Random: independent draws")),
                          ("grid", self.tr("Grid: every combination of a few values each"))):
            self.method.addItem(text, key)
        form.addRow(self.tr("Method"), self.method)
        self.trials = QSpinBox(options)
        self.trials.setObjectName("tuneTrials")
        self.trials.setRange(1, 100_000)
        self.trials.setValue(20)
        form.addRow(self.tr("Trials"), self.trials)
        self.jobs = QSpinBox(options)
        self.jobs.setObjectName("tuneJobs")
        self.jobs.setRange(1, max(1, os.cpu_count() or 1))
        self.jobs.setValue(max(1, min(2, (os.cpu_count() or 1) - 1)))
        self.jobs.setToolTip(self.tr("Worker processes on this computer; each gets its share of the cores"))
        form.addRow(self.tr("Parallel workers"), self.jobs)
        self.epochs = QSpinBox(options)
        self.epochs.setObjectName("tuneEpochs")
        self.epochs.setRange(0, 1_000_000)
        self.epochs.setSpecialValueText(self.tr("as designed"))
        form.addRow(self.tr("Epochs per trial"), self.epochs)
        self.metric_box = QComboBox(options)
        self.metric_box.setObjectName("tuneMetric")
        form.addRow(self.tr("Optimise"), self.metric_box)
        self.storage = QLineEdit(options)
        self.storage.setObjectName("tuneStorage")
        self.storage.setPlaceholderText(self.tr("a temporary file; or sqlite:///…, postgresql+psycopg://…, journal:///…"))
        self.storage.setToolTip(self.tr("Workers on other computers join the study with\n"
                                        "netdesigner tune DESIGN --storage URL --study NAME"))
        form.addRow(self.tr("Storage"), self.storage)
        self.study_name = QLineEdit("netdesigner", options)
        self.study_name.setObjectName("tuneStudy")
        form.addRow(self.tr("Study name"), self.study_name)
        box.addWidget(options)

        self.error = QLabel(self)
        self.error.setObjectName("tuneError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        box.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = QPushButton(self.tr("Start"), self)
        self.start_button.setObjectName("startTune")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)
        buttons.addWidget(self.start_button)
        buttons.addWidget(close)
        box.addLayout(buttons)

        document.settingsChanged.connect(self._settings_changed)
        document.designReplaced.connect(self.refresh)
        self.refresh()

    # ---- the search space -----------------------------------------------------------------------
    def _settings_changed(self, section: str) -> None:
        if section in ("search", "training"):
            self.refresh()

    def live_search(self) -> list:
        """The searched parameters whose block and parameter still exist (a deleted block's
        entries stay in the undo history but are neither shown nor saved)."""
        design = self.document.design
        live = []
        for sp in design.search:
            try:
                target_param(design.graph, design.training, sp.node, sp.param)
            except ValueError:
                continue
            live.append(sp)
        return live

    def refresh(self) -> None:
        design = self.document.design
        search = self.live_search()
        self.table.setRowCount(len(search))
        for i, sp in enumerate(search):
            for col, text in enumerate((sp.name, sp.describe())):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, sp.name)
                self.table.setItem(i, col, item)
        self.edit_button.setEnabled(bool(search))
        self.remove_button.setEnabled(bool(search))
        current = self.metric_box.currentData()
        self.metric_box.clear()
        has_val = design.data["validation_split"] > 0
        names = (["val_loss"] if has_val else []) + ["loss"]
        for m in design.training["metrics"]:
            names += ([f"val_{m}"] if has_val else []) + [m]
        for name in names:
            self.metric_box.addItem(name, name)
        self.metric_box.setCurrentIndex(max(0, self.metric_box.findData(current)))
        self.start_button.setEnabled(bool(search))

    def _selected(self):
        rows = self.table.selectionModel().selectedRows()
        search = self.live_search()
        if not rows or rows[0].row() >= len(search):
            return search[0] if len(search) == 1 else None
        return search[rows[0].row()]

    def _fill_add_menu(self) -> None:
        self.add_menu.clear()
        design = self.document.design
        searched = {sp.name for sp in design.search}
        for setting in SETTINGS:
            try:
                spec = target_param(design.graph, design.training, None, setting)
            except ValueError:
                continue
            if not searchable(spec) or f"training.{setting}" in searched:
                continue
            act = self.add_menu.addAction(setting)
            act.triggered.connect(lambda _c=False, s=setting: edit_search(self.document, None, s, self))

    def _edit(self) -> None:
        sp = self._selected()
        if sp is not None:
            edit_search(self.document, sp.node, sp.param, self)

    def _remove(self) -> None:
        sp = self._selected()
        if sp is not None:
            self.document.push(SetSearch(self.document, search_with(self.document.design.search, None, sp.name),
                                         self.tr("Stop searching {0}").format(sp.name)))

    # ---- start ----------------------------------------------------------------------------------
    def config(self):
        from core.tune import TuneConfig
        design = self.document.design
        return TuneConfig(copy.deepcopy(design.to_dict()), design.folder or os.getcwd(),
                          trials=self.trials.value(), method=self.method.currentData(),
                          study=self.study_name.text().strip() or "netdesigner",
                          storage=self.storage.text().strip() or None, metric=self.metric_box.currentData() or "",
                          epochs=self.epochs.value() or None, quiet=True)

    def start(self):
        """Prepare the study (errors shown here) and open the window that runs and watches it."""
        from .study_window import StudyWindow
        self.error.hide()
        cfg, jobs = self.config(), self.jobs.value()
        try:
            from core.tune import prepare
            # The window reads the study the worker processes write: never in memory (a study
            # without a storage gets a journal file in a temporary folder, as for 2+ workers).
            prepare(cfg, max(jobs, 2))
        except NetDesignerError as e:
            self.error.setText(translate_reason(str(e)))
            self.error.show()
            return None
        self.study_window = StudyWindow(self.document, cfg, jobs, parent=self.parent())
        self.study_window.show()
        self.study_window.start()
        return self.study_window
