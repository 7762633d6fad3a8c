"""The graph model: mutations, the error hierarchy, check(), shape inference, counts, summary, events.

Every refused mutation must leave the model exactly as it was and announce nothing; every accepted
one must announce exactly what changed (the designer's scene and undo stack follow these events).
"""
import re

import pytest

from core.errors import (CycleError, DanglingPortError, GraphError, ParameterError, PortInUseError,
                         ShapeMismatchError)
from core.graph import Edge, Graph, GraphEvent


def chain(*specs, input_shape=(4,)):
    """Input → specs…; spec = (id, type, params). Returns the graph."""
    g = Graph()
    prev = g.add_node("Input", {"shape": list(input_shape)}, node_id="inp").id
    for nid, typ, params in specs:
        g.add_node(typ, params, node_id=nid)
        g.connect(prev, nid)
        prev = nid
    return g


def snapshot(g: Graph):
    """Everything a refused mutation must leave untouched (order included)."""
    return ([(n.id, n.type, dict(n.params), n.label, n.position) for n in g.nodes.values()], list(g.edges))


class Recorder:
    def __init__(self, g: Graph):
        self.events: list[GraphEvent] = []
        g.subscribe(self.events.append)

    def kinds(self):
        return [e.kind for e in self.events]

    def clear(self):
        self.events.clear()


# ---- connect / disconnect ------------------------------------------------------------------------

def test_connect_and_disconnect():
    g = Graph()
    g.add_node("Input", {"shape": [3]}, node_id="inp")
    g.add_node("Dense", {"units": 2}, node_id="d")
    edge = g.connect("inp", "d")
    assert edge == Edge("inp", "d", 0)
    assert g.edges == [edge]
    assert g.input_edges("d") == [edge]
    assert g.consumers("inp") == [edge]
    assert g.disconnect(edge) == 0
    assert g.edges == []
    assert g.input_edges("d") == [None]


def test_connect_at_index_keeps_edge_order():
    g = Graph()
    for nid in ("a", "b", "c"):
        g.add_node("Input", {"shape": [2]}, node_id=nid)
    g.add_node("Concat", {"num_inputs": 3}, node_id="cat")
    e0 = g.connect("a", "cat", 0)
    e2 = g.connect("c", "cat", 2)
    e1 = g.connect("b", "cat", 1, index=1)
    assert g.edges == [e0, e1, e2]


def test_cycle_error_through_free_port_names_target():
    g = chain(("d1", "Dense", {"units": 4}))
    g.add_node("Add", node_id="add", label="merge")
    g.connect("d1", "add", 0)
    g.add_node("ReLU", node_id="act", label="nonlinearity")
    g.connect("add", "act")
    rec = Recorder(g)
    before = snapshot(g)
    with pytest.raises(CycleError) as err:
        g.connect("act", "add", 1)
    e = err.value
    assert isinstance(e, GraphError)
    assert e.node_id == "add" and e.label == "merge"
    assert "'add'" in str(e) and "merge" in str(e) and "cycle" in str(e)
    assert snapshot(g) == before and rec.events == []


def test_self_loop_is_a_cycle():
    g = Graph()
    g.add_node("Add", node_id="add")
    with pytest.raises(CycleError) as err:
        g.connect("add", "add", 0)
    assert err.value.node_id == "add"
    assert g.edges == []


def test_port_in_use():
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="a")
    g.add_node("Input", {"shape": [2]}, node_id="b")
    g.add_node("Dense", {"units": 2}, node_id="d", label="hidden")
    g.connect("a", "d")
    before = snapshot(g)
    with pytest.raises(PortInUseError) as err:
        g.connect("b", "d")
    assert err.value.node_id == "d" and err.value.label == "hidden"
    assert "'a'" in str(err.value)   # says what already occupies the port
    assert snapshot(g) == before


def test_shape_mismatch_on_add_at_connect_time_leaves_model_unchanged():
    g = Graph()
    g.add_node("Input", {"shape": [3]}, node_id="inp")
    g.add_node("Dense", {"units": 4}, node_id="wide")
    g.add_node("Dense", {"units": 5}, node_id="wider")
    g.add_node("Add", node_id="add", label="residual")
    for d in ("wide", "wider"):
        g.connect("inp", d)
    g.connect("wide", "add", 0)
    rec = Recorder(g)
    before = snapshot(g)
    with pytest.raises(ShapeMismatchError) as err:
        g.connect("wider", "add", 1)
    e = err.value
    assert e.node_id == "add" and e.label == "residual"
    assert "(4,)" in str(e) and "(5,)" in str(e)
    assert snapshot(g) == before
    assert rec.events == []
    assert g.connection_problem("wider", "add", 1) is not None
    assert g.connection_problem("wide", "add", 1) is None   # same width: fine


