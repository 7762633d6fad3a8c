"""The main window: canvas in the middle, palette left, inspector and training settings right,
problems and undo history below. File handling lives in ``files.FileOps``."""
from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QDialog, QDockWidget, QFrame, QHBoxLayout, QLabel, QMainWindow,
                               QMenu, QMessageBox, QPlainTextEdit, QPushButton, QUndoView,
                               QVBoxLayout, QWidget)

from . import actions as ui_actions
from . import theme
from .autosave import INTERVAL_MS, AutoSaver
from .canvas import CanvasScene, CanvasView
from .commands import SetParams
from .dialogs import guarded
from .document import Document
from .editor import Editor
from .files import FileOps
from .inspector import Inspector
from .palette import Palette
from .problems_panel import ProblemsPanel
from .settings_panel import SettingsPanel

log = logging.getLogger(__name__)


class MainWindow(FileOps, QMainWindow):
    def __init__(self, settings: QSettings | None = None, recovery_dir: str | None = None,
                 autosave_ms: int = INTERVAL_MS):
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.recovery_dir = recovery_dir
        self.training = None            # the dashboard's TrainingController, once installed
        # File → Import Weights… (export_dialogs): the next training starts from this file's
        # matching weights; imported_model holds them for Export before any training.
        self.initial_weights_path = ""
        self.imported_model = None
        self.weights_source = ""        # "trained" or "imported": which weights Export writes
        self.structure_locked = False
        self.setObjectName("MainWindow")
        self.document = Document(self)
        self.scene = CanvasScene(self.document, self)
        self.view = CanvasView(self.scene)
        self.editor = Editor(self.document, self.scene, self.view, self)
        self.autosaver = AutoSaver(self.document, recovery_dir, autosave_ms, self)

        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._make_banner())
        column.addWidget(self.view, 1)
        self.setCentralWidget(central)

        self.palette = Palette(self)
        self.inspector = Inspector(self.document, self.scene, self)
        self.settings_panel = SettingsPanel(self.document, self)
        self.problems = ProblemsPanel(self.scene, self)
        self._ready_text = self.problems.ok.text()     # the panel's own "no problems" line
        # The same height whether it lists problems or says there are none: the canvas must not
        # jump when the first block is dropped (an empty design shows the line, not the list).
        self.problems.setMinimumHeight(self.problems.list.minimumSizeHint().height())
        self.history = QUndoView(self.document.stack, self)
        self.history.setEmptyLabel(self.tr("Opened design"))
        self.docks = {}
        self._dock("palette", self.tr("Blocks"), self.palette, Qt.LeftDockWidgetArea)
        self._dock("inspector", self.tr("Block"), self.inspector, Qt.RightDockWidgetArea)
        self._dock("training", self.tr("Training"), self.settings_panel, Qt.RightDockWidgetArea)
        self._dock("problems", self.tr("Problems"), self.problems, Qt.BottomDockWidgetArea)
        self._dock("history", self.tr("History"), self.history, Qt.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["inspector"], self.docks["training"])
        self.tabifyDockWidget(self.docks["problems"], self.docks["history"])
        self.docks["inspector"].raise_()
        self.docks["problems"].raise_()
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)

        self.actions_ = ui_actions.create_actions(self)
        ui_actions.build_menus(self, self.actions_)
        self.toolbar = ui_actions.build_toolbar(self, self.actions_)
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        from .lab import install_lab       # Run History dock, Help > Gallery (designer/lab)
        self.lab = install_lab(self)
        self._make_status_bar()
        self._connect()
        from .tune import install as install_search   # searched parameters on the canvas
        install_search(self)
        self._restore_settings()
        self.update_title()

    # ---- construction ---------------------------------------------------------------------------
    def _dock(self, key: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def _make_banner(self) -> QFrame:
        self.banner = QFrame(self)
        self.banner.setObjectName("banner")
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(16, 10, 10, 10)
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextFormat(Qt.RichText)
        close = QPushButton("✕", self.banner)
        close.setObjectName("flatButton")
        close.setToolTip(self.tr("Hide the description (Design → Show Description brings it back)"))
        close.clicked.connect(self.banner.hide)
        row.addWidget(self.banner_text, 1)
        row.addWidget(close, 0, Qt.AlignTop)
        self.banner.hide()
        return self.banner

    def _make_status_bar(self) -> None:
        bar = self.statusBar()
        self.summary_label = QLabel(self)
        self.problem_label = QLabel(self)
        self.zoom_label = QLabel("100 %", self)
        self.weights_label = QLabel(self.tr("⚠ Trained weights are stale"), self)
        self.weights_label.setObjectName("staleWeights")
        self.weights_label.setProperty("role", "error")
        self.weights_label.hide()
        for w in (self.weights_label, self.summary_label, self.problem_label, self.zoom_label):
            bar.addPermanentWidget(w)

    def _connect(self) -> None:
        doc = self.document
        doc.modifiedChanged.connect(lambda _m: self.update_title())
        doc.pathChanged.connect(lambda _p: self.update_title())
        doc.settingsChanged.connect(lambda _s: self.update_title())
        self.palette.blockActivated.connect(guarded(self.editor.add_after_selection))
        self.view.blockDropped.connect(guarded(lambda t, pos: self.editor.add_block(t, pos)))
        self.view.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{round(z * 100)} %"))
        self.problems.nodeRequested.connect(self.editor.focus_node)
        self.settings_panel.dataDialogRequested.connect(guarded(lambda: self.open_data_dialog()))
        doc.designReplaced.connect(self._document_replaced)
        doc.stack.indexChanged.connect(lambda _i: self.update_weights_actions())
        self.view.menuRequested.connect(self.canvas_menu)
        self.scene.nodeDoubleClicked.connect(self._edit_node)
        self.problems.countChanged.connect(self._problem_count)
        self.scene.annotationsChanged.connect(self._update_summary)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.connector.hint.connect(lambda text: self.statusBar().showMessage(text))
        self.scene.connector.refused.connect(self.connection_refused)
        self.document.stack.indexChanged.connect(lambda _i: self._update_edit_actions())
        self.scene.selectionChanged.connect(self._update_edit_actions)
        self._update_edit_actions()
        self._update_summary()
        self._problem_count(len(self.scene.problems))

    # ---- canvas context menu ----------------------------------------------------------------------
    def canvas_menu(self, global_pos, scene_pos) -> QMenu:
        a = self.actions_
        menu = QMenu(self)
        menu.addActions([a.cut, a.copy, a.paste, a.duplicate, a.delete])
        menu.addSeparator()
        self._add_freeze_entry(menu)
        add = menu.addMenu(self.tr("Add Block Here"))
        add.setEnabled(not self.structure_locked)
        for group, head in self.palette.group_items.items():
            sub = add.addMenu(head.icon(0), head.text(0))
            for i in range(head.childCount()):
                name = head.child(i).data(0, Qt.UserRole + 1)
                act = sub.addAction(head.child(i).icon(0), name)
                act.triggered.connect(guarded(lambda _c=False, n=name: self.editor.add_block(n, scene_pos)))
        menu.addSeparator()
        menu.addActions([a.layout, a.fit])
        if global_pos is not None:
            menu.popup(global_pos)
        self._menu = menu
        return menu

    def _add_freeze_entry(self, menu: QMenu) -> None:
        """"Freeze" / "Unfreeze" for selected blocks with weights (their `trainable` parameter)."""
        from core.finetune import freezable
        graph = self.document.graph
        can = set(freezable(graph))
        ids = [n for n in self.scene.selected_node_ids() if n in can]
        if not ids:
            return
        frozen = all(not graph.nodes[n].params["trainable"] for n in ids)
        act = menu.addAction(self.tr("Unfreeze") if frozen else self.tr("Freeze"))
        act.setObjectName("unfreezeAction" if frozen else "freezeAction")
        act.setToolTip(self.tr("Frozen blocks keep their weights while the rest trains"))
        act.setEnabled(not self.structure_locked)
        act.triggered.connect(guarded(lambda _c=False: self.set_frozen(ids, not frozen)))
        menu.addSeparator()

    def set_frozen(self, node_ids, frozen: bool) -> None:
        """Freeze (or unfreeze) blocks: one undoable step of `trainable` parameter changes."""
        graph = self.document.graph
        ids = [n for n in node_ids if n in graph.nodes and graph.nodes[n].params.get("trainable") == frozen]
        verb = self.tr("Freeze {0}") if frozen else self.tr("Unfreeze {0}")
        if len(ids) == 1:
            self.document.push(SetParams(graph, ids[0], {"trainable": not frozen},
                                         verb.format(graph.nodes[ids[0]].title)))
        elif ids:
            with self.document.macro(verb.format(self.tr("{0} blocks").format(len(ids)))):
                for nid in ids:
                    self.document.push(SetParams(graph, nid, {"trainable": not frozen}))

    def _edit_node(self, node_id: str) -> None:
        self.docks["inspector"].show()
        self.docks["inspector"].raise_()
        self.inspector.label_edit.setFocus()

    # ---- status ---------------------------------------------------------------------------------
    def update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — NetDesigner")
        self.setWindowModified(self.document.is_modified())

    def connection_refused(self, reason: str) -> None:
        from .i18n.messages import translate_reason
        self.statusBar().showMessage(self.tr("Connection refused — {0}").format(translate_reason(reason)), 10000)

    def _problem_count(self, n: int) -> None:
        empty = not self.document.graph.nodes
        if empty:       # a start, not an error: neutral words, no red (the canvas says how to begin)
            self.problem_label.setText(self.tr("Empty design"))
            self.problems.ok.setText(self.tr("Nothing to check yet: drag an Input block from the Blocks "
                                             "palette onto the canvas, or open an example (File → Examples)."))
        else:
            self.problem_label.setText(self.tr("⚠ {0} problems").format(n) if n > 1 else
                                       self.tr("⚠ 1 problem") if n == 1 else
                                       self.tr("… checking the data") if self.problems.checking else
                                       self.tr("✓ ready to train"))
            self.problems.ok.setText(self._ready_text)
        self.problem_label.setProperty("role", "error" if n else "")
        self.problem_label.style().unpolish(self.problem_label)
        self.problem_label.style().polish(self.problem_label)
        self.docks["problems"].setWindowTitle(self.tr("Problems ({0})").format(n) if n else self.tr("Problems"))

    def _update_summary(self) -> None:
        graph = self.document.graph
        total = sum(t + n for t, n in self.scene.counts.values())
        self.summary_label.setText(self.tr("{0} blocks · {1} parameters").format(
            len(graph.nodes), f"{total:,}"))

    def _selection_changed(self) -> None:
        try:
            if self.scene.selected_node_ids():
                self.docks["inspector"].raise_()
        except RuntimeError:
            pass

    def _update_edit_actions(self) -> None:
        a = self.actions_
        if getattr(self, "structure_locked", False):
            return
        try:
            has_nodes = bool(self.scene.selected_node_ids())
            has_any = has_nodes or bool(self.scene.selected_edges())
        except RuntimeError:
            return
        for act in (a.cut, a.copy, a.duplicate):
            act.setEnabled(has_nodes)
        a.delete.setEnabled(has_any)

    # ---- the training dashboard (designer.dashboard, written separately) -----------------------
    def install_dashboard(self) -> bool:
        """Add the live training dashboard's docks, tool bar and Run menu, if it is available.

        Called after the window is first shown (pyqtgraph loads then, not before the first paint).
        """
        if getattr(self, "training", None) is not None:
            return True
        try:
            from .dashboard import install_dashboard
            self.training = install_dashboard(self, lambda: self.document.design,
                                              self.set_structure_locked, scene=self.scene)
        except Exception as exc:  # noqa: BLE001 - the designer works without it
            log.warning("training dashboard not available: %s", exc)
            self.training = None
            self.menuBar().addMenu(self.tr("&Run")).addActions([self.actions_.cross_validate, self.actions_.tune])
            ui_actions.keep_help_last(self)
            return False
        ui_actions.keep_help_last(self)
        self._hook_training()
        self._install_learning_aids()
        # One tab group with Problems and History: side by side, six plots would need a window
        # three screens wide. The user can drag them apart; restoreState brings that back.
        for dock in getattr(self.training, "docks", {}).values():
            self.tabifyDockWidget(self.docks["problems"], dock)
        self.resizeDocks([self.docks["problems"]], [230], Qt.Vertical)
        state = self.settings.value("window/state")
        if state is not None:             # the dashboard's docks where the user left them
            self.restoreState(state)
        self.docks["problems"].raise_()
        # -- workspace hook (designer/workspace.py): Design/Train modes arrange these docks --
        from .workspace import Workspace
        self.workspace = Workspace(self)
        return True

    def _install_learning_aids(self) -> None:
        """Live intervention, diagnosis and step-through (designer/dashboard/intervention.py,
        designer/diagnosis_panel.py, designer/stepthrough): their docks and Run menu entries."""
        from .dashboard.intervention import install_intervention
        from .diagnosis_panel import install_diagnosis
        from .stepthrough import install_stepthrough
        self.intervention = install_intervention(self, self.training)
        self.diagnosis = install_diagnosis(self, self.training)
        self.stepthrough = install_stepthrough(self, getattr(self.training, "menu", None))

    def _hook_training(self) -> None:
        """Cross-validate… in the dashboard's Run menu; Export follows its trained model."""
        ctl = self.training
        menu = getattr(ctl, "menu", None)
        if menu is not None:
            menu.addSeparator()
            menu.addAction(self.actions_.cross_validate)
            menu.addAction(self.actions_.tune)
        if hasattr(ctl, "modelTrained"):
            ctl.modelTrained.connect(lambda _m: self._weights_changed("trained"))
        if hasattr(ctl, "runningChanged"):
            ctl.runningChanged.connect(lambda _r: self.update_weights_actions())
        if hasattr(ctl, "runRecorded"):
            ctl.runRecorded.connect(self.lab.add_run)       # every run goes into the run history

    # ---- data, weights in and out, cross-validation (data_dialog, export_dialogs, kfold_dialog) --
    def open_data_dialog(self):
        from .data_dialog import open_data_dialog
        if self.structure_locked:
            return None
        self.data_dialog = open_data_dialog(self)
        return self.data_dialog

    def export_weights_dialog(self):
        from .export_dialogs import open_export_dialog
        return open_export_dialog(self)

    def import_weights_dialog(self, path: str | None = None):
        from .export_dialogs import import_weights
        report = import_weights(self, path)
        self.update_weights_actions()
        return report

    def _document_replaced(self) -> None:
        """New, Open, an example, a recovered file: weights trained or imported for the design
        that went away do not belong to this one (TrainingController.forget_run clears the run)."""
        forget = getattr(self.training, "forget_run", None)
        if forget is not None:
            forget()
        self.statusBar().clearMessage()     # "Trained 100 epochs." was about the old design
        self.weights_source = ""
        self._weights_hash = (None, "")
        self.forget_imported_weights()

    def weights_warnings(self) -> list[str]:
        """core.binding's warnings for the weights Export would write: [] while they were trained
        (or imported) for the structure the design has now; one line naming both designs after
        an edit of blocks, parameters or connections (fine-tuning an edited design stays possible)."""
        from core.binding import check_binding

        from .export_dialogs import current_model
        model = current_model(self)
        if model is None:
            return []
        cached = getattr(self, "_weights_hash", (None, ""))
        if cached[0] is not model:      # the trained copy never changes: hash it once
            cached = self._weights_hash = (model, model.design.structure_hash())
        recorded = {"design_hash": cached[1], "design_name": model.design.name or None}
        return check_binding(self.document.design, recorded, design_path=self.document.path or None)

    def forget_imported_weights(self) -> None:
        from .export_dialogs import forget_imported
        forget_imported(self)
        self.update_weights_actions()

    def tune_dialog(self):
        from .tune import open_tune_dialog
        return open_tune_dialog(self)

    def cross_validate_dialog(self):
        from .kfold_dialog import open_kfold_dialog
        return open_kfold_dialog(self)

    def _weights_changed(self, source: str) -> None:
        self.weights_source = source
        self.update_weights_actions()

    def update_weights_actions(self) -> None:
        from .export_dialogs import current_model
        a = self.actions_
        running = bool(getattr(self.training, "is_running", False))
        a.export_weights.setEnabled(current_model(self) is not None and not running)
        a.forget_weights.setEnabled(bool(self.initial_weights_path))
        stale = self.weights_warnings()
        self.weights_label.setVisible(bool(stale))
        self.weights_label.setToolTip(self.tr("Stale: the weights were trained on a different structure. "
                                              "Train again, or undo the edit.") + "\n" + "\n".join(stale))

    # ---- structure lock (while the dashboard trains a copy of the design) ----------------------
    def set_structure_locked(self, locked: bool) -> None:
        """While a copy of the design trains, the design stays as it is: no edits (selecting,
        zooming and looking at everything stay possible)."""
        self.structure_locked = locked
        self.scene.locked = locked
        if locked:
            self.scene.connector.cancel()
        for w in (self.palette, self.inspector, self.settings_panel):
            w.setEnabled(not locked)
        a = self.actions_
        for act in (a.new, a.open, a.cut, a.paste, a.duplicate, a.delete, a.layout, a.data):
            act.setEnabled(not locked)
        self.examples_menu.setEnabled(not locked)
        self.recent_menu.setEnabled(not locked)
        a.undo.setEnabled(not locked and self.document.stack.canUndo())
        a.redo.setEnabled(not locked and self.document.stack.canRedo())
        self.history.setEnabled(not locked)
        if not locked:
            self._update_edit_actions()
        self.statusBar().showMessage(self.tr("The design is locked while it trains.") if locked
                                     else self.tr("Editing unlocked."), 5000)

    # ---- view options ---------------------------------------------------------------------------
    def set_grid_visible(self, on: bool) -> None:
        self.scene.grid_visible = on
        self.scene.update()
        self.settings.setValue("view/grid", on)

    def set_snap(self, on: bool) -> None:
        self.scene.snap_enabled = on
        self.settings.setValue("view/snap", on)

    def set_theme(self, name: str) -> None:
        theme.apply(name)
        self.settings.setValue("view/theme", name)
        ui_actions.refresh_icons(self, self.actions_)
        self.problems.show_problems(self.scene.problems)

    def show_description(self) -> None:
        design = self.document.design
        if not design.description:
            self.statusBar().showMessage(self.tr("This design has no description (add one in the "
                                                 "Training panel)."), 5000)
            return
        from .i18n import localized_description, localized_name
        title = localized_name(design.name) or self.document.display_name()
        self.banner_text.setText(f"<b>{_escape(title)}</b><br>{_escape(localized_description(design.description))}")
        self.banner.show()

    def show_summary(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Model summary — {0}").format(self.document.display_name()))
        text = QPlainTextEdit(self.document.graph.summary(), dialog)
        text.setReadOnly(True)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.Monospace)
        text.setFont(font)
        text.setLineWrapMode(QPlainTextEdit.NoWrap)
        box = QVBoxLayout(dialog)
        box.addWidget(text)
        dialog.resize(760, 420)
        dialog.show()
        self._summary_dialog = dialog

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About NetDesigner"), self.tr(
            "<b>NetDesigner</b><br>Design, train and understand neural networks on a canvas.<br><br>"
            "Drag blocks from the palette, connect output ports to input ports, and watch shapes "
            "and parameter counts update as you edit."))

    # ---- persistence ----------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1360, 860)
        state = s.value("window/state")
        if state is None or not self.restoreState(state):
            self.resizeDocks([self.docks["palette"], self.docks["inspector"]], [215, 350], Qt.Horizontal)
            self.resizeDocks([self.docks["problems"]], [110], Qt.Vertical)
        a = self.actions_
        a.grid.setChecked(_bool(s.value("view/grid", True)))
        a.snap.setChecked(_bool(s.value("view/snap", True)))
        self.scene.grid_visible = a.grid.isChecked()
        self.scene.snap_enabled = a.snap.isChecked()
        saved = str(s.value("view/theme", theme.current().name))
        if saved != theme.current().name and saved in theme.THEMES:
            theme.apply(saved)
            ui_actions.refresh_icons(self, a)
        (a.theme_dark if theme.current().name == "dark" else a.theme_light).setChecked(True)

    def save_window_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.save_window_state()
        self.lab.shutdown()
        self.autosaver.shutdown()
        self.scene.detach()
        event.accept()

    def start(self, path: str | None = None) -> None:
        """After the window is shown: recovery offer, then the file from the command line."""
        QTimer.singleShot(0, lambda: self._start(path))

    @guarded
    def _start(self, path: str | None) -> None:
        if not self.offer_recovery() and path:
            self.open_path(path)


def _bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
