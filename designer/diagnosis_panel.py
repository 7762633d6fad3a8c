"""Plain-words diagnosis on the canvas: a badge on each block a diagnosis names, and a list of
the messages with the fix to try ("Try the Fix" trains a variant with the fix applied, through
the learning lab, and opens the comparison with the run it came from).

The rules are core.diagnosis (fed the training events the dashboard receives); the pre-flight at
initialisation (core.init_check) shows its per-layer spread in the same panel ("Check
Initialization"), so a bad initialisation is seen before any training.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import (QAbstractItemView, QGraphicsEllipseItem, QGraphicsSimpleTextItem, QHBoxLayout,
                               QHeaderView, QLabel, QListWidget, QListWidgetItem, QPushButton, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from core.diagnosis import Diagnoser, Diagnosis
from core.errors import NetDesignerError
from core.events import EpochEnd, LayerStats, TrainEnd

BADGE_COLOR = "#e15759"


def current_lang() -> str:
    try:
        from .i18n import current_language
        return current_language() or "en"
    except Exception:     # noqa: BLE001 - English when the translation machinery is not there
        return "en"


class DiagnosisBadge(QGraphicsEllipseItem):
    """A red "!" on a block's top-right corner; its tooltip lists the block's diagnoses."""

    def __init__(self, node_item):
        r = 9.0
        super().__init__(-r, -r, 2 * r, 2 * r, node_item)
        rect = node_item.rect()
        self.setPos(rect.right() - 4, rect.top() + 4)
        self.setBrush(QBrush(QColor(BADGE_COLOR)))
        self.setPen(QPen(QColor("white"), 1.5))
        self.setZValue(20)
        mark = QGraphicsSimpleTextItem("!", self)
        font = QFont()
        font.setBold(True)
        font.setPointSizeF(9)
        mark.setFont(font)
        mark.setBrush(QBrush(QColor("white")))
        br = mark.boundingRect()
        mark.setPos(-br.width() / 2, -br.height() / 2)


class DiagnosisPanel(QWidget):
    """Tabs: Diagnosis (messages, Try the Fix) and Initialization (the pre-flight's spreads)."""

    fixRequested = Signal(object)          # a Diagnosis
    nodeSelected = Signal(str)
    initCheckRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("diagnosisPanel")
        self.diagnoses: list[Diagnosis] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("diagnosisList")
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self._current_changed)
        col.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.fix_label = QLabel()
        self.fix_label.setWordWrap(True)
        row.addWidget(self.fix_label, 1)
        self.fix_button = QPushButton(self.tr("Try the Fix"))
        self.fix_button.setObjectName("tryFix")
        self.fix_button.setToolTip(self.tr("Train a variant with this change and compare it with the run"))
        self.fix_button.setEnabled(False)
        self.fix_button.clicked.connect(self._fix_clicked)
        row.addWidget(self.fix_button)
        col.addLayout(row)
        self.empty_text = self.tr("No problems seen. Diagnoses appear here while a run trains.")
        self.tabs.addTab(page, self.tr("Diagnosis"))
        init_page = QWidget()
        icol = QVBoxLayout(init_page)
        icol.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.init_summary = QLabel(self.tr("One forward and backward pass before the first update shows each "
                                           "layer's spread."))
        self.init_summary.setWordWrap(True)
        top.addWidget(self.init_summary, 1)
        self.init_button = QPushButton(self.tr("Check Initialization"))
        self.init_button.setObjectName("checkInit")
        self.init_button.clicked.connect(self.initCheckRequested)
        top.addWidget(self.init_button)
        icol.addLayout(top)
        self.init_table = QTableWidget(0, 6)
        self.init_table.setObjectName("initTable")
        self.init_table.setHorizontalHeaderLabels([self.tr("Block"), self.tr("Type"), self.tr("Output mean"),
                                                   self.tr("Output spread"), self.tr("Gradient spread"),
                                                   self.tr("Weight gradient norm")])
        self.init_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.init_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        icol.addWidget(self.init_table, 1)
        self.tabs.addTab(init_page, self.tr("Initialization"))
        self.can_fix = False
        self.set_diagnoses([])

    # ---- the list ----------------------------------------------------------------------------------
    def set_diagnoses(self, diagnoses: list[Diagnosis]) -> None:
        lang = current_lang()
        keep = self.list.currentRow()
        self.diagnoses = list(diagnoses)
        self.list.clear()
        for d in self.diagnoses:
            item = QListWidgetItem(f"⚠ {d.node_id}: {d.message(lang)}")
            item.setToolTip(d.fix_text(lang))
            self.list.addItem(item)
        if not self.diagnoses:
            self.list.addItem(QListWidgetItem(self.empty_text))
            self.fix_label.setText("")
        elif 0 <= keep < len(self.diagnoses):
            self.list.setCurrentRow(keep)
        self._update_fix()

    def selected(self) -> Diagnosis | None:
        row = self.list.currentRow()
        return self.diagnoses[row] if 0 <= row < len(self.diagnoses) else None

    def _current_changed(self, _row: int) -> None:
        d = self.selected()
        self.fix_label.setText(self.tr("Fix: {0}").format(d.fix_text(current_lang())) if d else "")
        if d is not None:
            self.nodeSelected.emit(d.node_id)
        self._update_fix()

    def set_can_fix(self, ok: bool) -> None:
        self.can_fix = ok
        self._update_fix()

    def _update_fix(self) -> None:
        d = self.selected()
        self.fix_button.setEnabled(bool(d is not None and d.fix and self.can_fix))

    def _fix_clicked(self) -> None:
        d = self.selected()
        if d is not None and d.fix:
            self.fixRequested.emit(d)

    # ---- the pre-flight ------------------------------------------------------------------------------
    def show_init_report(self, report) -> None:
        t = self.init_table
        t.setRowCount(len(report.layers))

        def num(x: float) -> str:
            return "—" if isinstance(x, float) and math.isnan(x) else f"{x:.3g}"

        for r, s in enumerate(report.layers):
            for c, v in enumerate((s.node_id, s.type, num(s.act_mean), num(s.act_std), num(s.grad_std),
                                   num(s.weight_grad_norm))):
                item = QTableWidgetItem(v)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                t.setItem(r, c, item)
        self.init_summary.setText(self.tr("Before the first update, on {0} rows: loss {1}; {2} problem(s) seen.")
                                  .format(report.rows, f"{report.loss:.4g}", len(report.diagnoses)))


