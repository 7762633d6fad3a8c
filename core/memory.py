"""How much memory a design needs to train, worked out *before* anything is allocated.

Dense(10⁶) after a 10⁶-wide input is 10¹² weights: it passed validation and died in ``np.zeros``
with a MemoryError traceback (or after "✓ ready to train" in the designer). The executor's
memory is fully determined by the plan and the largest batch (see core/executor.py):

- the parameter arena and, the same size, the gradients and two optimizer slots (the executor
  keeps two for every optimizer: Adam's moments, RMSprop's average and momentum, …);
- the activation arena and its gradients: every tensor's width × the largest batch, twice;
- per-sample auxiliary buffers (BatchNorm/LayerNorm statistics, Dropout masks, …) and one
  scratch buffer as large as the widest tensor of a batch.

``estimate_memory`` adds these up from a compiled Plan exactly, or from a Graph (before
compiling) from the inferred shapes; ``memory_problem`` compares the total with
``memory_limit()`` — 80 % of the machine's physical memory, or ``NETDESIGNER_MEMORY_LIMIT``
bytes — and returns a ``MemoryLimitError`` naming the largest layer and the numbers.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from math import prod

from .errors import MemoryLimitError

# The smallest arena the engine lays out (core/model.py: max(batch_size, 256)).
DEFAULT_ARENA_BATCH = 256
OPTIMIZER_SLOTS = 2
LIMIT_FRACTION = 0.8
_FALLBACK_RAM = 8 << 30


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes each part of an executor takes (one dtype, one largest batch)."""

    parameters: int          # how many numbers the weights hold
    weights: int
    gradients: int
    optimizer: int
    activations: int         # arena, its gradients and per-sample buffers
    scratch: int
    batch_size: int
    itemsize: int
    largest_node: str | None = None    # the node with the most parameters (or widest output)

    @property
    def parameter_state(self) -> int:
        return self.weights + self.gradients + self.optimizer

    @property
    def total(self) -> int:
        return self.parameter_state + self.activations + self.scratch

    def describe(self) -> str:
        return (f"{format_bytes(self.total)}: {format_bytes(self.parameter_state)} for weights, gradients "
                f"and optimizer state ({self.parameters:,} parameters) and "
                f"{format_bytes(self.activations + self.scratch)} for activations at batch {self.batch_size:,}")


