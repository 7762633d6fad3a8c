"""Icons drawn with QPainter: one glyph per block family, tool bar icons in the theme's text colour.

Block icons are a rounded tile in the block's group colour with a white glyph — an activation
shows its own curve, Dense a tiny fully connected layer — so they read at 16 px and 32 px alike.
Pixmaps are rendered at every common size (no scaling blur) and cached per theme.
"""
from __future__ import annotations

import math
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

SIZES = (16, 20, 24, 32, 48, 64)
_cache: dict[tuple, QIcon] = {}


def clear_cache() -> None:
    _cache.clear()


def _render(draw: Callable[[QPainter], None], sizes=SIZES) -> QIcon:
    icon = QIcon()
    for size in sizes:
        pm = QPixmap(size, size)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.scale(size, size)          # glyphs are drawn in a unit square
        draw(p)
        p.end()
        icon.addPixmap(pm)
    return icon


def _pen(color, width=0.085, cap=Qt.RoundCap) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCapStyle(cap)
    pen.setJoinStyle(Qt.RoundJoin)
    return pen


# ---- block glyphs (white on the group colour) -----------------------------------------------
_W = QColor("white")


def _curve(f, lo=-2.5, hi=2.5):
    def draw(p: QPainter):
        xs = [lo + (hi - lo) * i / 48 for i in range(49)]
        ys = [f(x) for x in xs]
        y0, y1 = min(ys), max(ys)
        span = (y1 - y0) or 1.0
        path = QPainterPath()
        for i, (x, y) in enumerate(zip(xs, ys)):
            pt = QPointF(0.2 + 0.6 * (x - lo) / (hi - lo), 0.8 - 0.6 * (y - y0) / span)
            path.moveTo(pt) if i == 0 else path.lineTo(pt)
        axis = QColor(255, 255, 255, 90)
        p.setPen(_pen(axis, 0.04))
        zero_y = 0.8 - 0.6 * (0 - y0) / span
        if 0.18 < zero_y < 0.82:
            p.drawLine(QPointF(0.16, zero_y), QPointF(0.84, zero_y))
        p.setPen(_pen(_W, 0.095))
        p.drawPath(path)
    return draw


def _sig(x):
    return 1 / (1 + math.exp(-x))


def _softplus(x):
    return math.log1p(math.exp(x))


def _dots(p: QPainter, pts, r=0.075, hollow=()):
    for i, (x, y) in enumerate(pts):
        if i in hollow:
            p.setPen(_pen(_W, 0.05))
            p.setBrush(Qt.NoBrush)
        else:
            p.setPen(Qt.NoPen)
            p.setBrush(_W)
        p.drawEllipse(QPointF(x, y), r, r)


def _input(p):
    p.setPen(_pen(_W, 0.1))
    p.drawLine(QPointF(0.2, 0.5), QPointF(0.6, 0.5))
    p.drawPolyline([QPointF(0.45, 0.33), QPointF(0.62, 0.5), QPointF(0.45, 0.67)])
    p.drawLine(QPointF(0.78, 0.24), QPointF(0.78, 0.76))


def _flatten(p):
    p.setPen(Qt.NoPen)
    p.setBrush(_W)
    for x in (0.2, 0.36):
        for y in (0.34, 0.5):
            p.drawRect(QRectF(x, y, 0.12, 0.12))
    for y in (0.18, 0.34, 0.5, 0.66):
        p.drawRect(QRectF(0.68, y + 0.01, 0.12, 0.12))
    p.setPen(_pen(_W, 0.06))
    p.drawLine(QPointF(0.52, 0.46), QPointF(0.62, 0.46))


def _dense(p):
    left = [(0.25, 0.25), (0.25, 0.5), (0.25, 0.75)]
    right = [(0.75, 0.36), (0.75, 0.64)]
    p.setPen(_pen(QColor(255, 255, 255, 170), 0.04))
    for a in left:
        for b in right:
            p.drawLine(QPointF(*a), QPointF(*b))
    _dots(p, left + right, r=0.085)