def test_connecting_unflattened_input_to_batchnorm_is_refused():
    # (Dense takes it: it works on the last axis, as in Keras.)
    g = Graph()
    g.add_node("Input", {"shape": [8, 8]}, node_id="img")
    g.add_node("BatchNorm", {}, node_id="d")
    with pytest.raises(ShapeMismatchError) as err:
        g.connect("img", "d")
    assert err.value.node_id == "d"
    assert "Flatten" in str(err.value)
    assert g.edges == []


def test_connect_to_missing_node_or_port():
    g = chain(("add", "Add", {}))
    with pytest.raises(DanglingPortError):
        g.connect("ghost", "add", 1)
    with pytest.raises(DanglingPortError):
        g.connect("inp", "ghost")
    with pytest.raises(DanglingPortError) as err:
        g.connect("inp", "add", 2)   # Add has ports 0 and 1
    assert err.value.node_id == "add"
    assert len(g.edges) == 1


def test_unconnected_add_port_is_a_dangling_port():
    g = chain(("add", "Add", {}))
    problems = g.check()
    assert len(problems) == 1
    p = problems[0]
    assert isinstance(p, DanglingPortError)
    assert p.node_id == "add" and "port 1" in str(p)
    with pytest.raises(DanglingPortError):
        g.validate()


# ---- parameters ------------------------------------------------------------------------------

def test_bad_parameter_message_names_node_label_param_expected_and_received():
    g = Graph()
    with pytest.raises(ParameterError) as err:
        g.add_node("Dense", {"units": 0}, node_id="dense7", label="classifier")
    e = err.value
    assert e.node_id == "dense7" and e.label == "classifier" and e.param == "units"
    msg = str(e)
    assert "'dense7'" in msg and "classifier" in msg
    assert "units" in msg
    assert ">= 1" in msg                  # what was expected
    assert "Received: units=0" in msg     # what was received
    assert g.nodes == {}


@pytest.mark.parametrize("params, param", [
    ({"units": "8"}, "units"),
    ({"units": 2.5}, "units"),
    ({"units": True}, "units"),
    ({"use_bias": 1}, "use_bias"),
    ({"kernel_initializer": "nope"}, "kernel_initializer"),
    ({"colour": "red"}, "colour"),
])
def test_ill_typed_or_unknown_parameters(params, param):
    with pytest.raises(ParameterError) as err:
        Graph().add_node("Dense", params, node_id="d")
    assert err.value.param == param
    assert param in str(err.value)


def test_set_params_refused_leaves_node_unchanged():
    g = chain(("d", "Dense", {"units": 4}))
    rec = Recorder(g)
    before = snapshot(g)
    with pytest.raises(ParameterError) as err:
        g.set_params("d", {"units": -3})
    assert err.value.node_id == "d" and err.value.param == "units"
    assert snapshot(g) == before and rec.events == []


def test_set_params_returns_old_values_for_undo():
    g = chain(("d", "Dense", {"units": 4}))
    old = g.set_params("d", {"units": 6, "use_bias": False})
    assert old == {"units": 4, "use_bias": True}
    assert g.nodes["d"].params["units"] == 6
    g.set_params("d", old)
    assert g.nodes["d"].params["units"] == 4 and g.nodes["d"].params["use_bias"] is True


def test_unknown_block_type_and_bad_id():
    g = Graph()
    with pytest.raises(GraphError, match="Convolution"):
        g.add_node("Convolution")
    with pytest.raises(GraphError) as err:
        g.add_node("ReLU", node_id="1bad id")
    assert err.value.node_id == "1bad id"
    g.add_node("ReLU", node_id="r")
    with pytest.raises(GraphError):
        g.add_node("ReLU", node_id="r")
    assert list(g.nodes) == ["r"]


def test_new_ids_are_unique_per_type():
    g = Graph()
    ids = [g.add_node("Dense").id for _ in range(3)] + [g.add_node("ReLU").id]
    assert ids == ["dense1", "dense2", "dense3", "relu1"]
    g.remove_node("dense2")
    assert g.add_node("Dense").id == "dense2"


# ---- check(): all problems at once -----------------------------------------------------------

