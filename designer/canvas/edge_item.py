"""Edges: a curve from a node's output port to an input port, and the rubber curve of a drag."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from core.graph import Edge

from ..theme import current


R = 18.0   # corner radius of routed edges


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    """Horizontal-tangent cubic from p1 (an output) to p2 (an input)."""
    path = QPainterPath(p1)
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


def lane_path(p1: QPointF, p2: QPointF, lane: float) -> QPainterPath | None:
    """Out of p1 to the right, along the horizontal `lane`, into p2 from the left, with rounded
    corners. None when the ends are too close for the corners."""
    r = R
    x1, y1, x2, y2 = p1.x(), p1.y(), p2.x(), p2.y()
    xr, xl = x1 + r, x2 - r
    if abs(xl - xr) < 2 * r or abs(lane - y1) < 2 * r or abs(y2 - lane) < 2 * r:
        return None
    s1 = 1 if lane >= y1 else -1
    s2 = 1 if y2 >= lane else -1
    h = 1 if xl > xr else -1
    path = QPainterPath(p1)
    path.quadTo(QPointF(xr, y1), QPointF(xr, y1 + s1 * r))
    path.lineTo(QPointF(xr, lane - s1 * r))
    path.quadTo(QPointF(xr, lane), QPointF(xr + h * r, lane))
    path.lineTo(QPointF(xl - h * r, lane))
    path.quadTo(QPointF(xl, lane), QPointF(xl, lane + s2 * r))
    path.lineTo(QPointF(xl, y2 - s2 * r))
    path.quadTo(QPointF(xl, y2), p2)
    return path


def route(p1: QPointF, p2: QPointF, source_rect: QRectF, target_rect: QRectF, obstacles) -> QPainterPath:
    """The edge's path: a plain curve when it crosses no other block; else a path along the
    first free horizontal lane between the rows (a chain wrapped onto the next row, a skip
    connection); backwards edges always take a lane, never a diagonal across the blocks."""
    backwards = p2.x() - p1.x() < 40
    simple = curve(p1, p2)
    if not backwards and not _hits(simple, obstacles):
        return simple
    gap = 22.0
    lanes = [(p1.y() + p2.y()) / 2, target_rect.top() - gap, target_rect.bottom() + gap,
             source_rect.bottom() + gap, source_rect.top() - gap,
             max(source_rect.bottom(), target_rect.bottom()) + gap]
    first = None
    for lane in lanes:
        path = lane_path(p1, p2, lane)
        if path is None:
            continue
        first = first or path
        if not _hits(path, obstacles):
            return path
    return first or simple


def _hits(path: QPainterPath, obstacles) -> bool:
    stroker = QPainterPathStroker()
    stroker.setWidth(4)
    stroke = stroker.createStroke(path)
    return any(stroke.intersects(rect) for rect in obstacles)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge):
        super().__init__()
        self.edge = edge
        self._hover = False
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        self.setToolTip(f"{edge.source} → {edge.target}" + (f" (port {edge.port})" if edge.port else ""))

    def update_path(self) -> None:
        scene = self.scene()
        if scene is None:
            return
        p1 = scene.port_pos(self.edge.source, "out", 0)
        p2 = scene.port_pos(self.edge.target, "in", self.edge.port)
        if p1 is not None and p2 is not None:
            self.setPath(scene.route_edge(self.edge, p1, p2))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def hoverEnterEvent(self, event):
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self._hover = False
        self.update()

    def paint(self, painter, option, widget=None):
        t = current()
        if self.isSelected():
            pen = QPen(t.color("accent"), 3.0)
        elif self._hover:
            pen = QPen(t.color("edge_hover"), 2.6)
        else:
            pen = QPen(t.color("edge"), 2.0)
        pen.setCapStyle(Qt.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())


class DragEdgeItem(QGraphicsPathItem):
    """The dashed curve that follows the cursor while a connection is dragged."""

    def __init__(self):
        super().__init__()
        self.setZValue(3)
        self.state = None  # None, "ok", "bad"
        self.setAcceptedMouseButtons(Qt.NoButton)

    def set_ends(self, out_pos: QPointF, in_pos: QPointF, state) -> None:
        self.state = state
        self.setPath(curve(out_pos, in_pos))

    def paint(self, painter, option, widget=None):
        t = current()
        color = {"ok": t.color("ok"), "bad": t.color("error")}.get(self.state, t.color("edge_hover"))
        pen = QPen(QColor(color), 2.2, Qt.DashLine)
        pen.setCapStyle(Qt.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
