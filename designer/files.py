"""File handling of the main window: new, open, save, save as, recent files, examples, recovery.

Opening loads the file completely before anything else happens: a malformed or foreign file
shows core's reason in a dialog and the open document stays exactly as it was.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QFileInfo
from PySide6.QtWidgets import QFileDialog

from core.designfile import load_design
from core.errors import DesignFileError

from . import autosave, dialogs

MAX_RECENT = 10
FILTER = "NetDesigner designs (*.json);;All files (*)"


class FileOps:
    """Mixed into MainWindow (uses self.document, self.settings, self.view, ...)."""

    # ---- new / open -----------------------------------------------------------------------------
    def new_document(self) -> None:
        if self.maybe_save():
            self.document.new()
            self.banner.hide()
            self.view.reset_zoom()
            self.view.centerOn(0, 0)

    def open_dialog(self) -> None:
        start = os.path.dirname(self.document.path) if self.document.path else self._last_dir()
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open design"), start, self.tr(FILTER))
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        """Open a design file. On any problem: a dialog naming it, and nothing else changes."""
        if not self._open(path, as_untitled=False):
            return False
        self.add_recent(self.document.path)
        self.statusBar().showMessage(self.tr("Opened {0}").format(self.document.path), 5000)
        return True

    def open_example(self, path: str) -> bool:
        """An example opens as an untitled copy: Save asks where, the bundled file stays intact."""
        return self._open(path, as_untitled=True)

    def _open(self, path: str, *, as_untitled: bool) -> bool:
        try:
            design = load_design(path)
        except DesignFileError as e:
            dialogs.open_failed(self, os.path.basename(path), e)
            return False
        if not self.maybe_save():
            return False
        self.document.replace(design, "" if as_untitled else path)
        self._after_open()
        return True

    def _after_open(self) -> None:
        self.view.fit_all()
        if self.document.design.description:
            self.show_description()
        else:
            self.banner.hide()

    # ---- save -----------------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.document.path:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        start = self.document.path or os.path.join(
            self._last_dir(), (self.document.design.name or "design").replace(" ", "_").lower() + ".json")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save design as"), start, self.tr(FILTER))
        if not path:
            return False
        if not QFileInfo(path).suffix():
            path += ".json"
        return self._save_to(path)

    def _save_to(self, path: str) -> bool:
        try:
            self.document.save(path)
        except OSError as e:
            dialogs.error(self, self.tr("Cannot save"), self.tr("The design could not be saved to "
                                                                "“{0}”:\n{1}").format(path, dialogs.explain(e)))
            return False
        self.add_recent(self.document.path)
        self.statusBar().showMessage(self.tr("Saved {0}").format(self.document.path), 5000)
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unchanged)."""
        if not self.document.is_modified():
            return True
        answer = dialogs.ask_save(self, self.document.display_name())
        if answer == "save":
            return self.save()
        return answer == "discard"

    # ---- recent files ---------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent(self, path: str) -> None:
        if not path:
            return
        files = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("files/recent", files[:MAX_RECENT])
        self.settings.setValue("files/last_dir", os.path.dirname(path))

    def fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.recent_files()
        for i, path in enumerate(files):
            act = menu.addAction(f"&{i + 1}  {os.path.basename(path)}")
            act.setStatusTip(path)
            act.setEnabled(os.path.exists(path))
            act.triggered.connect(dialogs.guarded(lambda _c=False, p=path: self.open_path(p)))
        if files:
            menu.addSeparator()
            menu.addAction(self.tr("Clear Menu"), lambda: self.settings.setValue("files/recent", []))
        else:
            menu.addAction(self.tr("No recent files")).setEnabled(False)

    def _last_dir(self) -> str:
        return str(self.settings.value("files/last_dir", os.path.expanduser("~")))

    # ---- crash recovery -------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """Offer unsaved work a crashed designer left behind. True when some was recovered."""
        found = autosave.orphans(self.recovery_dir or self.autosaver.folder)
        recovered = False
        for rec in found:
            if recovered:
                rec.release()         # offered again at the next start
                continue
            if not dialogs.ask_recover(self, rec.name, rec.when):
                rec.remove()
                continue
            try:
                design = rec.load()
            except DesignFileError as e:
                dialogs.open_failed(self, rec.name, e)
                rec.remove()
                continue
            self.document.replace(design, rec.original, modified=True)
            rec.remove()
            self.autosaver.save_now()  # the recovered work is protected again at once
            self._after_open()
            recovered = True
        return recovered
