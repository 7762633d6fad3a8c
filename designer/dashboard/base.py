"""What every dashboard panel shares: the update protocol, PNG/CSV export, plot styling.

Protocol (driven by the TrainingController, all on the GUI thread):
  ``reset(info)``   a run starts (RunInfo: layers, task, classes) — rebuild curves if needed;
  ``handle(ev)``    an event arrived — append to buffers, set ``dirty``; must be cheap;
  ``refresh()``     the controller's ≤ 20 Hz timer — push buffers to the plots with setData;
  ``finish(end)``   the run ended (TrainEnd).
Plots are created once; nothing is redrawn per event.
"""
from __future__ import annotations

import csv
import math
import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSizeF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QGraphicsItem, QHBoxLayout, QLabel, QMenu,
                               QSizePolicy, QToolButton, QVBoxLayout, QWidget)

# Colours that read on light and dark backgrounds (Tableau 10).
SERIES = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
          "#9c755f", "#bab0ac")


def series_color(i: int) -> QColor:
    return QColor(SERIES[i % len(SERIES)])


def pen(i_or_color, width: float = 1.5, alpha: int = 255, style=Qt.SolidLine):
    c = series_color(i_or_color) if isinstance(i_or_color, int) else QColor(i_or_color)
    c.setAlpha(alpha)
    return pg.mkPen(c, width=width, style=style)


def theme_colors() -> tuple[QColor, QColor]:
    """(background, foreground) from the application palette, so plots follow the theme."""
    pal = QApplication.palette()
    return pal.color(QPalette.Base), pal.color(QPalette.Text)


def style_plot(plot: pg.PlotItem, title: str = "", x_label: str = "", y_label: str = "") -> pg.PlotItem:
    """Axes in the theme's text colour, a light grid, and the cheap drawing modes for live data."""
    _, fg = theme_colors()
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setPen(pg.mkPen(fg))
        ax.setTextPen(pg.mkPen(fg))
        # An axis replays its tick labels on every repaint of the view (~2 ms of text each);
        # cached as a pixmap it is a blit until its range actually changes.
        ax.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    plot.setMenuEnabled(False)          # the panel's own menu exports; pyqtgraph's would duplicate it
    if title:
        plot.setTitle(title, color=fg.name(), size="9pt")
        shrinkable(plot.titleLabel)
        plot.titleLabel.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    if x_label:
        plot.setLabel("bottom", x_label)
    if y_label:
        plot.setLabel("left", y_label)
    return plot


def key_title(plot: pg.PlotItem, title: str, entries) -> None:
    """A plot title that is also its legend: `entries` = [(label, QColor, dashed)], drawn as
    coloured line marks on a second line — a legend box over a small plot hides the data."""
    _, fg = theme_colors()
    marks = "&nbsp;&nbsp;".join(f'<span style="color:{QColor(c).name()}">{"┅" if dashed else "━"}</span>&nbsp;{label}'
                                for label, c, dashed in entries)
    plot.setTitle(f"{title}<br>{marks}" if marks else title, color=fg.name(), size="8pt")
    # A long key must not widen the plot past its dock (the view would be cut off): let it clip.
    shrinkable(plot.titleLabel)


def shrinkable(label: pg.LabelItem) -> None:
    """Let a plot title be narrower than its text. pyqtgraph resets a LabelItem's minimum (and
    preferred) width to its text on every resize, so a long title or key would widen its plot
    and push the plot beside it out of the window; the layout now ignores the text's width."""
    def update_min(label=label):
        height = label.itemRect().height()
        label.setMinimumWidth(10)
        label.setMinimumHeight(height)
        label._sizeHint = {Qt.SizeHint.MinimumSize: (10, height), Qt.SizeHint.PreferredSize: (10, height),
                           Qt.SizeHint.MaximumSize: (-1, -1), Qt.SizeHint.MinimumDescent: (0, 0)}
        label.updateGeometry()
    label.updateMin = update_min
    update_min()


def layout_widget() -> pg.GraphicsLayoutWidget:
    bg, _ = theme_colors()
    w = pg.GraphicsLayoutWidget()
    w.setBackground(bg)
    w.ci.setContentsMargins(2, 2, 2, 2)
    return w


def restyle(glw: pg.GraphicsLayoutWidget) -> None:
    """Give an existing plot area the current theme: background, axes, tick labels and titles.

    Called when the theme changes at run time; `style_plot` and `layout_widget` only colour what
    they create, so without this a dark theme would leave white plots behind.
    """
    bg, fg = theme_colors()
    glw.setBackground(bg)
    for item in glw.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setPen(pg.mkPen(fg))
            item.setTextPen(pg.mkPen(fg))
        elif isinstance(item, pg.LabelItem) and isinstance(item.parentItem(), pg.PlotItem):
            item.setText(item.text, color=fg.name())
    glw.update()


