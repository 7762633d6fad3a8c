"""Launch, palette, icons, themes, error handling, and the PySide6 signal regression."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from core.blocks import BLOCKS, GROUPS, block_docs
from designer import icons, theme
from designer.launch import is_subcommand

ROOT = Path(__file__).resolve().parents[2]


def test_subcommand_detection(tmp_path):
    design = tmp_path / "d.json"
    design.write_text("{}")
    assert is_subcommand(["train", "x.json"]) and is_subcommand(["summary"])
    assert not is_subcommand([]) and not is_subcommand(["--theme", "dark"])
    assert not is_subcommand([str(design)]) and not is_subcommand(["new_design.json"])


def test_subcommand_runs_core_cli_without_importing_qt():
    code = ("import sys; from designer.launch import main; "
            "rc = main(['summary', 'resources/examples/xor.json']); "
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'; "
            "sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Total params: 33" in out.stdout        # xor: 2·8 + 8 (hidden) + 8·1 + 1 (output)


def test_start_up_is_fast_and_never_loads_numba(tmp_path):
    code = ("import time, sys; t = time.perf_counter(); "
            "from designer.app import create_app; app = create_app(); "
            "from designer.main_window import MainWindow; "
            "w = MainWindow(recovery_dir=sys.argv[1]); w.show(); app.processEvents(); "
            "print(time.perf_counter() - t, 'numba' in sys.modules); "
            "w.autosaver.shutdown()")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "recovery")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    seconds, numba_loaded = out.stdout.split()[-2:]
    assert numba_loaded == "False"       # no JIT compilation anywhere near start-up
    assert float(seconds) < 4.0          # well under 2 s on a warm desktop; CI boxes are slower


def test_palette_holds_every_block_grouped_with_icon_and_tooltip(window):
    palette = window.palette
    assert set(palette.block_items) == set(BLOCKS)
    docs = block_docs()
    assert list(palette.group_items) == [g for g in GROUPS if any(
        BLOCKS.get(n).group == g for n in BLOCKS)]
    for name, item in palette.block_items.items():
        assert item.parent() is palette.group_items[BLOCKS.get(name).group]
        assert docs[name]["summary"] in item.toolTip(0)
        for size in (16, 32):
            pm = item.icon(0).pixmap(size, size)
            assert pm.width() == size
            assert QColor(pm.toImage().pixel(size // 2, 2)).alpha() > 0


def test_palette_filter(window):
    palette = window.palette
    palette.filter.setText("norm")
    assert set(palette.visible_blocks()) == {"BatchNorm", "LayerNorm", "SELU"}  # SELU "normalised"
    palette.filter.setText("relu")
    assert {"ReLU", "LeakyReLU", "PReLU", "RReLU"} <= set(palette.visible_blocks())
    assert "Dense" not in palette.visible_blocks()
    palette.filter.clear()
    assert set(palette.visible_blocks()) == set(BLOCKS)


def test_icons_draw_at_16_and_32_for_every_block_and_tool():
    for name in BLOCKS:
        assert (BLOCKS.get(name).icon or name) in icons.GLYPHS, name     # the glyph a block names (icons.block_icon)
    for name in icons.TOOLBAR:
        img = icons.tool_icon(name).pixmap(16, 16).toImage()
        assert any(QColor(img.pixel(x, y)).alpha() for x in range(16) for y in range(16))


def test_theme_switch_restyles_the_application(window, restore_style):
    app = QApplication.instance()
    window.actions_.theme_dark.trigger()
    assert theme.current().name == "dark"
    assert app.palette().window().color().lightness() < 80
    assert theme.current().colors["window"] in app.styleSheet()
    window.actions_.theme_light.trigger()
    assert app.palette().window().color().lightness() > 200


def test_an_exception_in_a_slot_becomes_a_dialog(window, messages):
    from designer.dialogs import guarded

    @guarded
    def broken():
        raise ZeroDivisionError("division by zero")

    assert broken() is None
    kind, _title, text = messages[-1]
    assert kind == "critical" and "ZeroDivisionError: division by zero" in text
    assert "Traceback" not in text


def test_a_core_error_is_shown_as_its_own_message(window, messages):
    window.palette.blockActivated.emit("NoSuchBlock")       # through the guarded slot
    assert "unknown block type 'NoSuchBlock'" in messages[-1][2]


class _Emitter(QObject):
    number = Signal(int)
    flag = Signal(bool)


def test_hundred_thousand_signal_emissions():
    """PySide6 6.12.0 on Python 3.11 aborted (bool_dealloc) after a few hundred emits."""
    e = _Emitter()
    seen = [0, 0]
    e.number.connect(lambda v: seen.__setitem__(0, seen[0] + 1))
    e.flag.connect(lambda v: seen.__setitem__(1, seen[1] + (1 if v else 0)))
    for i in range(50_000):
        e.number.emit(i)
        e.flag.emit(True)
    assert seen == [50_000, 50_000]


def test_dashboard_installs_into_the_main_window(window):
    assert window.install_dashboard()
    titles = {d.windowTitle() for d in window.findChildren(type(window.docks["problems"]))}
    assert {"Loss", "Gradient Flow"} <= titles
    assert window.training is not None
    assert window.size().width() < 2000        # its docks are tabbed, not side by side


def test_uncaught_exceptions_reach_a_dialog_through_the_excepthook(window, messages, monkeypatch):
    from designer.dialogs import install_excepthook
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)   # restored after the test
    install_excepthook()
    try:
        raise KeyError("lost")
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert messages[-1][0] == "critical" and "KeyError" in messages[-1][2]


def test_pan_with_the_middle_button(window, act):
    from PySide6.QtCore import QPointF, Qt
    view = window.view
    view.set_zoom(1.0)
    before = view.mapToScene(view.viewport().rect().center())
    start = before
    act.mouse(view, "press", start, buttons=Qt.MiddleButton, button=Qt.MiddleButton)
    act.mouse(view, "move", start + QPointF(120, 80), buttons=Qt.MiddleButton, button=Qt.MiddleButton)
    act.mouse(view, "release", start + QPointF(120, 80), buttons=Qt.NoButton, button=Qt.MiddleButton)
    after = view.mapToScene(view.viewport().rect().center())
    assert after.x() < before.x() - 60 and after.y() < before.y() - 40


def test_menu_order_ends_with_run_then_help(window):
    def titles():
        return [a.text().replace("&", "") for a in window.menuBar().actions() if a.menu() is not None]
    assert titles()[:4] == ["File", "Edit", "View", "Design"] and titles()[-1] == "Help"
    window.install_dashboard()                     # adds Run (or its fallback Run menu)
    names = titles()
    assert names[:4] == ["File", "Edit", "View", "Design"]
    assert names[-2:] == ["Run", "Help"], names
