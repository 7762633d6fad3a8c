"""install_dashboard: the docks, the Training tool bar and the Run menu on a QMainWindow."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Slot
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QLabel, QMainWindow, QSizePolicy, QStyle, QToolButton,
                               QWidget)

from core.designfile import Design

from .activations_panel import ActivationsPanel
from .boundary_panel import BoundaryPanel
from .controller import TrainingController
from .gradient_panel import GradientPanel
from .loss_panel import LossPanel
from .progress import run_icon
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
        dock.setTitleBarWidget(DockTitleBar(dock, panel.tool_row))
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
    # No boundary to draw (more than two inputs): the activations panel, in the same place, instead.
    panels["boundary"].applicable.connect(lambda ok: ok or docks["activations"].raise_())

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
    # The image and sequence panels, tabs behind the activations and the gradient flow: a design
    # without Conv2D or recurrent layers sees only their tabs (and their empty states).
    from .feature_maps import mount_feature_map_panel
    from .sample_requests import relay_feature_samples
    from .time_gradients import mount_time_gradient_panel
    feature_panel, _ = mount_feature_map_panel(controller, main_window, beside="activations")
    mount_time_gradient_panel(controller, main_window, beside="gradients")
    relay_feature_samples(controller, feature_panel)
    docks["weights"].raise_()
    docks["boundary"].raise_()
    docks["gradients"].raise_()

    controller.statusMessage.connect(lambda text: main_window.statusBar().showMessage(text, 8000))
    if scene is not None:
        controller.attach_scene(scene)
    ThemeFollower(controller)
    return controller


class DockTitleBar(QWidget):
    """A dashboard dock's title bar that also carries its panel's tools (PNG, CSV, selectors).

    Two rows — Qt's title bar, then the tools — cost ~30 px of every plot's height; at 1366×768
    that is what keeps a plot above 230 px. Dragging the bar still moves and floats the dock
    (mouse presses on the bar itself are left to the QDockWidget), double-clicking floats it and
    docks it again; there is no float button, so that the panel's selector keeps its room.
    """

    def __init__(self, dock: QDockWidget, tools: QWidget):
        super().__init__(dock)
        self.setObjectName("dockTitleBar")
        self.setAttribute(Qt.WA_StyledBackground, True)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 1, 2, 1)
        row.setSpacing(2)
        self.title = QLabel(dock.windowTitle())
        self.title.setObjectName("dockTitle")
        dock.windowTitleChanged.connect(self.title.setText)
        row.addWidget(self.title)
        # The tools may be cut at the right rather than widen the dock (and the window) past the
        # screen: three docks side by side must fit 1366 px.
        tools.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        tools.setMinimumWidth(0)
        row.addWidget(tools, 1)
        self.close_button = QToolButton()
        self.close_button.setIcon(self.style().standardIcon(QStyle.SP_TitleBarCloseButton))
        self.close_button.setToolTip(_tr("Close this panel (Run ▸ Dashboard Panels shows it again)"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(dock.close)
        self.close_button.setObjectName("dockButton")
        row.addWidget(self.close_button)


class ThemeFollower(QObject):
    """Re-draws the Run actions' icons and re-colours every panel when the designer's theme
    changes at run time (icons drawn in the light theme's dark ink vanish on a dark tool bar).

    A child of the controller, so the connection to the global theme notifier ends with it.
    """

    def __init__(self, controller: TrainingController):
        super().__init__(controller)
        self.controller = controller
        try:
            from designer import theme
        except ImportError:             # a host without the designer's themes: nothing to follow
            return
        theme.notifier.changed.connect(self.retheme)

    @Slot(str)
    def retheme(self, _name: str = "") -> None:
        c = self.controller
        for action, icon in ((c.train_action, "train"), (c.pause_action, "pause"), (c.resume_action, "resume"),
                             (c.stop_action, "stop"), (c.evaluate_action, "evaluate")):
            action.setIcon(run_icon(icon))
        for panel in c.panels.values():
            panel.apply_theme()
