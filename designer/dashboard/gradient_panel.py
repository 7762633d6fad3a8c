"""Gradient flow: per trainable layer, mean |grad| and the gradient's L2 norm as bars on a log
scale (latest statistics), and a layers × time heat map of log10 mean |grad|.

Vanishing gradients show as bars that shrink by orders of magnitude toward the input and a
heat map whose lower rows (first layers) stay dark; exploding ones the other way round.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from core.events import LayerStats, TrainBegin

from .base import (LogAxis, Panel, PlotGrid, compact_combo, grow_x, layout_widget, log10_safe, reset_ranges,
                   series_color, style_plot)
from .buffers import Frames


class GradientPanel(Panel):
    name = "gradient_flow"
    accepts = (LayerStats, TrainBegin)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.set_hint(self.tr("Gradient flow per trainable layer (log scale), input at the bottom"))
        self.quantity = compact_combo(self.tr("What the heat map shows, per layer over time"))
        self.quantity.addItem(self.tr("mean |grad|"), "mean")
        self.quantity.addItem(self.tr("‖grad‖₂"), "norm")
        self.quantity.currentIndexChanged.connect(self._mark)
        self.tools.insertWidget(1, self.quantity)
        self.glw = self.plot_area = layout_widget()
        self.body.addWidget(self.glw)
        key = '<span style="color:{0}">■</span> {1}'
        title = "  ".join((key.format(series_color(0).name(), self.tr("mean |grad|")),
                           key.format(series_color(1).name(), self.tr("‖grad‖₂"))))
        self.bar_plot = style_plot(self.glw.addPlot(row=0, col=0, axisItems={"bottom": LogAxis("bottom")}), title)
        # Horizontal bars: one row per layer, input at the bottom, as in the heat map below.
        self.mean_bars = pg.BarGraphItem(x0=[], width=[], y=[], height=0.38, brush=series_color(0), pen=None)
        self.norm_bars = pg.BarGraphItem(x0=[], width=[], y=[], height=0.38, brush=series_color(1), pen=None)
        self.bar_plot.addItem(self.mean_bars)
        self.bar_plot.addItem(self.norm_bars)
        self.bar_plot.setMouseEnabled(x=False, y=False)
        self.heat_plot = style_plot(self.glw.addPlot(row=1, col=0), self.tr("Over time (log₁₀)"), self.tr("epoch"))
        self.heat = pg.ImageItem()
        self.heat.setColorMap(pg.colormap.get("viridis"))
        self.heat_plot.addItem(self.heat)
        self.colorbar = pg.ColorBarItem(values=(-6, 0), colorMap=pg.colormap.get("viridis"), width=10,
                                        interactive=False)
        self.colorbar.setImageItem(self.heat, insert_in=self.heat_plot)
        self.grid = PlotGrid(self.glw)
        self.grid.set_items([self.bar_plot, self.heat_plot])
        self.layers: list[str] = []
        self.spe = 1
        self.epochs = None
        self._yrange = None
        self._clear()

    def _clear(self) -> None:
        n = len(self.layers)
        self.mean_hist, self.norm_hist = Frames(n), Frames(n)
        self.latest_mean = np.full(n, np.nan)
        self.latest_norm = np.full(n, np.nan)

    def _mark(self, *_):
        self.dirty = True
        self.refresh()

    # ---- protocol -------------------------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)
        self.layers = [nid for nid, _typ, _count, trainable in info.weight_layers if trainable]
        self._clear()
        ticks = [[(i + 0.5, nid) for i, nid in enumerate(self.layers)]]
        self.bar_plot.getAxis("left").setTicks(ticks)
        self.heat_plot.getAxis("left").setTicks(ticks)
        self.bar_plot.setYRange(0, max(len(self.layers), 1), padding=0.02)
        self.heat.clear()
        self._yrange = None
        reset_ranges(self.heat_plot)
        self.heat_plot.setYRange(0, max(len(self.layers), 1), padding=0)

    def handle(self, ev) -> None:
        if isinstance(ev, TrainBegin):
            self.spe = max(ev.steps_per_epoch, 1)
            self.epochs = ev.epochs
        elif isinstance(ev, LayerStats) and self.layers:
            index = {nid: i for i, nid in enumerate(self.layers)}
            mean = np.full(len(self.layers), np.nan)
            norm = np.full(len(self.layers), np.nan)
            for s in ev.layers:
                i = index.get(s.node_id)
                if i is not None and s.kind == "weights":
                    mean[i], norm[i] = s.grad_mean_abs, s.grad_norm
            t = ev.step / self.spe
            self.latest_mean, self.latest_norm = mean, norm
            self.mean_hist.append(t, mean)
            self.norm_hist.append(t, norm)
            self.dirty = True

    def refresh(self) -> None:
        n = len(self.layers)
        if n:
            lm, ln = log10_safe(self.latest_mean), log10_safe(self.latest_norm)
            both = np.r_[lm, ln]
            finite = both[np.isfinite(both)]
            floor = math.floor(finite.min()) - 0.5 if finite.size else -8.0
            top = math.ceil(finite.max()) + 0.2 if finite.size else 0.0
            y = np.arange(n, dtype=np.float64) + 0.5
            self.mean_bars.setOpts(x0=floor, width=np.nan_to_num(lm - floor, nan=0.0), y=y - 0.2)
            self.norm_bars.setOpts(x0=floor, width=np.nan_to_num(ln - floor, nan=0.0), y=y + 0.2)
            if self._yrange != (floor, top):         # moves rarely: whole decades only
                self._yrange = (floor, top)
                self.bar_plot.setXRange(floor, top, padding=0)
        frames = self.mean_hist if self.quantity.currentData() == "mean" else self.norm_hist
        if len(frames) and n:
            img = log10_safe(frames.rows)                 # (time, layers): col-major = [x, y]
            finite = img[np.isfinite(img)]
            if finite.size:
                lo, hi = float(finite.min()), float(finite.max())
                if hi - lo < 1e-6:
                    lo, hi = lo - 0.5, hi + 0.5
                self.heat.setImage(np.nan_to_num(img, nan=lo), autoLevels=False, levels=(lo, hi))
                self.colorbar.setLevels((lo, hi))
                t = frames.t
                t0 = float(t[0])
                width = float(t[-1] - t0) if len(t) > 1 else 1.0
                step = width / max(len(t) - 1, 1)
                self.heat.setRect(t0 - step / 2, 0.0, width + step, float(n))
                grow_x(self.heat_plot, float(t[-1]), self.epochs)
        self.dirty = False

    # ---- for tests and export ----------------------------------------------------------------------
    def bar_count(self) -> int:
        w = self.mean_bars.opts.get("width")
        return 0 if w is None else len(np.atleast_1d(w))

    def csv_table(self):
        rows = []
        for (t, mrow), nrow in zip(zip(self.mean_hist.t, self.mean_hist.rows), self.norm_hist.rows):
            rows += [[repr(float(t)), nid, repr(float(m)), repr(float(g))] for nid, m, g in zip(self.layers, mrow, nrow)]
        return ["epoch", "layer", "mean_abs_grad", "grad_norm"], rows
