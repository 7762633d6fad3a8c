"""Walks a window for the texts a person reads in its menus, toolbars and docks (used by
test_i18n.py), and decides which of them are untranslated English."""
from __future__ import annotations

import re

from PySide6.QtWidgets import (QAbstractButton, QDockWidget, QGroupBox, QLabel, QMainWindow, QMenu,
                               QTabBar, QTreeWidget)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’]+")     # an identifier (f1_macro) is one word
# Words that stay as they are in Korean text: names, file formats, symbols of the maths.
KEEP = {"NetDesigner", "ONNX", "NPZ", "CSV", "PNG", "JSON", "ReLU", "PReLU", "RReLU", "ELU", "SELU",
        "LeakyReLU", "AUC", "ROC", "AP", "tanh", "id", "opset", "safetensors", "npz", "onnx",
        "csv", "png", "Ctrl", "Shift", "Esc", "Tab", "Del", "lr", "ms", "log", "std", "mean",
        "dtype", "float", "L1", "L2", "Keras", "PyTorch", "PyTorch's", "Adam", "AdamW", "SGD", "RMSprop",
        "Adagrad", "MSE", "MAE", "GPU", "CPU", "cuda", "max", "min", "exp"}


def untranslated(text: str, keep: set[str]) -> bool:
    """True for a text with no Hangul that holds a word that is not a kept token."""
    t = text.replace("&", "")
    if not t.strip() or HANGUL.search(t):
        return False
    return any(w not in keep for w in WORD.findall(t))


def visible_texts(window: QMainWindow) -> list[tuple[str, str]]:
    """(where, text) for menu entries, toolbar actions, dock titles and the labels, buttons,
    group boxes and tabs inside the docks and the status bar."""
    out: list[tuple[str, str]] = []

    def menu(m: QMenu, path: str) -> None:
        for a in m.actions():
            if a.isSeparator():
                continue
            out.append((f"menu {path}", a.text()))
            if a.menu() is not None:
                menu(a.menu(), f"{path} › {a.text()}")

    for a in window.menuBar().actions():
        out.append(("menu bar", a.text()))
        if a.menu() is not None:
            menu(a.menu(), a.text())
    from PySide6.QtWidgets import QToolBar
    for bar in window.findChildren(QToolBar):
        out.append(("toolbar title", bar.windowTitle()))
        for a in bar.actions():
            if not a.isSeparator() and a.isVisible():
                out.append((f"toolbar {bar.objectName()}", a.text()))
                if a.toolTip():
                    out.append((f"toolbar tip {bar.objectName()}", a.toolTip()))
    containers = [*window.findChildren(QDockWidget), window.statusBar()]
    for dock in window.findChildren(QDockWidget):
        out.append(("dock title", dock.windowTitle()))
    for c in containers:
        where = c.objectName() or type(c).__name__
        for w in c.findChildren(QLabel):
            out.append((f"label in {where}", w.text()))
        for w in c.findChildren(QAbstractButton):
            out.append((f"button in {where}", w.text()))
        for w in c.findChildren(QGroupBox):
            out.append((f"group in {where}", w.title()))
        for w in c.findChildren(QTabBar):
            out += [(f"tab in {where}", w.tabText(i)) for i in range(w.count())]
        for w in c.findChildren(QTreeWidget):       # the palette's groups and blocks
            stack = [w.topLevelItem(i) for i in range(w.topLevelItemCount())]
            while stack:
                item = stack.pop()
                out.append((f"tree item in {where}", item.text(0)))
                stack += [item.child(i) for i in range(item.childCount())]
    for dock in window.findChildren(QDockWidget):      # titles and axis labels of the plots
        out += [(f"plot in {dock.objectName()}", t) for t in plot_texts(dock)]
    for w in window.findChildren(QTabBar):       # the tabs of tabified docks
        out += [("dock tab", w.tabText(i)) for i in range(w.count())]
    return [(where, text) for where, text in out if text and not text.startswith("<")
            or (text and re.sub(r"<[^>]+>", "", text).strip())]


def plot_texts(container) -> list[str]:
    """Titles (legends drawn into them included) and axis labels of pyqtgraph plots."""
    try:
        import pyqtgraph as pg
    except ImportError:
        return []
    items = []
    for w in container.findChildren(pg.GraphicsView):
        if isinstance(w, pg.PlotWidget):
            items.append(w.getPlotItem())
        if isinstance(w, pg.GraphicsLayoutWidget):
            items += [it for it in w.ci.items if isinstance(it, pg.PlotItem)]
    out = []
    for it in items:
        title = re.sub(r"<[^>]+>|&nbsp;", " ", it.titleLabel.text or "")
        out.append(title)
        out += [it.getAxis(a).labelText for a in ("left", "bottom") if it.getAxis(a).labelText]
    return out
