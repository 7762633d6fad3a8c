"""Every message box of the designer, and the guard that turns an exception into one.

A core error is shown as its own one-line message; an unexpected exception as its type and
message (the traceback goes to the log, never into the dialog). Tests monkeypatch QMessageBox.
"""
from __future__ import annotations

import functools
import logging
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from core.errors import NetDesignerError

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("Dialogs", text)


def _parent(parent):
    return parent if parent is not None else QApplication.activeWindow()


def error(parent, title: str, text: str) -> None:
    QMessageBox.warning(_parent(parent), title, text)


def explain(exc: BaseException) -> str:
    """One clear line for a user."""
    if isinstance(exc, NetDesignerError):
        from .i18n.messages import translate_reason      # core's English in the UI's language
        return translate_reason(str(exc))
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return (exc.strerror or str(exc)) + where
    return tr("Unexpected error — {0}: {1}").format(type(exc).__name__, exc)


def show_exception(parent, exc: BaseException, title: str | None = None) -> None:
    if not isinstance(exc, (NetDesignerError, OSError)):
        log.error("unexpected error in the designer", exc_info=(type(exc), exc, exc.__traceback__))
    text = explain(exc)
    if isinstance(exc, (NetDesignerError, OSError)):
        QMessageBox.warning(_parent(parent), title or tr("NetDesigner"), text)
    else:
        QMessageBox.critical(_parent(parent), title or tr("NetDesigner"), text)


def guarded(fn):
    """Decorate a slot: an exception becomes a dialog instead of reaching Qt's event loop."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the point of the guard
            owner = args[0] if args else None
            parent = owner.window() if hasattr(owner, "window") and callable(owner.window) else None
            show_exception(parent, exc)
            return None
    return wrapper


def install_excepthook() -> None:
    """Exceptions that escape a slot anywhere (not decorated) are shown, and the app goes on."""
    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))
        try:
            show_exception(None, exc)
        except Exception:  # noqa: BLE001 - never let the hook itself crash
            sys.__excepthook__(exc_type, exc, tb)
    sys.excepthook = hook


def ask_save(parent, name: str) -> str:
    """"save", "discard" or "cancel" for unsaved changes of document `name`."""
    answer = QMessageBox.question(
        _parent(parent), tr("Unsaved changes"),
        tr("Save the changes to “{0}” before closing it?").format(name),
        QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
    return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")


def ask_recover(parent, name: str, when: str) -> bool:
    answer = QMessageBox.question(
        _parent(parent), tr("Recover unsaved work?"),
        tr("NetDesigner did not close properly last time. Unsaved work on “{0}” from {1} "
           "was kept.\n\nRecover it?").format(name, when),
        QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
    return answer == QMessageBox.Yes


def open_failed(parent, path: str, exc: BaseException) -> None:
    QMessageBox.warning(_parent(parent), tr("Cannot open design"),
                        tr("“{0}” could not be opened.").format(path) + "\n\n" + explain(exc))
