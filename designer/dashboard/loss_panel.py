"""Loss panel: per-batch training loss (raw and smoothed), per-epoch train and validation loss,
the chosen metrics and the learning rate, with a log-scale toggle and the early-stopping point.
Fed by BatchLog events (the worker folds the trainer's BatchesEnd and EpochEnd into them).

x is the epoch as a float: batch b of epoch e (of B) sits at e + (b + 1)/B, an epoch's
summary at e + 1 — so batch and epoch curves share one axis.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

from core.events import TrainBegin

from .base import (Panel, PlotGrid, grow_x, key_title, layout_widget, log10_safe, pen, reset_ranges,
                   series_color, share_x, steady_range, style_plot)
from .buffers import Series, ema
from .engine_loop import BatchLog

SYMBOLS_UP_TO = 150       # epoch markers only while they are few (symbols are slow to draw)
DRAIN_EVERY = 64          # queued logs before they are appended even if nothing is drawn
THICK_UP_TO = 500         # 2 px lines only for curves this short: wide pens are ~3× slower to draw


class LossPanel(Panel):
    name = "loss"
    accepts = (BatchLog, TrainBegin)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.set_hint(self.tr("Training loss per batch and per epoch; metrics; learning rate"))
        self.log_box = QCheckBox(self.tr("Log scale"))
        self.log_box.setToolTip(self.tr("Show the loss on a logarithmic axis"))
        self.log_box.toggled.connect(self._set_log)
        self.tools.insertWidget(1, self.log_box)
        self.glw = self.plot_area = layout_widget()
        self.body.addWidget(self.glw)
        self.loss_plot = style_plot(self.glw.addPlot(row=0, col=0), self.tr("Loss"))
        self.metric_plot = style_plot(self.glw.addPlot(row=1, col=0), self.tr("Metrics"))
        self.lr_plot = style_plot(self.glw.addPlot(row=2, col=0), self.tr("Learning rate"), self.tr("epoch"))
        # Loss gets a row (or column) of its own; metrics and learning rate share the next one.
        self.grid = PlotGrid(self.glw, lead=True)
        self.grid.set_items([self.loss_plot, self.metric_plot, self.lr_plot])
        share_x(self.loss_plot, self.metric_plot, self.lr_plot)
        key_title(self.loss_plot, self.tr("Loss"), [(self.tr("batch"), series_color(0).lighter(150), False),
                                                    (self.tr("smoothed"), series_color(0), False),
                                                    (self.tr("train"), series_color(1), False),
                                                    (self.tr("val"), series_color(3), False)])
        self.c_raw = self.loss_plot.plot(pen=pen(0, 1, alpha=70))
        self.c_smooth = self.loss_plot.plot(pen=pen(0, 1))
        self.c_train = self.loss_plot.plot(pen=pen(1, 2))
        self.c_val = self.loss_plot.plot(pen=pen(3, 2))
        self.c_lr = self.lr_plot.plot(pen=pen(4, 1))
        self.best_line = pg.InfiniteLine(angle=90, pen=pen("#888888", 1.5, style=Qt.DashLine),
                                         label="", labelOpts={"position": 0.9, "color": "#888888"})
        self.loss_plot.addItem(self.best_line)
        self.best_line.hide()
        self.end_line = pg.InfiniteLine(angle=90, pen=pen("#e15759", 1.5, style=Qt.DotLine),
                                        label="", labelOpts={"position": 0.75, "color": "#e15759"})
        self.loss_plot.addItem(self.end_line)
        self.end_line.hide()
        self.metric_curves: dict[str, tuple[Series, pg.PlotDataItem]] = {}
        self._clear()

    def _clear(self) -> None:
        self.raw, self.smooth, self.lr = Series(), Series(), Series()
        self.train, self.val = Series(4096), Series(4096)
        self._ema_state = (0.0, 0)
        self._pending: list = []
        self.best_epoch = None
        self.epochs = None
        reset_ranges(self.loss_plot, self.metric_plot, self.lr_plot)
        for series, curve in self.metric_curves.values():
            self.metric_plot.removeItem(curve)
        self.metric_curves = {}
        key_title(self.metric_plot, self.tr("Metrics"), [])
        self.best_line.hide()
        self.end_line.hide()

    # ---- protocol -------------------------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)
        self._clear()

    def handle(self, ev) -> None:
        # Only queued here: joined and appended once per redraw (or every DRAIN_EVERY logs while
        # the panel is hidden, so memory stays bounded).
        if isinstance(ev, BatchLog):
            self._pending.append(ev)
            self.dirty = True
            if len(self._pending) >= DRAIN_EVERY:
                self._drain()
        elif isinstance(ev, TrainBegin):
            self.epochs = ev.epochs
            self.dirty = True

    def _drain(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        losses = np.concatenate([ev.losses for ev in pending])
        if len(losses):
            x = np.concatenate([ev.x for ev in pending])
            self.raw.append(x, losses)
            smooth, self._ema_state = ema(losses, self._ema_state)
            self.smooth.append(x, smooth)
            self.lr.append(x, np.concatenate([ev.lrs for ev in pending]))
        by_key: dict[str, tuple[list, list]] = {}
        for ev in pending:
            for x, logs in zip(ev.epoch_x.tolist(), ev.epoch_logs):
                for key, value in logs.items():
                    xs, ys = by_key.setdefault(key, ([], []))
                    xs.append(x)
                    ys.append(value)
        for key, (xs, ys) in by_key.items():
            if key == "loss":
                self.train.append(xs, ys)
            elif key == "val_loss":
                self.val.append(xs, ys)
            elif key != "lr":
                self._metric(key).append(xs, ys)

    def _metric(self, key: str) -> Series:
        if key not in self.metric_curves:
            base = key[4:] if key.startswith("val_") else key
            names = sorted({k[4:] if k.startswith("val_") else k for k in self.metric_curves} | {base})
            i = names.index(base) + 5
            style = Qt.DashLine if key.startswith("val_") else Qt.SolidLine
            curve = self.metric_plot.plot(pen=pen(i, 2, style=style))
            self.metric_curves[key] = (Series(4096), curve)
            key_title(self.metric_plot, self.tr("Metrics"),
                      [(k, c.opts["pen"].color(), k.startswith("val_")) for k, (_s, c) in self.metric_curves.items()])
        return self.metric_curves[key][0]

    def refresh(self) -> None:
        self._drain()
        self.c_raw.setData(self.raw.x, self.raw.y)
        self.c_smooth.setData(self.smooth.x, self.smooth.y)
        self.c_lr.setData(self.lr.x, self.lr.y)
        for series, curve, color in ((self.train, self.c_train, 1), (self.val, self.c_val, 3)):
            few = len(series) <= SYMBOLS_UP_TO
            curve.setData(series.x, series.y, symbol="o" if few else None, symbolSize=5,
                          symbolBrush=series_color(color), symbolPen=None)
            _thin_when_long(curve, len(series))
        for series, curve in self.metric_curves.values():
            curve.setData(series.x, series.y)
            _thin_when_long(curve, len(series))
        self._ranges()
        self.dirty = False

    def _ranges(self) -> None:
        last = max(self.raw.x[-1] if len(self.raw) else 0.0, self.train.x[-1] if len(self.train) else 0.0)
        grow_x(self.loss_plot, last, self.epochs)
        ys = np.concatenate([self.raw.y, self.smooth.y, self.train.y, self.val.y])
        steady_range(self.loss_plot, log10_safe(ys) if self.log_box.isChecked() else ys)
        if self.metric_curves:
            steady_range(self.metric_plot, np.concatenate([s.y for s, _c in self.metric_curves.values()]))
        steady_range(self.lr_plot, self.lr.y)

    def finish(self, end) -> None:
        super().finish(end)
        self._drain()
        self.best_epoch = end.best_epoch
        if end.best_epoch is not None:
            self.best_line.setValue(end.best_epoch + 1)
            self.best_line.label.setFormat(self.tr("best: epoch {0}").format(end.best_epoch + 1))
            self.best_line.show()
        if end.reason in ("early_stopping", "stopped", "diverged"):
            label = {"early_stopping": self.tr("early stop"), "stopped": self.tr("stopped"),
                     "diverged": self.tr("diverged")}[end.reason]
            x = self.raw.x[-1] if len(self.raw) else float(end.epochs_run)
            self.end_line.setValue(x)
            self.end_line.label.setFormat(label)
            self.end_line.show()

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self.loss_plot.getViewBox()._steady_y = False
        self.refresh()

    # ---- data ---------------------------------------------------------------------------------------
    def csv_table(self):
        self._drain()
        rows = []
        named = [("batch_loss", self.raw), ("batch_loss_smoothed", self.smooth), ("learning_rate", self.lr),
                 ("loss", self.train), ("val_loss", self.val)]
        named += [(k, s) for k, (s, _) in self.metric_curves.items()]
        for name, s in named:
            rows += [[name, repr(float(x)), repr(float(y))] for x, y in zip(s.x, s.y)]
        return ["series", "epoch", "value"], rows


def _thin_when_long(curve, n: int) -> None:
    """Draw a long curve with a 1 px (cosmetic) pen, a short one with 2 px."""
    p = curve.opts["pen"]
    want = 2.0 if n <= THICK_UP_TO else 1.0
    if p.widthF() != want:
        p = pg.mkPen(p)
        p.setWidthF(want)
        p.setCosmetic(True)
        curve.setPen(p)
