"""Edges: a curve from a node's output port to an input port, and the rubber curve of a drag."""
from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from core.graph import Edge

from ..theme import current


R = 18.0          # corner radius of routed edges
WRAP_GAP = 16.0   # a chain wrapped onto the next row runs this far under the row it leaves
SKIP_GAP = 16.0   # a skip connection runs this far above (or below) the row it enters
SKIP_STEP = 14.0  # further skips are staggered by this much (more than LANE_SEP)
LANE_SEP = 12.0   # two lanes closer than this would read as one line


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    """Horizontal-tangent cubic from p1 (an output) to p2 (an input)."""
    path = QPainterPath(p1)
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


def lane_path(p1: QPointF, p2: QPointF, lane: float, out_dx: float = R, in_dx: float = R) -> QPainterPath | None:
    """Out of p1 to the right, along the horizontal `lane`, into p2 from the left, with rounded
    corners: the vertical legs run `out_dx` right of p1 and `in_dx` left of p2. None when the
    ends are too close for the corners."""
    r = R
    x1, y1, x2, y2 = p1.x(), p1.y(), p2.x(), p2.y()
    xr, xl = x1 + out_dx, x2 - in_dx
    if abs(xl - xr) < 2 * r or abs(lane - y1) < 2 * r or abs(y2 - lane) < 2 * r:
        return None
    s1 = 1 if lane >= y1 else -1
    s2 = 1 if y2 >= lane else -1
    h = 1 if xl > xr else -1
    path = QPainterPath(p1)
    path.lineTo(QPointF(xr - r, y1))
    path.quadTo(QPointF(xr, y1), QPointF(xr, y1 + s1 * r))
    path.lineTo(QPointF(xr, lane - s1 * r))
    path.quadTo(QPointF(xr, lane), QPointF(xr + h * r, lane))
    path.lineTo(QPointF(xl - h * r, lane))
    path.quadTo(QPointF(xl, lane), QPointF(xl, lane + s2 * r))
    path.lineTo(QPointF(xl, y2 - s2 * r))
    path.quadTo(QPointF(xl, y2), QPointF(xl + r, y2))
    path.lineTo(p2)
    return path


class Lane(NamedTuple):
    """Where a routed edge runs: its horizontal run at height y from x0 to x1 (x0 <= x1), and
    its two vertical legs, each (x, y_from, y_to)."""
    y: float
    x0: float
    x1: float
    legs: tuple = ()

    def near(self, other: "Lane", distance: float) -> bool:
        """The two would read as one line somewhere: runs or legs closer than `distance`."""
        if abs(self.y - other.y) < distance and self.x0 < other.x1 and other.x0 < self.x1:
            return True
        return any(abs(x - ox) < distance and min(a, b) < max(oa, ob) and min(oa, ob) < max(a, b)
                   for x, a, b in self.legs for ox, oa, ob in other.legs)


def _lane(p1: QPointF, p2: QPointF, y: float, out_dx: float, in_dx: float) -> Lane:
    a, b = p1.x() + out_dx, p2.x() - in_dx
    return Lane(y, min(a, b), max(a, b), ((a, p1.y(), y), (b, y, p2.y())))


def route(p1: QPointF, p2: QPointF, source_rect: QRectF, target_rect: QRectF, obstacles) -> QPainterPath:
    """The edge's path (see route_lane)."""
    return route_lane(p1, p2, source_rect, target_rect, obstacles)[0]


def route_lane(p1: QPointF, p2: QPointF, source_rect: QRectF, target_rect: QRectF,
               obstacles) -> tuple[QPainterPath, Lane | None]:
    """The edge's path and its lane (None for a plain curve): a plain curve when it crosses no
    other block; else a path along the first free horizontal lane between the rows (a chain
    wrapped onto the next row); backwards edges always take a lane, never a diagonal across
    the blocks. A chain wrapped down onto the next row runs just under the row it leaves,
    which keeps the part of the channel next to the target row free for skip connections."""
    backwards = p2.x() - p1.x() < 40
    simple = curve(p1, p2)
    if not backwards and not _hits(simple, obstacles):
        return simple, None
    gap = 22.0
    lanes = [(p1.y() + p2.y()) / 2, target_rect.top() - gap, target_rect.bottom() + gap,
             source_rect.bottom() + gap, source_rect.top() - gap,
             max(source_rect.bottom(), target_rect.bottom()) + gap]
    if target_rect.top() - source_rect.bottom() > 3 * WRAP_GAP:      # onto a row further down
        lanes.insert(0, max(source_rect.bottom() + WRAP_GAP, p1.y() + 2 * R))
    first = None
    for lane in lanes:
        path = lane_path(p1, p2, lane)
        if path is None:
            continue
        first = first or (path, _lane(p1, p2, lane, R, R))
        if not _hits(path, obstacles):
            return path, _lane(p1, p2, lane, R, R)
    return first or (simple, None)


def skip_route(p1: QPointF, p2: QPointF, source_rect: QRectF, target_rect: QRectF, obstacles,
               taken=(), out_rank: int = 0, lane_rank: int = 0, leg_rank: int = 0
               ) -> tuple[QPainterPath, Lane | None]:
    """A skip connection (an edge that jumps over blocks: a residual or dense connection) in a
    lane of its own, so the path around the blocks it skips reads at a glance: an arc just
    above the target's row (else just below it), clear of the lanes already `taken`.

    Its first leg leaves further right than a chain's (and `out_rank` steps more for each
    other skip leaving the same block), so a skip and a chain sharing a port part at once.
    Several skips into one block nest without crossing: the one into the upper port gets the
    outer lane (`lane_rank` steps out from the row) and the leg nearest the block (`leg_rank`
    steps back from it). A plain curve when nothing is in the way; route_lane as a last resort.
    """
    simple = curve(p1, p2)
    if p2.x() - p1.x() >= 40 and not _hits(simple, obstacles):    # nothing in the way: a curve
        return simple, None
    out_dx, in_dx = 2 * R + SKIP_STEP * out_rank, R + SKIP_STEP * leg_rank
    xa, xb = sorted((p1.x() + out_dx, p2.x() - in_dx))
    band = [r for r in list(obstacles) + [target_rect]
            if r.bottom() > target_rect.top() and r.top() < target_rect.bottom()
            and r.right() > xa and r.left() < xb]
    row_top = min(r.top() for r in band)
    row_bottom = max(r.bottom() for r in band)
    for k in range(lane_rank, lane_rank + 4):     # further out while a lane is taken
        step = SKIP_GAP + SKIP_STEP * k
        for y in (row_top - step, row_bottom + step):
            path = lane_path(p1, p2, y, out_dx, in_dx)
            if path is None or _hits(path, obstacles):
                continue
            lane = _lane(p1, p2, y, out_dx, in_dx)
            if any(lane.near(other, LANE_SEP) for other in taken):
                continue
            return path, lane
    return route_lane(p1, p2, source_rect, target_rect, obstacles)


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
