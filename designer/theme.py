"""Light and dark themes: one style sheet template (resources/style/app.qss) and two palettes.

The canvas paints with the same colours (``current().color("node")``), so switching the theme
re-colours widgets and the graph alike. ``notifier.changed`` tells painted views to repaint.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from .paths import resource

THEMES = ("light", "dark")
_TOKEN = re.compile(r"\{\{(\w+)\}\}")


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resource("style", "themes.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Theme:
    name: str
    colors: dict

    def color(self, key: str) -> QColor:
        return QColor(self.colors[key])

    def group_color(self, group: str) -> QColor:
        return QColor(_data()["groups"].get(group, "#888888"))

    @property
    def is_dark(self) -> bool:
        return self.name == "dark"

    def stylesheet(self) -> str:
        template = resource("style", "app.qss").read_text(encoding="utf-8")
        values = dict(self.colors)
        for name in ("chevron_down", "chevron_up"):   # images drawn in this theme's muted colour
            file = resource("style", f"{name.replace('_', '-')}-{self.name}.svg")
            values[name] = file.as_posix()
        return _TOKEN.sub(lambda m: values[m.group(1)], template)

    def palette(self) -> QPalette:
        c = self.color
        pal = QPalette()
        roles = {
            QPalette.Window: "window", QPalette.WindowText: "text", QPalette.Base: "input_bg",
            QPalette.AlternateBase: "panel_alt", QPalette.Text: "text", QPalette.Button: "panel",
            QPalette.ButtonText: "text", QPalette.ToolTipBase: "panel", QPalette.ToolTipText: "text",
            QPalette.Highlight: "accent", QPalette.HighlightedText: "accent_text",
            QPalette.PlaceholderText: "muted", QPalette.Link: "accent", QPalette.Mid: "border",
            QPalette.Midlight: "border", QPalette.Dark: "border_strong",
        }
        for role, key in roles.items():
            pal.setColor(role, c(key))
        for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
            pal.setColor(QPalette.Disabled, role, c("muted"))
        return pal


def get(name: str) -> Theme:
    if name not in THEMES:
        name = "light"
    return Theme(name, dict(_data()[name]))


class _Notifier(QObject):
    changed = Signal(str)


notifier = _Notifier()
_current: Theme | None = None


def current() -> Theme:
    global _current
    if _current is None:
        _current = get("light")
    return _current


def apply(name: str, app: QApplication | None = None) -> Theme:
    """Make `name` the current theme: application palette, style sheet, and a repaint signal."""
    global _current
    _current = get(name)
    app = app or QApplication.instance()
    if app is not None:
        app.setPalette(_current.palette())
        app.setStyleSheet(_current.stylesheet())
    from . import icons  # icons are drawn in theme colours; drop the cached ones
    icons.clear_cache()
    notifier.changed.emit(_current.name)
    return _current
