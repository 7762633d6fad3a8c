"""A block on the canvas: shows what core knows about its node — title, type, key parameters,
inferred output shape and parameter count — and turns red with the reason as tooltip when
``graph.check()`` reports a problem on it. Inputs are ports on the left, the output on the right.

The item's position is the node's centre, the same number as ``Node.position`` in the model.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from core.graph import Node
from core.textsafe import printable_label

from .. import icons
from ..theme import current

WIDTH = 180.0
HEADER = 30.0
LINE = 17.0
PORT_R = 6.0
PORT_GAP = 22.0
GRID = 20.0


def tr(text: str) -> str:
    return QCoreApplication.translate("NodeItem", text)


def format_value(value) -> str:
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return " × ".join(str(v) for v in value)
    return str(value)


def format_shape(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def key_text(node: Node) -> str:
    """Key parameters, then non-default choices (e.g. an initializer), in one short line."""
    block = node.block
    parts = [f"{name} {format_value(node.params[name])}" for name in block.key_params]
    for p in block.params:
        if p.name not in block.key_params and p.kind == "choice" and node.params[p.name] != p.default:
            parts.append(format_value(node.params[p.name]))
    return " · ".join(parts)


class PortItem(QGraphicsItem):
    """A connection point. kind "in" (with its index) or "out". Dragging from it connects."""

    def __init__(self, node_item: "NodeItem", kind: str, index: int = 0):
        super().__init__(node_item)
        self.node_item, self.kind, self.index = node_item, kind, index
        self.highlight: str | None = None   # None, "ok" or "bad" while a connection is dragged
        self._hover = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor)
        self.setZValue(2)

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def boundingRect(self) -> QRectF:
        r = PORT_R + 4
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def paint(self, painter, option, widget=None):
        t = current()
        r = PORT_R + (1.5 if self._hover or self.highlight else 0)
        color = t.group_color(self.node_item.group)
        if self.highlight == "ok":
            color = t.color("ok")
        elif self.highlight == "bad":
            color = t.color("error")
        connected = self.node_item.port_connected(self)
        painter.setPen(QPen(color, 2))
        painter.setBrush(color if connected or self.highlight else t.color("port"))
        painter.drawEllipse(QPointF(0, 0), r, r)

    def hoverEnterEvent(self, event):
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self._hover = False
        self.update()

    def mousePressEvent(self, event):
        scene = self.scene()
        if event.button() == Qt.LeftButton and scene is not None and not scene.locked:
            scene.connector.begin(self, event.scenePos())
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event):
        if self.scene() is not None:
            self.scene().connector.move(event.scenePos(), event.screenPos())

    def mouseReleaseEvent(self, event):
        if self.scene() is not None:
            self.scene().connector.finish(event.scenePos(), event.screenPos())


class NodeItem(QGraphicsObject):
    def __init__(self, node: Node):
        super().__init__()
        self.node_id = node.id
        self.node = node
        self.group = node.block.group
        self.shape_text = ""
        self.count_text = ""
        self.problems: list[str] = []
        self.syncing = False          # True while the model moves the item: no snapping then
        self.tint: QColor | None = None   # set by the training dashboard (gradient norm, |w|)
        self.inputs: list[PortItem] = []
        self.output: PortItem | None = None
        self._height = 0.0
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.rebuild()
        self.set_model_pos(node.position)

    # ---- model → item ---------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Ports and size from the node's current parameters (Add/Concat port counts vary)."""
        node = self.node
        n_in = node.block.num_inputs(node.params)
        if len(self.inputs) != n_in:
            for p in self.inputs:
                p.setParentItem(None)
                if p.scene():
                    p.scene().removeItem(p)
            self.inputs = [PortItem(self, "in", i) for i in range(n_in)]
        if self.output is None:
            self.output = PortItem(self, "out")
        self.prepareGeometryChange()
        body = HEADER + len(self._lines()) * LINE + 12
        self._height = max(body, HEADER + n_in * PORT_GAP + 8)
        top = -self._height / 2
        port_top = top + HEADER
        span = self._height - HEADER
        for i, p in enumerate(self.inputs):
            p.setPos(-WIDTH / 2, port_top + span * (i + 1) / (n_in + 1))
        self.output.setPos(WIDTH / 2, port_top + span / 2)
        self._update_tooltip()
        self.update()

    def set_model_pos(self, pos) -> None:
        self.syncing = True
        try:
            self.setPos(QPointF(pos[0], pos[1]))
        finally:
            self.syncing = False

    def set_info(self, shape_text: str, count_text: str, problems: list[str]) -> None:
        if (shape_text, count_text, problems) != (self.shape_text, self.count_text, self.problems):
            self.shape_text, self.count_text, self.problems = shape_text, count_text, problems
            self._update_tooltip()
            self.update()
        self.output.setToolTip(tr("Output {0} — drag to an input port to connect").format(
            shape_text or "?"))
        for p in self.inputs:
            p.setToolTip(tr("Input port {0} — drag from an output port here; drag away to "
                            "disconnect").format(p.index))

    def _update_tooltip(self) -> None:
        from core.blocks import block_docs
        doc = block_docs().get(self.node.type, {})
        lines = []
        if self.problems:
            lines += [f"<b style='color:{current().colors['error']}'>⚠ {html.escape(str(p))}</b>" for p in self.problems]
            lines.append("")
        lines.append(f"<b>{html.escape(printable_label(self.node.title))}</b> — {self.node.type}")
        if doc.get("summary"):
            lines.append(doc["summary"])
        if self.frozen:
            lines.append(tr("❄ Frozen: its weights get no updates while training (right-click → Unfreeze)."))
        for text in self.searched():
            lines.append(html.escape(text))
        self.setToolTip("<br>".join(lines))

    def _lines(self) -> list[tuple[str, str]]:
        lines = []
        keys = key_text(self.node)
        if keys:
            lines.append(("keys", keys))
        lines.append(("shape", ("→ " + self.shape_text) if self.shape_text else tr("→ shape unknown")))
        if self.node.block.has_weights:
            lines.append(("count", self.count_text))
        return lines

    def searched(self) -> list[str]:
        """'units: 2 … 16 (log)' per parameter a study searches (the scene's `search_lookup`,
        set by designer/tune; none without it)."""
        scene = self.scene()
        lookup = getattr(scene, "search_lookup", None) if scene is not None else None
        return lookup(self.node_id) if lookup is not None else []

    def refresh_search(self) -> None:
        self._update_tooltip()
        self.update()

    @property
    def frozen(self) -> bool:
        """The block's weights are frozen (its `trainable` parameter is off: core.finetune)."""
        return self.node.params.get("trainable", True) is False

    def set_tint(self, color: QColor | None) -> None:
        """Colour the block by a live training quantity (designer.dashboard.canvas_tint)."""
        self.tint = QColor(color) if color is not None else None
        self.update()

    def port_connected(self, port: PortItem) -> bool:
        scene = self.scene()
        return scene is not None and scene.port_connected(self.node_id, port.kind, port.index)

    # ---- geometry -------------------------------------------------------------------------------
    def rect(self) -> QRectF:
        return QRectF(-WIDTH / 2, -self._height / 2, WIDTH, self._height)

    def size(self) -> tuple[float, float]:
        return WIDTH, self._height

    def boundingRect(self) -> QRectF:
        return self.rect().adjusted(-PORT_R - 4, -10, PORT_R + 4, 6)   # -10: the corner badges

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.rect(), 8, 8)
        return path

    def mouseDoubleClickEvent(self, event):
        scene = self.scene()
        if scene is not None and hasattr(scene, "nodeDoubleClicked"):
            scene.nodeDoubleClicked.emit(self.node_id)
        event.accept()

    def itemChange(self, change, value):
        scene = self.scene()
        if change == QGraphicsItem.ItemPositionChange and scene is not None and not self.syncing:
            if getattr(scene, "locked", False):     # training: the design stays as it is
                return self.pos()
            if getattr(scene, "snap_enabled", False):
                return QPointF(round(value.x() / GRID) * GRID, round(value.y() / GRID) * GRID)
        elif change == QGraphicsItem.ItemPositionHasChanged and scene is not None:
            scene.node_item_moved(self)
        return super().itemChange(change, value)

    # ---- painting -------------------------------------------------------------------------------
    def paint(self, painter, option, widget=None):
        t = current()
        rect = self.rect()
        accent = t.group_color(self.group)
        bad = bool(self.problems)
        # shadow
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(t.colors["node_shadow"]))
        painter.drawRoundedRect(rect.translated(0, 2.5), 8, 8)
        # body
        body = t.color("error_soft") if bad else t.color("node")
        painter.setBrush(body)
        if self.isSelected():
            pen = QPen(t.color("accent"), 2.4)
        elif bad:
            pen = QPen(t.color("error"), 2.0)
        else:
            pen = QPen(t.color("node_border"), 1.0)
        painter.setPen(pen)
        painter.drawRoundedRect(rect, 8, 8)
        if self.tint is not None:
            wash = QColor(self.tint)
            wash.setAlpha(110 if t.is_dark else 80)
            painter.setPen(Qt.NoPen)
            painter.setBrush(wash)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 7, 7)
        # header band in the group colour
        header = QRectF(rect.left(), rect.top(), rect.width(), HEADER)
        band = QPainterPath()
        band.addRoundedRect(header.adjusted(1, 1, -1, 0), 7, 7)
        square = QPainterPath()
        square.addRect(header.adjusted(1, HEADER / 2, -1, 0))
        band = band.united(square)
        tint = QColor(t.color("error") if bad else accent)
        tint.setAlpha(60 if t.is_dark else 38)
        painter.setPen(Qt.NoPen)
        painter.setBrush(tint)
        painter.drawPath(band)
        if self.frozen:     # frozen: a grey, hatched header (its weights stay as they are)
            grey = QColor(t.color("node_muted"))
            grey.setAlpha(70)
            painter.setBrush(grey)
            painter.drawPath(band)
            grey.setAlpha(90)
            painter.setBrush(QBrush(grey, Qt.BDiagPattern))
            painter.drawPath(band)
            accent = t.color("node_muted")
        painter.setPen(QPen(QColor(accent if not bad else t.color("error")), 1))
        painter.drawLine(header.bottomLeft() + QPointF(1, 0), header.bottomRight() - QPointF(1, 0))

        icon = icons.block_icon(self.node.type).pixmap(20, 20)
        painter.drawPixmap(QPointF(rect.left() + 8, rect.top() + 5), icon)
        title_font = QFont(painter.font())
        title_font.setPointSizeF(10)
        title_font.setBold(True)
        small = QFont(painter.font())
        small.setPointSizeF(9)
        painter.setFont(title_font)
        painter.setPen(t.color("node_text"))
        text_left = rect.left() + 34
        # "batchnorm1" already says BatchNorm: show the type only when the title does not
        show_type = not self.node.title.lower().startswith(self.node.type.lower())
        type_w = QFontMetricsF(small).horizontalAdvance(self.node.type) + 10 if show_type else 6
        title_rect = QRectF(text_left, rect.top(), rect.right() - text_left - type_w, HEADER)
        fm = QFontMetricsF(title_font)
        painter.drawText(title_rect, Qt.AlignVCenter | Qt.AlignLeft,
                         fm.elidedText(printable_label(self.node.title), Qt.ElideRight, title_rect.width()))
        painter.setFont(small)
        painter.setPen(t.color("node_muted"))
        if show_type:
            painter.drawText(QRectF(rect.right() - type_w - 2, rect.top(), type_w - 6, HEADER),
                             Qt.AlignVCenter | Qt.AlignRight, self.node.type)

        # body lines: key parameters, output shape, parameter count (only what applies)
        fm = QFontMetricsF(small)
        inner = rect.adjusted(14, HEADER + 6, -14, 0)
        y = inner.top()
        for kind, text in self._lines():
            if kind == "keys":
                painter.setPen(t.color("node_text"))
            elif kind == "shape" and bad and not self.shape_text:
                painter.setPen(t.color("error"))
            else:
                painter.setPen(t.color("node_muted"))
            painter.drawText(QRectF(inner.left(), y, inner.width(), LINE), Qt.AlignVCenter,
                             fm.elidedText(text, Qt.ElideRight, inner.width()))
            y += LINE
        if self.frozen:     # badge on the top-left corner: a snowflake on the accent colour
            c = QPointF(rect.left() + 2, rect.top() + 2)
            painter.setPen(QPen(t.color("node"), 1.5))
            painter.setBrush(QBrush(t.color("accent")))
            painter.drawEllipse(c, 9, 9)
            painter.setPen(t.color("accent_text"))
            badge_font = QFont(painter.font())
            badge_font.setPointSizeF(9)
            badge_font.setBold(True)
            painter.setFont(badge_font)
            painter.drawText(QRectF(c.x() - 9, c.y() - 9, 18, 18), Qt.AlignCenter, "❄")
        if self.searched():  # badge: a magnifier on the accent colour (searched parameters)
            c = QPointF(rect.left() + (24 if self.frozen else 2), rect.top() + 2)
            painter.setPen(QPen(t.color("node"), 1.5))
            painter.setBrush(QBrush(t.color("accent")))
            painter.drawEllipse(c, 9, 9)
            painter.setPen(QPen(t.color("accent_text"), 1.6))
            painter.setBrush(Qt.NoBrush)
            painter.drawEllipse(c + QPointF(-1.5, -1.5), 3.6, 3.6)
            painter.drawLine(c + QPointF(1.2, 1.2), c + QPointF(4.5, 4.5))
        if bad:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QBrush(t.color("error")))
            c = QPointF(rect.right() - 2, rect.top() + 2)
            painter.drawEllipse(c, 8, 8)
            painter.setPen(QPen(QColor("white"), 2))
            painter.drawLine(c + QPointF(0, -4), c + QPointF(0, 1))
            painter.drawPoint(c + QPointF(0, 4))
