"""The designer's main window as a fixture, for the GUI tests and for any block's own test file
(``from window_fixtures import make_window, settings  # noqa: F401``): a window with private
settings and recovery folder, closed without a "save changes?" question afterwards."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def make_window(qtbot, tmp_path, settings):
    from designer.main_window import MainWindow
    windows = []

    def make(recovery_dir=None, resize=True):
        w = MainWindow(settings=settings, recovery_dir=str(recovery_dir or tmp_path / "recovery"))
        # not qtbot.addWidget: pytest-qt would close it before this fixture's teardown can mark
        # the document clean, and the close would then ask "save changes?".
        if resize:
            w.resize(1280, 820)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    for w in windows:   # no "save changes?" question while tearing down
        try:
            w.document._forced_dirty = False
            w.document.stack.setClean()
            w.close()
            w.deleteLater()
        except RuntimeError:
            pass
    # processEvents() alone leaves DeferredDelete pending: dead windows would pile up and make
    # every later style-sheet change re-polish all of them.
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
