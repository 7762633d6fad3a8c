"""Menus, tool bar and shortcuts of the main window."""
from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar

from . import icons
from .dialogs import guarded
from .examples import examples


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def _action(win, text, slot=None, shortcut=None, icon=None, tip=None, checkable=False):
    act = QAction(text, win)
    if shortcut is not None:
        keys = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
        act.setShortcuts([QKeySequence(k) for k in keys])
    if icon:
        act.setIcon(icons.tool_icon(icon))
        act.setData(icon)
    if tip:
        act.setStatusTip(tip)
        act.setToolTip(tip)
    act.setCheckable(checkable)
    if slot is not None:
        act.triggered.connect(guarded(lambda *_: slot()))
    return act


def _open_preferences(win) -> None:
    from .preferences import open_preferences     # i18n only loads when asked for
    open_preferences(win)


def create_actions(win) -> SimpleNamespace:
    ed, view = win.editor, win.view
    a = SimpleNamespace()
    a.new = _action(win, tr("&New"), win.new_document, QKeySequence.New, "new", tr("Start an empty design"))
    a.open = _action(win, tr("&Open…"), win.open_dialog, QKeySequence.Open, "open", tr("Open a design file"))
    a.save = _action(win, tr("&Save"), win.save, QKeySequence.Save, "save", tr("Save the design"))
    a.save_as = _action(win, tr("Save &As…"), win.save_as, QKeySequence.SaveAs)
    a.quit = _action(win, tr("&Quit"), win.close, QKeySequence.Quit)
    a.quit.setMenuRole(QAction.QuitRole)

    stack = win.document.stack
    a.undo = stack.createUndoAction(win, tr("&Undo"))
    a.undo.setShortcuts(QKeySequence.Undo)
    a.undo.setIcon(icons.tool_icon("undo"))
    a.undo.setData("undo")
    a.redo = stack.createRedoAction(win, tr("&Redo"))
    a.redo.setShortcuts([QKeySequence(QKeySequence.Redo), QKeySequence("Ctrl+Y")])
    a.redo.setIcon(icons.tool_icon("redo"))
    a.redo.setData("redo")
    a.cut = _action(win, tr("Cu&t"), ed.cut, QKeySequence.Cut)
    a.copy = _action(win, tr("&Copy"), ed.copy, QKeySequence.Copy)
    a.paste = _action(win, tr("&Paste"), ed.paste, QKeySequence.Paste)
    a.duplicate = _action(win, tr("D&uplicate"), ed.duplicate, "Ctrl+D")
    a.delete = _action(win, tr("&Delete"), ed.delete_selected, [QKeySequence.Delete, "Backspace"],
                       "delete", tr("Delete the selected blocks and connections"))
    a.select_all = _action(win, tr("Select &All"), ed.select_all, QKeySequence.SelectAll)
    a.preferences = _action(win, tr("&Preferences…"), lambda: _open_preferences(win), "Ctrl+,", None,
                            tr("Language and colour theme"))
    a.preferences.setMenuRole(QAction.PreferencesRole)

    a.zoom_in = _action(win, tr("Zoom &In"), view.zoom_in, [QKeySequence.ZoomIn, "Ctrl+="], "zoom_in",
                        tr("Zoom in (or use the mouse wheel)"))
    a.zoom_out = _action(win, tr("Zoom &Out"), view.zoom_out, QKeySequence.ZoomOut, "zoom_out", tr("Zoom out"))
    a.zoom_reset = _action(win, tr("&Actual Size"), view.reset_zoom, "Ctrl+0")
    a.fit = _action(win, tr("&Fit to View"), view.fit_all, ["Ctrl+Shift+F", "F"], "fit",
                    tr("Show the whole design"))
    a.grid = _action(win, tr("Show &Grid"), None, None, "grid", checkable=True)
    a.grid.toggled.connect(win.set_grid_visible)
    a.snap = _action(win, tr("&Snap to Grid"), None, None, checkable=True)
    a.snap.toggled.connect(win.set_snap)
    a.layout = _action(win, tr("Auto &Layout"), ed.auto_layout, "Ctrl+L", "layout",
                       tr("Arrange the blocks in layers, left to right"))
    a.summary = _action(win, tr("Model &Summary…"), win.show_summary, "Ctrl+I")
    a.description = _action(win, tr("Show &Description"), win.show_description)
    a.about = _action(win, tr("&About NetDesigner"), win.about)
    # data, weights in and out, cross-validation (data_dialog, export_dialogs, kfold_dialog)
    a.data = _action(win, tr("&Data…"), win.open_data_dialog, None, None,
                     tr("Choose the data: a built-in set or a file, its columns, scaling and splits"))
    a.export_weights = _action(win, tr("&Export Trained Weights…"), win.export_weights_dialog, None, None,
                               tr("Write the trained weights as .npz, .safetensors or .onnx"))
    a.export_weights.setEnabled(False)
    a.import_weights = _action(win, tr("&Import Weights…"), win.import_weights_dialog, None, None,
                               tr("Load matching weights from a .npz or .safetensors file; training "
                                  "starts from them"))
    a.forget_weights = _action(win, tr("&Forget Imported Weights"), win.forget_imported_weights, None, None,
                               tr("Train from freshly initialised weights again"))
    a.forget_weights.setEnabled(False)
    a.cross_validate = _action(win, tr("&Cross-validate…"), win.cross_validate_dialog, None, None,
                               tr("k-fold cross-validation: train k fresh copies, report each fold "
                                  "and mean ± std"))
    a.tune = _action(win, tr("&Tune…"), win.tune_dialog, None, None,
                     tr("Hyper-parameter search: a study tries values of the searched parameters"))
    a.tune.setObjectName("tuneAction")

    a.theme_group = QActionGroup(win)
    a.theme_light = _action(win, tr("&Light"), None, checkable=True)
    a.theme_dark = _action(win, tr("&Dark"), None, checkable=True)
    for act, name in ((a.theme_light, "light"), (a.theme_dark, "dark")):
        a.theme_group.addAction(act)
        act.triggered.connect(lambda _c=False, n=name: win.set_theme(n))
    return a


