"""Benchmark workloads: one declaration that the NetDesigner, NumPy and PyTorch runners all read.

A workload is an MLP ``sizes[0] → sizes[1] → … → sizes[-1]``; every hidden layer is
``Dense → [BatchNorm] → activation → [Dropout]``; the last Dense is linear and feeds the loss:
``bce_logits`` (one raw score, binary cross-entropy from logits) or ``sparse_ce`` (Softmax node
fused with sparse categorical cross-entropy in NetDesigner, ``F.cross_entropy`` in PyTorch).
Conventions shared by all three implementations: Dense kernels ``[in, out]`` (Keras layout),
BatchNorm with Keras' momentum/epsilon meaning (PyTorch momentum = 1 − m), biased batch variance,
optimizers with PyTorch's update rules, losses averaged over the batch.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.graph import Graph


@dataclass(frozen=True)
class Workload:
    name: str
    sizes: tuple[int, ...]
    act: str = "relu"            # "relu" | "tanh"
    loss: str = "sparse_ce"      # "sparse_ce" | "bce_logits"
    optimizer: str = "adam"      # "adam" | "sgd"
    lr: float = 1e-3
    batch: int = 32
    batchnorm: bool = False
    bn_momentum: float = 0.99    # Keras meaning
    bn_epsilon: float = 1e-3
    dropout: float = 0.0
    n_samples: int = 4096
    note: str = ""

    @property
    def n_in(self) -> int:
        return self.sizes[0]

    @property
    def n_out(self) -> int:
        return self.sizes[-1]

    @property
    def n_classes(self) -> int:
        return 2 if self.loss == "bce_logits" else self.sizes[-1]

    def with_(self, **kw) -> "Workload":
        return replace(self, **kw)

    @property
    def label(self) -> str:
        return f"{self.name} b{self.batch}"


W1 = Workload("W1", (2, 8, 8, 1), act="tanh", loss="bce_logits", optimizer="sgd", lr=0.03, batch=10,
              note="playground 2-8-8-1 tanh, BCE-logits, SGD")
W2 = Workload("W2", (64, 64, 64, 10), note="digits-sized 64-64-64-10 ReLU, Adam, CE")
W3 = Workload("W3", (784, 512, 256, 10), note="784-512-256-10 ReLU, Adam, CE")
W4 = W3.with_(name="W4", batchnorm=True, dropout=0.2, note="W3 + BatchNorm + Dropout 0.2")

BASE = {"W1": W1, "W2": W2, "W3": W3, "W4": W4}
# Which batch sizes each workload is timed at (the headline table).
BATCHES = {"W1": (10,), "W2": (32,), "W3": (32, 128, 512), "W4": (32, 128, 512)}
QUICK_BATCHES = {"W1": (10,), "W2": (32,), "W3": (32, 128), "W4": (128,)}
# Extra points for the samples/s-vs-batch curve (W3 only) and the width sweep (784-h-h-10).
SWEEP_BATCHES = (16, 32, 64, 128, 256, 512)
SWEEP_WIDTHS = (64, 128, 256, 512, 1024, 2048)
SWEEP_WIDTH_BATCH = 128


def width_workload(h: int, batch: int = SWEEP_WIDTH_BATCH) -> Workload:
    return W3.with_(name=f"width{h}", sizes=(784, h, h, 10), batch=batch, note=f"784-{h}-{h}-10 ReLU, Adam, CE")


def headline(only: set[str] | None, quick: bool) -> list[Workload]:
    table = QUICK_BATCHES if quick else BATCHES
    return [BASE[n].with_(batch=b) for n in BASE if not only or n in only for b in table[n]]


# ----------------------------------------------------------------------------------- the data
def make_data(wl: Workload, seed: int = 0, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic float32 data with a learnable rule (a random linear teacher), labels (n, 1) float.

    W1-style 2-feature data are two concentric rings (the playground's "circle")."""
    n = n or wl.n_samples
    rng = np.random.default_rng(seed)
    if wl.n_in == 2:
        r = np.where(rng.random(n) < 0.5, rng.uniform(0, 2, n), rng.uniform(3, 5, n))
        a = rng.uniform(0, 2 * np.pi, n)
        X = np.stack([r * np.cos(a), r * np.sin(a)], 1) + rng.normal(0, 0.2, (n, 2))
        y = (r < 2.5).astype(np.float64)
    else:
        X = rng.standard_normal((n, wl.n_in))
        teacher = rng.standard_normal((wl.n_in, wl.n_classes))
        y = (X @ teacher).argmax(1).astype(np.float64)
    return np.ascontiguousarray(X, np.float32), np.ascontiguousarray(y.reshape(-1, 1), np.float32)


def batch_order(n_samples: int, batch: int, n_batches: int, seed: int = 0) -> np.ndarray:
    """Concatenated permutations, n_batches·batch indices long (int64): the shared batch order."""
    rng = np.random.default_rng(seed + 1)
    need = n_batches * batch
    parts = [rng.permutation(n_samples) for _ in range(-(-need // n_samples))]
    return np.ascontiguousarray(np.concatenate(parts)[:need], np.int64)


# ---------------------------------------------------------------------------------- the graph
def build_graph(wl: Workload) -> tuple[Graph, str, dict]:
    """NetDesigner graph for the workload; returns (graph, loss name, loss params)."""
    g = Graph()
    prev = g.add_node("Input", {"shape": [wl.n_in]}, node_id="input").id
    act = {"relu": "ReLU", "tanh": "Tanh"}[wl.act]

    def chain(type_name, params, node_id):
        nonlocal prev
        g.add_node(type_name, params, node_id=node_id)
        g.connect(prev, node_id)
        prev = node_id

    for i, h in enumerate(wl.sizes[1:-1], start=1):
        chain("Dense", {"units": h}, f"dense{i}")
        if wl.batchnorm:
            chain("BatchNorm", {"momentum": wl.bn_momentum, "epsilon": wl.bn_epsilon}, f"bn{i}")
        chain(act, {}, f"act{i}")
        if wl.dropout > 0:
            chain("Dropout", {"rate": wl.dropout}, f"drop{i}")
    chain("Dense", {"units": wl.n_out}, f"dense{len(wl.sizes) - 1}")
    if wl.loss == "sparse_ce":
        chain("Softmax", {}, "softmax")
        return g, "sparse_categorical_crossentropy", {}
    return g, "binary_crossentropy", {"from_logits": True}


def dense_names(wl: Workload) -> list[str]:
    return [f"dense{i}" for i in range(1, len(wl.sizes))]


def bn_names(wl: Workload) -> list[str]:
    return [f"bn{i}" for i in range(1, len(wl.sizes) - 1)] if wl.batchnorm else []


# ------------------------------------------------------------------------------- FLOP counting
def gemm_flops_per_sample(wl: Workload) -> int:
    """GEMM FLOPs of one training sample: 2·in·out forward, 2·in·out for dW, 2·in·out for dX
    (no dX for the first layer, whose input is data)."""
    total = 0
    for i, (a, b) in enumerate(zip(wl.sizes[:-1], wl.sizes[1:])):
        total += 2 * a * b * (2 if i == 0 else 3)
    return total


def n_params(wl: Workload) -> int:
    p = sum(a * b + b for a, b in zip(wl.sizes[:-1], wl.sizes[1:]))
    return p + (2 * sum(wl.sizes[1:-1]) if wl.batchnorm else 0)
