"""NetDesigner under test: graph → compile_plan → Executor → ``train_batches`` (the fused loop).

The timed call is the product's hot path: one jitted ``train_batches`` call runs a chunk of
batches (``chunk``, 200 by default; the dashboard's stats interval when observers are on).
"""
from __future__ import annotations

import numpy as np

from core.executor import Executor
from core.kernels.opcodes import STATUS_DONE
from core.optimizers import OPTIMIZERS
from core.plan import compile_plan

from .workloads import Workload, build_graph


class NetDesignerRunner:
    name = "NetDesigner"

    def __init__(self, wl: Workload, X: np.ndarray, Y: np.ndarray, order: np.ndarray,
                 weights: dict | None = None, seed: int = 0, chunk: int = 200):
        self.wl = wl
        self.X, self.Y, self.order = X, Y, order
        self.n_cycle = len(order) // wl.batch
        graph, loss, loss_params = build_graph(wl)
        self.plan = compile_plan(graph, loss, loss_params)
        self.ex = Executor(self.plan, wl.batch, np.float32)
        self.ex.init_weights(seed)
        if weights is not None:
            self.ex.set_weights(weights)
        spec = OPTIMIZERS.get(wl.optimizer)
        self.opt_code = spec.code
        self.opt_hp = spec.hyper_vector(spec.params.resolve({"learning_rate": wl.lr}))
        self.lrs = np.full(self.n_cycle, wl.lr, np.float64)
        self.losses = np.zeros(self.n_cycle, np.float64)
        self.chunk = chunk
        self.pos = 0          # next batch within the order cycle
        self.calls = 0

    def _call(self, k: int) -> None:
        p = self.pos
        done, status = self.ex.train_batches(self.X, self.Y, self.order, p * self.wl.batch, self.wl.batch, k,
                                             self.lrs[p:p + k], self.losses[p:p + k], self.opt_code, self.opt_hp)
        if status != STATUS_DONE or done != k:
            raise RuntimeError(f"{self.wl.label}: train_batches stopped with status {status} after {done}/{k}")
        self.pos = (p + k) % self.n_cycle
        self.calls += 1

    def run(self, n_steps: int, chunk: int | None = None, observer=None) -> None:
        """n_steps training steps in calls of at most `chunk` batches; `observer(self)` after each."""
        chunk = chunk or self.chunk
        while n_steps > 0:
            k = min(n_steps, chunk, self.n_cycle - self.pos)
            self._call(k)
            n_steps -= k
            if observer is not None:
                observer(self)

    def step_losses(self, n: int) -> np.ndarray:
        return self.losses[:n].copy()

    def get_weights(self) -> dict[str, np.ndarray]:
        return self.ex.get_weights()

    def get_grads(self) -> dict[str, np.ndarray]:
        """Gradients of the last step (trainable weights)."""
        return {w.name: self.ex.view(w.name, self.ex.grads).copy() for w in self.plan.weights if w.trainable}

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        out = self.ex.predict(np.ascontiguousarray(X, np.float32))
        pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > 0)
        return float(np.mean(pred == y.reshape(-1)))


def train_epochs(runner: NetDesignerRunner, X: np.ndarray, Y: np.ndarray, epochs: int, seed: int = 0) -> None:
    """Epoch-style training as the product does it: a fresh permutation per epoch, one
    ``train_batches`` call per epoch (the last batch of an epoch may be short)."""
    wl, ex = runner.wl, runner.ex
    n = len(X)
    nb = -(-n // wl.batch)
    lrs = np.full(nb, wl.lr, np.float64)
    losses = np.zeros(nb, np.float64)
    order = np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        done, status = ex.train_batches(X, Y, order, 0, wl.batch, nb, lrs, losses, runner.opt_code, runner.opt_hp)
        if status != STATUS_DONE:
            raise RuntimeError(f"training stopped with status {status}")
