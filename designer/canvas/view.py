"""The canvas view: zoom (wheel, keys), pan (middle button, or Space + drag), rubber-band
selection, fit to view, and drops from the palette."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsView

from .. import theme

BLOCK_MIME = "application/x-netdesigner-block"
MIN_ZOOM, MAX_ZOOM = 0.15, 3.0
# Fit to view never shrinks a block's smallest text (its 9-pt body lines, node_item) below
# MIN_TEXT_PX screen pixels: at 38-61 % zoom that text was ~6 px, unreadable.
NODE_TEXT_PT = 9.0
MIN_TEXT_PX = 9.2
FIT_MARGIN = 30.0


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
        rect = self._scene.design_rect()
        if rect.isNull():
            self.reset_zoom()
            self.centerOn(0, 0)
            return
        self.fit_rect(rect)

    def readable_zoom(self) -> float:
        """The smallest zoom at which a block's smallest text (NODE_TEXT_PT) is still MIN_TEXT_PX
        pixels high on this screen (0.77 at 96 dpi)."""
        px_per_pt = self.logicalDpiY() / 72.0
        return max(MIN_ZOOM, min(1.0, MIN_TEXT_PX / (NODE_TEXT_PT * px_per_pt)))

    def fit_rect(self, rect: QRectF) -> None:
        """Show `rect` as large as the view allows, up to natural size, but never so small that
        the blocks' text becomes unreadable: a design too big for the window is fitted to its
        width (never below ``readable_zoom``) and opens at its start, the top left, where the
        Input block is; the scroll bars reach the rest."""
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        vp = self.viewport().rect()
        width, height = max(vp.width() - 4, 1), max(vp.height() - 4, 1)
        whole = min(width / rect.width(), height / rect.height())
        readable = self.readable_zoom()
        if whole >= readable:
            self.set_zoom(min(whole, 1.0))   # a small design stays at natural size, centred
            self.centerOn(rect.center())
            return
        zoom = max(readable, min(1.0, width / rect.width()))
        self.set_zoom(zoom)
        shown_w, shown_h = width / zoom, height / zoom
        x = rect.center().x() if rect.width() <= shown_w else rect.left() + shown_w / 2
        y = rect.center().y() if rect.height() <= shown_h else rect.top() + shown_h / 2
        self.centerOn(x, y)

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
    def empty_hint(self) -> tuple[str, str]:
        """(headline, second line) drawn on an empty canvas: how to start, in neutral colours."""
        return (tr("Drag an Input block here from the Blocks palette to start"),
                tr("or open an example: File → Examples"))

    def drawForeground(self, painter, rect):
        if self._scene.node_items:
            return
        t = theme.current()
        head, more = self.empty_hint()
        painter.save()
        painter.resetTransform()
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        font = painter.font()
        font.setPointSizeF(13)
        painter.setFont(font)
        painter.setPen(t.color("node_text"))
        top = area.adjusted(0, 0, 0, -area.height() // 2 - 4)
        painter.drawText(top, Qt.AlignHCenter | Qt.AlignBottom | Qt.TextWordWrap, head)
        font.setPointSizeF(11)
        painter.setFont(font)
        painter.setPen(t.color("muted"))
        bottom = area.adjusted(0, area.height() // 2 + 4, 0, 0)
        painter.drawText(bottom, Qt.AlignHCenter | Qt.AlignTop | Qt.TextWordWrap, more)
        painter.restore()
