"""Switch the language of windows that are already built, without rebuilding them.

Widgets take their texts once, when they are built, so installing a new translator changes
nothing on screen. Rebuilding the main window would lose the open design's undo history, a
running training and the panel layout; instead every text on screen is looked up in a catalogue
of the translations (the ``.ts`` file, block explanations and parameter texts, example names and
descriptions) and swapped for the same message in the new language. Texts built from a template
with values filled in (``"{0} blocks"``) are not in the catalogue; the windows that show them
refresh them on their next update, and ``retranslate_window`` asks the main window for the ones
it knows.
"""
from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDockWidget, QGroupBox, QLabel,
                               QLineEdit, QMenu, QPlainTextEdit, QTabBar, QTabWidget, QTextEdit,
                               QToolBar, QTreeWidget, QWidget)

from . import I18N_DIR, example_descriptions

log = logging.getLogger(__name__)

MIN_PART = 14     # shorter catalogue entries are only swapped when they are the whole text


@lru_cache(maxsize=None)
def catalogue(language: str) -> tuple[tuple[str, str], ...]:
    """(English, translation) pairs for ``language``, longest English first."""
    if language == "en":
        return ()
    pairs: dict[str, str] = {}
    ts = I18N_DIR / f"netdesigner_{language}.ts"
    if ts.exists():
        for m in ET.parse(ts).getroot().iter("message"):
            t = m.find("translation")
            src = m.findtext("source") or ""
            if t is not None and t.text and t.get("type") not in ("unfinished", "obsolete", "vanished"):
                pairs.setdefault(src, t.text)
    from core.blocks import block_docs, block_texts
    en, other = block_docs("en"), block_docs(language)
    for block, fields in en.items():
        for key, text in fields.items():
            if other.get(block, {}).get(key):
                pairs.setdefault(text, other[block][key])
    for text, translated in block_texts(language).items():     # parameter texts kept as data
        pairs.setdefault(text, translated)
    pairs.update(_example_pairs(language))
    return tuple(sorted(((s, t) for s, t in pairs.items() if s and t and s != t),
                        key=lambda p: -len(p[0])))


def _example_pairs(language: str) -> dict[str, str]:
    from ..examples import examples_dir
    out = {}
    local = example_descriptions(language)
    for path in examples_dir().glob("*.json"):
        entry = local.get(path.stem)
        if not entry:
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for key in ("name", "description"):
            if raw.get(key) and entry.get(key):
                out[raw[key]] = entry[key]
                if key == "description":    # the menu's status tip is the first sentence
                    out[raw[key].split(". ")[0]] = entry[key].split(". ")[0]
    return out


class Swapper:
    """Translates texts from one language to another with the catalogues."""

    def __init__(self, old: str, new: str):
        forward = {}
        if old != "en":      # old → English
            forward = {t: s for s, t in catalogue(old)}
        self.to_english = forward
        self.from_english = dict(catalogue(new)) if new != "en" else {}
        pairs = [(t, s) for t, s in forward.items()] if old != "en" else []
        self.parts = sorted([p for p in pairs if len(p[0]) >= MIN_PART], key=lambda p: -len(p[0]))
        self.new_parts = [p for p in catalogue(new) if len(p[0]) >= MIN_PART] if new != "en" else []

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if "<" in text or "&nbsp;" in text:          # rich text: swap the words between the tags
            pieces = re.split(r"(<[^>]+>|&nbsp;)", text)
            if len(pieces) > 1:
                return "".join(p if p.startswith("<") or p == "&nbsp;" else self._plain(p) for p in pieces)
        return self._plain(text)

    def _exact(self, text: str) -> str | None:
        english = self.to_english.get(text, text)
        if english in self.from_english:
            return self.from_english[english]
        return english if english != text else None

    def _plain(self, text: str) -> str:
        core = text.strip()
        if core and core != text:           # "  mean |grad|  " between two legend swatches
            new = self._exact(core)
            if new is not None:
                return text.replace(core, new)
        english = self.to_english.get(text, text)
        if english in self.from_english or english != text:
            return self.from_english.get(english, english)
        # composed texts (a tooltip holding a block's summary): swap the long pieces
        out = text
        for old, eng in self.parts:
            if old in out:
                out = out.replace(old, eng)
        for eng, new in self.new_parts:
            if eng in out:
                out = out.replace(eng, new)
        return out


