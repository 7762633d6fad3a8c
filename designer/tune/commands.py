"""Undo commands of the search space and of applying a trial: each is one QUndoCommand that calls
document and graph methods only (designer/commands.py style)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.search_space import SearchParam, split_values

from ..commands import Command, SetParams


def tr(text: str) -> str:
    return QCoreApplication.translate("TuneCommands", text)


class SetSearch(Command):
    """Replace the design's list of searched parameters (mark, edit or unmark one)."""

    def __init__(self, document, search: list[SearchParam], text: str):
        super().__init__(text)
        self.document, self.search = document, list(search)
        self.old: list[SearchParam] | None = None

    def do(self):
        self.old = self.document.set_setting(("search",), self.search)

    def undo_(self):
        self.document.set_setting(("search",), self.old)


def search_with(search: list[SearchParam], entry: SearchParam | None, name: str) -> list[SearchParam]:
    """`search` with the entry called `name` replaced by `entry` (appended if new; removed if None)."""
    out = [sp for sp in search if sp.name != name]
    if entry is not None:
        index = next((i for i, sp in enumerate(search) if sp.name == name), len(out))
        out.insert(index, entry)
    return out


class ApplyValues(Command):
    """Write a trial's values (by search name) into the design: block parameters and training
    settings together, one undo step."""

    def __init__(self, document, values: dict, text: str | None = None):
        super().__init__(text or tr("Apply trial values"))
        self.document = document
        self.nodes, self.settings = split_values(list(document.design.search), values)
        self.node_edits: list[SetParams] = []
        self.old_settings: list[tuple[tuple, object]] = []

    def do(self):
        graph = self.document.graph
        # SetParams objects (not pushed) do the node edits: they also restore edges an Add or
        # Concat with fewer inputs dropped.
        self.node_edits = [SetParams(graph, nid, changes) for nid, changes in self.nodes.items()]
        done = []
        try:
            for edit in self.node_edits:
                edit.do()
                done.append(edit)
            self.old_settings = []
            for keys, value in self.settings:
                self.old_settings.append((keys, self.document.set_setting(("training", *keys), value)))
        except Exception:
            for keys, old in reversed(self.old_settings):
                self.document.set_setting(("training", *keys), old)
            for edit in reversed(done):
                edit.undo_()
            raise

    def undo_(self):
        for keys, old in reversed(self.old_settings):
            self.document.set_setting(("training", *keys), old)
        for edit in reversed(self.node_edits):
            edit.undo_()
