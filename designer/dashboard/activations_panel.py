"""Activations over training: the dead fraction of each ReLU-family layer (outputs in the flat
x ≤ 0 region for a batch) and the saturated fraction of each sigmoid/tanh layer (local
derivative below 10 % of its maximum). A unit stuck at 1.0 here has stopped learning.
"""
from __future__ import annotations

import pyqtgraph as pg

from core.events import LayerStats, TrainBegin
from core.stats import RELU_FAMILY

from .base import (Panel, PlotGrid, grow_x, key_title, layout_widget, pen, reset_ranges, series_color, share_x,
                   style_plot)
from .buffers import Series


def layer_colors(n: int) -> list:
    """Distinct colours for a few layers; a dark → light ramp (first → last layer) for many."""
    if n <= 4:
        return [series_color(i) for i in range(n)]
    cmap = pg.colormap.get("viridis")
    return [cmap.map(0.85 * i / (n - 1), mode="qcolor") for i in range(n)]


class ActivationsPanel(Panel):
    name = "activations"
    accepts = (LayerStats, TrainBegin)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.set_hint(self.tr("Dead ReLU and saturated sigmoid/tanh fractions per layer"))
        self.glw = self.plot_area = layout_widget()
        self.body.addWidget(self.glw)
        self.titles = (self.tr("Dead ReLU (≤ 0)"), self.tr("Saturated σ, tanh"))
        self.dead_plot = style_plot(self.glw.addPlot(row=0, col=0), self.titles[0])
        self.sat_plot = style_plot(self.glw.addPlot(row=1, col=0), self.titles[1], self.tr("epoch"))
        for p in (self.dead_plot, self.sat_plot):
            p.setYRange(0, 1, padding=0.02)
            p.setLimits(yMin=-0.05, yMax=1.05)
        share_x(self.dead_plot, self.sat_plot)
        self.grid = PlotGrid(self.glw)
        self.grid.set_items([self.dead_plot, self.sat_plot])
        self.empty = pg.TextItem(self.tr("This design has no ReLU, sigmoid or tanh layers."), color="#888888")
        self.dead_plot.addItem(self.empty)
        self.empty.hide()
        self.series: dict[str, Series] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.spe = 1
        self.epochs = None

    # ---- protocol -------------------------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)
        for nid, curve in self.curves.items():
            curve.getViewBox().removeItem(curve)
        self.series, self.curves = {}, {}
        for plot, title, members in ((self.dead_plot, self.titles[0], [a for a in info.activation_layers
                                                                        if a[1] in RELU_FAMILY]),
                                     (self.sat_plot, self.titles[1], [a for a in info.activation_layers
                                                                      if a[1] not in RELU_FAMILY])):
            colors = layer_colors(len(members))
            for (nid, _typ), color in zip(members, colors):
                self.curves[nid] = plot.plot(pen=pen(color, 1.5))
                self.series[nid] = Series(8192)
            if len(members) <= 4:
                key_title(plot, title, [(nid, c, False) for (nid, _t), c in zip(members, colors)])
            elif members:           # many layers: a colour ramp from the first to the last
                key_title(plot, title, [(members[0][0], colors[0], False), ("…", colors[len(colors) // 2], False),
                                        (members[-1][0], colors[-1], False)])
            else:
                key_title(plot, title, [])
        self.empty.setVisible(not info.activation_layers)
        reset_ranges(self.dead_plot)

    def handle(self, ev) -> None:
        if isinstance(ev, TrainBegin):
            self.spe = max(ev.steps_per_epoch, 1)
            self.epochs = ev.epochs
        elif isinstance(ev, LayerStats):
            t = ev.step / self.spe
            for s in ev.layers:
                if s.kind == "activation" and s.node_id in self.series:
                    value = s.zero_fraction if s.zero_fraction == s.zero_fraction else s.saturated_fraction
                    self.series[s.node_id].append(t, value)
            self.dirty = True

    def refresh(self) -> None:
        last = 0.0
        for nid, curve in self.curves.items():
            s = self.series[nid]
            curve.setData(s.x, s.y)
            last = max(last, s.x[-1] if len(s) else 0.0)
        grow_x(self.dead_plot, last, self.epochs)
        self.dirty = False

    def csv_table(self):
        rows = []
        for nid, s in self.series.items():
            rows += [[nid, repr(float(x)), repr(float(y))] for x, y in zip(s.x, s.y)]
        return ["layer", "epoch", "fraction"], rows
