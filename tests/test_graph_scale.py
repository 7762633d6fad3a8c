"""Graph algorithms stay linear, and nothing recurses, on very long chains (issue 11).

A 10⁴-node chain took 218 s to summarise because every edge lookup scanned all edges. The work
is measured here by *counting* executed Python lines (sys.settrace) — deterministic, unlike a
clock — at two sizes: linear algorithms do about twice the work for twice the nodes, quadratic
ones about four times. Wall-clock timings live in ``bench/graph_scale.py``.
"""
import random
import sys

import pytest

from core.designfile import Design, dumps, loads
from core.errors import CycleError
from core.graph import Edge, EdgeList, Graph


def chain(n: int, *, cycle: bool = False) -> Graph:
    """Input → Dense(2) → Tanh → Dense(2) → … (n nodes), built as a design file loads it.
    With cycle, the last node feeds back into the first Dense (a cycle through every node)."""
    g = Graph()
    prev = g.add_node("Input", {"shape": [2]}, node_id="n0").id
    for i in range(1, n):
        nid = g.add_node("Dense" if i % 2 else "Tanh", {"units": 2} if i % 2 else {}, node_id=f"n{i}").id
        g.edges.append(Edge(prev, nid))
        prev = nid
    if cycle:
        g.add_node("Add", node_id="join")
        g.edges.remove(Edge("n0", "n1"))
        g.edges.append(Edge("n0", "join", 0))
        g.edges.append(Edge(prev, "join", 1))
        g.edges.append(Edge("join", "n1"))
    return g


