"""The live training dashboard: dockable pyqtgraph panels, Run actions and a progress widget.

One call adds it to any QMainWindow::

    controller = install_dashboard(window, lambda: document.design, canvas.set_structure_locked)
    controller.attach_scene(scene)          # optional: tint nodes by gradient norm / |w|

Importing this package loads no Qt (names resolve on first use): a training *process* imports
``designer.dashboard.engine_loop`` and must not pay for Qt and pyqtgraph.
"""
from __future__ import annotations

import importlib

__all__ = ["install_dashboard", "TrainingController", "LossPanel", "GradientPanel", "WeightsPanel",
           "ActivationsPanel", "BoundaryPanel", "ResultsPanel"]
_WHERE = {"install_dashboard": "_install", "TrainingController": "controller", "LossPanel": "loss_panel",
          "GradientPanel": "gradient_panel", "WeightsPanel": "weights_panel",
          "ActivationsPanel": "activations_panel", "BoundaryPanel": "boundary_panel",
          "ResultsPanel": "results_panel"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
