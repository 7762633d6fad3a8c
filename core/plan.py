"""Compile a graph into a plan: a flat table of steps over tensor and weight slots.

The plan does not depend on the batch size or the dtype; the executor lays out arenas for a given
largest batch. Weight names are ``node_id/weight`` (made and parsed in one place: ``weight_name``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import GraphError
from .graph import Graph
from .ops import n_float_cols, n_int_cols, op as registered_op, op_by_code
from .ops.schema import H_IN_COUNT, H_IN_START, H_OP, H_OUT, H_SKIP_BWD, H_TRAIN_W
from .losses import LOSSES


def weight_name(node_id: str, weight: str) -> str:
    return f"{node_id}/{weight}"


def split_weight_name(name: str) -> tuple[str, str]:
    node_id, _, weight = name.rpartition("/")
    return node_id, weight


@dataclass(frozen=True)
class WeightSlot:
    name: str
    node_id: str
    weight: str
    offset: int
    shape: tuple[int, ...]
    trainable: bool
    state: bool
    l1: float
    l2: float
    initializer: str
    init_params: dict

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


@dataclass
class Plan:
    ops: np.ndarray                 # int64 [steps, header + fields]: core/ops/schema.py
    opf: np.ndarray                 # float64 [steps, float fields]
    op_in: np.ndarray               # int64 [entries, 3]: tensor, accumulate, needs gradient
    tensor_widths: list[int]
    tensor_nodes: list[str]
    aux_entries: list[tuple[int, bool]]   # (size, per_sample); ops' aux fields index this list
    weights: list[WeightSlot]
    n_params: int
    inputs: list[tuple[str, int, int]]    # (node_id, first column, width)
    n_features: int
    out_tensor: int
    logits_tensor: int
    fused_softmax: bool
    output_node: str
    loss_code: int
    loss_delta: float
    step_nodes: list[str]
    node_tensor: dict[str, int] = field(default_factory=dict)
    node_types: dict[str, str] = field(default_factory=dict)

    @property
    def output_width(self) -> int:
        return self.tensor_widths[self.out_tensor]

    def weight(self, name: str) -> WeightSlot:
        """The slot of one weight by name, O(1) (an index built on first use: executors look up
        every weight by name, and a scan per lookup made big designs quadratic)."""
        index = self.__dict__.get("_weight_index")
        if index is None or len(index) != len(self.weights):
            index = self.__dict__["_weight_index"] = {w.name: w for w in self.weights}
        return index[name]


class PlanBuilder:
    """What blocks' ``emit`` methods talk to."""

    def __init__(self):
        self.widths: list[int] = []
        self.tensor_nodes: list[str] = []
        self.aux: list[tuple[int, bool]] = []
        self.rows: list[list[int]] = []
        self.frows: list[list[float]] = []
        self.entries: list[list[int]] = []
        self.step_nodes: list[str] = []
        self.weights: list[WeightSlot] = []
        self.inputs: list[tuple[str, int, int]] = []
        self._n_params = 0
        self._n_features = 0
        self._offsets: dict[str, dict[str, int]] = {}

    # tensors and slots
    def new_tensor(self, width: int, node_id: str) -> int:
        self.widths.append(int(width))
        self.tensor_nodes.append(node_id)
        return len(self.widths) - 1

    def tensor_width(self, t: int) -> int:
        return self.widths[t]

    def new_aux(self, size: int, per_sample: bool = False) -> int:
        self.aux.append((int(size), per_sample))
        return len(self.aux) - 1

    def add_weights(self, node_id: str, specs) -> None:
        for s in specs:
            self.weights.append(WeightSlot(weight_name(node_id, s.name), node_id, s.name, self._n_params,
                                           tuple(s.shape), s.trainable, s.state, s.l1, s.l2,
                                           s.initializer, dict(s.init_params)))
            self._offsets.setdefault(node_id, {})[s.name] = self._n_params
            self._n_params += s.size

    def weight_offsets(self, node_id: str) -> dict[str, int]:
        return dict(self._offsets.get(node_id, {}))

    def add_input(self, node_id: str, tensor: int, width: int) -> None:
        self.inputs.append((node_id, self._n_features, width))
        self.add_op("input", [], tensor, ints={"column": self._n_features}, node_id=node_id)
        self._n_features += width

    def add_op(self, name: str, inputs, out, *, weights=None, aux=None, ints=None, floats=None,
               train_w=False, node_id="") -> int:
        """Add one step of the op called `name` (core/ops/), its fields given by name:
        weights {field: parameter offset} (a field left out is -1: absent), aux {field: size}
        (an entry per slot, per sample or fixed as the schema declares), ints and floats
        {field: value} (left out: 0). A name the op does not declare is refused."""
        sc = registered_op(name).schema
        weights, aux, ints, floats = weights or {}, aux or {}, ints or {}, floats or {}
        for given, declared, what in ((weights, sc.weights, "weight"), (aux, [a.name for a in sc.aux], "aux"),
                                      (ints, sc.ints, "int"), (floats, sc.floats, "float")):
            unknown = set(given) - set(declared)
            if unknown:
                raise ValueError(f"op {name}: no {what} field {sorted(unknown)}; it declares {list(declared)}")
        missing = [a.name for a in sc.aux if a.name not in aux]
        if missing:
            raise ValueError(f"op {name}: aux slots {missing} need a size")
        row = [0] * n_int_cols()
        row[H_OP], row[H_IN_START], row[H_IN_COUNT], row[H_OUT] = sc.opcode, len(self.entries), len(inputs), out
        row[H_TRAIN_W] = int(bool(train_w))
        for w in sc.weights:
            row[sc.col(w)] = int(weights.get(w, -1))
        for a in sc.aux:
            row[sc.col(a.name)] = self.new_aux(aux[a.name], per_sample=a.per_sample)
        for k, v in ints.items():
            row[sc.col(k)] = int(v)
        frow = [0.0] * n_float_cols()
        for k, v in floats.items():
            frow[sc.fcol(k)] = float(v)
        for t in inputs:
            self.entries.append([t, 0, 1])
        if not inputs:   # keep the input start valid for steps without inputs
            self.entries.append([out, 0, 0])
        self.rows.append(row)
        self.frows.append(frow)
        self.step_nodes.append(node_id)
        return len(self.rows) - 1


