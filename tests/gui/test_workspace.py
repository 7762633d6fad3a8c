"""The Design/Train workspaces: every dashboard plot gets its room at 1366×768 in the default
Train arrangement, the switch goes both ways and remembers the user's own arrangement, and
training switches to Train by itself. Plus the pieces that make plots readable in that room."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("pyqtgraph")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QFontMetrics, QKeySequence  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer.dashboard.base import CategoryAxis, grid_cells  # noqa: E402
from designer.paths import resource  # noqa: E402

# What "readable" means here, per plot (title and axes included) and per panel plot area. At
# 1366×768 the Train arrangement measured 232–264 px per plot (the loss panel's three, the
# gradient panel's two) and ≥ 500 px per panel; the old tab strip gave ~150 px per *panel*.
MIN_PLOT = (190, 230)         # width, height of each PlotItem
MIN_AREA = (400, 480)         # width, height of each panel's plot area


def settle(n: int = 6) -> None:
    for _ in range(n):
        QApplication.processEvents()


def open_window(make_window, size=(1366, 768)):
    w = make_window(resize=False)
    w.resize(*size)
    assert w.install_dashboard()
    w.open_example(str(resource("examples", "spirals_batchnorm.json")))
    settle()
    return w


def binary_results_model():
    """Just what ResultsPanel.show_results reads: a split with known labels and predictions."""
    y = np.array([0, 0, 1, 1, 0, 1, 1, 0], np.int64).reshape(-1, 1)
    p = np.array([0.1, 0.4, 0.8, 0.6, 0.7, 0.3, 0.9, 0.2]).reshape(-1, 1)
    data = SimpleNamespace(task="binary", n_classes=2, class_names=["same signs", "opposite signs"],
                           X_test=np.zeros((8, 2)), y_test=y, X_val=None, y_val=None, X_train=None, y_train=None)
    return SimpleNamespace(data=data, executor=SimpleNamespace(predict=lambda X: p),
                           plan=SimpleNamespace(loss_code=-1))


def plot_items(panel) -> list:
    return [it for it in panel.glw.ci.items if isinstance(it, pg.PlotItem)]


def test_default_train_layout_gives_every_panel_its_room_at_1366x768(make_window, qtbot):
    w = open_window(make_window)
    ctl = w.training
    ctl.panels["results"].show_results(binary_results_model())
    w.workspace.set_mode("train")
    settle()
    assert (w.width(), w.height()) == (1366, 768)      # nothing pushed the window wider
    for key in ("palette", "inspector", "training", "problems", "history"):
        assert not w.docks[key].isVisible(), key
    canvas = w.view
    assert canvas.isVisible() and 60 <= canvas.height() <= 160 and canvas.width() > 1000   # the overview strip
    for name, dock in ctl.docks.items():
        dock.raise_()                                  # a tab behind another is measured in front
        panel = dock.widget()
        # Dock splitters settle through queued layout requests; on a loaded machine six passes of
        # the event loop were sometimes not enough. Wait for the layout, then judge it.
        room = panel.plot_area          # the plots' widget (the feature maps: their tiles' stack)
        try:
            qtbot.waitUntil(lambda: room.width() >= MIN_AREA[0] and room.height() >= MIN_AREA[1],
                            timeout=3000)
        except AssertionError:
            pass
        settle()
        area = room.size()
        assert dock.isVisible() and not dock.isFloating(), name
        assert area.width() >= MIN_AREA[0] and area.height() >= MIN_AREA[1], (name, area)
        if name in ("feature_maps", "time_gradients"):
            # A flat design: these panels say why they are empty, in the room measured above.
            assert panel.empty_text(), name
            continue
        items = plot_items(panel)
        assert items, name
        for item in items:
            size = item.size()
            assert size.width() >= MIN_PLOT[0] and size.height() >= MIN_PLOT[1], (name, size)
            vb = item.getViewBox().size()
            assert vb.width() > 120 and vb.height() > 120, (name, vb)


def test_train_layout_at_1920x1080_has_four_columns(make_window, qtbot):
    w = open_window(make_window, (1920, 1080))
    w.workspace.set_mode("train")
    settle()
    docks = w.training.docks
    visible = [d for d in docks.values() if not d.visibleRegion().isEmpty()]
    xs = sorted({d.x() for d in visible})
    assert len(xs) == 4, xs
    for d in visible:
        assert d.widget().glw.height() >= 700, d.objectName()
    # The panel's tools live in the title bar; the bar still floats its dock on a double-click.
    bar = docks["loss"].titleBarWidget()
    assert docks["loss"].widget().tool_row.parent() is bar
    qtbot.mouseDClick(bar, Qt.LeftButton, pos=bar.title.geometry().center())
    assert docks["loss"].isFloating()


def test_switching_modes_and_remembering_the_users_arrangement(make_window, settings, qtbot):
    w = open_window(make_window)
    ws, dash = w.workspace, w.training.docks
    assert ws.mode == "design" and w.docks["palette"].isVisible() and not dash["loss"].isVisible()
    assert ws.train_action.shortcut() == QKeySequence("Ctrl+2")
    assert ws.design_action.shortcut() == QKeySequence("Ctrl+1")
    assert ws.train_action in ws.menu.actions() and ws.train_action in ws.toolbar.actions()

    w.activateWindow()
    qtbot.waitActive(w)
    qtbot.keyClick(w.view, Qt.Key_2, Qt.ControlModifier)      # Ctrl+2, as typed
    settle()
    assert ws.mode == "train" and dash["loss"].isVisible() and not w.docks["palette"].isVisible()
    dash["weights"].close()                  # the user's own arrangement of the Train mode
    ws.design_action.trigger()
    settle()
    assert w.docks["palette"].isVisible() and w.docks["problems"].isVisible()
    assert not any(d.isVisible() for d in dash.values())
    ws.train_action.trigger()
    settle()
    assert dash["loss"].isVisible() and not dash["weights"].isVisible()   # remembered

    # ... and in the next session, from the settings.
    ws.design_action.trigger()
    w.close()
    w2 = open_window(make_window)
    assert w2.workspace.mode == "design" and not w2.training.docks["loss"].isVisible()
    w2.workspace.set_mode("train")
    settle()
    assert w2.training.docks["loss"].isVisible() and not w2.training.docks["weights"].isVisible()
    w2.workspace.forget()
    settle()
    assert w2.training.docks["weights"].isVisible()          # the default again


def test_training_switches_to_the_train_workspace(make_window, qtbot):
    w = open_window(make_window)
    ctl = w.training
    ctl.mode = "thread"
    assert w.workspace.mode == "design"
    with qtbot.waitSignal(ctl.runningChanged, timeout=600_000, check_params_cb=lambda running: not running):
        assert ctl.start()
        assert w.workspace.mode == "train" and ctl.docks["loss"].isVisible()
    assert w.workspace.mode == "train"       # stays for reading the results
    ctl.shutdown(5000)


def test_a_short_run_fills_the_dashboard_histories(make_window, qtbot):
    """xor trains in about a second; its gradient heat map and weight bands must still get a
    history (the dashboard's old 0.25 s throttle left ~4 samples of a 1-second run)."""
    w = make_window(resize=False)
    assert w.install_dashboard()
    w.open_example(str(resource("examples", "xor.json")))
    ctl = w.training          # the default worker mode: a process, as for every user
    with qtbot.waitSignal(ctl.runningChanged, timeout=600_000, check_params_cb=lambda running: not running):
        assert ctl.start()
    assert ctl.last_error == "" and ctl.last_end.reason == "completed"
    grads, weights = ctl.panels["gradients"], ctl.panels["weights"]
    # The trainer aims at 100-200 samples and halves them only if they cost too much of the run
    # (as on a busy 2-core machine): 30 is far above the throttle's ~4 either way.
    assert len(grads.mean_hist) >= 30
    assert all(len(f) >= 30 for f in weights.history.values())
    t = grads.mean_hist.t
    assert t[-1] - t[0] > 0.8 * ctl.last_end.epochs_run        # spread over the whole run


def test_a_constant_learning_rate_is_drawn_mid_plot_above_zero(qtbot):
    from designer.dashboard.base import steady_range
    glw = pg.GraphicsLayoutWidget()
    qtbot.addWidget(glw)
    plot = glw.addPlot()
    for _ in range(3):                     # steady: asked again, it stays
        steady_range(plot, [0.001] * 5)
        lo, hi = plot.getViewBox().viewRange()[1]
        assert lo == pytest.approx(0.0) and hi == pytest.approx(0.002)
    steady_range(plot, [0.001, 0.0005])    # a schedule: the range follows the values
    lo, hi = plot.getViewBox().viewRange()[1]
    assert lo <= 0.0005 and hi >= 0.001 and hi - lo < 0.001


def test_plots_are_stacked_in_a_column_and_side_by_side_in_a_strip():
    assert grid_cells(2, 430, 500) == [(0, 0, 1, 1), (1, 0, 1, 1)]
    assert grid_cells(2, 900, 300) == [(0, 0, 1, 1), (0, 1, 1, 1)]
    # three with a lead plot: it gets its own row in a column, its own column in a wide area
    assert grid_cells(3, 430, 600, lead=True) == [(0, 0, 1, 2), (1, 0, 1, 1), (1, 1, 1, 1)]
    assert grid_cells(3, 900, 500, lead=True) == [(0, 0, 2, 1), (0, 1, 1, 1), (1, 1, 1, 1)]
    assert grid_cells(3, 1500, 300, lead=True) == [(0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1)]


def test_confusion_matrix_names_never_overlap(qtbot):
    from designer.dashboard.results_panel import ResultsPanel
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.resize(330, 520)
    panel.show()
    panel.show_results(binary_results_model())
    settle()
    cm = panel.plots[0]
    bottom, left = cm.getAxis("bottom"), cm.getAxis("left")
    assert isinstance(bottom, CategoryAxis)
    assert left.shown == ["same signs", "opposite signs"]          # a side axis has the room
    (x0, x1), _ = cm.getViewBox().viewRange()
    cell = cm.getViewBox().width() / (x1 - x0)
    metrics = QFontMetrics(bottom.style.get("tickFont") or QApplication.font())
    widths = [metrics.horizontalAdvance(s) for s in bottom.shown]
    assert all(wd <= cell for wd in widths), (widths, cell)          # each name within its cell
    assert bottom.shown != bottom.names                               # here they had to be cut
    assert all(s.endswith("…") or s == n for s, n in zip(bottom.shown, bottom.names))
    # The scores are on their own line, whole: not cut by the split combo box.
    assert "accuracy 0.75" in panel.summary_label.text() and panel.summary_label.isVisible()
    assert panel.summary_label.width() >= QFontMetrics(panel.summary_label.font()).horizontalAdvance("accuracy 0.75")
