"""Dragging a connection between ports.

Drag from an output port to an input port (or the other way round); drop on a node's body to
use its first free input. Dragging from a connected input picks the edge up: drop it elsewhere
to re-route it, on empty canvas to delete it. Before anything changes, core's
``connection_problem`` is asked; a refused connection leaves the model unchanged and its reason
is shown at the cursor and in the status bar.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRectF, Signal
from PySide6.QtWidgets import QToolTip

from core.graph import Edge

from ..commands import Connect, Disconnect
from .edge_item import DragEdgeItem
from .node_item import NodeItem, PortItem

SNAP_RADIUS = 16.0


def tr(text: str) -> str:
    return QCoreApplication.translate("Connector", text)


class Connector(QObject):
    hint = Signal(str)      # what releasing here would do
    refused = Signal(str)   # why a connection was refused (one line, core's message)

    def __init__(self, scene):
        super().__init__(scene)
        self.scene = scene
        self.fixed: PortItem | None = None   # the end that stays put
        self.detached: Edge | None = None
        self.temp: DragEdgeItem | None = None
        self.candidate: tuple | None = None  # (source, target, port), problem, port item
        self.last_refusal = ""
        self._hinting = False   # a "Release to connect …" line is in the status bar

    @property
    def active(self) -> bool:
        return self.fixed is not None

    # ---- drag lifecycle -------------------------------------------------------------------------
    def begin(self, port: PortItem, scene_pos: QPointF) -> None:
        graph = self.scene.document.graph
        self.detached = None
        self.fixed = port
        if port.kind == "in":
            edge = graph.input_edges(port.node_id)[port.index]
            if edge is not None:   # pick the edge up by its input end
                self.detached = edge
                self.fixed = self.scene.port_item(edge.source, "out", 0)
                item = self.scene.edge_items.get(edge)
                if item is not None:
                    item.setVisible(False)
        self.temp = DragEdgeItem()
        self.scene.addItem(self.temp)
        self.move(scene_pos, None)

    def move(self, scene_pos: QPointF, screen_pos) -> None:
        if not self.active:
            return
        self._set_candidate(self._find(scene_pos))
        end = self.candidate[2].scenePos() if self.candidate else scene_pos
        fixed_pos = self.fixed.scenePos()
        state = None
        if self.candidate:
            state = "bad" if self.candidate[1] is not None else "ok"
        if self.fixed.kind == "out":
            self.temp.set_ends(fixed_pos, end, state)
        else:
            self.temp.set_ends(end, fixed_pos, state)
        if self.candidate:
            (s, t, _), problem, _ = self.candidate
            self._show_hint(str(problem) if problem else tr("Release to connect {0} → {1}").format(s, t))
            if problem is not None and screen_pos is not None:
                QToolTip.showText(screen_pos, str(problem))
            elif screen_pos is not None:
                QToolTip.hideText()
        else:                   # off every port: what releasing here would do is no longer that
            self._clear_hint()

    def finish(self, scene_pos: QPointF, screen_pos) -> None:
        if not self.active:
            return
        self._set_candidate(self._find(scene_pos))
        candidate, detached = self.candidate, self.detached
        self._end()
        doc = self.scene.document
        graph = doc.graph
        if candidate is None:
            if detached is not None:
                doc.push(Disconnect(graph, detached))
            return
        (s, t, p), problem, _ = candidate
        if problem is not None:
            self.last_refusal = str(problem)
            self.refused.emit(self.last_refusal)
            if screen_pos is not None:
                QToolTip.showText(screen_pos, self.last_refusal)
            return
        if detached is not None:
            if detached == Edge(s, t, p):
                return
            with doc.macro(tr("Reconnect {0}").format(s)):
                doc.push(Disconnect(graph, detached))
                doc.push(Connect(graph, s, t, p))
        else:
            doc.push(Connect(graph, s, t, p))

    def cancel(self) -> None:
        if self.active:
            self._end()

    def _show_hint(self, text: str) -> None:
        self._hinting = True
        self.hint.emit(text)

    def _clear_hint(self) -> None:
        """Take the drag's hint out of the status bar (once: other messages are left alone)."""
        if self._hinting:
            self._hinting = False
            self.hint.emit("")

    def _end(self) -> None:
        """The drag is over (released or cancelled): its hint goes with it."""
        self._clear_hint()
        self._set_candidate(None)
        if self.detached is not None:
            item = self.scene.edge_items.get(self.detached)
            if item is not None:
                item.setVisible(True)
        if self.temp is not None:
            self.scene.removeItem(self.temp)
        self.temp = None
        self.fixed = None
        self.detached = None
        grabber = self.scene.mouseGrabberItem()
        if grabber is not None:
            grabber.ungrabMouse()

    # ---- target search --------------------------------------------------------------------------
    def _set_candidate(self, candidate) -> None:
        if self.candidate and self.candidate[2] is not None:
            self.candidate[2].highlight = None
            self.candidate[2].update()
        self.candidate = candidate
        if candidate and candidate[2] is not None:
            candidate[2].highlight = "bad" if candidate[1] is not None else "ok"
            candidate[2].update()

    def _find(self, pos: QPointF):
        want = "in" if self.fixed.kind == "out" else "out"
        fixed_node = self.fixed.node_id
        area = QRectF(pos.x() - SNAP_RADIUS, pos.y() - SNAP_RADIUS, 2 * SNAP_RADIUS, 2 * SNAP_RADIUS)
        ports = [it for it in self.scene.items(area) if isinstance(it, PortItem)
                 and it.kind == want and it.node_id != fixed_node]
        port = None
        if ports:
            port = min(ports, key=lambda it: (it.scenePos() - pos).manhattanLength())
        else:
            node = next((it for it in self.scene.items(pos) if isinstance(it, NodeItem)), None)
            if node is not None and node.node_id != fixed_node:
                port = node.output if want == "out" else self._free_input(node)
        if port is None:
            return None
        if want == "in":
            triple = (fixed_node, port.node_id, port.index)
        else:
            triple = (port.node_id, fixed_node, self.fixed.index)
        return triple, self._problem(*triple), port

    def _free_input(self, node: NodeItem) -> PortItem | None:
        graph = self.scene.document.graph
        for port, edge in zip(node.inputs, graph.input_edges(node.node_id)):
            if edge is None or edge == self.detached:
                return port
        return node.inputs[0] if node.inputs else None

    def _problem(self, source: str, target: str, port: int):
        graph = self.scene.document.graph
        if self.detached is not None:
            if self.detached == Edge(source, target, port):
                return None
            graph = graph.copy()
            graph.edges.remove(self.detached)
        return graph.connection_problem(source, target, port)
