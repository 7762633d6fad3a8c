"""The canvas view: zoom (wheel, keys), pan (middle button, or Space + drag), rubber-band
selection, fit to view, and drops from the palette."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsView

from .. import theme

BLOCK_MIME = "application/x-netdesigner-block"
MIN_ZOOM, MAX_ZOOM = 0.15, 3.0


def tr(text: str) -> str:
    return QCoreApplication.translate("CanvasView", text)


class CanvasView(QGraphicsView):
    zoomChanged = Signal(float)
    blockDropped = Signal(str, QPointF)   # block type, scene position
    menuRequested = Signal(QPoint, QPointF)   # global position, scene position

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self._scene = scene   # keep a Python reference: the view does not own it
        self._pan_from: QPointF | None = None
        self._space = False
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing
                            | QPainter.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.FullViewportUpdate)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.centerOn(0, 0)
        # a bound method, not a lambda: Qt drops the connection when the view is destroyed
        theme.notifier.changed.connect(self._theme_changed)

    def _theme_changed(self, _name: str) -> None:
        self.viewport().update()

    # ---- zoom -----------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor_under_mouse: bool = False) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        old = self.transformationAnchor()
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
        self.scale(factor / self.zoom(), factor / self.zoom())
        self.setTransformationAnchor(old)
        self.zoomChanged.emit(self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / 1.25)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_all(self) -> None:
        rect = self._scene.nodes_rect()
        if rect.isNull():
            self.reset_zoom()
            self.centerOn(0, 0)
            return
        self.fit_rect(rect)

    def fit_rect(self, rect: QRectF) -> None:
        rect = rect.adjusted(-60, -60, 60, 60)
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.zoom() > 1.0:    # a small design stays at natural size, centred
            self.set_zoom(1.0)
            self.centerOn(rect.center())
        self.zoomChanged.emit(self.zoom())

    def wheelEvent(self, event):
        if event.modifiers() & Qt.ShiftModifier:   # shift + wheel scrolls sideways
            return super().wheelEvent(event)
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * (1.15 ** steps), anchor_under_mouse=True)
        event.accept()

    # ---- pan ------------------------------------------------------------------------------------
    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.ScrollHandDrag)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event):
        if event.button() == Qt.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # ---- context menu ---------------------------------------------------------------------------
    def contextMenuEvent(self, event):
        item = self.itemAt(event.pos())
        while item is not None and item.parentItem() is not None:
            item = item.parentItem()          # a port stands for its block
        if item is not None and item.flags() & item.GraphicsItemFlag.ItemIsSelectable \
                and not item.isSelected():
            self._scene.clearSelection()
            item.setSelected(True)
        self.menuRequested.emit(event.globalPos(), self.mapToScene(event.pos()))
        event.accept()

    # ---- drops from the palette ------------------------------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(BLOCK_MIME) and not self._scene.locked:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):
        data = event.mimeData()
        if not data.hasFormat(BLOCK_MIME) or self._scene.locked:
            event.ignore()
            return
        type_name = bytes(data.data(BLOCK_MIME)).decode("utf-8")
        pos = self.mapToScene(event.position().toPoint())
        event.acceptProposedAction()
        self.blockDropped.emit(type_name, QPointF(pos))

    # ---- empty-canvas hint ----------------------------------------------------------------------
    def drawForeground(self, painter, rect):
        if self._scene.node_items:
            return
        t = theme.current()
        painter.save()
        painter.resetTransform()
        painter.setPen(t.color("muted"))
        font = painter.font()
        font.setPointSizeF(12)
        painter.setFont(font)
        painter.drawText(self.viewport().rect(), Qt.AlignCenter | Qt.TextWordWrap,
                         tr("Drag blocks here from the palette\nor open a ready design: File → Examples"))
        painter.restore()