def test_check_reports_every_problem_with_its_node():
    g = Graph()
    # 1. shape mismatch: BatchNorm straight on an image (edge added as a loaded file would)
    g.add_node("Input", {"shape": [8, 8]}, node_id="img", label="image")
    g.add_node("BatchNorm", {}, node_id="dense_img", label="too early")
    g.edges.append(Edge("img", "dense_img"))
    # 2. dangling port: Add with only port 0 fed
    g.add_node("Input", {"shape": [3]}, node_id="vec")
    g.add_node("Add", node_id="half_add")
    g.connect("vec", "half_add", 0)
    # 3. a cycle of two ReLUs
    g.add_node("ReLU", node_id="loop_a")
    g.add_node("ReLU", node_id="loop_b")
    g.edges += [Edge("loop_a", "loop_b"), Edge("loop_b", "loop_a")]
    # one sink, so "several outputs" is not among the problems
    g.add_node("Concat", node_id="head")
    g.connect("dense_img", "head", 0)
    g.connect("half_add", "head", 1)

    problems = g.check()
    found = sorted((type(p).__name__, p.node_id) for p in problems)
    assert found == sorted([("ShapeMismatchError", "dense_img"),
                            ("DanglingPortError", "half_add"),
                            ("CycleError", "loop_a")]), problems
    mismatch = next(p for p in problems if isinstance(p, ShapeMismatchError))
    assert mismatch.label == "too early" and "too early" in str(mismatch)
    # validate() raises one of them, check() itself never raises
    with pytest.raises(GraphError):
        g.validate()


def test_check_with_a_cycle_still_infers_nodes_inserted_out_of_order():
    """A node inserted before its source (undo, paste, a loaded file) is still checked when an
    unrelated part of the graph has a cycle."""
    g = Graph()
    g.add_node("BatchNorm", {}, node_id="late", label="L")
    g.add_node("Input", {"shape": [8, 8]}, node_id="inp")
    g.edges.append(Edge("inp", "late"))
    g.add_node("ReLU", node_id="a")
    g.add_node("ReLU", node_id="b")
    g.edges += [Edge("a", "b"), Edge("b", "a")]
    found = sorted((type(p).__name__, p.node_id) for p in g.check())
    assert ("ShapeMismatchError", "late") in found
    assert ("CycleError", "a") in found


def test_cycle_error_names_a_node_on_the_cycle_not_one_downstream():
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("ReLU", node_id="downstream")     # inserted first, but only fed by the cycle
    g.add_node("Add", node_id="c1", label="loop start")
    g.add_node("ReLU", node_id="c2")
    g.edges += [Edge("x", "c1", 0), Edge("c2", "c1", 1), Edge("c1", "c2"), Edge("c1", "downstream")]
    with pytest.raises(CycleError) as err:
        g.topological_order()
    assert err.value.node_id in {"c1", "c2"}
    if err.value.node_id == "c1":
        assert err.value.label == "loop start"


def test_check_flags_every_extra_output_and_missing_input():
    g = Graph()
    assert [type(p) for p in g.check()] == [GraphError]   # no Input node
    g.add_node("Input", {"shape": [2]}, node_id="inp")
    g.add_node("Dense", {"units": 1}, node_id="a")
    g.add_node("Dense", {"units": 1}, node_id="b")
    g.connect("inp", "a")
    g.connect("inp", "b")
    problems = g.check()
    assert sorted(p.node_id for p in problems) == ["a", "b"]
    assert all(isinstance(p, DanglingPortError) for p in problems)
    with pytest.raises(GraphError):
        g.output_node()


def test_valid_graph_has_no_problems():
    g = chain(("d", "Dense", {"units": 3}), ("s", "Softmax", {}))
    assert g.check() == []
    assert g.output_node() == "s"
    assert g.validate() == {"inp": (4,), "d": (3,), "s": (3,)}


# ---- shape inference -------------------------------------------------------------------------

def test_shapes_through_flatten():
    g = chain(("flat", "Flatten", {}), ("d", "Dense", {"units": 10}), input_shape=(8, 8))
    assert g.infer_shapes() == {"inp": (8, 8), "flat": (64,), "d": (10,)}
    assert g.param_counts()["d"] == (650, 0)


