"""Compare runs: their curves overlaid, their per-layer gradient flow and weight statistics side by
side, and a table of what differed between their designs (blocks, parameters, connections, settings).

Everything shown comes from run records (core.runs.RunRecord), so a comparison opens as fast from
the history of last week as from runs that just ended. A gallery experiment adds its claims, each
with what was measured and whether it held.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from core.runs import RunRecord, diff_designs

from ..dashboard.base import LogAxis, layout_widget, log10_safe, pen, series_color, style_plot


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return "—" if not math.isfinite(v) else f"{v:.4g}"
    return str(v)


def weight_summary(layer: dict) -> tuple[float, float]:
    """(mean, std) of a layer's weights from its last histogram (bin centres, counts)."""
    counts = np.asarray(layer.get("hist_counts", []), float)
    edges = np.asarray([np.nan if e is None else e for e in layer.get("hist_edges", [])], float)
    if counts.size == 0 or edges.size != counts.size + 1 or counts.sum() <= 0 or not np.isfinite(edges).all():
        return float("nan"), float("nan")
    centres = (edges[:-1] + edges[1:]) / 2
    mean = float(np.average(centres, weights=counts))
    return mean, float(math.sqrt(max(0.0, np.average((centres - mean) ** 2, weights=counts))))


class CompareWindow(QWidget):
    """A window over two or more run records. `claims`: core.gallery.ClaimResult list or None."""

    def __init__(self, runs: list[RunRecord], parent=None, *, title: str = "", explanation: str = "",
                 claims=None, headline: str = "loss"):
        super().__init__(parent, Qt.Window)
        self.setObjectName("CompareWindow")
        self.runs = list(runs)
        self.claims = claims
        self.setWindowTitle(title or self.tr("Compare Runs"))
        layout = QVBoxLayout(self)
        if explanation:
            text = QLabel(explanation)
            text.setWordWrap(True)
            text.setObjectName("compareExplanation")
            text.setTextInteractionFlags(Qt.TextSelectableByMouse)
            layout.addWidget(text)
        self.key = self._legend_row(layout)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self._curves_tab(headline)
        self._layers_tab()
        self._diff_tab()
        self._results_tab()
        if claims:
            self.tabs.setCurrentWidget(self.curves_page)
        self.resize(1100, 700)

    # ---- legend -----------------------------------------------------------------------------
    def _legend_row(self, layout) -> QLabel:
        parts = []
        for i, r in enumerate(self.runs):
            name = r.label or r.id
            parts.append(f'<span style="color:{series_color(i).name()}">■</span> {_escape(name)}')
        key = QLabel("&nbsp;&nbsp;&nbsp;".join(parts))
        key.setTextFormat(Qt.RichText)
        key.setWordWrap(True)
        layout.addWidget(key)
        return key

    # ---- curves -----------------------------------------------------------------------------
    def _curves_tab(self, headline: str) -> None:
        page = self.curves_page = QWidget()
        col = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Curve:")))
        self.curve_choice = QComboBox()
        keys = []
        for r in self.runs:
            keys += [k for k in r.history if k not in keys]
        for k in keys:
            self.curve_choice.addItem(k, k)
        self.curve_choice.addItem(self.tr("loss per batch"), "__batch__")
        row.addWidget(self.curve_choice)
        self.log_y = QComboBox()
        self.log_y.addItem(self.tr("linear scale"), False)
        self.log_y.addItem(self.tr("log scale"), True)
        row.addWidget(self.log_y)
        row.addStretch(1)
        col.addLayout(row)
        self.curve_glw = layout_widget()          # the theme's background, as the dashboard's plots
        self.curve_plot_item = style_plot(self.curve_glw.addPlot(row=0, col=0), "", self.tr("epoch"))
        col.addWidget(self.curve_glw, 1)
        self.tabs.addTab(page, self.tr("Curves"))
        start = self.curve_choice.findData(headline)
        self.curve_choice.setCurrentIndex(start if start >= 0 else 0)
        self.curve_choice.currentIndexChanged.connect(self.draw_curves)
        self.log_y.currentIndexChanged.connect(self.draw_curves)
        self.draw_curves()

    def curve_data(self, key: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per run: (x, y) of the chosen curve (empty arrays where a run lacks it)."""
        out = []
        for r in self.runs:
            if key == "__batch__":
                x = np.asarray(r.batch_steps, float)
                y = np.array([np.nan if v is None else v for v in r.batch_losses], float)
            else:
                x, y = r.curve(key)
                x = x + 1.0           # epochs shown from 1, as the dashboard does
            out.append((x, y))
        return out

    def draw_curves(self) -> None:
        plot = self.curve_plot_item
        plot.clear()
        key = self.curve_choice.currentData()
        log = bool(self.log_y.currentData())
        plot.setLogMode(x=False, y=log)
        plot.setLabel("bottom", self.tr("step") if key == "__batch__" else self.tr("epoch"))
        self.curve_items = []
        for i, (x, y) in enumerate(self.curve_data(key)):
            if log:
                y = np.where(y > 0, y, np.nan)
            item = plot.plot(x, y, pen=pen(i, 2.0), connect="finite", name=self.runs[i].label)
            self.curve_items.append(item)
        plot.enableAutoRange()

    # ---- per-layer statistics ----------------------------------------------------------------
    def layer_order(self) -> list[str]:
        """Weight layers of all runs, input side first (the first run's order, then new ones)."""
        order: list[str] = []
        for r in self.runs:
            ids = [n["id"] for n in r.design.get("nodes", [])]
            for nid in ids:
                if r.layers.get(nid, {}).get("kind") == "weights" and nid not in order:
                    order.append(nid)
        return order

    def _layers_tab(self) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Gradient flow: gradient norm per layer (log scale, the same for every run), "
                                     "input at the bottom —")))
        self.flow_when = QComboBox()
        self.flow_when.addItem(self.tr("at the start of training"), "first")
        self.flow_when.addItem(self.tr("median over the run"), "median")
        self.flow_when.addItem(self.tr("at the end of training"), "last")
        row.addWidget(self.flow_when)
        row.addStretch(1)
        col.addLayout(row)
        self.layer_glw = layout_widget()
        col.addWidget(self.layer_glw, 2)
        self.layers = self.layer_order()
        self.grad_plots = []
        for i, r in enumerate(self.runs):
            plot = self.layer_glw.addPlot(row=0, col=i, axisItems={"bottom": LogAxis("bottom")})
            style_plot(plot, _escape(r.label or r.id))
            plot.getAxis("left").setTicks([[(float(k), n) for k, n in enumerate(self.layers)]])
            plot.setMouseEnabled(x=False, y=False)
            self.grad_plots.append((plot, {}))
        self.flow_when.currentIndexChanged.connect(self.draw_flow)
        self.draw_flow()
        self.weights_table = QTableWidget()
        heads = [self.tr("layer")]
        for r in self.runs:
            name = r.label or r.id
            heads += [self.tr("{0}: ‖grad‖ median").format(name), self.tr("{0}: weight mean").format(name),
                      self.tr("{0}: weight std").format(name)]
        self.weights_table.setColumnCount(len(heads))
        self.weights_table.setHorizontalHeaderLabels(heads)
        self.weights_table.setRowCount(len(self.layers))
        for row_i, nid in enumerate(self.layers):
            self.weights_table.setItem(row_i, 0, QTableWidgetItem(nid))
            for i, r in enumerate(self.runs):
                mean, std = weight_summary(r.layers.get(nid, {}))
                for j, v in enumerate((r.grad_flow().get(nid), mean, std)):
                    self.weights_table.setItem(row_i, 1 + 3 * i + j, QTableWidgetItem(_fmt(v)))
        self.weights_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.weights_table.setEditTriggers(QTableWidget.NoEditTriggers)
        col.addWidget(self.weights_table, 1)
        self.tabs.addTab(page, self.tr("Layers"))

    def draw_flow(self) -> None:
        """One bar chart per run over the same layers and the same log axis, so bars compare."""
        when = self.flow_when.currentData()
        values = [log10_safe([r.grad_flow(when).get(n, np.nan) for n in self.layers]) for r in self.runs]
        finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.zeros(0)
        lo = float(np.floor(finite.min())) - 0.5 if finite.size else -6.0
        hi = float(np.ceil(finite.max())) + 0.2 if finite.size else 0.0
        ys = np.arange(len(self.layers), dtype=float)
        for i, vals in enumerate(values):
            plot, _ = self.grad_plots[i]
            plot.clear()
            ok = np.isfinite(vals)
            plot.addItem(pg.BarGraphItem(x0=np.full(ok.sum(), lo), width=(vals[ok] - lo), y=ys[ok], height=0.6,
                                         brush=series_color(i), pen=None))
            plot.setXRange(lo, hi, padding=0)
            plot.setYRange(-0.6, len(self.layers) - 0.4, padding=0)
            self.grad_plots[i] = (plot, dict(zip(self.layers, vals)))

    # ---- differences -------------------------------------------------------------------------
    def differences(self) -> list[tuple[str, str, list[str]]]:
        """(kind, where, [value in each run]) for everything that differs from the first run."""
        base = self.runs[0].design
        rows: dict[tuple[str, str], list[str]] = {}
        for i, r in enumerate(self.runs[1:], 1):
            for d in diff_designs(base, r.design):
                vals = rows.setdefault((d.kind, d.where), [d.a] + ["="] * (len(self.runs) - 1))
                vals[i] = d.b
        for (kind, where), vals in rows.items():   # "=" means: as in the first run
            for i in range(1, len(vals)):
                if vals[i] == "=":
                    vals[i] = vals[0]
        return [(k, w, v) for (k, w), v in rows.items()]

    def _diff_tab(self) -> None:
        kinds = {"block": self.tr("block"), "parameter": self.tr("parameter"),
                 "connection": self.tr("connection"), "setting": self.tr("setting")}
        rows = self.differences()
        self.diff_table = QTableWidget(len(rows), 2 + len(self.runs))
        self.diff_table.setHorizontalHeaderLabels([self.tr("what"), self.tr("where")]
                                                  + [r.label or r.id for r in self.runs])
        for row, (kind, where, vals) in enumerate(rows):
            self.diff_table.setItem(row, 0, QTableWidgetItem(kinds.get(kind, kind)))
            self.diff_table.setItem(row, 1, QTableWidgetItem(where))
            for i, v in enumerate(vals):
                self.diff_table.setItem(row, 2 + i, QTableWidgetItem(v))
        self.diff_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.diff_table.horizontalHeader().setStretchLastSection(True)
        self.diff_table.setEditTriggers(QTableWidget.NoEditTriggers)
        page = QWidget()
        col = QVBoxLayout(page)
        note = (self.tr("Nothing differs: the runs trained the same design with the same settings.") if not rows
                else self.tr("Differences from the first run: {0}").format(len(rows)))
        col.addWidget(QLabel(note))
        col.addWidget(self.diff_table, 1)
        self.tabs.addTab(page, self.tr("Differences ({0})").format(len(rows)))

    # ---- results and claims ------------------------------------------------------------------
    def _results_tab(self) -> None:
        keys: list[str] = []
        for r in self.runs:
            keys += [k for k in r.final if k not in keys]
        info = [self.tr("ended"), self.tr("epochs")]
        self.results_table = QTableWidget(len(info) + len(keys), len(self.runs))
        self.results_table.setHorizontalHeaderLabels([r.label or r.id for r in self.runs])
        self.results_table.setVerticalHeaderLabels(info + keys)
        for i, r in enumerate(self.runs):
            vals = [r.reason, str(r.epochs_run)] + [_fmt(r.final.get(k)) for k in keys]
            for row, v in enumerate(vals):
                self.results_table.setItem(row, i, QTableWidgetItem(v))
        self.results_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.results_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(self.results_table, 1)
        self.claims_table = None
        if self.claims:
            from ..i18n import current_language
            lang = current_language()
            self.claims_table = QTableWidget(len(self.claims), 3)
            self.claims_table.setHorizontalHeaderLabels([self.tr("claim"), self.tr("measured"), self.tr("why")])
            for row, res in enumerate(self.claims):
                verdict = QTableWidgetItem(self.tr("holds") if res.holds else self.tr("does not hold"))
                verdict.setForeground(QColor("#2e7d32" if res.holds else "#c62828"))
                self.claims_table.setItem(row, 0, verdict)
                self.claims_table.setItem(row, 1, QTableWidgetItem(res.describe().rsplit("  [", 1)[0]))
                self.claims_table.setItem(row, 2, QTableWidgetItem(res.claim.why.get(lang) or res.claim.why["en"]))
            self.claims_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
            self.claims_table.horizontalHeader().setStretchLastSection(True)
            self.claims_table.setWordWrap(True)
            self.claims_table.setEditTriggers(QTableWidget.NoEditTriggers)
            col.addWidget(QLabel(self.tr("What the experiment claims, checked on these runs:")))
            col.addWidget(self.claims_table, 1)
        self.tabs.addTab(page, self.tr("Results"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