def _softmax(p):
    p.setPen(Qt.NoPen)
    p.setBrush(_W)
    for i, h in enumerate((0.2, 0.52, 0.32)):
        p.drawRoundedRect(QRectF(0.2 + i * 0.21, 0.8 - h, 0.16, h), 0.03, 0.03)


def _bell(p, extra=None):
    path = QPainterPath()
    for i in range(41):
        x = -2.6 + 5.2 * i / 40
        pt = QPointF(0.2 + 0.6 * i / 40, 0.76 - 0.5 * math.exp(-x * x / 1.1))
        path.moveTo(pt) if i == 0 else path.lineTo(pt)
    p.setPen(_pen(_W, 0.09))
    p.drawPath(path)
    p.setPen(_pen(QColor(255, 255, 255, 150), 0.05))
    p.drawLine(QPointF(0.16, 0.8), QPointF(0.84, 0.8))
    if extra:
        extra(p)


def _layernorm(p):
    _bell(p, lambda q: (q.setPen(_pen(QColor(255, 255, 255, 150), 0.05)),
                        q.drawLine(QPointF(0.5, 0.2), QPointF(0.5, 0.8))))


def _grid(hollow, crosses=False):
    def draw(p):
        pts = [(0.27 + 0.23 * c, 0.27 + 0.23 * r) for r in range(3) for c in range(3)]
        _dots(p, pts, r=0.07, hollow=() if crosses else hollow)
        if crosses:
            p.setPen(_pen(_W, 0.05))
            for i in hollow:
                x, y = pts[i]
                p.setBrush(QColor(0, 0, 0, 0))
                p.drawLine(QPointF(x - 0.06, y - 0.06), QPointF(x + 0.06, y + 0.06))
                p.drawLine(QPointF(x - 0.06, y + 0.06), QPointF(x + 0.06, y - 0.06))
    return draw


def _add(p):
    p.setPen(_pen(_W, 0.09))
    p.setBrush(Qt.NoBrush)
    p.drawEllipse(QPointF(0.5, 0.5), 0.27, 0.27)
    p.drawLine(QPointF(0.5, 0.36), QPointF(0.5, 0.64))
    p.drawLine(QPointF(0.36, 0.5), QPointF(0.64, 0.5))


def _concat(p):
    p.setPen(_pen(_W, 0.07))
    p.setBrush(Qt.NoBrush)
    p.drawRoundedRect(QRectF(0.18, 0.34, 0.3, 0.32), 0.04, 0.04)
    p.setBrush(_W)
    p.drawRoundedRect(QRectF(0.52, 0.34, 0.3, 0.32), 0.04, 0.04)


def _rrelu(p):
    _curve(lambda x: x if x > 0 else 0.1 * x)(p)
    p.setPen(_pen(QColor(255, 255, 255, 160), 0.06))
    p.drawLine(QPointF(0.5, 0.6), QPointF(0.2, 0.8))


def _conv(p):
    """A 3×3 kernel (outlined) over an image grid, one output cell beside it."""
    p.setPen(_pen(QColor(255, 255, 255, 110), 0.03))
    p.setBrush(Qt.NoBrush)
    for i in range(5):
        for j in range(5):
            p.drawRect(QRectF(0.14 + 0.1 * j, 0.25 + 0.1 * i, 0.1, 0.1))
    p.setPen(_pen(_W, 0.06))
    p.drawRect(QRectF(0.24, 0.35, 0.3, 0.3))
    p.drawLine(QPointF(0.54, 0.5), QPointF(0.7, 0.5))
    p.setPen(Qt.NoPen)
    p.setBrush(_W)
    p.drawRect(QRectF(0.7, 0.44, 0.12, 0.12))


