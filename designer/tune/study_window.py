"""The window that watches a study: trials table, optimisation history, parallel coordinates and
parameter importances (pyqtgraph), a trial's curves, and "Apply Best Trial".

The trials run in worker processes (core.tune.start); this window only reads the study's storage,
every POLL_MS on a QTimer, so the GUI thread never trains. The table model is the single source
of what the window shows; `finished` turns true when every worker has exited.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QMainWindow, QPushButton, QSplitter, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from core.errors import NetDesignerError
from core.tune import direction_for

from ..dashboard.base import style_plot, theme_colors
from ..i18n.messages import translate_reason
from .commands import ApplyValues

POLL_MS = 300


def _fmt(v) -> str:
    if v is None:
        return ""
    return f"{v:.5g}" if isinstance(v, float) else str(v)


class TrialsModel(QAbstractTableModel):
    """One row per trial: number, state, value, seconds, then each searched parameter."""

    changed = Signal()

    def __init__(self, names: list[str], parent=None):
        super().__init__(parent)
        self.names = list(names)
        self.trials: list = []
        self.finished = False

    def set_trials(self, trials: list) -> None:
        def key(t):
            return (t.number, t.state.name, t.value, t.datetime_complete)
        if [key(t) for t in trials] == [key(t) for t in self.trials]:
            return
        self.beginResetModel()
        self.trials = list(trials)
        self.endResetModel()
        self.changed.emit()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.trials)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 4 + len(self.names)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or orientation != Qt.Horizontal:
            return None
        heads = [self.tr("Trial"), self.tr("State"), self.tr("Value"), self.tr("Seconds")]
        return heads[section] if section < 4 else self.names[section - 4]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.UserRole):
            return None
        t = self.trials[index.row()]
        col = index.column()
        if role == Qt.UserRole:
            return t.number
        if col == 0:
            return str(t.number)
        if col == 1:
            return {"COMPLETE": self.tr("complete"), "PRUNED": self.tr("pruned"), "FAIL": self.tr("failed"),
                    "RUNNING": self.tr("running"), "WAITING": self.tr("waiting")}.get(t.state.name, t.state.name)
        if col == 2:
            return _fmt(t.value)
        if col == 3:
            return "" if t.duration is None else f"{t.duration.total_seconds():.2f}"
        return _fmt(t.params.get(self.names[col - 4]))

    def complete(self) -> list:
        return [t for t in self.trials if t.state.name == "COMPLETE"]


class StudyWindow(QMainWindow):
    """Runs `jobs` workers of the study `cfg` (already prepared) and shows it as it grows."""

    finished = Signal()

    def __init__(self, document, cfg, jobs: int, parent=None):
        super().__init__(parent)
        from core.designfile import from_dict
        self.setObjectName("studyWindow")
        self.setAttribute(Qt.WA_DeleteOnClose, False)
        self.document, self.cfg, self.jobs = document, cfg, jobs
        self.search = list(from_dict(cfg.design).search)
        self.names = [sp.name for sp in self.search]
        self.maximize = direction_for(cfg.metric) == "maximize"
        self.procs: list = []
        self.study = None
        self._complete_seen = -1
        self.setWindowTitle(self.tr("Study {0} — {1}").format(cfg.study, cfg.metric))
        self.resize(1100, 700)

        body = QWidget(self)
        self.setCentralWidget(body)
        box = QVBoxLayout(body)
        top = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("studyStatus")
        top.addWidget(self.status, 1)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setObjectName("stopStudy")
        self.stop_button.clicked.connect(self.stop)
        self.apply_button = QPushButton(self.tr("Apply Best Trial"), self)
        self.apply_button.setObjectName("applyBest")
        self.apply_button.setToolTip(self.tr("Write the best trial's values into the design (undoable)"))
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_best)
        top.addWidget(self.stop_button)
        top.addWidget(self.apply_button)
        box.addLayout(top)
        self.error = QLabel(self)
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        box.addWidget(self.error)

        split = QSplitter(Qt.Horizontal, self)
        self.model = TrialsModel(self.names, self)
        self.table = QTableView(split)
        self.table.setObjectName("trialsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setToolTip(self.tr("Double-click a trial to see its curves"))
        self.table.doubleClicked.connect(lambda index: self.show_curves(self.model.data(index, Qt.UserRole)))
        self.tabs = QTabWidget(split)
        self.history_plot = pg.PlotWidget()
        self.history_plot.setLabel("bottom", self.tr("trial"))
        self.history_plot.setLabel("left", cfg.metric)
        self.history_plot.showGrid(x=True, y=True, alpha=0.2)
        self.history_plot.getAxis("left").enableAutoSIPrefix(False)
        self.parallel_plot = pg.PlotWidget()
        self.parallel_plot.hideAxis("left")
        self.parallel_plot.setMouseEnabled(x=False, y=False)
        self.importance_plot = pg.PlotWidget()
        self.importance_plot.setLabel("bottom", self.tr("importance"))
        self.importance_plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.importance_note = pg.TextItem(anchor=(0.5, 0.5))
        bg, self.fg = theme_colors()             # plots follow the light or dark theme
        for w in (self.history_plot, self.parallel_plot, self.importance_plot):
            w.setBackground(bg)
            style_plot(w.getPlotItem())
        self.parallel_plot.showGrid(x=False, y=False)
        self.tabs.addTab(self.history_plot, self.tr("History"))
        self.tabs.addTab(self.parallel_plot, self.tr("Parallel coordinates"))
        self.tabs.addTab(self.importance_plot, self.tr("Importances"))
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setSizes([480, 620])
        box.addWidget(split, 1)
        self.importances: dict[str, float] = {}

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.model.changed.connect(self._redraw)

    # ---- running --------------------------------------------------------------------------------
    def start(self) -> None:
        from core.tune import _require_optuna, open_storage, start
        optuna = _require_optuna()
        try:
            self.study = optuna.load_study(study_name=self.cfg.study,
                                           storage=open_storage(self.cfg.storage, self.cfg.heartbeat))
        except NetDesignerError as e:
            self._fail(str(e))
            return
        self.procs = start(self.cfg, self.jobs)
        self.status.setText(self.tr("Running {0} trials on {1} worker(s)…").format(self.cfg.trials, self.jobs))
        self.timer.start()

    def running(self) -> bool:
        return any(p.is_alive() for p in self.procs)

    def poll(self) -> None:
        if self.study is None:
            return
        alive = self.running()
        try:
            self.model.set_trials(self.study.get_trials(deepcopy=False))
        except Exception as e:  # noqa: BLE001 - a storage hiccup must not stop the window
            self.error.setText(str(e).splitlines()[0][:300] if str(e) else type(e).__name__)
            self.error.show()
        if not alive and not self.model.finished:
            self._finish()

    def _finish(self) -> None:
        self.timer.stop()
        for p in self.procs:
            p.join(timeout=0)
        self.model.set_trials(self.study.get_trials(deepcopy=False))
        self.model.finished = True
        self.stop_button.setEnabled(False)
        failed = [p.exitcode for p in self.procs if p.exitcode]
        done = len(self.model.complete())
        text = self.tr("Finished: {0} complete trials.").format(done)
        if failed:
            text += " " + self.tr("{0} worker(s) stopped with an error.").format(len(failed))
        self.status.setText(text)
        self._redraw(force=True)
        self.finished.emit()

    def stop(self) -> None:
        """Stop the workers now (their running trials stay unfinished in the study)."""
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(timeout=5)
        if self.study is not None and not self.model.finished:
            self._finish()

    def closeEvent(self, event) -> None:
        self.stop()
        from core.tune import remove_temporary
        remove_temporary(self.cfg)          # a study without a storage ends with its window
        super().closeEvent(event)

    def _fail(self, message: str) -> None:
        self.error.setText(translate_reason(message))
        self.error.show()
        self.model.finished = True
        self.stop_button.setEnabled(False)

    # ---- results --------------------------------------------------------------------------------
    def best(self):
        complete = self.model.complete()
        if not complete:
            return None
        return (max if self.maximize else min)(complete, key=lambda t: t.value)

    def apply_best(self) -> None:
        best = self.best()
        if best is None:
            return
        try:
            self.document.push(ApplyValues(self.document, best.params,
                                           self.tr("Apply trial {0}").format(best.number)))
        except NetDesignerError as e:
            self._fail(str(e))

    def trial(self, number):
        return next((t for t in self.model.trials if t.number == number), None)

    def show_curves(self, number) -> "QDialog | None":
        t = self.trial(number)
        if t is None:
            return None
        dialog = TrialCurves(t, self)
        dialog.show()
        self._curves = dialog
        return dialog

    # ---- plots ----------------------------------------------------------------------------------
    def _redraw(self, force: bool = False) -> None:
        complete = self.model.complete()
        self.apply_button.setEnabled(bool(complete))
        if len(complete) == self._complete_seen and not force:
            return
        self._complete_seen = len(complete)
        self._draw_history(complete)
        self._draw_parallel(complete)
        self._draw_importances(complete)

    def _draw_history(self, complete) -> None:
        p = self.history_plot
        p.clear()
        if not complete:
            return
        xs = np.array([t.number for t in complete], float)
        ys = np.array([t.value for t in complete], float)
        p.plot(xs, ys, pen=None, symbol="o", symbolSize=7, symbolBrush=pg.mkBrush(78, 121, 167, 200))
        best = np.maximum.accumulate(ys) if self.maximize else np.minimum.accumulate(ys)
        p.plot(xs, best, pen=pg.mkPen((225, 87, 89), width=2), stepMode=None)

    def _axis_value(self, sp, value) -> float:
        """A parameter's value on its axis, 0 … 1 (log ranges on a log scale, choices by index)."""
        if sp.kind == "choice":
            try:
                i = list(sp.choices).index(value)
            except ValueError:
                return 0.5
            return i / max(1, len(sp.choices) - 1)
        lo, hi, v = float(sp.low), float(sp.high), float(value)
        if sp.log and lo > 0:
            lo, hi, v = math.log(lo), math.log(hi), math.log(max(v, 1e-300))
        return 0.5 if hi == lo else (v - lo) / (hi - lo)

    def _draw_parallel(self, complete) -> None:
        p = self.parallel_plot
        p.clear()
        axes = [sp.name for sp in self.search] + [self.cfg.metric]
        text = self.fg
        for i, name in enumerate(axes):
            p.addItem(pg.InfiniteLine(pos=i, angle=90, pen=pg.mkPen((150, 150, 150), width=1)))
            label = pg.TextItem(name, anchor=(0.5, 0), color=text)
            label.setPos(i, -0.06)
            p.addItem(label)
            if i < len(self.search):      # each axis's ends: the range (or first and last choice)
                sp = self.search[i]
                ends = (sp.choices[0], sp.choices[-1]) if sp.kind == "choice" else (sp.low, sp.high)
                for y, v, anchor in ((0.0, ends[0], (0.5, -0.1)), (1.0, ends[1], (0.5, 1.1))):
                    tick = pg.TextItem(_fmt(v), anchor=anchor, color=(128, 128, 128))
                    tick.setPos(i, y)
                    p.addItem(tick)
        p.getAxis("bottom").setTicks([[(i, "") for i in range(len(axes))]])
        p.setXRange(-0.3, len(axes) - 0.7, padding=0)
        p.setYRange(-0.25, 1.12, padding=0)
        if not complete:
            return
        values = np.array([t.value for t in complete], float)
        lo, hi = float(values.min()), float(values.max())
        for y, v, anchor in ((0.0, lo, (0.5, -0.1)), (1.0, hi, (0.5, 1.1))):
            tick = pg.TextItem(_fmt(v), anchor=anchor, color=(128, 128, 128))
            tick.setPos(len(axes) - 1, y)
            p.addItem(tick)
        cmap = pg.colormap.get("viridis")
        for t, v in zip(complete, values):
            ys = [self._axis_value(sp, t.params.get(sp.name)) for sp in self.search]
            ys.append(0.5 if hi == lo else (v - lo) / (hi - lo))
            good = 1 - ys[-1] if not self.maximize else ys[-1]
            p.plot(list(range(len(axes))), ys, pen=pg.mkPen(cmap.map(good, mode="qcolor"), width=2))

    def _draw_importances(self, complete) -> None:
        p = self.importance_plot
        p.clear()
        self.importances = {}
        if len(complete) < 2:
            note = pg.TextItem(self.tr("Importances need at least 2 complete trials"), anchor=(0.5, 0.5))
            p.addItem(note)
            return
        import optuna
        try:
            self.importances = dict(optuna.importance.get_param_importances(self.study))
        except Exception as e:  # noqa: BLE001 - e.g. every trial had the same values
            note = pg.TextItem(self.tr("No importances yet: {0}").format(str(e)[:120]), anchor=(0.5, 0.5))
            p.addItem(note)
            return
        names = list(self.importances)[::-1]
        widths = [self.importances[n] for n in names]
        p.addItem(pg.BarGraphItem(x0=0, y=list(range(len(names))), height=0.6, width=widths,
                                  brush=pg.mkBrush(78, 121, 167)))
        p.getAxis("left").setTicks([[(i, n) for i, n in enumerate(names)]])


