"""Adding a panel to a dashboard that is already installed (``_install.install_dashboard``).

Panels built after the dashboard (the feature-map and time-gradient panels, until they are part
of the default set) join it as every other panel is: in ``controller.panels`` (reset per run,
fed the events their ``accepts`` names), in ``controller.docks`` (the Train workspace shows and
arranges them), with the panel's tools in the dock's title bar and an entry in
Run ▸ Dashboard Panels.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDockWidget

from ._install import DockTitleBar


def mount_panel(controller, window, key: str, panel, title: str, beside: str | None = None):
    """Dock `panel` as `key` in `window` (default: the controller's window), tabbed behind the
    dashboard dock `beside` when there is one; returns (panel, dock)."""
    window = window or controller.window
    if key in controller.panels:
        raise ValueError(f"the dashboard already has a panel named '{key}'")
    dock = QDockWidget(title, window)
    dock.setObjectName(f"dashboard_{key}")            # saveState/restoreState keys
    dock.setWidget(panel)
    dock.setTitleBarWidget(DockTitleBar(dock, panel.tool_row))
    docks = getattr(controller, "docks", None)
    if docks is None:
        docks = controller.docks = {}
    neighbour = docks.get(beside) if beside else None
    dock.setProperty("trainBeside", beside or "")     # the Train workspace's default tabs it there
    if neighbour is not None:
        window.tabifyDockWidget(neighbour, dock)
        dock.setVisible(neighbour.isVisible())
    else:
        window.addDockWidget(window.dockWidgetArea(next(iter(docks.values()))) if docks else
                             _bottom(), dock)
    docks[key] = dock
    controller.panels[key] = panel
    controller._routes.clear()          # which panels take which event type: worked out again
    if controller.info is not None:     # a run is going on: start from what it has sent
        panel.reset(controller.info)
    menu = _panels_menu(controller)
    if menu is not None:
        menu.addAction(dock.toggleViewAction())
    return panel, dock


def _bottom():
    from PySide6.QtCore import Qt
    return Qt.BottomDockWidgetArea


def _panels_menu(controller):
    """Run ▸ Dashboard Panels: the submenu of the Run menu that toggles the loss dock."""
    menu, docks = getattr(controller, "menu", None), getattr(controller, "docks", {})
    loss = docks.get("loss")
    if menu is None or loss is None:
        return None
    for act in menu.actions():
        sub = act.menu()
        if sub is not None and loss.toggleViewAction() in sub.actions():
            return sub
    return None