def _pool(kind):
    """A 2×2 window of cells shrinking to one: the largest cell filled (max), all half-filled
    (average), or the whole image to one cell (global)."""
    def draw(p):
        p.setPen(_pen(_W, 0.04))
        cells = [(0.16, 0.3), (0.34, 0.3), (0.16, 0.48), (0.34, 0.48)]
        for k, (x, y) in enumerate(cells):
            fill = (kind == "max" and k == 1) or kind != "max"
            p.setBrush(QColor(255, 255, 255, 255 if kind == "max" else 130) if fill else Qt.NoBrush)
            p.drawRect(QRectF(x, y, 0.16, 0.16))
        if kind == "global":
            p.setBrush(Qt.NoBrush)
            p.drawRect(QRectF(0.12, 0.26, 0.42, 0.42))
        p.setPen(_pen(_W, 0.06))
        p.drawLine(QPointF(0.56, 0.47), QPointF(0.68, 0.47))
        p.setPen(Qt.NoPen)
        p.setBrush(_W)
        p.drawRect(QRectF(0.7, 0.4, 0.14, 0.14))
    return draw


def _reshape(p):
    """A row of four cells becoming a 2×2 block."""
    p.setPen(Qt.NoPen)
    p.setBrush(_W)
    for i in range(4):
        p.drawRect(QRectF(0.14 + 0.1 * i, 0.45, 0.08, 0.08))
    for x in (0.66, 0.76):
        for y in (0.38, 0.5):
            p.drawRect(QRectF(x, y, 0.09, 0.09))
    p.setPen(_pen(_W, 0.05))
    p.drawLine(QPointF(0.54, 0.49), QPointF(0.62, 0.49))


def _recurrent(gates):
    """A cell (box) whose output loops back into it — the hidden state carried to the next step —
    with input and output arrows; LSTM/GRU show their gates as small dots on the box."""
    def draw(p):
        p.setPen(_pen(_W, 0.06))
        p.setBrush(Qt.NoBrush)
        p.drawRoundedRect(QRectF(0.32, 0.42, 0.36, 0.3), 0.06, 0.06)
        p.drawLine(QPointF(0.5, 0.9), QPointF(0.5, 0.72))               # x_t in
        p.drawLine(QPointF(0.68, 0.57), QPointF(0.86, 0.57))             # h_t out
        loop = QPainterPath(QPointF(0.5, 0.42))
        loop.cubicTo(QPointF(0.5, 0.1), QPointF(0.1, 0.18), QPointF(0.2, 0.57))
        p.drawPath(loop)                                                 # h_{t-1} back in
        p.drawLine(QPointF(0.2, 0.57), QPointF(0.32, 0.57))
        p.drawPolyline([QPointF(0.25, 0.51), QPointF(0.32, 0.57), QPointF(0.25, 0.63)])
        _dots(p, [(0.39 + 0.22 * k / max(1, gates - 1), 0.57) for k in range(gates)] if gates > 1 else [], r=0.045)
    return draw


GLYPHS: dict[str, Callable] = {
    "Input": _input, "Flatten": _flatten, "Dense": _dense,
    "Linear": _curve(lambda x: x), "Step": _curve(lambda x: 1.0 if x >= 0 else 0.0),
    "Sigmoid": _curve(lambda x: _sig(2 * x)), "Tanh": _curve(lambda x: math.tanh(1.6 * x)),
    "ReLU": _curve(lambda x: max(0.0, x)), "LeakyReLU": _curve(lambda x: x if x > 0 else 0.2 * x),
    "PReLU": _curve(lambda x: x if x > 0 else 0.4 * x), "RReLU": _rrelu,
    "ELU": _curve(lambda x: x if x > 0 else math.exp(x) - 1),
    "SELU": _curve(lambda x: 1.05 * (x if x > 0 else 1.67 * (math.exp(x) - 1))),
    "Swish": _curve(lambda x: x * _sig(x), -3.5, 2.0),
    "Mish": _curve(lambda x: x * math.tanh(_softplus(x)), -3.5, 2.0),
    "Softplus": _curve(_softplus), "Softmax": _softmax,
    "BatchNorm": _bell, "LayerNorm": _layernorm,
    "Dropout": _grid((1, 5, 6)), "AlphaDropout": _grid((1, 5, 6), crosses=True),
    "Add": _add, "Concat": _concat,
    "Conv2D": _conv, "MaxPool2D": _pool("max"), "AveragePool2D": _pool("avg"),
    "GlobalAveragePool2D": _pool("global"), "Reshape": _reshape,
    "SimpleRNN": _recurrent(1), "LSTM": _recurrent(4), "GRU": _recurrent(3),
}

