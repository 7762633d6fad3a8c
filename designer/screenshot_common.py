"""What every README screenshot script needs: a default main window on throwaway settings, a way
to let the event loop run, and small PNGs.

The scripts (designer/dashboard/screenshot.py, designer/lab/screenshot.py,
designer/stepthrough/screenshot.py) each stage their own scene; the scaffolding around it was
written out three times, so it lives here once. Qt is imported inside the functions: the scripts
parse their arguments (``--help`` included) before any window exists.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

MAX_BYTES = 300_000       # a picture in the README is at most this big


def settle(ms: int) -> None:
    """Run the event loop for `ms` milliseconds (redraws, queued signals, timers)."""
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(signal, timeout_ms: int = 300_000) -> tuple:
    """Run the event loop until `signal` is emitted; its arguments (SystemExit after the timeout)."""
    from PySide6.QtCore import QEventLoop, QTimer
    got = []
    loop = QEventLoop()
    signal.connect(lambda *a: (got.append(a), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not got:
        raise SystemExit(f"timed out waiting for {signal}")
    return got[0]


def save_small(image, path: Path) -> bool:
    """Save as a PNG of at most MAX_BYTES: full colour (heat maps and the decision boundary
    keep their gradients) when that fits, else with an 8-bit palette (~4× smaller, banded)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(image, QImage):
        image = image.toImage()
    if image.convertToFormat(QImage.Format_RGB888).save(str(path), "PNG", 0) and path.stat().st_size <= MAX_BYTES:
        return True
    small = image.convertToFormat(QImage.Format_Indexed8, Qt.ThresholdDither | Qt.AvoidDither)
    return small.save(str(path), "PNG", 0)


def shoot_screen(app, path: Path) -> bool:
    """The whole screen (the main window and the dialogs over it) into `path`, reported on stdout."""
    from PySide6.QtWidgets import QApplication
    settle(400)
    image = app.primaryScreen().grabWindow(0)
    ok = save_small(image, path)
    print(f"{'wrote' if ok else 'FAILED to write'} {path} ({image.width()}×{image.height()}, "
          f"platform {QApplication.platformName()})")
    return ok


class DefaultWindow:
    """The main window a new user gets, shown: its settings and recovery folder are in a temporary
    folder (the user's own are never read or changed), the training dashboard installed when it
    can be (``has_dashboard``). size None: the size the window gives itself on a first start."""

    def __init__(self, theme_name: str = "light", size: tuple[int, int] | None = None):
        from PySide6.QtCore import QSettings

        from designer import theme
        from designer.app import create_app
        from designer.main_window import MainWindow
        self.tmp = tempfile.TemporaryDirectory()
        QSettings.setDefaultFormat(QSettings.IniFormat)
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, self.tmp.name)
        self.app = create_app()
        theme.apply(theme_name, self.app)
        self.window = MainWindow(settings=QSettings(str(Path(self.tmp.name) / "s.ini"), QSettings.IniFormat),
                                 recovery_dir=str(Path(self.tmp.name) / "recovery"))
        if size is not None:
            self.window.resize(*size)
        self.window.show()
        self.has_dashboard = self.window.install_dashboard()

    def close(self) -> None:
        """Close the window without a save prompt and remove the temporary folder."""
        self.window.document.stack.setClean()
        self.window.close()
        self.tmp.cleanup()