class DiagnosisHooks(QObject):
    """Feeds a TrainingController's events to a core Diagnoser, shows the diagnoses (list and
    badges), and turns "Try the Fix" into a lab variant run."""

    def __init__(self, window, controller, panel: DiagnosisPanel):
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.panel = panel
        self.diagnoser: Diagnoser | None = None
        self.badges: dict[str, DiagnosisBadge] = {}
        self.base_run_id = ""
        self._worker = None
        self.init_report = None
        controller.runningChanged.connect(self._running_changed)
        if hasattr(controller, "runRecorded"):
            controller.runRecorded.connect(self._recorded)
        panel.fixRequested.connect(self.try_fix)
        panel.nodeSelected.connect(self._select_node)
        panel.initCheckRequested.connect(self.check_initialisation)

    # ---- training events ------------------------------------------------------------------------------
    def _running_changed(self, running: bool) -> None:
        if not running:
            return
        self.base_run_id = ""
        self.panel.set_can_fix(False)
        try:
            self.diagnoser = Diagnoser(self.controller.get_design())
        except NetDesignerError:
            self.diagnoser = None
        self.show([])
        worker = getattr(self.controller, "_worker", None)
        if worker is not None and worker is not self._worker:
            self._worker = worker
            worker.events.connect(self.feed)

    def feed(self, batch: list) -> None:
        """Events as the dashboard's worker sends them (BatchLog folds the epoch ends)."""
        diag = self.diagnoser
        if diag is None:
            return
        new = []
        for ev in batch:
            if type(ev).__name__ == "BatchLog":
                for x, logs in zip(ev.epoch_x, ev.epoch_logs):
                    new += diag.handle(EpochEnd(int(round(float(x))) - 1, logs, 0.0))
            elif isinstance(ev, (LayerStats, TrainEnd)):
                new += diag.handle(ev)
        if new:
            self.show(list(diag.current.values()))
            d = new[0]                 # the message itself is data, in the window's language
            self._status(f"⚠ {d.node_id}: {d.message(current_lang())}")

    def _recorded(self, record) -> None:
        self.base_run_id = getattr(record, "id", "")
        self.panel.set_can_fix(bool(self.base_run_id))

    # ---- showing ----------------------------------------------------------------------------------------
    def show(self, diagnoses: list[Diagnosis]) -> None:
        self.panel.set_diagnoses(diagnoses)
        scene = getattr(self.window, "scene", None)
        for badge in self.badges.values():
            if badge.scene() is not None:
                badge.scene().removeItem(badge)
        self.badges = {}
        if scene is None:
            return
        lang = current_lang()
        by_node: dict[str, list[Diagnosis]] = {}
        for d in diagnoses:
            by_node.setdefault(d.node_id, []).append(d)
        for nid, ds in by_node.items():
            item = scene.node_items.get(nid)
            if item is None:
                continue
            badge = DiagnosisBadge(item)
            badge.setToolTip("\n".join(f"{d.message(lang)}\n→ {d.fix_text(lang)}" for d in ds))
            self.badges[nid] = badge

    def _select_node(self, node_id: str) -> None:
        scene = getattr(self.window, "scene", None)
        if scene is not None and node_id in scene.node_items:
            scene.select_nodes([node_id])

    # ---- the fix ----------------------------------------------------------------------------------------
    def try_fix(self, d: Diagnosis) -> bool:
        """Train the run's design with the diagnosis's fix as a lab variant; the comparison opens
        when it has trained. False (and a status message) if it cannot start."""
        lab = getattr(self.window, "lab", None)
        if lab is None or not self.base_run_id or lab.runner.busy:
            return False
        from core.diagnosis import apply_fix, describe_fix
        from core.gallery import Variant
        try:
            base = lab.run(self.base_run_id)
            from core.designfile import from_dict
            design = from_dict(base.design)
            design.folder = getattr(self.window.document.design, "folder", "")
            variant = apply_fix(design, d.fix)
        except (NetDesignerError, StopIteration) as e:
            self._status(str(e) or self.tr("The run is no longer in the run history"))
            return False
        change = describe_fix(d.fix)
        label = self.tr("{0} + {1}").format(base.label or base.id, change)
        lab._pending = ("variant", base)          # the lab opens the comparison when it has trained
        lab.runner.start([(Variant(change, {"en": label}, variant), base.id, change)])
        self._status(self.tr("Training the fix: {0}").format(change))
        return True

    # ---- the pre-flight ----------------------------------------------------------------------------------
    def check_initialisation(self):
        """core.init_check on the current design (its data loaded, weights as initialised)."""
        from core.init_check import check_initialisation
        from core.model import Model
        try:
            from core.designfile import from_dict
            design = from_dict(self.window.document.design.to_dict())
            design.folder = getattr(self.window.document.design, "folder", "")
            model = Model.from_design(design)
            report = check_initialisation(model)
        except NetDesignerError as e:
            self._status(str(e))
            return None
        self.init_report = report
        self.panel.show_init_report(report)
        self.panel.tabs.setCurrentIndex(1)
        self.show(report.diagnoses)
        return report

    def _status(self, text: str) -> None:
        bar = self.window.statusBar() if hasattr(self.window, "statusBar") else None
        if bar is not None:
            bar.showMessage(text, 8000)


