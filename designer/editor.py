"""Editing operations on the canvas: add, delete, copy/cut/paste/duplicate, auto layout.

Each is one undo step (a command, or a macro of commands) on the document's stack.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRectF
from PySide6.QtGui import QGuiApplication

from . import clipboard
from .commands import AddNode, Connect, Disconnect, MoveNodes, RemoveNode
from .canvas.node_item import GRID, WIDTH
from .layout import layered_layout

PASTE_OFFSET = 40.0


def tr(text: str) -> str:
    return QCoreApplication.translate("Editor", text)


class Editor(QObject):
    def __init__(self, document, scene, view, parent=None):
        super().__init__(parent)
        self.document, self.scene, self.view = document, scene, view
        self._paste_count = 0

    @property
    def graph(self):
        return self.document.graph

    def snap(self, x: float, y: float) -> tuple[float, float]:
        if self.scene.snap_enabled:
            return round(x / GRID) * GRID, round(y / GRID) * GRID
        return x, y

    # ---- adding ---------------------------------------------------------------------------------
    def add_block(self, type_name: str, scene_pos: QPointF) -> str:
        """A new block centred at `scene_pos` (snapped to the grid when snapping is on)."""
        node = self.graph.make_node(type_name, position=self.snap(scene_pos.x(), scene_pos.y()))
        self.document.push(AddNode(self.graph, node))
        self.scene.select_nodes([node.id])
        return node.id

    def add_after_selection(self, type_name: str) -> str:
        """Palette double-click: the block goes right of the selected one and is connected to it."""
        selected = self.scene.selected_node_ids()
        graph = self.graph
        anchor = selected[-1] if selected else None
        if anchor is not None:
            ax, ay = graph.nodes[anchor].position
            x, y = ax + WIDTH + 80, ay
        else:
            c = self.view.mapToScene(self.view.viewport().rect().center())
            x, y = c.x(), c.y()
        x, y = self.snap(x, y)
        y = self._free_y(x, y)
        node = graph.make_node(type_name, position=(x, y))
        with self.document.macro(tr("Add {0}").format(type_name)):
            self.document.push(AddNode(graph, node))
            n_in = node.block.num_inputs(node.params)
            if anchor is not None and n_in and graph.connection_problem(anchor, node.id, 0) is None:
                self.document.push(Connect(graph, anchor, node.id, 0))
        self.scene.select_nodes([node.id])
        self.view.ensureVisible(self.scene.node_items[node.id], 40, 40)
        return node.id

    def _free_y(self, x: float, y: float) -> float:
        """Move down until a node-sized box at (x, y) overlaps no other block."""
        for _ in range(50):
            box = QRectF(x - WIDTH / 2, y - 50, WIDTH, 100)
            if not any(it.sceneBoundingRect().intersects(box) for it in self.scene.node_items.values()):
                return y
            y += 120
        return y

    # ---- removing -------------------------------------------------------------------------------
    def delete_selected(self, text: str | None = None) -> None:
        nodes = self.scene.selected_node_ids()
        gone = set(nodes)
        edges = [e for e in self.scene.selected_edges() if e.source not in gone and e.target not in gone]
        if not nodes and not edges:
            return
        count = len(nodes) + len(edges)
        label = text or (tr("Delete {0} items").format(count) if count > 1 else tr("Delete"))
        with self.document.macro(label):
            for e in edges:
                self.document.push(Disconnect(self.graph, e))
            for nid in nodes:
                self.document.push(RemoveNode(self.graph, nid))

    # ---- clipboard ------------------------------------------------------------------------------
    def copy(self) -> bool:
        ids = self.scene.selected_node_ids()
        if not ids:
            return False
        QGuiApplication.clipboard().setText(clipboard.to_text(clipboard.serialize(self.graph, ids)))
        self._paste_count = 0
        return True

    def cut(self) -> None:
        if self.copy():
            self.delete_selected(tr("Cut"))

    def paste(self) -> list[str]:
        clip = clipboard.from_mime(QGuiApplication.clipboard().mimeData())
        if clip is None:
            return []
        self._paste_count += 1
        return self._insert(clip, self._paste_count * PASTE_OFFSET, tr("Paste"))

    def duplicate(self) -> list[str]:
        ids = self.scene.selected_node_ids()
        if not ids:
            return []
        return self._insert(clipboard.serialize(self.graph, ids), PASTE_OFFSET, tr("Duplicate"))

    def _insert(self, clip: dict, offset: float, verb: str) -> list[str]:
        """Add the clip's nodes (new ids, shifted) and the edges between them, as one step."""
        graph = self.graph
        mapping: dict[str, str] = {}
        with self.document.macro(tr("{0} {1} blocks").format(verb, len(clip["nodes"]))):
            for raw in clip["nodes"]:
                x, y = raw.get("position", (0, 0))
                node = graph.make_node(raw["type"], raw.get("params", {}), label=raw.get("label", ""),
                                       position=(x + offset, y + offset))
                self.document.push(AddNode(graph, node))
                mapping[raw["id"]] = node.id
            for e in clip.get("edges", []):
                s, t = mapping.get(e["source"]), mapping.get(e["target"])
                if s and t and graph.connection_problem(s, t, e.get("port", 0)) is None:
                    self.document.push(Connect(graph, s, t, e.get("port", 0)))
        new = list(mapping.values())
        self.scene.select_nodes(new)
        return new

    def select_all(self) -> None:
        self.scene.select_nodes(list(self.graph.nodes))

    # ---- layout ---------------------------------------------------------------------------------
    def auto_layout(self) -> None:
        graph = self.graph
        if not graph.nodes:
            return
        sizes = {nid: item.size() for nid, item in self.scene.node_items.items()}
        centres = layered_layout(graph.nodes, [(e.source, e.target) for e in graph.edges], sizes)
        # keep the design where it was: align the layout's top-left with the old top-left
        old = self.scene.nodes_rect()
        left = min(centres[n][0] - sizes[n][0] / 2 for n in centres)
        top = min(centres[n][1] - sizes[n][1] / 2 for n in centres)
        moves = {}
        for nid, (x, y) in centres.items():
            new = self.snap(x - left + old.left(), y - top + old.top())
            if new != graph.nodes[nid].position:
                moves[nid] = (graph.nodes[nid].position, new)
        if moves:
            self.document.push(MoveNodes(graph, moves, tr("Auto layout")))
        self.view.fit_all()

    def focus_node(self, node_id: str) -> None:
        item = self.scene.node_items.get(node_id)
        if item is None:
            return
        self.scene.select_nodes([node_id])
        self.view.centerOn(item)
        self.view.setFocus()
