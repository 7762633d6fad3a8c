"""Fine-tuning: freeze or unfreeze layers, and load the weights that match from another file.

Freezing sets a block's ``trainable`` parameter (Dense, BatchNorm, LayerNorm, PReLU) through
``Graph.set_params``, so it is undoable, saved with the design and shown on the canvas; the
compiled plan then gives those weights no gradient and the optimizer skips them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from .errors import GraphError, WeightsError
from .export import read_weights_file
from .fileguard import require_regular_file
from .weights import META_KEY, read_weights_index


def freezable(graph) -> list[str]:
    """Ids of the nodes that have weights that can be frozen (a ``trainable`` parameter)."""
    return [nid for nid, n in graph.nodes.items() if "trainable" in n.block.params.names()]


def frozen_nodes(graph) -> list[str]:
    """Ids of the nodes whose weights are frozen (for the canvas' frozen badge)."""
    return [nid for nid in freezable(graph) if not graph.nodes[nid].params["trainable"]]


def set_trainable(graph, node_ids: Iterable[str], trainable: bool) -> dict[str, bool]:
    """Freeze (False) or unfreeze (True) the given nodes; returns their old values.

    Raises GraphError naming a node that does not exist or has nothing to freeze.
    """
    node_ids = list(node_ids)
    can = set(freezable(graph))
    for nid in node_ids:
        if nid not in graph.nodes:
            raise GraphError("no such node", nid)
        if nid not in can:
            node = graph.nodes[nid]
            raise GraphError(f"a {node.type} block has no weights to freeze", nid, node.label)
    old = {}
    for nid in node_ids:
        old[nid] = graph.set_params(nid, {"trainable": bool(trainable)})["trainable"]
    return old


def freeze(graph, node_ids: Iterable[str]) -> dict[str, bool]:
    return set_trainable(graph, node_ids, False)


def unfreeze(graph, node_ids: Iterable[str]) -> dict[str, bool]:
    return set_trainable(graph, node_ids, True)


def freeze_up_to(graph, node_id: str) -> list[str]:
    """Freeze `node_id` and every freezable node it depends on; returns the ids frozen."""
    ids = [n for n in freezable(graph) if n == node_id or n in graph.ancestors(node_id)]
    freeze(graph, ids)
    return ids


@dataclass
class LoadReport:
    """What ``load_matching_weights`` did, weight by weight (names are ``node_id/weight``)."""

    file: str
    loaded: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)       # in the design, not in the file: kept as initialised
    unexpected: list[str] = field(default_factory=list)    # in the file, not in the design: ignored
    mismatched: list[str] = field(default_factory=list)    # same name, other shape: kept as initialised
    metadata: dict = field(default_factory=dict)

    @property
    def skipped(self) -> list[str]:
        return self.missing + self.mismatched

    def summary(self) -> str:
        lines = [f"{self.file}: loaded {len(self.loaded)} weight(s)"]
        for title, items in (("not in the file (kept as initialised)", self.missing),
                             ("shape differs (kept as initialised)", self.mismatched),
                             ("in the file but not in the design (ignored)", self.unexpected)):
            if items:
                lines.append(f"{title}:")
                lines += [f"  {s}" for s in items]
        return "\n".join(lines)


def _npz_shapes(path: str) -> dict[str, tuple[int, ...]] | None:
    """{name: shape} from an ``.npz`` file's headers (no data read), or None for another format.
    Same dispatch as ``read_weights_file``: the extension, else the zip magic."""
    require_regular_file(path, lambda reason: WeightsError(reason, file=path))
    ext = os.path.splitext(path)[1].lower()
    if ext != ".npz":
        if ext in (".safetensors", ".onnx"):
            return None
        with open(path, "rb") as f:
            if not f.read(2) == b"PK":
                return None
    return {n: e.shape for n, e in read_weights_index(path).items() if n != META_KEY}


def load_matching_weights(model, path: str | os.PathLike, *, require_any: bool = True) -> LoadReport:
    """Load the weights whose name and shape match the model's (``strict=False`` semantics).

    Everything else is listed in the report, never silently dropped. The model's own scaler is
    kept: fine-tuning trains on the model's data, prepared with its scaler.
    Raises WeightsError when nothing matches (with `require_any`), listing why.
    """
    path = os.fspath(path)
    ex = model.executor
    shapes = _npz_shapes(path)
    if shapes is None:                                  # .safetensors: read by its own (lazy) loader
        weights, meta = read_weights_file(path)
        shapes = {n: tuple(np.shape(a)) for n, a in weights.items()}
    else:                                               # .npz: decompress only the arrays that fit
        weights, meta = read_weights_file(path, only=[w.name for w in ex.plan.weights
                                                      if shapes.get(w.name) == w.shape])
    report = LoadReport(path, metadata=meta)
    take = {}
    for slot in ex.plan.weights:
        if slot.name not in shapes:
            report.missing.append(f"{slot.name} {slot.shape}")
            continue
        if shapes[slot.name] != slot.shape:
            report.mismatched.append(f"{slot.name}: file has shape {shapes[slot.name]}, design needs {slot.shape}")
            continue
        take[slot.name] = weights[slot.name]
        report.loaded.append(slot.name)
    names = {w.name for w in ex.plan.weights}
    report.unexpected = [f"{n} {shape}" for n, shape in shapes.items() if n not in names]
    if require_any and not take:
        raise WeightsError("no weight of the file matches this design",
                           report.mismatched + report.missing + report.unexpected, file=path)
    ex.set_weights(take, strict=False)
    return report