class TrialCurves(QDialog):
    """One trial's per-epoch curves (its `history` user attribute): loss, validation loss and
    the metrics, as the training dashboard draws them."""

    def __init__(self, trial, parent=None):
        super().__init__(parent)
        self.setObjectName("trialCurves")
        self.setWindowTitle(self.tr("Trial {0}").format(trial.number))
        self.resize(560, 380)
        box = QVBoxLayout(self)
        params = "  ".join(f"{k} = {_fmt(v)}" for k, v in trial.params.items())
        box.addWidget(QLabel(params, self))
        self.plot = pg.PlotWidget(self)
        bg, _ = theme_colors()
        self.plot.setBackground(bg)
        style_plot(self.plot.getPlotItem())
        self.plot.setLabel("bottom", self.tr("epoch"))
        self.plot.addLegend()
        box.addWidget(self.plot, 1)
        history = trial.user_attrs.get("history") or []
        self.keys = [k for k in (history[0] if history else {}) if k != "lr"]
        colors = [(78, 121, 167), (242, 142, 43), (225, 87, 89), (118, 183, 178), (89, 161, 79)]
        for i, key in enumerate(self.keys):
            ys = [row.get(key, float("nan")) for row in history]
            self.plot.plot(list(range(1, len(ys) + 1)), ys, name=key,
                           pen=pg.mkPen(colors[i % len(colors)], width=2), symbol="o", symbolSize=5)
        if not history:
            box.addWidget(QLabel(self.tr("This trial recorded no epochs."), self))