def install_diagnosis(window, controller) -> DiagnosisHooks:
    """A Diagnosis dock (tabbed with Problems), the hooks, and Run ▸ Check Initialization."""
    from PySide6.QtGui import QAction
    panel = DiagnosisPanel()
    dock = window._dock("diagnosis", panel.tr("Diagnosis"), panel, Qt.BottomDockWidgetArea) \
        if hasattr(window, "_dock") else None
    if dock is not None and "problems" in getattr(window, "docks", {}):
        window.tabifyDockWidget(window.docks["problems"], dock)
        window.docks["problems"].raise_()
    if dock is not None:
        # Hidden until asked for (View ▸ Panels, Check Initialization): the Train workspace's
        # plots need the room at 1366×768; the badges on the canvas show the diagnoses anyway.
        dock.hide()
    hooks = DiagnosisHooks(window, controller, panel)
    hooks.dock = dock
    action = QAction(panel.tr("Check &Initialization"), window)
    action.setStatusTip(panel.tr("One forward and backward pass before training: each layer's spread and "
                                 "problems of the initialization"))

    def run_check():
        if dock is not None:
            dock.show()
            dock.raise_()
        hooks.check_initialisation()
    action.triggered.connect(run_check)
    menu = getattr(controller, "menu", None)
    if menu is not None:
        menu.addAction(action)
    if dock is not None and hasattr(window, "panels_menu"):
        window.panels_menu.addAction(dock.toggleViewAction())
    hooks.action = action
    return hooks
