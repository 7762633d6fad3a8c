"""Decision boundary, as in TensorFlow Playground: the network's output over a grid of the input
plane (raw, unscaled coordinates) behind the training points, redrawn as training goes.

Binary: P(class 1) from orange (0) through white (0.5) to blue (1). Multiclass: the predicted
class's colour, paler where the network is unsure. Regression: the output through a colour map.
A 1-D input shows the output curve over the data instead. The grid is predicted in the worker
(between chunks, ≤ 5 Hz); this panel only colours it.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QLabel

from .engine_loop import Boundary
from .base import Panel, layout_widget, pen, probabilities, series_color, style_plot, theme_colors

ORANGE = np.array([245, 147, 34], np.float64)      # Playground's negative class
BLUE = np.array([8, 119, 189], np.float64)          # and positive class
WHITE = np.array([255, 255, 255], np.float64)
MAX_POINTS = 2000


def _class_rgb(k: int) -> np.ndarray:
    if k <= 2:
        return np.stack([ORANGE, BLUE])
    cols = [series_color(i) for i in range(k)]
    return np.array([[c.red(), c.green(), c.blue()] for c in cols], np.float64)


class BoundaryPanel(Panel):
    """Signals:
        applicable(bool): at the start of a run, whether this design has a boundary to draw
            (one or two inputs), so a host can bring another panel to the front instead.
    """

    name = "decision_boundary"
    accepts = (Boundary,)
    applicable = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.set_hint(self.tr("Network output over the input plane, with the training points"))
        self.glw = self.plot_area = layout_widget()
        self.body.addWidget(self.glw)
        self.plot = style_plot(self.glw.addPlot(row=0, col=0), self.tr("Decision boundary"))
        self.plot.setDownsampling(auto=False)          # a scatter and an image: nothing to decimate
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.curve = self.plot.plot(pen=pen(0, 2.5))
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen(255, 255, 255, 160, width=0.8))
        self.plot.addItem(self.scatter)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setObjectName("dashboardMessage")
        self.body.addWidget(self.message)
        self.message.hide()
        self.cmap = pg.colormap.get("viridis")
        self.values: np.ndarray | None = None
        self.rgba: np.ndarray | None = None

    # ---- protocol -------------------------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)
        self.values = self.rgba = None
        self.image.clear()
        self.curve.setData([], [])
        self.scatter.clear()
        self.message.setVisible(info.bounds is None)
        self.applicable.emit(info.bounds is not None)
        self.glw.setVisible(info.bounds is not None)
        if info.bounds is None:
            self.message.setText(self.tr("The decision boundary is drawn for designs with one or two inputs; "
                                         "this one has {0}.").format(info.n_features))
            return
        self.plot.setTitle(self.tr("Network output") if info.task == "regression" or info.n_features == 1
                           else self.tr("Decision boundary"), color=theme_colors()[1].name(), size="9pt")
        x0, x1, y0, y1 = info.bounds
        pts, labels = info.points, np.asarray(info.labels, np.float64)
        if len(pts) > MAX_POINTS:
            keep = np.random.default_rng(0).choice(len(pts), MAX_POINTS, replace=False)
            pts, labels = pts[keep], labels[keep]
        if info.n_features == 2:
            self.scatter.setData(pts[:, 0], pts[:, 1], brush=self._point_brushes(labels))
            self.plot.setXRange(x0, x1, padding=0)
            self.plot.setYRange(y0, y1, padding=0)
            self.plot.setLabel("bottom", info.feature_names[0] if info.feature_names else "x1")
            self.plot.setLabel("left", info.feature_names[1] if len(info.feature_names) > 1 else "x2")
        else:
            self.scatter.setData(pts[:, 0], labels, brush=pg.mkBrush(series_color(0)))
            self.plot.setXRange(x0, x1, padding=0)
            self.plot.setLabel("bottom", info.feature_names[0] if info.feature_names else "x")

    def _point_brushes(self, labels: np.ndarray):
        info = self.info
        if info.task == "regression":
            lo, hi = float(labels.min()), float(labels.max())
            colors = self.cmap.map((labels - lo) / max(hi - lo, 1e-12), mode="byte")
            return [pg.mkBrush(*c) for c in colors]
        rgb = _class_rgb(max(info.n_classes, 2)).astype(int)
        palette = [pg.mkBrush(*c) for c in rgb]
        return [palette[int(v)] for v in labels]

    def handle(self, ev) -> None:
        if isinstance(ev, Boundary) and self.info is not None:
            self.values = ev.values
            self.dirty = True

    def refresh(self) -> None:
        info, v = self.info, self.values
        self.dirty = False
        if info is None or v is None or info.bounds is None:
            return
        x0, x1, y0, y1 = info.bounds
        if info.n_features == 1:
            y = probabilities(v, info.logits)[:, -1] if info.task == "binary" else v[:, 0]
            self.curve.setData(np.linspace(x0, x1, len(v)), y)
            return
        self.rgba = self._colour(v)
        # ImageItem's default axis order is column-major: index [x, y]; our grid rows follow y.
        self.image.setImage(self.rgba.transpose(1, 0, 2), autoLevels=False)
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def _colour(self, v: np.ndarray) -> np.ndarray:
        info = self.info
        if info.task == "binary" and v.shape[-1] <= 2:
            p = probabilities(v, info.logits)
            p1 = p[..., -1] if p.shape[-1] == 2 else p[..., 0]
            p1 = np.clip(p1, 0.0, 1.0)[..., None]
            rgb = np.where(p1 < 0.5, ORANGE + (WHITE - ORANGE) * (p1 / 0.5),
                           WHITE + (BLUE - WHITE) * ((p1 - 0.5) / 0.5))
        elif info.task != "regression":
            p = probabilities(v, info.logits)
            k = p.shape[-1]
            cls = p.argmax(axis=-1)
            conf = ((p.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k))[..., None]
            rgb = WHITE + (_class_rgb(k)[cls] - WHITE) * np.clip(conf, 0.0, 1.0)
        else:
            z = v[..., 0]
            lo, hi = float(np.nanmin(z)), float(np.nanmax(z))
            rgb = self.cmap.map(((z - lo) / max(hi - lo, 1e-12)).ravel(), mode="float")[:, :3] * 255
            rgb = rgb.reshape(z.shape + (3,))
        rgba = np.empty(rgb.shape[:-1] + (4,), np.uint8)
        rgba[..., :3] = np.clip(rgb, 0, 255)
        rgba[..., 3] = 220
        return rgba

    def has_image(self) -> bool:
        return self.image.image is not None or (self.info is not None and self.info.n_features == 1
                                                and self.values is not None)

    def csv_table(self):
        info, v = self.info, self.values
        if info is None or v is None or info.bounds is None:
            return ["x1", "x2", "output"], []
        x0, x1, y0, y1 = info.bounds
        xs = np.linspace(x0, x1, v.shape[0] if v.ndim == 2 else v.shape[1])
        if v.ndim == 2:
            return ["x", *[f"output{j}" for j in range(v.shape[1])]], [[repr(float(x)), *map(float, r)]
                                                                         for x, r in zip(xs, v)]
        ys = np.linspace(y0, y1, v.shape[0])
        rows = [[repr(float(xs[c])), repr(float(ys[r])), *map(float, v[r, c])]
                for r in range(v.shape[0]) for c in range(v.shape[1])]
        return ["x1", "x2", *[f"output{j}" for j in range(v.shape[-1])]], rows
