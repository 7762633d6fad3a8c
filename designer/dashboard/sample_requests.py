"""Where the feature-map panel's ``sampleRequested(index)`` goes.

While a run goes, to the training worker (thread or process): the trainer sends that sample's
FeatureMaps between two chunks, or at once while paused, and later epoch ends show that sample.
After the run, the trained model is at hand in this process: the maps are computed here (one
forward of one sample, core.stats.feature_maps) and handed to the panel directly.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Slot


class FeatureSampleRelay(QObject):
    """A child of the controller: connects the panel's requests to the run or the trained model."""

    def __init__(self, controller, panel):
        super().__init__(controller)
        self.controller = controller
        self.panel = panel
        panel.sampleRequested.connect(self.request)

    @Slot(int)
    def request(self, index: int) -> None:
        c = self.controller
        worker = getattr(c, "_worker", None)
        if worker is not None and not getattr(c, "_ended", True):
            worker.request_feature_maps(index)
            return
        model = c.model
        if model is None or model.data is None or getattr(c, "_awaiting_model", False):
            return
        from core.stats import feature_maps
        d = model.data
        rows = d.X_val if d.X_val is not None and len(d.X_val) else d.X_train
        fm = feature_maps(model.executor, rows, index)
        if fm is not None:
            self.panel.handle(fm)
            self.panel.refresh()


def relay_feature_samples(controller, panel) -> FeatureSampleRelay:
    return FeatureSampleRelay(controller, panel)
