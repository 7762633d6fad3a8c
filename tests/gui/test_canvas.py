"""The canvas as a person uses it: drops from the palette, port-to-port drags, moves, deletes,
clipboard, layout — always asserting on the graph model, which the scene must follow."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.canvas import EdgeItem, NodeItem


def scene_in_sync(window):
    graph = window.document.graph
    scene = window.scene
    assert set(scene.node_items) == set(graph.nodes)
    assert set(scene.edge_items) == set(graph.edges)
    for nid, item in scene.node_items.items():
        assert (item.pos().x(), item.pos().y()) == graph.nodes[nid].position


def add(window, type_name, x, y, **params):
    nid = window.editor.add_block(type_name, QPointF(x, y))
    if params:
        from designer.commands import SetParams
        window.document.push(SetParams(window.document.graph, nid, params))
    return nid


def port_pos(window, node_id, kind, index=0):
    return window.scene.port_pos(node_id, kind, index)


def test_drop_from_palette_creates_node_at_drop_point(window, act):
    view = window.view
    target = QPoint(300, 220)
    mime = act.drop_block(view, window.palette, "Dense", target)
    graph = window.document.graph
    assert list(graph.nodes) == ["dense1"]
    scene_pos = view.mapToScene(target)
    assert graph.nodes["dense1"].position == window.editor.snap(scene_pos.x(), scene_pos.y())
    assert abs(graph.nodes["dense1"].position[0] - scene_pos.x()) <= 10   # grid 20: at most half
    scene_in_sync(window)
    assert window.scene.node_items["dense1"].isSelected()
    window.document.stack.undo()
    assert not graph.nodes
    del mime


def test_drop_without_snapping_is_exact(window, act):
    window.actions_.snap.setChecked(False)
    target = QPoint(333, 217)
    act.drop_block(window.view, window.palette, "ReLU", target)
    p = window.view.mapToScene(target)
    assert window.document.graph.nodes["relu1"].position == (p.x(), p.y())


def test_foreign_drop_is_ignored(window):
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QDragEnterEvent
    mime = QMimeData()
    mime.setText("hello")
    ev = QDragEnterEvent(QPoint(100, 100), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window.view.viewport(), ev)
    assert not ev.isAccepted()


def test_palette_double_click_adds_next_to_selection_and_connects(window, qtbot):
    inp = add(window, "Input", 0, 0)
    window.scene.select_nodes([inp])
    tree = window.palette.tree
    item = window.palette.block_items["Dense"]
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=rect.center())   # a real double-click
    qtbot.mouseDClick(tree.viewport(), Qt.LeftButton, pos=rect.center())  # is press, release, dbl
    graph = window.document.graph
    assert "dense1" in graph.nodes
    assert graph.edges == [graph.edges[0]] and graph.edges[0].source == inp
    assert graph.nodes["dense1"].position[0] > graph.nodes[inp].position[0]
    window.document.stack.undo()      # one step: block and connection together
    assert list(graph.nodes) == [inp] and graph.edges == []


def test_connect_by_dragging_between_ports(window, act):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 60)
    window.view.centerOn(150, 30)
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))
    graph = window.document.graph
    assert [(e.source, e.target, e.port) for e in graph.edges] == [(a, b, 0)]
    scene_in_sync(window)
    assert window.scene.shapes[b] == (8,)
    window.document.stack.undo()
    assert graph.edges == []
    scene_in_sync(window)


def test_drag_backwards_from_input_and_onto_a_node_body(window, act):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 0)
    c = add(window, "ReLU", 600, 0)
    window.view.centerOn(300, 0)
    act.drag(window.view, port_pos(window, b, "in"), port_pos(window, a, "out"))   # in → out
    act.drag(window.view, port_pos(window, b, "out"), QPointF(600, 10))            # onto the body
    graph = window.document.graph
    assert {(e.source, e.target) for e in graph.edges} == {(a, b), (b, c)}


def test_cycle_is_refused_with_reason_and_model_unchanged(window, act):
    a = add(window, "Dense", 0, 0)
    b = add(window, "Dense", 300, 0)
    window.view.centerOn(150, 0)
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))
    before = window.document.design.to_dict()
    steps = window.document.stack.count()
    act.drag(window.view, port_pos(window, b, "out"), port_pos(window, a, "in"))
    assert window.document.design.to_dict() == before
    assert window.document.stack.count() == steps
    assert "cycle" in window.scene.connector.last_refusal
    assert "cycle" in window.statusBar().currentMessage()


def test_shape_mismatch_is_refused_with_reason(window, act):
    inp = add(window, "Input", 0, 0)                 # (2,)
    wide = add(window, "Dense", 0, 200, units=8)     # (8,)
    merge = add(window, "Add", 300, 100)
    window.view.centerOn(150, 100)
    act.drag(window.view, port_pos(window, inp, "out"), port_pos(window, merge, "in", 0))
    act.drag(window.view, port_pos(window, inp, "out"), port_pos(window, wide, "in", 0))
    before = window.document.design.to_dict()
    act.drag(window.view, port_pos(window, wide, "out"), port_pos(window, merge, "in", 1))
    assert window.document.design.to_dict() == before
    msg = window.statusBar().currentMessage()
    assert "Add expects inputs of one shape" in msg and "refused" in msg


def test_dragging_a_connected_input_reroutes_or_deletes_the_edge(window, act):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 0)
    c = add(window, "Dense", 300, 200)
    window.view.centerOn(150, 100)
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))
    act.drag(window.view, port_pos(window, b, "in"), port_pos(window, c, "in"))   # re-route
    graph = window.document.graph
    assert [(e.source, e.target) for e in graph.edges] == [(a, c)]
    act.drag(window.view, port_pos(window, c, "in"), QPointF(150, -300))          # drop on nothing
    assert graph.edges == []
    window.document.stack.undo()
    assert [(e.source, e.target) for e in graph.edges] == [(a, c)]


def test_moving_a_node_is_one_undo_step_recorded_on_release(window, act):
    a = add(window, "Dense", 0, 0)
    window.view.centerOn(0, 0)
    steps = window.document.stack.count()
    act.drag(window.view, QPointF(0, -30), QPointF(140, 70), steps=8)   # grab the header
    graph = window.document.graph
    assert graph.nodes[a].position == (140.0, 100.0)   # snapped to the 20 px grid
    assert window.document.stack.count() == steps + 1
    window.document.stack.undo()
    assert graph.nodes[a].position == (0.0, 0.0)
    scene_in_sync(window)


def test_rubber_band_selects_and_delete_removes_with_edges(window, act):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 0)
    c = add(window, "ReLU", 600, 0)
    window.view.centerOn(300, 0)
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))
    act.drag(window.view, port_pos(window, b, "out"), port_pos(window, c, "in"))
    before = window.document.design.to_dict()
    act.drag(window.view, QPointF(-150, -150), QPointF(420, 150))      # rubber band over a and b
    assert window.scene.selected_node_ids() == [a, b]
    window.actions_.delete.trigger()
    graph = window.document.graph
    assert list(graph.nodes) == [c] and graph.edges == []
    scene_in_sync(window)
    window.document.stack.undo()
    assert window.document.design.to_dict() == before
    scene_in_sync(window)


def test_delete_a_selected_edge(window, act):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 0)
    window.view.centerOn(150, 0)
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))
    window.scene.clearSelection()
    edge_item = next(iter(window.scene.edge_items.values()))
    edge_item.setSelected(True)
    window.actions_.delete.trigger()
    assert window.document.graph.edges == [] and len(window.document.graph.nodes) == 2


def test_copy_paste_and_duplicate(window, act, qtbot):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 0, units=16)
    window.view.centerOn(150, 0)
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))
    window.scene.select_nodes([a, b])
    window.actions_.copy.trigger()
    window.actions_.paste.trigger()
    graph = window.document.graph
    assert len(graph.nodes) == 4 and len(graph.edges) == 2
    new = window.scene.selected_node_ids()
    assert len(new) == 2 and not set(new) & {a, b}
    pasted_dense = next(n for n in new if graph.nodes[n].type == "Dense")
    assert graph.nodes[pasted_dense].params["units"] == 16
    window.actions_.duplicate.trigger()
    assert len(graph.nodes) == 6 and len(graph.edges) == 3
    window.document.stack.undo()
    window.document.stack.undo()
    assert list(graph.nodes) == [a, b]
    scene_in_sync(window)


def test_auto_layout_orders_left_to_right_and_undoes(window):
    ids = [add(window, t, x, y) for t, x, y in
           (("Input", 500, 300), ("Dense", -400, 80), ("ReLU", 100, -260), ("Dense", 20, 20))]
    from designer.commands import Connect
    graph = window.document.graph
    for s, t in zip(ids, ids[1:]):
        window.document.push(Connect(graph, s, t))
    before = {n: graph.nodes[n].position for n in ids}
    window.actions_.layout.trigger()
    xs = [graph.nodes[n].position[0] for n in ids]
    ys = {graph.nodes[n].position[1] for n in ids}
    assert xs == sorted(xs) and len(set(xs)) == 4 and len(ys) == 1   # a chain is one straight row
    scene_in_sync(window)
    window.document.stack.undo()
    assert {n: graph.nodes[n].position for n in ids} == before


def test_problems_are_shown_inline_and_listed(window, qtbot):
    inp = add(window, "Input", 0, 0)
    d = add(window, "Dense", 300, 0)
    item = window.scene.node_items[d]
    assert item.problems and "input port 0 is not connected" in item.problems[0]
    assert "not connected" in item.toolTip()
    panel = window.problems
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert any(t.startswith(d) for t in texts)
    row = next(i for i, t in enumerate(texts) if t.startswith(d))
    window.scene.clearSelection()
    rect = panel.list.visualItemRect(panel.list.item(row))
    qtbot.mouseClick(panel.list.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.scene.selected_node_ids() == [d]
    from designer.commands import Connect
    window.document.push(Connect(window.document.graph, inp, d))
    assert not item.problems and window.scene.problems == []
    # The graph is whole; the pre-flight then holds it against the data: xor has 1 target column.
    qtbot.waitUntil(lambda: not window.problems.checking, timeout=600_000)
    assert [p.node_id for p in window.problems.problems] == [d]
    assert "8 units" in window.problems.problems[0].reason
    assert "problem" in window.problem_label.text()


def test_zoom_with_wheel_and_keys_and_fit(window, qtbot):
    from PySide6.QtGui import QWheelEvent
    view = window.view
    inp = add(window, "Input", 0, 0)
    far = add(window, "Dense", 2400, 1200)
    z0 = view.zoom()
    vp = view.viewport()
    pos = QPointF(vp.rect().center())
    ev = QWheelEvent(pos, QPointF(vp.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 240),
                     Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(vp, ev)
    assert view.zoom() > z0
    window.actions_.zoom_out.trigger()
    window.actions_.fit.trigger()
    # Too big to show whole at a readable size: fitted no smaller than that, opened at its start
    visible = view.mapToScene(vp.rect()).boundingRect()
    assert view.zoom() >= view.readable_zoom() - 1e-9
    assert not visible.contains(window.scene.nodes_rect())
    assert visible.contains(window.scene.node_items[inp].sceneBoundingRect())
    assert "%" in window.zoom_label.text()
    window.document.graph.set_position(far, (500, 100))     # now it fits: shown whole
    window.actions_.fit.trigger()
    visible = view.mapToScene(vp.rect()).boundingRect()
    assert visible.contains(window.scene.nodes_rect())


def test_scene_follows_graph_changes_made_elsewhere(window):
    graph = window.document.graph
    graph.add_node("Input", node_id="x", position=(40, 40))
    graph.add_node("Dense", node_id="y", position=(300, 40))
    graph.connect("x", "y")
    scene_in_sync(window)
    graph.set_position("y", (320, 80))
    scene_in_sync(window)
    graph.remove_node("x")
    scene_in_sync(window)
    assert isinstance(window.scene.node_items["y"], NodeItem)
    assert not any(isinstance(i, EdgeItem) for i in window.scene.items())


def test_structure_lock_while_training_blocks_every_edit(window, act):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 0)
    window.view.centerOn(150, 0)
    window.set_structure_locked(True)
    before = window.document.design.to_dict()
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))   # no connecting
    act.drag(window.view, QPointF(300, -30), QPointF(400, 60))                     # no moving
    from PySide6.QtGui import QDragEnterEvent                                     # no dropping
    mime = window.palette.tree.mimeData([window.palette.block_items["ReLU"]])   # kept alive
    enter = QDragEnterEvent(QPoint(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window.view.viewport(), enter)
    assert not enter.isAccepted()
    window.scene.select_nodes([b])
    assert not window.actions_.delete.isEnabled() and not window.actions_.undo.isEnabled()
    assert not window.inspector.isEnabled() and not window.palette.isEnabled()
    assert window.document.design.to_dict() == before
    window.set_structure_locked(False)
    assert window.actions_.undo.isEnabled() and window.actions_.delete.isEnabled()
    act.drag(window.view, port_pos(window, a, "out"), port_pos(window, b, "in"))
    assert len(window.document.graph.edges) == 1


def test_node_tint_for_the_training_dashboard(window):
    from PySide6.QtGui import QColor
    from designer.dashboard.canvas_tint import apply_tint
    a = add(window, "Dense", 0, 0)
    assert apply_tint(window.scene, {a: {"grad_norm": 0.5}}, "grad_norm") == 1
    assert window.scene.node_items[a].tint is not None
    apply_tint(window.scene, None, None)
    assert window.scene.node_items[a].tint is None
    window.scene.node_items[a].set_tint(QColor("red"))
    window.grab()    # paints with the tint


def test_context_menu_adds_a_block_where_it_was_opened(window):
    menu = window.canvas_menu(None, QPointF(120, 240))
    add_menu = next(a.menu() for a in menu.actions() if a.menu())
    layers = next(a.menu() for a in add_menu.actions() if a.text() == "Layers")
    next(a for a in layers.actions() if a.text() == "Dense").trigger()
    assert window.document.graph.nodes["dense1"].position == (120.0, 240.0)
    menu.close()


def test_arrow_keys_nudge_the_selection(window, qtbot):
    a = add(window, "Dense", 0, 0)
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key_Right)
    qtbot.keyClick(window.view.viewport(), Qt.Key_Down, Qt.ShiftModifier)
    assert window.document.graph.nodes[a].position == (20.0, 100.0)
    scene_in_sync(window)


# ---- routing: a residual connection keeps a path of its own -------------------------------------
def _samples(path, step=2.0):
    """Points every `step` scene units along a QPainterPath."""
    length = path.length()
    n = max(int(length / step), 1)
    return [path.pointAtPercent(path.percentAtLength(length * i / n)) for i in range(n + 1)]


def _shared_length(path, other, near=4.0, skip_ends=30.0, step=2.0):
    """How much of `path` (away from its two ends) runs within `near` of `other`: a crossing
    adds a few units, two edges drawn along one channel add their whole common stretch."""
    pts, theirs = _samples(path, step), _samples(other, step)
    a, b = pts[0], pts[-1]
    shared = 0.0
    for p in pts:
        if min(abs(p.x() - a.x()) + abs(p.y() - a.y()), abs(p.x() - b.x()) + abs(p.y() - b.y())) < skip_ends:
            continue
        if any(abs(p.x() - q.x()) < near and abs(p.y() - q.y()) < near for q in theirs):
            shared += step
    return shared


def test_residual_skip_edges_do_not_share_the_chain_channels(window):
    from designer.paths import resource
    assert window.open_example(str(resource("examples", "residual_mlp.json")))
    scene = window.scene
    edges = {(e.source, e.target): item for e, item in scene.edge_items.items()}
    # the example's two residual connections (see its description): block input → Add
    skips = [("stem", "b1_add"), ("b1_add", "b2_add")]
    for key in skips:
        path = edges[key].path()
        for other_key, other in edges.items():
            if other_key == key:
                continue
            shared = _shared_length(path, other.path())
            assert shared <= 12.0, f"{key} runs along {other_key} for {shared:.0f} units"
    # and the skip's lane is its own: no other edge runs horizontally beside it within 12 units
    runs = {k: _horizontal_run(item.path()) for k, item in edges.items()}
    for key in skips:
        y, x0, x1 = runs[key]
        for other_key, (oy, ox0, ox1) in runs.items():
            if other_key != key and ox0 < x1 and x0 < ox1:
                assert abs(oy - y) >= 12, f"{key} and {other_key} run side by side at y≈{y:.0f}"


def _horizontal_run(path):
    """(y, x_min, x_max) of the longest horizontal stretch of a path (its lane)."""
    pts = _samples(path)
    ys = [round(p.y()) for p in pts]
    y = max(set(ys), key=ys.count)
    xs = [p.x() for p in pts if round(p.y()) == y]
    return y, min(xs), max(xs)


# ---- the status bar during a connection drag ------------------------------------------------------
def test_release_to_connect_leaves_the_status_bar_when_the_drag_ends(window, act):
    a = add(window, "Input", 0, 0)
    b = add(window, "Dense", 300, 60)
    view, bar = window.view, window.statusBar()
    view.centerOn(150, 30)
    start, end = port_pos(window, a, "out"), port_pos(window, b, "in")

    act.mouse(view, "press", start)                       # released on the port: connected
    act.mouse(view, "move", end)
    assert "Release to connect" in bar.currentMessage()
    act.mouse(view, "release", end)
    assert len(window.document.graph.edges) == 1
    assert "Release to connect" not in bar.currentMessage()

    window.document.stack.undo()
    act.mouse(view, "press", start)                       # moved off again: the hint goes at once
    act.mouse(view, "move", end)
    assert "Release to connect" in bar.currentMessage()
    act.mouse(view, "move", QPointF(150, 300))
    assert "Release to connect" not in bar.currentMessage()
    act.mouse(view, "release", QPointF(150, 300))         # dropped on empty canvas: nothing
    assert window.document.graph.edges == []

    act.mouse(view, "press", start)                       # cancelled with Escape
    act.mouse(view, "move", end)
    assert "Release to connect" in bar.currentMessage()
    QTest.keyClick(view.viewport(), Qt.Key_Escape)
    assert not window.scene.connector.active
    assert "Release to connect" not in bar.currentMessage()
    act.mouse(view, "release", end)
    assert window.document.graph.edges == []


# ---- an empty design: an invitation, not an error ----------------------------------------------
def test_an_empty_canvas_invites_instead_of_showing_an_error(window):
    from PySide6.QtGui import QColor
    from designer import theme
    assert not window.document.graph.nodes
    # no red: nothing listed as a problem, the status bar's word is neutral
    assert window.problems.list.count() == 0
    assert window.problem_label.property("role") != "error"
    assert "problem" not in window.problem_label.text() and "ready" not in window.problem_label.text()
    assert "Input" in window.problems.ok.text()
    # the canvas says how to start, in the theme's text colours
    head, more = window.view.empty_hint()
    assert "Input" in head and "Examples" in more
    image = window.view.viewport().grab().toImage()
    red = theme.current().color("error")
    text_colours = {theme.current().color(k).rgb() & 0xFFFFFF for k in ("node_text", "muted")}
    seen = {image.pixelColor(x, y).rgb() & 0xFFFFFF for x in range(0, image.width(), 2)
            for y in range(image.height() // 3, 2 * image.height() // 3)}
    assert seen & text_colours, "no hint text drawn on the empty canvas"
    assert not any(_close(QColor(c), red) for c in seen)
    # adding a block: the usual checks come back (a lone Dense has a problem), the hint goes
    add(window, "Dense", 0, 0)
    assert window.problem_label.property("role") == "error" and "problem" in window.problem_label.text()
    window.document.stack.undo()
    assert window.problem_label.text() == "Empty design"


def _close(a, b, tol=40) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tol


def test_several_skips_into_one_block_each_get_their_own_lane(window):
    """Dense connections (every earlier output into one Concat): each skip is drawn apart."""
    graph = window.document.graph
    outs = [graph.add_node("Input", {"shape": [4]}, node_id="x", position=(0, 0)).id]
    for i in range(3):
        d = graph.add_node("Dense", {"units": 4}, node_id=f"d{i}", position=(240 * (i + 1), 0)).id
        graph.connect(outs[-1], d)
        outs.append(d)
    cat = graph.add_node("Concat", {"num_inputs": 4}, node_id="cat", position=(960, 0)).id
    for port, o in enumerate(outs):
        graph.connect(o, cat, port)
    window.scene.refresh()
    items = {(e.source, e.target, e.port): it for e, it in window.scene.edge_items.items()}
    skips = [("x", "cat", 0), ("d0", "cat", 1), ("d1", "cat", 2)]       # they jump over blocks
    for a in skips:                                   # each in its own lane, nested, apart
        for b in skips:
            if b != a:
                shared = _shared_length(items[a].path(), items[b].path())
                assert shared <= 12.0, f"{a} runs along {b} for {shared:.0f} units"
    # and none of them is drawn through a block it skips
    for key in skips:
        stroke = items[key].shape()
        for nid, node in window.scene.node_items.items():
            if nid not in key[:2]:
                assert not stroke.intersects(node.sceneBoundingRect().adjusted(6, 2, -6, -2)), (key, nid)
