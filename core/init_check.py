"""Pre-flight at initialisation: before the first update, one forward and backward pass on a batch
of training rows shows each layer's activation and gradient spread, so a bad initialisation (all
zeros, too large a normal, a sigmoid stack) is visible before any training time is spent.

The numbers are the executor's own (``loss_and_gradients`` and ``tensor_view``); the layer rules
of core.diagnosis read the same pass (one sample is enough here: there is no noise to wait out).
Nothing is updated: the weights, optimizer state and step count are as they were.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .diagnosis import Diagnoser, Diagnosis
from .events import LayerStats


@dataclass(frozen=True)
class LayerSpread:
    node_id: str
    type: str
    act_mean: float
    act_std: float
    grad_std: float                 # spread of ∂L/∂output over the batch
    weight_grad_norm: float = math.nan      # blocks with weights: ‖∂L/∂w‖
    weight_std: float = math.nan


@dataclass
class InitReport:
    loss: float
    rows: int
    layers: list[LayerSpread] = field(default_factory=list)     # forward order
    diagnoses: list[Diagnosis] = field(default_factory=list)

    def layer(self, node_id: str) -> LayerSpread:
        return next(s for s in self.layers if s.node_id == node_id)


def check_initialisation(model, batch_rows: int | None = None) -> InitReport:
    """One forward/backward pass of `model` (a core.model.Model with data, weights as initialised)
    on its first `batch_rows` training rows (default: one batch of the design's batch size)."""
    from .stats import layer_stats
    ex = model.executor
    d = model._require_data()
    n = min(len(d.X_train), batch_rows or model.design.training["batch_size"], ex.max_batch)
    X = d.X_train[:n].reshape(n, -1)
    Y = model.shape_targets(d.y_train[:n])
    snap = ex.snapshot()
    rng = ex.rng.copy()
    try:
        loss = ex.loss_and_gradients(X, Y, training=True)
        stats = layer_stats(ex, n)
        plan = ex.plan
        by_node = {s.node_id: s for s in stats if s.kind == "weights"}
        layers = []
        for nid in plan.step_nodes:
            if nid not in plan.node_tensor or any(s.node_id == nid for s in layers):
                continue
            a = ex.tensor_view(nid, n)
            g = ex.tensor_view(nid, n, grad=True)
            w = [ex.view(s.name) for s in plan.weights if s.node_id == nid and not s.state]
            ws = by_node.get(nid)
            layers.append(LayerSpread(nid, plan.node_types.get(nid, ""), float(a.mean()), float(a.std()),
                                      float(g.std()),
                                      ws.grad_norm if ws is not None else math.nan,
                                      float(np.concatenate([x.ravel() for x in w]).std()) if w else math.nan))
    finally:
        ex.restore(snap)
        ex.rng = rng
    diagnoser = Diagnoser(model.design, persistence=1)
    diagnoses = diagnoser.handle(LayerStats(0, 0, stats))
    if not math.isfinite(loss):
        from .diagnosis import _num
        diagnoses.append(Diagnosis("diverging", diagnoser.output_node,
                                   {"first": "—", "value": _num(loss), "lr": _num(diagnoser.lr / 10)},
                                   diagnoser._lr_fix(diagnoser.lr / 10)))
    return InitReport(float(loss), n, layers, diagnoses)
