"""The learning lab: run history and A/B comparison of runs, and the gallery of the course's
experiments. ``Lab`` ties them to the main window:

- every run the dashboard finishes (``TrainingController.runRecorded``) is kept in the open
  design's run store (``<design>.runs/``; in memory until an unsaved design is saved);
- View ▸ Run History shows the store; Compare opens a ``CompareWindow`` over the ticked runs;
  Duplicate as Variant… trains the selected run's design with one change in the background;
- Help ▸ Gallery… opens the ``GalleryDialog``; Run Comparison trains the experiment's variants
  and opens them as a comparison with the claims checked.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from core.designfile import from_dict
from core.errors import NetDesignerError
from core.runs import RunStore, runs_folder

from .gallery_dialog import GalleryDialog
from .history import RunHistoryPanel
from .runner import LabRunner


class Lab(QObject):
    """Signals: compareOpened(CompareWindow), runsChanged()."""

    compareOpened = Signal(object)
    runsChanged = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.store = RunStore(window.document.path or None)
        self.panel = RunHistoryPanel(window)
        self.runner = LabRunner(self)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._trained)
        self.runner.failed.connect(self._failed)
        self.compare_windows: list = []      # CompareWindow (imported when first needed: pyqtgraph)
        self.gallery: GalleryDialog | None = None
        self._pending = None          # what the running job is for: ("variant", parent) or ("gallery", exp)
        self.panel.compareRequested.connect(self.compare)
        self.panel.variantRequested.connect(self.duplicate_as_variant)
        self.panel.deleteRequested.connect(self.delete)
        self._replaced = False
        window.document.designReplaced.connect(self._design_replaced)
        window.document.pathChanged.connect(self._path_changed)
        self.gallery_action = QAction(self.tr("&Gallery…"), window)
        self.gallery_action.setStatusTip(self.tr("Experiments from the course, each a ready comparison"))
        self.gallery_action.triggered.connect(lambda: self.open_gallery())
        self.refresh()

    # ---- the store ----------------------------------------------------------------------------
    def _design_replaced(self) -> None:
        self._replaced = True                 # New, Open, an example: the pathChanged that follows

    def _path_changed(self, path: str) -> None:
        replaced, self._replaced = self._replaced, False
        if path and not self.store.folder and not replaced:
            self.store.attach(path)           # Save of an unsaved design: its runs follow it to the file
        elif replaced or runs_folder(path) != self.store.folder:
            self.store = RunStore(path or None)     # another document, or Save As: its own history
        self.refresh()

    def refresh(self) -> None:
        runs = self.store.load_all()
        self.panel.set_runs(runs, self.store.problems)
        self.runsChanged.emit()

    def add_run(self, record) -> None:
        n = len(self.panel.runs) + 1
        if not record.label:
            record.label = self.tr("Run {0}").format(n)
        try:
            self.store.add(record)
        except (OSError, NetDesignerError) as e:
            self._status(self.tr("Could not save the run history: {0}").format(e))
        self.refresh()

    def delete(self, ids) -> None:
        for rid in ids:
            self.store.remove(rid)
        self.refresh()

    def run(self, run_id: str):
        return next(r for r in self.panel.runs if r.id == run_id)

    # ---- compare ------------------------------------------------------------------------------
    def compare(self, ids, **kw):
        """A CompareWindow over the runs `ids` (two or more), shown; None for fewer."""
        runs = [self.run(i) for i in ids]
        if len(runs) < 2:
            return None
        from .compare import CompareWindow       # pyqtgraph loads here, not at start-up
        win = CompareWindow(runs, self.window, **kw)
        win.setAttribute(Qt.WA_DeleteOnClose)
        win.destroyed.connect(lambda *_: self._forget(win))
        self.compare_windows.append(win)
        win.show()
        self.compareOpened.emit(win)
        return win

    def _forget(self, win) -> None:
        if win in self.compare_windows:
            self.compare_windows.remove(win)

    # ---- variants -----------------------------------------------------------------------------
    def duplicate_as_variant(self, run_id: str, dialog_hook=None) -> bool:
        """Ask for one change, then train the variant in the background (compare opens after)."""
        if self.runner.busy:
            return False
        base = self.run(run_id)
        try:
            design = from_dict(base.design)
        except NetDesignerError as e:
            self._status(str(e))
            return False
        design.folder = os.path.dirname(self.store.folder) if self.store.folder else ""
        from .variant_dialog import VariantDialog
        dialog = VariantDialog(design, self.window)
        if dialog_hook is not None:
            dialog_hook(dialog)             # tests fill it in as a person would
        if dialog.result() != QDialog.Accepted and dialog.exec() != QDialog.Accepted:
            return False
        from core.gallery import Variant
        label = self.tr("{0} + {1}").format(base.label or base.id, dialog.change_text)
        variant = Variant(dialog.change_text, {"en": label}, dialog.variant)
        self._pending = ("variant", base)
        self.runner.start([(variant, base.id, dialog.change_text)])
        self._status(self.tr("Training the variant…"))
        return True

    # ---- gallery ------------------------------------------------------------------------------
    def open_gallery(self) -> GalleryDialog:
        if self.gallery is None:
            self.gallery = GalleryDialog(self.window)
            self.gallery.runRequested.connect(self.run_experiment)
            self.gallery.openRequested.connect(self.open_variant)
        self.gallery.show()
        self.gallery.raise_()
        return self.gallery

    def open_variant(self, exp, name: str) -> bool:
        """One of an experiment's designs on the canvas, as an untitled copy (Save asks where)."""
        window = self.window
        if getattr(window, "structure_locked", False) or not window.maybe_save():
            return False
        design = from_dict(exp.variant(name).design.to_dict())
        design.folder = str(exp.folder)
        window.document.replace(design, "", modified=True)
        window._after_open()
        from ..i18n import current_language
        label = exp.variant(name).label
        self._status(self.tr("Opened {0}").format(label.get(current_language()) or label["en"]))
        return True

    def run_experiment(self, exp) -> bool:
        if self.runner.busy:
            return False
        from ..i18n import current_language
        lang = current_language()
        jobs = []
        for v in exp.variants:
            v.label = {**v.label}
            jobs.append((v, "", ""))
        self._pending = ("gallery", exp, lang)
        if self.gallery is not None:
            self.gallery.set_busy(True, self.tr("Training {0} designs…").format(len(jobs)))
        return self.runner.start(jobs, exp)

    # ---- from the runner ----------------------------------------------------------------------
    def _progress(self, text: str) -> None:
        if self.gallery is not None and self._pending and self._pending[0] == "gallery":
            self.gallery.set_busy(True, self.tr("Training {0}").format(text))

    def _trained(self, records, claims) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if pending[0] == "variant":
            base = pending[1]
            for r in records:
                self.add_run(r)
            self.panel.set_checked([base.id] + [r.id for r in records])
            self._status(self.tr("Variant trained"))
            self.compare([base.id] + [r.id for r in records])
        else:
            exp, lang = pending[1], pending[2]
            labels = {v.name: v.label.get(lang) or v.label["en"] for v in exp.variants}
            for r, v in zip(records, exp.variants):
                r.label = labels[v.name]
            if self.gallery is not None:
                self.gallery.set_busy(False, "")
            from .compare import CompareWindow
            win = CompareWindow(records, self.window, title=exp.t("title", lang),
                                explanation=exp.t("explanation", lang), claims=claims, headline=exp.headline)
            win.setAttribute(Qt.WA_DeleteOnClose)
            win.destroyed.connect(lambda *_: self._forget(win))
            self.compare_windows.append(win)
            win.show()
            self.compareOpened.emit(win)

    def _failed(self, message: str) -> None:
        self._pending = None
        if self.gallery is not None:
            self.gallery.set_busy(False, message)
        self._status(message)

    def _status(self, text: str) -> None:
        bar = self.window.statusBar() if hasattr(self.window, "statusBar") else None
        if bar is not None:
            bar.showMessage(text, 8000)

    def shutdown(self) -> None:
        self.runner.stop()

    def install(self) -> None:
        window = self.window
        dock = window._dock("runs", self.tr("Run History"), self.panel, Qt.BottomDockWidgetArea)
        window.tabifyDockWidget(window.docks["problems"], dock)
        window.docks["problems"].raise_()
        window.panels_menu.addAction(dock.toggleViewAction())
        self.history_dock = dock
        self.history_action = QAction(self.tr("Run &History"), window)
        self.history_action.setStatusTip(self.tr("Every training run of this design; compare two or more"))
        self.history_action.triggered.connect(lambda: (dock.show(), dock.raise_()))
        view_menu = next((m for m in window.panels_menu.menuAction().associatedObjects()
                          if m is not window.panels_menu and hasattr(m, "addAction")), window.panels_menu)
        view_menu.insertAction(window.panels_menu.menuAction(), self.history_action)
        first = window.help_menu.actions()[0] if window.help_menu.actions() else None
        window.help_menu.insertAction(first, self.gallery_action)


def install_lab(window) -> Lab:
    """Run History dock (View ▸ Run History, View ▸ Panels) and Help ▸ Gallery…."""
    lab = Lab(window)
    lab.install()
    return lab
