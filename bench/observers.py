"""What "observers on" costs: per-batch loss plus per-layer statistics every `stats_interval`
batches (the dashboard's default, 50 — core/settings.py), against observers off.

The engine writes every batch's loss into the ``losses`` array anyway; observing it means copying
each chunk's losses out. Per-layer statistics are what the dashboard shows (gradient flow,
histograms): per weight tensor mean, std, min, max, ‖w‖, ‖g‖ and a 30-bin histogram; per
activation tensor of the last batch mean, std, fraction of zeros and a 30-bin histogram.
Two collectors: plain NumPy (how a GUI-side observer is naturally written) and one jitted call
over the executor's arenas (how it could be written next to the engine).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

BINS = 30
STATS_INTERVAL = 50


def numpy_stats(runner) -> dict:
    ex, out = runner.ex, {}
    for w in ex.plan.weights:
        v, g = ex.view(w.name), ex.view(w.name, ex.grads)
        h, _ = np.histogram(v, BINS)
        out[w.name] = (float(v.mean()), float(v.std()), float(v.min()), float(v.max()),
                       float(np.linalg.norm(v)), float(np.linalg.norm(g)), h)
    n = runner.wl.batch
    for node_id in ex.plan.node_tensor:
        a = ex.tensor_view(node_id, n)
        h, _ = np.histogram(a, BINS)
        out[node_id] = (float(a.mean()), float(a.std()), float(np.count_nonzero(a == 0)) / a.size, h)
    return out


@njit(cache=True, nogil=True)
def _segment_stats(x, g, row, hist):
    n = x.size
    s = 0.0
    s2 = 0.0
    lo = np.inf
    hi = -np.inf
    zeros = 0
    gg = 0.0
    for i in range(n):
        v = x[i]
        s += v
        s2 += v * v
        lo = min(lo, v)
        hi = max(hi, v)
        zeros += v == 0.0
    if g.size == n:
        for i in range(n):
            gg += g[i] * g[i]
    mean = s / max(n, 1)
    row[0], row[1], row[2], row[3] = mean, math.sqrt(max(s2 / max(n, 1) - mean * mean, 0.0)), lo, hi
    row[4], row[5], row[6] = math.sqrt(s2), math.sqrt(gg), zeros / max(n, 1)
    nb = hist.size
    hist[:] = 0
    scale = nb / (hi - lo) if hi > lo else 0.0
    for i in range(n):
        b = int((x[i] - lo) * scale)
        hist[min(max(b, 0), nb - 1)] += 1


@njit(cache=True, nogil=True)
def jit_stats(params, grads, acts, segs, tens, n, stats, hists):
    """Rows 0..len(segs)-1: weights (with gradient norm); then one row per tensor (activations)."""
    empty = grads[:0]
    for s in range(segs.shape[0]):
        o, k = segs[s, 0], segs[s, 1]
        _segment_stats(params[o:o + k], grads[o:o + k], stats[s], hists[s])
    base = segs.shape[0]
    for t in range(tens.shape[0]):
        o, w = tens[t, 0], tens[t, 1]
        _segment_stats(acts[o:o + n * w], empty, stats[base + t], hists[base + t])


class JitStats:
    def __init__(self, runner):
        ex = runner.ex
        rows = len(ex.segs) + len(ex.tens)
        self.stats = np.zeros((rows, 7), np.float64)
        self.hists = np.zeros((rows, BINS), np.int64)

    def __call__(self, runner) -> None:
        ex = runner.ex
        jit_stats(ex.params, ex.grads, ex.acts, ex.segs, ex.tens, runner.wl.batch, self.stats, self.hists)


def observed_run(runner, collector, n_steps: int, interval: int = STATS_INTERVAL, sink: list | None = None) -> None:
    """Train n_steps in chunks of `interval`; after each chunk copy the chunk's losses out and
    collect per-layer statistics."""
    sink = [] if sink is None else sink

    def observer(r):
        p = r.pos or r.n_cycle
        sink.append(r.losses[max(0, p - interval):p].copy())
        collector(r)
        if len(sink) > 64:
            sink.clear()
    runner.run(n_steps, chunk=interval, observer=observer)
