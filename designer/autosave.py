"""Autosave to a recovery file every 30 s, and recovery after a crash.

Each running designer owns ``session-<id>.json`` (the design, a valid design file) with a
``.meta.json`` beside it (original path, name, time), guarded by a ``QLockFile``. A clean exit
removes all three. At the next start a recovery file whose lock can be taken belonged to a
process that is gone (QLockFile detects the dead owner): it is offered for recovery.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer

from core.atomic import atomic_write_text
from core.designfile import Design, loads

INTERVAL_MS = 30_000


def default_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    return Path(base or Path.home() / ".netdesigner") / "recovery"


def _lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)    # stale only when its process is gone, never by age
    return lock


class AutoSaver(QObject):
    def __init__(self, document, folder: str | os.PathLike | None = None,
                 interval_ms: int = INTERVAL_MS, parent=None):
        super().__init__(parent)
        self.document = document
        self.folder = Path(folder) if folder else default_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"session-{os.getpid()}-{int(time.time() * 1000)}"
        self.file = self.folder / f"{stem}.json"
        self.meta = self.folder / f"{stem}.meta.json"
        self.lock = _lock(self.folder / f"{stem}.lock")
        self.lock.tryLock(0)
        self._revision = 0
        self._saved_revision = 0
        document.stack.indexChanged.connect(self._bump)
        document.designReplaced.connect(self._bump)
        document.settingsChanged.connect(self._bump)
        document.modifiedChanged.connect(self._modified_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    def _bump(self, *_):
        self._revision += 1

    def _modified_changed(self, modified: bool) -> None:
        if not modified:      # saved (or reverted to the saved state): nothing to recover
            self.discard()

    def save_now(self) -> bool:
        """Write the recovery file if there are changes since the last autosave."""
        doc = self.document
        if not doc.is_modified() or self._revision == self._saved_revision and self.file.exists():
            return False
        atomic_write_text(self.file, doc.text())
        atomic_write_text(self.meta, json.dumps({
            "original": doc.path, "name": doc.display_name(),
            "time": time.strftime("%Y-%m-%d %H:%M:%S"), "pid": os.getpid()}))
        self._saved_revision = self._revision
        return True

    def discard(self) -> None:
        for p in (self.file, self.meta):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        self._saved_revision = -1

    def shutdown(self) -> None:
        """Clean exit: nothing to recover."""
        self.timer.stop()
        self.discard()
        self.lock.unlock()


@dataclass
class Recovery:
    file: Path
    original: str
    name: str
    when: str
    lock: QLockFile

    def load(self) -> Design:
        return loads(self.file.read_text(encoding="utf-8"))

    def remove(self) -> None:
        for p in (self.file, self.file.with_suffix(".meta.json")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        self.lock.unlock()

    def release(self) -> None:
        self.lock.unlock()


def orphans(folder: str | os.PathLike | None = None) -> list[Recovery]:
    """Recovery files left by designers that are no longer running, newest first.

    Each returned Recovery holds its lock, so a second designer starting now does not offer it
    too; call ``remove()`` (recovered or declined) or ``release()``.
    """
    folder = Path(folder) if folder else default_folder()
    found = []
    for file in sorted(folder.glob("session-*.json")):
        if file.name.endswith(".meta.json"):
            continue
        lock = _lock(file.with_suffix(".lock"))
        if not lock.tryLock(0):
            continue          # its designer is still running
        meta = {}
        try:
            meta = json.loads(file.with_suffix(".meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        found.append(Recovery(file, meta.get("original", ""), meta.get("name", file.stem),
                              meta.get("time", time.strftime("%Y-%m-%d %H:%M", time.localtime(
                                  file.stat().st_mtime))), lock))
    found.sort(key=lambda r: r.file.stat().st_mtime, reverse=True)
    return found
