"""The auto-layout algorithm (pure Python) and the undo commands on a bare Document."""
from __future__ import annotations

from core.designfile import load_design
from designer.commands import Connect, Disconnect, RemoveNode, SetParams
from designer.document import Document
from designer.examples import examples
from designer.layout import layered_layout

SIZE = (180.0, 90.0)


def no_overlap(pos, sizes):
    ids = list(pos)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            (ax, ay), (bx, by) = pos[a], pos[b]
            if abs(ax - bx) < (sizes[a][0] + sizes[b][0]) / 2 and abs(ay - by) < (sizes[a][1] + sizes[b][1]) / 2:
                return False
    return True


def test_chain_is_one_straight_row_left_to_right():
    ids = ["a", "b", "c", "d"]
    pos = layered_layout(ids, list(zip(ids, ids[1:])))
    assert [pos[n][0] for n in ids] == sorted(pos[n][0] for n in ids)
    assert len({pos[n][1] for n in ids}) == 1


def test_branches_are_stacked_without_overlap_and_merge_is_centred():
    edges = [("in", "l"), ("in", "r"), ("l", "add"), ("r", "add")]
    sizes = {n: SIZE for n in ("in", "l", "r", "add")}
    pos = layered_layout(["in", "l", "r", "add"], edges, sizes)
    assert pos["l"][0] == pos["r"][0] > pos["in"][0]
    assert no_overlap(pos, sizes)
    assert abs(pos["add"][1] - (pos["l"][1] + pos["r"][1]) / 2) < 1e-6


def test_skip_connection_gets_its_own_lane():
    ids = ["in", "d1", "r1", "d2", "add", "out"]
    edges = [("in", "d1"), ("d1", "r1"), ("r1", "d2"), ("d2", "add"), ("in", "add"), ("add", "out")]
    pos = layered_layout(ids, edges, {n: SIZE for n in ids})
    xs = [pos[n][0] for n in ids]
    assert xs == sorted(xs) and len(set(xs)) == len(ids)
    assert len({pos[n][1] for n in ("d1", "r1", "d2")}) == 1          # the block stays straight


def test_every_example_lays_out_without_overlap():
    for ex in examples():
        g = load_design(ex.path).graph
        sizes = {n: SIZE for n in g.nodes}
        pos = layered_layout(g.nodes, [(e.source, e.target) for e in g.edges], sizes)
        assert set(pos) == set(g.nodes) and no_overlap(pos, sizes)
        for e in g.edges:
            assert pos[e.source][0] < pos[e.target][0]


def test_cycles_and_unknown_nodes_are_tolerated():
    pos = layered_layout(["a", "b"], [("a", "b"), ("b", "a"), ("a", "zzz")])
    assert set(pos) == {"a", "b"}


def test_undo_of_a_disconnect_restores_an_edge_that_had_a_shape_problem(qapp):
    """restore_edge: connect() would refuse an edge that already was wrong; undo must not."""
    doc = Document()
    g = doc.graph
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Input", {"shape": [3]}, node_id="y")
    g.add_node("Add", node_id="add")
    g.connect("x", "add", 0)
    g.connect("y", "add", 1) if g.connection_problem("y", "add", 1) is None else g.edges.append(
        __import__("core.graph", fromlist=["Edge"]).Edge("y", "add", 1))   # as a file could hold
    before = list(g.edges)
    doc.push(Disconnect(g, before[1]))
    doc.stack.undo()
    assert g.edges == before
    doc.push(RemoveNode(g, "y"))
    doc.stack.undo()
    assert g.edges == before


def test_failed_command_leaves_model_and_stack_unchanged(qapp):
    doc = Document()
    g = doc.graph
    g.add_node("Dense", node_id="a")
    g.add_node("Dense", node_id="b")
    doc.push(Connect(g, "a", "b"))
    import pytest
    from core.errors import CycleError, ParameterError
    with pytest.raises(CycleError):
        doc.push(Connect(g, "b", "a"))
    with pytest.raises(ParameterError):
        doc.push(SetParams(g, "a", {"units": -1}))
    assert doc.stack.count() == 1 and len(g.edges) == 1 and g.nodes["a"].params["units"] == 8


def test_spin_box_steps_merge_into_one_undo_step(qapp):
    doc = Document()
    g = doc.graph
    g.add_node("Dense", node_id="a")
    for units in (9, 10, 11, 12):
        doc.push(SetParams(g, "a", {"units": units}))
    assert doc.stack.count() == 1
    doc.stack.undo()
    assert g.nodes["a"].params["units"] == 8
