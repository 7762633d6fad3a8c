"""Live intervention: change the learning rate, freeze or unfreeze a layer while training runs.

A small bar (a dock beside the dashboard; Run ▸ Intervene…) sends the change to the running
trainer (core.trainer.Trainer.set_learning_rate_scale / set_trainable, through the worker: at
once in thread mode, over the command pipe in process mode). The trainer applies it at its next
chunk boundary and reports an ``Intervention`` event; each one becomes a vertical marker on every
curve that has epochs on its x axis, and the run history keeps it (core.runs.RunRecorder).

Only this module knows about interventions on the GUI side; the controller is wired with a few
lines (``install_intervention``).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDockWidget, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton,
                               QWidget)

from core.events import Intervention

# The dashboard's plots whose x axis is the epoch: where a marker goes.
EPOCH_PLOTS = {"loss": ("loss_plot", "metric_plot", "lr_plot"), "gradients": ("heat_plot",),
               "weights": ("band_plot",), "activations": ("dead_plot", "sat_plot")}
MARKER_COLOR = "#f28e2b"


class InterventionBar(QWidget):
    """Learning rate ×[scale] [Apply]   Layer [combo] [Freeze] [Unfreeze]."""

    scaleRequested = Signal(float)
    trainableRequested = Signal(str, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("interventionBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(QLabel(self.tr("Learning rate ×")))
        self.scale = QDoubleSpinBox()
        self.scale.setObjectName("lrScale")
        self.scale.setDecimals(3)
        self.scale.setRange(0.001, 100.0)
        self.scale.setValue(1.0)
        self.scale.setSingleStep(0.1)
        self.scale.setToolTip(self.tr("Factor on the learning rate of the settings (and its schedule), from the "
                                      "next chunk of batches on"))
        row.addWidget(self.scale)
        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.clicked.connect(lambda: self.scaleRequested.emit(self.scale.value()))
        row.addWidget(self.apply_button)
        row.addSpacing(16)
        row.addWidget(QLabel(self.tr("Layer")))
        self.layer = QComboBox()
        self.layer.setObjectName("interventionLayer")
        self.layer.setMinimumContentsLength(10)
        row.addWidget(self.layer)
        self.freeze_button = QPushButton(self.tr("Freeze"))
        self.freeze_button.setToolTip(self.tr("Stop updating this layer's weights while the run goes on"))
        self.freeze_button.clicked.connect(lambda: self._layer_request(False))
        row.addWidget(self.freeze_button)
        self.unfreeze_button = QPushButton(self.tr("Unfreeze"))
        self.unfreeze_button.clicked.connect(lambda: self._layer_request(True))
        row.addWidget(self.unfreeze_button)
        row.addStretch(1)
        self.set_running(False)

    def _layer_request(self, trainable: bool) -> None:
        node_id = self.layer.currentData()
        if node_id:
            self.trainableRequested.emit(node_id, trainable)

    def set_layers(self, node_ids: list[str]) -> None:
        self.layer.clear()
        for nid in node_ids:
            self.layer.addItem(nid, nid)

    def set_running(self, running: bool) -> None:
        for w in (self.scale, self.apply_button, self.layer, self.freeze_button, self.unfreeze_button):
            w.setEnabled(running)


class InterventionHooks(QObject):
    """Ties the bar to a TrainingController: sends changes to its worker, reads its Intervention
    events, draws the markers. `interventions` lists the events of the current run."""

    intervened = Signal(object)          # an Intervention event, once applied

    def __init__(self, controller, bar: InterventionBar):
        super().__init__(controller)
        self.controller = controller
        self.bar = bar
        self.interventions: list[Intervention] = []
        self.markers: list = []            # (PlotItem, InfiniteLine)
        self._worker = None
        bar.scaleRequested.connect(self.set_learning_rate_scale)
        bar.trainableRequested.connect(self.set_trainable)
        controller.runningChanged.connect(self._running_changed)

    # ---- to the run --------------------------------------------------------------------------------
    def _send(self, change: str, node_id: str, value: float) -> bool:
        worker = getattr(self.controller, "_worker", None)
        if worker is None or not hasattr(worker, "intervene"):
            return False
        worker.intervene(change, node_id, value)
        return True

    def set_learning_rate_scale(self, scale: float) -> bool:
        return self._send("learning_rate_scale", "", float(scale))

    def set_trainable(self, node_id: str, trainable: bool) -> bool:
        return self._send("trainable", node_id, 1.0 if trainable else 0.0)

    # ---- from the run ------------------------------------------------------------------------------
    def _running_changed(self, running: bool) -> None:
        self.bar.set_running(running)
        if not running:
            return
        self.clear_markers()
        self.interventions = []
        try:
            design = self.controller.get_design()
            layers = [nid for nid, n in design.graph.nodes.items() if "trainable" in n.params]
        except Exception:       # noqa: BLE001 - an unloadable design simply offers no layers
            layers = []
        self.bar.set_layers(layers)
        worker = getattr(self.controller, "_worker", None)
        if worker is not None and worker is not self._worker:
            self._worker = worker
            worker.events.connect(self._on_events)

    def _on_events(self, batch: list) -> None:
        for ev in batch:
            if type(ev) is Intervention:
                self.interventions.append(ev)
                self.add_marker(ev)
                self.controller.statusMessage.emit(self.describe(ev))
                self.intervened.emit(ev)

    def describe(self, ev: Intervention) -> str:
        if ev.change == "learning_rate_scale":
            return self.tr("Learning rate × {0} from epoch {1:.2f}").format(f"{ev.value:g}", ev.position)
        if ev.value:
            return self.tr("{0} unfrozen from epoch {1:.2f}").format(ev.node_id, ev.position)
        return self.tr("{0} frozen from epoch {1:.2f}").format(ev.node_id, ev.position)

    def _plots(self):
        panels = getattr(self.controller, "panels", {})
        for name, attrs in EPOCH_PLOTS.items():
            panel = panels.get(name)
            for attr in attrs:
                plot = getattr(panel, attr, None) if panel is not None else None
                if plot is not None:
                    yield plot

    def add_marker(self, ev: Intervention) -> None:
        import pyqtgraph as pg
        label = (f"η×{ev.value:g}" if ev.change == "learning_rate_scale"
                 else ("❄ " if not ev.value else "") + ev.node_id)
        for plot in self._plots():
            line = pg.InfiniteLine(pos=ev.position, angle=90, movable=False,
                                   pen=pg.mkPen(MARKER_COLOR, width=1.5, style=Qt.DashDotLine),
                                   label=label, labelOpts={"position": 0.9, "color": MARKER_COLOR})
            line.setToolTip(self.describe(ev))
            line.setZValue(5)
            plot.addItem(line, ignoreBounds=True)
            self.markers.append((plot, line))

    def clear_markers(self) -> None:
        for plot, line in self.markers:
            try:
                plot.removeItem(line)
            except RuntimeError:        # the plot is already deleted
                pass
        self.markers = []


def install_intervention(window, controller) -> InterventionHooks:
    """A dock with the intervention bar (tabbed under the dashboard's tool bar area), a Run menu
    entry that shows it, and the hooks."""
    bar = InterventionBar()
    dock = QDockWidget(bar.tr("Intervene"), window)
    dock.setObjectName("dashboard_intervention")
    dock.setWidget(bar)
    window.addDockWidget(Qt.TopDockWidgetArea, dock)
    dock.hide()
    hooks = InterventionHooks(controller, bar)
    hooks.dock = dock
    menu = getattr(controller, "menu", None)
    action = dock.toggleViewAction()
    action.setText(bar.tr("&Intervene While Training"))
    action.setStatusTip(bar.tr("Change the learning rate or freeze a layer while the run goes on"))
    if menu is not None:
        menu.addAction(action)
    hooks.action = action
    return hooks
