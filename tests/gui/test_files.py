"""Files: save and reopen, malformed and foreign files, the dirty marker, closing with unsaved
work, recent files, autosave and crash recovery."""
from __future__ import annotations

import json
import os

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMessageBox

from core.designfile import load_design
from designer import autosave, theme
from designer.commands import Connect, SetParams
from designer.examples import examples


def build_small(window):
    ed, graph = window.editor, window.document.graph
    a = ed.add_block("Input", QPointF(0, 0))
    b = ed.add_block("Dense", QPointF(300, 0))
    window.document.push(Connect(graph, a, b))
    window.document.push(SetParams(graph, b, {"units": 3, "kernel_initializer": "he_normal"}))
    return a, b


def test_save_then_reopen_gives_the_identical_design(window, make_window, tmp_path):
    assert window.open_example(str(examples()[2].path))       # digits MLP
    window.document.push(SetParams(window.document.graph, "dense1", {"units": 50}))
    path = str(tmp_path / "mine.json")
    window._save_to(path)
    assert not window.isWindowModified() and window.document.path == path
    other = make_window()
    assert other.open_path(path)
    assert other.document.design.to_dict() == window.document.design.to_dict()
    assert set(other.scene.node_items) == set(window.document.graph.nodes)
    other._save_to(str(tmp_path / "again.json"))
    assert (tmp_path / "again.json").read_text() == (tmp_path / "mine.json").read_text()
    assert other.recent_files()[0] == str(tmp_path / "again.json")


def test_save_uses_the_dialog_when_untitled(window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog
    build_small(window)
    target = str(tmp_path / "picked")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (target, "")))
    window.actions_.save.trigger()
    assert window.document.path == target + ".json" and os.path.exists(target + ".json")
    assert "picked.json" in window.windowTitle()