# The representative glyph of each palette group.
GROUP_GLYPH = {"Input/Output": "Input", "Layers": "Dense", "Activations": "ReLU",
               "Normalization": "BatchNorm", "Regularization": "Dropout", "Merge": "Add",
               "Convolution": "Conv2D", "Recurrent": "LSTM"}


def _tile(color: QColor, glyph: Callable) -> Callable:
    def draw(p: QPainter):
        p.setPen(Qt.NoPen)
        p.setBrush(color)
        p.drawRoundedRect(QRectF(0.03, 0.03, 0.94, 0.94), 0.22, 0.22)
        glyph(p)
    return draw


def block_icon(type_name: str) -> QIcon:
    """The palette/canvas icon of a block type (a tile in its group colour)."""
    from core.blocks import get_block
    from .theme import current
    key = ("block", type_name)
    if key not in _cache:
        block = get_block(type_name)
        group = block.group
        glyph = GLYPHS.get(block.icon or type_name, _dense)   # the block names its glyph (core/blocks)
        _cache[key] = _render(_tile(current().group_color(group), glyph))
    return _cache[key]


def group_icon(group: str) -> QIcon:
    from .theme import current
    key = ("group", group)
    if key not in _cache:
        glyph = GLYPHS[GROUP_GLYPH.get(group, "Dense")]
        _cache[key] = _render(_tile(current().group_color(group), glyph))
    return _cache[key]


# ---- tool bar icons (stroked in the theme's text colour) ------------------------------------
def _magnifier(plus: bool):
    def draw(p):
        p.drawEllipse(QPointF(0.43, 0.43), 0.25, 0.25)
        p.drawLine(QPointF(0.62, 0.62), QPointF(0.86, 0.86))
        p.drawLine(QPointF(0.31, 0.43), QPointF(0.55, 0.43))
        if plus:
            p.drawLine(QPointF(0.43, 0.31), QPointF(0.43, 0.55))
    return draw


def _arrow(back: bool):
    def draw(p):
        if back:
            p.translate(1, 0)
            p.scale(-1, 1)
        path = QPainterPath(QPointF(0.2, 0.75))
        path.cubicTo(QPointF(0.2, 0.35), QPointF(0.5, 0.3), QPointF(0.78, 0.38))
        p.drawPath(path)
        p.drawPolyline([QPointF(0.6, 0.2), QPointF(0.8, 0.38), QPointF(0.6, 0.55)])
    return draw


def _page(p):
    p.drawPolygon([QPointF(0.24, 0.12), QPointF(0.6, 0.12), QPointF(0.78, 0.3),
                   QPointF(0.78, 0.88), QPointF(0.24, 0.88)])
    p.drawPolyline([QPointF(0.6, 0.12), QPointF(0.6, 0.3), QPointF(0.78, 0.3)])


def _folder(p):
    p.drawPolygon([QPointF(0.12, 0.24), QPointF(0.4, 0.24), QPointF(0.48, 0.33), QPointF(0.88, 0.33),
                   QPointF(0.88, 0.8), QPointF(0.12, 0.8)])
    p.drawLine(QPointF(0.12, 0.44), QPointF(0.88, 0.44))


