"""The graph model: the one copy of a design that the canvas renders and the engine compiles.

Mutations validate first and raise a ``GraphError`` naming the node; every successful mutation is
announced to listeners as a ``GraphEvent`` (the designer's scene follows them). ``check()``
returns *all* problems at once so the canvas can show them inline.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from .blocks import BLOCKS, get_block
from .edges import Edge, EdgeList  # re-exported: core.graph.Edge and .EdgeList are the public names
from .errors import (CycleError, DanglingPortError, GraphError, ParameterError,
                     PortInUseError, ShapeMismatchError)
from .textsafe import printable_label


@dataclass
class Node:
    id: str
    type: str
    params: dict[str, Any]
    label: str = ""
    position: tuple[float, float] = (0.0, 0.0)

    @property
    def block(self):
        return BLOCKS.get(self.type)

    @property
    def title(self) -> str:
        return self.label or self.id


@dataclass(frozen=True)
class Analysis:
    problems: list
    shapes: dict
    counts: dict


@dataclass(frozen=True)
class GraphEvent:
    """kind: node_added, node_removed, edge_added, edge_removed, params_changed, label_changed,
    node_moved, reset."""

    kind: str
    node_id: str | None = None
    edge: Edge | None = None
    index: int | None = None


_ID_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
MAX_ID_CHARS = 128
# The summary pads its columns to at most this width: one overlong cell must not pad every row.
_SUMMARY_MAX_COLUMN = 120


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def __post_init__(self):
        self._listeners: list[Callable[[GraphEvent], None]] = []

    def __setattr__(self, name, value):
        # Whatever list of edges is assigned, the graph keeps an indexed one (see EdgeList).
        if name == "edges" and type(value) is not EdgeList:
            value = EdgeList(value)
        object.__setattr__(self, name, value)

    # ---- observers -------------------------------------------------------------------------
    def subscribe(self, fn: Callable[[GraphEvent], None]) -> None:
        self._listeners.append(fn)

    def unsubscribe(self, fn) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _emit(self, kind: str, **kw) -> None:
        ev = GraphEvent(kind, **kw)
        for fn in list(self._listeners):
            fn(ev)

    # ---- nodes -------------------------------------------------------------------------------
    def new_id(self, type_name: str) -> str:
        base = type_name.lower()
        i = 1
        while f"{base}{i}" in self.nodes:
            i += 1
        return f"{base}{i}"

    def make_node(self, type_name: str, params: dict | None = None, *, node_id: str | None = None,
                  label: str = "", position=(0.0, 0.0)) -> Node:
        """A validated Node not yet in the graph (undo commands insert it)."""
        if type_name not in BLOCKS:
            raise GraphError(f"unknown block type {type_name!r}", node_id, label)
        type_name = BLOCKS.canonical(type_name)
        node_id = node_id or self.new_id(type_name)
        if len(node_id) > MAX_ID_CHARS:
            raise GraphError(f"ids are at most {MAX_ID_CHARS} characters (this one has {len(node_id):,})",
                             node_id[:MAX_ID_CHARS] + "…", label)
        if not _ID_SAFE.match(node_id):
            raise GraphError("ids start with a letter and use letters, digits, '_', '.', '-'", node_id, label)
        resolved = self._resolve_params(type_name, params or {}, node_id, label)
        return Node(node_id, type_name, resolved, label, (float(position[0]), float(position[1])))

    def add_node(self, type_name: str, params: dict | None = None, **kw) -> Node:
        node = self.make_node(type_name, params, **kw)
        self.insert_node(node)
        return node

    def insert_node(self, node: Node, index: int | None = None) -> None:
        if node.id in self.nodes:
            raise GraphError("a node with this id already exists", node.id, node.label)
        if index is None or index >= len(self.nodes):
            index = len(self.nodes)
            self.nodes[node.id] = node          # the common case: O(1), no rebuild of the dict
        else:
            items = list(self.nodes.items())
            items.insert(index, (node.id, node))
            self.nodes = dict(items)
        self._emit("node_added", node_id=node.id, index=index)

    def remove_node(self, node_id: str) -> tuple[int, Node, list[tuple[int, Edge]]]:
        """Remove a node and its edges; returns what ``restore_node`` needs to undo it."""
        node = self._node(node_id)
        touching = set(self.edges.into(node_id)) | set(self.edges.out_of(node_id))
        removed = ([(i, e) for i, e in enumerate(self.edges) if e in touching] if touching else [])
        for i, e in reversed(removed):
            del self.edges[i]
            self._emit("edge_removed", edge=e, index=i)
        index = list(self.nodes).index(node_id)
        del self.nodes[node_id]
        self._emit("node_removed", node_id=node_id, index=index)
        return index, node, removed

    def restore_node(self, index: int, node: Node, edges: list[tuple[int, Edge]]) -> None:
        self.insert_node(node, index)
        for i, e in edges:
            self.edges.insert(i, e)
            self._emit("edge_added", edge=e, index=i)

    def set_params(self, node_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Validate and apply parameter changes; returns the old values of the changed keys."""
        node = self._node(node_id)
        merged = {**node.params, **changes}
        resolved = self._resolve_params(node.type, merged, node.id, node.label)
        old = {k: node.params.get(k) for k in changes}
        node.params = resolved
        # Fewer ports on Add/Concat: edges to ports that no longer exist are dropped.
        n_in = node.block.num_inputs(resolved)
        if any(e.port >= n_in for e in self.edges.into(node_id)):
            for i in reversed(range(len(self.edges))):
                e = self.edges[i]
                if e.target == node_id and e.port >= n_in:
                    del self.edges[i]
                    self._emit("edge_removed", edge=e, index=i)
        self._emit("params_changed", node_id=node_id)
        return old

    def set_label(self, node_id: str, label: str) -> None:
        self._node(node_id).label = label
        self._emit("label_changed", node_id=node_id)

    def set_position(self, node_id: str, position) -> None:
        self._node(node_id).position = (float(position[0]), float(position[1]))
        self._emit("node_moved", node_id=node_id)

    # ---- edges -------------------------------------------------------------------------------
    def connection_problem(self, source: str, target: str, port: int = 0) -> GraphError | None:
        """Why connecting source → target:port would be wrong, or None when it is fine."""
        if source not in self.nodes:
            return DanglingPortError(f"edge source {source!r} does not exist", target)
        if target not in self.nodes:
            return DanglingPortError(f"edge target {target!r} does not exist", source)
        tnode = self.nodes[target]
        n_in = tnode.block.num_inputs(tnode.params)
        if not 0 <= port < n_in:
            return DanglingPortError(f"has no input port {port} (it has {n_in})", target, tnode.label)
        for e in self.edges.into(target):
            if e.port == port:
                return PortInUseError(f"input port {port} is already connected to {e.source!r}",
                                      target, tnode.label)
        if source == target or target in self.ancestors(source):
            return CycleError(f"connecting from {source!r} would create a cycle", target, tnode.label)
        before = {(p.node_id, str(p)) for p in self._shape_problems()}
        self.edges.append(Edge(source, target, port))
        try:
            after = [p for p in self._shape_problems() if (p.node_id, str(p)) not in before]
        finally:
            self.edges.pop()
        return after[0] if after else None

    def connect(self, source: str, target: str, port: int = 0, index: int | None = None) -> Edge:
        problem = self.connection_problem(source, target, port)
        if problem is not None:
            raise problem
        edge = Edge(source, target, port)
        index = len(self.edges) if index is None else index
        self.edges.insert(index, edge)
        self._emit("edge_added", edge=edge, index=index)
        return edge

    def restore_edge(self, index: int, edge: Edge) -> None:
        """Put back an edge an undone edit removed, exactly as it was — without re-validating, since
        an edge that already had a (shown) shape problem must come back too."""
        if edge.source not in self.nodes or edge.target not in self.nodes:
            raise DanglingPortError("cannot restore an edge to a missing node", edge.target)
        self.edges.insert(index, edge)
        self._emit("edge_added", edge=edge, index=index)

    def disconnect(self, edge: Edge) -> int:
        index = self.edges.index(edge)
        del self.edges[index]
        self._emit("edge_removed", edge=edge, index=index)
        return index

    # ---- structure ---------------------------------------------------------------------------
    def input_edges(self, node_id: str) -> list[Edge | None]:
        """Edges into each input port of a node, None where a port is unconnected."""
        node = self.nodes[node_id]
        ports: list[Edge | None] = [None] * node.block.num_inputs(node.params)
        for e in self.edges.into(node_id):
            if e.port < len(ports):
                ports[e.port] = e
        return ports

    def consumers(self, node_id: str) -> list[Edge]:
        return self.edges.out_of(node_id)

    def ancestors(self, node_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [node_id]
        while stack:
            n = stack.pop()
            for e in self.edges.into(n):
                if e.source not in seen:
                    seen.add(e.source)
                    stack.append(e.source)
        return seen

    def topological_order(self) -> list[str]:
        """Kahn's algorithm, ties broken by insertion order. Raises CycleError naming a node on
        the cycle."""
        order = self._kahn()
        if len(order) != len(self.nodes):
            # NOTE: the first node Kahn leaves out may only sit *downstream* of a cycle; name one on it.
            cyclic = self._nodes_on_cycles()
            stuck = next(n for n in self.nodes if n in cyclic)
            raise CycleError("is part of a cycle", stuck, self.nodes[stuck].label)
        return order

    def _kahn(self) -> list[str]:
        """Topological order of every node not on or downstream of a cycle."""
        indeg = {n: 0 for n in self.nodes}
        for e in self.edges:
            if e.source in indeg and e.target in indeg:
                indeg[e.target] += 1
        ready = deque(n for n in self.nodes if indeg[n] == 0)
        order = []
        while ready:
            n = ready.popleft()
            order.append(n)
            for e in self.edges.out_of(n):
                if e.target in indeg:
                    indeg[e.target] -= 1
                    if indeg[e.target] == 0:
                        ready.append(e.target)
        return order

    def input_nodes(self) -> list[str]:
        return sorted(n for n, node in self.nodes.items() if node.type == "Input")

    def output_node(self) -> str:
        """The loss head: the one node whose output feeds nothing."""
        sinks = self._sinks()
        if len(sinks) != 1:
            raise GraphError(f"the design needs exactly one output (a node feeding nothing); found "
                             f"{len(sinks)}: {', '.join(sinks) or 'none'}")
        return sinks[0]

    def _sinks(self) -> list[str]:
        return [n for n in self.nodes if not self.edges.has_consumers(n)]

    # ---- validation and shapes ---------------------------------------------------------------
    def infer_shapes(self, problems: list[GraphError] | None = None) -> dict[str, tuple[int, ...]]:
        """Output shape of every node whose inputs are known, in topological order.

        With `problems` given, problems are appended and inference goes on; otherwise the first
        problem is raised.
        """
        return self._infer(problems)[0]

    def _infer(self, problems: list[GraphError] | None):
        """Shapes, the (topological where possible) order they were inferred in and each node's
        input edges: one pass, O(N + E), shared by analyze() and summary()."""
        def fail(err: GraphError):
            if problems is None:
                raise err
            problems.append(err)

        try:
            order = self.topological_order()
        except CycleError as err:
            fail(err)
            # Still topological, so nodes inserted before their sources are inferred too; the
            # rest (downstream of the cycle) only get their unconnected ports reported.
            order = self._kahn()
            cyclic = self._nodes_on_cycles()
            placed = set(order)
            order += [n for n in self.nodes if n not in cyclic and n not in placed]
        shapes: dict[str, tuple[int, ...]] = {}
        inputs: dict[str, list[Edge | None]] = {}
        for nid in order:
            node = self.nodes[nid]
            in_shapes = []
            inputs[nid] = ins = self.input_edges(nid)
            for port, e in enumerate(ins):
                if e is None:
                    fail(DanglingPortError(f"input port {port} is not connected", nid, node.label))
                    break
                if e.source not in shapes:
                    break
                in_shapes.append(shapes[e.source])
            else:
                try:
                    shapes[nid] = node.block.output_shape(node.params, in_shapes)
                except ValueError as err:
                    fail(ShapeMismatchError(str(err), nid, node.label))
        return shapes, order, inputs

    def _shape_problems(self) -> list[ShapeMismatchError]:
        """The shape mismatches check() would report, from shape inference alone (no counts)."""
        problems: list[GraphError] = []
        self._infer(problems)
        return [p for p in problems if isinstance(p, ShapeMismatchError)]

    def _nodes_on_cycles(self) -> set[str]:
        """Nodes on some cycle: members of a strongly connected component with more than one
        node, or with an edge to themselves. Tarjan's algorithm, iterative (no recursion limit
        on long chains), O(N + E)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        cyclic: set[str] = set()
        counter = 0
        for root in self.nodes:
            if root in index:
                continue
            work = [(root, iter(self.edges.out_of(root)))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                v, succ = work[-1]
                advanced = False
                for e in succ:
                    w = e.target
                    if w not in self.nodes:
                        continue
                    if w == v:
                        cyclic.add(v)
                    if w not in index:
                        index[w] = low[w] = counter
                        counter += 1
                        stack.append(w)
                        on_stack.add(w)
                        work.append((w, iter(self.edges.out_of(w))))
                        advanced = True
                        break
                    if w in on_stack:
                        low[v] = min(low[v], index[w])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        cyclic.update(component)
        return cyclic

    def check(self) -> list[GraphError]:
        """Every problem of the design, each naming its node. Empty when the design can train."""
        return self.analyze().problems

    def validate(self) -> dict[str, tuple[int, ...]]:
        """Raise the first problem; return the inferred shapes when there is none."""
        analysis = self.analyze()
        if analysis.problems:
            raise analysis.problems[0]
        return analysis.shapes

    # ---- counts ------------------------------------------------------------------------------
    def input_shapes_of(self, node_id: str, shapes: dict) -> list[tuple[int, ...]]:
        return [shapes[e.source] for e in self.input_edges(node_id)]

    def analyze(self, memory: bool = True) -> "Analysis":
        """Problems, shapes and parameter counts from one shape-inference pass (for the canvas).

        With `memory`, a design whose weights, gradients and optimizer state alone exceed the
        machine's memory limit gets a MemoryLimitError on its largest layer (core/memory.py; the
        batch-dependent part needs the training settings: ``core.memory.design_memory_problem``)."""
        problems: list[GraphError] = []
        if not self.input_nodes():
            problems.append(GraphError("the design has no Input node"))
        shapes, _, inputs = self._infer(problems)
        if self.edges.has_repeats():
            seen: set[Edge] = set()
            for e in self.edges:
                if e in seen and e.target in self.nodes:
                    problems.append(PortInUseError(f"input port {e.port} is connected twice to "
                                                   f"{e.source!r}", e.target, self.nodes[e.target].label))
                seen.add(e)
        sinks = self._sinks()
        if len(sinks) > 1:
            for s in sinks:
                problems.append(DanglingPortError(
                    "output is not connected to anything (the design needs exactly one output)",
                    s, self.nodes[s].label))
        counts = self.param_counts(shapes, inputs)
        if memory and counts:
            from .memory import weights_memory_problem
            problem = weights_memory_problem(counts, label_of=lambda nid: self.nodes[nid].label)
            if problem is not None:
                problems.append(problem)
        return Analysis(problems, shapes, counts)

    def param_counts(self, shapes: dict | None = None,
                     inputs: dict | None = None) -> dict[str, tuple[int, int]]:
        """(trainable, non-trainable) per node whose shapes are known. `inputs` (node id → input
        edges, from _infer) saves looking the edges up again."""
        shapes = self.infer_shapes(problems=[]) if shapes is None else shapes
        inputs = inputs or {}
        out = {}
        for nid, node in self.nodes.items():
            ins = inputs.get(nid)
            if ins is None:
                ins = self.input_edges(nid)
            if any(e is None or e.source not in shapes for e in ins):
                continue   # an unconnected port or an input of unknown shape
            try:
                out[nid] = node.block.param_count(node.params, [shapes[e.source] for e in ins])
            except (KeyError, ValueError):
                continue
        return out

    def summary(self) -> str:
        """A Keras ``model.summary()``-style table."""
        shapes, order, inputs = self._infer(problems=[])
        counts = self.param_counts(shapes, inputs)
        if len(order) != len(self.nodes):     # a cycle: list every node, in insertion order
            order = list(self.nodes)
        rows = [("Node (type)", "Output shape", "Param #", "Connected to")]
        for nid in order:
            node = self.nodes[nid]
            src = ", ".join(e.source if e else "—" for e in (inputs.get(nid) or self.input_edges(nid))) or ""
            t, n = counts.get(nid, (0, 0))
            shape = shapes.get(nid)
            rows.append((f"{printable_label(node.title)} ({node.type})",
                         "(None, " + ", ".join(map(str, shape)) + ")" if shape else "?",
                         f"{t + n:,}", src))
        widths = [min(max(len(r[i]) for r in rows), _SUMMARY_MAX_COLUMN) for i in range(4)]
        line = "─" * (sum(widths) + 9)
        fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths))
        tot_t = sum(c[0] for c in counts.values())
        tot_n = sum(c[1] for c in counts.values())
        out = [line, fmt(rows[0]), line] + [fmt(r) for r in rows[1:]] + [line]
        out += [f"Total params: {tot_t + tot_n:,}", f"Trainable params: {tot_t:,}",
                f"Non-trainable params: {tot_n:,}", line]
        return "\n".join(out)

    # ---- helpers -----------------------------------------------------------------------------
    def _node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError("no such node", node_id) from None

    @staticmethod
    def _resolve_params(type_name, params, node_id, label):
        block = get_block(type_name)
        try:
            return block.params.resolve(params)
        except KeyError as e:
            raise ParameterError(f"{type_name} has no parameter {e.args[0]!r}", node_id, label,
                                 param=e.args[0]) from None
        except ValueError as e:
            name, msg = e.args
            raise ParameterError(f"{type_name} {msg}", node_id, label, param=name) from None

    def copy(self) -> "Graph":
        g = Graph({k: Node(n.id, n.type, dict(n.params), n.label, n.position) for k, n in self.nodes.items()},
                  list(self.edges))
        return g
