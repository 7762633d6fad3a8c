"""Edit → Preferences…: the UI language (and the colour theme), applied at once.

A new language applies without closing anything: the translator is swapped and the open windows'
texts are swapped in place (``i18n.retranslate``), so the design, its undo history and a running
training stay as they are. The choice is stored in the window's QSettings (``ui/language``;
empty = follow the system's locale), the same key ``netdesigner --lang`` writes.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QVBoxLayout, QWidget)

from . import i18n


def tr(text: str) -> str:
    return QCoreApplication.translate("Preferences", text)


class PreferencesDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(tr("Preferences"))
        self.settings = settings
        form = QFormLayout()
        self.language = QComboBox(self)
        self.language.setObjectName("languageCombo")
        system = i18n.LANGUAGES[i18n.system_language()]
        self.language.addItem(tr("System default ({0})").format(system), "")
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)     # each language in its own words
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.stored_choice(settings))))
        form.addRow(tr("Language"), self.language)
        self.theme = QComboBox(self)
        self.theme.setObjectName("themeCombo")
        self.theme.addItem(tr("Light"), "light")
        self.theme.addItem(tr("Dark"), "dark")
        self.theme.setCurrentIndex(max(0, self.theme.findData(str(settings.value("view/theme", "light")))))
        form.addRow(tr("Theme"), self.theme)
        note = QLabel(tr("Changes apply at once; the open design stays as it is."), self)
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(note)
        box.addWidget(buttons)

    def chosen_language(self) -> str:
        return str(self.language.currentData() or "")

    def chosen_theme(self) -> str:
        return str(self.theme.currentData())


def apply_language(window, choice: str) -> str:
    """Remember ``choice`` ("" = system, "en", "ko"), install it and retranslate every open
    main window. Returns the language now in use."""
    from .i18n.retranslate import retranslate_window
    settings = getattr(window, "settings", None) or QSettings()
    settings.setValue(i18n.SETTING_KEY, choice if choice in i18n.LANGUAGES else "")
    old = i18n.current_language()
    new = i18n.install(QApplication.instance(), choice)
    if new != old:
        windows = [w for w in QApplication.topLevelWidgets() if hasattr(w, "document")]
        for w in windows or [window]:
            retranslate_window(w, old, new)
    return new


def open_preferences(window) -> PreferencesDialog:
    """Show the dialog for ``window``; on OK apply the language and the theme."""
    dialog = PreferencesDialog(window.settings, window)
    dialog.accepted.connect(lambda: _apply(window, dialog))
    dialog.open()
    window._preferences = dialog        # keep it alive while it is shown
    return dialog


def _apply(window, dialog: PreferencesDialog) -> None:
    apply_language(window, dialog.chosen_language())
    if dialog.chosen_theme() != str(window.settings.value("view/theme", "light")):
        set_theme = getattr(window, "set_theme", None)
        if callable(set_theme):
            set_theme(dialog.chosen_theme())
            for act, name in ((getattr(window.actions_, "theme_light", None), "light"),
                              (getattr(window.actions_, "theme_dark", None), "dark")):
                if act is not None:
                    act.setChecked(name == dialog.chosen_theme())