def format_bytes(n: int | float) -> str:
    for unit, scale in (("PB", 1 << 50), ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


def physical_memory() -> int:
    """Bytes of physical memory (psutil-free: sysconf; 8 GB where the platform does not say)."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        if pages > 0 and size > 0:
            return int(pages) * int(size)
    except (AttributeError, ValueError, OSError):
        pass
    return _FALLBACK_RAM


def memory_limit() -> int:
    """The most a design may need: NETDESIGNER_MEMORY_LIMIT (bytes) if set, else 80 % of RAM."""
    env = os.environ.get("NETDESIGNER_MEMORY_LIMIT", "").strip()
    if env:
        try:
            return max(0, int(float(env)))
        except ValueError:
            pass
    return int(physical_memory() * LIMIT_FRACTION)


def _itemsize(dtype) -> int:
    import numpy as np
    return np.dtype(dtype).itemsize


def estimate_memory(graph_or_plan, batch_size: int = DEFAULT_ARENA_BATCH, dtype="float32") -> MemoryEstimate:
    """Bytes an executor for this design needs at this largest batch, before allocating any.

    A ``Plan`` gives the exact layout; a ``Graph`` (not compiled yet) an estimate from its
    inferred shapes — one tensor per node, which the plan matches or exceeds only by a few
    per-node buffers. Python integers throughout, so 10¹²-weight designs do not overflow.
    """
    from .plan import Plan
    if not isinstance(graph_or_plan, Plan):
        return estimate_from_analysis(graph_or_plan.analyze(memory=False), batch_size, dtype)
    plan = graph_or_plan
    widths = [int(w) for w in plan.tensor_widths]
    per_node: dict[str, int] = {}
    for w in plan.weights:
        per_node[w.node_id] = per_node.get(w.node_id, 0) + prod(w.shape)
    b = max(1, int(batch_size))
    aux = sum(int(size) * (b if per else 1) for size, per in plan.aux_entries)
    largest = (max(per_node, key=per_node.get) if per_node else
               plan.tensor_nodes[widths.index(max(widths))] if widths else None)
    est = _estimate(int(plan.n_params), widths, aux, b, dtype, largest)
    # Dense layers with narrow outputs transpose their kernel into the scratch buffer.
    from .kernels.dense import TRANSPOSE_MAX_WIDTH
    narrow = [prod(w.shape) for w in plan.weights
              if w.weight == "kernel" and plan.node_types.get(w.node_id) == "Dense"
              and w.shape[-1] <= TRANSPOSE_MAX_WIDTH]
    transposed = max(narrow, default=0) * est.itemsize
    if transposed > est.scratch:
        est = dataclasses.replace(est, scratch=transposed)
    return est


def estimate_from_analysis(analysis, batch_size: int, dtype="float32") -> MemoryEstimate:
    """``estimate_memory`` of a graph from its ``Graph.analyze()`` result (no second pass)."""
    by_params = {nid: t + k for nid, (t, k) in analysis.counts.items() if t + k}
    shapes = analysis.shapes
    largest = (max(by_params, key=by_params.get) if by_params else
               max(shapes, key=lambda nid: prod(shapes[nid])) if shapes else None)
    return _estimate(sum(by_params.values()), [prod(s) for s in shapes.values()], 0,
                     max(1, int(batch_size)), dtype, largest)


def _estimate(n: int, widths: list[int], aux: int, b: int, dtype, largest) -> MemoryEstimate:
    item = _itemsize(dtype)
    return MemoryEstimate(parameters=n, weights=n * item, gradients=n * item,
                          optimizer=OPTIMIZER_SLOTS * n * item,
                          activations=(2 * sum(widths) * b + aux) * item,
                          scratch=max(widths, default=0) * b * item,
                          batch_size=b, itemsize=item, largest_node=largest)


def check_estimate(est: MemoryEstimate, limit: int | None = None) -> None:
    """Raise a MemoryLimitError when ``est`` exceeds the limit (default ``memory_limit()``)."""
    problem = _problem(est, memory_limit() if limit is None else limit)
    if problem is not None:
        raise problem


def memory_problem(graph_or_plan, batch_size: int = DEFAULT_ARENA_BATCH, dtype="float32",
                   limit: int | None = None) -> MemoryLimitError | None:
    """A MemoryLimitError when training this design would need more than ``limit`` bytes
    (default ``memory_limit()``), else None. The pre-flight check of the designer and the CLI."""
    est = estimate_memory(graph_or_plan, batch_size, dtype)
    return _problem(est, memory_limit() if limit is None else limit)


def weights_memory_problem(counts: dict, limit: int | None = None, label_of=None) -> MemoryLimitError | None:
    """The batch-independent part, for Graph.check(): weights, gradients and optimizer slots in
    float32 (the smallest dtype), from parameter counts already computed."""
    n = sum(t + k for t, k in counts.values())
    item = 4
    limit = memory_limit() if limit is None else limit
    if n * item * (2 + OPTIMIZER_SLOTS) <= limit:
        return None
    by_params = {nid: t + k for nid, (t, k) in counts.items()}
    largest = max(by_params, key=by_params.get)
    est = MemoryEstimate(parameters=n, weights=n * item, gradients=n * item,
                         optimizer=OPTIMIZER_SLOTS * n * item, activations=0, scratch=0, batch_size=1,
                         itemsize=item, largest_node=largest)
    return MemoryLimitError(
        f"training needs {format_bytes(est.parameter_state)} for weights, gradients and optimizer state "
        f"({n:,} parameters in float32); the limit on this machine is {format_bytes(limit)} "
        f"({_limit_source()}). This node has {by_params[largest]:,} parameters — make it smaller",
        largest, label_of(largest) if label_of else None, needed=est.parameter_state, limit=limit)


def _problem(est: MemoryEstimate, limit: int) -> MemoryLimitError | None:
    if est.total <= limit:
        return None
    return MemoryLimitError(
        f"training needs {est.describe()}; the limit on this machine is {format_bytes(limit)} "
        f"({_limit_source()}). Use fewer or narrower layers or a smaller batch size",
        est.largest_node, needed=est.total, limit=limit)


def _limit_source() -> str:
    if os.environ.get("NETDESIGNER_MEMORY_LIMIT", "").strip():
        return "NETDESIGNER_MEMORY_LIMIT"
    return f"{int(LIMIT_FRACTION * 100)} % of {format_bytes(physical_memory())} of memory"


def require_memory(graph_or_plan, batch_size: int = DEFAULT_ARENA_BATCH, dtype="float32",
                   limit: int | None = None) -> MemoryEstimate:
    """Raise the MemoryLimitError of ``memory_problem``; return the estimate when it fits."""
    est = estimate_memory(graph_or_plan, batch_size, dtype)
    check_estimate(est, limit)
    return est


def design_memory_problem(design, limit: int | None = None) -> MemoryLimitError | None:
    """The pre-flight check for a whole design: its batch size (the arena is at least
    DEFAULT_ARENA_BATCH, as core/model.py lays it out) and dtype. None when it fits."""
    t = design.training
    return memory_problem(design.graph, max(int(t["batch_size"]), DEFAULT_ARENA_BATCH), t["dtype"], limit)
