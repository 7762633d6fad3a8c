"""Benchmark workloads: one declaration that the NetDesigner, NumPy and PyTorch runners all read.

A workload is an MLP ``sizes[0] → sizes[1] → … → sizes[-1]``; every hidden layer is
``Dense → [BatchNorm] → activation → [Dropout]``; the last Dense is linear and feeds the loss:
(``kind`` "cnn", "lstm", "gru", "simple_rnn": the issue-13 image/sequence networks instead, see
``CNN`` and ``RNN`` below and bench/cnn_rnn.py; ``sizes`` is then (flat input, [units,] classes))
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
    kind: str = "mlp"            # "mlp" | "cnn" | "lstm" | "gru" | "simple_rnn"
    sample_shape: tuple[int, ...] = ()   # (H, W, C) for "cnn", (T, F) for the recurrent kinds

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
# Issue 13's image and sequence rows (bench/cnn_rnn.py): the digits CNN on digits_images and a
# recurrent layer over synthetic sequences (50 steps, 8 features, 64 units) with a Dense head.
CNN = Workload("CNN", (64, 10), batch=32, kind="cnn", sample_shape=(8, 8, 1), n_samples=1797,
               note="digits_images 8x8x1: Conv 3x3x16 same ReLU, MaxPool 2, Conv 3x3x32 same ReLU, MaxPool 2, "
                    "Flatten, Dense 10; Adam, CE")
LSTM = Workload("LSTM", (400, 64, 10), batch=32, kind="lstm", sample_shape=(50, 8), n_samples=2048,
                note="sequence 50x8 -> LSTM 64 (last state) -> Dense 10; Adam, CE")
GRU = LSTM.with_(name="GRU", kind="gru", note="sequence 50x8 -> GRU 64 (reset_after) -> Dense 10; Adam, CE")
SIMPLE_RNN = LSTM.with_(name="SimpleRNN", kind="simple_rnn", note="sequence 50x8 -> SimpleRNN 64 tanh -> Dense 10; Adam, CE")
RECURRENT_BLOCK = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}

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
    if wl.kind == "cnn":
        return digits_image_data(n)
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


def digits_image_data(n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """digits_images (scikit-learn's 8×8 digits as (8, 8, 1) images) standardised (one channel:
    one mean and deviation), flat (n, 64) rows as the arena stores them; repeated to n rows."""
    from core.sequence_data import digits_images
    ds = digits_images()
    X = (ds.X - ds.X.mean()) / ds.X.std()
    y = np.asarray(ds.y, np.float64)
    if n and n != len(X):
        idx = np.arange(n) % len(X)
        X, y = X[idx], y[idx]
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
    prev = g.add_node("Input", {"shape": list(wl.sample_shape or (wl.n_in,))}, node_id="input").id
    act = {"relu": "ReLU", "tanh": "Tanh"}[wl.act]

    def chain(type_name, params, node_id):
        nonlocal prev
        g.add_node(type_name, params, node_id=node_id)
        g.connect(prev, node_id)
        prev = node_id

    if wl.kind == "cnn":
        for i, f in ((1, 16), (2, 32)):
            chain("Conv2D", {"filters": f, "kernel_size": [3, 3], "padding": "same"}, f"conv{i}")
            chain("ReLU", {}, f"relu{i}")
            chain("MaxPool2D", {"pool_size": [2, 2]}, f"pool{i}")
        chain("Flatten", {}, "flatten")
    elif wl.kind in RECURRENT_BLOCK:
        chain(RECURRENT_BLOCK[wl.kind], {"units": wl.sizes[1]}, "rnn")
    for i, h in enumerate(wl.sizes[1:-1] if wl.kind == "mlp" else (), start=1):
        chain("Dense", {"units": h}, f"dense{i}")
        if wl.batchnorm:
            chain("BatchNorm", {"momentum": wl.bn_momentum, "epsilon": wl.bn_epsilon}, f"bn{i}")
        chain(act, {}, f"act{i}")
        if wl.dropout > 0:
            chain("Dropout", {"rate": wl.dropout}, f"drop{i}")
    chain("Dense", {"units": wl.n_out}, f"dense{len(wl.sizes) - 1}" if wl.kind == "mlp" else "head")
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