def test_concat_widths_add_up_in_port_order():
    g = Graph()
    g.add_node("Input", {"shape": [3]}, node_id="inp")
    g.add_node("Dense", {"units": 2}, node_id="a")
    g.add_node("Dense", {"units": 5}, node_id="b")
    g.add_node("Concat", {"num_inputs": 3}, node_id="cat")
    g.connect("inp", "a")
    g.connect("inp", "b")
    g.connect("a", "cat", 0)
    g.connect("b", "cat", 1)
    g.connect("inp", "cat", 2)   # skip connection straight from the input
    g.add_node("Dense", {"units": 1}, node_id="out")
    g.connect("cat", "out")
    shapes = g.validate()
    assert shapes["cat"] == (10,)
    assert g.param_counts()["out"] == (11, 0)


def test_residual_add_keeps_width_and_topological_order():
    g = Graph()
    g.add_node("Input", {"shape": [6]}, node_id="inp")
    g.add_node("Add", node_id="res")            # inserted before the branch it merges
    g.add_node("Dense", {"units": 6}, node_id="branch")
    g.add_node("ReLU", node_id="act")
    g.connect("inp", "branch")
    g.connect("branch", "act")
    g.connect("act", "res", 0)
    g.connect("inp", "res", 1)
    order = g.topological_order()
    assert order.index("res") > order.index("act") > order.index("branch") > order.index("inp")
    assert g.validate()["res"] == (6,)


def test_changing_units_upstream_shows_up_as_a_problem_not_an_exception():
    g = Graph()
    g.add_node("Input", {"shape": [6]}, node_id="inp")
    g.add_node("Dense", {"units": 6}, node_id="branch")
    g.add_node("Add", node_id="res")
    g.connect("inp", "branch")
    g.connect("branch", "res", 0)
    g.connect("inp", "res", 1)
    g.set_params("branch", {"units": 7})         # allowed: the canvas shows the problem inline
    problems = g.check()
    assert [(type(p), p.node_id) for p in problems] == [(ShapeMismatchError, "res")]


# ---- counts and summary ----------------------------------------------------------------------

def test_dense_param_count_with_and_without_bias():
    g = chain(("d", "Dense", {"units": 10}), input_shape=(64,))
    assert g.param_counts()["d"] == (650, 0)
    g.set_params("d", {"use_bias": False})
    assert g.param_counts()["d"] == (640, 0)
    g.set_params("d", {"trainable": False})
    assert g.param_counts()["d"] == (0, 640)


def test_batchnorm_counts_four_per_feature_two_non_trainable():
    g = chain(("bn", "BatchNorm", {}), input_shape=(7,))
    assert g.param_counts()["bn"] == (14, 14)
    g.set_params("bn", {"center": False})
    assert g.param_counts()["bn"] == (7, 14)


def test_param_counts_skip_nodes_without_shapes():
    g = chain(("add", "Add", {}))
    g.add_node("Dense", {"units": 3}, node_id="after")
    g.connect("add", "after")
    counts = g.param_counts()
    assert "after" not in counts and counts["inp"] == (0, 0)


def test_summary_lists_each_node_and_totals():
    g = chain(("flat", "Flatten", {}), ("d1", "Dense", {"units": 10}), ("bn", "BatchNorm", {}),
              ("d2", "Dense", {"units": 3}), input_shape=(8, 8))
    g.set_label("d1", "hidden")
    text = g.summary()
    lines = text.splitlines()
    for title, typ, shape, count in [("inp", "Input", "(None, 8, 8)", "0"), ("flat", "Flatten", "(None, 64)", "0"),
                                     ("hidden", "Dense", "(None, 10)", "650"),
                                     ("bn", "BatchNorm", "(None, 10)", "40"), ("d2", "Dense", "(None, 3)", "33")]:
        row = next(line for line in lines if line.startswith(f"{title} ({typ})"))
        assert shape in row and re.search(rf"\s{count}\s", row + " "), row
    # rows in topological order
    starts = [next(i for i, line in enumerate(lines) if line.startswith(t)) for t in ("inp", "flat", "hidden", "bn", "d2")]
    assert starts == sorted(starts)
    total = 650 + 40 + 33
    assert f"Total params: {total:,}" in text
    assert f"Trainable params: {total - 20:,}" in text
    assert "Non-trainable params: 20" in text


def test_summary_of_an_unfinished_graph_does_not_raise():
    """The canvas shows the summary while the user is still wiring: a free port is normal."""
    g = chain(("add", "Add", {}), ("after", "Dense", {"units": 3}))
    text = g.summary()
    add_row = next(line for line in text.splitlines() if line.startswith("add (Add)"))
    assert "?" in add_row and "inp, —" in add_row
    assert "Total params: 0" in text


