"""The Problems panel: everything the pre-flight finds (core.preflight), graph problems and the
ones only Train used to meet — the data does not load, its targets do not fit the output, the
loss does not fit the output's activation. Clicking a problem selects its node.

The graph part comes from the scene on every edit. The data part needs the data set: its summary
is cached by core.preflight (keyed by the data settings and the file's modification time), so an
edit re-checks at once; when the data settings change, the data is summarised on a worker thread
and the panel says "checking the data…" meanwhile — the GUI never waits for a large CSV.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from core import preflight as pf

from . import icons
from .i18n.messages import translate_reason

NODE_ROLE = Qt.UserRole + 1


def tr(text: str) -> str:
    return QCoreApplication.translate("ProblemsPanel", text)


class ProblemsPanel(QWidget):
    nodeRequested = Signal(str)      # the user picked a problem that belongs to this node
    countChanged = Signal(int)       # problems known so far (`checking`: the data part is not)
    checked = Signal()               # a full check (data included) has been shown
    _dataLoaded = Signal(str)        # from the worker thread: the data key it summarised

    def __init__(self, scene, parent=None):
        super().__init__(parent)
        self.scene = scene
        self.document = scene.document
        self.problems: list = []         # what the panel shows (graph + pre-flight)
        self.checking = False            # the data is being summarised on a worker thread
        self._graph_problems: list = []
        self._loading: set[str] = set()
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(False)
        self.ok = QLabel(tr("✓  No problems: the design is ready to train."), self)
        self.ok.setProperty("role", "muted")
        self.ok.setWordWrap(True)
        self.ok.setContentsMargins(12, 8, 12, 8)
        self.status = QLabel(self)       # "checking the data…" while the worker loads it
        self.status.setProperty("role", "muted")
        self.status.setContentsMargins(12, 4, 12, 4)
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ok)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        self.filler = layout.addStretch(0)
        self.list.itemClicked.connect(self._picked)
        self.list.itemActivated.connect(self._picked)
        # Settings edits (loss, data file, ...) re-check too; several in a row check once.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.recheck)
        self._dataLoaded.connect(self._data_loaded, Qt.QueuedConnection)
        scene.problemsChanged.connect(self.show_problems)
        self.document.settingsChanged.connect(lambda _what: self._timer.start())
        self.show_problems(scene.problems)

    # ---- checking ---------------------------------------------------------------------------------
    def show_problems(self, graph_problems: list) -> None:
        """The scene's graph problems changed (or the theme did): re-check with them."""
        self._graph_problems = list(graph_problems)
        self.recheck()

    def recheck(self) -> None:
        self._timer.stop()
        design = self.document.design
        if not design.graph.nodes:
            # An empty design is a start, not a mistake: nothing to list, nothing red.
            self.checking = False
            self._render([], pending=False)
            return
        settings = pf.design_data_settings(design)      # what preflight loads and caches
        try:
            pending = pf.cached_data_summary(settings) is None
        except Exception:  # noqa: BLE001 - a cached load error: preflight reports it below
            pending = False
        problems = pf.preflight(design, graph_problems=self._graph_problems,
                                data_loader=pf.cached_data_summary)
        if pending:
            self._load_in_background(settings)
        self.checking = pending
        self._render(problems, pending)

    def _load_in_background(self, settings: dict) -> None:
        key = pf.data_key(settings)
        if key in self._loading:
            return
        self._loading.add(key)
        snapshot = {k: (dict(v) if isinstance(v, dict) else v) for k, v in settings.items()}

        def work():
            try:
                pf.data_summary(snapshot)      # fills the cache (a load error is cached too)
            except Exception:  # noqa: BLE001 - reported by the re-check from the cache
                pass
            try:
                self._dataLoaded.emit(key)
            except RuntimeError:               # the panel went away meanwhile
                pass

        threading.Thread(target=work, name="preflight-data", daemon=True).start()

    def _data_loaded(self, key: str) -> None:
        self._loading.discard(key)
        if key == pf.data_key(pf.design_data_settings(self.document.design)):
            self.recheck()

    # ---- showing ----------------------------------------------------------------------------------
    def _render(self, problems: list, pending: bool) -> None:
        problems = sorted(problems, key=lambda p: not pf.is_error(p))     # errors first, stable
        self.problems = problems
        self.list.clear()
        for p in problems:
            error = pf.is_error(p)
            icon = icons.tool_icon("problems", "error" if error else "warning")
            reason = translate_reason(p.reason)        # core's words in the UI's language
            if p.node_id is None:
                text = reason
            else:
                name = p.node_id if not p.label or p.label == p.node_id else f"{p.label} ({p.node_id})"
                text = f"{name}: {reason}"
            if not error:
                text = tr("warning: {0}").format(text)
            item = QListWidgetItem(icon, text)
            item.setData(NODE_ROLE, p.node_id)
            item.setToolTip(str(p))
            self.list.addItem(item)
        self.status.setText(tr("Checking the data…"))
        self.status.setVisible(pending)
        self.ok.setVisible(not problems and not pending)
        self.list.setVisible(bool(problems))
        self.layout().setStretch(3, 0 if problems else 1)   # keep the "no problems" line on top
        self.countChanged.emit(len(problems))
        if not pending:
            self.checked.emit()

    def _picked(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id:
            self.nodeRequested.emit(node_id)