def _swap(getter, setter, swap: Swapper, obj=None, key: str = "") -> None:
    """Swap one text. With ``obj`` (a QObject) the English original is remembered on it, so
    switching back restores exactly that text even where two English texts share one
    translation ("Training" and "train" are both 학습)."""
    try:
        old = getter()
    except RuntimeError:      # a widget deleted under us
        return
    if not isinstance(old, str) or not old:
        return
    english_prop, shown_prop = f"_nd_en_{key}", f"_nd_shown_{key}"
    remembered = obj.property(english_prop) if obj is not None else None
    if remembered and obj.property(shown_prop) == old:     # still the text we put there
        english = remembered
        new = swap.from_english.get(english, english) if swap.from_english else english
    else:
        new = swap(old)
        english = old if not swap.to_english else swap.to_english.get(old)
    if new == old:
        return
    setter(new)
    if obj is not None:
        obj.setProperty(english_prop, english or None)
        obj.setProperty(shown_prop, new)


def retranslate_widgets(root: QWidget, old: str, new: str) -> None:
    """Swap the texts of ``root`` and all its child widgets and actions from ``old`` to ``new``."""
    swap = Swapper(old, new)
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        _swap(w.toolTip, w.setToolTip, swap, w, "tip")
        _swap(w.statusTip, w.setStatusTip, swap, w, "status")
        _swap(w.windowTitle, w.setWindowTitle, swap, w, "title")
        if isinstance(w, QMenu):
            _swap(w.title, w.setTitle, swap, w, "menu")
        if isinstance(w, (QLabel, QAbstractButton)):
            _swap(w.text, w.setText, swap, w, "text")
        if isinstance(w, QGroupBox):
            _swap(w.title, w.setTitle, swap, w, "group")
        if isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
            _swap(w.placeholderText, w.setPlaceholderText, swap, w, "placeholder")
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                _swap(lambda i=i: w.itemText(i), lambda t, i=i: w.setItemText(i, t), swap, w, f"item{i}")
                _swap(lambda i=i: w.itemData(i, Qt.ToolTipRole),
                      lambda t, i=i: w.setItemData(i, t, Qt.ToolTipRole), swap, w, f"itemtip{i}")
        if isinstance(w, QTabBar):
            for i in range(w.count()):
                _swap(lambda i=i: w.tabText(i), lambda t, i=i: w.setTabText(i, t), swap, w, f"tab{i}")
                _swap(lambda i=i: w.tabToolTip(i), lambda t, i=i: w.setTabToolTip(i, t), swap, w, f"tabtip{i}")
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                _swap(lambda i=i: w.tabText(i), lambda t, i=i: w.setTabText(i, t), swap, w, f"wtab{i}")
        if isinstance(w, QTreeWidget):
            _swap_tree(w, swap)
        if isinstance(w, (QDockWidget, QToolBar)):
            _swap(w.windowTitle, w.setWindowTitle, swap, w, "title")
        _swap_plots(w, swap)
    actions = set(root.findChildren(QAction))
    for w in widgets:
        actions.update(w.actions())
    for a in actions:
        _swap(a.text, a.setText, swap, a, "text")
        _swap(a.toolTip, a.setToolTip, swap, a, "tip")
        _swap(a.statusTip, a.setStatusTip, swap, a, "status")
        if a.menu() is not None:
            _swap(a.menu().title, a.menu().setTitle, swap, a.menu(), "menu")


def _swap_tree(tree: QTreeWidget, swap: Swapper) -> None:
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        for col in range(item.columnCount()):
            _swap(lambda: item.text(col), lambda t: item.setText(col, t), swap)
            _swap(lambda: item.toolTip(col), lambda t: item.setToolTip(col, t), swap)
        stack += [item.child(i) for i in range(item.childCount())]