def test_summary_of_a_cyclic_graph_does_not_raise():
    g = chain(("add", "Add", {}))
    g.edges.append(Edge("add", "add", 1))
    text = g.summary()
    assert "add (Add)" in text and "?" in text


# ---- events and undo symmetry ----------------------------------------------------------------

def test_every_mutation_emits_one_event():
    g = Graph()
    rec = Recorder(g)
    g.add_node("Input", {"shape": [2]}, node_id="inp")
    g.add_node("Dense", {"units": 2}, node_id="d")
    e = g.connect("inp", "d")
    g.set_params("d", {"units": 3})
    g.set_label("d", "hidden")
    g.set_position("d", (10, 20.5))
    g.disconnect(e)
    g.remove_node("d")
    assert rec.events == [
        GraphEvent("node_added", node_id="inp", index=0),
        GraphEvent("node_added", node_id="d", index=1),
        GraphEvent("edge_added", edge=Edge("inp", "d", 0), index=0),
        GraphEvent("params_changed", node_id="d"),
        GraphEvent("label_changed", node_id="d"),
        GraphEvent("node_moved", node_id="d"),
        GraphEvent("edge_removed", edge=Edge("inp", "d", 0), index=0),
        GraphEvent("node_removed", node_id="d", index=1),
    ]
    assert g.nodes["inp"].position == (0.0, 0.0)


def test_unsubscribe_stops_events():
    g = Graph()
    rec = Recorder(g)
    g.unsubscribe(rec.events.append)
    g.add_node("ReLU")
    assert rec.events == []


def test_remove_then_restore_is_exact():
    g = Graph()
    g.add_node("Input", {"shape": [4]}, node_id="inp")
    g.add_node("Dense", {"units": 4}, node_id="mid", label="middle", position=(3, 4))
    g.add_node("Dense", {"units": 4}, node_id="other")
    g.add_node("Add", node_id="add")
    g.add_node("Dense", {"units": 1}, node_id="out")
    g.connect("inp", "other")
    g.connect("inp", "mid")
    g.connect("other", "add", 0)
    g.connect("mid", "add", 1)
    g.connect("add", "out")
    before = snapshot(g)
    rec = Recorder(g)
    undo = g.remove_node("mid")
    assert "mid" not in g.nodes
    assert all("mid" not in (e.source, e.target) for e in g.edges)
    removed = rec.kinds()
    assert removed == ["edge_removed", "edge_removed", "node_removed"]
    rec.clear()
    g.restore_node(*undo)
    assert snapshot(g) == before                       # node order and edge order both restored
    assert rec.kinds() == ["node_added", "edge_added", "edge_added"]
    assert [e.index for e in rec.events[1:]] == [1, 3]
    assert g.check() == []


def test_insert_node_at_index():
    g = Graph()
    g.add_node("ReLU", node_id="a")
    g.add_node("ReLU", node_id="c")
    node = g.make_node("ReLU", node_id="b")
    assert "b" not in g.nodes    # make_node does not insert
    g.insert_node(node, 1)
    assert list(g.nodes) == ["a", "b", "c"]


def test_reducing_add_inputs_drops_edges_to_removed_ports():
    g = Graph()
    for nid in ("a", "b", "c"):
        g.add_node("Input", {"shape": [2]}, node_id=nid)
    g.add_node("Add", {"num_inputs": 3}, node_id="add")
    g.add_node("Dense", {"units": 1}, node_id="out")
    g.connect("a", "add", 0)
    g.connect("b", "add", 1)
    g.connect("c", "add", 2)
    g.connect("add", "out")
    rec = Recorder(g)
    old = g.set_params("add", {"num_inputs": 2})
    assert old == {"num_inputs": 3}
    assert Edge("c", "add", 2) not in g.edges
    assert Edge("a", "add", 0) in g.edges and Edge("b", "add", 1) in g.edges
    assert rec.events == [GraphEvent("edge_removed", edge=Edge("c", "add", 2), index=2),
                          GraphEvent("params_changed", node_id="add")]
    assert g.input_edges("add") == [Edge("a", "add", 0), Edge("b", "add", 1)]
    # c is now an extra output: the only remaining problem
    assert [(type(p), p.node_id) for p in g.check()] == [(DanglingPortError, "c"), (DanglingPortError, "out")]


def test_copy_is_independent():
    g = chain(("d", "Dense", {"units": 2}))
    c = g.copy()
    c.set_params("d", {"units": 5})
    c.remove_node("inp")
    assert g.nodes["d"].params["units"] == 2 and "inp" in g.nodes and len(g.edges) == 1
