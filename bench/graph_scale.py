"""How long the graph algorithms take on long chains (``python -m bench.graph_scale [N ...]``).

Builds Input → (Dense(2) → Tanh) × … chains of N nodes and times each whole-graph operation the
designer and the CLI run on a design: check(), summary(), saving and loading the design file,
the structure hash and compiling the plan. Every one should grow linearly with N (issue 11: a
10⁴-node chain took 218 s to summarise before the edge index; the target is 10⁵ nodes in < 2 s).
Times are CPU seconds of this process (``time.process_time``): on a shared machine the wall
clock also counts the time other processes held the cores.
"""
from __future__ import annotations

import sys
import time


def chain(n: int):
    """Input → Dense(2) → Tanh → Dense(2) → … with n nodes, built the way a design file loads."""
    from core.graph import Edge, Graph
    g = Graph()
    prev = g.add_node("Input", {"shape": [2]}, node_id="n0").id
    for i in range(1, n):
        nid = g.add_node("Dense" if i % 2 else "Tanh", {"units": 2} if i % 2 else {}, node_id=f"n{i}").id
        g.edges.append(Edge(prev, nid))
        prev = nid
    return g


def measure(n: int) -> dict[str, float]:
    from core.designfile import Design, dumps, loads
    from core.plan import compile_plan
    out = {}
    t = time.process_time()
    g = chain(n)
    out["build"] = time.process_time() - t
    for name, fn in (("check", g.check), ("summary", g.summary)):
        t = time.process_time()
        fn()
        out[name] = time.process_time() - t
    design = Design(graph=g)
    t = time.process_time()
    text = dumps(design)
    out["dumps"] = time.process_time() - t
    t = time.process_time()
    loads(text)
    out["loads"] = time.process_time() - t
    t = time.process_time()
    design.structure_hash()
    out["hash"] = time.process_time() - t
    t = time.process_time()
    compile_plan(g)
    out["compile"] = time.process_time() - t
    return out


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    names = ("build", "check", "summary", "dumps", "loads", "hash", "compile")
    print(f"{'nodes':>8}  " + "  ".join(f"{n:>8}" for n in names) + "   (CPU seconds)")
    for n in sizes:
        r = measure(n)
        print(f"{n:>8}  " + "  ".join(f"{r[k]:8.3f}" for k in names), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
