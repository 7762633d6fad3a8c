"""Hyper-parameter search in the designer: "Search This…" on parameters, the canvas badge of
searched blocks, Run → Tune… and the window that watches a study (core/tune.py runs it)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def install(window) -> None:
    """Show searched parameters on the canvas (badge and tool tip) and keep them current."""
    document, scene = window.document, window.scene

    def lookup(node_id: str) -> list[str]:
        return [QCoreApplication.translate("Tune", "Searched {0}: {1}").format(sp.param, sp.describe())
                for sp in document.design.search if sp.node == node_id]

    def refresh(section: str = "search") -> None:
        if section != "search":
            return
        for item in list(getattr(scene, "node_items", {}).values()):
            item.refresh_search()

    scene.search_lookup = lookup
    document.settingsChanged.connect(refresh)
    document.designReplaced.connect(lambda: refresh())


def open_tune_dialog(window):
    from .tune_dialog import TuneDialog
    dialog = TuneDialog(window.document, window)
    window._tune_dialog = dialog
    dialog.show()
    return dialog
