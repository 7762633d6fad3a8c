"""Per-layer statistics for the dashboard, read from the executor's arenas after a batch.

Gradient flow: mean |g| and L2 norm of each layer's trainable weights' gradients. Weight
distributions: a histogram of each layer's weights (running statistics excluded). Activations:
ReLU-family dead fraction (outputs in the flat x ≤ 0 region) and sigmoid/tanh saturation
(local derivative below 10% of its maximum: σ' < 0.025, tanh' < 0.1). The passes over the data
are jitted (core.kernels.stats); this module only groups weights by layer.
"""
from __future__ import annotations

import numpy as np

from .events import LayerStat
from .executor import Executor
from .kernels import stats as kstats

RELU_FAMILY = ("ReLU", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU")
SATURATING = ("Sigmoid", "Tanh")


def layer_stats(ex: Executor, n_rows: int, bins: int = 30) -> list[LayerStat]:
    plan = ex.plan
    rows_of: dict[str, list[int]] = {}
    for r, w in enumerate(plan.weights):
        if not w.state:
            rows_of.setdefault(w.node_id, []).append(r)
    out: list[LayerStat] = []
    for node_id, rows in rows_of.items():
        rows_arr = np.array(rows, dtype=np.int64)
        trainable = np.array([r for r in rows if plan.weights[r].trainable], dtype=np.int64)
        gm, gn = kstats.abs_mean_and_norm(ex.grads, ex.segs, trainable) if len(trainable) else (np.nan, np.nan)
        counts = np.zeros(bins, np.int64)
        edges = np.zeros(bins + 1, np.float64)
        kstats.histogram(ex.params, ex.segs, rows_arr, counts, edges)
        out.append(LayerStat(node_id, "weights", float(gm), float(gn), int(counts.sum()), counts, edges))
    if n_rows > 0:
        for node_id, typ in plan.node_types.items():
            if typ not in RELU_FAMILY and typ not in SATURATING or node_id not in plan.node_tensor:
                continue
            y = ex.tensor_view(node_id, n_rows).ravel()
            if typ in RELU_FAMILY:
                # Outputs ≤ 0 for every member of the family: that is the flat/leaky side.
                out.append(LayerStat(node_id, "activation", zero_fraction=float(kstats.fraction_at_most(y, 0.0))))
            else:
                out.append(LayerStat(node_id, "activation",
                                     saturated_fraction=float(kstats.fraction_saturated(y, typ == "Sigmoid"))))
    return out
