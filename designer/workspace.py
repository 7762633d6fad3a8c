"""Design and Train workspaces: two arrangements of the main window's docks, switched like the
modes of an IDE (tool bar toggle, View menu, Ctrl+1 / Ctrl+2).

*Design* gives the room to the canvas, the block palette, the inspector and Problems/History;
the dashboard's panels are put away. *Train* gives it to the dashboard: Problems, History,
palette and inspector go away, the canvas shrinks to a strip along the top showing the whole
design (a network is laid out left to right, so a wide strip suits it), and the panels fill the
rest in columns — at 1366×768 every plot keeps about 250 px of height, which tabs below the
canvas (the old arrangement, ~150 px) could not. Training switches to Train by itself.

Whatever the user makes of either arrangement is remembered per mode (``QMainWindow.saveState``
under ``workspace/<mode>/state<version>`` in the window's QSettings) and comes back the next time
that mode is entered, in this session or the next.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar

MODES = ("design", "train")
#: bump when a default arrangement changes, so states saved by older versions are not restored
STATE_VERSION = 2
#: docks that belong to designing (hidden in Train)
DESIGN_DOCKS = ("palette", "inspector", "training", "problems", "history", "runs")   # runs: designer/lab
#: the dashboard's docks in Train, column by column; tabs within a column, the first in front
# (activations share the boundary's place: a design the boundary cannot be drawn for shows them
# there while it trains — see dashboard._install)
# (feature maps and gradients through time: tabs at the back, for image and sequence designs)
COLUMNS_NARROW = (("loss",), ("gradients", "weights", "time_gradients"),
                  ("boundary", "activations", "results", "feature_maps"))
COLUMNS_WIDE = (("loss",), ("gradients", "time_gradients"), ("weights",),
                ("boundary", "activations", "results", "feature_maps"))
WIDE_FROM = 1700          # px of window width from which the four-column arrangement is used
#: the canvas strip's share of the height in Train (it shows the whole design, small)
STRIP_SHARE = 0.13
STRIP_MIN = 90


def tr(text: str) -> str:
    return QCoreApplication.translate("Workspace", text)


class Workspace(QObject):
    """The Design/Train switch of a main window that has ``docks`` (its own) and ``training``
    (the dashboard's TrainingController, with ``docks`` and ``runningChanged``).

    Signals:
        modeChanged(str): "design" or "train", after the docks have been arranged.
    """

    modeChanged = Signal(str)

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.settings = getattr(window, "settings", None)
        self.mode = "design"
        self._canvas_view = None          # the canvas' transform and centre before Train
        self._banner_shown = False        # whether the description banner was up before Train
        self.group = QActionGroup(self)
        self.design_action = self._action(tr("&Design"), "Ctrl+1",
                                          tr("Design workspace: canvas, blocks, inspector (Ctrl+1)"), "design")
        self.train_action = self._action(tr("&Train"), "Ctrl+2",
                                         tr("Training workspace: the dashboard's panels get the room (Ctrl+2)"),
                                         "train")
        self.design_action.setChecked(True)
        self.toolbar = self._make_toolbar()
        self.menu = self._make_menu()
        controller = getattr(window, "training", None)
        if controller is not None and hasattr(controller, "runningChanged"):
            controller.runningChanged.connect(self._running_changed)
        window.installEventFilter(self)
        self._enter("design")

    # ---- construction ---------------------------------------------------------------------------
    def _action(self, text: str, shortcut: str, tip: str, mode: str) -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(f"{mode}ModeAction")
        act.setCheckable(True)
        act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda _checked=False, m=mode: self.set_mode(m))
        self.group.addAction(act)
        return act

    def _make_toolbar(self) -> QToolBar:
        bar = QToolBar(tr("Workspace"), self.window)
        bar.setObjectName("workspaceToolBar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        bar.addAction(self.design_action)
        bar.addAction(self.train_action)
        before = getattr(self.window, "toolbar", None)
        if isinstance(before, QToolBar):
            self.window.insertToolBar(before, bar)      # first in the row, like an IDE's modes
        else:
            self.window.addToolBar(Qt.TopToolBarArea, bar)
        return bar

    def _make_menu(self) -> QMenu | None:
        """The two modes at the top of the View menu (found by its Panels submenu), else a menu."""
        panels = getattr(self.window, "panels_menu", None)
        view = None
        for act in self.window.menuBar().actions():
            menu = act.menu()
            if menu is not None and panels is not None and panels.menuAction() in menu.actions():
                view = menu
        if view is None:
            view = self.window.menuBar().addMenu(tr("&View"))
        first = view.actions()[0] if view.actions() else None
        sep = view.insertSeparator(first) if first is not None else view.addSeparator()
        view.insertActions(sep, [self.design_action, self.train_action])
        return view

    # ---- switching ----------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """Arrange the window for `mode` ("design" or "train"); the old mode's arrangement is kept."""
        if mode not in MODES:
            raise ValueError(f"unknown workspace mode {mode!r}; expected one of {', '.join(MODES)}")
        if mode == self.mode:
            (self.train_action if mode == "train" else self.design_action).setChecked(True)
            return
        self.save_mode_state()
        if mode == "train":
            self._remember_canvas()
        self._enter(mode)

    def _enter(self, mode: str) -> None:
        self.mode = mode
        (self.train_action if mode == "train" else self.design_action).setChecked(True)
        state = self._saved_state(mode)
        if state is None or not self.window.restoreState(state):
            (self.default_train if mode == "train" else self.default_design)()
        banner = getattr(self.window, "banner", None)   # the design's description, over the canvas
        if banner is not None:
            if mode == "train":
                self._banner_shown = banner.isVisible()
                banner.hide()                   # the strip is for the design itself
            elif self._banner_shown:
                banner.show()
        view = getattr(self.window, "view", None)
        if view is not None:                # the strip shows everything: no scroll bars there
            policy = Qt.ScrollBarAlwaysOff if mode == "train" else Qt.ScrollBarAsNeeded
            view.setHorizontalScrollBarPolicy(policy)
            view.setVerticalScrollBarPolicy(policy)
        if mode == "train":
            QTimer.singleShot(0, self._fit_canvas)       # once the strip has its size
        else:
            QTimer.singleShot(0, self._restore_canvas)
        self.modeChanged.emit(mode)

    def _running_changed(self, running: bool) -> None:
        if running:
            self.set_mode("train")

    # ---- the default arrangements -----------------------------------------------------------------
    def _design_docks(self) -> dict[str, QDockWidget]:
        return {k: d for k, d in getattr(self.window, "docks", {}).items() if k in DESIGN_DOCKS}

    def _dashboard_docks(self) -> dict[str, QDockWidget]:
        return dict(getattr(getattr(self.window, "training", None), "docks", None) or {})

    def default_design(self) -> None:
        """Palette left, inspector and training settings right, Problems/History below; the
        dashboard's panels put away (Ctrl+2 or Run ▸ Dashboard Panels bring them back)."""
        w = self.window
        for dock in self._dashboard_docks().values():
            dock.hide()
        design = self._design_docks()
        for dock in design.values():
            dock.setFloating(False)
            dock.show()
        if "inspector" in design:
            design["inspector"].raise_()
        if "problems" in design:
            design["problems"].raise_()
            w.resizeDocks([design["problems"]], [110], Qt.Vertical)
        if "palette" in design and "inspector" in design:
            w.resizeDocks([design["palette"], design["inspector"]], [215, 350], Qt.Horizontal)

    def default_train(self) -> None:
        """The canvas as a strip along the top, the panels below it in columns (three on a
        1366-px screen, four from WIDE_FROM px): loss; gradient flow (and weights, in a tab);
        decision boundary with the activations and the results behind it."""
        w = self.window
        dash = self._dashboard_docks()
        for dock in self._design_docks().values():
            dock.hide()
        if not dash:
            return
        columns = [[dash[k] for k in col if k in dash]
                   for col in (COLUMNS_WIDE if w.width() >= WIDE_FROM else COLUMNS_NARROW)]
        for dock in dash.values():      # panels mounted later (dashboard.mounting): behind their neighbour
            beside = dash.get(dock.property("trainBeside") or "")
            for col in columns:
                if beside in col and dock not in col:
                    col.append(dock)
        columns = [c for c in columns if c]
        for dock in dash.values():
            dock.setFloating(False)
            dock.show()
        heads = [col[0] for col in columns]
        w.addDockWidget(Qt.BottomDockWidgetArea, heads[0])
        for left, right in zip(heads, heads[1:]):
            w.splitDockWidget(left, right, Qt.Horizontal)
        for col in columns:
            for other in col[1:]:
                w.tabifyDockWidget(col[0], other)
            col[0].raise_()
        height = w.height() - _chrome_height(w)
        strip = max(STRIP_MIN, round(height * STRIP_SHARE))
        w.resizeDocks([heads[0]], [max(height - strip, 200)], Qt.Vertical)
        # The loss column a little wider: its three plots share it.
        shares = [1.15] + [1.0] * (len(heads) - 1)
        unit = w.width() / sum(shares)
        w.resizeDocks(heads, [int(unit * s) for s in shares], Qt.Horizontal)

    # ---- the canvas: an overview in Train, where it was in Design ---------------------------------
    def _remember_canvas(self) -> None:
        view = getattr(self.window, "view", None)
        if view is not None:
            centre = view.mapToScene(view.viewport().rect().center())
            self._canvas_view = (view.transform(), centre)

    def _fit_canvas(self) -> None:
        """The whole design in the strip: an overview (and the canvas tint), not for reading —
        so no minimum zoom here, unlike Fit to View in Design."""
        view = getattr(self.window, "view", None)
        if self.mode != "train" or view is None or view.scene() is None:
            return
        scene = view.scene()
        rect = scene.design_rect() if hasattr(scene, "design_rect") else scene.itemsBoundingRect()
        if rect.isNull():
            return
        view.fitInView(rect.adjusted(-20, -10, 20, 10), Qt.KeepAspectRatio)
        zoom = getattr(view, "zoomChanged", None)
        if zoom is not None and hasattr(view, "zoom"):
            zoom.emit(view.zoom())

    def _restore_canvas(self) -> None:
        view, saved = getattr(self.window, "view", None), self._canvas_view
        if self.mode != "design" or view is None or saved is None:
            return
        transform, centre = saved
        view.setTransform(transform)
        view.centerOn(centre)
        zoom = getattr(view, "zoomChanged", None)
        if zoom is not None and hasattr(view, "zoom"):
            zoom.emit(view.zoom())

    # ---- memory -----------------------------------------------------------------------------------
    def _key(self, mode: str) -> str:
        return f"workspace/{mode}/state{STATE_VERSION}"

    def _saved_state(self, mode: str):
        if self.settings is None:
            return None
        return self.settings.value(self._key(mode))

    def save_mode_state(self) -> None:
        """Keep the current mode's arrangement (done on every switch and when the window closes)."""
        if self.settings is not None:
            self.settings.setValue(self._key(self.mode), self.window.saveState())

    def forget(self) -> None:
        """Drop both remembered arrangements and lay out the current mode afresh."""
        if self.settings is not None:
            for mode in MODES:
                self.settings.remove(self._key(mode))
        (self.default_train if self.mode == "train" else self.default_design)()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Close:
            self.save_mode_state()
        return False


def _chrome_height(w: QMainWindow) -> int:
    """Height of the window not available to docks and central widget: menu, tool bars, status."""
    used = w.menuBar().sizeHint().height() if w.menuBar() is not None else 0
    rows = {}
    for bar in w.findChildren(QToolBar):
        if bar.parent() is w and not bar.isHidden() and w.toolBarArea(bar) == Qt.TopToolBarArea:
            rows[bar.y()] = max(rows.get(bar.y(), 0), bar.sizeHint().height())
    used += sum(rows.values())
    status = w.statusBar()
    if status is not None and not status.isHidden():
        used += status.sizeHint().height()
    return used