# ---- where a panel's plots go: one column when the panel is tall, side by side when it is wide --
WIDE = 1.25          # width / height above which two plots go side by side
VERY_WIDE = 2.4      # ... and three plots in one row


def grid_cells(n: int, width: float, height: float, lead: bool = False) -> list[tuple[int, int, int, int]]:
    """(row, col, rowspan, colspan) for each of `n` plots in a `width` × `height` area.

    The arrangement that keeps every plot closest to square wins, so a dock that is tall (a
    column of the training workspace) stacks its plots and a wide one (a strip) puts them side by
    side. With `lead` the first of three plots gets a whole row (or column) and the other two
    share the next one — three stacked plots in a 600 px column would each be ~190 px high.
    """
    h = max(float(height), 1.0)
    wide, very_wide = width >= WIDE * h, width >= VERY_WIDE * h
    if n <= 1:
        return [(0, 0, 1, 1)]
    if n == 2:
        return [(0, 0, 1, 1), (0, 1, 1, 1)] if wide else [(0, 0, 1, 1), (1, 0, 1, 1)]
    if lead and n == 3 and not very_wide:
        if wide:                          # the lead plot on the left, the others stacked
            return [(0, 0, 2, 1), (0, 1, 1, 1), (1, 1, 1, 1)]
        return [(0, 0, 1, 2), (1, 0, 1, 1), (1, 1, 1, 1)]     # on top, the others side by side
    cols = n if very_wide else math.ceil(n / 2) if wide else 1
    return [(i // cols, i % cols, 1, 1) for i in range(n)]


class PlotGrid(QObject):
    """Keeps a GraphicsLayoutWidget's plots arranged by `grid_cells` as the widget is resized."""

    def __init__(self, glw: pg.GraphicsLayoutWidget, lead: bool = False):
        super().__init__(glw)
        self.glw = glw
        self.lead = lead
        self.items: list = []
        self.cells: list = []
        glw.installEventFilter(self)

    def set_items(self, items) -> None:
        """Place `items` (PlotItems already added to the layout, or new ones) in the grid."""
        self.items = list(items)
        self.cells = []
        self.arrange()

    def arrange(self) -> None:
        if not self.items:
            return
        size = self.glw.size()
        cells = grid_cells(len(self.items), size.width(), size.height(), self.lead)
        if cells == self.cells:
            return
        self.cells = cells
        ci = self.glw.ci
        grid = ci.layout
        for item in self.items:           # out of the layout (not the scene), then back in
            if item in ci.items:
                grid.removeAt(ci.itemIndex(item))
                for r, c in ci.items.pop(item):
                    ci.rows.get(r, {}).pop(c, None)
        for i in range(4):
            grid.setRowStretchFactor(i, 0)
            grid.setColumnStretchFactor(i, 0)
        for item, (r, c, rs, cs) in zip(self.items, cells):
            # Equal preferred sizes: the stretch factors then share the room evenly (otherwise a
            # longer title or wider tick labels win a plot tens of pixels from its neighbour).
            item.setPreferredSize(QSizeF(50.0 * cs, 50.0 * rs))
            ci.items[item] = [(r + i, c + j) for i in range(rs) for j in range(cs)]
            for rr, cc in ci.items[item]:
                ci.rows.setdefault(rr, {})[cc] = item
            grid.addItem(item, r, c, rs, cs)
        for r in range(1 + max(r + rs - 1 for r, _c, rs, _cs in cells)):
            grid.setRowStretchFactor(r, 1)
        for c in range(1 + max(c + cs - 1 for _r, c, _rs, cs in cells)):
            grid.setColumnStretchFactor(c, 1)
        grid.activate()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.glw and event.type() == QEvent.Resize:
            self.arrange()
        return False


class CategoryAxis(pg.AxisItem):
    """An axis naming categories at 0.5, 1.5, …; a name wider than its cell is cut short with
    "…" (the full names are in the panel's CSV and tool tip), so long class names such as
    "opposite signs" never overlap their neighbours."""

    MAX_SIDE_WIDTH = 110      # px a name may take on a vertical axis
    names: tuple = ()         # class-level defaults: the base __init__ already resizes the axis
    shown: tuple = ()

    def set_names(self, names) -> None:
        self.names = [str(n) for n in names]
        self._relabel()

    def _room(self) -> float:
        """Pixels available to one name."""
        if self.orientation in ("left", "right"):
            return float(self.MAX_SIDE_WIDTH)
        view = self.linkedView()
        if view is None or not self.names:
            return float(self.MAX_SIDE_WIDTH)
        (x0, x1), _ = view.viewRange()
        per_cell = view.width() / max(x1 - x0, 1e-9)
        return max(per_cell - 8.0, 8.0)

    def _relabel(self) -> None:
        if not self.names:
            self.shown = []
            self.setTicks(None)
            return
        font = self.style.get("tickFont") or QFont()
        metrics = QFontMetrics(font)
        room = int(self._room())
        self.shown = [metrics.elidedText(n, Qt.ElideRight, room) for n in self.names]
        self.setTicks([[(i + 0.5, s) for i, s in enumerate(self.shown)]])
        if self.orientation in ("left", "right"):
            # Room for the longest name, the tick and the axis title: pyqtgraph would widen the
            # axis only after a first paint, and a grab before it shows no names at all.
            widest = max(metrics.horizontalAdvance(s) for s in self.shown)
            self.setWidth(widest + 12 + (QFontMetrics(QFont()).height() + 6 if self.labelText else 0))

    def resizeEvent(self, ev=None):
        super().resizeEvent(ev)
        self._relabel()

    def linkedViewChanged(self, view, newRange=None):
        super().linkedViewChanged(view, newRange)
        if self.names and self.orientation in ("top", "bottom"):
            before = self.shown
            self._relabel()
            if self.shown != before:
                self.update()


def steady_range(plot: pg.PlotItem, values, axis: str = "y", margin: float = 0.05, shrink: float = 0.3) -> None:
    """Keep `axis` showing `values`, but move it rarely.

    Every range change re-renders the axis' ticks and labels — the costliest part of a live
    redraw. The view grows at once to take in new data (with a margin) and shrinks only when the
    data fill less than `shrink` of it. Values are in view coordinates (log10 in log mode).
    """
    v = np.asarray(values, np.float64)
    v = v[np.isfinite(v)]
    if not v.size:
        return
    lo, hi = float(v.min()), float(v.max())
    vb = plot.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    cur_lo, cur_hi = (x0, x1) if axis == "x" else (y0, y1)
    steady = getattr(vb, "_steady_" + axis, False)
    if hi <= lo:
        # A constant (a fixed learning rate): the line in the middle of [0, 2·value], whose ticks
        # read cleanly — not ±10 % of 1, which put 0.001 among negative "rates".
        new = (0.0, 2.0 * hi) if hi > 0 else (2.0 * hi, 0.0) if hi < 0 else (-1.0, 1.0)
        if steady and abs(cur_lo - new[0]) + abs(cur_hi - new[1]) <= 1e-6 * (new[1] - new[0]):
            return
    else:
        span = hi - lo
        inside = cur_lo <= lo and hi <= cur_hi
        if inside and span >= shrink * (cur_hi - cur_lo) and steady:
            return
        new = (lo - margin * span, hi + margin * span)
    setattr(vb, "_steady_" + axis, True)
    if axis == "x":
        plot.setXRange(*new, padding=0)
    else:
        plot.setYRange(*new, padding=0)


def grow_x(plot: pg.PlotItem, x: float, limit: float | None = None, x0: float = 0.0) -> None:
    """Show [x0, end] on x, moving `end` in steps of ×1.5 (capped at `limit`) as the run goes on."""
    vb = plot.getViewBox()
    end = getattr(vb, "_grow_end", None)
    if end is not None and x <= end:
        return
    end = max(x * 1.5, x0 + 1.0)
    if limit is not None:
        end = min(end, max(limit, x))
    vb._grow_end = end
    plot.setXRange(x0, end, padding=0)


def share_x(lead: pg.PlotItem, *others: pg.PlotItem) -> None:
    """`others` show the same x range as `lead`, whatever their width or position.

    (pyqtgraph's setXLink aligns linked views by screen position: a plot half as wide, placed
    beside another under the lead, would show only "its half" of the lead's range.)
    """
    def follow(_view, x_range):
        for plot in others:
            plot.setXRange(*x_range, padding=0)
    lead.sigXRangeChanged.connect(follow)
    lead._share_x = follow                # kept with the plot: the connection lives as long


def reset_ranges(*plots: pg.PlotItem) -> None:
    for p in plots:
        vb = p.getViewBox()
        vb._grow_end = None
        vb._steady_x = vb._steady_y = False


class LogAxis(pg.AxisItem):
    """An axis whose values are log10 of the quantity: ticks read 1e-3, 0.01, 0.1, 1 ..."""

    def tickStrings(self, values, scale, spacing):
        return [_pow10(v) for v in values]


def _pow10(v: float) -> str:
    if not math.isfinite(v):
        return ""
    x = 10.0 ** v
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e") if (x < 1e-2 or x >= 1e4) else f"{x:.3g}"


def log10_safe(values, floor: float = 1e-30) -> np.ndarray:
    v = np.asarray(values, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(v) & (v > 0), np.log10(np.maximum(v, floor)), np.nan)


class Panel(QWidget):
    """A dashboard panel: a tool row (extra controls, PNG and CSV buttons) over its plots."""

    #: file-name stem for exports
    name = "panel"
    #: event types handle() wants (the controller passes no others)
    accepts: tuple = ()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dirty = False
        self.info = None
        self.plot_area: QWidget | None = None     # what export_png captures (set by subclasses)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        # The tool row is a widget of its own so that a dock can carry it in its title bar
        # (see _install.DockTitleBar): one row instead of two leaves the plots ~30 px more.
        self.tool_row = QWidget()
        self.tool_row.setObjectName("dashboardTools")
        self.tools = QHBoxLayout(self.tool_row)
        self.tools.setContentsMargins(4, 0, 4, 0)
        self.hint = QLabel()
        self.hint.setObjectName("dashboardHint")
        # Long hints must not widen the dock: they are cut (the full text is the tool tip).
        self.hint.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.hint.setMinimumWidth(20)
        self.hint.hide()                    # a panel that shows text there (results) shows it
        self.tools.addWidget(self.hint, 1)
        self._png_act = QAction(self.tr("Export image (PNG)…"), self)
        self._png_act.triggered.connect(self._ask_png)
        self._csv_act = QAction(self.tr("Export data (CSV)…"), self)
        self._csv_act.triggered.connect(self._ask_csv)
        for act, text in ((self._png_act, self.tr("PNG")), (self._csv_act, self.tr("CSV"))):
            b = QToolButton()
            b.setDefaultAction(act)
            b.setText(text)
            b.setAutoRaise(True)
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
            self.tools.addWidget(b)
        self.tools.insertStretch(1, 1)
        lay.addWidget(self.tool_row)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self.body, 1)
        self.setContextMenuPolicy(Qt.DefaultContextMenu)

    def apply_theme(self) -> None:
        """Re-colour every plot of this panel in the current theme (see `restyle`)."""
        for glw in self.findChildren(pg.GraphicsLayoutWidget):
            restyle(glw)

    def set_hint(self, text: str) -> None:
        """What the panel shows, as its tool tip (and in the tool row, where that is shown)."""
        self.hint.setText(text)
        self.hint.setToolTip(text)
        self.setToolTip(text)

    # ---- the protocol (overridden) -------------------------------------------------------------
    def reset(self, info) -> None:
        self.info = info
        self.dirty = True

    def handle(self, ev) -> None:
        pass

    def refresh(self) -> None:
        pass

    def finish(self, end) -> None:
        self.dirty = True

    def csv_table(self) -> tuple[list[str], list[list]]:
        """(header, rows) of the data behind the plots."""
        return [], []

    # ---- export ----------------------------------------------------------------------------------
    def export_png(self, path: str | os.PathLike) -> bool:
        self.refresh()
        target = self.plot_area if self.plot_area is not None else self
        return target.grab().save(os.fspath(path), "PNG")

    def export_csv(self, path: str | os.PathLike) -> None:
        header, rows = self.csv_table()
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    def contextMenuEvent(self, event):
        menu = QMenu(self)
        menu.addAction(self._png_act)
        menu.addAction(self._csv_act)
        menu.exec(event.globalPos())

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export image"), f"{self.name}.png",
                                              self.tr("PNG images (*.png)"))
        if path:
            self.export_png(path)

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export data"), f"{self.name}.csv",
                                              self.tr("CSV files (*.csv)"))
        if path:
            self.export_csv(path)


def compact_combo(tip: str = "") -> QComboBox:
    """A combo box that does not widen its dock to fit its longest item."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(11)
    box.setToolTip(tip)
    return box


def tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def probabilities(out: np.ndarray, logits: bool) -> np.ndarray:
    """Class probabilities from a classifier's output (n, 1) or (n, k)."""
    out = np.asarray(out, np.float64)
    if not logits:
        return out
    if out.shape[-1] == 1:
        return 1.0 / (1.0 + np.exp(-out))
    e = np.exp(out - out.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
