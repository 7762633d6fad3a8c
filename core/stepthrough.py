"""Step-through: one sample (or one mini-batch) through forward and backward, with every number.

The course's linear-regression example made visible: for each block, what went in, what came out
and the gradient of the loss with respect to its output (∂L/∂out); for each weight its value, its
gradient ∂L/∂w and the optimizer's update with the numbers filled in
("w ← w − η·∂L/∂w = 0.53 − 0.1·0.21 = 0.509").

The numbers are the engine's own: the forward and backward pass are the executor's
``loss_and_gradients`` (read through ``tensor_view``), and the update is one real step of the
executor's training kernel on the same rows, taken on the model and then undone — so the update
shown is what training would do, for every optimizer, not a re-derivation of it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import TrainingError
from .optimizers import HP_MOMENTUM, HP_NESTEROV

MAX_STEP_ROWS = 64      # a step-through is for looking at numbers: a handful of rows


@dataclass
class NodeStep:
    """One block's numbers for the step's rows (arrays shaped (rows, width))."""
    node_id: str
    type: str
    inputs: list[np.ndarray]        # one per incoming connection (the Input block: none)
    output: np.ndarray
    grad: np.ndarray                # ∂L/∂output, as back-propagated


@dataclass
class WeightStep:
    """One weight array before and after the step's update."""
    name: str                       # "<node>/<weight>", as in the weights file
    node_id: str
    weight: str                     # "kernel", "bias", ...
    value: np.ndarray
    grad: np.ndarray                # ∂L/∂w (regularisation included)
    updated: np.ndarray             # the value after one optimizer step
    trainable: bool

    @property
    def delta(self) -> np.ndarray:
        return self.updated - self.value


@dataclass
class Step:
    rows: np.ndarray                # indices into the training split
    x: np.ndarray
    y: np.ndarray
    loss: float
    learning_rate: float
    optimizer: str
    plain_sgd: bool                 # SGD without momentum: the update is exactly w − η·∂L/∂w
    nodes: dict[str, NodeStep] = field(default_factory=dict)     # in forward order
    weights: list[WeightStep] = field(default_factory=list)

    def weights_of(self, node_id: str) -> list[WeightStep]:
        return [w for w in self.weights if w.node_id == node_id]

    def formula(self, w: WeightStep, index: int = 0) -> str:
        """The update of one element of `w`, with the numbers filled in."""
        flat_v, flat_g, flat_u = (a.reshape(-1) for a in (w.value, w.grad, w.updated))
        i = int(index)
        if not 0 <= i < flat_v.size:
            raise IndexError(f"{w.name} has {flat_v.size} elements; received index {i}")
        sym = f"{w.weight}[{i}]" if flat_v.size > 1 else w.weight
        v, g, u = float(flat_v[i]), float(flat_g[i]), float(flat_u[i])
        if not w.trainable:
            return f"{sym} = {_n(v)} (frozen: not updated)"
        if self.plain_sgd:
            return (f"{sym} ← {sym} − η·∂L/∂{sym} = {_n(v)} − {_n(self.learning_rate)}·{_p(g)} = {_n(u)}")
        return (f"{sym} ← {self.optimizer}({sym}, ∂L/∂{sym} = {_n(g)}, η = {_n(self.learning_rate)}) "
                f"= {_n(v)} {'+' if u >= v else '−'} {_n(abs(u - v))} = {_n(u)}")


    def short_formula(self, w: WeightStep, index: int = 0) -> str:
        """The same update in a few characters, for the canvas: "kernel[0] ← 0.53 − 0.1·0.21 = 0.509"
        (SGD) or "kernel[0]: 0.53 → 0.52" (other optimizers)."""
        flat_v, flat_g, flat_u = (a.reshape(-1) for a in (w.value, w.grad, w.updated))
        i = int(index)
        sym = f"{w.weight}[{i}]" if flat_v.size > 1 else w.weight
        v, g, u = float(flat_v[i]), float(flat_g[i]), float(flat_u[i])
        if not w.trainable:
            return f"{sym} = {_n(v)} (frozen)"
        if self.plain_sgd:
            return f"{sym} ← {_n(v)} − {_n(self.learning_rate)}·{_p(g)} = {_n(u)}"
        return f"{sym}: {_n(v)} → {_n(u)}"


