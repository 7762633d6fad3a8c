"""Graph-building and gradient-checking helpers shared by the engine tests.

Every helper works on the public objects (Graph, Plan, Executor) so that a test reads like a user
building a design: ``sequential((4,), ("Dense", {"units": 3}), "Tanh")``.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from core.blocks import Block
from core.executor import Executor
from core.graph import Graph
from core.kernels.rng import uniform
from core.plan import compile_plan

Layer = str | tuple[str, dict]


def _spec(layer: Layer) -> tuple[str, dict]:
    return (layer, {}) if isinstance(layer, str) else (layer[0], dict(layer[1]))


def sequential(input_shape: tuple[int, ...], *layers: Layer) -> Graph:
    """Input → layers in a chain. Node ids follow the graph's own scheme: input1, dense1, dense2…"""
    g = Graph()
    prev = g.add_node("Input", {"shape": tuple(input_shape)}).id
    for layer in layers:
        kind, params = _spec(layer)
        prev = add(g, kind, params, prev)
    return g


def add(g: Graph, kind: str, params: dict | None = None, *sources: str, node_id: str | None = None) -> str:
    """Add a node fed by `sources` (port i ← sources[i]); returns its id."""
    nid = g.add_node(kind, params or {}, node_id=node_id).id
    for port, src in enumerate(sources):
        g.connect(src, nid, port)
    return nid


def node_of(g: Graph, kind: str, index: int = 0) -> str:
    """Id of the index-th node of a block type, in insertion order."""
    return [n for n, node in g.nodes.items() if node.type == kind][index]


def make_executor(g: Graph, loss: str = "mse", loss_params: dict | None = None, *, max_batch: int = 16,
                  dtype=np.float64, seed: int = 0) -> Executor:
    ex = Executor(compile_plan(g, loss, loss_params), max_batch, dtype)
    ex.init_weights(seed)
    return ex


def randomize_weights(ex: Executor, rng: np.random.Generator, scale: float = 0.6) -> None:
    """Give every trainable weight a random value so no gradient check passes by symmetry
    (γ near 1, everything else centred on 0; PReLU slopes of both signs of deviation from 0.25)."""
    for w in ex.plan.weights:
        if not w.trainable:
            continue
        v = ex.view(w.name)
        centre = 1.0 if w.weight == "gamma" else (0.25 if w.weight == "alpha" else 0.0)
        v[...] = centre + scale * rng.standard_normal(w.shape)


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Norm-based relative error ‖a − b‖ / max(1e-12, ‖a‖ + ‖b‖)."""
    a, b = np.ravel(a), np.ravel(b)
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


def numeric_gradient(f: Callable[[], float], arr: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(x+ε) − f(x−ε)) / 2ε of a scalar f w.r.t. every entry of `arr`,
    perturbed in place and restored."""
    flat = arr.reshape(-1)
    out = np.zeros(flat.size)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = f()
        flat[i] = old - eps
        fm = f()
        flat[i] = old
        out[i] = (fp - fm) / (2.0 * eps)
    return out.reshape(arr.shape)


def frozen_rng_loss(ex: Executor, X: np.ndarray, Y: np.ndarray, training: bool = True) -> Callable[[], float]:
    """A loss closure that restores the executor's RNG state before every forward, so RReLU
    slopes and Dropout/AlphaDropout masks are the same in every finite-difference evaluation."""
    state = ex.rng.copy()

    def loss() -> float:
        ex.rng[:] = state
        return ex.loss_and_gradients(X, Y, training)

    return loss


def gradcheck(ex: Executor, X: np.ndarray, Y: np.ndarray, *, training: bool = True, eps: float = 1e-6,
              names: Iterable[str] | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{weight name: (analytic, numeric)} for every trainable weight (or `names`)."""
    loss = frozen_rng_loss(ex, X, Y, training)
    loss()
    analytic = {w.name: ex.view(w.name, ex.grads).copy() for w in ex.plan.weights if w.trainable}
    names = list(analytic) if names is None else list(names)
    return {n: (analytic[n], numeric_gradient(loss, ex.view(n), eps)) for n in names}


def replay_uniforms(state: np.ndarray, count: int) -> np.ndarray:
    """The `count` uniforms the engine's RNG will draw next from `state` (state is not touched)."""
    s = state.copy()
    return np.array([uniform(s) for _ in range(count)])


SAMPLE_SHAPES = ((3,), (8, 8, 1), (6, 3), (64,))     # flat, image (H, W, C), sequence (T, F), Reshape's default


def tiny_graph(block: type[Block]) -> tuple[Graph, str | None]:
    """Inputs → the block (default parameters) → Flatten → Dense: the smallest design that has its
    op, with the first sample shape the block accepts."""
    error = None
    for shape in SAMPLE_SHAPES:
        try:
            g = Graph()
            if block.type_name == "Input":
                node = tail = g.add_node("Input", {"shape": list(shape)}).id
            else:
                node = tail = g.add_node(block.type_name, {}).id
                for port in range(block.num_inputs(g.nodes[node].params)):
                    g.connect(g.add_node("Input", {"shape": list(shape)}).id, node, port)
            for kind, params in (("Flatten", {}), ("Dense", {"units": 2})):
                nxt = g.add_node(kind, params).id
                g.connect(tail, nxt)
                tail = nxt
            compile_plan(g, "mse")
            return g, node
        except Exception as e:      # noqa: BLE001 — try the next shape; report the first failure
            error = error or e
    raise error
