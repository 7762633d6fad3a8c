"""The canvas scene: renders the document's graph and follows its events (no second copy).

Annotations that depend on the whole graph (inferred shapes, parameter counts, problems) are
recomputed once per undo-stack step (``indexChanged``, i.e. once per macro), and after any other
graph event on the next turn of the event loop.
"""
from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsScene

from core.graph import Edge, GraphEvent

from .. import theme
from ..commands import MoveNodes
from .connector import Connector
from ..layout import skip_edges
from .edge_item import EdgeItem, Lane, curve, route_lane, skip_route
from .node_item import GRID, NodeItem, PortItem, format_shape
from ..i18n.messages import localize_error

EXTENT = 20000.0


def tr(text: str) -> str:
    return QCoreApplication.translate("CanvasScene", text)


class CanvasScene(QGraphicsScene):
    problemsChanged = Signal(list)      # core GraphErrors from graph.check()
    nodeDoubleClicked = Signal(str)
    annotationsChanged = Signal()       # shapes / counts / problems were recomputed

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[Edge, EdgeItem] = {}
        self.snap_enabled = True
        self.grid_visible = True
        self.locked = False           # structure locked (training): no new connections
        self.problems: list = []
        self.shapes: dict = {}
        self.counts: dict = {}
        self.skips: dict[Edge, tuple] = {}   # skip connection → its ranks (see skip_route)
        self._lanes: dict[Edge, Lane] = {}   # the horizontal run of every edge routed in a lane
        self.connector = Connector(self)
        self._graph = None
        self._press_positions: dict[str, QPointF] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self.setSceneRect(-EXTENT, -EXTENT, 2 * EXTENT, 2 * EXTENT)
        self.setItemIndexMethod(QGraphicsScene.NoIndex)  # few items, all moving: no BSP churn
        document.designReplaced.connect(self.rebuild)
        document.stack.indexChanged.connect(self.refresh)
        theme.notifier.changed.connect(self._theme_changed)
        self.rebuild()

    # ---- following the model --------------------------------------------------------------------
    def detach(self) -> None:
        """Stop following the graph (call before the scene goes away)."""
        if self._graph is not None:
            self._graph.unsubscribe(self._on_event)
            self._graph = None

    def rebuild(self) -> None:
        self.connector.cancel()
        self.detach()
        self.clear()
        self.node_items.clear()
        self.edge_items.clear()
        self.skips.clear()
        self._lanes.clear()
        self._graph = self.document.graph
        self._graph.subscribe(self._on_event)
        for node in self._graph.nodes.values():
            self._add_node(node.id)
        for edge in self._graph.edges:
            self._add_edge(edge)
        self.refresh()

    def _on_event(self, ev: GraphEvent) -> None:
        kind = ev.kind
        if kind == "node_added":
            self._add_node(ev.node_id)
        elif kind == "node_removed":
            item = self.node_items.pop(ev.node_id, None)
            if item is not None:
                self.removeItem(item)
        elif kind == "edge_added":
            self._add_edge(ev.edge)
        elif kind == "edge_removed":
            item = self.edge_items.pop(ev.edge, None)
            self._lanes.pop(ev.edge, None)
            if item is not None:
                self.removeItem(item)
            self._update_ports(ev.edge)
        elif kind in ("params_changed", "label_changed"):
            item = self.node_items.get(ev.node_id)
            if item is not None:
                item.rebuild()
                self._update_edges_of(ev.node_id)
        elif kind == "node_moved":
            item = self.node_items.get(ev.node_id)
            if item is not None:
                item.set_model_pos(self._graph.nodes[ev.node_id].position)
        elif kind == "reset":
            QTimer.singleShot(0, self.rebuild)
            return
        self._timer.start()

    def _add_node(self, node_id: str) -> None:
        item = NodeItem(self._graph.nodes[node_id])
        self.addItem(item)
        self.node_items[node_id] = item

    def _add_edge(self, edge: Edge) -> None:
        item = EdgeItem(edge)
        self.addItem(item)
        self.edge_items[edge] = item
        item.update_path()
        self._update_ports(edge)

    def _update_ports(self, edge: Edge) -> None:
        for nid in (edge.source, edge.target):
            item = self.node_items.get(nid)
            if item is not None:
                item.update()

    def _update_edges_of(self, node_id: str) -> None:
        for edge, item in self.edge_items.items():
            if node_id in (edge.source, edge.target):
                item.update_path()

    def node_item_moved(self, item: NodeItem) -> None:
        self._update_edges_of(item.node_id)

    def refresh(self) -> None:
        """Recompute shapes, counts and problems and show them on the nodes."""
        self._timer.stop()
        graph = self.document.graph
        analysis = graph.analyze()
        self.problems, self.shapes, self.counts = analysis.problems, analysis.shapes, analysis.counts
        self.problems = [localize_error(p) for p in self.problems]     # the UI's language
        if not graph.nodes:
            # An empty design is a start, not a mistake: core's "no Input node" is not shown
            # (the canvas says how to begin instead; Train still reports it if pressed).
            self.problems = []
        reasons = defaultdict(list)
        for p in self.problems:
            if p.node_id is not None:
                reasons[p.node_id].append(p.reason)
        for nid, item in self.node_items.items():
            shape = self.shapes.get(nid)
            item.set_info(format_shape(shape) if shape is not None else "",
                          self._count_text(nid), reasons.get(nid, []))
        self._route_all()
        self.problemsChanged.emit(self.problems)
        self.annotationsChanged.emit()

    def _route_all(self) -> None:
        """Re-route every edge (blocks moved or grew, edges came or went): chains first, then the
        skip connections, each in a lane clear of the lanes routed before it."""
        graph = self.document.graph
        pairs = skip_edges(graph.nodes, [(e.source, e.target) for e in graph.edges])
        skips = [e for e in graph.edges if (e.source, e.target) in pairs]
        into, out_of = defaultdict(list), defaultdict(list)
        for e in skips:
            into[e.target].append(e)
            out_of[e.source].append(e)
        self.skips = {}
        for target, group in into.items():       # nested: the upper port gets the outer lane
            group.sort(key=lambda e: e.port)
            for j, e in enumerate(group):
                self.skips[e] = (0, len(group) - 1 - j, j)
        for source, group in out_of.items():      # legs apart where several leave one block
            group.sort(key=lambda e: (graph.nodes[e.target].position[0], e.target, e.port))
            for i, e in enumerate(group):
                self.skips[e] = (i,) + self.skips[e][1:]
        self._lanes.clear()
        for edge, item in self.edge_items.items():
            if edge not in self.skips:
                item.update_path()
        for edge in sorted(self.skips, key=lambda e: (e.target, -e.port)):   # inner lanes first
            item = self.edge_items.get(edge)
            if item is not None:
                item.update_path()

    def _count_text(self, node_id: str) -> str:
        node = self.document.graph.nodes[node_id]
        if not node.block.has_weights:
            return tr("no weights")
        if node_id not in self.counts:
            return tr("params: ?")
        trainable, fixed = self.counts[node_id]
        text = tr("{0} params").format(f"{trainable + fixed:,}")
        if fixed:
            text += tr(" ({0} fixed)").format(f"{fixed:,}")
        return text

    def _theme_changed(self, _name: str) -> None:
        self.update()

    # ---- lookups used by items ------------------------------------------------------------------
    def port_item(self, node_id: str, kind: str, index: int) -> PortItem | None:
        item = self.node_items.get(node_id)
        if item is None:
            return None
        if kind == "out":
            return item.output
        return item.inputs[index] if index < len(item.inputs) else None

    def port_pos(self, node_id: str, kind: str, index: int) -> QPointF | None:
        port = self.port_item(node_id, kind, index)
        return port.scenePos() if port is not None else None

    def route_edge(self, edge: Edge, p1: QPointF, p2: QPointF):
        """The path of an edge, avoiding the blocks it would otherwise cross."""
        src, dst = self.node_items.get(edge.source), self.node_items.get(edge.target)
        if src is None or dst is None:
            return curve(p1, p2)
        obstacles = [it.sceneBoundingRect().adjusted(6, 2, -6, -2) for nid, it in self.node_items.items()
                     if nid not in (edge.source, edge.target)]
        ends = (src.sceneBoundingRect(), dst.sceneBoundingRect())
        if edge in self.skips:
            taken = [lane for e, lane in self._lanes.items() if e != edge]
            path, lane = skip_route(p1, p2, *ends, obstacles, taken, *self.skips[edge])
        else:
            path, lane = route_lane(p1, p2, *ends, obstacles)
        if lane is None:
            self._lanes.pop(edge, None)
        else:
            self._lanes[edge] = lane
        return path

    def port_connected(self, node_id: str, kind: str, index: int) -> bool:
        if kind == "out":
            return any(e.source == node_id for e in self.edge_items)
        return any(e.target == node_id and e.port == index for e in self.edge_items)

    # ---- selection ------------------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        chosen = {it.node_id for it in self.selectedItems() if isinstance(it, NodeItem)}
        return [nid for nid in self.document.graph.nodes if nid in chosen]

    def selected_edges(self) -> list[Edge]:
        return [it.edge for it in self.selectedItems() if isinstance(it, EdgeItem)]

    def select_nodes(self, node_ids) -> None:
        self.clearSelection()
        for nid in node_ids:
            item = self.node_items.get(nid)
            if item is not None:
                item.setSelected(True)

    def design_rect(self) -> QRectF:
        """Every block and every edge (a routed edge can run beside the blocks)."""
        rect = self.nodes_rect()
        for item in self.edge_items.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def nodes_rect(self, node_ids=None) -> QRectF:
        rect = QRectF()
        for nid, item in self.node_items.items():
            if node_ids is None or nid in node_ids:
                rect = rect.united(item.sceneBoundingRect())
        return rect

    # ---- interaction: a move is recorded once, on release ----------------------------------------
    def mousePressEvent(self, event):
        super().mousePressEvent(event)
        if event.button() == Qt.LeftButton and not self.connector.active:
            self._press_positions = {it.node_id: it.pos() for it in self.selectedItems()
                                     if isinstance(it, NodeItem)}

    def mouseReleaseEvent(self, event):
        super().mouseReleaseEvent(event)
        if event.button() != Qt.LeftButton or not self._press_positions:
            return
        graph = self.document.graph
        moves = {}
        for nid, before in self._press_positions.items():
            item = self.node_items.get(nid)
            if item is not None and nid in graph.nodes and item.pos() != before:
                moves[nid] = (graph.nodes[nid].position, (item.pos().x(), item.pos().y()))
        self._press_positions = {}
        if moves:
            self.document.push(MoveNodes(graph, moves))

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape and self.connector.active:
            self.connector.cancel()
            event.accept()
            return
        step = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, -1), Qt.Key_Down: (0, 1)}
        ids = self.selected_node_ids()
        if event.key() in step and ids and not self.locked:   # nudge by a grid step (Shift: 5)
            dx, dy = step[event.key()]
            n = GRID * (5 if event.modifiers() & Qt.ShiftModifier else 1)
            graph = self.document.graph
            moves = {nid: (graph.nodes[nid].position, (graph.nodes[nid].position[0] + dx * n,
                                                       graph.nodes[nid].position[1] + dy * n))
                     for nid in ids}
            self.document.push(MoveNodes(graph, moves))
            event.accept()
            return
        super().keyPressEvent(event)

    # ---- background -----------------------------------------------------------------------------
    def drawBackground(self, painter, rect: QRectF) -> None:
        t = theme.current()
        painter.fillRect(rect, t.color("canvas"))
        if not self.grid_visible:
            return
        scale = painter.worldTransform().m11()
        for step, key in ((GRID, "grid_minor"), (GRID * 5, "grid_major")):
            if step * scale < 7:
                continue
            pen = QPen(t.color(key), 0)   # cosmetic: one pixel at any zoom
            painter.setPen(pen)
            left = int(rect.left() // step) * step
            top = int(rect.top() // step) * step
            x = left
            lines = []
            while x < rect.right():
                lines.append((QPointF(x, rect.top()), QPointF(x, rect.bottom())))
                x += step
            y = top
            while y < rect.bottom():
                lines.append((QPointF(rect.left(), y), QPointF(rect.right(), y)))
                y += step
            for a, b in lines:
                painter.drawLine(a, b)
