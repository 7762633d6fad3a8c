"""Gradients through time: per recurrent layer, the norm of the loss' gradient with respect to its
hidden state at each time step, ‖∂L/∂h_t‖, on a log scale, updated every epoch.

Backpropagation through time multiplies the gradient by the recurrent Jacobian once per step, so
in a SimpleRNN it shrinks by orders of magnitude on its way back to the first steps: the curve
falls steeply towards t = 0. An LSTM's or GRU's gates keep a path along which it survives: the
curve stays nearly flat. The first epoch's curves stay on the plot, faded, for comparison.

Data: ``core.time_gradients.TimeGradients`` events. ``mount_time_gradient_panel`` adds the panel
to an installed dashboard.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QSizePolicy, QStackedWidget

from core.time_gradients import TimeGradients

from .base import Panel, key_title, layout_widget, pen, series_color, style_plot

# block types whose gradients through time the panel shows
RECURRENT_TYPES = ("SimpleRNN", "LSTM", "GRU")
FADED_ALPHA = 90


def positive(values: np.ndarray) -> np.ndarray:
    """The norms with non-positive and non-finite entries as NaN: a log axis has no place for
    them (a gap in the curve, not a line plunging to -inf)."""
    v = np.asarray(values, np.float64)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


class TimeGradientPanel(Panel):
    name = "time_gradients"
    accepts = (TimeGradients,)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.first_box = QCheckBox()
        self.first_box.setChecked(True)
        self.first_box.toggled.connect(self._mark)
        self.tools.insertWidget(1, self.first_box)
        self.stack = QStackedWidget()
        self.empty = QLabel()
        self.empty.setObjectName("dashboardEmpty")
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.stack.addWidget(self.empty)
        self.glw = layout_widget()
        self.stack.addWidget(self.glw)
        self.body.addWidget(self.stack)
        self.plot_area = self.stack
        self.plot = style_plot(self.glw.addPlot(row=0, col=0))
        self.plot.setLogMode(x=False, y=True)
        self.plot.getAxis("left").enableAutoSIPrefix(False)     # decades read 0.001, not "1 (×0.001)"
        self.curves: dict[str, pg.PlotDataItem] = {}      # layer → this epoch's curve
        self.first_curves: dict[str, pg.PlotDataItem] = {}
        self.history: dict[int, TimeGradients] = {}       # epoch → payload
        self.latest: TimeGradients | None = None
        self.first: TimeGradients | None = None
        self.recurrent_layers: list[str] | None = None    # from the run's info; None before any run
        self._retranslate()

    # ---- texts --------------------------------------------------------------------------------------
    def _retranslate(self) -> None:
        self.set_hint(self.tr("Gradient norm per time step of each recurrent layer (log scale)"))
        self.first_box.setText(self.tr("First epoch"))
        self.first_box.setToolTip(self.tr("Also show the first epoch's curves, faded, for comparison"))
        self.plot.setLabel("bottom", self.tr("time step t (0 = first)"))
        self.plot.setLabel("left", self.tr("‖∂L/∂hₜ‖"))
        self.dirty = True
        self.refresh()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _mark(self, *_):
        self.dirty = True
        self.refresh()

    # ---- the protocol ------------------------------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)
        self.recurrent_layers = [nid for nid, typ, _count, _tr in info.weight_layers if typ in RECURRENT_TYPES]
        self.history, self.latest, self.first = {}, None, None
        self._set_layers([])
        self.refresh()

    def handle(self, ev) -> None:
        if isinstance(ev, TimeGradients):
            self.history[ev.epoch] = ev
            self.latest = self.history[max(self.history)]
            self.first = self.history[min(self.history)]
            self.dirty = True

    def _set_layers(self, layers: list[str]) -> None:
        if list(self.curves) == layers:
            return
        for curve in (*self.curves.values(), *self.first_curves.values()):
            self.plot.removeItem(curve)
        self.curves, self.first_curves = {}, {}
        for i, lid in enumerate(layers):
            self.first_curves[lid] = self.plot.plot(pen=pen(i, 1.5, alpha=FADED_ALPHA, style=Qt.DashLine))
            self.curves[lid] = self.plot.plot(pen=pen(i, 2.0), symbol="o", symbolSize=4, symbolPen=None,
                                              symbolBrush=series_color(i))

    def refresh(self) -> None:
        self.dirty = False
        tg = self.latest
        if tg is None or not tg.per_layer:
            self._set_layers([])
            if tg is not None or self.recurrent_layers == []:
                text = self.tr("Add a SimpleRNN, LSTM or GRU block to see its gradients through time")
            elif self.recurrent_layers is None:
                text = self.tr("Train a design with a recurrent layer to see its gradients through time")
            else:
                text = self.tr("The gradients through time are measured at the end of each epoch…")
            self.empty.setText(text)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.glw)
        layers = list(tg.per_layer)
        self._set_layers(layers)
        show_first = self.first_box.isChecked() and self.first is not None and self.first.epoch != tg.epoch
        for lid, curve in self.curves.items():
            norms = tg.per_layer[lid]
            curve.setData(np.arange(len(norms), dtype=np.float64), positive(norms))
            faded = self.first_curves[lid]
            old = self.first.per_layer.get(lid) if show_first else None
            if old is None:
                faded.setData([], [])
                faded.hide()
            else:
                faded.setData(np.arange(len(old), dtype=np.float64), positive(old))
                faded.show()
        entries = [(lid, series_color(i), False) for i, lid in enumerate(layers)]
        if show_first:
            entries.append((self.tr("epoch {0}").format(self.first.epoch + 1), pg.mkColor("#888888"), True))
        key_title(self.plot, self.tr("Gradient norm per time step, epoch {0}").format(tg.epoch + 1), entries)
        self.plot.enableAutoRange()

    def empty_text(self) -> str | None:
        """The text shown instead of the plot, or None when the plot shows."""
        return None if self.stack.currentWidget() is self.glw else self.empty.text()

    def csv_table(self):
        rows = []
        for epoch in sorted(self.history):
            for lid, norms in self.history[epoch].per_layer.items():
                rows += [[epoch, lid, t, repr(float(v))] for t, v in enumerate(norms)]
        return ["epoch", "layer", "time_step", "grad_norm"], rows


def mount_time_gradient_panel(controller, window=None, beside: str = "gradients"):
    """Add a TimeGradientPanel to an installed dashboard (see ``_install.install_dashboard``):
    in ``controller.panels`` and ``controller.docks`` as "time_gradients", tabbed behind the dock
    named `beside`, with an entry in Run ▸ Dashboard Panels. Returns (panel, dock)."""
    from .mounting import mount_panel
    return mount_panel(controller, window, "time_gradients", TimeGradientPanel(),
                       QCoreApplication.translate("Dashboard", "Gradients Through Time"), beside)
