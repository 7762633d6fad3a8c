"""Weight distributions: the selected layer's current histogram, and how its distribution moved
over training as percentile bands (5–95 %, 25–75 %, median) read from each histogram snapshot.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from core.events import LayerStats, TrainBegin

from .base import (Panel, PlotGrid, compact_combo, grow_x, layout_widget, pen, reset_ranges, series_color,
                   steady_range, style_plot)
from .buffers import Frames

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def histogram_quantiles(counts: np.ndarray, edges: np.ndarray, qs=QUANTILES) -> np.ndarray:
    """Quantiles of a histogram, linear within each bin (the inverse of its cumulative curve)."""
    c = np.asarray(counts, np.float64)
    total = c.sum()
    if total <= 0:
        return np.full(len(qs), np.nan)
    cdf = np.r_[0.0, np.cumsum(c) / total]
    return np.interp(qs, cdf, edges)


class WeightsPanel(Panel):
    name = "weights"
    accepts = (LayerStats, TrainBegin)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.set_hint(self.tr("Weight distribution of a layer, now and over training"))
        self.selector = compact_combo(self.tr("Layer to show"))
        self.selector.currentIndexChanged.connect(self._mark)
        self.tools.insertWidget(1, self.selector)
        self.glw = self.plot_area = layout_widget()
        self.body.addWidget(self.glw)
        self.hist_plot = style_plot(self.glw.addPlot(row=0, col=0), self.tr("Histogram"), self.tr("weight value"),
                                    self.tr("count"))
        self.bars = pg.BarGraphItem(x=[], height=[], width=1.0, brush=series_color(0), pen=None)
        self.hist_plot.addItem(self.bars)
        self.band_plot = style_plot(self.glw.addPlot(row=1, col=0), self.tr("Distribution over training"),
                                    self.tr("epoch"), self.tr("weight value"))
        self.band_plot.setClipToView(False)      # ≤ 512 snapshots: nothing to clip, and fills need all
        self.lines = [self.band_plot.plot(pen=pen(0, 1, alpha=0)) for _ in QUANTILES]
        c = series_color(0)
        outer, inner = pg.mkBrush(c.red(), c.green(), c.blue(), 50), pg.mkBrush(c.red(), c.green(), c.blue(), 110)
        self.band_plot.addItem(pg.FillBetweenItem(self.lines[0], self.lines[4], brush=outer))
        self.band_plot.addItem(pg.FillBetweenItem(self.lines[1], self.lines[3], brush=inner))
        self.lines[2].setPen(pen(0, 2))
        self.grid = PlotGrid(self.glw)
        self.grid.set_items([self.hist_plot, self.band_plot])
        self.spe = 1
        self.epochs = None
        self.counts: dict[str, int] = {}          # node id → parameter count
        self.latest: dict[str, tuple[np.ndarray, np.ndarray]] = {}   # node id → (counts, edges)
        self.history: dict[str, Frames] = {}

    def _mark(self, *_):
        reset_ranges(self.hist_plot, self.band_plot)
        self.dirty = True
        self.refresh()

    def selected(self) -> str | None:
        return self.selector.currentData()

    # ---- protocol -------------------------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)
        keep = self.selected()
        self.selector.blockSignals(True)
        self.selector.clear()
        for nid, typ, count, _trainable in info.weight_layers:
            self.selector.addItem(nid, nid)
            self.selector.setItemData(self.selector.count() - 1, f"{typ}, {count:,} parameters", Qt.ToolTipRole)
        i = self.selector.findData(keep)
        self.selector.setCurrentIndex(i if i >= 0 else 0)
        self.selector.blockSignals(False)
        self.counts = {nid: count for nid, _t, count, _tr in info.weight_layers}
        self.latest = {}
        self.history = {nid: Frames(len(QUANTILES)) for nid in self.counts}
        reset_ranges(self.hist_plot, self.band_plot)

    def handle(self, ev) -> None:
        if isinstance(ev, TrainBegin):
            self.spe = max(ev.steps_per_epoch, 1)
            self.epochs = ev.epochs
        elif isinstance(ev, LayerStats):
            t = ev.step / self.spe
            for s in ev.layers:
                if s.kind == "weights" and s.hist_counts is not None:
                    self.latest[s.node_id] = (s.hist_counts, s.hist_edges)
                    frames = self.history.get(s.node_id)
                    if frames is not None:
                        frames.append(t, histogram_quantiles(s.hist_counts, s.hist_edges))
            self.dirty = True

    def refresh(self) -> None:
        nid = self.selected()
        if nid in self.latest:
            counts, edges = self.latest[nid]
            centers = 0.5 * (edges[:-1] + edges[1:])
            self.bars.setOpts(x=centers, height=counts.astype(np.float64), width=float(edges[1] - edges[0]))
            steady_range(self.hist_plot, edges, "x")
            steady_range(self.hist_plot, [0.0, float(counts.max())], "y")
        frames = self.history.get(nid)
        if frames is not None and len(frames):
            # Range first: the bands are filled from the curves' clipped display data, which a
            # later range change would update without the fill noticing.
            grow_x(self.band_plot, float(frames.t[-1]), self.epochs)
            steady_range(self.band_plot, frames.rows)
            for line, col in zip(self.lines, frames.rows.T):
                line.setData(frames.t, col)
        self.dirty = False

    # ---- for tests and export ----------------------------------------------------------------------
    def csv_table(self):
        """Current histograms (series "count", one row per bin) and the quantiles over training."""
        rows = []
        for nid, (counts, edges) in self.latest.items():
            rows += [[nid, "count", "", repr(float(a)), repr(float(b)), int(c)]
                     for a, b, c in zip(edges[:-1], edges[1:], counts)]
        for nid, frames in self.history.items():
            for t, row in zip(frames.t, frames.rows):
                rows += [[nid, f"q{round(q * 100):02d}", repr(float(t)), "", "", repr(float(v))]
                         for q, v in zip(QUANTILES, row)]
        return ["layer", "series", "epoch", "bin_left", "bin_right", "value"], rows