def estimate_memory(plan_or_graph, batch_size: int | None = None, dtype="float32", *,
                    limit: int | None = None):
    """The memory training needs (a ``core.memory.MemoryEstimate``; ``.total`` in bytes), checked:
    raises ``MemoryLimitError`` — naming the largest layer, the bytes and the limit — when it is
    over ``limit`` (default ``core.memory.memory_limit()``: 80 % of RAM or
    NETDESIGNER_MEMORY_LIMIT). The batch is the design's; the executor's arena holds at least
    ``DEFAULT_ARENA_BATCH`` rows (core/model.py), so that is the least counted. The pre-flight
    (core/preflight.py) and the CLI call this; ``core.memory`` has the unchecked parts."""
    from .memory import DEFAULT_ARENA_BATCH, require_memory
    return require_memory(plan_or_graph, max(int(batch_size or 0), DEFAULT_ARENA_BATCH), dtype, limit)


def compile_plan(graph: Graph, loss: str = "mse", loss_params: dict | None = None, *,
                 batch_size: int | None = None, dtype="float32") -> Plan:
    """Validate the graph and lay it out as a plan. Raises the first GraphError.

    It also refuses (MemoryLimitError, with the numbers) a design whose executor would not fit in
    memory at ``batch_size`` rows (default: the smallest arena core/model.py lays out), checked on
    the inferred shapes before any step is laid out and on the finished plan: executors allocate
    their arenas from it, and a 10¹²-weight design must fail here, not in ``np.zeros``.
    """
    from .memory import DEFAULT_ARENA_BATCH, check_estimate, estimate_from_analysis, estimate_memory
    analysis = graph.analyze()
    if analysis.problems:
        raise analysis.problems[0]
    shapes = analysis.shapes
    arena_batch = batch_size or DEFAULT_ARENA_BATCH
    check_estimate(estimate_from_analysis(analysis, arena_batch, dtype))
    out_node = graph.output_node()
    loss = LOSSES.canonical(loss)   # "sparse_cce" must still get the fused softmax path
    loss_spec = LOSSES.get(loss)
    loss_params = loss_spec.params.resolve(loss_params or {})
    b = PlanBuilder()
    node_tensor: dict[str, int] = {}
    order = graph.topological_order()
    # Inputs first, in id order, so data columns are assigned deterministically.
    inputs = graph.input_nodes()
    input_set = set(inputs)
    order = inputs + [n for n in order if n not in input_set]
    for nid in order:
        node = graph.nodes[nid]
        block = node.block
        in_shapes = graph.input_shapes_of(nid, shapes)
        b.add_weights(nid, block.weight_specs(node.params, in_shapes))
        in_tensors = [node_tensor[e.source] for e in graph.input_edges(nid)]
        node_tensor[nid] = block.emit(b, nid, node.params, in_tensors, in_shapes)

    ops = np.array(b.rows, dtype=np.int64).reshape(-1, n_int_cols())
    opf = np.array(b.frows, dtype=np.float64).reshape(-1, n_float_cols())
    op_in = np.array(b.entries, dtype=np.int64).reshape(-1, 3)
    out_t = node_tensor[out_node]
    fused = graph.nodes[out_node].type == "Softmax" and loss in (
        "categorical_crossentropy", "sparse_categorical_crossentropy") and not loss_params.get("from_logits")
    logits_t = out_t
    if fused:
        step = b.step_nodes.index(out_node)
        ops[step, H_SKIP_BWD] = 1
        logits_t = int(op_in[ops[step, H_IN_START], 0])
    if loss_spec.name in ("binary_crossentropy",) and b.widths[out_t] < 1:
        raise GraphError("binary cross-entropy needs an output", out_node)
    _mark_gradients(ops, op_in, b)
    plan = Plan(ops=ops, opf=opf, op_in=op_in, tensor_widths=b.widths, tensor_nodes=b.tensor_nodes,
                aux_entries=b.aux, weights=b.weights, n_params=b._n_params, inputs=b.inputs,
                n_features=b._n_features, out_tensor=out_t, logits_tensor=logits_t,
                fused_softmax=fused, output_node=out_node,
                loss_code=loss_spec.code(loss_params, fused), loss_delta=float(loss_params.get("delta", 1.0)),
                step_nodes=b.step_nodes, node_tensor=node_tensor,
                node_types={n: graph.nodes[n].type for n in graph.nodes})
    check_estimate(estimate_memory(plan, arena_batch, dtype))
    return plan