def build_menus(win, a: SimpleNamespace) -> None:
    bar = win.menuBar()
    file = bar.addMenu(tr("&File"))
    file.addActions([a.new, a.open])
    win.recent_menu = file.addMenu(tr("Open &Recent"))
    win.recent_menu.aboutToShow.connect(win.fill_recent_menu)
    win.examples_menu = file.addMenu(icons.tool_icon("examples"), tr("&Examples"))
    for ex in examples():
        act = win.examples_menu.addAction(ex.name)
        act.setStatusTip(ex.description.split(". ")[0])
        act.setToolTip(ex.description)
        act.triggered.connect(guarded(lambda _c=False, p=str(ex.path): win.open_example(p)))
    win.examples_menu.setToolTipsVisible(True)
    file.addSeparator()
    file.addActions([a.save, a.save_as])
    file.addSeparator()
    file.addActions([a.import_weights, a.forget_weights, a.export_weights])
    file.addSeparator()
    file.addAction(a.quit)

    edit = bar.addMenu(tr("&Edit"))
    edit.addActions([a.undo, a.redo])
    edit.addSeparator()
    edit.addActions([a.cut, a.copy, a.paste, a.duplicate, a.delete])
    edit.addSeparator()
    edit.addAction(a.select_all)
    edit.addSeparator()
    edit.addAction(a.preferences)

    view = bar.addMenu(tr("&View"))
    view.addActions([a.zoom_in, a.zoom_out, a.zoom_reset, a.fit])
    view.addSeparator()
    view.addActions([a.grid, a.snap])
    view.addSeparator()
    theme = view.addMenu(icons.tool_icon("theme"), tr("&Theme"))
    theme.addActions([a.theme_light, a.theme_dark])
    win.panels_menu = view.addMenu(tr("&Panels"))

    design = bar.addMenu(tr("&Design"))
    design.addActions([a.layout, a.summary, a.description])
    design.addSeparator()
    design.addAction(a.data)

    win.help_menu = bar.addMenu(tr("&Help"))
    win.help_menu.addAction(a.about)


def keep_help_last(win) -> None:
    """Help stays the last menu (every platform's convention): menus added later, such as the
    dashboard's Run, go before it."""
    bar = win.menuBar()
    action = win.help_menu.menuAction()
    if bar.actions() and bar.actions()[-1] is not action:
        bar.removeAction(action)
        bar.addAction(action)


def build_toolbar(win, a: SimpleNamespace) -> QToolBar:
    bar = QToolBar(tr("Main"), win)
    bar.setObjectName("mainToolBar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonIconOnly)
    bar.addActions([a.new, a.open, a.save])
    bar.addSeparator()
    bar.addActions([a.undo, a.redo, a.delete])
    bar.addSeparator()
    bar.addActions([a.zoom_in, a.zoom_out, a.fit, a.layout, a.grid])
    win.addToolBar(Qt.TopToolBarArea, bar)
    return bar


def refresh_icons(win, a: SimpleNamespace) -> None:
    """Re-draw tool bar icons in the new theme's text colour."""
    for act in vars(a).values():
        if isinstance(act, QAction) and isinstance(act.data(), str):
            act.setIcon(icons.tool_icon(act.data()))
