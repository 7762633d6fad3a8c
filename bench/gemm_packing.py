"""When do packed operands pay? The three products of a Dense layer (y = x·W, dW = xᵀ·dy,
dx = dy·Wᵀ) at the benchmark nets' shapes, one thread, side by side: the in-place tiles
(gemm_nn / gemm_nt), the packed path (gemm_packed), OpenBLAS (np.dot) and torch.mm, and the
route core/kernels/dense.py takes. Prints GFLOP/s and the packed/tiles ratio; writes
bench/results/gemm_packing.json. Also sweeps the packing blocks (KC, MC) on W5's 2048×2048
forward product, the worst case of the in-place tiles.

    python -m bench.gemm_packing [--seconds 0.4] [--out PATH]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os

import numpy as np

from .scaling import _best_rate, fma_peak, threads_for_all

# (n, k, m) of y = x·W with x n×k: the layers of W3 (784-512-256) at batch 128/512, of W5
# (784-2048-2048) at batch 256, and of 784-1024-1024 at batch 256; their dW and dx products follow.
LAYERS = [(128, 784, 512), (128, 512, 256), (512, 784, 512), (512, 512, 256),
          (256, 784, 1024), (256, 1024, 1024), (256, 784, 2048), (256, 2048, 2048), (32, 2048, 2048)]


def products(n, k, m):
    """(name, rows, shared, cols) of the three products of a layer x[n,k]·W[k,m]."""
    return [("fwd", n, k, m), ("dW", k, n, m), ("dx", n, m, k)]


def rates(kind, n, k, m, seconds):
    from core.kernels import dense
    from core.kernels.gemm import gemm_nn, gemm_nt, gemm_packed
    rng = np.random.default_rng(0)
    f = np.float32
    C = np.empty((n, m), f)
    flops = 2.0 * n * k * m
    if kind == "fwd":              # x (n×k) · W (k×m)
        A, B = rng.standard_normal((n, k), dtype=f), rng.standard_normal((k, m), dtype=f)
        a_rs, a_cs, b_rs, b_cs = k, 1, m, 1
        tiles = lambda: gemm_nn(A, 0, a_rs, a_cs, B, 0, m, C, 0, m, n, k, m, False)  # noqa: E731
        ref = (A, B)
    elif kind == "dW":             # xᵀ (n×k, x is k×n) · dy (k×m)
        A, B = rng.standard_normal((k, n), dtype=f), rng.standard_normal((k, m), dtype=f)
        a_rs, a_cs, b_rs, b_cs = 1, n, m, 1
        tiles = lambda: gemm_nn(A, 0, a_rs, a_cs, B, 0, m, C, 0, m, n, k, m, False)  # noqa: E731
        ref = (A.T, B)
    else:                          # dy (n×k) · Wᵀ (W is m×k)
        A, B = rng.standard_normal((n, k), dtype=f), rng.standard_normal((m, k), dtype=f)
        a_rs, a_cs, b_rs, b_cs = k, 1, 1, k
        tiles = lambda: gemm_nt(A, 0, k, B, 0, k, C, 0, m, n, k, m, False)  # noqa: E731
        ref = (A, B.T)
    packed = lambda: gemm_packed(A, 0, a_rs, a_cs, B, 0, b_rs, b_cs, C, 0, m, n, k, m, False)  # noqa: E731
    big = n * k * m >= dense.PARALLEL_MIN_MACS
    if kind == "dx":
        route = "packed" if big and n >= dense.PACK_DX_MIN_ROWS else "tiles"
    else:
        route = "packed" if big and m >= dense.PACK_MIN_LD and n >= dense.PACK_MIN_ROWS else "tiles"
    out = {"tiles": _best_rate(tiles, flops, seconds), "packed": _best_rate(packed, flops, seconds),
           "openblas": _best_rate(lambda: np.dot(ref[0], ref[1], out=C), flops, seconds), "route": route}
    with contextlib.suppress(ImportError):
        import torch
        ta, tb, tc = torch.from_numpy(np.ascontiguousarray(ref[0])), torch.from_numpy(np.ascontiguousarray(ref[1])), \
            torch.from_numpy(C)
        out["torch_mm"] = _best_rate(lambda: torch.mm(ta, tb, out=tc), flops, seconds)
    return out


def block_sweep(seconds):
    """GFLOP/s of the packed 256×2048×2048 forward product for each (KC, MC) block choice."""
    from numba import njit

    from core.kernels import gemm
    rows = []
    n, k, m = 256, 2048, 2048
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal(n * k, dtype=np.float32), rng.standard_normal(k * m, dtype=np.float32)
    C = np.empty(n * m, np.float32)
    saved = gemm.KC, gemm.MC
    try:
        for kc in (128, 256, 512):
            for mc in (64, 128, 256, 512):
                gemm.KC, gemm.MC = kc, mc
                # a fresh compile per choice: numba freezes module globals into the code
                fn = njit(gemm.gemm_packed.py_func)
                rate = _best_rate(lambda: fn(A, 0, k, 1, B, 0, m, 1, C, 0, m, n, k, m, False), 2.0 * n * k * m,
                                  seconds)
                rows.append({"KC": kc, "MC": mc, "gflops": rate})
    finally:
        gemm.KC, gemm.MC = saved
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=0.4)
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "gemm_packing.json"))
    args = ap.parse_args(argv)
    res = {"peak": fma_peak(1), "rows": [], "sweep": []}
    print(f"one core: float32 FMA peak {res['peak']['gflops']:.0f} GFLOP/s ({res['peak']['why']})")
    print(f"{'product':<22} {'tiles':>7} {'packed':>7} {'OpenBLAS':>8} {'torch.mm':>8}  packed/tiles  route")
    with threads_for_all(1):
        for n, k, m in LAYERS:
            for kind, r, s, c in products(n, k, m):
                rec = {"layer": [n, k, m], "product": kind, "shape": [r, s, c], **rates(kind, r, s, c, args.seconds)}
                res["rows"].append(rec)
                print(f"{kind:<3} {r:>5}×{s:>5}×{c:>5}  {rec['tiles']:7.1f} {rec['packed']:7.1f} {rec['openblas']:8.1f}"
                      f" {rec.get('torch_mm', float('nan')):8.1f}  {rec['packed'] / rec['tiles']:11.2f}×  {rec['route']}",
                      flush=True)
        if not args.no_sweep:
            res["sweep"] = block_sweep(args.seconds)
            print("packed 256×2048×2048 by block: " + ", ".join(
                f"KC {r['KC']} MC {r['MC']}: {r['gflops']:.0f}" for r in res["sweep"]))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(res, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
