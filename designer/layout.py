"""Layered (Sugiyama-style) auto layout, left to right. Pure Python: no Qt, testable alone.

1. Layers: each node goes one column right of its furthest predecessor (longest path).
2. Edges that skip columns get invisible dummy nodes, so a residual connection gets its own lane.
3. Order inside a column: barycentre sweeps (a node sits near the mean rank of its neighbours).
4. Vertical positions: each node wants the mean height of its neighbours; keeping the order and
   the minimal spacing is an isotonic regression, solved exactly by pool-adjacent-violators.
   A chain therefore comes out as one straight line.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable

Size = tuple[float, float]


def layered_layout(nodes: Iterable[str], edges: Iterable[tuple[str, str]],
                   sizes: dict[str, Size] | None = None, *, column_gap: float = 70.0,
                   row_gap: float = 36.0, sweeps: int = 6) -> dict[str, tuple[float, float]]:
    """Centre position of every node.

    Args:
        nodes: node ids, in the graph's order (used to break ties).
        edges: (source, target) pairs; cycles are tolerated (their back edges ignored).
        sizes: (width, height) per node; default 160×80.
        column_gap / row_gap: free space between columns / between nodes of a column.

    Returns:
        {node id: (x, y)}, the first column centred on x = width/2, rows centred on y = 0.
    """
    nodes = list(nodes)
    sizes = sizes or {}
    size = {n: sizes.get(n, (160.0, 80.0)) for n in nodes}
    known = set(nodes)
    edges = [(s, t) for s, t in edges if s in known and t in known and s != t]
    layer = _layers(nodes, edges)

    # Split long edges with dummies so every edge joins adjacent columns.
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    dummy_count = 0
    for s, t in edges:
        if layer[t] <= layer[s]:
            continue  # a back edge of a cycle
        prev = s
        for lay in range(layer[s] + 1, layer[t]):
            d = f"\0dummy{dummy_count}"
            dummy_count += 1
            layer[d] = lay
            size[d] = (0.0, 12.0)
            preds[d], succs[d] = [], []
            succs[prev].append(d)
            preds[d].append(prev)
            prev = d
        succs[prev].append(t)
        preds[t].append(prev)

    n_layers = max(layer.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(n_layers)]
    for n in list(nodes) + [d for d in layer if d not in known]:
        columns[layer[n]].append(n)

    _order(columns, preds, succs, sweeps)
    ys = _vertical(columns, preds, succs, size, row_gap, sweeps)

    out: dict[str, tuple[float, float]] = {}
    x = 0.0
    for col in columns:
        width = max((size[n][0] for n in col), default=0.0)
        for n in col:
            if n in known:
                out[n] = (x + width / 2, ys[n])
        x += width + column_gap
    return out


def skip_edges(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (source, target) pairs that jump over blocks: their ends are more than one column
    apart (a residual or dense connection, or the short branch of a merge). The canvas routes
    them in lanes of their own. Linear in the size of the graph.
    """
    nodes = list(nodes)
    known = set(nodes)
    edges = [(s, t) for s, t in edges if s in known and t in known and s != t]
    layer = _layers(nodes, edges)
    return {(s, t) for s, t in edges if layer[t] - layer[s] > 1}


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    indeg = {n: 0 for n in nodes}
    outs: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        indeg[t] += 1
        outs[s].append(t)
    layer = {n: 0 for n in nodes}
    ready = deque(n for n in nodes if indeg[n] == 0)
    done = set()
    while ready:
        n = ready.popleft()
        done.add(n)
        for t in outs[n]:
            layer[t] = max(layer[t], layer[n] + 1)
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    # Nodes on a cycle never become ready: put them after everything else.
    last = max((layer[n] for n in done), default=-1)
    for n in nodes:
        if n not in done:
            last += 1
            layer[n] = last
    return layer


def _order(columns, preds, succs, sweeps: int) -> None:
    def rank_of(col):
        return {n: i for i, n in enumerate(col)}

    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        rng = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for li in rng:
            ref = rank_of(columns[li - 1] if forward else columns[li + 1])
            col = columns[li]
            own = rank_of(col)

            def bary(n):
                nb = [ref[m] for m in (preds[n] if forward else succs[n]) if m in ref]
                return sum(nb) / len(nb) if nb else own[n]
            col.sort(key=lambda n: (bary(n), own[n]))


def _vertical(columns, preds, succs, size, gap: float, sweeps: int) -> dict[str, float]:
    ys: dict[str, float] = {}
    for col in columns:  # start stacked and centred
        seps = _seps(col, size, gap)
        total = sum(seps)
        y = -total / 2
        for n, s in zip(col, seps):
            y += s
            ys[n] = y
    for sweep in range(2 * sweeps):
        forward = sweep % 2 == 0
        rng = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for li in rng:
            col = columns[li]
            desired = []
            for n in col:
                primary, secondary = (preds[n], succs[n]) if forward else (succs[n], preds[n])
                nb = [ys[m] for m in (primary or secondary)]
                desired.append(sum(nb) / len(nb) if nb else ys[n])
            for n, y in zip(col, _pack(desired, _seps(col, size, gap))):
                ys[n] = y
    return ys


def _seps(col, size, gap) -> list[float]:
    """Minimal distance of each node's centre from the previous one (0 for the first)."""
    out = [0.0]
    for a, b in zip(col, col[1:]):
        out.append((size[a][1] + size[b][1]) / 2 + gap)
    return out


def _pack(desired: list[float], seps: list[float]) -> list[float]:
    """Positions closest (least squares) to `desired` keeping order and spacing (PAVA)."""
    offsets, acc = [], 0.0
    for s in seps:
        acc += s
        offsets.append(acc)
    targets = [d - o for d, o in zip(desired, offsets)]
    blocks: list[list[float]] = []  # [mean, count]
    for t in targets:
        blocks.append([t, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    z = [m for m, c in blocks for _ in range(int(c))]
    return [zi + o for zi, o in zip(z, offsets)]
