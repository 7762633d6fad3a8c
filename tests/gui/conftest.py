"""Fixtures for the designer's GUI tests: a main window with private settings and recovery
folder, helpers that act as a person would (drag and drop, port-to-port drags), and a recorder
of message boxes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from window_fixtures import make_window, settings  # noqa: F401 (shared with block tests)


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """A dialog nobody expected would block the test run: fail instead (see `messages`)."""
    from PySide6.QtWidgets import QFileDialog

    def refuse(*args, **kwargs):
        raise AssertionError(f"unexpected modal dialog: {args[1:3]}")

    for name in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse))
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(refuse))


@pytest.fixture
def window(make_window):
    return make_window()


class MessageRecorder(list):
    """Replaces QMessageBox's static functions; `answer` is what question() returns."""

    answer = QMessageBox.Discard

    def texts(self) -> str:
        return "\n".join(f"{title}: {text}" for _kind, title, text in self)


@pytest.fixture
def messages(monkeypatch):
    rec = MessageRecorder()

    def fake(kind, default):
        def show(parent, title, text, *args, **kwargs):
            rec.append((kind, title, text))
            return rec.answer if kind == "question" else default
        return staticmethod(show)

    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind, QMessageBox.Ok))
    monkeypatch.setattr(QMessageBox, "question", fake("question", None))
    monkeypatch.setattr(QMessageBox, "about", fake("about", None))
    return rec


# ---- acting as a person ----------------------------------------------------------------------
def drop_block(view, palette, type_name: str, viewport_pos: QPoint):
    """Drag a palette item onto the canvas through the real drag-and-drop event path."""
    item = palette.block_items[type_name]
    mime = palette.tree.mimeData([item])       # the data a real drag from the palette carries
    actions = Qt.CopyAction | Qt.MoveAction
    enter = QDragEnterEvent(viewport_pos, actions, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted(), "the canvas refused the drag"
    drop = QDropEvent(QPointF(viewport_pos), actions, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    assert drop.isAccepted()
    return mime   # keep the QMimeData alive while events may still refer to it


def mouse(view, kind, scene_pos: QPointF, buttons=Qt.LeftButton, button=Qt.LeftButton,
          modifiers=Qt.NoModifier):
    """Send a mouse press/move/release at a scene position to the view's viewport."""
    vp = view.viewport()
    local = QPointF(view.mapFromScene(scene_pos))
    glob = QPointF(vp.mapToGlobal(local.toPoint()))
    etype = {"press": QEvent.MouseButtonPress, "move": QEvent.MouseMove,
             "release": QEvent.MouseButtonRelease}[kind]
    ev = QMouseEvent(etype, local, glob, Qt.NoButton if kind == "move" else button,
                     Qt.NoButton if kind == "release" else buttons, modifiers)
    QApplication.sendEvent(vp, ev)


def drag(view, start: QPointF, end: QPointF, steps: int = 6, modifiers=Qt.NoModifier):
    mouse(view, "press", start, modifiers=modifiers)
    for i in range(1, steps + 1):
        mouse(view, "move", start + (end - start) * (i / steps), modifiers=modifiers)
    mouse(view, "release", end, modifiers=modifiers)


@pytest.fixture
def act():
    """The helpers above, for tests: act.drop_block(...), act.mouse(...), act.drag(...)."""
    from types import SimpleNamespace
    return SimpleNamespace(drop_block=drop_block, mouse=mouse, drag=drag)


@pytest.fixture
def restore_style():
    """Tests that switch themes put back the application's style sheet, palette and theme:
    a style sheet left behind would slow every later widget (and other people's tests)."""
    from designer import theme
    app = QApplication.instance()
    sheet, palette, current = app.styleSheet(), app.palette(), theme._current
    yield
    app.setStyleSheet(sheet)
    app.setPalette(palette)
    theme._current = current