def lines_executed(fn) -> int:
    """How many Python lines fn() executes (every frame, loop iterations included)."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def whole_graph_work(g: Graph):
    g.summary()
    g.check()
    g.topological_order() if not g._nodes_on_cycles() else None
    g.ancestors(list(g.nodes)[-1])


@pytest.mark.parametrize("cycle", [False, True], ids=["chain", "cycle"])
def test_whole_graph_work_grows_linearly(cycle):
    small, large = chain(300, cycle=cycle), chain(600, cycle=cycle)
    ratio = lines_executed(lambda: whole_graph_work(large)) / lines_executed(lambda: whole_graph_work(small))
    # Linear: 2.0 (plus a constant); the old quadratic edge scans gave about 3.7 here.
    assert ratio < 2.4, ratio


def test_edge_lookups_do_not_scan_the_edge_list():
    g = chain(1000)
    # One node's edges are found through the index: a handful of lines, whatever the graph size.
    assert lines_executed(lambda: g.input_edges("n500")) < 40
    assert lines_executed(lambda: g.consumers("n500")) < 40
    assert lines_executed(lambda: g.connection_problem("n999", "n0")) is not None


def test_hundred_thousand_node_chain_summarises_checks_and_round_trips():
    """No RecursionError and nothing quadratic anywhere: shape inference, summary, check, the
    design file both ways and the structure hash on a 10⁵-node chain."""
    n = 100_000
    g = chain(n)
    analysis = g.analyze()         # check() and infer_shapes() in one pass
    assert analysis.problems == []
    assert analysis.shapes[f"n{n - 1}"] == (2,)
    table = g.summary().splitlines()
    # A Dense(2) after a 2-wide input has 2·2 + 2 = 6 parameters; there are n/2 of them.
    assert f"Total params: {6 * (n // 2):,}" in table
    assert sum(1 for line in table if "(Dense)" in line) == n // 2
    design = Design(graph=g)
    text = dumps(design)
    again = loads(text)
    assert again.graph.edges == g.edges and list(again.graph.nodes) == list(g.nodes)
    assert again.structure_hash() == design.structure_hash()
    assert g.topological_order() == [f"n{i}" for i in range(n)]


def test_cycle_in_a_long_chain_is_named_without_recursion():
    g = chain(20_000, cycle=True)
    with pytest.raises(CycleError) as err:
        g.topological_order()
    assert err.value.node_id in {"n1", "join"}     # the first node (in insertion order) on the cycle
    assert len(g._nodes_on_cycles()) == 20_000      # every node but the Input


def test_compiling_a_long_chain():
    from core.plan import compile_plan
    plan = compile_plan(chain(20_000))
    assert len(plan.weights) == 2 * 10_000
    assert plan.weight("n19999/kernel").shape == (2, 2)


# ---- the index always agrees with the list ---------------------------------------------------

def index_matches(g: Graph) -> bool:
    ids = set(g.nodes) | {e.source for e in g.edges} | {e.target for e in g.edges}
    return all(g.edges.into(n) == [e for e in g.edges if e.target == n]
               and g.edges.out_of(n) == [e for e in g.edges if e.source == n] for n in ids)


def test_index_follows_every_kind_of_list_edit():
    e1, e2, e3 = Edge("a", "b"), Edge("b", "c"), Edge("a", "c", 1)
    edges = EdgeList([e1, e2])
    g = Graph(edges=[e1])
    assert isinstance(g.edges, EdgeList)
    g.edges = [e1, e2]                       # assigning a plain list keeps an indexed one
    assert isinstance(g.edges, EdgeList) and g.edges.out_of("a") == [e1]
    edges.insert(0, e3)
    assert edges.out_of("a") == [e3, e1] and edges.into("c") == [e3, e2]
    edges.append(e3)                         # the same edge twice (a direct edit)
    assert edges.into("c") == [e3, e3, e2] and edges.has_repeats()
    edges.remove(e3)
    assert edges.into("c") == [e2, e3] and not edges.has_repeats()
    del edges[0]
    assert edges.out_of("a") == [e3]
    edges[0] = e2
    assert edges.out_of("a") == [e3] and edges.into("c") == [e2, e3]
    edges.pop()
    assert edges.into("c") == [e2]
    edges.extend([e1, e3])
    edges.sort(key=lambda e: e.port, reverse=True)
    assert list(edges) == [e3, e2, e1] and edges.into("c") == [e3, e2]
    edges.clear()
    assert edges.into("c") == [] and edges.out_of("a") == []
    import copy
    import pickle
    edges.extend([e1, e2])
    for clone in (copy.deepcopy(edges), pickle.loads(pickle.dumps(edges))):
        assert clone == edges and clone.out_of("a") == [e1] and clone.into("c") == [e2]


def test_index_stays_exact_through_random_edits_and_their_undos():
    rng = random.Random(7)
    g = Graph()
    g.add_node("Input", {"shape": [3]}, node_id="x")
    for i in range(12):
        typ = rng.choice(["Dense", "Add", "Concat", "ReLU"])
        g.add_node(typ, {"units": 3} if typ == "Dense" else None, node_id=f"v{i}")
    undo = []
    for step in range(400):
        ids = list(g.nodes)
        action = rng.random()
        if action < 0.45:
            s, t = rng.choice(ids), rng.choice(ids)
            port = rng.randrange(3)
            if g.connection_problem(s, t, port) is None:
                index = rng.randrange(len(g.edges) + 1)
                edge = g.connect(s, t, port, index=index)
                undo.append(("disconnect", edge))
        elif action < 0.65 and g.edges:
            edge = rng.choice(list(g.edges))
            undo.append(("restore_edge", g.disconnect(edge), edge))
        elif action < 0.8 and len(ids) > 2:
            undo.append(("restore_node", g.remove_node(rng.choice(ids[1:]))))
        elif undo:
            op = undo.pop()
            if op[0] == "disconnect":
                g.disconnect(op[1])
            elif op[0] == "restore_edge":
                g.restore_edge(op[1], op[2])
            else:
                g.restore_node(*op[1])
        assert index_matches(g), step
    while undo:   # undo everything: back to no edges, the index empty too
        op = undo.pop()
        if op[0] == "disconnect":
            g.disconnect(op[1])
        elif op[0] == "restore_edge":
            g.restore_edge(op[1], op[2])
        else:
            g.restore_node(*op[1])
        assert index_matches(g)
    assert g.edges == [] and g.edges._into == {} and g.edges._out_of == {}


def test_repeated_edge_is_reported_by_check():
    g = chain(3)
    g.edges.append(Edge("n1", "n2"))
    problems = [str(p) for p in g.check()]
    assert any("'n2'" in p and "connected twice" in p for p in problems), problems


def test_dense_parameter_count_agrees_with_its_weights():
    """Dense counts its parameters without building WeightSpecs; the specs are the reference."""
    from core.blocks import get_block
    from core.blocks.base import Block
    dense = get_block("Dense")
    for units in (1, 7):
        for use_bias in (True, False):
            for trainable in (True, False):
                params = dense.params.resolve({"units": units, "use_bias": use_bias, "trainable": trainable})
                for shape in ((1,), (5,), (4, 5)):      # (4, 5): Dense on the last axis of a sequence
                    assert dense.param_count(params, [shape]) == \
                        Block.param_count.__func__(dense, params, [shape])
    assert dense.param_count(dense.params.resolve({"units": 3}), [(4, 5)]) == (5 * 3 + 3, 0)   # Keras: kernel (5, 3)
