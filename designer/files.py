"""File handling of the main window: new, open, save, save as, recent files, examples, recovery.

Opening loads the file completely before anything else happens: a malformed or foreign file
shows core's reason in a dialog and the open document stays exactly as it was. A file that opened
with changes (``Design.warnings``: a description or a label cut to its limit) says so in the status
bar and in a non-modal notice — the user must know that saving would keep the shortened text.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QFileInfo, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

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
        if not self.show_open_warnings():
            self.statusBar().showMessage(self.tr("Opened {0}").format(self.document.path), 5000)
        return True

    def open_example(self, path: str) -> bool:
        """An example opens as an untitled copy: Save asks where, the bundled file stays intact."""
        if not self._open(path, as_untitled=True):
            return False
        self.show_open_warnings()
        return True

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

    def show_open_warnings(self) -> bool:
        """What the loader changed in the file just opened (``Design.warnings``): a status bar
        line naming the first and how many, and a non-modal notice listing them all (the window
        stays usable; a later open replaces it). False when there was nothing to say."""
        old = getattr(self, "open_warnings_box", None)
        if old is not None:
            old.close()
            old.deleteLater()
            self.open_warnings_box = None
        warnings = list(getattr(self.document.design, "warnings", None) or [])
        if not warnings:
            return False
        name = self.document.display_name()
        if len(warnings) == 1:
            line = self.tr("Opened {0} with a change: {1}").format(name, warnings[0])
        else:
            line = self.tr("Opened {0} with {1} changes; the first: {2}").format(name, len(warnings), warnings[0])
        self.statusBar().showMessage(line, 30000)
        box = QMessageBox(QMessageBox.Warning, self.tr("Opened with changes"),
                          self.tr("“{0}” was opened, but not exactly as written:").format(name),
                          QMessageBox.Ok, self)
        box.setObjectName("openWarnings")
        box.setTextFormat(Qt.PlainText)
        box.setInformativeText("\n".join(f"• {w}" for w in warnings) + "\n\n" + self.tr(
            "Saving keeps the shortened text."))
        box.setWindowModality(Qt.NonModal)
        box.setModal(False)
        box.setAttribute(Qt.WA_DeleteOnClose, False)
        box.show()
        self.open_warnings_box = box
        return True

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
            self.show_open_warnings()
            recovered = True
        return recovered
