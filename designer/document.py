"""The open document: a core ``Design``, its file path, dirty state and the QUndoStack.

The graph inside the design is the only copy of the network; the scene renders it and follows
its events. Settings (training, data, name, description) change through ``set_setting`` — called
only by undo commands — which announces them with ``settingsChanged``.
"""
from __future__ import annotations

import copy
import os
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoStack

from core.designfile import Design, dumps, load_design, save_design
from core.graph import Graph

from .commands import Command


class Document(QObject):
    designReplaced = Signal()          # a new Design (and Graph) object: rebuild views
    settingsChanged = Signal(str)      # "training", "data", "name" or "description"
    modifiedChanged = Signal(bool)
    pathChanged = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.design = Design()
        self.path = ""
        self._forced_dirty = False     # recovered or example copies: unsaved though the stack is clean
        self.stack.cleanChanged.connect(self._clean_changed)

    def _clean_changed(self, _clean: bool) -> None:
        try:
            self.modifiedChanged.emit(self.is_modified())
        except RuntimeError:   # the stack is being destroyed with the window
            pass

    # ---- state ----------------------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self.design.graph

    def is_modified(self) -> bool:
        return self._forced_dirty or not self.stack.isClean()

    def display_name(self) -> str:
        if self.path:
            return os.path.basename(self.path)
        return self.design.name or QCoreApplication.translate("Document", "Untitled")

    # ---- whole-document operations (not undoable: they replace the document) --------------------
    def replace(self, design: Design, path: str = "", modified: bool = False) -> None:
        self.stack.clear()
        self.design = design
        self.path = os.path.abspath(path) if path else ""
        self._forced_dirty = modified
        self.designReplaced.emit()
        self.pathChanged.emit(self.path)
        self.modifiedChanged.emit(self.is_modified())

    def new(self) -> None:
        self.replace(Design())

    def open(self, path: str) -> None:
        """Load a design file. Raises DesignFileError; the open document stays as it was then."""
        design = load_design(path)
        self.replace(design, path)

    def save(self, path: str | None = None) -> None:
        """Write atomically to `path` (default: the current path). Raises OSError."""
        path = os.path.abspath(path or self.path)
        if not path:
            raise ValueError("no file name")
        save_design(self.design, path)
        changed = path != self.path
        self.path = path
        self._forced_dirty = False
        self.stack.setClean()
        if changed:
            self.pathChanged.emit(self.path)
        self.modifiedChanged.emit(False)

    def text(self) -> str:
        return dumps(self.design)

    # ---- edits ----------------------------------------------------------------------------------
    def push(self, command: Command) -> None:
        """Run a command and record it. If it raises, nothing is recorded."""
        command.do()
        command._already_done = True
        self.stack.push(command)

    @contextmanager
    def macro(self, text: str):
        """Group the pushes inside into one undo step; on an exception the partial step is undone."""
        self.stack.beginMacro(text)
        try:
            yield
        except BaseException:
            self.stack.endMacro()
            self.stack.undo()
            raise
        self.stack.endMacro()

    def setting(self, path: tuple):
        target = self.design
        head, *rest = path
        value = getattr(target, head)
        for key in rest:
            value = value[key]
        return value

    def set_setting(self, path: tuple, value):
        """Set one settings entry (used by SetSetting commands); returns the old value."""
        head, *rest = path
        if not rest:
            old = getattr(self.design, head)
            setattr(self.design, head, copy.deepcopy(value))
        else:
            container = getattr(self.design, head)
            for key in rest[:-1]:
                container = container[key]
            old = container.get(rest[-1]) if isinstance(container, dict) else container[rest[-1]]
            container[rest[-1]] = copy.deepcopy(value)
        self.settingsChanged.emit(head)
        return copy.deepcopy(old)
