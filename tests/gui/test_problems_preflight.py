"""The Problems panel and the status bar's "ready to train" follow the pre-flight (core.preflight):
what Train would meet is listed before Train, the data loads off the GUI thread, and an empty
design is a neutral start."""
from __future__ import annotations

import threading

from PySide6.QtCore import QPointF

from core import preflight as pf
from designer.commands import Connect, SetParams, SetSetting


def build(window, *blocks):
    """Input(2) → blocks (type, params) on the canvas; the last node's id."""
    doc = window.document
    prev = window.editor.add_block("Input", QPointF(0, 0))
    doc.push(SetParams(doc.graph, prev, {"shape": [2]}))
    for i, (typ, params) in enumerate(blocks):
        nid = window.editor.add_block(typ, QPointF(260 * (i + 1), 0))
        if params:
            doc.push(SetParams(doc.graph, nid, params))
        if not doc.graph.input_edges(nid) or doc.graph.input_edges(nid)[0] is None:
            doc.push(Connect(doc.graph, prev, nid))
        prev = nid
    return prev


def settled(window, qtbot):
    qtbot.waitUntil(lambda: not window.problems.checking, timeout=600_000)
    return window.problems.problems


def test_empty_design_is_neutral(window):
    panel = window.problems
    assert window.document.graph.nodes == {}
    assert panel.problems == [] and panel.list.count() == 0 and not panel.checking
    assert window.problem_label.property("role") != "error"
    assert "ready" not in window.problem_label.text()


def test_output_wider_than_the_targets_is_listed_before_train(window, qtbot):
    pf.clear_data_cache()
    dense = build(window, ("Dense", {"units": 16}))
    assert window.scene.problems == []                 # the graph alone is fine
    problems = settled(window, qtbot)
    assert [p.node_id for p in problems] == [dense]
    assert "16 units" in problems[0].reason and "1 column" in problems[0].reason
    assert window.problems.list.count() == 1
    assert "ready" not in window.problem_label.text() and "1 problem" in window.problem_label.text()

    window.document.push(SetParams(window.document.graph, dense, {"units": 1}))
    assert settled(window, qtbot) == []
    assert "ready" in window.problem_label.text()


def test_a_settings_edit_is_checked_too(window, qtbot):
    build(window, ("Dense", {"units": 1}))
    assert settled(window, qtbot) == []
    window.document.push(SetSetting(window.document, ("training", "loss"),
                                    {"name": "binary_crossentropy", "params": {"from_logits": False}}))
    problems = settled(window, qtbot)
    assert [p.severity for p in problems] == ["warning"] and "from_logits" in problems[0].reason
    assert "warning" in window.problems.list.item(0).text()


def test_the_data_loads_off_the_gui_thread(window, qtbot, monkeypatch):
    import core.model
    release = threading.Event()
    threads = []
    real = core.model.load_design_data

    def slow(settings):
        threads.append(threading.current_thread())
        release.wait(30)
        return real(settings)

    monkeypatch.setattr(core.model, "load_design_data", slow)
    pf.clear_data_cache()
    build(window, ("Dense", {"units": 1}))
    # The GUI goes on while the loader is blocked: the panel says it is checking, not "ready".
    qtbot.waitUntil(lambda: bool(threads), timeout=10_000)
    assert window.problems.checking and window.problems.status.isVisible()
    assert "ready" not in window.problem_label.text()
    assert threads[0] is not threading.main_thread()
    release.set()
    assert settled(window, qtbot) == []
    assert "ready" in window.problem_label.text()


def test_a_file_that_cannot_be_loaded_is_a_problem(window, qtbot, tmp_path):
    build(window, ("Dense", {"units": 1}))
    settled(window, qtbot)
    data = dict(window.document.design.data, source="csv", path=str(tmp_path / "gone.csv"))
    window.document.push(SetSetting(window.document, ("data",), data))
    problems = settled(window, qtbot)
    assert len(problems) == 1 and "gone.csv" in problems[0].reason
    assert "gone.csv" in window.problems.list.item(0).text()


def test_a_relative_data_path_is_read_beside_the_design(window, qtbot, tmp_path, monkeypatch):
    from core.designfile import load_design, save_design
    from tests.test_preflight import chain
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "d.csv").write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    design = chain(("Dense", {"units": 3}), loss="mse", data={"source": "csv", "path": "d.csv"})
    save_design(design, folder / "design.json")
    monkeypatch.chdir(tmp_path)                     # not the design's folder
    pf.clear_data_cache()
    window.open_path(str(folder / "design.json"))
    problems = settled(window, qtbot)
    # Found and read beside the design: the one problem is its 1 target column against 3 units.
    assert len(problems) == 1 and "3 units" in problems[0].reason and "1 column" in problems[0].reason
    assert load_design(folder / "design.json").data["path"] == "d.csv"
