"""Per-layer statistics for the dashboard, read from the executor's arenas after a batch.

Gradient flow: mean |g| and L2 norm of each layer's trainable weights' gradients. Weight
distributions: a histogram of each layer's weights (running statistics excluded). Activations:
ReLU-family dead fraction (outputs in the flat x ≤ 0 region) and sigmoid/tanh saturation
(local derivative below 10% of its maximum: σ' < 0.025, tanh' < 0.1).
"""
from __future__ import annotations

import numpy as np

from .events import LayerStat
from .executor import Executor

RELU_FAMILY = ("ReLU", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU")
SATURATING = ("Sigmoid", "Tanh")


def layer_stats(ex: Executor, n_rows: int, bins: int = 30) -> list[LayerStat]:
    plan = ex.plan
    by_node: dict[str, list] = {}
    for w in plan.weights:
        if not w.state:
            by_node.setdefault(w.node_id, []).append(w)
    out: list[LayerStat] = []
    for node_id, slots in by_node.items():
        trainable = [w for w in slots if w.trainable]
        if trainable:
            g = np.concatenate([ex.grads[w.offset:w.offset + w.size] for w in trainable]).astype(np.float64)
            gm, gn = float(np.abs(g).mean()), float(np.sqrt(np.dot(g, g)))
        else:
            gm = gn = float("nan")
        vals = np.concatenate([ex.params[w.offset:w.offset + w.size] for w in slots])
        lo, hi = float(vals.min()), float(vals.max())
        if not lo < hi:
            lo, hi = lo - 0.5, hi + 0.5
        counts, edges = np.histogram(vals, bins=bins, range=(lo, hi))
        out.append(LayerStat(node_id, "weights", gm, gn, int(vals.size), counts, edges))
    if n_rows > 0:
        for node_id, typ in plan.node_types.items():
            if typ not in RELU_FAMILY and typ not in SATURATING or node_id not in plan.node_tensor:
                continue
            y = ex.tensor_view(node_id, n_rows)
            if typ in RELU_FAMILY:
                # Outputs ≤ 0 for every member of the family: that is the flat/leaky side.
                out.append(LayerStat(node_id, "activation", zero_fraction=float(np.mean(y <= 0))))
            elif typ == "Sigmoid":
                out.append(LayerStat(node_id, "activation", saturated_fraction=float(np.mean(y * (1 - y) < 0.025))))
            else:
                out.append(LayerStat(node_id, "activation", saturated_fraction=float(np.mean(np.abs(y) > np.sqrt(0.9)))))
    return out