def _save(p):
    p.drawRoundedRect(QRectF(0.15, 0.15, 0.7, 0.7), 0.08, 0.08)
    p.drawRect(QRectF(0.32, 0.15, 0.36, 0.22))
    p.drawRect(QRectF(0.28, 0.55, 0.44, 0.3))


def _fit(p):
    for sx, sy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        x = 0.15 if sx == 0 else 0.85
        y = 0.15 if sy == 0 else 0.85
        dx = 0.22 if sx == 0 else -0.22
        dy = 0.22 if sy == 0 else -0.22
        p.drawPolyline([QPointF(x, y + dy), QPointF(x, y), QPointF(x + dx, y)])
    p.drawRect(QRectF(0.36, 0.36, 0.28, 0.28))


def _layout(p):
    boxes = [QRectF(0.08, 0.4, 0.22, 0.2), QRectF(0.7, 0.16, 0.22, 0.2), QRectF(0.7, 0.64, 0.22, 0.2)]
    for b in boxes:
        p.drawRoundedRect(b, 0.04, 0.04)
    p.drawLine(QPointF(0.3, 0.5), QPointF(0.5, 0.5))
    p.drawPolyline([QPointF(0.7, 0.26), QPointF(0.5, 0.26), QPointF(0.5, 0.74), QPointF(0.7, 0.74)])


def _trash(p):
    p.drawLine(QPointF(0.18, 0.26), QPointF(0.82, 0.26))
    p.drawPolyline([QPointF(0.4, 0.26), QPointF(0.4, 0.15), QPointF(0.6, 0.15), QPointF(0.6, 0.26)])
    p.drawPolygon([QPointF(0.26, 0.26), QPointF(0.32, 0.86), QPointF(0.68, 0.86), QPointF(0.74, 0.26)])


def _warning(p):
    p.drawPolygon([QPointF(0.5, 0.14), QPointF(0.9, 0.84), QPointF(0.1, 0.84)])
    p.drawLine(QPointF(0.5, 0.4), QPointF(0.5, 0.6))
    p.drawPoint(QPointF(0.5, 0.72))


def _grid_icon(p):
    p.drawRect(QRectF(0.15, 0.15, 0.7, 0.7))
    for t in (0.38, 0.62):
        p.drawLine(QPointF(t, 0.15), QPointF(t, 0.85))
        p.drawLine(QPointF(0.15, t), QPointF(0.85, t))


def _moon(p):
    path = QPainterPath()
    path.addEllipse(QPointF(0.5, 0.5), 0.33, 0.33)
    cut = QPainterPath()
    cut.addEllipse(QPointF(0.68, 0.36), 0.28, 0.28)
    p.drawPath(path.subtracted(cut))


def _examples(p):
    p.drawRoundedRect(QRectF(0.14, 0.18, 0.72, 0.64), 0.06, 0.06)
    p.drawEllipse(QPointF(0.33, 0.4), 0.06, 0.06)
    p.drawEllipse(QPointF(0.67, 0.6), 0.06, 0.06)
    p.drawLine(QPointF(0.38, 0.44), QPointF(0.62, 0.56))


TOOLBAR = {
    "new": _page, "open": _folder, "save": _save, "undo": _arrow(True), "redo": _arrow(False),
    "zoom_in": _magnifier(True), "zoom_out": _magnifier(False), "fit": _fit, "layout": _layout,
    "delete": _trash, "problems": _warning, "grid": _grid_icon, "theme": _moon, "examples": _examples,
}


def tool_icon(name: str, color_key: str = "text") -> QIcon:
    """A tool bar glyph stroked in the theme colour `color_key` (default: the text colour)."""
    from .theme import current
    key = ("tool", name, current().name, color_key)
    if key not in _cache:
        color = current().color(color_key)
        glyph = TOOLBAR[name]

        def draw(p: QPainter, glyph=glyph):
            p.setPen(_pen(color, 0.075))
            p.setBrush(Qt.NoBrush)
            glyph(p)
        _cache[key] = _render(draw)
    return _cache[key]