def test_malformed_file_shows_core_error_and_keeps_document(window, messages, tmp_path):
    build_small(window)
    before = window.document.design.to_dict()
    design_obj = window.document.design
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "netdesigner-design", "version": 1, "nodes": [ {"id": ')
    assert window.open_path(str(bad)) is False
    assert len(messages) == 1
    kind, title, text = messages[0]
    assert "not valid JSON" in text and "broken.json" in text
    assert "Traceback" not in text
    assert window.document.design is design_obj
    assert window.document.design.to_dict() == before
    assert window.isWindowModified()


def test_foreign_and_invalid_files_name_the_problem(window, messages, tmp_path):
    foreign = tmp_path / "package.json"
    foreign.write_text(json.dumps({"name": "left-pad", "version": "1.0.0"}))
    window.open_path(str(foreign))
    assert "not a NetDesigner design" in messages[-1][2]
    bad_param = tmp_path / "units.json"
    doc = json.loads((examples()[0].path).read_text())
    doc["nodes"][1]["params"]["units"] = 0
    bad_param.write_text(json.dumps(doc))
    window.open_path(str(bad_param))
    assert "nodes[1].params.units" in messages[-1][2]
    assert window.document.graph.nodes == {}


def test_dirty_marker_in_title(window):
    assert not window.isWindowModified() and "[*]" in window.windowTitle()
    build_small(window)
    assert window.isWindowModified()
    for _ in range(window.document.stack.count()):
        window.document.stack.undo()
    assert not window.isWindowModified()


def test_closing_with_unsaved_work_asks(window, messages):
    build_small(window)
    messages.answer = QMessageBox.Cancel
    assert window.close() is False and window.isVisible()
    assert messages[-1][0] == "question" and "Save the changes" in messages[-1][2]
    messages.answer = QMessageBox.Discard
    assert window.close() is True


def test_open_asks_before_replacing_unsaved_work(window, messages):
    build_small(window)
    messages.answer = QMessageBox.Cancel
    assert window.open_example(str(examples()[0].path)) is False
    assert len(window.document.graph.nodes) == 2
    messages.answer = QMessageBox.Discard
    assert window.open_example(str(examples()[0].path)) is True
    assert window.document.design.name == "XOR" and not window.isWindowModified()


def test_autosave_writes_recovery_file_and_recovery_is_offered(make_window, messages, tmp_path):
    folder = tmp_path / "rec"
    first = make_window(folder)
    saver = first.autosaver
    assert saver.timer.interval() == 30_000 and saver.timer.isActive()
    assert not saver.file.exists()
    build_small(first)
    saver.timer.timeout.emit()                      # what the 30 s timer does
    assert saver.file.exists()
    assert load_design(saver.file).to_dict() == first.document.design.to_dict()
    meta = json.loads(saver.meta.read_text())
    assert meta["name"] == "Untitled"
    # A second designer running at the same time must not offer it: its owner is alive.
    second = make_window(folder)
    assert autosave.orphans(folder) == []
    # Simulate a crash of the first: its lock goes, the recovery file stays.
    expected = first.document.design.to_dict()
    saver.lock.unlock()
    saver.timer.stop()
    messages.answer = QMessageBox.Yes
    assert second.offer_recovery() is True
    assert any("Recover" in title for _k, title, _t in messages)
    assert second.document.design.to_dict() == expected
    assert second.isWindowModified()
    assert not saver.file.exists()                 # taken over: not offered twice
    assert second.autosaver.file.exists()          # and protected again at once


def test_declined_recovery_is_removed_and_saving_clears_autosave(make_window, messages, tmp_path):
    folder = tmp_path / "rec"
    first = make_window(folder)
    build_small(first)
    first.autosaver.save_now()
    first.autosaver.lock.unlock()
    first.autosaver.timer.stop()
    second = make_window(folder)
    messages.answer = QMessageBox.No
    assert second.offer_recovery() is False
    assert autosave.orphans(folder) == [] and not first.autosaver.file.exists()
    build_small(second)
    second.autosaver.save_now()
    assert second.autosaver.file.exists()
    second._save_to(str(tmp_path / "saved.json"))
    assert not second.autosaver.file.exists()      # saved: nothing left to recover


def test_recent_files_menu(window, tmp_path):
    build_small(window)
    for name in ("a.json", "b.json"):
        window._save_to(str(tmp_path / name))
    assert window.recent_files()[:2] == [str(tmp_path / "b.json"), str(tmp_path / "a.json")]
    window.fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert any("b.json" in t for t in texts) and any("a.json" in t for t in texts)


def test_geometry_and_theme_persist(window, make_window, settings, restore_style):
    window.resize(760, 560)     # fits the offscreen screen (restoreGeometry clamps to it)
    window.actions_.theme_dark.trigger()
    window.save_window_state()
    assert settings.value("view/theme") == "dark"
    theme.apply("light")                    # as at a fresh start: the window applies its setting
    again = make_window(resize=False)
    assert theme.current().name == "dark"
    assert (again.size().width(), again.size().height()) == (760, 560)
    assert again.actions_.theme_dark.isChecked()
    again.actions_.theme_light.trigger()


def test_a_real_crash_leaves_a_recovery_file_that_is_offered(tmp_path):
    """A designer process that dies without cleaning up (os._exit) leaves its lock behind; the
    lock's owner is gone, so the next start finds the recovery file."""
    import subprocess
    import sys
    code = (
        "import os, sys\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from designer.document import Document\n"
        "from designer.autosave import AutoSaver\n"
        "from designer.commands import AddNode\n"
        "doc = Document(); saver = AutoSaver(doc, sys.argv[1])\n"
        "doc.push(AddNode(doc.graph, doc.graph.make_node('Dense', node_id='crashed')))\n"
        "assert saver.save_now()\n"
        "os._exit(3)\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, timeout=60,
                         capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(
                             os.path.dirname(os.path.abspath(__file__)))))
    assert out.returncode == 3, out.stderr
    found = autosave.orphans(tmp_path)
    assert len(found) == 1
    assert "crashed" in found[0].load().graph.nodes
    found[0].remove()
    assert autosave.orphans(tmp_path) == []