def _n(x: float) -> str:
    return f"{x:.4g}"


def _p(x: float) -> str:
    """A factor: parenthesised when negative ("0.1·(-0.21)")."""
    return f"({x:.4g})" if x < 0 else f"{x:.4g}"


def step_through(model, rows=(0,), split: str = "train") -> Step:
    """Forward and backward over `rows` of a split of `model`'s data (a core.model.Model with
    data), and the update one training step on those rows would make. The model's weights,
    optimizer state and step count are left as they were."""
    d = model._require_data()
    X = getattr(d, f"X_{split}", None)
    y = getattr(d, f"y_{split}", None)
    if X is None or len(X) == 0:
        raise TrainingError(f"step-through: the data has no {split} rows")
    rows = np.asarray(rows, np.int64).reshape(-1)
    if len(rows) == 0 or len(rows) > MAX_STEP_ROWS:
        raise TrainingError(f"step-through takes 1 to {MAX_STEP_ROWS} rows; received {len(rows)}")
    if rows.min() < 0 or rows.max() >= len(X):
        raise TrainingError(f"step-through: row {int(rows.max() if rows.max() >= len(X) else rows.min())} "
                            f"is outside the {split} split's {len(X)} rows")
    Xs = np.ascontiguousarray(X[rows].reshape(len(rows), -1))
    Ys = model.shape_targets(y[rows])
    return step_arrays(model.executor, model.design, Xs, Ys, rows=rows)


def step_arrays(ex, design, X: np.ndarray, Y: np.ndarray, rows=None) -> Step:
    """The step-through of prepared arrays X, Y (targets shaped for the loss) on executor `ex`."""
    plan = ex.plan
    n = len(X)
    t = design.training
    opt_name = t["optimizer"]["name"]
    from .optimizers import OPTIMIZERS
    spec = OPTIMIZERS.get(opt_name)
    hp = spec.hyper_vector(t["optimizer"]["params"])
    lr = float(t["optimizer"]["params"]["learning_rate"])
    snap = ex.snapshot()
    rng = ex.rng.copy() if hasattr(ex.rng, "copy") else ex.rng
    try:
        loss = ex.loss_and_gradients(X, Y, training=True)
        graph = design.graph
        nodes: dict[str, NodeStep] = {}
        for nid in plan.node_tensor:
            ins = [ex.tensor_view(e.source, n).copy() for e in graph.input_edges(nid)
                   if e.source in plan.node_tensor]
            nodes[nid] = NodeStep(nid, plan.node_types.get(nid, ""), ins, ex.tensor_view(nid, n).copy(),
                                  ex.tensor_view(nid, n, grad=True).copy())
        before = {w.name: ex.view(w.name).copy() for w in plan.weights}
        grads = {w.name: ex.view(w.name, ex.grads).copy() for w in plan.weights}
        # One real training step on the same rows, then undone.
        Xc = np.ascontiguousarray(X, dtype=ex.dtype)
        Yc = np.ascontiguousarray(Y, dtype=ex.dtype).reshape(n, -1)
        lrs = np.full(1, lr)
        losses = np.zeros(1)
        done, _status = ex.train_batches(Xc, Yc, np.arange(n, dtype=np.int64), 0, n, 1, lrs, losses,
                                         spec.code, hp, t["clip_norm"], t["clip_value"])
        after = {w.name: ex.view(w.name).copy() for w in plan.weights}
        if not done:
            raise TrainingError("step-through: the update of this step is not finite (the loss or a "
                                "gradient is NaN or infinite); try a smaller learning rate")
    finally:
        ex.restore(snap)
        ex.rng = rng
    weights = [WeightStep(w.name, w.node_id, w.weight, before[w.name], grads[w.name], after[w.name],
                          bool(w.trainable) and not w.state)
               for w in plan.weights]
    plain = opt_name == "sgd" and hp[HP_MOMENTUM] == 0 and hp[HP_NESTEROV] == 0
    order = [nid for nid in plan.step_nodes if nid in nodes]
    ordered = {nid: nodes[nid] for nid in order}
    ordered.update({k: v for k, v in nodes.items() if k not in ordered})
    return Step(np.asarray(rows if rows is not None else np.arange(n)), X.copy(), np.asarray(Y).copy(),
                loss, lr, opt_name, bool(plain), ordered, weights)
