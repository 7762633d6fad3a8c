"""Per-layer statistics for the dashboard, read from the executor's arenas after a batch.

Gradient flow: mean |g| and L2 norm of each layer's trainable weights' gradients. Weight
distributions: a histogram of each layer's weights (running statistics excluded). Activations:
ReLU-family dead fraction (outputs in the flat x ≤ 0 region) and sigmoid/tanh saturation
(local derivative below 10% of its maximum: σ' < 0.025, tanh' < 0.1). The passes over the data
are jitted (core.kernels.stats); this module only groups weights by layer.

For image and sequence designs it also builds the dashboard's pictures (core/feature_maps.py and
core/time_gradients.py say what they hold): feature maps from one inference forward of one sample,
gradients through time from one inference forward and backward of a fixed batch.
"""
from __future__ import annotations

import numpy as np

from .events import LayerStat
from .executor import Executor
from .feature_maps import FeatureMaps
from .kernels import stats as kstats
from .time_gradients import TimeGradients

RELU_FAMILY = ("ReLU", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU")
SATURATING = ("Sigmoid", "Tanh")


class _Layout:
    """Which weight segments and activation tensors each statistic reads, worked out once per
    executor (the per-sample work is then two jitted calls and the events)."""

    def __init__(self, ex: Executor):
        plan = ex.plan
        rows_of: dict[str, list[int]] = {}
        for r, w in enumerate(plan.weights):
            if not w.state:
                rows_of.setdefault(w.node_id, []).append(r)
        self.weight_nodes = list(rows_of)
        groups = list(rows_of.values())
        trainable = [[r for r in rows if plan.weights[r].trainable] for rows in groups]
        self.rows, self.starts = _concat(groups)
        self.trows, self.tstarts = _concat(trainable)
        self.sizes = [sum(plan.weights[r].size for r in rows) for rows in groups]
        self.act_nodes, offs, widths, kinds = [], [], [], []
        for node_id, typ in plan.node_types.items():
            if typ not in RELU_FAMILY and typ not in SATURATING or node_id not in plan.node_tensor:
                continue
            t = plan.node_tensor[node_id]
            self.act_nodes.append((node_id, typ in RELU_FAMILY))
            offs.append(ex.tens[t, 0])
            widths.append(ex.tens[t, 1])
            kinds.append(0 if typ in RELU_FAMILY else (1 if typ == "Sigmoid" else 2))
        self.act_offsets = np.array(offs, np.int64)
        self.act_widths = np.array(widths, np.int64)
        self.act_kinds = np.array(kinds, np.int64)


def _concat(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    starts = np.zeros(len(groups) + 1, np.int64)
    starts[1:] = np.cumsum([len(g) for g in groups])
    flat = np.array([r for g in groups for r in g], np.int64)
    return flat, starts


def _layout(ex: Executor) -> _Layout:
    layout = getattr(ex, "_stats_layout", None)
    if layout is None:
        layout = ex._stats_layout = _Layout(ex)
    return layout


def layer_stats(ex: Executor, n_rows: int, bins: int = 30) -> list[LayerStat]:
    """One LayerStat per layer with weights (gradient mean |g| and norm over its trainable
    weights, histogram of all its weights) and, when n_rows > 0, per measured activation over the
    last batch's first n_rows rows."""
    lay = _layout(ex)
    g = len(lay.weight_nodes)
    counts = np.zeros((g, bins), np.int64)        # fresh arrays: the events keep views of them
    edges = np.zeros((g, bins + 1), np.float64)
    gmean = np.empty(g)
    gnorm = np.empty(g)
    if g:
        kstats.weight_groups(ex.params, ex.grads, ex.segs, lay.rows, lay.starts, lay.trows, lay.tstarts,
                             counts, edges, gmean, gnorm)
    out = [LayerStat(node_id, "weights", float(gmean[i]), float(gnorm[i]), lay.sizes[i], counts[i], edges[i])
           for i, node_id in enumerate(lay.weight_nodes)]
    if n_rows > 0 and lay.act_nodes:
        ex._check_rows(n_rows, "layer_stats")
        fr = np.empty(len(lay.act_nodes))
        kstats.activation_fractions(ex.acts, lay.act_offsets, lay.act_widths, lay.act_kinds, n_rows, fr)
        for (node_id, relu), f in zip(lay.act_nodes, fr):
            # Outputs ≤ 0 for every member of the ReLU family: that is the flat/leaky side.
            out.append(LayerStat(node_id, "activation", zero_fraction=float(f)) if relu else
                       LayerStat(node_id, "activation", saturated_fraction=float(f)))
    return out


# ---- feature maps and gradients through time (the dashboard's image and sequence panels) -----------
def conv_layers(ex: Executor) -> list[tuple[str, tuple[int, int, int]]]:
    """(node id, output (H, W, C)) of every Conv2D step, input side first."""
    cached = getattr(ex, "_stats_conv_layers", None)
    if cached is None:
        from .blocks.conv import FILTERS, OH, OW, SCHEMA
        from .ops.schema import H_OP
        plan = ex.plan
        cached = ex._stats_conv_layers = [
            (nid, (int(plan.ops[s, OH]), int(plan.ops[s, OW]), int(plan.ops[s, FILTERS])))
            for s, nid in enumerate(plan.step_nodes) if int(plan.ops[s, H_OP]) == SCHEMA.opcode]
    return cached


def recurrent_layers(ex: Executor) -> list[str]:
    """Node ids of the SimpleRNN / LSTM / GRU steps, input side first."""
    cached = getattr(ex, "_stats_recurrent_layers", None)
    if cached is None:
        from .blocks.recurrent import recurrent_nodes
        cached = ex._stats_recurrent_layers = recurrent_nodes(ex.plan)
    return cached


def feature_maps(ex: Executor, X: np.ndarray, index: int) -> FeatureMaps | None:
    """Every Conv2D layer's output for row `index` of X in inference mode, (H, W, C), and its
    kernel (kh, kw, C_in, filters): copies, so the payload stays what it was when the weights
    move on. One forward of one row (it overwrites the activation arena: call between batches).
    None when the design has no Conv2D layer or X has no row `index`."""
    layers = conv_layers(ex)
    index = int(index)
    if not layers or not 0 <= index < len(X):
        return None
    ex.predict(X[index:index + 1])
    activations = {nid: ex.tensor_view(nid, 1)[0].reshape(shape).copy() for nid, shape in layers}
    kernels = {w.node_id: w for w in ex.plan.weights if w.weight == "kernel" and w.node_id in activations}
    filters = {nid: ex.params[w.offset:w.offset + w.size].reshape(w.shape).copy() for nid, w in kernels.items()}
    return FeatureMaps([nid for nid, _ in layers], activations, filters, index)


def time_gradients(ex: Executor, X: np.ndarray, Y: np.ndarray, epoch: int) -> TimeGradients | None:
    """‖∂L/∂h_t‖₂ per time step of every recurrent layer, measured on X, Y (the caller passes the
    same rows every epoch so the curves compare) with one forward and backward in inference mode
    — no dropout draws, no running statistics moved, so measuring never changes the training.
    It overwrites the gradient arena (the next batch computes its own). None without recurrent
    layers."""
    layers = recurrent_layers(ex)
    if not layers or not len(X):
        return None
    from .blocks.recurrent import time_gradient_norms
    n = min(len(X), ex.max_batch)
    ex.loss_and_gradients(X[:n], Y[:n], training=False)
    return TimeGradients(int(epoch), {nid: time_gradient_norms(ex, nid) for nid in layers})
