"""install_dashboard: the docks, the Training tool bar and the Run menu on a QMainWindow."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from core.designfile import Design

from .activations_panel import ActivationsPanel
from .boundary_panel import BoundaryPanel
from .controller import TrainingController
from .gradient_panel import GradientPanel
from .loss_panel import LossPanel
from .results_panel import ResultsPanel
from .weights_panel import WeightsPanel


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


def install_dashboard(main_window: QMainWindow, get_design: Callable[[], Design],
                      set_locked: Callable[[bool], None] | None = None, *, scene=None,
                      area: Qt.DockWidgetArea = Qt.BottomDockWidgetArea) -> TrainingController:
    """Add the dashboard docks, a Training tool bar and a Run menu to `main_window`.

    Args:
        main_window: any QMainWindow.
        get_design: returns the current Design; called when Train is pressed (a copy is trained).
        set_locked: called with True when a run starts (lock structural edits) and False after.
        scene: optional canvas QGraphicsScene to tint while training (see canvas_tint).
        area: where the docks go first (they can be moved, floated and tabbed).

    Returns:
        The TrainingController (actions, signals, the trained model).
    """
    panels = {"loss": LossPanel(), "gradients": GradientPanel(), "weights": WeightsPanel(),
              "activations": ActivationsPanel(), "boundary": BoundaryPanel(), "results": ResultsPanel()}
    titles = {"loss": _tr("Loss"), "gradients": _tr("Gradient Flow"), "weights": _tr("Weights"),
              "activations": _tr("Activations"), "boundary": _tr("Decision Boundary"), "results": _tr("Results")}
    docks: dict[str, QDockWidget] = {}
    for name, panel in panels.items():
        dock = QDockWidget(titles[name], main_window)
        dock.setObjectName(f"dashboard_{name}")        # saveState/restoreState keys
        dock.setWidget(panel)
        docks[name] = dock
    main_window.addDockWidget(area, docks["loss"])
    for left, right in (("loss", "gradients"), ("gradients", "weights"), ("weights", "boundary")):
        main_window.splitDockWidget(docks[left], docks[right], Qt.Horizontal)
    main_window.tabifyDockWidget(docks["weights"], docks["activations"])
    main_window.tabifyDockWidget(docks["boundary"], docks["results"])
    docks["weights"].raise_()
    docks["boundary"].raise_()

    controller = TrainingController(main_window, get_design, set_locked, panels)
    controller.docks = docks
    # Results come to the front when a run ends; the boundary while one runs (if it applies).
    controller.trainingFinished.connect(lambda end: end is not None and docks["results"].raise_())
    controller.runningChanged.connect(lambda running: running and docks["boundary"].raise_())

    toolbar = main_window.addToolBar(_tr("Training"))
    toolbar.setObjectName("trainingToolBar")
    for a in controller.actions():
        toolbar.addAction(a)
    controller.toolbar = toolbar
    # The status bar always has room; a tool bar shares its row and may push the widget out.
    main_window.statusBar().addPermanentWidget(controller.progress)

    menu = main_window.menuBar().addMenu(_tr("&Run"))
    menu.setObjectName("runMenu")
    for a in controller.actions():
        menu.addAction(a)
    menu.addSeparator()
    menu.addAction(controller.save_weights_action)
    tint = menu.addMenu(_tr("Canvas &Tint"))
    for a in controller.tint_actions.values():
        tint.addAction(a)
    views = menu.addMenu(_tr("Dashboard &Panels"))
    for dock in docks.values():
        views.addAction(dock.toggleViewAction())
    controller.menu = menu

    controller.statusMessage.connect(lambda text: main_window.statusBar().showMessage(text, 8000))
    if scene is not None:
        controller.attach_scene(scene)
    return controller
