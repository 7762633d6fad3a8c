"""QApplication set-up: names (for QSettings), style, theme, translations, error hook."""
from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from . import icons, theme
from .dialogs import install_excepthook

ORGANIZATION = "NetDesigner"
APPLICATION = "NetDesigner"


def create_app(argv: list[str] | None = None) -> QApplication:
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
    _install_translators(app)
    theme.apply(str(QSettings().value("view/theme", "light")), app)
    app.setWindowIcon(icons.group_icon("Layers"))
    return app


def _install_translators(app: QApplication) -> None:
    """Qt's own strings in the user's language; ours when a netdesigner_<lang>.qm is shipped."""
    from .paths import resource
    locale = QLocale()
    app._translators = []
    for name, folder in (("qtbase", QLibraryInfo.path(QLibraryInfo.TranslationsPath)),
                         ("netdesigner", str(resource("i18n")))):
        tr = QTranslator(app)
        if tr.load(locale, name, "_", folder):
            app.installTranslator(tr)
            app._translators.append(tr)


def run(path: str | None = None, theme_name: str | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app()
    if theme_name:
        theme.apply(theme_name, app)
        QSettings().setValue("view/theme", theme_name)
    install_excepthook()
    from .main_window import MainWindow
    window = MainWindow()
    window.show()
    QTimer.singleShot(0, window.install_dashboard)   # after the first paint: start-up stays fast
    window.start(path)
    return app.exec()
