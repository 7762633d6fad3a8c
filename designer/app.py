"""QApplication set-up: names (for QSettings), style, theme, translations, error hook."""
from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from . import i18n, icons, theme
from .dialogs import install_excepthook

ORGANIZATION = "NetDesigner"
APPLICATION = "NetDesigner"


def create_app(argv: list[str] | None = None, language: str | None = None) -> QApplication:
    """The application object, set up once; ``language`` ("en", "ko") overrides and is remembered."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0]] + list(argv or []))
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setStyle("Fusion")
    font = app.font()
    if font.pointSizeF() < 9.5:
        font.setPointSizeF(9.5)
        app.setFont(font)
    install_language(app, language)
    theme.apply(str(QSettings().value("view/theme", "light")), app)
    app.setWindowIcon(icons.group_icon("Layers"))
    return app


def install_language(app: QApplication, language: str | None = None) -> str:
    """Translators for the remembered language (the system's unless chosen), or ``language``,
    which is then remembered (``netdesigner --lang ko``)."""
    settings = QSettings()
    if language is not None:
        settings.setValue(i18n.SETTING_KEY, language if language in i18n.LANGUAGES else "")
    return i18n.install(app, i18n.stored_choice(settings))


def run(path: str | None = None, theme_name: str | None = None, language: str | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(language=language)
    if theme_name:
        theme.apply(theme_name, app)
        QSettings().setValue("view/theme", theme_name)
    install_excepthook()
    from .main_window import MainWindow
    window = MainWindow()
    window.show()
    QTimer.singleShot(0, window.install_dashboard)   # after the first paint: start-up stays fast
    window.start(path)
    if os.environ.get("NETDESIGNER_QUIT_AFTER_SHOW"):
        # Smoke start (tests/test_readme_commands.py runs the README's bare `netdesigner`): quit
        # once the window is shown and the dashboard installed; exit 1 if the dashboard failed.
        QTimer.singleShot(0, lambda: app.exit(0 if window.training is not None else 1))
    return app.exec()
