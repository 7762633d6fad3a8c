"""Undo commands. Each edit is one small QUndoCommand whose redo/undo call graph methods only.

The scene follows the graph's events, so a command never touches a canvas item. Multi-item edits
are macros (``Document.macro``). ``Document.push`` runs ``redo`` once *before* the command enters
the stack: a command that raises (a refused connection, an invalid value) leaves model and stack
as they were.
"""
from __future__ import annotations

import copy
import time
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from core.graph import Edge, Graph, Node

MERGE_WINDOW_S = 1.0  # repeated edits of one value (spin-box arrows) within this become one step


def tr(text: str) -> str:
    return QCoreApplication.translate("Commands", text)


class Command(QUndoCommand):
    """Base: skips the redo that QUndoStack.push performs when Document.push already ran it."""

    def __init__(self, text: str):
        super().__init__(text)
        self._already_done = False

    def redo(self):
        if self._already_done:
            self._already_done = False
            return
        self.do()

    def undo(self):
        self.undo_()

    def do(self):
        raise NotImplementedError

    def undo_(self):
        raise NotImplementedError


@contextmanager
def _recording(graph: Graph):
    events = []
    graph.subscribe(events.append)
    try:
        yield events
    finally:
        graph.unsubscribe(events.append)


def restore_edge(graph: Graph, edge: Edge, index: int) -> None:
    """Put back an edge an undone edit had removed, at its old index (even one with a shape problem)."""
    graph.restore_edge(index, edge)


class AddNode(Command):
    def __init__(self, graph: Graph, node: Node):
        super().__init__(tr("Add {0}").format(node.type))
        self.graph, self.node = graph, node

    def do(self):
        self.graph.insert_node(self.node)

    def undo_(self):
        self.graph.remove_node(self.node.id)


class RemoveNode(Command):
    def __init__(self, graph: Graph, node_id: str):
        super().__init__(tr("Delete {0}").format(graph.nodes[node_id].title))
        self.graph, self.node_id = graph, node_id
        self.saved = None

    def do(self):
        self.saved = self.graph.remove_node(self.node_id)

    def undo_(self):
        self.graph.restore_node(*self.saved)


class Connect(Command):
    def __init__(self, graph: Graph, source: str, target: str, port: int = 0):
        super().__init__(tr("Connect {0} → {1}").format(source, target))
        self.graph = graph
        self.edge = Edge(source, target, port)

    def do(self):
        self.graph.connect(self.edge.source, self.edge.target, self.edge.port)

    def undo_(self):
        self.graph.disconnect(self.edge)


class Disconnect(Command):
    def __init__(self, graph: Graph, edge: Edge):
        super().__init__(tr("Disconnect {0} → {1}").format(edge.source, edge.target))
        self.graph, self.edge = graph, edge
        self.index = None

    def do(self):
        self.index = self.graph.disconnect(self.edge)

    def undo_(self):
        restore_edge(self.graph, self.edge, self.index)


class SetParams(Command):
    """Change parameters of one node. Fewer ports on Add/Concat drop edges; undo restores them."""

    ID = 1001

    def __init__(self, graph: Graph, node_id: str, changes: dict, text: str | None = None):
        node = graph.nodes[node_id]
        if text is None:
            names = ", ".join(changes)
            text = tr("Change {0} of {1}").format(names, node.title)
        super().__init__(text)
        self.graph, self.node_id, self.changes = graph, node_id, dict(changes)
        self.old: dict = {}
        self.dropped: list[tuple[int, Edge]] = []
        self.stamp = time.monotonic()

    def do(self):
        with _recording(self.graph) as events:
            self.old = self.graph.set_params(self.node_id, self.changes)
        self.dropped = [(e.index, e.edge) for e in events if e.kind == "edge_removed"]

    def undo_(self):
        self.graph.set_params(self.node_id, self.old)
        for index, edge in reversed(self.dropped):  # removed high → low, so restore low → high
            restore_edge(self.graph, edge, index)

    def id(self):
        return self.ID

    def mergeWith(self, other) -> bool:
        if (not isinstance(other, SetParams) or other.node_id != self.node_id
                or set(other.changes) != set(self.changes) or self.dropped or other.dropped
                or other.stamp - self.stamp > MERGE_WINDOW_S):
            return False
        self.changes = dict(other.changes)
        self.stamp = other.stamp
        if self.changes == self.old:
            self.setObsolete(True)
        return True


class SetLabel(Command):
    def __init__(self, graph: Graph, node_id: str, label: str):
        super().__init__(tr("Rename {0}").format(graph.nodes[node_id].title))
        self.graph, self.node_id, self.label = graph, node_id, label
        self.old = graph.nodes[node_id].label

    def do(self):
        self.graph.set_label(self.node_id, self.label)

    def undo_(self):
        self.graph.set_label(self.node_id, self.old)


class MoveNodes(Command):
    """Positions before and after one drag (recorded once, on release) or one auto layout."""

    def __init__(self, graph: Graph, moves: dict[str, tuple[tuple, tuple]], text: str | None = None):
        n = len(moves)
        super().__init__(text or (tr("Move {0}").format(next(iter(moves))) if n == 1
                                  else tr("Move {0} blocks").format(n)))
        self.graph, self.moves = graph, dict(moves)

    def do(self):
        for nid, (_, new) in self.moves.items():
            self.graph.set_position(nid, new)

    def undo_(self):
        for nid, (old, _) in self.moves.items():
            self.graph.set_position(nid, old)


class SetSetting(Command):
    """Change one entry of the design's training/data settings (or its name/description).

    `path` is a tuple of keys from the Design, e.g. ("training", "optimizer") or ("name",).
    """

    ID = 1002

    def __init__(self, document, path: tuple, value, text: str | None = None):
        super().__init__(text or tr("Change {0}").format(".".join(map(str, path[1:] or path))))
        self.document, self.path, self.value = document, tuple(path), copy.deepcopy(value)
        self.old = None
        self.stamp = time.monotonic()

    def do(self):
        self.old = self.document.set_setting(self.path, self.value)

    def undo_(self):
        self.document.set_setting(self.path, self.old)

    def id(self):
        return self.ID

    def mergeWith(self, other) -> bool:
        if (not isinstance(other, SetSetting) or other.path != self.path
                or other.stamp - self.stamp > MERGE_WINDOW_S):
            return False
        self.value, self.stamp = other.value, other.stamp
        if self.value == self.old:
            self.setObsolete(True)
        return True
