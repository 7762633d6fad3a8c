"""The canvas: a QGraphicsScene that renders the graph model, and its view."""
from .edge_item import EdgeItem
from .node_item import NodeItem, PortItem
from .scene import CanvasScene
from .view import BLOCK_MIME, CanvasView

__all__ = ["CanvasScene", "CanvasView", "NodeItem", "PortItem", "EdgeItem", "BLOCK_MIME"]
