"""The op schema: what one step of a compiled plan is, declared by name.

A plan is two tables (core/plan.py). Every row of the int table starts with the same header
(opcode, first input entry, input count, output tensor, trainable weights, skip-backward); after
it, each op has its own *named* fields, laid out in the order its schema declares them:

- weights: the offset of a weight in the parameter arena, -1 for an optional one left out
  (Dense without bias);
- aux: the index of an auxiliary *entry* (scratch kept from forward to backward: masks, x̂,
  statistics). The executor turns entries into arena offsets once, in its ``aux_off`` array,
  from its largest batch; the table itself is never patched;
- ints: plain integer settings (an activation code, Dropout's inverted flag, Dense's BLAS route).

The float table holds each op's named float fields (epsilon, rate, slopes) from column 0. No
column means two things within one op, and every reader — the jitted adapters, the CUDA launchers,
the ONNX conversion, the plan checks — reads a field through its name (``SCHEMA.col("bias")``, a
module constant, so numba sees a compile-time constant).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

# --- the header of every row of the int table -----------------------------------------------------
H_OP = 0          # opcode
H_IN_START = 1    # first row in the op-input table (op_in)
H_IN_COUNT = 2    # number of inputs
H_OUT = 3         # output tensor
H_TRAIN_W = 4     # 1 when the op's weights are trainable (gradients computed)
H_SKIP_BWD = 5    # 1 when the loss already wrote the gradient of this op's input (fused softmax+CE)
N_HEADER = 6

# op_in columns
IN_TENSOR, IN_ACC, IN_NEED = 0, 1, 2


@dataclass(frozen=True)
class Aux:
    """An auxiliary slot: ``per_sample`` slots hold ``size`` values per sample of the batch (the
    executor multiplies by its largest batch); fixed ones hold ``size`` values. The size itself is
    given by the block's emit (it depends on the layer's width)."""
    name: str
    per_sample: bool


@dataclass(frozen=True)
class CudaSupport:
    """How the CUDA executor runs an op: host-side launch functions (core/cuda_backend.py calls
    ``forward(ex, s, row, n, P, A, d_X, d_rows, start)`` and ``backward(ex, s, row, n, P, G, A, D)``).
    An op module says ``CUDA = None`` when it is not on CUDA yet; the pre-flight refuses then."""
    forward: Callable
    backward: Callable


@dataclass(frozen=True)
class OpSchema:
    name: str
    opcode: int
    weights: tuple[str, ...] = ()
    aux: tuple[Aux, ...] = ()
    ints: tuple[str, ...] = ()
    floats: tuple[str, ...] = ()
    doc: str = ""
    _cols: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        names = [*self.weights, *(a.name for a in self.aux), *self.ints]
        if len(set(names)) != len(names):
            raise ValueError(f"op {self.name}: a field name is declared twice: {names}")
        if len(set(self.floats)) != len(self.floats):
            raise ValueError(f"op {self.name}: a float field name is declared twice: {self.floats}")
        self._cols.update({n: N_HEADER + i for i, n in enumerate(names)})

    # column lookups (module constants of the op modules are made with these)
    def col(self, name: str) -> int:
        """Column of a named int field (weight offset, aux entry or int setting)."""
        try:
            return self._cols[name]
        except KeyError:
            raise KeyError(f"op {self.name} has no int field {name!r}; it has {sorted(self._cols)}") from None

    def fcol(self, name: str) -> int:
        try:
            return self.floats.index(name)
        except ValueError:
            raise KeyError(f"op {self.name} has no float field {name!r}; it has {list(self.floats)}") from None

    @property
    def n_int_fields(self) -> int:
        return len(self._cols)

    @property
    def weight_cols(self) -> tuple[int, ...]:
        return tuple(self._cols[w] for w in self.weights)

    @property
    def aux_cols(self) -> tuple[int, ...]:
        return tuple(self._cols[a.name] for a in self.aux)


@dataclass(frozen=True)
class OpEntry:
    """One registered op: its schema, its CPU adapters (njit), its CUDA support or None, its ONNX
    conversion or None, and the module that declares them."""
    schema: OpSchema
    forward: Any
    backward: Any
    cuda: CudaSupport | None
    onnx: Callable | None
    module: str

    @property
    def name(self) -> str:
        return self.schema.name


class OpView:
    """One step of a plan read by name (for Python-side readers: ONNX conversion, CUDA launchers,
    checks). ``weight(name)`` gives the array from a ``{node/weight: array}`` dict when one is given."""

    def __init__(self, plan, step: int, weights: dict | None = None):
        from .registry import op_by_code
        self.plan, self.step = plan, step
        self.row = plan.ops[step]
        self.entry = op_by_code(int(self.row[H_OP]))
        self.schema = self.entry.schema
        self.node_id = plan.step_nodes[step]
        self._weights = weights

    def int(self, name: str) -> int:
        return int(self.row[self.schema.col(name)])

    def float(self, name: str) -> float:
        return float(self.plan.opf[self.step, self.schema.fcol(name)])

    def weight(self, name: str):
        """The array of a named weight, or None when the op has it switched off (offset -1)."""
        off = self.int(name)
        if off < 0:
            return None
        slot = next(w for w in self.plan.weights if w.offset == off and w.node_id == self.node_id)
        return self._weights[slot.name]

    @property
    def inputs(self) -> list[int]:
        e0, k = int(self.row[H_IN_START]), int(self.row[H_IN_COUNT])
        return [int(t) for t in self.plan.op_in[e0:e0 + k, IN_TENSOR]]

    @property
    def output(self) -> int:
        return int(self.row[H_OUT])
