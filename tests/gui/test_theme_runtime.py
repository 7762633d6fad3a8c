"""Switching the theme while the app runs repaints the dashboard too: every plot's background
and axes, the Results plots made before the switch, and the Run actions' icons (drawn in the
light theme's dark ink they vanished on the dark tool bar)."""
from __future__ import annotations

import pytest

pytest.importorskip("pyqtgraph")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer import theme  # noqa: E402

from .test_workspace import binary_results_model  # noqa: E402


def ink(icon) -> QColor:
    """The mean colour of an icon's opaque pixels."""
    img = icon.pixmap(32, 32).toImage()
    px = [QColor.fromRgba(img.pixel(x, y)) for x in range(32) for y in range(32)]
    px = [c for c in px if c.alpha() > 200]
    assert px, "the icon is empty"
    n = len(px)
    return QColor(sum(c.red() for c in px) // n, sum(c.green() for c in px) // n, sum(c.blue() for c in px) // n)


def plot_views(window) -> list:
    return window.findChildren(pg.GraphicsView)


def check_plots_follow(window, name: str) -> None:
    t = theme.get(name)
    bg, fg = t.color("input_bg"), t.color("text")
    views = plot_views(window)
    assert len(views) >= 6                      # one per panel at least
    for view in views:
        assert view.backgroundBrush().color().name() == bg.name(), view.parent().objectName()
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                assert item.textPen().color().name() == fg.name()
            elif isinstance(item, pg.LabelItem) and isinstance(item.parentItem(), pg.PlotItem):
                assert QColor(item.opts["color"]).name() == fg.name()


def test_theme_switch_at_run_time_repaints_plots_and_run_icons(window, restore_style):
    assert window.install_dashboard()
    ctl = window.training
    ctl.panels["results"].show_results(binary_results_model())     # Results plots exist already
    QApplication.processEvents()
    assert theme.current().name == "light"
    light_ink = ink(ctl.train_action.icon())
    assert light_ink.lightness() < 100

    window.actions_.theme_dark.trigger()
    QApplication.processEvents()
    assert theme.current().name == "dark"
    check_plots_follow(window, "dark")
    results_view = ctl.panels["results"].glw
    assert results_view.backgroundBrush().color().lightness() < 80           # not left white
    text = theme.get("dark").color("text")
    for action in (ctl.train_action, ctl.evaluate_action):
        c = ink(action.icon())
        assert c.lightness() > 150, c.name()                                  # visible on dark
        assert abs(c.lightness() - text.lightness()) < 40, (c.name(), text.name())

    window.actions_.theme_light.trigger()
    QApplication.processEvents()
    check_plots_follow(window, "light")
    assert ink(ctl.train_action.icon()).lightness() < 100