def _swap_plots(w: QWidget, swap: Swapper) -> None:
    """Titles and axis labels of pyqtgraph plots (they are drawn, not widgets)."""
    plot_item = getattr(w, "getPlotItem", None)
    items = []
    if callable(plot_item):
        try:
            items.append(plot_item())
        except Exception:  # noqa: BLE001 - not a pyqtgraph PlotWidget after all
            pass
    ci = getattr(w, "ci", None)       # GraphicsLayoutWidget
    if ci is not None and hasattr(ci, "items"):
        items += [it for it in list(ci.items) if hasattr(it, "getAxis")]
    for item in items:
        title = getattr(item, "titleLabel", None)
        if title is not None and getattr(title, "text", ""):
            new = swap(title.text)
            if new != title.text:
                item.setTitle(new)
        for name in ("left", "bottom", "right", "top"):
            try:
                axis = item.getAxis(name)
            except Exception:  # noqa: BLE001
                continue
            text = getattr(axis, "labelText", "")
            if text:
                new = swap(text)
                if new != text:
                    axis.setLabel(new, units=getattr(axis, "labelUnits", "") or None)


def retranslate_window(window: QWidget, old: str, new: str) -> None:
    """Swap a main window's texts, then let it refresh the ones it composes from values."""
    retranslate_widgets(window, old, new)
    swap = Swapper(old, new)
    for name, value in list(vars(window).items()):     # texts a window keeps for later (_ready_text)
        if isinstance(value, str) and value and swap(value) != value:
            setattr(window, name, swap(value))
    _renew_undo_actions(window)
    scene = getattr(window, "scene", None)
    if callable(getattr(scene, "refresh", None)):
        scene.refresh()             # the design's problems, worded again in the new language
    for name, args in (("_problem_count", (len(getattr(scene, "problems", ())),)),):
        method = getattr(window, name, None)
        if callable(method) and scene is not None:
            try:
                method(*args)
            except Exception:  # noqa: BLE001 - a refresh hook must not break the switch
                log.debug("refresh %s failed", name, exc_info=True)
    problems = getattr(window, "problems", None)
    if problems is not None and hasattr(problems, "show_problems") and scene is not None:
        problems.show_problems(scene.problems)
    for name in ("update_title", "_update_summary", "_update_edit_actions"):
        method = getattr(window, name, None)
        if callable(method):
            try:
                method()
            except Exception:  # noqa: BLE001 - a refresh hook must not break the switch
                log.debug("refresh %s failed", name, exc_info=True)
    for panel in (getattr(window, "inspector", None), getattr(window, "settings_panel", None)):
        refresh = getattr(panel, "refresh", None)
        if callable(refresh):
            try:
                refresh()
            except Exception:  # noqa: BLE001
                log.debug("panel refresh failed", exc_info=True)


def _renew_undo_actions(window) -> None:
    """QUndoStack's Undo/Redo actions keep the prefix they were made with ("&Undo %1") inside
    Qt: make new ones in the new language and put them where the old ones were."""
    actions = getattr(window, "actions_", None)
    stack = getattr(getattr(window, "document", None), "stack", None)
    if actions is None or stack is None:
        return
    from PySide6.QtCore import QCoreApplication
    for key, make, text in (("undo", stack.createUndoAction, "&Undo"),
                            ("redo", stack.createRedoAction, "&Redo")):
        old = getattr(actions, key, None)
        if old is None:
            continue
        new = make(window, QCoreApplication.translate("MainWindow", text))
        new.setShortcuts(old.shortcuts())
        new.setIcon(old.icon())
        new.setData(old.data())
        new.setObjectName(old.objectName())
        for w in old.associatedObjects():
            if isinstance(w, QWidget):
                w.insertAction(old, new)
                w.removeAction(old)
        setattr(actions, key, new)
        old.deleteLater()