def _mark_gradients(ops: np.ndarray, op_in: np.ndarray, b: PlanBuilder) -> None:
    """Per input entry: does its tensor need a gradient, and is this the first contribution?

    Backward runs steps in reverse, so the *last* forward consumer of a tensor writes its gradient
    and earlier consumers add to it. Tensors that come straight from data need no gradient.
    """
    n_t = len(b.widths)
    needs = np.ones(n_t, dtype=bool)
    input_code = registered_op("input").schema.opcode
    for row in ops:
        if row[H_OP] == input_code:
            needs[row[H_OUT]] = False
    # A tensor computed without weights from data only (e.g. Input → Flatten) needs no gradient;
    # forward order propagates "needs" from inputs that need it or from weights.
    for row in ops:
        if row[H_OP] == input_code:
            continue
        ins = op_in[row[H_IN_START]:row[H_IN_START] + row[H_IN_COUNT], 0]
        has_weights = any(row[c] >= 0 for c in op_by_code(row[H_OP]).schema.weight_cols)
        needs[row[H_OUT]] = has_weights or bool(needs[ins].any())
    seen = np.zeros(n_t, dtype=bool)
    for s in range(len(ops) - 1, -1, -1):
        row = ops[s]
        if row[H_OP] == input_code:
            continue
        for e in range(row[H_IN_START], row[H_IN_START] + row[H_IN_COUNT]):
            t = op_in[e, 0]
            op_in[e, 2] = int(needs[t])
            op_in[e, 1] = int(seen[t])
            seen[t] = True
